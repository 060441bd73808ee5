// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libgochan's header as C++: every declaration, inline function and
 * macro, compiled with -Wall -Wextra -Wpedantic -Werror as C++17 and
 * C++20 by "make -C tools/lib/gochan header-check" (make check's build
 * suite).  Compiled, not run.
 */
#include <gochan.h>

#include <cstdint>

int use_every_macro(int fd, int timer);

int use_every_macro(int fd, int timer)
{
	std::int64_t v = 0, batch[4] = {};
	const std::int64_t one = 1;
	struct gochan_case cs[3] = {
		GOCHAN_RECV_CASE(fd, &v),
		GOCHAN_SEND_CASE(fd, &one),
		gochan_recv_case(timer, nullptr),
	};
	const std::uint32_t sizes[3] = { sizeof(v), sizeof(one), 8 };
	struct gochan_info info;
	struct gochan_api api;
	bool ok = false;
	int r = 0;

	r |= gochan_api_query(gochan_dev_open(), &api);
	r |= gochan_has_feature(&api, GOCHAN_FEATURE_TIMER_SET |
				      GOCHAN_FEATURE_SIZED);
	r |= gochan_make(sizeof(v), 1, GOCHAN_MAKE_CLOEXEC | GOCHAN_MAKE_AUTOCLOSE);
	r |= gochan_send(fd, &one);
	r |= gochan_recv(fd, &v, &ok);
	r |= GOCHAN_SEND(fd, &one);
	r |= GOCHAN_RECV(fd, &v, &ok);
	r |= gochan_send_sz(fd, &one, sizeof(one));
	r |= gochan_recv_sz(fd, &v, sizeof(v), nullptr);
	r |= gochan_trysend(fd, &one);
	r |= gochan_tryrecv(fd, &v, &ok);
	r |= gochan_send_timeout(fd, &one, 1000);
	r |= gochan_recv_timeout(fd, &v, &ok, -1);
	r |= gochan_send_batch(fd, batch, 4, GOCHAN_XFER_WAITALL);
	r |= gochan_recv_batch(fd, batch, 4, GOCHAN_XFER_NONBLOCK, &ok);
	r |= gochan_send_batch_sz(fd, batch, sizeof(batch[0]), 4, 0);
	r |= gochan_recv_batch_sz(fd, batch, sizeof(batch[0]), 4, 0, &ok);
	r |= gochan_select(cs, 3, GOCHAN_SELECT_NONBLOCK | GOCHAN_SELECT_BIASED, -1);
	r |= gochan_select_sz(cs, sizes, 3, 0, 0);
	r |= gochan_after(1000);
	r |= gochan_ticker(1000000);
	r |= gochan_timer_stop(timer);
	r |= gochan_timer_reset(timer, 1000);
	r |= gochan_dup(fd, GOCHAN_DIR_RECV, GOCHAN_DUP_CLOEXEC);
	r |= gochan_info(fd, &info);
	r |= gochan_len(fd);
	r |= gochan_cap(fd);
	r |= gochan_range(fd, &v, [](void *, void *) { return 0; }, nullptr);
	r |= gochan_close(fd);
	return r + static_cast<int>(GOCHAN_FOREVER + GOCHAN_BATCH_MAX +
				    GOCHAN_SELECT_MAX);
}
