/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The M:N goroutine scheduler's data structures.  Documentation/design.rst
 * describes the algorithm; this header is the reference for the locking.
 *
 * Locking legend, applied to every field below:
 *
 *   S:  sched->lock (spinlock, irqsave: kgo_go() may run in hard irq)
 *   F:  sched->gfree_lock (spinlock, irqsave: spawns from interrupts)
 *   C:  this CPU's, with interrupts off
 *   O:  written only by the M that owns the P (see kgo_p.own)
 *   A:  lock-free, with the atomic or ordered accesses the code names
 *   M:  private to the M (its own kthread)
 *   I:  set before the scheduler starts, read-only after
 *   X:  sysmon thread only
 *   Q:  see struct kgo_grun
 *
 * Lock order: a P's ownership (kgo_p_claim()) is not a lock, but no M
 * sleeps while it owns a P outside goroutine code; sched->lock and
 * sched->gfree_lock are leaves, never held together.
 */
#ifndef _GOCHAN_SCHED_H
#define _GOCHAN_SCHED_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/percpu-refcount.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <kgo.h>

#include "runq.h"

#define KGO_GLOBAL_BATCH_MAX	(KGO_RUNQ_SIZE / 2)
#define KGO_STEAL_PASSES	4
#define KGO_GLOBAL_TICK		61

enum kgo_g_state {
	KGO_G_RUNNABLE,
	KGO_G_RUNNING,
	KGO_G_WAITING,
};

/*
 * kgo_goroutine.kind: where a queued record comes from, and so what
 * kgo_execute() does with it once its function is about to run.
 */
enum kgo_g_kind {
	KGO_G_POOLED,	/* the scheduler's: back to a free list (kgo_gfput()) */
	KGO_G_RECORD,	/* the caller's (kgo_go_record()): clear ->pending */
	KGO_G_TOKEN,	/* an M's yield token: give a P to that M */
};

/* kgo_goroutine.pending: the bit kgo_go_record() sets, as in kgo.h. */
#define KGO_G_PENDING	0

struct kgo_m;
struct kgo_p;
struct kgo_sched;

/*
 * A goroutine (struct kgo_goroutine, kgo.h) is a record only while it is
 * queued: 64 bytes, from a P's free list or the slab, or the caller's.
 * Its fields are I from its start call until kgo_execute() takes it;
 * ->next / ->lnode are S (the global queue) or A (an inbox, a ring).
 *
 * Once its function runs, a goroutine is its M (it runs on the M's
 * stack to the end): the M copies what the dump shows into its own
 * struct kgo_grun and gives the record back, so that a caller's record
 * may be reused or freed by the function itself.
 *
 * Q: written by the M that runs the goroutine, inside kgo_m.gseq's write
 *    section; the dump reads them inside a read section.
 */
struct kgo_grun {
	kgo_fn_t fn;			/* Q */
	const char *name;		/* Q */
	struct module *owner;		/* Q: pinned until fn returns */
	u64 id;				/* Q */
	u64 wait_since;			/* A: ktime_get_ns() at block */
	u8 state;			/* A: enum kgo_g_state */
	u8 wait_reason;			/* A: enum kgo_wait_reason */
	u8 resume;			/* A: waits for a P (kgo_wait_for_p()) */
};

/*
 * kgo_p.own: who owns the P.  0 while the P is idle or being handed over;
 * otherwise the owning M's address, with KGO_OWN_RUNNING set while the M
 * runs goroutine code.  Only a RUNNING P can be retaken by sysmon (a
 * cmpxchg to 0); the M's scheduler code clears the bit, with a cmpxchg
 * that fails if the P was retaken, before touching the P as its owner.
 */
#define KGO_OWN_RUNNING	1UL

struct kgo_p {
	/* The local run queue: the owner puts, the owner and thieves take. */
	struct kgo_runq rq;		/* A and O: see runq.h */

	struct llist_head inbox;	/* A: placed goroutines, any producer */
	atomic_long_t own;		/* A: see KGO_OWN_RUNNING */
	u32 schedtick;			/* O: goroutines started */

	int id;				/* I */
	struct kgo_sched *sched;	/* I */
	struct list_head idle;		/* S: sched->pidle / sched->pnew */
	bool newm_spinning;		/* S: with ->idle on sched->pnew */

	/*
	 * Go's gFree and goidcache: free records, and a batch of goroutine
	 * ids, for spawns from goroutines on this P (kgo_gfget()).
	 */
	struct kgo_goroutine *gfree;	/* O: linked by ->next */
	unsigned int ngfree;		/* O */
	u64 goid_next;			/* O */
	u64 goid_end;			/* O */

	/*
	 * Module references kept for the next spawn from here of a
	 * goroutine of the same module (kgo_owner_get()).  Only the module
	 * of the goroutine the P runs, or of the one it ran last, is kept:
	 * see kgo_owner_keep().
	 */
	struct module *modref;		/* O */
	unsigned int nmodref;		/* O */

	u32 sysmon_tick;		/* X */
	u64 sysmon_when;		/* X */
} ____cacheline_aligned_in_smp;

