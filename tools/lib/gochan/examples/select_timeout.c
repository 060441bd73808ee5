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
#include <unistd.h>

#include <gochan.h>

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
		return timer;
	k = gochan_select(cs, 2, 0, -1);
	close(timer);
	return k;
}

int main(void)
{
	int ch = gochan_make(sizeof(long), 1, 0);
	long v = 0, answer = 42;
	int first, second;

	if (ch < 0)
		return 1;
	first = wait_one(ch, &v, 50);
	gochan_send(ch, &answer);
	second = wait_one(ch, &v, 50);
	printf("select_timeout: first select: %s; second: %s %ld\n",
	       first == 1 ? "timeout" : "?", second == 0 ? "value" : "?", v);
	return !(first == 1 && second == 0 && v == 42);
}
