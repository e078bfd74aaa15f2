// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: the NVDIMM bus provider and the /dev/nvemuN raw character device
 *
 * The platform device "nvemu" (see reserve.c) carries one memory resource
 * per accepted nvemu= range, sorted by address.  This driver
 *  - maps all ranges, concatenated in ascending physical order, into one
 *    virtually contiguous kernel mapping: the device offset space;
 *  - registers an NVDIMM bus, provider "nvemu", with one label-less
 *    persistent-memory region made of all ranges (nvemu.merge=1, the
 *    default) or one region per range (nvemu.merge=0), so that libnvdimm's
 *    pmem, BTT, pfn and device-dax drivers and ndctl work on it;
 *  - keeps its metadata in the last NVEMU_META_SIZE bytes, outside of the
 *    regions;
 *  - exposes the whole offset space as the character device /dev/nvemu0:
 *    read/write/lseek, MAP_SHARED mmap with PMD mappings where possible,
 *    and the ioctls of <uapi/linux/nvemu.h>.  Opening it for writing
 *    claims every range, so it fails with EBUSY while a namespace is
 *    enabled, and no namespace can be enabled while it is open for writing.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/libnvdimm.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/numa.h>
#include <linux/pfn_t.h>
#include <linux/platform_device.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "nvemu.h"

/* Bytes copied between two cond_resched() in read() and write() */
#define NVEMU_IO_CHUNK	SZ_1M

static bool merge = true;
module_param(merge, bool, 0444);
MODULE_PARM_DESC(merge, "One NVDIMM region over all ranges (default: 1)");

static struct nvemu_dev *file_to_nvemu(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct nvemu_dev, misc);
}

/**
 * nvemu_find() - the extent that holds a device offset
 * @nv: the device
 * @off: device offset, below nv->size
 *
 * Return: the extent.
 */
struct nvemu_extent *nvemu_find(struct nvemu_dev *nv, u64 off)
{
	unsigned int lo = 0, hi = nv->nr;

	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (off < nv->ext[mid].offset)
			hi = mid;
		else
			lo = mid;
	}
	return &nv->ext[lo];
}

/*
 * The piece of the device bytes [pos, end) that starts at @pos and lies in
 * one extent, at most NVEMU_IO_CHUNK long: its extent, the offset in that
 * extent (*off) and its length (*len).  @pos must be below @end and
 * nv->size.
 */
static struct nvemu_extent *nvemu_piece(struct nvemu_dev *nv, u64 pos,
					u64 end, u64 *off, u64 *len)
{
	struct nvemu_extent *e = nvemu_find(nv, pos);

	*off = pos - e->offset;
	*len = min3(end - pos, e->size - *off, (u64)NVEMU_IO_CHUNK);
	return e;
}

/**
 * nvemu_unclaim() - release the claims of the first extents
 * @nv: the device, nv->lock held
 * @nr: how many extents, from the first, are claimed
 */
void nvemu_unclaim(struct nvemu_dev *nv, unsigned int nr)
{
	while (nr--)
		release_mem_region(nv->ext[nr].phys, nv->ext[nr].size);
}

/**
 * nvemu_claim() - claim every extent busy in the iomem resource tree
 * @nv: the device, nv->lock held
 *
 * Writers claim every extent busy, as a namespace driver does: the two
 * exclude each other through the iomem resource tree, atomically.
 *
 * Return: 0, or -EBUSY if something else holds an extent.
 */
int nvemu_claim(struct nvemu_dev *nv)
{
	unsigned int i;

	for (i = 0; i < nv->nr; i++) {
		if (!request_mem_region(nv->ext[i].phys, nv->ext[i].size,
					nv->name)) {
			nvemu_unclaim(nv, i);
			return -EBUSY;
		}
	}
	return 0;
}

