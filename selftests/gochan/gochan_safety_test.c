// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user may make the kernel hold or do, bounded:
 *
 *   ticker_unread_stalls    an unread ticker stops firing; the receive
 *                           that empties its slot restarts it, and the
 *                           next tick is a fresh one
 *   ticker_irq_rate         64 unread 1 us tickers: each fires at most
 *                           twice; the timer interrupt rate is printed
 *   ticker_floor            below min_tick_ns a ticker needs
 *                           CAP_SYS_RESOURCE (EPERM)
 *   user_byte_budget        max_user_bytes bounds the memory of a user's
 *                           channels and of its selects' buffers
 *                           (ENOBUFS); passing an fd does not pass the
 *                           charge
 *   user_bytes_pinned       with the default budget, how much a user can
 *                           make the kernel hold in channel buffers
 *   select_memcg_charge     a blocked select's kernel memory is charged
 *                           to the caller's memory cgroup
 *   many_waiters_irqs_off   100,000 waiters on one channel: INFO and
 *                           close hold the channel lock (interrupts
 *                           off) for a time that does not grow with them
 *   cap_fits_int            a capacity over INT_MAX is refused (EFBIG)
 *
 * Needs root (the VM runs it as root): it changes module parameters,
 * cgroups and uids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"
#include "gochan_files.h"
#include "gochan_test.h"

/* CLOCK_MONOTONIC in ns: 64 bits also in the 32-bit build. */
static __s64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long fdinfo_num(int fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return read_num(path, key);
}

static long xfer(int fd, unsigned long cmd, void *buf, unsigned int count,
		 unsigned int flags, unsigned int *done)
{
	struct gochan_xfer x = { .buf = (uintptr_t)buf, .count = count,
				 .flags = flags };
	long r = call(fd, cmd, &x);

	if (done)
		*done = x.done;
	return r;
}

static long ticker(long ns)
{
	struct gochan_timer t = { .ns = ns, .flags = GOCHAN_TIMER_TICKER };

	return call(dev, GOCHAN_IOC_TIMER, &t);
}

GOCHAN_ROOT_FIXTURE(safety);

/* Run fn in a child as uid; its exit status, or -1. */
static int run_as(uid_t uid, int (*fn)(void *), void *arg)
{
	pid_t c = fork();
	int st;

	if (!c) {
		if (setgid(uid) || setuid(uid))
			_exit(255);
		_exit(fn(arg));
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---- tickers ------------------------------------------------------------------- */

TEST_F_TIMEOUT(safety, ticker_unread_stalls, 120)
{
	const __s64 period = 1000000;	/* 1 ms */
	__s64 t0, tick, before;	/* tick: the channel's 8-byte value */
	long fires, fires2;
	int fd;

	fd = ticker(period);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fdinfo_num(fd, "timer_fires")) TH_LOG("no timer_fires in fdinfo");
	/* 200 periods unread: one tick fills the slot, the next stalls. */
	usleep(200 * period / 1000);
	fires = fdinfo_num(fd, "timer_fires");
	TH_LOG("unread 1 ms ticker: %ld fires in 200 ms", fires);
	EXPECT_LE(1, fires);
	EXPECT_GE(2, fires);
	/* The stale tick is in the slot; taking it restarts the ticker. */
	before = now_ns();
	ASSERT_EQ(0, xfer(fd, GOCHAN_IOC_RECV, &tick, 1, GOCHAN_XFER_NONBLOCK, NULL));
	EXPECT_GT(before - 100 * period, tick) TH_LOG("the first tick is not the stale one");
	/* The next tick is fresh: fired after the receive that restarted it. */
	ASSERT_EQ(0, xfer(fd, GOCHAN_IOC_RECV, &tick, 1, 0, NULL));
	EXPECT_LE(before, tick) TH_LOG("tick %lld ns before the restart",
				       (long long)(before - tick));
	fires2 = fdinfo_num(fd, "timer_fires");
	EXPECT_LT(fires, fires2);
	/* Read steadily, it ticks steadily. */
	t0 = now_ns();
	while (now_ns() - t0 < 20 * period)
		ASSERT_EQ(0, xfer(fd, GOCHAN_IOC_RECV, &tick, 1, 0, NULL));
	TH_LOG("read for 20 ms: %ld more fires", fdinfo_num(fd, "timer_fires") - fires2);
	EXPECT_LT(fires2 + 5, fdinfo_num(fd, "timer_fires"));
	close(fd);
}

/* Local timer interrupts so far, all CPUs. */
static long loc_irqs(void)
{
	char line[1024], *p;
	long sum = -1, v;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, "LOC:", 4))
			continue;
		sum = 0;
		p += 4;
		for (;;) {
			char *end;

			v = strtol(p, &end, 10);
			if (end == p)
				break;
			sum += v;
			p = end;
		}
	}
	fclose(f);
	return sum;
}

