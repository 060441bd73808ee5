// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for continuations: kgo_chan_recv_then(), send, select and
 * wait-group forms, cancellation, the start backlog, and many parked
 * continuations completed exactly once.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "chan.h"
#include "ktest_shared.h"
#include "internal.h"
#include "kunit_util.h"
#include "sched.h"

static unsigned int cont_mass = 20000;
module_param(cont_mass, uint, 0444);
MODULE_PARM_DESC(cont_mass, "Continuations parked at once by gochan_cont.kgo_cont_mass (the million runs in gochan_ktest.ko)");

#define WAIT_JIFFIES	(30 * HZ)

struct probe {
	struct completion done;
	atomic_t runs;
	struct kgo_cont_result res;
	s64 val;
	bool in_goroutine;
};

static void probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	init_completion(&p->done);
}

static void probe_fn(const struct kgo_cont_result *res, void *arg)
{
	struct probe *p = arg;

	p->res = *res;
	p->val = res->val ? *(int *)res->val : -1;
	p->in_goroutine = kgo_in_goroutine();
	atomic_inc(&p->runs);
	complete(&p->done);
}

static void probe_wait(struct kunit *test, struct probe *p)
{
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&p->done,
							  WAIT_JIFFIES), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->runs), 1);
	KUNIT_EXPECT_TRUE(test, p->in_goroutine);
}

static struct kgo_chan *mk(struct kunit *test, size_t sz, unsigned int cap)
{
	struct kgo_chan *ch = kgo_chan_make(sz, cap, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	return ch;
}

/* Wait until every continuation record is freed (the goroutines end). */
static void conts_settle(struct kunit *test, long alive)
{
	int i;

	for (i = 0; i < 1500 && gochan_obj_count(GOCHAN_OBJ_CONTS) != alive; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CONTS), alive);
}

/* Receive and send, parked and ready at once; close completes both. */
static void kgo_cont_recv_send(struct kunit *test)
{
	long alive = gochan_obj_count(GOCHAN_OBJ_CONTS);
	struct kgo_chan *ch = mk(test, sizeof(int), 0);
	struct kgo_cont *h;
	struct probe p;
	int v = 42;
	bool ok;

	/* Parked receive; a send hands its value straight to it. */
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then_opts(ch, probe_fn, &p,
						      GFP_KERNEL, &h), 0);
	KUNIT_EXPECT_LE(test, ksize(h), 256);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_send(ch, &v), 0);
	probe_wait(test, &p);
	KUNIT_EXPECT_EQ(test, p.val, 42);
	KUNIT_EXPECT_TRUE(test, p.res.ok);
	KUNIT_EXPECT_EQ(test, p.res.idx, 0);
	KUNIT_EXPECT_FALSE(test, kgo_cont_cancel(h));
	kgo_cont_put(h);

	/* Parked send; a receive takes the value. */
	probe_init(&p);
	v = 7;
	KUNIT_ASSERT_EQ(test, kgo_chan_send_then(ch, &v, probe_fn, &p), 0);
	v = 0;
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_EQ(test, v, 7);
	KUNIT_EXPECT_TRUE(test, ok);
	probe_wait(test, &p);
	KUNIT_EXPECT_EQ(test, p.res.err, 0);
	KUNIT_EXPECT_NULL(test, p.res.val);

	/* A parked send sees close: -EPIPE, nothing sent. */
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_chan_send_then(ch, &v, probe_fn, &p), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_close(ch), 0);
	probe_wait(test, &p);
	KUNIT_EXPECT_EQ(test, p.res.err, -EPIPE);

	/* A receive on a closed channel: zero, ok = false, at once. */
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then(ch, probe_fn, &p), 0);
	probe_wait(test, &p);
	KUNIT_EXPECT_FALSE(test, p.res.ok);
	KUNIT_EXPECT_EQ(test, p.val, 0);
	/* And a send on it: -EPIPE at once. */
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_chan_send_then(ch, &v, probe_fn, &p), 0);
	probe_wait(test, &p);
	KUNIT_EXPECT_EQ(test, p.res.err, -EPIPE);

	kgo_chan_put(ch);
	conts_settle(test, alive);
}

