// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: the metadata area
 *
 * The header at the start of the metadata area (format and version rule:
 * meta.h) records the layout the content was written with - the ranges
 * and whether they formed one region - and the save/restore state.  This
 * file checks it at boot and writes it: every change is made to a copy in
 * DRAM, checksummed there and written to the NVM whole, so that the NVM
 * never holds a header with a stale checksum by design and a torn write
 * is caught by the checksum at the next boot.
 */
#include <linux/libnvdimm.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "nvemu.h"

/*
 * The process area of NVM formatted now: nvemu.proc_size, or its default,
 * reduced if it leaves the regions too little
 */
static u64 nvemu_meta_proc_size(struct nvemu_dev *nv)
{
	u64 param = nvemu_proc_size_param();
	u64 size = nvemu_proc_choose(nv->size, param);

	if (param != NVEMU_PROC_SIZE_AUTO && size != param)
		dev_warn(nv->dev,
			 "proc_size=%llu MiB leaves the regions less than %u MiB, using %llu MiB\n",
			 param >> 20, NVEMU_PROC_ALIGN >> 20, size >> 20);
	return size;
}

/* The header that describes these ranges, with an empty state */
static void nvemu_meta_layout(struct nvemu_dev *nv, bool merged,
			      struct nvemu_meta *m)
{
	unsigned int i;

	nvemu_meta_check_format();
	BUILD_BUG_ON(NVEMU_MAX_RANGES > NVEMU_META_MAX_RANGES);

	memset(m, 0, sizeof(*m));
	m->magic = cpu_to_le64(NVEMU_META_MAGIC);
	m->version = cpu_to_le32(NVEMU_META_VERSION);
	m->nr_ranges = cpu_to_le32(nv->nr);
	m->total_size = cpu_to_le64(nv->size);
	if (merged)
		m->flags = cpu_to_le32(NVEMU_META_F_MERGED);
	m->proc_size = cpu_to_le64(nvemu_meta_proc_size(nv));
	for (i = 0; i < nv->nr; i++) {
		m->range[i].start = cpu_to_le64(nv->range[i].phys);
		m->range[i].size = cpu_to_le64(nv->range[i].size);
	}
}

/* Does a valid header describe these ranges? */
static bool nvemu_meta_same_layout(struct nvemu_dev *nv, bool merged,
				   const struct nvemu_meta *m)
{
	u64 proc_size = le64_to_cpu(m->proc_size);
	unsigned int i;

	if (le32_to_cpu(m->version) != NVEMU_META_VERSION ||
	    le32_to_cpu(m->nr_ranges) != nv->nr ||
	    le32_to_cpu(m->flags) != (merged ? NVEMU_META_F_MERGED : 0))
		return false;
	/* not written by a kernel: it makes no layout of these ranges */
	if (!IS_ALIGNED(proc_size, NVEMU_PROC_ALIGN) ||
	    proc_size > nvemu_proc_max_size(nv->size))
		return false;
	for (i = 0; i < NVEMU_META_MAX_RANGES; i++) {
		u64 start = i < nv->nr ? nv->range[i].phys : 0;
		u64 size = i < nv->nr ? nv->range[i].size : 0;

		if (le64_to_cpu(m->range[i].start) != start ||
		    le64_to_cpu(m->range[i].size) != size)
			return false;
	}
	return true;
}

/* A valid header's area wins: say so if nvemu.proc_size asked otherwise */
static void nvemu_meta_report_proc(struct nvemu_dev *nv)
{
	u64 param = nvemu_proc_size_param();

	if (param == NVEMU_PROC_SIZE_AUTO || param == nv->proc.size)
		return;
	dev_notice(nv->dev,
		   "proc_size=%llu MiB ignored: the metadata records a process area of %llu MiB (the size of formatted NVM does not change)\n",
		   param >> 20, nv->proc.size >> 20);
}

/**
 * nvemu_meta_read() - check the metadata header at probe
 * @nv: the device, mapped, its metadata area set (nv->meta.nvm);
 *	nv->lock held
 * @merged: the ranges form one region
 *
 * If the NVM holds a valid header for another layout (or of another
 * version), the namespaces' info blocks describe another layout: the
 * header is left alone and libnvdimm must not be given the content.
 * Without a valid header (first boot, DRAM lost its content, or cleared
 * by the administrator) the content is taken as it is and a header for
 * these ranges written, with a process area of nvemu.proc_size (or its
 * default).  A valid header's process area size wins over the parameter:
 * the regions must not move.  Sets nv->meta.ours, and nv->proc.size and
 * nv->proc.fresh when the metadata is ours.
 *
 * Return: what was found.
 */
enum nvemu_meta_found nvemu_meta_read(struct nvemu_dev *nv, bool merged)
{
	struct nvemu_meta_area *ma = &nv->meta;
	struct nvemu_meta *m = &ma->copy;
	u64 sum;

	lockdep_assert_held(&nv->lock);

	/* checked on a copy: the NVM is not written unless it is ours */
	memcpy(m, ma->nvm, sizeof(*m));
	sum = le64_to_cpu(m->checksum);
	m->checksum = 0;
	if (le64_to_cpu(m->magic) != NVEMU_META_MAGIC ||
	    sum != nd_fletcher64(m, sizeof(*m), true)) {
		dev_info(nv->dev, "no metadata found, initializing it\n");
		nvemu_meta_layout(nv, merged, m);
		nvemu_meta_write(nv);
		ma->ours = true;
		nv->proc.size = le64_to_cpu(m->proc_size);
		nv->proc.fresh = true;
		return NVEMU_META_NONE;
	}
	m->checksum = cpu_to_le64(sum);
	if (!nvemu_meta_same_layout(nv, merged, m)) {
		dev_err(nv->dev,
			"the content was written with another layout (version %u, %u range(s), %s, process area %llu MiB); namespaces not created\n",
			le32_to_cpu(m->version), le32_to_cpu(m->nr_ranges),
			le32_to_cpu(m->flags) & NVEMU_META_F_MERGED ?
			"nvemu.merge=1" : "one region per range",
			le64_to_cpu(m->proc_size) >> 20);
		return NVEMU_META_OTHER;
	}
	ma->ours = true;
	nv->proc.size = le64_to_cpu(m->proc_size);
	nvemu_meta_report_proc(nv);
	return NVEMU_META_MATCH;
}

/**
 * nvemu_meta_write() - write the header after a change to its copy
 * @nv: the device, nv->lock held
 *
 * Computes the checksum of nv->meta.copy and writes the whole header to
 * the NVM, out of the CPU caches.  Only for metadata that is ours.
 */
void nvemu_meta_write(struct nvemu_dev *nv)
{
	struct nvemu_meta *m = &nv->meta.copy;

	lockdep_assert_held(&nv->lock);
	m->checksum = 0;
	m->checksum = cpu_to_le64(nd_fletcher64(m, sizeof(*m), true));
	memcpy_flushcache(nv->meta.nvm, m, sizeof(*m));
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_meta_write);
