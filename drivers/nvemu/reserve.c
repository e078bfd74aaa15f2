// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: early reservation of the nvemu= ranges
 *
 * The boot parameter is parsed as early_param, checked for syntax,
 * alignment and overlaps, and remembered.  The architecture then calls
 * nvemu_reserve() from setup_arch() once memblock describes System RAM
 * and the early reservations (kernel, initrd, firmware tables) are made:
 * each range is checked against them and removed from memblock, so that
 * the page allocator never sees it and no struct pages or linear mapping
 * are created for it.  An arch_initcall finally registers the platform
 * device "nvemu" whose resources, named "Persistent Memory (nvemu)", are
 * the accepted ranges; drivers/nvemu/core.c binds to it.
 *
 * Every refused range gets one "nvemu:" line in the kernel log and the
 * remaining ranges still work.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/mmzone.h>
#include <linux/initrd.h>
#include <linux/ioport.h>
#include <linux/platform_device.h>
#include <linux/sort.h>
#include <asm/sections.h>

#include "nvemu.h"

/* Ranges as given on the command line, in order, after the syntax checks */
static struct nvemu_range nvemu_param_ranges[NVEMU_MAX_RANGES] __initdata;
static unsigned int nvemu_param_nr __initdata;

/* Ranges that survived nvemu_reserve(), sorted by start address */
static struct nvemu_range nvemu_ranges[NVEMU_MAX_RANGES] __initdata;
static unsigned int nvemu_nr __initdata;

static void __init nvemu_report_param(void *ctx, const char *item, size_t len,
				      const struct nvemu_range *r,
				      enum nvemu_range_err err,
				      const struct nvemu_range *other)
{
	switch (err) {
	case NVEMU_EALIGN:
		pr_err("ignoring '%.*s': %s (%llu MiB)\n", (int)len, item,
		       nvemu_range_strerror(err), NVEMU_ALIGN >> 20);
		break;
	case NVEMU_EOVERLAP:
		pr_err("ignoring '%.*s': %s: [mem %#010llx-%#010llx]\n",
		       (int)len, item, nvemu_range_strerror(err), other->start,
		       other->start + other->size - 1);
		break;
	default:
		pr_err("ignoring '%.*s': %s\n", (int)len, item,
		       nvemu_range_strerror(err));
		break;
	}
}

static int __init nvemu_setup(char *str)
{
	nvemu_param_nr = nvemu_parse_param(str, NVEMU_ALIGN, nvemu_param_ranges,
					   nvemu_param_nr, nvemu_report_param,
					   NULL);
	/* Always handled: a bad value is reported above, never passed to init */
	return 0;
}
early_param("nvemu", nvemu_setup);

static bool __init nvemu_overlaps_nomap(const struct nvemu_range *r)
{
	struct memblock_region *reg;

	for_each_mem_region(reg) {
		if (memblock_is_nomap(reg) &&
		    nvemu_range_overlaps(r, reg->base, reg->size))
			return true;
	}
	return false;
}

static enum nvemu_range_err __init
nvemu_check_placement(const struct nvemu_range *r, phys_addr_t initrd_start,
		      u64 initrd_size)
{
	phys_addr_t ktext = __pa_symbol(_text);
	phys_addr_t kend = __pa_symbol(_end);

	if (nvemu_range_overlaps(r, ktext, kend - ktext))
		return NVEMU_EKERNEL;
	if (nvemu_range_overlaps(r, initrd_start, initrd_size))
		return NVEMU_EINITRD;
	if (!memblock_is_region_memory(r->start, r->size))
		return NVEMU_ENOTRAM;
	if (nvemu_overlaps_nomap(r))
		return NVEMU_ENOMAP;
	if (memblock_is_region_reserved(r->start, r->size))
		return NVEMU_ERESERVED;
	return NVEMU_OK;
}

static int __init nvemu_cmp_range(const void *a, const void *b)
{
	const struct nvemu_range *ra = a, *rb = b;

	if (ra->start == rb->start)
		return 0;
	return ra->start < rb->start ? -1 : 1;
}

/**
 * nvemu_reserve() - take the nvemu= ranges away from the page allocator
 * @initrd_start: physical start of the initrd, 0 if none
 * @initrd_size: size of the initrd in bytes, 0 if none
 * @take: architecture hook called for every accepted range, may be NULL
 *
 * Must be called once from setup_arch(), after memblock holds all System
 * RAM and the early reservations, and before memblock allocations or the
 * linear mapping are made.  Ranges that overlap the kernel image, the
 * initrd, firmware-reserved or no-map memory, or that are not entirely
 * System RAM, are reported and skipped.
 */
void __init nvemu_reserve(phys_addr_t initrd_start, u64 initrd_size,
			  nvemu_take_fn take)
{
	unsigned int i;

	sort(nvemu_param_ranges, nvemu_param_nr, sizeof(nvemu_param_ranges[0]),
	     nvemu_cmp_range, NULL);

	for (i = 0; i < nvemu_param_nr; i++) {
		struct nvemu_range *r = &nvemu_param_ranges[i];
		enum nvemu_range_err err;

		err = nvemu_check_placement(r, initrd_start, initrd_size);
		if (err) {
			pr_err("ignoring [mem %#010llx-%#010llx]: %s\n",
			       r->start, r->start + r->size - 1,
			       nvemu_range_strerror(err));
			continue;
		}
		memblock_remove(r->start, r->size);
		if (take)
			take(r->start, r->size);
		nvemu_ranges[nvemu_nr++] = *r;
		pr_info("reserved [mem %#010llx-%#010llx] (%llu MiB) as emulated NVM\n",
			r->start, r->start + r->size - 1, r->size >> 20);
	}
}

static int __init nvemu_add_device(void)
{
	static struct resource res[NVEMU_MAX_RANGES] __initdata;
	struct platform_device_info info = {
		.name = NVEMU_DRV_NAME,
		.id = PLATFORM_DEVID_NONE,
		.res = res,
		.num_res = nvemu_nr,
	};
	struct platform_device *pdev;
	unsigned int i;

	if (!nvemu_nr)
		return 0;

	for (i = 0; i < nvemu_nr; i++) {
		res[i] = DEFINE_RES_MEM_NAMED(nvemu_ranges[i].start,
					      nvemu_ranges[i].size, NVEMU_RES_NAME);
		res[i].desc = IORES_DESC_PERSISTENT_MEMORY;
	}

	pdev = platform_device_register_full(&info);
	if (IS_ERR(pdev)) {
		pr_err("cannot register the platform device: %pe\n", pdev);
		return PTR_ERR(pdev);
	}
	return 0;
}
arch_initcall(nvemu_add_device);
