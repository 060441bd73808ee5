// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libgochan: the raw layer over the /dev/gochan ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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

/*
 * One /dev/gochan fd per process, opened on first use, with the device
 * number it had: a program may close it behind our back (closefrom(),
 * a daemon closing every fd), and its number may then name another
 * file.
 */
static int gochan_devfd = -1;
static dev_t gochan_devno;
/* The module's feature bits, once asked: -1 until then. */
static int64_t gochan_feats = -1;

/* Is fd still the /dev/gochan fd we opened? */
static bool gochan_dev_is(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       st.st_rdev == __atomic_load_n(&gochan_devno, __ATOMIC_RELAXED);
}

/* The process's /dev/gochan fd; @stale: the number that failed, or -1. */
static int gochan_dev_get(int stale)
{
	int fd = __atomic_load_n(&gochan_devfd, __ATOMIC_ACQUIRE);
	int expected = fd;
	struct stat st;

	if (fd >= 0 && fd != stale)
		return fd;
	fd = gochan_dev_open();
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	__atomic_store_n(&gochan_devno, st.st_rdev, __ATOMIC_RELAXED);
	/*
	 * Another thread may have opened or replaced it meanwhile: theirs
	 * wins.  A stale number is not ours to close: it was closed
	 * already, and may be another file now.
	 */
	if (!__atomic_compare_exchange_n(&gochan_devfd, &expected, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

static int gochan_dev(void)
{
	return gochan_dev_get(-1);
}

/*
 * An ioctl on /dev/gochan.  EBADF or ENOTTY from the cached fd, when it
 * is no longer the device, means that the program closed it: open the
 * device again and retry once.
 */
static int gochan_dev_ioctl(unsigned long cmd, void *arg)
{
	int fd = gochan_dev(), ret;

	if (fd < 0)
		return fd;
	ret = ioctl(fd, cmd, arg);
	if (ret < 0 && (errno == EBADF || errno == ENOTTY) &&
	    !gochan_dev_is(fd)) {
		fd = gochan_dev_get(fd);
		if (fd < 0)
			return fd;
		ret = ioctl(fd, cmd, arg);
	}
	return ret < 0 ? -errno : ret;
}

/*
 * One ioctl.  A signal's EINTR is the caller's, as read(2)'s: with
 * SA_RESTART the kernel restarts the call itself (-ERESTARTSYS), so an
 * EINTR here means the handler asked for it.
 */
static int gochan_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* The module's feature bits (0 if it cannot be asked). */
static uint64_t gochan_features(void)
{
	int64_t f = __atomic_load_n(&gochan_feats, __ATOMIC_RELAXED);
	struct gochan_api api = { .api = GOCHAN_API_VERSION };

	if (f >= 0)
		return f;
	if (gochan_dev_ioctl(GOCHAN_IOC_API, &api) < 0)
		return 0;
	f = api.features & INT64_MAX;
	__atomic_store_n(&gochan_feats, f, __ATOMIC_RELAXED);
	return f;
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

	if (elem_size > UINT32_MAX)
		return -EMSGSIZE;
	mk.elem_size = elem_size;
	return gochan_dev_ioctl(GOCHAN_IOC_MAKE, &mk);
}

/*
 * Without GOCHAN_FEATURE_SIZED in the module: the caller's size checked
 * against GOCHAN_IOC_INFO's, one more call.
 */
static int gochan_size_check(int fd, size_t size)
{
	struct gochan_info info;
	int ret = gochan_ioctl(fd, GOCHAN_IOC_INFO, &info);

	if (ret < 0)
		return ret;
	return info.elem_size == size ? 0 : -EMSGSIZE;
}

/*
 * One transfer.  A relative timeout becomes an absolute deadline first,
 * so that a call the kernel restarts after a signal keeps it.  @size is
 * the caller's element size, or SIZE_MAX for none.
 */
static int gochan_xfer(int fd, unsigned long cmd, const void *buf,
		       size_t size, unsigned int n, unsigned int flags,
		       int64_t timeout_ns, bool *ok)
{
	struct gochan_xfer x = {
		.buf = (uintptr_t)buf,
		.count = n,
		.flags = flags,
	};
	int ret;

	if (size != SIZE_MAX) {
		if (size > UINT32_MAX)
			return -EMSGSIZE;
		if (gochan_features() & GOCHAN_FEATURE_SIZED) {
			x.flags |= GOCHAN_XFER_SIZED;
			x.elem_size = size;
		} else {
			ret = gochan_size_check(fd, size);
			if (ret)
				return ret;
		}
	}
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
	int ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, SIZE_MAX, 1, 0, -1, NULL);

	return ret < 0 ? ret : 0;
}

int gochan_recv(int fd, void *elem, bool *ok)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, SIZE_MAX, 1, 0, -1, ok);

	return ret < 0 ? ret : 0;
}

