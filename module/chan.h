/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel internals.  Locking legend as in sched.h:
 *
 *   L:  ch->lock (spinlock, irqsave: timer channels send from hard irq,
 *       and any context may try_send/try_recv or close).  The wait queue
 *       heads' own locks are not used: ch->lock guards both lists.
 *   A:  lock-free (atomic_t)
 *   I:  set at creation, read-only after
 */
#ifndef _GOCHAN_CHAN_H
#define _GOCHAN_CHAN_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <kgo.h>

#include "select.h"

struct kgo_chan_timer {
	struct hrtimer t;
	struct kgo_chan *ch;		/* I: the channel that owns us */
	struct mutex set_lock;		/* serializes Stop and Reset */
	bool ticker;			/* I: kgo_chan_tick()'s */
	ktime_t period;			/* L, and changed only under
					 * set_lock while the hrtimer is
					 * cancelled: 0 for one-shot
					 */
	bool stalled;			/* L: a ticker that found its slot
					 * full and stopped; a receive that
					 * empties the slot restarts it
					 */
	bool stopped;			/* L: kgo_chan_timer_stop() ran */
	u64 fires;			/* L: times the callback ran */
};

/*
 * A place on the list of every channel (debugfs "channels"): a channel's
 * own, or a reader's cursor (kgo_chans_show()).
 */
struct kgo_chan_node {
	struct list_head node;		/* kgo_chans_lock */
	bool cursor;			/* I */
};

/*
 * A watch on a channel: a function that runs under ch->lock after every
 * change that can make a send or a receive on it ready, in the same lock
 * hold as the change (kgo_chan_notify(), and kgo_chan_close() at its
 * first hold).  A selector's case is one (selector.c).  It must not take
 * ch->lock, nor sleep: it may run in hard irq context (a timer's send).
 */
struct kgo_chan_watch {
	struct list_head node;		/* L: on ch->watches */
	void (*func)(struct kgo_chan_watch *w);	/* I */
};

/*
 * Watches one channel takes: every change runs each of them with
 * interrupts off, so their number is bounded.
 */
#define KGO_CHAN_WATCH_MAX	16

/*
 * Go's hchan.
 *
 * Invariants (ch->lock held):
 *   - qcount > 0 implies recvq holds no pending receiver: a receiver
 *     blocks only on an empty buffer, and a send hands its value to a
 *     waiting receiver before it buffers;
 *   - qcount < dataqsiz implies sendq holds no pending sender;
 *   - once closed, nothing is queued: kgo_chan_close() unlinks every
 *     waiter (in batches, see there), and a case on a closed channel is
 *     ready, so it is never queued again; a receive does not take a
 *     value from a sender still queued on a closed channel (that sender
 *     is failing with -EPIPE);
 *   - nrecvq and nsendq count the waiters linked on recvq and sendq,
 *     whether or not their select is still pending.
 *
 * Every value that left the channel has reached its receiver: a
 * userspace receive pins its destination before it takes a value
 * (uchan.c), so nothing is ever put back.
 */
struct kgo_chan {
	spinlock_t lock;		/* protects the L fields */
	unsigned int qcount;		/* L; WRITE_ONCE: kgo_chan_len()
					 * and kgo_case_maybe_ready() read
					 * it without the lock
					 */
	unsigned int sendx;		/* L */
	unsigned int recvx;		/* L */
	bool closed;			/* L; WRITE_ONCE: read locklessly
					 * by kgo_chan_closed() and
					 * kgo_case_maybe_ready()
					 */
	wait_queue_head_t recvq;	/* L: struct kgo_waiter, receivers */
	wait_queue_head_t sendq;	/* L: struct kgo_waiter, senders */
	unsigned int nrecvq;		/* L; WRITE_ONCE: kgo_case_maybe_ready() */
	unsigned int nsendq;		/* L; WRITE_ONCE: kgo_case_maybe_ready() */
	struct list_head watches;	/* L: struct kgo_chan_watch */
	unsigned int nwatches;		/* L */
	wait_queue_head_t pollwq;	/* its own lock: poll() sleepers;
					 * no wake-up lost: see
					 * kgo_chan_notify()
					 */
	unsigned int dataqsiz;		/* I: capacity */
	size_t elem_size;		/* I */
	void *buf;			/* L: dataqsiz * elem_size bytes */
	struct kgo_chan_timer *timer;	/* timer channels only: set once,
					 * just after make, with
					 * smp_store_release() (the channel
					 * is on kgo_chans already); read by
					 * the timer code as I, by
					 * kgo_chan_show_one() with acquire
					 */
	refcount_t ref;			/* A */
	u64 id;				/* I: kernel-wide, never reused; the
					 * gochan-id of fdinfo and the
					 * tracepoints
					 */
	struct kgo_chan_node all;	/* kgo_chans_lock: every channel */
	struct work_struct free_work;	/* deferred free from atomic context */
};

