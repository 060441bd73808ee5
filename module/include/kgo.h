/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gochan's kernel API: goroutines (kgo_go), yielding, wait groups, and
 * the hooks that tell the scheduler a goroutine is about to block.
 * Channels, select, timer channels and contexts are in kgo_chan.h, which
 * this header includes.
 *
 * A module that uses it includes this header, builds with
 * KBUILD_EXTRA_SYMBOLS pointing at gochan's Module.symvers, and is loaded
 * after gochan.ko.  See Documentation/kernel-api.rst.
 */
#ifndef _KGO_H
#define _KGO_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <kgo_chan.h>	/* channels, select, timers, contexts */

/* A goroutine's body. */
typedef void (*kgo_fn_t)(void *arg);

/* kgo_go_opts.cpu: let the scheduler choose. */
#define KGO_CPU_ANY	(-1)

/**
 * struct kgo_go_opts - options for kgo_go_opts()
 * @cpu:  KGO_CPU_ANY, or a possible CPU: the goroutine is queued on the P
 *        of that CPU (P number cpu % maxprocs).  It may still be stolen by
 *        another P, as in Go.
 * @name: a string with static lifetime shown in the goroutine dump, or
 *        NULL.
 * @gfp:  the allocation flags for the goroutine record: 0 means
 *        GFP_NOWAIT (any context); GFP_KERNEL when the caller may sleep.
 */
struct kgo_go_opts {
	int cpu;
	const char *name;
	gfp_t gfp;
};

int __kgo_go(struct module *owner, kgo_fn_t fn, void *arg,
	     const struct kgo_go_opts *opts);

/**
 * kgo_go() - start a goroutine: Go's "go fn(arg)"
 * @fn:  the function to run
 * @arg: its argument
 *
 * Queues @fn to run on gochan's scheduler and returns at once.  The
 * calling module is pinned (a module reference) until @fn has returned,
 * so its text cannot be freed under a queued goroutine.
 *
 * Context: Any context, including hard interrupts; does not sleep.  The
 * goroutine record is allocated with GFP_NOWAIT.
 * Return: 0, -ENOMEM if the record cannot be allocated (nothing was
 * queued), -ENODEV if the calling module is being unloaded, or
 * -ESHUTDOWN while the scheduler is shutting down.
 */
#define kgo_go(fn, arg)		__kgo_go(THIS_MODULE, (fn), (arg), NULL)

/**
 * kgo_go_opts() - start a goroutine with options
 * @fn:   the function to run
 * @arg:  its argument
 * @opts: placement, name and allocation flags; see struct kgo_go_opts
 *
 * Context: Any context if @opts->gfp does not allow sleeping; process
 * context otherwise.
 * Return: as kgo_go(), and -EINVAL for a CPU that is not possible.
 */
#define kgo_go_opts(fn, arg, opts)	__kgo_go(THIS_MODULE, (fn), (arg), (opts))

/**
 * struct kgo_goroutine - a goroutine record its caller provides
 *
 * The embedded form of kgo_go(), for callers that own the memory, as
 * struct work_struct is for queue_work(): embed one in an object,
 * initialise it with kgo_goroutine_init() and start it with
 * kgo_go_record(), as often as needed, one run at a time.  Starting one
 * allocates nothing, so it cannot fail for want of memory.  Every field
 * is the scheduler's.
 */
struct kgo_goroutine {
	/* private: */
	kgo_fn_t fn;
	void *arg;
	struct module *owner;
	const char *name;
	union {
		struct kgo_goroutine *next;
		struct llist_node lnode;
	};
	u64 id;
	unsigned long pending;
	u8 kind;
};

/**
 * kgo_goroutine_init() - prepare a caller-provided goroutine record
 * @g:   the record
 * @fn:  the function it runs
 * @arg: the argument @fn is given
 *
 * As INIT_WORK(): call it once before the first kgo_go_record(), and
 * never while @g is pending (see kgo_goroutine_pending()).
 *
 * Context: Any context.
 */
void kgo_goroutine_init(struct kgo_goroutine *g, kgo_fn_t fn, void *arg);

/**
 * kgo_goroutine_pending() - is a caller-provided record queued?
 * @g: the record
 *
 * Context: Any context.
 * Return: true from kgo_go_record() until the scheduler has taken the
 * record to run its function; false before and after.
 */
static inline bool kgo_goroutine_pending(const struct kgo_goroutine *g)
{
	return test_bit(0, &g->pending);
}

int __kgo_go_record(struct module *owner, struct kgo_goroutine *g,
		    const struct kgo_go_opts *opts);

