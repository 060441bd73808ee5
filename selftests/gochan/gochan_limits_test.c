// SPDX-License-Identifier: GPL-2.0
/*
 * Limits and isolation:
 *
 *   cgroup_memory_flood   a process that floods channels inside a cgroup
 *                         v2 with memory.max = 32 MiB gets ENOMEM or is
 *                         OOM-killed, and the rest of the system works
 *   per_user_caps         max_chans_per_user holds for each user apart
 *   cross_user_access     another user reaches a channel only through an
 *                         fd it was given, and only in the fd's direction
 *   outputs_poisoned      output structs and value buffers are filled
 *                         with poison first: every byte the kernel writes
 *                         is a defined value, and it writes no other
 *
 * Needs root (the VM runs it as root); the cgroup case needs the cgroup
 * v2 memory controller.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"
#include "gochan_files.h"
#include "gochan_test.h"

#define POISON	0xa5

/* One value through a fresh buffered channel. */
static int channel_works(void)
{
	struct gochan_xfer x = { .count = 1, .flags = GOCHAN_XFER_NONBLOCK };
	__u64 v = 77, w = 0;
	int fd = mkchan(8, 1), ok;

	if (fd < 0)
		return 0;
	x.buf = (uintptr_t)&v;
	ok = !call(fd, GOCHAN_IOC_SEND, &x) && x.done == 1;
	x.buf = (uintptr_t)&w;
	ok = ok && !call(fd, GOCHAN_IOC_RECV, &x) && x.done == 1 && w == 77;
	close(fd);
	return ok;
}

/* 64 MiB can still be had and touched. */
static int memory_works(void)
{
	size_t sz = 64 << 20;
	char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	memset(p, 1, sz);
	munmap(p, sz);
	return 1;
}

GOCHAN_ROOT_FIXTURE(limits);

/* ---- cgroup memory.max ------------------------------------------------------- */

#define CG	CG_ROOT "/gochan-flood"

/* The flood: 4 MiB channels, each filled, until something gives. */
static int flood(void)
{
	static char val[4096];
	struct gochan_xfer x = { .buf = (uintptr_t)val, .count = 64,
				 .flags = GOCHAN_XFER_NONBLOCK };
	int made = 0, fd;

	memset(val, 1, sizeof(val));
	for (;;) {
		fd = mkchan(sizeof(val), 1024);
		if (fd < 0)
			break;
		made++;
		while (!call(fd, GOCHAN_IOC_SEND, &x) && x.done)
			;
		if (errno == ENOMEM)
			break;
	}
	printf("# %s: %d channels of 4 MiB, then %s\n", __func__, made,
	       strerror(errno));
	return errno == ENOMEM ? 0 : 1;
}

TEST_F_TIMEOUT(limits, cgroup_memory_flood, 300)
{
	long kills;
	int st, r;
	pid_t c;

	r = cg_memory_make(CG);
	if (r == -ENODEV)
		SKIP(return, "no cgroup v2 memory controller");
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, write_file(CG "/memory.max", "33554432"));
	write_file(CG "/memory.swap.max", "0");

	c = cg_run(CG, flood);
	ASSERT_LE(0, c);
	ASSERT_EQ(c, waitpid(c, &st, 0));
	kills = read_num(CG "/memory.events", "oom_kill");
	TH_LOG("flood ended: %s %d; memory.events oom_kill %ld, memory.peak %ld",
	       WIFEXITED(st) ? "exit" : "signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), kills,
	       read_num(CG "/memory.peak", NULL));
	/* ENOMEM (exit 0): the OOM killer is never called in. */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(0, kills);
	/* Everything it held is gone, and the rest of the system works. */
	EXPECT_EQ(0, rmdir(CG));
	EXPECT_TRUE(channel_works());
	EXPECT_TRUE(memory_works());
}

/* ---- per-user caps ---------------------------------------------------------- */

/* As uid: make channels until refused; exit with how many (max 100). */
static int make_as(uid_t uid)
{
	int n = 0, fd;

	if (setgid(uid) || setuid(uid))
		return 255;
	for (n = 0; n < 100; n++) {
		fd = mkchan(1, 0);
		if (fd < 0)
			return errno == EMFILE ? n : 200;
	}
	return n;
}

