// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for channels, select, timers and contexts.  Much of this
 * ports the substance of Go's runtime/chan_test.go.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/math.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/signal.h>

#include "chan.h"
#include "ktest_shared.h"
#include "internal.h"
#include "kunit_util.h"
#include "sched.h"

static struct kgo_chan *mk(struct kunit *test, size_t sz, unsigned int cap)
{
	struct kgo_chan *ch = kgo_chan_make(sz, cap, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	return ch;
}

static ktime_t in_ms(unsigned int ms)
{
	return ktime_add_ms(ktime_get(), ms);
}

/* ---- basic semantics ---------------------------------------------------- */

struct sender_arg {
	struct kgo_chan *ch;
	int from, n, ret;
	struct kgo_wg *wg;
};

static void sender_fn(void *p)
{
	struct sender_arg *a = p;
	int i;

	for (i = a->from; i < a->from + a->n; i++) {
		a->ret = kgo_chan_send(a->ch, &i);
		if (a->ret)
			break;
	}
	kgo_wg_done(a->wg);
}

/* Go's TestChan, over capacities 0..19. */
static void kgo_chan_caps(struct kunit *test)
{
	unsigned int cap;

	for (cap = 0; cap < 20; cap++) {
		struct kgo_chan *ch = mk(test, sizeof(int), cap);
		struct sender_arg a = { .ch = ch, .from = 0, .n = 100 };
		struct kgo_wg wg;
		int v = -1, i;
		bool ok;

		/* Receiving from an empty channel does not complete. */
		KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(ch, &v, &ok), -EAGAIN);
		KUNIT_EXPECT_EQ(test, kgo_chan_recv_opts(ch, &v, &ok, 0,
							 in_ms(5)), -ETIMEDOUT);
		/* Sending fills exactly cap slots. */
		for (i = 0; i < cap; i++)
			KUNIT_EXPECT_EQ(test, kgo_chan_try_send(ch, &i), 0);
		KUNIT_EXPECT_EQ(test, kgo_chan_len(ch), cap);
		KUNIT_EXPECT_EQ(test, kgo_chan_cap(ch), cap);
		KUNIT_EXPECT_EQ(test, kgo_chan_try_send(ch, &i), -EAGAIN);
		for (i = 0; i < cap; i++) {
			KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
			KUNIT_EXPECT_EQ(test, v, i);
		}
		/* FIFO through a sender goroutine, whatever the capacity. */
		kgo_wg_init(&wg);
		a.wg = &wg;
		kgo_wg_add(&wg, 1);
		KUNIT_ASSERT_EQ(test, kgo_go(sender_fn, &a), 0);
		for (i = 0; i < 100; i++) {
			KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
			KUNIT_EXPECT_TRUE(test, ok);
			KUNIT_EXPECT_EQ(test, v, i);
		}
		kgo_wg_wait(&wg);
		KUNIT_EXPECT_EQ(test, a.ret, 0);
		/* Close: buffered values drain, then zero and ok = false. */
		for (i = 0; i < cap; i++)
			KUNIT_EXPECT_EQ(test, kgo_chan_send(ch, &i), 0);
		KUNIT_EXPECT_EQ(test, kgo_chan_close(ch), 0);
		for (i = 0; i < cap; i++) {
			KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
			KUNIT_EXPECT_TRUE(test, ok);
			KUNIT_EXPECT_EQ(test, v, i);
		}
		v = 77;
		KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
		KUNIT_EXPECT_FALSE(test, ok);
		KUNIT_EXPECT_EQ(test, v, 0);
		KUNIT_EXPECT_EQ(test, kgo_chan_send(ch, &i), -EPIPE);
		KUNIT_EXPECT_EQ(test, kgo_chan_close(ch), -EPIPE);
		kgo_chan_put(ch);
	}
}

/* Bad sizes, nil channels, bad flags. */
static void kgo_chan_errors(struct kunit *test)
{
	struct kgo_select_case c = { .ch = NULL, .dir = KGO_SELECT_RECV };
	int v = 0;

	KUNIT_EXPECT_PTR_EQ(test, kgo_chan_make(KGO_CHAN_MAX_ELEM + 1, 0,
						GFP_KERNEL), ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, kgo_chan_make(1024, 1U << 20, GFP_KERNEL),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, kgo_chan_make(SIZE_MAX, 2, GFP_KERNEL),
			    ERR_PTR(-EINVAL));
	/* A nil channel is never ready. */
	KUNIT_EXPECT_EQ(test, kgo_chan_try_send(NULL, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(NULL, &v, NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kgo_chan_send_opts(NULL, &v, 0, in_ms(5)),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kgo_chan_close(NULL), -EINVAL);
	/* select {} with a deadline, and with default. */
	KUNIT_EXPECT_EQ(test, kgo_select(NULL, 0, 0, in_ms(5)), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kgo_select(&c, 1, KGO_NONBLOCK, KGO_FOREVER),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, kgo_select(&c, 1, 1U << 30, KGO_FOREVER),
			-EINVAL);
	c.dir = 7;
	KUNIT_EXPECT_EQ(test, kgo_select(&c, 1, KGO_NONBLOCK, KGO_FOREVER),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_select(&c, KGO_SELECT_MAX + 1, 0,
					 KGO_FOREVER), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_select(NULL, 2, 0, KGO_FOREVER), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv_opts(NULL, &v, NULL, KGO_BIASED,
						 KGO_FOREVER), -EINVAL);
}

/* An unbuffered send is a direct hand-off to the waiting receiver. */
struct recv_arg {
	struct kgo_chan *ch;
	int v;
	bool ok;
	int ret;
	struct kgo_wg *wg;
};

static void receiver_fn(void *p)
{
	struct recv_arg *a = p;

	a->ret = kgo_chan_recv(a->ch, &a->v, &a->ok);
	kgo_wg_done(a->wg);
}

static void wait_queued(struct kgo_chan *ch, wait_queue_head_t *q)
{
	int i;

	for (i = 0; i < 10000 && list_empty(&q->head); i++)
		usleep_range(100, 200);
}

static void kgo_chan_direct_handoff(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 0);
	struct recv_arg a = { .ch = ch };
	struct kgo_wg wg;
	int v = 42;

	kgo_wg_init(&wg);
	a.wg = &wg;
	kgo_wg_add(&wg, 1);
	KUNIT_ASSERT_EQ(test, kgo_go(receiver_fn, &a), 0);
	wait_queued(ch, &ch->recvq);
	KUNIT_ASSERT_FALSE(test, list_empty(&ch->recvq.head));
	KUNIT_EXPECT_EQ(test, kgo_chan_send(ch, &v), 0);
	kgo_wg_wait(&wg);
	KUNIT_EXPECT_EQ(test, a.v, 42);
	KUNIT_EXPECT_TRUE(test, a.ok);
	KUNIT_EXPECT_EQ(test, kgo_chan_len(ch), 0U);
	kgo_chan_put(ch);
}

/*
 * Go's chan struct{}: elements of size 0, sent without a value.  A
 * receiver that was waiting gets ok = true (a value), not "closed".
 */
static void kgo_chan_empty_elements(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, 0, 0);
	struct recv_arg a = { .ch = ch };
	struct kgo_wg wg;
	bool ok = false;

	kgo_wg_init(&wg);
	a.wg = &wg;
	kgo_wg_add(&wg, 1);
	KUNIT_ASSERT_EQ(test, kgo_go(receiver_fn, &a), 0);
	wait_queued(ch, &ch->recvq);
	KUNIT_EXPECT_EQ(test, kgo_chan_send(ch, NULL), 0);
	kgo_wg_wait(&wg);
	KUNIT_EXPECT_EQ(test, a.ret, 0);
	KUNIT_EXPECT_TRUE(test, a.ok);
	kgo_chan_close(ch);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, NULL, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	kgo_chan_put(ch);

	/* With elements that are not empty, a send needs a value. */
	ch = mk(test, sizeof(int), 1);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_send(ch, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_chan_len(ch), 0U);
	kgo_chan_put(ch);
}

