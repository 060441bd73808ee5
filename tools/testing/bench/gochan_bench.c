// SPDX-License-Identifier: GPL-2.0
/*
 * gochan_bench: libgochan measured side by side with the kernel's other
 * ways for threads to talk (futex, eventfd, pipe, unix seqpacket, POSIX
 * message queues, epoll), and the kernel benchmark module gochan_bench.ko
 * driven through /sys/kernel/debug/gochan_bench/run.
 *
 * Every benchmark runs each implementation in turn, repetition by
 * repetition (gochan, peer, peer, ..., gochan, peer, ...), after one
 * warm-up round that is not recorded.  Each run is checked (values in
 * order, the right case chosen, every waiter woken) and a wrong result
 * ends the program with status 1, so a smoke run (--smoke: tiny counts,
 * one repetition) proves that every benchmark works.
 *
 * Fair terms: gochan spins up to its spin_ns for a partner on another CPU
 * before it sleeps.  The spinning peers (futex-spin, pipe-spin, ...) spin
 * the same budget, read from /sys/module/gochan/parameters/spin_ns, in
 * the cross-cpu placement (on one CPU gochan's spin stops at once: its
 * partner is runnable there), and the "-nospin" rows run gochan with
 * spin_ns = 0 against the peers that sleep at once.  Each run also
 * reports the CPU time of the whole process (both threads) per
 * operation, so that spinning shows.
 *
 * Output, on stdout, is CSV with one row per sample:
 *
 *	bench,param,place,impl,unit,rep,value
 *
 * A sample is the mean over a chunk of operations (CHUNKS per run), so
 * that timing does not disturb the operation; "value" is ns per
 * operation, or as "unit" says.  Lines starting with '#' are metadata.
 * tools/testing/bench/report.py turns the rows into the tables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "gochan.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CHUNKS		10	/* samples per run */
#define MAX_SAMPLES	64
#define BATCH		64	/* values per batched call */
#define STREAM_CAP	1024
#define MAX_WAITERS	1024

static int opt_reps = 5;
static double opt_scale = 1.0;
static bool opt_smoke;
static bool opt_debug;		/* a debug kernel: fewer of the slowest */
static const char *opt_only;
static int ncpus;
static long spin_budget_ns;	/* gochan.spin_ns at the start */
static bool cur_cross;		/* the run in progress is cross-cpu */

#define SPIN_PARAM	"/sys/module/gochan/parameters/spin_ns"
#define KB_SPIN_PARAM	"/sys/module/gochan_bench/parameters/spin_ns"

static void die_write(const char *path);

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%ld\n", v) < 0 || fclose(f))
		die_write(path);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gochan_bench: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* CPU time of every thread of this process. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die_write(const char *path)
{
	die("cannot write %s: %m", path);
}

/* gochan's spin budget for the run of impl: 0 for a "-nospin" row. */
static void gochan_spin_for(const char *impl)
{
	if (spin_budget_ns < 0)
		return;		/* gochan.ko's parameter is not there */
	write_long(SPIN_PARAM, strstr(impl, "-nospin") ? 0 : spin_budget_ns);
}

/* The spinning peers' budget for the run in progress. */
static uint64_t peer_spin_ns(void)
{
	return cur_cross && spin_budget_ns > 0 ? (uint64_t)spin_budget_ns : 0;
}

/* The iteration count for a run: scaled, at least one per chunk. */
static unsigned int iters(unsigned int n)
{
	double v = n * opt_scale;

	if (opt_smoke)
		v = CHUNKS * 2;
	return v < CHUNKS ? CHUNKS : (unsigned int)v;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		die("sched_setaffinity to CPU %d failed", cpu);
}

/* ---- samples ---------------------------------------------------------------- */

struct samples {
	double v[MAX_SAMPLES];
	int n;
	uint64_t t;		/* start of the current chunk */
	unsigned int done;	/* operations in the current chunk */
	unsigned int per;	/* operations per chunk */
};

static void s_start(struct samples *s, unsigned int total)
{
	s->n = 0;
	s->done = 0;
	s->per = total / CHUNKS ? total / CHUNKS : 1;
	s->t = now_ns();
}

/* Count k operations; closes a chunk when it is full. */
static inline void s_ops(struct samples *s, unsigned int k)
{
	s->done += k;
	if (s->done >= s->per) {
		uint64_t t = now_ns();

		if (s->n < MAX_SAMPLES)
			s->v[s->n++] = (double)(t - s->t) / s->done;
		s->t = t;
		s->done = 0;
	}
}

static void s_one(struct samples *s, double v)
{
	if (s->n < MAX_SAMPLES)
		s->v[s->n++] = v;
}

static void emit(const char *bench, const char *param, const char *place,
		 const char *impl, const char *unit, int rep,
		 const struct samples *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		printf("%s,%s,%s,%s,%s,%d,%.6g\n", bench, param, place, impl,
		       unit, rep, s->v[i]);
	fflush(stdout);
}

