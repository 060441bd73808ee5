// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the goroutine scheduler: the run queues on their own,
 * then whole schedulers created with chosen sizes.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "chan.h"
#include "internal.h"
#include "kunit_util.h"
#include "sched.h"

/* ---- run queues, driven directly ----------------------------------------- */

/* A scheduler shell with n Ps and no threads: for the queue functions. */
struct rq_fixture {
	struct kgo_sched s;
	struct kgo_p p[3];
	struct kgo_goroutine *gs;
	unsigned int ngs;
};

static struct rq_fixture *rq_fixture_new(struct kunit *test, unsigned int ngs)
{
	struct rq_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->s.lock);
	f->s.nprocs = ARRAY_SIZE(f->p);
	f->s.stats = alloc_percpu(struct kgo_stats);
	KUNIT_ASSERT_TRUE(test, !!f->s.stats);
	for (i = 0; i < ARRAY_SIZE(f->p); i++) {
		f->p[i].id = i;
		f->p[i].sched = &f->s;
		init_llist_head(&f->p[i].inbox);
	}
	f->gs = vzalloc(array_size(ngs, sizeof(*f->gs)));
	KUNIT_ASSERT_NOT_NULL(test, f->gs);
	for (i = 0; i < ngs; i++)
		f->gs[i].id = i;
	f->ngs = ngs;
	return f;
}

static void rq_fixture_free(struct rq_fixture *f)
{
	free_percpu(f->s.stats);
	vfree(f->gs);
}

/* FIFO order through the ring, runnext first. */
static void kgo_runq_order(struct kunit *test)
{
	struct rq_fixture *f = rq_fixture_new(test, 10);
	struct kgo_p *p = &f->p[0];
	int i;

	for (i = 0; i < 8; i++)
		kgo_p_runq_put(p, &f->gs[i], false);
	KUNIT_EXPECT_EQ(test, kgo_runq_len(&p->rq), 8U);
	/* runnext: a new one displaces the old to the tail. */
	kgo_p_runq_put(p, &f->gs[8], true);
	kgo_p_runq_put(p, &f->gs[9], true);
	KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(&p->rq), &f->gs[9]);
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(&p->rq), &f->gs[i]);
	KUNIT_EXPECT_NULL(test, kgo_runq_get(&p->rq));
	rq_fixture_free(f);
}

/* A full ring moves half of itself and the new one to the global queue. */
static void kgo_runq_overflow(struct kunit *test)
{
	struct rq_fixture *f = rq_fixture_new(test, KGO_RUNQ_SIZE + 1);
	struct kgo_p *p = &f->p[0];
	struct kgo_goroutine *g;
	int i;

	for (i = 0; i < KGO_RUNQ_SIZE; i++)
		kgo_p_runq_put(p, &f->gs[i], false);
	KUNIT_EXPECT_EQ(test, f->s.gq_len, 0U);
	kgo_p_runq_put(p, &f->gs[KGO_RUNQ_SIZE], false);
	KUNIT_EXPECT_EQ(test, f->s.gq_len, KGO_RUNQ_SIZE / 2 + 1);
	KUNIT_EXPECT_EQ(test, kgo_runq_len(&p->rq), KGO_RUNQ_SIZE / 2);

	/* Global queue, in order: the oldest half, then the newcomer. */
	for (i = 0, g = f->s.gq_head; g; g = g->next, i++)
		KUNIT_EXPECT_EQ(test, g->id, (u64)(i < KGO_RUNQ_SIZE / 2 ? i :
						   KGO_RUNQ_SIZE));
	KUNIT_EXPECT_EQ(test, i, KGO_RUNQ_SIZE / 2 + 1);
	/* The ring keeps the newer half, in order. */
	for (i = KGO_RUNQ_SIZE / 2; i < KGO_RUNQ_SIZE; i++)
		KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(&p->rq), &f->gs[i]);
	KUNIT_EXPECT_NULL(test, kgo_runq_get(&p->rq));

	/* The global queue hands out fair shares: len / nprocs + 1. */
	g = kgo_globrunq_get(p, 0);
	KUNIT_EXPECT_PTR_EQ(test, g, &f->gs[0]);
	KUNIT_EXPECT_EQ(test, kgo_runq_len(&p->rq), (KGO_RUNQ_SIZE / 2 + 1) / 3U);
	KUNIT_EXPECT_EQ(test, f->s.gq_len,
			KGO_RUNQ_SIZE / 2 + 1 - ((KGO_RUNQ_SIZE / 2 + 1) / 3 + 1));
	/* With max 1 (the 1-in-61 check) exactly one comes. */
	KUNIT_EXPECT_NOT_NULL(test, kgo_globrunq_get(&f->p[1], 1));
	KUNIT_EXPECT_EQ(test, kgo_runq_len(&f->p[1].rq), 0U);
	rq_fixture_free(f);
}

/*
 * The ring alone, with no P or scheduler: a full ring hands back its
 * older half in order, then the goroutine that did not fit, as one
 * linked batch, and keeps the newer half; runnext displaces into it.
 */
static void kgo_runq_ring_full(struct kunit *test)
{
	struct kgo_runq *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	struct kgo_goroutine *gs, *b;
	unsigned int i, n;

	KUNIT_ASSERT_NOT_NULL(test, q);
	gs = kunit_kcalloc(test, KGO_RUNQ_SIZE + 2, sizeof(*gs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gs);
	KUNIT_EXPECT_TRUE(test, kgo_runq_empty(q));
	for (i = 0; i < KGO_RUNQ_SIZE; i++) {
		KUNIT_ASSERT_NULL(test, kgo_runq_put(q, &gs[i], false, &n));
		KUNIT_EXPECT_EQ(test, n, 0U);
	}
	KUNIT_EXPECT_EQ(test, kgo_runq_len(q), KGO_RUNQ_SIZE);
	/* runnext takes the new one; the ring is full, so nothing moves. */
	KUNIT_EXPECT_NULL(test, kgo_runq_put(q, &gs[KGO_RUNQ_SIZE], true, &n));
	/* A second runnext displaces the first, which no longer fits. */
	b = kgo_runq_put(q, &gs[KGO_RUNQ_SIZE + 1], true, &n);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, n, KGO_RUNQ_SIZE / 2 + 1);
	for (i = 0; i < KGO_RUNQ_SIZE / 2 && b; i++, b = b->next)
		KUNIT_EXPECT_PTR_EQ(test, b, &gs[i]);
	KUNIT_EXPECT_PTR_EQ(test, b, &gs[KGO_RUNQ_SIZE]);
	KUNIT_EXPECT_NULL(test, b ? b->next : NULL);
	KUNIT_EXPECT_EQ(test, kgo_runq_len(q), KGO_RUNQ_SIZE / 2);
	/* runnext first, then the newer half in order. */
	KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(q), &gs[KGO_RUNQ_SIZE + 1]);
	for (i = KGO_RUNQ_SIZE / 2; i < KGO_RUNQ_SIZE; i++)
		KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(q), &gs[i]);
	KUNIT_EXPECT_NULL(test, kgo_runq_get(q));
	KUNIT_EXPECT_TRUE(test, kgo_runq_empty(q));
}

