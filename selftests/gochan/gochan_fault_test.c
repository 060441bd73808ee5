// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-injection sweeps: for every ioctl, fail its 1st, 2nd, ... fault
 * point (failslab and fail_usercopy, through /proc/thread-self/fail-nth)
 * until the call runs through without reaching the armed point.  At
 * each point the call must fail with a clean errno or succeed, no value
 * may be lost or duplicated, and the channel must still work afterwards.
 * Leaks and splats are the VM's checks (kmemleak and the kernel log);
 * each sweep also checks gochan's object counters after itself.
 *
 * Needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and
 * CONFIG_FAULT_INJECTION_USERCOPY (the debug and KCSAN test kernels);
 * skipped elsewhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"
#include "fail_nth.h"
#include "gochan_test.h"

#define MAX_POINTS	2000

static int nth_fd = -1;

static void arm(int n)
{
	fail_nth_arm(nth_fd, n);
}

static int disarm(void)
{
	return fail_nth_disarm(nth_fd);
}

static int clean_errno(long r)
{
	return r >= 0 || r == -ENOMEM || r == -EFAULT;
}

static long xfer(int fd, unsigned long cmd, void *buf, unsigned int n,
		 unsigned int flags, unsigned int *done, unsigned int *ok)
{
	struct gochan_xfer x = { .buf = (uintptr_t)buf, .count = n,
				 .flags = flags };
	long r = call(fd, cmd, &x);

	if (done)
		*done = x.done;
	if (ok)
		*ok = x.ok;
	return r;
}

/* Take everything buffered (non-blocking): how many values, into out. */
static unsigned int drain(int fd, __u64 *out, unsigned int max)
{
	unsigned int n = 0, done, ok;

	while (n < max && xfer(fd, GOCHAN_IOC_RECV, out + n, 1,
			       GOCHAN_XFER_NONBLOCK, &done, &ok) == 0 && done)
		n++;
	return n;
}

/* The channel (buffered, with room) works: one value through it. */
static int works(int fd)
{
	static __u64 v[512], w[512];	/* the largest value used: 4 KiB */
	unsigned int done, ok;

	v[0] = 0x5eed;
	w[0] = 0;
	if (xfer(fd, GOCHAN_IOC_SEND, v, 1, GOCHAN_XFER_NONBLOCK, &done, NULL) ||
	    done != 1)
		return 0;
	return !xfer(fd, GOCHAN_IOC_RECV, w, 1, GOCHAN_XFER_NONBLOCK, &done, &ok) &&
	       done == 1 && ok && w[0] == v[0];
}

/* Sum of gochan's live-object counters but threads and goroutines. */
static long objects_now(void)
{
	FILE *f = fopen("/sys/kernel/debug/gochan/objects", "r");
	char name[32];
	long n, sum = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%31s %ld", name, &n) == 2)
		if (strcmp(name, "threads") && strcmp(name, "goroutines"))
			sum += n;
	fclose(f);
	return sum;
}

/* The same, once it is back to want (frees from atomic context lag). */
static long objects(long want)
{
	long n = objects_now();
	int i;

	for (i = 0; i < 100 && n != want; i++) {
		usleep(10000);
		n = objects_now();
	}
	return n;
}

struct sweep {
	int points;	/* fault points the call has */
	int failed;	/* of them, ones that made the call fail */
};

/*
 * One sweep: step(n, data) arms fail-nth at n around its call, checks
 * the outcome and returns 1 when the armed point was reached.  Unless
 * may_pass (CLOSE: no allocation, no user copy), some point must make
 * the call fail: a sweep that injects nothing tests nothing.
 */
