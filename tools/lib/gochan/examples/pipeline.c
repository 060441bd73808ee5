// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * pipeline: Go's three-stage pipeline, one process per stage.
 *
 *	gen(nums...) -> sq(in) -> sq(in) -> main prints
 *
 * Each stage closes its output when its input is closed and drained,
 * so the end of the numbers flows down the pipeline; sq() and main read
 * with gochan_range(), Go's "for v := range in".  The channels are
 * unbuffered: every value is a rendezvous between two processes.
 * Exit status 0 when main gets 1, 16, 81, ..., 10^4 in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

#define N 10

static void gen(int out)
{
	long v;
	int ret;

	for (v = 1; v <= N; v++) {
		ret = gochan_send(out, &v);
		if (ret)
			die("gochan_send", ret);
	}
	ret = gochan_close(out);
	if (ret)
		die("gochan_close", ret);
	exit(0);
}

/* sq's loop body: out <- v * v */
static int square(void *elem, void *arg)
{
	long *v = elem;
	int ret;

	*v *= *v;
	ret = gochan_send(*(int *)arg, v);
	if (ret)
		die("gochan_send", ret);
	return 0;
}

static void sq(int in, int out)
{
	long v;
	int ret;

	ret = gochan_range(in, &v, square, &out);
	if (ret)
		die("gochan_range", ret);
	ret = gochan_close(out);
	if (ret)
		die("gochan_close", ret);
	exit(0);
}

struct tally {
	int n;		/* values received */
	int bad;	/* one was not n^4 */
};

/* main's loop body: check the n-th value is n^4 */
static int check(void *elem, void *arg)
{
	struct tally *t = arg;
	long v = *(long *)elem;

	t->n++;
	t->bad |= v != (long)t->n * t->n * t->n * t->n;
	return 0;
}

int main(void)
{
	int c1 = gochan_make(sizeof(long), 0, 0);
	int c2 = gochan_make(sizeof(long), 0, 0);
	int c3 = gochan_make(sizeof(long), 0, 0);
	struct tally t = { 0, 0 };
	int ret, failed;
	long v;

	if (c1 < 0)
		die("gochan_make", c1);
	if (c2 < 0)
		die("gochan_make", c2);
	if (c3 < 0)
		die("gochan_make", c3);
	if (xfork() == 0)
		gen(c1);
	if (xfork() == 0)
		sq(c1, c2);
	if (xfork() == 0)
		sq(c2, c3);
	ret = gochan_range(c3, &v, check, &t);
	if (ret)
		die("gochan_range", ret);
	failed = reap(3);
	printf("pipeline: %d values through 3 processes, last %ld\n", t.n,
	       (long)N * N * N * N);
	return t.bad || failed || t.n != N;
}
