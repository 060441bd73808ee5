// SPDX-License-Identifier: GPL-2.0
/*
 * The channel object: Go's hchan and the operations that complete under
 * its one lock.
 *
 * A channel (struct kgo_chan) is a lock, a ring buffer of cap elements,
 * and two wait queues, recvq and sendq.  Where Go keeps sudog records,
 * gochan keeps wait_queue_entry_t records (struct kgo_waiter, select.h)
 * whose wake function completes the transfer, as pollwake() does in
 * fs/select.c: a sender that finds a waiting receiver calls the
 * receiver's wake function, which claims the receiver's select, copies
 * the value into the receiver's slot and wakes its task (or starts its
 * continuation).
 *
 * Here: make, get and put; kgo_try_case() (Go's chansend and chanrecv
 * up to the point where they would block) and kgo_case_ready(); close;
 * len, cap and the snapshot for poll().  Which case to try, queueing,
 * and waiting are the select engine's (select.c); timer channels are in
 * timer.c.  Nothing here sleeps or calls the scheduler.
 *
 * Lock order: one channel lock at a time here.  The engine takes
 * several in address order (kgo_sel_lock_all()); a wake function runs
 * under the channel lock and may take a runqueue or scheduler lock
 * inside it, never the other way round.
 */
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/refcount.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "chan.h"
#include "internal.h"
#include "trace.h"

static struct workqueue_struct *kgo_chan_wq;

/*
 * Every channel, for debugfs "channels".  kgo_chans_lock nests outside
 * ch->lock (kgo_chans_show() takes one inside it); it is taken with
 * interrupts off, as a channel may be made in any context.  A reader
 * holds it for KGO_CHANS_BATCH channels at a time.
 */
static DEFINE_SPINLOCK(kgo_chans_lock);
static LIST_HEAD(kgo_chans);
static atomic64_t kgo_chan_next_id = ATOMIC64_INIT(0);
#define KGO_CHANS_BATCH		32

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
	unsigned long flags;
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
	INIT_LIST_HEAD(&ch->watches);
	refcount_set(&ch->ref, 1);
	ch->elem_size = elem_size;
	ch->dataqsiz = cap;
	ch->id = atomic64_inc_return(&kgo_chan_next_id);
	spin_lock_irqsave(&kgo_chans_lock, flags);
	list_add_tail(&ch->all.node, &kgo_chans);
	spin_unlock_irqrestore(&kgo_chans_lock, flags);
	gochan_obj_add(GOCHAN_OBJ_CHANS, 1);
	trace_gochan_chan_make(ch->id, elem_size, cap);
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
	unsigned long flags;

	/* After this no kgo_chans_show() can reach ch. */
	spin_lock_irqsave(&kgo_chans_lock, flags);
	list_del(&ch->all.node);
	spin_unlock_irqrestore(&kgo_chans_lock, flags);
	if (ch->timer)
		kgo_chan_timer_free(ch);
	WARN_ON_ONCE(!list_empty(&ch->recvq.head) ||
		     !list_empty(&ch->sendq.head) || !list_empty(&ch->watches));
	kvfree(ch->buf);
	kfree(ch);
	gochan_obj_add(GOCHAN_OBJ_CHANS, -1);
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

/*
 * Wake poll()ers after a change: a value, room, a waiter, or close.
 *
 * No wake-up is lost, and ch->lock is why:
 *
 *   gochan_chan_poll()                 kgo_try_send(), kgo_try_recv(),
 *                                      kgo_chan_close(), select.c's
 *                                      kgo_sel_enqueue() and
 *                                      kgo_sel_arm_locked()
 *   poll_wait(): add to pollwq         spin_lock(&ch->lock); change
 *   spin_lock(&ch->lock)               [spin_unlock(): the _unlocked form]
 *   kgo_chan_stat(): read              waitqueue_active(&ch->pollwq)
 *   spin_unlock(&ch->lock)
 *
 * The two holds of ch->lock are ordered.  If the poller's comes second
 * it reads the change; if it comes first, its pollwq entry, stored
 * before its unlock, is visible after our lock (and so after our unlock,
 * for the _unlocked form): the lock's release and acquire order them, so
 * a plain waitqueue_active() suffices, and no operation pays
 * wq_has_sleeper()'s full barrier.
 */
void kgo_chan_notify(struct kgo_chan *ch)
{
	lockdep_assert_held(&ch->lock);
	kgo_chan_watch_notify(ch);
	kgo_chan_notify_unlocked(ch);
}

/*
 * Run the channel's watches after a change, in the hold that made it:
 * a watch's idea of the channel is then never older than the channel's
 * last unlock, which is what a selector's "none ready" rests on
 * (selector.c).  At most KGO_CHAN_WATCH_MAX of them.
 */
void kgo_chan_watch_notify(struct kgo_chan *ch)
{
	struct kgo_chan_watch *w;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry(w, &ch->watches, node)
		w->func(w);
}