/* Stealing takes half, rounding up, and runnext only when asked. */
static void kgo_runq_steal_half(struct kunit *test)
{
	struct rq_fixture *f = rq_fixture_new(test, 12);
	struct kgo_p *victim = &f->p[0], *thief = &f->p[1];
	struct kgo_goroutine *g;
	int i;

	for (i = 0; i < 11; i++)
		kgo_p_runq_put(victim, &f->gs[i], false);
	KUNIT_EXPECT_EQ(test, kgo_runq_steal(&thief->rq, &victim->rq, false,
					     false, &g), 6U);
	KUNIT_EXPECT_PTR_EQ(test, g, &f->gs[5]);
	KUNIT_EXPECT_EQ(test, kgo_runq_len(&thief->rq), 5U);
	KUNIT_EXPECT_EQ(test, kgo_runq_len(&victim->rq), 5U);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(&thief->rq), &f->gs[i]);
	for (i = 6; i < 11; i++)
		KUNIT_EXPECT_PTR_EQ(test, kgo_runq_get(&victim->rq), &f->gs[i]);

	kgo_p_runq_put(victim, &f->gs[11], true);
	KUNIT_EXPECT_EQ(test, kgo_runq_steal(&thief->rq, &victim->rq, false,
					     false, &g), 0U);
	KUNIT_EXPECT_EQ(test, kgo_runq_steal(&thief->rq, &victim->rq, true,
					     false, &g), 1U);
	KUNIT_EXPECT_PTR_EQ(test, g, &f->gs[11]);
	KUNIT_EXPECT_NULL(test, kgo_runq_get(&victim->rq));
	rq_fixture_free(f);
}

/*
 * 100k goroutine records through one P whose owner produces and consumes
 * while two thieves steal: each must come out exactly once.
 */
#define STEAL_N 100000

struct steal_ctx;

/* Thread i owns P i: 0 is the producer, 1 and 2 are thieves. */
struct steal_who {
	struct steal_ctx *c;
	int idx;
};

struct steal_ctx {
	struct rq_fixture *f;
	atomic_t *seen;
	atomic_t done_producing;
	atomic_t taken;
	atomic_t thieves_took;
	struct completion exited[3];
	struct steal_who who[3];
};

static void steal_take(struct steal_ctx *c, struct kgo_goroutine *g)
{
	atomic_inc(&c->seen[g->id]);
	atomic_inc(&c->taken);
}

static int steal_owner(void *data)
{
	struct steal_ctx *c = ((struct steal_who *)data)->c;
	struct kgo_p *p = &c->f->p[0];
	struct kgo_goroutine *g;
	unsigned int i;

	for (i = 0; i < STEAL_N; i++) {
		/* Keep below overflow: the owner eats when the ring fills. */
		while (kgo_runq_len(&p->rq) >= KGO_RUNQ_SIZE - 1) {
			g = kgo_runq_get(&p->rq);
			if (g)
				steal_take(c, g);
		}
		kgo_p_runq_put(p, &c->f->gs[i], i % 7 == 0);
		if (i % 3 == 0) {
			g = kgo_runq_get(&p->rq);
			if (g)
				steal_take(c, g);
		}
		if (i % 1024 == 0)
			cond_resched();
	}
	atomic_set(&c->done_producing, 1);
	while ((g = kgo_runq_get(&p->rq)))
		steal_take(c, g);
	complete(&c->exited[0]);
	return 0;
}

static int steal_thief(void *data)
{
	struct steal_who *w = data;
	struct steal_ctx *c = w->c;
	struct kgo_p *self = &c->f->p[w->idx];
	struct kgo_goroutine *g;

	for (;;) {
		bool last = atomic_read(&c->done_producing);

		if (kgo_runq_steal(&self->rq, &c->f->p[0].rq, last, false,
				   &g)) {
			steal_take(c, g);
			atomic_inc(&c->thieves_took);
			while ((g = kgo_runq_get(&self->rq))) {
				steal_take(c, g);
				atomic_inc(&c->thieves_took);
			}
		} else if (last) {
			break;
		}
		cond_resched();
	}
	complete(&c->exited[w->idx]);
	return 0;
}

static void kgo_runq_steal_exactly_once(struct kunit *test)
{
	struct steal_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *t[3];
	unsigned int i, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->f = rq_fixture_new(test, STEAL_N);
	c->seen = vzalloc(array_size(STEAL_N, sizeof(*c->seen)));
	KUNIT_ASSERT_NOT_NULL(test, c->seen);
	for (i = 0; i < 3; i++) {
		init_completion(&c->exited[i]);
		c->who[i].c = c;
		c->who[i].idx = i;
	}
	/* Thieves first: they poll until the producer has filled its ring. */
	for (i = 3; i-- > 0;) {
		t[i] = kthread_run(i ? steal_thief : steal_owner, &c->who[i],
				   "kgo-kt-steal%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c->exited[i],
								  60 * HZ), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->taken), STEAL_N);
	for (i = 0; i < STEAL_N; i++)
		if (atomic_read(&c->seen[i]) != 1)
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0U);
	/* The thieves must really have competed with the owner. */
	KUNIT_EXPECT_GT(test, atomic_read(&c->thieves_took), 0);
	kunit_info(test, "thieves took %d of %d\n",
		   atomic_read(&c->thieves_took), STEAL_N);
	vfree(c->seen);
	rq_fixture_free(c->f);
}

/* ---- whole schedulers ------------------------------------------------------ */

static struct kgo_sched *sched_new_sysmon(struct kunit *test, int nprocs,
					  unsigned int sysmon_ms)
{
	struct kgo_sched *s = kgo_sched_create("kt", nprocs, 64, sysmon_ms);

	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	return s;
}

static struct kgo_sched *sched_new(struct kunit *test, int nprocs)
{
	return sched_new_sysmon(test, nprocs, 10);
}

/*
 * Ps for the tests about stealing and spinning: one per CPU, at least
 * two, so that "make smp" (8 vCPUs) runs them with 8.
 */
static int nprocs_all(void)
{
	return max_t(int, 2, num_online_cpus());
}

static int go(struct kgo_sched *s, kgo_fn_t fn, void *arg)
{
	return kgo_sched_go(s, THIS_MODULE, fn, arg, NULL);
}

/*
 * Many spawns (100k at scale 100): each runs exactly once and the
 * spawner sees them all.
 */
#define SPAWN_N 100000

struct spawn_ctx {
	unsigned long n;
	atomic_t *runs;
	atomic_t left;
	struct completion all_ran;
	atomic_t failed;
};

static struct spawn_ctx *spawn_ctx_global;

/* Lock-free body: the test measures the scheduler, not wait groups. */
static void spawn_fn(void *arg)
{
	unsigned long i = (unsigned long)arg;

	atomic_inc(&spawn_ctx_global->runs[i]);
	if (atomic_dec_and_test(&spawn_ctx_global->left))
		complete(&spawn_ctx_global->all_ran);
}

/*
 * The spawner is a goroutine: its children go to runnext and its P's
 * ring, overflow to the global queue, and are stolen by the other P.
 */
static void spawner_fn(void *arg)
{
	unsigned long i;

	for (i = 0; i < spawn_ctx_global->n; i++) {
		if (kgo_go(spawn_fn, (void *)i))
			atomic_inc(&spawn_ctx_global->failed);
		/* Let the children run on this P too, as Go's spawner would. */
		if (i % 128 == 127)
			kgo_yield();
	}
	if (atomic_dec_and_test(&spawn_ctx_global->left))
		complete(&spawn_ctx_global->all_ran);
}

