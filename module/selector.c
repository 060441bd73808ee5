// SPDX-License-Identifier: GPL-2.0
/*
 * Selector fds: a select whose cases are registered once and waited on
 * many times, at the cost of the ready cases (GOCHAN_IOC_SELECTOR).
 *
 * Go's select, and GOCHAN_IOC_SELECT, look at each of their k cases on
 * every call.  A selector keeps its cases (struct gochan_sel_item) as
 * watches on their channels (chan.h): every change to a channel runs its
 * watches under the channel's lock, and an item's watch puts the item on
 * its selector's ready list when its case is ready, takes it off when it
 * is not, and wakes one waiter, as epoll's ep_poll_callback does.  A
 * wait then looks only at the ready list: it picks an item (uniformly at
 * random, or the first added with GOCHAN_WAIT_BIASED), tries its case
 * under the channel's lock (kgo_try_case()), and drops it from the list
 * if another party got there first.
 *
 * The ready list never misses a ready case.  A case becomes ready only
 * by a change made under its channel's lock (a value or room, a waiting
 * partner, close), and every such hold runs the watches before its
 * unlock (kgo_chan_notify(), kgo_chan_watch_notify()), which is the only
 * moment anyone else can see the change.  An item leaves the list only
 * under that lock too, when its case was found not ready.  So an empty
 * list, read under sel->lock, is an instant at which no case is ready:
 * a non-blocking wait that answers "none" is linearizable, as Go's
 * select with a default case is (TestNonblockSelectRace).
 *
 * A selector's case completes against any partner that commits to the
 * channel: a value in the buffer or room in it, or a blocked send,
 * receive, select or goroutine.  A selector itself does not wait on its
 * channels' queues (that would cost every wait O(k)), so two selectors
 * that wait on one unbuffered channel in opposite directions do not meet
 * each other; Documentation/userspace-api.rst says so.
 *
 * Locking legend, as in chan.h and uchan.h:
 *
 *   L:  the item's channel lock (it->ch->lock)
 *   S:  sel->lock (spinlock, irqsave: a watch runs under ch->lock, from
 *       any context, a timer's hard irq included)
 *   M:  gochan_selector_mutex: which items exist, on which selector and
 *       channel file
 *   A:  lock-free (refcount_t)
 *   I:  set before the item is published, read-only after
 *
 * Lock order: gochan_selector_mutex, then ch->lock, then sel->lock, then
 * the selector's wait queue locks (wake_up()).  A wait holds one channel
 * lock at a time and takes sel->lock alone or inside it.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "chan.h"
#include "internal.h"
#include "select.h"
#include "uchan.h"

/* Cases one selector holds; each is also charged to its user's bytes. */
static unsigned int max_selector_cases = 65536;
module_param(max_selector_cases, uint, 0644);
MODULE_PARM_DESC(max_selector_cases,
		 "Most cases one selector fd may hold (0: no limit but the per-user bytes)");

static DEFINE_MUTEX(gochan_selector_mutex);

struct gochan_sel_fd {
	spinlock_t lock;		/* protects the S fields */
	struct list_head ready;		/* S: items whose case may be ready */
	unsigned int nready;		/* S; READ_ONCE: poll, the sleep */
	struct list_head items;		/* M: every item */
	unsigned int nitems;		/* M */
	u64 seq;			/* M: the next item's rank */
	wait_queue_head_t wq;		/* waits, woken one at a time */
	wait_queue_head_t pollwq;	/* poll() and epoll on the fd */
};

struct gochan_sel_item {
	struct kgo_chan_watch watch;	/* L: on ch->watches */
	struct gochan_sel_fd *sel;	/* I */
	struct kgo_chan *ch;		/* I: a reference */
	struct gochan_file *gf;		/* M: the channel file it came by */
	struct list_head fnode;		/* M: on gf->sel_items */
	struct list_head snode;		/* M: on sel->items */
	struct list_head rnode;		/* S: on sel->ready when listed */
	bool listed;			/* S */
	bool dead;			/* L and S: written holding both */
	u32 dir;			/* I: KGO_SELECT_SEND or _RECV */
	u64 key;			/* L: GOCHAN_CTL_MOD changes it */
	u64 rank;			/* I: order of addition (BIASED) */
	kuid_t uid;			/* I: charged charge bytes */
	size_t charge;			/* I */
	refcount_t ref;			/* A: M's, and each wait's */
	u8 val[];			/* L: a send case's value */
};

