// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * pass_fd: a channel fd passed to another process over a unix socket
 * (SCM_RIGHTS).  The child has no channel of its own until it receives
 * the receive-only fd; then it reads values the parent sends.
 *
 * Exit status 0 when the child reads the three values and sees close.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

/* Return 0, or -errno. */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'c';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) < 0 ? -errno : 0;
}

/* Return the fd received, or -errno (-EPROTO: the message had none). */
static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t len;
	int fd;

	len = recvmsg(sock, &msg, 0);
	if (len < 0)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (len != 1 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int main(void)
{
	int sv[2], ch, rfd, status, ret, i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair", -errno);
	pid = fork();
	if (pid < 0) {
		perror("pass_fd: fork");
		exit(1);
	}
	if (pid == 0) {			/* knows nothing but the socket */
		int fd = recv_fd(sv[1]), v, n = 0;
		bool ok;

		if (fd < 0)
			die("recv_fd", fd);
		while ((ret = gochan_recv(fd, &v, &ok)) == 0 && ok)
			n += v == n + 1;
		if (ret)
			die("gochan_recv", ret);
		exit(n == 3 ? 0 : 1);
	}
	ch = gochan_make(sizeof(int), 0, GOCHAN_MAKE_CLOEXEC);
	if (ch < 0)
		die("gochan_make", ch);
	rfd = gochan_dup(ch, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	if (rfd < 0)
		die("gochan_dup", rfd);
	ret = send_fd(sv[0], rfd);
	if (ret)
		die("send_fd", ret);
	close(rfd);
	for (i = 1; i <= 3; i++) {
		ret = gochan_send(ch, &i);
		if (ret)
			die("gochan_send", ret);
	}
	ret = gochan_close(ch);
	if (ret)
		die("gochan_close", ret);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid", -errno);
	printf("pass_fd: child read 3 values from a channel fd it got over a unix socket: %s\n",
	       WIFEXITED(status) && !WEXITSTATUS(status) ? "yes" : "no");
	return !(WIFEXITED(status) && !WEXITSTATUS(status));
}
