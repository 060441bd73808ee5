// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * pipeline: Go's three-stage pipeline, one process per stage.
 *
 *	gen(nums...) -> sq(in) -> sq(in) -> main prints
 *
 * Each stage closes its output when its input is closed and drained,
 * so the end of the numbers flows down the pipeline.  The channels are
 * unbuffered: every value is a rendezvous between two processes.
 * Exit status 0 when main gets 1, 16, 81, ..., 10^4 in order.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#define N 10

static void sq(int in, int out)
{
	bool ok;
	long v;

	while (!gochan_recv(in, &v, &ok) && ok) {
		v *= v;
		gochan_send(out, &v);
	}
	gochan_close(out);
	exit(0);
}

int main(void)
{
	int c1 = gochan_make(sizeof(long), 0, 0);
	int c2 = gochan_make(sizeof(long), 0, 0);
	int c3 = gochan_make(sizeof(long), 0, 0);
	int bad = 0, n = 0;
	bool ok;
	long v;

	if (c1 < 0 || c2 < 0 || c3 < 0)
		return 1;
	if (fork() == 0) {		/* gen */
		for (v = 1; v <= N; v++)
			gochan_send(c1, &v);
		gochan_close(c1);
		exit(0);
	}
	if (fork() == 0)
		sq(c1, c2);
	if (fork() == 0)
		sq(c2, c3);
	while (!gochan_recv(c3, &v, &ok) && ok) {
		n++;
		bad |= v != (long)n * n * n * n;
	}
	while (wait(NULL) > 0)
		;
	printf("pipeline: %d values through 3 processes, last %ld\n", n,
	       (long)N * N * N * N);
	return bad || n != N;
}
