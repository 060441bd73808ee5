// SPDX-License-Identifier: GPL-2.0
/*
 * gochan_bench.ko: gochan's kernel scheduler and channels measured
 * against the kernel's own ways of running work: workqueues, kthread
 * workers, kthreads and waitqueues.  The shapes are Tokio's scheduler
 * benchmarks (spawn many, chained spawn, ping-pong, yield many) plus load
 * balancing and the memory of a parked waiter.
 *
 * It is not part of gochan.ko.  Each run is requested by writing
 *
 *	BENCH IMPL N
 *
 * to /sys/kernel/debug/gochan_bench/run; the write returns when the run
 * is over, and reading the file gives its result line:
 *
 *	BENCH IMPL N ns=TOTAL per=NS_PER_ITEM work=NS bytes=B queue=NS cpu=NS
 *
 * (work: the items' own measured compute time, imbalance and balanced;
 * bytes: kernel memory per parked waiter, memory; queue: how long the
 * queueing loop took, imbalance and balanced; else -1 or 0.  cpu: the
 * CPU time the whole machine spent from the start of the run to its
 * end, every CPU's wall time less its idle time, so that a spinning
 * side, a kworker and an idle M's search for work all count.)
 *
 * The peers get gochan's deal: the spinning kthread peer of ping-pong
 * spins for spin_ns (the driver sets it to gochan.spin_ns) while nothing
 * else wants its CPU, as a blocked gochan operation does; kthread_run
 * creates its threads without waiting for each, as kgo spawns are; the
 * imbalance peers include a workqueue that can move work
 * (system_unbound_wq); and the memory peer is the kernel's own
 * continuation, a wait-queue entry with a wake function and a work item.
 *
 * The userspace driver (tools/testing/bench/gochan_bench.c) repeats and
 * alternates the runs and does the statistics.  See
 * Documentation/benchmarks.rst.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tick.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <kgo.h>

#define KB_MAX_ITEMS	BIT(20)
#define KB_MAX_THREADS	5000U	/* kthread_run and the kthread memory peer */
#define KB_WORK_US	20	/* imbalance / balanced: ~20 us per item */

/* The result of the last run, and one run at a time: kb_lock. */
static DEFINE_MUTEX(kb_lock);
static char kb_result[256];
static struct dentry *kb_dir;
/* The memory peer's work items run here; kb_exit() drains it. */
static struct workqueue_struct *kb_wq;

static unsigned int spin_ns = 50000;
module_param(spin_ns, uint, 0644);
MODULE_PARM_DESC(spin_ns,
		 "The spinning kthread peer's budget before it sleeps (the driver copies gochan.spin_ns)");

/*
 * One run: its items each call kb_done(); the last one stamps the end
 * time and completes @all.  The clock starts (kb_start()) after the
 * run's set-up allocations.
 */
struct kb_run {
	atomic_t left;
	struct completion all;
	u64 t0, t1;
	u64 idle0, idle1;	/* kb_idle_ns() at t0 and t1 */
	u64 queued;		/* when the last item was queued */
	atomic64_t work_ns;	/* imbalance / balanced: measured item time */
};

static void kb_run_init(struct kb_run *r, unsigned int n)
{
	atomic_set(&r->left, n);
	init_completion(&r->all);
	r->t0 = 0;
	r->t1 = 0;
	r->idle0 = 0;
	r->idle1 = 0;
	r->queued = 0;
	atomic64_set(&r->work_ns, 0);
}

/*
 * The idle and iowait time of every online CPU, in ns.  With the idle
 * tick stopped (NO_HZ) the kernel keeps it to the nanosecond and counts
 * an idle period in progress up to now; without, it falls back on the
 * tick-sampled cpustat.
 */
