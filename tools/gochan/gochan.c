// SPDX-License-Identifier: GPL-2.0
/*
 * gochan(1): what the channels of a system are doing.
 *
 *   gochan ls [-p PID]          every channel some process holds, from
 *                               /proc/PID/fdinfo, grouped by gochan-id
 *   gochan top [-d SEC] [-n N]  the same, refreshed, busiest first
 *   gochan channels             every channel in the kernel (debugfs,
 *                               root), kernel goroutines' included
 *   gochan goroutines           the kernel goroutine dump (debugfs)
 *
 * A process's fdinfo is readable by whoever may ptrace it: run as root to
 * see every process.  Nothing here needs libgochan or the uapi header:
 * the fdinfo keys are the interface (Documentation/userspace-api.rst).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEBUGFS		"/sys/kernel/debug/gochan"
#define MAX_HOLDERS	1024	/* a channel's holders listed, at most */

struct holder {
	int pid;
	int fd;
	char comm[17];
	char dir[12];		/* fdinfo's dir: recv, send or recv,send */
};

struct chan {
	unsigned long long id;
	unsigned long long elem_size;
	unsigned int cap, len, senders, receivers;
	int closed, autoclose, timer;
	unsigned int nholders;
	unsigned int more;	/* holders past MAX_HOLDERS, not listed */
	struct holder *holders;
};

struct chans {
	struct chan *v;
	size_t n, cap;
};

static const char *progname = "gochan";

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: %s ls [-p PID]\n"
		"       %s top [-d SECONDS] [-n COUNT]\n"
		"       %s channels\n"
		"       %s goroutines\n"
		"\n"
		"ls          every channel a process holds: id, element size, capacity,\n"
		"            length, closed, blocked senders and receivers, and the\n"
		"            processes holding it (pid/comm:fd:direction)\n"
		"top         the same, refreshed every SECONDS (1), busiest first,\n"
		"            COUNT times (for ever)\n"
		"channels    every channel in the kernel (debugfs, root only)\n"
		"goroutines  the kernel goroutine dump (debugfs, root only)\n",
		progname, progname, progname, progname);
}

/* -h, or a bad option or argument: the usage, and the exit status. */
static int usage_status(int opt)
{
	print_usage(opt == 'h' ? stdout : stderr);
	return opt == 'h' ? 0 : 2;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror(progname);
		exit(1);
	}
	return p;
}

static struct chan *chan_find(struct chans *cs, unsigned long long id)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (cs->v[i].id == id)
			return &cs->v[i];
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 16;
		cs->v = xrealloc(cs->v, cs->cap * sizeof(*cs->v));
	}
	memset(&cs->v[cs->n], 0, sizeof(cs->v[cs->n]));
	cs->v[cs->n].id = id;
	return &cs->v[cs->n++];
}

static void chans_free(struct chans *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		free(cs->v[i].holders);
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

static void read_comm(int pid, char *comm, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f || !fgets(comm, size, f))
		snprintf(comm, size, "?");
	comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

/*
 * One fd's fdinfo: add it to its channel if it is a gochan channel.
 * Returns 1 if it was one, 0 if not (or it went away meanwhile).
 */
static int scan_fd(struct chans *cs, int pid, int fd, const char *comm)
{
	char path[64], line[256], key[64], val[128];
	struct chan c = { 0 }, *p;
	struct holder h = { .pid = pid, .fd = fd };
	bool is_chan = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]:%*[ \t]%127s", key, val) != 2)
			continue;
		if (!strcmp(key, "gochan-id")) {
			c.id = strtoull(val, NULL, 10);
			is_chan = true;
		} else if (!strcmp(key, "elem_size")) {
			c.elem_size = strtoull(val, NULL, 10);
		} else if (!strcmp(key, "cap")) {
			c.cap = strtoul(val, NULL, 10);
		} else if (!strcmp(key, "len")) {
			c.len = strtoul(val, NULL, 10);
		} else if (!strcmp(key, "closed")) {
			c.closed = atoi(val);
		} else if (!strcmp(key, "dir")) {
			snprintf(h.dir, sizeof(h.dir), "%.11s", val);
		} else if (!strcmp(key, "autoclose")) {
			c.autoclose = atoi(val);
		} else if (!strcmp(key, "timer")) {
			c.timer = atoi(val);
		} else if (!strcmp(key, "blocked_senders")) {
			c.senders = strtoul(val, NULL, 10);
		} else if (!strcmp(key, "blocked_receivers")) {
			c.receivers = strtoul(val, NULL, 10);
		}
	}
	fclose(f);
	if (!is_chan)
		return 0;
	snprintf(h.comm, sizeof(h.comm), "%s", comm);
	p = chan_find(cs, c.id);
	/* The channel's state as the last fd read showed it. */
	c.nholders = p->nholders;
	c.more = p->more;
	c.holders = p->holders;
	*p = c;
	if (p->nholders < MAX_HOLDERS) {
		p->holders = xrealloc(p->holders,
				      (p->nholders + 1) * sizeof(*p->holders));
		p->holders[p->nholders++] = h;
	} else {
		p->more++;
	}
	return 1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* 0, or -errno when the process's fds cannot be read. */
