// SPDX-License-Identifier: GPL-2.0
/*
 * A P's local run queue: Go's runqput, runqget, runqgrab and runqsteal
 * (runtime/proc.go) on a struct kgo_runq (runq.h).
 *
 * One producer, many consumers.  Only the owner writes slots and tail;
 * it publishes a slot with the store-release of tail, and a consumer
 * reads tail with a load-acquire before it reads the slots below it.  A
 * consumer takes slots by moving head with a cmpxchg; the owner reuses a
 * slot only after a load-acquire of head shows it was taken, so a slot
 * is never overwritten while a consumer may still copy it out.
 * runnext is a single pointer that the owner replaces with xchg() and
 * anybody takes with cmpxchg().
 *
 * Barrier partners: the store-release of tail is in kgo_runq_put() and
 * kgo_runq_steal() (into the thief's own ring); its load-acquires are in
 * kgo_runq_grab(), kgo_runq_empty() and kgo_runq_len().  head is moved
 * by the cmpxchg of kgo_runq_get(), kgo_runq_grab() and
 * kgo_runq_put_slow(), and loaded with acquire by the owner before it
 * reuses slots.  The slots and runnext are read with READ_ONCE() and
 * written with WRITE_ONCE() or xchg() only for KCSAN's sake: a value
 * read is used only after the cmpxchg of head or runnext that claims it
 * succeeds.  The ordering that keeps a goroutine from being stranded
 * when its P goes idle is not here but in sched.c: see
 * kgo_recheck_after_release().
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>

#include "internal.h"
#include "runq.h"
#include "sched.h"

/* How long a thief leaves a running P's runnext alone (Go: 3 us). */
#define KGO_RUNNEXT_GRACE_NS	5000

/**
 * kgo_runq_empty() - Go's runqempty: nothing in the ring nor in runnext
 * @q: the run queue
 *
 * A consistent snapshot of head, tail and runnext, from any CPU.
 */
