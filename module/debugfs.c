// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/gochan/: what the scheduler is doing.
 *
 *   sched       Go's GODEBUG=schedtrace line, then the event counters
 *   goroutines  every goroutine that exists, Go's goroutine dump format
 *   objects     live objects of each kind, one "name count" per line:
 *               all but "threads" are 0 when nothing uses gochan
 *   close_max_hold_ns, close_holds, close_hold_ns, close_waiters
 *               the longest a close held a channel lock (interrupts off),
 *               how many holds, their total, the waiters they unlinked:
 *               since the last write of 0 to each (root only)
 *   select_aborts, select_locked_arms
 *               selects that aborted their queueing (a case became
 *               ready), and arms under every lock after repeated aborts
 *               (select.c): since the last write of 0 (root only)
 */
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>

#include "chan.h"
#include "internal.h"
#include "sched.h"

static struct dentry *gochan_debugfs_dir;

void kgo_sched_show(struct seq_file *sf, struct kgo_sched *s)
{
	struct kgo_stats st;
	unsigned long flags;
	int i, nm, nmidle = 0;
	struct kgo_m *m;

	spin_lock_irqsave(&s->lock, flags);
	nm = s->nm;
	list_for_each_entry(m, &s->midle, idle)
		nmidle++;
	spin_unlock_irqrestore(&s->lock, flags);

	seq_printf(sf, "SCHED %llums: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d idlethreads=%d runqueue=%u goroutines=%d [",
		   ktime_get_ns() / NSEC_PER_MSEC, s->nprocs,
		   atomic_read(&s->npidle), nm, atomic_read(&s->nmspinning),
		   nmidle, READ_ONCE(s->gq_len), kgo_sched_goroutines(s));
	for (i = 0; i < s->nprocs; i++) {
		struct kgo_p *p = &s->allp[i];

		seq_printf(sf, "%s%u", i ? " " : "",
			   kgo_runq_len(&p->rq) + !!READ_ONCE(p->rq.next));
	}
	seq_puts(sf, "]\n");

	kgo_sched_stats(s, &st);
	seq_printf(sf, "spawned %llu\ncompleted %llu\nsteals %llu\nstolen %llu\n",
		   st.spawned, st.completed, st.steals, st.stolen);
	seq_printf(sf, "handoffs %llu\nretakes %llu\nparks %llu\nwakeups %llu\n",
		   st.handoffs, st.retakes, st.parks, st.wakeups);
	seq_printf(sf, "yields %llu\nglobal_puts %llu\nkicks %llu\nallocs %llu\n",
		   st.yields, st.global_puts, st.kicks, st.allocs);
}
EXPORT_SYMBOL_IF_KUNIT(kgo_sched_show);

static const char *const kgo_wait_names[KGO_WAIT_NR] = {
	[KGO_WAIT_NONE]		= "waiting",
	[KGO_WAIT_CHAN_SEND]	= "chan send",
	[KGO_WAIT_CHAN_RECV]	= "chan receive",
	[KGO_WAIT_SELECT]	= "select",
	[KGO_WAIT_WAITGROUP]	= "waitgroup",
	[KGO_WAIT_SLEEP]	= "sleep",
	[KGO_WAIT_IO]		= "IO wait",
	[KGO_WAIT_MUTEX]	= "mutex",
	[KGO_WAIT_YIELD]	= "yield",
};

static void kgo_g_show(struct seq_file *sf, const struct kgo_grun *g,
		       const struct kgo_m *m, u64 now)
{
	u8 state = g->state;
	u64 since = g->wait_since;

	seq_printf(sf, "goroutine %llu [", g->id);
	if (state == KGO_G_RUNNING) {
		seq_puts(sf, "running");
	} else if (state == KGO_G_WAITING || g->resume) {
		u8 why = g->wait_reason;

		seq_printf(sf, "%s", kgo_wait_names[why < KGO_WAIT_NR ? why : 0]);
		if (since && now > since) {
			u64 ms = (now - since) / NSEC_PER_MSEC;

			if (ms >= 60000)
				seq_printf(sf, ", %llu minutes", ms / 60000);
			else
				seq_printf(sf, ", %llu ms", ms);
		}
	} else {
		seq_puts(sf, "runnable");
	}
	seq_printf(sf, "]:\n\t%ps", g->fn);
	if (g->name)
		seq_printf(sf, " \"%s\"", g->name);
	if (g->owner)
		seq_printf(sf, " [%s]", module_name(g->owner));
	seq_printf(sf, " on m%d (pid %d)\n", m->id, task_pid_nr(m->task));
}