static void gochan_sel_item_put(struct gochan_sel_item *it)
{
	if (!refcount_dec_and_test(&it->ref))
		return;
	kgo_chan_put(it->ch);
	gochan_user_uncharge(it->uid, 0, it->charge);
	kvfree(it);
}

static void gochan_sel_unlist(struct gochan_sel_fd *sel,
			      struct gochan_sel_item *it)
{
	lockdep_assert_held(&sel->lock);
	if (!it->listed)
		return;
	list_del(&it->rnode);
	it->listed = false;
	WRITE_ONCE(sel->nready, sel->nready - 1);
}

/*
 * The item's watch, under ch->lock after a change: list the item if its
 * case is ready now, unlist it if not.  A listing wakes one waiter and
 * the fd's pollers.
 *
 * No wake-up is lost:
 *
 *   gochan_selector_sleep()            gochan_sel_item_watch()
 *   prepare_to_wait_exclusive():       nready++ (under sel->lock)
 *     queue on sel->wq, then           smp_mb(), then
 *     set_current_state() (smp_mb)     waitqueue_active(&sel->wq)
 *   READ_ONCE(sel->nready)             wake_up() if it saw us
 *
 * (gochan_selector_poll() pairs the same way with the look at pollwq.)
 *
 * Each side writes, then a full barrier, then reads what the other
 * wrote: either the sleeper sees nready raised, or the watch sees the
 * sleeper queued and wakes it.
 */
static void gochan_sel_item_watch(struct kgo_chan_watch *w)
{
	struct gochan_sel_item *it = container_of(w, struct gochan_sel_item,
						  watch);
	struct kgo_select_case c = { .ch = it->ch, .dir = it->dir };
	struct gochan_sel_fd *sel = it->sel;
	bool ready = kgo_case_ready(&c, NULL), wake = false;

	lockdep_assert_held(&it->ch->lock);
	spin_lock(&sel->lock);
	if (ready && !it->listed && !it->dead) {
		list_add_tail(&it->rnode, &sel->ready);
		it->listed = true;
		WRITE_ONCE(sel->nready, sel->nready + 1);
		wake = true;
	} else if (!ready) {
		gochan_sel_unlist(sel, it);
	}
	spin_unlock(&sel->lock);
	if (wake) {
		smp_mb();	/* nready, then the queues: see above */
		/* After the barrier: a sleeper queued before it is seen. */
		if (waitqueue_active(&sel->wq))
			wake_up(&sel->wq);
		/* The same for gochan_selector_poll(). */
		if (waitqueue_active(&sel->pollwq))
			wake_up_poll(&sel->pollwq, EPOLLIN | EPOLLRDNORM);
	}
}

/* Unregister an item: off its channel, its selector and its file. */
static void gochan_sel_item_detach(struct gochan_sel_item *it)
{
	struct gochan_sel_fd *sel = it->sel;
	unsigned long flags;

	lockdep_assert_held(&gochan_selector_mutex);
	spin_lock_irqsave(&it->ch->lock, flags);
	kgo_chan_watch_del(it->ch, &it->watch);
	spin_lock(&sel->lock);
	it->dead = true;
	gochan_sel_unlist(sel, it);
	spin_unlock(&sel->lock);
	spin_unlock_irqrestore(&it->ch->lock, flags);
	list_del(&it->snode);
	sel->nitems--;
	if (it->gf) {
		list_del(&it->fnode);
		atomic_dec(&it->gf->nsel);
		it->gf = NULL;
	}
	gochan_sel_item_put(it);
}

/**
 * gochan_selector_file_release() - a channel file is going: drop its cases
 * @gf: the file's gochan_file
 *
 * Context: Process context; the file's last reference is gone, so no
 * GOCHAN_CTL_ADD can name it any more.
 */
