// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the size of the process area (param.c): the values
 * nvemu.proc_size accepts, the default size, and the reduction of a size
 * that would leave the regions too little.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../nvemu.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define AUTO	NVEMU_PROC_SIZE_AUTO

struct parse_case {
	const char *str;
	int rc;
	u64 size;
};

static const struct parse_case parse_cases[] = {
	{ "auto", 0, AUTO },
	{ "auto\n", 0, AUTO },
	{ "0", 0, 0 },
	{ "16M", 0, SZ_16M },
	{ "256M\n", 0, SZ_256M },
	{ "1G", 0, SZ_1G },
	{ "0x1000000", 0, SZ_16M },
	{ "268435456", 0, SZ_256M },
	{ "2T", 0, SZ_2T },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ "17M", -EINVAL },
	{ "4K", -EINVAL },
	{ "1", -EINVAL },
	{ "abc", -EINVAL },
	{ "auto2", -EINVAL },
	{ "Auto", -EINVAL },
	{ "16M ", -EINVAL },
	{ "16M\n\n", -EINVAL },
	{ "-16M", -EINVAL },
	{ "16Q", -EINVAL },
	{ "16E", -EINVAL },
	{ "99999999999999999999", -EINVAL },
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s'", c->str);
	strreplace(desc, '\n', '|');
}

KUNIT_ARRAY_PARAM(parse, parse_cases, parse_case_desc);

/* Bad values are refused whole, and leave the size alone */
static void nvemu_proc_parse_test(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	u64 size = 0x1234;

	KUNIT_EXPECT_EQ(test, nvemu_proc_parse(c->str, &size), c->rc);
	KUNIT_EXPECT_EQ(test, size, c->rc ? 0x1234 : c->size);
}

struct size_case {
	u64 total;
	u64 param;
	u64 size;
};

/* The default: a quarter, rounded down to 16 MiB, from 256 MiB */
static const struct size_case default_cases[] = {
	{ 0, AUTO, 0 },
	{ SZ_128M, AUTO, 0 },
	{ SZ_256M - SZ_16M, AUTO, 0 },
	{ SZ_256M, AUTO, SZ_64M },
	{ SZ_256M + SZ_128M, AUTO, SZ_64M + SZ_32M },
	{ SZ_512M + SZ_128M, AUTO, SZ_128M + SZ_32M },
	{ SZ_256M + SZ_16M, AUTO, SZ_64M },
	{ 7 * SZ_128M, AUTO, SZ_128M + SZ_64M + SZ_32M },
	{ SZ_1G, AUTO, SZ_256M },
	{ SZ_4G, AUTO, SZ_1G },
	{ SZ_4G + SZ_16M * 3, AUTO, SZ_1G },
	{ 16ULL * SZ_512M, AUTO, SZ_2G },
};

/* Given sizes, and the reduction to what leaves the regions 16 MiB */
static const struct size_case choose_cases[] = {
	{ SZ_1G, 0, 0 },
	{ SZ_128M, AUTO, 0 },
	{ SZ_1G, SZ_16M, SZ_16M },
	{ SZ_1G, SZ_512M, SZ_512M },
	{ SZ_1G, SZ_1G - 2 * SZ_16M, SZ_1G - 2 * SZ_16M },
	{ SZ_1G, SZ_1G - SZ_16M, SZ_1G - 2 * SZ_16M },
	{ SZ_1G, SZ_2G, SZ_1G - 2 * SZ_16M },
	{ SZ_128M, SZ_1G, SZ_128M - 2 * SZ_16M },
	{ SZ_32M, SZ_16M, 0 },
	{ SZ_32M + SZ_16M, SZ_1G, SZ_16M },
	{ SZ_1G, AUTO, SZ_256M },
};

static void size_case_desc(const struct size_case *c, char *desc)
{
	if (c->param == AUTO)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "total %llu MiB, auto",
			 c->total >> 20);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE,
			 "total %llu MiB, proc_size %llu MiB", c->total >> 20,
			 c->param >> 20);
}

KUNIT_ARRAY_PARAM(default, default_cases, size_case_desc);
KUNIT_ARRAY_PARAM(choose, choose_cases, size_case_desc);

static void nvemu_proc_default_test(struct kunit *test)
{
	const struct size_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, nvemu_proc_default_size(c->total), c->size);
	KUNIT_EXPECT_EQ(test, nvemu_proc_choose(c->total, AUTO), c->size);
}

static void nvemu_proc_choose_test(struct kunit *test)
{
	const struct size_case *c = test->param_value;
	u64 size = nvemu_proc_choose(c->total, c->param);

	KUNIT_EXPECT_EQ(test, size, c->size);
	/* what the metadata may record: aligned, regions keep 16 MiB */
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(size, NVEMU_PROC_ALIGN));
	KUNIT_EXPECT_LE(test, size, nvemu_proc_max_size(c->total));
}

static void nvemu_proc_max_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, nvemu_proc_max_size(0), 0);
	KUNIT_EXPECT_EQ(test, nvemu_proc_max_size(NVEMU_META_SIZE), 0);
	KUNIT_EXPECT_EQ(test, nvemu_proc_max_size(SZ_32M + SZ_16M - 1), 0);
	KUNIT_EXPECT_EQ(test, nvemu_proc_max_size(SZ_32M + SZ_16M), SZ_16M);
	KUNIT_EXPECT_EQ(test, nvemu_proc_max_size(SZ_128M), SZ_128M - SZ_32M);
	KUNIT_EXPECT_EQ(test, nvemu_proc_max_size(SZ_128M + SZ_1M),
			SZ_128M - SZ_32M);
}

static struct kunit_case nvemu_proc_test_cases[] = {
	KUNIT_CASE_PARAM(nvemu_proc_parse_test, parse_gen_params),
	KUNIT_CASE_PARAM(nvemu_proc_default_test, default_gen_params),
	KUNIT_CASE_PARAM(nvemu_proc_choose_test, choose_gen_params),
	KUNIT_CASE(nvemu_proc_max_test),
	{}
};

static struct kunit_suite nvemu_proc_test_suite = {
	.name = "nvemu_proc",
	.test_cases = nvemu_proc_test_cases,
};

kunit_test_suite(nvemu_proc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the size of nvemu's process area");
MODULE_LICENSE("GPL");
