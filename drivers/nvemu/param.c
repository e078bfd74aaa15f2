// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: parser and checks for the nvemu= boot parameter
 *
 * nvemu=SIZE@START[,SIZE@START...]
 *
 * Everything here is pure logic on numbers and strings, so that it can be
 * used from early_param context and tested with KUnit (param_test.c).
 * Placement checks that need the memory map live in reserve.c.
 */
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "nvemu.h"

static const char * const nvemu_errstr[] = {
	[NVEMU_OK]		= "ok",
	[NVEMU_ESYNTAX]		= "expected SIZE@START, e.g. nvemu=512M@0x100000000",
	[NVEMU_EZERO]		= "size is zero",
	[NVEMU_EOVERFLOW]	= "start + size overflows the physical address space",
	[NVEMU_EALIGN]		= "start and size must be multiples of the memory section size",
	[NVEMU_ETOOMANY]	= "too many ranges (at most " __stringify(NVEMU_MAX_RANGES) ")",
	[NVEMU_EOVERLAP]	= "overlaps a range given earlier",
	[NVEMU_ENOTRAM]		=
		"not entirely System RAM (a hole, firmware-reserved memory or beyond the end of RAM; see /proc/iomem)",
	[NVEMU_EKERNEL]		= "overlaps the kernel image",
	[NVEMU_EINITRD]		= "overlaps the initrd",
	[NVEMU_ENOMAP]		= "overlaps firmware memory that must not be mapped",
	[NVEMU_ERESERVED]	= "overlaps memory reserved by firmware or early boot",
};

/**
 * nvemu_range_strerror() - describe why a range was refused
 * @err: the reason
 *
 * Return: a constant human-readable string, never NULL.
 */
const char *nvemu_range_strerror(enum nvemu_range_err err)
{
	if ((unsigned int)err >= ARRAY_SIZE(nvemu_errstr) || !nvemu_errstr[err])
		return "unknown error";
	return nvemu_errstr[err];
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_range_strerror);

/*
 * Parse one number with an optional binary K/M/G/T/P/E suffix, in decimal
 * or, with a 0x prefix, in hex.  Unlike memparse(), overflow is detected
 * and nothing beyond @end is read.
 */
static int nvemu_parse_num(const char **pp, const char *end, u64 *val)
{
	const char *s = *pp;
	unsigned int base = 10, shift = 0;
	bool digits = false;
	u64 v = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < end; s++) {
		int d = hex_to_bin(*s);

		if (d < 0 || d >= base)
			break;
		if (v > (U64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		digits = true;
	}
	if (!digits)
		return -EINVAL;
	if (s < end) {
		switch (*s) {
		case 'E': case 'e':
			shift += 10;
			fallthrough;
		case 'P': case 'p':
			shift += 10;
			fallthrough;
		case 'T': case 't':
			shift += 10;
			fallthrough;
		case 'G': case 'g':
			shift += 10;
			fallthrough;
		case 'M': case 'm':
			shift += 10;
			fallthrough;
		case 'K': case 'k':
			shift += 10;
			s++;
			break;
		}
	}
	if (shift && v > (U64_MAX >> shift))
		return -ERANGE;
	*val = v << shift;
	*pp = s;
	return 0;
}

/**
 * nvemu_parse_item() - parse one SIZE@START item
 * @item: the text, not necessarily NUL-terminated
 * @len: length of @item
 * @range: filled with the parsed range on success
 *
 * Return: NVEMU_OK, NVEMU_ESYNTAX if @item is not exactly SIZE@START, or
 * NVEMU_EOVERFLOW if a number does not fit in 64 bits.
 */
enum nvemu_range_err nvemu_parse_item(const char *item, size_t len,
				      struct nvemu_range *range)
{
	const char *p = item, *end = item + len;
	u64 size, start;
	int ret;

	ret = nvemu_parse_num(&p, end, &size);
	if (ret)
		return ret == -ERANGE ? NVEMU_EOVERFLOW : NVEMU_ESYNTAX;
	if (p == end || *p != '@')
		return NVEMU_ESYNTAX;
	p++;
	ret = nvemu_parse_num(&p, end, &start);
	if (ret)
		return ret == -ERANGE ? NVEMU_EOVERFLOW : NVEMU_ESYNTAX;
	if (p != end)
		return NVEMU_ESYNTAX;
	range->start = start;
	range->size = size;
	return NVEMU_OK;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_parse_item);

/**
 * nvemu_check_range() - check a parsed range against the rules and earlier ranges
 * @range: the range to check
 * @align: required alignment of start and size (a power of two)
 * @table: ranges accepted so far
 * @nr: number of entries in @table
 * @conflict: set to the index in @table of the overlapped range, for
 *	NVEMU_EOVERLAP
 *
 * Return: NVEMU_OK or the first rule @range breaks, checked in the order
 * size, overflow, alignment, count, overlap.
 */
enum nvemu_range_err nvemu_check_range(const struct nvemu_range *range,
				       u64 align,
				       const struct nvemu_range *table,
				       unsigned int nr, unsigned int *conflict)
{
	unsigned int i;

	if (!range->size)
		return NVEMU_EZERO;
	if (range->start + range->size - 1 < range->start)
		return NVEMU_EOVERFLOW;
	if (!IS_ALIGNED(range->start, align) || !IS_ALIGNED(range->size, align))
		return NVEMU_EALIGN;
	if (nr >= NVEMU_MAX_RANGES)
		return NVEMU_ETOOMANY;
	for (i = 0; i < nr; i++) {
		if (nvemu_range_overlaps(range, table[i].start, table[i].size)) {
			*conflict = i;
			return NVEMU_EOVERLAP;
		}
	}
	return NVEMU_OK;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_check_range);

/**
 * nvemu_parse_param() - parse an nvemu= value and add its valid ranges
 * @str: the value, a comma-separated list of SIZE@START items
 * @align: required alignment of start and size
 * @table: ranges accepted so far; new ones are appended
 * @nr: number of entries already in @table
 * @report: called once for every refused item
 * @ctx: passed to @report
 *
 * A refused item never prevents the following items from being parsed.
 *
 * Return: the new number of entries in @table.
 */
unsigned int nvemu_parse_param(const char *str, u64 align,
			       struct nvemu_range *table, unsigned int nr,
			       nvemu_report_fn report, void *ctx)
{
	const char *item = str ? str : "";

	for (;;) {
		size_t len = strchrnul(item, ',') - item;
		struct nvemu_range range = { };
		enum nvemu_range_err err;
		unsigned int conflict = 0;

		err = nvemu_parse_item(item, len, &range);
		if (err == NVEMU_OK)
			err = nvemu_check_range(&range, align, table, nr,
						&conflict);
		if (err == NVEMU_OK)
			table[nr++] = range;
		else
			report(ctx, item, len, &range, err,
			       err == NVEMU_EOVERLAP ? &table[conflict] : NULL);
		if (item[len] != ',')
			break;
		item += len + 1;
	}
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_parse_param);