/*
 * Full buffer with a sender waiting: the receiver takes the head, the
 * sender's value goes to the tail.
 */
static void kgo_chan_full_buffer_fifo(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 3);
	struct sender_arg a = { .ch = ch, .from = 3, .n = 1 };
	struct kgo_wg wg;
	int i, v;
	bool ok;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, kgo_chan_try_send(ch, &i), 0);
	kgo_wg_init(&wg);
	a.wg = &wg;
	kgo_wg_add(&wg, 1);
	KUNIT_ASSERT_EQ(test, kgo_go(sender_fn, &a), 0);
	wait_queued(ch, &ch->sendq);
	KUNIT_ASSERT_FALSE(test, list_empty(&ch->sendq.head));
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	kgo_wg_wait(&wg);
	KUNIT_EXPECT_EQ(test, a.ret, 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_len(ch), 3U);
	for (i = 1; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
		KUNIT_EXPECT_EQ(test, v, i);
	}
	kgo_chan_put(ch);
}

/* Close wakes every blocked receiver (ok = false) and sender (-EPIPE). */
static void kgo_chan_close_wakes_all(struct kunit *test)
{
	struct kgo_chan *rch = mk(test, sizeof(int), 0);
	struct kgo_chan *sch = mk(test, sizeof(int), 0);
	struct recv_arg r[4] = {};
	struct sender_arg s[4] = {};
	struct kgo_wg wg;
	int i;

	kgo_wg_init(&wg);
	kgo_wg_add(&wg, 8);
	for (i = 0; i < 4; i++) {
		r[i] = (struct recv_arg){ .ch = rch, .v = 9, .ok = true,
					  .wg = &wg };
		s[i] = (struct sender_arg){ .ch = sch, .from = i, .n = 1,
					    .wg = &wg };
		KUNIT_ASSERT_EQ(test, kgo_go(receiver_fn, &r[i]), 0);
		KUNIT_ASSERT_EQ(test, kgo_go(sender_fn, &s[i]), 0);
	}
	msleep(50);
	KUNIT_EXPECT_EQ(test, kgo_chan_close(rch), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_close(sch), 0);
	kgo_wg_wait(&wg);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, r[i].ret, 0);
		KUNIT_EXPECT_FALSE(test, r[i].ok);
		KUNIT_EXPECT_EQ(test, r[i].v, 0);
		KUNIT_EXPECT_EQ(test, s[i].ret, -EPIPE);
	}
	kgo_chan_put(rch);
	kgo_chan_put(sch);
}

/* ---- select ----------------------------------------------------------------- */

/* Select fairness: 10,000 trials, both ready, fail beyond 10 sigma. */
static void kgo_select_fairness(struct kunit *test)
{
	struct kgo_chan *a = mk(test, sizeof(int), 1);
	struct kgo_chan *b = mk(test, sizeof(int), 1);
	const int trials = 10000;
	int i, cnt[2] = {}, v = 0, first = 0, sigma;

	for (i = 0; i < trials; i++) {
		struct kgo_select_case c[2] = {
			{ .ch = a, .dir = KGO_SELECT_RECV, .val = &v },
			{ .ch = b, .dir = KGO_SELECT_RECV, .val = &v },
		};
		int r;

		kgo_chan_try_send(a, &v);
		kgo_chan_try_send(b, &v);
		r = kgo_select(c, 2, 0, KGO_FOREVER);
		KUNIT_ASSERT_TRUE(test, r == 0 || r == 1);
		cnt[r]++;
		/* Biased: always the first ready case. */
		kgo_chan_try_send(a, &v);
		kgo_chan_try_send(b, &v);
		if (kgo_select(c, 2, KGO_BIASED, KGO_FOREVER) == 0)
			first++;
	}
	/* sigma = sqrt(n p (1 - p)) = sqrt(10000 / 4) = 50 */
	sigma = int_sqrt(trials / 4);
	KUNIT_EXPECT_LE(test, abs(cnt[0] - trials / 2), 10 * sigma);
	KUNIT_EXPECT_EQ(test, first, trials);
	kunit_info(test, "random: %d / %d; biased first: %d\n", cnt[0],
		   cnt[1], first);
	kgo_chan_put(a);
	kgo_chan_put(b);
}