void gochan_selector_file_release(struct gochan_file *gf)
{
	struct gochan_sel_item *it, *tmp;

	if (!atomic_read(&gf->nsel))
		return;
	mutex_lock(&gochan_selector_mutex);
	list_for_each_entry_safe(it, tmp, &gf->sel_items, fnode) {
		gochan_sel_item_detach(it);
		cond_resched();
	}
	mutex_unlock(&gochan_selector_mutex);
}

/* ---- registration ------------------------------------------------------- */

static struct gochan_sel_item *gochan_sel_find(struct gochan_sel_fd *sel,
					       struct gochan_file *gf, u32 dir)
{
	struct gochan_sel_item *it;

	lockdep_assert_held(&gochan_selector_mutex);
	list_for_each_entry(it, &gf->sel_items, fnode)
		if (it->sel == sel && it->dir == dir)
			return it;
	return NULL;
}

static int gochan_sel_add(struct gochan_sel_fd *sel, struct gochan_file *gf,
			  const struct gochan_selector_ctl *c, const void *val)
{
	struct kgo_chan *ch = gf->uc->ch;
	size_t sz = c->dir == GOCHAN_DIR_SEND ? kgo_chan_elem_size(ch) : 0;
	unsigned int limit = READ_ONCE(max_selector_cases);
	struct gochan_sel_item *it;
	kuid_t uid = current_uid();
	size_t charge = sizeof(*it) + sz;
	int ret;

	lockdep_assert_held(&gochan_selector_mutex);
	if (gochan_sel_find(sel, gf, c->dir))
		return -EEXIST;
	if (limit && sel->nitems >= limit)
		return -ENOSPC;
	ret = gochan_user_charge(uid, 0, charge, gochan_exempt());
	if (ret)
		return ret;
	it = kvzalloc(charge, GOCHAN_GFP);	/* a send value: up to 64 KiB */
	if (!it) {
		gochan_user_uncharge(uid, 0, charge);
		return -ENOMEM;
	}
	it->watch.func = gochan_sel_item_watch;
	it->sel = sel;
	it->ch = kgo_chan_get(ch);
	it->dir = c->dir;
	it->key = c->key;
	it->rank = sel->seq++;
	it->uid = uid;
	it->charge = charge;
	refcount_set(&it->ref, 1);
	if (sz)
		memcpy(it->val, val, sz);
	ret = kgo_chan_watch_add(ch, &it->watch);
	if (ret) {
		gochan_sel_item_put(it);
		return ret;
	}
	it->gf = gf;
	list_add_tail(&it->fnode, &gf->sel_items);
	atomic_inc(&gf->nsel);
	list_add_tail(&it->snode, &sel->items);
	sel->nitems++;
	return 0;
}

static int gochan_sel_mod(struct gochan_sel_item *it,
			  const struct gochan_selector_ctl *c, const void *val)
{
	size_t sz = it->dir == GOCHAN_DIR_SEND ? kgo_chan_elem_size(it->ch) : 0;
	unsigned long flags;

	spin_lock_irqsave(&it->ch->lock, flags);
	WRITE_ONCE(it->key, c->key);	/* fdinfo reads it locklessly */
	if (sz)
		memcpy(it->val, val, sz);
	spin_unlock_irqrestore(&it->ch->lock, flags);
	return 0;
}

