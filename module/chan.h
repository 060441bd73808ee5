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
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "kgo.h"
#include "kgo_chan.h"

struct kgo_chan_timer {
	struct hrtimer t;
	struct kgo_chan *ch;		/* I: the channel that owns us */
	ktime_t period;			/* I: 0 for one-shot */
};

/* Go's hchan. */
struct kgo_chan {
	spinlock_t lock;		/* protects the L fields */
	unsigned int qcount;		/* L; READ_ONCE for len() */
	unsigned int sendx;		/* L */
	unsigned int recvx;		/* L */
	bool closed;			/* L; READ_ONCE outside */
	wait_queue_head_t recvq;	/* L: struct kgo_waiter, receivers */
	wait_queue_head_t sendq;	/* L: struct kgo_waiter, senders */
	wait_queue_head_t pollwq;	/* its own lock: poll() sleepers */
	unsigned int dataqsiz;		/* I: capacity */
	size_t elem_size;		/* I */
	void *buf;			/* L: dataqsiz * elem_size bytes */
	struct list_head stash;		/* L: struct kgo_stash, put back */
	unsigned int nstash;		/* L: values in the stash */
	struct kgo_chan_timer *timer;	/* I: timer channels only */
	refcount_t ref;			/* A */
	struct work_struct free_work;	/* deferred free from atomic context */
};

/*
 * Values a receiver took but could not deliver (its user buffer faulted),
 * put back at the head of the channel by kgo_chan_unrecv(): a receive
 * takes them before the buffer.
 */
struct kgo_stash {
	struct list_head node;		/* L: on ch->stash */
	unsigned int n;			/* L: values left */
	unsigned int first;		/* L: the next one */
	u8 data[];			/* n * elem_size bytes */
};

/* A snapshot of a channel, for poll() and fdinfo. */
struct kgo_chan_stat {
	unsigned int len;		/* buffered and stashed values */
	unsigned int buffered;		/* in the buffer only: room = cap - it */
	unsigned int senders;		/* pending send waiters */
	unsigned int receivers;		/* pending receive waiters */
	bool closed;
};

/* kgo_sel.done: a case index when completed, or one of these. */
#define KGO_SEL_PENDING		(-1)
#define KGO_SEL_CANCELLED	(-2)	/* timed out or signalled */
#define KGO_SEL_ABORTED		(-3)	/* pass 2 found a case ready: retry */

/* One select (or one blocking send/receive) in progress. */
struct kgo_sel {
	atomic_t done;			/* A: cmpxchg from PENDING, once */
	struct task_struct *task;	/* I: who sleeps */
};

/* Go's sudog: one case of a select, queued on its channel. */
struct kgo_waiter {
	struct wait_queue_entry entry;	/* L: on recvq or sendq */
	struct kgo_sel *sel;		/* I */
	struct kgo_chan *ch;		/* I */
	void *elem;			/* I: value to send / slot to fill */
	int idx;			/* I: the case's index */
	u32 dir;			/* I: KGO_SELECT_SEND or _RECV */
	bool ok;			/* written by the waker that won */
	int err;			/* written by the waker that won */
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
};

void kgo_xfer_apply(struct kgo_waiter *w, const struct kgo_xfer *x);
bool kgo_try_case(struct kgo_select_case *c, struct kgo_sel *self);
bool kgo_case_ready(struct kgo_select_case *c, struct kgo_sel *self);
unsigned int kgo_sel_order(const struct kgo_select_case *cases,
			   unsigned int n, unsigned int flags, u16 *order);
int kgo_select_why(struct kgo_select_case *cases, unsigned int n,
		   unsigned int flags, ktime_t deadline,
		   enum kgo_wait_reason why);
void kgo_chan_notify(struct kgo_chan *ch);
unsigned int kgo_chan_xfer_nowait(struct kgo_chan *ch, u32 dir, void *vals,
				  unsigned int n, unsigned int kflags,
				  int *status);
void kgo_chan_stat(struct kgo_chan *ch, struct kgo_chan_stat *st);
struct kgo_stash *kgo_stash_alloc(size_t bytes, gfp_t gfp);
void kgo_chan_unrecv(struct kgo_chan *ch, struct kgo_stash *st);
int kgo_chan_init(void);
void kgo_chan_exit(void);
unsigned int kgo_chans_alive_count(void);

/* ctx.c */
void kgo_ctx_exit(void);

/* cont.c */
void kgo_cont_exit(void);
unsigned int kgo_conts_alive_count(void);
#if IS_ENABLED(CONFIG_KUNIT)
extern bool kgo_cont_force_backlog;
#endif

#endif /* _GOCHAN_CHAN_H */
