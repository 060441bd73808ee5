// SPDX-License-Identifier: GPL-2.0
/*
 * gochan_ktest.ko: in-kernel tests that must also run on kernels without
 * KUnit (the stock Debian kernel), or that are too large for the debug
 * kernel.  Loading it runs them; /sys/kernel/debug/gochan_ktest/results
 * has the KTAP report, and the module stays loaded until removed.
 *
 * It also offers "share" (below), where kernel goroutines work on channel
 * fds with the selftests.
 *
 * cont_million: a million receive continuations parked at once, the
 * memory they take measured from the kernel's slab statistics, then all
 * completed (half with a value, half by close), each exactly once.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_buf.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "ktest_shared.h"
#include <kgo.h>

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

/*
 * close_vs_selects: close an unbuffered channel under 8 goroutines
 * blocked in (or arriving at) a select on it, many times: each select
 * must return its receive case with ok = false, once.  A waiter record
 * used after its select returned is what KASAN catches on the debug
 * kernel (the KUnit case kgo_close_vs_blocked_selects); here the count
 * is the point.  A third of the rounds close only once all 8 are queued
 * on the channel; those rounds are counted, and each must get there.
 */
static unsigned int close_rounds = 30000;
module_param(close_rounds, uint, 0444);
MODULE_PARM_DESC(close_rounds, "Rounds of close_vs_selects");

static const char *ktest_close_vs_selects(void)
{
	static const struct kgo_go_opts opts = {
		.cpu = KGO_CPU_ANY,
		.gfp = GFP_KERNEL,
	};
	struct kgo_close_ctx c = {};
	unsigned int round, i, n, started = 0, queued = 0, want = 0;
	ktime_t t0 = ktime_get();

	for (round = 0; round < close_rounds; round++) {
		c.ch = kgo_chan_make(sizeof(int), 0, GFP_KERNEL);
		if (IS_ERR(c.ch))
			return "cannot make a channel";
		kgo_wg_init(&c.ready);
		kgo_wg_init(&c.woke);
		kgo_wg_add(&c.ready, 8);
		kgo_wg_add(&c.woke, 8);
		for (i = 0, n = 0; i < 8; i++) {
			if (kgo_go_opts(kgo_close_selector, &c, &opts)) {
				kgo_wg_add(&c.ready, -1);
				kgo_wg_add(&c.woke, -1);
				continue;
			}
			n++;
		}
		started += n;
		/* Close as they arrive, once they are about to, or queued. */
		if (round % 3 == 1) {
			kgo_wg_wait(&c.ready);
		} else if (round % 3 == 2) {
			want++;
			queued += kgo_wait_recvq(c.ch, n);
		}
		kgo_chan_close(c.ch);
		kgo_wg_wait(&c.woke);
		kgo_chan_put(c.ch);
		cond_resched();
	}
	seq_buf_printf(&sb,
		       "# close_vs_selects: %u rounds, %u selects, %d saw close, %d wrong, %u rounds closed with all queued, %lld ms\n",
		       close_rounds, started, atomic_read(&c.closed_seen),
		       atomic_read(&c.wrong), queued,
		       ktime_ms_delta(ktime_get(), t0));
	if (started != 8 * close_rounds)
		return "a goroutine could not be started";
	if (atomic_read(&c.closed_seen) != started || atomic_read(&c.wrong))
		return "a select did not see the close exactly once";
	if (!queued || queued != want)
		return "the selectors were not all queued before the close";
	return NULL;
}

/*
 * /sys/kernel/debug/gochan_ktest/share: kernel goroutines on channels
 * that userspace holds, both ways (selftests/gochan, kernel_shares_*).
 *
 * read:  the kernel makes an unbuffered channel of s64, installs a
 *        receive-only fd for it in the reader (kgo_chan_fd_install())
 *        and returns the fd number; a goroutine sends 1..100 on it and
 *        closes it.
 * write: "FD", a channel fd of the writer that may send and receive;
 *        the kernel takes the channel (kgo_chan_fdget()) and a goroutine
 *        answers every s64 it receives with twice the value, until the
 *        channel is closed.
 */
#define SHARE_FEED	100

static void share_feed(void *arg)
{
	struct kgo_chan *ch = arg;
	s64 v;

	for (v = 1; v <= SHARE_FEED; v++)
		if (kgo_chan_send(ch, &v))
			break;
	kgo_chan_close(ch);
	kgo_chan_put(ch);
}

static void share_echo(void *arg)
{
	struct kgo_chan *ch = arg;
	bool ok;
	s64 v;

	while (!kgo_chan_recv(ch, &v, &ok) && ok) {
		v *= 2;
		if (kgo_chan_send(ch, &v))
			break;
	}
	kgo_chan_put(ch);
}

static ssize_t share_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	struct kgo_chan *ch;
	char num[16];
	int fd, n;

	if (*ppos)
		return 0;
	ch = kgo_chan_make(sizeof(s64), 0, GFP_KERNEL);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	fd = kgo_chan_fd_install(ch, GOCHAN_DIR_RECV, GOCHAN_MAKE_CLOEXEC);
	if (fd < 0 || kgo_go(share_feed, ch)) {
		/* The fd, if any, keeps its own reference. */
		kgo_chan_put(ch);
		return fd < 0 ? fd : -ENOMEM;
	}
	n = scnprintf(num, sizeof(num), "%d\n", fd);
	return simple_read_from_buffer(buf, len, ppos, num, n);
}

