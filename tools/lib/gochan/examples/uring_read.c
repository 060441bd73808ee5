// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * uring_read: receive from a channel with io_uring, asynchronously, as
 * from any file.
 *
 * A producer process sends 1..N with gochan_send() and closes the
 * channel.  The consumer keeps DEPTH 8-byte IORING_OP_READs in flight on
 * a receive-only fd of the channel (liburing) and never calls gochan
 * itself: a completion of 8 bytes is a value, one of 0 bytes is the end
 * of the channel.  The channel autocloses: a producer that dies ends it.
 * Exit status 0 when 1..N each arrived once and every read in flight
 * ended at the close.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>

#include <gochan.h>

#include "example.h"

#include "example.h"

#define N	500
#define DEPTH	4

/* Queue a read of one value into slot @i. */
static void queue_read(struct io_uring *ring, int fd, int64_t *slot, int i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		die("io_uring_get_sqe", -EBUSY);
	io_uring_prep_read(sqe, fd, slot, sizeof(*slot), 0);
	io_uring_sqe_set_data64(sqe, i);
}

int main(void)
{
	static unsigned char seen[N + 1];
	int64_t slot[DEPTH], v;
	int ch, rx, ret, i, inflight = DEPTH, got = 0, bad = 0, status;
	struct io_uring ring;
	pid_t pid;

	ch = gochan_make(sizeof(int64_t), 16,
			 GOCHAN_MAKE_CLOEXEC | GOCHAN_MAKE_AUTOCLOSE);
	if (ch < 0)
		die("gochan_make", ch);
	rx = gochan_dup(ch, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	if (rx < 0)
		die("gochan_dup", rx);
	pid = xfork();
	if (pid == 0) {
		for (v = 1; v <= N; v++) {
			ret = gochan_send(ch, &v);
			if (ret)
				die("gochan_send", ret);
		}
		ret = gochan_close(ch);
		if (ret)
			die("gochan_close", ret);
		exit(0);
	}
	close(ch);	/* the producer's: its exit ends the channel */
	ret = io_uring_queue_init(DEPTH, &ring, 0);
	if (ret)
		die("io_uring_queue_init", ret);
	for (i = 0; i < DEPTH; i++)
		queue_read(&ring, rx, &slot[i], i);
	while (inflight) {
		struct io_uring_cqe *cqe;

		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			die("io_uring_submit_and_wait", ret);
		ret = io_uring_peek_cqe(&ring, &cqe);
		if (ret)
			die("io_uring_peek_cqe", ret);
		i = io_uring_cqe_get_data64(cqe);
		ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (ret < 0)
			die("read", ret);
		if (ret == 0) {		/* the end of the channel */
			inflight--;
			continue;
		}
		if (ret != sizeof(slot[i]) || slot[i] < 1 || slot[i] > N ||
		    seen[slot[i]]++)
			bad++;
		got++;
		queue_read(&ring, rx, &slot[i], i);
	}
	io_uring_queue_exit(&ring);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid", -errno);
	bad += !WIFEXITED(status) || WEXITSTATUS(status);
	printf("uring_read: %d values through %d io_uring reads in flight\n",
	       got, DEPTH);
	return bad || got != N;
}
