// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvemu= boot parameter parser and range checks.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../nvemu.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define ALIGN_128M	SZ_128M

struct item_case {
	const char *str;
	enum nvemu_range_err err;
	u64 start;
	u64 size;
};

static const struct item_case item_cases[] = {
	{ "512M@0x100000000", NVEMU_OK, 0x100000000ULL, SZ_512M },
	{ "1G@4G", NVEMU_OK, SZ_4G, SZ_1G },
	{ "0x20000000@0x40000000", NVEMU_OK, 0x40000000ULL, 0x20000000ULL },
	{ "134217728@1073741824", NVEMU_OK, SZ_1G, SZ_128M },
	{ "128m@1g", NVEMU_OK, SZ_1G, SZ_128M },
	{ "1T@0x10000000000", NVEMU_OK, 0x10000000000ULL, 0x10000000000ULL },
	{ "0@0", NVEMU_OK, 0, 0 },
	{ "", NVEMU_ESYNTAX },
	{ "abc", NVEMU_ESYNTAX },
	{ "512M", NVEMU_ESYNTAX },
	{ "512M@", NVEMU_ESYNTAX },
	{ "@1G", NVEMU_ESYNTAX },
	{ "512M@1G ", NVEMU_ESYNTAX },
	{ "512Q@1G", NVEMU_ESYNTAX },
	{ "512M@@1G", NVEMU_ESYNTAX },
	{ "-512M@1G", NVEMU_ESYNTAX },
	{ "512M!1G", NVEMU_ESYNTAX },
	{ "0x@1G", NVEMU_ESYNTAX },
	{ "512MM@1G", NVEMU_ESYNTAX },
	{ "99999999999999999999@0", NVEMU_EOVERFLOW },
	{ "1G@0x10000000000000000", NVEMU_EOVERFLOW },
	{ "16E@0", NVEMU_EOVERFLOW },
	{ "16384P@0", NVEMU_EOVERFLOW },
	{ "15E@0", NVEMU_OK, 0, 15ULL << 60 },
};

static void item_case_desc(const struct item_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s'", c->str);
}

KUNIT_ARRAY_PARAM(item, item_cases, item_case_desc);

static void nvemu_parse_item_test(struct kunit *test)
{
	const struct item_case *c = test->param_value;
	struct nvemu_range r = { .start = 0x1234, .size = 0x5678 };
	enum nvemu_range_err err;

	err = nvemu_parse_item(c->str, strlen(c->str), &r);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->err == NVEMU_OK) {
		KUNIT_EXPECT_EQ(test, r.start, c->start);
		KUNIT_EXPECT_EQ(test, r.size, c->size);
	} else {
		/* A refused item leaves the output alone */
		KUNIT_EXPECT_EQ(test, r.start, 0x1234);
		KUNIT_EXPECT_EQ(test, r.size, 0x5678);
	}
}

/* The item length bounds the parse: nothing after it is read */
static void nvemu_parse_item_len_test(struct kunit *test)
{
	struct nvemu_range r;

	KUNIT_EXPECT_EQ(test, nvemu_parse_item("512M@1G,garbage", 7, &r), NVEMU_OK);
	KUNIT_EXPECT_EQ(test, r.start, SZ_1G);
	KUNIT_EXPECT_EQ(test, r.size, SZ_512M);
	KUNIT_EXPECT_EQ(test, nvemu_parse_item("512M@1G", 6, &r), NVEMU_OK);
	KUNIT_EXPECT_EQ(test, r.start, 1ULL);
	KUNIT_EXPECT_EQ(test, nvemu_parse_item("512M@1G", 5, &r), NVEMU_ESYNTAX);
}

static const struct nvemu_range existing[] = {
	{ .start = SZ_4G, .size = SZ_512M },		/* 4G .. 4.5G */
	{ .start = 0x180000000ULL, .size = SZ_1G },	/* 6G .. 7G */
};

struct check_case {
	const char *name;
	struct nvemu_range r;
	unsigned int nr;
	enum nvemu_range_err err;
	unsigned int conflict;
};

