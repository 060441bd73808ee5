// SPDX-License-Identifier: GPL-2.0
/*
 * The select engine: Go's selectgo, once, for every channel operation
 * that may wait.  kgo_select() and the single operations sleep on it,
 * the batched transfers (kgo_chan_xfer()) wait through it for the value
 * that a lock hold could not move, and continuations (cont.c) park on
 * it.  chan.c has the channel object and the operations that complete
 * under one channel lock (kgo_try_case()); this file decides which case
 * to try, queues the waiters, and waits.
 *
 * A select is a struct kgo_sel, whose done word one party moves from
 * KGO_SEL_PENDING, and one struct kgo_waiter per case.  Arming it
 * (kgo_sel_arm()):
 *
 *  - pass 1 tries the cases in a uniformly random order (KGO_BIASED: in
 *    array order), each under its channel lock, skipping the channels
 *    that a lockless look finds idle; queued nowhere yet, nobody else
 *    can complete the select, so a case that completes here is the
 *    select's one case;
 *  - a non-blocking select, and the select that has aborted
 *    KGO_SEL_OPTIMISTIC times, then takes every lock at once (Go's
 *    sellock): tried at that instant, "none ready" is linearizable, and
 *    queueing every waiter under the same holds cannot abort;
 *  - pass 2 otherwise queues a waiter on each channel, one lock at a
 *    time, checking under each lock that the case did not become ready
 *    meanwhile.  If one did, it aborts (one cmpxchg of done, so that no
 *    waker can complete it afterwards), unlinks what it queued and
 *    arms again.
 *
 * Once a waiter is queued, a waker (kgo_try_case() of another party, or
 * kgo_chan_close()) completes the select by winning the cmpxchg of done
 * to the case's index, under the channel lock, and hands the value over
 * in the waiter's wake function.  The owner unlinks every waiter under
 * each channel's lock before it reads the result (kgo_sel_disarm()),
 * which also waits out a waker still copying.  Documentation/
 * channels.rst has the protocol and its proofs.
 *
 * Lock order: a select that must see several channels at one instant
 * (kgo_sel_lock_all()) takes the fake lock kgo_sellock, then the
 * channels' locks in address order; everything else holds one channel
 * lock at a time.  A waiter's wake function runs under its channel's
 * lock: a sleeping select's wakes a task (the runqueue lock nests inside
 * ch->lock), a continuation's starts a goroutine (the scheduler's locks
 * nest inside ch->lock, see sched.c).  Nothing takes a channel lock
 * while it holds a scheduler lock.
 */
#include <linux/hrtimer.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "chan.h"
#include "internal.h"
#include "select.h"
#include "trace.h"

/* Values moved per hold of a channel lock by kgo_chan_xfer(). */
#define KGO_XFER_HOLD_MAX	64U

/*
 * Statistics (debugfs select_aborts, select_locked_arms): pass-2 aborts,
 * and arms under every lock after KGO_SEL_OPTIMISTIC of them.  Racy
 * updates may lose a count.
 */
u64 gochan_sel_aborts;
EXPORT_SYMBOL_IF_KUNIT(gochan_sel_aborts);
u64 gochan_sel_locked_arms;
EXPORT_SYMBOL_IF_KUNIT(gochan_sel_locked_arms);

/*
 * Aborts before the arm under every lock: KGO_SEL_OPTIMISTIC; KUnit sets
 * 0 to run every waiting multi-case select through the locked arm.
 */
VISIBLE_IF_KUNIT unsigned int kgo_sel_optimistic = KGO_SEL_OPTIMISTIC;
EXPORT_SYMBOL_IF_KUNIT(kgo_sel_optimistic);

/*
 * Pass 1's lockless hint: false only when the case was not ready at the
 * moment of reading.  It lets a select that goes on to wait skip the
 * locks of idle channels: pass 2 looks again under each lock before it
 * relies on "not ready".  It is never a final answer: a non-blocking
 * select answers "none ready" only under every lock (kgo_sel_lock_all()).
 * Racy by design; the fields are written under ch->lock with
 * WRITE_ONCE(): qcount by kgo_try_send() and kgo_try_recv(), nsendq and
 * nrecvq by kgo_waiter_enqueue() and kgo_waiter_unlink(), closed by
 * kgo_chan_close().
 */
static bool kgo_case_maybe_ready(const struct kgo_select_case *c)
{
	struct kgo_chan *ch = c->ch;

	if (READ_ONCE(ch->closed))
		return true;
	if (c->dir == KGO_SELECT_SEND)
		return READ_ONCE(ch->qcount) < ch->dataqsiz ||
		       READ_ONCE(ch->nrecvq);
	return READ_ONCE(ch->qcount) || READ_ONCE(ch->nsendq);
}

/*
 * The fake lock a select holds while it holds several channel locks:
 * lockdep then counts the nested ch->lock acquisitions as one entry
 * (nest_lock), however many cases there are.  It excludes nothing; the
 * address order of kgo_sel_lock_all() is what prevents deadlock.
 */
static struct kgo_sellock {
	struct lockdep_map dep_map;
} kgo_sellock __maybe_unused = {
#ifdef CONFIG_LOCKDEP
	.dep_map = STATIC_LOCKDEP_MAP_INIT("kgo_sellock", &kgo_sellock),
#endif
};

static int kgo_chan_ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct kgo_chan * const *)a;
	uintptr_t y = (uintptr_t)*(struct kgo_chan * const *)b;

	return x < y ? -1 : x > y;
}