static void kgo_spawn_many(struct kunit *test)
{
	/*
	 * No sysmon retakes: the spawner keeps its P, so its children go
	 * through runnext and the ring, overflow to the global queue, and
	 * are stolen by the other P (a retaken spawner would send them all
	 * through the global queue, which other tests cover).
	 */
	struct kgo_sched *s = sched_new_sysmon(test, nprocs_all(), 60000);
	struct spawn_ctx c = {};
	struct kgo_stats st;
	unsigned long i, bad = 0;

	c.n = kgo_kunit_scaled(SPAWN_N);
	c.runs = vzalloc(array_size(c.n, sizeof(*c.runs)));
	KUNIT_ASSERT_NOT_NULL(test, c.runs);
	atomic_set(&c.left, c.n + 1);
	init_completion(&c.all_ran);
	spawn_ctx_global = &c;
	KUNIT_ASSERT_EQ(test, go(s, spawner_fn, NULL), 0);
	wait_for_completion(&c.all_ran);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.failed), 0);
	for (i = 0; i < c.n; i++)
		if (atomic_read(&c.runs[i]) != 1)
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	kgo_sched_stats(s, &st);
	KUNIT_EXPECT_EQ(test, st.spawned, (u64)c.n + 1);
	kgo_sched_destroy(s);
	kunit_info(test, "%lu spawns: steals %llu stolen %llu global %llu parks %llu yields %llu\n",
		   c.n, st.steals, st.stolen, st.global_puts, st.parks, st.yields);
	vfree(c.runs);
}

/*
 * The 1-in-61 rule: on one P, a chain of goroutines each spawning the
 * next (always runnext) must not starve one waiting in the global queue.
 */
struct starve_ctx {
	struct kgo_sched *s;
	atomic_t seq;
	int chain_left;
	int global_ran_at;
	int global_queued_at;
	struct completion done;
	struct completion global_queued;
	struct kunit *test;
};

static struct starve_ctx *starve;

static void starve_global(void *arg)
{
	WRITE_ONCE(starve->global_ran_at, atomic_inc_return(&starve->seq));
}

static void starve_chain(void *arg)
{
	int n = atomic_inc_return(&starve->seq);

	if (n == 10) {
		/* Queue the outsider from a thread that is no goroutine. */
		complete(&starve->global_queued);
		while (!READ_ONCE(starve->global_queued_at))
			cpu_relax();
	}
	if (--starve->chain_left > 0)
		WARN_ON_ONCE(kgo_go(starve_chain, NULL));
	else
		complete(&starve->done);
}

static void kgo_global_not_starved(struct kunit *test)
{
	struct starve_ctx c = { .chain_left = 1000, .test = test };

	init_completion(&c.done);
	init_completion(&c.global_queued);
	starve = &c;
	/* sysmon must not rescue the outsider: only the 61-tick rule may. */
	c.s = sched_new_sysmon(test, 1, 60000);
	KUNIT_ASSERT_EQ(test, go(c.s, starve_chain, NULL), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c.global_queued,
							  30 * HZ), 0UL);
	KUNIT_ASSERT_EQ(test, go(c.s, starve_global, NULL), 0);
	WRITE_ONCE(c.global_queued_at, atomic_read(&c.seq));
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c.done, 30 * HZ),
			0UL);
	kgo_sched_destroy(c.s);
	KUNIT_EXPECT_GT(test, c.global_ran_at, 0);
	/* Within one round of 61 scheduling ticks, not after the chain. */
	KUNIT_EXPECT_LE(test, c.global_ran_at - c.global_queued_at, 62);
	kunit_info(test, "global goroutine ran %d ticks after it was queued\n",
		   c.global_ran_at - c.global_queued_at);
}

/*
 * maxprocs=1: a goroutine blocked in a wait group does not stop others.
 * The blocker spawns the other goroutine onto its own P and blocks: its
 * P, with work queued, must be handed to another M (the handoffs counter
 * moves), and the other goroutine runs while the blocker is still
 * blocked (it is what unblocks it).
 */
struct handoff_ctx {
	struct kgo_sched *s;
	struct kgo_wg gate;
	struct completion blocked_done;
	struct completion other_ran;
	bool other_saw_blocked;
	int spawn_err;
};

static struct handoff_ctx *handoff;

static void handoff_other(void *arg)
{
	handoff->other_saw_blocked = !completion_done(&handoff->blocked_done);
	complete(&handoff->other_ran);
	kgo_wg_done(&handoff->gate);
}

static void handoff_blocker(void *arg)
{
	handoff->spawn_err = go(handoff->s, handoff_other, NULL);
	if (handoff->spawn_err)
		kgo_wg_done(&handoff->gate);
	kgo_wg_wait(&handoff->gate);
	complete(&handoff->blocked_done);
}

static void kgo_handoff_on_block(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 1);
	struct handoff_ctx c = { .s = s };
	struct kgo_stats st;
	bool ran;

	kgo_wg_init(&c.gate);
	init_completion(&c.blocked_done);
	init_completion(&c.other_ran);
	handoff = &c;
	KUNIT_ASSERT_EQ(test, kgo_wg_add(&c.gate, 1), 0);
	KUNIT_ASSERT_EQ(test, go(s, handoff_blocker, NULL), 0);
	ran = wait_for_completion_timeout(&c.other_ran, 30 * HZ);
	KUNIT_EXPECT_TRUE(test, ran);
	if (!ran)
		kgo_wg_done(&c.gate);	/* unblock, so teardown finishes */
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&c.blocked_done,
							  30 * HZ), 0UL);
	kgo_sched_stats(s, &st);
	kgo_sched_destroy(s);
	kunit_info(test, "%llu hand-offs\n", st.handoffs);
	KUNIT_EXPECT_EQ(test, c.spawn_err, 0);
	KUNIT_EXPECT_TRUE(test, c.other_saw_blocked);
	KUNIT_EXPECT_GE(test, st.handoffs, 1ULL);
}

/*
 * maxprocs=1: sysmon takes the P from a goroutine that spins, so a queued
 * one starts while the spinner still runs.
 */
struct sysmon_ctx {
	atomic_t other_started;
	u64 queued_ns;
	u64 started_ns;
	bool spinner_saw_it;
	struct completion spinning;
	struct kgo_wg wg;
};

static struct sysmon_ctx *sysmon;

static void sysmon_spinner(void *arg)
{
	u64 end = ktime_get_ns() + 2 * NSEC_PER_SEC;

	complete(&sysmon->spinning);
	while (ktime_get_ns() < end && !atomic_read(&sysmon->other_started))
		cpu_relax();
	sysmon->spinner_saw_it = atomic_read(&sysmon->other_started);
	kgo_wg_done(&sysmon->wg);
}

static void sysmon_other(void *arg)
{
	sysmon->started_ns = ktime_get_ns();
	atomic_set(&sysmon->other_started, 1);
	kgo_wg_done(&sysmon->wg);
}