bool kgo_runq_empty(struct kgo_runq *q)
{
	for (;;) {
		u32 head, tail;
		struct kgo_goroutine *next;

		/* Acquire: read head, tail and runnext in this order. */
		head = smp_load_acquire(&q->head);
		/* Acquire: as above. */
		tail = smp_load_acquire(&q->tail);
		next = READ_ONCE(q->next);
		/* Acquire: tail unchanged, so the three form a snapshot. */
		if (smp_load_acquire(&q->tail) == tail)
			return head == tail && !next;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kgo_runq_empty);

/**
 * kgo_runq_len() - goroutines in the ring, not counting runnext
 * @q: the run queue
 *
 * Racy from another CPU: for reports.
 */
unsigned int kgo_runq_len(struct kgo_runq *q)
{
	u32 head, tail;

	/* Acquire: head before tail, so tail - head is never negative. */
	head = smp_load_acquire(&q->head);
	/* Acquire: pairs with the owner's store-release of tail. */
	tail = smp_load_acquire(&q->tail);
	return min_t(u32, tail - head, KGO_RUNQ_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_runq_len);

/*
 * Go's runqputslow: the ring is full, so take half of it, and g, out in
 * one batch linked through ->next.  Fails if consumers moved head
 * meanwhile.  Only the owner writes slots, so once head has moved past
 * them the slots can be read at leisure.
 */
static struct kgo_goroutine *kgo_runq_put_slow(struct kgo_runq *q,
					       struct kgo_goroutine *g,
					       u32 head, u32 tail,
					       unsigned int *nout)
{
	u32 n = (tail - head) / 2, i;
	struct kgo_goroutine *first, *prev;

	if (WARN_ON_ONCE(n != KGO_RUNQ_SIZE / 2))
		return NULL;
	if (cmpxchg(&q->head, head, head + n) != head)
		return NULL;
	first = READ_ONCE(q->slot[head % KGO_RUNQ_SIZE]);
	prev = first;
	for (i = 1; i < n; i++) {
		prev->next = READ_ONCE(q->slot[(head + i) % KGO_RUNQ_SIZE]);
		prev = prev->next;
	}
	prev->next = g;
	g->next = NULL;
	*nout = n + 1;
	return first;
}

/**
 * kgo_runq_put() - Go's runqput, owner only
 * @q:    the run queue
 * @g:    the goroutine
 * @next: put @g in runnext; the goroutine it displaces goes to the tail
 * @n:    out: the length of the batch returned
 *
 * Return: NULL when the goroutine went into the ring (or runnext); else
 * the ring was full and the first of a batch of *@n goroutines, half of
 * the ring in order and then the one that did not fit, linked through
 * ->next, that the caller must queue elsewhere (Go's global queue).
 */
struct kgo_goroutine *kgo_runq_put(struct kgo_runq *q,
				   struct kgo_goroutine *g, bool next,
				   unsigned int *n)
{
	struct kgo_goroutine *batch;
	u32 head, tail;

	*n = 0;
	if (next) {
		struct kgo_goroutine *old = xchg(&q->next, g);

		if (!old)
			return NULL;
		g = old;
	}
	for (;;) {
		/* Acquire: consumers' cmpxchg of head freed the slots we reuse. */
		head = smp_load_acquire(&q->head);
		tail = q->tail;
		if (tail - head < KGO_RUNQ_SIZE) {
			WRITE_ONCE(q->slot[tail % KGO_RUNQ_SIZE], g);
			/* Release: the slot write is visible before the new tail. */
			smp_store_release(&q->tail, tail + 1);
			return NULL;
		}
		batch = kgo_runq_put_slow(q, g, head, tail, n);
		if (batch)
			return batch;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kgo_runq_put);

/**
 * kgo_runq_get() - Go's runqget: runnext first, then the ring; owner only
 * @q: the run queue
 *
 * Return: a goroutine, or NULL when the queue is empty.
 */
struct kgo_goroutine *kgo_runq_get(struct kgo_runq *q)
{
	struct kgo_goroutine *next = READ_ONCE(q->next);
	u32 head;

	if (next && cmpxchg(&q->next, next, NULL) == next)
		return next;
	/* Acquire: pairs with thieves' cmpxchg of head. */
	head = smp_load_acquire(&q->head);
	for (;;) {
		struct kgo_goroutine *g;

		if (q->tail == head)
			return NULL;
		g = READ_ONCE(q->slot[head % KGO_RUNQ_SIZE]);
		if (try_cmpxchg(&q->head, &head, head + 1))
			return g;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kgo_runq_get);

/*
 * Go's runqgrab: copy half of victim's ring into batch[] starting at
 * batch_head, and take it with one cmpxchg of victim's head.  Returns how
 * many were taken.  With steal_next and an empty ring, take runnext.
 */
static u32 kgo_runq_grab(struct kgo_runq *victim, struct kgo_goroutine **batch,
			 u32 batch_head, bool steal_next, bool victim_running)
{
	for (;;) {
		u32 head, tail, n, i;

		/* Acquire: pairs with other consumers' cmpxchg of head. */
		head = smp_load_acquire(&victim->head);
		/* Acquire: pairs with the owner's release of tail (slots written). */
		tail = smp_load_acquire(&victim->tail);
		n = tail - head;

		n -= n / 2;
		if (n == 0) {
			struct kgo_goroutine *next;

			if (!steal_next)
				return 0;
			next = READ_ONCE(victim->next);
			/*
			 * Go's runqgrab: the victim's M, running, is likely
			 * about to start runnext itself (a goroutine that
			 * spawned its successor and returns).  Give it a few
			 * microseconds before taking it away.
			 */
			if (next && victim_running) {
				u64 end = local_clock() + KGO_RUNNEXT_GRACE_NS;

				while (READ_ONCE(victim->next) == next &&
				       local_clock() < end && !need_resched())
					cpu_relax();
				next = READ_ONCE(victim->next);
			}
			if (!next || cmpxchg(&victim->next, next, NULL) != next)
				return 0;
			WRITE_ONCE(batch[batch_head % KGO_RUNQ_SIZE], next);
			return 1;
		}
		if (n > KGO_RUNQ_SIZE / 2)
			continue;	/* head and tail read inconsistently */
		for (i = 0; i < n; i++)
			WRITE_ONCE(batch[(batch_head + i) % KGO_RUNQ_SIZE],
				   READ_ONCE(victim->slot[(head + i) % KGO_RUNQ_SIZE]));
		if (cmpxchg(&victim->head, head, head + n) == head)
			return n;
	}
}

/**
 * kgo_runq_steal() - Go's runqsteal: half of @victim's ring into @q's
 * @q:              the thief's run queue; its owner calls this
 * @victim:         the run queue stolen from
 * @steal_next:     with an empty ring, take @victim's runnext
 * @victim_running: @victim's owner runs a goroutine now, which is likely
 *                  to start runnext itself: give it a grace period first
 * @gp:             out: one goroutine to run now (the last one taken)
 *
 * Return: how many were taken in all (with *@gp), 0 for none.
 */
u32 kgo_runq_steal(struct kgo_runq *q, struct kgo_runq *victim,
		   bool steal_next, bool victim_running, struct kgo_goroutine **gp)
{
	u32 tail = q->tail, n;

	*gp = NULL;
	n = kgo_runq_grab(victim, q->slot, tail, steal_next, victim_running);
	if (!n)
		return 0;
	*gp = q->slot[(tail + n - 1) % KGO_RUNQ_SIZE];
	if (n > 1) {
		/* Acquire: pairs with consumers' cmpxchg of our head. */
		u32 head = smp_load_acquire(&q->head);

		WARN_ON_ONCE(tail - head + n - 1 > KGO_RUNQ_SIZE);
		/* Release: the copied slots are visible before the new tail. */
		smp_store_release(&q->tail, tail + n - 1);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_runq_steal);