static long gochan_selector_ctl(struct gochan_sel_fd *sel,
				struct gochan_selector_ctl __user *uc)
{
	struct gochan_selector_ctl c;
	struct gochan_sel_item *it;
	struct gochan_file *gf;
	void *val = NULL;
	struct fd f;
	size_t sz;
	long ret;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	if (c.reserved[0] || c.reserved[1] ||
	    (c.dir != GOCHAN_DIR_SEND && c.dir != GOCHAN_DIR_RECV))
		return -EINVAL;
	if (c.op != GOCHAN_CTL_ADD && c.op != GOCHAN_CTL_MOD &&
	    c.op != GOCHAN_CTL_DEL)
		return -EINVAL;
	if (c.op == GOCHAN_CTL_DEL && (c.elem_size || c.buf || c.key))
		return -EINVAL;
	if (c.dir == GOCHAN_DIR_RECV && c.buf)
		return -EINVAL;
	f = fdget(c.fd);
	if (!fd_file(f))
		return -EBADF;
	gf = gochan_file_of(fd_file(f));
	ret = -ENOTTY;		/* not a channel fd, as for a select */
	if (!gf)
		goto out_put;
	ret = -EBADF;
	if (!(gf->dir & c.dir))
		goto out_put;
	sz = kgo_chan_elem_size(gf->uc->ch);
	ret = -EMSGSIZE;
	if (c.op != GOCHAN_CTL_DEL && c.elem_size != sz)
		goto out_put;
	/* A send case's value, copied in before anything changes. */
	if (c.op != GOCHAN_CTL_DEL && c.dir == GOCHAN_DIR_SEND && sz) {
		ret = -EFAULT;
		if (!c.buf)
			goto out_put;
		val = memdup_user(u64_to_user_ptr(c.buf), sz);
		if (IS_ERR(val)) {
			ret = PTR_ERR(val);
			val = NULL;
			goto out_put;
		}
	}
	mutex_lock(&gochan_selector_mutex);
	if (c.op == GOCHAN_CTL_ADD) {
		ret = gochan_sel_add(sel, gf, &c, val);
	} else {
		it = gochan_sel_find(sel, gf, c.dir);
		ret = 0;
		if (!it)
			ret = -ENOENT;
		else if (c.op == GOCHAN_CTL_MOD)
			ret = gochan_sel_mod(it, &c, val);
		else
			gochan_sel_item_detach(it);
	}
	mutex_unlock(&gochan_selector_mutex);
out_put:
	kfree(val);
	fdput(f);
	return ret;
}

/* ---- waiting -------------------------------------------------------------- */

/*
 * Items one pick looks at, with interrupts off under sel->lock: the
 * watches of every channel of the selector wait for that lock.
 */
#define GOCHAN_SEL_PICK_WINDOW	256U

/*
 * A listed item, with a reference: uniformly random among the listed
 * ones, or the one added first (biased); NULL when none is listed.  The
 * list is walked, so a wait costs O(ready), not O(cases), and the walk
 * is bounded: with more than GOCHAN_SEL_PICK_WINDOW cases ready, the
 * pick is among the first GOCHAN_SEL_PICK_WINDOW, and the list rotates
 * by one each pick, so that every ready case comes into the window.
 */
static struct gochan_sel_item *gochan_sel_pick(struct gochan_sel_fd *sel,
					       bool biased)
{
	unsigned int j = 0, window, seen = 0;
	struct gochan_sel_item *it, *best = NULL;
	unsigned long flags;

	spin_lock_irqsave(&sel->lock, flags);
	window = min(sel->nready, GOCHAN_SEL_PICK_WINDOW);
	if (window > 1 && !biased)
		j = get_random_u32_below(window);
	list_for_each_entry(it, &sel->ready, rnode) {
		if (seen++ == window)
			break;
		if (biased) {
			if (!best || it->rank < best->rank)
				best = it;
		} else if (!j--) {
			best = it;
			break;
		}
	}
	if (best)
		refcount_inc(&best->ref);
	if (sel->nready > GOCHAN_SEL_PICK_WINDOW)
		list_rotate_left(&sel->ready);
	spin_unlock_irqrestore(&sel->lock, flags);
	return best;
}

/* What a completed case tells the waiter. */
struct gochan_sel_result {
	u64 key;
	u32 dir;
	u32 ok;
	s32 err;
	size_t size;			/* the channel's element size */
};

/*
 * Try the item's case under its channel lock: 1 when it completed (a
 * received value in rx, unless discard), 0 when it was not ready (it is
 * unlisted then), or -EMSGSIZE for a ready receive whose values do not
 * fit the caller's room (nothing moved).
 */