/* A buffered value is taken at registration; FIFO with parked ones. */
static void kgo_cont_buffered(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 2);
	struct probe p[3];
	int i, v;

	for (v = 1; v <= 2; v++)
		KUNIT_ASSERT_EQ(test, kgo_chan_try_send(ch, &v), 0);
	for (i = 0; i < 3; i++)
		probe_init(&p[i]);
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then(ch, probe_fn, &p[0]), 0);
	probe_wait(test, &p[0]);
	KUNIT_EXPECT_EQ(test, p[0].val, 1);
	/* Full buffer and a parked sender: the receiver takes the head. */
	v = 3;
	KUNIT_ASSERT_EQ(test, kgo_chan_try_send(ch, &v), 0);
	v = 4;
	KUNIT_ASSERT_EQ(test, kgo_chan_send_then(ch, &v, probe_fn, &p[1]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p[1].runs), 0);
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then(ch, probe_fn, &p[2]), 0);
	probe_wait(test, &p[2]);
	KUNIT_EXPECT_EQ(test, p[2].val, 2);
	probe_wait(test, &p[1]);
	KUNIT_EXPECT_EQ(test, p[1].res.err, 0);
	for (v = 3; v <= 4; v++) {
		int got = 0;

		KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(ch, &got, NULL), 0);
		KUNIT_EXPECT_EQ(test, got, v);
	}
	kgo_chan_put(ch);
}

/* select: the ready case; other waiters unlinked; biased and random. */
static void kgo_cont_select(struct kunit *test)
{
	struct kgo_chan *a = mk(test, sizeof(int), 0);
	struct kgo_chan *b = mk(test, sizeof(int), 0);
	struct kgo_select_case c[3] = {
		{ .ch = a, .dir = KGO_SELECT_RECV },
		{ .ch = b, .dir = KGO_SELECT_SEND },
		{ .ch = NULL, .dir = KGO_SELECT_RECV },	/* nil: skipped */
	};
	int v = 5, got = 0, i, seen[2] = {};
	struct probe p;

	c[1].val = &v;
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_select_then(c, 3, 0, probe_fn, &p), 0);
	v = 6;		/* the value was copied at registration */
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(b, &got, NULL), 0);
	KUNIT_EXPECT_EQ(test, got, 5);
	probe_wait(test, &p);
	KUNIT_EXPECT_EQ(test, p.res.idx, 1);
	KUNIT_EXPECT_EQ(test, p.res.err, 0);
	/* The receive waiter on a is gone: nobody takes a value there. */
	KUNIT_EXPECT_EQ(test, kgo_chan_try_send(a, &v), -EAGAIN);
	kgo_chan_put(a);
	kgo_chan_put(b);

	/* Both ready: KGO_BIASED picks case 0; random picks both. */
	a = mk(test, sizeof(int), 1);
	b = mk(test, sizeof(int), 1);
	c[0] = (struct kgo_select_case){ .ch = a, .dir = KGO_SELECT_RECV };
	c[1] = (struct kgo_select_case){ .ch = b, .dir = KGO_SELECT_RECV };
	for (i = 0; i < 200; i++) {
		unsigned int flags = i < 100 ? KGO_BIASED : 0;
		int left;

		v = i;
		kgo_chan_try_send(a, &v);
		kgo_chan_try_send(b, &v);
		probe_init(&p);
		KUNIT_ASSERT_EQ(test, kgo_select_then(c, 2, flags, probe_fn,
						      &p), 0);
		probe_wait(test, &p);
		KUNIT_EXPECT_EQ(test, p.val, i);
		if (flags)
			KUNIT_EXPECT_EQ(test, p.res.idx, 0);
		else
			seen[p.res.idx]++;
		/* Drain the other one. */
		left = kgo_chan_try_recv(p.res.idx ? a : b, &got, NULL);
		KUNIT_EXPECT_EQ(test, left, 0);
	}
	/* 100 fair coin flips all alike: probability 2^-99. */
	KUNIT_EXPECT_GT(test, seen[0], 0);
	KUNIT_EXPECT_GT(test, seen[1], 0);
	kgo_chan_put(a);
	kgo_chan_put(b);
}