/**
 * kgo_go_record() - start a goroutine on a record the caller provides
 * @g:    a record prepared with kgo_goroutine_init()
 * @opts: placement and name as for kgo_go_opts() (@opts->gfp is not
 *        used: nothing is allocated), or NULL
 *
 * Queues @g's function as a goroutine, exactly as kgo_go() does, and
 * returns at once.  The record belongs to the scheduler until the
 * function starts: from the moment it is called the scheduler no longer
 * touches @g, so the function may start it again, or free the object
 * that holds it.  A record that is still queued cannot be taken back;
 * wait for its function to start before freeing it.  The calling module
 * is pinned until the function has returned, and the goroutine appears
 * in the goroutine dump, as with kgo_go().
 *
 * Use kgo_go() for fire-and-forget goroutines and anywhere a failed
 * allocation is acceptable; use a record for an object that runs one
 * goroutine at a time (a device's poll loop, a request's completion)
 * and must not fail to start it.
 *
 * Context: Any context, including hard interrupts; does not sleep.
 * Return: 0; -EBUSY if @g is still queued (nothing changed: its earlier
 * start still runs once); -EINVAL for a CPU that is not possible, or a
 * record without a function or not prepared with kgo_goroutine_init();
 * -ENODEV or -ESHUTDOWN as for kgo_go().
 */
#define kgo_go_record(g, opts)	__kgo_go_record(THIS_MODULE, (g), (opts))

void kgo_yield(void);
bool kgo_in_goroutine(void);
u64 kgo_goid(void);

/* Why a goroutine waits; shown in the goroutine dump. */
enum kgo_wait_reason {
	KGO_WAIT_NONE,
	KGO_WAIT_CHAN_SEND,
	KGO_WAIT_CHAN_RECV,
	KGO_WAIT_SELECT,
	KGO_WAIT_WAITGROUP,
	KGO_WAIT_SLEEP,
	KGO_WAIT_IO,
	KGO_WAIT_MUTEX,
	KGO_WAIT_YIELD,
	KGO_WAIT_NR
};

void kgo_block_begin(enum kgo_wait_reason reason);
void kgo_block_end(void);

/**
 * struct kgo_wg - a wait group: Go's sync.WaitGroup
 * @count: goroutines still to call kgo_wg_done()
 * @wq:    waiters of kgo_wg_wait()
 *
 * Initialise with kgo_wg_init().
 */
struct kgo_wg {
	atomic_t count;
	wait_queue_head_t wq;
};

void kgo_wg_init(struct kgo_wg *wg);
int kgo_wg_add(struct kgo_wg *wg, int delta);
void kgo_wg_done(struct kgo_wg *wg);
void kgo_wg_wait(struct kgo_wg *wg);
int kgo_wg_wait_killable(struct kgo_wg *wg);

/*
 * Continuations: wait without a thread.  A continuation parks a waiter
 * record on a channel (or wait group); when the operation completes, its
 * function runs as a new goroutine with the result.  See
 * Documentation/channels.rst.
 */
struct kgo_cont;

/**
 * struct kgo_cont_result - what a continuation's function is given
 * @val: receive: the value received (elem_size bytes, valid until the
 *       function returns; zero when @ok is false); NULL for a send or
 *       a wait group
 * @idx: the case that completed: its index in kgo_select_then(), 0 for
 *       the single-operation forms and wait groups
 * @err: 0; -EPIPE for a send on a closed channel (nothing was sent)
 * @ok:  receive: true for a value sent, false for closed and drained
 */
struct kgo_cont_result {
	void *val;
	int idx;
	int err;
	bool ok;
};

/* A continuation's body; runs as a goroutine. */
typedef void (*kgo_cont_fn_t)(const struct kgo_cont_result *res, void *arg);

int __kgo_select_then(struct module *owner,
		      const struct kgo_select_case *cases, unsigned int n,
		      unsigned int flags, kgo_cont_fn_t fn, void *arg,
		      gfp_t gfp, struct kgo_cont **handle);
int __kgo_chan_then(struct module *owner, struct kgo_chan *ch, u32 dir,
		    const void *val, kgo_cont_fn_t fn, void *arg, gfp_t gfp,
		    struct kgo_cont **handle);
int __kgo_wg_wait_then(struct module *owner, struct kgo_wg *wg,
		       kgo_cont_fn_t fn, void *arg, gfp_t gfp,
		       struct kgo_cont **handle);
bool kgo_cont_cancel(struct kgo_cont *c);
void kgo_cont_put(struct kgo_cont *c);

/**
 * kgo_chan_recv_then() - receive without a thread: "go fn(<-ch)"
 * @ch:  the channel; NULL (a nil channel) never completes, so it is
 *       refused (-EINVAL) unless a handle is asked for (the _opts form)
 * @fn:  run as a new goroutine with the value and the ok flag
 * @arg: its argument
 *
 * Parks a waiter record of about 200 bytes on @ch and returns.  When a
 * value arrives (or @ch is closed and drained), @fn runs as a goroutine
 * with @res->val and @res->ok, exactly once.  If a value is ready now,
 * @fn is started at once.  The record holds a reference on @ch and pins
 * the calling module until @fn has returned.
 *
 * Context: Any context; the record is allocated with GFP_NOWAIT.
 * Return: 0; -EINVAL for a NULL @fn or @ch; -ENOMEM; -ESHUTDOWN or
 * -ENODEV as for kgo_go().
 */
#define kgo_chan_recv_then(ch, fn, arg)					\
	__kgo_chan_then(THIS_MODULE, (ch), KGO_SELECT_RECV, NULL, (fn),	\
			(arg), GFP_NOWAIT, NULL)

