// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * epoll_read: an event loop that reads channels as it reads pipes.
 *
 * Two producer processes write(2) 8-byte values into two channels and
 * close them (Go's close).  The consumer has no gochan-specific code in
 * its loop: epoll says a channel fd is readable, read(2) takes as many
 * values as its buffer holds, and a read of 0 bytes is the end of that
 * channel, as a pipe's end of file is.  The consumer reads through
 * receive-only fds of its own, O_NONBLOCK, so a read that finds nothing
 * returns EAGAIN instead of waiting; the producers' fds block.  The
 * channels autoclose: a producer that dies ends its channel too.
 * Exit status 0 when every value arrived once and both channels ended.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

#include "example.h"

#define N	1000	/* values per producer */
#define PER	16	/* values per read */

/* Write id * N + 1 .. id * N + N, a few values per write(2), then close. */
static void produce(int fd, int64_t id)
{
	int64_t v[4];
	int64_t i = 0;
	ssize_t n;
	int ret, k;

	while (i < N) {
		for (k = 0; k < 4; k++)
			v[k] = id * N + i + k + 1;
		n = write(fd, v, sizeof(v[0]) * (N - i < 4 ? N - i : 4));
		if (n < 0)
			die("write", -errno);
		i += n / sizeof(v[0]);	/* a short write moved fewer */
	}
	ret = gochan_close(fd);
	if (ret)
		die("gochan_close", ret);
	exit(0);
}

int main(void)
{
	static unsigned char seen[2 * N + 1];
	struct epoll_event ev = { .events = EPOLLIN };
	int ch, rx[2], ep, open_chans = 2, i, status, bad = 0;
	long total = 0;
	pid_t pid;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1", -errno);
	for (i = 0; i < 2; i++) {
		ch = gochan_make(sizeof(int64_t), 64,
				 GOCHAN_MAKE_CLOEXEC | GOCHAN_MAKE_AUTOCLOSE);
		if (ch < 0)
			die("gochan_make", ch);
		rx[i] = gochan_dup(ch, GOCHAN_DIR_RECV,
				   GOCHAN_DUP_CLOEXEC | GOCHAN_DUP_NONBLOCK);
		if (rx[i] < 0)
			die("gochan_dup", rx[i]);
		ev.data.fd = rx[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, rx[i], &ev))
			die("epoll_ctl", -errno);
		pid = xfork();
		if (pid == 0)
			produce(ch, i);
		close(ch);	/* the producer's: its exit ends the channel */
	}
	while (open_chans) {
		struct epoll_event evs[2];
		int n = epoll_wait(ep, evs, 2, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait", -errno);
		for (i = 0; i < n; i++) {
			int64_t v[PER];
			ssize_t got = read(evs[i].data.fd, v, sizeof(v));
			int k;

			if (got < 0 && errno == EAGAIN)
				continue;	/* another reader was faster */
			if (got < 0)
				die("read", -errno);
			if (got == 0) {		/* closed and drained */
				if (epoll_ctl(ep, EPOLL_CTL_DEL,
					      evs[i].data.fd, NULL))
					die("epoll_ctl", -errno);
				open_chans--;
				continue;
			}
			for (k = 0; k < got / (ssize_t)sizeof(v[0]); k++) {
				if (v[k] < 1 || v[k] > 2 * N || seen[v[k]]++)
					bad++;
				total++;
			}
		}
	}
	while (wait(&status) > 0)
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	printf("epoll_read: %ld values from 2 channels through read(2)\n",
	       total);
	return bad || total != 2 * N;
}
