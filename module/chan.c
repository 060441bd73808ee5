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
 */
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/sched/stat.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "chan.h"
#include "gochan.h"

static struct workqueue_struct *kgo_chan_wq;
static atomic_t kgo_chans_alive = ATOMIC_INIT(0);

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

	if (atomic_cmpxchg(&sel->done, KGO_SEL_PENDING, w->idx) !=
	    KGO_SEL_PENDING)
		return 0;
	kgo_xfer_apply(w, key);
	wake_up_process(sel->task);
	return 1;
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
		list_del_init(&e->entry);
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
	INIT_LIST_HEAD(&ch->stash);
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
	struct kgo_stash *st, *tmp;

	if (ch->timer) {
		hrtimer_cancel(&ch->timer->t);
		kfree(ch->timer);
		gochan_obj_add(GOCHAN_OBJ_TIMERS, -1);
	}
	WARN_ON_ONCE(!list_empty(&ch->recvq.head) ||
		     !list_empty(&ch->sendq.head));
	list_for_each_entry_safe(st, tmp, &ch->stash, node)
		kvfree(st);
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
		ch->qcount++;
		goto sent;
	}
	return false;
sent:
	c->err = 0;
	kgo_chan_notify(ch);
	return true;
}

/* Go's chanrecv, steps 1-4.  Returns true when the case completed. */
static bool kgo_try_recv(struct kgo_chan *ch, struct kgo_select_case *c,
			 struct kgo_sel *self)
{
	struct kgo_xfer x = { .size = ch->elem_size };
	size_t sz = ch->elem_size;

