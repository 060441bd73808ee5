/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libgochan: Go channels between processes, over /dev/gochan.
 *
 * Conventions (as in liburing): the caller owns every structure; functions
 * return 0 or a non-negative value on success and a negative errno on
 * failure.  They never set errno as their only error report.
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
 * The descriptor is opened read-write and close-on-exec.
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
 * Blocking calls behave as Go's: a signal does not interrupt them (they
 * resume, with the same deadline); the kernel guarantees that an
 * interrupted operation moved nothing.  Errors: -EPIPE (send on a closed
 * channel), -EAGAIN (try-variants), -ETIMEDOUT, -EBADF (not a channel fd,
 * or the fd's direction does not allow it), -EINVAL, -EFAULT.
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

/** gochan_send() - Go's "ch <- *elem"; 0 or -EPIPE if closed. */
int gochan_send(int fd, const void *elem);
/**
 * gochan_recv() - Go's "*elem, *ok = <-ch"
 *
 * Return: 0; *ok is false (and *elem zeroed) when the channel is closed
 * and drained.  @ok may be NULL.
 */
int gochan_recv(int fd, void *elem, bool *ok);
/** gochan_close() - Go's close(ch); -EPIPE if already closed. */
int gochan_close(int fd);
/** gochan_trysend() - send if it would not block, else -EAGAIN. */
int gochan_trysend(int fd, const void *elem);
/** gochan_tryrecv() - receive if it would not block, else -EAGAIN. */
int gochan_tryrecv(int fd, void *elem, bool *ok);
/** gochan_send_timeout() - send, or -ETIMEDOUT after @timeout_ns. */
int gochan_send_timeout(int fd, const void *elem, int64_t timeout_ns);
/** gochan_recv_timeout() - receive, or -ETIMEDOUT after @timeout_ns. */
int gochan_recv_timeout(int fd, void *elem, bool *ok, int64_t timeout_ns);

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

/* Cases for gochan_select(): the uapi struct gochan_case. */
#define GOCHAN_RECV_CASE(chfd, ptr) \
	((struct gochan_case){ .fd = (chfd), .dir = GOCHAN_DIR_RECV, \
			       .buf = (uintptr_t)(ptr) })
#define GOCHAN_SEND_CASE(chfd, ptr) \
	((struct gochan_case){ .fd = (chfd), .dir = GOCHAN_DIR_SEND, \
			       .buf = (uintptr_t)(ptr) })

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
 * Return: the chosen case's index, -EAGAIN (GOCHAN_SELECT_NONBLOCK, none
 * ready), -ETIMEDOUT, or -errno.
 */
int gochan_select(struct gochan_case *cases, unsigned int n,
		  unsigned int flags, int64_t timeout_ns);

/** gochan_after() - Go's time.After: a receive-only fd, one s64 value. */
int gochan_after(int64_t ns);
/** gochan_ticker() - Go's time.Tick: a value every @ns (>= 1000). */
int gochan_ticker(int64_t ns);

/**
 * gochan_dup() - a direction-restricted fd: Go's chan<- and <-chan
 * @fd:    a channel fd
 * @dir:   GOCHAN_DIR_SEND or GOCHAN_DIR_RECV (or both, if @fd has both)
 * @flags: GOCHAN_DUP_CLOEXEC
 *
 * Return: the new fd, or -EBADF when @fd does not allow @dir.
 */
int gochan_dup(int fd, unsigned int dir, unsigned int flags);

/** gochan_info() - the channel's state (struct gochan_info). */
int gochan_info(int fd, struct gochan_info *info);
/** gochan_len() - Go's len(ch), or -errno. */
int gochan_len(int fd);
/** gochan_cap() - Go's cap(ch), or -errno. */
int gochan_cap(int fd);

/**
 * gochan_range() - Go's "for v := range ch"
 * @fd:   the channel
 * @elem: room for one value, passed to @fn
 * @fn:   called for each value; a non-zero return stops the loop
 * @arg:  passed to @fn
 *
 * Return: 0 once the channel is closed and drained, @fn's non-zero
 * return, or -errno.
 */
int gochan_range(int fd, void *elem, int (*fn)(void *elem, void *arg),
		 void *arg);

#ifdef __cplusplus
}
#endif

#endif /* _LIBGOCHAN_H */
