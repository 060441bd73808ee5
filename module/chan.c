// SPDX-License-Identifier: GPL-2.0
/*
 * Channels with Go's semantics, select, and timer channels.
 *
 * A channel (struct kgo_chan) is Go's hchan: a lock, a ring buffer of
 * cap elements, and two wait queues, recvq and sendq.  Where Go keeps
 * sudog records, gochan keeps wait_queue_entry_t records (struct
 * kgo_waiter) whose wake function completes the transfer, as pollwake()
 * does in fs/select.c: a sender that finds a waiting receiver calls the
 * receiver's wake function, which claims the receiver's select, copies
 * the value into the receiver's slot and wakes its task.
 *
 * Every blocking operation is a select: a struct kgo_sel with an atomic
 * "done" word and one waiter per case.  A waker completes a waiter only
 * after winning the cmpxchg of done from PENDING to the case's index, so
 * exactly one case of a select completes, and a timeout or signal that
 * wins the same cmpxchg (to CANCELLED) means nothing was transferred.
 * Documentation/channels.rst has the protocol and its proofs.
 *
 * Lock order: a select that must see several channels at one instant
 * (kgo_sel_lock_all()) takes the fake lock kgo_sellock, then the
 * channels' locks in address order; everything else holds one channel
 * lock at a time.  A waiter's wake function runs under its channel's
 * lock and may take the scheduler's locks (a continuation starts a
 * goroutine), so those nest inside ch->lock, never around it.
 */
#include <linux/hrtimer.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/sched/stat.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "chan.h"
#include "internal.h"

static struct workqueue_struct *kgo_chan_wq;
static atomic_t kgo_chans_alive = ATOMIC_INIT(0);

/*
 * The longest hold of a channel lock by kgo_chan_close() since it was
 * last reset (debugfs close_max_hold_ns): interrupts are off for that
 * long.  Statistics: racy updates may lose a maximum or a count.
 */
u64 gochan_close_max_hold_ns;
u64 gochan_close_holds;			/* and how many there were */
u64 gochan_close_hold_ns;		/* and their total */
u64 gochan_close_waiters;		/* waiters they unlinked */

/* ---- waiters -------------------------------------------------------------- */

void kgo_xfer_apply(struct kgo_waiter *w, const struct kgo_xfer *x)
{
	if (w->dir == KGO_SELECT_RECV) {
		if (w->elem && x->size) {
			if (x->closed)
				memset(w->elem, 0, x->size);
			else
				memcpy(w->elem, x->src, x->size);
		}
		w->ok = !x->closed;
		w->err = 0;
	} else {
		if (!x->err && x->dst && x->size)
			memcpy(x->dst, w->elem, x->size);
		w->err = x->err;
	}
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
	 * The owner cannot return before it unlinks this waiter under the
	 * lock we hold, so its task is alive here; a deferred wake-up
	 * holds a task reference, and a wake-up that comes after the
	 * owner saw done and left is spurious, which every sleep loop
	 * tolerates.
	 */
	if (x->defer) {
		get_task_struct(sel->task);
		x->defer->task[x->defer->n++] = sel->task;
	} else {
		wake_up_process(sel->task);
	}
	return 1;
}

/**
 * kgo_waiter_enqueue() - link a waiter on its channel's queue
 * @ch: the channel, locked
 * @w:  the waiter; w->dir picks sendq or recvq
 */
void kgo_waiter_enqueue(struct kgo_chan *ch, struct kgo_waiter *w)
{
	lockdep_assert_held(&ch->lock);
	if (w->dir == KGO_SELECT_SEND) {
		list_add_tail(&w->entry.entry, &ch->sendq.head);
		WRITE_ONCE(ch->nsendq, ch->nsendq + 1);
	} else {
		list_add_tail(&w->entry.entry, &ch->recvq.head);
		WRITE_ONCE(ch->nrecvq, ch->nrecvq + 1);
	}
}

/**
 * kgo_waiter_unlink() - unlink a waiter, if a waker has not already
 * @ch: the channel, locked
 * @w:  the waiter
 */
void kgo_waiter_unlink(struct kgo_chan *ch, struct kgo_waiter *w)
{
	lockdep_assert_held(&ch->lock);
	if (list_empty(&w->entry.entry))
		return;
	list_del_init(&w->entry.entry);
	if (w->dir == KGO_SELECT_SEND)
		WRITE_ONCE(ch->nsendq, ch->nsendq - 1);
	else
		WRITE_ONCE(ch->nrecvq, ch->nrecvq - 1);
}

/*
 * Complete the first waiter on q that is not one of self's own (a select
 * never matches itself) and whose select is still pending.  Every waiter
 * passed over is stale, its select done elsewhere: it is unlinked too;
 * its owner's cleanup copes with that.
 */