int gochan_close(int fd)
{
	return gochan_ioctl(fd, GOCHAN_IOC_CLOSE, NULL);
}

int gochan_trysend(int fd, const void *elem)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, SIZE_MAX, 1, GOCHAN_XFER_NONBLOCK,
			      -1, NULL);

	return ret < 0 ? ret : 0;
}

int gochan_tryrecv(int fd, void *elem, bool *ok)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, SIZE_MAX, 1, GOCHAN_XFER_NONBLOCK,
			      -1, ok);

	return ret < 0 ? ret : 0;
}

int gochan_send_timeout(int fd, const void *elem, int64_t timeout_ns)
{
	int ret;

	ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, SIZE_MAX, 1, 0, timeout_ns, NULL);
	return ret < 0 ? ret : 0;
}

int gochan_recv_timeout(int fd, void *elem, bool *ok, int64_t timeout_ns)
{
	int ret;

	ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, SIZE_MAX, 1, 0, timeout_ns, ok);
	return ret < 0 ? ret : 0;
}

int gochan_send_batch(int fd, const void *elems, unsigned int n,
		      unsigned int flags)
{
	return gochan_xfer(fd, GOCHAN_IOC_SEND, elems, SIZE_MAX, n, flags, -1, NULL);
}

int gochan_recv_batch(int fd, void *elems, unsigned int n,
		      unsigned int flags, bool *ok)
{
	return gochan_xfer(fd, GOCHAN_IOC_RECV, elems, SIZE_MAX, n, flags, -1, ok);
}

static int gochan_do_select(struct gochan_case *cases,
			    const uint32_t *sizes, unsigned int n,
			    unsigned int flags, int64_t timeout_ns)
{
	struct gochan_select sel = {
		.cases = (uintptr_t)cases,
		.n = n,
		.flags = flags,
		.sizes = (uintptr_t)sizes,
	};
	unsigned int i;
	int ret;

	if (sizes && !(gochan_features() & GOCHAN_FEATURE_SIZED)) {
		sel.sizes = 0;
		for (i = 0; i < n; i++) {
			if (cases[i].fd == -1)
				continue;
			ret = gochan_size_check(cases[i].fd, sizes[i]);
			if (ret)
				return ret;
		}
	}
	if (timeout_ns >= 0)
		sel.deadline = gochan_deadline_in(timeout_ns);
	ret = gochan_dev_ioctl(GOCHAN_IOC_SELECT, &sel);
	return ret < 0 ? ret : (int)sel.index;
}

int gochan_select(struct gochan_case *cases, unsigned int n,
		  unsigned int flags, int64_t timeout_ns)
{
	return gochan_do_select(cases, NULL, n, flags, timeout_ns);
}

int gochan_select_sz(struct gochan_case *cases, const uint32_t *sizes,
		     unsigned int n, unsigned int flags, int64_t timeout_ns)
{
	if (!sizes)
		return -EINVAL;
	return gochan_do_select(cases, sizes, n, flags, timeout_ns);
}

static int gochan_timer(int64_t ns, unsigned int flags)
{
	struct gochan_timer t = { .ns = ns, .flags = flags | GOCHAN_TIMER_CLOEXEC };

	return gochan_dev_ioctl(GOCHAN_IOC_TIMER, &t);
}

static int gochan_timer_set(int fd, int64_t ns, unsigned int flags)
{
	struct gochan_timer_set ts = { .ns = ns, .flags = flags };
	int ret = gochan_ioctl(fd, GOCHAN_IOC_TIMER_SET, &ts);

	return ret < 0 ? ret : (int)ts.active;
}

