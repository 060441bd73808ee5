// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * select_timeout: Go's
 *
 *	select {
 *	case v := <-slow:
 *	case <-time.After(50 * time.Millisecond):
 *		fmt.Println("timeout")
 *	}
 *
 * with a producer that never sends in time, then one that does.
 * Exit status 0 when the first select times out and the second gets the
 * value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

/* Return the index of the case chosen: 0 for a value, 1 for timeout. */
static int wait_one(int ch, long *v, int after_ms)
{
	int timer = gochan_after((long long)after_ms * 1000000);
	long long fired;
	struct gochan_case cs[2] = {
		GOCHAN_RECV_CASE(ch, v),
		GOCHAN_RECV_CASE(timer, &fired),
	};
	int k;

	if (timer < 0)
		die("gochan_after", timer);
	k = gochan_select(cs, 2, 0, -1);
	if (k < 0)
		die("gochan_select", k);
	close(timer);
	return k;
}

int main(void)
{
	int ch = gochan_make(sizeof(long), 1, 0);
	long v = 0, answer = 42;
	int first, second, ret;

	if (ch < 0)
		die("gochan_make", ch);
	first = wait_one(ch, &v, 50);
	ret = gochan_send(ch, &answer);
	if (ret)
		die("gochan_send", ret);
	second = wait_one(ch, &v, 50);
	printf("select_timeout: first select: %s; second: %s %ld\n",
	       first == 1 ? "timeout" : "?", second == 0 ? "value" : "?", v);
	return !(first == 1 && second == 0 && v == 42);
}