static bool kgo_wq_complete_one(struct kgo_chan *ch, wait_queue_head_t *q,
				struct kgo_sel *self, struct kgo_xfer *x)
{
	struct wait_queue_entry *e, *tmp;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry_safe(e, tmp, &q->head, entry) {
		struct kgo_waiter *w = container_of(e, struct kgo_waiter, entry);

		if (w->sel == self)
			continue;
		kgo_waiter_unlink(ch, w);
		if (e->func(e, TASK_NORMAL, 0, x))
			return true;
	}
	return false;
}

/* ---- channel objects ----------------------------------------------------- */

static void *kgo_slot(struct kgo_chan *ch, unsigned int i)
{
	return ch->buf + (size_t)i * ch->elem_size;
}

/**
 * kgo_chan_make() - create a channel: Go's make(chan T, cap)
 * @elem_size: bytes per element, at most KGO_CHAN_MAX_ELEM; 0 is allowed
 *             (Go's chan struct{})
 * @cap:       buffer capacity; 0 makes an unbuffered (rendezvous) channel.
 *             @cap * @elem_size is at most KGO_CHAN_MAX_BUF.
 * @gfp:       allocation flags (GFP_KERNEL_ACCOUNT for buffers charged to
 *             a user)
 *
 * The channel starts with one reference, dropped with kgo_chan_put().
 *
 * Context: Process context if @gfp may sleep.
 * Return: the channel, ERR_PTR(-EINVAL) for a size over the limits, or
 * ERR_PTR(-ENOMEM).
 */
struct kgo_chan *kgo_chan_make(size_t elem_size, unsigned int cap, gfp_t gfp)
{
	struct kgo_chan *ch;
	size_t bytes;

	if (elem_size > KGO_CHAN_MAX_ELEM ||
	    check_mul_overflow(elem_size, (size_t)cap, &bytes) ||
	    bytes > KGO_CHAN_MAX_BUF)
		return ERR_PTR(-EINVAL);
	ch = kzalloc(sizeof(*ch), gfp);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	if (bytes) {
		ch->buf = kvzalloc(bytes, gfp);
		if (!ch->buf) {
			kfree(ch);
			return ERR_PTR(-ENOMEM);
		}
	}
	spin_lock_init(&ch->lock);
	init_waitqueue_head(&ch->recvq);
	init_waitqueue_head(&ch->sendq);
	init_waitqueue_head(&ch->pollwq);
	refcount_set(&ch->ref, 1);
	ch->elem_size = elem_size;
	ch->dataqsiz = cap;
	atomic_inc(&kgo_chans_alive);
	return ch;
}
EXPORT_SYMBOL_GPL(kgo_chan_make);

/**
 * kgo_chan_get() - take a reference on a channel
 * @ch: the channel
 *
 * Context: Any context.
 * Return: @ch.
 */
struct kgo_chan *kgo_chan_get(struct kgo_chan *ch)
{
	refcount_inc(&ch->ref);
	return ch;
}
EXPORT_SYMBOL_GPL(kgo_chan_get);

static void kgo_chan_free(struct kgo_chan *ch)
{
	if (ch->timer) {
		hrtimer_cancel(&ch->timer->t);
		kfree(ch->timer);
		gochan_obj_add(GOCHAN_OBJ_TIMERS, -1);
	}
	WARN_ON_ONCE(!list_empty(&ch->recvq.head) ||
		     !list_empty(&ch->sendq.head));
	kvfree(ch->buf);
	kfree(ch);
	atomic_dec(&kgo_chans_alive);
}

static void kgo_chan_free_work(struct work_struct *work)
{
	kgo_chan_free(container_of(work, struct kgo_chan, free_work));
}

/**
 * kgo_chan_put() - drop a reference; the last one frees the channel
 * @ch: the channel, or NULL
 *
 * Context: Any context; where the caller cannot sleep the freeing is
 * deferred to a work item.
 */
void kgo_chan_put(struct kgo_chan *ch)
{
	if (!ch || !refcount_dec_and_test(&ch->ref))
		return;
	if (preemptible()) {
		kgo_chan_free(ch);
	} else {
		INIT_WORK(&ch->free_work, kgo_chan_free_work);
		queue_work(kgo_chan_wq, &ch->free_work);
	}
}
EXPORT_SYMBOL_GPL(kgo_chan_put);

/* Wake poll()ers after a change: a value, room, a waiter, or close. */
void kgo_chan_notify(struct kgo_chan *ch)
{
	lockdep_assert_held(&ch->lock);
	if (wq_has_sleeper(&ch->pollwq))
		wake_up_all(&ch->pollwq);
}

/* ---- operations, under the channel lock --------------------------------- */

/* Go's chansend, steps 1-3.  Returns true when the case completed. */
static bool kgo_try_send(struct kgo_chan *ch, struct kgo_select_case *c,
			 struct kgo_sel *self)
{
	struct kgo_xfer x = { .src = c->val, .size = ch->elem_size };

