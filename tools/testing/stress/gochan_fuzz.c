// SPDX-License-Identifier: GPL-2.0
/*
 * gochan_fuzz: a structure-aware fuzzer for /dev/gochan and channel fds.
 *
 * Several processes, each with several threads, make random calls on a
 * shared pool of channels: make, timer, api, send, recv (single and
 * batched), select, close, info, dup, poll, epoll, fd close, dup(2),
 * read/write/mmap on channel fds, selectors (make, add, mod, del, wait
 * and the READY wait, with channels closed and released under their
 * cases), and unknown commands.  Every struct
 * field is random, valid most of the time and invalid on purpose the
 * rest: sizes, counts, flags, reserved fields, fds, and pointers that are
 * NULL, unmapped, read-only, straddle into an unmapped page, or are
 * kernel addresses.  Signals interrupt blocked calls, and processes are
 * SIGKILLed and replaced while their calls are in flight.
 *
 * What it checks itself:
 *   - every failure is an errno the call is documented to return;
 *   - a received value is one that some sender wrote (each value carries
 *     a self-checking pattern), or Go's zero value with ok = 0;
 *   - no process dies except the ones the fuzzer killed.
 * Everything else (use-after-free, leaks, lockdep, data races) is for
 * the sanitizer kernels: the test VM fails the run on any report.
 *
 * The seed is printed first.  "--seed N" replays the same call sequence
 * in every thread; the interleaving between threads is up to the
 * scheduler, so a race may need a few replays.
 *
 *   gochan_fuzz [--seed N] [--seconds S] [--procs P] [--threads T]
 *               [--chans C] [--kills K]
 *
 * Prints one TAP line, "ok 1 ..." or "not ok 1 ...", with the counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/gochan.h>

#include "stress_rand.h"

#define MAX_PROCS	16
#define MAX_THREADS	16
#define TABLE		64	/* channel slots per process */
#define FD_BASE		512	/* table fds are moved up here ... */
#define FD_SPAN		3000	/* ... and never reused before this many */
#define MAXVAL		4096	/* largest value the fuzzer makes */
#define MAGIC		0x60c4a11eU

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Shared between the processes (MAP_SHARED). */
struct shared {
	uint64_t calls;
	uint64_t errors;
	uint64_t values_in;	/* values received and checked */
	uint64_t kills;
	int stop;		/* LOAD() and STORE(): shared by processes */
	int failed;
	char why[256];
};

static struct shared *sh;
static uint64_t opt_seed;
static int opt_seconds = 60, opt_procs = 3, opt_threads = 3, opt_chans = 12;
static int opt_kills = -1;
static int devfd;

/* Pointer kinds for struct and buffer arguments. */
static uint8_t *pg_none;	/* PROT_NONE */
static uint8_t *pg_ro;		/* read-only */
static uint8_t *pg_edge;	/* a RW page followed by pg_none */

struct slot {
	int fd;			/* -1: empty */
	uint32_t elem;
	bool timer;
};

static struct slot table[TABLE];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int next_fd;
static int epfd;

/* Selector fds of this process, -1 when empty; table_lock. */
#define SELECTORS	4
static int sels[SELECTORS] = { -1, -1, -1, -1 };

/*
 * A case's key as the fuzzer registers it: a tag and the channel's
 * element size, so that a wait can check the value it got.  Keys from
 * the fuzzed path never carry the tag.
 */
#define KEY_TAG		0x5e1eULL
#define KEY(elem, timer)	((KEY_TAG << 48) | ((__u64)(elem) << 8) | !!(timer))

/* ---- randomness -------------------------------------------------------- */

static bool chance(int percent)
{
	return below(100) < (uint32_t)percent;
}

/* ---- failures ---------------------------------------------------------- */

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&sh->failed, 1, __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why, sizeof(sh->why), fmt, ap);
	va_end(ap);
	STORE(sh->stop, 1);
}

