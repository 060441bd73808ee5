// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for selector fds (GOCHAN_IOC_SELECTOR): every validation
 * error, a wait's results on every kind of case, Go's select fairness at
 * 6 sigma, the non-blocking wait's linearizability (Go's
 * TestNonblockSelectRace), the epoll mode, nesting in epoll, a wait woken
 * from another process, and the lifetime rules: a channel file released
 * while registered drops its cases, a selector released while its
 * channels live unhooks, everything is charged and comes back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"
#include "gochan_files.h"
#include "gochan_test.h"

static int mksel(void)
{
	struct gochan_selector s = { .flags = GOCHAN_SELECTOR_CLOEXEC };

	return call(dev, GOCHAN_IOC_SELECTOR, &s);
}

static long ctl(int sfd, __u32 op, int fd, __u32 dir, __u32 size,
		const void *buf, __u64 key)
{
	struct gochan_selector_ctl c = {
		.op = op, .fd = fd, .dir = dir, .elem_size = size,
		.buf = (uintptr_t)buf, .key = key,
	};

	return call(sfd, GOCHAN_IOC_SELECTOR_CTL, &c);
}

static long wait_one(int sfd, __u32 flags, __u64 *val,
		     struct gochan_selector_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->buf = (uintptr_t)val;
	w->size = val ? sizeof(*val) : 0;
	w->flags = flags;
	return call(sfd, GOCHAN_IOC_SELECTOR_WAIT, w);
}

static int put(int fd, __u64 v)
{
	return gochan_trysend(fd, &v);
}

/* A field of this selector's fdinfo ("cases", "ready"), or -1. */
static long fdinfo_num(int fd, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

GOCHAN_ROOT_FIXTURE(sel);

TEST_F(sel, feature_and_create_errors)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION };
	struct gochan_selector s = {};
	int sfd;

	ASSERT_EQ(0, call(dev, GOCHAN_IOC_API, &api));
	ASSERT_TRUE(!!(api.features & GOCHAN_FEATURE_SELECTOR));
	s.flags = 1;
	EXPECT_EQ(-EINVAL, call(dev, GOCHAN_IOC_SELECTOR, &s));
	s.flags = 0;
	s.pad = 1;
	EXPECT_EQ(-EINVAL, call(dev, GOCHAN_IOC_SELECTOR, &s));
	s.pad = 0;
	s.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, call(dev, GOCHAN_IOC_SELECTOR, &s));
	EXPECT_EQ(-EFAULT, call(dev, GOCHAN_IOC_SELECTOR, (void *)8));
	s.reserved[1] = 0;
	s.flags = GOCHAN_SELECTOR_CLOEXEC;
	sfd = call(dev, GOCHAN_IOC_SELECTOR, &s);
	ASSERT_LE(0, sfd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	/* A selector is not a channel, and a channel is not a selector. */
	EXPECT_EQ(-ENOTTY, ctl(sfd, GOCHAN_CTL_ADD, sfd, GOCHAN_DIR_RECV, 0,
			       NULL, 0));
	close(sfd);
}

