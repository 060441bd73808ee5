// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the /dev/gochan API handshake.  Part of gochan_kunit.ko,
 * built for kernels with CONFIG_KUNIT; its suites run when it is loaded.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "internal.h"
#include "kunit_util.h"

unsigned int kgo_kunit_scale = 100;
module_param_named(scale, kgo_kunit_scale, uint, 0444);
MODULE_PARM_DESC(scale, "Percent of the long cases' default loop counts (default 100)");

/* A valid request gets the module's version and feature set. */
static void gochan_api_accepts_valid(struct kunit *test)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION };

	KUNIT_ASSERT_EQ(test, gochan_api_negotiate(&api), 0);
	KUNIT_EXPECT_EQ(test, api.api, GOCHAN_API_VERSION);
	KUNIT_EXPECT_EQ(test, api.features, (u64)GOCHAN_FEATURES);
	/* Version 2 is frozen: what it gained since is announced here. */
	KUNIT_EXPECT_EQ(test, api.features, GOCHAN_FEATURE_TIMER_SET |
			GOCHAN_FEATURE_SIZED | GOCHAN_FEATURE_RW |
			GOCHAN_FEATURE_SELECTOR);
	KUNIT_EXPECT_EQ(test, api.flags, 0U);
	KUNIT_EXPECT_EQ(test, api.reserved[0], 0ULL);
	KUNIT_EXPECT_EQ(test, api.reserved[1], 0ULL);
}

/* A caller built against a newer header is answered with our version. */
static void gochan_api_answers_newer_caller(struct kunit *test)
{
	struct gochan_api api = { .api = GOCHAN_API_VERSION + 7 };

	KUNIT_ASSERT_EQ(test, gochan_api_negotiate(&api), 0);
	KUNIT_EXPECT_EQ(test, api.api, GOCHAN_API_VERSION);
}

struct gochan_api_bad_case {
	const char *name;
	struct gochan_api api;
};

static const struct gochan_api_bad_case gochan_api_bad_cases[] = {
	{ "zero api", { .api = 0 } },
	{ "flags set", { .api = 1, .flags = 1 } },
	{ "high flag set", { .api = 1, .flags = 0x80000000U } },
	{ "reserved[0] set", { .api = 1, .reserved = { 1, 0 } } },
	{ "reserved[1] set", { .api = 1, .reserved = { 0, 1ULL << 63 } } },
};

static void gochan_api_bad_desc(const struct gochan_api_bad_case *c,
				char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(gochan_api_bad, gochan_api_bad_cases, gochan_api_bad_desc);

/* Bad input is refused, and the request is left as the caller wrote it. */
static void gochan_api_rejects_bad(struct kunit *test)
{
	const struct gochan_api_bad_case *c = test->param_value;
	struct gochan_api api = c->api;

	KUNIT_EXPECT_EQ(test, gochan_api_negotiate(&api), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&api, &c->api, sizeof(api)), 0);
}

/* A caller of the unfrozen version 1 interface is refused. */
static void gochan_api_refuses_version_1(struct kunit *test)
{
	struct gochan_api api = { .api = 1 };

	KUNIT_EXPECT_EQ(test, gochan_api_negotiate(&api), -EPROTO);
	KUNIT_EXPECT_EQ(test, api.api, 1U);
	KUNIT_EXPECT_EQ(test, api.features, 0ULL);
}

static struct kunit_case gochan_api_cases[] = {
	KUNIT_CASE(gochan_api_accepts_valid),
	KUNIT_CASE(gochan_api_answers_newer_caller),
	KUNIT_CASE(gochan_api_refuses_version_1),
	KUNIT_CASE_PARAM(gochan_api_rejects_bad, gochan_api_bad_gen_params),
	{}
};

static struct kunit_suite gochan_api_suite = {
	.name = "gochan_api",
	.test_cases = gochan_api_cases,
};

kunit_test_suite(gochan_api_suite);

MODULE_DESCRIPTION("KUnit tests for gochan");
MODULE_LICENSE("GPL");
GOCHAN_IMPORT_KUNIT_NS();