/*
 * The errnos each call is documented to return
 * (Documentation/userspace-api.rst), the fuzzer's own misuse included:
 * any fd (EBADF, or ENOTTY for one that is not gochan's), any pointer
 * (EFAULT), any field (EINVAL).  "unknown ioctl" may hit a real command
 * by chance, so it allows them all.
 */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *what;
	int errs[12];
} errnos[] = {
	{ "API", { EPROTO } },
	{ "MAKE", { EMSGSIZE, EFBIG, EMFILE, ENFILE, ENOBUFS, ENOMEM } },
	{ "TIMER", { EPERM, EMFILE, ENFILE, ENOBUFS, ENOMEM } },
	{ "SEND", { EAGAIN, ETIMEDOUT, EINTR, EPIPE, ENOMEM, ENOBUFS, EMSGSIZE } },
	{ "RECV", { EAGAIN, ETIMEDOUT, EINTR, ENOMEM, ENOBUFS, EMSGSIZE } },
	{ "SELECT", { EAGAIN, ETIMEDOUT, EINTR, ENOMEM, ENOBUFS, EMSGSIZE } },
	{ "SELECTOR", { EMFILE, ENFILE, ENOMEM } },
	{ "SELECTOR_CTL", { EEXIST, ENOENT, ENOSPC, ENOBUFS, ENOMEM, EMSGSIZE } },
	{ "SELECTOR_WAIT", { EAGAIN, ETIMEDOUT, EINTR, ENOMEM, EMSGSIZE } },
	{ "TIMER_SET", { EPERM } },
	{ "read/write", { EAGAIN, EPIPE, EINTR, ENOMEM, ENOBUFS } },
	{ "CLOSE", { EPIPE } },
	{ "INFO", { 0 } },
	{ "DUP", { EMFILE, ENFILE, ENOMEM } },
	{ "poll", { EINTR, ENOMEM } },
	{ "unknown ioctl", { EAGAIN, ETIMEDOUT, EINTR, EPIPE, ENOMEM, ENOBUFS,
			     EMSGSIZE, EFBIG, EMFILE, ENFILE, EPERM, EPROTO } },
};

static bool errno_ok(const char *what, int e)
{
	unsigned int i, j;

	if (e == EINVAL || e == EFAULT || e == EBADF || e == ENOTTY)
		return true;
	for (i = 0; i < ARRAY_SIZE(errnos); i++) {
		if (strcmp(errnos[i].what, what))
			continue;
		for (j = 0; j < 12 && errnos[i].errs[j]; j++)
			if (errnos[i].errs[j] == e)
				return true;
		return false;
	}
	return false;
}

/* Count one call; check its errno against the call's own set. */
static long done_call(const char *what, long ret)
{
	int e = errno;

	__atomic_fetch_add(&sh->calls, 1, __ATOMIC_RELAXED);
	if (ret < 0) {
		__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED);
		if (!errno_ok(what, e))
			fail("%s: errno %d (%s), not one %s may return", what,
			     e, strerror(e), what);
	}
	errno = e;
	return ret;
}

/* ---- values -------------------------------------------------------------- */

/* A value of n bytes that checks itself: magic, a tag, then a stream. */
static void fill(uint8_t *v, uint32_t n)
{
	uint32_t tag = (uint32_t)rnd(), i;

	if (n < 8) {
		memset(v, 0x5a, n);
		return;
	}
	memcpy(v, &(uint32_t){ MAGIC }, 4);
	memcpy(v + 4, &tag, 4);
	for (i = 8; i < n; i++)
		v[i] = (uint8_t)(tag * 31 + i * 7);
}

/* Check n bytes received with ok (1) or not (0). */
static void check_value(const char *what, const uint8_t *v, uint32_t n, int ok)
{
	uint32_t magic, tag, i;

	__atomic_fetch_add(&sh->values_in, 1, __ATOMIC_RELAXED);
	if (!ok) {
		for (i = 0; i < n; i++)
			if (v[i])
				fail("%s: ok = 0 but byte %u of the zero value is %#x",
				     what, i, v[i]);
		return;
	}
	if (n < 8) {
		for (i = 0; i < n; i++)
			if (v[i] != 0x5a)
				fail("%s: small value byte %u is %#x", what, i, v[i]);
		return;
	}
	memcpy(&magic, v, 4);
	memcpy(&tag, v + 4, 4);
	if (magic != MAGIC) {
		fail("%s: %u-byte value without the magic (%#x)", what, n, magic);
		return;
	}
	for (i = 8; i < n; i++)
		if (v[i] != (uint8_t)(tag * 31 + i * 7)) {
			fail("%s: %u-byte value corrupt at byte %u", what, n, i);
			return;
		}
}

/* ---- the channel table --------------------------------------------------- */

/* Move a new fd up to a number that is not reused soon; record it. */
static void table_put(int fd, uint32_t elem, bool timer)
{
	int i = below(TABLE), hi, old;

	pthread_mutex_lock(&table_lock);
	hi = fcntl(fd, F_DUPFD_CLOEXEC, FD_BASE + next_fd);
	next_fd = (next_fd + 1) % FD_SPAN;
	close(fd);
	if (hi < 0) {
		pthread_mutex_unlock(&table_lock);
		return;
	}
	old = table[i].fd;
	table[i] = (struct slot){ .fd = hi, .elem = elem, .timer = timer };
	pthread_mutex_unlock(&table_lock);
	if (old >= 0)
		close(old);
}

static struct slot table_pick(void)
{
	struct slot s;