TEST_F(sel, ctl_errors)
{
	int sfd = mksel(), ch = mkchan(8, 4), ro, nul, i, s[17];
	struct gochan_selector_ctl c = {};
	__u64 v = 1;

	ASSERT_LE(0, sfd);
	ASSERT_LE(0, ch);
	ro = gochan_dup(ch, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	ASSERT_LE(0, ro);
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nul);

	EXPECT_EQ(-EFAULT, call(sfd, GOCHAN_IOC_SELECTOR_CTL, (void *)8));
	EXPECT_EQ(-EINVAL, ctl(sfd, 0, ch, GOCHAN_DIR_RECV, 8, NULL, 0));
	EXPECT_EQ(-EINVAL, ctl(sfd, 4, ch, GOCHAN_DIR_RECV, 8, NULL, 0));
	EXPECT_EQ(-EINVAL, ctl(sfd, GOCHAN_CTL_ADD, ch, 0, 8, NULL, 0));
	EXPECT_EQ(-EINVAL, ctl(sfd, GOCHAN_CTL_ADD, ch,
			       GOCHAN_DIR_SEND | GOCHAN_DIR_RECV, 8, &v, 0));
	c.op = GOCHAN_CTL_ADD;
	c.fd = ch;
	c.dir = GOCHAN_DIR_RECV;
	c.elem_size = 8;
	c.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_CTL, &c));
	/* A receive case has no value; DEL takes nothing but fd and dir. */
	EXPECT_EQ(-EINVAL, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 8,
			       &v, 0));
	EXPECT_EQ(-EINVAL, ctl(sfd, GOCHAN_CTL_DEL, ch, GOCHAN_DIR_RECV, 8,
			       NULL, 0));
	EXPECT_EQ(-EINVAL, ctl(sfd, GOCHAN_CTL_DEL, ch, GOCHAN_DIR_RECV, 0,
			       NULL, 5));
	EXPECT_EQ(-EBADF, ctl(sfd, GOCHAN_CTL_ADD, 999, GOCHAN_DIR_RECV, 8,
			      NULL, 0));
	EXPECT_EQ(-EBADF, ctl(sfd, GOCHAN_CTL_ADD, -1, GOCHAN_DIR_RECV, 8,
			      NULL, 0));
	EXPECT_EQ(-ENOTTY, ctl(sfd, GOCHAN_CTL_ADD, nul, GOCHAN_DIR_RECV, 8,
			       NULL, 0));
	/* A receive-only fd cannot register a send. */
	EXPECT_EQ(-EBADF, ctl(sfd, GOCHAN_CTL_ADD, ro, GOCHAN_DIR_SEND, 8,
			      &v, 0));
	EXPECT_EQ(-EMSGSIZE, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 4,
				 NULL, 0));
	EXPECT_EQ(-EFAULT, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_SEND, 8,
			       NULL, 0));
	EXPECT_EQ(-EFAULT, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_SEND, 8,
			       (void *)8, 0));
	EXPECT_EQ(-ENOENT, ctl(sfd, GOCHAN_CTL_MOD, ch, GOCHAN_DIR_RECV, 8,
			       NULL, 1));
	EXPECT_EQ(-ENOENT, ctl(sfd, GOCHAN_CTL_DEL, ch, GOCHAN_DIR_RECV, 0,
			       NULL, 0));
	/* Nothing of the above registered anything. */
	EXPECT_EQ(0, fdinfo_num(sfd, "cases"));

	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 8, NULL, 1));
	EXPECT_EQ(-EEXIST, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 8,
			       NULL, 1));
	/* The same channel through another file is another case. */
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, ro, GOCHAN_DIR_RECV, 8, NULL, 2));
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_SEND, 8, &v, 3));
	EXPECT_EQ(3, fdinfo_num(sfd, "cases"));
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_MOD, ch, GOCHAN_DIR_RECV, 8, NULL, 9));
	EXPECT_EQ(-EMSGSIZE, ctl(sfd, GOCHAN_CTL_MOD, ch, GOCHAN_DIR_RECV, 2,
				 NULL, 9));
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_DEL, ro, GOCHAN_DIR_RECV, 0, NULL, 0));
	EXPECT_EQ(-ENOENT, ctl(sfd, GOCHAN_CTL_DEL, ro, GOCHAN_DIR_RECV, 0,
			       NULL, 0));
	EXPECT_EQ(2, fdinfo_num(sfd, "cases"));
	close(sfd);

	/* One channel takes at most 16 selector cases. */
	for (i = 0; i < 17; i++) {
		s[i] = mksel();
		ASSERT_LE(0, s[i]);
	}
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, ctl(s[i], GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 8,
				 NULL, i));
	EXPECT_EQ(-ENOSPC, ctl(s[16], GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 8,
			       NULL, 16));
	close(s[3]);
	EXPECT_EQ(0, ctl(s[16], GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 8, NULL,
			 16));
	for (i = 0; i < 17; i++)
		if (i != 3)
			close(s[i]);
	close(nul);
	close(ro);
	close(ch);
}

