// SPDX-License-Identifier: GPL-2.0
/*
 * Continuations: channel operations, selects and wait-group waits that
 * park a waiter record instead of a thread.
 *
 * A continuation (struct kgo_cont) is a select in a heap record: its
 * struct kgo_sel, one struct kgo_waiter per case, and the case values.
 * Its waiters sit on the channels' wait queues like those of a sleeping
 * select, but their wake function, instead of waking a task, starts a
 * goroutine that runs the user's function with the result.  The record
 * is all a parked continuation costs; the goroutine record is allocated
 * when it completes.
 *
 * Exactly once.  A waker completes a continuation only after winning the
 * cmpxchg of sel.done from PENDING, as for any select; kgo_cont_cancel()
 * competes for the same cmpxchg.  Starting the goroutine cannot fail:
 * the scheduler and module references were taken when the continuation
 * parked (kgo_sched_pin()), and when the goroutine record cannot be
 * allocated in the waker's context the start is handed to a work item
 * that allocates with __GFP_NOFAIL.
 *
 * Registration races completion: once a waiter is queued, a waker may
 * complete the select while the registrar still queues the waiters of
 * later cases.  The goroutine must not start (and free the record)
 * before the registrar is done with it, so both hold a share of
 * cont->gate, and whichever drops the last share starts it.
 */
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "chan.h"
#include "internal.h"
#include "sched.h"
#include "select.h"

enum kgo_cont_kind {
	KGO_CONT_SELECT,
	KGO_CONT_WG,
};

/*
 * A continuation.  Locking legend, as in sched.h, chan.h and select.h:
 *
 *   A:  lock-free; sel.done is the claim word, as in any select
 *   L:  the waiter's channel lock (a wait group's wq.lock for
 *       KGO_CONT_WG), as for a sleeping select's waiters
 *   I:  set before the first waiter is queued, read-only after
 *   W:  used only by the one party that won sel.done (the start backlog)
 */
struct kgo_cont {
	struct kgo_sel sel;		/* A: done; sel.task is unused */
	refcount_t ref;			/* A: the operation, + the handle */
	atomic_t gate;			/* A: registrar + completer shares */
	u16 n;				/* I: cases (waiters) */
	u8 kind;			/* I: enum kgo_cont_kind */
	kgo_cont_fn_t fn;		/* I */
	void *arg;			/* I */
	struct kgo_sched *s;		/* I: pinned, see kgo_sched_pin() */
	struct module *owner;		/* I: pinned with it */
	struct kgo_wg *wg;		/* I: KGO_CONT_WG */
	struct llist_node lnode;	/* W: the start backlog */
	struct kgo_waiter w[];		/* I, then L: one per case */
	/* then the case values, elem_size bytes each */
};

static LLIST_HEAD(kgo_cont_backlog);
static void kgo_cont_backlog_fn(struct work_struct *work);
static DECLARE_WORK(kgo_cont_backlog_work, kgo_cont_backlog_fn);

/* KUnit: start every continuation through the backlog work. */
VISIBLE_IF_KUNIT bool kgo_cont_force_backlog;
EXPORT_SYMBOL_IF_KUNIT(kgo_cont_force_backlog);

/*
 * Completions that came while the registrar was still queueing later
 * cases (the waker's gate share was not the last): the race the gate
 * exists for, counted so that a test can show it happened.
 */
VISIBLE_IF_KUNIT atomic_t kgo_cont_gate_races = ATOMIC_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(kgo_cont_gate_races);

static void kgo_cont_free(struct kgo_cont *c)
{
	kfree(c);
	gochan_obj_add(GOCHAN_OBJ_CONTS, -1);
}

/**
 * kgo_cont_put() - drop a continuation handle
 * @c: the handle from a ``*_then_opts()`` call, or NULL
 *
 * Context: Any context.
 */