static void kgo_sysmon_retakes_spinner(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 1);
	struct sysmon_ctx c = {};
	struct kgo_stats st;

	init_completion(&c.spinning);
	kgo_wg_init(&c.wg);
	sysmon = &c;
	KUNIT_ASSERT_EQ(test, kgo_wg_add(&c.wg, 2), 0);
	KUNIT_ASSERT_EQ(test, go(s, sysmon_spinner, NULL), 0);
	wait_for_completion(&c.spinning);
	c.queued_ns = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, go(s, sysmon_other, NULL), 0);
	kgo_wg_wait(&c.wg);
	kgo_sched_stats(s, &st);
	kgo_sched_destroy(s);
	KUNIT_EXPECT_TRUE(test, c.spinner_saw_it);
	KUNIT_EXPECT_GE(test, st.retakes, 1ULL);
	kunit_info(test, "queued goroutine started %llu us after it was queued\n",
		   (c.started_ns - c.queued_ns) / NSEC_PER_USEC);
}

/* kgo_yield() with maxprocs=1 lets a queued goroutine run. */
struct yield_ctx {
	atomic_t flag;
	int yields;
	struct kgo_wg wg;
};

static struct yield_ctx *yieldc;

static void yield_waiter(void *arg)
{
	while (!atomic_read(&yieldc->flag) && yieldc->yields < 100000) {
		kgo_yield();
		yieldc->yields++;
	}
	kgo_wg_done(&yieldc->wg);
}

static void yield_setter(void *arg)
{
	atomic_set(&yieldc->flag, 1);
	kgo_wg_done(&yieldc->wg);
}

static void kgo_yield_lets_others_run(struct kunit *test)
{
	/* sysmon must not rescue the setter: only the yield may. */
	struct kgo_sched *s = sched_new_sysmon(test, 1, 60000);
	struct yield_ctx c = {};
	struct kgo_stats st;

	kgo_wg_init(&c.wg);
	yieldc = &c;
	KUNIT_ASSERT_EQ(test, kgo_wg_add(&c.wg, 2), 0);
	/* Both queued before either runs: the waiter first. */
	KUNIT_ASSERT_EQ(test, go(s, yield_waiter, NULL), 0);
	KUNIT_ASSERT_EQ(test, go(s, yield_setter, NULL), 0);
	kgo_wg_wait(&c.wg);
	kgo_sched_stats(s, &st);
	kgo_sched_destroy(s);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.flag), 1);
	KUNIT_EXPECT_LT(test, c.yields, 100000);
	KUNIT_EXPECT_GE(test, st.yields, 1ULL);
	KUNIT_EXPECT_EQ(test, st.retakes, 0ULL);
	kunit_info(test, "%d yields, %llu through a P hand-over\n", c.yields,
		   st.yields);
}

/*
 * No lost wake-up: spawn from outside, one at a time, each just as the Ms
 * that ran the previous one give up their Ps and park.  A lost wake-up
 * leaves a goroutine queued with every M asleep: the wait times out.
 */
#define WAKEUP_ROUNDS 3000

static struct completion *wakeup_done;

static void wakeup_fn(void *arg)
{
	complete(wakeup_done);
}

static void kgo_no_lost_wakeup(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, nprocs_all());
	struct completion done;
	struct kgo_stats st;
	int i, lost = 0;

	init_completion(&done);
	wakeup_done = &done;
	for (i = 0; i < WAKEUP_ROUNDS; i++) {
		KUNIT_ASSERT_EQ(test, go(s, wakeup_fn, NULL), 0);
		if (!wait_for_completion_timeout(&done, 10 * HZ)) {
			lost++;
			break;
		}
		/* Vary the phase: sometimes let the Ms reach their beds. */
		if (i % 3 == 1)
			udelay(i % 50);
		else if (i % 3 == 2)
			usleep_range(10, 50);
	}
	/*
	 * The last goroutine is counted as completed after its function
	 * returns, which may be just after the completion woke us.
	 */
	for (i = 0; i < 1000; i++) {
		kgo_sched_stats(s, &st);
		if (st.completed >= WAKEUP_ROUNDS)
			break;
		usleep_range(1000, 2000);
	}
	kgo_sched_destroy(s);
	KUNIT_EXPECT_EQ(test, lost, 0);
	KUNIT_EXPECT_EQ(test, st.completed, (u64)WAKEUP_ROUNDS);
	KUNIT_EXPECT_GT(test, st.parks, 0ULL);
	kunit_info(test, "%d rounds: %llu parks, %llu wake-ups\n",
		   WAKEUP_ROUNDS, st.parks, st.wakeups);
}

/* Destroying a scheduler waits for goroutines in flight. */
static atomic_t inflight_runs;

static void inflight_fn(void *arg)
{
	if ((unsigned long)arg % 16 == 0)
		usleep_range(100, 200);
	atomic_inc(&inflight_runs);
}

static void kgo_destroy_with_goroutines_in_flight(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 2);
	unsigned long i;

	atomic_set(&inflight_runs, 0);
	for (i = 0; i < 2000; i++)
		KUNIT_ASSERT_EQ(test, go(s, inflight_fn, (void *)i), 0);
	kgo_sched_destroy(s);
	KUNIT_EXPECT_EQ(test, atomic_read(&inflight_runs), 2000);
}

/* Spawning from atomic context: under a spinlock and from a hard irq. */
struct atomic_ctx {
	struct hrtimer timer;
	struct kgo_sched *s;
	int timer_ret;
	struct kgo_wg wg;
};

static struct atomic_ctx *atomicc;

static void atomic_fn(void *arg)
{
	kgo_wg_done(&atomicc->wg);
}

static enum hrtimer_restart atomic_timer(struct hrtimer *t)
{
	struct atomic_ctx *c = container_of(t, struct atomic_ctx, timer);

	c->timer_ret = kgo_sched_go(c->s, THIS_MODULE, atomic_fn, NULL, NULL);
	if (c->timer_ret)
		kgo_wg_done(&c->wg);
	return HRTIMER_NORESTART;
}

static DEFINE_SPINLOCK(atomic_test_lock);

static void kgo_spawn_from_atomic(struct kunit *test)
{
	/* On the heap: debugobjects wants on-stack timers annotated. */
	struct atomic_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, c);
	atomicc = c;
	c->s = sched_new(test, 2);
	kgo_wg_init(&c->wg);
	KUNIT_ASSERT_EQ(test, kgo_wg_add(&c->wg, 2), 0);
	spin_lock_irqsave(&atomic_test_lock, flags);
	KUNIT_EXPECT_EQ(test, go(c->s, atomic_fn, NULL), 0);
	spin_unlock_irqrestore(&atomic_test_lock, flags);

	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	c->timer.function = atomic_timer;
	hrtimer_start(&c->timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
	kgo_wg_wait(&c->wg);
	hrtimer_cancel(&c->timer);
	KUNIT_EXPECT_EQ(test, c->timer_ret, 0);
	kgo_sched_destroy(c->s);
}

/* An allocation failure is reported and leaves nothing behind. */
static void nop_fn(void *arg)
{
}

static void kgo_spawn_alloc_failure(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 1);
	int refs = module_refcount(THIS_MODULE), ret;
	struct kgo_stats st;

	/* failslab: the next slab allocation of this task fails. */
	current->fail_nth = 1;
	ret = go(s, nop_fn, NULL);
	current->fail_nth = 0;
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	kgo_sched_stats(s, &st);
	KUNIT_EXPECT_EQ(test, st.spawned, 0ULL);
	KUNIT_EXPECT_EQ(test, kgo_sched_goroutines(s), 0);
	/* And the scheduler still works. */
	KUNIT_EXPECT_EQ(test, go(s, nop_fn, NULL), 0);
	kgo_sched_destroy(s);
}

