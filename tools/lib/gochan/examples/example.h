/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * What every example does on failure: name the call, say why, exit 1.
 * Children exit the same way, and a parent reaps them with reap().
 */
#ifndef _GOCHAN_EXAMPLE_H
#define _GOCHAN_EXAMPLE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* glibc's and musl's, declared in <errno.h> only for _GNU_SOURCE. */
extern char *program_invocation_short_name;

/* Report a failed call (@err: a negative errno) and exit. */
static inline void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(-err));
	exit(1);
}

/* fork(), or exit on failure. */
static inline pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", -errno);
	return pid;
}

/* Wait for @n children; return how many failed or were killed. */
static inline int reap(int n)
{
	int status, failed = 0;

	while (n--) {
		if (wait(&status) < 0)
			die("wait", -errno);
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	return failed;
}

#endif /* _GOCHAN_EXAMPLE_H */
