// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for channel fds: Go's semantics across processes, every
 * validation error, directions, autoclose, poll/epoll, select, timers,
 * batches, fdinfo, signals, and exactly-once delivery under stress.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"

#define JUNK32 0xa5a5a5a5U

/*
 * The 32-bit build runs the same cases through compat_ioctl; the long
 * loops are cut by ten there, since the 64-bit build already ran them.
 */
#if __SIZEOF_POINTER__ == 4
#define ROUNDS(n)	((n) / 10)
#else
#define ROUNDS(n)	(n)
#endif

static int dev_fd(void)
{
	return open(GOCHAN_DEV_PATH, O_RDWR | O_CLOEXEC);
}

/* A raw ioctl: 0 or -errno, no retry. */
static int raw(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

FIXTURE(chan) {
	int fd;
	int cap;
};

FIXTURE_VARIANT(chan) {
	int cap;
};

FIXTURE_VARIANT_ADD(chan, unbuffered) { .cap = 0 };
FIXTURE_VARIANT_ADD(chan, buffered) { .cap = 4 };

FIXTURE_SETUP(chan)
{
	int dev = dev_fd();

	if (dev < 0 && errno == ENOENT)
		SKIP(return, "%s missing: is gochan.ko loaded?", GOCHAN_DEV_PATH);
	close(dev);
	self->cap = variant->cap;
	self->fd = gochan_make(sizeof(__s64), variant->cap, GOCHAN_MAKE_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(chan)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* No channel of its own: for tests that make what they need. */
FIXTURE(proc) {
	int unused;
};

FIXTURE_SETUP(proc)
{
	int dev = dev_fd();

	if (dev < 0 && errno == ENOENT)
		SKIP(return, "%s missing: is gochan.ko loaded?", GOCHAN_DEV_PATH);
	ASSERT_LE(0, dev);
	close(dev);
}

FIXTURE_TEARDOWN(proc)
{
}

/* Cross-process ping-pong: a child echoes every value back, plus one. */
TEST_F(chan, fork_ping_pong)
{
	int back = gochan_make(sizeof(__s64), self->cap, 0);
	__s64 v, i;
	bool ok;
	pid_t pid;
	int status;

	ASSERT_LE(0, back);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (;;) {
			if (gochan_recv(self->fd, &v, &ok) || !ok)
				_exit(ok ? 1 : 0);
			v++;
			if (gochan_send(back, &v))
				_exit(2);
		}
	}
	for (i = 0; i < ROUNDS(2000); i++) {
		ASSERT_EQ(0, gochan_send(self->fd, &i));
		ASSERT_EQ(0, gochan_recv(back, &v, &ok));
		ASSERT_TRUE(ok);
		ASSERT_EQ(i + 1, v);
	}
	ASSERT_EQ(0, gochan_close(self->fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	close(back);
}

/* Close: receivers drain the buffer, then get zero and ok = false. */
TEST_F(chan, close_semantics)
{
	__s64 v;
	bool ok = true;
	int i;

	for (i = 0; i < self->cap; i++) {
		v = 100 + i;
		ASSERT_EQ(0, gochan_send(self->fd, &v));
	}
	ASSERT_EQ(-EAGAIN, gochan_trysend(self->fd, &v));
	ASSERT_EQ(self->cap, gochan_len(self->fd));
	ASSERT_EQ(self->cap, gochan_cap(self->fd));
	ASSERT_EQ(0, gochan_close(self->fd));
	ASSERT_EQ(-EPIPE, gochan_close(self->fd));
	ASSERT_EQ(-EPIPE, gochan_send(self->fd, &v));
	for (i = 0; i < self->cap; i++) {
		ASSERT_EQ(0, gochan_recv(self->fd, &v, &ok));
		ASSERT_TRUE(ok);
		ASSERT_EQ(100 + i, v);
	}
	v = 77;
	ASSERT_EQ(0, gochan_recv(self->fd, &v, &ok));
	ASSERT_FALSE(ok);
	ASSERT_EQ(0, v);
}

TEST_F(chan, try_and_timeout)
{
	struct timespec a, b;
	__s64 v = 1;
	bool ok;

	ASSERT_EQ(-EAGAIN, gochan_tryrecv(self->fd, &v, &ok));
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(-ETIMEDOUT, gochan_recv_timeout(self->fd, &v, &ok, 20000000));
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* Not a timing assertion: the deadline must not be early. */
	ASSERT_LE(20000000, (__s64)(b.tv_sec - a.tv_sec) * 1000000000LL +
		  (b.tv_nsec - a.tv_nsec));
	if (self->cap) {
		ASSERT_EQ(0, gochan_trysend(self->fd, &v));
		ASSERT_EQ(0, gochan_tryrecv(self->fd, &v, &ok));
		ASSERT_TRUE(ok);
		/* A timeout of centuries is for ever, not a bad deadline. */
		ASSERT_EQ(0, gochan_trysend(self->fd, &v));
		ASSERT_EQ(0, gochan_recv_timeout(self->fd, &v, &ok, INT64_MAX));
		ASSERT_TRUE(ok);
	} else {
		ASSERT_EQ(-EAGAIN, gochan_trysend(self->fd, &v));
		ASSERT_EQ(-ETIMEDOUT, gochan_send_timeout(self->fd, &v, 1000000));
	}
}

/* Outputs are junk before the call: the kernel must write them. */
TEST_F(chan, outputs_written)
{
	__s64 v = 5, got = -1;
	struct gochan_xfer x = { .buf = (uintptr_t)&v, .count = 1,
				 .flags = GOCHAN_XFER_NONBLOCK };
	struct gochan_info info;

	x.done = JUNK32;
	x.ok = JUNK32;
	ASSERT_EQ(self->cap ? 0 : -EAGAIN, raw(self->fd, GOCHAN_IOC_SEND, &x));
	ASSERT_EQ(self->cap ? 1 : 0, x.done);
	x.buf = (uintptr_t)&got;
	x.done = JUNK32;
	x.ok = JUNK32;
	ASSERT_EQ(self->cap ? 0 : -EAGAIN, raw(self->fd, GOCHAN_IOC_RECV, &x));
	ASSERT_EQ(self->cap ? 1U : 0U, x.done);
	ASSERT_EQ(self->cap ? 1U : 0U, x.ok);
	if (self->cap)
		ASSERT_EQ(5, got);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, raw(self->fd, GOCHAN_IOC_INFO, &info));
	ASSERT_EQ(sizeof(__s64), info.elem_size);
	ASSERT_EQ(self->cap, info.cap);
	ASSERT_EQ(0, info.len);
	ASSERT_EQ(0, info.flags);
	ASSERT_EQ(GOCHAN_DIR_SEND | GOCHAN_DIR_RECV, info.dir);
	ASSERT_EQ(0, info.senders);
	ASSERT_EQ(0, info.receivers);
	ASSERT_EQ(0, info.pad);
	ASSERT_NE(0, info.id);
	ASSERT_EQ(0, info.reserved[0]);
	ASSERT_EQ(0, info.reserved[1]);
}

/* A receive into a bad buffer fails and leaves the value in the channel. */
TEST_F(chan, recv_fault_puts_back)
{
	void *bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	__s64 v = 42, got = 0;
	struct gochan_xfer x = { .count = 1 };
	bool ok;
	pid_t pid;

	ASSERT_TRUE(bad != MAP_FAILED);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(gochan_send(self->fd, &v) ? 1 : 0);
	/* Read-only memory: the copy-out faults after the value was taken. */
	x.buf = (uintptr_t)bad;
	ASSERT_EQ(-EFAULT, raw(self->fd, GOCHAN_IOC_RECV, &x));
	ASSERT_EQ(0, x.done);
	ASSERT_EQ(0, gochan_recv(self->fd, &got, &ok));
	ASSERT_TRUE(ok);
	ASSERT_EQ(42, got);
	ASSERT_EQ(-EAGAIN, gochan_tryrecv(self->fd, &got, &ok));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	if (self->cap) {
		/* The same through select. */
		struct gochan_case c = GOCHAN_RECV_CASE(self->fd, bad);

		ASSERT_EQ(0, gochan_trysend(self->fd, &v));
		ASSERT_EQ(-EFAULT, gochan_select(&c, 1, 0, -1));
		ASSERT_EQ(1, gochan_len(self->fd));
		ASSERT_EQ(0, gochan_recv(self->fd, &got, &ok));
		ASSERT_EQ(42, got);
	}
	munmap(bad, 4096);
}

TEST_F(chan, batches)
{
	__s64 out[64], in[64];
	int i, n, got = 0;
	bool ok;

	for (i = 0; i < 64; i++)
		out[i] = i * 3;
	if (!self->cap) {
		ASSERT_EQ(-EAGAIN, gochan_send_batch(self->fd, out, 64,
						     GOCHAN_XFER_NONBLOCK));
		return;
	}
	/* Only cap of them fit without waiting. */
	n = gochan_send_batch(self->fd, out, 64, 0);
	ASSERT_EQ(self->cap, n);
	while (got < n) {
		int r = gochan_recv_batch(self->fd, in + got, 64 - got, 0, &ok);

		ASSERT_LT(0, r);
		got += r;
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(out[i], in[i]);
	ASSERT_EQ(0, gochan_close(self->fd));
	ASSERT_EQ(0, gochan_recv_batch(self->fd, in, 8, 0, &ok));
	ASSERT_FALSE(ok);
}

/* Batched, blocking for all: a child sends 1000 in batches of 100. */
TEST_F(chan, batch_waitall)
{
	__s64 buf[100];
	int i, j, sum = 0;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < 10; i++) {
			for (j = 0; j < 100; j++)
				buf[j] = i * 100 + j;
			if (gochan_send_batch(self->fd, buf, 100,
					      GOCHAN_XFER_WAITALL) != 100)
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(100, gochan_recv_batch(self->fd, buf, 100,
						 GOCHAN_XFER_WAITALL, NULL));
		for (j = 0; j < 100; j++)
			ASSERT_EQ(sum + j, buf[j]);
		sum += 100;
	}
	ASSERT_EQ(pid, waitpid(pid, &i, 0));
	ASSERT_EQ(0, i);
}

/*
 * Batches of large values cross several 16 KiB bounce chunks, one value
 * at a time or many; a batch stops at a close; nothing is lost.
 */
TEST_F_TIMEOUT(proc, batch_chunks_and_close, 120)
{
	static const size_t sizes[] = { 1024, 1500, 4096, 6000 };
	__s64 v[10], w[10];
	size_t k, sz;
	int fd, i, n;
	bool ok;

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		unsigned char *out, *in;

		sz = sizes[k];
		out = malloc(40 * sz);
		in = malloc(40 * sz);
		ASSERT_TRUE(!!out);
		ASSERT_TRUE(!!in);
		for (i = 0; i < (int)(40 * sz); i++)
			out[i] = (unsigned char)(i * 7 + k);
		fd = gochan_make(sz, 64, GOCHAN_MAKE_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(40, gochan_send_batch(fd, out, 40, GOCHAN_XFER_NONBLOCK));
		memset(in, 0x5a, 40 * sz);
		/* 3 first, then the rest: chunks start mid-way. */
		ASSERT_EQ(3, gochan_recv_batch(fd, in, 3, 0, &ok));
		ASSERT_TRUE(ok);
		ASSERT_EQ(37, gochan_recv_batch(fd, in + 3 * sz, 40, 0, &ok));
		ASSERT_TRUE(ok);
		ASSERT_EQ(0, memcmp(out, in, 40 * sz));
		close(fd);
		free(out);
		free(in);
	}

	/* cap 4: 4 of 10 go; after close the batch send fails whole. */
	fd = gochan_make(sizeof(__s64), 4, GOCHAN_MAKE_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < 10; i++)
		v[i] = 100 + i;
	ASSERT_EQ(4, gochan_send_batch(fd, v, 10, GOCHAN_XFER_NONBLOCK));
	ASSERT_EQ(0, gochan_close(fd));
	ASSERT_EQ(-EPIPE, gochan_send_batch(fd, v, 10, 0));
	/* The 4 values, then the batch ends at the close. */
	for (i = 0; i < 10; i++)
		w[i] = JUNK32;
	n = gochan_recv_batch(fd, w, 10, GOCHAN_XFER_WAITALL, &ok);
	ASSERT_EQ(4, n);
	ASSERT_FALSE(ok);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(100 + i, w[i]);
	/* Go's zero value where the close was seen. */
	ASSERT_EQ(0, w[4]);
	ASSERT_EQ(0, gochan_recv_batch(fd, w, 10, 0, &ok));
	ASSERT_FALSE(ok);
	close(fd);
}

/*
 * One select, receive cases of different sizes and a send case: the
 * value lands only in the chosen case's buffer, at its size, and a send
 * case's value arrives whole.
 */
TEST_F_TIMEOUT(proc, select_mixed_sizes, 120)
{
	static const size_t sizes[] = { 8, 64, 4096 };
	unsigned char *bufs[3], *want;
	struct gochan_case c[4];
	int fds[3], out, i, j, r;
	unsigned char big[64], got[64];

	want = malloc(4096);
	ASSERT_TRUE(!!want);
	for (i = 0; i < 3; i++) {
		fds[i] = gochan_make(sizes[i], 1, GOCHAN_MAKE_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		bufs[i] = malloc(4096 + 16);
		ASSERT_TRUE(!!bufs[i]);
	}
	/* A full channel: the send case is not ready at first. */
	out = gochan_make(sizeof(big), 1, GOCHAN_MAKE_CLOEXEC);
	ASSERT_LE(0, out);
	memset(big, 1, sizeof(big));
	ASSERT_EQ(0, gochan_send(out, big));
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			memset(bufs[j], 0xa5, 4096 + 16);
			c[j] = GOCHAN_RECV_CASE(fds[j], bufs[j]);
		}
		memset(big, 0x40 + i, sizeof(big));
		c[3] = GOCHAN_SEND_CASE(out, big);
		memset(want, 0x10 + i, sizes[i]);
		ASSERT_EQ(0, gochan_send(fds[i], want));
		r = gochan_select(c, 4, 0, -1);
		ASSERT_EQ(i, r);
		ASSERT_EQ(1, c[i].ok);
		ASSERT_EQ(0, memcmp(bufs[i], want, sizes[i]));
		/* Not one byte more, and no other buffer touched. */
		for (j = 0; j < 3; j++) {
			size_t from = j == i ? sizes[i] : 0;
			size_t b;

			for (b = from; b < 4096 + 16; b++)
				ASSERT_EQ(0xa5, bufs[j][b]);
		}
	}
	/* Now only the send case can go: its value arrives whole. */
	ASSERT_EQ(0, gochan_recv(out, got, NULL));
	memset(big, 0x77, sizeof(big));
	ASSERT_EQ(3, gochan_select(c, 4, 0, -1));
	ASSERT_EQ(0, c[3].err);
	ASSERT_EQ(0, gochan_recv(out, got, NULL));
	ASSERT_EQ(0, memcmp(big, got, sizeof(big)));
	for (i = 0; i < 3; i++) {
		close(fds[i]);
		free(bufs[i]);
	}
	close(out);
	free(want);
}

TEST_F(chan, directions)
{
	int s = gochan_dup(self->fd, GOCHAN_DIR_SEND, GOCHAN_DUP_CLOEXEC);
	int r = gochan_dup(self->fd, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	struct gochan_info info;
	__s64 v = 1;
	bool ok;

	ASSERT_LE(0, s);
	ASSERT_LE(0, r);
	ASSERT_EQ(-EBADF, gochan_recv(s, &v, &ok));
	ASSERT_EQ(-EBADF, gochan_send(r, &v));
	ASSERT_EQ(-EBADF, gochan_close(r));
	/* Only narrowing. */
	ASSERT_EQ(-EBADF, gochan_dup(r, GOCHAN_DIR_SEND, 0));
	ASSERT_EQ(-EBADF, gochan_dup(s, GOCHAN_DIR_SEND | GOCHAN_DIR_RECV, 0));
	ASSERT_EQ(0, gochan_info(r, &info));
	ASSERT_EQ(GOCHAN_DIR_RECV, info.dir);
	/* Same channel. */
	if (self->cap) {
		ASSERT_EQ(0, gochan_send(s, &v));
		ASSERT_EQ(1, gochan_len(r));
		ASSERT_EQ(0, gochan_recv(r, &v, &ok));
	}
	ASSERT_EQ(0, gochan_close(s));
	ASSERT_EQ(0, gochan_recv(r, &v, &ok));
	ASSERT_FALSE(ok);
	close(s);
	close(r);
}

/* A producer killed mid-stream: autoclose ends the consumer's range. */
TEST_F_TIMEOUT(proc, autoclose_on_producer_death, 120)
{
	int fd = gochan_make(sizeof(__s64), 0, GOCHAN_MAKE_AUTOCLOSE);
	int rfd, n = 0;
	__s64 v;
	bool ok;
	pid_t pid;

	ASSERT_LE(0, fd);
	rfd = gochan_dup(fd, GOCHAN_DIR_RECV, 0);
	ASSERT_LE(0, rfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(rfd);
		for (v = 0;; v++)
			gochan_send(fd, &v);
	}
	close(fd);	/* the parent may no longer send */
	for (n = 0; n < 10; n++) {
		ASSERT_EQ(0, gochan_recv(rfd, &v, &ok));
		ASSERT_TRUE(ok);
		ASSERT_EQ(n, v);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	/* Maybe one more value the child had in flight, then closed. */
	do {
		ASSERT_EQ(0, gochan_recv(rfd, &v, &ok));
	} while (ok && ++n < 12);
	ASSERT_FALSE(ok);
	close(rfd);
}

TEST_F(chan, epoll)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	__s64 v = 9;
	bool ok;
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	if (self->cap) {
		ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
		ASSERT_EQ(EPOLLOUT, ev.events);
		ASSERT_EQ(0, gochan_send(self->fd, &v));
		ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
		ASSERT_EQ(EPOLLIN | EPOLLOUT, ev.events);
		ASSERT_EQ(0, gochan_recv(self->fd, &v, &ok));
	} else {
		/* Unbuffered: nothing, until a sender blocks. */
		ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 0));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(gochan_send(self->fd, &v) ? 1 : 0);
		ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 10000));
		ASSERT_EQ(EPOLLIN, ev.events);
		ASSERT_EQ(0, gochan_recv(self->fd, &v, &ok));
		ASSERT_EQ(9, v);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	}
	ASSERT_EQ(0, gochan_close(self->fd));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP, ev.events);
	close(ep);
}