	pthread_mutex_lock(&table_lock);
	s = table[below(TABLE)];
	pthread_mutex_unlock(&table_lock);
	return s;
}

/* An fd argument: mostly a table entry, sometimes anything. */
static int pick_fd(struct slot *s)
{
	*s = table_pick();
	if (chance(90) && s->fd >= 0)
		return s->fd;
	s->fd = -1;
	switch (below(6)) {
	case 0: return -1;
	case 1: return devfd;
	case 2: return 0;	/* /dev/null or a pipe in the VM */
	case 3:
		return chance(50) ? epfd : sels[below(SELECTORS)];
	case 4: return 100000;
	default: return (int)rnd();
	}
}

/* ---- argument pointers ------------------------------------------------- */

/*
 * A pointer to a struct of n bytes whose good contents are in good:
 * mostly a copy on the stack (scratch), else a bad pointer.  *usable
 * says whether the kernel reads good there; *readable whether it can
 * read anything at all (the read-only page holds zeros).
 */
static void *ptr_for_r(void *scratch, const void *good, size_t n,
		       bool *usable, bool *readable)
{
	*usable = false;
	*readable = false;
	switch (below(40)) {
	case 0: return NULL;
	case 1: return pg_none;
	case 2:
		*readable = true;	/* zeros, not writable */
		return pg_ro;
	case 3: return pg_edge + 4096 - n / 2;		/* straddles */
	case 4: return (void *)(uintptr_t)0xffff888000000000ULL;
	case 5: return (void *)(uintptr_t)rnd();
	default:
		memcpy(scratch, good, n);
		*usable = true;
		*readable = true;
		return scratch;
	}
}

static void *ptr_for(void *scratch, const void *good, size_t n, bool *usable)
{
	bool readable;

	return ptr_for_r(scratch, good, n, usable, &readable);
}

/*
 * A value buffer: mostly good, else a bad one.  A send's buffer is never
 * one that reads without a fault yet holds no sender's pattern (the
 * read-only page, the edge page's tail): what it sent would look like
 * corruption to the receiver.
 */
static uint64_t buf_ptr(void *good, bool send)
{
	switch (below(30)) {
	case 0: return 0;
	case 1: return (uintptr_t)pg_none;
	case 2:
		return send ? (uintptr_t)pg_none : (uintptr_t)pg_ro;
	case 3:
		return send ? (uintptr_t)pg_none : (uintptr_t)pg_edge + 4096 - 8;
	case 4: return 0xffff888000000000ULL;
	case 5: return rnd();
	default: return (uintptr_t)good;
	}
}

/* A 32-bit field: mostly from the good range, sometimes anything. */
static uint32_t r32(uint32_t good_max)
{
	switch (below(20)) {
	case 0: return (uint32_t)rnd();
	case 1: return 0xffffffffU;
	case 2: return good_max + 1;
	default: return below(good_max + 1);
	}
}

static uint32_t rflags(uint32_t good)
{
	uint32_t f = (uint32_t)rnd() & good;

	if (chance(5))
		f |= 1U << below(32);
	return f;
}

/*
 * Blocking is bounded: a deadline at most 2 ms away, or in the past, or
 * beyond ktime's range (EINVAL); never GOCHAN_FOREVER.
 */
static void bounded(__u64 *deadline)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	*deadline = ts.tv_sec * 1000000000ULL + ts.tv_nsec + below(2000000);
	if (chance(5))
		*deadline = 1 + below(1000);
	else if (chance(3))
		*deadline = (1ULL << 63) | rnd();
}

/* ---- the calls ----------------------------------------------------------- */

static void op_make(void)
{
	struct gochan_make mk = {}, scratch;
	bool usable, readable;
	void *p;
	long fd;

	mk.elem_size = chance(80) ? below(65) * (chance(20) ? 64 : 1) : r32(MAXVAL);
	mk.cap = chance(80) ? below(9) : r32(4096);
	mk.flags = rflags(GOCHAN_MAKE_CLOEXEC | GOCHAN_MAKE_AUTOCLOSE);
	if (chance(3))
		mk.pad = (uint32_t)rnd();
	if (chance(3))
		mk.reserved[below(2)] = rnd();
	p = ptr_for_r(&scratch, &mk, sizeof(mk), &usable, &readable);
	fd = done_call("MAKE", ioctl(devfd, GOCHAN_IOC_MAKE, p));
	if (fd >= 0) {
		/* 65536: the module's max_elem_size, by default. */
		if (!readable || (usable && mk.elem_size > 65536))
			fail("MAKE succeeded with a bad argument (elem %u)",
			     mk.elem_size);
		/* Values wider than our buffers stay out of the table. */
		if (usable && mk.elem_size > MAXVAL)
			close(fd);
		else
			table_put(fd, usable ? mk.elem_size : 0, false);
	}
}