/*
 * Go's TestSelfSelect: goroutines select over send and receive on the
 * same channel; an unbuffered select must never receive its own value.
 */
struct self_arg {
	struct kgo_chan *ch;
	int me;
	atomic_t *self_recv;
	struct kgo_wg *wg;
};

static void self_select_fn(void *p)
{
	struct self_arg *a = p;
	int i, v, out = a->me;

	for (i = 0; i < 500; i++) {
		struct kgo_select_case c[2] = {
			{ .ch = a->ch, .dir = KGO_SELECT_SEND, .val = &out },
			{ .ch = a->ch, .dir = KGO_SELECT_RECV, .val = &v },
		};
		int r = kgo_select(c, 2, 0, KGO_FOREVER);

		if (r == 1 && v == a->me && !kgo_chan_cap(a->ch))
			atomic_inc(a->self_recv);
	}
	kgo_wg_done(a->wg);
}

static void kgo_select_self(struct kunit *test)
{
	unsigned int cap;

	for (cap = 0; cap < 2; cap++) {
		struct kgo_chan *ch = mk(test, sizeof(int), cap);
		struct self_arg a[2];
		atomic_t self_recv = ATOMIC_INIT(0);
		struct kgo_wg wg;
		int i;

		kgo_wg_init(&wg);
		kgo_wg_add(&wg, 2);
		for (i = 0; i < 2; i++) {
			a[i] = (struct self_arg){ ch, i, &self_recv, &wg };
			KUNIT_ASSERT_EQ(test, kgo_go(self_select_fn, &a[i]), 0);
		}
		kgo_wg_wait(&wg);
		KUNIT_EXPECT_EQ(test, atomic_read(&self_recv), 0);
		kgo_chan_put(ch);
	}
}

/* The same channel twice in one select: either case may fire, once. */
static void kgo_select_duplicate(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 4);
	int i, v, hits[2] = {};

	for (i = 0; i < 200; i++) {
		struct kgo_select_case c[2] = {
			{ .ch = ch, .dir = KGO_SELECT_RECV, .val = &v },
			{ .ch = ch, .dir = KGO_SELECT_RECV, .val = &v },
		};
		int r;

		KUNIT_ASSERT_EQ(test, kgo_chan_send(ch, &i), 0);
		r = kgo_select(c, 2, 0, KGO_FOREVER);
		KUNIT_ASSERT_TRUE(test, r == 0 || r == 1);
		KUNIT_EXPECT_EQ(test, v, i);
		hits[r]++;
		KUNIT_EXPECT_EQ(test, kgo_chan_len(ch), 0U);
	}
	KUNIT_EXPECT_GT(test, hits[0], 0);
	KUNIT_EXPECT_GT(test, hits[1], 0);
	kgo_chan_put(ch);
}

/*
 * Go's TestSelectStress: four channels (two unbuffered, two buffered),
 * senders and receivers that go through selects, each case dropped
 * (made nil) once it has done N operations.  Every value arrives once.
 */
#define STRESS_N 2000

struct stress_ctx {
	struct kgo_chan *ch[4];
	atomic_t sum_sent, sum_recv, recvd;
	struct kgo_wg wg;
};

static void stress_sender(void *p)
{
	struct stress_ctx *s = p;
	int done[4] = {}, left = 4, v;

	while (left) {
		struct kgo_select_case c[4];
		int i, r;

		for (i = 0; i < 4; i++)
			c[i] = (struct kgo_select_case){
				.ch = done[i] < STRESS_N ? s->ch[i] : NULL,
				.dir = KGO_SELECT_SEND, .val = &v };
		v = get_random_u32_below(1000);
		r = kgo_select(c, 4, 0, KGO_FOREVER);
		if (r < 0 || c[r].err)
			break;
		atomic_add(v, &s->sum_sent);
		if (++done[r] == STRESS_N)
			left--;
	}
	kgo_wg_done(&s->wg);
}

static void stress_receiver(void *p)
{
	struct stress_ctx *s = p;
	int done[4] = {}, left = 4, v;

	while (left) {
		struct kgo_select_case c[4];
		int i, r;

		for (i = 0; i < 4; i++)
			c[i] = (struct kgo_select_case){
				.ch = done[i] < STRESS_N ? s->ch[i] : NULL,
				.dir = KGO_SELECT_RECV, .val = &v };
		r = kgo_select(c, 4, 0, KGO_FOREVER);
		if (r < 0 || !c[r].ok)
			break;
		atomic_add(v, &s->sum_recv);
		atomic_inc(&s->recvd);
		if (++done[r] == STRESS_N)
			left--;
	}
	kgo_wg_done(&s->wg);
}

static void kgo_select_stress(struct kunit *test)
{
	struct stress_ctx *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u64 aborts;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < 4; i++)
		s->ch[i] = mk(test, sizeof(int), i < 2 ? 0 : 10);
	kgo_wg_init(&s->wg);
	kgo_wg_add(&s->wg, 2);
	KUNIT_ASSERT_EQ(test, kgo_go(stress_sender, s), 0);
	KUNIT_ASSERT_EQ(test, kgo_go(stress_receiver, s), 0);
	aborts = READ_ONCE(gochan_sel_aborts);
	kgo_wg_wait(&s->wg);
	kunit_info(test, "%llu select aborts\n",
		   READ_ONCE(gochan_sel_aborts) - aborts);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->recvd), 4 * STRESS_N);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->sum_recv),
			atomic_read(&s->sum_sent));
	for (i = 0; i < 4; i++)
		kgo_chan_put(s->ch[i]);
}

/*
 * The select engine's arm under every lock (select.c), forced for every
 * waiting multi-case select (kgo_sel_optimistic = 0): a sender and a
 * receiver each select over the same four channels (two unbuffered, two
 * buffered), with unique sequence numbers.  Every number arrives once,
 * none is invented, and the locked arm ran.
 */
#define LA_N 8000