/* Is bench one of the comma-separated names of --only (or no --only)? */
static bool wanted(const char *bench)
{
	size_t len = strlen(bench);
	const char *p = opt_only;

	if (!p)
		return true;
	for (; (p = strstr(p, bench)); p += len)
		if ((p == opt_only || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/* ---- one direction of a link: gochan or a peer -------------------------------- */

enum kind { K_GOCHAN, K_FUTEX, K_EVENTFD, K_PIPE, K_SEQPACKET, K_MQ };

/*
 * The futex peer: a one-slot mailbox.  The receiver counts itself in
 * sleepers before FUTEX_WAIT, so that the sender makes the FUTEX_WAKE
 * call only when somebody sleeps.  No lost wake-up: the receiver's
 * sleepers increment and the sender's seq increment are both seq_cst
 * read-modify-writes, each followed by a load of the other word; in
 * their single total order one of the two loads sees the other's write,
 * so either the receiver sees the new seq or the sender sees a sleeper
 * (and FUTEX_WAIT itself rechecks seq against the value it slept on).
 */
struct fbox {
	uint32_t seq;
	uint32_t sleepers;
	uint64_t val;
};

struct dir {
	enum kind kind;
	bool spin;		/* spin peer_spin_ns() before sleeping */
	int wfd, rfd;		/* gochan: one fd for both */
	mqd_t mq;
	struct fbox *box;
	uint32_t seen;		/* futex: the receiver's last seq */
	size_t len;		/* message size */
};

/* A spin turn: the compiler must reload what the loop watches. */
static inline void relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/*
 * A spinning peer's wait: true while the budget lasts.  Looks at the
 * clock every 32 turns, as gochan's spin does.
 */
struct spin {
	uint64_t end;
	unsigned int i;
	bool on;
};

static void spin_begin(struct spin *sp, const struct dir *d)
{
	uint64_t budget = d->spin ? peer_spin_ns() : 0;

	sp->on = budget > 0;
	sp->i = 0;
	sp->end = sp->on ? now_ns() + budget : 0;
}

static bool spin_more(struct spin *sp)
{
	if (!sp->on)
		return false;
	if (!(++sp->i % 32) && now_ns() > sp->end)
		sp->on = false;
	else
		relax();
	return sp->on;
}

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static int mq_seq;

static void dir_open(struct dir *d, enum kind k, size_t len,
		     unsigned int cap, bool spin)
{
	int fds[2];

	memset(d, 0, sizeof(*d));
	d->kind = k;
	d->len = len;
	d->spin = spin;
	switch (k) {
	case K_GOCHAN:
		d->wfd = gochan_make(len, cap, GOCHAN_MAKE_CLOEXEC);
		if (d->wfd < 0)
			die("gochan_make: %s", strerror(-d->wfd));
		d->rfd = d->wfd;
		break;
	case K_FUTEX:
		d->box = calloc(1, sizeof(*d->box));
		if (!d->box)
			die("out of memory");
		break;
	case K_EVENTFD:
		d->wfd = eventfd(0, EFD_CLOEXEC);
		if (d->wfd < 0)
			die("eventfd: %m");
		d->rfd = d->wfd;
		break;
	case K_PIPE:
		if (pipe2(fds, O_CLOEXEC))
			die("pipe: %m");
		/* Room for cap messages, as the channel has. */
		if (cap * len > 4096 &&
		    fcntl(fds[1], F_SETPIPE_SZ, (int)(cap * len)) < 0)
			die("F_SETPIPE_SZ: %m");
		d->rfd = fds[0];
		d->wfd = fds[1];
		/* The spinning pipe retries non-blocking calls, then polls. */
		if (spin && (fcntl(d->rfd, F_SETFL, O_NONBLOCK) ||
			     fcntl(d->wfd, F_SETFL, O_NONBLOCK)))
			die("O_NONBLOCK: %m");
		break;
	case K_SEQPACKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds))
			die("socketpair: %m");
		d->wfd = fds[0];
		d->rfd = fds[1];
		/*
		 * Room for cap messages, as the channel has: each queued
		 * datagram is charged its truesize (the payload plus ~1 KiB
		 * of skb) to the sender's buffer, and the receiver queues at
		 * most net.unix.max_dgram_qlen of them (main() raises it).
		 */
		{
			int sz = (int)((cap ? cap : 1) * (len + 1024) * 2);

			if (setsockopt(d->wfd, SOL_SOCKET, SO_SNDBUFFORCE, &sz,
				       sizeof(sz)) &&
			    setsockopt(d->wfd, SOL_SOCKET, SO_SNDBUF, &sz,
				       sizeof(sz)))
				die("SO_SNDBUF: %m");
			if (setsockopt(d->rfd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
				       sizeof(sz)) &&
			    setsockopt(d->rfd, SOL_SOCKET, SO_RCVBUF, &sz,
				       sizeof(sz)))
				die("SO_RCVBUF: %m");
		}
		break;
	case K_MQ: {
		struct mq_attr a = { .mq_maxmsg = cap ? cap : 1,
				     .mq_msgsize = (long)len };
		char name[64];

		snprintf(name, sizeof(name), "/gochan_bench.%d.%d", getpid(),
			 mq_seq++);
		d->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
		if (d->mq == (mqd_t)-1)
			die("mq_open (maxmsg %u, msgsize %zu): %m", cap, len);
		mq_unlink(name);
		break;
	}
	}
}

static void dir_close(struct dir *d)
{
	switch (d->kind) {
	case K_FUTEX:
		free(d->box);
		break;
	case K_MQ:
		mq_close(d->mq);
		break;
	case K_PIPE:
	case K_SEQPACKET:
		close(d->rfd);
		close(d->wfd);
		break;
	default:
		close(d->wfd);
	}
}

static void xwrite(int fd, const void *buf, size_t len)
{
	ssize_t r = write(fd, buf, len);

	if (r != (ssize_t)len)
		die("write: %zd of %zu: %m", r, len);
}

/* Wait for fd to be ready (POLLIN or POLLOUT): spin, then poll. */
static void fd_wait(int fd, short events, struct spin *sp)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (spin_more(sp))
		return;		/* the caller retries its call */
	if (poll(&p, 1, -1) < 0 && errno != EINTR)
		die("poll: %m");
}

/* The spinning pipe: all of len bytes, retried on EAGAIN. */
static void spin_write(struct dir *d, const void *buf, size_t len)
{
	struct spin sp;
	size_t done = 0;
	ssize_t r;

	spin_begin(&sp, d);
	while (done < len) {
		r = write(d->wfd, (const char *)buf + done, len - done);
		if (r > 0)
			done += r;
		else if (r < 0 && errno == EAGAIN)
			fd_wait(d->wfd, POLLOUT, &sp);
		else
			die("write: %m");
	}
}

/* Up to len bytes, at least min; returns how many. */
static size_t spin_read(struct dir *d, void *buf, size_t min, size_t len)
{
	struct spin sp;
	size_t done = 0;
	ssize_t r;

	spin_begin(&sp, d);
	while (done < min) {
		r = read(d->rfd, (char *)buf + done, len - done);
		if (r > 0)
			done += r;
		else if (r < 0 && errno == EAGAIN)
			fd_wait(d->rfd, POLLIN, &sp);
		else
			die("pipe read: %m");
	}
	return done;
}

static void dir_send(struct dir *d, const void *buf)
{
	uint64_t one = 1;
	int ret;

	switch (d->kind) {
	case K_GOCHAN:
		ret = gochan_send(d->wfd, buf);
		if (ret)
			die("gochan_send: %s", strerror(-ret));
		break;
	case K_FUTEX:
		memcpy(&d->box->val, buf, sizeof(d->box->val));
		__atomic_fetch_add(&d->box->seq, 1, __ATOMIC_SEQ_CST);
		/* Only a receiver that sleeps needs the call (see fbox). */
		if (__atomic_load_n(&d->box->sleepers, __ATOMIC_SEQ_CST))
			futex(&d->box->seq, FUTEX_WAKE_PRIVATE, 1);
		break;
	case K_EVENTFD:
		xwrite(d->wfd, &one, sizeof(one));
		break;
	case K_PIPE:
		if (d->spin)
			spin_write(d, buf, d->len);
		else
			xwrite(d->wfd, buf, d->len);
		break;
	case K_SEQPACKET:
		xwrite(d->wfd, buf, d->len);
		break;
	case K_MQ:
		if (mq_send(d->mq, buf, d->len, 0))
			die("mq_send: %m");
		break;
	}
}