static u64 kb_idle_ns(void)
{
	u64 sum = 0, us;
	int cpu;

	for_each_online_cpu(cpu) {
		us = get_cpu_idle_time_us(cpu, NULL);
		if (us != (u64)-1) {
			sum += us * NSEC_PER_USEC;
			us = get_cpu_iowait_time_us(cpu, NULL);
			if (us != (u64)-1)
				sum += us * NSEC_PER_USEC;
			continue;
		}
		sum += kcpustat_cpu(cpu).cpustat[CPUTIME_IDLE] +
		       kcpustat_cpu(cpu).cpustat[CPUTIME_IOWAIT];
	}
	return sum;
}

static void kb_start(struct kb_run *r)
{
	r->idle0 = kb_idle_ns();
	r->t0 = ktime_get_ns();
}

/* The machine's busy time from t0 to t1, in ns. */
static u64 kb_busy_ns(const struct kb_run *r)
{
	u64 wall = (r->t1 - r->t0) * num_online_cpus();
	u64 idle = r->idle1 - r->idle0;

	return wall > idle ? wall - idle : 0;
}

static void kb_done_n(struct kb_run *r, unsigned int n)
{
	if (atomic_sub_and_test(n, &r->left)) {
		r->t1 = ktime_get_ns();
		r->idle1 = kb_idle_ns();
		complete(&r->all);
	}
}

static void kb_done(struct kb_run *r)
{
	kb_done_n(r, 1);
}

/*
 * Wait for a run without looking hung: the debug kernel's hung-task
 * detector would report a long uninterruptible sleep.
 */
static void kb_wait(struct kb_run *r)
{
	while (!wait_for_completion_timeout(&r->all, HZ))
		;
}

/* ---- spawn many ------------------------------------------------------------ */

struct kb_work {
	struct work_struct work;
	struct kb_run *run;
};

struct kb_kwork {
	struct kthread_work work;
	struct kb_run *run;
};

static void kb_g_done(void *arg)
{
	kb_done(arg);
}

static void kb_work_done(struct work_struct *w)
{
	kb_done(container_of(w, struct kb_work, work)->run);
}

static void kb_kwork_done(struct kthread_work *w)
{
	kb_done(container_of(w, struct kb_kwork, work)->run);
}

/* Wait for the work items of a run; their functions may still return. */
static void kb_flush(struct kb_work *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		flush_work(&w[i].work);
}

static int kb_spawn_kgo(struct kb_run *r, unsigned int n)
{
	struct kgo_go_opts o = { .cpu = KGO_CPU_ANY, .gfp = GFP_KERNEL };
	unsigned int i;
	int ret = 0;

	kb_start(r);
	for (i = 0; i < n; i++) {
		ret = kgo_go_opts(kb_g_done, r, &o);
		if (ret) {
			/* The ones never started are done too. */
			kb_done_n(r, n - i);
			break;
		}
	}
	kb_wait(r);
	return ret;
}

/*
 * The embedded form: records the caller provides, allocated outside the
 * clock, as the work items of kb_spawn_wq() are.
 */
struct kb_rec {
	struct kgo_goroutine g;
	struct kb_run *run;
};

static void kb_rec_done(void *arg)
{
	kb_done(((struct kb_rec *)arg)->run);
}

static int kb_spawn_kgo_record(struct kb_run *r, unsigned int n)
{
	struct kb_rec *w = kvcalloc(n, sizeof(*w), GFP_KERNEL);
	unsigned int i;
	int ret = 0;

	if (!w)
		return -ENOMEM;
	kb_start(r);
	for (i = 0; i < n; i++) {
		kgo_goroutine_init(&w[i].g, kb_rec_done, &w[i]);
		w[i].run = r;
		ret = kgo_go_record(&w[i].g, NULL);
		if (ret) {
			kb_done_n(r, n - i);
			break;
		}
	}
	kb_wait(r);
	/* Every function has started: the scheduler is done with them. */
	kvfree(w);
	return ret;
}

static int kb_spawn_wq(struct kb_run *r, unsigned int n,
		       struct workqueue_struct *wq)
{
	struct kb_work *w = kvcalloc(n, sizeof(*w), GFP_KERNEL);
	unsigned int i;