static const struct check_case check_cases[] = {
	{ "ok-first", { SZ_1G, SZ_128M }, 0, NVEMU_OK },
	{ "ok-between", { 0x140000000ULL, SZ_1G }, 2, NVEMU_OK },
	{ "ok-adjacent-below", { 0xE0000000ULL, SZ_512M }, 2, NVEMU_OK },
	{ "ok-adjacent-above", { 0x120000000ULL, SZ_512M }, 2, NVEMU_OK },
	{ "zero-size", { SZ_1G, 0 }, 0, NVEMU_EZERO },
	{ "wraps", { 0xFFFFFFFFC0000000ULL, SZ_2G }, 0, NVEMU_EOVERFLOW },
	{ "ends-at-top", { 0xFFFFFFFF80000000ULL, SZ_2G }, 0, NVEMU_OK },
	{ "start-misaligned", { SZ_1G + SZ_64M, SZ_128M }, 0, NVEMU_EALIGN },
	{ "size-misaligned", { SZ_1G, SZ_128M + SZ_4K }, 0, NVEMU_EALIGN },
	{ "too-many", { SZ_1G, SZ_128M }, NVEMU_MAX_RANGES, NVEMU_ETOOMANY },
	{ "same", { SZ_4G, SZ_512M }, 2, NVEMU_EOVERLAP, 0 },
	{ "inside", { SZ_4G + SZ_128M, SZ_128M }, 2, NVEMU_EOVERLAP, 0 },
	{ "covers", { SZ_4G - SZ_128M, SZ_1G }, 2, NVEMU_EOVERLAP, 0 },
	{ "tail", { 0x1C0000000ULL - SZ_128M, SZ_256M }, 2, NVEMU_EOVERLAP, 1 },
};

static void check_case_desc(const struct check_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(check, check_cases, check_case_desc);

static void nvemu_check_range_test(struct kunit *test)
{
	const struct check_case *c = test->param_value;
	struct nvemu_range table[NVEMU_MAX_RANGES];
	unsigned int i, conflict = ~0U;

	/* Unused entries lie far above everything the cases use */
	for (i = 0; i < ARRAY_SIZE(table); i++) {
		table[i].start = (u64)(i + 64) << 40;
		table[i].size = SZ_128M;
	}
	memcpy(table, existing, sizeof(existing));

	KUNIT_EXPECT_EQ(test, nvemu_check_range(&c->r, ALIGN_128M, table,
						c->nr, &conflict), c->err);
	if (c->err == NVEMU_EOVERLAP)
		KUNIT_EXPECT_EQ(test, conflict, c->conflict);
}

struct report_log {
	unsigned int n;
	enum nvemu_range_err err[NVEMU_MAX_RANGES + 4];
	char item[NVEMU_MAX_RANGES + 4][32];
};

static void record(void *ctx, const char *item, size_t len,
		   const struct nvemu_range *range, enum nvemu_range_err err,
		   const struct nvemu_range *other)
{
	struct report_log *log = ctx;

	if (log->n >= ARRAY_SIZE(log->err))
		return;
	log->err[log->n] = err;
	snprintf(log->item[log->n], sizeof(log->item[0]), "%.*s", (int)len, item);
	log->n++;
}

struct param_case {
	const char *str;
	unsigned int nr;
	u64 start[4];
	unsigned int nerr;
	enum nvemu_range_err err[4];
	const char *item[4];
};

static const struct param_case param_cases[] = {
	{ "512M@4G,512M@5G", 2, { SZ_4G, 0x140000000ULL } },
	{ "512M@4G,bad,256M@6G", 2, { SZ_4G, 0x180000000ULL }, 1,
	  { NVEMU_ESYNTAX }, { "bad" } },
	{ "512M@4G,512M@4G", 1, { SZ_4G }, 1, { NVEMU_EOVERLAP }, { "512M@4G" } },
	{ "1G@4G,512M@0x120000000", 1, { SZ_4G }, 1, { NVEMU_EOVERLAP },
	  { "512M@0x120000000" } },
	{ ",", 0, { }, 2, { NVEMU_ESYNTAX, NVEMU_ESYNTAX }, { "", "" } },
	{ "", 0, { }, 1, { NVEMU_ESYNTAX }, { "" } },
	{ "0@4G,100M@4G,512M@5G,", 1, { 0x140000000ULL }, 3,
	  { NVEMU_EZERO, NVEMU_EALIGN, NVEMU_ESYNTAX }, { "0@4G", "100M@4G", "" } },
};

static void param_case_desc(const struct param_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s'", c->str);
}

KUNIT_ARRAY_PARAM(param, param_cases, param_case_desc);

static void nvemu_parse_param_test(struct kunit *test)
{
	const struct param_case *c = test->param_value;
	struct nvemu_range table[NVEMU_MAX_RANGES] = { };
	struct report_log *log;
	unsigned int i, nr;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);

	nr = nvemu_parse_param(c->str, ALIGN_128M, table, 0, record, log);
	KUNIT_ASSERT_EQ(test, nr, c->nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, table[i].start, c->start[i]);
	KUNIT_ASSERT_EQ(test, log->n, c->nerr);
	for (i = 0; i < log->n; i++) {
		KUNIT_EXPECT_EQ(test, log->err[i], c->err[i]);
		KUNIT_EXPECT_STREQ(test, log->item[i], c->item[i]);
	}
}