void kgo_cont_put(struct kgo_cont *c)
{
	if (c && refcount_dec_and_test(&c->ref))
		kgo_cont_free(c);
}
EXPORT_SYMBOL_GPL(kgo_cont_put);

/* Unlink every waiter of c from its channel, except case skip. */
static void kgo_cont_dequeue(struct kgo_cont *c, int skip)
{
	unsigned long flags;

	if (c->kind == KGO_CONT_WG) {
		spin_lock_irqsave(&c->wg->wq.lock, flags);
		list_del_init(&c->w[0].entry.entry);
		spin_unlock_irqrestore(&c->wg->wq.lock, flags);
		return;
	}
	kgo_waiters_unlink(c->w, c->n, skip);
}

static void kgo_cont_put_chans(struct kgo_cont *c)
{
	unsigned int i;

	if (c->kind != KGO_CONT_SELECT)
		return;
	for (i = 0; i < c->n; i++)
		kgo_chan_put(c->w[i].ch);
}

/* The goroutine of a completed continuation. */
static void kgo_cont_run(void *arg)
{
	struct kgo_cont *c = arg;
	int k = atomic_read(&c->sel.done);
	struct kgo_waiter *w = &c->w[k];
	struct kgo_cont_result res = {
		.idx = k,
		.ok = w->ok,
		.err = w->err,
	};

	if (c->kind == KGO_CONT_WG) {
		/* Wait out the kgo_wg_done() that woke us, as kgo_wg_wait(). */
		spin_lock_irq(&c->wg->wq.lock);
		spin_unlock_irq(&c->wg->wq.lock);
	} else {
		/*
		 * The waker unlinked the winning waiter; the others may still
		 * be queued, and their channel locks wait out any waker that
		 * is looking at them.
		 */
		kgo_cont_dequeue(c, k);
		if (w->dir == KGO_SELECT_RECV)
			res.val = w->elem;
	}
	kgo_cont_put_chans(c);
	c->fn(&res, c->arg);
	kgo_cont_put(c);
}

/*
 * Start the goroutine.  The pinned references pass to it.  After this,
 * the caller must not touch c: the goroutine may already have freed it.
 */
static void kgo_cont_start(struct kgo_cont *c)
{
	static const struct kgo_go_opts opts = {
		.cpu = KGO_CPU_ANY,
		.name = "kgo_cont",
		.gfp = GFP_NOWAIT,
	};

	if (!READ_ONCE(kgo_cont_force_backlog) &&
	    !kgo_sched_go_pinned(c->s, c->owner, kgo_cont_run, c, &opts))
		return;
	/*
	 * Only the add that finds the backlog empty queues the work.
	 * kgo_cont_backlog_fn()'s llist_del_all() takes every entry added
	 * before it; an add after it finds the list empty and queues the
	 * work again (its PENDING bit is clear once it runs).
	 */
	if (llist_add(&c->lnode, &kgo_cont_backlog))
		queue_work(system_unbound_wq, &kgo_cont_backlog_work);
}

/* Start what kgo_cont_start() could not, allocating in process context. */
static void kgo_cont_backlog_fn(struct work_struct *work)
{
	static const struct kgo_go_opts opts = {
		.cpu = KGO_CPU_ANY,
		.name = "kgo_cont",
		.gfp = GFP_KERNEL | __GFP_NOFAIL,
	};
	struct llist_node *list = llist_del_all(&kgo_cont_backlog);
	struct kgo_cont *c, *tmp;
	int ret;

	llist_for_each_entry_safe(c, tmp, list, lnode) {
		ret = kgo_sched_go_pinned(c->s, c->owner, kgo_cont_run, c,
					  &opts);
		WARN_ON_ONCE(ret);
	}
}

/*
 * Drop one share of the gate; the last one starts the goroutine.
 * atomic_dec_and_test() is fully ordered, so a completer's
 * kgo_xfer_apply() in kgo_cont_wake() comes before its share is dropped:
 * whichever of kgo_cont_wake() and kgo_cont_armed() drops the last share
 * starts a goroutine that sees done and the waiter's result in
 * kgo_cont_run().
 */
