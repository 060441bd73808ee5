// SPDX-License-Identifier: GPL-2.0
/*
 * gochan_soak: mixed stress with exactly-once accounting.
 *
 *   producers --A (buffered)--> forwarders --B (unbuffered)--> consumers
 *
 * - producers send numbered values on A: single sends and batches, with
 *   SIGALRM every millisecond and no SA_RESTART, so that EINTR (nothing
 *   sent) and partial batches (done < count) are handled all the time;
 * - forwarders move values from A to B: userspace processes with selects
 *   that also wait on a 1 ms ticker and a one-shot timer, and kernel
 *   goroutines (gochan_ktest.ko's relay file) in the same two channels;
 * - consumers receive from B, single and batched, and mark each value;
 * - victims send their own values on A from selects and are SIGKILLed
 *   and replaced at random, their calls in flight;
 * - a churn process makes channels, blocks threads on them and closes
 *   them under the blocked threads, checking Go's close semantics.
 *
 * At the end A is closed; when every forwarder is done B is closed; and
 * the parent checks that every producer value arrived exactly once, that
 * no victim value arrived twice, that the kernel relays lost nothing,
 * that every gochan object counter is back to 0 and that lockdep is
 * still on.  With 9 processes and the kernel relays on 2 CPUs it runs
 * oversubscribed.
 *
 *   gochan_soak [--seconds S] [--seed N] [--no-kernel]
 *
 * Prints TAP: one "ok"/"not ok" line per check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/gochan.h>

#include "fail_nth.h"
#include "stress_rand.h"

#define NPROD		2
#define NVICT		2
#define NFWD		2
#define NCONS		2
#define NKREL		2
#define MAXSEQ		67108864u	/* values per producer, at most */
#define PROD_TAG(i)	((uint64_t)((i) + 1) << 40)
#define VICT_TAG	((uint64_t)0x80 << 40)
#define SEQ_MASK	((1ULL << 40) - 1)
#define VICT_GENS	65536u		/* victims spawned, at most */
#define VICT_SEQS	1024u		/* values per victim, at most */

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

struct shared {
	uint64_t sent[NPROD];		/* producer i sent seqs [0, sent[i]) */
	uint64_t victim_values;		/* victim values received */
	uint64_t consumed;
	uint64_t eintr;			/* calls that ended with EINTR */
	uint64_t partial;		/* batches with 0 < done < count */
	uint64_t closes;		/* churn: channels closed under waiters */
	uint64_t kills;
	uint64_t selects;
	uint64_t injected;		/* faults injected (--faults) */
	uint64_t calls;			/* gochan calls by the workers */
	uint32_t vict_next[VICT_GENS];	/* victim gen's next sequence number */
	int stop;			/* LOAD(): producers, victims, churn stop */
	int bad;
	char why[256];
};

static struct shared *sh;
static uint8_t *seen;			/* [NPROD][MAXSEQ] deliveries */
static uint8_t *vseen;			/* [VICT_GENS][VICT_SEQS] bits */
static int opt_seconds = 30;
static uint64_t opt_seed;
static bool opt_kernel = true;
static int opt_faults;			/* percent of calls with a fault */
static __thread int nth_fd = -1;	/* /proc/thread-self/fail-nth */
static int devfd;
static int a_send, a_recv, b_send, b_recv;

/*
 * Fault injection (--faults P): P% of the workers' gochan calls run with
 * fail-nth armed at one of their first 8 fault points (failslab and
 * fail_usercopy).  Such a call fails with ENOMEM or EFAULT, which must
 * mean that nothing moved: the worker retries, and the exactly-once
 * check at the end holds it to that.
 */
static __thread bool last_hit;	/* the last gioctl() reached its point */

static void failf(const char *fmt, ...);

