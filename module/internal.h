/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal declarations shared by the files of gochan.ko.  Nothing here is
 * part of the module's API to userspace (uapi/linux/gochan.h) or to other
 * modules (the exported kgo_* symbols).
 */
#ifndef _GOCHAN_INTERNAL_H
#define _GOCHAN_INTERNAL_H

#include <linux/gochan.h>
#include <linux/percpu.h>

#include "compat.h"

/*
 * The feature bits this module reports (uapi: gochan_api.features): one
 * per addition to the frozen GOCHAN_API_VERSION 2 interface.
 */
#define GOCHAN_FEATURES		(GOCHAN_FEATURE_TIMER_SET | \
				 GOCHAN_FEATURE_SIZED | GOCHAN_FEATURE_RW | \
				 GOCHAN_FEATURE_SELECTOR)

/* dev.c: the /dev/gochan misc device. */
int gochan_dev_init(void);
void gochan_dev_exit(void);

/* uchan.c: channel fds, and the /dev/gochan commands that make them. */
long gochan_ioctl_make(struct gochan_make __user *um);
long gochan_ioctl_timer(struct gochan_timer __user *ut);
long gochan_ioctl_select(struct gochan_select __user *us);

/* selector.c: selector fds. */
long gochan_ioctl_selector(struct gochan_selector __user *us);

unsigned int gochan_users_count(void);

/*
 * Live objects, for the leak checks of /sys/kernel/debug/gochan/objects,
 * the unload checks and the tests: the one object-counting mechanism of
 * the module.  Per-CPU, so that the hot paths pay one this_cpu_add() and
 * no shared cache line; only the sum over CPUs (gochan_obj_count())
 * means anything, and it is exact once nothing is in flight.
 */
enum gochan_obj {
	GOCHAN_OBJ_CHANS,	/* channels (struct kgo_chan) */
	GOCHAN_OBJ_WAITERS,	/* sleeping selects' waiters queued on channels */
	GOCHAN_OBJ_TIMERS,	/* timer channels' hrtimers */
	GOCHAN_OBJ_CONTS,	/* continuations */
	GOCHAN_OBJ_CTXS,	/* contexts */
	GOCHAN_OBJ_FILES,	/* channel fds' open files */
	GOCHAN_OBJ_SELECTORS,	/* selector fds' open files */
	GOCHAN_OBJ_NR
};

DECLARE_PER_CPU(long, gochan_objs[GOCHAN_OBJ_NR]);

static inline void gochan_obj_add(enum gochan_obj o, long n)
{
	this_cpu_add(gochan_objs[o], n);
}

long gochan_obj_count(enum gochan_obj o);

/* chan.c: a close's interrupts-off holds: longest, count, total ns, waiters */
extern u64 gochan_close_max_hold_ns;
extern u64 gochan_close_holds;
extern u64 gochan_close_hold_ns;
extern u64 gochan_close_waiters;
/* select.c: aborted arms, and arms under every lock */
extern u64 gochan_sel_aborts;
extern u64 gochan_sel_locked_arms;

/* sched.c: may a blocking channel operation spin first? */
bool kgo_may_spin(void);

/* debugfs.c */
void gochan_debugfs_init(void);
void gochan_debugfs_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
int gochan_api_negotiate(struct gochan_api *api);
#endif

#endif /* _GOCHAN_INTERNAL_H */
