// SPDX-License-Identifier: GPL-2.0
/*
 * The M:N goroutine scheduler: Go's G/M/P design in the kernel.
 *
 * G: a goroutine (struct kgo_goroutine), a function and its argument.
 * M: a worker kthread (struct kgo_m) that runs goroutines to completion.
 * P: a logical processor (struct kgo_p), one per CPU up to maxprocs.  An M
 *    must hold a P to take goroutines from the run queues.
 *
 * Documentation/design.rst explains the algorithm and the proofs that no
 * wake-up is lost; sched.h has the locking legend for every field.  The
 * code follows Go's runtime/proc.go closely and names the Go function each
 * part corresponds to.
 *
 * Where this differs from Go: a goroutine has no stack of its own, it
 * runs on its M's kernel stack.  So a goroutine that blocks keeps its M
 * (and releases its P), and one that wakes up continues on the same M:
 * with a free P if there is one, without a P otherwise.  kgo_yield()
 * gives the P away and queues a token that hands a P back.
 */
#include <linux/delay.h>
#include <linux/gcd.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "internal.h"
#include "sched.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static struct kmem_cache *kgo_g_cache;
static struct kgo_sched *kgo_default;

static int kgo_m_main(void *data);

/* ---- current M and goroutine ------------------------------------------ */

/* The M the calling thread is, or NULL when it is not a gochan worker. */
static struct kgo_m *kgo_current_m(void)
{
	if (!(current->flags & PF_KTHREAD) || in_interrupt())
		return NULL;
	if (kthread_func(current) != kgo_m_main)
		return NULL;
	return kthread_data(current);
}

/**
 * kgo_in_goroutine() - tell whether the caller runs as a goroutine
 *
 * Context: Any context.
 * Return: true when called from a goroutine's function (or code it calls).
 */
bool kgo_in_goroutine(void)
{
	struct kgo_m *m = kgo_current_m();

	return m && READ_ONCE(m->curg);
}
EXPORT_SYMBOL_GPL(kgo_in_goroutine);

/**
 * kgo_goid() - the calling goroutine's id
 *
 * Context: Any context.
 * Return: the id shown in the goroutine dump, or 0 outside a goroutine.
 */
u64 kgo_goid(void)
{
	struct kgo_m *m = kgo_current_m();
	struct kgo_grun *g = m ? READ_ONCE(m->curg) : NULL;

	return g ? g->id : 0;
}
EXPORT_SYMBOL_GPL(kgo_goid);

/* ---- P ownership -------------------------------------------------------- */

/*
 * The M leaves goroutine code and uses its P as owner again.  Fails when
 * sysmon retook the P meanwhile; the M then has no P.
 */
static bool kgo_p_claim(struct kgo_m *m)
{
	struct kgo_p *p = m->p;
	long running = (long)m | KGO_OWN_RUNNING;

	if (!p)
		return false;
	if (atomic_long_try_cmpxchg(&p->own, &running, (long)m))
		return true;
	m->p = NULL;
	return false;
}

/*
 * The M goes back into goroutine code; sysmon may retake the P again.
 * Release: the owner's writes to p (ring tail, runnext, schedtick) come
 * before RUNNING is seen; pairs with the fully ordered cmpxchg of own in
 * kgo_sysmon_retake(), which then hands p on (kgo_handoffp()).
 */
static void kgo_p_unclaim(struct kgo_m *m)
{
	atomic_long_set_release(&m->p->own, (long)m | KGO_OWN_RUNNING);
}

static void kgo_p_acquire(struct kgo_m *m, struct kgo_p *p)
{
	WARN_ON_ONCE(m->p);
	atomic_long_set(&p->own, (long)m);
	m->p = p;
}

/* ---- what a P keeps for spawns: records, ids, module references -------- */

#define KGO_GFREE_MAX		64	/* a P's free records, as Go's gFree */
#define KGO_GFREE_BATCH		32	/* moved to or from the global list */
#define KGO_GFREE_GLOBAL	4096	/* global free records per P, at most */
#define KGO_GFREE_IDLE		256	/* ... once the scheduler was idle */
#define KGO_GFREE_IDLE_NS	NSEC_PER_SEC	/* ... for this long */
#define KGO_GOID_BATCH		16	/* Go's _GoidCacheBatch */
#define KGO_MODREF_MAX		64	/* module references a P keeps */

/*
 * Go's gfput: a record whose goroutine started goes back to the free
 * list of p, whose owner calls this.  A full list moves a batch to the
 * global list, or, past KGO_GFREE_GLOBAL records per P there, to the
 * slab, so that what the scheduler keeps stays bounded.  The global list
 * feeds the Ps (kgo_gfget()) and spawns from outside the scheduler,
 * through a small cache per CPU (kgo_gfget_outside()); its lock is taken
 * with interrupts off, as kgo_go() may run in a hard interrupt.
 */
static void kgo_gfput(struct kgo_p *p, struct kgo_goroutine *g)
{
	struct kgo_sched *s = p->sched;
	struct kgo_goroutine *batch, *last;
	unsigned long flags;
	unsigned int i;

	g->next = p->gfree;
	p->gfree = g;
	if (++p->ngfree < KGO_GFREE_MAX)
		return;
	batch = p->gfree;
	for (last = batch, i = 1; i < KGO_GFREE_BATCH; i++)
		last = last->next;
	p->gfree = last->next;
	p->ngfree -= KGO_GFREE_BATCH;

	spin_lock_irqsave(&s->gfree_lock, flags);
	if (s->ngfree < KGO_GFREE_GLOBAL * s->nprocs) {
		last->next = s->gfree;
		s->gfree = batch;
		WRITE_ONCE(s->ngfree, s->ngfree + KGO_GFREE_BATCH);
		batch = NULL;
	}
	spin_unlock_irqrestore(&s->gfree_lock, flags);
	if (batch)
		last->next = NULL;
	while (batch) {
		g = batch;
		batch = g->next;
		kmem_cache_free(kgo_g_cache, g);
	}
}

/*
 * Pop a record from a free list (*head, *n records), refilling an empty
 * one with up to KGO_GFREE_BATCH records from the global list first;
 * NULL when both are empty.  The caller owns the list.
 */
static struct kgo_goroutine *kgo_gfree_pop(struct kgo_sched *s,
					   struct kgo_goroutine **head,
					   unsigned int *n)
{
	struct kgo_goroutine *g;
	unsigned long flags;

	if (!*head && READ_ONCE(s->ngfree)) {
		spin_lock_irqsave(&s->gfree_lock, flags);
		while (s->gfree && *n < KGO_GFREE_BATCH) {
			g = s->gfree;
			s->gfree = g->next;
			WRITE_ONCE(s->ngfree, s->ngfree - 1);
			g->next = *head;
			*head = g;
			(*n)++;
		}
		spin_unlock_irqrestore(&s->gfree_lock, flags);
	}
	g = *head;
	if (g) {
		*head = g->next;
		(*n)--;
	}
	return g;
}

/* Go's gfget: a free record for a spawn on p, whose owner calls this. */
static struct kgo_goroutine *kgo_gfget(struct kgo_p *p)
{
	return kgo_gfree_pop(p->sched, &p->gfree, &p->ngfree);
}

/*
 * A free record for a spawn from outside the scheduler (a kthread, an
 * interrupt), from this CPU's cache: interrupts off make it ours.
 */
static struct kgo_goroutine *kgo_gfget_outside(struct kgo_sched *s)
{
	struct kgo_gcache *c;
	struct kgo_goroutine *g;
	unsigned long flags;

	local_irq_save(flags);
	c = this_cpu_ptr(s->gcache);
	g = kgo_gfree_pop(s, &c->head, &c->n);
	local_irq_restore(flags);
	return g;
}

/* Free a list of records linked by ->next. */
static void kgo_gfree_all(struct kgo_goroutine *g)
{
	while (g) {
		struct kgo_goroutine *next = g->next;

		kmem_cache_free(kgo_g_cache, g);
		g = next;
	}
}

/*
 * sysmon, when no P has run a goroutine for KGO_GFREE_IDLE_NS: the
 * global list gives back to the slab what it holds beyond KGO_GFREE_IDLE
 * records per P, a batch per hold of its lock.  So bursts of spawns
 * recycle their records, and an idle scheduler keeps little.
 */
static void kgo_gfree_trim(struct kgo_sched *s)
{
	unsigned int keep = KGO_GFREE_IDLE * s->nprocs;

	while (READ_ONCE(s->ngfree) > keep) {
		struct kgo_goroutine *drop = NULL, *g;
		unsigned long flags;
		unsigned int i;

		spin_lock_irqsave(&s->gfree_lock, flags);
		for (i = 0; i < KGO_GFREE_BATCH && s->ngfree > keep; i++) {
			g = s->gfree;
			s->gfree = g->next;
			WRITE_ONCE(s->ngfree, s->ngfree - 1);
			g->next = drop;
			drop = g;
		}
		spin_unlock_irqrestore(&s->gfree_lock, flags);
		kgo_gfree_all(drop);
		cond_resched();
	}
}