static void op_timer(void)
{
	struct gochan_timer t = {}, scratch;
	bool usable;
	void *p;
	long fd;

	t.ns = chance(90) ? below(3000000) : (int64_t)rnd();
	t.flags = rflags(GOCHAN_TIMER_CLOEXEC | GOCHAN_TIMER_TICKER);
	if (t.flags & GOCHAN_TIMER_TICKER && chance(90))
		t.ns = 100000 + below(2000000);
	if (chance(3))
		t.pad = 1;
	p = ptr_for(&scratch, &t, sizeof(t), &usable);
	fd = done_call("TIMER", ioctl(devfd, GOCHAN_IOC_TIMER, p));
	if (fd >= 0)
		table_put(fd, 8, true);
}

static void op_api(void)
{
	struct gochan_api a = { .api = below(3) }, scratch;
	bool usable;

	if (chance(5))
		a.flags = 1;
	done_call("API", ioctl(devfd, GOCHAN_IOC_API,
			       ptr_for(&scratch, &a, sizeof(a), &usable)));
}

static void op_xfer(bool send)
{
	static __thread uint8_t vals[8 * MAXVAL];
	struct gochan_xfer x = {}, scratch;
	uint32_t i, n;
	struct slot s;
	bool usable;
	long ret;
	void *p;
	int fd;

	fd = pick_fd(&s);
	x.count = chance(70) ? 1 : chance(90) ? below(9) : r32(GOCHAN_BATCH_MAX);
	x.flags = rflags(GOCHAN_XFER_NONBLOCK | GOCHAN_XFER_WAITALL |
			 GOCHAN_XFER_SIZED);
	/* The caller's element size: mostly the channel's, at times not. */
	x.elem_size = 0;
	if (x.flags & GOCHAN_XFER_SIZED)
		x.elem_size = chance(80) && s.fd >= 0 ? s.elem : below(70000);
	bounded(&x.deadline);
	if (chance(3))
		x.pad = 1;
	x.done = 7;	/* outputs: must be overwritten */
	x.ok = 7;
	x.buf = buf_ptr(vals, send);
	/* Our buffer holds n values of this channel. */
	n = s.fd >= 0 && s.elem ? sizeof(vals) / s.elem : 0;
	if (x.buf == (uintptr_t)vals && s.elem && x.count > n)
		x.count = n;
	memset(vals, 0xee, sizeof(vals));
	if (send && s.fd >= 0 && !s.timer)
		for (i = 0; i < x.count && i < n; i++)
			fill(vals + (size_t)i * s.elem, s.elem);
	p = ptr_for(&scratch, &x, sizeof(x), &usable);
	ret = done_call(send ? "SEND" : "RECV",
			ioctl(fd, send ? GOCHAN_IOC_SEND : GOCHAN_IOC_RECV, p));
	if (ret || !usable)
		return;
	memcpy(&x, p, sizeof(x));
	if (x.done > x.count || x.ok > 1)
		fail("%s: done %u of %u, ok %u", send ? "SEND" : "RECV",
		     x.done, x.count, x.ok);
	if (send || s.fd < 0 || s.timer || x.buf != (uintptr_t)vals)
		return;
	for (i = 0; i < x.done && i < n; i++)
		check_value("RECV", vals + (size_t)i * s.elem, s.elem, 1);
	/* A receive that found the channel closed: Go's zero value. */
	if (!x.done && !x.ok && x.count && n)
		check_value("RECV (closed)", vals, s.elem, 0);
}

