/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The select engine (select.c): the one implementation of Go's selectgo
 * that every channel operation that may wait goes through, whether it
 * sleeps (kgo_select(), kgo_chan_send_opts(), the batched transfers) or
 * parks a continuation (cont.c).
 *
 * Locking legend, as in sched.h and chan.h:
 *
 *   L:  the waiter's channel lock (w->ch->lock)
 *   A:  lock-free (atomic_t)
 *   I:  set before the waiter is queued, read-only while it is
 *   O:  the owner's alone: the task that runs the engine, on its stack
 *   W:  written by the one waker that won sel->done, read by the owner
 *       after it took the channel lock again (kgo_sel_disarm())
 */
#ifndef _GOCHAN_SELECT_H
#define _GOCHAN_SELECT_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/wait.h>

#include <kgo.h>

struct kgo_chan;
struct task_struct;

/* kgo_sel.done: a case index when completed, or one of these. */
#define KGO_SEL_PENDING		(-1)
#define KGO_SEL_CANCELLED	(-2)	/* timed out, signalled, cancelled */
#define KGO_SEL_ABORTED		(-3)	/* pass 2 found a case ready: retry */

/*
 * One select (or one waiting send or receive) in progress: its claim
 * word.  Exactly one party moves done from KGO_SEL_PENDING: a waker (to
 * its case's index), the owner's abort, or its cancel.
 */
struct kgo_sel {
	atomic_t done;			/* A: cmpxchg from PENDING, once */
	/*
	 * A: 0 while task spins, and so needs no wake-up (kgo_sel_spin()).
	 * An int, not a bool: UBSAN's check of a loaded bool would read it
	 * a second time, unmarked.
	 */
	int sleeping;
	struct task_struct *task;	/* I: who sleeps (NULL: a continuation) */
};

/* Go's sudog: one case of a select, queued on its channel. */
struct kgo_waiter {
	struct wait_queue_entry entry;	/* L: on recvq or sendq */
	struct kgo_sel *sel;		/* I */
	struct kgo_chan *ch;		/* I */
	void *elem;			/* I: value to send / slot to fill */
	int idx;			/* I: the case's index */
	u32 dir;			/* I: KGO_SELECT_SEND or _RECV */
	bool ok;			/* W */
	int err;			/* W */
};

/* Room on the stack for the arming of a select. */
#define KGO_SEL_STACK		4	/* waiters */
#define KGO_SEL_ORDER_STACK	64	/* case order */
#define KGO_SEL_LOCK_STACK	8	/* lock order */

/*
 * Optimistic arms (one channel lock at a time) a select makes before
 * it arms under every lock at once, which cannot abort.  Two selects
 * that each see the other's waiter abort together; this bounds how
 * often, also in atomic context where there is no cond_resched().
 */
#define KGO_SEL_OPTIMISTIC	4

/* What kgo_sel_arm() did. */
enum kgo_arm {
	KGO_ARM_DONE,		/* case a->chosen completed; nothing queued */
	KGO_ARM_PARKED,		/* queued on every channel (a->queued) */
	KGO_ARM_NONE,		/* KGO_NONBLOCK: at one instant, none ready */
	KGO_ARM_RETRY,		/* aborted, nothing queued: arm again */
};

/*
 * The engine's state for one select, on its owner's stack (O).  The
 * waiters are indexed by case: the owner's own records (a continuation
 * keeps them in its heap record), or records the arm takes when pass 2
 * needs them: the owner's stack room (wbuf) when it is large enough,
 * else an allocation.
 */
struct kgo_sel_arm {
	struct kgo_sel *sel;
	struct kgo_select_case *cases;
	unsigned int n;			/* cases */
	unsigned int flags;		/* KGO_NONBLOCK, KGO_BIASED */
	wait_queue_func_t wake;		/* the waiters' wake function */
	gfp_t gfp;
	struct kgo_waiter *w;		/* n records, by case index */
	u16 *order;			/* the non-nil cases, in poll order */
	struct kgo_chan **lockorder;	/* m channels, for kgo_sel_lock_all() */
	unsigned int m;			/* non-nil cases */
	unsigned int queued;		/* waiters queued: order[0..queued) */
	unsigned int rounds;		/* arms that aborted */
	int chosen;			/* KGO_ARM_DONE: the case */
	bool w_alloced;			/* w is kvmalloc()ed: release frees it */
	struct kgo_waiter *wbuf;	/* the caller's stack room for w, or NULL */
	unsigned int nwbuf;		/* its records */
	u16 ostack[KGO_SEL_ORDER_STACK];
	struct kgo_chan *lstack[KGO_SEL_LOCK_STACK];
};

unsigned int kgo_sel_order(const struct kgo_select_case *cases,
			   unsigned int n, unsigned int flags, u16 *order);
int kgo_sel_arm_init(struct kgo_sel_arm *a, struct kgo_sel *sel,
		     struct kgo_select_case *cases, unsigned int n,
		     unsigned int flags, wait_queue_func_t wake,
		     struct kgo_waiter *w, gfp_t gfp);
int kgo_sel_arm(struct kgo_sel_arm *a);
void kgo_sel_disarm(struct kgo_sel_arm *a);
void kgo_sel_arm_release(struct kgo_sel_arm *a);
void kgo_waiters_unlink(struct kgo_waiter *w, unsigned int n, int skip);
int kgo_schedule_deadline(ktime_t deadline);
int kgo_select_check(const struct kgo_select_case *cases, unsigned int n);
int kgo_select_why(struct kgo_select_case *cases, unsigned int n,
		   unsigned int flags, ktime_t deadline,
		   enum kgo_wait_reason why);

/* kgo_chan_xfer()'s flags beside KGO_NONBLOCK: wait for every value; */
#define KGO_XFER_WAITALL	BIT(16)
/*
 * values of the same call moved in an earlier kgo_chan_xfer(): one that
 * moves none is not the call's failure, and traces nothing.
 */
#define KGO_XFER_MOVED		BIT(17)

int kgo_chan_xfer(struct kgo_chan *ch, u32 dir, void *vals, unsigned int n,
		  unsigned int flags, ktime_t deadline, unsigned int *moved);

#endif /* _GOCHAN_SELECT_H */