static int scan_pid(struct chans *cs, int pid)
{
	char path[64], comm[17];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;	/* gone, or not ours to read */
	read_comm(pid, comm, sizeof(comm));
	while ((de = readdir(d)))
		if (all_digits(de->d_name))
			scan_fd(cs, pid, atoi(de->d_name), comm);
	closedir(d);
	return 0;
}

static int scan(struct chans *cs, int only_pid)
{
	struct dirent *de;
	DIR *d;

	if (only_pid) {
		int err = scan_pid(cs, only_pid);

		if (err == -ENOENT)
			fprintf(stderr, "%s: no process %d\n", progname, only_pid);
		else if (err)
			fprintf(stderr, "%s: /proc/%d/fd: %s\n", progname, only_pid,
				strerror(-err));
		return err ? -1 : 0;
	}
	d = opendir("/proc");
	if (!d) {
		fprintf(stderr, "%s: /proc: %s\n", progname, strerror(errno));
		return -1;
	}
	/* Not ourselves: we hold the fds of whoever ran us, not channels. */
	while ((de = readdir(d)))
		if (all_digits(de->d_name) && atoi(de->d_name) != getpid())
			scan_pid(cs, atoi(de->d_name));
	closedir(d);
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct chan *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Busiest first: blocked tasks, then buffered values; then by id. */
static int by_load(const void *a, const void *b)
{
	const struct chan *x = a, *y = b;
	unsigned long long lx = x->senders + x->receivers;
	unsigned long long ly = y->senders + y->receivers;

	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return by_id(a, b);
}

static void print_table(struct chans *cs, int (*cmp)(const void *, const void *),
			size_t max_rows)
{
	size_t i, rows;
	unsigned int j;

	qsort(cs->v, cs->n, sizeof(*cs->v), cmp);
	printf("%-8s %6s %8s %8s %-6s %6s %6s %-10s %s\n", "ID", "ELEM",
	       "CAP", "LEN", "CLOSED", "SENDQ", "RECVQ", "FLAGS", "HOLDERS");
	rows = cs->n < max_rows ? cs->n : max_rows;
	for (i = 0; i < rows; i++) {
		struct chan *c = &cs->v[i];
		char flags[16];

		snprintf(flags, sizeof(flags), "%s%s%s",
			 c->autoclose ? "autoclose" : "",
			 c->autoclose && c->timer ? "," : "",
			 c->timer ? "timer" : "");
		printf("%-8llu %6llu %8u %8u %-6s %6u %6u %-10s", c->id,
		       c->elem_size, c->cap, c->len, c->closed ? "yes" : "no",
		       c->senders, c->receivers, flags[0] ? flags : "-");
		for (j = 0; j < c->nholders; j++)
			printf(" %d/%s:%d:%s", c->holders[j].pid,
			       c->holders[j].comm, c->holders[j].fd,
			       c->holders[j].dir[0] ? c->holders[j].dir : "-");
		if (c->more)
			printf(" +%u more", c->more);
		putchar('\n');
	}
	if (rows < cs->n)
		printf("... and %zu more\n", cs->n - rows);
}

static int cmd_ls(int argc, char **argv)
{
	struct chans cs = { 0 };
	int opt, pid = 0;

	while ((opt = getopt(argc, argv, "p:h")) != -1) {
		switch (opt) {
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v <= 0 || v > INT_MAX) {
				fprintf(stderr, "%s: bad pid '%s'\n", progname, optarg);
				return 2;
			}
			pid = (int)v;
			break;
		}
		default:
			return usage_status(opt);
		}
	}
	if (optind != argc)
		return usage_status('?');
	if (scan(&cs, pid))
		return 1;
	print_table(&cs, by_id, (size_t)-1);
	chans_free(&cs);
	return 0;
}