/*
 * The M cap with every M blocked (Documentation/design.rst, "Spinning and
 * parking"): a goroutine blocked in a channel operation keeps its M, so
 * with 1 P and maxthreads 2, two blocked goroutines leave no M for a
 * third.  It stays queued, and runs as soon as one of them returns.
 */
struct cap_ctx {
	struct kgo_chan *a, *b;
	atomic_t g2_done, g3_ran, left;
	struct completion all;
};

static void cap_finish(struct cap_ctx *c)
{
	if (atomic_dec_and_test(&c->left))
		complete(&c->all);
}

static void cap_g1(void *arg)
{
	struct cap_ctx *c = arg;
	int v;

	kgo_chan_recv(c->a, &v, NULL);
	cap_finish(c);
}

static void cap_g2(void *arg)
{
	struct cap_ctx *c = arg;
	int v;

	if (!kgo_chan_recv(c->b, &v, NULL) && v == 3)
		atomic_set(&c->g2_done, 1);
	cap_finish(c);
}

static void cap_g3(void *arg)
{
	struct cap_ctx *c = arg;
	int v = 3;

	atomic_set(&c->g3_ran, 1);
	kgo_chan_send(c->b, &v);
	cap_finish(c);
}

static void kgo_thread_cap_blocked(struct kunit *test)
{
	struct kgo_sched *s = kgo_sched_create("kt", 1, 2, 10);
	struct kgo_chan_stat sa = {}, sb = {};
	struct cap_ctx c = {};
	int v = 1, i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	c.a = kgo_chan_make(sizeof(int), 0, GFP_KERNEL);
	c.b = kgo_chan_make(sizeof(int), 0, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c.a) || IS_ERR(c.b));
	init_completion(&c.all);
	atomic_set(&c.left, 3);
	KUNIT_ASSERT_EQ(test, go(s, cap_g1, &c), 0);
	KUNIT_ASSERT_EQ(test, go(s, cap_g2, &c), 0);
	/* Both blocked, each holding one of the two Ms. */
	for (i = 0; i < 1000; i++) {
		kgo_chan_stat(c.a, &sa);
		kgo_chan_stat(c.b, &sb);
		if (sa.receivers && sb.receivers)
			break;
		usleep_range(10000, 20000);
	}
	KUNIT_ASSERT_TRUE(test, sa.receivers && sb.receivers);
	KUNIT_EXPECT_EQ(test, READ_ONCE(s->nm), 2);
	/* The third, which would unblock the second, has no M to run on. */
	KUNIT_ASSERT_EQ(test, go(s, cap_g3, &c), 0);
	msleep(200);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.g3_ran), 0);
	/* Unblock the first from outside: its M takes the third. */
	KUNIT_EXPECT_EQ(test, kgo_chan_send(c.a, &v), 0);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&c.all, 30 * HZ), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.g3_ran), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.g2_done), 1);
	kgo_sched_destroy(s);
	kgo_chan_put(c.a);
	kgo_chan_put(c.b);
}

static int destroy_thread(void *arg)
{
	kgo_sched_destroy(arg);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static void wg_wait_fn(void *arg)
{
	kgo_wg_wait(arg);
}

/* Bad arguments, and spawning into a scheduler that is shutting down. */
static void kgo_spawn_errors(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 1);
	struct task_struct *t;
	struct kgo_goroutine rec;
	struct kgo_wg wg;
	int i;
	struct kgo_go_opts bad_cpu = { .cpu = nr_cpu_ids };
	struct kgo_go_opts neg_cpu = { .cpu = -2 };

	KUNIT_EXPECT_EQ(test, go(s, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_sched_go(s, THIS_MODULE, nop_fn, NULL,
					   &bad_cpu), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_sched_go(s, THIS_MODULE, nop_fn, NULL,
					   &neg_cpu), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, kgo_sched_create("kt", 0, 4, 10),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, kgo_sched_create("kt", 4, 2, 10),
			    ERR_PTR(-EINVAL));
	/*
	 * kgo_sched_destroy() waits for a goroutine that holds it up;
	 * meanwhile every spawn is refused, and nothing is leaked.
	 */
	kgo_wg_init(&wg);
	KUNIT_ASSERT_EQ(test, kgo_wg_add(&wg, 1), 0);
	KUNIT_ASSERT_EQ(test, go(s, wg_wait_fn, &wg), 0);
	t = kthread_run(destroy_thread, s, "kgo_destroy");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (i = 0; i < 20000 && !percpu_ref_is_dying(&s->refs); i++)
		usleep_range(500, 1000);
	KUNIT_EXPECT_TRUE(test, percpu_ref_is_dying(&s->refs));
	KUNIT_EXPECT_EQ(test, go(s, nop_fn, NULL), -ESHUTDOWN);
	kgo_goroutine_init(&rec, nop_fn, NULL);
	KUNIT_EXPECT_EQ(test, kgo_sched_go_record(s, THIS_MODULE, &rec, NULL),
			-ESHUTDOWN);
	KUNIT_EXPECT_FALSE(test, kgo_goroutine_pending(&rec));
	KUNIT_EXPECT_EQ(test, kgo_sched_pin(s, THIS_MODULE), -ESHUTDOWN);
	kgo_wg_done(&wg);
	kthread_stop(t);	/* returns once the destroy has */
}

/* Placement: a goroutine for CPU n starts on P n % nprocs or is stolen. */
static atomic_t placed_runs;

static void placed_fn(void *arg)
{
	atomic_inc(&placed_runs);
}

static void kgo_spawn_placed(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 2);
	int cpu, n = 0;

	atomic_set(&placed_runs, 0);
	for_each_possible_cpu(cpu) {
		struct kgo_go_opts o = { .cpu = cpu, .name = "placed" };

		KUNIT_EXPECT_EQ(test, kgo_sched_go(s, THIS_MODULE, placed_fn,
						   NULL, &o), 0);
		n++;
	}
	kgo_sched_destroy(s);
	KUNIT_EXPECT_EQ(test, atomic_read(&placed_runs), n);
}

/* Wait group: counts, and a negative counter is refused. */
static void kgo_wg_counts(struct kunit *test)
{
	struct kgo_wg wg;

	kgo_wg_init(&wg);
	kgo_wg_wait(&wg);	/* zero: returns at once */
	KUNIT_EXPECT_EQ(test, kgo_wg_add_quiet(&wg, 2), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), 2);
	KUNIT_EXPECT_EQ(test, kgo_wg_add_quiet(&wg, -3), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), 2);
	KUNIT_EXPECT_EQ(test, kgo_wg_add_quiet(&wg, INT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), 2);
	kgo_wg_done(&wg);
	kgo_wg_done(&wg);
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), 0);
	KUNIT_EXPECT_EQ(test, kgo_wg_wait_killable(&wg), 0);
}

/* A goroutine record stays within 64 bytes, a cache line. */
static void kgo_g_is_small(struct kunit *test)
{
	KUNIT_EXPECT_LE(test, kgo_g_size(), (size_t)64);
	kunit_info(test, "struct kgo_goroutine: %zu bytes\n", kgo_g_size());
}

