// SPDX-License-Identifier: GPL-2.0
/*
 * Wait groups: Go's sync.WaitGroup.
 *
 * A wait group is a counter and a wait queue (struct kgo_wg, kgo.h).
 * Locking: wg->wq.lock guards the counter's changes and the queue; the
 * counter is an atomic_t so that a waiter's condition can read it
 * without the lock.  A waiter in a goroutine hands its P off while it
 * sleeps (kgo_block_begin()); a continuation parks on the same queue
 * (cont.c, __kgo_wg_wait_then()).
 *
 * No lost wake-up: a waiter's prepare_to_wait_event() queues it on wg->wq
 * under wg->wq.lock, then its wait_event() condition reads count.
 * kgo_wg_add_quiet() sets count and calls wake_up_all_locked() in one
 * hold of that lock.  If its hold comes first, the waiter's read after
 * its own hold sees zero; if the waiter's does, the wake-up finds it
 * queued.
 */
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "internal.h"
#include "sched.h"

/**
 * kgo_wg_init() - initialise a wait group to zero
 * @wg: the wait group
 *
 * Context: Any context.
 */
void kgo_wg_init(struct kgo_wg *wg)
{
	atomic_set(&wg->count, 0);
	init_waitqueue_head(&wg->wq);
}
EXPORT_SYMBOL_GPL(kgo_wg_init);

/*
 * The counter changes, and waiters are woken, under wg->wq.lock; a waiter
 * passes through that lock before it returns.  So the last kgo_wg_done()
 * is finished with the wait group before kgo_wg_wait() returns and its
 * caller may free it.
 */
VISIBLE_IF_KUNIT int kgo_wg_add_quiet(struct kgo_wg *wg, int delta)
{
	unsigned long flags;
	int new, ret = 0;

	spin_lock_irqsave(&wg->wq.lock, flags);
	if (check_add_overflow(atomic_read(&wg->count), delta, &new) ||
	    new < 0) {
		ret = -EINVAL;
	} else {
		atomic_set(&wg->count, new);
		if (!new)
			wake_up_all_locked(&wg->wq);
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kgo_wg_add_quiet);

/**
 * kgo_wg_add() - add @delta to a wait group's counter: Go's WaitGroup.Add
 * @wg:    the wait group
 * @delta: may be negative
 *
 * When the counter reaches zero every kgo_wg_wait() returns.  Add before
 * starting the goroutine that will call kgo_wg_done().
 *
 * Context: Any context.
 * Return: 0, or -EINVAL (with a warning, and the counter unchanged) when
 * the counter would go negative or overflow; Go panics there.
 */
int kgo_wg_add(struct kgo_wg *wg, int delta)
{
	int ret = kgo_wg_add_quiet(wg, delta);

	WARN_ONCE(ret, "gochan: negative wait group counter\n");
	return ret;
}
EXPORT_SYMBOL_GPL(kgo_wg_add);

/*
 * The counter was seen at zero: wait out the kgo_wg_done() that zeroed it
 * (it may still be waking others), and order its writes before ours.
 */
static void kgo_wg_sync(struct kgo_wg *wg)
{
	spin_lock_irq(&wg->wq.lock);
	spin_unlock_irq(&wg->wq.lock);
}

/**
 * kgo_wg_done() - one goroutine of the group finished: Go's Done
 * @wg: the wait group
 *
 * Context: Any context.
 */
void kgo_wg_done(struct kgo_wg *wg)
{
	kgo_wg_add(wg, -1);
}
EXPORT_SYMBOL_GPL(kgo_wg_done);

/**
 * kgo_wg_wait() - wait until the counter is zero: Go's Wait
 * @wg: the wait group
 *
 * In a goroutine, the P is handed off while waiting.
 *
 * Context: Process context; sleeps uninterruptibly.
 */
void kgo_wg_wait(struct kgo_wg *wg)
{
	might_sleep();
	if (atomic_read(&wg->count)) {
		kgo_block_begin(KGO_WAIT_WAITGROUP);
		wait_event(wg->wq, !atomic_read(&wg->count));
		kgo_block_end();
	}
	kgo_wg_sync(wg);
}
EXPORT_SYMBOL_GPL(kgo_wg_wait);

/**
 * kgo_wg_wait_killable() - kgo_wg_wait() that a fatal signal interrupts
 * @wg: the wait group
 *
 * Context: Process context.
 * Return: 0 when the counter reached zero, -ERESTARTSYS on a fatal signal.
 */
int kgo_wg_wait_killable(struct kgo_wg *wg)
{
	int ret;

	might_sleep();
	if (!atomic_read(&wg->count)) {
		kgo_wg_sync(wg);
		return 0;
	}
	kgo_block_begin(KGO_WAIT_WAITGROUP);
	ret = wait_event_killable(wg->wq, !atomic_read(&wg->count));
	kgo_block_end();
	if (!ret)
		kgo_wg_sync(wg);
	return ret;
}
EXPORT_SYMBOL_GPL(kgo_wg_wait_killable);
