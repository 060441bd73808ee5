// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * worker_pool: Go's worker pool.  Jobs go into a buffered channel; four
 * worker processes square them and send the results back; main sums the
 * results.
 *
 *	jobs := make(chan int, 100)
 *	results := make(chan int, 100)
 *	for w := 1; w <= 4; w++ { go worker(jobs, results) }
 *
 * Exit status 0 when the sum is right.
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

#define JOBS	100
#define WORKERS	4

static void worker(int jobs, int results)
{
	bool ok;
	int j, ret;

	while ((ret = gochan_recv(jobs, &j, &ok)) == 0 && ok) {
		j *= j;
		ret = gochan_send(results, &j);
		if (ret)
			die("gochan_send", ret);
	}
	if (ret)
		die("gochan_recv", ret);
	exit(0);
}

int main(void)
{
	int jobs = gochan_make(sizeof(int), JOBS, GOCHAN_MAKE_CLOEXEC);
	int results = gochan_make(sizeof(int), JOBS, GOCHAN_MAKE_CLOEXEC);
	long sum = 0, want = 0;
	int i, r, ret, failed;

	if (jobs < 0)
		die("gochan_make", jobs);
	if (results < 0)
		die("gochan_make", results);
	for (i = 0; i < WORKERS; i++)
		if (xfork() == 0)
			worker(jobs, results);
	for (i = 1; i <= JOBS; i++) {
		ret = gochan_send(jobs, &i);
		if (ret)
			die("gochan_send", ret);
		want += (long)i * i;
	}
	ret = gochan_close(jobs);	/* the workers' range loops end */
	if (ret)
		die("gochan_close", ret);
	for (i = 0; i < JOBS; i++) {
		ret = gochan_recv(results, &r, NULL);
		if (ret)
			die("gochan_recv", ret);
		sum += r;
	}
	failed = reap(WORKERS);
	printf("worker_pool: %d jobs on %d workers, sum of squares %ld\n",
	       JOBS, WORKERS, sum);
	return sum == want && !failed ? 0 : 1;
}