/* The goroutine dump names a blocked goroutine, its function and why. */
struct dump_ctx {
	struct kgo_wg gate;
	struct completion in_wait;
	struct completion exited;
};

static struct dump_ctx *dumpc;

static void dump_blocked_fn(void *arg)
{
	complete(&dumpc->in_wait);
	kgo_wg_wait(&dumpc->gate);
	complete(&dumpc->exited);
}

static void kgo_goroutine_dump(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 1);
	struct seq_file sf = {};
	struct dump_ctx c;
	char *buf;

	buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	sf.buf = buf;
	sf.size = 4096;
	kgo_wg_init(&c.gate);
	init_completion(&c.in_wait);
	init_completion(&c.exited);
	dumpc = &c;
	KUNIT_ASSERT_EQ(test, kgo_wg_add(&c.gate, 1), 0);
	KUNIT_ASSERT_EQ(test, go(s, dump_blocked_fn, NULL), 0);
	wait_for_completion(&c.in_wait);
	msleep(50);
	kgo_goroutines_show(&sf, s);
	kgo_sched_show(&sf, s);
	buf[min(sf.count, sf.size - 1)] = '\0';
	kgo_wg_done(&c.gate);
	wait_for_completion(&c.exited);
	kgo_sched_destroy(s);
	kunit_info(test, "%s", buf);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "goroutine 1 [waitgroup, "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "dump_blocked_fn"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "[gochan_kunit]"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "gomaxprocs=1 "));
}

/* ---- records, free lists, module references, quiet spawns --------------- */

/* Wait until every P of s is idle: what they keep has been dropped. */
static bool wait_all_idle(struct kgo_sched *s)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (atomic_read(&s->npidle) == s->nprocs)
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

/* Hold the only P of a scheduler until released (sysmon is kept away). */
struct hold_ctx {
	/* ints: READ_ONCE() of a bool is not marked under UBSAN */
	int started;
	int release;
	unsigned int nmodref_seen;
	struct kgo_sched *s;
	struct completion done;
};

static void hold_fn(void *arg)
{
	struct hold_ctx *h = arg;

	WRITE_ONCE(h->started, 1);
	while (!READ_ONCE(h->release))
		cpu_relax();
}

static void hold_wait_started(struct kunit *test, struct hold_ctx *h)
{
	int i;

	for (i = 0; i < 100000 && !READ_ONCE(h->started); i++)
		usleep_range(100, 200);
	KUNIT_ASSERT_TRUE(test, READ_ONCE(h->started));
}

/* What the P keeps for its running goroutine's module, seen from it. */
static void see_modref_fn(void *arg)
{
	struct hold_ctx *h = arg;

	WRITE_ONCE(h->nmodref_seen, READ_ONCE(h->s->allp[0].nmodref));
}

static void done_fn(void *arg)
{
	complete(&((struct hold_ctx *)arg)->done);
}

/*
 * A caller's record: -EBUSY while it is queued, nothing allocated, and
 * it may be started again once its function runs.
 */
struct rec_ctx {
	struct kgo_goroutine g;
	struct kgo_sched *s;
	int runs;
	int want;
	int err;
	struct completion done;
};

static void rec_fn(void *arg)
{
	struct rec_ctx *c = arg;

	/* The scheduler is done with the record: start it again. */
	if (++c->runs < c->want) {
		c->err = kgo_sched_go_record(c->s, THIS_MODULE, &c->g, NULL);
		if (!c->err)
			return;
	}
	complete(&c->done);
}

static void kgo_record_start(struct kunit *test)
{
	struct hold_ctx h = {};
	struct rec_ctx c = { .want = 1000 };
	struct kgo_goroutine zero = {};
	struct kgo_stats st0, st;

	c.s = sched_new_sysmon(test, 1, 60000);
	init_completion(&c.done);
	kgo_goroutine_init(&c.g, rec_fn, &c);
	KUNIT_EXPECT_FALSE(test, kgo_goroutine_pending(&c.g));
	KUNIT_EXPECT_EQ(test, kgo_sched_go_record(c.s, THIS_MODULE, &zero,
						  NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kgo_sched_go_record(c.s, THIS_MODULE, NULL,
						  NULL), -EINVAL);

	/* Queued behind a goroutine that holds the only P: pending. */
	KUNIT_ASSERT_EQ(test, go(c.s, hold_fn, &h), 0);
	hold_wait_started(test, &h);
	kgo_sched_stats(c.s, &st0);
	KUNIT_ASSERT_EQ(test, kgo_sched_go_record(c.s, THIS_MODULE, &c.g,
						  NULL), 0);
	KUNIT_EXPECT_TRUE(test, kgo_goroutine_pending(&c.g));
	KUNIT_EXPECT_EQ(test, kgo_sched_go_record(c.s, THIS_MODULE, &c.g,
						  NULL), -EBUSY);
	WRITE_ONCE(h.release, 1);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c.done, 60 * HZ),
			0UL);
	KUNIT_EXPECT_EQ(test, c.err, 0);
	/* Once, not twice, for the -EBUSY start; then 999 restarts. */
	KUNIT_EXPECT_EQ(test, c.runs, c.want);
	KUNIT_EXPECT_FALSE(test, kgo_goroutine_pending(&c.g));
	kgo_sched_stats(c.s, &st);
	KUNIT_EXPECT_EQ(test, st.allocs - st0.allocs, 0ULL);
	KUNIT_EXPECT_EQ(test, st.spawned - st0.spawned, (u64)c.want);
	kgo_sched_destroy(c.s);
}

/* A record the goroutine frees itself (KASAN watches the scheduler). */
struct rec_free {
	struct kgo_goroutine g;
	struct completion *done;
};

static void rec_free_fn(void *arg)
{
	struct rec_free *r = arg;
	struct completion *done = r->done;

	kfree(r);
	complete(done);
}

static void kgo_record_freed_by_its_function(struct kunit *test)
{
	struct kgo_sched *s = sched_new(test, 2);
	DECLARE_COMPLETION_ONSTACK(done);
	int i;

	for (i = 0; i < 200; i++) {
		struct rec_free *r = kzalloc(sizeof(*r), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, r);
		r->done = &done;
		kgo_goroutine_init(&r->g, rec_free_fn, r);
		KUNIT_ASSERT_EQ(test, kgo_sched_go_record(s, THIS_MODULE,
							  &r->g, NULL), 0);
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&done,
								  30 * HZ),
				0UL);
	}
	kgo_sched_destroy(s);
}

/* A chain of goroutines each spawning the next. */
#define CHAIN_HOPS 2000

struct chain_ctx {
	struct kgo_sched *s;
	int left;
	int err;
	struct completion done;
};

static void chain_fn(void *arg)
{
	struct chain_ctx *c = arg;

	if (--c->left > 0) {
		c->err = kgo_sched_go(c->s, THIS_MODULE, chain_fn, c, NULL);
		if (!c->err)
			return;
	}
	complete(&c->done);
}

/*
 * Go's gFree: a chain recycles one record through the P's free list
 * instead of allocating one per hop, and the P's kept module references
 * leave the module's refcount as it was once the P is idle.
 */