TEST_F(chan, fdinfo)
{
	char path[64], buf[1024];
	__s64 v = 1;
	ssize_t n;
	int f;

	if (self->cap)
		ASSERT_EQ(0, gochan_send(self->fd, &v));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = open(path, O_RDONLY);
	ASSERT_LE(0, f);
	n = read(f, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = 0;
	close(f);
	ASSERT_TRUE(!!strstr(buf, "elem_size:\t8\n"));
	snprintf(path, sizeof(path), "cap:\t%d\nlen:\t%d\nclosed:\t0\n",
		 self->cap, self->cap ? 1 : 0);
	ASSERT_TRUE(!!strstr(buf, path)) TH_LOG("%s", buf);
	ASSERT_TRUE(!!strstr(buf, "dir:\trecv,send\n"));
	ASSERT_TRUE(!!strstr(buf, "blocked_senders:\t0\n"));
	ASSERT_TRUE(!!strstr(buf, "blocked_receivers:\t0\n"));
}

TEST_F(chan, select)
{
	int other = gochan_make(sizeof(__s64), 1, 0);
	__s64 a = 0, b = 0, one = 1;
	struct gochan_case c[3];
	int i, seen[2] = { 0, 0 };

	ASSERT_LE(0, other);
	c[0] = GOCHAN_RECV_CASE(self->fd, &a);
	c[1] = GOCHAN_RECV_CASE(other, &b);
	c[2] = GOCHAN_RECV_CASE(-1, NULL);	/* nil: never ready */
	ASSERT_EQ(-EAGAIN, gochan_select(c, 3, GOCHAN_SELECT_NONBLOCK, -1));
	ASSERT_EQ(-ETIMEDOUT, gochan_select(c, 3, 0, 1000000));
	ASSERT_EQ(0, gochan_send(other, &one));
	c[1].ok = JUNK32;
	ASSERT_EQ(1, gochan_select(c, 3, 0, -1));
	ASSERT_EQ(1, c[1].ok);
	ASSERT_EQ(1, b);
	if (self->cap) {
		/* Both ready: biased takes 0; random takes both sometimes. */
		for (i = 0; i < 200; i++) {
			unsigned int fl = i < 100 ? GOCHAN_SELECT_BIASED : 0;
			int r;

			gochan_trysend(self->fd, &one);
			gochan_trysend(other, &one);
			r = gochan_select(c, 2, fl, -1);
			ASSERT_LE(0, r);
			/* Biased: always case 0. */
			ASSERT_EQ(fl ? 0 : r, r);
			seen[r] += !fl;
			gochan_tryrecv(r ? self->fd : other, &a, NULL);
		}
		ASSERT_LT(0, seen[0]);
		ASSERT_LT(0, seen[1]);
	}
	/* A send case on a closed channel is chosen with -EPIPE. */
	ASSERT_EQ(0, gochan_close(other));
	c[0] = GOCHAN_SEND_CASE(other, &one);
	ASSERT_EQ(0, gochan_select(c, 1, 0, -1));
	ASSERT_EQ(-EPIPE, c[0].err);
	close(other);
}

TEST_F_TIMEOUT(proc, timers, 120)
{
	int t = gochan_after(2000000), tick;
	struct timespec ts;
	__s64 v, now;
	bool ok;
	int i;

	ASSERT_LE(0, t);
	ASSERT_EQ(0, gochan_recv(t, &v, &ok));
	ASSERT_TRUE(ok);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	ASSERT_LE(v, now);
	ASSERT_LT(0, v);
	ASSERT_EQ(-EBADF, gochan_send(t, &v));
	ASSERT_EQ(-EBADF, gochan_close(t));
	close(t);

	tick = gochan_ticker(1000000);
	ASSERT_LE(0, tick);
	for (i = 0, now = 0; i < 3; i++) {
		ASSERT_EQ(0, gochan_recv(tick, &v, &ok));
		ASSERT_LT(now, v);
		now = v;
	}
	close(tick);
	ASSERT_EQ(-EINVAL, gochan_ticker(999));
	ASSERT_EQ(-EINVAL, gochan_after(-1));
}

/* ---- every validation error, one bad field at a time -------------------- */

TEST_F_TIMEOUT(proc, validation, 120)
{
	int dev = dev_fd(), fd, ro, other, tfd;
	struct gochan_timer_set ts;
	__u32 sz;
	__s64 v = 0;
	struct gochan_make mk;
	struct gochan_xfer x;
	struct gochan_select sel;
	struct gochan_case c;
	struct gochan_timer t;
	struct gochan_dup d;
	void *unmapped;

	ASSERT_LE(0, dev);
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_TRUE(unmapped != MAP_FAILED);
	munmap(unmapped, 4096);

#define MK(field, val, err) do {					\
		mk = (struct gochan_make){ .elem_size = 8, .cap = 1 };	\
		mk.field = (val);					\
		ASSERT_EQ(err, raw(dev, GOCHAN_IOC_MAKE, &mk)) TH_LOG("make " #field); \
	} while (0)
	MK(pad, 1, -EINVAL);
	MK(reserved[0], 1, -EINVAL);
	MK(reserved[1], 1, -EINVAL);
	MK(flags, 1U << 7, -EINVAL);
	MK(elem_size, 1U << 30, -EMSGSIZE);
	MK(cap, 1U << 30, -EFBIG);
	ASSERT_EQ(-EFAULT, raw(dev, GOCHAN_IOC_MAKE, NULL));
	ASSERT_EQ(-EFAULT, raw(dev, GOCHAN_IOC_MAKE, unmapped));

	fd = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC);
	ASSERT_LE(0, fd);
	other = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, other);
