// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * selector_server: one server process waits on 1000 client channels
 * through a selector, paying for the ready ones only.
 *
 * Ten client processes own 100 request channels each.  A client sends a
 * request on one of its channels and waits for the answer on its own
 * reply channel; the server's selector wait returns the request and the
 * key it registered for that channel, and the server answers.  When a
 * client is done it closes its channels: the server's wait then returns
 * the case with ok = false, Go's closed channel, and the server drops
 * it.  It stops when every case is gone.
 *
 * Exit status 0 when every request got its answer exactly once.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <gochan.h>

#include "example.h"

#define CLIENTS		10
#define PER_CLIENT	100
#define CHANNELS	(CLIENTS * PER_CLIENT)
#define REQUESTS	200	/* per client */

struct request {
	uint32_t client;
	uint32_t seq;
};

static int req[CHANNELS], reply[CLIENTS];

static void client(int c)
{
	struct request r = { .client = c };
	uint32_t answer;
	bool ok;
	int ret, j;

	for (r.seq = 0; r.seq < REQUESTS; r.seq++) {
		/* Any of this client's channels, a different one each time. */
		j = c * PER_CLIENT + (r.seq * 37) % PER_CLIENT;
		ret = gochan_send(req[j], &r);
		if (ret)
			die("request send", ret);
		ret = gochan_recv(reply[c], &answer, &ok);
		if (ret || !ok)
			die("answer recv", ret ? ret : -EPIPE);
		if (answer != r.seq + 1)
			die("wrong answer", -EPROTO);
	}
	for (j = 0; j < PER_CLIENT; j++)
		gochan_close(req[c * PER_CLIENT + j]);
	exit(0);
}

int main(void)
{
	unsigned int served = 0, closed = 0, dir;
	struct request r;
	int sel, ret, c, j;
	uint32_t answer;
	__u64 key;
	bool ok;

	sel = gochan_selector();
	if (sel < 0)
		die("gochan_selector", sel);
	for (j = 0; j < CHANNELS; j++) {
		req[j] = gochan_make(sizeof(r), 1, GOCHAN_MAKE_CLOEXEC);
		if (req[j] < 0)
			die("gochan_make", req[j]);
		/* The key says which channel: no lookup when it is ready. */
		ret = gochan_selector_add(sel, req[j], GOCHAN_DIR_RECV, NULL,
					  sizeof(r), j);
		if (ret)
			die("gochan_selector_add", ret);
	}
	for (c = 0; c < CLIENTS; c++) {
		reply[c] = gochan_make(sizeof(answer), 1, GOCHAN_MAKE_CLOEXEC);
		if (reply[c] < 0)
			die("gochan_make", reply[c]);
	}
	for (c = 0; c < CLIENTS; c++)
		if (!xfork())
			client(c);

	while (closed < CHANNELS) {
		ret = gochan_selector_wait(sel, &r, sizeof(r), 0, -1, &key, &dir,
					   &ok);
		if (ret)
			die("gochan_selector_wait", ret);
		if (!ok) {
			/* A client is done with this channel: drop the case. */
			ret = gochan_selector_del(sel, req[key], GOCHAN_DIR_RECV);
			if (ret)
				die("gochan_selector_del", ret);
			closed++;
			continue;
		}
		if (r.client != key / PER_CLIENT)
			die("request on another client's channel", -EPROTO);
		answer = r.seq + 1;
		ret = gochan_send(reply[r.client], &answer);
		if (ret)
			die("server send", ret);
		served++;
	}
	if (reap(CLIENTS))
		return 1;
	printf("selector_server: %u requests from %d clients on %d channels served\n",
	       served, CLIENTS, CHANNELS);
	return served == CLIENTS * REQUESTS ? 0 : 1;
}