static void dir_recv(struct dir *d, void *buf)
{
	uint32_t s;
	uint64_t v;
	ssize_t r;
	bool ok;
	int ret;

	switch (d->kind) {
	case K_GOCHAN:
		ret = gochan_recv(d->rfd, buf, &ok);
		if (ret || !ok)
			die("gochan_recv: %s", ret ? strerror(-ret) : "closed");
		break;
	case K_FUTEX: {
		struct spin sp;

		spin_begin(&sp, d);
		while (__atomic_load_n(&d->box->seq, __ATOMIC_ACQUIRE) ==
		       d->seen && spin_more(&sp))
			;
		while ((s = __atomic_load_n(&d->box->seq, __ATOMIC_ACQUIRE)) ==
		       d->seen) {
			__atomic_fetch_add(&d->box->sleepers, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&d->box->seq, __ATOMIC_SEQ_CST) ==
			    d->seen)
				futex(&d->box->seq, FUTEX_WAIT_PRIVATE, d->seen);
			__atomic_fetch_sub(&d->box->sleepers, 1, __ATOMIC_RELAXED);
		}
		d->seen = s;
		memcpy(buf, &d->box->val, sizeof(d->box->val));
		break;
	}
	case K_EVENTFD:
		/* eventfd carries a count, not a value: the caller's own. */
		if (read(d->rfd, &v, sizeof(v)) != sizeof(v))
			die("eventfd read: %m");
		break;
	case K_PIPE:
		if (d->spin) {
			spin_read(d, buf, d->len, d->len);
			break;
		}
		for (size_t got = 0; got < d->len; got += r) {
			r = read(d->rfd, (char *)buf + got, d->len - got);
			if (r <= 0)
				die("pipe read: %m");
		}
		break;
	case K_SEQPACKET:
		r = read(d->rfd, buf, d->len);
		if (r != (ssize_t)d->len)
			die("seqpacket read: %zd: %m", r);
		break;
	case K_MQ:
		r = mq_receive(d->mq, buf, d->len, NULL);
		if (r != (ssize_t)d->len)
			die("mq_receive: %zd: %m", r);
		break;
	}
}

/* One message per iovec for sendmmsg/recvmmsg. */
static void mm_setup(struct mmsghdr *mm, struct iovec *iov, const void *buf,
		     unsigned int n, size_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		iov[i].iov_base = (char *)buf + i * len;
		iov[i].iov_len = len;
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Batched forms: up to n messages per call; returns how many went. */
static unsigned int dir_send_batch(struct dir *d, const void *buf,
				   unsigned int n)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int ret;

	switch (d->kind) {
	case K_GOCHAN:
		ret = gochan_send_batch(d->wfd, buf, n, 0);
		if (ret <= 0)
			die("gochan_send_batch: %s", strerror(-ret));
		return ret;
	case K_PIPE:
		if (d->spin)
			spin_write(d, buf, n * d->len);
		else
			xwrite(d->wfd, buf, n * d->len);
		return n;
	case K_SEQPACKET:
		mm_setup(mm, iov, buf, n, d->len);
		ret = sendmmsg(d->wfd, mm, n, 0);
		if (ret <= 0)
			die("sendmmsg: %m");
		return ret;
	default:
		die("no batched form");
	}
	return 0;
}

static unsigned int dir_recv_batch(struct dir *d, void *buf, unsigned int n)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	ssize_t r, more;
	bool ok;
	int ret;

	switch (d->kind) {
	case K_GOCHAN:
		ret = gochan_recv_batch(d->rfd, buf, n, 0, &ok);
		if (ret <= 0)
			die("gochan_recv_batch: %s", ret ? strerror(-ret) : "closed");
		return ret;
	case K_PIPE:
		if (d->spin) {
			/* At least one message, and no message in part. */
			r = spin_read(d, buf, d->len, n * d->len);
			if (r % d->len)
				r += spin_read(d, (char *)buf + r,
					       d->len - r % d->len,
					       d->len - r % d->len);
			return r / d->len;
		}
		r = read(d->rfd, buf, n * d->len);
		if (r <= 0)
			die("pipe read: %m");
		/* A message read in part: the writer wrote all of it. */
		while (r % d->len) {
			more = read(d->rfd, (char *)buf + r,
				    d->len - r % d->len);
			if (more <= 0)
				die("pipe read: %m");
			r += more;
		}
		return r / d->len;
	case K_SEQPACKET:
		mm_setup(mm, iov, buf, n, d->len);
		ret = recvmmsg(d->rfd, mm, n, MSG_WAITFORONE, NULL);
		if (ret <= 0)
			die("recvmmsg: %m");
		return ret;
	default:
		die("no batched form");
	}
	return 0;
}

static const char *place_name(int cross)
{
	return cross ? "cross-cpu" : "same-cpu";
}

/* ---- ping-pong --------------------------------------------------------------- */

struct impl {
	const char *name;
	enum kind kind;
	unsigned int cap;
	bool batch;
	bool spin;		/* a peer that spins gochan's budget */
};

/* One sample: the process's CPU time (all threads) per operation. */
static void emit_cpu(const char *bench, const char *param, const char *place,
		     const char *impl, const char *unit, int rep,
		     uint64_t cpu, unsigned int ops)
{
	char u[40];

	if (rep < 0)
		return;
	snprintf(u, sizeof(u), "cpu-%s", unit);
	printf("%s,%s,%s,%s,%s,%d,%.6g\n", bench, param, place, impl, u, rep,
	       (double)cpu / ops);
	fflush(stdout);
}

struct pp_arg {
	struct dir *d;		/* [0] ping, [1] pong */
	unsigned int n;
	int cpu;
};

static void *pp_echo(void *p)
{
	struct pp_arg *a = p;
	uint64_t v;

	pin(a->cpu);
	for (unsigned int i = 0; i < a->n; i++) {
		dir_recv(&a->d[0], &v);
		v++;
		dir_send(&a->d[1], &v);
	}
	return NULL;
}

static void run_pingpong(const struct impl *im, const void *arg, int rep)
{
	int cross = *(const int *)arg;
	struct dir d[2];
	struct pp_arg a = { .d = d, .n = iters(4000), .cpu = cross };
	struct samples s;
	uint64_t v, c0;
	pthread_t t;

	cur_cross = cross;
	if (im->kind == K_GOCHAN)
		gochan_spin_for(im->name);
	dir_open(&d[0], im->kind, 8, im->cap, im->spin);
	dir_open(&d[1], im->kind, 8, im->cap, im->spin);
	pin(0);
	c0 = cpu_ns();
	if (pthread_create(&t, NULL, pp_echo, &a))
		die("pthread_create");
	s_start(&s, a.n);
	for (uint64_t i = 0; i < a.n; i++) {
		v = i * 2;
		dir_send(&d[0], &v);
		dir_recv(&d[1], &v);
		if (im->kind != K_EVENTFD && v != i * 2 + 1)
			die("%s ping-pong: got %llu, want %llu", im->name,
			    (unsigned long long)v, (unsigned long long)i * 2 + 1);
		s_ops(&s, 1);
	}
	pthread_join(t, NULL);
	emit_cpu("pingpong", "8B", place_name(cross), im->name, "ns/roundtrip",
		 rep, cpu_ns() - c0, a.n);
	dir_close(&d[0]);
	dir_close(&d[1]);
	if (im->kind == K_GOCHAN)
		gochan_spin_for("");
	if (rep >= 0)
		emit("pingpong", "8B", place_name(cross), im->name, "ns/roundtrip",
		     rep, &s);
}

/*
 * One warm-up round (rep -1, not recorded), then opt_reps rounds; each
 * round runs every implementation once, in order.
 */
static void alternate(const struct impl *impls, size_t n,
		      void (*run)(const struct impl *im, const void *arg,
				  int rep),
		      const void *arg)
{
	for (int rep = -1; rep < opt_reps; rep++)
		for (size_t k = 0; k < n; k++)
			run(&impls[k], arg, rep);
}

