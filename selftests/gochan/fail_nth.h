/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION): make the n-th
 * fault point (failslab, fail_usercopy) of the calling thread fail.
 * Shared by gochan_fault_test.c and tools/testing/stress/gochan_soak.c.
 */
#ifndef GOCHAN_FAIL_NTH_H
#define GOCHAN_FAIL_NTH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Arm: the n-th fault point from now in this thread fails. */
static inline void fail_nth_arm(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(fd, buf, len, 0) != len)
		abort();
}

/*
 * Disarm.  Returns 1 if the armed point was reached (the counter is 0),
 * 0 if the call finished first.  Reading the counter is a fault point
 * of its own (copy_to_user), so a read that fails or reads non-zero
 * means the call left points unused.
 */
static inline int fail_nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t r;

	r = pread(fd, buf, sizeof(buf) - 1, 0);
	if (r > 0 && atoi(buf) == 0)
		return 1;
	/* Reading counts down; writing "0" ends it. */
	while (pwrite(fd, "0", 1, 0) != 1) {
		r = pread(fd, buf, sizeof(buf) - 1, 0);
		if (r <= 0 || atoi(buf) == 0)
			break;
	}
	return 0;
}

#endif /* GOCHAN_FAIL_NTH_H */