/* The same channel twice: a select never matches itself. */
static void kgo_cont_self_select(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 0);
	int v = 9, got = 0;
	struct kgo_select_case c[2] = {
		{ .ch = ch, .dir = KGO_SELECT_RECV },
		{ .ch = ch, .dir = KGO_SELECT_SEND, .val = &v },
	};
	struct probe p;

	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_select_then(c, 2, 0, probe_fn, &p), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv(ch, &got, NULL), 0);
	KUNIT_EXPECT_EQ(test, got, 9);
	probe_wait(test, &p);
	KUNIT_EXPECT_EQ(test, p.res.idx, 1);
	/* Its receive waiter is gone too. */
	KUNIT_EXPECT_EQ(test, kgo_chan_try_send(ch, &v), -EAGAIN);
	kgo_chan_put(ch);
}

static void kgo_cont_waitgroup(struct kunit *test)
{
	struct kgo_cont *h;
	struct kgo_wg wg;
	struct probe p;

	kgo_wg_init(&wg);
	kgo_wg_add(&wg, 3);
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_wg_wait_then_opts(&wg, probe_fn, &p,
						    GFP_KERNEL, &h), 0);
	kgo_wg_done(&wg);
	kgo_wg_done(&wg);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);
	kgo_wg_done(&wg);
	probe_wait(test, &p);
	KUNIT_EXPECT_NULL(test, p.res.val);
	KUNIT_EXPECT_FALSE(test, kgo_cont_cancel(h));
	kgo_cont_put(h);

	/* At zero already: it runs at once. */
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_wg_wait_then(&wg, probe_fn, &p), 0);
	probe_wait(test, &p);

	/* Cancelled while waiting: Done does not run it. */
	probe_init(&p);
	kgo_wg_add(&wg, 1);
	KUNIT_ASSERT_EQ(test, kgo_wg_wait_then_opts(&wg, probe_fn, &p,
						    GFP_KERNEL, &h), 0);
	KUNIT_EXPECT_TRUE(test, kgo_cont_cancel(h));
	KUNIT_EXPECT_FALSE(test, kgo_cont_cancel(h));
	kgo_cont_put(h);
	kgo_wg_done(&wg);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&wg.wq.head));
}

/* Cancel: nothing transferred, no waiter left, no function run. */
static void kgo_cont_cancel_case(struct kunit *test)
{
	long alive = gochan_obj_count(GOCHAN_OBJ_CONTS);
	struct kgo_chan *a = mk(test, sizeof(int), 0);
	struct kgo_chan *b = mk(test, sizeof(int), 1);
	int v = 1;
	struct kgo_select_case c[3] = {
		{ .ch = a, .dir = KGO_SELECT_RECV },
		{ .ch = a, .dir = KGO_SELECT_SEND, .val = &v },
		{ .ch = b, .dir = KGO_SELECT_RECV },
	};
	struct kgo_cont *h;
	struct probe p;

	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_select_then_opts(c, 3, 0, probe_fn, &p,
						   GFP_KERNEL, &h), 0);
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CONTS), alive + 1);
	KUNIT_EXPECT_TRUE(test, kgo_cont_cancel(h));
	kgo_cont_put(h);
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CONTS), alive);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_send(a, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_recv(a, &v, NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kgo_chan_try_send(b, &v), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_len(b), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);

	/* A nil channel never completes; cancel frees it. */
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then_opts(NULL, probe_fn, &p,
						      GFP_KERNEL, &h), 0);
	KUNIT_EXPECT_TRUE(test, kgo_cont_cancel(h));
	kgo_cont_put(h);
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CONTS), alive);
	kgo_chan_put(a);
	kgo_chan_put(b);
}

