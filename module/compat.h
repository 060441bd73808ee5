/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels gochan supports live here, and only
 * here: the rest of the module is written against the newest API.
 */
#ifndef _GOCHAN_COMPAT_H
#define _GOCHAN_COMPAT_H

#include <linux/version.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "gochan needs Linux 6.1 or newer"
#endif

#include <kunit/visibility.h>

/* Since 6.13 module namespaces are string literals. */
#if KERNEL_VERSION(6, 13, 0) > LINUX_VERSION_CODE
#define GOCHAN_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#else
#define GOCHAN_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#endif

/* Since 6.12 struct fd is one word, read with fd_file(). */
#include <linux/file.h>
#ifndef fd_file
#define fd_file(f)	((f).file)
#endif

#endif /* _GOCHAN_COMPAT_H */
