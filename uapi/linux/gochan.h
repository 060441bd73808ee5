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

/*
 * The version of the interface described by this header.  It is frozen:
 * what the interface gains from now on is announced by a feature bit in
 * gochan_api.features, never by a new version.
 */
#define GOCHAN_API_VERSION	2

/*
 * Feature bits reported by GOCHAN_IOC_API in gochan_api.features: one
 * for each addition to the interface of GOCHAN_API_VERSION 2.  A caller
 * tests the bit of what it uses; a module without it refuses the
 * addition (ENOTTY for a command, EINVAL for a flag or a field).
 */
#define GOCHAN_FEATURES_NONE	0ULL
/* GOCHAN_IOC_TIMER_SET: a timer's Stop and Reset. */
#define GOCHAN_FEATURE_TIMER_SET	_BITULL(0)
/*
 * The caller's element size in a transfer (GOCHAN_XFER_SIZED,
 * struct gochan_xfer.elem_size) and in a select (struct
 * gochan_select.sizes), refused with EMSGSIZE when it is not the
 * channel's.
 */
#define GOCHAN_FEATURE_SIZED		_BITULL(1)
/*
 * read(2) and write(2) on channel fds, and the NONBLOCK flags of the
 * commands that make an fd (GOCHAN_O_NONBLOCK).
 */
#define GOCHAN_FEATURE_RW		_BITULL(2)
/* Selector fds: GOCHAN_IOC_SELECTOR, GOCHAN_IOC_SELECTOR_CTL and _WAIT. */
#define GOCHAN_FEATURE_SELECTOR		_BITULL(3)

/*
 * A deadline (struct gochan_xfer, struct gochan_select): the absolute
 * CLOCK_MONOTONIC time in ns at which waiting stops, or GOCHAN_FOREVER
 * (0, what a zeroed structure holds) to wait for ever.  A deadline in
 * the past does not wait.  Being absolute, it holds unchanged when a
 * call that a signal interrupted is restarted (SA_RESTART).
 */
#define GOCHAN_FOREVER		0ULL

/*
 * The close-on-exec flag of the commands that make an fd: O_CLOEXEC,
 * asm-generic's value, which is that of every architecture gochan
 * builds on (the module checks it against O_CLOEXEC at build time).
 * Spelled out, because <linux/fcntl.h> and libc's <fcntl.h> cannot both
 * be included.
 */
#define GOCHAN_O_CLOEXEC	02000000
/* The same for O_NONBLOCK, which read(2) and write(2) honour. */
#define GOCHAN_O_NONBLOCK	00004000

/**
 * struct gochan_api - API version and features handshake
 * @api:	in: the GOCHAN_API_VERSION the caller was built against (must
 *		not be zero); out: the version the module implements
 * @flags:	in: must be zero
 * @features:	out: feature bits the module supports; none is defined
 *		yet (GOCHAN_FEATURES_NONE)
 * @reserved:	must be zero on input; zeroed on output
 */
struct gochan_api {
	__u32 api;
	__u32 flags;
	__u64 features;
	__u64 reserved[2];
};

/* struct gochan_make.flags */
#define GOCHAN_MAKE_CLOEXEC	GOCHAN_O_CLOEXEC /* the new fd is close-on-exec */
#define GOCHAN_MAKE_NONBLOCK	GOCHAN_O_NONBLOCK /* read/write on it do not wait */
#define GOCHAN_MAKE_AUTOCLOSE	_BITUL(0)	/* Go-close the channel when the
						 * last fd that may send is
						 * released, as a pipe reports
						 * EOF
						 */

/**
 * struct gochan_make - GOCHAN_IOC_MAKE: Go's make(chan T, cap)
 * @elem_size:	bytes per value, 0 (Go's chan struct{}) up to the module
 *		parameter max_elem_size
 * @cap:	buffer capacity; 0 for an unbuffered (rendezvous) channel
 * @flags:	GOCHAN_MAKE_CLOEXEC, GOCHAN_MAKE_NONBLOCK, GOCHAN_MAKE_AUTOCLOSE
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

/* struct gochan_xfer.flags */
#define GOCHAN_XFER_NONBLOCK	_BITUL(0)	/* EAGAIN instead of waiting */
#define GOCHAN_XFER_WAITALL	_BITUL(1)	/* wait for all count values */
#define GOCHAN_XFER_SIZED	_BITUL(2)	/* elem_size is the caller's
						 * (GOCHAN_FEATURE_SIZED)
						 */

/* Most values one GOCHAN_IOC_SEND or GOCHAN_IOC_RECV moves. */
#define GOCHAN_BATCH_MAX	4096

