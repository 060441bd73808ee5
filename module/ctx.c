// SPDX-License-Identifier: GPL-2.0
/*
 * Contexts: Go's context package.  A context carries cancellation (a
 * done channel closed on cancel, and an error saying why), an optional
 * deadline, and request-scoped values, down a tree: cancelling a context
 * cancels all its descendants.
 *
 * Locking legend, as in sched.h, chan.h and select.h:
 *
 *   C:  kgo_ctx_lock (spinlock, irqsave: deadlines fire in hard irq),
 *       one lock for every context's tree fields and err.  Tree changes
 *       are rare next to the work done under a context, so one lock
 *       keeps cancel propagation simple: it walks the subtree without
 *       ever holding two context locks.  Channel locks nest inside it
 *       (the close of done).
 *   A:  lock-free (refcount_t)
 *   I:  set before the context is returned to its maker, read-only after
 */
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/slab.h>

#include "chan.h"
#include "internal.h"

struct kgo_ctx {
	refcount_t ref;			/* A */
	struct kgo_ctx *parent;		/* I: holds a reference */
	/* I: the nearest cancelable context at or above this one, or NULL. */
	struct kgo_ctx *cancel_anc;
	struct list_head children;	/* C: cancelable children */
	struct list_head sibling;	/* C: in parent's children */
	struct kgo_chan *done;		/* I: cancelable only */
	int err;			/* C; WRITE_ONCE: kgo_ctx_err()
					 * reads it without the lock
					 */
	ktime_t deadline;		/* I: KGO_FOREVER if none */
	bool has_timer;			/* I */
	struct hrtimer timer;		/* I: armed once, cancelled at put */
	const void *key;		/* I: value contexts */
	void *value;			/* I */
};

static DEFINE_SPINLOCK(kgo_ctx_lock);

static struct kgo_ctx kgo_background = {
	.ref = REFCOUNT_INIT(1),
	.children = LIST_HEAD_INIT(kgo_background.children),
	.sibling = LIST_HEAD_INIT(kgo_background.sibling),
	.deadline = KGO_FOREVER,
};

/**
 * kgo_ctx_background() - the root context: Go's context.Background()
 *
 * Never cancelled, no deadline, no values; its done channel is NULL (a
 * nil channel, never ready).  Getting and putting it are no-ops.
 *
 * Context: Any context.
 * Return: the background context.
 */
struct kgo_ctx *kgo_ctx_background(void)
{
	return &kgo_background;
}
EXPORT_SYMBOL_GPL(kgo_ctx_background);

/* Cancel ctx and its subtree with err.  Caller holds kgo_ctx_lock. */
static void kgo_ctx_cancel_locked(struct kgo_ctx *ctx, int err)
{
	LIST_HEAD(todo);

	lockdep_assert_held(&kgo_ctx_lock);
	if (ctx->err)
		return;
	/* Unlink from the parent, then walk the subtree breadth-first. */
	list_del_init(&ctx->sibling);
	list_add_tail(&ctx->sibling, &todo);
	while (!list_empty(&todo)) {
		struct kgo_ctx *c = list_first_entry(&todo, struct kgo_ctx,
						     sibling);

		list_del_init(&c->sibling);
		if (c->err)
			continue;
		/*
		 * WRITE_ONCE: kgo_ctx_err() reads it without the lock.  It
		 * is stored before the close: a receive that finds done
		 * closed took done's lock after the close's hold, so it sees
		 * err too (Go: Err() is non-nil once Done is closed).
		 */
		WRITE_ONCE(c->err, err);
		kgo_chan_close(c->done);
		list_splice_tail_init(&c->children, &todo);
	}
}

static void kgo_ctx_cancel_err(struct kgo_ctx *ctx, int err)
{
	unsigned long flags;

	spin_lock_irqsave(&kgo_ctx_lock, flags);
	kgo_ctx_cancel_locked(ctx, err);
	spin_unlock_irqrestore(&kgo_ctx_lock, flags);
}

static enum hrtimer_restart kgo_ctx_deadline_fire(struct hrtimer *t)
{
	kgo_ctx_cancel_err(container_of(t, struct kgo_ctx, timer), -ETIMEDOUT);
	return HRTIMER_NORESTART;
}

