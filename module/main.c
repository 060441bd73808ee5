// SPDX-License-Identifier: GPL-2.0
/*
 * gochan: Go's concurrency model for the Linux kernel and between
 * processes.  This file holds module load and unload; each subsystem has a
 * file of its own.  The design is described in Documentation/design.rst.
 */
#include <linux/build_bug.h>
#include <linux/fcntl.h>
#include <linux/module.h>
#include <linux/stddef.h>

#include "internal.h"
#include "chan.h"
#include "sched.h"

DEFINE_PER_CPU(long, gochan_objs[GOCHAN_OBJ_NR]);

/* The sum over CPUs of one gochan_objs counter. */
long gochan_obj_count(enum gochan_obj o)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(gochan_objs[o], cpu));
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(gochan_obj_count);

/* The uapi layout is ABI: pin every offset so a change cannot slip in. */
static void gochan_check_uapi_layout(void)
{
	/* The CLOEXEC flags are O_CLOEXEC, as eventfd's EFD_CLOEXEC. */
	BUILD_BUG_ON(GOCHAN_O_CLOEXEC != O_CLOEXEC);
	BUILD_BUG_ON(GOCHAN_O_NONBLOCK != O_NONBLOCK);
	BUILD_BUG_ON(GOCHAN_MAKE_NONBLOCK & GOCHAN_MAKE_AUTOCLOSE);
	BUILD_BUG_ON(GOCHAN_TIMER_NONBLOCK & GOCHAN_TIMER_TICKER);
	BUILD_BUG_ON(GOCHAN_MAKE_CLOEXEC & GOCHAN_MAKE_AUTOCLOSE);
	BUILD_BUG_ON(GOCHAN_TIMER_CLOEXEC & GOCHAN_TIMER_TICKER);
	/* One vocabulary for directions, uapi and kernel. */
	BUILD_BUG_ON(GOCHAN_DIR_SEND != KGO_SELECT_SEND);
	BUILD_BUG_ON(GOCHAN_DIR_RECV != KGO_SELECT_RECV);
	BUILD_BUG_ON(GOCHAN_FOREVER != 0);

	BUILD_BUG_ON(sizeof(struct gochan_selector) != 24);
	BUILD_BUG_ON(sizeof(struct gochan_selector_ctl) != 48);
	BUILD_BUG_ON(offsetof(struct gochan_selector_ctl, buf) != 16);
	BUILD_BUG_ON(offsetof(struct gochan_selector_ctl, key) != 24);
	BUILD_BUG_ON(sizeof(struct gochan_selector_event) != 16);
	BUILD_BUG_ON(sizeof(struct gochan_selector_wait) != 80);
	BUILD_BUG_ON(offsetof(struct gochan_selector_wait, count) != 36);
	BUILD_BUG_ON(offsetof(struct gochan_selector_wait, key) != 40);
	BUILD_BUG_ON(offsetof(struct gochan_selector_wait, reserved) != 64);

	BUILD_BUG_ON(sizeof(struct gochan_api) != 32);
	BUILD_BUG_ON(offsetof(struct gochan_api, api) != 0);
	BUILD_BUG_ON(offsetof(struct gochan_api, flags) != 4);
	BUILD_BUG_ON(offsetof(struct gochan_api, features) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_api, reserved) != 16);

	BUILD_BUG_ON(sizeof(struct gochan_make) != 32);
	BUILD_BUG_ON(offsetof(struct gochan_make, cap) != 4);
	BUILD_BUG_ON(offsetof(struct gochan_make, flags) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_make, pad) != 12);
	BUILD_BUG_ON(offsetof(struct gochan_make, reserved) != 16);

	BUILD_BUG_ON(sizeof(struct gochan_xfer) != 40);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, count) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, flags) != 12);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, deadline) != 16);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, done) != 24);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, ok) != 28);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, elem_size) != 32);
	BUILD_BUG_ON(offsetof(struct gochan_xfer, pad) != 36);

	BUILD_BUG_ON(sizeof(struct gochan_case) != 24);
	BUILD_BUG_ON(offsetof(struct gochan_case, dir) != 4);
	BUILD_BUG_ON(offsetof(struct gochan_case, buf) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_case, ok) != 16);
	BUILD_BUG_ON(offsetof(struct gochan_case, err) != 20);

	BUILD_BUG_ON(sizeof(struct gochan_select) != 40);
	BUILD_BUG_ON(offsetof(struct gochan_select, n) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_select, flags) != 12);
	BUILD_BUG_ON(offsetof(struct gochan_select, deadline) != 16);
	BUILD_BUG_ON(offsetof(struct gochan_select, index) != 24);
	BUILD_BUG_ON(offsetof(struct gochan_select, pad) != 28);
	BUILD_BUG_ON(offsetof(struct gochan_select, sizes) != 32);

	BUILD_BUG_ON(sizeof(struct gochan_timer) != 24);
	BUILD_BUG_ON(offsetof(struct gochan_timer, flags) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_timer, pad) != 12);
	BUILD_BUG_ON(offsetof(struct gochan_timer, reserved) != 16);

	BUILD_BUG_ON(sizeof(struct gochan_timer_set) != 24);
	BUILD_BUG_ON(offsetof(struct gochan_timer_set, flags) != 8);
	BUILD_BUG_ON(offsetof(struct gochan_timer_set, active) != 12);
	BUILD_BUG_ON(offsetof(struct gochan_timer_set, reserved) != 16);

	BUILD_BUG_ON(sizeof(struct gochan_dup) != 16);
	BUILD_BUG_ON(offsetof(struct gochan_dup, flags) != 4);
	BUILD_BUG_ON(offsetof(struct gochan_dup, reserved) != 8);

	BUILD_BUG_ON(sizeof(struct gochan_info) != 56);
	BUILD_BUG_ON(offsetof(struct gochan_info, senders) != 20);
	BUILD_BUG_ON(offsetof(struct gochan_info, pad) != 28);
	BUILD_BUG_ON(offsetof(struct gochan_info, id) != 32);
	BUILD_BUG_ON(offsetof(struct gochan_info, reserved) != 40);
}

static int __init gochan_init(void)
{
	int ret;

	gochan_check_uapi_layout();

	ret = kgo_chan_init();
	if (ret)
		goto err;
	ret = kgo_sched_init();
	if (ret)
		goto err_chan;
	gochan_debugfs_init();

	ret = gochan_dev_init();
	if (ret)
		goto err_sched;

	pr_info("API %d loaded, %d Ps, /dev/gochan ready\n", GOCHAN_API_VERSION,
		kgo_default_sched()->nprocs);
	return 0;

err_sched:
	gochan_debugfs_exit();
	kgo_sched_exit();
err_chan:
	kgo_chan_exit();
err:
	pr_err("failed to load: %d\n", ret);
	return ret;
}

static void __exit gochan_exit(void)
{
	gochan_dev_exit();
	gochan_debugfs_exit();
	/* Waits for every goroutine, then stops every worker. */
	kgo_sched_exit();
	kgo_cont_exit();
	kgo_ctx_exit();
	kgo_chan_exit();
	pr_info("unloaded\n");
}

module_init(gochan_init);
module_exit(gochan_exit);

MODULE_DESCRIPTION("Go channels and goroutines for the Linux kernel");
MODULE_AUTHOR("The gochan authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(GOCHAN_VERSION);