	lockdep_assert_held(&ch->lock);
	if (ch->closed) {
		c->err = -EPIPE;
		return true;
	}
	/* A receiver is waiting: hand the value straight to it. */
	if (kgo_wq_complete_one(ch, &ch->recvq, self, &x))
		goto sent;
	if (ch->qcount < ch->dataqsiz) {
		if (ch->elem_size)
			memcpy(kgo_slot(ch, ch->sendx), c->val, ch->elem_size);
		if (++ch->sendx == ch->dataqsiz)
			ch->sendx = 0;
		WRITE_ONCE(ch->qcount, ch->qcount + 1);
		goto sent;
	}
	return false;
sent:
	c->err = 0;
	kgo_chan_notify(ch);
	return true;
}

static void kgo_timer_slot_freed(struct kgo_chan *ch);

/*
 * Go's chanrecv, steps 1-4.  Returns true when the case completed.  A
 * value that leaves the channel here has been delivered: the caller's
 * c->val cannot fault (kernel memory, or pinned user pages copied to
 * after the unlock, see uchan.c), so it is never put back.
 */
static bool kgo_try_recv(struct kgo_chan *ch, struct kgo_select_case *c,
			 struct kgo_sel *self)
{
	struct kgo_xfer x = { .size = ch->elem_size };
	size_t sz = ch->elem_size;

	lockdep_assert_held(&ch->lock);
	c->err = 0;
	if (ch->qcount) {
		void *head = kgo_slot(ch, ch->recvx);

		if (c->val && sz)
			memcpy(c->val, head, sz);
		/*
		 * Full buffer and a sender waiting: its value goes into the
		 * slot just freed, which becomes the tail (FIFO kept).  A
		 * sender still queued on a closed channel is failing, not
		 * sending.
		 */
		x.dst = head;
		if (ch->qcount == ch->dataqsiz && !ch->closed &&
		    kgo_wq_complete_one(ch, &ch->sendq, self, &x)) {
			if (++ch->recvx == ch->dataqsiz)
				ch->recvx = 0;
			ch->sendx = ch->recvx;
		} else {
			if (++ch->recvx == ch->dataqsiz)
				ch->recvx = 0;
			WRITE_ONCE(ch->qcount, ch->qcount - 1);
			if (unlikely(ch->timer))
				kgo_timer_slot_freed(ch);
		}
		goto received;
	}
	if (ch->closed) {
		if (c->val && sz)
			memset(c->val, 0, sz);
		c->ok = false;
		return true;
	}
	/* Unbuffered (or empty): take a waiting sender's value directly. */
	x.dst = c->val;
	if (kgo_wq_complete_one(ch, &ch->sendq, self, &x))
		goto received;
	return false;
received:
	c->ok = true;
	kgo_chan_notify(ch);
	return true;
}

bool kgo_try_case(struct kgo_select_case *c, struct kgo_sel *self)
{
	return c->dir == KGO_SELECT_SEND ? kgo_try_send(c->ch, c, self) :
					   kgo_try_recv(c->ch, c, self);
}

/* Is a waiter on q, not one of self's, still waiting to be completed? */
static bool kgo_wq_has_partner(struct kgo_chan *ch, wait_queue_head_t *q,
			       struct kgo_sel *self)
{
	struct wait_queue_entry *e;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry(e, &q->head, entry) {
		struct kgo_waiter *w = container_of(e, struct kgo_waiter, entry);

		if (w->sel != self &&
		    atomic_read(&w->sel->done) == KGO_SEL_PENDING)
			return true;
	}
	return false;
}

/**
 * kgo_chan_ready() - would a send or receive on @ch complete now?
 * @ch:  the channel
 * @dir: KGO_SELECT_SEND or KGO_SELECT_RECV
 *
 * Looked at under the channel lock: a "no" is a linearizable answer
 * for a non-blocking call (one channel, one instant).
 */
bool kgo_chan_ready(struct kgo_chan *ch, u32 dir)
{
	struct kgo_select_case c = { .ch = ch, .dir = dir };
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&ch->lock, flags);
	ready = kgo_case_ready(&c, NULL);
	spin_unlock_irqrestore(&ch->lock, flags);
	return ready;
}

/* Would kgo_try_case() complete now?  Changes nothing. */
bool kgo_case_ready(struct kgo_select_case *c, struct kgo_sel *self)
{
	struct kgo_chan *ch = c->ch;

	lockdep_assert_held(&ch->lock);
	if (c->dir == KGO_SELECT_SEND)
		return ch->closed || ch->qcount < ch->dataqsiz ||
		       kgo_wq_has_partner(ch, &ch->recvq, self);
	return ch->qcount || ch->closed ||
	       kgo_wq_has_partner(ch, &ch->sendq, self);
}

/* ---- select ---------------------------------------------------------------- */

