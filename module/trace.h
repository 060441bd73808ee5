/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the goroutine scheduler, system "gochan": a goroutine's
 * life (create, start, end) and the scheduler's moves (park, unpark,
 * steal, hand-off).  Use with perf trace -e 'gochan:*' or trace-cmd.
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

#endif /* _GOCHAN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