/*
 * A new goroutine's id: from p's batch (Go's goidcache) when the caller
 * owns p, else one at a time.  Ids are unique; only the ids of one P's
 * spawns are in order.
 */
static u64 kgo_goid_new(struct kgo_sched *s, struct kgo_p *p)
{
	if (!p)
		return atomic64_inc_return(&s->next_goid);
	if (p->goid_next == p->goid_end) {
		p->goid_end = atomic64_add_return(KGO_GOID_BATCH,
						  &s->next_goid) + 1;
		p->goid_next = p->goid_end - KGO_GOID_BATCH;
	}
	return p->goid_next++;
}

/*
 * A goroutine pins its module from its spawn until its function returns.
 * A P keeps the references of goroutines that ended on it, for the next
 * spawns from it of goroutines of the same module, so that a goroutine
 * spawning its successor (a chain, a fan-out) touches the module's
 * shared refcount neither to spawn nor to end.
 *
 * Kept references must not hold a module that has no goroutine left:
 * rmmod would fail.  So a P keeps references only of the module whose
 * goroutine it runs or last ran: kgo_execute() drops them before it
 * starts a goroutine of another module, and kgo_pidle_put() when the P
 * goes idle.  Between the end of one goroutine and either of those, the
 * P's M only looks for work, for a bounded time.
 */
static bool kgo_owner_get(struct kgo_p *p, struct module *owner)
{
	if (p && owner && p->modref == owner && p->nmodref) {
		p->nmodref--;
		return true;
	}
	return try_module_get(owner);
}

static void kgo_owner_put(struct kgo_p *p, struct module *owner)
{
	if (p && owner && p->nmodref < KGO_MODREF_MAX &&
	    (p->modref == owner || !p->nmodref)) {
		p->modref = owner;
		p->nmodref++;
		return;
	}
	module_put(owner);
}

/* Drop the module references p keeps; its owner calls this. */
static void kgo_owner_flush(struct kgo_p *p)
{
	for (; p->nmodref; p->nmodref--)
		module_put(p->modref);
	p->modref = NULL;
}

/* ---- a P's run queue (runq.c), overflowing to the global queue ------- */

static void kgo_globrunq_put_batch(struct kgo_sched *s,
				   struct kgo_goroutine *head,
				   struct kgo_goroutine *tail, unsigned int n)
{
	unsigned long flags;

	tail->next = NULL;
	spin_lock_irqsave(&s->lock, flags);
	if (s->gq_tail)
		s->gq_tail->next = head;
	else
		s->gq_head = head;
	s->gq_tail = tail;
	WRITE_ONCE(s->gq_len, s->gq_len + n);
	spin_unlock_irqrestore(&s->lock, flags);
	this_cpu_add(s->stats->global_puts, n);
}

/*
 * Go's runqput on p, whose owner calls it: a full ring hands back half
 * of itself and the goroutine that did not fit (Go's runqputslow), and
 * they go to the global queue in one batch.
 */
VISIBLE_IF_KUNIT void kgo_p_runq_put(struct kgo_p *p, struct kgo_goroutine *g,
				     bool next)
{
	struct kgo_goroutine *batch, *last;
	unsigned int n;

	batch = kgo_runq_put(&p->rq, g, next, &n);
	if (!batch)
		return;
	for (last = batch; last->next; last = last->next)
		;
	kgo_globrunq_put_batch(p->sched, batch, last, n);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_p_runq_put);

/* Is p's run queue empty (ring and runnext)?  Any CPU. */
static bool kgo_p_runq_empty(struct kgo_p *p)
{
	return kgo_runq_empty(&p->rq);
}

/* Move the goroutines placed in victim's inbox into p's run queue. */
static struct kgo_goroutine *kgo_inbox_drain(struct kgo_p *p,
					     struct kgo_p *victim)
{
	struct llist_node *list = llist_del_all(&victim->inbox);
	struct kgo_goroutine *g, *first = NULL;

	if (!list)
		return NULL;
	/* Newest first in the llist: reverse to keep placement order. */
	list = llist_reverse_order(list);
	while (list) {
		g = llist_entry(list, struct kgo_goroutine, lnode);
		list = list->next;
		g->next = NULL;
		if (!first)
			first = g;
		else
			kgo_p_runq_put(p, g, false);
	}
	return first;
}

/* ---- global run queue (globrunqput, globrunqget) ---------------------- */

static void kgo_globrunq_put(struct kgo_sched *s, struct kgo_goroutine *g)
{
	kgo_globrunq_put_batch(s, g, g, 1);
}

/*
 * Go's globrunqget: take a fair share, min(len / nprocs + 1, max), of the
 * global queue; return one and queue the rest on p.  max 0 means a batch.
 */
VISIBLE_IF_KUNIT struct kgo_goroutine *kgo_globrunq_get(struct kgo_p *p,
							unsigned int max)
{
	struct kgo_sched *s = p->sched;
	struct kgo_goroutine *g, *last, *rest;
	unsigned long flags;
	unsigned int n, i;

	if (!READ_ONCE(s->gq_len))
		return NULL;
	spin_lock_irqsave(&s->lock, flags);
	n = min(s->gq_len, s->gq_len / s->nprocs + 1);
	if (max && n > max)
		n = max;
	n = min_t(unsigned int, n, KGO_GLOBAL_BATCH_MAX);
	if (!n) {
		spin_unlock_irqrestore(&s->lock, flags);
		return NULL;
	}
	/* Unlink n goroutines under the lock; queue them on p after it. */
	g = s->gq_head;
	last = g;
	for (i = 1; i < n; i++)
		last = last->next;
	s->gq_head = last->next;
	if (!s->gq_head)
		s->gq_tail = NULL;
	WRITE_ONCE(s->gq_len, s->gq_len - n);
	spin_unlock_irqrestore(&s->lock, flags);

	last->next = NULL;
	rest = g->next;
	g->next = NULL;
	while (rest) {
		struct kgo_goroutine *h = rest;

		rest = h->next;
		h->next = NULL;
		kgo_p_runq_put(p, h, false);
	}
	return g;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_globrunq_get);

/* ---- idle Ps and Ms ----------------------------------------------------- */

static void kgo_pidle_put(struct kgo_sched *s, struct kgo_p *p)
{
	lockdep_assert_held(&s->lock);
	/* No goroutine of the kept module runs here now: kgo_owner_get(). */
	kgo_owner_flush(p);
	atomic_long_set(&p->own, 0);
	list_add(&p->idle, &s->pidle);
	atomic_inc(&s->npidle);
}

static struct kgo_p *kgo_pidle_get(struct kgo_sched *s)
{
	struct kgo_p *p;

	lockdep_assert_held(&s->lock);
	p = list_first_entry_or_null(&s->pidle, struct kgo_p, idle);
	if (p) {
		list_del_init(&p->idle);
		atomic_dec(&s->npidle);
	}
	return p;
}

/*
 * Hand p to the parked M m, taking m off the idle list: the one place a
 * P passes to an idle M.  The caller wakes m->task after dropping the
 * lock.
 */
static void kgo_m_hand_p_locked(struct kgo_sched *s, struct kgo_m *m,
				struct kgo_p *p, bool spinning)
{
	lockdep_assert_held(&s->lock);
	list_del_init(&m->idle);
	m->nextspinning = spinning;
	/*
	 * Release: p's state is visible to m before it sees nextp; pairs
	 * with the smp_load_acquire() of nextp in kgo_stopm().
	 */
	smp_store_release(&m->nextp, p);
}

/*
 * Give p to a parked M if there is one, else put it on the idle list.
 * Returns the thread to wake (after the lock is dropped), or NULL.
 */
static struct task_struct *kgo_p_give_locked(struct kgo_sched *s,
					     struct kgo_p *p, bool spinning)
{
	struct kgo_m *m;

	lockdep_assert_held(&s->lock);
	m = list_first_entry_or_null(&s->midle, struct kgo_m, idle);
	if (!m || s->stopped) {
		kgo_pidle_put(s, p);
		if (spinning)
			atomic_dec(&s->nmspinning);
		return NULL;
	}
	kgo_m_hand_p_locked(s, m, p, spinning);
	return m->task;
}

