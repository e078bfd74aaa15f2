// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: the NVDIMM bus provider
 *
 * Registers an NVDIMM bus, provider "nvemu", and on it label-less
 * persistent-memory regions over the device offset space below the
 * process area and the metadata area (both at the end, nvemu.h):
 * one region made of all ranges (nvemu.merge=1, the default), or one region
 * per range (nvemu.merge=0).  With one region per range, a range that
 * holds the start of the process area gets a region that ends there, and
 * the ranges after it, wholly inside the process and metadata areas, get
 * none.  libnvdimm's pmem, BTT, pfn and device-dax drivers and
 * ndctl then work on them.  Registration is all or nothing: if one region
 * of several cannot be created, those created before it are deleted, so
 * that a later attempt (the restore gate opening again) starts afresh.
 */
#include <linux/device.h>
#include <linux/libnvdimm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "nvemu.h"

/* What every region of nvemu has: pages for DAX, the node, the record */
static void nvemu_region_desc(struct nvemu_dev_range *r,
			      struct nd_region_desc *ndr_desc)
{
	nvemu_record_region_desc(r, ndr_desc);
	ndr_desc->numa_node = numa_map_to_online_node(r->nid);
	ndr_desc->target_node = r->nid;
	set_bit(ND_REGION_PAGEMAP, &ndr_desc->flags);
}

static struct nd_region *nvemu_region_create_merged(struct nvemu_dev *nv)
{
	struct range *extents __free(kfree) = NULL;
	struct nd_region_desc ndr_desc = { };
	u64 left = nvemu_regions_end(nv);
	struct nd_region *region;
	unsigned int i;

	extents = kcalloc(nv->nr, sizeof(*extents), GFP_KERNEL);
	if (!extents)
		return NULL;
	/* each range is one extent of the region, in offset order */
	for (i = 0; i < nv->nr && left; i++) {
		u64 len = min(nv->range[i].size, left);

		extents[i].start = nv->range[i].phys;
		extents[i].end = nv->range[i].phys + len - 1;
		left -= len;
	}
	ndr_desc.extents = extents;
	ndr_desc.nr_extents = i;
	ndr_desc.virt = nv->area->addr;
	nvemu_region_desc(&nv->range[0], &ndr_desc);
	/* the region keeps a copy of the extents */
	region = nvdimm_pmem_region_create(nv->bus.bus, &ndr_desc);
	if (!region)
		dev_err(nv->dev, "cannot create the NVDIMM region of %u ranges\n",
			i);
	return region;
}

static struct nd_region *nvemu_region_create_one(struct nvemu_dev *nv,
						 unsigned int i)
{
	struct nvemu_dev_range *r = &nv->range[i];
	u64 len = min(r->size, nvemu_regions_end(nv) - r->offset);
	struct resource res = DEFINE_RES_MEM(r->phys, len);
	struct nd_region_desc ndr_desc = { };
	struct nd_region *region;

	ndr_desc.res = &res;
	nvemu_region_desc(r, &ndr_desc);
	region = nvdimm_pmem_region_create(nv->bus.bus, &ndr_desc);
	if (!region)
		dev_err(nv->dev, "cannot create the NVDIMM region for %pR\n",
			r->res);
	return region;
}

/* Regions of nvemu.merge=0: one per range that starts below the end */
static unsigned int nvemu_nr_regions(struct nvemu_dev *nv)
{
	unsigned int nr = 0;

	while (nr < nv->nr && nv->range[nr].offset < nvemu_regions_end(nv))
		nr++;
	return nr;
}

/**
 * nvemu_regions_register() - create the NVDIMM regions
 * @nv: the device, nv->lock held; no region registered yet
 *
 * One region over all ranges, or one per range (nvemu.merge=0) that
 * starts below the process area, each ending at the latest where it
 * begins.  libnvdimm then probes their namespaces, asynchronously.  On failure no
 * region is left registered.
 *
 * Return: 0 or -ENXIO.
 */
int nvemu_regions_register(struct nvemu_dev *nv)
{
	struct nvemu_bus *b = &nv->bus;
	unsigned int i, nr = b->merged ? 1 : nvemu_nr_regions(nv);

	lockdep_assert_held(&nv->lock);
	if (WARN_ON_ONCE(b->nr_regions))
		return -EEXIST;

	for (i = 0; i < nr; i++) {
		b->regions[i] = b->merged ? nvemu_region_create_merged(nv) :
			nvemu_region_create_one(nv, i);
		if (!b->regions[i])
			goto err_delete_regions;
	}
	b->nr_regions = nr;
	return 0;

err_delete_regions:
	while (i--)
		nvdimm_region_delete(b->regions[i]);
	return -ENXIO;
}

/**
 * nvemu_bus_register() - register the NVDIMM bus, without regions
 * @nv: the device
 * @merged: one region over all ranges rather than one per range
 *
 * Return: 0 or a negative errno.
 */
int nvemu_bus_register(struct nvemu_dev *nv, bool merged)
{
	struct nvemu_bus *b = &nv->bus;

	b->merged = merged;
	b->regions = devm_kcalloc(nv->dev, nv->nr, sizeof(*b->regions),
				  GFP_KERNEL);
	if (!b->regions)
		return -ENOMEM;
	b->desc.provider_name = NVEMU_DRV_NAME;
	b->desc.module = THIS_MODULE;
	b->bus = nvdimm_bus_register(nv->dev, &b->desc);
	return b->bus ? 0 : -ENXIO;
}

/**
 * nvemu_bus_unregister() - unregister the bus and its regions
 * @nv: the device
 */
void nvemu_bus_unregister(struct nvemu_dev *nv)
{
	nvdimm_bus_unregister(nv->bus.bus);
}