struct la_ctx {
	struct kgo_chan *ch[4];
	int n;
	atomic_t *seen;
	atomic_t invented, send_errs;
	struct kgo_wg wg;
};

static void la_sender(void *p)
{
	struct la_ctx *s = p;
	int i, v, r;

	for (v = 0; v < s->n; v++) {
		struct kgo_select_case c[4];

		for (i = 0; i < 4; i++)
			c[i] = (struct kgo_select_case){
				.ch = s->ch[i], .dir = KGO_SELECT_SEND, .val = &v };
		r = kgo_select(c, 4, 0, KGO_FOREVER);
		if (r < 0 || c[r].err) {
			atomic_inc(&s->send_errs);
			break;
		}
	}
	kgo_wg_done(&s->wg);
}

static void la_receiver(void *p)
{
	struct la_ctx *s = p;
	int i, k, v, r;

	for (k = 0; k < s->n; k++) {
		struct kgo_select_case c[4];

		for (i = 0; i < 4; i++)
			c[i] = (struct kgo_select_case){
				.ch = s->ch[i], .dir = KGO_SELECT_RECV, .val = &v };
		r = kgo_select(c, 4, 0, KGO_FOREVER);
		if (r < 0 || !c[r].ok)
			break;
		if (v >= 0 && v < s->n)
			atomic_inc(&s->seen[v]);
		else
			atomic_inc(&s->invented);
	}
	kgo_wg_done(&s->wg);
}

static void kgo_select_locked_arm(struct kunit *test)
{
	struct la_ctx *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int saved = kgo_sel_optimistic;
	int i, once = 0, twice = 0;
	u64 arms;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->n = kgo_kunit_scaled(LA_N);
	s->seen = kunit_kcalloc(test, s->n, sizeof(*s->seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->seen);
	for (i = 0; i < 4; i++)
		s->ch[i] = mk(test, sizeof(int), i < 2 ? 0 : 4);
	kgo_wg_init(&s->wg);
	kgo_wg_add(&s->wg, 2);
	arms = READ_ONCE(gochan_sel_locked_arms);
	WRITE_ONCE(kgo_sel_optimistic, 0);
	KUNIT_EXPECT_EQ(test, kgo_go(la_sender, s), 0);
	KUNIT_EXPECT_EQ(test, kgo_go(la_receiver, s), 0);
	kgo_wg_wait(&s->wg);
	WRITE_ONCE(kgo_sel_optimistic, saved);
	arms = READ_ONCE(gochan_sel_locked_arms) - arms;
	for (i = 0; i < s->n; i++) {
		once += atomic_read(&s->seen[i]) == 1;
		twice += atomic_read(&s->seen[i]) > 1;
	}
	kunit_info(test, "%d values, %llu locked arms\n", s->n, arms);
	KUNIT_EXPECT_EQ(test, once, s->n);
	KUNIT_EXPECT_EQ(test, twice, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->invented), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->send_errs), 0);
	KUNIT_EXPECT_GT(test, arms, 0);
	for (i = 0; i < 4; i++)
		kgo_chan_put(s->ch[i]);
}

/*
 * Go's TestMultiConsumer: exactly-once delivery.  Each of the MC_N
 * sequence numbers is counted where it arrives: every one exactly once,
 * none that was not sent.
 */
#define MC_N 20000
#define MC_CONSUMERS 4

struct mc_ctx {
	struct kgo_chan *ch;
	atomic_t seen[MC_N];
	atomic_t invented;
	struct kgo_wg wg;
};

static void mc_consumer(void *p)
{
	struct mc_ctx *c = p;
	bool ok;
	int v;

	for (;;) {
		kgo_chan_recv(c->ch, &v, &ok);
		if (!ok)
			break;
		if (v >= 0 && v < MC_N)
			atomic_inc(&c->seen[v]);
		else
			atomic_inc(&c->invented);
	}
	kgo_wg_done(&c->wg);
}

static void kgo_chan_multi_consumer(struct kunit *test)
{
	struct mc_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int i, once = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->ch = mk(test, sizeof(int), 16);
	kgo_wg_init(&c->wg);
	kgo_wg_add(&c->wg, MC_CONSUMERS);
	for (i = 0; i < MC_CONSUMERS; i++)
		KUNIT_ASSERT_EQ(test, kgo_go(mc_consumer, c), 0);
	for (i = 0; i < MC_N; i++)
		KUNIT_ASSERT_EQ(test, kgo_chan_send(c->ch, &i), 0);
	kgo_chan_close(c->ch);
	kgo_wg_wait(&c->wg);
	for (i = 0; i < MC_N; i++)
		once += atomic_read(&c->seen[i]) == 1;
	KUNIT_EXPECT_EQ(test, once, MC_N);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->invented), 0);
	kgo_chan_put(c->ch);
}

/*
 * Go's TestNonblockRecvRace: a non-blocking receive on a channel that
 * holds a value (and is being closed) must never say "not ready".
 */