/**
 * struct gochan_xfer - GOCHAN_IOC_SEND and GOCHAN_IOC_RECV on a channel fd
 * @buf:	count * elem_size bytes: the values to send, or room for the
 *		values received
 * @count:	values, 1 to GOCHAN_BATCH_MAX
 * @flags:	GOCHAN_XFER_NONBLOCK, GOCHAN_XFER_WAITALL, GOCHAN_XFER_SIZED
 * @deadline:	when waiting stops: CLOCK_MONOTONIC ns, or GOCHAN_FOREVER
 * @done:	out: values sent or received
 * @ok:		out, receive: 1 when values came and the call did not end
 *		at a closed channel; 0 when it ended because the channel
 *		is closed and drained (Go's ok; the value after the @done
 *		received ones is then zeroed), or nothing was received
 * @elem_size:	with GOCHAN_XFER_SIZED, the size of one value in @buf as
 *		the caller sees it: the call fails with EMSGSIZE, moving
 *		nothing, unless it is the channel's; else must be zero
 * @pad:	must be zero
 *
 * The call waits (as @flags say) for the first value; after it, it moves
 * as many more as it can without waiting, or with GOCHAN_XFER_WAITALL
 * all of them.  When it ends early after moving some values (a signal, the
 * timeout, a close) it succeeds and @done says how many.
 */
struct gochan_xfer {
	__u64 buf;
	__u32 count;
	__u32 flags;
	__u64 deadline;
	__u32 done;
	__u32 ok;
	__u32 elem_size;
	__u32 pad;
};

/*
 * read(2) and write(2) on a channel fd (GOCHAN_FEATURE_RW) are a batched
 * GOCHAN_IOC_RECV and GOCHAN_IOC_SEND of count / elem_size whole values
 * (at most GOCHAN_BATCH_MAX), waiting for the first unless the file is
 * O_NONBLOCK (GOCHAN_*_NONBLOCK at creation, or fcntl()), and returning
 * the bytes of the values moved.  read() returns 0 at a closed, drained
 * channel; write() after close fails with EPIPE.  A count that is not a
 * whole number of values (for read, less than one), or a channel of
 * elem_size 0, is EINVAL.  The ioctls do not look at O_NONBLOCK.
 */

/*
 * Directions, one vocabulary everywhere: a case's dir (exactly one), what
 * an fd may do (struct gochan_dup.dir, struct gochan_info.dir: one or
 * both).
 */
#define GOCHAN_DIR_SEND		_BITUL(0)	/* Go's chan<- */
#define GOCHAN_DIR_RECV		_BITUL(1)	/* Go's <-chan */

/* struct gochan_select.flags */
#define GOCHAN_SELECT_NONBLOCK	_BITUL(0)	/* EAGAIN: Go's default case */
#define GOCHAN_SELECT_BIASED	_BITUL(1)	/* the first ready case wins */

/* Most cases in one select. */
#define GOCHAN_SELECT_MAX	1024

/**
 * struct gochan_case - one case of GOCHAN_IOC_SELECT
 * @fd:		a channel fd, or -1 for a nil channel (never ready)
 * @dir:	GOCHAN_DIR_RECV or GOCHAN_DIR_SEND
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
	__u32 dir;
	__u64 buf;
	__u32 ok;
	__s32 err;
};

/**
 * struct gochan_select - GOCHAN_IOC_SELECT: Go's select statement
 * @cases:	user pointer to @n struct gochan_case
 * @n:		cases, at most GOCHAN_SELECT_MAX
 * @flags:	GOCHAN_SELECT_NONBLOCK (Go's default case),
 *		GOCHAN_SELECT_BIASED
 * @deadline:	as in struct gochan_xfer
 * @index:	out: the chosen case
 * @pad:	must be zero
 * @sizes:	0, or a user pointer to @n __u32, the size of each case's
 *		value as the caller sees it (GOCHAN_FEATURE_SIZED): the
 *		select fails with EMSGSIZE, moving nothing, when a non-nil
 *		case's size is not its channel's
 */
struct gochan_select {
	__u64 cases;
	__u32 n;
	__u32 flags;
	__u64 deadline;
	__u32 index;
	__u32 pad;
	__u64 sizes;
};

/* struct gochan_timer.flags */
#define GOCHAN_TIMER_CLOEXEC	GOCHAN_O_CLOEXEC /* the new fd is close-on-exec */
#define GOCHAN_TIMER_NONBLOCK	GOCHAN_O_NONBLOCK /* read on it does not wait */
#define GOCHAN_TIMER_TICKER	_BITUL(0)	/* every ns, not once */