	if (!w)
		return -ENOMEM;
	kb_start(r);
	for (i = 0; i < n; i++) {
		INIT_WORK(&w[i].work, kb_work_done);
		w[i].run = r;
		queue_work(wq, &w[i].work);
	}
	kb_wait(r);
	kb_flush(w, n);
	kvfree(w);
	return 0;
}

static int kb_spawn_kworker(struct kb_run *r, unsigned int n)
{
	struct kthread_worker *kw;
	struct kb_kwork *w;
	unsigned int i;

	w = kvcalloc(n, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	kw = kthread_create_worker(0, "gochan_bench");
	if (IS_ERR(kw)) {
		kvfree(w);
		return PTR_ERR(kw);
	}
	kb_start(r);
	for (i = 0; i < n; i++) {
		kthread_init_work(&w[i].work, kb_kwork_done);
		w[i].run = r;
		kthread_queue_work(kw, &w[i].work);
	}
	kb_wait(r);
	kthread_destroy_worker(kw);	/* flushes */
	kvfree(w);
	return 0;
}

/* A kthread's end: sleep until kthread_stop(). */
static int kb_park_until_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int kb_kthread_fn(void *arg)
{
	kb_done(arg);
	return kb_park_until_stop();
}

/*
 * n kthreads created one after the other without waiting for any, as
 * kgo spawns are; the clock stops when the last has run its function.
 * They are stopped after that, as goroutines end on their own.
 */
static int kb_spawn_kthread(struct kb_run *r, unsigned int n)
{
	struct task_struct **t;
	unsigned int i, started = 0;
	int ret = 0;

	t = kvcalloc(n, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	kb_start(r);
	for (i = 0; i < n; i++) {
		t[i] = kthread_run(kb_kthread_fn, r, "gochan_bench/%u", i);
		if (IS_ERR(t[i])) {
			ret = PTR_ERR(t[i]);
			kb_done_n(r, n - i);
			break;
		}
		started++;
	}
	kb_wait(r);
	for (i = 0; i < started; i++)
		kthread_stop(t[i]);
	kvfree(t);
	return ret;
}

/* ---- chained spawn --------------------------------------------------------- */

struct kb_chain {
	struct kb_run *run;
	struct work_struct work;
	struct kgo_goroutine rec;
	unsigned int hops;
	int err;
};

static void kb_chain_g(void *arg)
{
	struct kb_chain *c = arg;
	int ret;

	if (!--c->hops) {
		kb_done(c->run);
		return;
	}
	ret = kgo_go(kb_chain_g, c);
	if (ret) {
		c->err = ret;
		kb_done(c->run);
	}
}

static void kb_chain_rec(void *arg)
{
	struct kb_chain *c = arg;
	int ret;

	if (!--c->hops) {
		kb_done(c->run);
		return;
	}
	/* Its function runs: the record may be started again. */
	ret = kgo_go_record(&c->rec, NULL);
	if (ret) {
		c->err = ret;
		kb_done(c->run);
	}
}

static void kb_chain_work(struct work_struct *w)
{
	struct kb_chain *c = container_of(w, struct kb_chain, work);

	if (!--c->hops)
		kb_done(c->run);
	else
		queue_work(system_wq, &c->work);
}

/* n hops, each item starting the next; the run counts 1. */
static int kb_chain(struct kb_run *r, const char *impl, unsigned int n)
{
	struct kb_chain c = { .run = r, .hops = n };
	bool rec = !strcmp(impl, "kgo_record");
	bool kgo = rec || !strcmp(impl, "kgo");
	int ret = 0;

	if (!kgo)
		INIT_WORK_ONSTACK(&c.work, kb_chain_work);
	else
		kgo_goroutine_init(&c.rec, kb_chain_rec, &c);
	kb_start(r);
	if (kgo) {
		ret = rec ? kgo_go_record(&c.rec, NULL) :
			    kgo_go(kb_chain_g, &c);
		if (ret)
			return ret;
	} else {
		queue_work(system_wq, &c.work);
	}
	kb_wait(r);
	if (!kgo) {
		flush_work(&c.work);
		destroy_work_on_stack(&c.work);
	}
	return c.err;
}

/* ---- ping-pong ------------------------------------------------------------- */

struct kb_pp {
	struct kb_run *run;
	unsigned int n;
	struct kgo_chan *ping, *pong;
	/* the kthread peer: whose turn, and where each side sleeps */
	int turn;
	bool stop;
	bool spin;		/* the spinning kthread peer */
	wait_queue_head_t wq[2];
	int err;
};

/* Side 0 sends ping and waits for pong; side 1 answers with v + 1. */
static void kb_pp_g(struct kb_pp *pp, int side)
{
	struct kgo_chan *out = side ? pp->pong : pp->ping;
	struct kgo_chan *in = side ? pp->ping : pp->pong;
	unsigned int i;
	u64 v = 0, want = side ? 0 : 1;
	bool ok;

	for (i = 0; i < pp->n; i++) {
		if (side == 0 && kgo_chan_send(out, &v))
			break;
		kgo_chan_recv(in, &v, &ok);
		if (!ok || v != want)
			break;
		v++;
		want += 2;
		if (side == 1 && kgo_chan_send(out, &v))
			break;
	}
	/* A side that stopped early must not leave the other blocked. */
	if (i < pp->n) {
		pp->err = -EPIPE;
		kgo_chan_close(pp->ping);
		kgo_chan_close(pp->pong);
	}
	kb_done(pp->run);
}

static void kb_pp_a(void *arg)
{
	kb_pp_g(arg, 0);
}

static void kb_pp_b(void *arg)
{
	kb_pp_g(arg, 1);
}

/*
 * gochan's spin (kgo_sel_spin()) for the spinning kthread peer: up to
 * spin_ns for its turn, while no other task wants this CPU.
 */
static void kb_pp_spin(struct kb_pp *pp, int side)
{
	u64 end = ktime_get_ns() + READ_ONCE(spin_ns);
	unsigned int i = 0;

	if (!READ_ONCE(spin_ns) || num_online_cpus() < 2)
		return;
	while (READ_ONCE(pp->turn) != side && !READ_ONCE(pp->stop)) {
		if (need_resched() || !single_task_running())
			return;
		if (!(++i % 32) && ktime_get_ns() > end)
			return;
		cpu_relax();
	}
}

static int kb_pp_thread(struct kb_pp *pp, int side)
{
	unsigned int i;

	for (i = 0; i < pp->n; i++) {
		if (pp->spin)
			kb_pp_spin(pp, side);
		wait_event(pp->wq[side], READ_ONCE(pp->turn) == side ||
			   READ_ONCE(pp->stop));
		if (READ_ONCE(pp->stop))
			break;
		WRITE_ONCE(pp->turn, !side);
		/*
		 * Wake only a sleeper, as gochan does.  wq_has_sleeper()'s
		 * full barrier orders the turn store before the check of
		 * the queue; it pairs with the barrier of set_current_state()
		 * in wait_event(), between queueing the waiter and reading
		 * the turn: either the waiter sees the new turn, or this
		 * side sees it queued and wakes it.
		 */
		if (wq_has_sleeper(&pp->wq[!side]))
			wake_up(&pp->wq[!side]);
	}
	kb_done(pp->run);
	return 0;
}

static int kb_pp_ta(void *arg)
{
	return kb_pp_thread(arg, 0);
}

static int kb_pp_tb(void *arg)
{
	return kb_pp_thread(arg, 1);
}

/* n round trips; the run counts 2 (the two sides). */
static int kb_pingpong(struct kb_run *r, const char *impl, unsigned int n)
{
	struct kb_pp *pp = kzalloc(sizeof(*pp), GFP_KERNEL);
	struct task_struct *t;
	int ret;

	if (!pp)
		return -ENOMEM;
	pp->run = r;
	pp->n = n;
	if (!strcmp(impl, "kgo")) {
		pp->ping = kgo_chan_make(sizeof(u64), 0, GFP_KERNEL);
		pp->pong = kgo_chan_make(sizeof(u64), 0, GFP_KERNEL);
		ret = -ENOMEM;
		if (IS_ERR(pp->ping) || IS_ERR(pp->pong))
			goto out;
		kb_start(r);
		ret = kgo_go(kb_pp_b, pp);
		if (ret)
			goto out;
		ret = kgo_go(kb_pp_a, pp);
		if (ret) {
			/* Side 1 sees ping closed and finishes. */
			kgo_chan_close(pp->ping);
			kb_done(r);
		}
	} else {
		pp->spin = !strcmp(impl, "kthread_spin");
		init_waitqueue_head(&pp->wq[0]);
		init_waitqueue_head(&pp->wq[1]);
		kb_start(r);
		t = kthread_run(kb_pp_tb, pp, "gochan_bench/pong");
		ret = PTR_ERR_OR_ZERO(t);
		if (ret)
			goto out;
		t = kthread_run(kb_pp_ta, pp, "gochan_bench/ping");
		ret = PTR_ERR_OR_ZERO(t);
		if (ret) {
			WRITE_ONCE(pp->stop, true);
			wake_up(&pp->wq[1]);
			kb_done(r);
		}
	}
	kb_wait(r);
	ret = ret ?: pp->err;
out:
	if (!IS_ERR_OR_NULL(pp->ping))
		kgo_chan_put(pp->ping);
	if (!IS_ERR_OR_NULL(pp->pong))
		kgo_chan_put(pp->pong);
	kfree(pp);
	return ret;
}

/* ---- yield many ------------------------------------------------------------ */

#define KB_YIELDERS	200

struct kb_yield {
	struct kb_run *run;
	unsigned int n;
};

static void kb_yield_g(void *arg)
{
	struct kb_yield *y = arg;
	unsigned int i;

	for (i = 0; i < y->n; i++)
		kgo_yield();
	kb_done(y->run);
}

/* n yields in all, by KB_YIELDERS goroutines; the run counts those. */
static int kb_yield(struct kb_run *r, unsigned int n)
{
	struct kb_yield y = { .run = r, .n = n / KB_YIELDERS };
	int i, ret = 0;

	kb_start(r);
	for (i = 0; i < KB_YIELDERS; i++) {
		ret = kgo_go(kb_yield_g, &y);
		if (ret) {
			kb_done_n(r, KB_YIELDERS - i);
			break;
		}
	}
	kb_wait(r);
	return ret;
}

/* ---- imbalance and balanced load ------------------------------------------- */

/* ~KB_WORK_US of compute; its measured time adds to the run's total. */
static void kb_compute(struct kb_run *r)
{
	u64 t0 = ktime_get_ns();

	udelay(KB_WORK_US);
	atomic64_add(ktime_get_ns() - t0, &r->work_ns);
	kb_done(r);
}

static void kb_compute_g(void *arg)
{
	kb_compute(arg);
}

static void kb_compute_work(struct work_struct *w)
{
	kb_compute(container_of(w, struct kb_work, work)->run);
}

/*
 * n items of compute, queued all on the first online CPU (imbalance) or
 * round-robin over the online CPUs (balanced).  gochan's Ps may steal
 * them from each other; a per-CPU workqueue runs each where it was
 * queued; the unbound workqueue runs them where its pool has a worker
 * (the CPU queued on is only a hint), so it can move work too.
 */
static int kb_load(struct kb_run *r, const char *impl, unsigned int n,
		   bool all_on_first)
{
	struct kgo_go_opts o = { .gfp = GFP_KERNEL };
	int first = cpumask_first(cpu_online_mask);
	bool unbound = !strcmp(impl, "wq_unbound");
	struct kb_work *w = NULL;
	unsigned int i;
	int cpu = first, ret = 0;

	if (strcmp(impl, "kgo")) {
		w = kvcalloc(n, sizeof(*w), GFP_KERNEL);
		if (!w)
			return -ENOMEM;
	}
	kb_start(r);
	for (i = 0; i < n; i++) {
		if (!all_on_first && i) {
			cpu = cpumask_next(cpu, cpu_online_mask);
			if (cpu >= nr_cpu_ids)
				cpu = first;
		}
		if (w) {
			INIT_WORK(&w[i].work, kb_compute_work);
			w[i].run = r;
			queue_work_on(cpu, unbound ? system_unbound_wq :
				      system_wq, &w[i].work);
			continue;
		}
		o.cpu = cpu;
		ret = kgo_go_opts(kb_compute_g, r, &o);
		if (ret) {
			kb_done_n(r, n - i);
			break;
		}
	}
	r->queued = ktime_get_ns();
	kb_wait(r);
	if (w) {
		kb_flush(w, n);
		kvfree(w);
	}
	return ret;
}

/* ---- memory per parked waiter ---------------------------------------------- */

#define KB_NCHANS	64

/* Slab and kernel stacks: what a parked waiter costs the kernel. */
static long kb_kernel_bytes(void)
{
	return (global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B)) * PAGE_SIZE +
	       global_node_page_state(NR_KERNEL_STACK_KB) * 1024L;
}

static void kb_cont_fn(const struct kgo_cont_result *res, void *arg)
{
	kb_done(arg);
}

/* n receive continuations parked on 64 channels, then all closed. */
static int kb_mem_cont(struct kb_run *r, unsigned int n, long *bytes)
{
	struct kgo_chan *chs[KB_NCHANS] = {};
	unsigned int i, made;
	long before;
	int ret = 0;

	for (made = 0; made < KB_NCHANS; made++) {
		chs[made] = kgo_chan_make(sizeof(u64), 0, GFP_KERNEL);
		if (IS_ERR(chs[made])) {
			ret = PTR_ERR(chs[made]);
			goto out;
		}
	}
	before = kb_kernel_bytes();
	kb_start(r);
	for (i = 0; i < n; i++) {
		ret = kgo_chan_recv_then_opts(chs[i % KB_NCHANS], kb_cont_fn,
					      r, GFP_KERNEL, NULL);
		if (ret) {
			kb_done_n(r, n - i);
			break;
		}
		if (!(i % 4096))
			cond_resched();
	}
	*bytes = kb_kernel_bytes() - before;
	for (i = 0; i < KB_NCHANS; i++)
		kgo_chan_close(chs[i]);
	kb_wait(r);
out:
	for (i = 0; i < made; i++)
		kgo_chan_put(chs[i]);
	return ret;
}

/*
 * The kernel's own continuation: a wait-queue entry whose wake function
 * queues a work item, which runs the callback.  One kmalloc per waiter,
 * on 64 wait-queue heads as the kgo_cont run uses 64 channels.
 */
struct kb_wqw {
	struct wait_queue_entry wqe;
	struct work_struct work;
	struct kb_run *run;
};

static void kb_wqw_work(struct work_struct *w)
{
	struct kb_wqw *e = container_of(w, struct kb_wqw, work);
	struct kb_run *r = e->run;

	kfree(e);
	kb_done(r);
}

static int kb_wqw_wake(struct wait_queue_entry *wqe, unsigned int mode,
		       int sync, void *key)
{
	struct kb_wqw *e = container_of(wqe, struct kb_wqw, wqe);

	list_del_init(&wqe->entry);	/* under the head's lock */
	queue_work(kb_wq, &e->work);
	return 1;
}

static int kb_mem_waitq_work(struct kb_run *r, unsigned int n, long *bytes)
{
	struct wait_queue_head *heads;
	struct kb_wqw *e;
	unsigned int i;
	long before;
	int ret = 0;

	heads = kcalloc(KB_NCHANS, sizeof(*heads), GFP_KERNEL);
	if (!heads)
		return -ENOMEM;
	for (i = 0; i < KB_NCHANS; i++)
		init_waitqueue_head(&heads[i]);
	before = kb_kernel_bytes();
	kb_start(r);
	for (i = 0; i < n; i++) {
		e = kmalloc(sizeof(*e), GFP_KERNEL);
		if (!e) {
			ret = -ENOMEM;
			kb_done_n(r, n - i);
			break;
		}
		e->run = r;
		INIT_WORK(&e->work, kb_wqw_work);
		init_waitqueue_func_entry(&e->wqe, kb_wqw_wake);
		add_wait_queue(&heads[i % KB_NCHANS], &e->wqe);
		if (!(i % 4096))
			cond_resched();
	}
	*bytes = kb_kernel_bytes() - before;
	for (i = 0; i < KB_NCHANS; i++)
		wake_up_all(&heads[i]);
	kb_wait(r);
	flush_workqueue(kb_wq);
	kfree(heads);
	return ret;
}

struct kb_sleeper {
	struct kb_run *run;
	wait_queue_head_t wq;
	bool go;
};

static int kb_sleeper_fn(void *arg)
{
	struct kb_sleeper *s = arg;

	kb_done(s->run);
	wait_event_interruptible(s->wq, READ_ONCE(s->go) ||
				 kthread_should_stop());
	return kb_park_until_stop();
}

/* n kthreads asleep in wait_event, then woken and stopped. */
static int kb_mem_kthread(struct kb_run *r, unsigned int n, long *bytes)
{
	struct kb_sleeper s = { .run = r };
	struct task_struct **t;
	unsigned int i, started = 0;
	long before;
	int ret = 0;

	init_waitqueue_head(&s.wq);
	t = kvcalloc(n, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	before = kb_kernel_bytes();
	kb_start(r);
	for (i = 0; i < n; i++) {
		t[i] = kthread_run(kb_sleeper_fn, &s, "gochan_bench/w%u", i);
		if (IS_ERR(t[i])) {
			ret = PTR_ERR(t[i]);
			kb_done_n(r, n - i);
			break;
		}
		started++;
	}
	kb_wait(r);
	*bytes = kb_kernel_bytes() - before;
	WRITE_ONCE(s.go, true);
	wake_up_all(&s.wq);
	for (i = 0; i < started; i++)
		kthread_stop(t[i]);
	kvfree(t);
	return ret;
}

/* ---- the run file ------------------------------------------------------------ */

static bool kb_is(const char *impl, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(impl, *names))
			return true;
	return false;
}

static int kb_exec(const char *bench, const char *impl, unsigned int n)
{
	static const char *const spawn[] = { "kgo", "kgo_record", "wq",
		"wq_unbound", "kthread_worker", "kthread_run", NULL };
	static const char *const chain[] = { "kgo", "kgo_record", "wq", NULL };
	static const char *const pp[] = { "kgo", "kthread", "kthread_spin",
		NULL };
	static const char *const load[] = { "kgo", "wq_percpu", "wq_unbound",
		NULL };
	static const char *const mem[] = { "kgo_cont", "waitq_work",
		"kthread_wait", NULL };
	struct kb_run r;
	long bytes = -1;
	u64 ns, busy;
	int ret;

	if (!strcmp(bench, "spawn") && kb_is(impl, spawn)) {
		if (!strcmp(impl, "kthread_run") && n > KB_MAX_THREADS)
			return -EINVAL;
		kb_run_init(&r, n);
		if (!strcmp(impl, "kgo"))
			ret = kb_spawn_kgo(&r, n);
		else if (!strcmp(impl, "kgo_record"))
			ret = kb_spawn_kgo_record(&r, n);
		else if (!strcmp(impl, "wq"))
			ret = kb_spawn_wq(&r, n, system_wq);
		else if (!strcmp(impl, "wq_unbound"))
			ret = kb_spawn_wq(&r, n, system_unbound_wq);
		else if (!strcmp(impl, "kthread_worker"))
			ret = kb_spawn_kworker(&r, n);
		else
			ret = kb_spawn_kthread(&r, n);
	} else if (!strcmp(bench, "chain") && kb_is(impl, chain)) {
		kb_run_init(&r, 1);
		ret = kb_chain(&r, impl, n);
	} else if (!strcmp(bench, "pingpong") && kb_is(impl, pp)) {
		kb_run_init(&r, 2);
		ret = kb_pingpong(&r, impl, n);
	} else if (!strcmp(bench, "yield") && !strcmp(impl, "kgo")) {
		if (n < KB_YIELDERS)
			return -EINVAL;
		kb_run_init(&r, KB_YIELDERS);
		n -= n % KB_YIELDERS;
		ret = kb_yield(&r, n);
	} else if ((!strcmp(bench, "imbalance") || !strcmp(bench, "balanced")) &&
		   kb_is(impl, load)) {
		kb_run_init(&r, n);
		ret = kb_load(&r, impl, n, bench[0] == 'i');
	} else if (!strcmp(bench, "memory") && kb_is(impl, mem)) {
		kb_run_init(&r, n);
		if (!strcmp(impl, "kgo_cont"))
			ret = kb_mem_cont(&r, n, &bytes);
		else if (!strcmp(impl, "waitq_work"))
			ret = kb_mem_waitq_work(&r, n, &bytes);
		else if (n <= KB_MAX_THREADS)
			ret = kb_mem_kthread(&r, n, &bytes);
		else
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (ret)
		return ret;
	busy = kb_busy_ns(&r);
	ns = r.t1 - r.t0;
	snprintf(kb_result, sizeof(kb_result),
		 "%s %s %u ns=%llu per=%llu work=%lld bytes=%ld queue=%llu cpu=%llu\n",
		 bench, impl, n, ns, div_u64(ns, n), atomic64_read(&r.work_ns),
		 bytes, r.queued ? r.queued - r.t0 : 0, busy);
	return 0;
}

static ssize_t kb_run_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[64], bench[16], impl[24];
	unsigned int n;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%15s %23s %u", bench, impl, &n) != 3 || !n ||
	    n > KB_MAX_ITEMS)
		return -EINVAL;
	ret = mutex_lock_interruptible(&kb_lock);
	if (ret)
		return ret;
	kb_result[0] = '\0';
	ret = kb_exec(bench, impl, n);
	mutex_unlock(&kb_lock);
	return ret ?: len;
}

static ssize_t kb_run_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	char buf[sizeof(kb_result)];
	int ret;

	ret = mutex_lock_interruptible(&kb_lock);
	if (ret)
		return ret;
	strscpy(buf, kb_result, sizeof(buf));
	mutex_unlock(&kb_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations kb_run_fops = {
	.owner	= THIS_MODULE,
	.read	= kb_run_read,
	.write	= kb_run_write,
	.llseek	= default_llseek,
};

static int __init kb_init(void)
{
	kb_wq = alloc_workqueue("gochan_bench", 0, 0);
	if (!kb_wq)
		return -ENOMEM;
	kb_dir = debugfs_create_dir("gochan_bench", NULL);
	debugfs_create_file("run", 0600, kb_dir, NULL, &kb_run_fops);
	return 0;
}

static void __exit kb_exit(void)
{
	debugfs_remove(kb_dir);
	destroy_workqueue(kb_wq);
}

module_init(kb_init);
module_exit(kb_exit);

MODULE_DESCRIPTION("gochan kernel benchmarks against workqueues and kthreads");
MODULE_LICENSE("GPL");