static void kgo_nonblock_recv_race(struct kunit *test)
{
	int i, v = 1, bad = 0;

	for (i = 0; i < 2000; i++) {
		struct kgo_chan *ch = mk(test, sizeof(int), 1);
		struct kgo_select_case c = { .ch = ch, .dir = KGO_SELECT_RECV,
					     .val = &v };

		KUNIT_ASSERT_EQ(test, kgo_chan_send(ch, &v), 0);
		kgo_chan_close(ch);
		if (kgo_select(&c, 1, KGO_NONBLOCK, KGO_FOREVER) != 0)
			bad++;
		kgo_chan_put(ch);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
}

/*
 * Close racing 8 blocked selectors: each selector waits on the channel
 * and a nil case; every close must wake all 8 exactly once with ok=false.
 * A third of the rounds close while the selectors are still arriving, a
 * third once they all said they are about to select, and a third only
 * once all 8 are queued on the channel: those rounds are counted, and
 * each must have reached that point.
 */
#define CLOSE_ROUNDS 2000

static void kgo_close_vs_blocked_selects(struct kunit *test)
{
	struct kgo_close_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int rounds = kgo_kunit_scaled(CLOSE_ROUNDS), round, i;
	int queued = 0, want = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for (round = 0; round < rounds; round++) {
		c->ch = mk(test, sizeof(int), 0);
		kgo_wg_init(&c->ready);
		kgo_wg_init(&c->woke);
		kgo_wg_add(&c->ready, 8);
		kgo_wg_add(&c->woke, 8);
		for (i = 0; i < 8; i++)
			KUNIT_ASSERT_EQ(test, kgo_go(kgo_close_selector, c), 0);
		if (round % 3 == 1) {
			kgo_wg_wait(&c->ready);
		} else if (round % 3 == 2) {
			want++;
			queued += kgo_wait_recvq(c->ch, 8);
		}
		KUNIT_ASSERT_EQ(test, kgo_chan_close(c->ch), 0);
		kgo_wg_wait(&c->woke);
		kgo_chan_put(c->ch);
	}
	kunit_info(test, "%d rounds, %d closed with all 8 selectors queued\n",
		   rounds, queued);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->closed_seen), 8 * rounds);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->wrong), 0);
	KUNIT_EXPECT_GT(test, queued, 0);
	KUNIT_EXPECT_EQ(test, queued, want);
}

/*
 * A timeout equal to the send time: the receiver's deadline and the
 * sender's send race.  Whatever wins, the value is delivered exactly
 * once: either the receive returns it, or it times out and the value is
 * still there for the next receive.
 */
struct race_send {
	struct kgo_chan *ch;
	ktime_t at;
	int v, ret;
	struct kgo_wg *wg;
};

static void race_sender(void *p)
{
	struct race_send *a = p;
	ktime_t now;

	while ((now = ktime_get()) < a->at)
		cpu_relax();
	a->ret = kgo_chan_send(a->ch, &a->v);
	kgo_wg_done(a->wg);
}

static void kgo_timeout_vs_send(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 0);
	int i, got_in_time = 0, got_late = 0, lost = 0;

	for (i = 0; i < 300; i++) {
		struct race_send a = { .ch = ch, .v = i };
		struct kgo_wg wg;
		ktime_t at = in_ms(2);
		bool ok;
		int v = -1, r;

		kgo_wg_init(&wg);
		kgo_wg_add(&wg, 1);
		a.wg = &wg;
		a.at = ktime_add_us(at, (int)get_random_u32_below(400) - 200);
		KUNIT_ASSERT_EQ(test, kgo_go(race_sender, &a), 0);
		r = kgo_chan_recv_opts(ch, &v, &ok, 0, at);
		if (r == 0) {
			KUNIT_EXPECT_EQ(test, v, i);
			got_in_time++;
		} else {
			KUNIT_EXPECT_EQ(test, r, -ETIMEDOUT);
			/* Not delivered: the sender is still waiting for us. */
			r = kgo_chan_recv_opts(ch, &v, &ok, 0, in_ms(10000));
			if (r == 0 && v == i)
				got_late++;
			else
				lost++;
		}
		kgo_wg_wait(&wg);
		KUNIT_EXPECT_EQ(test, a.ret, 0);
		KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(ch, &v, &ok), -EAGAIN);
	}
	KUNIT_EXPECT_EQ(test, lost, 0);
	kunit_info(test, "received in time %d, after the timeout %d\n",
		   got_in_time, got_late);
	/* The race went both ways: each outcome was checked. */
	KUNIT_EXPECT_GT(test, got_in_time, 0);
	KUNIT_EXPECT_GT(test, got_late, 0);
	kgo_chan_put(ch);
}

/* A signal interrupts an interruptible wait; the value is not lost. */
struct sig_ctx {
	struct kgo_chan *ch;
	int ret;
	struct completion waiting, finished;
};

static int sig_thread(void *p)
{
	struct sig_ctx *c = p;
	int v;

	allow_signal(SIGUSR1);
	complete(&c->waiting);
	c->ret = kgo_chan_recv_opts(c->ch, &v, NULL, KGO_INTERRUPTIBLE,
				    KGO_FOREVER);
	flush_signals(current);
	complete(&c->finished);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}

static void kgo_chan_interruptible(struct kunit *test)
{
	struct sig_ctx c = { .ch = mk(test, sizeof(int), 1) };
	struct task_struct *t;
	int v = 5;
	bool ok;

	init_completion(&c.waiting);
	init_completion(&c.finished);
	t = kthread_run(sig_thread, &c, "kgo-kt-sig");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&c.waiting);
	wait_queued(c.ch, &c.ch->recvq);
	send_sig(SIGUSR1, t, 0);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&c.finished, 10 * HZ),
			0UL);
	kthread_stop(t);
	KUNIT_EXPECT_EQ(test, c.ret, -ERESTARTSYS);
	/* The interrupted receiver took nothing; the channel still works. */
	KUNIT_EXPECT_EQ(test, kgo_chan_send(c.ch, &v), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(c.ch, &v, &ok), 0);
	KUNIT_EXPECT_EQ(test, v, 5);
	kgo_chan_put(c.ch);
}

/* ---- timers --------------------------------------------------------------- */

static void kgo_timer_after_and_tick(struct kunit *test)
{
	struct kgo_chan *after, *tick;
	ktime_t start = ktime_get();
	s64 when = 0;
	bool ok;
	int i;

	after = kgo_chan_after(ms_to_ktime(10), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(after));
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(after, &when, &ok), 0);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_GE(test, when, ktime_add_ms(start, 10));
	/* It fires once. */
	KUNIT_EXPECT_EQ(test, kgo_chan_recv_opts(after, &when, &ok, 0,
						 in_ms(30)), -ETIMEDOUT);
	KUNIT_EXPECT_FALSE(test, kgo_chan_timer_stop(after));
	kgo_chan_put(after);

	tick = kgo_chan_tick(ms_to_ktime(2), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tick));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kgo_chan_recv(tick, &when, &ok), 0);
	/*
	 * A slow receiver: ticks are dropped.  After 50 ms away (25
	 * periods) one tick waits, fired before we came back; the one after
	 * it must have fired after we came back, so the missed ones were
	 * dropped, not queued.
	 */
	msleep(50);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(tick, &when, &ok), 0);
	KUNIT_EXPECT_LT(test, when, start);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(tick, &when, &ok), 0);
	KUNIT_EXPECT_GE(test, when, start);
	KUNIT_EXPECT_TRUE(test, kgo_chan_timer_stop(tick));
	kgo_chan_put(tick);

	KUNIT_EXPECT_PTR_EQ(test, kgo_chan_after(-1, GFP_KERNEL),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, kgo_chan_tick(0, GFP_KERNEL),
			    ERR_PTR(-EINVAL));
}

