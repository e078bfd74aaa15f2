// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: which segments changed since the image last saved or restored
 *
 * An incremental save (tools/nvemu) rewrites only the segments that
 * differ from the image its TARGET holds.  Without help it must read and
 * hash the whole NVM to find them, so its time is that of reading all
 * of it however little changed.  The kernel sees every path that writes
 * the NVM, so it records them per segment:
 *
 *  - @changed: bytes were written: /dev/nvemuN write(), and through
 *    libnvdimm (pmem block I/O, BTT, info blocks: nd_region_desc's
 *    note_write());
 *  - @mapped: bytes were handed out for direct access (DAX of an fsdax
 *    namespace, a device-dax device, a writable mapping of /dev/nvemuN),
 *    after which they may change at any time without the kernel seeing
 *    it.  These bits are cleared only when NVEMU_IOC_CHANGED finds nothing
 *    holding the NVM (no namespace enabled, no writer of /dev/nvemuN).
 *
 * NVEMU_IOC_CHANGED hands the union over to a save, keeps it as @taken
 * until the save reports its end (a failed save gives it back to
 * @changed), and starts recording anew.  The reference is the image
 * (uuid, generation) last reported saved after such a call, or restored;
 * the bitmap is valid for a TARGET holding that image only.  Nothing of
 * this survives a reboot: after a warm reset the first save compares
 * every segment.
 *
 * The save window of the process area (kernel/nvemu): a save's
 * NVEMU_IOC_CHANGED, which every save makes before it reads the NVM, opens
 * it before the record is taken, so that the commits of persistent
 * processes finish before and wait after: the image holds one committed
 * generation of each.  It closes when the save's file reports the save's
 * end, or is closed first, or when a restore ends every save: exactly
 * one nvemu_proc_save_end() for each nvemu_proc_save_begin(), both through
 * @save_file.
 *
 * Ordering: writers set a bit after the data is written, with a full
 * barrier between (nvemu_record_write()); the ioctl takes each word with
 * xchg().  A write is thus either in what a save is handed, and the data is there
 * when the save reads it, or recorded for the next save.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/libnvdimm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "nvemu.h"

/* "Anything holding the NVM": a busy resource inside one of the ranges */
static int nvemu_found_busy(struct resource *res, void *arg)
{
	return 1;
}

/*
 * Is anything holding the NVM: a namespace, device-dax or kmem claim, or a
 * writer of /dev/nvemuN?  Each of them holds a busy resource inside a
 * range (nvemu's own resources, and the reserved e820 entries that contain
 * them on x86, are not busy).  Looked up without claiming anything, so
 * that a namespace enabled at the same moment is not refused.
 */
static bool nvemu_nvm_in_use(struct nvemu_dev *nv)
{
	unsigned int i;

	for (i = 0; i < nv->nr; i++) {
		struct nvemu_dev_range *r = &nv->range[i];

		if (walk_iomem_res_desc(IORES_DESC_NONE,
					IORESOURCE_MEM | IORESOURCE_BUSY,
					r->phys, r->phys + r->size - 1, NULL,
					nvemu_found_busy) == 1)
			return true;
	}
	return false;
}

/**
 * nvemu_record_init() - allocate the record of changed segments
 * @nv: the device, its segments chosen (nvemu_state_boot())
 *
 * Return: 0 or -ENOMEM.
 */
int nvemu_record_init(struct nvemu_dev *nv)
{
	struct nvemu_record *rec = &nv->record;
	u64 bits = nv->seg.nr;

	rec->changed = devm_bitmap_zalloc(nv->dev, bits, GFP_KERNEL);
	rec->mapped = devm_bitmap_zalloc(nv->dev, bits, GFP_KERNEL);
	rec->taken = devm_bitmap_zalloc(nv->dev, bits, GFP_KERNEL);
	if (!rec->changed || !rec->mapped || !rec->taken)
		return -ENOMEM;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_record_init);

/**
 * nvemu_record_write() - record a write, or direct access, of device bytes
 * @nv: the device
 * @off: device offset
 * @len: bytes
 * @mapped: handed out for direct access rather than written
 *
 * Call after the bytes were written.  Bytes of the metadata area are not
 * recorded.  Does not sleep.
 */
