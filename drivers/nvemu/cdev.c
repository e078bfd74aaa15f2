// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: /dev/nvemuN, the raw character device
 *
 * The whole device offset space as a character device: read/write/lseek,
 * fsync, MAP_SHARED mmap with PMD mappings where possible, and the ioctls
 * of <uapi/linux/nvemu.h>.  It covers the process area and the metadata
 * area too.  Opening it for writing claims every range, so it fails with
 * EBUSY while a namespace is enabled or kernel/nvemu has the process area
 * enabled (claimed "nvemu process area"), and neither can be enabled while
 * it is open for writing.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/libnvdimm.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/pfn_t.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "nvemu.h"

static struct nvemu_dev *file_to_nvemu(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct nvemu_dev, cdev.misc);
}

/* Release the claims of the first @nr ranges */
static void nvemu_unclaim(struct nvemu_dev *nv, unsigned int nr)
{
	lockdep_assert_held(&nv->lock);
	while (nr--)
		release_mem_region(nv->range[nr].phys, nv->range[nr].size);
}

/*
 * Writers claim every range busy, as a namespace driver does: the two
 * exclude each other through the iomem resource tree, atomically.
 * Returns 0, or -EBUSY if something else holds a range.
 */
static int nvemu_claim(struct nvemu_dev *nv)
{
	unsigned int i;

	lockdep_assert_held(&nv->lock);
	for (i = 0; i < nv->nr; i++) {
		if (!request_mem_region(nv->range[i].phys, nv->range[i].size,
					nv->cdev.name)) {
			nvemu_unclaim(nv, i);
			return -EBUSY;
		}
	}
	return 0;
}

static int nvemu_open(struct inode *inode, struct file *file)
{
	struct nvemu_dev *nv = file_to_nvemu(file);
	int rc;

	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	guard(mutex)(&nv->lock);
	/* behind the restore gate only the restore path writes */
	if (nv->sr.gate && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!nv->cdev.writers) {
		rc = nvemu_claim(nv);
		if (rc)
			return rc;
	}
	nv->cdev.writers++;
	return 0;
}

static int nvemu_release(struct inode *inode, struct file *file)
{
	struct nvemu_dev *nv = file_to_nvemu(file);

	guard(mutex)(&nv->lock);
	nvemu_record_release(nv, file);
	if ((file->f_mode & FMODE_WRITE) && !--nv->cdev.writers)
		nvemu_unclaim(nv, nv->nr);
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
		struct nvemu_dev_range *r;
		u64 off, len;
		size_t n;

		r = nvemu_space_step(nv, pos, pos + count - done, &off, &len);
		if (write)
			n = _copy_from_iter_flushcache(r->virt + off, len, iter);
		else
			n = copy_to_iter(r->virt + off, len, iter);
		done += n;
		pos += n;
		if (n < len || fatal_signal_pending(current))
			break;
		cond_resched();
	}
	if (!done)
		return -EFAULT;
	if (write)
		nvemu_record_write(nv, start, done, false);
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
 * address are all PMD-aligned and the PMD lies within one range.
 */
static vm_fault_t nvemu_fault_pte(struct nvemu_dev *nv, struct vm_fault *vmf)
{
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	struct nvemu_dev_range *r;

	if (off >= nv->size)
		return VM_FAULT_SIGBUS;
	r = nvemu_range_at(nv, off);
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      PHYS_PFN(r->phys + off - r->offset));
}

static vm_fault_t nvemu_fault_pmd(struct nvemu_dev *nv, struct vm_fault *vmf)
{
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PMD_MASK;
	struct nvemu_dev_range *r;
	phys_addr_t phys;
	u64 off;

	if (addr < vma->vm_start || addr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	off = ((u64)(addr - vma->vm_start) + ((u64)vma->vm_pgoff << PAGE_SHIFT));
	if (off >= nv->size || !IS_ALIGNED(off, PMD_SIZE))
		return VM_FAULT_FALLBACK;
	r = nvemu_range_at(nv, off);
	if (off + PMD_SIZE > r->offset + r->size)
		return VM_FAULT_FALLBACK;
	phys = r->phys + off - r->offset;
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
		struct nvemu_dev_range *r;
		u64 off, len;

		r = nvemu_space_step(nv, pos, stop, &off, &len);
		arch_wb_cache_pmem(r->virt + off, len);
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
		nvemu_record_write(nv, off, len, true);
	return 0;
}

static long nvemu_ioctl_info(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_info info;

	/* proc_offset and proc_size came out of reserved[]: nothing moved */
	BUILD_BUG_ON(sizeof(info) != 64);
	BUILD_BUG_ON(offsetof(struct nvemu_info, proc_offset) != 40);
	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (info.flags || info.reserved)
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.total_size = nv->size;
	info.nr_ranges = nv->nr;
	info.align = NVEMU_ALIGN;
	info.meta_offset = nvemu_meta_offset(nv);
	info.meta_size = NVEMU_META_SIZE;
	info.proc_offset = nvemu_proc_offset(nv);
	info.proc_size = nvemu_proc_size(nv);
	if (nv->bus.merged)
		info.flags |= NVEMU_INFO_F_MERGED;

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long nvemu_ioctl_range_info(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_range_info ri;
	struct nvemu_dev_range *r;
	u32 index;

	if (copy_from_user(&ri, argp, sizeof(ri)))
		return -EFAULT;
	if (ri.flags || ri.reserved0 ||
	    memchr_inv(ri.reserved, 0, sizeof(ri.reserved)))
		return -EINVAL;
	if (ri.index >= nv->nr)
		return -EINVAL;
	index = array_index_nospec(ri.index, nv->nr);
	r = &nv->range[index];

	memset(&ri, 0, sizeof(ri));
	ri.index = index;
	ri.offset = r->offset;
	ri.size = r->size;
	ri.numa_node = r->nid;
	if (capable(CAP_SYS_ADMIN)) {
		ri.flags |= NVEMU_RANGE_F_PHYS;
		ri.phys_addr = r->phys;
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
		return nvemu_ioctl_segment(nv, argp);
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
 * nvemu_cdev_register() - create /dev/nvemuN
 * @nv: the device, ready for I/O
 *
 * Return: 0 or a negative errno.
 */
int nvemu_cdev_register(struct nvemu_dev *nv)
{
	struct nvemu_cdev *c = &nv->cdev;
	int rc;

	snprintf(c->name, sizeof(c->name), NVEMU_DRV_NAME "%d", 0);
	c->misc.minor = MISC_DYNAMIC_MINOR;
	c->misc.name = c->name;
	c->misc.fops = &nvemu_fops;
	c->misc.mode = 0600;
	c->misc.parent = nv->dev;
	rc = misc_register(&c->misc);
	if (rc)
		dev_err(nv->dev, "cannot register /dev/%s: %d\n", c->name, rc);
	return rc;
}

/**
 * nvemu_cdev_unregister() - remove /dev/nvemuN
 * @nv: the device
 */
void nvemu_cdev_unregister(struct nvemu_dev *nv)
{
	misc_deregister(&nv->cdev.misc);
}
