/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libgochan: Go channels between processes, over /dev/gochan.
 *
 * Conventions (as in liburing): the caller owns every structure; functions
 * return 0 or a non-negative value on success and a negative errno on
 * failure.  They never set errno as their only error report.
 *
 * Threads: every function may be called from any thread at any time,
 * on the same channel fd too, as Go's channel operations may; a
 * channel serializes its operations in the kernel.  The library's only
 * state is the process's /dev/gochan fd, opened on first use and
 * reopened if the program closed it (closefrom(), say), and the
 * module's feature bits, asked once.  What a call reads or writes
 * through a pointer (values, cases, struct gochan_info) belongs to the
 * call until it returns.  A function's comment says "Threads:" where
 * there is more to say.
 *
 * Signals, as read(2): a blocking call that a signal interrupts moves
 * nothing and returns -EINTR if the handler was installed without
 * SA_RESTART; with SA_RESTART the kernel restarts it, and a timeout
 * keeps its original deadline.  An ignored or blocked signal does not
 * interrupt it; a fatal one kills the process with nothing moved.  A
 * batch that moved some values before the signal returns their count.
 *
 * Timeouts: a relative timeout in ns; below zero waits for ever, in
 * every call that takes one.
 *
 * Errors common to the calls on a channel fd: -EBADF (not an open fd,
 * or its direction does not allow the call), -ENOTTY (an open fd that is
 * not a channel: its file does not know the command; in a select, a
 * case's fd), -EFAULT, -EINVAL, -EINTR.
 */
#ifndef _LIBGOCHAN_H
#define _LIBGOCHAN_H

#include <linux/gochan.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Path of the gochan character device. */
#define GOCHAN_DEV_PATH "/dev/gochan"

/**
 * gochan_dev_open() - open /dev/gochan
 *
 * The descriptor is opened read-write and close-on-exec.  It is the
 * caller's, apart from the one the channel calls keep for themselves.
 *
 * Return: a file descriptor, or -errno (-ENOENT when the module is not
 * loaded).
 */
int gochan_dev_open(void);

/**
 * gochan_api_query() - do the API/features handshake
 * @devfd: a descriptor from gochan_dev_open()
 * @api:   filled with the module's API version and feature bits
 *
 * Return: 0, or -errno.  -EPROTO if the module speaks an older API
 * version than this library was built for.
 */
int gochan_api_query(int devfd, struct gochan_api *api);

/**
 * gochan_has_feature() - test a feature bit from gochan_api_query()
 * @api:     the answer of gochan_api_query()
 * @feature: one feature bit (uapi/linux/gochan.h: none defined yet)
 *
 * Return: non-zero when the module supports @feature.
 */
static inline int gochan_has_feature(const struct gochan_api *api,
				     __u64 feature)
{
	return (api->features & feature) == feature;
}

/*
 * Channels.  A channel is a file descriptor: poll/epoll it, pass it to a
 * child with fork() or to another process over a unix socket (SCM_RIGHTS),
 * release it with close(2).  gochan_close() is Go's close(ch).
 *
 * Errors, beside the common ones above: -EPIPE (send on a closed
 * channel), -EAGAIN (try-variants), -ETIMEDOUT, -EMSGSIZE (the _sz
 * calls: the channel's element size is not the caller's).
 *
 * A value is elem_size bytes of the channel, whatever the caller meant:
 * gochan_recv() writes elem_size bytes to @elem.  For an fd whose
 * element size the program did not choose (one received over a unix
 * socket, say), use the _sz calls, or the GOCHAN_SEND() and
 * GOCHAN_RECV() macros that pass sizeof(*ptr): they move nothing and
 * return -EMSGSIZE unless the sizes agree.
 */

/**
 * gochan_make() - make a channel: Go's make(chan T, cap)
 * @elem_size: bytes per value (0 for Go's chan struct{})
 * @cap:       buffer capacity; 0 for an unbuffered channel
 * @flags:     GOCHAN_MAKE_CLOEXEC, GOCHAN_MAKE_AUTOCLOSE (close the
 *             channel when the last fd that may send is released)
 *
 * Return: a channel fd that may send and receive, or -errno (-EMSGSIZE:
 * elem_size over the module's limit; -EFBIG: buffer over the limit;
 * -EMFILE: too many channels for this user).
 */
int gochan_make(size_t elem_size, unsigned int cap, unsigned int flags);

/**
 * gochan_send() - send: Go's "ch <- *elem"
 * @fd:   a channel fd that may send
 * @elem: the value, elem_size bytes
 *
 * Waits until a receiver takes the value (unbuffered) or the buffer has
 * room.  The value is delivered exactly once, or not at all when an
 * error is returned.
 *
 * Return: 0, or -EPIPE when the channel is closed (before or during the
 * wait; Go panics), or -errno.
 */
int gochan_send(int fd, const void *elem);
/**
 * gochan_recv() - receive: Go's "*elem, *ok = <-ch"
 * @fd:   a channel fd that may receive
 * @elem: room for elem_size bytes
 * @ok:   out: true for a value, false when the channel is closed and
 *        drained; may be NULL
 *
 * Waits until a value is there or the channel is closed.  Values
 * buffered before the close are received first.
 *
 * Return: 0 (with *@ok false and *@elem zeroed when the channel is
 * closed and drained), or -errno.
 */
int gochan_recv(int fd, void *elem, bool *ok);
/**
 * gochan_close() - close the channel: Go's close(ch)
 * @fd: a channel fd that may send
 *
 * Receivers drain the buffered values, then get ok = false; blocked
 * and later senders get -EPIPE.  Closing the fd (close(2)) is not
 * closing the channel, unless it was made with GOCHAN_MAKE_AUTOCLOSE
 * and this was its last fd that may send.
 *
 * Return: 0, or -EPIPE when it was already closed (Go panics), or
 * -errno.
 */
int gochan_close(int fd);
/**
 * gochan_trysend() - send if it needs no waiting: Go's select with a
 * default case
 * @fd:   a channel fd that may send
 * @elem: the value
 *
 * Return: 0 when the value went, -EAGAIN when it would have waited
 * (nothing sent), -EPIPE when closed, or -errno.
 */
int gochan_trysend(int fd, const void *elem);
/**
 * gochan_tryrecv() - receive if it needs no waiting
 * @fd:   a channel fd that may receive
 * @elem: room for elem_size bytes
 * @ok:   as in gochan_recv(); may be NULL
 *
 * Return: 0 (a value, or ok = false when closed and drained), -EAGAIN
 * when it would have waited (nothing taken), or -errno.
 */
int gochan_tryrecv(int fd, void *elem, bool *ok);
/**
 * gochan_send_timeout() - send, waiting at most @timeout_ns
 * @fd:         a channel fd that may send
 * @elem:       the value
 * @timeout_ns: how long to wait; below zero, for ever
 *
 * Return: 0, -ETIMEDOUT (nothing sent), -EPIPE, or -errno.
 */
int gochan_send_timeout(int fd, const void *elem, int64_t timeout_ns);
/**
 * gochan_recv_timeout() - receive, waiting at most @timeout_ns
 * @fd:         a channel fd that may receive
 * @elem:       room for elem_size bytes
 * @ok:         as in gochan_recv(); may be NULL
 * @timeout_ns: how long to wait; below zero, for ever
 *
 * Return: 0 (as gochan_recv()), -ETIMEDOUT (nothing taken), or -errno.
 */
int gochan_recv_timeout(int fd, void *elem, bool *ok, int64_t timeout_ns);

/**
 * gochan_send_sz() - gochan_send() of a value of @size bytes
 * @fd:   the channel
 * @elem: the value
 * @size: its size as the caller sees it
 *
 * Return: 0, or -EMSGSIZE (nothing sent) when @size is not the
 * channel's element size, or what gochan_send() returns.
 */
int gochan_send_sz(int fd, const void *elem, size_t size);
/**
 * gochan_recv_sz() - gochan_recv() into a buffer of @size bytes
 * @fd:   the channel
 * @elem: room for @size bytes
 * @size: its size
 * @ok:   as in gochan_recv()
 *
 * Return: 0, or -EMSGSIZE (nothing received, @elem untouched) when
 * @size is not the channel's element size, or what gochan_recv()
 * returns.
 */
int gochan_recv_sz(int fd, void *elem, size_t size, bool *ok);

/*
 * Typed forms: the size is that of what @ptr points to (sizeof does not
 * evaluate @ptr, so it is evaluated once).
 */
#define GOCHAN_SEND(fd, ptr)	 gochan_send_sz((fd), (ptr), sizeof((ptr)[0]))
#define GOCHAN_RECV(fd, ptr, ok) gochan_recv_sz((fd), (ptr), sizeof((ptr)[0]), (ok))

/**
 * gochan_send_batch() - send up to @n values in one call
 * @fd:    the channel
 * @elems: @n values, elem_size bytes each
 * @n:     1 to GOCHAN_BATCH_MAX
 * @flags: GOCHAN_XFER_NONBLOCK (never wait), GOCHAN_XFER_WAITALL (wait
 *         for all)
 *
 * Waits for the first value (unless GOCHAN_XFER_NONBLOCK), then sends as
 * many more as go without waiting (all of them with GOCHAN_XFER_WAITALL).
 *
 * Return: the number sent (at least 1), or -errno when none was.
 */
int gochan_send_batch(int fd, const void *elems, unsigned int n,
		      unsigned int flags);
/**
 * gochan_recv_batch() - receive up to @n values in one call
 * @fd:    the channel
 * @elems: room for @n values
 * @n:     1 to GOCHAN_BATCH_MAX
 * @flags: GOCHAN_XFER_NONBLOCK, GOCHAN_XFER_WAITALL
 * @ok:    out: false when the call stopped at a closed, drained channel;
 *         may be NULL
 *
 * Return: the number received (0 only when closed and drained), or
 * -errno.
 */
int gochan_recv_batch(int fd, void *elems, unsigned int n,
		      unsigned int flags, bool *ok);
/**
 * gochan_send_batch_sz() - gochan_send_batch() of values of @size bytes
 * @fd:    as in gochan_send_batch()
 * @elems: @n values of @size bytes
 * @size:  the size of a value as the caller sees it
 * @n:     as in gochan_send_batch()
 * @flags: as in gochan_send_batch()
 *
 * Return: as gochan_send_batch(), or -EMSGSIZE (nothing sent) when @size
 * is not the channel's element size.
 */
int gochan_send_batch_sz(int fd, const void *elems, size_t size,
			 unsigned int n, unsigned int flags);
/**
 * gochan_recv_batch_sz() - gochan_recv_batch() into @n slots of @size
 * bytes
 * @fd:    as in gochan_recv_batch()
 * @elems: room for @n values of @size bytes
 * @size:  the size of a slot
 * @n:     as in gochan_recv_batch()
 * @flags: as in gochan_recv_batch()
 * @ok:    as in gochan_recv_batch()
 *
 * Return: as gochan_recv_batch(), or -EMSGSIZE (nothing received) when
 * @size is not the channel's element size.
 */
int gochan_recv_batch_sz(int fd, void *elems, size_t size, unsigned int n,
			 unsigned int flags, bool *ok);

/*
 * Cases for gochan_select(): the uapi struct gochan_case.  Functions, so
 * that they are C and C++ alike; the macros are their old names.
 */

/**
 * gochan_recv_case() - a receive case for gochan_select()
 * @chfd: the channel fd, or -1 for a nil channel (never ready)
 * @buf:  room for the channel's elem_size bytes
 *
 * Return: the case, with ok and err cleared.
 */
static inline struct gochan_case gochan_recv_case(int chfd, void *buf)
{
	struct gochan_case c;

	c.fd = chfd;
	c.dir = GOCHAN_DIR_RECV;
	c.buf = (uintptr_t)buf;
	c.ok = 0;
	c.err = 0;
	return c;
}

/**
 * gochan_send_case() - a send case for gochan_select()
 * @chfd: the channel fd, or -1 for a nil channel (never ready)
 * @val:  the value to send, the channel's elem_size bytes
 *
 * Return: the case, with ok and err cleared.
 */
static inline struct gochan_case gochan_send_case(int chfd, const void *val)
{
	struct gochan_case c;

	c.fd = chfd;
	c.dir = GOCHAN_DIR_SEND;
	c.buf = (uintptr_t)val;
	c.ok = 0;
	c.err = 0;
	return c;
}

#define GOCHAN_RECV_CASE(chfd, ptr)	gochan_recv_case((chfd), (ptr))
#define GOCHAN_SEND_CASE(chfd, ptr)	gochan_send_case((chfd), (ptr))

/**
 * gochan_select() - Go's select statement
 * @cases:      the cases; fd -1 is a nil channel (never ready)
 * @n:          their number, at most GOCHAN_SELECT_MAX
 * @flags:      GOCHAN_SELECT_NONBLOCK (Go's default case),
 *              GOCHAN_SELECT_BIASED (the first ready case rather than a
 *              uniformly random one)
 * @timeout_ns: < 0 to wait for ever
 *
 * The chosen case's ok and err are set (err -EPIPE: a send case on a
 * closed channel).
 *
 * Threads: @cases is read and written during the call (ok, err): do not
 * share one array between threads selecting at once.  Other threads may
 * use the same channels meanwhile; exactly one case completes.
 *
 * Return: the chosen case's index, -EAGAIN (GOCHAN_SELECT_NONBLOCK, none
 * ready), -ETIMEDOUT, or -errno.
 */
int gochan_select(struct gochan_case *cases, unsigned int n,
		  unsigned int flags, int64_t timeout_ns);
/**
 * gochan_select_sz() - gochan_select() with the size of each case's value
 * @cases:      as in gochan_select()
 * @sizes:      @n sizes: what each case's buffer holds (ignored for nil
 *              cases)
 * @n:          as in gochan_select()
 * @flags:      as in gochan_select()
 * @timeout_ns: as in gochan_select()
 *
 * Return: as gochan_select(), or -EMSGSIZE (nothing moved) when a case's
 * size is not its channel's element size.
 */
int gochan_select_sz(struct gochan_case *cases, const uint32_t *sizes,
		     unsigned int n, unsigned int flags, int64_t timeout_ns);

/**
 * gochan_after() - a timer channel: Go's time.After
 * @ns: the delay in ns, from now
 *
 * The channel has a buffer of one and receives one int64_t value, the
 * CLOCK_MONOTONIC time in ns at which the timer fired.  Stop or Reset it
 * with gochan_timer_stop() and gochan_timer_reset().
 *
 * Return: a receive-only, close-on-exec fd, or -errno (-EINVAL for a
 * negative @ns).
 */
int gochan_after(int64_t ns);
/**
 * gochan_ticker() - a ticker channel: Go's time.Tick
 * @ns: the period in ns, at least 1000 and at least the module's
 *      min_tick_ns
 *
 * A value (the fire time, as for gochan_after()) every @ns; as in Go, a
 * tick that finds the previous one unread is dropped, not queued.
 *
 * Return: a receive-only, close-on-exec fd, or -errno (-EINVAL for a
 * period below 1000 ns, -EPERM below min_tick_ns without
 * CAP_SYS_RESOURCE).
 */
int gochan_ticker(int64_t ns);
/**
 * gochan_timer_stop() - Go's Timer.Stop on an fd of gochan_after() or
 * gochan_ticker()
 * @fd: the timer's fd
 *
 * As in Go 1.23: once it returns, no value the timer sent before is
 * received (an unread one is dropped).
 *
 * Threads: Stop and Reset of one timer from several threads are
 * serialized by the kernel; the last one's setting holds.
 *
 * Return: Go 1.23's result: 1 if the timer was running or had sent a
 * value nobody received (dropped now), 0 if that value was received or
 * the timer was stopped, or -errno (-ENOTTY: not a timer's fd, or a
 * module without GOCHAN_FEATURE_TIMER_SET).
 */
int gochan_timer_stop(int fd);
/**
 * gochan_timer_reset() - Go's Timer.Reset and Ticker.Reset
 * @fd: the timer's fd
 * @ns: the new delay from now (a ticker: the new period, >= 1000)
 *
 * As in Go 1.23, an unread value of the old timer is dropped.
 *
 * Return: as gochan_timer_stop(), or -EPERM (a ticker period below the
 * module's min_tick_ns).
 */
int gochan_timer_reset(int fd, int64_t ns);

/**
 * gochan_dup() - a direction-restricted fd: Go's chan<- and <-chan
 * @fd:    a channel fd
 * @dir:   GOCHAN_DIR_SEND or GOCHAN_DIR_RECV (or both, if @fd has both)
 * @flags: GOCHAN_DUP_CLOEXEC
 *
 * Return: the new fd, or -EBADF when @fd does not allow @dir.
 */
int gochan_dup(int fd, unsigned int dir, unsigned int flags);

/**
 * gochan_info() - a snapshot of the channel's state
 * @fd:   a channel fd
 * @info: out: elem_size, cap, len, flags (GOCHAN_INFO_CLOSED,
 *        _AUTOCLOSE, _TIMER), dir (what @fd may do), the blocked
 *        senders and receivers, and the channel's id (fdinfo's
 *        gochan-id, the tracepoints' chan)
 *
 * Return: 0, or -errno.
 */
int gochan_info(int fd, struct gochan_info *info);
/**
 * gochan_len() - the number of buffered values: Go's len(ch)
 * @fd: a channel fd
 *
 * Return: the length, a snapshot, or -errno.
 */
int gochan_len(int fd);
/**
 * gochan_cap() - the buffer's capacity: Go's cap(ch)
 * @fd: a channel fd
 *
 * Return: the capacity (0 for an unbuffered channel), or -errno.
 */
int gochan_cap(int fd);

/**
 * gochan_range() - Go's "for v := range ch"
 * @fd:   the channel
 * @elem: room for one value, passed to @fn
 * @fn:   called for each value; a non-zero return stops the loop
 * @arg:  passed to @fn
 *
 * Threads: @fn runs in the calling thread, with @elem; other threads
 * may receive from @fd meanwhile, and each value goes to one of them.
 *
 * Return: 0 once the channel is closed and drained, @fn's non-zero
 * return, or -errno.
 */
int gochan_range(int fd, void *elem, int (*fn)(void *elem, void *arg),
		 void *arg);

/**
 * gochan_selector() - a selector: a select registered once, waited on often
 *
 * A selector holds cases (a channel fd, a direction, a send case's value
 * and a key of the caller's), added once with gochan_selector_add().  A
 * wait (gochan_selector_wait()) then completes one ready case, chosen
 * uniformly among the ready ones, at a cost that grows with the number
 * of ready cases, not of registered ones.  The selector fd polls
 * readable while a case may be ready, so it nests in epoll.  A case
 * completes against any partner committed to its channel: a buffered
 * value or room, or a blocked send, receive, select or goroutine.  Two
 * selectors waiting on one unbuffered channel in opposite directions do
 * not meet: one side must block in an operation.
 *
 * Threads: any number of threads may wait on one selector; each ready
 * case completes for one of them.
 *
 * Return: a close-on-exec selector fd, or -errno (-ENOTTY: a module
 * without GOCHAN_FEATURE_SELECTOR).
 */
int gochan_selector(void);
/**
 * gochan_selector_add() - register a case
 * @sfd:  the selector fd
 * @fd:   a channel fd that allows @dir
 * @dir:  GOCHAN_DIR_SEND or GOCHAN_DIR_RECV
 * @val:  a send case's value, copied now (NULL for a receive case, or
 *        for a channel of elem_size 0)
 * @size: the channel's element size as the caller sees it
 * @key:  the caller's name for the case, which a wait returns
 *
 * A case is named by its channel file and direction.  It stays until
 * gochan_selector_del(), or until the selector or the channel file is
 * closed for good (its last fd, in every process, as with epoll).
 *
 * Return: 0, or -EEXIST (already registered), -EMSGSIZE (@size is not
 * the channel's), -ENOSPC (the selector's max_selector_cases, or the
 * channel's 16 selector cases), -ENOBUFS (the user's byte budget),
 * -EBADF, -ENOTTY, -EINVAL, -EFAULT.
 */
int gochan_selector_add(int sfd, int fd, unsigned int dir, const void *val,
			size_t size, uint64_t key);
/**
 * gochan_selector_mod() - change a case's key and send value
 * @sfd:  the selector fd
 * @fd:   the case's channel fd
 * @dir:  its direction
 * @val:  as in gochan_selector_add()
 * @size: as in gochan_selector_add()
 * @key:  the new key
 *
 * Return: 0, or -ENOENT (no such case), or as gochan_selector_add().
 */
int gochan_selector_mod(int sfd, int fd, unsigned int dir, const void *val,
			size_t size, uint64_t key);
/**
 * gochan_selector_del() - unregister a case
 * @sfd: the selector fd
 * @fd:  the case's channel fd
 * @dir: its direction
 *
 * Return: 0, or -ENOENT (no such case), -EBADF, -ENOTTY, -EINVAL.
 */
int gochan_selector_del(int sfd, int fd, unsigned int dir);
/**
 * gochan_selector_wait() - complete one ready case
 * @sfd:        the selector fd
 * @buf:        room for a received value (NULL to discard it); zeroed
 *              when the case is chosen because its channel is closed
 * @size:       bytes at @buf
 * @flags:      GOCHAN_WAIT_NONBLOCK (Go's default case),
 *              GOCHAN_WAIT_BIASED (the ready case added first; with more
 *              than 256 ready, a window of 256 that moves each wait is
 *              looked at, for this and for the random choice)
 * @timeout_ns: < 0 to wait for ever
 * @key:        out: the completed case's key
 * @dir:        out (may be NULL): its direction
 * @ok:         out (may be NULL): for a receive, true for a value, false
 *              when the channel is closed and drained
 *
 * Return: 0; -EPIPE when the completed case was a send on a closed
 * channel (*@key names it); -EAGAIN (GOCHAN_WAIT_NONBLOCK, none ready at
 * one instant); -ETIMEDOUT; -EMSGSIZE (nothing moved) when the case it
 * would complete receives values larger than @size; or -errno.
 */
int gochan_selector_wait(int sfd, void *buf, size_t size, unsigned int flags,
			 int64_t timeout_ns, __u64 *key, unsigned int *dir,
			 bool *ok);
/**
 * gochan_selector_ready() - which cases are ready, as epoll_wait(2) says
 * @sfd:        the selector fd
 * @ev:         out: up to @max events (key, dir, GOCHAN_EVENT_CLOSED)
 * @max:        1 to GOCHAN_SELECTOR_EVENTS_MAX
 * @flags:      GOCHAN_WAIT_NONBLOCK
 * @timeout_ns: < 0 to wait for ever
 *
 * Moves nothing: the cases stay ready until someone completes them.
 *
 * Return: the number of events, -EAGAIN (GOCHAN_WAIT_NONBLOCK, none
 * ready), -ETIMEDOUT, or -errno.
 */
int gochan_selector_ready(int sfd, struct gochan_selector_event *ev,
			  unsigned int max, unsigned int flags,
			  int64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* _LIBGOCHAN_H */