TEST_F(sel, max_selector_cases)
{
	int sfd = mksel(), a = mkchan(0, 1), b = mkchan(0, 1), c = mkchan(0, 1);
	long old;

	ASSERT_LE(0, sfd);
	old = set_param("max_selector_cases", 2);
	ASSERT_LT(0, old);
	/* No ASSERT until the parameter is back: the next tests need it. */
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, a, GOCHAN_DIR_RECV, 0, NULL, 0));
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, b, GOCHAN_DIR_RECV, 0, NULL, 0));
	EXPECT_EQ(-ENOSPC, ctl(sfd, GOCHAN_CTL_ADD, c, GOCHAN_DIR_RECV, 0,
			       NULL, 0));
	ASSERT_EQ(2, set_param("max_selector_cases", old));
	EXPECT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, c, GOCHAN_DIR_RECV, 0, NULL, 0));
	close(sfd);
	close(a);
	close(b);
	close(c);
}

TEST_F(sel, wait_errors)
{
	struct gochan_selector_event ev[2];
	struct gochan_selector_wait w;
	int sfd = mksel(), ch = mkchan(16, 2);
	char big[16] = "sixteen bytes!!";
	__u64 v = 0;

	ASSERT_LE(0, sfd);
	ASSERT_LE(0, ch);
	EXPECT_EQ(-EFAULT, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, (void *)8));
	EXPECT_EQ(-EINVAL, wait_one(sfd, 1u << 7, NULL, &w));
	memset(&w, 0, sizeof(w));
	w.flags = GOCHAN_WAIT_NONBLOCK;
	w.pad = 1;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.pad = 0;
	w.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.reserved[0] = 0;
	/* events and max belong to GOCHAN_WAIT_READY, buf and size not. */
	w.max = 1;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.flags |= GOCHAN_WAIT_READY;
	w.max = 0;
	w.events = (uintptr_t)ev;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.max = GOCHAN_SELECTOR_EVENTS_MAX + 1;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.max = 2;
	w.buf = (uintptr_t)&v;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.buf = 0;
	/* An empty selector: nothing ready, nothing reported. */
	EXPECT_EQ(-EAGAIN, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	EXPECT_EQ(-EAGAIN, wait_one(sfd, GOCHAN_WAIT_NONBLOCK, &v, &w));
	memset(&w, 0, sizeof(w));
	w.deadline = deadline_in(20 * 1000 * 1000);
	EXPECT_EQ(-ETIMEDOUT, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	w.deadline = ~0ULL;
	EXPECT_EQ(-EINVAL, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));

	/* Room too small for the value: EMSGSIZE, and nothing moved. */
	ASSERT_EQ(0, gochan_trysend(ch, big));
	ASSERT_EQ(0, ctl(sfd, GOCHAN_CTL_ADD, ch, GOCHAN_DIR_RECV, 16, NULL,
			 7));
	EXPECT_EQ(-EMSGSIZE, wait_one(sfd, GOCHAN_WAIT_NONBLOCK, &v, &w));
	EXPECT_EQ(1, gochan_len(ch));
	/* Room given but of size 0: also too small, and nothing moved. */
	memset(&w, 0, sizeof(w));
	w.buf = (uintptr_t)&v;
	w.flags = GOCHAN_WAIT_NONBLOCK;
	EXPECT_EQ(-EMSGSIZE, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	EXPECT_EQ(1, gochan_len(ch));
	/* A bad room pointer faults before anything moves. */
	memset(&w, 0, sizeof(w));
	w.buf = 8;
	w.size = 16;
	w.flags = GOCHAN_WAIT_NONBLOCK;
	EXPECT_EQ(-EFAULT, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	EXPECT_EQ(1, gochan_len(ch));
	/* A READY wait whose events do not reach the user faults. */
	memset(&w, 0, sizeof(w));
	w.flags = GOCHAN_WAIT_READY | GOCHAN_WAIT_NONBLOCK;
	w.events = 8;
	w.max = 1;
	EXPECT_EQ(-EFAULT, call(sfd, GOCHAN_IOC_SELECTOR_WAIT, &w));
	EXPECT_EQ(1, gochan_len(ch));
	close(sfd);
	close(ch);
}

TEST_F(sel, cases_complete)
{
	int sfd = mksel(), in = mkchan(8, 4), out = mkchan(8, 1);
	unsigned int dir;
	__u64 v, key;
	bool ok;

	ASSERT_LE(0, sfd);
	v = 42;
	ASSERT_EQ(0, gochan_selector_add(sfd, in, GOCHAN_DIR_RECV, NULL, 8, 100));
	ASSERT_EQ(0, gochan_selector_add(sfd, out, GOCHAN_DIR_SEND, &v, 8, 200));
	/* The send case is ready (room): it sends 42. */
	v = 0;
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, 0, -1, &key, &dir, &ok));
	EXPECT_EQ(200, key);
	EXPECT_EQ(GOCHAN_DIR_SEND, dir);
	ASSERT_EQ(0, gochan_tryrecv(out, &v, &ok));
	EXPECT_EQ(42, v);
	/* MOD: a new value and key, used from the next wait on. */
	v = 43;
	ASSERT_EQ(0, gochan_selector_mod(sfd, out, GOCHAN_DIR_SEND, &v, 8, 201));
	ASSERT_EQ(0, put(in, 7));
	ASSERT_EQ(0, gochan_selector_del(sfd, out, GOCHAN_DIR_SEND));
	v = 0;
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK, -1,
					  &key, &dir, &ok));
	EXPECT_EQ(100, key);
	EXPECT_EQ(GOCHAN_DIR_RECV, dir);
	EXPECT_TRUE(ok);
	EXPECT_EQ(7, v);
	EXPECT_EQ(-EAGAIN, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK,
						-1, &key, &dir, &ok));
	EXPECT_EQ(-ETIMEDOUT, gochan_selector_wait(sfd, &v, 8, 0, 10000000,
						   &key, &dir, &ok));
	ASSERT_EQ(0, gochan_selector_add(sfd, out, GOCHAN_DIR_SEND, &v, 8, 202));
	v = 44;
	ASSERT_EQ(0, gochan_selector_mod(sfd, out, GOCHAN_DIR_SEND, &v, 8, 203));
	ASSERT_EQ(0, gochan_selector_wait(sfd, NULL, 0, 0, -1, &key, &dir, &ok));
	EXPECT_EQ(203, key);
	ASSERT_EQ(0, gochan_tryrecv(out, &v, &ok));
	EXPECT_EQ(44, v);

	/* Closed: a receive gets ok = 0 and a zeroed value... */
	ASSERT_EQ(0, gochan_selector_del(sfd, out, GOCHAN_DIR_SEND));
	ASSERT_EQ(0, put(in, 8));
	ASSERT_EQ(0, gochan_close(in));
	v = 0;
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK, -1,
					  &key, &dir, &ok));
	EXPECT_TRUE(ok);
	EXPECT_EQ(8, v);
	v = 99;
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK, -1,
					  &key, &dir, &ok));
	EXPECT_FALSE(ok);
	EXPECT_EQ(0, v);
	/* ... and stays ready, as Go's closed channel is. */
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK, -1,
					  &key, &dir, &ok));
	EXPECT_FALSE(ok);
	ASSERT_EQ(0, gochan_selector_del(sfd, in, GOCHAN_DIR_RECV));
	/* A send on a closed channel: -EPIPE, with the case's key. */
	ASSERT_EQ(0, gochan_selector_add(sfd, out, GOCHAN_DIR_SEND, &v, 8, 300));
	ASSERT_EQ(0, put(out, 1));
	ASSERT_EQ(0, gochan_close(out));
	key = 0;
	EXPECT_EQ(-EPIPE, gochan_selector_wait(sfd, NULL, 0, 0, -1, &key, &dir,
					       &ok));
	EXPECT_EQ(300, key);
	EXPECT_EQ(1, gochan_len(out));
	close(sfd);
	close(in);
	close(out);
}