static void op_select(void)
{
	static __thread uint8_t vals[8][MAXVAL];
	struct gochan_case cases[8], *cp;
	struct gochan_select sel = {}, scratch;
	uint32_t sizes[8];
	struct slot slots[8];
	uint32_t i, n = below(9);
	bool usable;
	long ret;

	for (i = 0; i < n; i++) {
		cases[i].fd = pick_fd(&slots[i]);
		if (chance(5))
			cases[i].fd = -1;	/* a nil channel */
		if (chance(95))
			cases[i].dir = 1 + below(2);	/* GOCHAN_DIR_* */
		else
			cases[i].dir = (uint32_t)rnd();
		cases[i].buf = buf_ptr(vals[i], cases[i].dir == GOCHAN_DIR_SEND);
		cases[i].ok = 9;
		cases[i].err = 9;
		if (cases[i].dir == GOCHAN_DIR_SEND && slots[i].fd >= 0 &&
		    slots[i].elem <= MAXVAL)
			fill(vals[i], slots[i].elem);
		else
			memset(vals[i], 0xee, sizeof(vals[i]));
	}
	cp = cases;
	if (chance(5))
		cp = (void *)(uintptr_t)buf_ptr(cases, false);
	sel.cases = (uintptr_t)cp;
	sel.n = chance(95) ? n : r32(GOCHAN_SELECT_MAX);
	if (sel.n > n && cp == cases)
		sel.n = n;
	sel.flags = rflags(GOCHAN_SELECT_NONBLOCK | GOCHAN_SELECT_BIASED);
	bounded(&sel.deadline);
	if (chance(3))
		sel.pad = 1;
	/* The caller's sizes: mostly each channel's, at times not. */
	if (chance(20)) {
		for (i = 0; i < n; i++)
			sizes[i] = chance(90) && slots[i].fd >= 0 ?
				   slots[i].elem : below(70000);
		sel.sizes = chance(95) ? (uintptr_t)sizes :
					 buf_ptr(sizes, false);
	}
	ret = done_call("SELECT", ioctl(devfd, GOCHAN_IOC_SELECT,
					ptr_for(&scratch, &sel, sizeof(sel),
						&usable)));
	if (ret || !usable || cp != cases)
		return;
	i = scratch.index;
	if (i >= n) {
		fail("SELECT: index %u of %u cases", i, n);
		return;
	}
	if (cases[i].dir == GOCHAN_DIR_RECV && slots[i].fd >= 0 &&
	    !slots[i].timer && cases[i].buf == (uintptr_t)vals[i] &&
	    slots[i].elem <= MAXVAL)
		check_value("SELECT", vals[i], slots[i].elem, cases[i].ok);
}

/* ---- selectors ------------------------------------------------------------ */

static int sel_pick(void)
{
	int fd;

	pthread_mutex_lock(&table_lock);
	fd = sels[below(SELECTORS)];
	pthread_mutex_unlock(&table_lock);
	if (chance(95) && fd >= 0)
		return fd;
	switch (below(4)) {
	case 0: return devfd;
	case 1: return table_pick().fd;
	case 2: return -1;
	default: return (int)rnd();
	}
}

static void op_selector_make(void)
{
	struct gochan_selector req = {}, scratch;
	bool usable;
	long fd;
	int i, old;

	req.flags = rflags(GOCHAN_SELECTOR_CLOEXEC);
	if (chance(3))
		req.pad = 1;
	if (chance(3))
		req.reserved[below(2)] = rnd();
	fd = done_call("SELECTOR", ioctl(devfd, GOCHAN_IOC_SELECTOR,
					 ptr_for(&scratch, &req, sizeof(req),
						 &usable)));
	if (fd < 0)
		return;
	i = below(SELECTORS);
	pthread_mutex_lock(&table_lock);
	old = sels[i];
	sels[i] = fd;
	pthread_mutex_unlock(&table_lock);
	if (old >= 0)
		close(old);	/* a selector released with its cases */
}

static void op_selector_ctl(void)
{
	static __thread uint8_t val[MAXVAL];
	struct gochan_selector_ctl c = {}, scratch;
	struct slot s;
	bool usable;

	c.op = chance(95) ? 1 + below(3) : (uint32_t)rnd();
	c.fd = pick_fd(&s);
	c.dir = chance(95) ? 1 + below(2) : (uint32_t)rnd();
	c.elem_size = chance(85) && s.fd >= 0 ? s.elem : below(70000);
	if (c.dir == GOCHAN_DIR_SEND && s.fd >= 0 && s.elem <= MAXVAL)
		fill(val, s.elem);
	c.buf = c.dir == GOCHAN_DIR_SEND ? buf_ptr(val, true) :
		chance(95) ? 0 : rnd();
	c.key = KEY(s.elem, s.timer);
	if (s.fd < 0 || chance(5))
		c.key = rnd() & ~(0xffffULL << 48);
	if (c.op == GOCHAN_CTL_DEL && chance(90)) {
		c.elem_size = 0;
		c.buf = 0;
		c.key = 0;
	}
	if (chance(3))
		c.reserved[below(2)] = rnd();
	done_call("SELECTOR_CTL", ioctl(sel_pick(), GOCHAN_IOC_SELECTOR_CTL,
					ptr_for(&scratch, &c, sizeof(c),
						&usable)));
}