#define XF(cmd, field, val, err) do {					\
		x = (struct gochan_xfer){ .buf = (uintptr_t)&v, .count = 1, \
					  .flags = GOCHAN_XFER_NONBLOCK };	\
		x.field = (val);					\
		ASSERT_EQ(err, raw(fd, cmd, &x)) TH_LOG(#cmd " " #field); \
	} while (0)
	XF(GOCHAN_IOC_SEND, count, 0, -EINVAL);
	XF(GOCHAN_IOC_RECV, count, GOCHAN_BATCH_MAX + 1, -EINVAL);
	XF(GOCHAN_IOC_SEND, flags, 1U << 9, -EINVAL);
	/* A deadline beyond ktime's range (GOCHAN_FOREVER is 0). */
	XF(GOCHAN_IOC_SEND, deadline, 1ULL << 63, -EINVAL);
	XF(GOCHAN_IOC_SEND, deadline, ~0ULL, -EINVAL);
	XF(GOCHAN_IOC_RECV, pad, 1, -EINVAL);
	/* An element size without GOCHAN_XFER_SIZED, and a wrong one. */
	XF(GOCHAN_IOC_RECV, elem_size, 8, -EINVAL);
	XF(GOCHAN_IOC_SEND, flags, GOCHAN_XFER_NONBLOCK | GOCHAN_XFER_SIZED,
	   -EMSGSIZE);
	x = (struct gochan_xfer){ .buf = (uintptr_t)&v, .count = 1,
				  .flags = GOCHAN_XFER_NONBLOCK | GOCHAN_XFER_SIZED,
				  .elem_size = 4 };
	ASSERT_EQ(-EMSGSIZE, raw(fd, GOCHAN_IOC_RECV, &x));
	x.elem_size = 8;
	ASSERT_EQ(-EAGAIN, raw(fd, GOCHAN_IOC_RECV, &x));
	XF(GOCHAN_IOC_SEND, buf, 0, -EFAULT);
	XF(GOCHAN_IOC_SEND, buf, (uintptr_t)unmapped, -EFAULT);
	ASSERT_EQ(-EFAULT, raw(fd, GOCHAN_IOC_SEND, NULL));
	ASSERT_EQ(-EFAULT, raw(fd, GOCHAN_IOC_INFO, NULL));
	/* A deadline in the past does not wait. */
	x = (struct gochan_xfer){ .buf = (uintptr_t)&v, .count = 1,
				  .deadline = 1 };
	ASSERT_EQ(-ETIMEDOUT, raw(fd, GOCHAN_IOC_RECV, &x));
	/* Wrong direction. */
	ro = gochan_dup(fd, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	ASSERT_LE(0, ro);
	x = (struct gochan_xfer){ .buf = (uintptr_t)&v, .count = 1 };
	ASSERT_EQ(-EBADF, raw(ro, GOCHAN_IOC_SEND, &x));
	/* Unknown commands. */
	ASSERT_EQ(-ENOTTY, raw(fd, _IO(GOCHAN_IOC_MAGIC, 0x7f), NULL));
	ASSERT_EQ(-ENOTTY, raw(dev, _IO(GOCHAN_IOC_MAGIC, 0x7f), NULL));
	ASSERT_EQ(-ENOTTY, raw(fd, GOCHAN_IOC_MAKE, &mk));
	ASSERT_EQ(-ENOTTY, raw(dev, GOCHAN_IOC_SEND, &x));

#define DP(field, val, err) do {					\
		d = (struct gochan_dup){ .dir = GOCHAN_DIR_RECV };	\
		d.field = (val);					\
		ASSERT_EQ(err, raw(fd, GOCHAN_IOC_DUP, &d)) TH_LOG("dup " #field); \
	} while (0)
	DP(dir, 0, -EINVAL);
	DP(dir, 1U << 5, -EINVAL);
	DP(flags, 1U << 5, -EINVAL);
	DP(reserved, 1, -EINVAL);
	d = (struct gochan_dup){ .dir = GOCHAN_DIR_SEND };
	ASSERT_EQ(-EBADF, raw(ro, GOCHAN_IOC_DUP, &d));

#define TM(field, val, err) do {					\
		t = (struct gochan_timer){ .ns = 1000000 };		\
		t.field = (val);					\
		ASSERT_EQ(err, raw(dev, GOCHAN_IOC_TIMER, &t)) TH_LOG("timer " #field); \
	} while (0)
	TM(ns, -1, -EINVAL);
	TM(flags, 1U << 6, -EINVAL);
	TM(pad, 1, -EINVAL);
	TM(reserved, 1, -EINVAL);
	t = (struct gochan_timer){ .ns = 999, .flags = GOCHAN_TIMER_TICKER };
	ASSERT_EQ(-EINVAL, raw(dev, GOCHAN_IOC_TIMER, &t));

	/* GOCHAN_IOC_TIMER_SET: only on a timer's fd, and checked. */
	t = (struct gochan_timer){ .ns = 1000000000, .flags = GOCHAN_TIMER_CLOEXEC };
	tfd = ioctl(dev, GOCHAN_IOC_TIMER, &t);
	ASSERT_LE(0, tfd);
#define TS(field, val, err) do {					\
		ts = (struct gochan_timer_set){ .ns = 1000000 };	\
		ts.field = (val);					\
		ASSERT_EQ(err, raw(tfd, GOCHAN_IOC_TIMER_SET, &ts))	\
			TH_LOG("timer_set " #field);			\
	} while (0)
	TS(ns, -1, -EINVAL);
	TS(flags, 1U << 5, -EINVAL);
	TS(active, 1, -EINVAL);
	TS(reserved, 1, -EINVAL);
	ts = (struct gochan_timer_set){ .ns = 1, .flags = GOCHAN_TIMER_STOP };
	ASSERT_EQ(-EINVAL, raw(tfd, GOCHAN_IOC_TIMER_SET, &ts));
	ASSERT_EQ(-EFAULT, raw(tfd, GOCHAN_IOC_TIMER_SET, NULL));
	ASSERT_EQ(-EFAULT, raw(tfd, GOCHAN_IOC_TIMER_SET, unmapped));
	ts = (struct gochan_timer_set){ .ns = 1000000 };
	ASSERT_EQ(-ENOTTY, raw(fd, GOCHAN_IOC_TIMER_SET, &ts));	/* no timer */
	ASSERT_EQ(-ENOTTY, raw(dev, GOCHAN_IOC_TIMER_SET, &ts));
	close(tfd);
	/* A ticker's new period has a ticker's limits. */
	t = (struct gochan_timer){ .ns = 1000000000,
				   .flags = GOCHAN_TIMER_TICKER | GOCHAN_TIMER_CLOEXEC };
	tfd = ioctl(dev, GOCHAN_IOC_TIMER, &t);
	ASSERT_LE(0, tfd);
	ts = (struct gochan_timer_set){ .ns = 999 };
	ASSERT_EQ(-EINVAL, raw(tfd, GOCHAN_IOC_TIMER_SET, &ts));
	close(tfd);

#define SL(field, val, err) do {					\
		c = GOCHAN_RECV_CASE(fd, &v);				\
		sel = (struct gochan_select){ .cases = (uintptr_t)&c, .n = 1, \
					      .flags = GOCHAN_SELECT_NONBLOCK }; \
		field = (val);						\
		ASSERT_EQ(err, raw(dev, GOCHAN_IOC_SELECT, &sel)) TH_LOG("select " #field); \
	} while (0)
	SL(sel.n, GOCHAN_SELECT_MAX + 1, -EINVAL);
	SL(sel.flags, 1U << 9, -EINVAL);
	SL(sel.pad, 1, -EINVAL);
	/* The caller's sizes: unreadable, wrong, right. */
	SL(sel.sizes, (uintptr_t)unmapped, -EFAULT);
	sz = 4;
	SL(sel.sizes, (uintptr_t)&sz, -EMSGSIZE);
	sz = 8;
	SL(sel.sizes, (uintptr_t)&sz, -EAGAIN);
	SL(sel.deadline, 1ULL << 63, -EINVAL);
	SL(sel.cases, 0, -EFAULT);
	SL(sel.cases, (uintptr_t)unmapped, -EFAULT);
	SL(c.dir, 0, -EINVAL);				/* no direction */
	SL(c.dir, GOCHAN_DIR_SEND | GOCHAN_DIR_RECV, -EINVAL);	/* both */
	SL(c.fd, other, -ENOTTY);	/* open, but not a channel */
	SL(c.fd, 9999, -EBADF);
	SL(c.fd, -2, -EBADF);
	SL(c.fd, ro, -EAGAIN);		/* fine: receive on a receive fd */
	/* A send case on a receive-only fd; a send value that faults. */
	c = GOCHAN_SEND_CASE(ro, &v);
	sel = (struct gochan_select){ .cases = (uintptr_t)&c, .n = 1 };
	ASSERT_EQ(-EBADF, raw(dev, GOCHAN_IOC_SELECT, &sel));
	c = GOCHAN_SEND_CASE(fd, unmapped);
	ASSERT_EQ(-EFAULT, raw(dev, GOCHAN_IOC_SELECT, &sel));
	ASSERT_EQ(0, gochan_len(fd));	/* nothing was sent */
	close(ro);
	close(other);
	close(fd);
	close(dev);
}