TEST_F(sel, unbuffered_meets_blocked_partners)
{
	int sfd = mksel(), a = mkchan(8, 0), b = mkchan(8, 0);
	__u64 v = 5, key;
	unsigned int dir;
	pid_t pid;
	bool ok;
	int st;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, gochan_selector_add(sfd, a, GOCHAN_DIR_RECV, NULL, 8, 1));
	ASSERT_EQ(0, gochan_selector_add(sfd, b, GOCHAN_DIR_SEND, &v, 8, 2));
	/* Nobody on either channel: nothing is ready. */
	EXPECT_EQ(-EAGAIN, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK,
						-1, &key, &dir, &ok));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u64 x = 77, y = 0;

		/* A blocked sender, then a blocked receiver. */
		if (gochan_send(a, &x) || gochan_recv(b, &y, &ok) || y != 5)
			_exit(1);
		_exit(0);
	}
	v = 0;
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, 0, -1, &key, &dir, &ok));
	EXPECT_EQ(1, key);
	EXPECT_EQ(77, v);
	v = 5;
	ASSERT_EQ(0, gochan_selector_mod(sfd, b, GOCHAN_DIR_SEND, &v, 8, 2));
	ASSERT_EQ(0, gochan_selector_wait(sfd, NULL, 0, 0, -1, &key, &dir, &ok));
	EXPECT_EQ(2, key);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(sfd);
	close(a);
	close(b);
}

