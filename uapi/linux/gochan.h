/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gochan: Go channels for the Linux kernel and between processes.
 *
 * Userspace reaches gochan through the character device /dev/gochan.
 * Every structure below uses only fixed-size types, carries pointers as
 * __u64, and has explicit padding that must be zero.  Unknown flags and
 * non-zero reserved fields are rejected with EINVAL, so that they can be
 * given a meaning later without breaking old binaries.
 *
 * See Documentation/userspace-api.rst for the full description.
 */
#ifndef _UAPI_LINUX_GOCHAN_H
#define _UAPI_LINUX_GOCHAN_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* The version of the interface described by this header. */
#define GOCHAN_API_VERSION	1

/* Feature bits reported by GOCHAN_IOC_API in gochan_api.features. */
#define GOCHAN_FEATURE_API	_BITULL(0)	/* the handshake itself */
#define GOCHAN_FEATURE_CHAN	_BITULL(1)	/* channel fds, select, timers */

/**
 * struct gochan_api - API version and features handshake
 * @api:	in: the GOCHAN_API_VERSION the caller was built against (must
 *		not be zero); out: the version the module implements
 * @flags:	in: must be zero
 * @features:	out: GOCHAN_FEATURE_* bits the module supports
 * @reserved:	must be zero on input; zeroed on output
 */
struct gochan_api {
	__u32 api;
	__u32 flags;
	__u64 features;
	__u64 reserved[2];
};

/*
 * struct gochan_make.flags, struct gochan_dup.flags, gochan_timer.flags.
 * GOCHAN_AUTOCLOSE (make): Go-close the channel when the last fd that may
 * send is released, as a pipe reports EOF.
 */
#define GOCHAN_CLOEXEC		_BITUL(0)	/* the new fd is close-on-exec */
#define GOCHAN_AUTOCLOSE	_BITUL(1)
#define GOCHAN_TICKER		_BITUL(2)	/* timer: every ns, not once */

/**
 * struct gochan_make - GOCHAN_IOC_MAKE: Go's make(chan T, cap)
 * @elem_size:	bytes per value, 0 (Go's chan struct{}) up to the module
 *		parameter max_elem_size
 * @cap:	buffer capacity; 0 for an unbuffered (rendezvous) channel
 * @flags:	GOCHAN_CLOEXEC, GOCHAN_AUTOCLOSE
 * @pad:	must be zero
 * @reserved:	must be zero
 *
 * Returns a new fd that may send and receive.
 */