TEST_F_TIMEOUT(safety, ticker_irq_rate, 60)
{
	long base0, base1, with0, with1, fires;
	int fd[64], i;

	base0 = loc_irqs();
	usleep(500000);
	base1 = loc_irqs();
	for (i = 0; i < 64; i++) {
		fd[i] = ticker(1000);
		ASSERT_LE(0, fd[i]);
	}
	usleep(100000);
	with0 = loc_irqs();
	usleep(500000);
	with1 = loc_irqs();
	for (i = 0, fires = 0; i < 64; i++) {
		long f = fdinfo_num(fd[i], "timer_fires");

		EXPECT_GE(2, f) TH_LOG("ticker %d fired %ld times unread", i, f);
		EXPECT_LE(1, f);
		fires += f;
		close(fd[i]);
	}
	TH_LOG("timer interrupts: %ld/s idle, %ld/s with 64 unread 1 us tickers (%ld fires in all)",
	       (base1 - base0) * 2, (with1 - with0) * 2, fires);
}

static int tick_as_user(void *arg)
{
	long floor = *(long *)arg, fd;

	fd = ticker(floor - 1);
	if (fd != -EPERM)
		return 1;
	fd = ticker(floor);
	if (fd < 0)
		return 2;
	close(fd);
	/* One-shot timers have no floor: they fire once. */
	fd = call(dev, GOCHAN_IOC_TIMER, &(struct gochan_timer){ .ns = 1 });
	if (fd < 0)
		return 3;
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(safety, ticker_floor, 60)
{
	long floor = read_num("/sys/module/gochan/parameters/min_tick_ns", NULL);
	long fd;

	ASSERT_LE(1000, floor) TH_LOG("min_tick_ns missing or under 1 us");
	EXPECT_EQ(0, run_as(1000, tick_as_user, &floor));
	/* CAP_SYS_RESOURCE goes down to the 1 us every caller has. */
	fd = ticker(1000);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EINVAL, ticker(999));
}

/* ---- the per-user byte budget ------------------------------------------------- */

#define MIB	(1024L * 1024)

/* As an unprivileged user with max_user_bytes = 4 MiB. */
static int budget_as_user(void *arg)
{
	static char big[16][65536];
	struct gochan_case cs[16];
	struct gochan_select s;
	int held[8], n = 0, bigfd, fd, i;
	unsigned int done;
	long r;

	(void)arg;
	/* 1 MiB channels: the fourth does not fit. */
	for (n = 0; n < 8; n++) {
		held[n] = mkchan(4096, 256);
		if (held[n] < 0)
			break;
	}
	if (n != 3 || errno != ENOBUFS) {
		printf("# %d channels of 1 MiB, then %s\n", n, strerror(errno));
		return 1;
	}
	/* Small ones still fit; a select's 1 MiB of send values does not. */
	bigfd = mkchan(65536, 0);
	if (bigfd < 0)
		return 2;
	for (i = 0; i < 16; i++)
		cs[i] = (struct gochan_case){ .fd = bigfd, .dir = GOCHAN_DIR_SEND,
					      .buf = (uintptr_t)big[i] };
	s = (struct gochan_select){ .cases = (uintptr_t)cs, .n = 16,
				    .flags = GOCHAN_SELECT_NONBLOCK };
	r = call(dev, GOCHAN_IOC_SELECT, &s);
	if (r != -ENOBUFS) {
		printf("# select with 1 MiB of send values: %ld\n", r);
		return 3;
	}
	s.n = 4;
	r = call(dev, GOCHAN_IOC_SELECT, &s);
	if (r != -EAGAIN) {
		printf("# select with 256 KiB of send values: %ld\n", r);
		return 4;
	}
	/* A batch of 64 KiB values needs a 64 KiB bounce buffer: it fits. */
	r = xfer(bigfd, GOCHAN_IOC_SEND, big, 1, GOCHAN_XFER_NONBLOCK, &done);
	if (r != -EAGAIN)
		return 5;
	/* Freed channels are uncharged. */
	close(held[0]);
	fd = mkchan(4096, 256);
	if (fd < 0)
		return 6;
	return 0;
}