/* Values larger than a page: a heap bounce, a page list, a charge. */
#define BIG	20000

TEST_F(sel, large_values)
{
	int sfd = mksel(), in = mkchan(BIG, 2), out = mkchan(BIG, 1), i;
	unsigned char *v = malloc(BIG), *w = malloc(BIG);
	unsigned int dir;
	__u64 key;
	bool ok;

	ASSERT_LE(0, sfd);
	ASSERT_TRUE(v && w);
	for (i = 0; i < BIG; i++)
		v[i] = (unsigned char)(i * 13 + 7);
	ASSERT_EQ(0, gochan_trysend(in, v));
	ASSERT_EQ(0, gochan_selector_add(sfd, in, GOCHAN_DIR_RECV, NULL, BIG, 1));
	/* Too small a room: nothing moves. */
	EXPECT_EQ(-EMSGSIZE, gochan_selector_wait(sfd, w, BIG - 1,
						  GOCHAN_WAIT_NONBLOCK, -1,
						  &key, &dir, &ok));
	EXPECT_EQ(1, gochan_len(in));
	memset(w, 0, BIG);
	ASSERT_EQ(0, gochan_selector_wait(sfd, w, BIG, GOCHAN_WAIT_NONBLOCK, -1,
					  &key, &dir, &ok));
	EXPECT_EQ(1, key);
	EXPECT_TRUE(ok);
	EXPECT_EQ(0, memcmp(v, w, BIG));
	/* A large send case: its value is copied at ADD. */
	ASSERT_EQ(0, gochan_selector_del(sfd, in, GOCHAN_DIR_RECV));
	ASSERT_EQ(0, gochan_selector_add(sfd, out, GOCHAN_DIR_SEND, v, BIG, 2));
	memset(v, 0, BIG);
	ASSERT_EQ(0, gochan_selector_wait(sfd, NULL, 0, 0, -1, &key, &dir, &ok));
	EXPECT_EQ(2, key);
	ASSERT_EQ(0, gochan_tryrecv(out, v, &ok));
	EXPECT_EQ(0, memcmp(v, w, BIG));
	free(v);
	free(w);
	close(sfd);
	close(in);
	close(out);
}

/* Go's TestSelectFairness: every ready case wins its share, at 6 sigma. */
#define FAIR_CASES	4
#define FAIR_TRIALS	8000