/* Values moved per hold of a channel lock by kgo_chan_xfer_nowait(). */
#define KGO_XFER_HOLD_MAX	64U

/*
 * Pass 1's lockless hint: false only when the case was not ready at the
 * moment of reading.  It lets a select that goes on to wait skip the
 * locks of idle channels: pass 2 looks again under each lock before it
 * relies on "not ready".  It is never a final answer: a non-blocking
 * select answers "none ready" only under every lock (kgo_sel_lock_all()).
 * Racy by design; the fields are written under ch->lock with
 * WRITE_ONCE().
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
	ktime_t end;

	if (!budget || num_online_cpus() < 2 || !kgo_may_spin())
		return false;
	end = ktime_add_ns(ktime_get(), budget);
	if (deadline < end)
		end = deadline;
	while (atomic_read(&sel->done) == KGO_SEL_PENDING) {
		/*
		 * Another task runnable here (the partner, on this CPU?):
		 * spinning would only delay it.  KVM's halt polling stops
		 * on the same test.  Every so often, look at the clock and
		 * at this goroutine's P (the partner may be queued there).
		 */
		if (need_resched() || !single_task_running() ||
		    signal_pending(current))
			return false;
		if (!(++i % 32) && (ktime_get() > end || !kgo_may_spin()))
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * Sleep until the select is done, a signal, or the deadline.  Returns 0
 * when a waker completed it, else -ERESTARTSYS or -ETIMEDOUT (the caller
 * still has to win the cancel cmpxchg).
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
		if (deadline == KGO_FOREVER) {
			schedule();
		} else {
			ktime_t dl = deadline;

			if (!schedule_hrtimeout_range(&dl, 0, HRTIMER_MODE_ABS)) {
				ret = -ETIMEDOUT;
				break;
			}
		}
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

/* Waiters (pass 2), the case order and the lock order on the stack. */
#define KGO_SEL_STACK		4
#define KGO_SEL_ORDER_STACK	64
#define KGO_SEL_LOCK_STACK	8

/*
 * Unlink a select's waiters.  Taking each channel's lock also waits out
 * a waker that is still copying into a waiter: after this, nobody
 * touches the records, which live on the caller's stack.
 */
static void kgo_sel_dequeue(struct kgo_waiter *w, unsigned int queued)
{
	unsigned long irqflags;
	unsigned int i;

	for (i = 0; i < queued; i++) {
		struct kgo_chan *ch = w[i].ch;

		spin_lock_irqsave(&ch->lock, irqflags);
		kgo_waiter_unlink(ch, &w[i]);
		spin_unlock_irqrestore(&ch->lock, irqflags);
	}
	gochan_obj_add(GOCHAN_OBJ_WAITERS, -(long)queued);
}

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

int kgo_select_why(struct kgo_select_case *cases, unsigned int n,
		   unsigned int flags, ktime_t deadline,
		   enum kgo_wait_reason why)
{
	struct kgo_chan *lstack[KGO_SEL_LOCK_STACK], **lockorder = lstack;
	struct kgo_waiter wstack[KGO_SEL_STACK], *w = wstack;
	u16 ostack[KGO_SEL_ORDER_STACK], *order = ostack;
	/* Sizes a caller chooses: charged to its memory cgroup. */
	gfp_t gfp = flags & KGO_NONBLOCK ? GFP_NOWAIT | __GFP_ACCOUNT :
					   GFP_KERNEL_ACCOUNT;
	unsigned int i, m, queued, nlocked;
	unsigned long irqflags;
	struct kgo_sel sel;
	int ret, done;

	if (flags & ~KGO_FLAGS_ALL || n > KGO_SELECT_MAX || (n && !cases))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct kgo_select_case *c = &cases[i];

		if (c->dir > KGO_SELECT_SEND)
			return -EINVAL;
		/* A send needs a value, unless elements are empty. */
		if (c->dir == KGO_SELECT_SEND && c->ch && c->ch->elem_size &&
		    !c->val)
			return -EINVAL;
	}
	if (n > KGO_SEL_ORDER_STACK) {
		order = kvmalloc_array(n, sizeof(*order), gfp);
		if (!order)
			return -ENOMEM;
	}
	sel.task = current;
