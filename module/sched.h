/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The M:N goroutine scheduler's data structures.  Documentation/design.rst
 * describes the algorithm; this header is the reference for the locking.
 *
 * Locking legend, applied to every field below:
 *
 *   S:  sched->lock (spinlock, irqsave: kgo_go() may run in hard irq)
 *   G:  p->glock (spinlock, irqsave), the P's list of goroutines
 *   O:  written only by the M that owns the P (see kgo_p.own)
 *   A:  lock-free, with the atomic or ordered accesses the code names
 *   M:  private to the M (its own kthread)
 *   I:  set before the scheduler starts, read-only after
 *   X:  sysmon thread only
 */
#ifndef _GOCHAN_SCHED_H
#define _GOCHAN_SCHED_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/percpu.h>
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

/* kgo_g.flags */
#define KGO_G_RESUME	BIT(0)	/* a token: give a P to the M in ->m */

struct kgo_m;
struct kgo_p;
struct kgo_sched;

/*
 * A goroutine.  It costs one kmem_cache object of at most 128 bytes while
 * queued or running; its stack is the stack of the M that runs it.
 */
struct kgo_g {
	kgo_fn_t fn;			/* I */
	void *arg;			/* I */
	struct module *owner;		/* I: pinned until fn returns */
	union {
		struct kgo_g *next;	/* S: global queue link */
		struct llist_node lnode;	/* A: a P's inbox */
	};
	struct kgo_m *m;		/* A: the M running it, or NULL */
	struct kgo_p *home;		/* I: whose glock guards ->all */
	struct list_head all;		/* G: home->gs */
	const char *name;		/* I */
	u64 id;				/* I */
	u64 wait_since;			/* A: ktime_get_ns() at block */
	u8 state;			/* A: enum kgo_g_state */
	u8 wait_reason;			/* A: enum kgo_wait_reason */
	u8 flags;			/* A: KGO_G_* */
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

	spinlock_t glock;		/* protects ->gs */
	struct list_head gs;		/* G: goroutines homed here */

	u32 sysmon_tick;		/* X */
	u64 sysmon_when;		/* X */
} ____cacheline_aligned_in_smp;

struct kgo_m {
	struct task_struct *task;	/* I */
	struct kgo_sched *sched;	/* I */
	int id;				/* I */
	struct kgo_p *p;		/* M: the P it holds, if any */
	struct kgo_g *curg;		/* A: running goroutine (dump) */
	bool spinning;			/* M */
	struct kgo_p *nextp;		/* S, then A: a P handed to it */
	bool nextspinning;		/* S */
	struct list_head idle;		/* S: on sched->midle */
	struct list_head all;		/* S: sched->ms */
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
	struct kgo_g *gq_head;		/* S */
	struct kgo_g *gq_tail;		/* S */
	unsigned int gq_len;		/* S; READ_ONCE for lock-free peeks */
	struct list_head pidle;		/* S */
	atomic_t npidle;		/* S to write, A to read */
	struct list_head midle;		/* S */
	struct list_head ms;		/* S: every M */
	int nm;				/* S: Ms created or being created */
	struct list_head pnew;		/* S: Ps waiting for a new M */

	atomic_t nmspinning;		/* A */
	/* A: goroutines that exist, + 1 until kgo_sched_destroy() */
	atomic_t ngs;
	atomic64_t next_goid;		/* A */
	bool stopping;			/* A: no new goroutines */
	bool stopped;			/* A: Ms must exit */
	wait_queue_head_t gs_wq;	/* wakes when ngs reaches 0 */

	struct work_struct newm_work;	/* creates Ms in process context */
	struct task_struct *sysmon;	/* I */
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
int kgo_sched_pin(struct kgo_sched *s, struct module *owner);
void kgo_sched_unpin(struct kgo_sched *s, struct module *owner);
int kgo_sched_go_pinned(struct kgo_sched *s, struct module *owner,
			kgo_fn_t fn, void *arg, const struct kgo_go_opts *opts);
struct kgo_sched *kgo_current_sched(void);
void kgo_sched_stats(struct kgo_sched *s, struct kgo_stats *sum);
struct kgo_sched *kgo_default_sched(void);
int kgo_sched_init(void);
void kgo_sched_exit(void);

/* debugfs.c */
void kgo_sched_show(struct seq_file *m, struct kgo_sched *s);
void kgo_goroutines_show(struct seq_file *m, struct kgo_sched *s);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals the KUnit suites drive directly. */
void kgo_p_runq_put(struct kgo_p *p, struct kgo_g *g, bool next);
struct kgo_g *kgo_globrunq_get(struct kgo_p *p, unsigned int max);
size_t kgo_g_size(void);
int kgo_wg_add_quiet(struct kgo_wg *wg, int delta);
#endif

#endif /* _GOCHAN_SCHED_H */