static void bench_pingpong(void)
{
	static const struct impl impls[] = {
		{ "gochan-unbuffered", K_GOCHAN, 0 },
		{ "gochan-unbuffered-nospin", K_GOCHAN, 0 },
		{ "gochan-cap1", K_GOCHAN, 1 },
		{ "futex-spin", K_FUTEX, 1, false, true },
		{ "futex", K_FUTEX, 1 },
		{ "pipe-spin", K_PIPE, 1, false, true },
		{ "pipe", K_PIPE, 1 },
		{ "eventfd", K_EVENTFD, 1 },
		{ "unix-seqpacket", K_SEQPACKET, 1 },
		{ "posix-mq", K_MQ, 1 },
	};
	for (int cross = 0; cross <= (ncpus > 1); cross++)
		alternate(impls, ARRAY_SIZE(impls), run_pingpong, &cross);
}

/* ---- streaming throughput --------------------------------------------------- */

struct st_arg {
	struct dir *d;
	const struct impl *im;
	unsigned int n;
	int cpu;
};

static void *st_produce(void *p)
{
	struct st_arg *a = p;
	size_t len = a->d->len;
	char *buf = calloc(BATCH, len);
	unsigned int i = 0, k, m;

	if (!buf)
		die("out of memory");
	pin(a->cpu);
	while (i < a->n) {
		m = a->im->batch ? BATCH : 1;
		if (m > a->n - i)
			m = a->n - i;
		for (k = 0; k < m; k++)
			memcpy(buf + k * len, &(uint64_t){ i + k }, 8);
		/* A batch partly taken refills from the first value left. */
		if (a->im->batch) {
			i += dir_send_batch(a->d, buf, m);
		} else {
			dir_send(a->d, buf);
			i++;
		}
	}
	free(buf);
	return NULL;
}

struct st_how {
	size_t len;
	int cross;
};

static void run_stream(const struct impl *im, const void *arg, int rep)
{
	const struct st_how *how = arg;
	size_t len = how->len;
	int cross = how->cross;
	struct dir d;
	struct st_arg a = { .d = &d, .im = im, .cpu = cross };
	struct samples s;
	char *buf = calloc(BATCH + 1, len);
	unsigned int i = 0, k, m;
	char param[32];
	uint64_t v, c0;
	pthread_t t;

	if (!buf)
		die("out of memory");
	a.n = iters(len > 64 ? 5000 : 20000);
	cur_cross = cross;
	if (im->kind == K_GOCHAN)
		gochan_spin_for(im->name);
	dir_open(&d, im->kind, len, STREAM_CAP, im->spin);
	pin(0);
	c0 = cpu_ns();
	if (pthread_create(&t, NULL, st_produce, &a))
		die("pthread_create");
	s_start(&s, a.n);
	while (i < a.n) {
		if (im->batch) {
			m = dir_recv_batch(&d, buf, BATCH);
		} else {
			dir_recv(&d, buf);
			m = 1;
		}
		for (k = 0; k < m; k++) {
			memcpy(&v, buf + k * len, 8);
			if (v != i + k)
				die("%s stream: value %llu, want %u", im->name,
				    (unsigned long long)v, i + k);
		}
		i += m;
		s_ops(&s, m);
	}
	pthread_join(t, NULL);
	snprintf(param, sizeof(param), "%zuB", len);
	emit_cpu("stream", param, place_name(cross), im->name, "ns/msg", rep,
		 cpu_ns() - c0, a.n);
	dir_close(&d);
	if (im->kind == K_GOCHAN)
		gochan_spin_for("");
	free(buf);
	if (rep >= 0)
		emit("stream", param, place_name(cross), im->name, "ns/msg", rep,
		     &s);
}

static void bench_stream(void)
{
	static const struct impl impls[] = {
		{ "gochan", K_GOCHAN, STREAM_CAP, false },
		{ "gochan-nospin", K_GOCHAN, STREAM_CAP, false },
		{ "gochan-batch64", K_GOCHAN, STREAM_CAP, true },
		{ "gochan-batch64-nospin", K_GOCHAN, STREAM_CAP, true },
		{ "pipe-spin", K_PIPE, STREAM_CAP, false, true },
		{ "pipe", K_PIPE, STREAM_CAP, false },
		{ "pipe-batch64-spin", K_PIPE, STREAM_CAP, true, true },
		{ "pipe-batch64", K_PIPE, STREAM_CAP, true },
		{ "unix-seqpacket", K_SEQPACKET, STREAM_CAP, false },
		{ "unix-seqpacket-batch64", K_SEQPACKET, STREAM_CAP, true },
		{ "posix-mq", K_MQ, STREAM_CAP, false },
	};
	static const size_t lens[] = { 8, 1024 };
	struct st_how how;

	for (int l = 0; l < 2; l++)
		for (int cross = 0; cross <= (ncpus > 1); cross++) {
			how = (struct st_how){ lens[l], cross };
			alternate(impls, ARRAY_SIZE(impls), run_stream, &how);
		}
}

/* ---- select over k channels, one ready ------------------------------------------ */

/*
 * k channels (receive cases into *v) or k eventfds in an epoll set; the
 * epoll fd, or -1.
 */
static int select_open(const struct impl *im, unsigned int k, int *fds,
		       struct gochan_case *cs, uint64_t *v)
{
	struct epoll_event ev;
	unsigned int j;
	int ep;

	for (j = 0; j < k; j++) {
		if (im->kind == K_GOCHAN) {
			fds[j] = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC);
			if (fds[j] < 0)
				die("gochan_make: %s", strerror(-fds[j]));
			cs[j] = GOCHAN_RECV_CASE(fds[j], v);
		} else {
			fds[j] = eventfd(0, EFD_CLOEXEC);
			if (fds[j] < 0)
				die("eventfd: %m");
		}
	}
	if (im->kind == K_GOCHAN)
		return -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1: %m");
	for (j = 0; j < k; j++) {
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = j };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[j], &ev))
			die("epoll_ctl: %m");
	}
	return ep;
}

static void select_close(unsigned int k, const int *fds, int ep)
{
	unsigned int j;

	for (j = 0; j < k; j++)
		close(fds[j]);
	if (ep >= 0)
		close(ep);
}

static void run_select(const struct impl *im, const void *arg, int rep)
{
	unsigned int k = *(const unsigned int *)arg;
	struct gochan_case cs[64];
	struct epoll_event ev;
	unsigned int n = iters(3000), i, j;
	uint64_t v, one = 1;
	int fds[64], ep = -1, r;
	struct samples s;
	char param[16];

	pin(0);
	ep = select_open(im, k, fds, cs, &v);
	s_start(&s, n);
	for (i = 0; i < n; i++) {
		j = (i * 7) % k;	/* the ready one moves around */
		if (im->kind == K_GOCHAN) {
			v = i;
			r = gochan_trysend(fds[j], &v);
			if (r)
				die("gochan_trysend: %s", strerror(-r));
			r = gochan_select(cs, k, 0, -1);
			if (r != (int)j || v != i || !cs[j].ok)
				die("select chose %d (value %llu), want %u", r,
				    (unsigned long long)v, j);
		} else {
			xwrite(fds[j], &one, sizeof(one));
			r = epoll_wait(ep, &ev, 1, -1);
			if (r != 1 || ev.data.u32 != j)
				die("epoll_wait: %d, fd %u, want %u", r,
				    ev.data.u32, j);
			if (read(fds[j], &v, sizeof(v)) != sizeof(v))
				die("eventfd read: %m");
		}
		s_ops(&s, 1);
	}
	select_close(k, fds, ep);
	snprintf(param, sizeof(param), "k=%u", k);
	if (rep >= 0)
		emit("select", param, "same-cpu", im->name, "ns/op", rep, &s);
}

