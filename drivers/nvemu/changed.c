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
 * @changed), and starts recording anew.  The
 * reference is the image (uuid, generation) last reported saved after
 * such a call, or restored; the bitmap is valid for a TARGET holding that
 * image only.  Nothing of this survives a reboot: after a warm reset the
 * first save compares every region.
 *
 * Ordering: writers set a bit after the data is written, with a full
 * barrier between (nvemu_note()); the ioctl takes each word with xchg().
 * A write is thus either in what a save is handed, and the data is there
 * when the save reads it, or recorded for the next save.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/libnvdimm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "nvemu.h"

/**
 * nvemu_changed_init() - allocate the record of changed segments
 * @nv: the device, its region size chosen (nvemu_state_boot())
 *
 * Return: 0 or -ENOMEM.
 */
int nvemu_changed_init(struct nvemu_dev *nv)
{
	u64 bits = nvemu_nr_regions(nv);

	nv->changed = devm_bitmap_zalloc(nv->dev, bits, GFP_KERNEL);
	nv->mapped = devm_bitmap_zalloc(nv->dev, bits, GFP_KERNEL);
	nv->taken = devm_bitmap_zalloc(nv->dev, bits, GFP_KERNEL);
	if (!nv->changed || !nv->mapped || !nv->taken)
		return -ENOMEM;
	return 0;
}

/**
 * nvemu_note() - record a write, or direct access, of device bytes
 * @nv: the device
 * @off: device offset
 * @len: bytes
 * @mapped: handed out for direct access rather than written
 *
 * Call after the bytes were written.  Bytes of the metadata area are not
 * recorded.  Does not sleep.
 */
void nvemu_note(struct nvemu_dev *nv, u64 off, u64 len, bool mapped)
{
	u64 data = nvemu_data_size(nv), first, last, i;
	unsigned long *map = mapped ? nv->mapped : nv->changed;

	if (!len || off >= data || !map)
		return;
	len = min(len, data - off);
	first = div64_u64(off, nv->segment_size);
	last = div64_u64(off + len - 1, nv->segment_size);
	/* the data before the bit: pairs with xchg() in nvemu_take() */
	smp_mb();
	for (i = first; i <= last; i++)
		if (!test_bit(i, map))
			set_bit(i, map);
}

/* nd_region_desc.note_write(): region offsets are extent offsets on */
static void nvemu_note_write(struct nd_region *nd_region, u64 offset,
			     u64 len, bool mapped)
{
	struct nvemu_extent *e = nd_region_provider_data(nd_region);

	nvemu_note(e->nv, e->offset + offset, len, mapped);
}

/**
 * nvemu_changed_region_desc() - let a region tell nvemu about writes
 * @e: the extent the region starts at
 * @ndr_desc: the region's descriptor
 */
void nvemu_changed_region_desc(struct nvemu_extent *e,
			       struct nd_region_desc *ndr_desc)
{
	ndr_desc->provider_data = e;
	ndr_desc->note_write = nvemu_note_write;
}

/* Is anything holding the NVM?  Called with nv->lock held. */
static bool nvemu_held(struct nvemu_dev *nv)
{
	if (nv->writers)
		return true;
	if (nvemu_claim(nv))
		return true;
	nvemu_unclaim(nv, nv->nr);
	return false;
}

/*
 * Hand @changed and @mapped over into @taken, @mapped's part also into
 * @was_mapped; called with nv->lock held.  All of @taken goes back to
 * @changed if the save fails: mapped regions it was handed may have
 * changed, and are no longer recorded as mapped when nothing holds the
 * NVM.
 */
static void nvemu_take(struct nvemu_dev *nv, unsigned long *was_mapped)
{
	unsigned int w, words = BITS_TO_LONGS(nvemu_nr_regions(nv));
	unsigned long bit;

	for (w = 0; w < words; w++) {
		was_mapped[w] = xchg(&nv->mapped[w], 0);
		nv->taken[w] = xchg(&nv->changed[w], 0) | was_mapped[w];
	}
	/*
	 * Mapped bytes may still change while a namespace or a writer holds
	 * the NVM: keep them recorded.  Taken first, checked then, so that
	 * a claim racing with the check is seen, or maps after it.
	 */
	if (nvemu_held(nv))
		for_each_set_bit(bit, was_mapped, nvemu_nr_regions(nv))
			set_bit(bit, nv->mapped);
}