/**
 * struct gochan_timer - GOCHAN_IOC_TIMER: Go's time.After and time.Tick
 * @ns:		delay (or period with GOCHAN_TIMER_TICKER, at least 1000) in
 *		ns
 * @flags:	GOCHAN_TIMER_TICKER, GOCHAN_TIMER_CLOEXEC, GOCHAN_TIMER_NONBLOCK
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

/* struct gochan_timer_set.flags */
#define GOCHAN_TIMER_STOP	_BITUL(0)	/* stop it; ns must be zero */

/**
 * struct gochan_timer_set - GOCHAN_IOC_TIMER_SET on a timer fd: Go's
 * Timer.Stop, Timer.Reset and Ticker.Reset (GOCHAN_FEATURE_TIMER_SET)
 * @ns:		the new delay (a ticker: the new period, at least 1000 and
 *		within the limits of GOCHAN_IOC_TIMER), from now; zero with
 *		GOCHAN_TIMER_STOP
 * @flags:	GOCHAN_TIMER_STOP
 * @active:	out: Go 1.23's Stop and Reset result: 1 if the timer was
 *		running, or had sent a value nobody received (dropped now);
 *		0 if that value was received, or the timer was stopped
 * @reserved:	must be zero
 *
 * As in Go 1.23: once the call returns, no value that the timer sent
 * before it is received; an unread one is dropped.  A timer fd's
 * direction is receive-only; any holder of the fd may set its timer.
 */
struct gochan_timer_set {
	__s64 ns;
	__u32 flags;
	__u32 active;
	__u64 reserved;
};

/* struct gochan_dup.flags */
#define GOCHAN_DUP_CLOEXEC	GOCHAN_O_CLOEXEC /* the new fd is close-on-exec */
#define GOCHAN_DUP_NONBLOCK	GOCHAN_O_NONBLOCK /* the new file is O_NONBLOCK */

/**
 * struct gochan_dup - GOCHAN_IOC_DUP: a direction-restricted fd
 * @dir:	GOCHAN_DIR_SEND (Go's chan<-) or GOCHAN_DIR_RECV (<-chan),
 *		or both; not more than the fd allows
 * @flags:	GOCHAN_DUP_CLOEXEC, GOCHAN_DUP_NONBLOCK
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
 * @len:	values buffered: Go's len(ch), at most @cap
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

/* struct gochan_selector.flags */
#define GOCHAN_SELECTOR_CLOEXEC	GOCHAN_O_CLOEXEC /* the new fd is close-on-exec */

/**
 * struct gochan_selector - GOCHAN_IOC_SELECTOR: a new selector fd
 * @flags:	GOCHAN_SELECTOR_CLOEXEC
 * @pad:	must be zero
 * @reserved:	must be zero
 *
 * A selector is a select whose cases are registered once
 * (GOCHAN_IOC_SELECTOR_CTL) and waited on many times
 * (GOCHAN_IOC_SELECTOR_WAIT), at the cost of the cases that are ready,
 * not of all of them.  Its fd polls readable while a case may be ready.
 */