/*
 * Add a watch and run it once, so that it starts from the channel's
 * present state.  Returns 0, or -ENOSPC when the channel has
 * KGO_CHAN_WATCH_MAX already.
 */
int kgo_chan_watch_add(struct kgo_chan *ch, struct kgo_chan_watch *w)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&ch->lock, flags);
	if (ch->nwatches >= KGO_CHAN_WATCH_MAX) {
		ret = -ENOSPC;
	} else {
		list_add_tail(&w->node, &ch->watches);
		ch->nwatches++;
		w->func(w);
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	return ret;
}

/* Remove a watch; the channel is locked, so that no run of it is left. */
void kgo_chan_watch_del(struct kgo_chan *ch, struct kgo_chan_watch *w)
{
	lockdep_assert_held(&ch->lock);
	list_del(&w->node);
	ch->nwatches--;
}

/*
 * The same, just after the unlock of the hold that made the change: the
 * argument above does not depend on holding the lock at the look.  The
 * watches are not run: the caller runs them in that hold.
 */
void kgo_chan_notify_unlocked(struct kgo_chan *ch)
{
	/* No barrier: ch->lock orders us with the poller (see above). */
	if (waitqueue_active(&ch->pollwq))
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
	/* Closed is ready for every case: the watches learn it now. */
	kgo_chan_watch_notify(ch);
	trace_gochan_chan_close(ch->id, ch->qcount);
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
 * its owner unlinks it (kgo_sel_disarm(), kgo_waiters_unlink()), a short
 * window.
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

/**
 * kgo_chan_id() - a channel's kernel-wide id
 * @ch: the channel, or NULL (0)
 *
 * Ids start at 1 and are never reused while the module is loaded.  A
 * channel fd's id (fdinfo's gochan-id, GOCHAN_IOC_INFO) is its channel's,
 * and the tracepoints name channels by it.
 *
 * Context: Any context.
 * Return: the id.
 */
u64 kgo_chan_id(struct kgo_chan *ch)
{
	return ch ? ch->id : 0;
}
EXPORT_SYMBOL_GPL(kgo_chan_id);

static void kgo_chan_show_one(struct seq_file *sf, struct kgo_chan *ch)
{
	unsigned int len, senders, receivers;
	struct kgo_chan_timer *tm;
	bool closed;

	lockdep_assert_held(&kgo_chans_lock);
	/* Interrupts are off already: kgo_chans_lock is taken irqsave. */
	spin_lock(&ch->lock);
	len = ch->qcount;
	closed = ch->closed;
	senders = ch->nsendq;
	receivers = ch->nrecvq;
	spin_unlock(&ch->lock);
	/* Set after ch went on the list; see kgo_chan_timer_new(). */
	tm = smp_load_acquire(&ch->timer);
	seq_printf(sf, "%llu\t%zu\t%u\t%u\t%d\t%u\t%u\t%u\t%s\n", ch->id,
		   ch->elem_size, ch->dataqsiz, len, closed, senders, receivers,
		   refcount_read(&ch->ref), !tm ? "-" : tm->ticker ? "ticker" : "timer");
}

/*
 * debugfs "channels": one line a channel, oldest first.  The walk drops
 * kgo_chans_lock every KGO_CHANS_BATCH channels, keeping its place with
 * a cursor on the list, so that the time with interrupts off does not
 * grow with the number of channels.  A channel made or freed meanwhile
 * may or may not be listed; none is listed twice.
 */
void kgo_chans_show(struct seq_file *sf)
{
	struct kgo_chan_node cursor = { .cursor = true };
	struct kgo_chan_node *n;
	unsigned long flags;
	unsigned int i;

	seq_puts(sf, "id\telem_size\tcap\tlen\tclosed\tsenders\treceivers\trefs\tkind\n");
	spin_lock_irqsave(&kgo_chans_lock, flags);
	list_add(&cursor.node, &kgo_chans);
	for (;;) {
		for (i = 0; i < KGO_CHANS_BATCH; i++) {
			if (list_is_last(&cursor.node, &kgo_chans))
				goto out;
			n = list_next_entry(&cursor, node);
			list_move(&cursor.node, &n->node);
			if (!n->cursor)
				kgo_chan_show_one(sf, container_of(n, struct kgo_chan,
								   all));
			/* seq_read() retries with a larger buffer. */
			if (seq_has_overflowed(sf))
				goto out;
		}
		spin_unlock_irqrestore(&kgo_chans_lock, flags);
		cond_resched();
		spin_lock_irqsave(&kgo_chans_lock, flags);
	}
out:
	list_del(&cursor.node);
	spin_unlock_irqrestore(&kgo_chans_lock, flags);
}

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
	WARN_ON_ONCE(gochan_obj_count(GOCHAN_OBJ_CHANS));
}