/* Write a module parameter; returns the old value, or -1. */
static long set_param(const char *name, long val)
{
	char path[128];
	long old = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/gochan/parameters/%s", name);
	f = fopen(path, "r+");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &old) != 1)
		old = -1;
	rewind(f);
	fprintf(f, "%ld\n", val);
	if (fclose(f))
		return -1;
	return old;
}

/* The per-user channel cap holds, and freeing a channel frees a slot. */
TEST_F_TIMEOUT(proc, per_user_limit, 120)
{
	int fds[8], i, extra;
	long old;

	fds[0] = gochan_make(1, 0, GOCHAN_MAKE_CLOEXEC);
	ASSERT_LE(0, fds[0]);
	/* This process has 1 channel now (the harness runs us alone). */
	if (geteuid())
		SKIP(return, "needs root for max_chans_per_user");
	old = set_param("max_chans_per_user", 4);
	ASSERT_LE(0, old);
	for (i = 1; i < 4; i++) {
		fds[i] = gochan_make(1, 0, GOCHAN_MAKE_CLOEXEC);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(-EMFILE, gochan_make(1, 0, 0));
	EXPECT_EQ(-EMFILE, gochan_after(1000000));
	close(fds[3]);
	extra = gochan_make(1, 0, GOCHAN_MAKE_CLOEXEC);
	EXPECT_LE(0, extra);
	close(extra);
	set_param("max_chans_per_user", old);
	for (i = 0; i < 3; i++)
		close(fds[i]);
}

/* rmmod is refused while a channel fd is open. */
TEST_F_TIMEOUT(proc, rmmod_busy_while_open, 120)
{
	int fd = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC);
	int st;

	ASSERT_LE(0, fd);
	st = system("rmmod gochan 2>/dev/null");
	if (st == -1 || (WIFEXITED(st) && WEXITSTATUS(st) == 127))
		SKIP(return, "no rmmod here");
	EXPECT_NE(0, st);
	EXPECT_EQ(0, access("/sys/module/gochan", F_OK));
	EXPECT_EQ(0, gochan_len(fd));
	close(fd);
}