static void op_selector_wait(void)
{
	static __thread uint8_t val[MAXVAL];
	struct gochan_selector_event ev[8];
	struct gochan_selector_wait w = {}, scratch;
	uint32_t elem, i;
	bool usable;
	long ret;

	w.flags = rflags(GOCHAN_WAIT_NONBLOCK | GOCHAN_WAIT_BIASED |
			 GOCHAN_WAIT_READY);
	bounded(&w.deadline);
	if (w.flags & GOCHAN_WAIT_READY) {
		w.events = chance(95) ? (uintptr_t)ev : buf_ptr(ev, false);
		w.max = chance(95) ? 1 + below(8) : r32(GOCHAN_SELECTOR_EVENTS_MAX);
		if (w.max > 8 && w.events == (uintptr_t)ev)
			w.max = 8;
	} else {
		w.buf = buf_ptr(val, false);
		w.size = chance(90) ? sizeof(val) : r32(MAXVAL);
	}
	if (chance(3))
		w.pad = 1;
	if (chance(3))
		w.reserved[below(2)] = rnd();
	memset(val, 0xee, sizeof(val));
	w.count = 77;
	ret = done_call("SELECTOR_WAIT",
			ioctl(sel_pick(), GOCHAN_IOC_SELECTOR_WAIT,
			      ptr_for(&scratch, &w, sizeof(w), &usable)));
	if (ret || !usable)
		return;
	memcpy(&w, &scratch, sizeof(w));
	if (w.flags & GOCHAN_WAIT_READY) {
		if (!w.count || w.count > w.max)
			fail("SELECTOR_WAIT: %u events of %u", w.count, w.max);
		for (i = 0; i < w.count && w.events == (uintptr_t)ev; i++)
			if ((ev[i].dir != GOCHAN_DIR_SEND &&
			     ev[i].dir != GOCHAN_DIR_RECV) || ev[i].flags > 1)
				fail("SELECTOR_WAIT: event dir %u flags %u",
				     ev[i].dir, ev[i].flags);
		return;
	}
	if (w.count != 1 || w.ok > 1 || (w.err && w.err != -EPIPE))
		fail("SELECTOR_WAIT: count %u ok %u err %d", w.count, w.ok,
		     w.err);
	/* A receive through a case of ours, into our buffer: check it. */
	elem = (w.key >> 8) & 0xffffff;
	if (w.dir == GOCHAN_DIR_RECV && w.key >> 48 == KEY_TAG &&
	    !(w.key & 1) && w.buf == (uintptr_t)val && elem <= w.size &&
	    elem <= MAXVAL)
		check_value("SELECTOR_WAIT", val, elem, w.ok);
}

static void op_misc(void)
{
	struct gochan_info info, *ip;
	struct gochan_dup d = {}, scratch;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	struct slot s;
	struct pollfd pfd;
	bool usable;
	char c[16];
	long fd, ret;

	fd = pick_fd(&s);
	switch (below(13)) {
	case 0:
		done_call("CLOSE", ioctl(fd, GOCHAN_IOC_CLOSE));
		break;
	case 1:
		ip = chance(90) ? &info : (void *)(uintptr_t)buf_ptr(&info, false);
		ret = done_call("INFO", ioctl(fd, GOCHAN_IOC_INFO, ip));
		if (!ret && ip == &info && s.fd >= 0 &&
		    (info.pad || info.reserved[0] || info.reserved[1]))
			fail("INFO: padding not zeroed");
		break;
	case 2:
		d.dir = rflags(GOCHAN_DIR_SEND | GOCHAN_DIR_RECV);
		d.flags = rflags(GOCHAN_MAKE_CLOEXEC);
		if (chance(3))
			d.reserved = 1;
		ret = done_call("DUP", ioctl(fd, GOCHAN_IOC_DUP,
					     ptr_for(&scratch, &d, sizeof(d),
						     &usable)));
		if (ret >= 0 && s.fd >= 0)
			table_put(ret, s.elem, s.timer);
		else if (ret >= 0)
			close(ret);
		break;
	case 3:
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
		done_call("poll", poll(&pfd, 1, below(2)));
		break;
	case 4:
		ret = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
		if (ret && errno != EEXIST && errno != EPERM &&
		    errno != EBADF && errno != EINVAL)
			fail("epoll_ctl ADD: errno %d", errno);
		break;
	case 5:
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		break;
	case 6: {
		struct epoll_event evs[8];

		epoll_wait(epfd, evs, 8, 0);
		break;
	}
	case 7:
		/* fd close: only table fds, so numbers are not reused. */
		if (s.fd >= 0 && chance(30)) {
			pthread_mutex_lock(&table_lock);
			for (int i = 0; i < TABLE; i++)
				if (table[i].fd == s.fd) {
					table[i].fd = -1;
					close(s.fd);
				}
			pthread_mutex_unlock(&table_lock);
		}
		break;
	case 8:
		/* dup(2) of table fds only: others are not channels. */
		ret = s.fd >= 0 ? dup(fd) : -1;
		if (ret >= 0)
			table_put(ret, s.elem, s.timer);
		break;
	case 9:
		/*
		 * read(2) and write(2), non-blocking (O_NONBLOCK on the
		 * file: the ioctls do not look at it), of any count: whole
		 * values or a clean error.  mmap and lseek are not
		 * implemented.
		 */
		if (s.fd >= 0) {
			uint8_t rw[64];
			int fl = fcntl(fd, F_GETFL);
			size_t cnt = below(sizeof(rw) + 1), k;
			bool rd = chance(50);

			/* Values written are checked by whoever receives them. */
			for (k = 0; !rd && s.elem && k + s.elem <= cnt; k += s.elem)
				fill(rw + k, s.elem);
			if (fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0) {
				ret = rd ? read(fd, rw, cnt) : write(fd, rw, cnt);
				if (ret < 0)
					done_call("read/write", -1);
				else if (!s.elem || ret % s.elem || (size_t)ret > cnt)
					fail("read/write: %ld bytes of %zu, elem %u",
					     ret, cnt, s.elem);
				else if (rd && !s.timer)
					for (k = 0; k < (size_t)ret; k += s.elem)
						check_value("read", rw + k, s.elem, 1);
				fcntl(fd, F_SETFL, fl);
			}
			if (mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) !=
			    MAP_FAILED)
				fail("mmap of a channel fd succeeded");
			if (lseek(fd, 0, SEEK_SET) >= 0)
				fail("lseek on a channel fd succeeded");
		}
		break;
	case 10:
		/* Unknown commands, our magic and others. */
		done_call("unknown ioctl",
			  ioctl(chance(50) ? devfd : fd,
				_IOC(below(4), chance(80) ? GOCHAN_IOC_MAGIC : below(256),
				     below(64), below(256)),
				(void *)(uintptr_t)buf_ptr(c, false)));
		break;
	case 11: {
		/* A timer's Stop or Reset, on any fd. */
		struct gochan_timer_set ts = {}, tscratch;

		ts.flags = rflags(GOCHAN_TIMER_STOP);
		ts.ns = ts.flags ? 0 : chance(90) ? 100000 + below(2000000) :
						  (int64_t)rnd();
		if (chance(3))
			ts.reserved = 1;
		done_call("TIMER_SET", ioctl(fd, GOCHAN_IOC_TIMER_SET,
					     ptr_for(&tscratch, &ts, sizeof(ts),
						     &usable)));
		break;
	}
	default:
		op_timer();
		break;
	}
}