static void probe_fn64(const struct kgo_cont_result *res, void *arg)
{
	struct probe *p = arg;

	p->res = *res;
	p->val = *(s64 *)res->val;
	p->in_goroutine = kgo_in_goroutine();
	atomic_inc(&p->runs);
	complete(&p->done);
}

/* Completed from a hard interrupt: a kgo_chan_after() timer. */
static void kgo_cont_timer(struct kunit *test)
{
	s64 before = ktime_get_ns();
	struct kgo_chan *t = kgo_chan_after(ms_to_ktime(2), GFP_KERNEL);
	struct probe p;

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	probe_init(&p);
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then(t, probe_fn64, &p), 0);
	kgo_chan_put(t);	/* the continuation holds its own reference */
	probe_wait(test, &p);
	KUNIT_EXPECT_TRUE(test, p.res.ok);
	/* The value is the firing time: at least 2 ms after we started. */
	KUNIT_EXPECT_GE(test, p.val, before + 2 * NSEC_PER_MSEC);
}

static void kgo_cont_errors(struct kunit *test)
{
	struct kgo_chan *ch = mk(test, sizeof(int), 0);
	struct kgo_select_case c = { .ch = ch, .dir = 0 };	/* no direction */
	struct probe p;

	probe_init(&p);
	KUNIT_EXPECT_EQ(test, kgo_chan_recv_then(ch, NULL, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_chan_send_then(ch, NULL, probe_fn, &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_select_then(&c, 1, 0, probe_fn, &p),
			-EINVAL);
	c.dir = KGO_SELECT_SEND | KGO_SELECT_RECV;	/* not exactly one */
	KUNIT_EXPECT_EQ(test, kgo_select_then(&c, 1, 0, probe_fn, &p),
			-EINVAL);
	c.dir = KGO_SELECT_RECV;
	KUNIT_EXPECT_EQ(test, kgo_select_then(&c, 1, KGO_NONBLOCK, probe_fn,
					      &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_select_then(&c, KGO_SELECT_MAX + 1, 0,
					      probe_fn, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_select_then(NULL, 1, 0, probe_fn, &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_wg_wait_then(NULL, probe_fn, &p), -EINVAL);
	/* A nil channel without a handle could never end: refused. */
	KUNIT_EXPECT_EQ(test, kgo_chan_recv_then(NULL, probe_fn, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);
	kgo_chan_put(ch);
}

/* Every allocation of a registration fails cleanly. */
static void kgo_cont_alloc_failures(struct kunit *test)
{
	long alive = gochan_obj_count(GOCHAN_OBJ_CONTS);
	long chans = gochan_obj_count(GOCHAN_OBJ_CHANS);
	struct kgo_chan *ch = mk(test, sizeof(int), 0);
	struct kgo_select_case c[8];
	int nth, ret, fails = 0, v = 0;
	struct kgo_cont *h;
	struct probe p;

	for (nth = 0; nth < 8; nth++)
		c[nth] = (struct kgo_select_case){ .ch = ch,
						   .dir = KGO_SELECT_RECV };
	probe_init(&p);
	/* Eight cases: the order array, then the record. */
	for (nth = 1; nth <= 6; nth++) {
		current->fail_nth = nth;
		ret = kgo_select_then_opts(c, 8, 0, probe_fn, &p, GFP_KERNEL,
					   &h);
		current->fail_nth = 0;
		if (ret) {
			KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
			fails++;
			continue;
		}
		KUNIT_EXPECT_TRUE(test, kgo_cont_cancel(h));
		kgo_cont_put(h);
	}
	KUNIT_EXPECT_EQ(test, fails, 2);
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CONTS), alive);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.runs), 0);
	/* The channel is untouched and works. */
	KUNIT_ASSERT_EQ(test, kgo_chan_recv_then(ch, probe_fn, &p), 0);
	KUNIT_EXPECT_EQ(test, kgo_chan_send(ch, &v), 0);
	probe_wait(test, &p);
	kgo_chan_put(ch);
	conts_settle(test, alive);
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CHANS), chans);
}

