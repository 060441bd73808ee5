/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the continuation tests (cont_kunit.c, ktest.c): many receive
 * continuations, each value counted as it arrives.
 */
#ifndef _GOCHAN_CONT_MASS_H
#define _GOCHAN_CONT_MASS_H

#include "kgo.h"

struct kgo_mass {
	u8 *seen;		/* per value: deliveries */
	unsigned int n;
	atomic_t closed;	/* completions with ok = false */
	atomic_t bad;		/* values out of range */
	struct kgo_wg wg;
};

static inline void kgo_mass_fn(const struct kgo_cont_result *res, void *arg)
{
	struct kgo_mass *m = arg;

	if (!res->ok) {
		atomic_inc(&m->closed);
	} else {
		u32 v = *(u32 *)res->val;

		if (v < m->n)
			m->seen[v]++;	/* each value has one receiver */
		else
			atomic_inc(&m->bad);
	}
	kgo_wg_done(&m->wg);
}

#endif /* _GOCHAN_CONT_MASS_H */