static void bench_select(void)
{
	static const struct impl impls[] = {
		{ "gochan-select", K_GOCHAN },
		{ "epoll-eventfd", K_EVENTFD },
	};
	static const unsigned int ks[] = { 1, 4, 16, 64 };

	for (size_t i = 0; i < ARRAY_SIZE(ks); i++)
		alternate(impls, ARRAY_SIZE(impls), run_select, &ks[i]);
}

/*
 * ---- a non-blocking select over k idle channels ---------------------------------
 *
 * The answer "none ready" (Go's default): gochan locks every channel to
 * give it at one instant; the peer is epoll_wait() with a zero timeout
 * over k idle eventfds.  The slope in k is the cost per case.
 */
static void run_select_idle(const struct impl *im, const void *arg, int rep)
{
	unsigned int k = *(const unsigned int *)arg;
	struct gochan_case cs[64];
	struct epoll_event ev;
	unsigned int n = iters(3000), i;
	int fds[64], ep = -1, r;
	struct samples s;
	char param[16];
	uint64_t v;

	pin(0);
	ep = select_open(im, k, fds, cs, &v);
	s_start(&s, n);
	for (i = 0; i < n; i++) {
		if (im->kind == K_GOCHAN) {
			r = gochan_select(cs, k, GOCHAN_SELECT_NONBLOCK, -1);
			if (r != -EAGAIN)
				die("select over idle channels: %d", r);
		} else {
			r = epoll_wait(ep, &ev, 1, 0);
			if (r != 0)
				die("epoll_wait over idle eventfds: %d", r);
		}
		s_ops(&s, 1);
	}
	select_close(k, fds, ep);
	snprintf(param, sizeof(param), "k=%u", k);
	if (rep >= 0)
		emit("select-idle", param, "same-cpu", im->name, "ns/op", rep, &s);
}

static void bench_select_idle(void)
{
	static const struct impl impls[] = {
		{ "gochan-select", K_GOCHAN },
		{ "epoll-eventfd", K_EVENTFD },
	};
	static const unsigned int ks[] = { 1, 4, 16, 64 };

	for (size_t i = 0; i < ARRAY_SIZE(ks); i++)
		alternate(impls, ARRAY_SIZE(impls), run_select_idle, &ks[i]);
}

/*
 * ---- a selector: one ready case among k registered --------------------------------
 *
 * k channels registered once in a selector, or k eventfds in an epoll
 * set; each round makes one ready and takes its value: a write(2) of
 * the value on the channel fd and a selector wait (which receives), or
 * a write(2) on the eventfd, an epoll_wait() and a read.
 * "gochan-selector-ready" is the epoll-shaped use: a write, a wait that
 * only reports (GOCHAN_WAIT_READY), and a receive;
 * "gochan-selector-ioctl" sends with gochan_trysend() (the ioctl) instead
 * of write(2).  Neither side spins.  The cost should be flat in k.
 */
#define SELECTOR_KMAX	4096
#define K_SELECTOR_READY	100	/* impl.cap: the READY-mode variant;
					 * impl.batch: send by ioctl
					 */

struct selector_set {
	int fds[SELECTOR_KMAX];
	int sfd;		/* the selector or the epoll fd */
	unsigned int k;
};

static void selector_open(const struct impl *im, unsigned int k,
			  struct selector_set *ss)
{
	struct epoll_event ev;
	unsigned int j;
	int r;

	ss->k = k;
	if (im->kind == K_GOCHAN) {
		ss->sfd = gochan_selector();
		if (ss->sfd < 0)
			die("gochan_selector: %s", strerror(-ss->sfd));
	} else {
		ss->sfd = epoll_create1(EPOLL_CLOEXEC);
		if (ss->sfd < 0)
			die("epoll_create1: %m");
	}
	for (j = 0; j < k; j++) {
		if (im->kind == K_GOCHAN) {
			ss->fds[j] = gochan_make(8, 1, GOCHAN_MAKE_CLOEXEC);
			if (ss->fds[j] < 0)
				die("gochan_make: %s", strerror(-ss->fds[j]));
			r = gochan_selector_add(ss->sfd, ss->fds[j],
						GOCHAN_DIR_RECV, NULL, 8, j);
			if (r)
				die("gochan_selector_add: %s", strerror(-r));
		} else {
			ss->fds[j] = eventfd(0, EFD_CLOEXEC);
			if (ss->fds[j] < 0)
				die("eventfd: %m");
			ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = j };
			if (epoll_ctl(ss->sfd, EPOLL_CTL_ADD, ss->fds[j], &ev))
				die("epoll_ctl: %m");
		}
	}
}

static void selector_close(struct selector_set *ss)
{
	for (unsigned int j = 0; j < ss->k; j++)
		close(ss->fds[j]);
	close(ss->sfd);
}

/* Make case j ready (value v). */
static void selector_ready_one(const struct impl *im, struct selector_set *ss,
			       unsigned int j, uint64_t v)
{
	int r;

	if (im->kind == K_GOCHAN && im->batch) {
		r = gochan_trysend(ss->fds[j], &v);
		if (r)
			die("gochan_trysend: %s", strerror(-r));
	} else {
		/* write(2) on the channel fd, as on the eventfd. */
		xwrite(ss->fds[j], &v, sizeof(v));
	}
}

/* Wait for the one ready case, take its value; check it is j's. */
static void selector_take(const struct impl *im, struct selector_set *ss,
			  unsigned int j, uint64_t want)
{
	struct gochan_selector_event gev;
	struct epoll_event ev;
	uint64_t v = 0;
	__u64 key = ~0ULL;
	bool ok = false;
	int r;

	if (im->kind != K_GOCHAN) {
		r = epoll_wait(ss->sfd, &ev, 1, -1);
		if (r != 1 || ev.data.u32 != j)
			die("epoll_wait: %d, fd %u, want %u", r, ev.data.u32, j);
		if (read(ss->fds[j], &v, sizeof(v)) != sizeof(v) || v != want)
			die("eventfd read: %m");
		return;
	}
	if (im->cap == K_SELECTOR_READY) {
		r = gochan_selector_ready(ss->sfd, &gev, 1, 0, -1);
		if (r != 1 || gev.key != j)
			die("gochan_selector_ready: %d, key %llu, want %u", r,
			    (unsigned long long)gev.key, j);
		r = gochan_tryrecv(ss->fds[j], &v, &ok);
	} else {
		r = gochan_selector_wait(ss->sfd, &v, sizeof(v), 0, -1, &key,
					 NULL, &ok);
		if (!r && key != j)
			die("selector chose %llu, want %u",
			    (unsigned long long)key, j);
	}
	if (r || !ok || v != want)
		die("selector receive: %d, ok %d, value %llu, want %llu", r, ok,
		    (unsigned long long)v, (unsigned long long)want);
}

