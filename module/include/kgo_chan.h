/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gochan's kernel API for channels, select, timer channels and contexts.
 * Included by kgo.h users; see Documentation/kernel-api.rst.
 */
#ifndef _KGO_CHAN_H
#define _KGO_CHAN_H

#include <linux/gochan.h>	/* uapi: GOCHAN_DIR_* */
#include <linux/ktime.h>
#include <linux/types.h>

struct kgo_chan;

/* Limits: an element is at most 64 KiB, a buffer at most 64 MiB. */
#define KGO_CHAN_MAX_ELEM	(64U << 10)
#define KGO_CHAN_MAX_BUF	(64U << 20)

/* Flags of the *_opts operations and of kgo_select(). */
#define KGO_NONBLOCK		BIT(0)	/* -EAGAIN instead of waiting (Go's default) */
#define KGO_INTERRUPTIBLE	BIT(1)	/* a signal ends the wait: -ERESTARTSYS */
#define KGO_KILLABLE		BIT(2)	/* a fatal signal ends the wait */
#define KGO_BIASED		BIT(3)	/* select: first ready case, in order */
#define KGO_FLAGS_ALL		(KGO_NONBLOCK | KGO_INTERRUPTIBLE | \
				 KGO_KILLABLE | KGO_BIASED)

/* No deadline. */
#define KGO_FOREVER		KTIME_MAX

struct kgo_chan *kgo_chan_make(size_t elem_size, unsigned int cap, gfp_t gfp);
struct kgo_chan *kgo_chan_get(struct kgo_chan *ch);
void kgo_chan_put(struct kgo_chan *ch);

int kgo_chan_send_opts(struct kgo_chan *ch, const void *val,
		       unsigned int flags, ktime_t deadline);
int kgo_chan_recv_opts(struct kgo_chan *ch, void *val, bool *ok,
		       unsigned int flags, ktime_t deadline);
int kgo_chan_close(struct kgo_chan *ch);
unsigned int kgo_chan_len(struct kgo_chan *ch);
unsigned int kgo_chan_cap(struct kgo_chan *ch);
u64 kgo_chan_id(struct kgo_chan *ch);
size_t kgo_chan_elem_size(struct kgo_chan *ch);
bool kgo_chan_closed(struct kgo_chan *ch);

/**
 * kgo_chan_send() - send: Go's ``ch <- *val``
 * @ch:  the channel; NULL blocks forever, as a nil channel does in Go
 * @val: elem_size bytes to send
 *
 * Context: Process context; sleeps (not interruptibly) until a receiver
 * or buffer space takes the value.
 * Return: 0, or -EPIPE if the channel is or gets closed: the value was
 * not sent.
 */
static inline int kgo_chan_send(struct kgo_chan *ch, const void *val)
{
	return kgo_chan_send_opts(ch, val, 0, KGO_FOREVER);
}

/**
 * kgo_chan_recv() - receive: Go's ``*val, *ok = <-ch``
 * @ch:  the channel; NULL blocks forever
 * @val: elem_size bytes to receive into (may be NULL to discard)
 * @ok:  set to true for a value sent, false (and @val zeroed) for a
 *       closed and drained channel; may be NULL
 *
 * Context: Process context; sleeps.
 * Return: 0.
 */
static inline int kgo_chan_recv(struct kgo_chan *ch, void *val, bool *ok)
{
	return kgo_chan_recv_opts(ch, val, ok, 0, KGO_FOREVER);
}

/**
 * kgo_chan_try_send() - send if it does not have to wait
 * @ch:  the channel
 * @val: the value
 *
 * Context: Any context.
 * Return: 0, -EAGAIN if it would block, -EPIPE if closed.
 */
static inline int kgo_chan_try_send(struct kgo_chan *ch, const void *val)
{
	return kgo_chan_send_opts(ch, val, KGO_NONBLOCK, KGO_FOREVER);
}

/**
 * kgo_chan_try_recv() - receive if it does not have to wait
 * @ch:  the channel
 * @val: where to receive
 * @ok:  as for kgo_chan_recv()
 *
 * Context: Any context.
 * Return: 0 or -EAGAIN.
 */
static inline int kgo_chan_try_recv(struct kgo_chan *ch, void *val, bool *ok)
{
	return kgo_chan_recv_opts(ch, val, ok, KGO_NONBLOCK, KGO_FOREVER);
}

/* select: a case's direction, the uapi's (GOCHAN_DIR_*) */
#define KGO_SELECT_SEND		GOCHAN_DIR_SEND
#define KGO_SELECT_RECV		GOCHAN_DIR_RECV
#define KGO_SELECT_MAX		1024

/**
 * struct kgo_select_case - one case of kgo_select()
 * @ch:  the channel; NULL makes the case never ready (a nil channel)
 * @dir: KGO_SELECT_RECV or KGO_SELECT_SEND
 * @val: the value to send, or where to receive (NULL: discard)
 * @ok:  out, receive: true for a value, false for closed and drained
 * @err: out: 0, or -EPIPE for a send case chosen on a closed channel
 */
struct kgo_select_case {
	struct kgo_chan *ch;
	u32 dir;
	void *val;
	bool ok;
	int err;
};

int kgo_select(struct kgo_select_case *cases, unsigned int n,
	       unsigned int flags, ktime_t deadline);

/* Timer channels: Go's time.After and time.Tick. */
struct kgo_chan *kgo_chan_after(ktime_t d, gfp_t gfp);
struct kgo_chan *kgo_chan_tick(ktime_t period, gfp_t gfp);
bool kgo_chan_timer_stop(struct kgo_chan *ch);
bool kgo_chan_timer_reset(struct kgo_chan *ch, ktime_t d);

/* Channels shared with userspace: GOCHAN_DIR_* directions. */
struct kgo_chan *kgo_chan_fdget(int fd, unsigned int dir);
int kgo_chan_fd_install(struct kgo_chan *ch, unsigned int dir,
			unsigned int flags);

/* Contexts: Go's context package. */
struct kgo_ctx;

struct kgo_ctx *kgo_ctx_background(void);
struct kgo_ctx *kgo_ctx_with_cancel(struct kgo_ctx *parent, gfp_t gfp);
struct kgo_ctx *kgo_ctx_with_deadline(struct kgo_ctx *parent,
				      ktime_t deadline, gfp_t gfp);
struct kgo_ctx *kgo_ctx_with_timeout(struct kgo_ctx *parent, ktime_t timeout,
				     gfp_t gfp);
struct kgo_ctx *kgo_ctx_with_value(struct kgo_ctx *parent, const void *key,
				   void *value, gfp_t gfp);
void kgo_ctx_cancel(struct kgo_ctx *ctx);
struct kgo_chan *kgo_ctx_done(struct kgo_ctx *ctx);
int kgo_ctx_err(struct kgo_ctx *ctx);
void *kgo_ctx_value(struct kgo_ctx *ctx, const void *key);
struct kgo_ctx *kgo_ctx_get(struct kgo_ctx *ctx);
void kgo_ctx_put(struct kgo_ctx *ctx);

#endif /* _KGO_CHAN_H */