static int nvemu_open(struct inode *inode, struct file *file)
{
	struct nvemu_dev *nv = file_to_nvemu(file);
	int rc = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	mutex_lock(&nv->lock);
	/* behind the restore gate only the restore path writes */
	if (nv->gate && !capable(CAP_SYS_ADMIN))
		rc = -EPERM;
	else if (!nv->writers)
		rc = nvemu_claim(nv);
	if (!rc)
		nv->writers++;
	mutex_unlock(&nv->lock);
	return rc;
}

static int nvemu_release(struct inode *inode, struct file *file)
{
	struct nvemu_dev *nv = file_to_nvemu(file);

	mutex_lock(&nv->lock);
	nvemu_changed_release(nv, file);
	if ((file->f_mode & FMODE_WRITE) && !--nv->writers)
		nvemu_unclaim(nv, nv->nr);
	mutex_unlock(&nv->lock);
	return 0;
}

static loff_t nvemu_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence,
				 file_to_nvemu(file)->size);
}

static ssize_t nvemu_rw(struct kiocb *iocb, struct iov_iter *iter, bool write)
{
	struct nvemu_dev *nv = file_to_nvemu(iocb->ki_filp);
	size_t count = iov_iter_count(iter);
	loff_t start = iocb->ki_pos, pos = start;
	size_t done = 0;

	if (!count)
		return 0;
	if (pos < 0)
		return -EINVAL;
	if (pos >= nv->size)
		return write ? -ENOSPC : 0;
	count = min_t(u64, count, nv->size - pos);

	while (done < count) {
		struct nvemu_extent *e;
		u64 off, chunk;
		size_t n;

		e = nvemu_piece(nv, pos, pos + count - done, &off, &chunk);
		if (write)
			n = _copy_from_iter_flushcache(e->virt + off, chunk, iter);
		else
			n = copy_to_iter(e->virt + off, chunk, iter);
		done += n;
		pos += n;
		if (n < chunk || fatal_signal_pending(current))
			break;
		cond_resched();
	}
	if (!done)
		return -EFAULT;
	if (write)
		nvemu_note(nv, start, done, false);
	iocb->ki_pos = pos;
	return done;
}

static ssize_t nvemu_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return nvemu_rw(iocb, to, false);
}

static ssize_t nvemu_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return nvemu_rw(iocb, from, true);
}

/*
 * Page faults on a MAP_SHARED mapping: the mapping is VM_PFNMAP (the
 * memory has no struct pages), filled on demand with PTEs, or with PMD
 * leaves where the virtual address, the device offset and the physical
 * address are all PMD-aligned and the PMD lies within one extent.
 */
static vm_fault_t nvemu_fault_pte(struct nvemu_dev *nv, struct vm_fault *vmf)
{
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	struct nvemu_extent *e;

	if (off >= nv->size)
		return VM_FAULT_SIGBUS;
	e = nvemu_find(nv, off);
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      PHYS_PFN(e->phys + off - e->offset));
}

static vm_fault_t nvemu_fault_pmd(struct nvemu_dev *nv, struct vm_fault *vmf)
{
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PMD_MASK;
	struct nvemu_extent *e;
	phys_addr_t phys;
	u64 off;

	if (addr < vma->vm_start || addr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	off = ((u64)(addr - vma->vm_start) + ((u64)vma->vm_pgoff << PAGE_SHIFT));
	if (off >= nv->size || !IS_ALIGNED(off, PMD_SIZE))
		return VM_FAULT_FALLBACK;
	e = nvemu_find(nv, off);
	if (off + PMD_SIZE > e->offset + e->size)
		return VM_FAULT_FALLBACK;
	phys = e->phys + off - e->offset;
	if (!IS_ALIGNED(phys, PMD_SIZE))
		return VM_FAULT_FALLBACK;
	return vmf_insert_pfn_pmd(vmf, phys_to_pfn_t(phys, 0),
				  vmf->flags & FAULT_FLAG_WRITE);
#else
	return VM_FAULT_FALLBACK;
#endif
}

static vm_fault_t nvemu_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct nvemu_dev *nv = file_to_nvemu(vmf->vma->vm_file);

	if (order == 0)
		return nvemu_fault_pte(nv, vmf);
	if (order == PMD_ORDER)
		return nvemu_fault_pmd(nv, vmf);
	return VM_FAULT_FALLBACK;
}

