/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints, system "gochan" (Documentation/design.rst lists them):
 *
 * - the goroutine scheduler: a goroutine's life (create, start, end)
 *   and the scheduler's moves (park, unpark, steal, hand-off);
 * - channels: make, send, recv, close, select, and a task's block and
 *   unblock in the select engine.  Every channel event names the channel
 *   by its id (kgo_chan_id(), fdinfo's gochan-id) and carries a value
 *   count and the time the caller waited.
 *
 * Use with perf trace -e 'gochan:*' or trace-cmd.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gochan

#if !defined(_GOCHAN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOCHAN_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(gochan_create,
	    TP_PROTO(u64 goid, void *fn, int p),
	    TP_ARGS(goid, fn, p),
	    TP_STRUCT__entry(__field(u64, goid)
			     __field(void *, fn)
			     __field(int, p)),
	    TP_fast_assign(__entry->goid = goid;
			   __entry->fn = fn;
			   __entry->p = p;),
	    TP_printk("goid=%llu fn=%ps placed_p=%d",
		      __entry->goid, __entry->fn, __entry->p)
);

TRACE_EVENT(gochan_start,
	    TP_PROTO(u64 goid, int p, int m),
	    TP_ARGS(goid, p, m),
	    TP_STRUCT__entry(__field(u64, goid)
			     __field(int, p)
			     __field(int, m)),
	    TP_fast_assign(__entry->goid = goid;
			   __entry->p = p;
			   __entry->m = m;),
	    TP_printk("goid=%llu p=%d m=%d", __entry->goid, __entry->p,
		      __entry->m)
);

TRACE_EVENT(gochan_end,
	    TP_PROTO(u64 goid),
	    TP_ARGS(goid),
	    TP_STRUCT__entry(__field(u64, goid)),
	    TP_fast_assign(__entry->goid = goid;),
	    TP_printk("goid=%llu", __entry->goid)
);

DECLARE_EVENT_CLASS(gochan_m_class,
		    TP_PROTO(int m, int p),
		    TP_ARGS(m, p),
		    TP_STRUCT__entry(__field(int, m)
				     __field(int, p)),
		    TP_fast_assign(__entry->m = m;
				   __entry->p = p;),
		    TP_printk("m=%d p=%d", __entry->m, __entry->p)
);

/* An M parks (p is -1) or is woken and handed P p. */
DEFINE_EVENT(gochan_m_class, gochan_park,
	     TP_PROTO(int m, int p),
	     TP_ARGS(m, p));

DEFINE_EVENT(gochan_m_class, gochan_unpark,
	     TP_PROTO(int m, int p),
	     TP_ARGS(m, p));

TRACE_EVENT(gochan_steal,
	    TP_PROTO(int p, int victim, u32 n),
	    TP_ARGS(p, victim, n),
	    TP_STRUCT__entry(__field(int, p)
			     __field(int, victim)
			     __field(u32, n)),
	    TP_fast_assign(__entry->p = p;
			   __entry->victim = victim;
			   __entry->n = n;),
	    TP_printk("p=%d victim=%d n=%u", __entry->p, __entry->victim,
		      __entry->n)
);

TRACE_EVENT(gochan_handoff,
	    TP_PROTO(int p),
	    TP_ARGS(p),
	    TP_STRUCT__entry(__field(int, p)),
	    TP_fast_assign(__entry->p = p;),
	    TP_printk("p=%d", __entry->p)
);

TRACE_EVENT(gochan_chan_make,
	    TP_PROTO(u64 chan, size_t elem_size, u32 cap),
	    TP_ARGS(chan, elem_size, cap),
	    TP_STRUCT__entry(__field(u64, chan)
			     __field(size_t, elem_size)
			     __field(u32, cap)),
	    TP_fast_assign(__entry->chan = chan;
			   __entry->elem_size = elem_size;
			   __entry->cap = cap;),
	    TP_printk("chan=%llu elem_size=%zu cap=%u", __entry->chan,
		      __entry->elem_size, __entry->cap)
);

/* n: values still buffered, which receivers drain before ok = false. */
TRACE_EVENT(gochan_chan_close,
	    TP_PROTO(u64 chan, u32 n),
	    TP_ARGS(chan, n),
	    TP_STRUCT__entry(__field(u64, chan)
			     __field(u32, n)),
	    TP_fast_assign(__entry->chan = chan;
			   __entry->n = n;),
	    TP_printk("chan=%llu n=%u", __entry->chan, __entry->n)
);

/*
 * The shape of the events that end a wait.  A send or receive call
 * returns: n values moved (a batched transfer
 * reports each lock hold or wait), after waiting wait_ns (0: it did not
 * wait); ret is 0, -ENODATA for a receive of ok = false, or the error.
 */
DECLARE_EVENT_CLASS(gochan_xfer_class,
		    TP_PROTO(u64 chan, u32 n, u64 wait_ns, int ret),
		    TP_ARGS(chan, n, wait_ns, ret),
		    TP_STRUCT__entry(__field(u64, chan)
				     __field(u32, n)
				     __field(u64, wait_ns)
				     __field(int, ret)),
		    TP_fast_assign(__entry->chan = chan;
				   __entry->n = n;
				   __entry->wait_ns = wait_ns;
				   __entry->ret = ret;),
		    TP_printk("chan=%llu n=%u wait_ns=%llu ret=%d",
			      __entry->chan, __entry->n, __entry->wait_ns,
			      __entry->ret)
);

DEFINE_EVENT(gochan_xfer_class, gochan_chan_send,
	     TP_PROTO(u64 chan, u32 n, u64 wait_ns, int ret),
	     TP_ARGS(chan, n, wait_ns, ret));

DEFINE_EVENT(gochan_xfer_class, gochan_chan_recv,
	     TP_PROTO(u64 chan, u32 n, u64 wait_ns, int ret),
	     TP_ARGS(chan, n, wait_ns, ret));

/*
 * A select returns: chan is the chosen case's channel (0 for none), n
 * the number of cases, ret the chosen index or the error.
 */
DEFINE_EVENT(gochan_xfer_class, gochan_select,
	     TP_PROTO(u64 chan, u32 n, u64 wait_ns, int ret),
	     TP_ARGS(chan, n, wait_ns, ret));

/*
 * The select engine parks a task (block: chan is the channel of the
 * first case in the select's random poll order, n the number of cases
 * queued on) and the task runs again
 * (unblock: chan is the channel that completed it, 0 if none did, after
 * wait_ns; ret 0 or the error that ended the wait).
 */
TRACE_EVENT(gochan_block,
	    TP_PROTO(u64 chan, u32 n, int reason),
	    TP_ARGS(chan, n, reason),
	    TP_STRUCT__entry(__field(u64, chan)
			     __field(u32, n)
			     __field(int, reason)),
	    TP_fast_assign(__entry->chan = chan;
			   __entry->n = n;
			   __entry->reason = reason;),
	    TP_printk("chan=%llu n=%u reason=%d", __entry->chan, __entry->n,
		      __entry->reason)
);

DEFINE_EVENT(gochan_xfer_class, gochan_unblock,
	     TP_PROTO(u64 chan, u32 n, u64 wait_ns, int ret),
	     TP_ARGS(chan, n, wait_ns, ret));

#endif /* _GOCHAN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