static void kgo_cont_gate(struct kgo_cont *c)
{
	if (atomic_dec_and_test(&c->gate))
		kgo_cont_start(c);
}

/* The wake function of a continuation's channel waiter. */
static int kgo_cont_wake(struct wait_queue_entry *e, unsigned int mode,
			 int flags, void *key)
{
	struct kgo_waiter *w = container_of(e, struct kgo_waiter, entry);
	struct kgo_cont *c = container_of(w->sel, struct kgo_cont, sel);

	lockdep_assert_held(&w->ch->lock);
	if (atomic_cmpxchg(&c->sel.done, KGO_SEL_PENDING, w->idx) !=
	    KGO_SEL_PENDING)
		return 0;
	kgo_xfer_apply(w, key);
	if (atomic_dec_and_test(&c->gate))
		kgo_cont_start(c);
	else
		atomic_inc(&kgo_cont_gate_races);	/* the registrar starts it */
	return 1;
}

/* The wake function of a continuation's wait-group waiter. */
static int kgo_cont_wg_wake(struct wait_queue_entry *e, unsigned int mode,
			    int flags, void *key)
{
	struct kgo_waiter *w = container_of(e, struct kgo_waiter, entry);
	struct kgo_cont *c = container_of(w->sel, struct kgo_cont, sel);

	lockdep_assert_held(&c->wg->wq.lock);
	if (atomic_cmpxchg(&c->sel.done, KGO_SEL_PENDING, 0) !=
	    KGO_SEL_PENDING)
		return 0;
	list_del_init(&e->entry);
	kgo_cont_gate(c);
	return 1;
}

static struct kgo_cont *kgo_cont_alloc(struct module *owner, size_t extra,
				       unsigned int n, kgo_cont_fn_t fn,
				       void *arg, gfp_t gfp, int *err)
{
	struct kgo_sched *s = kgo_current_sched();
	struct kgo_cont *c;
	size_t size;

	*err = -ESHUTDOWN;
	if (!s)
		return NULL;
	*err = -ENOMEM;
	if (check_add_overflow(struct_size(c, w, n), extra, &size))
		return NULL;
	c = kzalloc(size, gfp | __GFP_NOWARN);
	if (!c)
		return NULL;
	*err = kgo_sched_pin(s, owner);
	if (*err) {
		kfree(c);
		return NULL;
	}
	gochan_obj_add(GOCHAN_OBJ_CONTS, 1);
	atomic_set(&c->sel.done, KGO_SEL_PENDING);
	refcount_set(&c->ref, 1);
	atomic_set(&c->gate, 2);
	c->n = n;
	c->fn = fn;
	c->arg = arg;
	c->s = s;
	c->owner = owner;
	return c;
}

/* Hand out the handle, then let a completion start the goroutine. */
static int kgo_cont_armed(struct kgo_cont *c, struct kgo_cont **handle)
{
	if (handle) {
		refcount_inc(&c->ref);
		*handle = c;
	}
	kgo_cont_gate(c);
	return 0;
}

/*
 * Queue c's waiters, or complete a case that is ready now: the select
 * engine's arm without the sleep.  Its retries are bounded (it arms
 * under every lock after KGO_SEL_OPTIMISTIC aborts), so the loop ends
 * also in atomic context.  Returns 0 or -ENOMEM (nothing queued).
 */
static int kgo_cont_arm(struct kgo_cont *c, struct kgo_sel_arm *a,
			bool can_sleep)
{
	struct kgo_waiter *w;
	int ret;

	while ((ret = kgo_sel_arm(a)) == KGO_ARM_RETRY)
		if (can_sleep)
			cond_resched();
	if (ret < 0)
		return ret;
	if (ret == KGO_ARM_DONE) {
		w = &c->w[a->chosen];
		w->ok = a->cases[a->chosen].ok;
		w->err = a->cases[a->chosen].err;
		/* Our share and the completer's: start it. */
		atomic_set(&c->gate, 1);
	}
	/* Parked, or completed by a waker that left the start to us. */
	return 0;
}