/* ---- many continuations, exactly once ------------------------------------ */

/*
 * n parked receive continuations over 64 unbuffered channels; half of
 * them get a value, the rest see close.  Each value arrives exactly
 * once and each continuation runs exactly once.
 */
static void cont_park_and_complete(struct kunit *test, unsigned int n,
				   bool backlog)
{
	long alive = gochan_obj_count(GOCHAN_OBJ_CONTS);
	struct kgo_chan *chs[64];
	unsigned int i, sent = n / 2, once = 0;
	struct kgo_mass *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->seen = vzalloc(n);
	KUNIT_ASSERT_NOT_NULL(test, m->seen);
	m->n = n;
	kgo_wg_init(&m->wg);
	for (i = 0; i < ARRAY_SIZE(chs); i++)
		chs[i] = mk(test, sizeof(u32), 0);

	KUNIT_ASSERT_EQ(test, kgo_wg_add(&m->wg, n), 0);
	for (i = 0; i < n; i++) {
		int ret = kgo_chan_recv_then_opts(chs[i % 64], kgo_mass_fn, m,
						  GFP_KERNEL, NULL);

		if (ret) {
			KUNIT_FAIL(test, "registration %u: %d", i, ret);
			kgo_wg_add(&m->wg, -(int)(n - i));
			break;
		}
		if (!(i % 4096))
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, gochan_obj_count(GOCHAN_OBJ_CONTS), alive + n);
	WRITE_ONCE(kgo_cont_force_backlog, backlog);
	/* Each send meets a parked receiver: a direct hand-off. */
	for (i = 0; i < sent; i++) {
		KUNIT_EXPECT_EQ(test, kgo_chan_try_send(chs[i % 64], &i), 0);
		if (!(i % 4096))
			cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(chs); i++) {
		kgo_chan_close(chs[i]);
		kgo_chan_put(chs[i]);
	}
	kgo_wg_wait(&m->wg);
	WRITE_ONCE(kgo_cont_force_backlog, false);

	for (i = 0; i < sent; i++)
		once += m->seen[i] == 1;
	KUNIT_EXPECT_EQ(test, once, sent);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->closed), n - sent);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->bad), 0);
	vfree(m->seen);
	conts_settle(test, alive);
}

/* Starts that cannot allocate a goroutine go through the backlog work. */
static void kgo_cont_backlog(struct kunit *test)
{
	cont_park_and_complete(test, 2000, true);
}

static void kgo_cont_mass(struct kunit *test)
{
	ktime_t t0 = ktime_get();

	cont_park_and_complete(test, cont_mass, false);
	kunit_info(test, "%u continuations parked and completed in %lld ms\n",
		   cont_mass, ktime_ms_delta(ktime_get(), t0));
}

/* ---- races ------------------------------------------------------------------ */

/*
 * A partner kthread for the race cases: for each round it sends one
 * value (the round number) on pt->ch, trying without waiting until the
 * send goes through or the round is over, or it closes pt->ch.
 */
struct partner {
	struct kgo_chan *ch;
	atomic_t round;		/* set by the test: the round to work on */
	atomic_t over;		/* set by the test: stop trying this round */
	atomic_t done_round;	/* set by the partner: finished that round */
	atomic_t delivered;	/* the round's value went through */
	bool close;		/* close instead of sending */
	unsigned int delay_us;	/* before acting, per round */
};

