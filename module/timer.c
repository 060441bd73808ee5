// SPDX-License-Identifier: GPL-2.0
/*
 * Timer channels: Go's time.After and time.Tick.
 *
 * A timer channel is a channel of capacity 1 and 8-byte elements with a
 * struct kgo_chan_timer (chan.h) whose hrtimer sends the time into it.
 * The timer's fields are guarded by the channel's lock, which the
 * callback takes in hard irq context: hence the irqsave channel locks.
 */
#include <linux/hrtimer.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "chan.h"
#include "internal.h"

/*
 * A timer fired.  A one-shot timer sends once.  A ticker sends the time
 * if its one-slot buffer has room (or a receiver waits); when the slot is
 * still full the receiver is slow, and the tick is dropped as in Go.  A
 * ticker that drops a tick stops (stalled) instead of re-arming for ever:
 * the receive that empties the slot restarts it at the next period
 * boundary (kgo_timer_slot_freed()), so the ticks missed meanwhile are
 * dropped and an unread ticker costs no interrupts.
 */
static enum hrtimer_restart kgo_chan_timer_fire(struct hrtimer *t)
{
	struct kgo_chan_timer *tm = container_of(t, struct kgo_chan_timer, t);
	struct kgo_select_case c = { .ch = tm->ch, .dir = KGO_SELECT_SEND };
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	s64 now = ktime_get_ns();
	unsigned long flags;

	c.val = &now;
	spin_lock_irqsave(&tm->ch->lock, flags);
	tm->fires++;
	/* A stopped ticker never stalls: Stop and Reset cleared it. */
	if (!kgo_try_case(&c, NULL) && tm->period && !tm->stopped)
		tm->stalled = true;
	else if (tm->period && !tm->stopped)
		ret = HRTIMER_RESTART;
	spin_unlock_irqrestore(&tm->ch->lock, flags);
	if (ret == HRTIMER_RESTART)
		hrtimer_forward_now(t, tm->period);
	return ret;
}

/*
 * A receive took the tick out of a timer channel's slot: restart a
 * stalled ticker at the next multiple of its period.  hrtimer_start()
 * takes only the hrtimer base lock, which nests inside ch->lock; the
 * callback above runs without the base lock, so there is no inversion.
 *
 * No restart is lost: stalled is set (kgo_chan_timer_fire()) and tested
 * here under ch->lock, in the same holds as the send that found the slot
 * full and the receive that empties it.  A receive before the callback's
 * hold left room, so its send succeeded; one after it sees stalled.
 */
void kgo_timer_slot_freed(struct kgo_chan *ch)
{
	struct kgo_chan_timer *tm = ch->timer;
	ktime_t now;

	lockdep_assert_held(&ch->lock);
	if (!tm->stalled || tm->stopped)
		return;
	tm->stalled = false;
	now = ktime_get();
	hrtimer_forward(&tm->t, now, tm->period);
	hrtimer_start_expires(&tm->t, HRTIMER_MODE_ABS);
}

static struct kgo_chan *kgo_chan_timer_new(ktime_t d, ktime_t period, gfp_t gfp)
{
	struct kgo_chan_timer *tm;
	struct kgo_chan *ch;