#define SWEEP(swp, step, data, may_pass) do {				\
	struct sweep *_sw = (swp);					\
	int _n, _hit = 1;						\
	long _before = objects_now();					\
	for (_n = 1; _hit && _n < MAX_POINTS; _n++) {			\
		_hit = step(_metadata, _n, data, _sw);			\
		if (_metadata->exit_code)				\
			break;						\
	}								\
	ASSERT_LT(_n, MAX_POINTS);					\
	_sw->points = _n - 2;						\
	ASSERT_EQ(_before, objects(_before));				\
	TH_LOG("%d fault points, %d of them failed the call",		\
	       _sw->points, _sw->failed);				\
	/* A call with fault points fails at some. */		\
	if (!(may_pass))						\
		ASSERT_LT(0, _sw->failed);				\
} while (0)

FIXTURE(fault) {
	struct sweep sw;
};

FIXTURE_SETUP(fault)
{
	dev = open(GOCHAN_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0 && errno == ENOENT)
		SKIP(return, "%s missing: is gochan.ko loaded?", GOCHAN_DEV_PATH);
	ASSERT_LE(0, dev);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 && errno == ENOENT)
		SKIP(return, "no fail-nth: a kernel without CONFIG_FAULT_INJECTION");
	ASSERT_LE(0, nth_fd);
	memset(&self->sw, 0, sizeof(self->sw));
}

FIXTURE_TEARDOWN(fault)
{
	if (nth_fd >= 0)
		close(nth_fd);
	if (dev >= 0)
		close(dev);
}

/* ---- /dev/gochan commands ------------------------------------------------ */

static int step_api(struct __test_metadata *_metadata, int n, void *d,
		    struct sweep *sw)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION };
	long r;
	int hit;

	arm(n);
	r = call(dev, GOCHAN_IOC_API, &api);
	hit = disarm();
	EXPECT_TRUE(clean_errno(r)) TH_LOG("API at %d: %ld", n, r);
	if (r < 0)
		sw->failed++;
	return hit;
}

TEST_F(fault, api)
{
	SWEEP(&self->sw, step_api, NULL, false);
}

static int step_make(struct __test_metadata *_metadata, int n, void *d,
		     struct sweep *sw)
{
	struct gochan_make mk = { .elem_size = 8, .cap = (uintptr_t)d };
	long r;
	int hit;

	arm(n);
	r = call(dev, GOCHAN_IOC_MAKE, &mk);
	hit = disarm();
	EXPECT_TRUE(r >= 0 || r == -ENOMEM || r == -EFAULT || r == -ENFILE ||
		    r == -EMFILE) TH_LOG("MAKE at %d: %ld", n, r);
	if (r < 0) {
		sw->failed++;
	} else {
		if (mk.cap)
			EXPECT_TRUE(works(r));
		close(r);
	}
	return hit;
}

TEST_F(fault, make_unbuffered)
{
	SWEEP(&self->sw, step_make, (void *)0, false);
}

TEST_F(fault, make_buffered)
{
	SWEEP(&self->sw, step_make, (void *)4, false);
}

static int step_timer(struct __test_metadata *_metadata, int n, void *d,
		      struct sweep *sw)
{
	struct gochan_timer t = { .ns = 1000 };
	unsigned int done, ok;
	__u64 v = 0;
	long r;
	int hit;

	arm(n);
	r = call(dev, GOCHAN_IOC_TIMER, &t);
	hit = disarm();
	EXPECT_TRUE(r >= 0 || r == -ENOMEM || r == -EFAULT || r == -ENFILE ||
		    r == -EMFILE) TH_LOG("TIMER at %d: %ld", n, r);
	if (r < 0) {
		sw->failed++;
	} else {
		/* It fires: one value, then nothing. */
		EXPECT_EQ(0, xfer(r, GOCHAN_IOC_RECV, &v, 1, 0, &done, &ok));
		EXPECT_EQ(1, done);
		EXPECT_NE(0, v);
		close(r);
	}
	return hit;
}

TEST_F(fault, timer)
{
	SWEEP(&self->sw, step_timer, NULL, false);
}

/* ---- send and receive ----------------------------------------------------- */

struct xctx {
	int fd;
	size_t elem;
	unsigned int n;
	bool rw;		/* read(2)/write(2) on an O_NONBLOCK fd */
};

