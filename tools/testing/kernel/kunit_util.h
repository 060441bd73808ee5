/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the KUnit suites of gochan_kunit.ko: the size of the long
 * cases.
 */
#ifndef _GOCHAN_KUNIT_UTIL_H
#define _GOCHAN_KUNIT_UTIL_H

#include <linux/math64.h>
#include <linux/minmax.h>

/* The "scale" parameter of gochan_kunit.ko, in percent (api_kunit.c). */
extern unsigned int kgo_kunit_scale;

/*
 * kgo_kunit_scaled() - a long case's loop count, @n at scale 100
 *
 * The kcsan kernel of "make check" runs the long cases at a quarter of
 * their size (tools/testing/vm/init.sh, sizes()); a case that asserts it
 * hit a race window must still hit it at that size.
 */
static inline int kgo_kunit_scaled(int n)
{
	return max_t(int, 1, div_u64((u64)n * kgo_kunit_scale, 100));
}

#endif /* _GOCHAN_KUNIT_UTIL_H */
