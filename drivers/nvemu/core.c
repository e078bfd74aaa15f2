// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: probe and remove of the platform device "nvemu"
 *
 * The platform device (see reserve.c) carries one memory resource per
 * accepted nvemu= range, sorted by address.  Probe places the ranges in
 * the device offset space and maps them (space.c), reads the metadata
 * (meta.c), takes the save/restore state (state.c) and the record of
 * changes (changed.c), registers the NVDIMM bus and, unless the content
 * belongs to another layout or waits behind the restore gate, its regions
 * (region.c), then /dev/nvemu0 (cdev.c), and finally offers the process
 * area to kernel/nvemu (proc.c).  Remove undoes it in reverse.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/cleanup.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/numa.h>
#include <linux/nodemask.h>
#include <linux/platform_device.h>
#include <linux/vmalloc.h>

#include "nvemu.h"

static bool merge = true;
module_param(merge, bool, 0444);
MODULE_PARM_DESC(merge, "One NVDIMM region over all ranges (default: 1)");

/* Fill in one range from its platform resource, at device offset @offset */
static int nvemu_range_init(struct nvemu_dev *nv, struct nvemu_dev_range *r,
			    struct resource *res, u64 offset)
{
	void *virt;

	r->nv = nv;
	r->res = res;
	r->phys = res->start;
	r->size = resource_size(res);
	r->offset = offset;
	r->nid = phys_to_target_node(res->start);
	/*
	 * Without a firmware NUMA description the only node's span ends at
	 * the last memblock memory, which may be below a range taken from
	 * the top of RAM.
	 */
	if (r->nid == NUMA_NO_NODE && num_online_nodes() == 1)
		r->nid = first_online_node;
	/*
	 * Not used for access: on x86 this records the write-back memory
	 * type that user mappings of the device inherit.
	 */
	virt = devm_memremap(nv->dev, res->start, r->size, MEMREMAP_WB);
	if (IS_ERR(virt)) {
		dev_err(nv->dev, "cannot map %pR: %pe\n", res, virt);
		return PTR_ERR(virt);
	}
	return 0;
}

static void nvemu_space_unmap_action(void *data)
{
	nvemu_space_unmap(data);
}

/* The ranges, placed back to back in the device offset space, mapped */
static int nvemu_space_init(struct nvemu_dev *nv,
			    struct platform_device *pdev)
{
	u64 offset = 0;
	unsigned int i;
	int rc;

	for (i = 0; i < nv->nr; i++) {
		struct resource *res;

		res = platform_get_resource(pdev, IORESOURCE_MEM, i);
		if (!res)
			return -ENODEV;
		rc = nvemu_range_init(nv, &nv->range[i], res, offset);
		if (rc)
			return rc;
		offset += nv->range[i].size;
	}
	nv->size = offset;

	rc = nvemu_space_map(nv);
	if (rc) {
		dev_err(nv->dev, "cannot map the ranges: %d\n", rc);
		return rc;
	}
	nv->meta.nvm = nv->area->addr + nvemu_meta_offset(nv);
	return devm_add_action_or_reset(nv->dev, nvemu_space_unmap_action, nv);
}

static const char *nvemu_regions_desc(struct nvemu_dev *nv)
{
	if (!nv->meta.ours)
		return "no region";
	if (nvemu_gate_closed(nv))
		return "no region until restored";
	return nv->bus.merged ? "one region" : "one region per range";
}

static int nvemu_probe(struct platform_device *pdev)
{
	unsigned int nr = pdev->num_resources;
	struct device *dev = &pdev->dev;
	enum nvemu_meta_found found;
	struct nvemu_dev *nv;
	int rc;

	if (!nr || nr > NVEMU_MAX_RANGES)
		return -ENODEV;
	nv = devm_kzalloc(dev, struct_size(nv, range, nr), GFP_KERNEL);
	if (!nv)
		return -ENOMEM;
	nv->nr = nr;
	nv->dev = dev;
	mutex_init(&nv->lock);

	rc = nvemu_space_init(nv, pdev);
	if (rc)
		return rc;
	rc = nvemu_bus_register(nv, merge && nr > 1);
	if (rc)
		return rc;

	/*
	 * On a layout mismatch the raw device still comes up, for recovery;
	 * behind the restore gate the regions come when user space reports
	 * the restore done or abandoned.
	 */
	scoped_guard(mutex, &nv->lock) {
		found = nvemu_meta_read(nv, nv->bus.merged);
		nvemu_state_boot(nv, found);
		rc = nvemu_record_init(nv);
		if (!rc && nv->meta.ours && !nvemu_gate_closed(nv))
			rc = nvemu_regions_register(nv);
	}
	if (rc)
		goto err_unregister_bus;

	rc = nvemu_cdev_register(nv);
	if (rc)
		goto err_unregister_bus;

	/* the process area's ops find the device here */
	platform_set_drvdata(pdev, nv);
	dev_info(dev, "/dev/%s: %u range(s), %llu MiB of emulated NVM in %s\n",
		 nv->cdev.name, nv->nr, nv->size >> 20, nvemu_regions_desc(nv));
	nvemu_proc_register(nv);
	return 0;

err_unregister_bus:
	nvemu_bus_unregister(nv);
	return rc;
}

static void nvemu_remove(struct platform_device *pdev)
{
	struct nvemu_dev *nv = platform_get_drvdata(pdev);

	nvemu_proc_unregister(nv);
	nvemu_cdev_unregister(nv);
	nvemu_bus_unregister(nv);
}

static struct platform_driver nvemu_driver = {
	.probe = nvemu_probe,
	.remove_new = nvemu_remove,
	.driver = {
		.name = NVEMU_DRV_NAME,
		.dev_groups = nvemu_attr_groups,
		/* Open files and mappings pin the device: no manual unbind */
		.suppress_bind_attrs = true,
	},
};
module_platform_driver(nvemu_driver);

MODULE_DESCRIPTION("nvemu: DRAM-backed emulated non-volatile memory");
MODULE_LICENSE("GPL");