retry:
	m = kgo_sel_order(cases, n, flags, order);
	atomic_set(&sel.done, KGO_SEL_PENDING);
	queued = 0;

	/*
	 * Pass 1: perform the first ready case (Go's selectgo pass 1).  We
	 * are queued nowhere, so nobody else can complete this select.
	 * A lockless hint skips the channels that look idle: a case tried
	 * under its own lock completes at that moment, which is a valid
	 * linearization point, but a case skipped or found not ready one
	 * lock at a time proves nothing about the others at that moment
	 * (a value can move from an unlooked-at channel to a looked-at one).
	 * So "none ready" is final only from the locked pass below, and a
	 * waiting select relies on pass 2 instead.
	 */
	for (i = 0; i < m && m > 1; i++) {
		struct kgo_select_case *c = &cases[order[i]];
		bool hit;

		if (!kgo_case_maybe_ready(c))
			continue;
		spin_lock_irqsave(&c->ch->lock, irqflags);
		hit = kgo_try_case(c, &sel);
		spin_unlock_irqrestore(&c->ch->lock, irqflags);
		if (hit) {
			ret = order[i];
			goto out;
		}
	}
	if ((flags & KGO_NONBLOCK) ||
	    (m == 1 && kgo_case_maybe_ready(&cases[order[0]]))) {
		/*
		 * Pass 1 again with every channel locked (Go's sellock):
		 * linearizable at the instant all locks are held, so a
		 * non-blocking select takes "default" only when at that
		 * instant no case was ready, and a ready case is chosen
		 * uniformly (the random order).  One case costs one lock.
		 */
		if (m > KGO_SEL_LOCK_STACK && lockorder == lstack) {
			lockorder = kvmalloc_array(m, sizeof(*lockorder), gfp);
			if (!lockorder) {
				lockorder = lstack;
				ret = -ENOMEM;
				goto out;
			}
		}
		nlocked = kgo_sel_lock_all(cases, order, m, lockorder,
					   &irqflags);
		ret = -EAGAIN;
		for (i = 0; i < m; i++) {
			if (kgo_try_case(&cases[order[i]], &sel)) {
				ret = order[i];
				break;
			}
		}
		kgo_sel_unlock_all(lockorder, nlocked, irqflags);
		if (ret >= 0 || (flags & KGO_NONBLOCK))
			goto out;
	}
	/* Waiter records for pass 2, only now that they are needed. */
	if (m > KGO_SEL_STACK && w == wstack) {
		w = kvmalloc_array(m, sizeof(*w), GFP_KERNEL_ACCOUNT);
		if (!w) {
			w = wstack;
			ret = -ENOMEM;
			goto out;
		}
	}

	/*
	 * Pass 2: queue a waiter on every channel.  Each check for a case
	 * that became ready meanwhile is made under the same lock hold as
	 * the enqueue, so a peer that queued itself is either seen here or
	 * sees our waiter.  If one is ready, abort (one cmpxchg, so a waker
	 * cannot complete us afterwards), dequeue, and start over.
	 */
	for (i = 0; i < m; i++) {
		unsigned int k = order[i];
		struct kgo_select_case *c = &cases[k];
		struct kgo_waiter *wk = &w[i];
		bool ready;

		spin_lock_irqsave(&c->ch->lock, irqflags);
		if (atomic_read(&sel.done) != KGO_SEL_PENDING) {
			spin_unlock_irqrestore(&c->ch->lock, irqflags);
			break;
		}
		ready = kgo_case_ready(c, &sel);
		if (!ready) {
			init_waitqueue_func_entry(&wk->entry, kgo_waiter_wake);
			wk->sel = &sel;
			wk->ch = c->ch;
			wk->dir = c->dir;
			wk->elem = c->val;
			wk->idx = k;
			wk->ok = false;
			wk->err = 0;
			kgo_waiter_enqueue(c->ch, wk);
			queued = i + 1;
			gochan_obj_add(GOCHAN_OBJ_WAITERS, 1);
			/* A partner now waits: poll() may say ready. */
			kgo_chan_notify(c->ch);
		}
		spin_unlock_irqrestore(&c->ch->lock, irqflags);
		if (ready)
			break;
	}

	ret = 0;
	if (queued < m && atomic_cmpxchg(&sel.done, KGO_SEL_PENDING,
					 KGO_SEL_ABORTED) == KGO_SEL_PENDING) {
		kgo_sel_dequeue(w, queued);
		/*
		 * Two selects can keep seeing each other's waiter and abort
		 * together; a fresh random order and a resched break the
		 * tie.  Signals and the deadline still apply meanwhile.
		 */
		ret = kgo_sel_retry_check(flags, deadline);
		if (ret)
			goto out;
		cond_resched();
		goto retry;
	}
	if (atomic_read(&sel.done) == KGO_SEL_PENDING)
		ret = kgo_sel_wait(&sel, flags, deadline, queued, why);
	if (ret && atomic_cmpxchg(&sel.done, KGO_SEL_PENDING,
				  KGO_SEL_CANCELLED) != KGO_SEL_PENDING)
		ret = 0;	/* completed while we gave up: it counts */

	/* Pass 3: dequeue everywhere; also waits out wakers. */
	kgo_sel_dequeue(w, queued);
	if (ret)
		goto out;

	done = atomic_read(&sel.done);
	ret = done;
	for (i = 0; i < queued; i++) {
		if (w[i].idx == done) {
			cases[done].ok = w[i].ok;
			cases[done].err = w[i].err;
			break;
		}
	}
