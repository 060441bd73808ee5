// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libgochan: the raw layer over the /dev/gochan ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gochan.h"

int gochan_dev_open(void)
{
	int fd = open(GOCHAN_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int gochan_api_query(int devfd, struct gochan_api *api)
{
	memset(api, 0, sizeof(*api));
	api->api = GOCHAN_API_VERSION;
	if (ioctl(devfd, GOCHAN_IOC_API, api) < 0)
		return -errno;
	if (api->api < GOCHAN_API_VERSION)
		return -EPROTO;
	return 0;
}
