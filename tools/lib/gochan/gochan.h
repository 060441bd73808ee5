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
 * @feature: one GOCHAN_FEATURE_* bit
 *
 * Return: non-zero when the module supports @feature.
 */
static inline int gochan_has_feature(const struct gochan_api *api,
				     __u64 feature)
{
	return (api->features & feature) == feature;
}

#ifdef __cplusplus
}
#endif

#endif /* _LIBGOCHAN_H */