void nvemu_record_write(struct nvemu_dev *nv, u64 off, u64 len, bool mapped)
{
	struct nvemu_record *rec = &nv->record;
	u64 data = nvemu_data_size(nv), first, last, i;
	unsigned long *map = mapped ? rec->mapped : rec->changed;

	if (!len || off >= data || !map)
		return;
	len = min(len, data - off);
	first = div64_u64(off, nv->seg.size);
	last = div64_u64(off + len - 1, nv->seg.size);
	/* the data before the bit: pairs with xchg() in nvemu_record_take() */
	smp_mb();
	for (i = first; i <= last; i++)
		if (!test_bit(i, map))
			set_bit(i, map);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_record_write);

/* nd_region_desc.note_write(): region offsets are range offsets on */
static void nvemu_region_note_write(struct nd_region *nd_region, u64 offset,
				    u64 len, bool mapped)
{
	struct nvemu_dev_range *r = nd_region_provider_data(nd_region);

	nvemu_record_write(r->nv, r->offset + offset, len, mapped);
}

/**
 * nvemu_record_region_desc() - let a region tell nvemu about writes
 * @r: the range the region starts at
 * @ndr_desc: the region's descriptor
 */
void nvemu_record_region_desc(struct nvemu_dev_range *r,
			      struct nd_region_desc *ndr_desc)
{
	ndr_desc->provider_data = r;
	ndr_desc->note_write = nvemu_region_note_write;
}

/*
 * Hand @changed and @mapped over into @taken, @mapped's part also into
 * @was_mapped.  All of @taken goes back to @changed if the save fails:
 * mapped segments it was handed may have changed, and are no longer
 * recorded as mapped when nothing holds the NVM.
 */
static void nvemu_record_take(struct nvemu_dev *nv, unsigned long *was_mapped)
{
	struct nvemu_record *rec = &nv->record;
	unsigned int w, words = BITS_TO_LONGS(nv->seg.nr);
	unsigned long bit;

	lockdep_assert_held(&nv->lock);
	for (w = 0; w < words; w++) {
		was_mapped[w] = xchg(&rec->mapped[w], 0);
		rec->taken[w] = xchg(&rec->changed[w], 0) | was_mapped[w];
	}
	/*
	 * Mapped bytes may still change while a namespace or a writer holds
	 * the NVM: keep them recorded.  Taken first, checked then, so that
	 * a claim racing with the check is seen, or maps after it.
	 */
	if (nvemu_nvm_in_use(nv))
		for_each_set_bit(bit, was_mapped, nv->seg.nr)
			set_bit(bit, rec->mapped);
}

/* The save that took the record ends: close the process area's window */
static void nvemu_record_end_save(struct nvemu_dev *nv)
{
	struct nvemu_record *rec = &nv->record;

	lockdep_assert_held(&nv->lock);
	if (!rec->save_file)
		return;
	rec->save_file = NULL;
	nvemu_proc_save_end(nv->dev);
}

/* A save that took the record ended without writing an image. */
static void nvemu_record_give_back(struct nvemu_dev *nv)
{
	struct nvemu_record *rec = &nv->record;
	unsigned long bit;

	lockdep_assert_held(&nv->lock);
	for_each_set_bit(bit, rec->taken, nv->seg.nr)
		set_bit(bit, rec->changed);
	bitmap_zero(rec->taken, nv->seg.nr);
	nvemu_record_end_save(nv);
}

/**
 * nvemu_record_hand_over() - hand the record over to a save
 * @nv: the device
 * @file: the save's open file, which its report must come through
 * @uuid: uuid of the image the save's TARGET holds now
 * @generation: generation of that image
 * @out: set to what may have changed since, nv->seg.nr bits
 * @valid: set to whether the record is relative to that image: then
 *	every segment whose bit is clear in @out is the same as in it
 *
 * Opens the process area's save window first (which may wait for commits
 * of persistent processes), without nv->lock.  What was handed over is
 * kept until the save reports, and recorded again if it fails or its file
 * is closed first; the window stays open as long.
 *
 * Return: 0, -EBUSY while another save holds the record, or -ENOMEM.
 */
