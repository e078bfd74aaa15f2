// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: the process area offered to kernel/nvemu
 *
 * The metadata header records the size of the process area, the bytes
 * just below the metadata area, outside every NVDIMM region (meta.c,
 * region.c).  Persistent processes (kernel/nvemu) keep their contexts and
 * memory there.  This file describes the area to kernel/nvemu - the
 * driver's mapping of it, its device offset, its physical ranges - and
 * answers its two questions: which bytes it wrote (for the change record
 * of save and restore) and whether the restore gate is open.  The area
 * is enabled by kernel/nvemu itself, which then claims its physical
 * ranges busy ("nvemu process area"), so that /dev/nvemu0 is not opened
 * for writing meanwhile.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/device.h>
#include <linux/minmax.h>
#include <linux/nvemu.h>
#include <linux/range.h>
#include <linux/vmalloc.h>

#include "nvemu.h"

/* ops.wrote: area offsets are device offsets from the area's start */
static void nvemu_proc_wrote(struct device *dev, u64 offset, u64 len)
{
	struct nvemu_dev *nv = dev_get_drvdata(dev);

	if (offset >= nvemu_proc_size(nv))
		return;
	len = min(len, nvemu_proc_size(nv) - offset);
	nvemu_record_write(nv, nvemu_proc_offset(nv) + offset, len, false);
}

/* ops.gate_open */
static bool nvemu_proc_gate_open(struct device *dev)
{
	return !nvemu_gate_closed(dev_get_drvdata(dev));
}

static const struct nvemu_proc_area_ops nvemu_proc_ops = {
	.wrote = nvemu_proc_wrote,
	.gate_open = nvemu_proc_gate_open,
};

/*
 * The physical ranges of the area, in area order, one per nvemu range it
 * spans (not joined across two ranges even where they touch: each is
 * claimed inside its own "Persistent Memory (nvemu)" resource); returns
 * how many
 */
static unsigned int nvemu_proc_phys(struct nvemu_dev *nv, struct range *phys,
				    unsigned int max)
{
	u64 pos = nvemu_proc_offset(nv), end = pos + nvemu_proc_size(nv);
	struct nvemu_dev_range *prev = NULL;
	unsigned int nr = 0;

	while (pos < end) {
		struct nvemu_dev_range *r;
		u64 off, len;

		r = nvemu_space_step(nv, pos, end, &off, &len);
		/* steps are at most 1 MiB: join those of one range */
		if (r == prev) {
			phys[nr - 1].end += len;
		} else {
			prev = r;
			if (WARN_ON_ONCE(nr == max))
				return 0;
			phys[nr].start = r->phys + off;
			phys[nr].end = r->phys + off + len - 1;
			nr++;
		}
		pos += len;
	}
	return nr;
}

/**
 * nvemu_proc_register() - offer the process area to kernel/nvemu
 * @nv: the device, mapped, its metadata read; registered as the platform
 *	device's driver data (the ops find it there)
 *
 * Nothing happens without an area (or with metadata that is not ours).
 * A refusal by kernel/nvemu is logged, and the device works on without
 * persistent processes.
 */
void nvemu_proc_register(struct nvemu_dev *nv)
{
	struct nvemu_proc_area_desc *d = &nv->proc.desc;
	int rc;

	if (!nv->meta.ours || !nvemu_proc_size(nv))
		return;
	d->dev = nv->dev;
	d->addr = nv->area->addr + nvemu_proc_offset(nv);
	d->size = nvemu_proc_size(nv);
	d->dev_offset = nvemu_proc_offset(nv);
	d->fresh = nv->proc.fresh;
	d->nr_ranges = nvemu_proc_phys(nv, d->phys, ARRAY_SIZE(d->phys));
	d->ops = &nvemu_proc_ops;
	if (!d->nr_ranges)
		return;

	rc = nvemu_proc_area_register(d);
	if (rc) {
		dev_err(nv->dev,
			"process area of %llu MiB at offset %#llx refused: %d; no persistent processes\n",
			d->size >> 20, d->dev_offset, rc);
		return;
	}
	nv->proc.registered = true;
	dev_info(nv->dev, "process area: %llu MiB at offset %#llx in %u range(s)%s\n",
		 d->size >> 20, d->dev_offset, d->nr_ranges,
		 d->fresh ? ", new" : "");
}

/**
 * nvemu_proc_unregister() - take the process area back from kernel/nvemu
 * @nv: the device
 */
void nvemu_proc_unregister(struct nvemu_dev *nv)
{
	if (!nv->proc.registered)
		return;
	nvemu_proc_area_unregister(nv->dev);
	nv->proc.registered = false;
}