static void spin_until(ktime_t t)
{
	while (ktime_get() < t)
		cpu_relax();
}

/* Stop racing the fire: stopped means no value, ever; fired means one. */
static void kgo_timer_stop_vs_fire(struct kunit *test)
{
	int i, stopped = 0, fired = 0;

	for (i = 0; i < 500; i++) {
		struct kgo_chan *t;
		bool was_pending;
		u32 delay_us, wait_us;
		s64 when;
		bool ok;

		/*
		 * A third stop long before the fire, a third long after;
		 * the rest race (emulated timing varies too much to count on
		 * the race alone producing both outcomes).
		 */
		switch (i % 3) {
		case 0:
			delay_us = 100000;
			wait_us = 0;
			break;
		case 1:
			delay_us = 0;
			wait_us = 5000;
			break;
		default:
			delay_us = get_random_u32_below(2000);
			wait_us = get_random_u32_below(1000);
		}
		t = kgo_chan_after(ns_to_ktime((u64)delay_us * NSEC_PER_USEC),
				   GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		spin_until(ktime_add_us(ktime_get(), wait_us));
		was_pending = kgo_chan_timer_stop(t);
		usleep_range(2000, 2500);
		if (was_pending) {
			stopped++;
			KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(t, &when, &ok),
					-EAGAIN);
		} else {
			fired++;
			KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(t, &when, &ok), 0);
			KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(t, &when, &ok),
					-EAGAIN);
		}
		kgo_chan_put(t);
	}
	kunit_info(test, "stopped before firing %d, fired %d\n", stopped, fired);
	KUNIT_EXPECT_GT(test, stopped, 0);
	KUNIT_EXPECT_GT(test, fired, 0);
}

/*
 * Go 1.23's Reset racing the fire: whatever the old timer did, the value
 * received after kgo_chan_timer_reset() returns was sent after it began
 * (its timestamp says so), there is exactly one, and Reset says true
 * (nobody received the old value: it was pending, or sent and dropped).
 * Counts both outcomes by the callback's runs just after the Reset:
 * none (cancelled while pending) or one (it fired; its value dropped).
 */
static void kgo_timer_reset_vs_fire(struct kunit *test)
{
	int i, pending = 0, fired = 0;

	for (i = 0; i < 300; i++) {
		u32 delay_us = i % 3 == 0 ? 100000 : get_random_u32_below(1000);
		u32 wait_us = i % 3 == 1 ? 3000 : get_random_u32_below(1000);
		struct kgo_chan_stat st;
		struct kgo_chan *t;
		s64 when = 0;
		ktime_t start;
		bool ok;

		t = kgo_chan_after(ns_to_ktime((u64)delay_us * NSEC_PER_USEC),
				   GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		spin_until(ktime_add_us(ktime_get(), wait_us));
		start = ktime_get();
		KUNIT_EXPECT_TRUE(test, kgo_chan_timer_reset(t, ms_to_ktime(50)));
		kgo_chan_stat(t, &st);
		KUNIT_EXPECT_EQ(test, st.len, 0U);
		if (st.timer_fires == 0)
			pending++;
		else if (st.timer_fires == 1)
			fired++;
		KUNIT_EXPECT_EQ(test, kgo_chan_recv_opts(t, &when, &ok, 0,
							 in_ms(5000)), 0);
		KUNIT_EXPECT_GE(test, when, ktime_to_ns(start));
		usleep_range(1000, 1500);
		KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(t, &when, &ok), -EAGAIN);
		kgo_chan_put(t);
	}
	kunit_info(test, "reset while pending %d, after the fire %d\n",
		   pending, fired);
	KUNIT_EXPECT_GT(test, pending, 0);
	KUNIT_EXPECT_GT(test, fired, 0);
}

/* Reset of a ticker sets its period; bad arguments change nothing. */
static void kgo_timer_reset_args(struct kunit *test)
{
	struct kgo_chan *tick = kgo_chan_tick(ms_to_ktime(3600000), GFP_KERNEL);
	struct kgo_chan *plain = mk(test, sizeof(s64), 1);
	s64 when;
	bool ok;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(tick));
	KUNIT_EXPECT_FALSE(test, kgo_chan_timer_reset(tick, 999));
	KUNIT_EXPECT_FALSE(test, kgo_chan_timer_reset(tick, -1));
	KUNIT_EXPECT_FALSE(test, kgo_chan_timer_reset(plain, ms_to_ktime(1)));
	KUNIT_EXPECT_FALSE(test, kgo_chan_timer_reset(NULL, ms_to_ktime(1)));
	KUNIT_EXPECT_TRUE(test, kgo_chan_timer_reset(tick, ms_to_ktime(1)));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kgo_chan_recv_opts(tick, &when, &ok, 0,
							 in_ms(5000)), 0);
	KUNIT_EXPECT_TRUE(test, kgo_chan_timer_stop(tick));
	kgo_chan_put(tick);
	kgo_chan_put(plain);
}

/* ---- contexts ------------------------------------------------------------- */