/* Take an idle P for m, if any. */
static bool kgo_p_try_acquire(struct kgo_m *m)
{
	struct kgo_sched *s = m->sched;
	unsigned long flags;
	struct kgo_p *p;

	if (!atomic_read(&s->npidle))
		return false;
	spin_lock_irqsave(&s->lock, flags);
	p = kgo_pidle_get(s);
	spin_unlock_irqrestore(&s->lock, flags);
	if (!p)
		return false;
	kgo_p_acquire(m, p);
	return true;
}

/*
 * Go's startm: give p (or an idle P when p is NULL) to an idle M, or to a
 * new one.  A new M is created by a work item, because startm runs in any
 * context.  With spinning, the caller already counted the M in
 * nmspinning.
 */
static void kgo_startm(struct kgo_sched *s, struct kgo_p *p, bool spinning)
{
	unsigned long flags;
	struct kgo_m *m;

	spin_lock_irqsave(&s->lock, flags);
	if (s->stopped) {
		if (p)
			kgo_pidle_put(s, p);
		p = NULL;
	} else if (!p) {
		p = kgo_pidle_get(s);
	}
	if (!p) {
		spin_unlock_irqrestore(&s->lock, flags);
		if (spinning)
			atomic_dec(&s->nmspinning);
		return;
	}
	m = list_first_entry_or_null(&s->midle, struct kgo_m, idle);
	if (m) {
		struct task_struct *task = m->task;
		int mid = m->id;

		kgo_m_hand_p_locked(s, m, p, spinning);
		spin_unlock_irqrestore(&s->lock, flags);
		this_cpu_inc(s->stats->wakeups);
		trace_gochan_unpark(mid, p->id);
		wake_up_process(task);
		return;
	}
	p->newm_spinning = spinning;
	list_add_tail(&p->idle, &s->pnew);
	/*
	 * Under the lock, so kgo_sched_destroy()'s flush cannot miss it.  No
	 * P is stranded on pnew: kgo_newm_work() takes entries under s->lock
	 * until it finds the list empty, and an entry added after that
	 * queues the work again (its PENDING bit is clear once it runs).
	 */
	queue_work(system_unbound_wq, &s->newm_work);
	spin_unlock_irqrestore(&s->lock, flags);
}

/*
 * Go's wakep: new work exists; if a P is idle and no M is spinning, wake
 * one M to spin and find it.  Callers order their queue write before the
 * loads here with a full barrier: the smp_mb() in kgo_place(),
 * kgo_sched_go_pinned(), kgo_wait_for_p() and kgo_p_idle_unlock(), and
 * the fully ordered atomic_dec_return() in kgo_reset_spinning().  The
 * parking side of the argument is at kgo_recheck_after_release().
 */
static void kgo_wakep(struct kgo_sched *s)
{
	if (!atomic_read(&s->npidle))
		return;
	if (atomic_read(&s->nmspinning) ||
	    atomic_cmpxchg(&s->nmspinning, 0, 1) != 0)
		return;
	kgo_startm(s, NULL, true);
}

/*
 * Put p on the idle list and drop s->lock, then look at p's inbox once
 * more: the one place a P goes idle.  A goroutine that kgo_place() pushed
 * into the inbox after its owner last drained it, whose producer saw no
 * idle P, would otherwise wait for the next wake-up.  The smp_mb() orders
 * our npidle increment (kgo_pidle_put()) before the inbox read; it pairs
 * with the one in kgo_place() between the push and its read of npidle:
 * either the producer sees p idle and wakes an M, or we see its goroutine.
 */
static void kgo_p_idle_unlock(struct kgo_sched *s, struct kgo_p *p,
			      unsigned long flags)
	__releases(&s->lock)
{
	kgo_pidle_put(s, p);
	spin_unlock_irqrestore(&s->lock, flags);
	/* npidle raised before the inbox read: pairs with kgo_place(). */
	smp_mb();
	if (!llist_empty(&p->inbox))
		kgo_wakep(s);
}

/* Does the scheduler have work that p or another P could run? */
static bool kgo_p_has_work(struct kgo_p *p)
{
	return !kgo_p_runq_empty(p) || !llist_empty(&p->inbox) ||
	       READ_ONCE(p->sched->gq_len);
}

/*
 * Go's handoffp: the owner of p gives it up (it blocks, or sysmon took
 * it).  If p or the global queue has work, an M takes p over; otherwise
 * p goes idle.
 */
static void kgo_handoffp(struct kgo_sched *s, struct kgo_p *p)
{
	unsigned long flags;

	atomic_long_set(&p->own, 0);
	/* The global queue is looked at under s->lock: see kgo_find_runnable(). */
	if (!kgo_p_runq_empty(p) || !llist_empty(&p->inbox)) {
		this_cpu_inc(s->stats->handoffs);
		trace_gochan_handoff(p->id);
		kgo_startm(s, p, false);
		return;
	}
	/* No local work: be sure somebody keeps looking, as Go does. */
	if (!atomic_read(&s->nmspinning) && !atomic_read(&s->npidle) &&
	    atomic_cmpxchg(&s->nmspinning, 0, 1) == 0) {
		kgo_startm(s, p, true);
		return;
	}
	spin_lock_irqsave(&s->lock, flags);
	if (s->gq_len) {
		spin_unlock_irqrestore(&s->lock, flags);
		this_cpu_inc(s->stats->handoffs);
		kgo_startm(s, p, false);
		return;
	}
	kgo_p_idle_unlock(s, p, flags);
}

/*
 * Go's resetspinning: a spinning M found work; keep one M spinning.  A
 * producer that saw us spinning skipped its wake-up; atomic_dec_return()
 * is fully ordered, so our decrement comes before kgo_wakep()'s load of
 * npidle: if we were the last spinner and a P is idle, a new spinner
 * starts and finds that producer's work.
 */
static void kgo_reset_spinning(struct kgo_m *m)
{
	struct kgo_sched *s = m->sched;

	m->spinning = false;
	if (atomic_dec_return(&s->nmspinning) == 0)
		kgo_wakep(s);
}

/*
 * May the caller spin for a partner instead of sleeping at once?  Not a
 * goroutine whose P has other goroutines waiting to run: they would wait
 * out the spin.  (Called by the channel code; see kgo_sel_spin().)
 */
bool kgo_may_spin(void)
{
	struct kgo_m *m = kgo_current_m();
	struct kgo_p *p = m ? m->p : NULL;

	return !p || (kgo_p_runq_empty(p) && llist_empty(&p->inbox));
}

/* ---- finding work (findRunnable, stealWork) ----------------------------- */

static struct kgo_goroutine *kgo_steal_work(struct kgo_m *m)
{
	struct kgo_sched *s = m->sched;
	struct kgo_p *p = m->p;
	int pass, i;

	for (pass = 0; pass < KGO_STEAL_PASSES; pass++) {
		bool last = pass == KGO_STEAL_PASSES - 1;
		u32 pos = get_random_u32_below(s->nprocs);
		u32 inc = s->coprimes[get_random_u32_below(s->ncoprimes)];

		for (i = 0; i < s->nprocs; i++, pos = (pos + inc) % s->nprocs) {
			struct kgo_p *v = &s->allp[pos];
			struct kgo_goroutine *g;
			u32 n;

			if (READ_ONCE(s->stopped))
				return NULL;
			if (v == p) {
				/* Our own inbox may have been filled meanwhile. */
				g = kgo_inbox_drain(p, p);
				if (g)
					return g;
				continue;
			}
			g = kgo_inbox_drain(p, v);
			if (g)
				return g;
			n = kgo_runq_steal(&p->rq, &v->rq, last,
					   atomic_long_read(&v->own) &
					   KGO_OWN_RUNNING, &g);
			if (n) {
				this_cpu_inc(s->stats->steals);
				this_cpu_add(s->stats->stolen, n);
				trace_gochan_steal(p->id, v->id, n);
				return g;
			}
		}
	}
	return NULL;
}

/* Is any goroutine queued anywhere?  A racy snapshot. */
static bool kgo_work_exists(struct kgo_sched *s)
{
	int i;

	if (READ_ONCE(s->gq_len))
		return true;
	for (i = 0; i < s->nprocs; i++)
		if (!kgo_p_runq_empty(&s->allp[i]) ||
		    !llist_empty(&s->allp[i].inbox))
			return true;
	return false;
}

/*
 * Go's stopm: park m on the idle list until it is handed a P.
 *
 * No lost wake-up.  m goes on s->midle under s->lock, and a waker hands
 * it a P only after taking it off that list under the same lock, so no
 * hand-off comes before the park.  Then:
 *
 *   kgo_stopm()                        kgo_m_hand_p_locked(), then
 *                                      kgo_startm() or kgo_newm_work()
 *   set_current_state(TASK_IDLE)       smp_store_release(&m->nextp, p)
 *     (a full barrier)                 wake_up_process(m->task)
 *   smp_load_acquire(&m->nextp)          (try_to_wake_up(): a full
 *   schedule()                            barrier, then reads our state)
 *
 * Either our load sees nextp, or the waker sees TASK_IDLE and wakes us.
 * s->stopped works the same way: kgo_sched_destroy() stores it, then
 * kthread_stop() wakes every M.
 */