/**
 * kgo_chan_send_then() - send without a thread
 * @ch:  the channel; NULL never completes
 * @val: elem_size bytes, copied into the waiter record
 * @fn:  run as a goroutine once the value was taken (@res->err 0) or the
 *       channel was closed (@res->err -EPIPE: not sent)
 * @arg: its argument
 *
 * Context: Any context; the record is allocated with GFP_NOWAIT.
 * Return: 0; -EINVAL for a NULL @val on a channel with non-empty
 * elements; -ENOMEM; -ESHUTDOWN; -ENODEV.
 */
#define kgo_chan_send_then(ch, val, fn, arg)				\
	__kgo_chan_then(THIS_MODULE, (ch), KGO_SELECT_SEND, (val), (fn),	\
			(arg), GFP_NOWAIT, NULL)

/**
 * kgo_select_then() - select without a thread
 * @cases: as for kgo_select(); a receive case's @val is ignored (the value
 *         is kept in the record and passed as @res->val); a send case's
 *         value is copied.  @cases may be freed on return.
 * @n:     the number of cases, at most KGO_SELECT_MAX
 * @flags: 0 or KGO_BIASED
 * @fn:    run as a goroutine with the chosen case in @res->idx
 * @arg:   its argument
 *
 * Exactly one case completes, chosen as kgo_select() chooses.  A
 * kgo_chan_after() or kgo_ctx_done() channel among the cases gives it a
 * deadline or a cancellation.  With no non-nil case it could never
 * complete: that is -EINVAL unless a handle is asked for.
 *
 * Context: Any context; the record is allocated with GFP_NOWAIT.
 * Return: 0; -EINVAL for bad @flags, @n or a case; -ENOMEM; -ESHUTDOWN;
 * -ENODEV.
 */
#define kgo_select_then(cases, n, flags, fn, arg)			\
	__kgo_select_then(THIS_MODULE, (cases), (n), (flags), (fn), (arg),	\
			  GFP_NOWAIT, NULL)

/**
 * kgo_wg_wait_then() - wait for a wait group without a thread
 * @wg:  the wait group; it must stay valid until @fn runs
 * @fn:  run as a goroutine once the counter is zero
 * @arg: its argument
 *
 * Context: Any context; the record is allocated with GFP_NOWAIT.
 * Return: 0, -ENOMEM, -ESHUTDOWN or -ENODEV.
 */
#define kgo_wg_wait_then(wg, fn, arg)					\
	__kgo_wg_wait_then(THIS_MODULE, (wg), (fn), (arg), GFP_NOWAIT, NULL)

/**
 * kgo_chan_recv_then_opts() - kgo_chan_recv_then() with options
 * @ch:     the channel
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the waiter record (GFP_KERNEL in process
 *          context)
 * @handle: NULL, or where to store a reference to the continuation for
 *          kgo_cont_cancel(); drop it with kgo_cont_put()
 *
 * Context: Process context if @gfp may sleep.
 * Return: as kgo_chan_recv_then().
 */
#define kgo_chan_recv_then_opts(ch, fn, arg, gfp, handle)		\
	__kgo_chan_then(THIS_MODULE, (ch), KGO_SELECT_RECV, NULL, (fn),	\
			(arg), (gfp), (handle))

/**
 * kgo_chan_send_then_opts() - kgo_chan_send_then() with options
 * @ch:     the channel
 * @val:    the value, copied
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the waiter record
 * @handle: NULL, or where to store a reference (see kgo_cont_cancel())
 *
 * Context: Process context if @gfp may sleep.
 * Return: as kgo_chan_send_then().
 */
#define kgo_chan_send_then_opts(ch, val, fn, arg, gfp, handle)		\
	__kgo_chan_then(THIS_MODULE, (ch), KGO_SELECT_SEND, (val), (fn),	\
			(arg), (gfp), (handle))

/**
 * kgo_select_then_opts() - kgo_select_then() with options
 * @cases:  the cases
 * @n:      their number
 * @flags:  0 or KGO_BIASED
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the waiter records
 * @handle: NULL, or where to store a reference (see kgo_cont_cancel())
 *
 * Context: Process context if @gfp may sleep.
 * Return: as kgo_select_then().
 */
#define kgo_select_then_opts(cases, n, flags, fn, arg, gfp, handle)	\
	__kgo_select_then(THIS_MODULE, (cases), (n), (flags), (fn), (arg),	\
			  (gfp), (handle))

/**
 * kgo_wg_wait_then_opts() - kgo_wg_wait_then() with options
 * @wg:     the wait group
 * @fn:     the function
 * @arg:    its argument
 * @gfp:    allocation flags for the waiter record
 * @handle: NULL, or where to store a reference (see kgo_cont_cancel())
 *
 * Context: Process context if @gfp may sleep.
 * Return: as kgo_wg_wait_then().
 */
#define kgo_wg_wait_then_opts(wg, fn, arg, gfp, handle)			\
	__kgo_wg_wait_then(THIS_MODULE, (wg), (fn), (arg), (gfp), (handle))

#endif /* _KGO_H */