/* Undo kgo_cont_alloc() and the channel references of a cont never armed. */
static void kgo_cont_abandon(struct kgo_cont *c)
{
	kgo_cont_put_chans(c);
	kgo_sched_unpin(c->s, c->owner);
	kgo_cont_put(c);
}

/**
 * __kgo_select_then() - park a select; use kgo_select_then()
 * @owner:  the module @fn belongs to, pinned until @fn has returned
 * @cases:  the cases, as for kgo_select_then()
 * @n:      their number
 * @flags:  0 or KGO_BIASED
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the record
 * @handle: NULL, or where to store a reference for kgo_cont_cancel()
 *
 * Context: Any context if @gfp does not allow sleeping.
 * Return: 0 or a negative errno; see kgo_select_then().
 */
int __kgo_select_then(struct module *owner,
		      const struct kgo_select_case *cases, unsigned int n,
		      unsigned int flags, kgo_cont_fn_t fn, void *arg,
		      gfp_t gfp, struct kgo_cont **handle)
{
	struct kgo_select_case tstack[4], *tc = tstack;
	struct kgo_sel_arm a;
	size_t extra = 0, off;
	unsigned int i, live = 0;
	struct kgo_cont *c;
	int ret;

	if (!fn || flags & ~KGO_BIASED || kgo_select_check(cases, n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!cases[i].ch)
			continue;
		live++;
		extra += ALIGN(cases[i].ch->elem_size, sizeof(long));
	}
	/* Only nil channels: it could never complete, nor be cancelled. */
	if (!live && !handle)
		return -EINVAL;
	/* The cases as the engine sees them: values in the record. */
	if (n > ARRAY_SIZE(tstack)) {
		tc = kmalloc_array(n, sizeof(*tc), gfp);
		if (!tc)
			return -ENOMEM;
	}
	c = kgo_cont_alloc(owner, extra, n, fn, arg, gfp, &ret);
	if (!c)
		goto out;
	c->kind = KGO_CONT_SELECT;
	off = struct_size(c, w, n);
	for (i = 0; i < n; i++) {
		const struct kgo_select_case *cs = &cases[i];
		struct kgo_waiter *w = &c->w[i];

		init_waitqueue_func_entry(&w->entry, kgo_cont_wake);
		INIT_LIST_HEAD(&w->entry.entry);
		w->sel = &c->sel;
		w->idx = i;
		w->dir = cs->dir;
		tc[i] = (struct kgo_select_case){ .dir = cs->dir };
		if (!cs->ch)
			continue;
		w->ch = kgo_chan_get(cs->ch);
		if (cs->ch->elem_size) {
			w->elem = (void *)c + off;
			off += ALIGN(cs->ch->elem_size, sizeof(long));
			if (cs->dir == KGO_SELECT_SEND)
				memcpy(w->elem, cs->val, cs->ch->elem_size);
		}
		tc[i].ch = cs->ch;
		tc[i].val = w->elem;
	}
	ret = kgo_sel_arm_init(&a, &c->sel, tc, n, flags, kgo_cont_wake, c->w,
			       gfp);
	if (!ret)
		ret = kgo_cont_arm(c, &a, gfpflags_allow_blocking(gfp));
	kgo_sel_arm_release(&a);
	if (ret)
		kgo_cont_abandon(c);
	else
		ret = kgo_cont_armed(c, handle);
out:
	if (tc != tstack)
		kfree(tc);
	return ret;
}
EXPORT_SYMBOL_GPL(__kgo_select_then);