/*
 * The armed transfer: the ioctl, or with c->rw write(2) or read(2) (the
 * fd is O_NONBLOCK), as 0 or -errno with the values moved in *done.
 */
static long step_xfer(struct xctx *c, bool send, void *buf,
		      unsigned int *done, unsigned int *ok)
{
	ssize_t r;

	if (!c->rw)
		return xfer(c->fd, send ? GOCHAN_IOC_SEND : GOCHAN_IOC_RECV,
			    buf, c->n, GOCHAN_XFER_NONBLOCK, done, ok);
	r = send ? write(c->fd, buf, c->n * c->elem) :
		   read(c->fd, buf, c->n * c->elem);
	if (r < 0)
		return -errno;
	*done = r / c->elem;
	return 0;
}

/* Values are 8-byte numbers repeated through elem bytes. */
static void put_val(void *p, size_t elem, __u64 v)
{
	size_t i;

	for (i = 0; i + 8 <= elem; i += 8)
		memcpy((char *)p + i, &v, 8);
}

static __u64 get_val(const void *p, size_t elem)
{
	__u64 v, w;
	size_t i;

	memcpy(&v, p, 8);
	for (i = 8; i + 8 <= elem; i += 8) {
		memcpy(&w, (const char *)p + i, 8);
		if (w != v)
			return ~0ULL;	/* torn */
	}
	return v;
}

/* Buffered send of n values: what it reports sent is exactly what is in. */
static int step_send(struct __test_metadata *_metadata, int n, void *d,
		     struct sweep *sw)
{
	struct xctx *c = d;
	char *vals = calloc(c->n, c->elem), *got = calloc(c->n, c->elem);
	unsigned int i, done = 0, k = 0, ok;
	long r;
	int hit;

	for (i = 0; i < c->n; i++)
		put_val(vals + i * c->elem, c->elem, 100 + i);
	arm(n);
	r = step_xfer(c, true, vals, &done, NULL);
	hit = disarm();
	EXPECT_TRUE(clean_errno(r)) TH_LOG("SEND at %d: %ld", n, r);
	if (r < 0) {
		sw->failed++;
		done = 0;	/* an error means nothing was sent */
	}
	while (k < c->n && !xfer(c->fd, GOCHAN_IOC_RECV, got + k * c->elem, 1,
				 GOCHAN_XFER_NONBLOCK, &i, &ok) && i)
		k++;
	EXPECT_EQ(done, k) TH_LOG("point %d: reported %u sent, %u arrived",
				  n, done, k);
	for (i = 0; i < k && i < done; i++)
		EXPECT_EQ(100 + i, get_val(got + i * c->elem, c->elem));
	EXPECT_TRUE(works(c->fd));
	free(vals);
	free(got);
	return hit;
}

TEST_F(fault, send_batch)
{
	struct xctx c = { .fd = mkchan(8, 8), .elem = 8, .n = 4 };

	ASSERT_LE(0, c.fd);
	SWEEP(&self->sw, step_send, &c, false);
	close(c.fd);
}

TEST_F(fault, send_big_values)
{
	struct xctx c = { .fd = mkchan(3000, 4), .elem = 3000, .n = 3 };

	ASSERT_LE(0, c.fd);
	SWEEP(&self->sw, step_send, &c, false);
	close(c.fd);
}

/* Buffered receive: what it does not report received stays, in order. */
static int step_recv(struct __test_metadata *_metadata, int n, void *d,
		     struct sweep *sw)
{
	struct xctx *c = d;
	char *vals = calloc(c->n, c->elem), *got = calloc(c->n, c->elem);
	unsigned int i, done = 0, k = 0, ok = 0, sent;
	long r;
	int hit;