static void run_selector(const struct impl *im, const void *arg, int rep)
{
	unsigned int k = *(const unsigned int *)arg;
	unsigned int n = iters(3000), i, j;
	struct selector_set *ss = malloc(sizeof(*ss));
	struct samples s;
	char param[16];
	uint64_t c0;

	if (!ss)
		die("malloc");
	pin(0);
	selector_open(im, k, ss);
	c0 = cpu_ns();
	s_start(&s, n);
	for (i = 0; i < n; i++) {
		j = (i * 7919u) % k;	/* the ready one moves around */
		selector_ready_one(im, ss, j, i + 1);
		selector_take(im, ss, j, i + 1);
		s_ops(&s, 1);
	}
	snprintf(param, sizeof(param), "k=%u", k);
	emit_cpu("selector", param, "same-cpu", im->name, "ns/op", rep,
		 cpu_ns() - c0, n);
	selector_close(ss);
	free(ss);
	if (rep >= 0)
		emit("selector", param, "same-cpu", im->name, "ns/op", rep, &s);
}

/*
 * A blocking wait woken from the other CPU: the waiter (CPU 1) sleeps
 * in the selector's wait or in epoll_wait() over k = 64; the main thread
 * (CPU 0) makes one case ready and blocks until the waiter answers on an
 * eventfd, the same for both.  Neither spins.
 */
struct sw_arg {
	const struct impl *im;
	struct selector_set *ss;
	int reply;
	unsigned int n;
};

static void *selector_waker_peer(void *p)
{
	struct sw_arg *a = p;
	uint64_t one = 1;

	pin(1);
	for (unsigned int i = 0; i < a->n; i++) {
		selector_take(a->im, a->ss, (i * 7919u) % a->ss->k, i + 1);
		xwrite(a->reply, &one, sizeof(one));
	}
	return NULL;
}

static void run_selector_wake(const struct impl *im, const void *arg, int rep)
{
	unsigned int k = *(const unsigned int *)arg;
	struct sw_arg a = { .im = im, .n = iters(2000) };
	struct samples s;
	char param[16];
	uint64_t v, c0;
	pthread_t t;

	a.ss = malloc(sizeof(*a.ss));
	if (!a.ss)
		die("malloc");
	a.reply = eventfd(0, EFD_CLOEXEC);
	if (a.reply < 0)
		die("eventfd: %m");
	pin(0);
	selector_open(im, k, a.ss);
	c0 = cpu_ns();
	if (pthread_create(&t, NULL, selector_waker_peer, &a))
		die("pthread_create");
	s_start(&s, a.n);
	for (unsigned int i = 0; i < a.n; i++) {
		selector_ready_one(im, a.ss, (i * 7919u) % k, i + 1);
		if (read(a.reply, &v, sizeof(v)) != sizeof(v))
			die("eventfd read: %m");
		s_ops(&s, 1);
	}
	pthread_join(t, NULL);
	snprintf(param, sizeof(param), "k=%u", k);
	emit_cpu("selector-wake", param, "cross-cpu", im->name, "ns/op", rep,
		 cpu_ns() - c0, a.n);
	selector_close(a.ss);
	close(a.reply);
	free(a.ss);
	if (rep >= 0)
		emit("selector-wake", param, "cross-cpu", im->name, "ns/op", rep,
		     &s);
}

#define CHANS_PARAM	"/sys/module/gochan/parameters/max_chans_per_user"

static void bench_selector(void)
{
	static const struct impl impls[] = {
		{ "gochan-selector", K_GOCHAN },
		{ "gochan-selector-ready", K_GOCHAN, K_SELECTOR_READY },
		{ "gochan-selector-ioctl", K_GOCHAN, 0, true },
		{ "epoll-eventfd", K_EVENTFD },
	};
	static const unsigned int ks[] = { 1, 64, 1024, SELECTOR_KMAX };
	static const unsigned int k64 = 64;
	/* 4096 channels at once, and as many eventfds: room for both. */
	struct rlimit nofile = { 4 * SELECTOR_KMAX, 4 * SELECTOR_KMAX };
	long chans = read_long(CHANS_PARAM);

	setrlimit(RLIMIT_NOFILE, &nofile);
	if (chans >= 0 && chans < 2 * SELECTOR_KMAX)
		write_long(CHANS_PARAM, 2 * SELECTOR_KMAX);
	for (size_t i = 0; i < ARRAY_SIZE(ks); i++)
		alternate(impls, ARRAY_SIZE(impls), run_selector, &ks[i]);
	if (ncpus > 1)
		alternate(impls, ARRAY_SIZE(impls), run_selector_wake, &k64);
	if (chans >= 0 && chans < 2 * SELECTOR_KMAX)
		write_long(CHANS_PARAM, chans);
}

/* ---- close waking N blocked receivers ------------------------------------------- */

struct cw {
	const struct impl *im;
	int fd;
	uint32_t word;	/* futex peer: 0 until the wake */
	atomic_int ready;
	pid_t tids[MAX_WAITERS];
	uint64_t woke[MAX_WAITERS];
	int cpu;
	atomic_int bad;
};

struct cw_arg {
	struct cw *c;
	int i;
};

static void *cw_wait(void *p)
{
	struct cw_arg *a = p;
	struct cw *c = a->c;
	uint64_t v;
	bool ok = true;

	pin(c->cpu);
	c->tids[a->i] = gettid();
	atomic_fetch_add(&c->ready, 1);
	if (c->im->kind == K_GOCHAN) {
		if (gochan_recv(c->fd, &v, &ok) || ok)
			atomic_fetch_add(&c->bad, 1);
	} else {
		while (!__atomic_load_n(&c->word, __ATOMIC_ACQUIRE))
			futex(&c->word, FUTEX_WAIT_PRIVATE, 0);
	}
	c->woke[a->i] = now_ns();
	return NULL;
}

/* Is thread tid asleep (state S)? */
static bool asleep(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool s = false;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		s = p && p[1] == ' ' && p[2] == 'S';
	}
	fclose(f);
	return s;
}

struct cw_how {
	unsigned int n;
	int cross;
};

