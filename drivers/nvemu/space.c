// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: the device offset space
 *
 * All ranges, concatenated in ascending physical order, form one offset
 * space from 0 to nv->size: the bytes of /dev/nvemuN and of the merged
 * NVDIMM region.  This file maps it into one virtually contiguous,
 * write-back kernel mapping and finds the range that holds an offset.
 */
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/vmalloc.h>

#include "nvemu.h"

/* Bytes handled between two cond_resched() in read(), write(), fsync() */
#define NVEMU_STEP_MAX	SZ_1M

/**
 * nvemu_range_at() - the range that holds a device offset
 * @nv: the device
 * @off: device offset, below nv->size
 *
 * Return: the range.
 */
struct nvemu_dev_range *nvemu_range_at(struct nvemu_dev *nv, u64 off)
{
	unsigned int lo = 0, hi = nv->nr;

	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (off < nv->range[mid].offset)
			hi = mid;
		else
			lo = mid;
	}
	return &nv->range[lo];
}

/**
 * nvemu_space_step() - the next step of a walk over device bytes
 * @nv: the device
 * @pos: where the step starts, below @end and nv->size
 * @end: end of the bytes walked
 * @off: set to the offset of @pos in the returned range
 * @len: set to the length of the step: within one range, at most 1 MiB
 *
 * Return: the range that holds the step.
 */
struct nvemu_dev_range *nvemu_space_step(struct nvemu_dev *nv, u64 pos,
					 u64 end, u64 *off, u64 *len)
{
	struct nvemu_dev_range *r = nvemu_range_at(nv, pos);

	*off = pos - r->offset;
	*len = min3(end - pos, r->size - *off, (u64)NVEMU_STEP_MAX);
	return r;
}

/**
 * nvemu_space_map() - map all ranges back to back
 * @nv: the device, its ranges filled in
 *
 * One virtually contiguous, write-back mapping with PMD (and PUD) leaves
 * wherever alignment allows; libnvdimm uses it for a region of several
 * ranges.  Sets nv->area and each range's @virt.
 *
 * Return: 0 or a negative errno.
 */
int nvemu_space_map(struct nvemu_dev *nv)
{
	unsigned int i;

	nv->area = get_vm_area(nv->size, VM_IOREMAP);
	if (!nv->area)
		return -ENOMEM;
	for (i = 0; i < nv->nr; i++) {
		struct nvemu_dev_range *r = &nv->range[i];
		unsigned long va = (unsigned long)nv->area->addr + r->offset;
		int rc;

		rc = vmap_page_range(va, va + r->size, r->phys, PAGE_KERNEL);
		if (rc) {
			free_vm_area(nv->area);
			return rc;
		}
		r->virt = (void *)va;
	}
	return 0;
}

/**
 * nvemu_space_unmap() - undo nvemu_space_map()
 * @nv: the device
 */
void nvemu_space_unmap(struct nvemu_dev *nv)
{
	free_vm_area(nv->area);
}