static void kgo_stopm(struct kgo_m *m, bool take_idle_p)
{
	struct kgo_sched *s = m->sched;
	unsigned long flags;
	struct kgo_p *p;

	/*
	 * An M without a P (its goroutine ran without one) takes an idle P
	 * if there is work.  Checking and parking are one step under the
	 * lock: a P that kgo_newm_work() put idle at the M cap is either
	 * taken here or handed to us on the idle M list.
	 */
	spin_lock_irqsave(&s->lock, flags);
	if (take_idle_p && !s->stopped && !list_empty(&s->pidle) &&
	    kgo_work_exists(s)) {
		p = kgo_pidle_get(s);
		spin_unlock_irqrestore(&s->lock, flags);
		kgo_p_acquire(m, p);
		return;
	}
	list_add(&m->idle, &s->midle);
	spin_unlock_irqrestore(&s->lock, flags);
	this_cpu_inc(s->stats->parks);
	trace_gochan_park(m->id, -1);

	for (;;) {
		set_current_state(TASK_IDLE);
		/* Acquire: pairs with kgo_m_hand_p_locked()'s release. */
		if (smp_load_acquire(&m->nextp) || READ_ONCE(s->stopped))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);

	spin_lock_irqsave(&s->lock, flags);
	if (!m->nextp) {
		/* Stopping: nobody handed us a P. */
		list_del_init(&m->idle);
		spin_unlock_irqrestore(&s->lock, flags);
		return;
	}
	kgo_p_acquire(m, m->nextp);
	m->nextp = NULL;
	m->spinning = m->nextspinning;
	spin_unlock_irqrestore(&s->lock, flags);
}

/*
 * After giving up its P: did work appear that needs an M?  The parking
 * side of "no lost wake-up" for the last spinning M:
 *
 *   kgo_find_runnable()                kgo_place(), kgo_sched_go_pinned(),
 *                                      kgo_wait_for_p()
 *   npidle++ (kgo_p_idle_unlock())     queue g: inbox, runnext or ring,
 *   nmspinning--                         or the global queue
 *   smp_mb() (here)                    smp_mb()
 *   kgo_work_exists(): load queues     kgo_wakep(): load npidle and
 *                                        nmspinning
 *
 * Each side stores, then loads what the other stored, with a full
 * barrier between: at least one sees the other.  Either we find g and
 * spin again, or the producer sees an idle P and no spinner and starts
 * one.
 */
static bool kgo_recheck_after_release(struct kgo_sched *s)
{
	/* Pairs with the smp_mb() of the producers named above. */
	smp_mb();
	return kgo_work_exists(s);
}

/*
 * Go's findRunnable: the 1-in-61 global check, runnext, the local ring,
 * the inbox, a batch from the global queue, then steal.  Returns with a
 * goroutine and m holding a P, or NULL when the scheduler stops.  Parks
 * m when there is nothing to do.
 */
static struct kgo_goroutine *kgo_find_runnable(struct kgo_m *m)
{
	struct kgo_sched *s = m->sched;
	unsigned long flags;
	bool was_spinning;
	struct kgo_goroutine *g;
	struct kgo_p *p;

top:
	if (READ_ONCE(s->stopped))
		return NULL;
	if (!m->p) {
		kgo_stopm(m, true);
		goto top;
	}

	if (m->p->schedtick % KGO_GLOBAL_TICK == 0) {
		/*
		 * Goroutines started from outside wait in the inbox: the
		 * same rule moves them into the ring, behind which they
		 * cannot starve.
		 */
		struct kgo_goroutine *in = kgo_inbox_drain(m->p, m->p);

		g = kgo_globrunq_get(m->p, 1);
		if (g) {
			if (in)
				kgo_p_runq_put(m->p, in, false);
			return g;
		}
		if (in)
			return in;
	}
	g = kgo_runq_get(&m->p->rq);
	if (g)
		return g;
	g = kgo_inbox_drain(m->p, m->p);
	if (g)
		return g;
	g = kgo_globrunq_get(m->p, 0);
	if (g)
		return g;

	/* Spin, but only while 2 * spinning Ms < busy Ps (Go's limit). */
	if (m->spinning || 2 * atomic_read(&s->nmspinning) <
			   s->nprocs - atomic_read(&s->npidle)) {
		if (!m->spinning) {
			m->spinning = true;
			atomic_inc(&s->nmspinning);
		}
		g = kgo_steal_work(m);
		if (g) {
			kgo_reset_spinning(m);
			return g;
		}
	}

	/*
	 * Nothing: give the P back, then look once more before parking.
	 * gq_len is read in the s->lock hold that puts p idle: a
	 * kgo_globrunq_put_batch() before this hold is seen here, one after
	 * it finds npidle raised in its caller's kgo_wakep().
	 */
	spin_lock_irqsave(&s->lock, flags);
	if (s->gq_len) {
		spin_unlock_irqrestore(&s->lock, flags);
		g = kgo_globrunq_get(m->p, 0);
		if (g) {
			if (m->spinning)
				kgo_reset_spinning(m);
			return g;
		}
		goto top;
	}
	p = m->p;
	m->p = NULL;
	kgo_p_idle_unlock(s, p, flags);

	/*
	 * Only a spinning M looks again (Go's findRunnable does the same):
	 * while one spins, work queued meanwhile is its to find, and the
	 * producer's kgo_wakep() starts a spinner when none is left.  A
	 * non-spinning M that looked again would take back the P it just
	 * released, over and over, for work that it may not steal.
	 */
	was_spinning = m->spinning;
	if (m->spinning) {
		m->spinning = false;
		atomic_dec(&s->nmspinning);
	}
	if (was_spinning && kgo_recheck_after_release(s) &&
	    kgo_p_try_acquire(m)) {
		m->spinning = true;
		atomic_inc(&s->nmspinning);
		goto top;
	}
	kgo_stopm(m, false);
	goto top;
}

/* ---- running goroutines -------------------------------------------------- */

/*
 * The scheduler's references (kgo_sched.refs) are gone: its goroutines
 * and continuations have all ended, and kgo_sched_destroy() may go on.
 */
static void kgo_sched_release(struct percpu_ref *ref)
{
	struct kgo_sched *s = container_of(ref, struct kgo_sched, refs);

	complete(&s->released);
}

/* A yield token was dequeued: hand our P to the M that waits for it. */
static void kgo_resume_token(struct kgo_m *m, struct kgo_goroutine *token)
{
	struct kgo_m *target = container_of(token, struct kgo_m, token);
	struct task_struct *task = target->task;
	struct kgo_p *p = m->p;

	m->p = NULL;
	atomic_long_set(&p->own, (long)target);
	WRITE_ONCE(target->g.state, KGO_G_RUNNING);
	/*
	 * Release: own and g.state before nextp; pairs with the
	 * smp_load_acquire() in kgo_wait_for_p().
	 */
	smp_store_release(&target->nextp, p);
	wake_up_process(task);
}

/*
 * m starts g: what the dump shows moves into m->g, in a write section of
 * m->gseq, so that a dump never pairs one goroutine's id with another's
 * name (kgo_goroutines_show()).  m is the only writer; preemption is off
 * so that a reader on this CPU does not spin for long.
 */
static void kgo_grun_begin(struct kgo_m *m, const struct kgo_goroutine *g)
{
	preempt_disable();
	write_seqcount_begin(&m->gseq);
	m->g.fn = g->fn;
	m->g.name = g->name;
	m->g.owner = g->owner;
	m->g.id = g->id;
	WRITE_ONCE(m->g.wait_since, 0);
	WRITE_ONCE(m->g.state, KGO_G_RUNNING);
	WRITE_ONCE(m->g.wait_reason, KGO_WAIT_NONE);
	WRITE_ONCE(m->g.resume, 0);
	WRITE_ONCE(m->curg, &m->g);
	write_seqcount_end(&m->gseq);
	preempt_enable();
}

static void kgo_grun_end(struct kgo_m *m)
{
	preempt_disable();
	write_seqcount_begin(&m->gseq);
	WRITE_ONCE(m->curg, NULL);
	write_seqcount_end(&m->gseq);
	preempt_enable();
}