static int run_as(uid_t uid, int (*fn)(uid_t))
{
	pid_t c = fork();
	int st;

	if (!c)
		_exit(fn(uid));
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F_TIMEOUT(limits, per_user_caps, 120)
{
	long old = set_param("max_chans_per_user", 8);
	int held[8], i;

	ASSERT_LE(0, old);
	/* Each user has a cap of its own. */
	EXPECT_EQ(8, run_as(1000, make_as));
	EXPECT_EQ(8, run_as(1001, make_as));
	/* A user's channels are uncharged when they go: again 8. */
	EXPECT_EQ(8, run_as(1000, make_as));
	/* Root is counted too, apart from the others. */
	for (i = 0; i < 8; i++)
		held[i] = mkchan(1, 0);
	EXPECT_EQ(-EMFILE, (long)(mkchan(1, 0) < 0 ? -errno : 0));
	EXPECT_EQ(8, run_as(1000, make_as));
	for (i = 0; i < 8; i++)
		close(held[i]);
	EXPECT_EQ(0, set_param("max_chans_per_user", old) < 0);
}

/* ---- cross-user access -------------------------------------------------------- */

struct xu {
	pid_t owner;
	int fd;		/* the owner's channel fd number */
	int sock;	/* where a given fd arrives */
};

/* The other user: exit code = a bit for each check that failed. */
static int intruder(struct xu *x)
{
	struct gochan_xfer xf = { .count = 1, .flags = GOCHAN_XFER_NONBLOCK };
	struct gochan_dup wide = {};
	char path[64];
	int bad = 0, fd, pidfd;
	__u64 v = 0;

	if (setgid(1000) || setuid(1000))
		return 255;
	/* Not through /proc. */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", x->owner, x->fd);
	fd = open(path, O_RDWR);
	if (fd >= 0 || (errno != EACCES && errno != EPERM)) {
		printf("# open %s: %s\n", path, fd >= 0 ? "opened" : strerror(errno));
		bad |= 1;
	}
	/* Not through pidfd_getfd. */
	pidfd = syscall(SYS_pidfd_open, x->owner, 0);
	if (pidfd >= 0) {
		fd = syscall(SYS_pidfd_getfd, pidfd, x->fd, 0);
		if (fd >= 0 || errno != EPERM) {
			printf("# pidfd_getfd: %s\n", fd >= 0 ? "got it" : strerror(errno));
			bad |= 2;
		}
		close(pidfd);
	}
	/* The fd number itself means nothing in this process. */
	if (call(x->fd, GOCHAN_IOC_INFO, &(struct gochan_info){}) != -EBADF)
		bad |= 4;
	/* Given (receive-only): it receives, and cannot send or widen. */
	fd = recv_fd(x->sock);
	xf.buf = (uintptr_t)&v;
	if (fd < 0 || call(fd, GOCHAN_IOC_RECV, &xf) || v != 31)
		bad |= 8;
	if (call(fd, GOCHAN_IOC_SEND, &xf) != -EBADF)
		bad |= 16;
	wide.dir = GOCHAN_DIR_SEND | GOCHAN_DIR_RECV;
	if (call(fd, GOCHAN_IOC_DUP, &wide) != -EBADF)
		bad |= 32;
	return bad;
}

TEST_F_TIMEOUT(limits, cross_user_access, 120)
{
	struct gochan_xfer xf = { .count = 1 };
	struct gochan_dup d = { .dir = GOCHAN_DIR_RECV };
	int sv[2], fd, rfd, st;
	__u64 v = 31;
	pid_t c;

	fd = mkchan(8, 1);
	ASSERT_LE(0, fd);
	rfd = call(fd, GOCHAN_IOC_DUP, &d);
	ASSERT_LE(0, rfd);
	xf.buf = (uintptr_t)&v;
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_SEND, &xf));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	c = fork();
	ASSERT_LE(0, c);
	if (!c) {
		struct xu x = { .owner = getppid(), .fd = fd, .sock = sv[1] };

		/* Nothing inherited: drop the channel fds first. */
		close(fd);
		close(rfd);
		close(dev);
		_exit(intruder(&x));
	}
	ASSERT_EQ(0, send_fd(sv[0], rfd));
	ASSERT_EQ(c, waitpid(c, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("failed checks: bits %#x",
					     WEXITSTATUS(st));
	close(sv[0]);
	close(sv[1]);
	close(rfd);
	close(fd);
}

/* ---- poisoned outputs -------------------------------------------------------- */

/* Bytes [from, to) of p are all poison. */
static int poisoned(const void *p, size_t from, size_t to)
{
	const unsigned char *b = p;

	for (; from < to; from++)
		if (b[from] != POISON)
			return 0;
	return 1;
}

TEST_F(limits, outputs_poisoned)
{
	unsigned char buf[4][16], one[16];
	struct gochan_select sel;
	struct gochan_case cs[3];
	struct gochan_xfer x, ref;
	struct gochan_info info;
	struct gochan_api api;
	char fdinfo[64], line[256];
	FILE *f;
	int fd, i;

	/* API: every field is the answer, reserved fields 0. */
	memset(&api, POISON, sizeof(api));
	api.api = GOCHAN_API_VERSION;
	api.flags = 0;
	api.reserved[0] = 0;
	api.reserved[1] = 0;
	ASSERT_EQ(0, call(dev, GOCHAN_IOC_API, &api));
	EXPECT_EQ(GOCHAN_API_VERSION, api.api);
	EXPECT_EQ(0, api.reserved[0] | api.reserved[1]);
	EXPECT_EQ(GOCHAN_FEATURE_TIMER_SET | GOCHAN_FEATURE_SIZED |
		  GOCHAN_FEATURE_RW | GOCHAN_FEATURE_SELECTOR, api.features);

	/* 5-byte values: a value writes 5 bytes, no more. */
	fd = mkchan(5, 4);
	ASSERT_LE(0, fd);
	memset(one, 'v', sizeof(one));
	memset(&x, 0, sizeof(x));
	x.buf = (uintptr_t)one;
	x.count = 2;
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_SEND, &x));
	memset(buf, POISON, sizeof(buf));
	memset(&x, 0, sizeof(x));
	x.buf = (uintptr_t)buf;
	x.count = 1;
	x.flags = GOCHAN_XFER_NONBLOCK;
	x.done = POISON * 0x01010101U;
	x.ok = x.done;
	ref = x;
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_RECV, &x));
	EXPECT_EQ(1, x.done);
	EXPECT_EQ(1, x.ok);
	ref.done = 1;
	ref.ok = 1;
	EXPECT_EQ(0, memcmp(&x, &ref, sizeof(x)));	/* inputs untouched */
	EXPECT_EQ(0, memcmp(buf[0], "vvvvv", 5));
	EXPECT_TRUE(poisoned(buf, 5, sizeof(buf)));

	/* INFO: every byte defined (pad and reserved 0). */
	memset(&info, POISON, sizeof(info));
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_INFO, &info));
	EXPECT_EQ(5, info.elem_size);
	EXPECT_EQ(4, info.cap);
	EXPECT_EQ(1, info.len);
	EXPECT_EQ(0, info.pad);
	EXPECT_EQ(0, info.reserved[0] | info.reserved[1]);
	EXPECT_EQ(0, info.senders | info.receivers);

	/*
	 * A batch that meets the close: values, one zero value, then
	 * nothing.
	 */
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_CLOSE, NULL));
	memset(buf, POISON, sizeof(buf));
	x = (struct gochan_xfer){ .buf = (uintptr_t)buf, .count = 3 };
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_RECV, &x));
	EXPECT_EQ(1, x.done);
	EXPECT_EQ(0, x.ok);
	EXPECT_EQ(0, memcmp(buf, "vvvvv", 5));
	EXPECT_EQ(0, memcmp((char *)buf + 5, "\0\0\0\0\0", 5));
	EXPECT_TRUE(poisoned(buf, 10, sizeof(buf)));

	/*
	 * Select: the chosen receive case gets the value; other buffers
	 * are untouched; ok and err defined everywhere.
	 */
	close(fd);
	fd = mkchan(5, 1);
	ASSERT_LE(0, fd);
	x = (struct gochan_xfer){ .buf = (uintptr_t)one, .count = 1 };
	ASSERT_EQ(0, call(fd, GOCHAN_IOC_SEND, &x));
	memset(buf, POISON, sizeof(buf));
	memset(cs, POISON, sizeof(cs));
	for (i = 0; i < 3; i++) {
		cs[i].fd = i == 1 ? fd : -1;
		cs[i].dir = GOCHAN_DIR_RECV;
		cs[i].buf = (uintptr_t)buf[i];
	}
	memset(&sel, POISON, sizeof(sel));
	sel.cases = (uintptr_t)cs;
	sel.n = 3;
	sel.flags = GOCHAN_SELECT_NONBLOCK;
	sel.deadline = GOCHAN_FOREVER;
	sel.pad = 0;
	sel.sizes = 0;
	ASSERT_EQ(0, call(dev, GOCHAN_IOC_SELECT, &sel));
	EXPECT_EQ(1, sel.index);
	EXPECT_EQ(1, cs[1].ok);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(i == 1, cs[i].ok);
		EXPECT_EQ(0, cs[i].err);
	}
	EXPECT_EQ(0, memcmp(buf[1], "vvvvv", 5));
	EXPECT_TRUE(poisoned(buf[1], 5, 16));
	EXPECT_TRUE(poisoned(buf[0], 0, 16));
	EXPECT_TRUE(poisoned(buf[2], 0, 16));
	EXPECT_TRUE(poisoned(buf[3], 0, 16));

	/* fdinfo shows no kernel addresses. */
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	f = fopen(fdinfo, "r");
	ASSERT_EQ(1, !!f);
	while (fgets(line, sizeof(line), f))
		EXPECT_EQ(0, !!strstr(line, "ffff")) TH_LOG("%s", line);
	fclose(f);
	close(fd);
}

TEST_HARNESS_MAIN