	lockdep_assert_held(&ch->lock);
	c->err = 0;
	if (unlikely(ch->nstash)) {
		struct kgo_stash *st = list_first_entry(&ch->stash,
							struct kgo_stash, node);

		if (c->val && sz)
			memcpy(c->val, st->data + (size_t)st->first * sz, sz);
		st->first++;
		ch->nstash--;
		if (!--st->n) {
			list_del(&st->node);
			kvfree(st);
		}
		goto received;
	}
	if (ch->qcount) {
		void *head = kgo_slot(ch, ch->recvx);

		if (c->val && sz)
			memcpy(c->val, head, sz);
		/*
		 * Full buffer and a sender waiting: its value goes into the
		 * slot just freed, which becomes the tail (FIFO kept).
		 */
		x.dst = head;
		if (ch->qcount == ch->dataqsiz &&
		    kgo_wq_complete_one(ch, &ch->sendq, self, &x)) {
			if (++ch->recvx == ch->dataqsiz)
				ch->recvx = 0;
			ch->sendx = ch->recvx;
		} else {
			if (++ch->recvx == ch->dataqsiz)
				ch->recvx = 0;
			ch->qcount--;
		}
		goto received;
	}
	/* Unbuffered (or empty): take a waiting sender's value directly. */
	x.dst = c->val;
	if (kgo_wq_complete_one(ch, &ch->sendq, self, &x))
		goto received;
	if (ch->closed) {
		if (c->val && sz)
			memset(c->val, 0, sz);
		c->ok = false;
		return true;
	}
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

/* Would kgo_try_case() complete now?  Changes nothing. */
bool kgo_case_ready(struct kgo_select_case *c, struct kgo_sel *self)
{
	struct kgo_chan *ch = c->ch;

	lockdep_assert_held(&ch->lock);
	if (c->dir == KGO_SELECT_SEND)
		return ch->closed || ch->qcount < ch->dataqsiz ||
		       kgo_wq_has_partner(ch, &ch->recvq, self);
	return ch->qcount || ch->nstash || ch->closed ||
	       kgo_wq_has_partner(ch, &ch->sendq, self);
}

/* ---- select ---------------------------------------------------------------- */

/* Values moved per hold of a channel lock by kgo_chan_xfer_nowait(). */
#define KGO_XFER_HOLD_MAX	64U

/*
 * May a lockless "not ready" be the final answer?  For a call that goes
 * on to wait, always: pass 2 looks again under the lock.  For a
 * non-blocking one only where stores are seen in program order (x86's
 * TSO): elsewhere a sender's later store (a flag the caller read before
 * calling) may be seen before its store of qcount, and Go's happens-
 * before rule says the value must be seen.
 */
static bool kgo_hint_ok(unsigned int flags)
{
	return !(flags & KGO_NONBLOCK) || IS_ENABLED(CONFIG_X86);
}

/*
 * Pass 1's lockless hint: false only when the case was not ready at the
 * moment of reading, so skipping its lock loses nothing that pass 2
 * (which checks under the lock) would not see.  Racy by design; the
 * fields are written under ch->lock.
 */
static bool kgo_case_maybe_ready(const struct kgo_select_case *c)
{
	struct kgo_chan *ch = c->ch;

	if (READ_ONCE(ch->closed))
		return true;
	if (c->dir == KGO_SELECT_SEND)
		return READ_ONCE(ch->qcount) < ch->dataqsiz ||
		       !list_empty_careful(&ch->recvq.head);
	return READ_ONCE(ch->qcount) || READ_ONCE(ch->nstash) ||
	       !list_empty_careful(&ch->sendq.head);
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

/* Waiters (pass 2) and the case order kept on the stack. */
#define KGO_SEL_STACK		4
#define KGO_SEL_ORDER_STACK	64

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
		list_del_init(&w[i].entry.entry);
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
 * the cases ready at the time, one is chosen uniformly at random.  The
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
	struct kgo_waiter wstack[KGO_SEL_STACK], *w = wstack;
	u16 ostack[KGO_SEL_ORDER_STACK], *order = ostack;
	gfp_t gfp = flags & KGO_NONBLOCK ? GFP_NOWAIT : GFP_KERNEL;
	unsigned int i, m, queued;
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
	 * A lockless hint skips the channels that are not ready (pass 2
	 * looks again under the lock; see kgo_hint_ok() for KGO_NONBLOCK);
	 * the read barrier orders its reads after whatever the caller saw
	 * before (a value sent, then a flag it read).
	 */
	smp_rmb();
	for (i = 0; i < m; i++) {
		struct kgo_select_case *c = &cases[order[i]];
		bool hit;

		if (kgo_hint_ok(flags) && !kgo_case_maybe_ready(c))
			continue;
		spin_lock_irqsave(&c->ch->lock, irqflags);
		hit = kgo_try_case(c, &sel);
		spin_unlock_irqrestore(&c->ch->lock, irqflags);
		if (hit) {
			ret = order[i];
			goto out;
		}
	}
	ret = -EAGAIN;
	if (flags & KGO_NONBLOCK)
		goto out;
	/* Waiter records for pass 2, only now that they are needed. */
	if (m > KGO_SEL_STACK && w == wstack) {
		w = kvmalloc_array(m, sizeof(*w), GFP_KERNEL);
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
			list_add_tail(&wk->entry.entry,
				      c->dir == KGO_SELECT_SEND ?
				      &c->ch->sendq.head : &c->ch->recvq.head);
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

	/* Nothing to do, as far as a lockless look can tell: no lock. */
	smp_rmb();	/* as in kgo_select_why(), pass 1 */
	if (kgo_hint_ok(kflags) && !kgo_case_maybe_ready(&c)) {
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
	struct kgo_xfer to_recv = { .closed = true }, to_send = { .err = -EPIPE };
	struct wait_queue_entry *e, *tmp;
	unsigned long flags;

	if (!ch)
		return -EINVAL;
	to_recv.size = ch->elem_size;
	spin_lock_irqsave(&ch->lock, flags);
	if (ch->closed) {
		spin_unlock_irqrestore(&ch->lock, flags);
		return -EPIPE;
	}
	ch->closed = true;
	list_for_each_entry_safe(e, tmp, &ch->recvq.head, entry) {
		list_del_init(&e->entry);
		e->func(e, TASK_NORMAL, 0, &to_recv);
	}
	list_for_each_entry_safe(e, tmp, &ch->sendq.head, entry) {
		list_del_init(&e->entry);
		e->func(e, TASK_NORMAL, 0, &to_send);
	}
	kgo_chan_notify(ch);
	spin_unlock_irqrestore(&ch->lock, flags);
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
	return ch ? READ_ONCE(ch->qcount) + READ_ONCE(ch->nstash) : 0;
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

/* Count the waiters on q whose select is still pending. */
static unsigned int kgo_wq_pending(struct kgo_chan *ch, wait_queue_head_t *q)
{
	struct wait_queue_entry *e;
	unsigned int n = 0;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry(e, &q->head, entry) {
		struct kgo_waiter *w = container_of(e, struct kgo_waiter, entry);

		n += atomic_read(&w->sel->done) == KGO_SEL_PENDING;
	}
	return n;
}

/* A consistent snapshot of ch, for poll(), fdinfo and GOCHAN_IOC_INFO. */
void kgo_chan_stat(struct kgo_chan *ch, struct kgo_chan_stat *st)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	st->len = ch->qcount + ch->nstash;
	st->buffered = ch->qcount;
	st->closed = ch->closed;
	st->senders = kgo_wq_pending(ch, &ch->sendq);
	st->receivers = kgo_wq_pending(ch, &ch->recvq);
	spin_unlock_irqrestore(&ch->lock, flags);
}

/* A stash record with room for bytes of values; see kgo_chan_unrecv(). */
struct kgo_stash *kgo_stash_alloc(size_t bytes, gfp_t gfp)
{
	struct kgo_stash *st = kvmalloc(struct_size(st, data, bytes), gfp);

	if (st) {
		st->n = 0;
		st->first = 0;
	}
	return st;
}

/*
 * Put back values a receiver took but could not deliver: st->n values
 * (st->first == 0), in the order they were received.  Receivers already
 * waiting get them first, in order; the rest go to the head of the
 * channel, before the buffer, so that the next receive takes them.
 * Takes ownership of st.  Closed or not, nothing is lost.
 */
void kgo_chan_unrecv(struct kgo_chan *ch, struct kgo_stash *st)
{
	unsigned long flags;
	size_t sz = ch->elem_size;

	spin_lock_irqsave(&ch->lock, flags);
	while (st->n && !ch->nstash) {
		struct kgo_xfer x = {
			.src = st->data + (size_t)st->first * sz,
			.size = sz,
		};

		if (!kgo_wq_complete_one(ch, &ch->recvq, NULL, &x))
			break;
		st->first++;
		st->n--;
	}
	if (st->n) {
		list_add(&st->node, &ch->stash);
		ch->nstash += st->n;
		st = NULL;
	}
	kgo_chan_notify(ch);
	spin_unlock_irqrestore(&ch->lock, flags);
	kvfree(st);
}

/* ---- timer channels -------------------------------------------------------- */

static enum hrtimer_restart kgo_chan_timer_fire(struct hrtimer *t)
{
	struct kgo_chan_timer *tm = container_of(t, struct kgo_chan_timer, t);
	s64 now = ktime_get_ns();

	/* A full buffer means the receiver is slow: drop this tick, as Go. */
	kgo_chan_try_send(tm->ch, &now);
	if (!tm->period)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, tm->period);
	return HRTIMER_RESTART;
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
 * Ticks a slow receiver misses are dropped: the channel buffers one.
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
 * Safe against a concurrent fire: when it returns, the timer callback
 * is not running and will not run again.  A value already sent stays
 * in the channel.
 *
 * Context: Process context (it waits for a running callback).
 * Return: true if the timer was pending (Go: "stopped before firing"),
 * false if it had already fired (one-shot) or @ch has no timer.
 */
bool kgo_chan_timer_stop(struct kgo_chan *ch)
{
	if (!ch || !ch->timer)
		return false;
	return hrtimer_cancel(&ch->timer->t);
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