/*
 * An insertion sort by address, inline: for the few channels of a
 * typical select it beats sort()'s indirect calls several times over;
 * above KGO_SEL_ISORT_MAX its quadratic cost would not.
 */
#define KGO_SEL_ISORT_MAX	64

static void kgo_chan_ptr_isort(struct kgo_chan **a, unsigned int m)
{
	unsigned int i, j;

	for (i = 1; i < m; i++) {
		struct kgo_chan *x = a[i];

		for (j = i; j && (uintptr_t)a[j - 1] > (uintptr_t)x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/*
 * Go's sellock: lock the m distinct channels of the cases (order[] names
 * the non-nil ones) in address order, with interrupts off, so that the
 * select sees every channel at one instant.  lockorder has room for m
 * pointers; returns the number of distinct channels locked.
 */
static unsigned int kgo_sel_lock_all(const struct kgo_select_case *cases,
				     const u16 *order, unsigned int m,
				     struct kgo_chan **lockorder,
				     unsigned long *irqflags)
{
	unsigned int i, k = 0;

	for (i = 0; i < m; i++)
		lockorder[i] = cases[order[i]].ch;
	if (m <= KGO_SEL_ISORT_MAX)
		kgo_chan_ptr_isort(lockorder, m);
	else
		sort(lockorder, m, sizeof(*lockorder), kgo_chan_ptr_cmp, NULL);
	local_irq_save(*irqflags);
	lock_map_acquire(&kgo_sellock.dep_map);
	for (i = 0; i < m; i++) {
		if (k && lockorder[k - 1] == lockorder[i])
			continue;
		lockorder[k++] = lockorder[i];
		spin_lock_nest_lock(&lockorder[i]->lock, &kgo_sellock);
		/* sparse cannot count locks taken in a loop: held till unlock_all */
		__release(&lockorder[i]->lock);
	}
	return k;
}

static void kgo_sel_unlock_all(struct kgo_chan **lockorder, unsigned int k,
			       unsigned long irqflags)
{
	while (k--) {
		__acquire(&lockorder[k]->lock);	/* see kgo_sel_lock_all() */
		spin_unlock(&lockorder[k]->lock);
	}
	lock_map_release(&kgo_sellock.dep_map);
	local_irq_restore(irqflags);
}

static unsigned int spin_ns = 50000;
module_param(spin_ns, uint, 0644);
MODULE_PARM_DESC(spin_ns,
		 "A blocked channel operation spins this long for its partner on another CPU before sleeping (0: never)");

/*
 * Spin-then-sleep: a partner running on another CPU often answers within
 * microseconds, and a sleep costs the wake-up of this task (and, in a
 * goroutine, the hand-off of its P).  Spin for up to spin_ns while
 * nothing else wants this CPU (no other runnable task on it, no other
 * goroutine queued on this goroutine's P).  Returns true if the select
 * completed.
 */
static bool kgo_sel_spin(struct kgo_sel *sel, ktime_t deadline)
{
	unsigned int budget = READ_ONCE(spin_ns), i = 0;
	bool done = false;
	ktime_t end;

	if (!budget || num_online_cpus() < 2 || !kgo_may_spin())
		return false;
	end = ktime_add_ns(ktime_get(), budget);
	if (deadline < end)
		end = deadline;
	/*
	 * A spinning task needs no wake-up: kgo_waiter_wake() skips
	 * try_to_wake_up(), whose lock on our task would cost a cache-line
	 * transfer per hand-off.  Stores only: a waker that sees it 0 has
	 * completed us, and we are about to see that.
	 */
	WRITE_ONCE(sel->sleeping, 0);
	while (atomic_read(&sel->done) == KGO_SEL_PENDING) {
		/*
		 * Another task runnable here (the partner, on this CPU?):
		 * spinning would only delay it.  KVM's halt polling stops
		 * on the same test.  Every so often, look at the clock and
		 * at this goroutine's P (the partner may be queued there).
		 */
		if (need_resched() || !single_task_running() ||
		    signal_pending(current))
			goto out;
		if (!(++i % 32) && (ktime_get() > end || !kgo_may_spin()))
			goto out;
		cpu_relax();
	}
	done = true;
out:
	/* Before kgo_sel_wait()'s set_current_state() and read of done. */
	WRITE_ONCE(sel->sleeping, 1);
	return done;
}

/**
 * kgo_schedule_deadline() - schedule(), or sleep until an absolute time
 * @deadline: CLOCK_MONOTONIC, or KGO_FOREVER
 *
 * The caller set its task state and checked its condition, as for
 * schedule().
 *
 * Return: 0 when woken (or spuriously), -ETIMEDOUT once @deadline passed.
 */
int kgo_schedule_deadline(ktime_t deadline)
{
	ktime_t dl = deadline;

	if (deadline == KGO_FOREVER) {
		schedule();
		return 0;
	}
	return schedule_hrtimeout_range(&dl, 0, HRTIMER_MODE_ABS) ? 0 : -ETIMEDOUT;
}

/*
 * Sleep until the select is done, a signal, or the deadline.  Returns 0
 * when a waker completed it, else -ERESTARTSYS or -ETIMEDOUT (the caller
 * still has to win the cancel cmpxchg).
 *
 * No lost wake-up.  The waiters were queued under the channel locks that
 * every waker holds (kgo_sel_arm()), so no waker comes before them; then
 *
 *   kgo_sel_wait()                     kgo_waiter_wake(), under ch->lock
 *   set_current_state(state)           atomic_cmpxchg(&sel->done,
 *     (a full barrier)                   PENDING, idx) (fully ordered)
 *   atomic_read(&sel->done)            wake_up_process(sel->task), or
 *   schedule()                           after the unlock (x->defer,
 *                                        kgo_chan_close())
 *
 * Either our read sees done moved, or try_to_wake_up() sees our state.
 * The value itself is read only after kgo_sel_disarm() has taken each
 * channel's lock, which orders the waker's copy before our read.
 *
 * A waker skips the wake-up while we spin (sel->sleeping 0).  That
 * loses nothing either:
 *
 *   kgo_sel_spin(), then here          kgo_waiter_wake()
 *   WRITE_ONCE(sel->sleeping, 1)       atomic_cmpxchg(&sel->done, ...)
 *   set_current_state(state)             (fully ordered)
 *     (a full barrier)                 READ_ONCE(sel->sleeping)
 *   atomic_read(&sel->done)
 *
 * If the waker read sleeping as 0, our read of done, after our store
 * of 1 and a full barrier, sees its cmpxchg.
 */
static int kgo_sel_wait(struct kgo_sel *sel, unsigned int flags,
			ktime_t deadline, bool spin, enum kgo_wait_reason why)
{
	unsigned int state = TASK_IDLE;
	int ret = 0;

	if (flags & KGO_INTERRUPTIBLE)
		state = TASK_INTERRUPTIBLE;
	else if (flags & KGO_KILLABLE)
		state = TASK_KILLABLE;

	if (spin && kgo_sel_spin(sel, deadline))
		return 0;
	kgo_block_begin(why);
	for (;;) {
		set_current_state(state);
		if (atomic_read(&sel->done) != KGO_SEL_PENDING)
			break;
		if (signal_pending_state(state, current)) {
			ret = -ERESTARTSYS;
			break;
		}
		ret = kgo_schedule_deadline(deadline);
		if (ret)
			break;
	}
	__set_current_state(TASK_RUNNING);
	kgo_block_end();
	return ret;
}

/* Before a pass-2 retry: has the caller's signal or deadline come? */
static int kgo_sel_retry_check(unsigned int flags, ktime_t deadline)
{
	if ((flags & KGO_INTERRUPTIBLE) && signal_pending(current))
		return -ERESTARTSYS;
	if ((flags & KGO_KILLABLE) && fatal_signal_pending(current))
		return -ERESTARTSYS;
	if (deadline != KGO_FOREVER && ktime_get() >= deadline)
		return -ETIMEDOUT;
	return 0;
}

/*
 * Fisher-Yates over the non-nil cases; in order with KGO_BIASED.  One
 * draw from the kernel's RNG seeds a per-call prandom stream, as Go's
 * select uses its cheap fastrand rather than a secure source.
 */
unsigned int kgo_sel_order(const struct kgo_select_case *cases,
			   unsigned int n, unsigned int flags, u16 *order)
{
	struct rnd_state rnd;
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		if (!cases[i].ch)
			continue;
		order[m] = i;
		if (m && !(flags & KGO_BIASED)) {
			unsigned int j;

			if (m == 1)
				prandom_seed_state(&rnd, get_random_u64());
			j = ((u64)prandom_u32_state(&rnd) * (m + 1)) >> 32;

			order[m] = order[j];
			order[j] = i;
		}
		m++;
	}
	return m;
}

/* The wake function of a waiter whose task sleeps in kgo_sel_wait(). */
static int kgo_waiter_wake(struct wait_queue_entry *e, unsigned int mode,
			   int flags, void *key)
{
	struct kgo_waiter *w = container_of(e, struct kgo_waiter, entry);
	struct kgo_sel *sel = w->sel;

	struct kgo_xfer *x = key;

	if (atomic_cmpxchg(&sel->done, KGO_SEL_PENDING, w->idx) !=
	    KGO_SEL_PENDING)
		return 0;
	kgo_xfer_apply(w, x);
	/*
	 * done moved before the wake-up: see kgo_sel_wait().
	 *
	 * The owner cannot return before it unlinks this waiter under the
	 * lock we hold, so its task is alive here; a deferred wake-up
	 * holds a task reference, and a wake-up that comes after the
	 * owner saw done and left is spurious, which every sleep loop
	 * tolerates.
	 */
	if (!READ_ONCE(sel->sleeping))
		return 1;	/* it spins, and sees done: kgo_sel_wait() */
	if (x->defer) {
		get_task_struct(sel->task);
		x->defer->task[x->defer->n++] = sel->task;
	} else {
		wake_up_process(sel->task);
	}
	return 1;
}

/* ---- arming --------------------------------------------------------------- */

/**
 * kgo_select_check() - validate the cases of a select
 * @cases: the cases
 * @n:     their number
 *
 * Return: 0, or -EINVAL for @n over KGO_SELECT_MAX, a bad dir, or a send
 * case without a value on a channel whose elements are not empty.
 */
int kgo_select_check(const struct kgo_select_case *cases, unsigned int n)
{
	unsigned int i;

	if (n > KGO_SELECT_MAX || (n && !cases))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct kgo_select_case *c = &cases[i];

		if (c->dir != KGO_SELECT_SEND && c->dir != KGO_SELECT_RECV)
			return -EINVAL;
		if (c->dir == KGO_SELECT_SEND && c->ch && c->ch->elem_size &&
		    !c->val)
			return -EINVAL;
	}
	return 0;
}

/**
 * kgo_sel_arm_init() - prepare the arming of a select
 * @a:     the state, on the caller's stack
 * @sel:   the claim word (and sleeper)
 * @cases: the cases, checked (kgo_select_check()); results go to the
 *         completed case's ok and err
 * @n:     their number
 * @flags: KGO_NONBLOCK, KGO_BIASED
 * @wake:  the wake function of the waiters
 * @w:     n waiter records indexed by case, or NULL for the arm's own
 *         (taken only when pass 2 needs them: from a->wbuf, which the
 *         caller may point at stack room after this call, or allocated)
 * @gfp:   for the allocations of more than the stack holds
 *
 * Release with kgo_sel_arm_release(), whatever happened.
 *
 * Return: 0 or -ENOMEM.
 */
int kgo_sel_arm_init(struct kgo_sel_arm *a, struct kgo_sel *sel,
		     struct kgo_select_case *cases, unsigned int n,
		     unsigned int flags, wait_queue_func_t wake,
		     struct kgo_waiter *w, gfp_t gfp)
{
	a->sel = sel;
	a->cases = cases;
	a->n = n;
	a->flags = flags;
	a->wake = wake;
	a->gfp = gfp;
	a->w = w;
	a->w_alloced = false;
	a->wbuf = NULL;
	a->nwbuf = 0;
	a->order = a->ostack;
	a->lockorder = a->lstack;
	a->m = 0;
	a->queued = 0;
	a->rounds = 0;
	a->chosen = -1;
	if (n > KGO_SEL_ORDER_STACK) {
		a->order = kvmalloc_array(n, sizeof(*a->order), gfp);
		if (!a->order) {
			a->order = a->ostack;
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * kgo_sel_arm_release() - free what the arming allocated
 * @a: the state; its waiters must be unlinked (kgo_sel_disarm())
 */
void kgo_sel_arm_release(struct kgo_sel_arm *a)
{
	if (a->w_alloced)
		kvfree(a->w);
	if (a->lockorder != a->lstack)
		kvfree(a->lockorder);
	if (a->order != a->ostack)
		kvfree(a->order);
}

/* The arm's own waiter records, when the caller gave none. */
static int kgo_sel_need_waiters(struct kgo_sel_arm *a)
{
	if (a->w)
		return 0;
	if (a->n <= a->nwbuf) {
		a->w = a->wbuf;
		return 0;
	}
	a->w = kvmalloc_array(a->n, sizeof(*a->w), a->gfp);
	a->w_alloced = a->w;
	return a->w ? 0 : -ENOMEM;
}

static int kgo_sel_need_lockorder(struct kgo_sel_arm *a)
{
	if (a->m <= KGO_SEL_LOCK_STACK || a->lockorder != a->lstack)
		return 0;
	a->lockorder = kvmalloc_array(a->m, sizeof(*a->lockorder), a->gfp);
	if (a->lockorder)
		return 0;
	a->lockorder = a->lstack;
	return -ENOMEM;
}

/*
 * Fill case k's waiter and queue it; under its channel's lock.  The
 * caller then wakes the channel's poll()ers (kgo_chan_notify()): a
 * partner now waits, so poll() may say ready.
 */
static void kgo_sel_queue(struct kgo_sel_arm *a, unsigned int k)
{
	struct kgo_select_case *c = &a->cases[k];
	struct kgo_waiter *w = &a->w[k];

	lockdep_assert_held(&c->ch->lock);
	init_waitqueue_func_entry(&w->entry, a->wake);
	w->sel = a->sel;
	w->ch = c->ch;
	w->elem = c->val;
	w->idx = k;
	w->dir = c->dir;
	w->ok = false;
	w->err = 0;
	kgo_waiter_enqueue(c->ch, w);
}

static void kgo_sel_enqueue(struct kgo_sel_arm *a, unsigned int k)
{
	kgo_sel_queue(a, k);
	kgo_chan_notify(a->cases[k].ch);
}

/* Case k completed while arming: the select's one case. */
static int kgo_sel_chosen(struct kgo_sel_arm *a, unsigned int k)
{
	a->chosen = k;
	atomic_set(&a->sel->done, k);
	return KGO_ARM_DONE;
}

/*
 * Every channel locked at once: try the cases in order; if none is
 * ready and @park, queue every waiter under the same holds.  Nobody can
 * make a case ready between the tries and the queueing, so this never
 * aborts.  The poll()ers are woken after the unlock, so that the time
 * with every lock held and interrupts off does not include their wake
 * functions: the waiters were published by each channel's unlock, and
 * gochan_chan_poll() reads the channel under its lock.  The channels'
 * watches (selectors' cases, at most KGO_CHAN_WATCH_MAX per channel)
 * run under the holds, as after every change (kgo_chan_watch_notify()).
 *
 * Without memory for the waiters, a ready case still completes: only a
 * select that would have to wait fails with -ENOMEM.
 */
static int kgo_sel_arm_locked(struct kgo_sel_arm *a, bool park)
{
	unsigned int i, nlocked;
	unsigned long irqflags;
	bool nomem = false;
	int ret;

	ret = kgo_sel_need_lockorder(a);
	if (ret)
		return ret;
	if (park && kgo_sel_need_waiters(a)) {
		park = false;
		nomem = true;
	}
	nlocked = kgo_sel_lock_all(a->cases, a->order, a->m, a->lockorder,
				   &irqflags);
	ret = park ? KGO_ARM_PARKED : KGO_ARM_NONE;
	for (i = 0; i < a->m; i++) {
		if (kgo_try_case(&a->cases[a->order[i]], a->sel)) {
			ret = kgo_sel_chosen(a, a->order[i]);
			break;
		}
	}
	if (ret == KGO_ARM_PARKED) {
		for (i = 0; i < a->m; i++)
			kgo_sel_queue(a, a->order[i]);
		a->queued = a->m;
		/* Watches run in the hold of the change (chan.c). */
		for (i = 0; i < a->m; i++)
			kgo_chan_watch_notify(a->cases[a->order[i]].ch);
	}
	kgo_sel_unlock_all(a->lockorder, nlocked, irqflags);
	if (ret == KGO_ARM_PARKED) {
		for (i = 0; i < a->m; i++)
			kgo_chan_notify_unlocked(a->cases[a->order[i]].ch);
	}
	if (ret == KGO_ARM_NONE && nomem)
		return -ENOMEM;
	return ret;
}

/*
 * A single case: try it and queue its waiter in one lock hold.  As in
 * kgo_sel_arm_locked(), a ready case completes even without memory for
 * the waiters.
 */
static int kgo_sel_arm_one(struct kgo_sel_arm *a, bool park)
{
	unsigned int k = a->order[0];
	struct kgo_chan *ch = a->cases[k].ch;
	unsigned long irqflags;
	bool nomem = false;
	int ret;

	if (park && kgo_sel_need_waiters(a)) {
		park = false;
		nomem = true;
	}
	spin_lock_irqsave(&ch->lock, irqflags);
	if (kgo_try_case(&a->cases[k], a->sel)) {
		ret = kgo_sel_chosen(a, k);
	} else if (park) {
		kgo_sel_enqueue(a, k);
		a->queued = 1;
		ret = KGO_ARM_PARKED;
	} else {
		ret = nomem ? -ENOMEM : KGO_ARM_NONE;
	}
	spin_unlock_irqrestore(&ch->lock, irqflags);
	return ret;
}

/**
 * kgo_sel_arm() - complete a ready case, or queue the select's waiters
 * @a: the state from kgo_sel_arm_init()
 *
 * Context: Any context; takes the channel locks with interrupts off.
 * Return: KGO_ARM_DONE (a->chosen completed, its result in its case);
 * KGO_ARM_NONE (KGO_NONBLOCK: no case was ready at one instant);
 * KGO_ARM_PARKED (a->queued waiters queued, none for a select without
 * a non-nil case; a waker may already have completed it: see done);
 * KGO_ARM_RETRY (a case became ready while queueing: nothing is queued,
 * arm again; after KGO_SEL_OPTIMISTIC of these the arm takes every lock
 * and cannot abort); or -ENOMEM.
 */
int kgo_sel_arm(struct kgo_sel_arm *a)
{
	struct kgo_sel *sel = a->sel;
	bool park = !(a->flags & KGO_NONBLOCK);
	unsigned long irqflags;
	unsigned int i;

	a->m = kgo_sel_order(a->cases, a->n, a->flags, a->order);
	a->queued = 0;
	atomic_set(&sel->done, KGO_SEL_PENDING);
	if (!a->m)
		return park ? KGO_ARM_PARKED : KGO_ARM_NONE;
	if (a->m == 1)
		return kgo_sel_arm_one(a, park);

	/*
	 * Pass 1: we are queued nowhere, so nobody else can complete this
	 * select.  A case tried under its own lock completes at that
	 * moment, a valid linearization point; but a case skipped or found
	 * not ready one lock at a time proves nothing about the others at
	 * that moment (a value can move from an unlooked-at channel to a
	 * looked-at one).  So "none ready" is final only under every lock,
	 * and a select that waits relies on pass 2's looks instead.
	 */
	for (i = 0; i < a->m; i++) {
		struct kgo_select_case *c = &a->cases[a->order[i]];
		bool hit;

		if (!kgo_case_maybe_ready(c))
			continue;
		spin_lock_irqsave(&c->ch->lock, irqflags);
		hit = kgo_try_case(c, sel);
		spin_unlock_irqrestore(&c->ch->lock, irqflags);
		if (hit)
			return kgo_sel_chosen(a, a->order[i]);
	}
	if (!park)
		return kgo_sel_arm_locked(a, false);
	if (a->rounds >= READ_ONCE(kgo_sel_optimistic)) {
		int ret = kgo_sel_arm_locked(a, true);

		/*
		 * Without memory for the lock order (more than
		 * KGO_SEL_LOCK_STACK channels, GFP_NOWAIT), stay optimistic
		 * rather than fail a select that could complete.
		 */
		if (ret != -ENOMEM) {
			data_race(gochan_sel_locked_arms++);	/* statistics */
			return ret;
		}
	}

	if (kgo_sel_need_waiters(a)) {
		/* As in kgo_sel_arm_locked(): a ready case still completes. */
		int ret = kgo_sel_arm_locked(a, false);

		return ret == KGO_ARM_NONE ? -ENOMEM : ret;
	}
	/*
	 * Pass 2: queue a waiter on every channel.  Each check for a case
	 * that became ready meanwhile is made under the same lock hold as
	 * the enqueue, so a peer that queued itself is either seen here or
	 * sees our waiter.
	 */
	for (i = 0; i < a->m; i++) {
		struct kgo_select_case *c = &a->cases[a->order[i]];
		bool ready;

		spin_lock_irqsave(&c->ch->lock, irqflags);
		if (atomic_read(&sel->done) != KGO_SEL_PENDING) {
			/* Completed by a waker on an earlier case. */
			spin_unlock_irqrestore(&c->ch->lock, irqflags);
			return KGO_ARM_PARKED;
		}
		ready = kgo_case_ready(c, sel);
		if (!ready) {
			kgo_sel_enqueue(a, a->order[i]);
			a->queued = i + 1;
		}
		spin_unlock_irqrestore(&c->ch->lock, irqflags);
		if (ready)
			break;
	}
	if (a->queued == a->m ||
	    atomic_cmpxchg(&sel->done, KGO_SEL_PENDING,
			   KGO_SEL_ABORTED) != KGO_SEL_PENDING)
		return KGO_ARM_PARKED;
	/*
	 * Aborted: no waker can complete us now.  Two selects can keep
	 * seeing each other's waiter and abort together; the caller's fresh
	 * random order (and resched, where it may) break the tie, and
	 * KGO_SEL_OPTIMISTIC bounds it.
	 */
	kgo_sel_disarm(a);
	a->rounds++;
	data_race(gochan_sel_aborts++);		/* statistics */
	return KGO_ARM_RETRY;
}

/**
 * kgo_waiters_unlink() - unlink waiters from their channels
 * @w:    the records
 * @n:    their number; records without a channel are skipped
 * @skip: an index to leave alone (a waker unlinked it), or -1
 *
 * Taking each channel's lock also waits out a waker that is still
 * copying into a waiter: after this, nobody touches the records.
 *
 * Context: Any context.
 */
void kgo_waiters_unlink(struct kgo_waiter *w, unsigned int n, int skip)
{
	unsigned long irqflags;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct kgo_chan *ch = w[i].ch;

		if (!ch || (int)i == skip)
			continue;
		spin_lock_irqsave(&ch->lock, irqflags);
		kgo_waiter_unlink(ch, &w[i]);
		spin_unlock_irqrestore(&ch->lock, irqflags);
	}
}

/**
 * kgo_sel_disarm() - unlink every waiter the last arm queued
 * @a: the state
 *
 * As kgo_waiters_unlink(): after it, no waker touches the records, and
 * the result of a completed case is in its waiter.
 */
void kgo_sel_disarm(struct kgo_sel_arm *a)
{
	unsigned long irqflags;
	unsigned int i;

	for (i = 0; i < a->queued; i++) {
		struct kgo_waiter *w = &a->w[a->order[i]];

		spin_lock_irqsave(&w->ch->lock, irqflags);
		kgo_waiter_unlink(w->ch, w);
		spin_unlock_irqrestore(&w->ch->lock, irqflags);
	}
}

/* ---- select ---------------------------------------------------------------- */

/**
 * kgo_select() - Go's select statement
 * @cases:    the cases; nil (NULL) channels are never ready
 * @n:        number of cases, at most KGO_SELECT_MAX
 * @flags:    KGO_NONBLOCK (Go's default case), KGO_INTERRUPTIBLE or
 *            KGO_KILLABLE, KGO_BIASED (the first ready case in array
 *            order instead of a uniformly random one)
 * @deadline: absolute CLOCK_MONOTONIC time, or KGO_FOREVER
 *
 * Exactly one case completes, or none when an error is returned.  Among
 * the cases ready at the time, one is chosen uniformly at random.  With
 * KGO_NONBLOCK it is linearizable: -EAGAIN means that at one instant no
 * case could complete (every channel is locked to find that instant).  The
 * same channel may appear in several cases; a select never matches a
 * send case against its own receive case.  With no non-nil case and no
 * KGO_NONBLOCK it waits for a signal or the deadline (Go's select {}).
 *
 * A send case on a closed channel is ready, as in Go; it is chosen with
 * its err set to -EPIPE (Go panics) and nothing sent.
 *
 * The caller must hold a reference on every channel in @cases until
 * kgo_select() returns.
 *
 * Context: Process context, unless KGO_NONBLOCK (then any context).
 * Return: the index of the chosen case; -EAGAIN with KGO_NONBLOCK when
 * none was ready; -ETIMEDOUT; -ERESTARTSYS on a signal; -EINVAL for bad
 * flags, @n, a case's dir, or a send case without a value on a channel
 * whose elements are not empty; -ENOMEM.
 */
int kgo_select(struct kgo_select_case *cases, unsigned int n,
	       unsigned int flags, ktime_t deadline)
{
	return kgo_select_why(cases, n, flags, deadline, KGO_WAIT_SELECT);
}
EXPORT_SYMBOL_GPL(kgo_select);

/* Is any event of kgo_sel_trace() on?  A static key each: near free. */
static bool kgo_sel_tracing(void)
{
	return trace_gochan_chan_send_enabled() ||
	       trace_gochan_chan_recv_enabled() ||
	       trace_gochan_select_enabled() || trace_gochan_block_enabled() ||
	       trace_gochan_unblock_enabled();
}

/* The event for a returning kgo_select_why(): ret as it returns. */
static void kgo_sel_trace(const struct kgo_select_case *cases,
			  unsigned int n, enum kgo_wait_reason why, int ret,
			  u64 wait_ns)
{
	const struct kgo_select_case *c = &cases[0];
	int err;

	if (why != KGO_WAIT_CHAN_SEND && why != KGO_WAIT_CHAN_RECV) {
		struct kgo_chan *ch = NULL;

		if (ret >= 0)
			ch = cases[ret].ch;
		trace_gochan_select(kgo_chan_id(ch), n, wait_ns, ret);
		return;
	}
	err = ret < 0 ? ret : c->err;
	if (why == KGO_WAIT_CHAN_SEND) {
		trace_gochan_chan_send(kgo_chan_id(c->ch), !err, wait_ns, err);
		return;
	}
	if (!err && !c->ok)
		err = -ENODATA;
	trace_gochan_chan_recv(kgo_chan_id(c->ch), !err, wait_ns, err);
}

int kgo_select_why(struct kgo_select_case *cases, unsigned int n,
		   unsigned int flags, ktime_t deadline,
		   enum kgo_wait_reason why)
{
	/* Sizes a caller chooses: charged to its memory cgroup. */
	gfp_t gfp = flags & KGO_NONBLOCK ? GFP_NOWAIT | __GFP_ACCOUNT :
					   GFP_KERNEL_ACCOUNT;
	struct kgo_waiter wstack[KGO_SEL_STACK];
	bool tracing = kgo_sel_tracing();
	u64 t0 = 0, wait_ns = 0;
	struct kgo_chan *first;
	struct kgo_sel_arm a;
	struct kgo_sel sel;
	unsigned int queued;
	int ret, done;

	if (flags & ~KGO_FLAGS_ALL)
		return -EINVAL;
	ret = kgo_select_check(cases, n);
	if (ret)
		return ret;
	sel.task = current;
	sel.sleeping = 1;
	ret = kgo_sel_arm_init(&a, &sel, cases, n, flags, kgo_waiter_wake,
			       NULL, gfp);
	if (ret)
		goto out;
	a.wbuf = wstack;
	a.nwbuf = ARRAY_SIZE(wstack);
	while ((ret = kgo_sel_arm(&a)) == KGO_ARM_RETRY) {
		/* Signals and the deadline still apply meanwhile. */
		ret = kgo_sel_retry_check(flags, deadline);
		if (ret)
			goto out;
		cond_resched();
	}
	if (ret == KGO_ARM_DONE) {
		ret = a.chosen;
		goto out;
	}
	if (ret == KGO_ARM_NONE)
		ret = -EAGAIN;
	if (ret != KGO_ARM_PARKED)
		goto out;

	queued = a.queued;
	gochan_obj_add(GOCHAN_OBJ_WAITERS, queued);
	ret = 0;
	if (atomic_read(&sel.done) == KGO_SEL_PENDING) {
		if (tracing) {
			t0 = ktime_get_ns();
			first = NULL;
			if (a.m)
				first = cases[a.order[0]].ch;
			trace_gochan_block(kgo_chan_id(first), queued, why);
		}
		ret = kgo_sel_wait(&sel, flags, deadline, queued, why);
	}
	if (ret && atomic_cmpxchg(&sel.done, KGO_SEL_PENDING,
				  KGO_SEL_CANCELLED) != KGO_SEL_PENDING)
		ret = 0;	/* completed while we gave up: it counts */

	/* Pass 3: dequeue everywhere; also waits out wakers. */
	kgo_sel_disarm(&a);
	gochan_obj_add(GOCHAN_OBJ_WAITERS, -(long)queued);
	done = ret ? -1 : atomic_read(&sel.done);
	if (t0) {
		wait_ns = ktime_get_ns() - t0;
		first = NULL;
		if (done >= 0)
			first = cases[done].ch;
		trace_gochan_unblock(kgo_chan_id(first), queued, wait_ns, ret);
	}
	if (ret)
		goto out;
	cases[done].ok = a.w[done].ok;
	cases[done].err = a.w[done].err;
	ret = done;
out:
	kgo_sel_arm_release(&a);
	if (tracing)
		kgo_sel_trace(cases, n, why, ret, wait_ns);
	return ret;
}

/* ---- single operations ------------------------------------------------------ */

static int kgo_chan_op(struct kgo_chan *ch, u32 dir, void *val, bool *ok,
		       unsigned int flags, ktime_t deadline)
{
	struct kgo_select_case c = { .ch = ch, .dir = dir, .val = val };
	int ret;

	if (flags & KGO_BIASED)
		return -EINVAL;
	ret = kgo_select_why(&c, 1, flags, deadline,
			     dir == KGO_SELECT_SEND ? KGO_WAIT_CHAN_SEND :
						      KGO_WAIT_CHAN_RECV);
	if (ret < 0)
		return ret;
	if (ok)
		*ok = c.ok;
	return c.err;
}

/**
 * kgo_chan_send_opts() - send, with flags and a deadline
 * @ch:       the channel; NULL (a nil channel) never becomes ready
 * @val:      elem_size bytes to send
 * @flags:    KGO_NONBLOCK, KGO_INTERRUPTIBLE or KGO_KILLABLE
 * @deadline: absolute CLOCK_MONOTONIC time, or KGO_FOREVER
 *
 * Either the value is delivered exactly once and 0 is returned, or it is
 * not delivered and an error is returned; never both, never neither, even
 * when a signal or the deadline races the delivery.
 *
 * Context: Process context; any context with KGO_NONBLOCK.
 * Return: 0; -EPIPE if the channel is closed (before or while waiting);
 * -EAGAIN (KGO_NONBLOCK); -ETIMEDOUT; -ERESTARTSYS; -EINVAL for bad
 * flags.
 */
int kgo_chan_send_opts(struct kgo_chan *ch, const void *val,
		       unsigned int flags, ktime_t deadline)
{
	return kgo_chan_op(ch, KGO_SELECT_SEND, (void *)val, NULL, flags,
			   deadline);
}
EXPORT_SYMBOL_GPL(kgo_chan_send_opts);

/**
 * kgo_chan_recv_opts() - receive, with flags and a deadline
 * @ch:       the channel; NULL never becomes ready
 * @val:      where to receive elem_size bytes, or NULL to discard
 * @ok:       out: true for a value, false when closed and drained (then
 *            @val is zeroed); may be NULL
 * @flags:    KGO_NONBLOCK, KGO_INTERRUPTIBLE or KGO_KILLABLE
 * @deadline: absolute CLOCK_MONOTONIC time, or KGO_FOREVER
 *
 * A value is taken exactly once: on an error return none was taken.
 *
 * Context: Process context; any context with KGO_NONBLOCK.
 * Return: 0, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS, or -EINVAL.
 */
int kgo_chan_recv_opts(struct kgo_chan *ch, void *val, bool *ok,
		       unsigned int flags, ktime_t deadline)
{
	return kgo_chan_op(ch, KGO_SELECT_RECV, val, ok, flags, deadline);
}
EXPORT_SYMBOL_GPL(kgo_chan_recv_opts);

/* ---- batched transfers ------------------------------------------------------ */

/* The event for one lock hold of kgo_chan_xfer(): n values moved. */
static void kgo_xfer_trace(struct kgo_chan *ch, u32 dir, unsigned int n,
			   int ret)
{
	if (dir == KGO_SELECT_SEND)
		trace_gochan_chan_send(ch->id, n, 0, ret);
	else
		trace_gochan_chan_recv(ch->id, n, 0, ret);
}

/* Does value i of a kgo_chan_xfer() call wait, if it must? */
static bool kgo_xfer_waits(unsigned int flags, unsigned int i)
{
	return !(flags & KGO_NONBLOCK) && (!i || (flags & KGO_XFER_WAITALL));
}

/**
 * kgo_chan_xfer() - move up to @n values through @ch, the batched
 * ioctls' one transfer call
 * @ch:       the channel
 * @dir:      KGO_SELECT_SEND (the values at @vals) or KGO_SELECT_RECV
 *            (into @vals; NULL discards)
 * @vals:     @n * elem_size bytes, kernel memory
 * @n:        how many
 * @flags:    KGO_NONBLOCK: never wait; KGO_XFER_WAITALL: wait for each
 *            value; neither: wait for the first only, then move what
 *            needs no waiting.  KGO_INTERRUPTIBLE or KGO_KILLABLE for
 *            the waits.
 * @deadline: for the waits: absolute CLOCK_MONOTONIC time, or KGO_FOREVER
 * @moved:    out: how many values moved, whatever the return
 *
 * The values that need no waiting move under one hold of the channel
 * lock each KGO_XFER_HOLD_MAX of them; a value that must wait goes
 * through the select engine as a one-case select.
 *
 * Context: Process context.
 * Return: 0 (every value moved, or some and the next would wait);
 * -EAGAIN (none moved, and none could without waiting); -EPIPE (a send
 * found the channel closed: that value and the rest not sent); -ENODATA
 * (a receive found the channel closed and drained); -ETIMEDOUT or
 * -ERESTARTSYS (while waiting).
 */
int kgo_chan_xfer(struct kgo_chan *ch, u32 dir, void *vals, unsigned int n,
		  unsigned int flags, ktime_t deadline, unsigned int *moved)
{
	struct kgo_select_case c = { .ch = ch, .dir = dir };
	unsigned int wflags = flags & (KGO_INTERRUPTIBLE | KGO_KILLABLE);
	size_t sz = ch->elem_size;
	unsigned long irqflags;
	unsigned int i = 0, hold, held;
	bool waits;
	int ret;

	*moved = 0;
	while (i < n) {
		waits = kgo_xfer_waits(flags, i);
		/*
		 * The lockless look may skip the lock only when the value
		 * would wait anyway: its select looks again under the lock.
		 * An answer of "nothing moves" comes from under the lock.
		 */
		if (!waits || kgo_case_maybe_ready(&c)) {
			hold = min(n - i, KGO_XFER_HOLD_MAX);
			ret = 0;
			spin_lock_irqsave(&ch->lock, irqflags);
			for (; hold; hold--, i++) {
				c.val = vals ? vals + (size_t)i * sz : NULL;
				if (!kgo_try_case(&c, NULL)) {
					ret = -EAGAIN;
					break;
				}
				if (c.err || (dir == KGO_SELECT_RECV && !c.ok)) {
					ret = c.err ?: -ENODATA;
					break;
				}
			}
			spin_unlock_irqrestore(&ch->lock, irqflags);
			held = i - *moved;
			*moved = i;
			if (ret && ret != -EAGAIN) {
				kgo_xfer_trace(ch, dir, held, ret);
				return ret;
			}
			if (!ret) {
				kgo_xfer_trace(ch, dir, held, 0);
				cond_resched();
				continue;
			}
			/* Values moved: the next waits only with WAITALL. */
			waits = kgo_xfer_waits(flags, i);
			/* One event for the hold, or for the call that fails. */
			if (held || (!waits && !i && !(flags & KGO_XFER_MOVED)))
				kgo_xfer_trace(ch, dir, held, held ? 0 : -EAGAIN);
			if (!waits)
				return i ? 0 : -EAGAIN;
		}
		c.val = vals ? vals + (size_t)i * sz : NULL;
		ret = kgo_select_why(&c, 1, wflags, deadline,
				     dir == KGO_SELECT_SEND ? KGO_WAIT_CHAN_SEND :
							      KGO_WAIT_CHAN_RECV);
		if (ret < 0)
			return ret;
		if (c.err)
			return c.err;
		if (dir == KGO_SELECT_RECV && !c.ok)
			return -ENODATA;
		*moved = ++i;
	}
	return 0;
}
