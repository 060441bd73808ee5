// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * fan_in_out: fan-out to three workers, each with its own output
 * channel, and fan-in by a select over the three outputs until every
 * one is closed: Go's merge pattern, with a nil channel (fd -1) for an
 * output that is done.
 *
 * Exit status 0 when every value arrives exactly once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#define WORKERS	3
#define VALUES	300

int main(void)
{
	int in = gochan_make(sizeof(int), 8, 0), out[WORKERS];
	struct gochan_case cs[WORKERS];
	char seen[VALUES] = { 0 };
	int i, v, open = WORKERS, got = 0, bad = 0;

	if (in < 0)
		return 1;
	for (i = 0; i < WORKERS; i++) {
		out[i] = gochan_make(sizeof(int), 0, 0);
		if (out[i] < 0)
			return 1;
		if (fork() == 0) {
			bool ok;

			while (!gochan_recv(in, &v, &ok) && ok)
				gochan_send(out[i], &v);
			gochan_close(out[i]);
			exit(0);
		}
	}
	if (fork() == 0) {
		for (v = 0; v < VALUES; v++)
			gochan_send(in, &v);
		gochan_close(in);
		exit(0);
	}
	for (i = 0; i < WORKERS; i++)
		cs[i] = GOCHAN_RECV_CASE(out[i], &v);
	while (open) {
		int k = gochan_select(cs, WORKERS, 0, -1);

		if (k < 0)
			return 1;
		if (!cs[k].ok) {	/* closed: make it a nil channel */
			cs[k].fd = -1;
			open--;
			continue;
		}
		if (v < 0 || v >= VALUES || seen[v]++)
			bad++;
		got++;
	}
	while (wait(NULL) > 0)
		;
	printf("fan_in_out: %d values fanned out to %d workers and back\n",
	       got, WORKERS);
	return bad || got != VALUES;
}