static int gochan_sel_try(struct gochan_sel_item *it, void *rx, size_t room,
			  bool discard, struct gochan_sel_result *res)
{
	struct kgo_select_case c = { .ch = it->ch, .dir = it->dir };
	struct gochan_sel_fd *sel = it->sel;
	unsigned long flags;
	int ret = 0;

	c.val = it->dir == KGO_SELECT_RECV ? (discard ? NULL : rx) : it->val;
	spin_lock_irqsave(&it->ch->lock, flags);
	if (it->dead)
		ret = 0;
	else if (it->dir == KGO_SELECT_RECV && !discard &&
		 kgo_chan_elem_size(it->ch) > room)
		ret = kgo_case_ready(&c, NULL) ? -EMSGSIZE : 0;
	else
		ret = kgo_try_case(&c, NULL);
	if (ret > 0) {
		res->key = it->key;
		res->dir = it->dir;
		res->ok = c.ok;
		res->err = c.err;
		res->size = kgo_chan_elem_size(it->ch);
	} else if (!ret) {
		/* Not ready under the lock: off the list until a change. */
		spin_lock(&sel->lock);
		gochan_sel_unlist(sel, it);
		spin_unlock(&sel->lock);
	}
	spin_unlock_irqrestore(&it->ch->lock, flags);
	return ret;
}

/*
 * Sleep until an item is listed, a signal, or the deadline.  Returns 0
 * or -ERESTARTSYS or -ETIMEDOUT.  See gochan_sel_item_watch() for why
 * no wake-up is lost.
 */
static int gochan_selector_sleep(struct gochan_sel_fd *sel, ktime_t deadline)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	for (;;) {
		prepare_to_wait_exclusive(&sel->wq, &wait, TASK_INTERRUPTIBLE);
		if (READ_ONCE(sel->nready))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		ret = kgo_schedule_deadline(deadline);
		if (ret)
			break;
	}
	finish_wait(&sel->wq, &wait);
	return ret;
}

/*
 * A waiter that leaves with items still listed passes the wake-up on: it
 * may have taken the one meant for another waiter.
 */
static void gochan_selector_pass_on(struct gochan_sel_fd *sel)
{
	if (READ_ONCE(sel->nready) && wq_has_sleeper(&sel->wq))
		wake_up(&sel->wq);
}

/* Room on the stack for a received value. */
#define GOCHAN_SEL_RX_STACK	64

/*
 * Complete one ready case.  rx: room for room bytes; discard: the caller
 * gave no buffer, a received value is dropped.
 */
static int gochan_selector_do_one(struct gochan_sel_fd *sel, u32 flags,
				  ktime_t deadline, void *rx, size_t room,
				  bool discard, struct gochan_sel_result *res)
{
	unsigned int tries = 0;
	int ret;

	for (;;) {
		struct gochan_sel_item *it;

		it = gochan_sel_pick(sel, flags & GOCHAN_WAIT_BIASED);
		if (!it) {
			/* The list was empty: no case ready at that instant. */
			if (flags & GOCHAN_WAIT_NONBLOCK)
				return -EAGAIN;
			ret = gochan_selector_sleep(sel, deadline);
			if (ret)
				break;
			continue;
		}
		ret = gochan_sel_try(it, rx, room, discard, res);
		gochan_sel_item_put(it);
		if (ret)
			break;
		/* Items others drained: each failure unlisted one. */
		if (!(++tries % 64)) {
			if (signal_pending(current)) {
				ret = -ERESTARTSYS;
				break;
			}
			cond_resched();
		}
	}
	gochan_selector_pass_on(sel);
	return ret < 0 ? ret : 0;
}

/*
 * GOCHAN_WAIT_READY: up to max ready cases into ev, each looked at under
 * its channel's lock (a stale one is unlisted).  Returns their number,
 * 0 when none is ready.
 */
static int gochan_selector_scan(struct gochan_sel_fd *sel,
				struct gochan_selector_event *ev,
				struct gochan_sel_item **its, unsigned int max)
{
	struct gochan_sel_item *it;
	unsigned int i, n = 0, got = 0;
	unsigned long flags;