static struct kgo_ctx *kgo_ctx_new(struct kgo_ctx *parent, bool cancelable,
				   ktime_t deadline, gfp_t gfp)
{
	struct kgo_ctx *ctx;
	unsigned long flags;

	if (!parent)
		return ERR_PTR(-EINVAL);
	ctx = kzalloc(sizeof(*ctx), gfp);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	if (cancelable) {
		ctx->done = kgo_chan_make(0, 0, gfp);
		if (IS_ERR(ctx->done)) {
			kfree(ctx);
			return ERR_PTR(-ENOMEM);
		}
	}
	refcount_set(&ctx->ref, 1);
	INIT_LIST_HEAD(&ctx->children);
	INIT_LIST_HEAD(&ctx->sibling);
	ctx->parent = kgo_ctx_get(parent);
	/* A parent's earlier deadline will cancel us anyway. */
	ctx->deadline = min(deadline, parent->deadline);
	ctx->cancel_anc = cancelable ? ctx : parent->cancel_anc;
	gochan_obj_add(GOCHAN_OBJ_CTXS, 1);

	if (!cancelable)
		return ctx;
	spin_lock_irqsave(&kgo_ctx_lock, flags);
	if (parent->cancel_anc && parent->cancel_anc->err)
		kgo_ctx_cancel_locked(ctx, parent->cancel_anc->err);
	else if (deadline < parent->deadline && deadline <= ktime_get())
		kgo_ctx_cancel_locked(ctx, -ETIMEDOUT);	/* already past */
	else if (parent->cancel_anc)
		list_add_tail(&ctx->sibling, &parent->cancel_anc->children);
	spin_unlock_irqrestore(&kgo_ctx_lock, flags);

	/*
	 * A racy look: a parent's cancel may set err at any time; a timer
	 * started anyway finds err set when it fires and does nothing.
	 */
	if (deadline < parent->deadline && !READ_ONCE(ctx->err)) {
		ctx->has_timer = true;
		hrtimer_init(&ctx->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		ctx->timer.function = kgo_ctx_deadline_fire;
		hrtimer_start(&ctx->timer, deadline, HRTIMER_MODE_ABS);
	}
	return ctx;
}

/**
 * kgo_ctx_with_cancel() - a cancelable child: Go's WithCancel
 * @parent: the parent context
 * @gfp:    allocation flags
 *
 * The child is cancelled by kgo_ctx_cancel() on it or on any ancestor.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the new context (one reference), or an ERR_PTR().
 */
struct kgo_ctx *kgo_ctx_with_cancel(struct kgo_ctx *parent, gfp_t gfp)
{
	return kgo_ctx_new(parent, true, KGO_FOREVER, gfp);
}
EXPORT_SYMBOL_GPL(kgo_ctx_with_cancel);

/**
 * kgo_ctx_with_deadline() - a child cancelled at @deadline: WithDeadline
 * @parent:   the parent context
 * @deadline: absolute CLOCK_MONOTONIC time
 * @gfp:      allocation flags
 *
 * At the deadline the child is cancelled with -ETIMEDOUT (Go's
 * DeadlineExceeded).  A parent with an earlier deadline makes the timer
 * unnecessary; a deadline already past cancels the child at once.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the new context, or an ERR_PTR().
 */
struct kgo_ctx *kgo_ctx_with_deadline(struct kgo_ctx *parent,
				      ktime_t deadline, gfp_t gfp)
{
	return kgo_ctx_new(parent, true, deadline, gfp);
}
EXPORT_SYMBOL_GPL(kgo_ctx_with_deadline);

/**
 * kgo_ctx_with_timeout() - WithDeadline(parent, now + @timeout)
 * @parent:  the parent context
 * @timeout: relative time
 * @gfp:     allocation flags
 *
 * Context: Process context if @gfp may sleep.
 * Return: the new context, or an ERR_PTR().
 */
struct kgo_ctx *kgo_ctx_with_timeout(struct kgo_ctx *parent, ktime_t timeout,
				     gfp_t gfp)
{
	return kgo_ctx_new(parent, true, ktime_add_safe(ktime_get(), timeout),
			   gfp);
}
EXPORT_SYMBOL_GPL(kgo_ctx_with_timeout);

/**
 * kgo_ctx_with_value() - a child carrying (@key, @value): Go's WithValue
 * @parent: the parent context
 * @key:    compared by address
 * @value:  returned by kgo_ctx_value(); not owned by the context
 * @gfp:    allocation flags
 *
 * The child shares its parent's cancellation.
 *
 * Context: Process context if @gfp may sleep.
 * Return: the new context, or an ERR_PTR().
 */
struct kgo_ctx *kgo_ctx_with_value(struct kgo_ctx *parent, const void *key,
				   void *value, gfp_t gfp)
{
	struct kgo_ctx *ctx = kgo_ctx_new(parent, false, KGO_FOREVER, gfp);

	if (!IS_ERR(ctx)) {
		ctx->key = key;
		ctx->value = value;
	}
	return ctx;
}
EXPORT_SYMBOL_GPL(kgo_ctx_with_value);

/**
 * kgo_ctx_cancel() - cancel a context and all its descendants
 * @ctx: the context
 *
 * Its done channel is closed and its err becomes -ECANCELED (Go's
 * Canceled).  Cancelling again, or cancelling the background context or
 * a value context, does nothing.
 *
 * Context: Any context.
 */
void kgo_ctx_cancel(struct kgo_ctx *ctx)
{
	if (ctx && ctx->cancel_anc == ctx)
		kgo_ctx_cancel_err(ctx, -ECANCELED);
}
EXPORT_SYMBOL_GPL(kgo_ctx_cancel);

/**
 * kgo_ctx_done() - the channel closed when the context is cancelled
 * @ctx: the context
 *
 * Receive from it (or use it in kgo_select()) to wait for cancellation.
 * It stays valid while the caller holds a reference on @ctx.
 *
 * Context: Any context.
 * Return: the done channel; NULL (never ready) for the background
 * context and its value-only descendants.
 */
struct kgo_chan *kgo_ctx_done(struct kgo_ctx *ctx)
{
	return ctx->cancel_anc ? ctx->cancel_anc->done : NULL;
}
EXPORT_SYMBOL_GPL(kgo_ctx_done);

/**
 * kgo_ctx_err() - why the context was cancelled: Go's Err
 * @ctx: the context
 *
 * Context: Any context.
 * Return: 0 while not cancelled, -ECANCELED, or -ETIMEDOUT.
 */
int kgo_ctx_err(struct kgo_ctx *ctx)
{
	return ctx->cancel_anc ? READ_ONCE(ctx->cancel_anc->err) : 0;
}
EXPORT_SYMBOL_GPL(kgo_ctx_err);

/**
 * kgo_ctx_value() - look @key up from @ctx towards the root: Go's Value
 * @ctx: the context
 * @key: the key, compared by address
 *
 * Context: Any context.
 * Return: the value of the nearest context carrying @key, or NULL.
 */
void *kgo_ctx_value(struct kgo_ctx *ctx, const void *key)
{
	for (; ctx; ctx = ctx->parent)
		if (ctx->key == key && key)
			return ctx->value;
	return NULL;
}
EXPORT_SYMBOL_GPL(kgo_ctx_value);

/**
 * kgo_ctx_get() - take a reference
 * @ctx: the context
 *
 * Context: Any context.
 * Return: @ctx.
 */
struct kgo_ctx *kgo_ctx_get(struct kgo_ctx *ctx)
{
	if (ctx != &kgo_background)
		refcount_inc(&ctx->ref);
	return ctx;
}
EXPORT_SYMBOL_GPL(kgo_ctx_get);

/**
 * kgo_ctx_put() - drop a reference; the last one frees the context
 * @ctx: the context, or NULL
 *
 * Freeing does not cancel descendants (they hold references on their
 * parents, so a context is freed only after all of them).
 *
 * Context: Process context (the deadline timer is cancelled
 * synchronously).
 */
void kgo_ctx_put(struct kgo_ctx *ctx)
{
	unsigned long flags;

	while (ctx && ctx != &kgo_background &&
	       refcount_dec_and_test(&ctx->ref)) {
		struct kgo_ctx *parent = ctx->parent;

		if (ctx->has_timer)
			hrtimer_cancel(&ctx->timer);
		spin_lock_irqsave(&kgo_ctx_lock, flags);
		list_del_init(&ctx->sibling);
		WARN_ON_ONCE(!list_empty(&ctx->children));
		spin_unlock_irqrestore(&kgo_ctx_lock, flags);
		kgo_chan_put(ctx->done);
		kfree(ctx);
		gochan_obj_add(GOCHAN_OBJ_CTXS, -1);
		ctx = parent;
	}
}
EXPORT_SYMBOL_GPL(kgo_ctx_put);

void kgo_ctx_exit(void)
{
	WARN_ON_ONCE(gochan_obj_count(GOCHAN_OBJ_CTXS));
}