/* Repeated nvemu= options accumulate up to the limit, the rest is refused */
static void nvemu_parse_param_limit_test(struct kunit *test)
{
	struct nvemu_range table[NVEMU_MAX_RANGES] = { };
	struct report_log *log;
	unsigned int i, nr = 0;
	char buf[32];

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);

	for (i = 0; i < NVEMU_MAX_RANGES + 2; i++) {
		snprintf(buf, sizeof(buf), "128M@%uG", i + 1);
		nr = nvemu_parse_param(buf, ALIGN_128M, table, nr, record, log);
	}
	KUNIT_EXPECT_EQ(test, nr, NVEMU_MAX_RANGES);
	KUNIT_EXPECT_EQ(test, table[NVEMU_MAX_RANGES - 1].start,
			(u64)NVEMU_MAX_RANGES << 30);
	KUNIT_ASSERT_EQ(test, log->n, 2);
	KUNIT_EXPECT_EQ(test, log->err[0], NVEMU_ETOOMANY);
	KUNIT_EXPECT_EQ(test, log->err[1], NVEMU_ETOOMANY);
}

static void nvemu_strerror_test(struct kunit *test)
{
	enum nvemu_range_err e;

	for (e = NVEMU_ESYNTAX; e <= NVEMU_ERESERVED; e++) {
		const char *s = nvemu_range_strerror(e);

		KUNIT_EXPECT_NOT_NULL(test, s);
		KUNIT_EXPECT_STRNEQ(test, s, "unknown error");
	}
	KUNIT_EXPECT_STREQ(test, nvemu_range_strerror(NVEMU_ERESERVED + 1),
			   "unknown error");
}

static struct kunit_case nvemu_param_test_cases[] = {
	KUNIT_CASE_PARAM(nvemu_parse_item_test, item_gen_params),
	KUNIT_CASE(nvemu_parse_item_len_test),
	KUNIT_CASE_PARAM(nvemu_check_range_test, check_gen_params),
	KUNIT_CASE_PARAM(nvemu_parse_param_test, param_gen_params),
	KUNIT_CASE(nvemu_parse_param_limit_test),
	KUNIT_CASE(nvemu_strerror_test),
	{}
};

static struct kunit_suite nvemu_param_test_suite = {
	.name = "nvemu_param",
	.test_cases = nvemu_param_test_cases,
};

kunit_test_suite(nvemu_param_test_suite);

MODULE_DESCRIPTION("KUnit tests for the nvemu= boot parameter");
MODULE_LICENSE("GPL");
