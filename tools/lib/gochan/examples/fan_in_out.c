// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * fan_in_out: fan-out to three workers, each with its own output
 * channel, and fan-in by a select over the three outputs until every
 * one is closed: Go's merge pattern, with a nil channel (fd -1) for an
 * output that is done.
 *
 * Exit status 0 when every value arrives exactly once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

#define WORKERS	3
#define VALUES	300

static void worker(int in, int out)
{
	bool ok;
	int v, ret;

	while ((ret = gochan_recv(in, &v, &ok)) == 0 && ok) {
		ret = gochan_send(out, &v);
		if (ret)
			die("gochan_send", ret);
	}
	if (ret)
		die("gochan_recv", ret);
	ret = gochan_close(out);
	if (ret)
		die("gochan_close", ret);
	exit(0);
}

static void producer(int in)
{
	int v, ret;

	for (v = 0; v < VALUES; v++) {
		ret = gochan_send(in, &v);
		if (ret)
			die("gochan_send", ret);
	}
	ret = gochan_close(in);
	if (ret)
		die("gochan_close", ret);
	exit(0);
}

int main(void)
{
	int in = gochan_make(sizeof(int), 8, 0), out[WORKERS];
	struct gochan_case cs[WORKERS];
	char seen[VALUES] = { 0 };
	int i, v, open = WORKERS, got = 0, bad = 0, failed;

	if (in < 0)
		die("gochan_make", in);
	for (i = 0; i < WORKERS; i++) {
		out[i] = gochan_make(sizeof(int), 0, 0);
		if (out[i] < 0)
			die("gochan_make", out[i]);
		if (xfork() == 0)
			worker(in, out[i]);
	}
	if (xfork() == 0)
		producer(in);
	for (i = 0; i < WORKERS; i++)
		cs[i] = GOCHAN_RECV_CASE(out[i], &v);
	while (open) {
		int k = gochan_select(cs, WORKERS, 0, -1);

		if (k < 0)
			die("gochan_select", k);
		if (!cs[k].ok) {	/* closed: make it a nil channel */
			cs[k].fd = -1;
			open--;
			continue;
		}
		if (v < 0 || v >= VALUES || seen[v]++)
			bad++;
		got++;
	}
	failed = reap(WORKERS + 1);
	printf("fan_in_out: %d values fanned out to %d workers and back\n",
	       got, WORKERS);
	return bad || failed || got != VALUES;
}