	spin_lock_irqsave(&sel->lock, flags);
	list_for_each_entry(it, &sel->ready, rnode) {
		if (n == max)
			break;
		refcount_inc(&it->ref);
		its[n++] = it;
	}
	spin_unlock_irqrestore(&sel->lock, flags);
	for (i = 0; i < n; i++) {
		struct kgo_select_case c = { .ch = its[i]->ch, .dir = its[i]->dir };

		it = its[i];
		spin_lock_irqsave(&it->ch->lock, flags);
		if (!it->dead && kgo_case_ready(&c, NULL)) {
			ev[got].key = it->key;
			ev[got].dir = it->dir;
			ev[got].flags = kgo_chan_closed(it->ch) ?
					GOCHAN_EVENT_CLOSED : 0;
			got++;
			/*
			 * Reported cases stay ready and listed, at the tail:
			 * the next scan reports the others first, so a max
			 * below the ready cases starves none (as epoll's
			 * ep_send_events() requeues level-triggered items).
			 */
			spin_lock(&sel->lock);
			if (it->listed)
				list_move_tail(&it->rnode, &sel->ready);
			spin_unlock(&sel->lock);
		} else {
			spin_lock(&sel->lock);
			gochan_sel_unlist(sel, it);
			spin_unlock(&sel->lock);
		}
		spin_unlock_irqrestore(&it->ch->lock, flags);
		gochan_sel_item_put(it);
	}
	return got;
}

static long gochan_selector_ready(struct gochan_sel_fd *sel,
				  struct gochan_selector_wait *w,
				  ktime_t deadline)
{
	struct gochan_selector_event *ev;
	struct gochan_sel_item **its;
	size_t bytes, charged = 0;
	long ret;

	bytes = (size_t)w->max * (sizeof(*ev) + sizeof(*its));
	ret = gochan_call_charge(bytes, &charged);
	if (ret)
		return ret;
	ev = kvmalloc(bytes, GOCHAN_GFP);
	if (!ev) {
		gochan_call_uncharge(charged);
		return -ENOMEM;
	}
	its = (struct gochan_sel_item **)(ev + w->max);
	for (;;) {
		ret = gochan_selector_scan(sel, ev, its, w->max);
		if (ret)
			break;
		/*
		 * The scan found only stale items (and unlisted them): the
		 * list may hold ready ones further on.  Only an empty list
		 * says "none ready".
		 */
		if (READ_ONCE(sel->nready)) {
			/* Others keep listing and draining: stay stoppable. */
			if (signal_pending(current)) {
				ret = -ERESTARTSYS;
				break;
			}
			cond_resched();
			continue;
		}
		if (w->flags & GOCHAN_WAIT_NONBLOCK)
			break;
		ret = gochan_selector_sleep(sel, deadline);
		if (ret)
			break;
	}
	gochan_selector_pass_on(sel);
	if (ret > 0) {
		w->count = ret;
		ret = copy_to_user(u64_to_user_ptr(w->events), ev,
				   (size_t)w->count * sizeof(*ev)) ? -EFAULT : 0;
	} else if (!ret) {
		ret = -EAGAIN;
	}
	kvfree(ev);
	gochan_call_uncharge(charged);
	return ret;
}

#define GOCHAN_WAIT_FLAGS	(GOCHAN_WAIT_NONBLOCK | GOCHAN_WAIT_BIASED | \
				 GOCHAN_WAIT_READY)

/*
 * The pages of the outputs (uw: two at most) and of a received value
 * (buf) that fit on the stack; a larger room's page list is allocated.
 */
#define GOCHAN_SEL_PIN_PAGES	4

static long gochan_selector_wait(struct gochan_sel_fd *sel,
				 struct gochan_selector_wait __user *uw)
{
	struct page *spages[GOCHAN_SEL_PIN_PAGES], **pages = spages, **vpages;
	struct gochan_upin out = {}, val = {};
	u8 stack[GOCHAN_SEL_RX_STACK];
	struct gochan_sel_result res;
	struct gochan_selector_wait w;
	size_t room, charged = 0;
	ktime_t deadline;
	void *rx = NULL;
	long ret;