/* The channel a child made and passed on stays charged to the child. */
static int make_and_pass(void *arg)
{
	int *sv = arg, fd = mkchan(4096, 768);	/* 3 MiB */

	if (fd < 0)
		return 1;
	return send_fd(sv[1], fd) ? 2 : 0;
}

static int budget_full(void *arg)
{
	(void)arg;
	return mkchan(4096, 256) < 0 && errno == ENOBUFS ? 0 : 1;
}

TEST_F_TIMEOUT(safety, user_byte_budget, 120)
{
	long old = set_param("max_user_bytes", 4 * MIB);
	int sv[2], fd, held;
	pid_t c;

	ASSERT_LE(0, old);
	EXPECT_EQ(0, run_as(1001, budget_as_user, NULL));
	/* Root (CAP_SYS_RESOURCE) is not held to the budget. */
	fd = mkchan(4096, 2048);	/* 8 MiB */
	EXPECT_LE(0, fd);
	close(fd);
	/* uid 1002 makes 3 MiB and passes it to us; it stays charged. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	c = fork();
	ASSERT_LE(0, c);
	if (!c) {
		if (setgid(1002) || setuid(1002))
			_exit(255);
		_exit(make_and_pass(sv));
	}
	held = recv_fd(sv[0]);
	EXPECT_LE(0, held);
	waitpid(c, NULL, 0);
	/* uid 1002 exited; its channel lives on with us, charged to it. */
	EXPECT_EQ(0, run_as(1002, budget_full, NULL));
	close(held);
	close(sv[0]);
	close(sv[1]);
	EXPECT_EQ(0, set_param("max_user_bytes", old) < 0);
}

/* As an unprivileged user: 16 MiB channels until refused (at most 40). */
static int pin_16mib_channels(void *arg)
{
	int n, fd;

	(void)arg;
	for (n = 0; n < 40; n++) {
		fd = mkchan(65536, 256);
		if (fd < 0)
			break;
	}
	printf("# user 1003: %d channels of 16 MiB (%d MiB of kernel memory), then %s\n",
	       n, n * 16, n < 40 ? strerror(errno) : "stopped at 40");
	return n;
}

TEST_F_TIMEOUT(safety, user_bytes_pinned, 120)
{
	long budget = read_num("/sys/module/gochan/parameters/max_user_bytes", NULL);
	int n = run_as(1003, pin_16mib_channels, NULL);

	ASSERT_LE(0, n);
	ASSERT_LT(0, budget) TH_LOG("no max_user_bytes");
	EXPECT_GE(budget, n * 16 * MIB);
	EXPECT_LT(0, n);
}

/* ---- select's memory is charged to the memory cgroup --------------------------- */

#define CG	CG_ROOT "/gochan-select"
#define NSELECT	32

struct blocked {
	int fd;
	atomic_int go;
	__u64 v[NSELECT];
};