/**
 * __kgo_chan_then() - park a send or receive; use kgo_chan_recv_then()
 * or kgo_chan_send_then()
 * @owner:  the module @fn belongs to
 * @ch:     the channel, or NULL
 * @dir:    KGO_SELECT_RECV or KGO_SELECT_SEND
 * @val:    the value to send (copied); NULL for a receive
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the record
 * @handle: NULL, or where to store a reference for kgo_cont_cancel()
 *
 * Context: Any context if @gfp does not allow sleeping.
 * Return: 0 or a negative errno; see kgo_chan_recv_then().
 */
int __kgo_chan_then(struct module *owner, struct kgo_chan *ch, u32 dir,
		    const void *val, kgo_cont_fn_t fn, void *arg, gfp_t gfp,
		    struct kgo_cont **handle)
{
	struct kgo_select_case c = {
		.ch = ch, .dir = dir, .val = (void *)val,
	};

	return __kgo_select_then(owner, &c, 1, 0, fn, arg, gfp, handle);
}
EXPORT_SYMBOL_GPL(__kgo_chan_then);

/**
 * __kgo_wg_wait_then() - park a wait-group wait; use kgo_wg_wait_then()
 * @owner:  the module @fn belongs to
 * @wg:     the wait group
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the record
 * @handle: NULL, or where to store a reference for kgo_cont_cancel()
 *
 * Context: Any context if @gfp does not allow sleeping.
 * Return: 0 or a negative errno; see kgo_wg_wait_then().
 */
int __kgo_wg_wait_then(struct module *owner, struct kgo_wg *wg,
		       kgo_cont_fn_t fn, void *arg, gfp_t gfp,
		       struct kgo_cont **handle)
{
	struct kgo_waiter *w;
	unsigned long flags;
	struct kgo_cont *c;
	int ret;

	if (!wg || !fn)
		return -EINVAL;
	c = kgo_cont_alloc(owner, 0, 1, fn, arg, gfp, &ret);
	if (!c)
		return ret;
	c->kind = KGO_CONT_WG;
	c->wg = wg;
	w = &c->w[0];
	init_waitqueue_func_entry(&w->entry, kgo_cont_wg_wake);
	INIT_LIST_HEAD(&w->entry.entry);
	w->sel = &c->sel;

	/*
	 * count is read and the waiter queued in one hold of wg->wq.lock,
	 * the lock under which kgo_wg_add_quiet() changes count and wakes:
	 * no zeroing can fall between the two.
	 */
	spin_lock_irqsave(&wg->wq.lock, flags);
	if (atomic_read(&wg->count)) {
		__add_wait_queue_entry_tail(&wg->wq, &w->entry);
	} else {
		atomic_set(&c->sel.done, 0);
		atomic_set(&c->gate, 1);
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return kgo_cont_armed(c, handle);
}
EXPORT_SYMBOL_GPL(__kgo_wg_wait_then);

/**
 * kgo_cont_cancel() - cancel a parked continuation
 * @c: a handle from a ``*_then_opts()`` call
 *
 * Either the continuation had not completed: then it never will, its
 * function never runs, nothing was sent or received, and true is
 * returned.  Or it had: its function runs (or ran) once, and false is
 * returned.  The handle stays valid either way; drop it with
 * kgo_cont_put().
 *
 * Context: Any context.
 * Return: true if cancelled.
 */
bool kgo_cont_cancel(struct kgo_cont *c)
{
	if (atomic_cmpxchg(&c->sel.done, KGO_SEL_PENDING,
			   KGO_SEL_CANCELLED) != KGO_SEL_PENDING)
		return false;
	kgo_cont_dequeue(c, -1);
	kgo_cont_put_chans(c);
	kgo_sched_unpin(c->s, c->owner);
	kgo_cont_put(c);
	return true;
}
EXPORT_SYMBOL_GPL(kgo_cont_cancel);

void kgo_cont_exit(void)
{
	flush_work(&kgo_cont_backlog_work);
	WARN_ON_ONCE(gochan_obj_count(GOCHAN_OBJ_CONTS));
}