static vm_fault_t nvemu_fault(struct vm_fault *vmf)
{
	return nvemu_huge_fault(vmf, 0);
}

/*
 * fsync(), and msync(MS_SYNC) on a mapping, write back the CPU cache lines
 * of the byte range, so that stores made through a mapping reach DRAM and
 * survive a reset that does not write back the caches.
 */
static int nvemu_fsync(struct file *file, loff_t start, loff_t end,
		       int datasync)
{
	struct nvemu_dev *nv = file_to_nvemu(file);
	u64 pos = start, stop;

	if (start < 0 || start >= nv->size || end < start)
		return 0;
	/* end is inclusive */
	stop = min_t(u64, (u64)end + 1, nv->size);

	while (pos < stop) {
		struct nvemu_extent *e;
		u64 off, len;

		e = nvemu_piece(nv, pos, stop, &off, &len);
		arch_wb_cache_pmem(e->virt + off, len);
		pos += len;
		cond_resched();
	}
	/* The write-backs above are weakly ordered: complete them */
	wmb();
	return 0;
}

static const struct vm_operations_struct nvemu_vm_ops = {
	.fault		= nvemu_fault,
	.huge_fault	= nvemu_huge_fault,
};

static int nvemu_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct nvemu_dev *nv = file_to_nvemu(file);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;

	/* Private copies of persistent memory make no sense */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= nv->size || len > nv->size - off)
		return -ENXIO;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &nvemu_vm_ops;
	/* stores through it are invisible to the kernel from now on */
	if (vma->vm_flags & VM_WRITE)
		nvemu_note(nv, off, len, true);
	return 0;
}