	for (i = 0; i < c->n; i++)
		put_val(vals + i * c->elem, c->elem, 200 + i);
	ASSERT_EQ(0, xfer(c->fd, GOCHAN_IOC_SEND, vals, c->n, GOCHAN_XFER_NONBLOCK,
			  &sent, NULL));
	ASSERT_EQ(c->n, sent);
	arm(n);
	r = step_xfer(c, false, got, &done, &ok);
	hit = disarm();
	EXPECT_TRUE(clean_errno(r)) TH_LOG("RECV at %d: %ld", n, r);
	if (r < 0) {
		sw->failed++;
		done = 0;
	}
	for (i = 0; i < done; i++)
		EXPECT_EQ(200 + i, get_val(got + i * c->elem, c->elem));
	/* The rest is still there, in order, once. */
	k = done;
	while (k < c->n + 1 && !xfer(c->fd, GOCHAN_IOC_RECV, got, 1,
				     GOCHAN_XFER_NONBLOCK, &i, &ok) && i) {
		EXPECT_EQ(200 + k, get_val(got, c->elem));
		k++;
	}
	EXPECT_EQ(c->n, k) TH_LOG("point %d: %u received, %u left, of %u",
				  n, done, k - done, c->n);
	EXPECT_TRUE(works(c->fd));
	free(vals);
	free(got);
	return hit;
}

TEST_F(fault, recv_batch)
{
	struct xctx c = { .fd = mkchan(8, 8), .elem = 8, .n = 4 };

	ASSERT_LE(0, c.fd);
	SWEEP(&self->sw, step_recv, &c, false);
	close(c.fd);
}

TEST_F(fault, recv_big_values)
{
	struct xctx c = { .fd = mkchan(3000, 4), .elem = 3000, .n = 3 };

	ASSERT_LE(0, c.fd);
	SWEEP(&self->sw, step_recv, &c, false);
	close(c.fd);
}

/* The same through write(2) and read(2), which share the ioctls' code. */
TEST_F(fault, write_batch)
{
	struct xctx c = { .fd = mkchan(8, 8), .elem = 8, .n = 4, .rw = true };

	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, fcntl(c.fd, F_SETFL, O_NONBLOCK));
	SWEEP(&self->sw, step_send, &c, false);
	close(c.fd);
}

/*
 * 2 x 2000 bytes: a bounce buffer over the spare, and without a vmalloc
 * fallback (at most a page), so that its failure fails the read.
 */
TEST_F(fault, read_batch)
{
	struct xctx c = { .fd = mkchan(2000, 4), .elem = 2000, .n = 2, .rw = true };

	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, fcntl(c.fd, F_SETFL, O_NONBLOCK));
	SWEEP(&self->sw, step_recv, &c, false);
	close(c.fd);
}

/*
 * Review defect 3: a receive of more than a page whose bounce buffer came
 * from vmalloc (the kmalloc attempt failed) and whose copy-out faulted
 * left that buffer in the channel, and the next receive vfree()d it under
 * ch->lock with interrupts off ("sleeping function called from invalid
 * context", which the VM's kernel-log check fails).  Now a receive pins
 * its buffer before it takes anything and frees nothing under the lock.
 * Each of the first fault points is failed in turn while receiving a
 * 6000-byte value into a read-only buffer; the value must stay, once.
 */