int gochan_timer_stop(int fd)
{
	return gochan_timer_set(fd, 0, GOCHAN_TIMER_STOP);
}

int gochan_timer_reset(int fd, int64_t ns)
{
	return gochan_timer_set(fd, ns, 0);
}

int gochan_after(int64_t ns)
{
	return gochan_timer(ns, 0);
}

int gochan_ticker(int64_t ns)
{
	return gochan_timer(ns, GOCHAN_TIMER_TICKER);
}

int gochan_send_sz(int fd, const void *elem, size_t size)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_SEND, elem, size, 1, 0, -1, NULL);

	return ret < 0 ? ret : 0;
}

int gochan_recv_sz(int fd, void *elem, size_t size, bool *ok)
{
	int ret = gochan_xfer(fd, GOCHAN_IOC_RECV, elem, size, 1, 0, -1, ok);

	return ret < 0 ? ret : 0;
}

int gochan_send_batch_sz(int fd, const void *elems, size_t size,
			 unsigned int n, unsigned int flags)
{
	return gochan_xfer(fd, GOCHAN_IOC_SEND, elems, size, n, flags, -1, NULL);
}

int gochan_recv_batch_sz(int fd, void *elems, size_t size, unsigned int n,
			 unsigned int flags, bool *ok)
{
	return gochan_xfer(fd, GOCHAN_IOC_RECV, elems, size, n, flags, -1, ok);
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

/* ---- selectors ----------------------------------------------------------- */

int gochan_selector(void)
{
	struct gochan_selector req = { .flags = GOCHAN_SELECTOR_CLOEXEC };

	return gochan_dev_ioctl(GOCHAN_IOC_SELECTOR, &req);
}

static int gochan_selector_ctl(int sfd, unsigned int op, int fd,
			       unsigned int dir, const void *val, size_t size,
			       uint64_t key)
{
	struct gochan_selector_ctl c = {
		.op = op,
		.fd = fd,
		.dir = dir,
		.buf = (uintptr_t)val,
		.key = key,
	};

	if (size > UINT32_MAX)
		return -EMSGSIZE;
	c.elem_size = size;
	return gochan_ioctl(sfd, GOCHAN_IOC_SELECTOR_CTL, &c);
}

int gochan_selector_add(int sfd, int fd, unsigned int dir, const void *val,
			size_t size, uint64_t key)
{
	return gochan_selector_ctl(sfd, GOCHAN_CTL_ADD, fd, dir, val, size, key);
}

int gochan_selector_mod(int sfd, int fd, unsigned int dir, const void *val,
			size_t size, uint64_t key)
{
	return gochan_selector_ctl(sfd, GOCHAN_CTL_MOD, fd, dir, val, size, key);
}

int gochan_selector_del(int sfd, int fd, unsigned int dir)
{
	return gochan_selector_ctl(sfd, GOCHAN_CTL_DEL, fd, dir, NULL, 0, 0);
}

int gochan_selector_wait(int sfd, void *buf, size_t size, unsigned int flags,
			 int64_t timeout_ns, __u64 *key, unsigned int *dir,
			 bool *ok)
{
	struct gochan_selector_wait w = {
		.buf = (uintptr_t)buf,
		.flags = flags,
	};
	int ret;

	if (flags & GOCHAN_WAIT_READY)
		return -EINVAL;
	w.size = size > UINT32_MAX ? UINT32_MAX : size;
	if (timeout_ns >= 0)
		w.deadline = gochan_deadline_in(timeout_ns);
	ret = gochan_ioctl(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w);
	if (ret < 0)
		return ret;
	*key = w.key;
	if (dir)
		*dir = w.dir;
	if (ok)
		*ok = w.ok;
	return w.err;
}

int gochan_selector_ready(int sfd, struct gochan_selector_event *ev,
			  unsigned int max, unsigned int flags,
			  int64_t timeout_ns)
{
	struct gochan_selector_wait w = {
		.flags = flags | GOCHAN_WAIT_READY,
		.events = (uintptr_t)ev,
		.max = max,
	};
	int ret;

	if (timeout_ns >= 0)
		w.deadline = gochan_deadline_in(timeout_ns);
	ret = gochan_ioctl(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w);
	return ret < 0 ? ret : (int)w.count;
}