struct gochan_selector {
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/* struct gochan_selector_ctl.op */
#define GOCHAN_CTL_ADD		1	/* register a case */
#define GOCHAN_CTL_MOD		2	/* change its key and send value */
#define GOCHAN_CTL_DEL		3	/* unregister it */

/**
 * struct gochan_selector_ctl - GOCHAN_IOC_SELECTOR_CTL on a selector fd
 * @op:		GOCHAN_CTL_ADD, GOCHAN_CTL_MOD or GOCHAN_CTL_DEL
 * @fd:		the case's channel fd; it must allow @dir
 * @dir:	GOCHAN_DIR_SEND or GOCHAN_DIR_RECV; a case is named by its
 *		channel file and its direction
 * @elem_size:	ADD and MOD: the channel's element size as the caller sees
 *		it (EMSGSIZE when it is not); DEL: must be zero
 * @buf:	ADD and MOD of a send case: the value to send, copied now;
 *		must be zero for a receive case and for DEL
 * @key:	ADD and MOD: the caller's name for the case, which a wait
 *		returns; DEL: must be zero
 * @reserved:	must be zero
 *
 * A case lives until DEL, until the selector is released, or until the
 * channel file it was registered through is released (its last fd
 * closed, in every process), as an epoll registration does.
 */
struct gochan_selector_ctl {
	__u32 op;
	__s32 fd;
	__u32 dir;
	__u32 elem_size;
	__u64 buf;
	__u64 key;
	__u64 reserved[2];
};

/* struct gochan_selector_wait.flags */
#define GOCHAN_WAIT_NONBLOCK	_BITUL(0)	/* EAGAIN instead of waiting */
#define GOCHAN_WAIT_BIASED	_BITUL(1)	/* the ready case added first
						 * wins, not a random one
						 */
#define GOCHAN_WAIT_READY	_BITUL(2)	/* report the ready cases in
						 * @events; move nothing
						 */

/* struct gochan_selector_event.flags */
#define GOCHAN_EVENT_CLOSED	_BITUL(0)	/* the channel is closed */

/* Most events one GOCHAN_WAIT_READY wait reports. */
#define GOCHAN_SELECTOR_EVENTS_MAX	1024

/**
 * struct gochan_selector_event - one ready case, for GOCHAN_WAIT_READY
 * @key:	the case's key
 * @dir:	its direction
 * @flags:	GOCHAN_EVENT_CLOSED
 */
struct gochan_selector_event {
	__u64 key;
	__u32 dir;
	__u32 flags;
};

/**
 * struct gochan_selector_wait - GOCHAN_IOC_SELECTOR_WAIT on a selector fd
 * @buf:	room for the value a receive case gets (0 to discard it);
 *		zeroed when it is chosen because its channel is closed
 * @size:	bytes at @buf: the wait fails with EMSGSIZE, moving nothing,
 *		when the receive case it would complete has larger values
 * @flags:	GOCHAN_WAIT_NONBLOCK, GOCHAN_WAIT_BIASED, GOCHAN_WAIT_READY
 * @deadline:	as in struct gochan_xfer
 * @events:	GOCHAN_WAIT_READY: a user pointer to @max events; else zero
 * @max:	GOCHAN_WAIT_READY: 1 to GOCHAN_SELECTOR_EVENTS_MAX; else zero
 * @count:	out: the events written; 1 when a case completed
 * @key:	out: the completed case's key
 * @dir:	out: its direction
 * @ok:		out, for a receive case: 1 for a value, 0 when closed and
 *		drained (Go's ok)
 * @err:	out: 0, or -EPIPE for a send case on a closed channel
 * @pad:	must be zero
 * @reserved:	must be zero
 *
 * Without GOCHAN_WAIT_READY the wait completes exactly one registered
 * case, chosen uniformly among the ready ones (GOCHAN_WAIT_BIASED: the
 * one added first), as Go's select does; with more than 256 ready, among
 * a window of 256 of them that moves by one each wait.  With it, it reports up to @max
 * ready cases, as epoll_wait(2) does, and leaves them ready.
 */
struct gochan_selector_wait {
	__u64 buf;
	__u32 size;
	__u32 flags;
	__u64 deadline;
	__u64 events;
	__u32 max;
	__u32 count;
	__u64 key;
	__u32 dir;
	__u32 ok;
	__s32 err;
	__u32 pad;
	__u64 reserved[2];
};

#define GOCHAN_IOC_MAGIC	0xC5

/* On /dev/gochan. */
#define GOCHAN_IOC_API		_IOWR(GOCHAN_IOC_MAGIC, 0x00, struct gochan_api)
#define GOCHAN_IOC_MAKE		_IOW(GOCHAN_IOC_MAGIC, 0x01, struct gochan_make)
#define GOCHAN_IOC_SELECT	_IOWR(GOCHAN_IOC_MAGIC, 0x02, struct gochan_select)
#define GOCHAN_IOC_TIMER	_IOW(GOCHAN_IOC_MAGIC, 0x03, struct gochan_timer)
#define GOCHAN_IOC_SELECTOR	_IOW(GOCHAN_IOC_MAGIC, 0x04, struct gochan_selector)

/* On a channel fd. */
#define GOCHAN_IOC_SEND		_IOWR(GOCHAN_IOC_MAGIC, 0x10, struct gochan_xfer)
#define GOCHAN_IOC_RECV		_IOWR(GOCHAN_IOC_MAGIC, 0x11, struct gochan_xfer)
#define GOCHAN_IOC_CLOSE	_IO(GOCHAN_IOC_MAGIC, 0x12)
#define GOCHAN_IOC_INFO		_IOR(GOCHAN_IOC_MAGIC, 0x13, struct gochan_info)
#define GOCHAN_IOC_DUP		_IOW(GOCHAN_IOC_MAGIC, 0x14, struct gochan_dup)
#define GOCHAN_IOC_TIMER_SET	_IOWR(GOCHAN_IOC_MAGIC, 0x15, struct gochan_timer_set)

/* On a selector fd. */
#define GOCHAN_IOC_SELECTOR_CTL	_IOW(GOCHAN_IOC_MAGIC, 0x20, struct gochan_selector_ctl)
#define GOCHAN_IOC_SELECTOR_WAIT _IOWR(GOCHAN_IOC_MAGIC, 0x21, struct gochan_selector_wait)

#endif /* _UAPI_LINUX_GOCHAN_H */