TEST_F(sel, fairness)
{
	int sfd = mksel(), ch[FAIR_CASES], hits[FAIR_CASES] = {}, i, t;
	double p = 1.0 / FAIR_CASES, mean = FAIR_TRIALS * p;
	double sigma = sqrt(FAIR_TRIALS * p * (1 - p));
	unsigned int dir;
	__u64 v, key;
	bool ok;

	ASSERT_LE(0, sfd);
	for (i = 0; i < FAIR_CASES; i++) {
		ch[i] = mkchan(8, 1);
		ASSERT_LE(0, ch[i]);
		ASSERT_EQ(0, put(ch[i], i));
		ASSERT_EQ(0, gochan_selector_add(sfd, ch[i], GOCHAN_DIR_RECV,
						 NULL, 8, i));
	}
	for (t = 0; t < FAIR_TRIALS; t++) {
		ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK,
						  -1, &key, &dir, &ok));
		ASSERT_GT(FAIR_CASES, key);
		ASSERT_EQ(key, v);
		hits[key]++;
		ASSERT_EQ(0, put(ch[key], key));	/* ready again */
	}
	for (i = 0; i < FAIR_CASES; i++) {
		TH_LOG("case %d: %d of %d (mean %.0f, sigma %.1f)", i, hits[i],
		       FAIR_TRIALS, mean, sigma);
		EXPECT_GT(6 * sigma, fabs(hits[i] - mean));
	}
	/* Biased: the ready case added first, every time. */
	for (t = 0; t < 100; t++) {
		ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8,
						  GOCHAN_WAIT_NONBLOCK |
						  GOCHAN_WAIT_BIASED, -1, &key,
						  &dir, &ok));
		ASSERT_EQ(0, key);
		ASSERT_EQ(0, put(ch[0], 0));
	}
	for (i = 0; i < FAIR_CASES; i++)
		close(ch[i]);
	close(sfd);
}

/* ---- Go's TestNonblockSelectRace, on a selector -------------------------- */

struct race {
	int sfd;
	pthread_barrier_t go;
	int got;		/* the key, or -1 for "none ready" */
};

static void *race_waiter(void *arg)
{
	struct race *r = arg;
	unsigned int dir;
	__u64 v, key;
	bool ok;

	pthread_barrier_wait(&r->go);
	r->got = gochan_selector_wait(r->sfd, &v, 8, GOCHAN_WAIT_NONBLOCK, -1,
				      &key, &dir, &ok) ? -1 : (int)key;
	return NULL;
}

#define RACE_ROUNDS	300

TEST_F_TIMEOUT(sel, nonblock_race, 120)
{
	int i, none = 0, got[2] = {}, drained = 0;

	for (i = 0; i < RACE_ROUNDS; i++) {
		struct race r = { .sfd = mksel() };
		int c1 = mkchan(8, 1), c2 = mkchan(8, 1);
		pthread_t th;
		__u64 v;
		bool ok;

		ASSERT_LE(0, r.sfd);
		ASSERT_EQ(0, put(c1, 1));
		ASSERT_EQ(0, gochan_selector_add(r.sfd, c1, GOCHAN_DIR_RECV,
						 NULL, 8, 0));
		ASSERT_EQ(0, gochan_selector_add(r.sfd, c2, GOCHAN_DIR_RECV,
						 NULL, 8, 1));
		pthread_barrier_init(&r.go, NULL, 2);
		ASSERT_EQ(0, pthread_create(&th, NULL, race_waiter, &r));
		pthread_barrier_wait(&r.go);
		/* At every instant c1 or c2 holds a value. */
		ASSERT_EQ(0, put(c2, 2));
		if (!gochan_tryrecv(c1, &v, &ok))
			drained++;
		pthread_join(th, NULL);
		pthread_barrier_destroy(&r.go);
		if (r.got < 0)
			none++;
		else
			got[r.got]++;
		close(c1);
		close(c2);
		close(r.sfd);
	}
	/* The window: c1 drained while the waiter ran; it found c2 then. */
	TH_LOG("%d rounds: c1 %d, c2 %d, none %d; c1 drained first %d times",
	       RACE_ROUNDS, got[0], got[1], none, drained);
	EXPECT_EQ(0, none);
	/*
	 * The window needs the two threads on two CPUs at once; the VM
	 * has two, and over the rounds the drain wins some races.
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		EXPECT_LT(0, drained);
}

TEST_F(sel, ready_mode_and_epoll)
{
	struct gochan_selector_event ev[4];
	int sfd = mksel(), a = mkchan(8, 2), b = mkchan(8, 2), ep, n;
	struct epoll_event ee = { .events = EPOLLIN };
	__u64 v;
	bool ok;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, gochan_selector_add(sfd, a, GOCHAN_DIR_RECV, NULL, 8, 10));
	ASSERT_EQ(0, gochan_selector_add(sfd, b, GOCHAN_DIR_RECV, NULL, 8, 20));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ee));
	EXPECT_EQ(0, epoll_wait(ep, &ee, 1, 0));
	EXPECT_EQ(-EAGAIN, gochan_selector_ready(sfd, ev, 4, GOCHAN_WAIT_NONBLOCK,
						 -1));
	ASSERT_EQ(0, put(b, 1));
	/* The selector fd is readable in epoll once a case is ready. */
	EXPECT_EQ(1, epoll_wait(ep, &ee, 1, 1000));
	n = gochan_selector_ready(sfd, ev, 4, 0, -1);
	ASSERT_EQ(1, n);
	EXPECT_EQ(20, ev[0].key);
	EXPECT_EQ(GOCHAN_DIR_RECV, ev[0].dir);
	EXPECT_EQ(0, ev[0].flags);
	/* Level-triggered: nothing moved, it is still ready. */
	EXPECT_EQ(1, gochan_len(b));
	EXPECT_EQ(1, gochan_selector_ready(sfd, ev, 4, 0, -1));
	ASSERT_EQ(0, gochan_close(a));
	n = gochan_selector_ready(sfd, ev, 4, 0, -1);
	ASSERT_EQ(2, n);
	EXPECT_EQ(GOCHAN_EVENT_CLOSED,
		  (ev[0].key == 10 ? ev[0] : ev[1]).flags);
	/* max bounds what is reported, and no ready case is starved by it. */
	EXPECT_EQ(1, gochan_selector_ready(sfd, ev, 1, 0, -1));
	v = ev[0].key;
	EXPECT_EQ(1, gochan_selector_ready(sfd, ev, 1, 0, -1));
	EXPECT_NE(v, ev[0].key);
	/* Drained elsewhere: reported no more, and epoll says so too. */
	ASSERT_EQ(0, gochan_selector_del(sfd, a, GOCHAN_DIR_RECV));
	ASSERT_EQ(0, gochan_tryrecv(b, &v, &ok));
	EXPECT_EQ(-EAGAIN, gochan_selector_ready(sfd, ev, 4, GOCHAN_WAIT_NONBLOCK,
						 -1));
	EXPECT_EQ(0, epoll_wait(ep, &ee, 1, 0));
	close(ep);
	close(sfd);
	close(a);
	close(b);
}