out:
	if (w != wstack)
		kvfree(w);
	if (lockorder != lstack)
		kvfree(lockorder);
	if (order != ostack)
		kvfree(order);
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

/*
 * kgo_chan_xfer_nowait() - the batched ioctls' fast path: up to n sends
 * (dir KGO_SELECT_SEND, values at vals) or receives (into vals; NULL
 * discards) that need no waiting, under one hold of the channel lock (at
 * most KGO_XFER_HOLD_MAX of them: fewer moved with *status 0 means "call
 * again").  Stops at the first that would wait, or at close: *status is
 * then -EAGAIN, -EPIPE (a send on a closed channel: that value not sent)
 * or -ENODATA (a receive found the channel closed and drained), else 0.
 * kflags has KGO_NONBLOCK when -EAGAIN is the caller's final answer (it
 * will not go on to wait).  Returns the number of values moved.
 */
unsigned int kgo_chan_xfer_nowait(struct kgo_chan *ch, u32 dir, void *vals,
				  unsigned int n, unsigned int kflags,
				  int *status)
{
	struct kgo_select_case c = { .ch = ch, .dir = dir };
	size_t sz = ch->elem_size;
	unsigned long flags;
	unsigned int i;

	/*
	 * Nothing to do, as far as a lockless look can tell: no lock, when
	 * the caller goes on to wait (its select looks again under the
	 * lock).  A final -EAGAIN comes only from a look under the lock.
	 */
	if (!(kflags & KGO_NONBLOCK) && !kgo_case_maybe_ready(&c)) {
		*status = -EAGAIN;
		return 0;
	}
	/* Bounded time with interrupts off; the caller comes back. */
	n = min(n, KGO_XFER_HOLD_MAX);
	*status = 0;
	spin_lock_irqsave(&ch->lock, flags);
	for (i = 0; i < n; i++) {
		c.val = vals ? vals + (size_t)i * sz : NULL;
		if (!kgo_try_case(&c, NULL)) {
			*status = -EAGAIN;
			break;
		}
		if (c.err || (dir == KGO_SELECT_RECV && !c.ok)) {
			*status = c.err ?: -ENODATA;
			break;
		}
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	return i;
}

/**
 * kgo_chan_close() - close a channel: Go's close(ch)
 * @ch: the channel
 *
 * Every blocked receiver gets the zero value with ok = false once the
 * buffer is drained (receivers only block on an empty buffer); every
 * blocked sender fails with -EPIPE and its value is not sent.  Later
 * sends fail with -EPIPE; later receives drain the buffer, then get
 * ok = false.
 *
 * Context: Any context.
 * Return: 0; -EPIPE if it was already closed (Go panics); -EINVAL for a
 * NULL channel (Go panics).
 */
int kgo_chan_close(struct kgo_chan *ch)
{
	struct kgo_wake_batch wb;
	struct kgo_xfer to_recv = { .closed = true };
	struct kgo_xfer to_send = { .err = -EPIPE };
	struct wait_queue_entry *e;
	unsigned long flags;
	unsigned int i;
	bool more;
	u64 t0;

	if (!ch)
		return -EINVAL;
	to_recv.size = ch->elem_size;
	/*
	 * Wake-ups after the unlock need task references, whose last put
	 * must not come from hard irq context: there, wake under the lock.
	 */
	if (in_task() && !irqs_disabled()) {
		to_recv.defer = &wb;
		to_send.defer = &wb;
	}
	spin_lock_irqsave(&ch->lock, flags);
	if (ch->closed) {
		spin_unlock_irqrestore(&ch->lock, flags);
		return -EPIPE;
	}
	WRITE_ONCE(ch->closed, true);
	t0 = ktime_get_ns();
	/*
	 * Complete the waiters at most KGO_CLOSE_BATCH per lock hold, and
	 * wake their tasks after the unlock, so that the time with
	 * interrupts off does not grow with the number of waiters.  Between
	 * holds the channel is closed with waiters still queued: no case on
	 * a closed channel is queued again (it is ready), and a receive does
	 * not take a value from a sender still queued here (kgo_try_recv()),
	 * so every later operation already sees the channel as closed.
	 */
	do {
		wb.n = 0;
		for (i = 0; i < KGO_CLOSE_BATCH; i++) {
			bool recv = !list_empty(&ch->recvq.head);

			if (!recv && list_empty(&ch->sendq.head))
				break;
			e = list_first_entry(recv ? &ch->recvq.head :
						    &ch->sendq.head,
					     struct wait_queue_entry, entry);
			kgo_waiter_unlink(ch, container_of(e, struct kgo_waiter,
							   entry));
			e->func(e, TASK_NORMAL, 0, recv ? &to_recv : &to_send);
		}
		WRITE_ONCE(gochan_close_waiters, gochan_close_waiters + i);
		more = !list_empty(&ch->recvq.head) ||
		       !list_empty(&ch->sendq.head);
		if (!more)
			kgo_chan_notify(ch);
		t0 = ktime_get_ns() - t0;
		if (t0 > READ_ONCE(gochan_close_max_hold_ns))
			WRITE_ONCE(gochan_close_max_hold_ns, t0);
		WRITE_ONCE(gochan_close_holds, gochan_close_holds + 1);
		WRITE_ONCE(gochan_close_hold_ns, gochan_close_hold_ns + t0);
		spin_unlock_irqrestore(&ch->lock, flags);
		while (wb.n--) {
			wake_up_process(wb.task[wb.n]);
			put_task_struct(wb.task[wb.n]);
		}
		if (more) {
			spin_lock_irqsave(&ch->lock, flags);
			t0 = ktime_get_ns();
		}
	} while (more);
	return 0;
}
EXPORT_SYMBOL_GPL(kgo_chan_close);

/**
 * kgo_chan_len() - values in the buffer: Go's len(ch)
 * @ch: the channel, or NULL (0)
 *
 * Context: Any context.
 * Return: the number of buffered values, a snapshot.
 */
unsigned int kgo_chan_len(struct kgo_chan *ch)
{
	return ch ? READ_ONCE(ch->qcount) : 0;
}
EXPORT_SYMBOL_GPL(kgo_chan_len);

/**
 * kgo_chan_cap() - buffer capacity: Go's cap(ch)
 * @ch: the channel, or NULL (0)
 *
 * Context: Any context.
 * Return: the capacity given to kgo_chan_make().
 */
unsigned int kgo_chan_cap(struct kgo_chan *ch)
{
	return ch ? ch->dataqsiz : 0;
}
EXPORT_SYMBOL_GPL(kgo_chan_cap);

/**
 * kgo_chan_elem_size() - the element size
 * @ch: the channel
 *
 * Context: Any context.
 * Return: the elem_size given to kgo_chan_make().
 */
size_t kgo_chan_elem_size(struct kgo_chan *ch)
{
	return ch->elem_size;
}
EXPORT_SYMBOL_GPL(kgo_chan_elem_size);

/**
 * kgo_chan_closed() - whether kgo_chan_close() was called
 * @ch: the channel
 *
 * Context: Any context.
 * Return: true once closed (values may still be buffered).
 */
bool kgo_chan_closed(struct kgo_chan *ch)
{
	return READ_ONCE(ch->closed);
}
EXPORT_SYMBOL_GPL(kgo_chan_closed);

/*
 * A consistent snapshot of ch, for poll(), fdinfo and GOCHAN_IOC_INFO:
 * counters only, so the hold is short whatever the number of waiters.
 * A waiter whose select completed on another channel is counted until
 * its owner unlinks it (kgo_sel_dequeue()), a short window.
 */
void kgo_chan_stat(struct kgo_chan *ch, struct kgo_chan_stat *st)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	st->len = ch->qcount;
	st->closed = ch->closed;
	st->senders = ch->nsendq;
	st->receivers = ch->nrecvq;
	st->timer_fires = ch->timer ? ch->timer->fires : 0;
	spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_chan_stat);