static void kgo_ctx_tree(struct kunit *test)
{
	struct kgo_ctx *bg = kgo_ctx_background();
	struct kgo_ctx *a, *b, *c, *v, *d;
	static const int key1, key2;
	int x = 1;
	bool ok;

	a = kgo_ctx_with_cancel(bg, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	v = kgo_ctx_with_value(a, &key1, &x, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	b = kgo_ctx_with_cancel(v, GFP_KERNEL);	/* under a value context */
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	c = kgo_ctx_with_cancel(bg, GFP_KERNEL);	/* a sibling tree */
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));

	KUNIT_EXPECT_NULL(test, kgo_ctx_done(bg));
	KUNIT_EXPECT_PTR_EQ(test, kgo_ctx_value(b, &key1), (void *)&x);
	KUNIT_EXPECT_NULL(test, kgo_ctx_value(b, &key2));
	KUNIT_EXPECT_NULL(test, kgo_ctx_value(c, &key1));
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(b), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(kgo_ctx_done(b), NULL, &ok),
			-EAGAIN);

	/* Cancel the root of one tree: all of it, and only it. */
	kgo_ctx_cancel(a);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(a), -ECANCELED);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(v), -ECANCELED);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(b), -ECANCELED);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(c), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(kgo_ctx_done(b), NULL, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	/* A child of a cancelled context starts cancelled. */
	d = kgo_ctx_with_cancel(b, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(d), -ECANCELED);
	kgo_ctx_cancel(a);	/* again: nothing */
	kgo_ctx_put(d);
	kgo_ctx_put(b);
	kgo_ctx_put(v);
	kgo_ctx_put(a);

	/* Deadlines: the child inherits an earlier parent deadline. */
	a = kgo_ctx_with_timeout(c, ms_to_ktime(20), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = kgo_ctx_with_timeout(a, ms_to_ktime(100000), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(kgo_ctx_done(b), NULL, &ok), 0);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(b), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(a), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(c), 0);
	kgo_ctx_put(b);
	kgo_ctx_put(a);
	/* A deadline already past cancels at once. */
	a = kgo_ctx_with_deadline(c, ktime_sub_ms(ktime_get(), 1), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, kgo_ctx_err(a), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(kgo_ctx_done(a), NULL, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	kgo_ctx_put(a);
	kgo_ctx_put(c);
	kgo_ctx_put(bg);	/* a no-op */
}

/* A goroutine stops when its context is cancelled: select on done. */
struct ctx_worker {
	struct kgo_ctx *ctx;
	struct kgo_chan *work;
	int handled, why;
	struct kgo_wg wg;
};

static void ctx_worker_fn(void *p)
{
	struct ctx_worker *w = p;
	int v;

	for (;;) {
		struct kgo_select_case c[2] = {
			{ .ch = kgo_ctx_done(w->ctx), .dir = KGO_SELECT_RECV },
			{ .ch = w->work, .dir = KGO_SELECT_RECV, .val = &v },
		};

		if (kgo_select(c, 2, 0, KGO_FOREVER) == 0)
			break;
		w->handled++;
	}
	w->why = kgo_ctx_err(w->ctx);
	kgo_wg_done(&w->wg);
}

static void kgo_ctx_stops_goroutine(struct kunit *test)
{
	struct ctx_worker w = {};
	int i;

	w.ctx = kgo_ctx_with_cancel(kgo_ctx_background(), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(w.ctx));
	w.work = mk(test, sizeof(int), 0);
	kgo_wg_init(&w.wg);
	kgo_wg_add(&w.wg, 1);
	KUNIT_ASSERT_EQ(test, kgo_go(ctx_worker_fn, &w), 0);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, kgo_chan_send(w.work, &i), 0);
	kgo_ctx_cancel(w.ctx);
	kgo_wg_wait(&w.wg);
	KUNIT_EXPECT_EQ(test, w.handled, 10);
	KUNIT_EXPECT_EQ(test, w.why, -ECANCELED);
	kgo_chan_put(w.work);
	kgo_ctx_put(w.ctx);
}

/* ---- failslab on every allocation path ------------------------------------ */

/*
 * failslab on every allocation path: fail the 1st, 2nd, ... allocation
 * the operation makes (kmemleak's own bookkeeping allocations count too)
 * until it succeeds.  Each failure must be a clean -ENOMEM that leaves no
 * channel behind.  The guest's init turns failslab's ignore-gfp-wait off
 * so that fail_nth also fails GFP_KERNEL allocations.
 */
enum alloc_op { OP_CHAN, OP_AFTER, OP_CTX };

static void *alloc_op(enum alloc_op op)
{
	switch (op) {
	case OP_CHAN:
		return kgo_chan_make(8, 4, GFP_KERNEL);
	case OP_AFTER:
		return kgo_chan_after(ms_to_ktime(1), GFP_KERNEL);
	default:
		return kgo_ctx_with_cancel(kgo_ctx_background(), GFP_KERNEL);
	}
}

static void kgo_chan_alloc_failures(struct kunit *test)
{
	long alive = gochan_obj_count(GOCHAN_OBJ_CHANS);
	struct kgo_select_case c[8] = {};
	struct kgo_chan *ch;
	enum alloc_op op;
	int nth, i;

	/* Allocations each operation makes itself: channel, buffer, timer. */
	static const int own_allocs[] = { 2, 3, 2 };

	for (op = OP_CHAN; op <= OP_CTX; op++) {
		int failures = 0;

		/* kmemleak's allocations interleave with ours: sweep wide. */
		for (nth = 1; nth <= 12; nth++) {
			void *obj;

			current->fail_nth = nth;
			obj = alloc_op(op);
			current->fail_nth = 0;
			if (IS_ERR(obj)) {
				KUNIT_EXPECT_PTR_EQ(test, obj, ERR_PTR(-ENOMEM));
				failures++;
			} else if (op == OP_CTX) {
				kgo_ctx_put(obj);
			} else {
				kgo_chan_put(obj);
			}
			KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CHANS), alive);
		}
		KUNIT_EXPECT_EQ(test, failures, own_allocs[op]);
	}
	/* A select of more than 4 cases allocates its waiters. */
	ch = mk(test, sizeof(int), 1);
	for (i = 0; i < 8; i++)
		c[i] = (struct kgo_select_case){ .ch = ch, .dir = KGO_SELECT_RECV };
	current->fail_nth = 1;
	KUNIT_EXPECT_EQ(test, kgo_select(c, 8, 0, in_ms(1)), -ENOMEM);
	current->fail_nth = 0;
	KUNIT_EXPECT_EQ(test, kgo_select(c, 8, 0, in_ms(1)), -ETIMEDOUT);
	/*
	 * Without memory for its waiters a select still completes a ready
	 * case: one ready case among nil ones (the single-case arm), then
	 * two ready ones (pass 1 finds them before it needs waiters).
	 */
	i = 7;
	KUNIT_ASSERT_EQ(test, kgo_chan_send(ch, &i), 0);
	for (i = 1; i < 8; i++)
		c[i].ch = NULL;
	current->fail_nth = 1;
	KUNIT_EXPECT_EQ(test, kgo_select(c, 8, 0, in_ms(1)), 0);
	current->fail_nth = 0;
	KUNIT_EXPECT_EQ(test, c[0].ok, true);
	KUNIT_EXPECT_EQ(test, kgo_chan_len(ch), 0U);
	current->fail_nth = 1;
	KUNIT_EXPECT_EQ(test, kgo_select(c, 8, 0, in_ms(1)), -ENOMEM);
	current->fail_nth = 0;
	kgo_chan_put(ch);
}

