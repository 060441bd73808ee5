// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for what an operator sees: the channel tracepoints, the
 * gochan(1) tool (ls, top, channels, goroutines), debugfs's channel list
 * and the device node's mode.  Run as root in the test VM, where tracefs
 * and debugfs are mounted and the tool is /bin/gochan (GOCHAN_TOOL
 * overrides the path).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "kselftest_harness.h"

#define TRACEFS		"/sys/kernel/tracing"
#define DEBUGFS		"/sys/kernel/debug/gochan"

static const char *const chan_events[] = {
	"gochan_chan_make", "gochan_chan_send", "gochan_chan_recv",
	"gochan_chan_close", "gochan_select", "gochan_block",
	"gochan_unblock",
};

#define NEVENTS ARRAY_SIZE(chan_events)

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* A whole file (or a command's output), NUL-terminated; free() it. */
static char *read_stream(FILE *f)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	size_t n;

	if (!buf)
		return NULL;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *nbuf = realloc(buf, cap * 2);

			if (!nbuf) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	return buf;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s;

	if (!f)
		return NULL;
	s = read_stream(f);
	fclose(f);
	return s;
}

static const char *tool(void)
{
	const char *t = getenv("GOCHAN_TOOL");

	return t ? t : "/bin/gochan";
}

/* Run "gochan ARGS"; its stdout in *out, its exit status returned. */
static int run_tool(const char *args, char **out)
{
	char cmd[512];
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", tool(), args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	*out = read_stream(f);
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The line of "gochan ls" (or top) for channel id, or NULL. */
static const char *ls_row(const char *out, unsigned long long id)
{
	char key[32];
	const char *p = out;

	snprintf(key, sizeof(key), "%llu ", id);
	while (p && *p) {
		if (!strncmp(p, key, strlen(key)))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static unsigned long long chan_id(int fd)
{
	struct gochan_info info;

	if (gochan_info(fd, &info))
		return 0;
	return info.id;
}

/* ---- tracepoints ------------------------------------------------------------- */

FIXTURE(trace) {
	char dir[128];
};

FIXTURE_SETUP(trace)
{
	char path[256];
	unsigned int i;

	/* A private instance: other tracing on the system is left alone. */
	ASSERT_EQ(0, access(TRACEFS "/instances", F_OK)) {
		TH_LOG("tracefs is not mounted at %s", TRACEFS);
	}
	snprintf(self->dir, sizeof(self->dir), TRACEFS "/instances/gochan_obs_%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0700));
	for (i = 0; i < NEVENTS; i++) {
		snprintf(path, sizeof(path), "%s/events/gochan/%s/enable",
			 self->dir, chan_events[i]);
		ASSERT_EQ(0, write_file(path, "1")) {
			TH_LOG("cannot enable %s: is gochan.ko loaded?",
			       chan_events[i]);
		}
	}
	snprintf(path, sizeof(path), "%s/tracing_on", self->dir);
	ASSERT_EQ(0, write_file(path, "1"));
}

FIXTURE_TEARDOWN(trace)
{
	rmdir(self->dir);
}

/* The instance's trace, with tracing stopped first. */
static char *trace_read(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	if (write_file(path, "0"))
		return NULL;
	snprintf(path, sizeof(path), "%s/trace", dir);
	return read_file(path);
}

/* How many lines of event ev name channel id and contain want. */
static int trace_count(const char *trace, const char *ev,
		       unsigned long long id, const char *want)
{
	char key[96];
	const char *p = trace, *eol;
	int n = 0;

	snprintf(key, sizeof(key), "%s: chan=%llu ", ev, id);
	while ((p = strstr(p, key))) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if (!want || (memmem(p, eol - p, want, strlen(want))))
			n++;
		p = eol;
	}
	return n;
}

struct delayed_send {
	int fd;
	__u64 v;
};

static int wait_receivers(int fd, unsigned int n);

/* The state letter of thread tid of this process ('S': asleep), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* after the command, which may hold blanks */
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Send once the receiver (the main thread) is queued and asleep, past
 * its spin, so that it is the one that waited: then its block, unblock
 * and recv events are certain.
 */
static void *send_later(void *arg)
{
	struct delayed_send *d = arg;
	int i;

	if (wait_receivers(d->fd, 1))
		return (void *)-1L;
	for (i = 0; thread_state(getpid()) != 'S'; i++) {
		if (i == 10000)
			return (void *)-2L;
		usleep(1000);
	}
	return (void *)(long)gochan_send(d->fd, &d->v);
}

TEST_F(trace, channel_events_fire)
{
	__u64 v = 7, got, vals[3] = { 1, 2, 3 };
	struct gochan_case cases[2];
	unsigned long long id, uid;
	struct delayed_send d;
	char *trace, want[48];
	pthread_t th;
	void *tret;
	int fd, ufd, i;
	bool ok;

	fd = gochan_make(sizeof(__u64), 4, 0);
	ASSERT_LE(0, fd);
	ufd = gochan_make(sizeof(__u64), 0, 0);
	ASSERT_LE(0, ufd);
	id = chan_id(fd);
	uid = chan_id(ufd);
	ASSERT_NE(0, id);
	ASSERT_NE(id, uid);

	ASSERT_EQ(0, gochan_send(fd, &v));
	ASSERT_EQ(0, gochan_send(fd, &v));
	ASSERT_EQ(0, gochan_recv(fd, &got, &ok));
	ASSERT_TRUE(ok);
	/* A select whose only ready case is the buffered channel. */
	cases[0] = gochan_recv_case(fd, &got);
	cases[1] = gochan_recv_case(ufd, &got);
	ASSERT_EQ(0, gochan_select(cases, 2, 0, -1));
	/* A receive that blocks until another thread sends. */
	d.fd = ufd;
	d.v = 9;
	ASSERT_EQ(0, pthread_create(&th, NULL, send_later, &d));
	ASSERT_EQ(0, gochan_recv(ufd, &got, &ok));
	ASSERT_EQ(0, pthread_join(th, &tret));
	ASSERT_EQ(0, (long)tret);
	ASSERT_EQ(9, got);
	/* Close, then a receive of ok = false; a batched send. */
	ASSERT_EQ(0, gochan_close(fd));
	ASSERT_EQ(0, gochan_recv(fd, &got, &ok));
	ASSERT_FALSE(ok);
	close(fd);
	fd = gochan_make(sizeof(__u64), 8, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, gochan_send_batch(fd, vals, 3, 0));

	trace = trace_read(self->dir);
	ASSERT_TRUE(!!trace);
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_make", id, "cap=4"));
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_make", uid, "cap=0"));
	ASSERT_EQ(2, trace_count(trace, "gochan_chan_send", id, "n=1 wait_ns=0 ret=0"));
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_recv", id, "n=1 wait_ns=0 ret=0"));
	ASSERT_EQ(1, trace_count(trace, "gochan_select", id, "n=2 wait_ns=0 ret=0"));
	/* Closed with no value left: n=0; then ok = false is -ENODATA. */
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_close", id, "n=0"));
	snprintf(want, sizeof(want), "n=0 wait_ns=0 ret=%d", -ENODATA);
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_recv", id, want));
	/* The blocking receive: block, unblock and recv with a wait. */
	ASSERT_EQ(1, trace_count(trace, "gochan_block", uid, "n=1"));
	ASSERT_EQ(1, trace_count(trace, "gochan_unblock", uid, "ret=0"));
	ASSERT_EQ(0, trace_count(trace, "gochan_unblock", uid, "wait_ns=0 "));
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_recv", uid, "n=1 "));
	ASSERT_EQ(0, trace_count(trace, "gochan_chan_recv", uid, "wait_ns=0 "));
	/* The sender of the rendezvous handed its value to the sleeper. */
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_send", uid, "n=1 wait_ns=0 ret=0"));
	/* The batch: one event for the lock hold that moved all three. */
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_send", chan_id(fd),
				 "n=3 wait_ns=0 ret=0"));
	for (i = 0; i < (int)NEVENTS; i++)
		TH_LOG("%s: %s", chan_events[i],
		       strstr(trace, chan_events[i]) ? "fired" : "missing");
	free(trace);
	close(fd);
	close(ufd);
}

TEST_F(trace, nonblocking_failure_is_traced)
{
	unsigned long long id;
	__u64 v;
	char *trace, want[48];
	bool ok;
	int fd;

	fd = gochan_make(sizeof(v), 1, 0);
	ASSERT_LE(0, fd);
	id = chan_id(fd);
	ASSERT_EQ(-EAGAIN, gochan_tryrecv(fd, &v, &ok));
	trace = trace_read(self->dir);
	ASSERT_TRUE(!!trace);
	snprintf(want, sizeof(want), "n=0 wait_ns=0 ret=%d", -EAGAIN);
	ASSERT_EQ(1, trace_count(trace, "gochan_chan_recv", id, want));
	ASSERT_EQ(0, trace_count(trace, "gochan_block", id, NULL));
	free(trace);
	close(fd);
}

/* ---- the gochan tool --------------------------------------------------------- */

static void *recv_forever(void *arg)
{
	__u64 v;
	bool ok;

	gochan_recv((int)(long)arg, &v, &ok);
	return NULL;
}

/* Wait until fd's channel has n blocked receivers (up to 10 s). */
static int wait_receivers(int fd, unsigned int n)
{
	struct gochan_info info;
	int i;

	for (i = 0; i < 10000; i++) {
		if (gochan_info(fd, &info))
			return -1;
		if (info.receivers == n)
			return 0;
		usleep(1000);
	}
	return -1;
}

TEST(tool_ls_lists_channels)
{
	unsigned long long bid, uid;
	const char *row;
	char *out, want[128], holder[64];
	__u64 v = 1;
	pid_t child;
	int bfd, rfd, ufd, i;

	bfd = gochan_make(sizeof(v), 4, GOCHAN_MAKE_AUTOCLOSE);
	ASSERT_LE(0, bfd);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gochan_send(bfd, &v));
	rfd = gochan_dup(bfd, GOCHAN_DIR_RECV, 0);
	ASSERT_LE(0, rfd);
	ufd = gochan_make(16, 0, 0);
	ASSERT_LE(0, ufd);
	bid = chan_id(bfd);
	uid = chan_id(ufd);

	/* A child blocked receiving on ufd: a second holder, RECVQ 1. */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char buf[16];
		bool ok;

		gochan_recv(ufd, buf, &ok);
		_exit(0);
	}
	ASSERT_EQ(0, wait_receivers(ufd, 1));

	ASSERT_EQ(0, run_tool("ls", &out));
	ASSERT_TRUE(!!out);
	TH_LOG("gochan ls:\n%s", out);
	ASSERT_EQ(0, strncmp(out, "ID ", 3));
	row = ls_row(out, bid);
	ASSERT_TRUE(!!row);
	/* ID ELEM CAP LEN CLOSED SENDQ RECVQ FLAGS */
	snprintf(want, sizeof(want), "%-8llu %6u %8u %8u %-6s %6u %6u %-10s", bid,
		 8, 4, 3, "no", 0, 0, "autoclose");
	ASSERT_EQ(0, strncmp(row, want, strlen(want)));
	snprintf(holder, sizeof(holder), " %d/", getpid());
	ASSERT_TRUE(!!(strstr(row, holder)));
	snprintf(holder, sizeof(holder), ":%d:recv,send", bfd);
	ASSERT_TRUE(!!(strstr(row, holder)));
	snprintf(holder, sizeof(holder), ":%d:recv", rfd);
	ASSERT_TRUE(!!(strstr(row, holder)));

	row = ls_row(out, uid);
	ASSERT_TRUE(!!row);
	snprintf(want, sizeof(want), "%-8llu %6u %8u %8u %-6s %6u %6u", uid,
		 16, 0, 0, "no", 0, 1);
	ASSERT_EQ(0, strncmp(row, want, strlen(want)));
	snprintf(holder, sizeof(holder), " %d/", child);
	ASSERT_TRUE(!!(strstr(row, holder)));
	free(out);

	/* -p: only that process's fds. */
	snprintf(want, sizeof(want), "ls -p %d", child);
	ASSERT_EQ(0, run_tool(want, &out));
	ASSERT_TRUE(!!(ls_row(out, uid)));
	ASSERT_TRUE(!!(ls_row(out, bid)));	/* inherited */
	snprintf(holder, sizeof(holder), " %d/", getpid());
	ASSERT_FALSE(!!(strstr(out, holder)));
	free(out);

	/* Closed shows as such. */
	ASSERT_EQ(0, gochan_close(ufd));
	ASSERT_EQ(child, waitpid(child, &i, 0));
	ASSERT_EQ(0, run_tool("ls", &out));
	row = ls_row(out, uid);
	ASSERT_TRUE(!!row);
	snprintf(want, sizeof(want), "%-8llu %6u %8u %8u %-6s", uid, 16, 0, 0, "yes");
	ASSERT_EQ(0, strncmp(row, want, strlen(want)));
	free(out);
	close(rfd);
	close(bfd);
	close(ufd);
}