/*
 * The goroutine dump, built when it is read: nothing on the spawn path
 * keeps a list for it.  A goroutine that started is its M's until it
 * returns (struct kgo_grun), so the dump walks the Ms, and gives the
 * goroutines still queued as a count.
 *
 * An M's goroutine is read in a read section of m->gseq, which its M
 * writes around every start and end (kgo_grun_begin()), so id,
 * function, name, module and state belong to one goroutine.  Its name
 * and module are read under rcu_read_lock(): the goroutine ran, holding
 * its module, at the moment we saw m->curg set inside this read-side
 * section, and unloading a module waits for a grace period
 * (free_module()'s synchronize_rcu()) before its memory goes.
 */
void kgo_goroutines_show(struct seq_file *sf, struct kgo_sched *s)
{
	u64 now = ktime_get_ns();
	int running = 0, queued;
	struct kgo_m *m;

	rcu_read_lock();
	list_for_each_entry_rcu(m, &s->ms, all) {
		struct kgo_grun g;
		unsigned int seq;
		bool on;

		do {
			seq = read_seqcount_begin(&m->gseq);
			on = READ_ONCE(m->curg);
			g.fn = m->g.fn;
			g.name = m->g.name;
			g.owner = m->g.owner;
			g.id = m->g.id;
			/* Changed without gseq, but by this goroutine only. */
			g.state = READ_ONCE(m->g.state);
			g.wait_reason = READ_ONCE(m->g.wait_reason);
			g.wait_since = READ_ONCE(m->g.wait_since);
			g.resume = READ_ONCE(m->g.resume);
		} while (read_seqcount_retry(&m->gseq, seq));
		if (!on)
			continue;
		kgo_g_show(sf, &g, m, now);
		running++;
	}
	rcu_read_unlock();
	queued = kgo_sched_goroutines(s) - running;
	if (queued > 0)
		seq_printf(sf, "%d goroutine%s queued, not started yet\n",
			   queued, queued == 1 ? "" : "s");
}
EXPORT_SYMBOL_IF_KUNIT(kgo_goroutines_show);

static int gochan_sched_show(struct seq_file *sf, void *unused)
{
	kgo_sched_show(sf, kgo_default_sched());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gochan_sched);

static int gochan_goroutines_show(struct seq_file *sf, void *unused)
{
	kgo_goroutines_show(sf, kgo_default_sched());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gochan_goroutines);

static int gochan_objects_show(struct seq_file *sf, void *unused)
{
	struct kgo_sched *s = kgo_default_sched();

	seq_printf(sf, "goroutines %d\n", kgo_sched_goroutines(s));
	static const char *const names[GOCHAN_OBJ_NR] = {
		[GOCHAN_OBJ_CHANS] = "channels",
		[GOCHAN_OBJ_WAITERS] = "waiters",
		[GOCHAN_OBJ_TIMERS] = "timers",
		[GOCHAN_OBJ_CONTS] = "continuations",
		[GOCHAN_OBJ_CTXS] = "contexts",
		[GOCHAN_OBJ_FILES] = "files",
		[GOCHAN_OBJ_SELECTORS] = "selectors",
	};
	int o;

	for (o = 0; o < GOCHAN_OBJ_NR; o++)
		seq_printf(sf, "%s %ld\n", names[o], gochan_obj_count(o));
	seq_printf(sf, "users %u\n", gochan_users_count());
	seq_printf(sf, "threads %d\n", READ_ONCE(s->nm));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gochan_objects);

static int gochan_channels_show(struct seq_file *sf, void *unused)
{
	kgo_chans_show(sf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gochan_channels);

void gochan_debugfs_init(void)
{
	gochan_debugfs_dir = debugfs_create_dir("gochan", NULL);
	debugfs_create_file("sched", 0444, gochan_debugfs_dir, NULL,
			    &gochan_sched_fops);
	debugfs_create_file("goroutines", 0444, gochan_debugfs_dir, NULL,
			    &gochan_goroutines_fops);
	debugfs_create_file("objects", 0444, gochan_debugfs_dir, NULL,
			    &gochan_objects_fops);
	/* Root only: the list shows every user's channels. */
	debugfs_create_file("channels", 0400, gochan_debugfs_dir, NULL,
			    &gochan_channels_fops);
	debugfs_create_u64("close_max_hold_ns", 0600, gochan_debugfs_dir,
			   &gochan_close_max_hold_ns);
	debugfs_create_u64("close_holds", 0600, gochan_debugfs_dir,
			   &gochan_close_holds);
	debugfs_create_u64("close_hold_ns", 0600, gochan_debugfs_dir,
			   &gochan_close_hold_ns);
	debugfs_create_u64("close_waiters", 0600, gochan_debugfs_dir,
			   &gochan_close_waiters);
	debugfs_create_u64("select_aborts", 0600, gochan_debugfs_dir,
			   &gochan_sel_aborts);
	debugfs_create_u64("select_locked_arms", 0600, gochan_debugfs_dir,
			   &gochan_sel_locked_arms);
}

void gochan_debugfs_exit(void)
{
	debugfs_remove_recursive(gochan_debugfs_dir);
}