/* A save that took the record ended without writing an image. */
static void nvemu_give_back(struct nvemu_dev *nv)
{
	unsigned long bit;

	for_each_set_bit(bit, nv->taken, nvemu_nr_regions(nv))
		set_bit(bit, nv->changed);
	bitmap_zero(nv->taken, nvemu_nr_regions(nv));
	nv->taker = NULL;
}

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
	u64 bits = nvemu_nr_regions(nv), *out64;
	unsigned long *was_mapped;
	struct nvemu_changed c;
	unsigned int words;
	long rc = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.reserved0 || memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	if (c.nr_segments != bits)
		return -EINVAL;
	if (!nv->layout_ok)
		return -ENODATA;

	words = DIV_ROUND_UP_ULL(bits, 64);
	was_mapped = bitmap_zalloc(bits, GFP_KERNEL);
	out64 = kcalloc(words, sizeof(*out64), GFP_KERNEL);
	if (!was_mapped || !out64) {
		rc = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&nv->lock);
	if (nv->taker) {
		mutex_unlock(&nv->lock);
		rc = -EBUSY;
		goto out_free;
	}
	nvemu_take(nv, was_mapped);
	nv->taker = file;
	if (nv->ref_valid && nv->ref_generation == c.generation &&
	    !memcmp(nv->ref_uuid, c.uuid, sizeof(c.uuid)))
		c.flags |= NVEMU_CHANGED_VALID;
	bitmap_to_arr64(out64, nv->taken, bits);
	mutex_unlock(&nv->lock);

	if (copy_to_user(u64_to_user_ptr(c.bitmap), out64,
			 words * sizeof(*out64)) ||
	    copy_to_user(argp, &c, sizeof(c))) {
		/* the caller will not save: record what it was handed again */
		mutex_lock(&nv->lock);
		if (nv->taker == file)
			nvemu_give_back(nv);
		mutex_unlock(&nv->lock);
		rc = -EFAULT;
	}
out_free:
	kfree(out64);
	bitmap_free(was_mapped);
	return rc;
}

/**
 * nvemu_changed_report() - a save or restore ended: move the reference
 * @nv: the device, nv->lock held
 * @file: the open file the report came through
 * @rep: the report
 */
void nvemu_changed_report(struct nvemu_dev *nv, struct file *file,
			  const struct nvemu_report *rep)
{
	bool known = memchr_inv(rep->uuid, 0, sizeof(rep->uuid));
	bool mine = nv->taker && nv->taker == file;

	switch (rep->event) {
	case NVEMU_EV_SAVED:
		/* a save that did not take the record cannot be a reference */
		nv->ref_valid = mine && known;
		if (mine) {
			bitmap_zero(nv->taken, nvemu_nr_regions(nv));
			nv->taker = NULL;
		}
		break;
	case NVEMU_EV_SAVE_FAILED:
		if (mine)
			nvemu_give_back(nv);
		break;
	case NVEMU_EV_RESTORED:
		/*
		 * The restore wrote the image over everything, alone: it
		 * held the NVM for writing, so no namespace was enabled.
		 */
		bitmap_zero(nv->taken, nvemu_nr_regions(nv));
		nv->taker = NULL;
		bitmap_zero(nv->changed, nvemu_nr_regions(nv));
		nv->ref_valid = known;
		break;
	default:
		nv->ref_valid = false;
		return;
	}
	if (rep->event != NVEMU_EV_SAVE_FAILED && nv->ref_valid) {
		memcpy(nv->ref_uuid, rep->uuid, sizeof(nv->ref_uuid));
		nv->ref_generation = rep->generation;
	}
}

/**
 * nvemu_changed_release() - an open file of the device is closed
 * @nv: the device, nv->lock held
 * @file: the file
 */
void nvemu_changed_release(struct nvemu_dev *nv, struct file *file)
{
	if (nv->taker == file)
		nvemu_give_back(nv);
}