VISIBLE_IF_KUNIT int nvemu_record_hand_over(struct nvemu_dev *nv,
					    struct file *file, const u8 *uuid,
					    u64 generation, unsigned long *out,
					    bool *valid)
{
	unsigned long *was_mapped __free(bitmap) = NULL;
	struct nvemu_record *rec = &nv->record;

	was_mapped = bitmap_zalloc(nv->seg.nr, GFP_KERNEL);
	if (!was_mapped)
		return -ENOMEM;

	scoped_guard(mutex, &nv->lock) {
		if (rec->save_file || rec->save_opening)
			return -EBUSY;
		rec->save_opening = true;
	}
	/* commits finish before, and wait until the save ends */
	nvemu_proc_save_begin(nv->dev);

	guard(mutex)(&nv->lock);
	rec->save_opening = false;
	nvemu_record_take(nv, was_mapped);
	rec->save_file = file;
	*valid = rec->ref_valid && rec->ref_generation == generation &&
		 !memcmp(rec->ref_uuid, uuid, sizeof(rec->ref_uuid));
	bitmap_copy(out, rec->taken, nv->seg.nr);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_record_hand_over);

/**
 * nvemu_ioctl_changed() - NVEMU_IOC_CHANGED
 * @nv: the device
 * @file: the open file, which the save's report must come through
 * @argp: struct nvemu_changed in user memory
 *
 * Return: 0 or a negative errno; -EBUSY while another save holds the
 * record, -ENODATA if the metadata belongs to another layout.
 */
long nvemu_ioctl_changed(struct nvemu_dev *nv, struct file *file,
			 void __user *argp)
{
	unsigned long *out __free(bitmap) = NULL;
	u64 *out64 __free(kfree) = NULL;
	u64 bits = nv->seg.nr;
	struct nvemu_changed c;
	unsigned int words;
	bool valid;
	int rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.reserved0 || memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	if (c.nr_segments != bits)
		return -EINVAL;
	if (!nv->meta.ours)
		return -ENODATA;

	words = DIV_ROUND_UP_ULL(bits, 64);
	out = bitmap_zalloc(bits, GFP_KERNEL);
	out64 = kcalloc(words, sizeof(*out64), GFP_KERNEL);
	if (!out || !out64)
		return -ENOMEM;
	rc = nvemu_record_hand_over(nv, file, c.uuid, c.generation, out,
				    &valid);
	if (rc)
		return rc;
	if (valid)
		c.flags |= NVEMU_CHANGED_VALID;
	bitmap_to_arr64(out64, out, bits);

	if (copy_to_user(u64_to_user_ptr(c.bitmap), out64,
			 words * sizeof(*out64)) ||
	    copy_to_user(argp, &c, sizeof(c))) {
		/* the caller will not save: record what it was handed again */
		guard(mutex)(&nv->lock);
		if (nv->record.save_file == file)
			nvemu_record_give_back(nv);
		return -EFAULT;
	}
	return 0;
}

/**
 * nvemu_record_report() - a save or restore ended: move the reference
 * @nv: the device, nv->lock held
 * @file: the open file the report came through
 * @rep: the report
 */
void nvemu_record_report(struct nvemu_dev *nv, struct file *file,
			 const struct nvemu_report *rep)
{
	struct nvemu_record *rec = &nv->record;
	bool known = memchr_inv(rep->uuid, 0, sizeof(rep->uuid));
	bool mine = rec->save_file && rec->save_file == file;

	lockdep_assert_held(&nv->lock);
	switch (rep->event) {
	case NVEMU_EV_SAVED:
		/* a save that did not take the record cannot be a reference */
		rec->ref_valid = mine && known;
		if (mine) {
			bitmap_zero(rec->taken, nv->seg.nr);
			nvemu_record_end_save(nv);
		}
		break;
	case NVEMU_EV_SAVE_FAILED:
		if (mine)
			nvemu_record_give_back(nv);
		break;
	case NVEMU_EV_RESTORED:
		/*
		 * The restore wrote the image over everything, alone: it
		 * held the NVM for writing, so no namespace was enabled.
		 */
		bitmap_zero(rec->taken, nv->seg.nr);
		nvemu_record_end_save(nv);
		bitmap_zero(rec->changed, nv->seg.nr);
		rec->ref_valid = known;
		break;
	default:
		rec->ref_valid = false;
		return;
	}
	if (rep->event != NVEMU_EV_SAVE_FAILED && rec->ref_valid) {
		memcpy(rec->ref_uuid, rep->uuid, sizeof(rec->ref_uuid));
		rec->ref_generation = rep->generation;
	}
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_record_report);

/**
 * nvemu_record_release() - an open file of the device is closed
 * @nv: the device, nv->lock held
 * @file: the file
 */
void nvemu_record_release(struct nvemu_dev *nv, struct file *file)
{
	lockdep_assert_held(&nv->lock);
	if (nv->record.save_file == file)
		nvemu_record_give_back(nv);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_record_release);