static long nvemu_ioctl_info(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_info info;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (info.flags || memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.total_size = nv->size;
	info.nr_ranges = nv->nr;
	info.align = NVEMU_ALIGN;
	info.meta_offset = nv->size - NVEMU_META_SIZE;
	info.meta_size = NVEMU_META_SIZE;
	if (merge && nv->nr > 1)
		info.flags |= NVEMU_INFO_F_MERGED;

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long nvemu_ioctl_range_info(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_range_info ri;
	struct nvemu_extent *e;
	u32 index;

	if (copy_from_user(&ri, argp, sizeof(ri)))
		return -EFAULT;
	if (ri.flags || ri.reserved0 ||
	    memchr_inv(ri.reserved, 0, sizeof(ri.reserved)))
		return -EINVAL;
	if (ri.index >= nv->nr)
		return -EINVAL;
	index = array_index_nospec(ri.index, nv->nr);
	e = &nv->ext[index];

	memset(&ri, 0, sizeof(ri));
	ri.index = index;
	ri.offset = e->offset;
	ri.size = e->size;
	ri.numa_node = e->nid;
	if (capable(CAP_SYS_ADMIN)) {
		ri.flags |= NVEMU_RANGE_F_PHYS;
		ri.phys_addr = e->phys;
	}

	return copy_to_user(argp, &ri, sizeof(ri)) ? -EFAULT : 0;
}

static long nvemu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct nvemu_dev *nv = file_to_nvemu(file);
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVEMU_IOC_INFO:
		return nvemu_ioctl_info(nv, argp);
	case NVEMU_IOC_RANGE_INFO:
		return nvemu_ioctl_range_info(nv, argp);
	case NVEMU_IOC_GEOMETRY:
		return nvemu_ioctl_geometry(nv, argp);
	case NVEMU_IOC_SEGMENT:
		return nvemu_ioctl_data_region(nv, argp);
	case NVEMU_IOC_STATE:
		return nvemu_ioctl_state(nv, argp);
	case NVEMU_IOC_REPORT:
		return nvemu_ioctl_report(nv, file, argp);
	case NVEMU_IOC_CHANGED:
		return nvemu_ioctl_changed(nv, file, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations nvemu_fops = {
	.owner			= THIS_MODULE,
	.open			= nvemu_open,
	.release		= nvemu_release,
	.llseek			= nvemu_llseek,
	.read_iter		= nvemu_read_iter,
	.write_iter		= nvemu_write_iter,
	.fsync			= nvemu_fsync,
	.mmap			= nvemu_mmap,
	.get_unmapped_area	= thp_get_unmapped_area,
	.unlocked_ioctl		= nvemu_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
};

/**
 * nvemu_meta() - the metadata header
 * @nv: the device
 *
 * Return: the header, in the device mapping at the end of the last extent.
 */
struct nvemu_meta *nvemu_meta(struct nvemu_dev *nv)
{
	return nv->area->addr + nv->size - NVEMU_META_SIZE;
}

static void nvemu_meta_fill(struct nvemu_dev *nv, struct nvemu_meta *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->magic = cpu_to_le64(NVEMU_META_MAGIC);
	m->version = cpu_to_le32(NVEMU_META_VERSION);
	m->nr_ranges = cpu_to_le32(nv->nr);
	m->total_size = cpu_to_le64(nv->size);
	if (merge && nv->nr > 1)
		m->flags = cpu_to_le32(NVEMU_META_F_MERGED);
	for (i = 0; i < nv->nr; i++) {
		m->range[i].start = cpu_to_le64(nv->ext[i].phys);
		m->range[i].size = cpu_to_le64(nv->ext[i].size);
	}
	m->checksum = cpu_to_le64(nd_fletcher64(m, sizeof(*m), true));
}

/**
 * nvemu_meta_commit() - seal the metadata header after a change
 * @nv: the device; the caller holds nv->lock
 *
 * Recomputes the checksum and writes the header back from the CPU caches.
 */
void nvemu_meta_commit(struct nvemu_dev *nv)
{
	struct nvemu_meta *m = nvemu_meta(nv);

	m->checksum = 0;
	m->checksum = cpu_to_le64(nd_fletcher64(m, sizeof(*m), true));
	arch_wb_cache_pmem(m, sizeof(*m));
}

/*
 * The metadata records the layout the content was written with: the
 * ranges and whether they formed one region.  If it holds a valid header
 * for another layout (or of an unknown version), the namespaces' info
 * blocks describe another layout: do not let libnvdimm trust them.
 * Without a valid header (first boot, or cleared by the administrator) the
 * content is taken as it is and the header written.
 *
 * Return: 0 if the metadata matches, 1 if it was not found (the content
 * did not survive, or this is the first boot) and has been written, or
 * -EEXIST on a layout mismatch.
 */
static int nvemu_meta_check(struct nvemu_dev *nv)
{
	struct nvemu_meta *m = nvemu_meta(nv), *want;
	u64 sum;
	int rc = 0;

	want = kmalloc(sizeof(*want), GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	nvemu_meta_fill(nv, want);

	sum = le64_to_cpu(m->checksum);
	m->checksum = 0;
	if (le64_to_cpu(m->magic) != NVEMU_META_MAGIC ||
	    sum != nd_fletcher64(m, sizeof(*m), true)) {
		dev_info(nv->dev, "no metadata found, initializing it\n");
		memcpy_flushcache(m, want, sizeof(*want));
		rc = 1;
	} else if (memcmp(m->range, want->range, sizeof(m->range)) ||
		   m->nr_ranges != want->nr_ranges ||
		   m->version != want->version || m->flags != want->flags) {
		m->checksum = cpu_to_le64(sum);
		dev_err(nv->dev,
			"the content was written with another layout (version %u, %u range(s), %s); namespaces not created\n",
			le32_to_cpu(m->version), le32_to_cpu(m->nr_ranges),
			le32_to_cpu(m->flags) & NVEMU_META_F_MERGED ?
			"nvemu.merge=1" : "one region per range");
		rc = -EEXIST;
	} else {
		m->checksum = cpu_to_le64(sum);
	}
	kfree(want);
	return rc;
}

static int nvemu_register_merged(struct nvemu_dev *nv, u64 data_size)
{
	struct nd_region_desc ndr_desc = { };
	struct nd_region *region;
	struct range *extents;
	unsigned int i;
	u64 left = data_size;

	extents = kcalloc(nv->nr, sizeof(*extents), GFP_KERNEL);
	if (!extents)
		return -ENOMEM;
	for (i = 0; i < nv->nr && left; i++) {
		u64 len = min(nv->ext[i].size, left);

		extents[i].start = nv->ext[i].phys;
		extents[i].end = nv->ext[i].phys + len - 1;
		left -= len;
	}
	ndr_desc.extents = extents;
	ndr_desc.nr_extents = i;
	ndr_desc.virt = nv->area->addr;
	nvemu_changed_region_desc(&nv->ext[0], &ndr_desc);
	ndr_desc.numa_node = numa_map_to_online_node(nv->ext[0].nid);
	ndr_desc.target_node = nv->ext[0].nid;
	set_bit(ND_REGION_PAGEMAP, &ndr_desc.flags);
	/* the region keeps a copy of the extents */
	region = nvdimm_pmem_region_create(nv->nvdimm_bus, &ndr_desc);
	kfree(extents);
	if (!region) {
		dev_err(nv->dev, "cannot create the NVDIMM region of %u ranges\n",
			i);
		return -ENXIO;
	}
	return 0;
}

/**
 * nvemu_register_regions() - create the NVDIMM regions
 * @nv: the device
 *
 * One region over all ranges, or one per range (nvemu.merge=0); in both
 * cases the metadata at the end of the last range is left out.  libnvdimm
 * then probes their namespaces, asynchronously.
 *
 * Return: 0 or a negative errno.
 */
int nvemu_register_regions(struct nvemu_dev *nv)
{
	u64 data_size = nvemu_data_size(nv);
	unsigned int i;

	if (merge && nv->nr > 1)
		return nvemu_register_merged(nv, data_size);

	for (i = 0; i < nv->nr; i++) {
		struct nvemu_extent *e = &nv->ext[i];
		struct nd_region_desc ndr_desc = { };
		struct resource res = DEFINE_RES_MEM(e->phys, e->size);

		if (i == nv->nr - 1)
			res.end -= NVEMU_META_SIZE;
		ndr_desc.res = &res;
		nvemu_changed_region_desc(e, &ndr_desc);
		ndr_desc.numa_node = numa_map_to_online_node(e->nid);
		ndr_desc.target_node = e->nid;
		set_bit(ND_REGION_PAGEMAP, &ndr_desc.flags);
		if (!nvdimm_pmem_region_create(nv->nvdimm_bus, &ndr_desc)) {
			dev_err(nv->dev, "cannot create the NVDIMM region for %pR\n",
				e->res);
			return -ENXIO;
		}
	}
	return 0;
}

/*
 * The device mapping: one virtually contiguous, write-back mapping of all
 * extents back to back, with PMD (and PUD) leaves wherever alignment
 * allows; libnvdimm uses it for a region of several extents.
 */
static int nvemu_map(struct nvemu_dev *nv)
{
	unsigned int i;

	nv->area = get_vm_area(nv->size, VM_IOREMAP);
	if (!nv->area)
		return -ENOMEM;
	for (i = 0; i < nv->nr; i++) {
		struct nvemu_extent *e = &nv->ext[i];
		unsigned long va = (unsigned long)nv->area->addr + e->offset;
		int rc;

		rc = vmap_page_range(va, va + e->size, e->phys, PAGE_KERNEL);
		if (rc) {
			free_vm_area(nv->area);
			return rc;
		}
		e->virt = (void *)va;
	}
	return 0;
}

static void nvemu_unmap(void *data)
{
	struct nvemu_dev *nv = data;

	free_vm_area(nv->area);
}

static int nvemu_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	unsigned int i, nr = pdev->num_resources;
	struct nvemu_dev *nv;
	u64 offset = 0;
	int rc, layout;
	void *virt;

	if (!nr || nr > NVEMU_MAX_RANGES)
		return -ENODEV;

	nv = devm_kzalloc(dev, struct_size(nv, ext, nr), GFP_KERNEL);
	if (!nv)
		return -ENOMEM;
	nv->nr = nr;
	nv->dev = dev;

	for (i = 0; i < nr; i++) {
		struct nvemu_extent *e = &nv->ext[i];
		struct resource *res = platform_get_resource(pdev, IORESOURCE_MEM, i);

		if (!res)
			return -ENODEV;
		e->nv = nv;
		e->res = res;
		e->phys = res->start;
		e->size = resource_size(res);
		e->offset = offset;
		e->nid = phys_to_target_node(res->start);
		/*
		 * Without a firmware NUMA description the only node's span
		 * ends at the last memblock memory, which may be below a
		 * range taken from the top of RAM.
		 */
		if (e->nid == NUMA_NO_NODE && num_online_nodes() == 1)
			e->nid = first_online_node;
		/*
		 * Not used for access: on x86 this records the write-back
		 * memory type that user mappings of the device inherit.
		 */
		virt = devm_memremap(dev, res->start, e->size, MEMREMAP_WB);
		if (IS_ERR(virt)) {
			dev_err(dev, "cannot map %pR: %pe\n", res, virt);
			return PTR_ERR(virt);
		}
		offset += e->size;
	}
	nv->size = offset;
	mutex_init(&nv->lock);
	snprintf(nv->name, sizeof(nv->name), NVEMU_DRV_NAME "%d", 0);

	rc = nvemu_map(nv);
	if (rc) {
		dev_err(dev, "cannot map the ranges: %d\n", rc);
		return rc;
	}
	rc = devm_add_action_or_reset(dev, nvemu_unmap, nv);
	if (rc)
		return rc;

	nv->nd_desc.provider_name = NVEMU_DRV_NAME;
	nv->nd_desc.module = THIS_MODULE;
	nv->nvdimm_bus = nvdimm_bus_register(dev, &nv->nd_desc);
	if (!nv->nvdimm_bus)
		return -ENXIO;

	/*
	 * On a layout mismatch the raw device still comes up, for recovery;
	 * behind the restore gate the regions come when user space reports
	 * the restore done or abandoned.
	 */
	layout = nvemu_meta_check(nv);
	nvemu_state_boot(nv, layout);
	rc = nvemu_changed_init(nv);
	if (rc)
		goto err_unregister_bus;
	if (layout >= 0) {
		layout = 0;
		rc = nv->gate ? 0 : nvemu_register_regions(nv);
		if (rc)
			goto err_unregister_bus;
	} else if (layout != -EEXIST) {
		rc = layout;
		goto err_unregister_bus;
	}

	nv->misc.minor = MISC_DYNAMIC_MINOR;
	nv->misc.name = nv->name;
	nv->misc.fops = &nvemu_fops;
	nv->misc.mode = 0600;
	nv->misc.parent = dev;
	rc = misc_register(&nv->misc);
	if (rc) {
		dev_err(dev, "cannot register /dev/%s: %d\n", nv->name, rc);
		goto err_unregister_bus;
	}

	platform_set_drvdata(pdev, nv);
	dev_info(dev, "/dev/%s: %u range(s), %llu MiB of emulated NVM in %s\n",
		 nv->name, nv->nr, nv->size >> 20,
		 layout ? "no region" : nv->gate ? "no region until restored" :
		 merge && nv->nr > 1 ? "one region" : "one region per range");
	return 0;

err_unregister_bus:
	nvdimm_bus_unregister(nv->nvdimm_bus);
	return rc;
}

static void nvemu_remove(struct platform_device *pdev)
{
	struct nvemu_dev *nv = platform_get_drvdata(pdev);

	misc_deregister(&nv->misc);
	nvdimm_bus_unregister(nv->nvdimm_bus);
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