/*
 * The hand-off choice, measured: goroutines ping-pong over unbuffered
 * channels on one P.  Default mode: a woken goroutine runs at once,
 * without a P if none is free.  strict_procs (Go's way): it queues for
 * a P.  Reported, not asserted: timing is the benchmarks' business.
 */
#define PP_ROUNDS 2000

struct pp_ctx {
	struct kgo_chan *a, *b;
	int bad;
	struct kgo_wg wg;
};

static void pp_ping(void *p)
{
	struct pp_ctx *c = p;
	int i, v;

	for (i = 0; i < PP_ROUNDS; i++) {
		kgo_chan_send(c->a, &i);
		kgo_chan_recv(c->b, &v, NULL);
		if (v != i)
			c->bad++;
	}
	kgo_wg_done(&c->wg);
}

static void pp_pong(void *p)
{
	struct pp_ctx *c = p;
	int i, v;

	for (i = 0; i < PP_ROUNDS; i++) {
		kgo_chan_recv(c->a, &v, NULL);
		kgo_chan_send(c->b, &v);
	}
	kgo_wg_done(&c->wg);
}

static void kgo_handoff_modes(struct kunit *test)
{
	u64 ns[2];
	int strict;

	for (strict = 0; strict < 2; strict++) {
		struct kgo_sched *s = kgo_sched_create("kt", 1, 16, 10);
		struct pp_ctx c = {};
		ktime_t t0;

		KUNIT_ASSERT_FALSE(test, IS_ERR(s));
		s->strict_procs = strict;
		c.a = mk(test, sizeof(int), 0);
		c.b = mk(test, sizeof(int), 0);
		kgo_wg_init(&c.wg);
		kgo_wg_add(&c.wg, 2);
		t0 = ktime_get();
		KUNIT_ASSERT_EQ(test, kgo_sched_go(s, THIS_MODULE, pp_pong, &c,
						   NULL), 0);
		KUNIT_ASSERT_EQ(test, kgo_sched_go(s, THIS_MODULE, pp_ping, &c,
						   NULL), 0);
		kgo_wg_wait(&c.wg);
		ns[strict] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / PP_ROUNDS;
		kgo_sched_destroy(s);
		KUNIT_EXPECT_EQ(test, c.bad, 0);
		kgo_chan_put(c.a);
		kgo_chan_put(c.b);
	}
	kunit_info(test, "round trip on 1 P: %llu ns running without a P, %llu ns waiting for a P (strict_procs): ratio %llu.%02llu\n",
		   ns[0], ns[1], ns[1] / ns[0], ns[1] * 100 / ns[0] % 100);
}

static struct kunit_case gochan_chan_cases[] = {
	KUNIT_CASE(kgo_chan_errors),
	KUNIT_CASE(kgo_chan_caps),
	KUNIT_CASE(kgo_chan_direct_handoff),
	KUNIT_CASE(kgo_chan_empty_elements),
	KUNIT_CASE(kgo_chan_full_buffer_fifo),
	KUNIT_CASE(kgo_chan_close_wakes_all),
	KUNIT_CASE(kgo_chan_interruptible),
	KUNIT_CASE_SLOW(kgo_chan_multi_consumer),
	KUNIT_CASE_SLOW(kgo_nonblock_recv_race),
	KUNIT_CASE_SLOW(kgo_timeout_vs_send),
	KUNIT_CASE(kgo_chan_alloc_failures),
	KUNIT_CASE_SLOW(kgo_handoff_modes),
	{}
};

static struct kunit_suite gochan_chan_suite = {
	.name = "gochan_chan",
	.test_cases = gochan_chan_cases,
};

static struct kunit_case gochan_select_cases[] = {
	KUNIT_CASE_SLOW(kgo_select_fairness),
	KUNIT_CASE(kgo_select_self),
	KUNIT_CASE(kgo_select_duplicate),
	KUNIT_CASE_SLOW(kgo_select_stress),
	KUNIT_CASE_SLOW(kgo_select_locked_arm),
	KUNIT_CASE_SLOW(kgo_close_vs_blocked_selects),
	{}
};

static struct kunit_suite gochan_select_suite = {
	.name = "gochan_select",
	.test_cases = gochan_select_cases,
};

static struct kunit_case gochan_timer_ctx_cases[] = {
	KUNIT_CASE(kgo_timer_after_and_tick),
	KUNIT_CASE_SLOW(kgo_timer_stop_vs_fire),
	KUNIT_CASE_SLOW(kgo_timer_reset_vs_fire),
	KUNIT_CASE(kgo_timer_reset_args),
	KUNIT_CASE(kgo_ctx_tree),
	KUNIT_CASE(kgo_ctx_stops_goroutine),
	{}
};

static struct kunit_suite gochan_timer_ctx_suite = {
	.name = "gochan_timer_ctx",
	.test_cases = gochan_timer_ctx_cases,
};

kunit_test_suites(&gochan_chan_suite, &gochan_select_suite,
		  &gochan_timer_ctx_suite);