/* ---- timer channels -------------------------------------------------------- */

/*
 * A timer fired.  A one-shot timer sends once.  A ticker sends the time
 * if its one-slot buffer has room (or a receiver waits); when the slot is
 * still full the receiver is slow, and the tick is dropped as in Go.  A
 * ticker that drops a tick stops (stalled) instead of re-arming for ever:
 * the receive that empties the slot restarts it at the next period
 * boundary (kgo_timer_slot_freed()), so the ticks missed meanwhile are
 * dropped and an unread ticker costs no interrupts.
 */
static enum hrtimer_restart kgo_chan_timer_fire(struct hrtimer *t)
{
	struct kgo_chan_timer *tm = container_of(t, struct kgo_chan_timer, t);
	struct kgo_select_case c = { .ch = tm->ch, .dir = KGO_SELECT_SEND };
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	s64 now = ktime_get_ns();
	unsigned long flags;

	c.val = &now;
	spin_lock_irqsave(&tm->ch->lock, flags);
	tm->fires++;
	if (!kgo_try_send(tm->ch, &c, NULL) && tm->period)
		tm->stalled = true;
	else if (tm->period && !tm->stopped)
		ret = HRTIMER_RESTART;
	spin_unlock_irqrestore(&tm->ch->lock, flags);
	if (ret == HRTIMER_RESTART)
		hrtimer_forward_now(t, tm->period);
	return ret;
}

/*
 * A receive took the tick out of a timer channel's slot: restart a
 * stalled ticker at the next multiple of its period.  hrtimer_start()
 * takes only the hrtimer base lock, which nests inside ch->lock; the
 * callback above runs without the base lock, so there is no inversion.
 */
