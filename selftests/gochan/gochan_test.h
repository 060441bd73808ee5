/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gochan kselftests that call the ioctls raw:
 * dev is their /dev/gochan fd, opened by each fixture.
 */
#ifndef GOCHAN_TEST_H
#define GOCHAN_TEST_H

#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/gochan.h>

static int dev = -1;

/* A uapi deadline @ns from now: absolute CLOCK_MONOTONIC ns. */
static inline __u64 deadline_in(__s64 ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec + ns;
}

/* An ioctl as its result (0, an fd) or -errno. */
static inline long call(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* A channel fd (both directions), or -1 with errno set. */
static inline int mkchan(size_t elem, unsigned int cap)
{
	struct gochan_make mk = { .elem_size = elem, .cap = cap };

	return ioctl(dev, GOCHAN_IOC_MAKE, &mk);
}

/*
 * A fixture that opens /dev/gochan into dev and needs root (it changes
 * module parameters, cgroups or uids); kselftest_harness.h first.
 */
#define GOCHAN_ROOT_FIXTURE(name)					\
	FIXTURE(name) {							\
		int unused;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		dev = open(GOCHAN_DEV_PATH, O_RDWR | O_CLOEXEC);	\
		if (dev < 0 && errno == ENOENT)				\
			SKIP(return, "%s missing: is gochan.ko loaded?", \
			     GOCHAN_DEV_PATH);				\
		ASSERT_LE(0, dev);					\
		if (geteuid())						\
			SKIP(return, "needs root");			\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		if (dev >= 0)						\
			close(dev);					\
	}

#endif /* GOCHAN_TEST_H */
