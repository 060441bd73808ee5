/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stress tools' randomness: splitmix64, one state per thread, so
 * that a seed replays each thread's sequence of choices.
 */
#ifndef GOCHAN_STRESS_RAND_H
#define GOCHAN_STRESS_RAND_H

#include <stdint.h>

static inline uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __thread uint64_t rs;	/* this thread's state */

static inline uint64_t rnd(void)
{
	rs = mix(rs);
	return rs;
}

/* Uniform enough in [0, n); 0 for n = 0. */
static inline uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* For printf's %llu, whatever uint64_t is. */
static inline unsigned long long ull(uint64_t v)
{
	return v;
}

#endif /* GOCHAN_STRESS_RAND_H */
