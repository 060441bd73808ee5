/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A P's local run queue (runq.c): Go's runq, a ring of KGO_RUNQ_SIZE
 * goroutines with one producer (the P's owner) at the tail and consumers
 * (the owner and thieves) that take from the head with a cmpxchg, and
 * runnext, the slot a goroutine's newest child waits in.  The ring knows
 * nothing of Ps or schedulers: a full ring hands half of itself back to
 * its caller, which queues it globally (sched.c).
 *
 * Locking legend, as in sched.h:
 *
 *   A:  lock-free, with the atomic or ordered accesses the code names
 *   O:  written only by the owner
 */
#ifndef _GOCHAN_RUNQ_H
#define _GOCHAN_RUNQ_H

#include <linux/types.h>

#define KGO_RUNQ_SIZE		256	/* Go's local run queue */

struct kgo_goroutine;

struct kgo_runq {
	u32 head;			/* A: cmpxchg by owner and thieves */
	u32 tail;			/* O: smp_store_release */
	struct kgo_goroutine *next;		/* A: runnext; cmpxchg / xchg */
	struct kgo_goroutine *slot[KGO_RUNQ_SIZE];	/* O: goroutines in [head, tail) */
};

bool kgo_runq_empty(struct kgo_runq *q);
unsigned int kgo_runq_len(struct kgo_runq *q);
struct kgo_goroutine *kgo_runq_put(struct kgo_runq *q,
				   struct kgo_goroutine *g, bool next,
				   unsigned int *n);
struct kgo_goroutine *kgo_runq_get(struct kgo_runq *q);
u32 kgo_runq_steal(struct kgo_runq *q, struct kgo_runq *victim,
		   bool steal_next, bool victim_running, struct kgo_goroutine **gp);

#endif /* _GOCHAN_RUNQ_H */