/* Copy a debugfs file to stdout, with a hint when it cannot be read. */
static int cat_debugfs(const char *name)
{
	char path[PATH_MAX], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS "/%s", name);
	f = fopen(path, "re");
	if (!f) {
		int err = errno;

		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(err));
		if (err == ENOENT)
			fprintf(stderr,
				"%s: is gochan.ko loaded and debugfs mounted?\n"
				"%s: (mount -t debugfs none /sys/kernel/debug)\n",
				progname, progname);
		else if (err == EACCES)
			fprintf(stderr, "%s: debugfs is for root\n", progname);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			break;
	if (ferror(f) || ferror(stdout)) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

static int cmd_debugfs(int argc, const char *name)
{
	if (argc > 1) {
		print_usage(stderr);
		return 2;
	}
	return cat_debugfs(name);
}

static int cmd_top(int argc, char **argv)
{
	double delay = 1.0;
	long count = -1, i;
	bool tty = isatty(STDOUT_FILENO);
	int opt;

	while ((opt = getopt(argc, argv, "d:n:h")) != -1) {
		char *end;

		switch (opt) {
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || delay < 0.01 || delay > 3600) {
				fprintf(stderr, "%s: bad delay '%s' (0.01 to 3600 seconds)\n",
					progname, optarg);
				return 2;
			}
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0) {
				fprintf(stderr, "%s: bad count '%s'\n", progname, optarg);
				return 2;
			}
			break;
		default:
			return usage_status(opt);
		}
	}
	if (optind != argc)
		return usage_status('?');
	for (i = 0; count < 0 || i < count; i++) {
		struct timespec ts = {
			.tv_sec = (time_t)delay,
			.tv_nsec = (long)((delay - (time_t)delay) * 1e9),
		};
		struct chans cs = { 0 };
		unsigned long long blocked = 0, values = 0;
		time_t now = time(NULL);
		char stamp[32];
		size_t j;

		if (i)
			nanosleep(&ts, NULL);
		if (scan(&cs, 0))
			return 1;
		for (j = 0; j < cs.n; j++) {
			blocked += cs.v[j].senders + cs.v[j].receivers;
			values += cs.v[j].len;
		}
		strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
		if (tty)
			fputs("\033[H\033[2J", stdout);
		printf("gochan top - %s: %zu channels, %llu values buffered, ",
		       stamp, cs.n, values);
		printf("%llu tasks blocked\n\n", blocked);
		print_table(&cs, by_load, tty ? 40 : (size_t)-1);
		if (!tty)
			putchar('\n');
		fflush(stdout);
		chans_free(&cs);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	cmd = argv[1];
	argc--;
	argv++;
	if (!strcmp(cmd, "ls"))
		return cmd_ls(argc, argv);
	if (!strcmp(cmd, "top"))
		return cmd_top(argc, argv);
	if (!strcmp(cmd, "channels"))
		return cmd_debugfs(argc, "channels");
	if (!strcmp(cmd, "goroutines"))
		return cmd_debugfs(argc, "goroutines");
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		print_usage(stdout);
		return 0;
	}
	fprintf(stderr, "%s: unknown command '%s'\n", progname, cmd);
	print_usage(stderr);
	return 2;
}
