// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: parser and checks for the nvemu= boot parameter
 *
 * nvemu=SIZE@START[,SIZE@START...]
 *
 * Everything here is pure logic on numbers and strings, so that it can be
 * used from early_param context and tested with KUnit (param_kunit.c).
 * Placement checks that need the memory map live in reserve.c.
 *
 * Also nvemu.proc_size=SIZE, the size of the process area of NVM
 * formatted at this boot, and the rules that choose that size.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/sysfs.h>
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

/**
 * nvemu_proc_parse() - parse a value of nvemu.proc_size
 * @val: "auto", or a size with an optional binary suffix (K, M, G, T...),
 *	in decimal or hex; one trailing newline is allowed (sysfs)
 * @size: set to the size, or NVEMU_PROC_SIZE_AUTO for "auto"
 *
 * The syntax is memparse()'s, with overflow detected as for nvemu=.
 *
 * Return: 0; -EINVAL if @val is not a size, or the size is not a multiple
 * of NVEMU_PROC_ALIGN (then @size is left alone).
 */
int nvemu_proc_parse(const char *val, u64 *size)
{
	const char *p = val, *end;
	u64 v;

	if (!val)
		return -EINVAL;
	end = val + strlen(val);
	if (end > val && end[-1] == '\n')
		end--;
	if (end - val == 4 && !strncmp(val, "auto", 4)) {
		*size = NVEMU_PROC_SIZE_AUTO;
		return 0;
	}
	if (nvemu_parse_num(&p, end, &v) || p != end ||
	    !IS_ALIGNED(v, NVEMU_PROC_ALIGN) || v == NVEMU_PROC_SIZE_AUTO)
		return -EINVAL;
	*size = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_proc_parse);

/**
 * nvemu_proc_default_size() - the process area's size when none is given
 * @total: size of the device, the sum of the ranges
 *
 * Return: a quarter of @total rounded down to NVEMU_PROC_ALIGN if @total
 * is at least NVEMU_PROC_DEFAULT_MIN, else 0 (no area).
 */
u64 nvemu_proc_default_size(u64 total)
{
	if (total < NVEMU_PROC_DEFAULT_MIN)
		return 0;
	return round_down(total / 4, NVEMU_PROC_ALIGN);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_proc_default_size);

/**
 * nvemu_proc_max_size() - the largest process area a device may have
 * @total: size of the device
 *
 * The area lies between the regions and the metadata area; the regions
 * keep at least NVEMU_PROC_ALIGN bytes.
 *
 * Return: @total less NVEMU_META_SIZE and NVEMU_PROC_ALIGN, rounded down to
 * NVEMU_PROC_ALIGN; 0 for a device too small for that.
 */
u64 nvemu_proc_max_size(u64 total)
{
	if (total < NVEMU_META_SIZE + 2 * NVEMU_PROC_ALIGN)
		return 0;
	return round_down(total - NVEMU_META_SIZE - NVEMU_PROC_ALIGN,
			  NVEMU_PROC_ALIGN);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_proc_max_size);

/**
 * nvemu_proc_choose() - the process area's size for NVM formatted now
 * @total: size of the device
 * @param: the value of nvemu.proc_size, or NVEMU_PROC_SIZE_AUTO
 *
 * Return: @param, or the default for NVEMU_PROC_SIZE_AUTO, reduced to
 * nvemu_proc_max_size(@total) if larger.
 */
u64 nvemu_proc_choose(u64 total, u64 param)
{
	u64 want = param == NVEMU_PROC_SIZE_AUTO ?
		   nvemu_proc_default_size(total) : param;

	return min(want, nvemu_proc_max_size(total));
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_proc_choose);

static u64 proc_size = NVEMU_PROC_SIZE_AUTO;

/**
 * nvemu_proc_size_param() - the value of nvemu.proc_size
 *
 * Return: the size given, or NVEMU_PROC_SIZE_AUTO if none was.
 */
u64 nvemu_proc_size_param(void)
{
	return READ_ONCE(proc_size);
}

/* A bad value is refused when given, with a message; the last good stays */
static int proc_size_set(const char *val, const struct kernel_param *kp)
{
	u64 size;

	if (nvemu_proc_parse(val, &size)) {
		if (proc_size == NVEMU_PROC_SIZE_AUTO)
			pr_err("proc_size=%s is not \"auto\" or a multiple of %u MiB, keeping auto\n",
			       val, NVEMU_PROC_ALIGN >> 20);
		else
			pr_err("proc_size=%s is not \"auto\" or a multiple of %u MiB, keeping %llu MiB\n",
			       val, NVEMU_PROC_ALIGN >> 20, proc_size >> 20);
		return -EINVAL;
	}
	WRITE_ONCE(proc_size, size);
	return 0;
}

static int proc_size_get(char *buf, const struct kernel_param *kp)
{
	u64 size = nvemu_proc_size_param();

	if (size == NVEMU_PROC_SIZE_AUTO)
		return sysfs_emit(buf, "auto\n");
	return sysfs_emit(buf, "%llu\n", size);
}

static const struct kernel_param_ops proc_size_ops = {
	.set = proc_size_set,
	.get = proc_size_get,
};
module_param_cb(proc_size, &proc_size_ops, &proc_size, 0444);
MODULE_PARM_DESC(proc_size,
		 "Size of the process area of NVM formatted at boot (default: auto, a quarter of the device from 256M; 0: none)");