static void *blocked_select(void *p)
{
	static struct gochan_case cs[NSELECT][GOCHAN_SELECT_MAX];
	struct blocked *b = p;
	static atomic_int next;
	int me = atomic_fetch_add(&next, 1), i;
	struct gochan_select s = { .cases = (uintptr_t)cs[me],
				   .n = GOCHAN_SELECT_MAX };

	for (i = 0; i < GOCHAN_SELECT_MAX; i++)
		cs[me][i] = (struct gochan_case){ .fd = b->fd,
						  .dir = GOCHAN_DIR_RECV,
						  .buf = (uintptr_t)&b->v[me] };
	while (!atomic_load(&b->go))
		usleep(1000);
	call(dev, GOCHAN_IOC_SELECT, &s);
	return NULL;
}

static long meminfo_kib(const char *key)
{
	return read_num("/proc/meminfo", key);
}

/* In the cgroup: NSELECT blocked 1024-case selects; prints, exits 0 if fair. */
static int select_charge_child(void)
{
	struct blocked b = { .fd = mkchan(8, 0) };
	long cg0, cg1, kern0, kern1;
	__s64 t0;
	struct gochan_info info;
	pthread_t t[NSELECT];
	int i;

	if (b.fd < 0)
		return 10;
	for (i = 0; i < NSELECT; i++)
		if (pthread_create(&t[i], NULL, blocked_select, &b))
			return 11;
	usleep(200000);
	cg0 = read_num(CG "/memory.current", NULL);
	kern0 = meminfo_kib("Slab") + meminfo_kib("VmallocUsed");
	atomic_store(&b.go, 1);
	/* The window: every select queued on the channel. */
	t0 = now_ns();
	do {
		usleep(10000);
		if (call(b.fd, GOCHAN_IOC_INFO, &info))
			return 12;
	} while (info.receivers < NSELECT * GOCHAN_SELECT_MAX &&
		 now_ns() - t0 < 60000000000L);
	cg1 = read_num(CG "/memory.current", NULL);
	kern1 = meminfo_kib("Slab") + meminfo_kib("VmallocUsed");
	printf("# %u waiters queued; cgroup charge grew %ld KiB, kernel slab+vmalloc %ld KiB\n",
	       info.receivers, (cg1 - cg0) >> 10, kern1 - kern0);
	call(b.fd, GOCHAN_IOC_CLOSE, NULL);
	for (i = 0; i < NSELECT; i++)
		pthread_join(t[i], NULL);
	if (info.receivers != NSELECT * GOCHAN_SELECT_MAX)
		return 13;
	/* What the selects made the kernel allocate, the cgroup paid. */
	return (cg1 - cg0) >> 10 >= (kern1 - kern0) * 9 / 10 ? 0 : 14;
}