/* A snapshot of a channel, for poll() and fdinfo. */
struct kgo_chan_stat {
	unsigned int len;		/* buffered values: room = cap - len */
	unsigned int senders;		/* queued send waiters */
	unsigned int receivers;		/* queued receive waiters */
	bool closed;
	u64 timer_fires;		/* a timer channel's callback runs */
};

/*
 * What a waker hands to a waiter's wake function: for a receiving
 * waiter, the value (src), or closed (zero and ok = false); for a sending
 * waiter, where its value goes (dst, or NULL to drop it), or err = -EPIPE
 * when the channel was closed under it.
 */
struct kgo_xfer {
	const void *src;
	void *dst;
	size_t size;
	bool closed;
	int err;
	struct kgo_wake_batch *defer;	/* wake tasks after the unlock */
};

/* Tasks a batch of kgo_chan_close() wakes once it dropped ch->lock. */
#define KGO_CLOSE_BATCH		16

struct kgo_wake_batch {
	unsigned int n;
	struct task_struct *task[KGO_CLOSE_BATCH];
};

void kgo_xfer_apply(struct kgo_waiter *w, const struct kgo_xfer *x);
bool kgo_try_case(struct kgo_select_case *c, struct kgo_sel *self);
bool kgo_case_ready(struct kgo_select_case *c, struct kgo_sel *self);
bool kgo_chan_ready(struct kgo_chan *ch, u32 dir);
void kgo_chan_notify(struct kgo_chan *ch);
void kgo_chan_notify_unlocked(struct kgo_chan *ch);
void kgo_chan_watch_notify(struct kgo_chan *ch);
int kgo_chan_watch_add(struct kgo_chan *ch, struct kgo_chan_watch *w);
void kgo_chan_watch_del(struct kgo_chan *ch, struct kgo_chan_watch *w);
void kgo_chan_stat(struct kgo_chan *ch, struct kgo_chan_stat *st);
void kgo_chans_show(struct seq_file *sf);
void kgo_waiter_enqueue(struct kgo_chan *ch, struct kgo_waiter *w);
void kgo_waiter_unlink(struct kgo_chan *ch, struct kgo_waiter *w);

/* timer.c */
void kgo_timer_slot_freed(struct kgo_chan *ch);
bool kgo_chan_timer_set(struct kgo_chan *ch, ktime_t d, bool stop);
void kgo_chan_timer_free(struct kgo_chan *ch);

static inline bool kgo_chan_timer_is_ticker(const struct kgo_chan *ch)
{
	return ch->timer && ch->timer->ticker;
}

/* chan.c */
int kgo_chan_init(void);
void kgo_chan_exit(void);

/* ctx.c */
void kgo_ctx_exit(void);

/* cont.c */
void kgo_cont_exit(void);
#if IS_ENABLED(CONFIG_KUNIT)
extern bool kgo_cont_force_backlog;
extern atomic_t kgo_cont_gate_races;
extern unsigned int kgo_sel_optimistic;
#endif

#endif /* _GOCHAN_CHAN_H */