static ssize_t share_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	struct kgo_chan *ch;
	int fd, ret;

	ret = kstrtoint_from_user(buf, len, 10, &fd);
	if (ret)
		return ret;
	ch = kgo_chan_fdget(fd, GOCHAN_DIR_SEND | GOCHAN_DIR_RECV);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (kgo_chan_elem_size(ch) != sizeof(s64)) {
		kgo_chan_put(ch);
		return -EINVAL;
	}
	ret = kgo_go(share_echo, ch);
	if (ret) {
		kgo_chan_put(ch);
		return ret;
	}
	return len;
}

static const struct file_operations share_fops = {
	.owner	= THIS_MODULE,
	.read	= share_read,
	.write	= share_write,
};

/*
 * /sys/kernel/debug/gochan_ktest/relay: kernel goroutines in the middle
 * of a userspace pipeline (tools/testing/stress/gochan_soak.c).
 *
 * write: "IN OUT DONE", three channel fds of the writer with 8-byte
 *        values.  A goroutine receives every value from IN and sends it
 *        on OUT until IN is closed and drained, then closes DONE.  A
 *        value it cannot send (OUT closed) is counted in "lost", which
 *        the soak test expects to stay 0.
 * read:  "relayed N lost N".
 */
struct relay {
	struct kgo_chan *in, *out, *done;
};

static atomic64_t relay_moved = ATOMIC64_INIT(0);
static atomic64_t relay_lost = ATOMIC64_INIT(0);

static void relay_fn(void *arg)
{
	struct relay *r = arg;
	bool ok;
	u64 v;

	while (!kgo_chan_recv(r->in, &v, &ok) && ok) {
		if (kgo_chan_send(r->out, &v)) {
			atomic64_inc(&relay_lost);
			continue;
		}
		atomic64_inc(&relay_moved);
	}
	kgo_chan_close(r->done);
	kgo_chan_put(r->in);
	kgo_chan_put(r->out);
	kgo_chan_put(r->done);
	kfree(r);
}

static ssize_t relay_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	int in, out, done, ret = -EINVAL;
	struct relay *r;
	char cmd[48];

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, buf, len))
		return -EFAULT;
	cmd[len] = 0;
	if (sscanf(cmd, "%d %d %d", &in, &out, &done) != 3)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->in = kgo_chan_fdget(in, GOCHAN_DIR_RECV);
	r->out = kgo_chan_fdget(out, GOCHAN_DIR_SEND);
	r->done = kgo_chan_fdget(done, GOCHAN_DIR_SEND);
	if (IS_ERR(r->in) || IS_ERR(r->out) || IS_ERR(r->done)) {
		ret = -EBADF;
		goto fail;
	}
	if (kgo_chan_elem_size(r->in) != sizeof(u64) ||
	    kgo_chan_elem_size(r->out) != sizeof(u64))
		goto fail;
	ret = kgo_go(relay_fn, r);
	if (ret)
		goto fail;
	return len;
fail:
	if (!IS_ERR(r->in))
		kgo_chan_put(r->in);
	if (!IS_ERR(r->out))
		kgo_chan_put(r->out);
	if (!IS_ERR(r->done))
		kgo_chan_put(r->done);
	kfree(r);
	return ret;
}

static ssize_t relay_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	char num[64];
	int n;

	n = scnprintf(num, sizeof(num), "relayed %lld lost %lld\n",
		      atomic64_read(&relay_moved), atomic64_read(&relay_lost));
	return simple_read_from_buffer(buf, len, ppos, num, n);
}

static const struct file_operations relay_fops = {
	.owner	= THIS_MODULE,
	.read	= relay_read,
	.write	= relay_write,
};

static int results_show(struct seq_file *s, void *unused)
{
	seq_puts(s, report);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int __init ktest_init(void)
{
	static const struct {
		const char *name;
		const char *(*fn)(void);
	} tests[] = {
		{ "cont_million", ktest_cont_million },
		{ "close_vs_selects", ktest_close_vs_selects },
	};
	const char *fail;
	unsigned int i;
	size_t from;

	report = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!report)
		return -ENOMEM;
	seq_buf_init(&sb, report, PAGE_SIZE);
	seq_buf_printf(&sb, "KTAP version 1\n1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		from = seq_buf_used(&sb);
		fail = tests[i].fn();
		if (fail)
			seq_buf_printf(&sb, "# %s: %s\nnot ok %u %s\n",
				       tests[i].name, fail, i + 1, tests[i].name);
		else
			seq_buf_printf(&sb, "ok %u %s\n", i + 1, tests[i].name);
		pr_info("%s", report + from);
	}
	dir = debugfs_create_dir("gochan_ktest", NULL);
	debugfs_create_file("results", 0444, dir, NULL, &results_fops);
	debugfs_create_file("share", 0600, dir, NULL, &share_fops);
	debugfs_create_file("relay", 0600, dir, NULL, &relay_fops);
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