TEST_F_TIMEOUT(safety, select_memcg_charge, 180)
{
	int st, r;
	pid_t c;

	r = cg_memory_make(CG);
	if (r == -ENODEV)
		SKIP(return, "no cgroup v2 memory controller");
	ASSERT_EQ(0, r);
	c = cg_run(CG, select_charge_child);
	ASSERT_LE(0, c);
	ASSERT_EQ(c, waitpid(c, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("the selects' memory escaped the cgroup");
	EXPECT_EQ(0, rmdir(CG));
}

/* ---- interrupts-off time with many waiters ------------------------------------- */

#define GOCHAN_DEBUGFS	"/sys/kernel/debug/gochan"

struct many {
	int fd, cases;
	atomic_int closed_seen, wrong;
	__u64 v;
};

static void *many_select(void *p)
{
	struct many *m = p;
	struct gochan_case *cs = calloc(m->cases, sizeof(*cs));
	struct gochan_select s = { .cases = (uintptr_t)cs, .n = m->cases };
	int i;

	for (i = 0; i < m->cases; i++)
		cs[i] = (struct gochan_case){ .fd = m->fd, .dir = GOCHAN_DIR_RECV,
					      .buf = (uintptr_t)&m->v };
	if (!call(dev, GOCHAN_IOC_SELECT, &s) && s.index < (unsigned int)m->cases &&
	    cs[s.index].ok == 0)
		atomic_fetch_add(&m->closed_seen, 1);
	else
		atomic_fetch_add(&m->wrong, 1);
	free(cs);
	return NULL;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(safety, many_waiters_irqs_off, 600)
{
	const char *hold = GOCHAN_DEBUGFS "/close_max_hold_ns";
	long total = 100000, nthreads, i, t_info, t_close, n, t_infos[101];
	__s64 t0;
	long holds, unlinked;
	struct many m = { .cases = 1000 };
	struct gochan_info info;
	pthread_t *t;

	if (getenv("GOCHAN_WAITERS"))
		total = atol(getenv("GOCHAN_WAITERS"));
	nthreads = total / m.cases;
	t = calloc(nthreads, sizeof(*t));
	m.fd = mkchan(8, 0);
	ASSERT_LE(0, m.fd);
	for (i = 0; i < nthreads; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, many_select, &m));
	/* The window: every waiter queued. */
	t0 = now_ns();
	do {
		usleep(20000);
		ASSERT_EQ(0, call(m.fd, GOCHAN_IOC_INFO, &info));
	} while (info.receivers < nthreads * m.cases && now_ns() - t0 < 300000000000L);
	ASSERT_EQ(nthreads * m.cases, info.receivers);
	/* INFO (and poll, fdinfo) read counters: time 101 of them. */
	for (n = 0; n < 101; n++) {
		t0 = now_ns();
		call(m.fd, GOCHAN_IOC_INFO, &info);
		t_infos[n] = now_ns() - t0;
	}
	qsort(t_infos, 101, sizeof(long), cmp_long);
	t_info = t_infos[50];
	write_file(hold, "0");
	write_file(GOCHAN_DEBUGFS "/close_holds", "0");
	write_file(GOCHAN_DEBUGFS "/close_hold_ns", "0");
	write_file(GOCHAN_DEBUGFS "/close_waiters", "0");
	t0 = now_ns();
	ASSERT_EQ(0, call(m.fd, GOCHAN_IOC_CLOSE, NULL));
	t_close = now_ns() - t0;
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	holds = read_num(GOCHAN_DEBUGFS "/close_holds", NULL);
	TH_LOG("%u waiters: INFO median %ld max %ld us; CLOSE %ld us, %ld holds, mean %ld, max %ld",
	       info.receivers, t_info / 1000, t_infos[100] / 1000,
	       t_close / 1000, holds,
	       holds > 0 ? read_num(GOCHAN_DEBUGFS "/close_hold_ns", NULL) / holds / 1000 : -1,
	       read_num(hold, NULL) / 1000);
	/*
	 * Bounded holds: at most 16 waiters each (KGO_CLOSE_BATCH).  The
	 * close unlinks at least one waiter per select; the selects it
	 * woke unlink the rest of theirs themselves.
	 */
	unlinked = read_num(GOCHAN_DEBUGFS "/close_waiters", NULL);
	TH_LOG("the close unlinked %ld waiters in %ld holds", unlinked, holds);
	EXPECT_LE(nthreads, unlinked);
	EXPECT_LE(unlinked, 16 * holds);
	EXPECT_EQ(nthreads, atomic_load(&m.closed_seen));
	EXPECT_EQ(0, atomic_load(&m.wrong));
	EXPECT_LE(0, read_num(hold, NULL)) TH_LOG("no %s", hold);
	close(m.fd);
	free(t);
}

/* ---- sizes ---------------------------------------------------------------------- */

TEST_F(safety, cap_fits_int)
{
	struct gochan_make mk = { .elem_size = 0, .cap = (__u32)INT_MAX + 1 };
	long fd;

	EXPECT_EQ(-EFBIG, call(dev, GOCHAN_IOC_MAKE, &mk));
	mk.cap = INT_MAX;
	fd = call(dev, GOCHAN_IOC_MAKE, &mk);
	ASSERT_LE(0, fd);
	EXPECT_EQ(INT_MAX, gochan_cap(fd));
	close(fd);
}

TEST_HARNESS_MAIN