TEST_F(sel, woken_from_another_process)
{
	int sfd = mksel(), ch[64], i, st, sv[2];
	unsigned int dir;
	__u64 v, key;
	pid_t pid;
	bool ok;

	ASSERT_LE(0, sfd);
	for (i = 0; i < 64; i++) {
		ch[i] = mkchan(8, 1);
		ASSERT_LE(0, ch[i]);
		ASSERT_EQ(0, gochan_selector_add(sfd, ch[i], GOCHAN_DIR_RECV,
						 NULL, 8, 1000 + i));
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Let the parent sleep first, then send on 3 channels. */
		usleep(50000);
		_exit(put(ch[17], 17) || put(ch[40], 40) || put(ch[63], 63));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, 0, -1, &key, &dir,
						  &ok));
		EXPECT_EQ(1000 + v, key);
		EXPECT_TRUE(v == 17 || v == 40 || v == 63);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The selector is shared by fork: a child waits on it too. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (gochan_selector_wait(sfd, &v, 8, 0, -1, &key, &dir, &ok) ||
		    key != 1005 || v != 5)
			_exit(1);
		_exit(0);
	}
	usleep(20000);
	ASSERT_EQ(0, put(ch[5], 5));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/*
	 * Passed over a unix socket (SCM_RIGHTS) to a process that holds
	 * none of the channels: the cases come with the selector file.
	 */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int s2;

		for (i = 0; i < 64; i++)
			close(ch[i]);
		close(sfd);
		s2 = recv_fd(sv[1]);
		if (s2 < 0 || gochan_selector_wait(s2, &v, 8, 0, -1, &key, &dir,
						   &ok) || key != 1009 || v != 9)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, send_fd(sv[0], sfd));
	usleep(20000);
	ASSERT_EQ(0, put(ch[9], 9));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(sv[0]);
	close(sv[1]);
	for (i = 0; i < 64; i++)
		close(ch[i]);
	close(sfd);
}

