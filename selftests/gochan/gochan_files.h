/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the gochan kselftests: small files (module parameters,
 * cgroup files, /proc and debugfs) and passing fds over unix sockets.
 */
#ifndef GOCHAN_FILES_H
#define GOCHAN_FILES_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write s to path: 0 or -errno. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
	close(fd);
	return ok;
}

/*
 * The number after key in a file of "key value" or "key: value" lines,
 * or the number on the first line when key is NULL; -1 when absent.
 */
static inline long read_num(const char *path, const char *key)
{
	char line[256], name[64];
	long v = -1, n;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = atol(line);
			break;
		}
		if (sscanf(line, "%63[^:\t ]%*[:\t ]%ld", name, &n) == 2 &&
		    !strcmp(name, key)) {
			v = n;
			break;
		}
	}
	fclose(f);
	return v;
}

/* Set gochan's module parameter name to v; returns the old value, or -1. */
static inline long set_param(const char *name, long v)
{
	char path[128], buf[32];
	long old;

	snprintf(path, sizeof(path), "/sys/module/gochan/parameters/%s", name);
	old = read_num(path, NULL);
	snprintf(buf, sizeof(buf), "%ld", v);
	if (old < 0 || write_file(path, buf))
		return -1;
	return old;
}

#define CG_ROOT	"/sys/fs/cgroup"

/*
 * A fresh cgroup v2 directory cg with the memory controller: 0, -ENODEV
 * when the kernel has no cgroup v2 memory controller (a reason to skip),
 * or another -errno.
 */
static inline int cg_memory_make(const char *cg)
{
	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			return -ENODEV;
	}
	if (write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return -ENODEV;
	rmdir(cg);
	return mkdir(cg, 0755) ? -errno : 0;
}

/* Fork a child that joins cgroup cg and exits with fn(); its pid, or -1. */
static inline pid_t cg_run(const char *cg, int (*fn)(void))
{
	char path[256], pid[32];
	pid_t c = fork();

	if (c)
		return c;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file(path, pid))
		_exit(2);
	_exit(fn());
}

/* An fd sent over sock with SCM_RIGHTS, or -1. */
static inline int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/* Send fd over sock with SCM_RIGHTS: 0 or -1. */
static inline int send_fd(int sock, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

#endif /* GOCHAN_FILES_H */