static int gioctl(int fd, unsigned long cmd, void *arg)
{
	bool armed = false;
	int r, e;

	sigset_t all, old;

	__atomic_fetch_add(&sh->calls, 1, __ATOMIC_RELAXED);
	if (opt_faults && below(100) < (uint32_t)opt_faults) {
		if (nth_fd < 0)
			nth_fd = open("/proc/thread-self/fail-nth",
				      O_RDWR | O_CLOEXEC);
		if (nth_fd < 0)
			failf("--faults: cannot open /proc/thread-self/fail-nth: %s",
			      strerror(errno));
		if (nth_fd >= 0) {
			/*
			 * No signal while armed: the fault would hit the
			 * signal frame's copy (a SIGSEGV), not gochan.
			 */
			sigfillset(&all);
			pthread_sigmask(SIG_BLOCK, &all, &old);
			fail_nth_arm(nth_fd, 1 + below(8));
			armed = true;
		}
	}
	r = ioctl(fd, cmd, arg);
	e = errno;
	last_hit = false;
	if (armed) {
		last_hit = fail_nth_disarm(nth_fd);
		if (last_hit)
			__atomic_fetch_add(&sh->injected, 1, __ATOMIC_RELAXED);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	errno = e;
	return r;
}

/* An error that an injected fault explains: retry. */
static bool injected(int e)
{
	return opt_faults && last_hit && (e == ENOMEM || e == EFAULT);
}

static void failf(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&sh->bad, 1, __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why, sizeof(sh->why), fmt, ap);
	va_end(ap);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM every millisecond; restart says whether calls restart. */
static void alarm_every_ms(bool restart)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void no_alarm(void)
{
	struct itimerval it = {};

	setitimer(ITIMER_REAL, &it, NULL);
}

static int make_chan(uint32_t elem, uint32_t cap)
{
	struct gochan_make mk = { .elem_size = elem, .cap = cap };
	int fd;

	do
		fd = gioctl(devfd, GOCHAN_IOC_MAKE, &mk);
	while (fd < 0 && injected(errno));
	return fd;
}

static int dup_dir(int fd, uint32_t dir)
{
	struct gochan_dup d = { .dir = dir };

	return ioctl(fd, GOCHAN_IOC_DUP, &d);
}

/*
 * One send or receive of up to n values: returns how many moved (the
 * call's done), or -errno when none did.  EINTR is counted.
 */
static long xfer(int fd, bool send, uint64_t *v, uint32_t n, uint32_t flags,
		 uint64_t deadline, uint32_t *ok)
{
	struct gochan_xfer x = {
		.buf = (uintptr_t)v, .count = n, .flags = flags,
		.deadline = deadline,
	};

	if (gioctl(fd, send ? GOCHAN_IOC_SEND : GOCHAN_IOC_RECV, &x) < 0) {
		if (errno == EINTR)
			__atomic_fetch_add(&sh->eintr, 1, __ATOMIC_RELAXED);
		return -errno;
	}
	if (x.done > n) {
		failf("done %u > count %u", x.done, n);
		return -EIO;
	}
	if (x.done && x.done < n)
		__atomic_fetch_add(&sh->partial, 1, __ATOMIC_RELAXED);
	if (ok)
		*ok = x.ok;
	return x.done;
}

/* ---- producers ------------------------------------------------------------- */

static int producer(int id)
{
	uint64_t seq = 0, v[8];
	uint32_t i, n;
	long r;

	rs = mix(opt_seed ^ (0x100 + id));
	alarm_every_ms(false);
	while (!LOAD(sh->stop) && seq + 8 < MAXSEQ) {
		n = below(3) ? 1 : 1 + below(8);
		for (i = 0; i < n; i++)
			v[i] = PROD_TAG(id) | (seq + i);
		r = xfer(a_send, true, v, n,
			 below(2) ? GOCHAN_XFER_WAITALL : 0, 0, NULL);
		if (r > 0) {
			seq += r;
			/* Published as it goes: a late check sees all. */
			__atomic_store_n(&sh->sent[id], seq, __ATOMIC_RELEASE);
		} else if (r != -EINTR && !injected((int)-r)) {
			failf("%s %d: send: %s", __func__, id, strerror((int)-r));
			break;
		}
	}
	no_alarm();
	return 0;
}

/* ---- victims --------------------------------------------------------------- */

static int victim(int gen)
{
	struct gochan_case c[3];
	struct gochan_select s;
	uint64_t v, t;
	int tick, priv;

	rs = mix(opt_seed ^ (0x200 + gen));
	tick = gioctl(devfd, GOCHAN_IOC_TIMER,
		      &(struct gochan_timer){ .ns = 500000, .flags = GOCHAN_TIMER_TICKER });
	priv = make_chan(8, 0);
	if (tick < 0 || priv < 0)
		return 1;
	for (uint32_t seq = 0; !LOAD(sh->stop); seq++) {
		/*
		 * Published before the send: a value the consumers see
		 * must have a sequence number below it.  Past VICT_SEQS the
		 * victim only waits (on its ticker) to be killed.
		 */
		if (seq < VICT_SEQS)
			__atomic_store_n(&sh->vict_next[gen], seq + 1,
					 __ATOMIC_RELEASE);
		v = VICT_TAG | ((uint64_t)gen << 24) | seq;
		c[0] = (struct gochan_case){ .fd = seq < VICT_SEQS ? a_send : -1,
					     .dir = GOCHAN_DIR_SEND,
					     .buf = (uintptr_t)&v };
		c[1] = (struct gochan_case){ .fd = tick, .dir = GOCHAN_DIR_RECV,
					     .buf = (uintptr_t)&t };
		c[2] = (struct gochan_case){ .fd = priv, .dir = GOCHAN_DIR_RECV,
					     .buf = (uintptr_t)&t };
		s = (struct gochan_select){ .cases = (uintptr_t)c, .n = 3 };
		gioctl(devfd, GOCHAN_IOC_SELECT, &s);
	}
	return 0;
}

/* ---- forwarders -------------------------------------------------------------- */

static int forwarder(int id)
{
	int tick, after = -1, ret = 0;
	struct gochan_case c[3];
	struct gochan_select s;
	uint64_t v, t;

	rs = mix(opt_seed ^ (0x300 + id));
	alarm_every_ms(true);
	do
		tick = gioctl(devfd, GOCHAN_IOC_TIMER,
			      &(struct gochan_timer){ .ns = 1000000,
						      .flags = GOCHAN_TIMER_TICKER });
	while (tick < 0 && injected(errno));
	if (tick < 0)
		return 1;
	for (;;) {
		if (after < 0)
			after = gioctl(devfd, GOCHAN_IOC_TIMER,
				       &(struct gochan_timer){ .ns = below(3000000) });
		c[0] = (struct gochan_case){ .fd = a_recv, .dir = GOCHAN_DIR_RECV,
					     .buf = (uintptr_t)&v };
		c[1] = (struct gochan_case){ .fd = tick, .dir = GOCHAN_DIR_RECV,
					     .buf = (uintptr_t)&t };
		c[2] = (struct gochan_case){ .fd = after, .dir = GOCHAN_DIR_RECV,
					     .buf = (uintptr_t)&t };
		s = (struct gochan_select){ .cases = (uintptr_t)c, .n = 3 };
		if (gioctl(devfd, GOCHAN_IOC_SELECT, &s) < 0) {
			if (errno == EINTR || injected(errno))
				continue;
			failf("%s %d: select: %s", __func__, id, strerror(errno));
			ret = 1;
			break;
		}
		__atomic_fetch_add(&sh->selects, 1, __ATOMIC_RELAXED);
		if (s.index == 2) {
			close(after);
			after = -1;
		}
		if (s.index)
			continue;
		if (!c[0].ok)
			break;		/* A closed and drained */
		/* Forward, still ticking. */
		for (;;) {
			c[0] = (struct gochan_case){ .fd = b_send,
						     .dir = GOCHAN_DIR_SEND,
						     .buf = (uintptr_t)&v };
			s = (struct gochan_select){ .cases = (uintptr_t)c,
						    .n = 2 };
			if (gioctl(devfd, GOCHAN_IOC_SELECT, &s) < 0) {
				if (errno == EINTR || injected(errno))
					continue;
				failf("%s %d: send select: %s", __func__, id,
				      strerror(errno));
				return 1;
			}
			if (s.index == 0)
				break;
		}
	}
	no_alarm();
	return ret;
}

/* ---- consumers ----------------------------------------------------------------- */

static void mark(uint64_t v)
{
	uint64_t tag = v & ~SEQ_MASK, seq = v & SEQ_MASK;
	int p;

	if (tag == VICT_TAG) {
		uint32_t gen = (seq >> 24) & 0xffff, vs = seq & 0xffffff;
		size_t bit = (size_t)gen * VICT_SEQS + vs;

		/* Sent by a victim that was spawned, below what it reached. */
		if (vs >= VICT_SEQS || (seq >> 24) >= VICT_GENS ||
		    vs >= __atomic_load_n(&sh->vict_next[gen], __ATOMIC_ACQUIRE)) {
			failf("%s: a victim value that nobody sent: %#llx",
			      __func__, ull(v));
			return;
		}
		if (__atomic_fetch_or(&vseen[bit / 8], 1u << (bit % 8),
				      __ATOMIC_RELAXED) & (1u << (bit % 8)))
			failf("%s: victim %u value %u arrived twice", __func__,
			      gen, vs);
		__atomic_fetch_add(&sh->victim_values, 1, __ATOMIC_RELAXED);
		return;
	}
	for (p = 0; p < NPROD; p++)
		if (tag == PROD_TAG(p))
			break;
	if (p == NPROD || seq >= MAXSEQ) {
		failf("%s: a value that nobody sent: %#llx", __func__, ull(v));
		return;
	}
	if (__atomic_fetch_add(&seen[(size_t)p * MAXSEQ + seq], 1,
			       __ATOMIC_RELAXED))
		failf("%s: producer %d value %llu arrived twice", __func__, p,
		      ull(seq));
}

static int consumer(int id)
{
	uint32_t ok, n, i;
	uint64_t v[8];
	long r;

	rs = mix(opt_seed ^ (0x400 + id));
	alarm_every_ms(false);
	for (;;) {
		n = below(2) ? 1 : 1 + below(8);
		r = xfer(b_recv, false, v, n, 0, 0, &ok);
		if (r == -EINTR || injected((int)-r))
			continue;
		if (r < 0) {
			failf("%s %d: recv: %s", __func__, id, strerror((int)-r));
			return 1;
		}
		for (i = 0; i < (uint32_t)r; i++)
			mark(v[i]);
		__atomic_fetch_add(&sh->consumed, r, __ATOMIC_RELAXED);
		if (!ok)
			break;		/* B closed and drained */
	}
	no_alarm();
	return 0;
}

/* ---- churn: close under blocked waiters ----------------------------------------- */

struct churn_arg {
	int fd;
	int how;
	int result;	/* 1: saw the close correctly */
};

static void *churn_waiter(void *p)
{
	struct churn_arg *a = p;
	struct gochan_case c[2];
	struct gochan_select s;
	uint32_t ok = 1;
	uint64_t v = 1;
	long r;

	rs = mix(opt_seed ^ (uintptr_t)p ^ a->how);

	switch (a->how) {
	case 0:
		do
			r = xfer(a->fd, false, &v, 1, 0, 0, &ok);
		while (r < 0 && injected((int)-r));
		a->result = r == 0 && !ok && v == 0;
		break;
	case 1:
		c[0] = (struct gochan_case){ .fd = a->fd, .dir = GOCHAN_DIR_RECV,
					     .buf = (uintptr_t)&v };
		c[1] = (struct gochan_case){ .fd = -1, .dir = GOCHAN_DIR_RECV };
		s = (struct gochan_select){ .cases = (uintptr_t)c, .n = 2 };
		do
			r = gioctl(devfd, GOCHAN_IOC_SELECT, &s);
		while (r < 0 && injected(errno));
		a->result = !r && s.index == 0 && !c[0].ok && v == 0;
		break;
	default:
		do
			r = xfer(a->fd, true, &v, 1, 0, 0, NULL);
		while (r < 0 && injected((int)-r));
		a->result = r == -EPIPE;
		break;
	}
	if (nth_fd >= 0)
		close(nth_fd);
	return NULL;
}

static int churn(void)
{
	struct churn_arg a[3];
	pthread_t t[3];
	int fd[2], i;

	rs = mix(opt_seed ^ 0x500);
	while (!LOAD(sh->stop)) {
		/* Receivers on one channel, a sender on another. */
		fd[0] = make_chan(8, 0);
		fd[1] = make_chan(8, 0);
		if (fd[0] < 0 || fd[1] < 0) {
			failf("%s: make: %s", __func__, strerror(errno));
			return 1;
		}
		for (i = 0; i < 3; i++) {
			a[i] = (struct churn_arg){ .fd = fd[i / 2], .how = i };
			pthread_create(&t[i], NULL, churn_waiter, &a[i]);
		}
		usleep(below(2000));
		/* The waiters are queued (or about to be): close under them. */
		ioctl(fd[0], GOCHAN_IOC_CLOSE);
		ioctl(fd[1], GOCHAN_IOC_CLOSE);
		for (i = 0; i < 3; i++) {
			pthread_join(t[i], NULL);
			if (!a[i].result)
				failf("%s: waiter %d did not see the close as Go does",
				      __func__, i);
		}
		close(fd[0]);
		close(fd[1]);
		__atomic_fetch_add(&sh->closes, 2, __ATOMIC_RELAXED);
	}
	return 0;
}

static long objects_left(char *line, size_t len);

/* gochan_ktest's relay counters: "relayed N lost N". */
static void read_relay(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/debug/gochan_ktest/relay", "r");

	buf[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* ---- teardown: operations in flight when the process goes ------------------ */

#define INFL_CHANS	64

struct infl {
	int *fds;		/* [0, 32): receivers wait; [32, 64): senders */
	int tick;
	int i;
	bool closing;
	int saw_close;		/* the close woke it as Go says */
};

static void *infl_thread(void *p)
{
	struct infl *t = p;
	int a = t->fds[t->i % 32], b = t->fds[32 + t->i % 32];
	struct gochan_case c[3];
	struct gochan_select s;
	uint64_t v[64] = { 1 };
	uint32_t ok;
	long r;

	for (;;) {
		switch (t->i % 4) {
		case 0:
			r = xfer(a, false, v, 1, 0, 0, &ok);
			t->saw_close = r == 0 && !ok;
			return NULL;
		case 1:
			r = xfer(b, true, v, 1, 0, 0, NULL);
			t->saw_close = r == -EPIPE;
			return NULL;
		case 2:
			/* A batch of 64 that waits for all of them. */
			r = xfer(a, false, v, 64, GOCHAN_XFER_WAITALL, 0, &ok);
			t->saw_close = r == 0 && !ok;
			return NULL;
		default:
			c[0] = (struct gochan_case){ .fd = a, .dir = GOCHAN_DIR_RECV,
						     .buf = (uintptr_t)v };
			c[1] = (struct gochan_case){ .fd = b, .dir = GOCHAN_DIR_SEND,
						     .buf = (uintptr_t)v };
			c[2] = (struct gochan_case){ .fd = t->tick,
						     .dir = GOCHAN_DIR_RECV,
						     .buf = (uintptr_t)&v[1] };
			s = (struct gochan_select){ .cases = (uintptr_t)c, .n = 3 };
			r = ioctl(devfd, GOCHAN_IOC_SELECT, &s);
			if (r == 0 && s.index == 2)
				continue;	/* a tick: wait again */
			t->saw_close = r == 0 && ((s.index == 0 && !c[0].ok) ||
						  (s.index == 1 && c[1].err));
			return NULL;
		}
	}
}

/*
 * The waiters that n in-flight threads queue: thread i's kind is i % 4
 * (infl_thread()): receives, batches and selects queue a receiver,
 * sends and selects a sender.
 */
static long infl_expect(int n, bool recv)
{
	long k = 0;
	int i;

	for (i = 0; i < n; i++)
		k += recv ? i % 4 != 1 : i % 4 == 1 || i % 4 == 3;
	return k;
}

/*
 * A child with n threads blocked in channel calls (receives, sends,
 * batches, selects with a ticker) ends by "kill" (SIGKILL from the
 * parent), "exit" (exit() with the threads blocked) or "close" (every
 * channel closed under them, each thread checked, then exit).  The
 * parent then checks that gochan's object counters go back to 0.
 */
static int inflight(int n, const char *end)
{
	int fds[INFL_CHANS], ticks[8], pipefd[2], st, i, woke = 0;
	struct infl *t;
	pthread_attr_t attr;
	pthread_t *tid;
	long left, qrecv, qsend;
	char line[256];
	pid_t c;

	printf("TAP version 13\n# %d blocked calls, to end by %s\n", n, end);
	fflush(stdout);
	if (pipe(pipefd))
		return 1;
	c = fork();
	if (c == 0) {
		t = calloc(n, sizeof(*t));
		tid = calloc(n, sizeof(*tid));
		for (i = 0; i < INFL_CHANS; i++) {
			fds[i] = make_chan(8, 0);
			if (fds[i] < 0)
				_exit(3);
		}
		for (i = 0; i < 8; i++)
			ticks[i] = ioctl(devfd, GOCHAN_IOC_TIMER,
					 &(struct gochan_timer){ .ns = 50000000,
								 .flags = GOCHAN_TIMER_TICKER });
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 << 10);
		for (i = 0; i < n; i++) {
			t[i] = (struct infl){ .fds = fds, .i = i,
					      .tick = ticks[i % 8] };
			if (pthread_create(&tid[i], &attr, infl_thread, &t[i]))
				_exit(3);
		}
		/*
		 * Until every call is queued in the kernel, counted by INFO:
		 * receivers on [0, 32) for the receives, batches and
		 * selects, senders on [32, 64) for the sends and selects.
		 */
		for (i = 0; i < 600; i++) {
			long recv = 0, send = 0;

			for (int f = 0; f < INFL_CHANS; f++) {
				struct gochan_info in = {};

				if (ioctl(fds[f], GOCHAN_IOC_INFO, &in))
					_exit(3);
				recv += in.receivers;
				send += in.senders;
			}
			snprintf(line, sizeof(line), "%ld %ld\n", recv, send);
			if (recv == infl_expect(n, true) &&
			    send == infl_expect(n, false))
				break;
			usleep(100000);
		}
		if (write(pipefd[1], line, strlen(line)) != (ssize_t)strlen(line))
			_exit(3);
		if (!strcmp(end, "exit"))
			exit(0);
		if (!strcmp(end, "kill"))
			pause();
		for (i = 0; i < INFL_CHANS; i++)
			ioctl(fds[i], GOCHAN_IOC_CLOSE);
		for (i = 0; i < n; i++) {
			pthread_join(tid[i], NULL);
			woke += t[i].saw_close;
		}
		for (i = 0; i < INFL_CHANS; i++)
			close(fds[i]);
		_exit(woke == n ? 0 : 4);
	}
	close(pipefd[1]);
	memset(line, 0, sizeof(line));
	if (c < 0 || read(pipefd[0], line, sizeof(line) - 1) <= 0 ||
	    sscanf(line, "%ld %ld", &qrecv, &qsend) != 2) {
		printf("not ok 1 the child set up %d blocked calls\n", n);
		return 1;
	}
	/* Every thread blocked in the kernel, seen there before the end. */
	printf("# INFO: %ld receivers and %ld senders queued (%ld and %ld expected)\n",
	       qrecv, qsend, infl_expect(n, true), infl_expect(n, false));
	printf("%s 1 the child has %d calls in flight, counted by INFO\n",
	       qrecv == infl_expect(n, true) && qsend == infl_expect(n, false) ?
	       "ok" : "not ok", n);
	if (!strcmp(end, "kill"))
		kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("%s 2 the child ended by %s (status %#x)\n",
	       (!strcmp(end, "kill") ? WIFSIGNALED(st) :
		WIFEXITED(st) && !WEXITSTATUS(st)) ? "ok" : "not ok", end, st);
	close(devfd);
	for (i = 0; i < 100 && (left = objects_left(line, sizeof(line))) > 0; i++)
		usleep(100000);
	left = objects_left(line, sizeof(line));
	printf("# objects: %s\n", line);
	printf("%s 3 every object counter back to 0\n", left == 0 ? "ok" : "not ok");
	printf("1..3\n");
	return !(left == 0 && ((!strcmp(end, "kill") && WIFSIGNALED(st)) ||
			       (WIFEXITED(st) && !WEXITSTATUS(st))));
}

/* ---- the parent -------------------------------------------------------------------- */

static pid_t spawn(int (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		nth_fd = -1;	/* the parent's thread's file */
		_exit(fn(arg));
	}
	return pid;
}

static int churn_main(int unused)
{
	(void)unused;
	return churn();
}

static int result(int n, bool ok, const char *what)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", n, what);
	return ok ? 0 : 1;
}

/* Objects left in gochan: the "objects" file's counts but threads. */
static long objects_left(char *line, size_t len)
{
	char name[32];
	long n, sum = 0;
	size_t used = 0;
	FILE *f;

	f = fopen("/sys/kernel/debug/gochan/objects", "r");
	if (!f)
		return -1;
	line[0] = 0;
	while (fscanf(f, "%31s %ld", name, &n) == 2) {
		if (!strcmp(name, "threads"))
			continue;
		sum += n;
		used += snprintf(line + used, len - used, "%s=%ld ", name, n);
		if (used >= len)
			used = len - 1;
	}
	fclose(f);
	return sum;
}

int main(int argc, char **argv)
{
	pid_t prod[NPROD], vict[NVICT], fwd[NFWD], cons[NCONS], ch;
	int krel_done[NKREL], nkrel = 0, i, status, bad = 0, n = 0;
	uint64_t total = 0, missing = 0, gen = 0;
	struct timespec t0, t1;
	char line[256], relay[64] = "", relay0[64] = "";
	double secs;
	FILE *f;

	const char *end = NULL;
	int infl = 0;

	opt_seed = (uint64_t)time(NULL);
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(o, "--no-kernel")) {
			opt_kernel = false;
			continue;
		}
		i++;
		if (!strcmp(o, "--faults")) {
			opt_faults = atoi(v);
		} else if (!strcmp(o, "--inflight")) {
			infl = atoi(v);
		} else if (!strcmp(o, "--end")) {
			end = v;
		} else if (!strcmp(o, "--seconds")) {
			opt_seconds = atoi(v);
		} else if (!strcmp(o, "--seed")) {
			opt_seed = strtoull(v, NULL, 0);
		} else {
			fprintf(stderr, "%s [--seconds S] [--seed N] [--no-kernel]",
				argv[0]);
			fprintf(stderr, " [--faults PERCENT]\n");
			fprintf(stderr, "%s --inflight N --end kill|exit|close\n",
				argv[0]);
			return 2;
		}
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (infl > 0) {
		devfd = open("/dev/gochan", O_RDWR | O_CLOEXEC);
		if (devfd < 0 || !end || (strcmp(end, "kill") &&
					  strcmp(end, "exit") && strcmp(end, "close"))) {
			fprintf(stderr, "%s: --inflight needs /dev/gochan and --end %s\n",
				argv[0], "kill|exit|close");
			return 2;
		}
		return inflight(infl, end);
	}
	printf("TAP version 13\n# gochan_soak: seconds=%d seed=%llu faults=%d%%\n",
	       opt_seconds, ull(opt_seed), opt_faults);
	fflush(stdout);
	seen = mmap(NULL, (size_t)NPROD * MAXSEQ, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	vseen = mmap(NULL, (size_t)VICT_GENS * VICT_SEQS / 8,
		     PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	devfd = open("/dev/gochan", O_RDWR | O_CLOEXEC);
	if (sh == MAP_FAILED || seen == MAP_FAILED || vseen == MAP_FAILED ||
	    devfd < 0) {
		printf("not ok 1 setup: %s\n", strerror(errno));
		return 1;
	}
	a_send = make_chan(8, 16);
	b_send = make_chan(8, 0);
	a_recv = dup_dir(a_send, GOCHAN_DIR_RECV);
	b_recv = dup_dir(b_send, GOCHAN_DIR_RECV);
	if (a_send < 0 || b_send < 0 || a_recv < 0 || b_recv < 0) {
		printf("not ok 1 setup: channels: %s\n", strerror(errno));
		return 1;
	}

	/* Kernel goroutines in the same channels; their counts so far. */
	if (opt_kernel)
		read_relay(relay0, sizeof(relay0));
	f = opt_kernel ? fopen("/sys/kernel/debug/gochan_ktest/relay", "w") : NULL;
	for (i = 0; f && i < NKREL; i++) {
		krel_done[i] = make_chan(0, 0);
		fprintf(f, "%d %d %d", a_recv, b_send, krel_done[i]);
		if (fflush(f)) {
			printf("not ok 1 setup: relay: %s\n", strerror(errno));
			return 1;
		}
		nkrel++;
	}
	if (f)
		fclose(f);
	printf("# kernel relays: %d%s\n", nkrel,
	       nkrel ? "" : " (gochan_ktest.ko not loaded)");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < NCONS; i++)
		cons[i] = spawn(consumer, i);
	for (i = 0; i < NFWD; i++)
		fwd[i] = spawn(forwarder, i);
	for (i = 0; i < NPROD; i++)
		prod[i] = spawn(producer, i);
	for (i = 0; i < NVICT; i++)
		vict[i] = spawn(victim, (int)gen++);
	ch = spawn(churn_main, 0);

	rs = mix(opt_seed);
	for (;;) {
		usleep(50000 + below(100000));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs >= opt_seconds || LOAD(sh->bad))
			break;
		if (gen >= VICT_GENS)
			continue;	/* every victim number used: no more */
		i = below(NVICT);
		kill(vict[i], SIGKILL);
		waitpid(vict[i], &status, 0);
		sh->kills++;
		vict[i] = spawn(victim, (int)gen++);
	}

	/* Shutdown: stop the sources, then close A, then B. */
	STORE(sh->stop, 1);
	if (LOAD(sh->bad)) {
		/* Something failed: unblock everyone (relays included). */
		ioctl(a_send, GOCHAN_IOC_CLOSE);
		ioctl(b_send, GOCHAN_IOC_CLOSE);
		for (i = 0; i < NFWD; i++)
			kill(fwd[i], SIGKILL);
		for (i = 0; i < NCONS; i++)
			kill(cons[i], SIGKILL);
	}
	for (i = 0; i < NVICT; i++) {
		kill(vict[i], SIGKILL);
		waitpid(vict[i], &status, 0);
	}
	waitpid(ch, &status, 0);
	bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	for (i = 0; i < NPROD; i++) {
		waitpid(prod[i], &status, 0);
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	}
	ioctl(a_send, GOCHAN_IOC_CLOSE);
	for (i = 0; i < NFWD; i++) {
		waitpid(fwd[i], &status, 0);
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	}
	for (i = 0; i < nkrel; i++) {
		struct gochan_xfer x = { .count = 1 };

		/* The relay closes its DONE channel when A is drained. */
		while (ioctl(krel_done[i], GOCHAN_IOC_RECV, &x) < 0 &&
		       errno == EINTR)
			;
		close(krel_done[i]);
	}
	ioctl(b_send, GOCHAN_IOC_CLOSE);
	for (i = 0; i < NCONS; i++) {
		waitpid(cons[i], &status, 0);
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (int p = 0; p < NPROD; p++) {
		uint64_t s = sh->sent[p];

		total += s;
		for (uint64_t q = 0; q < MAXSEQ; q++) {
			uint8_t c = seen[(size_t)p * MAXSEQ + q];

			if (q < s && c != 1)
				missing++;
			else if (q >= s && c)
				missing++;
			if (q >= s && q % 4096 == 0 && q > s + 8192)
				break;
		}
	}
	if (nkrel)
		read_relay(relay, sizeof(relay));
	printf("# %.1f s: %llu producer values, %llu consumed, %llu victim values,",
	       secs, ull(total), ull(sh->consumed), ull(sh->victim_values));
	printf(" %llu kills, %llu EINTR, %llu partial batches,", ull(sh->kills),
	       ull(sh->eintr), ull(sh->partial));
	printf(" %llu closes under waiters, %llu forwarder selects,",
	       ull(sh->closes), ull(sh->selects));
	printf(" %llu calls, %llu injected faults; kernel %s\n", ull(sh->calls),
	       ull(sh->injected), nkrel ? relay : "relays off");
	if (sh->bad)
		printf("# %s\n", sh->why);
	n++;
	bad |= result(n, !bad && !sh->bad, "every process ran to the end without an error");
	n++;
	bad |= result(n, !missing && total > 0,
		      "every producer value arrived exactly once");
	if (missing)
		printf("# %llu values missing or duplicated\n", ull(missing));
	n++;
	{
		long long m0 = 0, l0 = 0, m1 = 0, l1 = 0;

		bool got = sscanf(relay0, "relayed %lld lost %lld", &m0, &l0) == 2 &&
			   sscanf(relay, "relayed %lld lost %lld", &m1, &l1) == 2;

		bad |= result(n, !nkrel || (got && m1 > m0 && l1 == l0),
			      "the kernel relays moved values and lost none");
	}
	/*
	 * The run reached what it is there to race: each kind of event
	 * happened (injected faults only with --faults).
	 */
	n++;
	{
		bool all = sh->kills && sh->eintr && sh->partial && sh->closes &&
			   sh->victim_values && (!opt_faults || sh->injected);

		if (!all)
			printf("# a count is 0: kills %llu, EINTR %llu, partial batches %llu,",
			       ull(sh->kills), ull(sh->eintr), ull(sh->partial));
		if (!all)
			printf(" closes %llu, victim values %llu, injected faults %llu\n",
			       ull(sh->closes), ull(sh->victim_values),
			       ull(sh->injected));
		bad |= result(n, all,
			      "every stress event happened (kills, EINTR, partial batches, closes, victims, faults)");
	}

	close(a_send);
	close(a_recv);
	close(b_send);
	close(b_recv);
	close(devfd);
	/* Deferred frees (channels put from atomic context) settle. */
	for (i = 0; i < 100 && objects_left(line, sizeof(line)) > 0; i++)
		usleep(100000);
	n++;
	if (objects_left(line, sizeof(line)) < 0)
		printf("ok %d every object counter back to 0 # SKIP no debugfs\n", n);
	else
		bad |= result(n, objects_left(line, sizeof(line)) == 0,
			      "every object counter back to 0");
	printf("# objects: %s\n", line);
	n++;
	f = fopen("/proc/lockdep_stats", "r");
	if (!f) {
		printf("ok %d lockdep still on # SKIP kernel without lockdep\n", n);
	} else {
		bool on = false;

		while (fgets(line, sizeof(line), f))
			if (strstr(line, "debug_locks:") && strstr(line, " 1"))
				on = true;
		fclose(f);
		bad |= result(n, on, "lockdep still on (debug_locks 1)");
	}
	printf("1..%d\n", n);
	return bad;
}
