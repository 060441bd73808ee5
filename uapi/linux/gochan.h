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

#define GOCHAN_IOC_MAGIC	0xC5

#define GOCHAN_IOC_API		_IOWR(GOCHAN_IOC_MAGIC, 0x00, struct gochan_api)

#endif /* _UAPI_LINUX_GOCHAN_H */