/*
 * fail_usercopy and failslab at every point of a receive (debug kernel):
 * whatever fails, the value is either delivered or still in the channel,
 * and the channel works afterwards.
 */
TEST_F_TIMEOUT(proc, recv_fault_injection, 120)
{
	int fd = gochan_make(sizeof(__s64), 1, GOCHAN_MAKE_CLOEXEC);
	int nth, failures = 0, fnfd;
	__s64 v = 7, got;
	bool ok;

	ASSERT_LE(0, fd);
	fnfd = open("/proc/thread-self/fail-nth", O_WRONLY);
	if (fnfd < 0 && errno == ENOENT)
		SKIP(return, "no fault injection in this kernel");
	ASSERT_LE(0, fnfd);
	ASSERT_EQ(0, gochan_send(fd, &v));
	for (nth = 1; nth <= 8; nth++) {
		struct gochan_xfer x = { .buf = (uintptr_t)&got, .count = 1 };
		char n[16];
		int ret;

		got = 0;
		snprintf(n, sizeof(n), "%d", nth);
		ASSERT_LT(0, pwrite(fnfd, n, strlen(n), 0));
		ret = raw(fd, GOCHAN_IOC_RECV, &x);
		pwrite(fnfd, "0", 1, 0);
		if (ret) {
			failures++;
			EXPECT_TRUE(ret == -EFAULT || ret == -ENOMEM);
			/* Not delivered: still in the channel. */
			EXPECT_EQ(1, gochan_len(fd));
			continue;
		}
		EXPECT_EQ(1, x.done);
		EXPECT_EQ(7, got);
		ASSERT_EQ(0, gochan_send(fd, &v));
	}
	EXPECT_LT(0, failures);
	ASSERT_EQ(0, gochan_recv(fd, &got, &ok));
	EXPECT_EQ(7, got);
	EXPECT_EQ(0, gochan_len(fd));
	close(fnfd);
	close(fd);
}

#define SHARE "/sys/kernel/debug/gochan_ktest/share"

/* A kernel goroutine feeds a channel the kernel made and gave us. */
TEST_F_TIMEOUT(proc, kernel_shares_its_channel, 120)
{
	int f = open(SHARE, O_RDWR | O_CLOEXEC), kfd, n = 0;
	struct gochan_info info;
	char buf[16] = "";
	__s64 v;
	bool ok;

	if (f < 0)
		SKIP(return, "gochan_ktest.ko not loaded");
	ASSERT_LT(0, read(f, buf, sizeof(buf) - 1));
	kfd = atoi(buf);
	ASSERT_LE(0, kfd);
	ASSERT_EQ(0, gochan_info(kfd, &info));
	ASSERT_EQ(GOCHAN_DIR_RECV, info.dir);
	ASSERT_EQ(-EBADF, gochan_send(kfd, &v));
	while (!gochan_recv(kfd, &v, &ok) && ok)
		ASSERT_EQ(++n, v);
	ASSERT_EQ(100, n);
	close(kfd);
	close(f);
}

