// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * hello: open /dev/gochan, do the handshake, print what the module offers.
 *
 * Exit status: 0 when the module answered with a supported API version,
 * 1 otherwise.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gochan.h>

int main(void)
{
	struct gochan_api api;
	int fd, ret;

	fd = gochan_dev_open();
	if (fd < 0) {
		fprintf(stderr, "hello: open %s: %s\n", GOCHAN_DEV_PATH,
			strerror(-fd));
		return 1;
	}

	ret = gochan_api_query(fd, &api);
	close(fd);
	if (ret < 0) {
		fprintf(stderr, "hello: handshake: %s\n", strerror(-ret));
		return 1;
	}

	printf("gochan API %u, features 0x%llx\n", api.api,
	       (unsigned long long)api.features);
	return api.api == GOCHAN_API_VERSION ? 0 : 1;
}