struct kgo_m {
	struct task_struct *task;	/* I */
	struct kgo_sched *sched;	/* I */
	int id;				/* I */
	struct kgo_p *p;		/* M: the P it holds, if any */
	struct kgo_grun *curg;		/* A: &->g while it runs one, or NULL */
	struct kgo_grun g;		/* Q and A: the goroutine it runs */
	seqcount_t gseq;		/* the dump's consistent view of ->g */
	struct kgo_goroutine token;	/* M: its place in the global queue
					 * while it waits for a P
					 */
	bool spinning;			/* M */
	struct kgo_p *nextp;		/* S, then A: a P handed to it */
	bool nextspinning;		/* S */
	struct list_head idle;		/* S: on sched->midle */
	struct list_head all;		/* S, and RCU for the dump: sched->ms */
};

/* Free records for spawns from outside the scheduler, per CPU. */
struct kgo_gcache {
	struct kgo_goroutine *head;	/* C: linked by ->next */
	unsigned int n;			/* C */
};

/* Event counters, per CPU (this_cpu_inc()); read by summing. */
struct kgo_stats {
	u64 spawned;
	u64 completed;
	u64 steals;
	u64 stolen;
	u64 handoffs;
	u64 retakes;
	u64 parks;
	u64 wakeups;
	u64 yields;
	u64 global_puts;
	u64 kicks;	/* sysmon woke a spinner for a quiet spawn */
	u64 allocs;	/* goroutine records taken from the slab */
};

struct kgo_sched {
	const char *name;		/* I */
	int nprocs;			/* I: GOMAXPROCS */
	int maxm;			/* I: cap on Ms */
	struct kgo_p *allp;		/* I: nprocs Ps */
	u32 *coprimes;			/* I: strides for random steal order */
	int ncoprimes;			/* I */

	/* Protects the global queue, the idle lists and the M accounting. */
	spinlock_t lock;
	struct kgo_goroutine *gq_head;	/* S */
	struct kgo_goroutine *gq_tail;	/* S */
	unsigned int gq_len;		/* S; READ_ONCE for lock-free peeks */
	struct list_head pidle;		/* S */
	atomic_t npidle;		/* S to write, A to read */
	struct list_head midle;		/* S */
	struct list_head ms;		/* S: every M */
	int nm;				/* S: Ms created or being created */
	struct list_head pnew;		/* S: Ps waiting for a new M */

	atomic_t nmspinning;		/* A */
	/*
	 * One reference per goroutine and parked continuation, and one for
	 * the scheduler until kgo_sched_destroy() kills it; released is
	 * completed when the last one goes.
	 */
	struct percpu_ref refs;
	struct completion released;
	atomic64_t next_goid;		/* A: ids handed out, in batches */
	bool stopped;			/* A: Ms must exit */

	/* Go's sched.gFree: records the Ps' free lists overflowed into. */
	spinlock_t gfree_lock;
	struct kgo_goroutine *gfree;	/* F: linked by ->next */
	unsigned int ngfree;		/* F; READ_ONCE for lock-free peeks */
	struct kgo_gcache __percpu *gcache;	/* C */

	struct work_struct newm_work;	/* creates Ms in process context */
	struct task_struct *sysmon;	/* I */
	int sysmon_deep;		/* A: sysmon sleeps the longest (an
					 * int for xchg(), as UBSAN reads a
					 * bool twice)
					 */
	wait_queue_head_t sysmon_wq;	/* where it sleeps then */
	u64 sysmon_threshold_ns;	/* I */
	u32 sysmon_min_us;		/* I */
	bool strict_procs;		/* I: woken goroutines wait for a P */
	struct kgo_stats __percpu *stats;
};

/* sched.c */
struct kgo_sched *kgo_sched_create(const char *name, int nprocs, int maxm,
				   unsigned int sysmon_threshold_ms);
void kgo_sched_destroy(struct kgo_sched *s);
int kgo_sched_go(struct kgo_sched *s, struct module *owner, kgo_fn_t fn,
		 void *arg, const struct kgo_go_opts *opts);
int kgo_sched_go_record(struct kgo_sched *s, struct module *owner,
			struct kgo_goroutine *g, const struct kgo_go_opts *opts);
int kgo_sched_pin(struct kgo_sched *s, struct module *owner);
void kgo_sched_unpin(struct kgo_sched *s, struct module *owner);
int kgo_sched_go_pinned(struct kgo_sched *s, struct module *owner,
			kgo_fn_t fn, void *arg, const struct kgo_go_opts *opts);
struct kgo_sched *kgo_current_sched(void);
void kgo_sched_stats(struct kgo_sched *s, struct kgo_stats *sum);
int kgo_sched_goroutines(struct kgo_sched *s);
struct kgo_sched *kgo_default_sched(void);
int kgo_sched_init(void);
void kgo_sched_exit(void);

/* debugfs.c */
void kgo_sched_show(struct seq_file *m, struct kgo_sched *s);
void kgo_goroutines_show(struct seq_file *m, struct kgo_sched *s);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals the KUnit suites drive directly. */
void kgo_p_runq_put(struct kgo_p *p, struct kgo_goroutine *g, bool next);
struct kgo_goroutine *kgo_globrunq_get(struct kgo_p *p, unsigned int max);
size_t kgo_g_size(void);
int kgo_wg_add_quiet(struct kgo_wg *wg, int delta);
#endif

#endif /* _GOCHAN_SCHED_H */
