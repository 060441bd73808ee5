// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for /dev/gochan itself: opening it, the API handshake, and
 * the errors every bad request must get.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"

/* Output fields are filled with this first, to prove the kernel wrote them. */
#define JUNK 0xa5

static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/gochan/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(GOCHAN_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, "%s missing: is gochan.ko loaded?", GOCHAN_DEV_PATH);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, api_handshake)
{
	struct gochan_api api;

	memset(&api, JUNK, sizeof(api));
	api.api = GOCHAN_API_VERSION;
	api.flags = 0;
	api.reserved[0] = 0;
	api.reserved[1] = 0;
	ASSERT_EQ(0, ioctl(self->fd, GOCHAN_IOC_API, &api));
	EXPECT_EQ(2, api.api);		/* frozen */
	EXPECT_EQ(GOCHAN_FEATURE_TIMER_SET | GOCHAN_FEATURE_SIZED |
		  GOCHAN_FEATURE_RW | GOCHAN_FEATURE_SELECTOR, api.features);
	EXPECT_EQ(0, api.flags);
	EXPECT_EQ(0, api.reserved[0]);
	EXPECT_EQ(0, api.reserved[1]);
}

TEST_F(dev, api_through_libgochan)
{
	struct gochan_api api;

	memset(&api, JUNK, sizeof(api));
	ASSERT_EQ(0, gochan_api_query(self->fd, &api));
	EXPECT_EQ(GOCHAN_API_VERSION, api.api);
	EXPECT_FALSE(gochan_has_feature(&api, 1ULL << 63));
}

/* A caller of the interface before it was frozen is refused. */
TEST_F(dev, api_refuses_version_1)
{
	struct gochan_api api = { .api = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, &api));
	EXPECT_EQ(EPROTO, errno);
}

TEST_F(dev, api_rejects_zero_version)
{
	struct gochan_api api = { .api = 0 };

	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, &api));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, api_rejects_flags)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION, .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, &api));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, api_rejects_reserved)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION };

	api.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, &api));
	EXPECT_EQ(EINVAL, errno);
	/* On failure the kernel must not have written the answer back. */
	EXPECT_EQ(0, api.features);
}

TEST_F(dev, api_bad_pointer)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(ro != MAP_FAILED);
	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	/* Readable but not writable: api == 0 fails validation first. */
	EXPECT_EQ(-1, ioctl(self->fd, GOCHAN_IOC_API, ro));
	EXPECT_EQ(EINVAL, errno);
	munmap(ro, 4096);
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION };

	/* Unknown number, known magic. */
	EXPECT_EQ(-1, ioctl(self->fd,
			    _IOWR(GOCHAN_IOC_MAGIC, 0x7f, struct gochan_api),
			    &api));
	EXPECT_EQ(ENOTTY, errno);
	/* Known number, wrong size encoded in the command. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(GOCHAN_IOC_MAGIC, 0x00, __u64),
			    &api));
	EXPECT_EQ(ENOTTY, errno);
	/* Another driver's magic. */
	EXPECT_EQ(-1, ioctl(self->fd, _IO('T', 0x01)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, not_seekable)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

/* An open /dev/gochan pins the module: rmmod would get EBUSY. */
TEST_F(dev, open_pins_module)
{
	int before, fd2;

	before = module_refcnt();
	if (before < 0)
		SKIP(return, "/sys/module/gochan/refcnt not readable");
	ASSERT_LE(1, before);

	fd2 = open(GOCHAN_DEV_PATH, O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(before + 1, module_refcnt());
	close(fd2);
	EXPECT_EQ(before, module_refcnt());
}

TEST_HARNESS_MAIN