static void kgo_execute(struct kgo_m *m, struct kgo_goroutine *g)
{
	struct kgo_sched *s = m->sched;
	struct kgo_p *p = m->p;
	struct module *owner;
	kgo_fn_t fn;
	void *arg;

	if (m->spinning)
		kgo_reset_spinning(m);
	if (g->kind == KGO_G_TOKEN) {
		kgo_resume_token(m, g);
		return;
	}
	fn = g->fn;
	arg = g->arg;
	owner = g->owner;
	/* p keeps references of the running goroutine's module only. */
	if (p->nmodref && p->modref != owner)
		kgo_owner_flush(p);
	WRITE_ONCE(p->schedtick, p->schedtick + 1);
	kgo_grun_begin(m, g);
	/*
	 * From here the record is not ours: a pooled one goes back to p's
	 * free list, a caller's record to its caller.  Release: our reads
	 * of it come before a new kgo_go_record() may rewrite it (its
	 * test_and_set_bit() is fully ordered).
	 */
	if (g->kind == KGO_G_POOLED)
		kgo_gfput(p, g);
	else
		clear_bit_unlock(KGO_G_PENDING, &g->pending);
	kgo_p_unclaim(m);
	trace_gochan_start(m->g.id, p->id, m->id);

	fn(arg);

	trace_gochan_end(m->g.id);
	kgo_grun_end(m);
	p = kgo_p_claim(m) ? m->p : NULL;
	this_cpu_inc(s->stats->completed);
	kgo_owner_put(p, owner);
	percpu_ref_put(&s->refs);
}