	if (copy_from_user(&w, uw, sizeof(w)))
		return -EFAULT;
	if ((w.flags & ~GOCHAN_WAIT_FLAGS) || w.pad || w.reserved[0] ||
	    w.reserved[1])
		return -EINVAL;
	ret = gochan_deadline(w.deadline, &deadline);
	if (ret)
		return ret;
	if (w.flags & GOCHAN_WAIT_READY) {
		if (w.buf || w.size || !w.max ||
		    w.max > GOCHAN_SELECTOR_EVENTS_MAX)
			return -EINVAL;
		ret = gochan_selector_ready(sel, &w, deadline);
		if (!ret && put_user(w.count, &uw->count))
			ret = -EFAULT;
		return ret;
	}
	if (w.events || w.max)
		return -EINVAL;
	room = w.buf ? min_t(size_t, w.size, KGO_CHAN_MAX_ELEM) : 0;
	/*
	 * Pin what is written once a value moved: the outputs, and the
	 * received value's room.  After the case completed nothing can
	 * fail, so no value is lost to a fault.
	 */
	ret = gochan_upin(&out, (uintptr_t)&uw->count,
			  sizeof(*uw) - offsetof(struct gochan_selector_wait, count),
			  pages);
	if (ret)
		goto out;
	if (room) {
		/* The room is on the caller's stack beside uw, usually. */
		if (!gochan_upin_within(&val, w.buf, room, &out)) {
			unsigned int n = gochan_upin_npages(w.buf, room);

			vpages = pages + out.npages;
			if (out.npages + n > GOCHAN_SEL_PIN_PAGES) {
				vpages = kvmalloc_array(n, sizeof(*vpages),
							GOCHAN_GFP);
				if (!vpages) {
					ret = -ENOMEM;
					goto out;
				}
				pages = vpages;	/* freed at out */
			}
			ret = gochan_upin(&val, w.buf, room, vpages);
		}
		if (ret)
			goto out;
		rx = stack;
		if (room > sizeof(stack)) {
			ret = gochan_call_charge(room, &charged);
			if (ret)
				goto out;
			rx = kvmalloc(room, GOCHAN_GFP);
		}
		if (!rx) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = gochan_selector_do_one(sel, w.flags, deadline, rx, room, !w.buf,
				     &res);
	if (ret)
		goto out;
	{
		/* The outputs, count to err, laid out as in the uapi. */
		struct {
			u32 count;
			u64 key;
			u32 dir;
			u32 ok;
			s32 err;
		} __packed o = { 1, res.key, res.dir, res.ok, res.err };

		BUILD_BUG_ON(offsetof(struct gochan_selector_wait, err) +
			     sizeof(o.err) -
			     offsetof(struct gochan_selector_wait, count) !=
			     sizeof(o));
		BUILD_BUG_ON(offsetof(struct gochan_selector_wait, key) -
			     offsetof(struct gochan_selector_wait, count) !=
			     offsetof(typeof(o), key));
		gochan_upin_write(&out, 0, &o, sizeof(o));
	}
	/* A value, or a closed channel's zero value, as a receive gives. */
	if (res.dir == KGO_SELECT_RECV && room && res.size)
		gochan_upin_write(&val, 0, res.ok ? rx : NULL, res.size);
out:
	if (rx && rx != stack)
		kvfree(rx);
	gochan_call_uncharge(charged);
	gochan_upin_release(&val);
	gochan_upin_release(&out);
	if (pages != spages)
		kvfree(pages);
	return ret;
}

/* ---- the fd ----------------------------------------------------------------- */

static const struct file_operations gochan_selector_fops;

static long gochan_selector_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	struct gochan_sel_fd *sel = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case GOCHAN_IOC_SELECTOR_CTL:
		return gochan_selector_ctl(sel, argp);
	case GOCHAN_IOC_SELECTOR_WAIT:
		return gochan_selector_wait(sel, argp);
	default:
		return -ENOIOCTLCMD;
	}
}