/* A kernel goroutine answers on a channel we made. */
TEST_F_TIMEOUT(proc, kernel_uses_our_channel, 120)
{
	int f = open(SHARE, O_RDWR | O_CLOEXEC);
	int ch = gochan_make(sizeof(__s64), 0, GOCHAN_MAKE_CLOEXEC);
	int ro = gochan_dup(ch, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	char num[16];
	__s64 i, v;

	if (f < 0)
		SKIP(return, "gochan_ktest.ko not loaded");
	ASSERT_LE(0, ch);
	ASSERT_LE(0, ro);
	/* The kernel side checks the direction too. */
	snprintf(num, sizeof(num), "%d", ro);
	ASSERT_EQ(-1, write(f, num, strlen(num)));
	ASSERT_EQ(EBADF, errno);
	snprintf(num, sizeof(num), "%d", ch);
	ASSERT_EQ((ssize_t)strlen(num), write(f, num, strlen(num)));
	for (i = 1; i <= 50; i++) {
		ASSERT_EQ(0, gochan_send(ch, &i));
		ASSERT_EQ(0, gochan_recv(ch, &v, NULL));
		ASSERT_EQ(2 * i, v);
	}
	ASSERT_EQ(0, gochan_close(ch));	/* the goroutine ends */
	close(ro);
	close(ch);
	close(f);
}

/* ---- signals and stress --------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * One raw send or receive of one __s64 that counts its interruptions:
 * an -EINTR must have moved nothing (done = 0), and is retried.
 */
static long xfer_counting_eintr(int fd, unsigned long cmd, __s64 *v,
				long *eintr)
{
	struct gochan_xfer x;
	long r;

	for (;;) {
		x = (struct gochan_xfer){ .buf = (uintptr_t)v, .count = 1 };
		r = ioctl(fd, cmd, &x) < 0 ? -errno : 0;
		if (r != -EINTR)
			break;
		if (x.done)
			return -EPROTO;	/* interrupted, yet it moved a value */
		(*eintr)++;
	}
	if (!r && (x.done != 1 || (cmd == GOCHAN_IOC_RECV && !x.ok)))
		return -ENODATA;
	return r;
}

/*
 * SIGALRM every millisecond, no SA_RESTART, while two processes ping-pong
 * 3000 sequence numbers (GOCHAN_RACE_ROUNDS on the sanitizer kernels)
 * with raw ioctls: every value arrives exactly once and in order, and
 * each interrupted call (counted: there must be some) moved nothing.
 */
TEST_F_TIMEOUT(proc, signals_exactly_once, 600)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	int a = gochan_make(sizeof(__s64), 0, 0);
	int b = gochan_make(sizeof(__s64), 0, 0);
	const char *env = getenv("GOCHAN_RACE_ROUNDS");
	long *child_eintr, eintr = 0;
	__s64 i, v, n = 3000;
	int status;
	pid_t pid;

	if (env && *env && atol(env) < 3000)
		n = atol(env);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	child_eintr = mmap(NULL, sizeof(*child_eintr), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(child_eintr != MAP_FAILED);
	*child_eintr = 0;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	/* Parent and child: each gets its own timer. */
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			if (xfer_counting_eintr(a, GOCHAN_IOC_RECV, &v,
						child_eintr) || v != i)
				_exit(1);
			if (xfer_counting_eintr(b, GOCHAN_IOC_SEND, &v,
						child_eintr))
				_exit(2);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		v = i;
		ASSERT_EQ(0, xfer_counting_eintr(a, GOCHAN_IOC_SEND, &v, &eintr));
		ASSERT_EQ(0, xfer_counting_eintr(b, GOCHAN_IOC_RECV, &v, &eintr));
		ASSERT_EQ(i, v);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	TH_LOG("%lld round trips, %ld + %ld calls interrupted (parent + child)",
	       (long long)n, eintr, *child_eintr);
	EXPECT_LT(0, eintr + *child_eintr);
	munmap(child_eintr, sizeof(*child_eintr));
	close(a);
	close(b);
}

/* ---- libgochan and signals, as read(2) ----------------------------------- */

/* In a shared page: the child's handler counts, the parent reads. */
static int *usr1_count;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_fetch_add(usr1_count, 1, __ATOMIC_RELAXED);
}

static int usr1s(void)
{
	return __atomic_load_n(usr1_count, __ATOMIC_RELAXED);
}

/* Wait until @fd has @n blocked receivers (the child is asleep in it). */
static int wait_receivers(int fd, unsigned int n)
{
	struct gochan_info info;
	int i;

	for (i = 0; i < 100000; i++) {
		if (gochan_info(fd, &info))
			return -1;
		if (info.receivers == n)
			return 0;
		usleep(100);
	}
	return -1;
}

/*
 * Fork a child that counts SIGUSR1 in a shared page, its handler
 * installed with @sa_flags.  Returns the pid, 0 in the child, or -1.
 */
static pid_t fork_usr1_child(int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = sa_flags };
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (page == MAP_FAILED)
		return -1;
	usr1_count = page;
	pid = fork();
	if (pid == 0 && sigaction(SIGUSR1, &sa, NULL))
		_exit(10);
	return pid;
}

/*
 * Signal the child @n times, each while it sleeps in a receive on @fd
 * and only after its handler ran for the one before; then, with the
 * child asleep again, send it @v.
 */
static int signal_then_send(int fd, pid_t pid, int n, __s64 v)
{
	int i;

	for (i = 0; i < n; i++) {
		if (wait_receivers(fd, 1) || kill(pid, SIGUSR1))
			return -1;
		while (usr1s() <= i)
			usleep(100);
	}
	if (wait_receivers(fd, 1))
		return -1;
	return gochan_send(fd, &v);
}

/* The child's exit status, or -1 if it did not exit. */
static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * A handler without SA_RESTART interrupts a blocked gochan_recv(),
 * gochan_recv_batch() and gochan_select() with -EINTR, nothing moved:
 * the value sent afterwards is received once, by the next call.
 */
TEST_F_TIMEOUT(proc, signal_interrupts_without_sa_restart, 120)
{
	int fd = gochan_make(sizeof(__s64), 0, GOCHAN_MAKE_CLOEXEC);
	__s64 v = 42;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork_usr1_child(0);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gochan_case c = GOCHAN_RECV_CASE(fd, &v);
		__s64 got[4];
		bool ok;

		if (gochan_recv(fd, &v, &ok) != -EINTR)
			_exit(1);
		if (gochan_recv_batch(fd, got, 4, 0, &ok) != -EINTR)
			_exit(2);
		if (gochan_select(&c, 1, 0, -1) != -EINTR)
			_exit(3);
		/* Then the value, once. */
		if (gochan_recv(fd, &v, &ok) || !ok || v != 7)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(0, signal_then_send(fd, pid, 3, 7));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(3, usr1s());
	EXPECT_EQ(-EAGAIN, gochan_trysend(fd, &v));	/* nobody left */
	munmap(usr1_count, 4096);
	close(fd);
}

/*
 * With SA_RESTART the kernel restarts the call: every signal runs the
 * handler (counted), and the blocked gochan_recv() returns the value
 * sent after them.
 */
TEST_F_TIMEOUT(proc, signal_restarts_with_sa_restart, 120)
{
	int fd = gochan_make(sizeof(__s64), 0, GOCHAN_MAKE_CLOEXEC);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork_usr1_child(SA_RESTART);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__s64 v;
		bool ok;

		_exit(gochan_recv(fd, &v, &ok) || !ok || v != 9);
	}
	ASSERT_EQ(0, signal_then_send(fd, pid, 5, 9));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(5, usr1s());
	munmap(usr1_count, 4096);
	close(fd);
}

