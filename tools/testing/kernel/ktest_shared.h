/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the in-kernel tests (the KUnit suites and ktest.c, which runs
 * the big versions on kernels without KUnit).
 */
#ifndef _GOCHAN_KTEST_SHARED_H
#define _GOCHAN_KTEST_SHARED_H

#include <linux/delay.h>
#include <linux/jiffies.h>

#include <kgo.h>

#include "chan.h"

/* Many receive continuations, each value counted as it arrives. */
struct kgo_mass {
	u8 *seen;		/* per value: deliveries */
	unsigned int n;
	atomic_t closed;	/* completions with ok = false */
	atomic_t bad;		/* values out of range */
	struct kgo_wg wg;
};

static inline void kgo_mass_fn(const struct kgo_cont_result *res, void *arg)
{
	struct kgo_mass *m = arg;

	if (!res->ok) {
		atomic_inc(&m->closed);
	} else {
		u32 v = *(u32 *)res->val;

		if (v < m->n)
			m->seen[v]++;	/* each value has one receiver */
		else
			atomic_inc(&m->bad);
	}
	kgo_wg_done(&m->wg);
}

/*
 * Close racing blocked selectors: each selector waits on ch and a nil
 * case; a close must wake each exactly once with ok = false.
 */
struct kgo_close_ctx {
	struct kgo_chan *ch;
	struct kgo_wg ready, woke;
	atomic_t closed_seen, wrong;
};

/*
 * kgo_wait_recvq() - wait until @n receivers are queued on @ch
 *
 * The close-under-selectors tests close in some rounds only once every
 * selector is linked on the channel's recvq: the close then races the
 * wake-up and unlink side of each select, not its arming.  nrecvq is
 * written under ch->lock with WRITE_ONCE (kgo_waiter_enqueue()) and read
 * here without it; a stale read only makes this wait a little longer.
 *
 * Return: true once @n are queued, false after 30 s (a selector that
 * never blocks is itself a failure).
 */
static inline bool kgo_wait_recvq(struct kgo_chan *ch, unsigned int n)
{
	unsigned long end = jiffies + 30 * HZ;

	while (READ_ONCE(ch->nrecvq) < n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(20, 50);
	}
	return true;
}

static inline void kgo_close_selector(void *p)
{
	struct kgo_close_ctx *c = p;
	int v;
	struct kgo_select_case cs[2] = {
		{ .ch = c->ch, .dir = KGO_SELECT_RECV, .val = &v },
		{ .ch = NULL, .dir = KGO_SELECT_SEND, .val = &v },
	};

	kgo_wg_done(&c->ready);
	if (kgo_select(cs, 2, 0, KGO_FOREVER) == 0 && !cs[0].ok)
		atomic_inc(&c->closed_seen);
	else
		atomic_inc(&c->wrong);
	kgo_wg_done(&c->woke);
}

#endif /* _GOCHAN_KTEST_SHARED_H */