/*
 * Readable while a case may be ready.  No wake-up is lost: poll_wait()
 * queues us on pollwq, then a full barrier, then we read nready; a
 * listing raises nready, then a full barrier, then it looks at pollwq.
 * Either we see nready raised or it sees us queued (as sock_poll_wait()
 * and its wakers pair).
 */
static __poll_t gochan_selector_poll(struct file *file, poll_table *pt)
{
	struct gochan_sel_fd *sel = file->private_data;

	poll_wait(file, &sel->pollwq, pt);
	smp_mb();	/* pairs with the watch's smp_mb() */
	return READ_ONCE(sel->nready) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* Cases fdinfo lists (all are counted). */
#define GOCHAN_SEL_FDINFO_CASES	64

static void gochan_selector_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct gochan_sel_fd *sel = file->private_data;
	struct gochan_sel_item *it;

	unsigned int n = 0;

	mutex_lock(&gochan_selector_mutex);
	seq_printf(m, "cases:\t%u\n", sel->nitems);
	seq_printf(m, "ready:\t%u\n", READ_ONCE(sel->nready));
	/* The first cases only: the mutex is every selector's. */
	list_for_each_entry(it, &sel->items, snode) {
		if (n++ == GOCHAN_SEL_FDINFO_CASES)
			break;
		seq_printf(m, "case:\tgochan-id %llu dir %s key %llu\n",
			   kgo_chan_id(it->ch),
			   it->dir == KGO_SELECT_SEND ? "send" : "recv",
			   (unsigned long long)it->key);
	}
	mutex_unlock(&gochan_selector_mutex);
}

static int gochan_selector_release(struct inode *inode, struct file *file)
{
	struct gochan_sel_fd *sel = file->private_data;
	struct gochan_sel_item *it, *tmp;

	mutex_lock(&gochan_selector_mutex);
	list_for_each_entry_safe(it, tmp, &sel->items, snode) {
		gochan_sel_item_detach(it);
		cond_resched();
	}
	mutex_unlock(&gochan_selector_mutex);
	/* Detached: no watch runs, no wait holds an item of ours. */
	WARN_ON_ONCE(sel->nitems || !list_empty(&sel->ready));
	kfree(sel);
	gochan_obj_add(GOCHAN_OBJ_SELECTORS, -1);
	return 0;
}

static const struct file_operations gochan_selector_fops = {
	.owner		= THIS_MODULE,
	.release	= gochan_selector_release,
	.poll		= gochan_selector_poll,
	.unlocked_ioctl	= gochan_selector_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= gochan_selector_show_fdinfo,
};

/**
 * gochan_ioctl_selector() - GOCHAN_IOC_SELECTOR: make a selector fd
 * @us: the request
 *
 * Return: the new fd, or -EINVAL for a flag or a field that is not zero,
 * -ENOMEM, or get_unused_fd_flags()'s error.
 */
long gochan_ioctl_selector(struct gochan_selector __user *us)
{
	struct gochan_selector req;
	struct gochan_sel_fd *sel;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&req, us, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~GOCHAN_SELECTOR_CLOEXEC) || req.pad ||
	    req.reserved[0] || req.reserved[1])
		return -EINVAL;
	sel = kzalloc(sizeof(*sel), GOCHAN_GFP);
	if (!sel)
		return -ENOMEM;
	spin_lock_init(&sel->lock);
	INIT_LIST_HEAD(&sel->ready);
	INIT_LIST_HEAD(&sel->items);
	init_waitqueue_head(&sel->wq);
	init_waitqueue_head(&sel->pollwq);
	fd = get_unused_fd_flags(O_RDWR | (req.flags & O_CLOEXEC));
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	file = anon_inode_getfile("[gochan-selector]", &gochan_selector_fops,
				  sel, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_fd;
	}
	gochan_obj_add(GOCHAN_OBJ_SELECTORS, 1);
	fd_install(fd, file);
	return fd;

err_fd:
	put_unused_fd(fd);
err_free:
	kfree(sel);
	return ret;
}
