/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gochan's kernel API: goroutines (kgo_go), yielding, wait groups, and
 * the hooks that tell the scheduler a goroutine is about to block.
 * Channels, select, timer channels and contexts are in kgo_chan.h, which
 * this header includes.
 *
 * A module that uses it includes this header, builds with
 * KBUILD_EXTRA_SYMBOLS pointing at gochan's Module.symvers, and is loaded
 * after gochan.ko.  See Documentation/kernel-api.rst.
 */
#ifndef _KGO_H
#define _KGO_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "kgo_chan.h"	/* channels, select, timers, contexts */

/* A goroutine's body. */
typedef void (*kgo_fn_t)(void *arg);

/* kgo_go_opts.cpu: let the scheduler choose. */
#define KGO_CPU_ANY	(-1)

/**
 * struct kgo_go_opts - options for kgo_go_opts()
 * @cpu:  KGO_CPU_ANY, or a possible CPU: the goroutine is queued on the P
 *        of that CPU (P number cpu % maxprocs).  It may still be stolen by
 *        another P, as in Go.
 * @name: a string with static lifetime shown in the goroutine dump, or
 *        NULL.
 * @gfp:  the allocation flags for the goroutine record: 0 means
 *        GFP_NOWAIT (any context); GFP_KERNEL when the caller may sleep.
 */
struct kgo_go_opts {
	int cpu;
	const char *name;
	gfp_t gfp;
};

int __kgo_go(struct module *owner, kgo_fn_t fn, void *arg,
	     const struct kgo_go_opts *opts);

/**
 * kgo_go() - start a goroutine: Go's "go fn(arg)"
 * @fn:  the function to run
 * @arg: its argument
 *
 * Queues @fn to run on gochan's scheduler and returns at once.  The
 * calling module is pinned (a module reference) until @fn has returned,
 * so its text cannot be freed under a queued goroutine.
 *
 * Context: Any context, including hard interrupts; does not sleep.  The
 * goroutine record is allocated with GFP_NOWAIT.
 * Return: 0, -ENOMEM if the record cannot be allocated (nothing was
 * queued), -ENODEV if the calling module is being unloaded, or
 * -ESHUTDOWN while the scheduler is shutting down.
 */
#define kgo_go(fn, arg)		__kgo_go(THIS_MODULE, (fn), (arg), NULL)

/**
 * kgo_go_opts() - start a goroutine with options
 * @fn:   the function to run
 * @arg:  its argument
 * @opts: placement, name and allocation flags; see struct kgo_go_opts
 *
 * Context: Any context if @opts->gfp does not allow sleeping; process
 * context otherwise.
 * Return: as kgo_go(), and -EINVAL for a CPU that is not possible.
 */
#define kgo_go_opts(fn, arg, opts)	__kgo_go(THIS_MODULE, (fn), (arg), (opts))

void kgo_yield(void);
bool kgo_in_goroutine(void);
u64 kgo_goid(void);

/* Why a goroutine waits; shown in the goroutine dump. */
enum kgo_wait_reason {
	KGO_WAIT_NONE,
	KGO_WAIT_CHAN_SEND,
	KGO_WAIT_CHAN_RECV,
	KGO_WAIT_SELECT,
	KGO_WAIT_WAITGROUP,
	KGO_WAIT_SLEEP,
	KGO_WAIT_IO,
	KGO_WAIT_MUTEX,
	KGO_WAIT_YIELD,
	KGO_WAIT_NR
};

void kgo_block_begin(enum kgo_wait_reason reason);
void kgo_block_end(void);

/**
 * struct kgo_wg - a wait group: Go's sync.WaitGroup
 * @count: goroutines still to call kgo_wg_done()
 * @wq:    waiters of kgo_wg_wait()
 *
 * Initialise with kgo_wg_init().
 */
struct kgo_wg {
	atomic_t count;
	wait_queue_head_t wq;
};

void kgo_wg_init(struct kgo_wg *wg);
int kgo_wg_add(struct kgo_wg *wg, int delta);
void kgo_wg_done(struct kgo_wg *wg);
void kgo_wg_wait(struct kgo_wg *wg);
int kgo_wg_wait_killable(struct kgo_wg *wg);

#endif /* _KGO_H */
