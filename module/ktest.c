// SPDX-License-Identifier: GPL-2.0
/*
 * gochan_ktest.ko: in-kernel tests that must also run on kernels without
 * KUnit (the stock Debian kernel), or that are too large for the debug
 * kernel.  Loading it runs them; /sys/kernel/debug/gochan_ktest/results
 * has the KTAP report, and the module stays loaded until removed.
 *
 * cont_million: a million receive continuations parked at once, the
 * memory they take measured from the kernel's slab statistics, then all
 * completed (half with a value, half by close), each exactly once.
 */
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_buf.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "cont_mass.h"
#include "kgo.h"

static unsigned int conts = 1000000;
module_param(conts, uint, 0444);
MODULE_PARM_DESC(conts, "Continuations parked at once by cont_million");

#define NCHANS		64
#define MAX_BYTES	256	/* the design target per parked continuation */

static char *report;
static struct seq_buf sb;
static struct dentry *dir;

/* KASAN redzones and kmemleak's records make every object bigger. */
static bool debug_kernel(void)
{
	return IS_ENABLED(CONFIG_KASAN) || IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) ||
	       IS_ENABLED(CONFIG_SLUB_DEBUG_ON);
}

static long slab_bytes(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) *
	       PAGE_SIZE;
}

/* Returns a failure description, or NULL. */
static const char *ktest_cont_million(void)
{
	struct kgo_chan *chs[NCHANS] = {};
	unsigned int i, sent = conts / 2, once = 0;
	const char *fail = NULL;
	long before, per;
	ktime_t t0, t1, t2;
	struct kgo_mass m = {};

	m.seen = vzalloc(conts);
	if (!m.seen)
		return "no memory for the bookkeeping";
	m.n = conts;
	kgo_wg_init(&m.wg);
	for (i = 0; i < NCHANS; i++) {
		chs[i] = kgo_chan_make(sizeof(u32), 0, GFP_KERNEL);
		if (IS_ERR(chs[i])) {
			chs[i] = NULL;
			fail = "cannot make the channels";
			goto out;
		}
	}
	kgo_wg_add(&m.wg, conts);
	before = slab_bytes();
	t0 = ktime_get();
	for (i = 0; i < conts; i++) {
		if (kgo_chan_recv_then_opts(chs[i % NCHANS], kgo_mass_fn, &m,
					    GFP_KERNEL, NULL)) {
			kgo_wg_add(&m.wg, -(int)(conts - i));
			fail = "a registration failed";
			break;
		}
		if (!(i % 4096))
			cond_resched();
	}
	t1 = ktime_get();
	per = (slab_bytes() - before) / (long)max(i, 1U);
	seq_buf_printf(&sb,
		       "# cont_million: %u parked in %lld ms; slab +%ld bytes, %ld bytes each (target <= %d%s)\n",
		       i, ktime_ms_delta(t1, t0), slab_bytes() - before, per,
		       MAX_BYTES, debug_kernel() ? ", not applied: debug kernel" : "");

	for (i = 0; i < sent && !fail; i++) {
		if (kgo_chan_try_send(chs[i % NCHANS], &i)) {
			fail = "a send found no parked receiver";
			break;
		}
		if (!(i % 4096))
			cond_resched();
	}
	for (i = 0; i < NCHANS; i++)
		kgo_chan_close(chs[i]);
	kgo_wg_wait(&m.wg);
	t2 = ktime_get();
	seq_buf_printf(&sb, "# cont_million: all completed in %lld ms\n",
		       ktime_ms_delta(t2, t1));
	if (fail)
		goto out;
	for (i = 0; i < sent; i++)
		once += m.seen[i] == 1;
	seq_buf_printf(&sb,
		       "# cont_million: %u of %u values exactly once; %d saw close (of %u); %d bad\n",
		       once, sent, atomic_read(&m.closed), conts - sent,
		       atomic_read(&m.bad));
	if (once != sent || atomic_read(&m.closed) != conts - sent ||
	    atomic_read(&m.bad))
		fail = "not exactly once";
	else if (per > MAX_BYTES && !debug_kernel())
		fail = "over the memory target";
out:
	for (i = 0; i < NCHANS; i++)
		kgo_chan_put(chs[i]);
	vfree(m.seen);
	return fail;
}

static int results_show(struct seq_file *s, void *unused)
{
	seq_puts(s, report);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int __init ktest_init(void)
{
	const char *fail;

	report = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!report)
		return -ENOMEM;
	seq_buf_init(&sb, report, PAGE_SIZE);
	seq_buf_printf(&sb, "KTAP version 1\n1..1\n");
	fail = ktest_cont_million();
	if (fail)
		seq_buf_printf(&sb, "# cont_million: %s\nnot ok 1 cont_million\n",
			       fail);
	else
		seq_buf_printf(&sb, "ok 1 cont_million\n");
	pr_info("%s", report + strlen("KTAP version 1\n1..1\n"));
	dir = debugfs_create_dir("gochan_ktest", NULL);
	debugfs_create_file("results", 0444, dir, NULL, &results_fops);
	return 0;
}

static void __exit ktest_exit(void)
{
	debugfs_remove(dir);
	kfree(report);
}

module_init(ktest_init);
module_exit(ktest_exit);

MODULE_DESCRIPTION("gochan in-kernel tests for kernels without KUnit");
MODULE_LICENSE("GPL");
