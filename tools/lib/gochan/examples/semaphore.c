// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * semaphore: a buffered channel as a counting semaphore, Go's
 *
 *	sem := make(chan struct{}, 2)
 *	sem <- struct{}{}   // acquire
 *	<-sem               // release
 *
 * Eight processes each enter a critical section guarded by a semaphore
 * of 2; a shared counter records how many are inside at once.
 * Exit status 0 when never more than 2 were inside and all 8 got in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

#define PROCS	8
#define LIMIT	2

/* shared[0]: inside now; [1]: most ever inside; [2]: entries */
static void enter(int sem, int *shared)
{
	int in, ret;

	ret = gochan_send(sem, NULL);			/* acquire */
	if (ret)
		die("gochan_send", ret);
	in = __atomic_add_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
	if (in > __atomic_load_n(&shared[1], __ATOMIC_SEQ_CST))
		__atomic_store_n(&shared[1], in, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&shared[2], 1, __ATOMIC_SEQ_CST);
	usleep(2000);
	__atomic_sub_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
	ret = gochan_recv(sem, NULL, NULL);		/* release */
	if (ret)
		die("gochan_recv", ret);
	exit(0);
}

int main(void)
{
	int sem = gochan_make(0, LIMIT, 0);
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int i, failed;

	if (sem < 0)
		die("gochan_make", sem);
	if (shared == MAP_FAILED)
		die("mmap", -errno);
	for (i = 0; i < PROCS; i++)
		if (xfork() == 0)
			enter(sem, shared);
	failed = reap(PROCS);
	printf("semaphore: %d processes entered, at most %d at once (limit %d)\n",
	       shared[2], shared[1], LIMIT);
	return failed ||
	       !(shared[2] == PROCS && shared[1] <= LIMIT && shared[1] >= 1);
}
