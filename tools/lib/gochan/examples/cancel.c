// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * cancel: cancellation with a closed done channel, Go's
 *
 *	done := make(chan struct{})
 *	go func() { for { select { case <-done: return; case out <- n: n++ } } }()
 *	... close(done)
 *
 * The done channel has 0-byte values; closing it wakes every worker
 * blocked in its select.  Exit status 0 when all three workers stop.
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

#define WORKERS 3

int main(void)
{
	int done = gochan_make(0, 0, 0);
	int out = gochan_make(sizeof(int), 0, 0);
	int i, v, ret, stopped;

	if (done < 0)
		die("gochan_make", done);
	if (out < 0)
		die("gochan_make", out);
	for (i = 0; i < WORKERS; i++) {
		if (xfork() == 0) {
			int n = 0;
			struct gochan_case cs[2] = {
				GOCHAN_RECV_CASE(done, NULL),
				GOCHAN_SEND_CASE(out, &n),
			};

			for (;;) {
				int k = gochan_select(cs, 2, 0, -1);

				if (k < 0)
					die("gochan_select", k);
				if (k == 0)
					exit(0);	/* cancelled */
				if (cs[k].err)
					die("gochan_select", cs[k].err);
				n++;
			}
		}
	}
	for (i = 0; i < 30; i++) {
		ret = gochan_recv(out, &v, NULL);
		if (ret)
			die("gochan_recv", ret);
	}
	ret = gochan_close(done);
	if (ret)
		die("gochan_close", ret);
	stopped = WORKERS - reap(WORKERS);
	printf("cancel: took 30 values, closed done, %d of %d workers stopped\n",
	       stopped, WORKERS);
	return stopped != WORKERS;
}
