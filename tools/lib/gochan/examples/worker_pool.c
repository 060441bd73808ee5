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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#define JOBS	100
#define WORKERS	4

static void worker(int jobs, int results)
{
	bool ok;
	int j;

	while (!gochan_recv(jobs, &j, &ok) && ok) {
		j *= j;
		if (gochan_send(results, &j))
			exit(1);
	}
	exit(0);
}

int main(void)
{
	int jobs = gochan_make(sizeof(int), JOBS, GOCHAN_MAKE_CLOEXEC);
	int results = gochan_make(sizeof(int), JOBS, GOCHAN_MAKE_CLOEXEC);
	long sum = 0, want = 0;
	int i, r;

	if (jobs < 0 || results < 0) {
		fprintf(stderr, "worker_pool: gochan_make: %s\n",
			strerror(-(jobs < 0 ? jobs : results)));
		return 1;
	}
	for (i = 0; i < WORKERS; i++)
		if (fork() == 0)
			worker(jobs, results);
	for (i = 1; i <= JOBS; i++) {
		gochan_send(jobs, &i);
		want += (long)i * i;
	}
	gochan_close(jobs);		/* the workers' range loops end */
	for (i = 0; i < JOBS; i++) {
		if (gochan_recv(results, &r, NULL))
			return 1;
		sum += r;
	}
	for (i = 0; i < WORKERS; i++)
		wait(NULL);
	printf("worker_pool: %d jobs on %d workers, sum of squares %ld\n",
	       JOBS, WORKERS, sum);
	return sum == want ? 0 : 1;
}