static void kgo_records_recycled(struct kunit *test)
{
	struct chain_ctx c = { .left = CHAIN_HOPS };
	int refs = module_refcount(THIS_MODULE);
	struct kgo_stats st;

	c.s = sched_new_sysmon(test, 1, 60000);
	init_completion(&c.done);
	KUNIT_ASSERT_EQ(test, go(c.s, chain_fn, &c), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c.done, 60 * HZ),
			0UL);
	KUNIT_EXPECT_EQ(test, c.err, 0);
	KUNIT_EXPECT_TRUE(test, wait_all_idle(c.s));
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	kgo_sched_stats(c.s, &st);
	/* The first spawn, from outside, and at most one for the P. */
	KUNIT_EXPECT_LE(test, st.allocs, 2ULL);
	KUNIT_EXPECT_EQ(test, st.spawned, (u64)CHAIN_HOPS);
	kunit_info(test, "%d hops: %llu records from the slab\n", CHAIN_HOPS,
		   st.allocs);
	kgo_sched_destroy(c.s);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

/*
 * Spawns from outside the scheduler recycle the records their goroutines
 * gave back, through the global list and this CPU's cache.
 */
static void kgo_records_recycled_outside(struct kunit *test)
{
	/* No retake: the burst below stays queued until it is released. */
	struct kgo_sched *s = sched_new_sysmon(test, 1, 60000);
	unsigned int kept;
	struct hold_ctx h = {};
	struct kgo_stats st;
	int i;

	for (i = 0; i < CHAIN_HOPS; i++) {
		init_completion(&h.done);
		KUNIT_ASSERT_EQ(test, go(s, done_fn, &h), 0);
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&h.done,
								  30 * HZ),
				0UL);
	}
	kgo_sched_stats(s, &st);
	kunit_info(test, "%d spawns from outside: %llu records from the slab\n",
		   CHAIN_HOPS, st.allocs);
	/* A P's list fills (64) before it gives 32 back at a time. */
	KUNIT_EXPECT_LE(test, st.allocs, 128ULL);

	/*
	 * A burst queued behind a busy P keeps its records for the next
	 * one; once the scheduler is idle, sysmon gives all but 256 per P
	 * back to the slab.
	 */
	WRITE_ONCE(h.release, 0);
	WRITE_ONCE(h.started, 0);
	KUNIT_ASSERT_EQ(test, go(s, hold_fn, &h), 0);
	hold_wait_started(test, &h);
	for (i = 0; i < CHAIN_HOPS; i++)
		KUNIT_ASSERT_EQ(test, go(s, nop_fn, NULL), 0);
	WRITE_ONCE(h.release, 1);
	KUNIT_EXPECT_TRUE(test, wait_all_idle(s));
	kept = READ_ONCE(s->ngfree);
	for (i = 0; i < 5000 && READ_ONCE(s->ngfree) > 256; i++)
		usleep_range(1000, 2000);
	kunit_info(test, "after a burst of %d: %u free records kept, %u after %d waits of 1-2 ms\n",
		   CHAIN_HOPS, kept, READ_ONCE(s->ngfree), i);
	/* Kept for the next burst (a P holds 64 of them)... */
	KUNIT_EXPECT_GE(test, kept, (unsigned int)CHAIN_HOPS - 64 - 32);
	/* ...until the scheduler has been idle for a second. */
	KUNIT_EXPECT_LE(test, READ_ONCE(s->ngfree), 256U);
	kgo_sched_destroy(s);
}

/*
 * The references a P keeps are its running goroutine's module's only:
 * a goroutine of another module (here none) starts with none kept.
 */
static void kgo_module_refs_follow_the_goroutine(struct kunit *test)
{
	int refs = module_refcount(THIS_MODULE);
	struct hold_ctx h = {}, other = {};
	struct kgo_sched *s;

	s = sched_new_sysmon(test, 1, 60000);
	h.s = s;
	init_completion(&h.done);
	KUNIT_ASSERT_EQ(test, go(s, hold_fn, &h), 0);
	hold_wait_started(test, &h);
	/* Queued behind it, in order: ours, then one of no module. */
	KUNIT_ASSERT_EQ(test, go(s, see_modref_fn, &h), 0);
	KUNIT_ASSERT_EQ(test, kgo_sched_go(s, NULL, hold_fn, &other, NULL), 0);
	KUNIT_ASSERT_EQ(test, kgo_sched_go(s, NULL, done_fn, &h, NULL), 0);
	WRITE_ONCE(h.release, 1);
	hold_wait_started(test, &other);
	/* The first goroutine's reference was kept for the second... */
	KUNIT_EXPECT_EQ(test, READ_ONCE(h.nmodref_seen), 1U);
	/* ...and dropped when one of another module started. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(s->allp[0].nmodref), 0U);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	WRITE_ONCE(other.release, 1);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&h.done, 30 * HZ),
			0UL);
	kgo_sched_destroy(s);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

/*
 * Tokio's rule: a chain on two Ps wakes nobody per hop (Go's rule woke
 * the idle P's M at every hop).
 */
static void kgo_chain_wakes_nobody(struct kunit *test)
{
	struct chain_ctx c = { .left = CHAIN_HOPS };
	struct kgo_stats st0, st;

	c.s = sched_new(test, nprocs_all());
	init_completion(&c.done);
	KUNIT_EXPECT_TRUE(test, wait_all_idle(c.s));
	kgo_sched_stats(c.s, &st0);
	KUNIT_ASSERT_EQ(test, go(c.s, chain_fn, &c), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c.done, 60 * HZ),
			0UL);
	kgo_sched_stats(c.s, &st);
	kgo_sched_destroy(c.s);
	KUNIT_EXPECT_EQ(test, c.err, 0);
	kunit_info(test, "%d hops: %llu M wake-ups, %llu sysmon kicks, %llu steals\n",
		   CHAIN_HOPS, st.wakeups - st0.wakeups, st.kicks - st0.kicks,
		   st.steals - st0.steals);
	/*
	 * sysmon's kicks are the bound on a hop that stalls for a round
	 * (a slow kernel); every other wake-up would be Go's rule's.  Go's
	 * rule (a wake-up whenever no M spins) woke 74 Ms in 2000 hops on
	 * the debug kernel; the quiet spawn wakes 2 to 4 besides kicks.
	 */
	KUNIT_EXPECT_LE(test, (st.wakeups - st0.wakeups) - min(st.wakeups -
			st0.wakeups, st.kicks - st0.kicks), (u64)CHAIN_HOPS / 100);
}

/*
 * The bound on a quiet spawn: a goroutine that spawns one and then runs
 * on without entering the scheduler does not hold it for ever; sysmon
 * kicks a spinner, which steals it.
 */
struct quiet_ctx {
	struct kgo_sched *s;
	int child_ran;
	int err;
	u64 waited_ns;
	struct completion done;
};

static void quiet_child(void *arg)
{
	WRITE_ONCE(((struct quiet_ctx *)arg)->child_ran, 1);
}

static void quiet_parent(void *arg)
{
	struct quiet_ctx *c = arg;
	u64 t0 = ktime_get_ns();

	/* Let the M woken for us park first: no spinner may be left. */
	while ((atomic_read(&c->s->nmspinning) ||
		atomic_read(&c->s->npidle) != c->s->nprocs - 1) &&
	       ktime_get_ns() - t0 < 20 * NSEC_PER_SEC)
		cpu_relax();
	t0 = ktime_get_ns();
	c->err = kgo_sched_go(c->s, THIS_MODULE, quiet_child, c, NULL);
	while (!c->err && !READ_ONCE(c->child_ran) &&
	       ktime_get_ns() - t0 < 20 * NSEC_PER_SEC)
		cpu_relax();
	c->waited_ns = ktime_get_ns() - t0;
	complete(&c->done);
}

