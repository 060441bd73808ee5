// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libgochan: the raw layer over the /dev/gochan ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "gochan.h"

int gochan_dev_open(void)
{
	int fd = open(GOCHAN_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int gochan_api_query(int devfd, struct gochan_api *api)
{
	memset(api, 0, sizeof(*api));
	api->api = GOCHAN_API_VERSION;
	if (ioctl(devfd, GOCHAN_IOC_API, api) < 0)
		return -errno;
	if (api->api < GOCHAN_API_VERSION)
		return -EPROTO;
	return 0;
}

/* ---- channels ------------------------------------------------------------ */

/* One /dev/gochan fd per process, opened on first use. */
static int gochan_devfd = -1;

static int gochan_dev(void)
{
	int fd = __atomic_load_n(&gochan_devfd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = gochan_dev_open();
	if (fd < 0)
		return fd;
	if (!__atomic_compare_exchange_n(&gochan_devfd, &expected, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);	/* another thread won */
		fd = expected;
	}
	return fd;
}

/* ioctl, retried when a signal interrupted it (nothing moved then). */
static int gochan_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static int64_t gochan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A relative timeout as the uapi's absolute deadline.  One beyond the
 * kernel's time range (centuries) is for ever, GOCHAN_FOREVER, rather
 * than an EINVAL for a deadline the kernel cannot represent.
 */
static __u64 gochan_deadline_in(int64_t timeout_ns)
{
	int64_t now = gochan_now_ns();

	if (timeout_ns > INT64_MAX - now)
		return GOCHAN_FOREVER;
	return now + timeout_ns;
}

int gochan_make(size_t elem_size, unsigned int cap, unsigned int flags)
{
	struct gochan_make mk = { .cap = cap, .flags = flags };
	int dev = gochan_dev();

	if (dev < 0)
		return dev;
	if (elem_size > UINT32_MAX)
		return -EMSGSIZE;
	mk.elem_size = elem_size;
	return gochan_ioctl(dev, GOCHAN_IOC_MAKE, &mk);
}

/*
 * One transfer.  A relative timeout becomes an absolute deadline first,
 * so that a retry after a signal keeps it.
 */
static int gochan_xfer(int fd, unsigned long cmd, const void *buf,
		       unsigned int n, unsigned int flags, int64_t timeout_ns,
		       bool *ok)
{
	struct gochan_xfer x = {
		.buf = (uintptr_t)buf,
		.count = n,
		.flags = flags,
	};
	int ret;

	if (timeout_ns >= 0)
		x.deadline = gochan_deadline_in(timeout_ns);
	ret = gochan_ioctl(fd, cmd, &x);
	if (ret < 0)
		return ret;
	if (ok)
		*ok = x.ok;
	return x.done;
}

int gochan_send(int fd, const void *elem)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, 1, 0, -1, NULL);

	return ret < 0 ? ret : 0;
}

int gochan_recv(int fd, void *elem, bool *ok)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, 1, 0, -1, ok);

	return ret < 0 ? ret : 0;
}

int gochan_close(int fd)
{
	return gochan_ioctl(fd, GOCHAN_IOC_CLOSE, NULL);
}

int gochan_trysend(int fd, const void *elem)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, 1, GOCHAN_XFER_NONBLOCK,
			      -1, NULL);

	return ret < 0 ? ret : 0;
}

int gochan_tryrecv(int fd, void *elem, bool *ok)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, 1, GOCHAN_XFER_NONBLOCK,
			      -1, ok);

	return ret < 0 ? ret : 0;
}

int gochan_send_timeout(int fd, const void *elem, int64_t timeout_ns)
{
	int ret;

	if (timeout_ns < 0)
		return -EINVAL;
	ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, 1, 0, timeout_ns, NULL);
	return ret < 0 ? ret : 0;
}

int gochan_recv_timeout(int fd, void *elem, bool *ok, int64_t timeout_ns)
{
	int ret;

	if (timeout_ns < 0)
		return -EINVAL;
	ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, 1, 0, timeout_ns, ok);
	return ret < 0 ? ret : 0;
}

int gochan_send_batch(int fd, const void *elems, unsigned int n,
		      unsigned int flags)
{
	return gochan_xfer(fd, GOCHAN_IOC_SEND, elems, n, flags, -1, NULL);
}

int gochan_recv_batch(int fd, void *elems, unsigned int n,
		      unsigned int flags, bool *ok)
{
	return gochan_xfer(fd, GOCHAN_IOC_RECV, elems, n, flags, -1, ok);
}

int gochan_select(struct gochan_case *cases, unsigned int n,
		  unsigned int flags, int64_t timeout_ns)
{
	struct gochan_select sel = {
		.cases = (uintptr_t)cases,
		.n = n,
		.flags = flags,
	};
	int dev = gochan_dev(), ret;

	if (dev < 0)
		return dev;
	if (timeout_ns >= 0)
		sel.deadline = gochan_deadline_in(timeout_ns);
	ret = gochan_ioctl(dev, GOCHAN_IOC_SELECT, &sel);
	return ret < 0 ? ret : (int)sel.index;
}

static int gochan_timer(int64_t ns, unsigned int flags)
{
	struct gochan_timer t = { .ns = ns, .flags = flags | GOCHAN_TIMER_CLOEXEC };
	int dev = gochan_dev();

	if (dev < 0)
		return dev;
	return gochan_ioctl(dev, GOCHAN_IOC_TIMER, &t);
}

int gochan_after(int64_t ns)
{
	return gochan_timer(ns, 0);
}

int gochan_ticker(int64_t ns)
{
	return gochan_timer(ns, GOCHAN_TIMER_TICKER);
}

int gochan_dup(int fd, unsigned int dir, unsigned int flags)
{
	struct gochan_dup d = { .dir = dir, .flags = flags };

	return gochan_ioctl(fd, GOCHAN_IOC_DUP, &d);
}

int gochan_info(int fd, struct gochan_info *info)
{
	return gochan_ioctl(fd, GOCHAN_IOC_INFO, info);
}

int gochan_len(int fd)
{
	struct gochan_info info;
	int ret = gochan_info(fd, &info);

	return ret < 0 ? ret : (int)info.len;
}

int gochan_cap(int fd)
{
	struct gochan_info info;
	int ret = gochan_info(fd, &info);

	return ret < 0 ? ret : (int)info.cap;
}

int gochan_range(int fd, void *elem, int (*fn)(void *elem, void *arg),
		 void *arg)
{
	for (;;) {
		bool ok;
		int ret = gochan_recv(fd, elem, &ok);

		if (ret < 0)
			return ret;
		if (!ok)
			return 0;
		ret = fn(elem, arg);
		if (ret)
			return ret;
	}
}