	if (d < 0 || period < 0 || (period && period < NSEC_PER_USEC))
		return ERR_PTR(-EINVAL);
	ch = kgo_chan_make(sizeof(s64), 1, gfp);
	if (IS_ERR(ch))
		return ch;
	tm = kzalloc(sizeof(*tm), gfp);
	if (!tm) {
		kgo_chan_put(ch);
		return ERR_PTR(-ENOMEM);
	}
	gochan_obj_add(GOCHAN_OBJ_TIMERS, 1);
	tm->ch = ch;
	mutex_init(&tm->set_lock);
	tm->ticker = period;
	tm->period = period;
	hrtimer_init(&tm->t, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	tm->t.function = kgo_chan_timer_fire;
	/*
	 * Release: tm's fields before the pointer, as ch is on the list of
	 * every channel already; pairs with kgo_chan_show_one()'s acquire.
	 */
	smp_store_release(&ch->timer, tm);
	hrtimer_start(&tm->t, d, HRTIMER_MODE_REL);
	return ch;
}

/**
 * kgo_chan_after() - a channel that receives the time once, after @d:
 * Go's time.After
 * @d:   delay in nanoseconds (ktime_t), at least 0
 * @gfp: allocation flags
 *
 * The channel has capacity 1 and 8-byte elements: the CLOCK_MONOTONIC
 * time (s64, ns) at which the timer fired.  Dropping the last reference
 * stops the timer.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the channel, or an ERR_PTR() (-EINVAL for a negative delay).
 */
struct kgo_chan *kgo_chan_after(ktime_t d, gfp_t gfp)
{
	return kgo_chan_timer_new(d, 0, gfp);
}
EXPORT_SYMBOL_GPL(kgo_chan_after);

/**
 * kgo_chan_tick() - a channel that receives the time every @period: Go's
 * time.Tick
 * @period: at least 1 us
 * @gfp:    allocation flags
 *
 * Ticks a slow receiver misses are dropped: the channel buffers one,
 * and while that one is unread the timer is stopped; the receive that
 * takes it restarts the timer at the next multiple of @period.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the channel, or an ERR_PTR() (-EINVAL for a period under 1 us).
 */
struct kgo_chan *kgo_chan_tick(ktime_t period, gfp_t gfp)
{
	if (period <= 0)
		return ERR_PTR(-EINVAL);
	return kgo_chan_timer_new(period, period, gfp);
}
EXPORT_SYMBOL_GPL(kgo_chan_tick);

/* kgo_chan_timer_stop(), under tm->set_lock. */
static bool kgo_timer_stop_locked(struct kgo_chan_timer *tm)
{
	struct kgo_chan *ch = tm->ch;
	unsigned long flags;
	bool cancelled, was;

	lockdep_assert_held(&tm->set_lock);
	spin_lock_irqsave(&ch->lock, flags);
	was = tm->stopped;
	tm->stopped = true;
	tm->stalled = false;
	spin_unlock_irqrestore(&ch->lock, flags);
	/*
	 * No receive restarts it now; cancel a pending one, or wait for a
	 * running callback, which sees stopped and does not re-arm.  A
	 * one-shot timer whose callback ran (or is running now) has fired:
	 * false.  A ticker runs until it is stopped, whether its hrtimer is
	 * pending, stalled or firing at this instant.
	 */
	cancelled = hrtimer_cancel(&tm->t);
	return tm->ticker ? !was : cancelled;
}

/**
 * kgo_chan_timer_stop() - stop the timer of a timer channel: Go's Stop
 * @ch: a channel from kgo_chan_after() or kgo_chan_tick()
 *
 * Safe against a concurrent fire and a concurrent receive: when it
 * returns, the timer callback is not running and will not run again.  A
 * value already sent stays in the channel (as before Go 1.23; a timer
 * fd's GOCHAN_IOC_TIMER_SET drops it).
 *
 * Context: Process context (it waits for a running callback).
 * Return: true if a one-shot timer was pending (Go: "stopped before
 * firing") or a ticker was running; false if a one-shot timer had
 * fired, the timer was stopped before, or @ch has no timer.
 */
bool kgo_chan_timer_stop(struct kgo_chan *ch)
{
	bool active;

	might_sleep();
	if (!ch || !ch->timer)
		return false;
	mutex_lock(&ch->timer->set_lock);
	active = kgo_timer_stop_locked(ch->timer);
	mutex_unlock(&ch->timer->set_lock);
	return active;
}
EXPORT_SYMBOL_GPL(kgo_chan_timer_stop);

/**
 * kgo_chan_timer_set() - Go 1.23's Stop and Reset of a timer channel
 * @ch:   a timer channel
 * @d:    the new delay from now (a ticker's new period, at least 1 us);
 *        ignored with @stop
 * @stop: stop the timer rather than reset it
 *
 * The timer is stopped, a value it sent that nobody has received is
 * dropped, and unless @stop it starts again, @d from now.  When this
 * returns, no receive gets a value sent before the call (Go 1.23's
 * rule).  Stop and Reset are serialized by the timer's set_lock; while
 * they run the hrtimer is cancelled, so the callback never sees a
 * period change.
 *
 * Context: Process context (it waits for a running callback).
 * Return: Go 1.23's Stop and Reset result: whether the timer was running,
 * or had sent a value nobody received (now dropped).
 */
bool kgo_chan_timer_set(struct kgo_chan *ch, ktime_t d, bool stop)
{
	struct kgo_select_case c = { .ch = ch, .dir = KGO_SELECT_RECV };
	struct kgo_chan_timer *tm = ch->timer;
	unsigned long flags;
	bool active;

	might_sleep();
	mutex_lock(&tm->set_lock);
	active = kgo_timer_stop_locked(tm);
	spin_lock_irqsave(&ch->lock, flags);
	/*
	 * The stale value, if any: received into nothing.  Go 1.23 counts a
	 * drained value as a timer stopped before it fired, so that
	 * "if (!t.Stop()) <-t.C" never waits for a value that is gone.
	 */
	if (ch->qcount && kgo_try_case(&c, NULL))
		active = true;
	/* A tick that raced the cancel may have stalled it: not now. */
	tm->stalled = false;
	if (!stop) {
		tm->stopped = false;
		if (tm->ticker)
			tm->period = d;
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	if (!stop)
		hrtimer_start(&tm->t, d, HRTIMER_MODE_REL);
	mutex_unlock(&tm->set_lock);
	return active;
}

/**
 * kgo_chan_timer_reset() - restart a timer channel: Go's Timer.Reset and
 * Ticker.Reset
 * @ch: a channel from kgo_chan_after() or kgo_chan_tick()
 * @d:  the new delay from now, at least 0; for a ticker, the new period,
 *      at least 1 us
 *
 * As Go 1.23's: a value the timer sent before the call and nobody
 * received is dropped, so the next receive gets a value of the new
 * timer.  A one-shot timer that already fired fires again.  Go 1.23's
 * result: true also when such a value was dropped.
 *
 * Context: Process context (it waits for a running callback).
 * Return: true if the timer was running or its unread value was
 * dropped, false if its value was received or it was stopped; false and
 * nothing done for a bad @d or a channel without a timer.
 */
bool kgo_chan_timer_reset(struct kgo_chan *ch, ktime_t d)
{
	if (!ch || !ch->timer || d < 0 ||
	    (ch->timer->ticker && d < NSEC_PER_USEC))
		return false;
	return kgo_chan_timer_set(ch, d, false);
}
EXPORT_SYMBOL_GPL(kgo_chan_timer_reset);

/* The channel is being freed: stop its timer for good. */
void kgo_chan_timer_free(struct kgo_chan *ch)
{
	hrtimer_cancel(&ch->timer->t);
	mutex_destroy(&ch->timer->set_lock);
	kfree(ch->timer);
	ch->timer = NULL;
	gochan_obj_add(GOCHAN_OBJ_TIMERS, -1);
}