static int kgo_m_main(void *data)
{
	struct kgo_m *m = data;
	struct kgo_goroutine *g;

	for (;;) {
		g = kgo_find_runnable(m);
		if (!g)
			break;
		kgo_execute(m, g);
	}
	/*
	 * Stopped: wait for kgo_sched_destroy() to reap us.  kthread_stop()
	 * sets KTHREAD_SHOULD_STOP before its wake_up_process(), and we test
	 * it after set_current_state(): the wake cannot fall between.
	 */
	while (!kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static struct kgo_m *kgo_newm(struct kgo_sched *s, struct kgo_p *p,
			      bool spinning)
{
	struct kgo_m *m;
	unsigned long flags;
	int id;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	m->sched = s;
	INIT_LIST_HEAD(&m->idle);
	seqcount_init(&m->gseq);
	m->token.kind = KGO_G_TOKEN;

	spin_lock_irqsave(&s->lock, flags);
	id = s->nm;
	spin_unlock_irqrestore(&s->lock, flags);
	m->id = id;

	m->task = kthread_create(kgo_m_main, m, "kgo/%s:%d", s->name, id);
	if (IS_ERR(m->task)) {
		kfree(m);
		return NULL;
	}
	spin_lock_irqsave(&s->lock, flags);
	/* The dump walks s->ms under RCU; no M leaves it before destroy. */
	list_add_tail_rcu(&m->all, &s->ms);
	WRITE_ONCE(s->nm, s->nm + 1);
	spin_unlock_irqrestore(&s->lock, flags);
	/* Without a P it takes an idle one or parks. */
	if (p) {
		kgo_p_acquire(m, p);
		m->spinning = spinning;
	}
	wake_up_process(m->task);
	return m;
}

/* Create Ms for the Ps queued on sched->pnew (process context). */
static void kgo_newm_work(struct work_struct *work)
{
	struct kgo_sched *s = container_of(work, struct kgo_sched, newm_work);
	unsigned long flags;
	struct kgo_p *p;
	bool spinning;

	for (;;) {
		spin_lock_irqsave(&s->lock, flags);
		p = list_first_entry_or_null(&s->pnew, struct kgo_p, idle);
		if (p)
			list_del_init(&p->idle);
		spinning = p && p->newm_spinning;
		/*
		 * At the cap, or stopping: an M that parked meanwhile takes
		 * the P, or it waits idle for one.
		 */
		if (p && (s->nm >= s->maxm || READ_ONCE(s->stopped))) {
			struct task_struct *t = kgo_p_give_locked(s, p, spinning);

			spin_unlock_irqrestore(&s->lock, flags);
			if (t)
				wake_up_process(t);
			continue;
		}
		spin_unlock_irqrestore(&s->lock, flags);
		if (!p)
			return;
		if (!kgo_newm(s, p, spinning)) {
			struct task_struct *t;

			spin_lock_irqsave(&s->lock, flags);
			t = kgo_p_give_locked(s, p, spinning);
			spin_unlock_irqrestore(&s->lock, flags);
			if (t)
				wake_up_process(t);
			pr_warn_ratelimited("cannot create a worker thread\n");
		}
	}
}

/* ---- spawning ------------------------------------------------------------ */

/* Queue g on p's inbox (placement, or spawns from outside any M). */
static void kgo_place(struct kgo_sched *s, struct kgo_p *p,
		      struct kgo_goroutine *g)
{
	llist_add(&g->lnode, &p->inbox);
	/*
	 * The push before the read of npidle in kgo_wakep(); pairs with the
	 * smp_mb() of kgo_p_idle_unlock() (a P going idle) and of
	 * kgo_recheck_after_release() (a spinning M giving its P back).
	 */
	smp_mb();
	kgo_wakep(s);
}

/**
 * kgo_sched_pin() - reserve a goroutine's references ahead of its start
 * @s:     the scheduler
 * @owner: the module its function belongs to, or NULL
 *
 * A goroutine holds a reference on the scheduler (kgo_sched.refs, a
 * percpu_ref) and on @owner from its creation until its function
 * returns.  A continuation takes them when it parks, so that starting it
 * later cannot fail for want of them; kgo_sched_go_pinned() then hands
 * them to the goroutine.
 *
 * Context: Any context.
 * Return: 0, -ESHUTDOWN while the scheduler stops, or -ENODEV when
 * @owner is being unloaded.
 */
int kgo_sched_pin(struct kgo_sched *s, struct module *owner)
{
	if (!percpu_ref_tryget_live(&s->refs))
		return -ESHUTDOWN;
	if (owner && !try_module_get(owner)) {
		percpu_ref_put(&s->refs);
		return -ENODEV;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_pin);

/**
 * kgo_sched_unpin() - drop the references kgo_sched_pin() took
 * @s:     the scheduler
 * @owner: the module, or NULL
 *
 * Context: Any context.
 */
void kgo_sched_unpin(struct kgo_sched *s, struct module *owner)
{
	module_put(owner);
	percpu_ref_put(&s->refs);
}

/*
 * Claim the P of m for a spawn from its goroutine onto that P: its free
 * records, ids and module references serve the spawn, and the new
 * goroutine goes into its runnext.  NULL when the spawn comes from
 * outside s, is placed on another P, or the P was retaken.
 */
static struct kgo_p *kgo_spawn_claim(struct kgo_sched *s, struct kgo_m *m,
				     struct kgo_p *target)
{
	if (!m || m->sched != s || !m->p || (target && target != m->p) ||
	    !kgo_p_claim(m))
		return NULL;
	return m->p;
}

/*
 * Start fn(arg) on s: the common path of kgo_go(), kgo_go_record() (rec,
 * the caller's record) and kgo_sched_go_pinned() (pinned: the caller
 * holds the references, and keeps them on failure).
 */
static int kgo_spawn(struct kgo_sched *s, struct module *owner,
		     struct kgo_goroutine *rec, kgo_fn_t fn, void *arg,
		     const struct kgo_go_opts *opts, bool pinned)
{
	gfp_t gfp = opts && opts->gfp ? opts->gfp : GFP_NOWAIT;
	int cpu = opts ? opts->cpu : KGO_CPU_ANY;
	struct kgo_m *m = kgo_current_m();
	struct kgo_p *p, *target = NULL;
	struct kgo_goroutine *g = rec;
	bool quiet;
	int ret;

	if (cpu != KGO_CPU_ANY) {
		if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
			return -EINVAL;
		target = &s->allp[cpu % s->nprocs];
	}
	if (!pinned && !percpu_ref_tryget_live(&s->refs))
		return -ESHUTDOWN;
	p = kgo_spawn_claim(s, m, target);
	if (!pinned && !kgo_owner_get(p, owner)) {
		ret = -ENODEV;
		goto err_unclaim;
	}
	if (!g)
		g = p ? kgo_gfget(p) : kgo_gfget_outside(s);
	if (!g) {
		if (p && gfpflags_allow_blocking(gfp)) {
			/* Never sleep while p cannot be retaken. */
			kgo_p_unclaim(m);
			g = kmem_cache_alloc(kgo_g_cache, gfp | __GFP_NOWARN);
			p = kgo_spawn_claim(s, m, target);
		} else {
			g = kmem_cache_alloc(kgo_g_cache, gfp | __GFP_NOWARN);
		}
		if (!g) {
			ret = -ENOMEM;
			goto err_owner;
		}
		this_cpu_inc(s->stats->allocs);
	}
	g->fn = fn;
	g->arg = arg;
	g->owner = owner;
	g->name = opts ? opts->name : NULL;
	g->next = NULL;
	g->kind = rec ? KGO_G_RECORD : KGO_G_POOLED;
	g->id = kgo_goid_new(s, p);
	this_cpu_inc(s->stats->spawned);
	trace_gochan_create(g->id, fn, target ? target->id : -1);

	if (!p) {
		/*
		 * From outside the scheduler: the inbox of the given P, or of
		 * this CPU's, as queue_work() uses this CPU's pool.  A push is
		 * lock-free; idle Ps steal from a busy one's inbox.
		 */
		kgo_place(s, target ?: &s->allp[raw_smp_processor_id() %
						s->nprocs], g);
		return 0;
	}
	/*
	 * From a goroutine: runnext of our P, like Go's newproc.  But
	 * Tokio's rule, not Go's: a goroutine that is alone in the queue
	 * wakes nobody.  The spawner is likely to return soon (a chain, a
	 * hand-off to a successor), and then its own M runs the new one at
	 * once, where a woken M would cost a cross-CPU wake-up and find
	 * nothing it may take yet.  It is not lost, nor held for long: if
	 * the spawner blocks, kgo_handoffp() passes the P and its queue to
	 * another M; if it spawns again, the second spawn wakes an M as Go
	 * does; if it runs on, sysmon wakes a spinner when it sees the queue
	 * unchanged for a round (kgo_sysmon_retake()), and the spinner
	 * steals runnext.
	 */
	quiet = kgo_p_runq_empty(p);
	kgo_p_runq_put(p, g, true);
	kgo_p_unclaim(m);
	if (quiet) {
		/*
		 * sysmon in its long sleep (no P ran a goroutine when it
		 * last looked) would keep the bound at 10 ms: wake it, once
		 * per long sleep.  xchg() is fully ordered: our store comes
		 * before wake_up() looks for the sleeper, and kgo_sysmon_main()
		 * tests sysmon_deep after queueing itself (wait_event).
		 */
		if (READ_ONCE(s->sysmon_deep) && xchg(&s->sysmon_deep, 0))
			wake_up(&s->sysmon_wq);
		return 0;
	}
	/*
	 * runnext (or the ring) written before kgo_wakep() reads npidle;
	 * pairs with kgo_recheck_after_release().
	 */
	smp_mb();
	kgo_wakep(s);
	return 0;

err_owner:
	if (!pinned)
		module_put(owner);
err_unclaim:
	if (p)
		kgo_p_unclaim(m);
	if (!pinned)
		percpu_ref_put(&s->refs);
	return ret;
}

/**
 * kgo_sched_go_pinned() - start a goroutine whose references are held
 * @s:     the scheduler, pinned with kgo_sched_pin()
 * @owner: the module pinned with it
 * @fn:    the function
 * @arg:   its argument
 * @opts:  placement, name and allocation flags, or NULL
 *
 * On success the references belong to the goroutine; on failure they
 * stay with the caller.
 *
 * Context: Any context if @opts->gfp does not allow sleeping.
 * Return: 0, -EINVAL for a bad CPU, or -ENOMEM.
 */
int kgo_sched_go_pinned(struct kgo_sched *s, struct module *owner,
			kgo_fn_t fn, void *arg, const struct kgo_go_opts *opts)
{
	return kgo_spawn(s, owner, NULL, fn, arg, opts, true);
}

int kgo_sched_go(struct kgo_sched *s, struct module *owner, kgo_fn_t fn,
		 void *arg, const struct kgo_go_opts *opts)
{
	if (!fn)
		return -EINVAL;
	return kgo_spawn(s, owner, NULL, fn, arg, opts, false);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_go);

/* The scheduler a spawn from the calling context goes to. */
static struct kgo_sched *kgo_spawn_sched(void)
{
	struct kgo_m *m = kgo_current_m();

	return m ? m->sched : kgo_default;
}

/**
 * __kgo_go() - start a goroutine; use kgo_go() or kgo_go_opts()
 * @owner: the module @fn belongs to (THIS_MODULE), pinned while it runs
 * @fn:    the function to run
 * @arg:   its argument
 * @opts:  options, or NULL
 *
 * A goroutine started from a goroutine runs on the same scheduler and is
 * queued in its P's runnext slot; one started from elsewhere goes to the
 * inbox of this CPU's P, or of the P of @opts->cpu.
 *
 * Context: Any context if @opts->gfp does not allow sleeping.
 * Return: 0 or a negative errno; see kgo_go().
 */
int __kgo_go(struct module *owner, kgo_fn_t fn, void *arg,
	     const struct kgo_go_opts *opts)
{
	struct kgo_sched *s = kgo_spawn_sched();

	if (!s)
		return -ESHUTDOWN;
	return kgo_sched_go(s, owner, fn, arg, opts);
}
EXPORT_SYMBOL_GPL(__kgo_go);

/* kgo_goroutine_init(): documented in kgo.h. */
void kgo_goroutine_init(struct kgo_goroutine *g, kgo_fn_t fn, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->fn = fn;
	g->arg = arg;
	g->kind = KGO_G_RECORD;
}
EXPORT_SYMBOL_GPL(kgo_goroutine_init);

/**
 * __kgo_go_record() - start a goroutine on a caller's record; use
 * kgo_go_record()
 * @owner: the module the record's function belongs to (THIS_MODULE)
 * @g:     the record, prepared with kgo_goroutine_init()
 * @opts:  placement and name, or NULL
 *
 * Context: Any context, including hard interrupts.
 * Return: 0 or a negative errno; see kgo_go_record().
 */
int __kgo_go_record(struct module *owner, struct kgo_goroutine *g,
		    const struct kgo_go_opts *opts)
{
	struct kgo_sched *s = kgo_spawn_sched();

	if (!s)
		return -ESHUTDOWN;
	return kgo_sched_go_record(s, owner, g, opts);
}
EXPORT_SYMBOL_GPL(__kgo_go_record);

/* kgo_go_record() on a chosen scheduler. */
int kgo_sched_go_record(struct kgo_sched *s, struct module *owner,
			struct kgo_goroutine *g, const struct kgo_go_opts *opts)
{
	int ret;

	if (!g || !g->fn || g->kind != KGO_G_RECORD)
		return -EINVAL;
	/* Fully ordered: pairs with clear_bit_unlock() in kgo_execute(). */
	if (test_and_set_bit(KGO_G_PENDING, &g->pending))
		return -EBUSY;
	ret = kgo_spawn(s, owner, g, g->fn, g->arg, opts, false);
	if (ret)
		clear_bit(KGO_G_PENDING, &g->pending);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_go_record);

/* ---- blocking hand-off and yield ---------------------------------------- */

/*
 * m, holding no P, runs a goroutine: queue m's token at the tail of the
 * global queue and sleep until the M that dequeues it hands us its P
 * (kgo_resume_token()).
 *
 * No lost wake-up:
 *
 *   kgo_wait_for_p()                   kgo_resume_token()
 *   set_current_state(TASK_IDLE)       smp_store_release(&target->nextp, p)
 *   smp_load_acquire(&m->nextp)        wake_up_process(target->task)
 *   schedule()
 *
 * nextp is cleared before the token is queued; the s->lock release in
 * kgo_globrunq_put() and the acquire in kgo_globrunq_get() order that
 * clear before kgo_resume_token()'s store.
 */
static void kgo_wait_for_p(struct kgo_m *m)
{
	struct kgo_sched *s = m->sched;
	struct kgo_grun *g = &m->g;

	WRITE_ONCE(g->resume, 1);
	WRITE_ONCE(g->state, KGO_G_RUNNABLE);
	WRITE_ONCE(m->nextp, NULL);
	kgo_globrunq_put(s, &m->token);
	/*
	 * Token queued before kgo_wakep() reads npidle; pairs with
	 * kgo_recheck_after_release().  A P going idle reads gq_len under
	 * s->lock instead (kgo_find_runnable(), kgo_handoffp()).
	 */
	smp_mb();
	kgo_wakep(s);

	for (;;) {
		set_current_state(TASK_IDLE);
		/* Acquire: pairs with the store-release in kgo_resume_token(). */
		if (smp_load_acquire(&m->nextp))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	m->p = m->nextp;
	m->nextp = NULL;
	WRITE_ONCE(g->resume, 0);
	WRITE_ONCE(g->wait_reason, KGO_WAIT_NONE);
	WRITE_ONCE(m->p->schedtick, m->p->schedtick + 1);
	kgo_p_unclaim(m);
}

/**
 * kgo_block_begin() - the calling goroutine is about to block
 * @reason: why, for the goroutine dump
 *
 * Go's entersyscallblock: the goroutine's M releases its P, and the P
 * goes on running queued goroutines on another M.  gochan's own blocking
 * primitives (channels, select, wait groups, timers) call this; call it
 * around any other long wait (I/O, msleep) in a goroutine, followed by
 * kgo_block_end().  Outside a goroutine it does nothing.
 *
 * Context: Process context, a goroutine.
 */
void kgo_block_begin(enum kgo_wait_reason reason)
{
	struct kgo_m *m = kgo_current_m();
	struct kgo_grun *g = m ? m->curg : NULL;
	struct kgo_p *p;

	if (!g)
		return;
	WRITE_ONCE(g->wait_reason,
		   reason < KGO_WAIT_NR ? reason : KGO_WAIT_NONE);
	WRITE_ONCE(g->wait_since, ktime_get_ns());
	WRITE_ONCE(g->state, KGO_G_WAITING);
	p = m->p;
	if (!kgo_p_claim(m))
		return;
	m->p = NULL;
	kgo_handoffp(m->sched, p);
}
EXPORT_SYMBOL_GPL(kgo_block_begin);

/**
 * kgo_block_end() - the calling goroutine stopped blocking
 *
 * Go's exitsyscall: take an idle P if there is one.  Otherwise go on
 * without a P (the goroutine still runs, but takes no queued work) until
 * the goroutine returns, when its M looks for a P again; or, with the
 * strict_procs module parameter, queue for a P and wait as Go does.
 *
 * Context: Process context, a goroutine.
 */
void kgo_block_end(void)
{
	struct kgo_m *m = kgo_current_m();
	struct kgo_grun *g = m ? m->curg : NULL;

	if (!g)
		return;
	WRITE_ONCE(g->state, KGO_G_RUNNING);
	WRITE_ONCE(g->wait_reason, KGO_WAIT_NONE);
	if (m->p)
		return;
	if (kgo_p_try_acquire(m))
		kgo_p_unclaim(m);
	else if (m->sched->strict_procs)
		kgo_wait_for_p(m);	/* Go's exitsyscall slow path */
}
EXPORT_SYMBOL_GPL(kgo_block_end);

/**
 * kgo_yield() - let other goroutines run: Go's runtime.Gosched
 *
 * In a goroutine holding a P with other work queued, the P is handed to
 * another M to run that work, and the caller waits at the tail of the
 * global run queue until a P picks it up again.  Otherwise (no work
 * waiting, no P, or not a goroutine) it only offers the CPU to the
 * kernel scheduler (cond_resched()).
 *
 * Context: Process context.
 */
void kgo_yield(void)
{
	struct kgo_m *m = kgo_current_m();
	struct kgo_grun *g = m ? m->curg : NULL;
	struct kgo_sched *s;
	struct kgo_p *p;

	might_sleep();
	if (!g || !m->p || !kgo_p_has_work(m->p)) {
		cond_resched();
		return;
	}
	s = m->sched;
	p = m->p;
	/*
	 * The token needs some other M to run it: with none parked and the
	 * M cap reached, yielding could wait for ever.
	 */
	if ((list_empty_careful(&s->midle) && READ_ONCE(s->nm) >= s->maxm) ||
	    !kgo_p_claim(m)) {
		cond_resched();
		return;
	}
	this_cpu_inc(s->stats->yields);
	WRITE_ONCE(g->wait_reason, KGO_WAIT_YIELD);
	WRITE_ONCE(g->wait_since, ktime_get_ns());
	m->p = NULL;
	kgo_handoffp(s, p);
	kgo_wait_for_p(m);
}
EXPORT_SYMBOL_GPL(kgo_yield);

/* ---- sysmon -------------------------------------------------------------- */

/*
 * Go's sysmon and retake: a P whose goroutine has held it for longer than
 * the threshold, running or asleep outside gochan's primitives, while
 * other goroutines wait, is handed to another M.  The goroutine carries
 * on without a P.
 *
 * Before that, the bound on a quiet spawn (kgo_spawn()): goroutines
 * queued behind one that ran for a whole round of sysmon get a spinning
 * M, which steals them (runnext too) if that goroutine runs on.
 */
static bool kgo_sysmon_retake(struct kgo_sched *s, u64 now, bool *busy)
{
	bool took = false;
	int i;

	*busy = false;
	for (i = 0; i < s->nprocs; i++) {
		struct kgo_p *p = &s->allp[i];
		long own = atomic_long_read(&p->own);
		u32 tick;

		if (!(own & KGO_OWN_RUNNING)) {
			p->sysmon_when = 0;
			continue;
		}
		*busy = true;
		tick = READ_ONCE(p->schedtick);
		if (tick != p->sysmon_tick || !p->sysmon_when) {
			p->sysmon_tick = tick;
			p->sysmon_when = now;
			continue;
		}
		if (!kgo_p_runq_empty(p) && atomic_read(&s->npidle) &&
		    !atomic_read(&s->nmspinning)) {
			this_cpu_inc(s->stats->kicks);
			kgo_wakep(s);
			took = true;
		}
		if (now - p->sysmon_when < s->sysmon_threshold_ns ||
		    !kgo_p_has_work(p))
			continue;
		if (!atomic_long_try_cmpxchg(&p->own, &own, 0))
			continue;
		p->sysmon_when = 0;
		this_cpu_inc(s->stats->retakes);
		kgo_handoffp(s, p);
		took = true;
	}
	return took;
}

/* Go's sysmon timings (runtime/proc.go, sysmon()). */
#define KGO_SYSMON_MIN_US	20	/* the shortest sleep */
#define KGO_SYSMON_MAX_US	10000	/* the longest: 10 ms */
#define KGO_SYSMON_IDLE_ROUNDS	50	/* rounds without a retake before
					 * the sleep starts doubling
					 */

/*
 * Go's sysmon loop: sleep KGO_SYSMON_MIN_US; after KGO_SYSMON_IDLE_ROUNDS
 * rounds without a retake, double the sleep up to KGO_SYSMON_MAX_US.
 * With no P running a goroutine it sleeps the longest (Go parks it
 * instead), and a quiet spawn cuts that sleep short (kgo_spawn()).
 */
static int kgo_sysmon_main(void *data)
{
	struct kgo_sched *s = data;
	unsigned int delay = s->sysmon_min_us, idle = 0;
	u32 ticks = 0, t;
	u64 idle_since = 0;
	int i;

	while (!kthread_should_stop()) {
		u64 now = ktime_get_ns();
		bool busy;

		if (kgo_sysmon_retake(s, now, &busy))
			idle = 0;
		else
			idle++;
		if (!busy) {
			/*
			 * Nothing runs: sleep the longest, unless a quiet
			 * spawn (kgo_spawn()) needs us to bound its wait.
			 * Idle for KGO_GFREE_IDLE_NS (no goroutine started
			 * since): trim the free records.
			 */
			for (t = 0, i = 0; i < s->nprocs; i++)
				t += READ_ONCE(s->allp[i].schedtick);
			if (t != ticks || !idle_since) {
				ticks = t;
				idle_since = now;
			} else if (now - idle_since >= KGO_GFREE_IDLE_NS) {
				kgo_gfree_trim(s);
			}
			WRITE_ONCE(s->sysmon_deep, 1);
			wait_event_hrtimeout(s->sysmon_wq,
					     !READ_ONCE(s->sysmon_deep) ||
					     kthread_should_stop(),
					     ns_to_ktime(KGO_SYSMON_MAX_US *
							  NSEC_PER_USEC));
			WRITE_ONCE(s->sysmon_deep, 0);
			delay = s->sysmon_min_us;
			idle = 0;
			continue;
		}
		idle_since = 0;
		if (idle <= KGO_SYSMON_IDLE_ROUNDS)
			delay = s->sysmon_min_us;
		else
			delay = min_t(unsigned int, delay * 2,
				      KGO_SYSMON_MAX_US);
		usleep_range(delay, delay + delay / 4);
	}
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

void kgo_sched_stats(struct kgo_sched *s, struct kgo_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct kgo_stats *c = per_cpu_ptr(s->stats, cpu);

		sum->spawned += c->spawned;
		sum->completed += c->completed;
		sum->steals += c->steals;
		sum->stolen += c->stolen;
		sum->handoffs += c->handoffs;
		sum->retakes += c->retakes;
		sum->parks += c->parks;
		sum->wakeups += c->wakeups;
		sum->yields += c->yields;
		sum->global_puts += c->global_puts;
		sum->kicks += c->kicks;
		sum->allocs += c->allocs;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_stats);

static int kgo_init_coprimes(struct kgo_sched *s)
{
	int i, n = 0;

	s->coprimes = kcalloc(s->nprocs, sizeof(*s->coprimes), GFP_KERNEL);
	if (!s->coprimes)
		return -ENOMEM;
	for (i = 1; i <= s->nprocs; i++)
		if (gcd(i, s->nprocs) == 1)
			s->coprimes[n++] = i;
	s->ncoprimes = n;
	return 0;
}

/**
 * kgo_sched_create() - create a scheduler
 * @name:                for thread names
 * @nprocs:              number of Ps (GOMAXPROCS), at least 1
 * @maxm:                cap on worker threads, at least @nprocs
 * @sysmon_threshold_ms: how long a goroutine may hold a P while others
 *                       wait before sysmon hands the P on
 *
 * gochan.ko has one scheduler, used by kgo_go(); the KUnit suites create
 * private ones with chosen sizes.
 *
 * Context: Process context.
 * Return: the scheduler or an ERR_PTR().
 */
struct kgo_sched *kgo_sched_create(const char *name, int nprocs, int maxm,
				   unsigned int sysmon_threshold_ms)
{
	struct kgo_sched *s;
	unsigned long flags;
	int i, ret = -ENOMEM;

	if (nprocs < 1 || maxm < nprocs)
		return ERR_PTR(-EINVAL);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->name = name;
	s->nprocs = nprocs;
	s->maxm = maxm;
	s->sysmon_threshold_ns = (u64)sysmon_threshold_ms * NSEC_PER_MSEC;
	s->sysmon_min_us = KGO_SYSMON_MIN_US;
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->pidle);
	INIT_LIST_HEAD(&s->midle);
	INIT_LIST_HEAD(&s->ms);
	INIT_LIST_HEAD(&s->pnew);
	spin_lock_init(&s->gfree_lock);
	init_completion(&s->released);
	init_waitqueue_head(&s->sysmon_wq);
	INIT_WORK(&s->newm_work, kgo_newm_work);

	if (percpu_ref_init(&s->refs, kgo_sched_release, 0, GFP_KERNEL))
		goto err_free_sched;
	s->gcache = alloc_percpu(struct kgo_gcache);
	if (!s->gcache)
		goto err_exit_refs;
	s->stats = alloc_percpu(struct kgo_stats);
	if (!s->stats)
		goto err_free_gcache;
	if (kgo_init_coprimes(s))
		goto err_free_stats;
	s->allp = kcalloc(nprocs, sizeof(*s->allp), GFP_KERNEL);
	if (!s->allp)
		goto err_free_coprimes;

	spin_lock_irqsave(&s->lock, flags);
	for (i = nprocs - 1; i >= 0; i--) {
		struct kgo_p *p = &s->allp[i];

		p->id = i;
		p->sched = s;
		init_llist_head(&p->inbox);
		INIT_LIST_HEAD(&p->idle);
		kgo_pidle_put(s, p);
	}
	spin_unlock_irqrestore(&s->lock, flags);

	/*
	 * One parked M per P and a spare, so that a hand-off (a blocked or
	 * retaken goroutine keeps its M) usually finds a thread ready.
	 */
	for (i = 0; i < min(nprocs + 1, maxm); i++) {
		if (!kgo_newm(s, NULL, false))
			goto err_stop;
	}
	s->sysmon = kthread_run(kgo_sysmon_main, s, "kgo/%s:sysmon", name);
	if (IS_ERR(s->sysmon)) {
		ret = PTR_ERR(s->sysmon);
		s->sysmon = NULL;
		goto err_stop;
	}
	return s;

err_stop:
	kgo_sched_destroy(s);
	return ERR_PTR(ret);
err_free_coprimes:
	kfree(s->coprimes);
err_free_stats:
	free_percpu(s->stats);
err_free_gcache:
	free_percpu(s->gcache);
err_exit_refs:
	percpu_ref_exit(&s->refs);
err_free_sched:
	kfree(s);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_create);

/**
 * kgo_sched_destroy() - wait for every goroutine, then stop the threads
 * @s: the scheduler
 *
 * New kgo_go() calls fail with -ESHUTDOWN from the start.  Goroutines
 * already queued or running, and parked continuations, are waited for;
 * then every M and sysmon exit and everything is freed.
 *
 * Context: Process context; not from one of @s's goroutines.
 */
void kgo_sched_destroy(struct kgo_sched *s)
{
	struct kgo_m *m, *tmp;
	unsigned long flags;
	LIST_HEAD(ms);
	int i;

	/* From here percpu_ref_tryget_live() fails: kgo_sched_pin(). */
	percpu_ref_kill(&s->refs);
	wait_for_completion(&s->released);
	if (s->sysmon)
		kthread_stop(s->sysmon);

	spin_lock_irqsave(&s->lock, flags);
	WRITE_ONCE(s->stopped, true);
	spin_unlock_irqrestore(&s->lock, flags);
	flush_work(&s->newm_work);
	spin_lock_irqsave(&s->lock, flags);
	list_splice_init(&s->ms, &ms);
	spin_unlock_irqrestore(&s->lock, flags);
	list_for_each_entry_safe(m, tmp, &ms, all) {
		kthread_stop(m->task);
		kfree(m);
	}
	/* No M is left to own a P: what the Ps keep is ours to drop. */
	for (i = 0; i < s->nprocs; i++) {
		kgo_owner_flush(&s->allp[i]);
		kgo_gfree_all(s->allp[i].gfree);
	}
	for_each_possible_cpu(i)
		kgo_gfree_all(per_cpu_ptr(s->gcache, i)->head);
	kgo_gfree_all(s->gfree);
	free_percpu(s->gcache);
	percpu_ref_exit(&s->refs);
	free_percpu(s->stats);
	kfree(s->allp);
	kfree(s->coprimes);
	kfree(s);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_destroy);

struct kgo_sched *kgo_default_sched(void)
{
	return kgo_default;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_default_sched);

/* The scheduler of the calling goroutine, or the default one. */
struct kgo_sched *kgo_current_sched(void)
{
	struct kgo_m *m = kgo_current_m();

	return m ? m->sched : kgo_default;
}

/* Goroutines that exist: spawned and not yet returned (a snapshot). */
int kgo_sched_goroutines(struct kgo_sched *s)
{
	struct kgo_stats st;

	kgo_sched_stats(s, &st);
	return st.spawned > st.completed ?
	       (int)min_t(u64, st.spawned - st.completed, INT_MAX) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_goroutines);

#if IS_ENABLED(CONFIG_KUNIT)
size_t kgo_g_size(void)
{
	return kmem_cache_size(kgo_g_cache);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_g_size);
#endif

static unsigned int maxprocs;
module_param(maxprocs, uint, 0444);
MODULE_PARM_DESC(maxprocs, "Ps (GOMAXPROCS); 0: the number of online CPUs");

static unsigned int maxthreads = 1024;
module_param(maxthreads, uint, 0444);
MODULE_PARM_DESC(maxthreads, "Cap on worker threads (Ms), at least maxprocs");

static bool strict_procs;
module_param(strict_procs, bool, 0444);
MODULE_PARM_DESC(strict_procs, "A woken goroutine waits for a P (Go's way) instead of running without one");

static unsigned int sysmon_ms = 10;
module_param(sysmon_ms, uint, 0444);
MODULE_PARM_DESC(sysmon_ms, "A goroutine holding its P this long while others wait loses it (ms)");

int kgo_sched_init(void)
{
	unsigned int nprocs = maxprocs ? maxprocs : num_online_cpus();
	struct kgo_sched *s;

	BUILD_BUG_ON(sizeof(struct kgo_goroutine) > 64);
	BUILD_BUG_ON(!is_power_of_2(KGO_RUNQ_SIZE));
	if (nprocs > 1024 || maxthreads < nprocs || !sysmon_ms) {
		pr_err("bad parameters: maxprocs=%u maxthreads=%u sysmon_ms=%u\n",
		       maxprocs, maxthreads, sysmon_ms);
		return -EINVAL;
	}
	kgo_g_cache = KMEM_CACHE(kgo_goroutine, 0);
	if (!kgo_g_cache)
		return -ENOMEM;
	s = kgo_sched_create("go", nprocs, maxthreads, sysmon_ms);
	if (IS_ERR(s)) {
		kmem_cache_destroy(kgo_g_cache);
		return PTR_ERR(s);
	}
	s->strict_procs = strict_procs;
	kgo_default = s;
	return 0;
}

void kgo_sched_exit(void)
{
	kgo_sched_destroy(kgo_default);
	kgo_default = NULL;
	kmem_cache_destroy(kgo_g_cache);
}