static void one_call(void)
{
	uint32_t r = below(24);

	if (r < 2)
		op_make();
	else if (r < 3)
		op_api();
	else if (r < 7)
		op_xfer(true);
	else if (r < 11)
		op_xfer(false);
	else if (r < 14)
		op_select();
	else if (r < 15)
		op_selector_make();
	else if (r < 17)
		op_selector_ctl();
	else if (r < 18)
		op_selector_wait();
	else
		op_misc();
}

/* ---- processes and threads -------------------------------------------------- */

struct worker {
	uint64_t seed;
	pthread_t tid;
};

static void *thread_main(void *arg)
{
	struct worker *w = arg;

	rs = w->seed;
	while (!LOAD(sh->stop))
		one_call();
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A fuzzing process: its threads, until told to stop. */
static int proc_main(int id, uint64_t gen)
{
	struct worker w[MAX_THREADS];
	sigset_t set;
	int t;

	for (t = 0; t < opt_threads; t++) {
		w[t].seed = mix(opt_seed ^ mix(((uint64_t)id << 32) | t) ^ gen);
		if (pthread_create(&w[t].tid, NULL, thread_main, &w[t]))
			return 1;
	}
	/* Signals go to the workers, to interrupt their calls. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (t = 0; t < opt_threads; t++)
		pthread_join(w[t].tid, NULL);
	return 0;
}

static void *map_page(int prot)
{
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static pid_t spawn(int id, uint64_t gen)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(proc_main(id, gen));
	return pid;
}

static void usage(const char *prog)
{
	fprintf(stderr, "%s [--seed N] [--seconds S] [--procs P]\n", prog);
	fprintf(stderr, "    [--threads T] [--chans C] [--kills K]\n");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct rlimit rl = { 8192, 8192 };
	pid_t pids[MAX_PROCS];
	struct timespec t0, t1;
	uint64_t gen = 0;
	int i, status, bad = 0;
	double secs;

	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			usage(argv[0]);
			return 2;
		}
		i++;
		if (!strcmp(o, "--seed")) {
			opt_seed = strtoull(v, NULL, 0);
		} else if (!strcmp(o, "--seconds")) {
			opt_seconds = atoi(v);
		} else if (!strcmp(o, "--procs")) {
			opt_procs = atoi(v);
		} else if (!strcmp(o, "--threads")) {
			opt_threads = atoi(v);
		} else if (!strcmp(o, "--chans")) {
			opt_chans = atoi(v);
		} else if (!strcmp(o, "--kills")) {
			opt_kills = atoi(v);
		} else {
			usage(argv[0]);
			return 2;
		}
	}
	if (opt_procs < 1 || opt_procs > MAX_PROCS || opt_threads < 1 ||
	    opt_threads > MAX_THREADS || opt_chans < 0 || opt_chans > TABLE) {
		fprintf(stderr, "gochan_fuzz: at most %d procs, %d threads, %d chans\n",
			MAX_PROCS, MAX_THREADS, TABLE);
		return 2;
	}
	/* Kill and replace a process every ~2 s by default. */
	if (opt_kills < 0)
		opt_kills = opt_seconds / 2;
	printf("TAP version 13\n# gochan_fuzz: seed=%llu\n", ull(opt_seed));
	printf("# replay: --seed %llu --seconds %d --procs %d --threads %d",
	       ull(opt_seed), opt_seconds, opt_procs, opt_threads);
	printf(" --chans %d --kills %d\n", opt_chans, opt_kills);
	fflush(stdout);

	setrlimit(RLIMIT_NOFILE, &rl);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	devfd = open("/dev/gochan", O_RDWR | O_CLOEXEC);
	if (sh == MAP_FAILED || devfd < 0) {
		printf("not ok 1 gochan_fuzz # cannot open /dev/gochan: %s\n1..1\n",
		       strerror(errno));
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	pg_none = map_page(PROT_NONE);
	pg_ro = map_page(PROT_READ | PROT_WRITE);
	pg_edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(pg_edge + 4096, 4096, PROT_NONE);
	mprotect(pg_ro, 4096, PROT_READ);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: EINTR paths */

	/* The shared pool: made before the fork, so every process has it. */
	rs = mix(opt_seed);
	for (i = 0; i < TABLE; i++)
		table[i].fd = -1;
	for (i = 0; i < opt_chans; i++) {
		static const uint32_t sizes[] = { 0, 1, 8, 8, 8, 24, 64, 1000, 4096 };
		struct gochan_make mk = {
			.elem_size = sizes[i % 9], .cap = i % 3 ? below(5) : 0,
		};
		int fd = ioctl(devfd, GOCHAN_IOC_MAKE, &mk);

		if (fd >= 0)
			table_put(fd, mk.elem_size, false);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < opt_procs; i++)
		pids[i] = spawn(i, 0);
	for (;;) {
		uint32_t nap = 20000 + below(30000);

		usleep(nap);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs >= opt_seconds || LOAD(sh->stop))
			break;
		/* Interrupt some blocked calls. */
		kill(pids[below(opt_procs)], SIGUSR1);
		/* Now and then, kill a process with its calls in flight. */
		if (opt_kills && chance((int)(100.0 * opt_kills * 0.035 /
					      opt_seconds) + 1)) {
			int k = below(opt_procs);

			kill(pids[k], SIGKILL);
			waitpid(pids[k], &status, 0);
			/* It must have been alive until now. */
			if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
				printf("# process %d ended with status %#x before its kill\n",
				       k, status);
				bad = 1;
			}
			sh->kills++;
			pids[k] = spawn(k, ++gen);
		}
	}
	STORE(sh->stop, 1);
	for (i = 0; i < opt_procs; i++) {
		/*
		 * A process stuck in the kernel would hang here: the VM's
		 * hung-task detector and timeout catch that.
		 */
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# process %d ended with status %#x\n", i, status);
			bad = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# seed=%llu seconds=%.1f calls=%llu errors=%llu",
	       ull(opt_seed), secs, ull(sh->calls), ull(sh->errors));
	printf(" values_checked=%llu kills=%llu procs=%d threads=%d\n",
	       ull(sh->values_in), ull(sh->kills), opt_procs, opt_threads);
	/* A run that did little proves little: floors per second run. */
	if (!sh->failed && !bad &&
	    (sh->calls < 100ULL * opt_seconds ||
	     sh->values_in < 5ULL * opt_seconds)) {
		printf("# below the floor: %llu calls (at least %llu),",
		       ull(sh->calls), 100ULL * opt_seconds);
		printf(" %llu values checked (at least %llu)\n",
		       ull(sh->values_in), 5ULL * opt_seconds);
		bad = 1;
	}
	if (sh->failed || bad) {
		printf("# %s\n", sh->failed ? sh->why :
		       "a process died, or the run fell below its floor");
		printf("not ok 1 gochan_fuzz seed=%llu\n1..1\n", ull(opt_seed));
		return 1;
	}
	printf("ok 1 gochan_fuzz seed=%llu calls=%llu\n1..1\n", ull(opt_seed),
	       ull(sh->calls));
	return 0;
}