/*
 * A relative timeout keeps its deadline across restarts: signals every
 * 2 ms with SA_RESTART, a 100 ms gochan_recv_timeout().  Were the
 * deadline taken again at each restart, the call would never end while
 * the signals go on; the parent sends them until the child is done.
 */
TEST_F_TIMEOUT(proc, signal_restart_keeps_deadline, 120)
{
	int fd = gochan_make(sizeof(__s64), 0, GOCHAN_MAKE_CLOEXEC);
	int status;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork_usr1_child(SA_RESTART);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct timespec t0, t1;
		__s64 v, ns;
		bool ok;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = gochan_recv_timeout(fd, &v, &ok, 100000000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = (__s64)(t1.tv_sec - t0.tv_sec) * 1000000000 +
		     (t1.tv_nsec - t0.tv_nsec);
		_exit(r != -ETIMEDOUT ? 1 : ns < 100000000 ? 2 : 0);
	}
	ASSERT_EQ(0, wait_receivers(fd, 1));
	while (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGUSR1);
		usleep(2000);
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	TH_LOG("%d signals during the timed receive", usr1s());
	EXPECT_LE(2, usr1s());
	munmap(usr1_count, 4096);
	close(fd);
}

/* ---- read(2) and write(2) on channel fds ------------------------------------ */

/*
 * Whole values, as many per call as the buffer holds (short counts
 * allowed), EOF at a closed and drained channel, EPIPE after close,
 * O_NONBLOCK from fcntl() and at creation, directions, and the counts
 * that are not whole values.
 */
TEST_F(proc, read_write)
{
	int fd = gochan_make(sizeof(__s64), 4, GOCHAN_MAKE_CLOEXEC);
	__s64 v[6] = { 1, 2, 3, 4, 5, 6 }, r[6];
	unsigned char poison[3 * sizeof(__s64)];
	int ro, wo, z, nb, fl;

	ASSERT_LE(0, fd);
	/* Room for 4: a write of 6 moves 4 and says so. */
	ASSERT_EQ(4 * sizeof(__s64), write(fd, v, sizeof(v)));
	ASSERT_EQ(4, gochan_len(fd));
	/* A read takes what the buffer holds, in order. */
	ASSERT_EQ(2 * sizeof(__s64), read(fd, r, 2 * sizeof(__s64)));
	ASSERT_EQ(1, r[0]);
	ASSERT_EQ(2, r[1]);
	/* 12 bytes hold one value: a short read of one. */
	ASSERT_EQ(sizeof(__s64), read(fd, r, 12));
	ASSERT_EQ(3, r[0]);
	/* Not whole values. */
	ASSERT_EQ(-1, read(fd, r, 4));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, write(fd, v, 12));
	ASSERT_EQ(EINVAL, errno);
	/* Directions. */
	ro = gochan_dup(fd, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	wo = gochan_dup(fd, GOCHAN_DIR_SEND, GOCHAN_DUP_CLOEXEC);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	ASSERT_EQ(-1, write(ro, v, sizeof(v[0])));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, read(wo, r, sizeof(r[0])));
	ASSERT_EQ(EBADF, errno);
	/* O_NONBLOCK by fcntl(): an empty channel is EAGAIN. */
	ASSERT_EQ(sizeof(__s64), read(ro, r, sizeof(r)));
	ASSERT_EQ(4, r[0]);
	fl = fcntl(ro, F_GETFL);
	ASSERT_EQ(0, fcntl(ro, F_SETFL, fl | O_NONBLOCK));
	ASSERT_EQ(-1, read(ro, r, sizeof(r)));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(ro, F_SETFL, fl));
	/* ... and at creation. */
	nb = gochan_make(sizeof(__s64), 1, GOCHAN_MAKE_CLOEXEC | GOCHAN_MAKE_NONBLOCK);
	ASSERT_LE(0, nb);
	ASSERT_TRUE(fcntl(nb, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(-1, read(nb, r, sizeof(r[0])));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(sizeof(__s64), write(nb, v, sizeof(v)));
	ASSERT_EQ(-1, write(nb, v, sizeof(v[0])));	/* full */
	ASSERT_EQ(EAGAIN, errno);
	/* The ioctls do not look at O_NONBLOCK: a blocking recv is one. */
	ASSERT_EQ(0, gochan_recv(nb, r, NULL));
	close(nb);
	/* Close: the buffered value, then EOF; a write is EPIPE. */
	ASSERT_EQ(sizeof(__s64), write(wo, &v[5], sizeof(v[5])));
	ASSERT_EQ(0, gochan_close(fd));
	memset(poison, 0xa5, sizeof(poison));
	ASSERT_EQ(sizeof(__s64), read(ro, poison, sizeof(poison)));
	ASSERT_EQ(0, memcmp(poison, &v[5], sizeof(v[5])));
	/* Nothing written past the values read (no zero value). */
	ASSERT_EQ(0xa5, poison[sizeof(__s64)]);
	ASSERT_EQ(0xa5, poison[sizeof(poison) - 1]);
	ASSERT_EQ(0, read(ro, r, sizeof(r)));
	ASSERT_EQ(0, read(ro, r, sizeof(r)));
	ASSERT_EQ(-1, write(wo, v, sizeof(v[0])));
	ASSERT_EQ(EPIPE, errno);
	/* Values of no bytes cannot be counted in bytes. */
	z = gochan_make(0, 1, GOCHAN_MAKE_CLOEXEC);
	ASSERT_LE(0, z);
	ASSERT_EQ(-1, read(z, r, sizeof(r)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, write(z, v, sizeof(v[0])));
	ASSERT_EQ(EINVAL, errno);
	close(z);
	close(ro);
	close(wo);
	close(fd);
}

/*
 * A blocking read(2) waits for a writer in another process and wakes
 * with its values; a timer fd reads like any channel.
 */
TEST_F_TIMEOUT(proc, read_blocks_for_writer, 120)
{
	int fd = gochan_make(sizeof(__s64), 0, GOCHAN_MAKE_CLOEXEC);
	int t = gochan_after(1000000);
	__s64 v = 77, r[2];
	int status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, t);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (wait_receivers(fd, 1) || write(fd, &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(sizeof(__s64), read(fd, r, sizeof(r)));
	ASSERT_EQ(77, r[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(__s64), read(t, r, sizeof(r)));
	ASSERT_LT(0, r[0]);		/* the time it fired */
	close(t);
	close(fd);
}

/* ---- libgochan: sizes, timers, the device fd ------------------------------ */

/*
 * The _sz calls and the typed macros move nothing, and write nothing,
 * unless the caller's size is the channel's.
 */
TEST_F(proc, sizes_checked)
{
	int fd = gochan_make(sizeof(__s64), 4, GOCHAN_MAKE_CLOEXEC);
	__s64 v = 5, batch[4] = { 1, 2, 3, 4 };
	struct gochan_case c[2];
	__u32 sizes[2];
	__s32 small = JUNK32;
	bool ok;

	ASSERT_LE(0, fd);
	ASSERT_EQ(-EMSGSIZE, gochan_send_sz(fd, &small, sizeof(small)));
	ASSERT_EQ(-EMSGSIZE, GOCHAN_SEND(fd, &small));
	ASSERT_EQ(0, gochan_len(fd));
	ASSERT_EQ(0, GOCHAN_SEND(fd, &v));
	/* A receive into a 4-byte buffer: refused, the buffer untouched. */
	ASSERT_EQ(-EMSGSIZE, GOCHAN_RECV(fd, &small, &ok));
	ASSERT_EQ(JUNK32, (__u32)small);
	ASSERT_EQ(-EMSGSIZE, gochan_recv_batch_sz(fd, &small, 4, 1, 0, &ok));
	ASSERT_EQ(JUNK32, (__u32)small);
	c[0] = GOCHAN_RECV_CASE(fd, &small);
	c[1] = GOCHAN_RECV_CASE(-1, NULL);
	sizes[0] = sizeof(small);
	sizes[1] = 1;			/* a nil case's size is not looked at */
	ASSERT_EQ(-EMSGSIZE, gochan_select_sz(c, sizes, 2, 0, -1));
	ASSERT_EQ(JUNK32, (__u32)small);
	ASSERT_EQ(1, gochan_len(fd));	/* still there, once */
	v = 0;
	ASSERT_EQ(0, GOCHAN_RECV(fd, &v, &ok));
	ASSERT_TRUE(ok);
	ASSERT_EQ(5, v);
	/* Batches and select with the right sizes. */
	ASSERT_EQ(4, gochan_send_batch_sz(fd, batch, sizeof(batch[0]), 4, 0));
	ASSERT_EQ(-EMSGSIZE, gochan_send_batch_sz(fd, batch, 2, 4, 0));
	memset(batch, 0, sizeof(batch));
	ASSERT_EQ(3, gochan_recv_batch_sz(fd, batch, sizeof(batch[0]), 3, 0, &ok));
	ASSERT_EQ(3, batch[2]);
	c[0] = GOCHAN_RECV_CASE(fd, &v);
	sizes[0] = sizeof(v);
	ASSERT_EQ(0, gochan_select_sz(c, sizes, 2, 0, -1));
	ASSERT_EQ(4, v);
	ASSERT_EQ(-EINVAL, gochan_select_sz(c, NULL, 2, 0, -1));
	close(fd);
}

/* A negative timeout waits for ever in every call that takes one. */
TEST_F(proc, negative_timeout_is_forever)
{
	int fd = gochan_make(sizeof(__s64), 1, GOCHAN_MAKE_CLOEXEC);
	__s64 v = 3;
	bool ok;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gochan_send_timeout(fd, &v, -1));
	v = 0;
	ASSERT_EQ(0, gochan_recv_timeout(fd, &v, &ok, -5));
	ASSERT_EQ(3, v);
	close(fd);
}

/*
 * Go 1.23's Stop and Reset through GOCHAN_IOC_TIMER_SET: what they
 * return, and that no value sent before them is received after.
 */
TEST_F_TIMEOUT(proc, timer_stop_and_reset, 120)
{
	int t = gochan_after(3600LL * 1000000000);
	int ch = gochan_make(sizeof(__s64), 1, GOCHAN_MAKE_CLOEXEC);
	__s64 when;
	bool ok;
	int i;

	ASSERT_LE(0, t);
	ASSERT_LE(0, ch);
	ASSERT_EQ(1, gochan_timer_stop(t));	/* was running */
	ASSERT_EQ(0, gochan_timer_stop(t));	/* already stopped */
	ASSERT_EQ(-ETIMEDOUT, gochan_recv_timeout(t, &when, &ok, 20000000));
	ASSERT_EQ(0, gochan_timer_reset(t, 1000000));	/* fires in 1 ms */
	ASSERT_EQ(0, gochan_recv(t, &when, &ok));
	ASSERT_TRUE(ok);
	/* Fired and unread: a Stop drops the stale value. */
	ASSERT_EQ(0, gochan_timer_reset(t, 1000));
	for (i = 0; i < 10000 && gochan_len(t) != 1; i++)
		usleep(100);
	ASSERT_EQ(1, gochan_len(t));
	/* Fired, unread: dropped, and true, as Go 1.23's Stop says. */
	ASSERT_EQ(1, gochan_timer_stop(t));
	ASSERT_EQ(0, gochan_len(t));
	ASSERT_EQ(-EAGAIN, gochan_tryrecv(t, &when, &ok));
	/* Reset drops it too, and arms the new timer. */
	ASSERT_EQ(0, gochan_timer_reset(t, 1000));
	for (i = 0; i < 10000 && gochan_len(t) != 1; i++)
		usleep(100);
	ASSERT_EQ(1, gochan_timer_reset(t, 3600LL * 1000000000));
	ASSERT_EQ(-EAGAIN, gochan_tryrecv(t, &when, &ok));
	ASSERT_EQ(1, gochan_timer_stop(t));
	close(t);
	/* A ticker's Reset sets its period. */
	t = gochan_ticker(3600LL * 1000000000);
	ASSERT_LE(0, t);
	ASSERT_EQ(1, gochan_timer_reset(t, 1000000));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gochan_recv(t, &when, &ok));
	ASSERT_EQ(1, gochan_timer_stop(t));
	ASSERT_EQ(-EINVAL, gochan_timer_reset(t, 999));
	close(t);
	/* Not a timer. */
	ASSERT_EQ(-ENOTTY, gochan_timer_stop(ch));
	ASSERT_EQ(-ENOTTY, gochan_timer_reset(ch, 1000));
	close(ch);
}

/*
 * A program that closes every fd (closefrom()) also closes the
 * library's /dev/gochan fd: the next call opens it again, even when the
 * number now names another file.
 */
TEST_F(proc, device_fd_reopened_after_closefrom)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC), null, i;
		struct gochan_case c;
		__s64 v = 1;

		if (fd < 0)
			_exit(1);
		for (i = 3; i < 1024; i++)
			close(i);
		/* The lowest free number: where the device fd was. */
		null = open("/dev/null", O_RDONLY);
		if (null < 0)
			_exit(2);
		fd = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC);
		if (fd < 0)
			_exit(3);
		for (i = 3; i < 1024; i++)
			if (i != null)
				close(i);
		fd = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC);
		if (fd < 0 || gochan_send(fd, &v))
			_exit(4);
		c = GOCHAN_RECV_CASE(fd, &v);
		if (gochan_select(&c, 1, 0, -1) != 0 || !c.ok)
			_exit(5);
		/* A non-channel fd is ENOTTY, as the kernel says. */
		if (gochan_send(null, &v) != -ENOTTY)
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