TEST(tool_top_busiest_first)
{
	unsigned long long qid, bid;
	pthread_t th;
	char *out, want[64];
	const char *p, *first;
	__u64 v = 1;
	int qfd, bfd, heads = 0;

	qfd = gochan_make(sizeof(v), 0, 0);	/* a blocked receiver */
	bfd = gochan_make(sizeof(v), 2, 0);	/* nothing blocked */
	ASSERT_LE(0, qfd);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, gochan_send(bfd, &v));
	qid = chan_id(qfd);
	bid = chan_id(bfd);
	ASSERT_EQ(0, pthread_create(&th, NULL, recv_forever, (void *)(long)qfd));
	ASSERT_EQ(0, wait_receivers(qfd, 1));

	ASSERT_EQ(0, run_tool("top -n 2 -d 0.05", &out));
	ASSERT_TRUE(!!out);
	TH_LOG("gochan top:\n%s", out);
	for (p = out; (p = strstr(p, "gochan top - ")); p++)
		heads++;
	ASSERT_EQ(2, heads);
	ASSERT_TRUE(!!(strstr(out, "tasks blocked")));
	/* The channel with a blocked task comes before the idle one. */
	first = ls_row(out, qid);
	ASSERT_TRUE(!!first);
	ASSERT_TRUE(!!(ls_row(out, bid)));
	ASSERT_TRUE(first < ls_row(out, bid));
	snprintf(want, sizeof(want), "ID ");
	ASSERT_TRUE(!!(strstr(out, want)));
	free(out);

	ASSERT_EQ(0, gochan_close(qfd));
	ASSERT_EQ(0, pthread_join(th, NULL));
	close(qfd);
	close(bfd);
}