TEST_F(fault, recv_fault_big_bounce)
{
	/* Over a page (kvmalloc may fall back), under 8 KiB (a slab). */
	size_t sz = 6000;
	char *ro, *v = malloc(sz), *got = malloc(sz);
	int fd = mkchan(sz, 2), n, nomem = 0;
	unsigned int done, ok;
	long r;

	ro = mmap(NULL, sz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(v && got);
	for (n = 1; n <= 12; n++) {
		memset(v, n, sz);
		ASSERT_EQ(0, xfer(fd, GOCHAN_IOC_SEND, v, 1, GOCHAN_XFER_NONBLOCK,
				  &done, NULL));
		arm(n);
		r = xfer(fd, GOCHAN_IOC_RECV, ro, 1, GOCHAN_XFER_NONBLOCK, &done, NULL);
		disarm();
		EXPECT_TRUE(r == -EFAULT || r == -ENOMEM) TH_LOG("point %d: %ld", n, r);
		nomem += r == -ENOMEM;
		/* Still there, once. */
		memset(got, 0, sz);
		EXPECT_EQ(0, xfer(fd, GOCHAN_IOC_RECV, got, 1, GOCHAN_XFER_NONBLOCK,
				  &done, &ok));
		EXPECT_EQ(0, memcmp(got, v, sz)) TH_LOG("point %d: value changed", n);
		EXPECT_EQ(-EAGAIN, xfer(fd, GOCHAN_IOC_RECV, got, 1,
					GOCHAN_XFER_NONBLOCK, &done, &ok));
	}
	TH_LOG("12 fault points, %d failed an allocation", nomem);
	munmap(ro, sz);
	free(v);
	free(got);
	close(fd);
}

/*
 * Unbuffered, with a peer blocked on the other side: a child process
 * (its own task, so fail-nth never touches it) that reports through
 * shared memory.
 */
struct peer {
	int fd;
	int send;		/* the peer sends (else receives) */
	__u64 got[4];
	int ngot;
};

#define SENTINEL	0xdeadULL

static void peer_fn(struct peer *pe)
{
	unsigned int done, ok;
	__u64 v;

	if (pe->send) {
		v = 42;
		xfer(pe->fd, GOCHAN_IOC_SEND, &v, 1, 0, &done, NULL);
		return;
	}
	/* Receive until the sentinel. */
	do {
		if (xfer(pe->fd, GOCHAN_IOC_RECV, &v, 1, 0, &done, &ok) || !ok)
			break;
		if (pe->ngot < 4)
			pe->got[pe->ngot++] = v;
	} while (v != SENTINEL);
}

/* Start the peer; *pe lives in shared memory. */
static pid_t peer_start(struct peer *pe)
{
	pid_t c = fork();

	if (c == 0) {
		peer_fn(pe);
		_exit(0);
	}
	return c;
}

static struct peer *peer_new(int fd, int send)
{
	struct peer *pe = mmap(NULL, sizeof(*pe), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (pe == MAP_FAILED)
		abort();
	memset(pe, 0, sizeof(*pe));
	pe->fd = fd;
	pe->send = send;
	return pe;
}

static int step_send_peer(struct __test_metadata *_metadata, int n, void *d,
			  struct sweep *sw)
{
	struct peer *pe = peer_new(*(int *)d, 0);
	unsigned int done = 0;
	__u64 v = 7, s = SENTINEL;
	pid_t t = peer_start(pe);
	long r;
	int hit;

	ASSERT_LT(0, t);
	arm(n);
	r = xfer(pe->fd, GOCHAN_IOC_SEND, &v, 1, 0, &done, NULL);
	hit = disarm();
	EXPECT_TRUE(clean_errno(r)) TH_LOG("SEND at %d: %ld", n, r);
	if (r < 0)
		sw->failed++;
	ASSERT_EQ(0, xfer(pe->fd, GOCHAN_IOC_SEND, &s, 1, 0, NULL, NULL));
	waitpid(t, NULL, 0);
	/* Sent means received once; not sent means never. */
	if (!r && done == 1) {
		EXPECT_EQ(2, pe->ngot);
		EXPECT_EQ(7, pe->got[0]);
	} else {
		EXPECT_EQ(1, pe->ngot) TH_LOG("point %d: reported unsent, received", n);
	}
	munmap(pe, sizeof(*pe));
	return hit;
}

TEST_F(fault, send_to_blocked_receiver)
{
	int fd = mkchan(8, 0);

	ASSERT_LE(0, fd);
	SWEEP(&self->sw, step_send_peer, &fd, false);
	close(fd);
}

static int step_recv_peer(struct __test_metadata *_metadata, int n, void *d,
			  struct sweep *sw)
{
	struct peer *pe = peer_new(*(int *)d, 1);
	unsigned int done = 0, ok = 0;
	pid_t t = peer_start(pe);
	__u64 v = 0;
	long r;
	int hit;

	ASSERT_LT(0, t);
	arm(n);
	r = xfer(pe->fd, GOCHAN_IOC_RECV, &v, 1, 0, &done, &ok);
	hit = disarm();
	EXPECT_TRUE(clean_errno(r)) TH_LOG("RECV at %d: %ld", n, r);
	if (r < 0 || !done) {
		sw->failed++;
		/* Not received: the sender's value is still to be had. */
		v = 0;
		EXPECT_EQ(0, xfer(pe->fd, GOCHAN_IOC_RECV, &v, 1, 0, &done, &ok));
	}
	EXPECT_EQ(42, v);
	waitpid(t, NULL, 0);
	/* And nothing more. */
	EXPECT_EQ(-EAGAIN, xfer(pe->fd, GOCHAN_IOC_RECV, &v, 1, GOCHAN_XFER_NONBLOCK,
				&done, &ok));
	munmap(pe, sizeof(*pe));
	return hit;
}

TEST_F(fault, recv_from_blocked_sender)
{
	int fd = mkchan(8, 0);

	ASSERT_LE(0, fd);
	SWEEP(&self->sw, step_recv_peer, &fd, false);
	close(fd);
}

/* ---- select ------------------------------------------------------------- */

/*
 * Two ready receive cases (one value each), a send case with room, a
 * nil case: exactly the chosen case's effect, or none on an error.
 */
static int step_select(struct __test_metadata *_metadata, int n, void *d,
		       struct sweep *sw)
{
	int *fds = d;	/* a, b: cap 2 with one value each; c: cap 1, empty */
	__u64 va = 0, vb = 0, vc = 77, got[4];
	struct gochan_case cs[4] = {
		{ .fd = fds[0], .dir = GOCHAN_DIR_RECV, .buf = (uintptr_t)&va },
		{ .fd = fds[1], .dir = GOCHAN_DIR_RECV, .buf = (uintptr_t)&vb },
		{ .fd = fds[2], .dir = GOCHAN_DIR_SEND, .buf = (uintptr_t)&vc },
		{ .fd = -1, .dir = GOCHAN_DIR_RECV },
	};
	struct gochan_select s = { .cases = (uintptr_t)cs, .n = 4 };
	__u64 one = 1, two = 2;
	unsigned int na, nb, nc;
	long r;
	int hit;

	ASSERT_EQ(0, xfer(fds[0], GOCHAN_IOC_SEND, &one, 1, GOCHAN_XFER_NONBLOCK,
			  NULL, NULL));
	ASSERT_EQ(0, xfer(fds[1], GOCHAN_IOC_SEND, &two, 1, GOCHAN_XFER_NONBLOCK,
			  NULL, NULL));
	arm(n);
	r = call(dev, GOCHAN_IOC_SELECT, &s);
	hit = disarm();
	EXPECT_TRUE(clean_errno(r)) TH_LOG("SELECT at %d: %ld", n, r);
	na = drain(fds[0], got, 4);
	EXPECT_TRUE(na == 0 || got[0] == 1);
	nb = drain(fds[1], got, 4);
	EXPECT_TRUE(nb == 0 || got[0] == 2);
	nc = drain(fds[2], got, 4);
	EXPECT_TRUE(nc == 0 || got[0] == 77);
	if (r < 0) {
		sw->failed++;
		EXPECT_EQ(3, na + nb + 1 - nc) TH_LOG("point %d: a failed select moved a value", n);
	} else {
		/* ok is a receive case's; err is 0 (no close here). */
		if (s.index < 2)
			EXPECT_EQ(1, cs[s.index].ok);
		EXPECT_EQ(0, cs[s.index].err);
		EXPECT_EQ(s.index == 0, na == 0);
		EXPECT_EQ(s.index == 1, nb == 0);
		EXPECT_EQ(s.index == 2, nc == 1);
		if (s.index == 0)
			EXPECT_EQ(1, va);
		if (s.index == 1)
			EXPECT_EQ(2, vb);
	}
	return hit;
}

TEST_F(fault, select_ready)
{
	int fds[3] = { mkchan(8, 2), mkchan(8, 2), mkchan(8, 1) };

	ASSERT_LE(0, fds[0]);
	ASSERT_LE(0, fds[1]);
	ASSERT_LE(0, fds[2]);
	SWEEP(&self->sw, step_select, fds, false);
	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
}

/* Six cases, none ready: waiter records for all, then the timeout. */
static int step_select_block(struct __test_metadata *_metadata, int n,
			     void *d, struct sweep *sw)
{
	int *fds = d, i;
	__u64 v[6] = {};
	struct gochan_case cs[6];
	struct gochan_select s = { .cases = (uintptr_t)cs, .n = 6,
				   .deadline = deadline_in(200000) };
	long r;
	int hit;

	for (i = 0; i < 6; i++)
		cs[i] = (struct gochan_case){ .fd = fds[i],
					      .dir = i % 2 ? GOCHAN_DIR_SEND :
							    GOCHAN_DIR_RECV,
					      .buf = (uintptr_t)&v[i] };
	arm(n);
	r = call(dev, GOCHAN_IOC_SELECT, &s);
	hit = disarm();
	EXPECT_TRUE(r == -ETIMEDOUT || r == -ENOMEM || r == -EFAULT)
		TH_LOG("SELECT at %d: %ld", n, r);
	if (r != -ETIMEDOUT)
		sw->failed++;
	for (i = 0; i < 6; i++) {
		struct gochan_info info;

		ASSERT_EQ(0, call(fds[i], GOCHAN_IOC_INFO, &info));
		EXPECT_EQ(0, info.senders + info.receivers + info.len);
	}
	return hit;
}

TEST_F(fault, select_blocking)
{
	int fds[6], i;

	for (i = 0; i < 6; i++) {
		fds[i] = mkchan(8, 0);
		ASSERT_LE(0, fds[i]);
	}
	SWEEP(&self->sw, step_select_block, fds, false);
	for (i = 0; i < 6; i++)
		close(fds[i]);
}

/* ---- the other channel commands ------------------------------------------- */

static int step_other(struct __test_metadata *_metadata, int n, void *d,
		      struct sweep *sw)
{
	int which = (intptr_t)d, fd = mkchan(8, 1);
	struct gochan_dup dp = { .dir = GOCHAN_DIR_RECV };
	struct gochan_info info;
	__u64 v = 5;
	long r;
	int hit;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xfer(fd, GOCHAN_IOC_SEND, &v, 1, 0, NULL, NULL));
	arm(n);
	switch (which) {
	case 0:
		r = call(fd, GOCHAN_IOC_INFO, &info);
		break;
	case 1:
		r = call(fd, GOCHAN_IOC_DUP, &dp);
		break;
	default:
		r = call(fd, GOCHAN_IOC_CLOSE, NULL);
		break;
	}
	hit = disarm();
	EXPECT_TRUE(r >= 0 || r == -ENOMEM || r == -EFAULT || r == -EMFILE ||
		    r == -ENFILE) TH_LOG("command %d at %d: %ld", which, n, r);
	if (r < 0)
		sw->failed++;
	if (which == 0 && !r)
		EXPECT_EQ(1, info.len);
	if (which == 1 && r >= 0) {
		/* The new fd receives the value. */
		v = 0;
		EXPECT_EQ(0, xfer(r, GOCHAN_IOC_RECV, &v, 1, 0, NULL, NULL));
		EXPECT_EQ(5, v);
		close(r);
	} else {
		/* The value is still there (closed or not), and only once. */
		v = 0;
		EXPECT_EQ(0, xfer(fd, GOCHAN_IOC_RECV, &v, 1, 0, NULL, NULL));
		EXPECT_EQ(5, v);
	}
	if (which != 2 || r < 0)
		EXPECT_TRUE(works(fd));
	close(fd);
	return hit;
}

TEST_F(fault, info)
{
	SWEEP(&self->sw, step_other, (void *)0, false);
}

TEST_F(fault, dup)
{
	SWEEP(&self->sw, step_other, (void *)1, false);
}

TEST_F(fault, close)
{
	SWEEP(&self->sw, step_other, (void *)2, true);
}

TEST_HARNESS_MAIN