static void kgo_quiet_spawn_bounded(struct kunit *test)
{
	struct quiet_ctx c = {};
	struct kgo_stats st;

	/* sysmon's retake (60 s) must not be what frees the child. */
	c.s = sched_new_sysmon(test, nprocs_all(), 60000);
	init_completion(&c.done);
	KUNIT_ASSERT_EQ(test, go(c.s, quiet_parent, &c), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&c.done, 60 * HZ),
			0UL);
	kgo_sched_stats(c.s, &st);
	kgo_sched_destroy(c.s);
	KUNIT_EXPECT_EQ(test, c.err, 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(c.child_ran));
	KUNIT_EXPECT_GE(test, st.kicks, 1ULL);
	KUNIT_EXPECT_GE(test, st.steals, 1ULL);
	kunit_info(test, "child ran after %llu us: %llu kicks, %llu steals, %llu retakes\n",
		   c.waited_ns / NSEC_PER_USEC, st.kicks, st.steals,
		   st.retakes);
}

/* The dump counts goroutines that have not started. */
static void kgo_dump_counts_queued(struct kunit *test)
{
	struct hold_ctx h = {};
	struct seq_file sf = {};
	struct kgo_sched *s;
	char *buf;
	int i;

	buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	sf.buf = buf;
	sf.size = 4096;
	s = sched_new_sysmon(test, 1, 60000);
	init_completion(&h.done);
	KUNIT_ASSERT_EQ(test, go(s, hold_fn, &h), 0);
	hold_wait_started(test, &h);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, go(s, nop_fn, NULL), 0);
	kgo_goroutines_show(&sf, s);
	buf[min(sf.count, sf.size - 1)] = '\0';
	WRITE_ONCE(h.release, 1);
	kgo_sched_destroy(s);
	kunit_info(test, "%s", buf);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "goroutine 1 [running]:\n\thold_fn"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf,
					   "3 goroutines queued, not started yet\n"));
}

/*
 * The dump against goroutines starting and ending under it: every line
 * pairs a function with its own name, never another goroutine's.
 */
#define DUMP_RACE_SPAWNS 3000

struct dump_race {
	struct kgo_sched *s;
	atomic_t left;
	struct completion done;
};

static void dump_race_a(void *arg)
{
	struct dump_race *d = arg;

	usleep_range(20, 40);
	if (atomic_dec_and_test(&d->left))
		complete(&d->done);
}

static void dump_race_b(void *arg)
{
	dump_race_a(arg);
}

static void dump_race_spawner(void *arg)
{
	struct kgo_go_opts a = { .cpu = KGO_CPU_ANY, .name = "name_a" };
	struct kgo_go_opts b = { .cpu = KGO_CPU_ANY, .name = "name_b" };
	struct dump_race *d = arg;
	int i;

	for (i = 0; i < DUMP_RACE_SPAWNS; i++) {
		if (kgo_sched_go(d->s, THIS_MODULE, i & 1 ? dump_race_b :
				 dump_race_a, d, i & 1 ? &b : &a))
			atomic_dec(&d->left);
		if (i % 16 == 0)
			kgo_yield();
	}
	if (atomic_dec_and_test(&d->left))
		complete(&d->done);
}

static void kgo_dump_vs_goroutines(struct kunit *test)
{
	struct dump_race d;
	struct seq_file sf = {};
	unsigned int lines = 0, bad = 0, dumps = 0;
	char *buf, *l;

	buf = kunit_kzalloc(test, 16384, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	d.s = sched_new(test, nprocs_all());
	atomic_set(&d.left, DUMP_RACE_SPAWNS + 1);
	init_completion(&d.done);
	KUNIT_ASSERT_EQ(test, go(d.s, dump_race_spawner, &d), 0);
	while (!completion_done(&d.done)) {
		sf.buf = buf;
		sf.size = 16384;
		sf.count = 0;
		kgo_goroutines_show(&sf, d.s);
		buf[min(sf.count, sf.size - 1)] = '\0';
		dumps++;
		for (l = buf; (l = strstr(l, "dump_race_")); l++) {
			char fn = l[strlen("dump_race_")];
			char *q = strchr(l, '"');

			if (fn != 'a' && fn != 'b')
				continue;	/* the spawner */
			lines++;
			if (!q || strncmp(q + 1, fn == 'a' ? "name_a" : "name_b", 6))
				bad++;
		}
		cond_resched();
	}
	wait_for_completion(&d.done);
	kgo_sched_destroy(d.s);
	kunit_info(test, "%u dumps showed %u running goroutines, %u torn\n",
		   dumps, lines, bad);
	KUNIT_EXPECT_EQ(test, bad, 0U);
	/* The window was reached: goroutines were running under a dump. */
	KUNIT_EXPECT_GT(test, lines, 0U);
}

static struct kunit_case gochan_runq_cases[] = {
	KUNIT_CASE(kgo_runq_order),
	KUNIT_CASE(kgo_runq_ring_full),
	KUNIT_CASE(kgo_runq_overflow),
	KUNIT_CASE(kgo_runq_steal_half),
	KUNIT_CASE_SLOW(kgo_runq_steal_exactly_once),
	{}
};

static struct kunit_suite gochan_runq_suite = {
	.name = "gochan_runq",
	.test_cases = gochan_runq_cases,
};

static struct kunit_case gochan_sched_cases[] = {
	KUNIT_CASE(kgo_g_is_small),
	KUNIT_CASE(kgo_wg_counts),
	KUNIT_CASE(kgo_spawn_errors),
	KUNIT_CASE(kgo_spawn_alloc_failure),
	KUNIT_CASE(kgo_spawn_from_atomic),
	KUNIT_CASE(kgo_spawn_placed),
	KUNIT_CASE(kgo_global_not_starved),
	KUNIT_CASE(kgo_handoff_on_block),
	KUNIT_CASE(kgo_thread_cap_blocked),
	KUNIT_CASE(kgo_sysmon_retakes_spinner),
	KUNIT_CASE(kgo_yield_lets_others_run),
	KUNIT_CASE(kgo_goroutine_dump),
	KUNIT_CASE(kgo_record_start),
	KUNIT_CASE(kgo_record_freed_by_its_function),
	KUNIT_CASE(kgo_records_recycled),
	KUNIT_CASE(kgo_records_recycled_outside),
	KUNIT_CASE(kgo_module_refs_follow_the_goroutine),
	KUNIT_CASE(kgo_chain_wakes_nobody),
	KUNIT_CASE(kgo_quiet_spawn_bounded),
	KUNIT_CASE(kgo_dump_counts_queued),
	KUNIT_CASE_SLOW(kgo_dump_vs_goroutines),
	KUNIT_CASE_SLOW(kgo_destroy_with_goroutines_in_flight),
	KUNIT_CASE_SLOW(kgo_no_lost_wakeup),
	KUNIT_CASE_SLOW(kgo_spawn_many),
	{}
};

static struct kunit_suite gochan_sched_suite = {
	.name = "gochan_sched",
	.test_cases = gochan_sched_cases,
};

kunit_test_suites(&gochan_runq_suite, &gochan_sched_suite);