TEST_F(sel, lifetimes)
{
	int sfd = mksel(), a = mkchan(8, 1), b = mkchan(8, 1), a2, sfd2, d;
	unsigned int dir;
	__u64 v, key;
	bool ok;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, gochan_selector_add(sfd, a, GOCHAN_DIR_RECV, NULL, 8, 1));
	ASSERT_EQ(0, gochan_selector_add(sfd, b, GOCHAN_DIR_RECV, NULL, 8, 2));
	ASSERT_EQ(0, put(a, 1));
	EXPECT_EQ(1, fdinfo_num(sfd, "ready"));
	/*
	 * An fd that shares the file keeps the case; the last close of the
	 * file drops it, ready or not.  The channel lives on in a2, a new
	 * file of it.
	 */
	a2 = gochan_dup(a, GOCHAN_DIR_SEND | GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	ASSERT_LE(0, a2);
	d = dup(a);
	ASSERT_LE(0, d);
	close(a);
	EXPECT_EQ(2, fdinfo_num(sfd, "cases"));
	close(d);
	EXPECT_EQ(1, fdinfo_num(sfd, "cases"));
	EXPECT_EQ(0, fdinfo_num(sfd, "ready"));
	EXPECT_EQ(-EAGAIN, gochan_selector_wait(sfd, &v, 8, GOCHAN_WAIT_NONBLOCK,
						-1, &key, &dir, &ok));
	EXPECT_EQ(1, gochan_len(a2));
	/* A selector released while its channels live unhooks cleanly. */
	sfd2 = mksel();
	ASSERT_LE(0, sfd2);
	ASSERT_EQ(0, gochan_selector_add(sfd2, a2, GOCHAN_DIR_RECV, NULL, 8, 3));
	ASSERT_EQ(0, gochan_selector_add(sfd2, b, GOCHAN_DIR_RECV, NULL, 8, 4));
	close(sfd2);
	ASSERT_EQ(0, put(b, 2));
	ASSERT_EQ(0, gochan_selector_wait(sfd, &v, 8, 0, -1, &key, &dir, &ok));
	EXPECT_EQ(2, key);
	EXPECT_EQ(2, v);
	close(sfd);
	/* The channels work as ever without selectors. */
	ASSERT_EQ(0, gochan_tryrecv(a2, &v, &ok));
	EXPECT_EQ(1, v);
	close(a2);
	close(b);
}

/*
 * As nobody (no CAP_SYS_RESOURCE), on channels root made: the cases are
 * charged to nobody's bytes, and refused with ENOBUFS past
 * max_user_bytes.
 */
#define CHARGE_CHANS	300

TEST_F(sel, cases_charged)
{
	int ch[CHARGE_CHANS], i, st;
	pid_t pid;
	long old;

	for (i = 0; i < CHARGE_CHANS; i++) {
		ch[i] = mkchan(0, 0);
		ASSERT_LE(0, ch[i]);
	}
	old = set_param("max_user_bytes", 16384);
	ASSERT_LT(0, old);
	/* No ASSERT until the parameter is back: the next tests need it. */
	pid = fork();
	if (!pid) {
		int sfd, n = 0, r = 0;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		sfd = mksel();
		if (sfd < 0)
			_exit(11);
		for (i = 0; i < CHARGE_CHANS; i++) {
			r = ctl(sfd, GOCHAN_CTL_ADD, ch[i], GOCHAN_DIR_RECV, 0,
				NULL, i);
			if (r)
				break;
			n++;
		}
		printf("# %d cases in 16384 bytes, then %s\n", n, strerror(-r));
		if (r != -ENOBUFS || n < 10)
			_exit(12);
		/* Released, the bytes come back: as many cases fit again. */
		close(sfd);
		sfd = mksel();
		for (i = 0; i < n; i++)
			if (ctl(sfd, GOCHAN_CTL_ADD, ch[i], GOCHAN_DIR_RECV, 0,
				NULL, i))
				_exit(13);
		_exit(0);
	}
	st = -1;
	if (pid > 0)
		EXPECT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(16384, set_param("max_user_bytes", old));
	ASSERT_LT(0, pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (i = 0; i < CHARGE_CHANS; i++)
		close(ch[i]);
}

TEST_HARNESS_MAIN