static int partner_fn(void *arg)
{
	struct partner *pt = arg;
	int seen = 0;

	while (!kthread_should_stop()) {
		/* Pairs with atomic_set_release() in the test: pt->ch is set. */
		int r = atomic_read_acquire(&pt->round);

		if (r == seen) {
			cond_resched();
			continue;
		}
		udelay(pt->delay_us);
		if (pt->close) {
			kgo_chan_close(READ_ONCE(pt->ch));
		} else {
			while (atomic_read(&pt->over) != r) {
				if (!kgo_chan_try_send(READ_ONCE(pt->ch), &r)) {
					atomic_set(&pt->delivered, 1);
					break;
				}
				cpu_relax();
			}
		}
		seen = r;
		atomic_set(&pt->done_round, r);
	}
	return 0;
}

static void partner_end_round(struct partner *pt, int r)
{
	atomic_set(&pt->over, r);
	while (atomic_read(&pt->done_round) != r)
		cond_resched();
}

/*
 * The gate: a sender completes a 64-case select continuation while its
 * registrar is still queueing the later cases.  Every completion runs
 * exactly once with the round's value; the race must have happened.
 */
#define GATE_ROUNDS	2000

static void kgo_cont_gate_race(struct kunit *test)
{
	long alive = gochan_obj_count(GOCHAN_OBJ_CONTS);
	struct kgo_select_case *c;
	struct partner pt = {};
	struct task_struct *t;
	int rounds = kgo_kunit_scaled(GATE_ROUNDS), races0, r, i, bad = 0;
	struct probe p;

	races0 = atomic_read(&kgo_cont_gate_races);
	c = kunit_kcalloc(test, 64, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	pt.ch = mk(test, sizeof(int), 0);
	c[0] = (struct kgo_select_case){ .ch = pt.ch, .dir = KGO_SELECT_RECV };
	for (i = 1; i < 64; i++)
		c[i] = (struct kgo_select_case){ .ch = mk(test, sizeof(int), 0),
						 .dir = KGO_SELECT_RECV };
	t = kthread_run(partner_fn, &pt, "kgo_gate_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (r = 1; r <= rounds; r++) {
		probe_init(&p);
		atomic_set(&pt.delivered, 0);
		atomic_set_release(&pt.round, r);
		KUNIT_ASSERT_EQ(test, kgo_select_then(c, 64, 0, probe_fn, &p), 0);
		if (!wait_for_completion_timeout(&p.done, WAIT_JIFFIES)) {
			KUNIT_FAIL(test, "round %d: no completion", r);
			break;
		}
		partner_end_round(&pt, r);
		bad += atomic_read(&p.runs) != 1 || p.res.idx != 0 ||
		       p.val != r || !atomic_read(&pt.delivered);
	}
	kthread_stop(t);
	kunit_info(test, "%d rounds, %d completed while the registrar queued\n",
		   rounds, atomic_read(&kgo_cont_gate_races) - races0);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&kgo_cont_gate_races) - races0, 0);
	for (i = 0; i < 64; i++)
		kgo_chan_put(c[i].ch);
	conts_settle(test, alive);
}

/*
 * kgo_cont_cancel() racing a send, a close and a timer fire: either the
 * cancel wins (the function never runs, the send did not go through,
 * the tick stays in its channel) or the completion does (the function
 * runs once with it).  Both outcomes must have happened.
 */
#define CANCEL_ROUNDS	600

enum { RACE_SEND, RACE_CLOSE, RACE_TIMER };