#define PRODUCERS	3
#define CONSUMERS	3
#define PER_PRODUCER	ROUNDS(3000)

/*
 * N producers x M consumers, all processes, over one buffered channel:
 * every sequence number is received exactly once (counted in shared
 * memory), and the consumers' ranges end when the channel is closed.
 */
TEST_F_TIMEOUT(proc, stress_exactly_once, 600)
{
	int fd = gochan_make(sizeof(__u32), 16, 0);
	unsigned int total = PRODUCERS * PER_PRODUCER, i, once = 0;
	unsigned char *seen;
	pid_t pids[PRODUCERS + CONSUMERS];
	int p, status;

	ASSERT_LE(0, fd);
	seen = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(seen != MAP_FAILED);
	for (p = 0; p < PRODUCERS + CONSUMERS; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (pids[p])
			continue;
		if (p < PRODUCERS) {
			for (i = 0; i < PER_PRODUCER; i++) {
				__u32 v = p * PER_PRODUCER + i;

				if (gochan_send(fd, &v))
					_exit(1);
			}
		} else {
			__u32 v;
			bool ok;

			while (!gochan_recv(fd, &v, &ok) && ok)
				__atomic_add_fetch(&seen[v % total], 1,
						   __ATOMIC_RELAXED);
		}
		_exit(0);
	}
	for (p = 0; p < PRODUCERS; p++) {
		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		ASSERT_EQ(0, status);
	}
	ASSERT_EQ(0, gochan_close(fd));
	for (; p < PRODUCERS + CONSUMERS; p++) {
		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		ASSERT_EQ(0, status);
	}
	for (i = 0; i < total; i++)
		once += seen[i] == 1;
	ASSERT_EQ(total, once);
	munmap(seen, total);
	close(fd);
}

TEST_HARNESS_MAIN