TEST(tool_channels_and_goroutines)
{
	unsigned long long id;
	char *out, want[64];
	bool same = false;
	const char *row;
	struct stat st;
	__u64 v = 5;
	int fd, i;

	fd = gochan_make(sizeof(v), 3, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gochan_send(fd, &v));
	id = chan_id(fd);

	/* debugfs's list: every channel, root only. */
	ASSERT_EQ(0, stat(DEBUGFS "/channels", &st));
	ASSERT_EQ(0400, st.st_mode & 07777);
	ASSERT_EQ(0, run_tool("channels", &out));
	ASSERT_TRUE(!!out);
	ASSERT_EQ(0, strncmp(out, "id\telem_size\tcap\tlen\tclosed", 27));
	snprintf(want, sizeof(want), "\n%llu\t8\t3\t1\t0\t0\t0\t", id);
	row = strstr(out, want);
	ASSERT_TRUE(!!row) {
		TH_LOG("no line %s in:\n%s", want + 1, out);
	}
	free(out);
	ASSERT_EQ(0, gochan_close(fd));
	ASSERT_EQ(0, run_tool("channels", &out));
	snprintf(want, sizeof(want), "\n%llu\t8\t3\t1\t1\t", id);
	ASSERT_TRUE(!!(strstr(out, want)));
	free(out);
	close(fd);
	/* Freed with its last fd: gone from the list. */
	ASSERT_EQ(0, run_tool("channels", &out));
	snprintf(want, sizeof(want), "\n%llu\t", id);
	ASSERT_FALSE(!!(strstr(out, want)));
	free(out);

	/*
	 * The goroutine dump is the debugfs file's (read again if a
	 * goroutine came or went between the two reads).
	 */
	for (i = 0; i < 5; i++) {
		char *file = read_file(DEBUGFS "/goroutines");

		ASSERT_TRUE(!!file);
		ASSERT_EQ(0, run_tool("goroutines", &out));
		same = !strcmp(out, file);
		free(file);
		free(out);
		if (same)
			break;
	}
	ASSERT_TRUE(same);
}

TEST(tool_usage_errors)
{
	char *out;

	ASSERT_EQ(2, run_tool("", &out));
	free(out);
	ASSERT_EQ(2, run_tool("frobnicate", &out));
	free(out);
	ASSERT_EQ(2, run_tool("ls -p 0", &out));
	free(out);
	ASSERT_EQ(2, run_tool("ls -p 12x", &out));
	free(out);
	ASSERT_EQ(2, run_tool("ls extra", &out));
	free(out);
	ASSERT_EQ(2, run_tool("top -d 0", &out));
	free(out);
	ASSERT_EQ(2, run_tool("top -n x", &out));
	free(out);
	ASSERT_EQ(1, run_tool("ls -p 2147483647", &out));
	free(out);
	ASSERT_EQ(0, run_tool("help", &out));
	ASSERT_TRUE(!!(strstr(out, "gochan ls")));
	free(out);
}

/* ---- the device node --------------------------------------------------------- */

/* Documentation/userspace-api.rst: 0666, as /dev/null; see udev rule. */
TEST(device_node_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(GOCHAN_DEV_PATH, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0666, st.st_mode & 07777);
}

TEST_HARNESS_MAIN