struct gochan_make {
	__u32 elem_size;
	__u32 cap;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/* struct gochan_xfer.flags and struct gochan_select.flags */
#define GOCHAN_NONBLOCK		_BITUL(0)	/* EAGAIN instead of waiting */
#define GOCHAN_TIMEOUT		_BITUL(1)	/* timeout is relative, ns */
#define GOCHAN_DEADLINE		_BITUL(2)	/* absolute CLOCK_MONOTONIC ns */
#define GOCHAN_WAITALL		_BITUL(3)	/* xfer: wait for all count */
#define GOCHAN_BIASED		_BITUL(4)	/* select: first ready case */

/* Most values one GOCHAN_IOC_SEND or GOCHAN_IOC_RECV moves. */
#define GOCHAN_BATCH_MAX	4096

/**
 * struct gochan_xfer - GOCHAN_IOC_SEND and GOCHAN_IOC_RECV on a channel fd
 * @buf:	count * elem_size bytes: the values to send, or room for the
 *		values received
 * @count:	values, 1 to GOCHAN_BATCH_MAX
 * @flags:	GOCHAN_NONBLOCK, GOCHAN_TIMEOUT or GOCHAN_DEADLINE,
 *		GOCHAN_WAITALL
 * @timeout:	ns, with GOCHAN_TIMEOUT or GOCHAN_DEADLINE; must be zero
 *		otherwise
 * @done:	out: values sent or received
 * @ok:		out, receive: 1 when values came and the call did not end
 *		at a closed channel; 0 when it ended because the channel
 *		is closed and drained (Go's ok; the value after the @done
 *		received ones is then zeroed), or nothing was received
 * @reserved:	must be zero
 *
 * The call waits (as @flags say) for the first value; after it, it moves
 * as many more as it can without waiting, or with GOCHAN_WAITALL all of
 * them.  When it ends early after moving some values (a signal, the
 * timeout, a close) it succeeds and @done says how many.
 */
struct gochan_xfer {
	__u64 buf;
	__u32 count;
	__u32 flags;
	__s64 timeout;
	__u32 done;
	__u32 ok;
	__u64 reserved;
};

/* struct gochan_case.op */
#define GOCHAN_OP_RECV		0
#define GOCHAN_OP_SEND		1

/* Most cases in one select. */
#define GOCHAN_SELECT_MAX	1024

/**
 * struct gochan_case - one case of GOCHAN_IOC_SELECT
 * @fd:		a channel fd, or -1 for a nil channel (never ready)
 * @op:		GOCHAN_OP_RECV or GOCHAN_OP_SEND
 * @buf:	the value to send, or room for the value received (0 to
 *		discard it); zeroed (Go's zero value) when a receive case
 *		is chosen because its channel is closed (ok = 0)
 * @ok:		out, for the chosen receive case: 1 for a value, 0 when
 *		closed and drained
 * @err:	out, for the chosen case: 0, or -EPIPE for a send on a
 *		closed channel
 */
struct gochan_case {
	__s32 fd;
	__u32 op;
	__u64 buf;
	__u32 ok;
	__s32 err;
};

/**
 * struct gochan_select - GOCHAN_IOC_SELECT: Go's select statement
 * @cases:	user pointer to @n struct gochan_case
 * @n:		cases, at most GOCHAN_SELECT_MAX
 * @flags:	GOCHAN_NONBLOCK (Go's default case), GOCHAN_BIASED,
 *		GOCHAN_TIMEOUT or GOCHAN_DEADLINE
 * @timeout:	as in struct gochan_xfer
 * @index:	out: the chosen case
 * @pad:	must be zero
 * @reserved:	must be zero
 */
struct gochan_select {
	__u64 cases;
	__u32 n;
	__u32 flags;
	__s64 timeout;
	__u32 index;
	__u32 pad;
	__u64 reserved;
};

/**
 * struct gochan_timer - GOCHAN_IOC_TIMER: Go's time.After and time.Tick
 * @ns:		delay (or period with GOCHAN_TICKER, at least 1000) in ns
 * @flags:	GOCHAN_TICKER, GOCHAN_CLOEXEC
 * @pad:	must be zero
 * @reserved:	must be zero
 *
 * Returns a receive-only fd of a channel with capacity 1 and 8-byte
 * values: the CLOCK_MONOTONIC time in ns at which the timer fired.
 */
struct gochan_timer {
	__s64 ns;
	__u32 flags;
	__u32 pad;
	__u64 reserved;
};

/* struct gochan_dup.dir and struct gochan_info.dir */
#define GOCHAN_DIR_SEND		_BITUL(0)
#define GOCHAN_DIR_RECV		_BITUL(1)

/**
 * struct gochan_dup - GOCHAN_IOC_DUP: a direction-restricted fd
 * @dir:	GOCHAN_DIR_SEND (Go's chan<-) or GOCHAN_DIR_RECV (<-chan),
 *		or both; not more than the fd allows
 * @flags:	GOCHAN_CLOEXEC
 * @reserved:	must be zero
 *
 * Returns a new fd for the same channel.
 */
struct gochan_dup {
	__u32 dir;
	__u32 flags;
	__u64 reserved;
};

/* struct gochan_info.flags */
#define GOCHAN_INFO_CLOSED	_BITUL(0)
#define GOCHAN_INFO_AUTOCLOSE	_BITUL(1)
#define GOCHAN_INFO_TIMER	_BITUL(2)

/**
 * struct gochan_info - GOCHAN_IOC_INFO: a channel's state
 * @elem_size:	bytes per value
 * @cap:	capacity: Go's cap(ch)
 * @len:	values buffered: Go's len(ch), plus any values put back after
 *		a receiver's copy-out faulted (so it may exceed @cap)
 * @flags:	GOCHAN_INFO_*
 * @dir:	what this fd may do: GOCHAN_DIR_* bits
 * @senders:	pending send waiters: blocked threads, goroutines and
 *		parked continuations (a select with two send cases on the
 *		channel counts twice)
 * @receivers:	pending receive waiters, counted the same way
 * @pad:	zero
 * @id:		the channel's id, the same through every fd of it
 * @reserved:	zero
 */
struct gochan_info {
	__u32 elem_size;
	__u32 cap;
	__u32 len;
	__u32 flags;
	__u32 dir;
	__u32 senders;
	__u32 receivers;
	__u32 pad;
	__u64 id;
	__u64 reserved[2];
};

#define GOCHAN_IOC_MAGIC	0xC5

/* On /dev/gochan. */
#define GOCHAN_IOC_API		_IOWR(GOCHAN_IOC_MAGIC, 0x00, struct gochan_api)
#define GOCHAN_IOC_MAKE		_IOW(GOCHAN_IOC_MAGIC, 0x01, struct gochan_make)
#define GOCHAN_IOC_SELECT	_IOWR(GOCHAN_IOC_MAGIC, 0x02, struct gochan_select)
#define GOCHAN_IOC_TIMER	_IOW(GOCHAN_IOC_MAGIC, 0x03, struct gochan_timer)

/* On a channel fd. */
#define GOCHAN_IOC_SEND		_IOWR(GOCHAN_IOC_MAGIC, 0x10, struct gochan_xfer)
#define GOCHAN_IOC_RECV		_IOWR(GOCHAN_IOC_MAGIC, 0x11, struct gochan_xfer)
#define GOCHAN_IOC_CLOSE	_IO(GOCHAN_IOC_MAGIC, 0x12)
#define GOCHAN_IOC_INFO		_IOR(GOCHAN_IOC_MAGIC, 0x13, struct gochan_info)
#define GOCHAN_IOC_DUP		_IOW(GOCHAN_IOC_MAGIC, 0x14, struct gochan_dup)

#endif /* _UAPI_LINUX_GOCHAN_H */