static void run_close(const struct impl *im, const void *arg, int rep)
{
	const struct cw_how *how = arg;
	unsigned int n = how->n;
	int cross = how->cross;
	struct cw *c = calloc(1, sizeof(*c));
	struct cw_arg *args = calloc(n, sizeof(*args));
	pthread_t *t = calloc(n, sizeof(*t));
	struct gochan_info info;
	pthread_attr_t attr;
	struct samples s = {};
	uint64_t t0, last = 0;
	char param[16];
	unsigned int i;

	if (!c || !args || !t)
		die("out of memory");
	c->im = im;
	c->cpu = cross;
	if (im->kind == K_GOCHAN) {
		c->fd = gochan_make(8, 0, GOCHAN_MAKE_CLOEXEC);
		if (c->fd < 0)
			die("gochan_make: %s", strerror(-c->fd));
	}
	pin(0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (i = 0; i < n; i++) {
		args[i] = (struct cw_arg){ .c = c, .i = i };
		if (pthread_create(&t[i], &attr, cw_wait, &args[i]))
			die("pthread_create %u", i);
	}
	/* Every waiter is in the kernel, asleep, before the clock starts. */
	while ((unsigned int)atomic_load(&c->ready) < n)
		usleep(1000);
	for (i = 0; i < n; i++)
		while (!asleep(c->tids[i]))
			usleep(1000);
	if (im->kind == K_GOCHAN) {
		if (gochan_info(c->fd, &info) || info.receivers != n)
			die("%u receivers blocked, want %u", info.receivers, n);
	}
	t0 = now_ns();
	if (im->kind == K_GOCHAN) {
		if (gochan_close(c->fd))
			die("gochan_close");
	} else {
		__atomic_store_n(&c->word, 1, __ATOMIC_RELEASE);
		futex(&c->word, FUTEX_WAKE_PRIVATE, INT_MAX);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (c->woke[i] > last)
			last = c->woke[i];
	}
	if (atomic_load(&c->bad))
		die("%d receivers did not see the close", atomic_load(&c->bad));
	if (im->kind == K_GOCHAN)
		close(c->fd);
	s_one(&s, (double)(last - t0));
	snprintf(param, sizeof(param), "N=%u", n);
	if (rep >= 0)
		emit("close-wake", param, place_name(cross), im->name,
		     "ns-to-last-wake", rep, &s);
	pthread_attr_destroy(&attr);
	free(t);
	free(args);
	free(c);
}

static void bench_close(void)
{
	static const struct impl impls[] = {
		{ "gochan-close", K_GOCHAN },
		{ "futex-wake-all", K_FUTEX },
	};
	static const unsigned int ns[] = { 1, 64, MAX_WAITERS };

	unsigned int close_max = opt_smoke ? 64 : opt_debug ? 256 : MAX_WAITERS;
	struct cw_how how;

	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		for (int cross = 0; cross <= (ncpus > 1); cross++) {
			how = (struct cw_how){ ns[i], cross };
			/* Thousands of threads under KASAN: fewer there. */
			if (how.n > close_max)
				how.n = close_max;
			alternate(impls, ARRAY_SIZE(impls), run_close, &how);
		}
}

/* ---- a no-op ioctl against a null syscall ------------------------------------------ */

/* fds[0] a channel, fds[1] /dev/null. */
static void run_noop(const struct impl *im, const void *arg, int rep)
{
	const int *fds = arg;
	int fd = fds[im->cap == 3];
	struct gochan_xfer x;
	unsigned int n = iters(50000), i;
	struct samples s;
	uint64_t v;

	pin(0);
	s_start(&s, n);
	for (i = 0; i < n; i++) {
		switch (im->cap) {
		case 0:		/* a receive that finds nothing: EAGAIN */
			x = (struct gochan_xfer){ .buf = (uintptr_t)&v,
						  .count = 1,
						  .flags = GOCHAN_XFER_NONBLOCK };
			if (ioctl(fd, GOCHAN_IOC_RECV, &x) != -1 ||
			    errno != EAGAIN)
				die("empty receive: %m");
			break;
		case 1:		/* the ioctl switch's default: ENOTTY */
		case 3:		/* /dev/null has no ioctl: the VFS's floor */
			if (ioctl(fd, _IO(GOCHAN_IOC_MAGIC, 0x7f)) != -1 ||
			    errno != ENOTTY)
				die("unknown ioctl: %m");
			break;
		default:
			syscall(SYS_getppid);
		}
		s_ops(&s, 1);
	}
	if (rep >= 0)
		emit("noop", "-", "same-cpu", im->name, "ns/call", rep, &s);
}

static void bench_noop(void)
{
	static const struct impl impls[] = {
		{ "gochan-tryrecv-empty", K_GOCHAN, 0 },
		{ "gochan-unknown-ioctl", K_GOCHAN, 1 },
		{ "getppid", K_GOCHAN, 2 },
		{ "devnull-unknown-ioctl", K_GOCHAN, 3 },
	};
	int fds[2] = { gochan_make(8, 0, GOCHAN_MAKE_CLOEXEC),
		       open("/dev/null", O_RDONLY | O_CLOEXEC) };

	if (fds[0] < 0)
		die("gochan_make: %s", strerror(-fds[0]));
	if (fds[1] < 0)
		die("/dev/null: %m");
	alternate(impls, ARRAY_SIZE(impls), run_noop, fds);
	close(fds[0]);
	close(fds[1]);
}

/* ---- the kernel module's benchmarks --------------------------------------------- */

#define KB_RUN	"/sys/kernel/debug/gochan_bench/run"

struct kres {
	uint64_t ns, per, n, queue;
	int64_t work, bytes;
	uint64_t cpu;		/* the machine's busy CPU time over the run */
};

static void kbench_run(const char *bench, const char *impl, unsigned int n,
		       struct kres *r)
{
	char cmd[96], line[256], b[24], i[24];
	int fd = open(KB_RUN, O_RDWR);
	ssize_t len;

	if (fd < 0)
		die("%s: %m (is gochan_bench.ko loaded?)", KB_RUN);
	len = snprintf(cmd, sizeof(cmd), "%s %s %u", bench, impl, n);
	if (write(fd, cmd, len) != len)
		die("%s: %m", cmd);
	len = pread(fd, line, sizeof(line) - 1, 0);
	close(fd);
	if (len <= 0)
		die("%s: no result", cmd);
	line[len] = '\0';
	if (sscanf(line,
		   "%23s %23s %lu ns=%lu per=%lu work=%ld bytes=%ld queue=%lu cpu=%lu",
		   b, i, &r->n, &r->ns, &r->per, &r->work, &r->bytes,
		   &r->queue, &r->cpu) != 9)
		die("%s: bad result \"%s\"", cmd, line);
}

/* The "steals" counter of /sys/kernel/debug/gochan/sched. */
static long sched_steals(void)
{
	FILE *f = fopen("/sys/kernel/debug/gochan/sched", "r");
	char line[512];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "steals %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct kimpl {
	const char *name;
	unsigned int n;		/* items per run, before scaling */
};

static void kbench(const char *bench, const char *param,
		   const struct kimpl *impls, size_t nimpl, const char *unit)
{
	struct samples s;
	struct kres r;
	long st0;

	for (int rep = -1; rep < opt_reps; rep++)
		for (size_t k = 0; k < nimpl; k++) {
			unsigned int n = iters(impls[k].n);

			/* 200 goroutines yield: at least one yield each. */
			if (!strcmp(bench, "yield") && n < 200)
				n = 200;

			/* kgo-nospin: the kgo run with gochan.spin_ns = 0. */
			char base[24];

			snprintf(base, sizeof(base), "%s", impls[k].name);
			if (strstr(base, "-nospin"))
				*strstr(base, "-nospin") = '\0';
			gochan_spin_for(impls[k].name);
			st0 = sched_steals();
			kbench_run(bench, base, n, &r);
			gochan_spin_for("");
			s.n = 0;
			if (!strcmp(unit, "x-ideal")) {
				/* drain time against total work / CPUs */
				s_one(&s, (double)r.ns * ncpus / r.work);
				if (rep >= 0) {
					printf("# %s %s rep %d: steals %ld, ",
					       bench, impls[k].name, rep,
					       sched_steals() - st0);
					printf("drain %lu ns, work %ld ns, queueing %lu ns\n",
					       r.ns, r.work, r.queue);
				}
			} else if (!strcmp(unit, "bytes/waiter")) {
				s_one(&s, (double)r.bytes / r.n);
			} else {
				s_one(&s, (double)r.ns / r.n);
				/* the CPU time of every CPU, per item */
				emit_cpu(bench, param, "kernel", impls[k].name,
					 unit, rep, r.cpu, r.n);
			}
			if (rep >= 0)
				emit(bench, param, "kernel", impls[k].name,
				     unit, rep, &s);
		}
}

/*
 * A queued goroutine's memory: one object of the scheduler's slab cache,
 * as SLUB lays it out (object, alignment, and a debug kernel's redzones).
 * A goroutine that runs costs nothing more: it runs on its M.
 */
static void goroutine_bytes(void)
{
	long size = read_long("/sys/kernel/slab/kgo_goroutine/slab_size");
	struct samples s = { .n = 0 };

	if (size <= 0)
		return;
	s_one(&s, (double)size);
	emit("memory", "goroutine", "kernel", "kgo_go", "bytes/goroutine", 0,
	     &s);
}

static void bench_kernel(bool debug)
{
	/* kthread_run costs ~100x a work item: fewer of them. */
	static const struct kimpl spawn10k[] = {
		{ "kgo", 10000 }, { "kgo_record", 10000 }, { "wq", 10000 },
		{ "wq_unbound", 10000 }, { "kthread_worker", 10000 },
		{ "kthread_run", 1000 },
	};
	static const struct kimpl spawn100k[] = {
		{ "kgo", 100000 }, { "kgo_record", 100000 }, { "wq", 100000 },
		{ "wq_unbound", 100000 }, { "kthread_worker", 100000 },
	};
	static const struct kimpl chain[] = { { "kgo", 1000 },
					      { "kgo_record", 1000 },
					      { "wq", 1000 } };
	static const struct kimpl pp[] = { { "kgo", 3000 },
					   { "kgo-nospin", 3000 },
					   { "kthread_spin", 3000 },
					   { "kthread", 3000 } };
	static const struct kimpl yield[] = { { "kgo", 20000 } };
	static const struct kimpl load[] = { { "kgo", 4000 },
					     { "wq_percpu", 4000 },
					     { "wq_unbound", 4000 } };
	struct kimpl mem[] = { { "kgo_cont", debug ? 20000 : 1000000 },
			       { "waitq_work", debug ? 20000 : 1000000 },
			       { "kthread_wait", 2000 } };
	int reps = opt_reps;

	/* The spinning kthread peer spins gochan's budget. */
	if (spin_budget_ns >= 0 && !access(KB_SPIN_PARAM, W_OK))
		write_long(KB_SPIN_PARAM, spin_budget_ns);

	if (wanted("spawn")) {
		kbench("spawn", "10k", spawn10k, 6, "ns/item");
		kbench("spawn", "100k", spawn100k, 5, "ns/item");
	}
	if (wanted("chain"))
		kbench("chain", "1000-hops", chain, 3, "ns/hop");
	if (wanted("kpingpong"))
		kbench("pingpong", "kernel", pp, 4, "ns/roundtrip");
	if (wanted("yield"))
		kbench("yield", "200-goroutines", yield, 1, "ns/yield");
	if (wanted("imbalance"))
		kbench("imbalance", "20us-items", load, 3, "x-ideal");
	if (wanted("balanced"))
		kbench("balanced", "20us-items", load, 3, "x-ideal");
	if (wanted("memory")) {
		/* Memory is a count, not a time: one run each suffices. */
		opt_reps = 1;
		kbench("memory", "parked", mem, 3, "bytes/waiter");
		opt_reps = reps;
		goroutine_bytes();
	}
}

/* ---- main ------------------------------------------------------------------------- */

static void print_help(void)
{
	fprintf(stderr,
		"usage: gochan_bench [--smoke] [--reps N] [--scale F] [--only LIST] user|kernel|all\n"
		"  --smoke     tiny counts, one repetition: proves every benchmark works\n"
		"  --reps N    recorded repetitions per implementation (default 5)\n"
		"  --scale F   multiply every iteration count by F\n"
		"  --only LIST comma-separated benchmark names\n"
		"  --debug     the kernel is a debug build: fewer parked continuations\n"
		"              and at most 256 receivers for close-wake\n");
	exit(2);
}

int main(int argc, char **argv)
{
	bool user = false, kernel = false, debug = false;
	struct utsname u;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			opt_smoke = true;
			opt_reps = 1;
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			opt_reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--scale") && i + 1 < argc) {
			opt_scale = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			opt_only = argv[++i];
		} else if (!strcmp(argv[i], "--debug")) {
			debug = true;
			opt_debug = true;
		} else if (!strcmp(argv[i], "user")) {
			user = true;
		} else if (!strcmp(argv[i], "kernel")) {
			kernel = true;
		} else if (!strcmp(argv[i], "all")) {
			user = true;
			kernel = true;
		} else {
			print_help();
		}
	}
	if ((!user && !kernel) || opt_reps < 1 || opt_scale <= 0)
		print_help();
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	spin_budget_ns = read_long(SPIN_PARAM);
	/*
	 * A unix datagram queue holds net.unix.max_dgram_qlen messages (10
	 * by default): as many as the other queues hold, STREAM_CAP, for
	 * the seqpacket peer.  Root only; the metadata says what it was.
	 */
	if (read_long("/proc/sys/net/unix/max_dgram_qlen") < STREAM_CAP &&
	    !access("/proc/sys/net/unix/max_dgram_qlen", W_OK))
		write_long("/proc/sys/net/unix/max_dgram_qlen", STREAM_CAP);
	/* A 1024-message queue of 1 KiB needs more than the default 800 KiB. */
	setrlimit(RLIMIT_MSGQUEUE,
		  &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	uname(&u);
	printf("# kernel %s %s\n# cpus %d\n# reps %d scale %g smoke %d\n",
	       u.release, u.version, ncpus, opt_reps, opt_scale, opt_smoke);
	printf("# spin_ns %ld (gochan's, and the spinning peers' cross-cpu budget);",
	       spin_budget_ns);
	printf(" unix max_dgram_qlen %ld\n",
	       read_long("/proc/sys/net/unix/max_dgram_qlen"));
	printf("bench,param,place,impl,unit,rep,value\n");
	if (user) {
		if (wanted("pingpong"))
			bench_pingpong();
		if (wanted("stream"))
			bench_stream();
		if (wanted("select"))
			bench_select();
		if (wanted("select-idle"))
			bench_select_idle();
		if (wanted("selector"))
			bench_selector();
		if (wanted("close-wake"))
			bench_close();
		if (wanted("noop"))
			bench_noop();
	}
	if (kernel)
		bench_kernel(debug);
	printf("# done\n");
	return 0;
}