static void kgo_timer_slot_freed(struct kgo_chan *ch)
{
	struct kgo_chan_timer *tm = ch->timer;
	ktime_t now;

	lockdep_assert_held(&ch->lock);
	if (!tm->stalled || tm->stopped)
		return;
	tm->stalled = false;
	now = ktime_get();
	hrtimer_forward(&tm->t, now, tm->period);
	hrtimer_start_expires(&tm->t, HRTIMER_MODE_ABS);
}

static struct kgo_chan *kgo_chan_timer_new(ktime_t d, ktime_t period, gfp_t gfp)
{
	struct kgo_chan_timer *tm;
	struct kgo_chan *ch;

	if (d < 0 || period < 0 || (period && period < NSEC_PER_USEC))
		return ERR_PTR(-EINVAL);
	ch = kgo_chan_make(sizeof(s64), 1, gfp);
	if (IS_ERR(ch))
		return ch;
	tm = kzalloc(sizeof(*tm), gfp);
	if (!tm) {
		kgo_chan_put(ch);
		return ERR_PTR(-ENOMEM);
	}
	gochan_obj_add(GOCHAN_OBJ_TIMERS, 1);
	tm->ch = ch;
	tm->period = period;
	hrtimer_init(&tm->t, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	tm->t.function = kgo_chan_timer_fire;
	ch->timer = tm;
	hrtimer_start(&tm->t, d, HRTIMER_MODE_REL);
	return ch;
}

/**
 * kgo_chan_after() - a channel that receives the time once, after @d:
 * Go's time.After
 * @d:   delay in nanoseconds (ktime_t), at least 0
 * @gfp: allocation flags
 *
 * The channel has capacity 1 and 8-byte elements: the CLOCK_MONOTONIC
 * time (s64, ns) at which the timer fired.  Dropping the last reference
 * stops the timer.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the channel, or an ERR_PTR() (-EINVAL for a negative delay).
 */
struct kgo_chan *kgo_chan_after(ktime_t d, gfp_t gfp)
{
	return kgo_chan_timer_new(d, 0, gfp);
}
EXPORT_SYMBOL_GPL(kgo_chan_after);

/**
 * kgo_chan_tick() - a channel that receives the time every @period: Go's
 * time.Tick
 * @period: at least 1 us
 * @gfp:    allocation flags
 *
 * Ticks a slow receiver misses are dropped: the channel buffers one,
 * and while that one is unread the timer is stopped; the receive that
 * takes it restarts the timer at the next multiple of @period.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the channel, or an ERR_PTR() (-EINVAL for a period under 1 us).
 */
struct kgo_chan *kgo_chan_tick(ktime_t period, gfp_t gfp)
{
	if (period <= 0)
		return ERR_PTR(-EINVAL);
	return kgo_chan_timer_new(period, period, gfp);
}
EXPORT_SYMBOL_GPL(kgo_chan_tick);

/**
 * kgo_chan_timer_stop() - stop the timer of a timer channel: Go's Stop
 * @ch: a channel from kgo_chan_after() or kgo_chan_tick()
 *
 * Safe against a concurrent fire and a concurrent receive: when it
 * returns, the timer callback is not running and will not run again.  A
 * value already sent stays in the channel.
 *
 * Context: Process context (it waits for a running callback).
 * Return: true if the timer was pending or a stalled ticker (Go:
 * "stopped before firing"), false if it had already fired (one-shot),
 * was stopped before, or @ch has no timer.
 */
bool kgo_chan_timer_stop(struct kgo_chan *ch)
{
	struct kgo_chan_timer *tm;
	unsigned long flags;
	bool stalled, was;

	if (!ch || !ch->timer)
		return false;
	tm = ch->timer;
	spin_lock_irqsave(&ch->lock, flags);
	was = tm->stopped;
	stalled = tm->stalled;
	tm->stopped = true;
	tm->stalled = false;
	spin_unlock_irqrestore(&ch->lock, flags);
	/* No receive restarts it now; cancel a pending or running one. */
	return hrtimer_cancel(&tm->t) || (stalled && !was);
}
EXPORT_SYMBOL_GPL(kgo_chan_timer_stop);

/* ---- module life cycle ----------------------------------------------------- */

int kgo_chan_init(void)
{
	kgo_chan_wq = alloc_workqueue("kgo_chan", WQ_UNBOUND, 0);
	return kgo_chan_wq ? 0 : -ENOMEM;
}

void kgo_chan_exit(void)
{
	/* Channels whose last put came from atomic context. */
	destroy_workqueue(kgo_chan_wq);
	WARN_ON_ONCE(atomic_read(&kgo_chans_alive));
}

unsigned int kgo_chans_alive_count(void)
{
	return atomic_read(&kgo_chans_alive);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_chans_alive_count);