static void cancel_race(struct kunit *test, int kind)
{
	static const char * const names[] = { "send", "close", "timer" };
	long alive = gochan_obj_count(GOCHAN_OBJ_CONTS);
	int r, cancelled = 0, completed = 0, bad = 0, bias = 0;
	struct task_struct *t = NULL;
	struct partner pt = { .close = kind == RACE_CLOSE };
	struct kgo_cont *h;
	struct probe p;

	if (kind != RACE_TIMER) {
		t = kthread_run(partner_fn, &pt, "kgo_cancel_race");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (r = 1; r <= CANCEL_ROUNDS; r++) {
		struct kgo_chan *ch;
		bool won;

		ch = kind == RACE_TIMER ?
		     kgo_chan_after(ns_to_ktime((r % 40) * NSEC_PER_USEC), GFP_KERNEL) :
		     mk(test, sizeof(int), 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
		probe_init(&p);
		atomic_set(&pt.delivered, 0);
		WRITE_ONCE(pt.ch, ch);
		KUNIT_ASSERT_EQ(test, kgo_chan_recv_then_opts(ch, kind == RACE_TIMER ?
							      probe_fn64 : probe_fn,
							      &p, GFP_KERNEL, &h), 0);
		pt.delay_us = r % 23;
		atomic_set_release(&pt.round, r);
		/*
		 * Give the partner more time while completions are rare
		 * (a slow kernel), so that both outcomes keep happening.
		 */
		if (t && !(r % 50) && completed * 10 < r && bias < 200)
			bias += 4;
		udelay(r % 29 + bias);
		won = kgo_cont_cancel(h);
		if (t)
			partner_end_round(&pt, r);
		if (won) {
			cancelled++;
			if (kind == RACE_TIMER)
				usleep_range(1000, 2000);	/* the tick fires */
			bad += atomic_read(&p.runs) != 0 ||
			       atomic_read(&pt.delivered) ||
			       (kind == RACE_TIMER && kgo_chan_len(ch) != 1);
		} else {
			completed++;
			if (!wait_for_completion_timeout(&p.done, WAIT_JIFFIES)) {
				KUNIT_FAIL(test, "%s round %d: no completion", names[kind], r);
				kgo_cont_put(h);
				kgo_chan_put(ch);
				break;
			}
			bad += atomic_read(&p.runs) != 1;
			if (kind == RACE_SEND)
				bad += !atomic_read(&pt.delivered) || p.val != r;
			else if (kind == RACE_CLOSE)
				bad += p.res.ok;
			else
				bad += !p.res.ok || kgo_chan_len(ch) != 0;
		}
		kgo_cont_put(h);
		kgo_chan_put(ch);
	}
	if (t)
		kthread_stop(t);
	kunit_info(test, "cancel vs %s: %d cancelled, %d completed\n",
		   names[kind], cancelled, completed);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_GT(test, cancelled, 0);
	KUNIT_EXPECT_GT(test, completed, 0);
	conts_settle(test, alive);
}

static void kgo_cont_cancel_races(struct kunit *test)
{
	cancel_race(test, RACE_SEND);
	cancel_race(test, RACE_CLOSE);
	cancel_race(test, RACE_TIMER);
}

static struct kunit_case gochan_cont_cases[] = {
	KUNIT_CASE(kgo_cont_recv_send),
	KUNIT_CASE(kgo_cont_buffered),
	KUNIT_CASE(kgo_cont_select),
	KUNIT_CASE(kgo_cont_self_select),
	KUNIT_CASE(kgo_cont_waitgroup),
	KUNIT_CASE(kgo_cont_cancel_case),
	KUNIT_CASE(kgo_cont_timer),
	KUNIT_CASE(kgo_cont_errors),
	KUNIT_CASE(kgo_cont_alloc_failures),
	KUNIT_CASE(kgo_cont_backlog),
	KUNIT_CASE_SLOW(kgo_cont_gate_race),
	KUNIT_CASE_SLOW(kgo_cont_cancel_races),
	KUNIT_CASE_SLOW(kgo_cont_mass),
	{}
};

static struct kunit_suite gochan_cont_suite = {
	.name = "gochan_cont",
	.test_cases = gochan_cont_cases,
};

kunit_test_suites(&gochan_cont_suite);
