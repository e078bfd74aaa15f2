// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: what save and restore to a disk need from the kernel
 *
 * DRAM loses the emulated NVM at power-off; user space (tools/nvemu) saves
 * it to a disk at shutdown and restores it at boot.  The kernel side:
 *  - the segments: the device offset space below the metadata area,
 *    cut into regions of nvemu.segment_size bytes, none across two ranges,
 *    so that save and restore workers can each own a slice of every region
 *    and run near its memory (NVEMU_IOC_GEOMETRY, NVEMU_IOC_SEGMENT);
 *  - the restore gate (nvemu.restore=wait): no NVDIMM region, so no
 *    namespace, until user space reports the restore done, failed or
 *    abandoned (NVEMU_IOC_REPORT); until then only root opens the device
 *    for writing;
 *  - the state in nvemu's metadata: whether the last shutdown came after a
 *    save (set by the save at shutdown, cleared at boot), the generations
 *    of the images last saved and restored, and the save_fail and
 *    restore_fail health flags, in the spirit of NFIT's; shown by
 *    NVEMU_IOC_STATE and in sysfs.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "nvemu.h"

static ulong segment_size = NVEMU_SEGMENT_SIZE;

/* nvemu.segment_size=SIZE takes K, M and G suffixes, as nvemu= does */
static int segment_size_set(const char *val, const struct kernel_param *kp)
{
	char *end;
	unsigned long long size = memparse(val, &end);

	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	*(ulong *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops segment_size_ops = {
	.set = segment_size_set,
	.get = param_get_ulong,
};
module_param_cb(segment_size, &segment_size_ops, &segment_size, 0444);
MODULE_PARM_DESC(segment_size,
		 "Size of the segments of save and restore (default: 64M)");

static char *restore = "";
module_param(restore, charp, 0444);
MODULE_PARM_DESC(restore,
		 "\"wait\": no namespaces until user space reports a restore");

/**
 * nvemu_state_boot() - take the save/restore state at boot
 * @nv: the device
 * @meta: what the metadata check found: 0 metadata of these ranges, 1
 *	none (it has just been written), negative: not ours or no memory
 *
 * Chooses the segment size.  With metadata of these ranges, records
 * the state it holds, then clears its clean-shutdown flag: it tells about
 * the shutdown before this boot only.  The restore gate closes (with
 * nvemu.restore=wait) only when no metadata was found: DRAM lost its
 * content.  After a warm reset or a crash the content is there, and newer
 * than any image.
 */
void nvemu_state_boot(struct nvemu_dev *nv, int meta)
{
	struct nvemu_meta *m = nvemu_meta(nv);

	nv->segment_size = segment_size;
	if (!is_power_of_2(segment_size) || segment_size < SZ_1M ||
	    segment_size > NVEMU_ALIGN) {
		dev_warn(nv->dev,
			 "segment_size=%lu is not a power of two from 1 MiB to %llu MiB, using %u MiB\n",
			 segment_size, NVEMU_ALIGN >> 20,
			 (unsigned int)(NVEMU_SEGMENT_SIZE >> 20));
		nv->segment_size = NVEMU_SEGMENT_SIZE;
	}

	if (*restore && strcmp(restore, "wait"))
		dev_warn(nv->dev, "ignoring restore=%s (only \"wait\" is known)\n",
			 restore);
	if (meta < 0)
		return;
	nv->layout_ok = true;
	if (meta == 1 && !strcmp(restore, "wait"))
		nv->gate = true;

	mutex_lock(&nv->lock);
	nv->boot_state = le32_to_cpu(m->state);
	if (nv->boot_state & NVEMU_META_S_CLEAN) {
		m->state = cpu_to_le32(nv->boot_state & ~NVEMU_META_S_CLEAN);
		nvemu_meta_commit(nv);
	}
	mutex_unlock(&nv->lock);

	dev_info(nv->dev,
		 "last shutdown %s; image last saved %llu, last restored %llu%s\n",
		 nv->boot_state & NVEMU_META_S_CLEAN ? "clean (after a save)" :
		 "not clean",
		 le64_to_cpu(m->saved_generation),
		 le64_to_cpu(m->restored_generation),
		 nv->gate ? "; waiting for a restore" : "");
}

/**
 * nvemu_ioctl_geometry() - NVEMU_IOC_GEOMETRY
 * @nv: the device
 * @argp: struct nvemu_geometry in user memory
 *
 * Return: 0 or a negative errno.
 */
long nvemu_ioctl_geometry(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_geometry g;

	if (copy_from_user(&g, argp, sizeof(g)))
		return -EFAULT;
	if (g.flags || g.reserved0 || memchr_inv(g.reserved, 0, sizeof(g.reserved)))
		return -EINVAL;

	memset(&g, 0, sizeof(g));
	g.segment_size = nv->segment_size;
	g.nr_segments = nvemu_nr_regions(nv);
	g.data_size = nvemu_data_size(nv);

	return copy_to_user(argp, &g, sizeof(g)) ? -EFAULT : 0;
}

/**
 * nvemu_ioctl_data_region() - NVEMU_IOC_SEGMENT
 * @nv: the device
 * @argp: struct nvemu_segment in user memory
 *
 * Return: 0 or a negative errno; -EINVAL for an index out of range.
 */
long nvemu_ioctl_data_region(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_segment r;
	struct nvemu_extent *e;
	u64 index, nr = nvemu_nr_regions(nv);

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags || r.reserved0 ||
	    memchr_inv(r.reserved, 0, sizeof(r.reserved)))
		return -EINVAL;
	if (r.index >= nr)
		return -EINVAL;
	index = array_index_nospec(r.index, nr);

	memset(&r, 0, sizeof(r));
	r.index = index;
	r.offset = index * nv->segment_size;
	r.size = min(nv->segment_size, nvemu_data_size(nv) - r.offset);
	e = nvemu_find(nv, r.offset);
	r.range = e - nv->ext;
	r.numa_node = e->nid;

	return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
}

static u32 nvemu_state_flags(struct nvemu_dev *nv)
{
	u32 state = le32_to_cpu(nvemu_meta(nv)->state), flags = 0;

	if (nv->boot_state & NVEMU_META_S_CLEAN)
		flags |= NVEMU_STATE_CLEAN_SHUTDOWN;
	if (nv->gate)
		flags |= NVEMU_STATE_RESTORE_PENDING;
	if (state & NVEMU_META_S_SAVE_FAIL)
		flags |= NVEMU_STATE_SAVE_FAIL;
	if (state & NVEMU_META_S_RESTORE_FAIL)
		flags |= NVEMU_STATE_RESTORE_FAIL;
	return flags;
}

/**
 * nvemu_ioctl_state() - NVEMU_IOC_STATE
 * @nv: the device
 * @argp: struct nvemu_state in user memory
 *
 * Return: 0 or a negative errno; -ENODATA if the metadata belongs to
 * another layout (then there is no state to tell).
 */
long nvemu_ioctl_state(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_state st;
	struct nvemu_meta *m = nvemu_meta(nv);

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.flags || st.reserved0 ||
	    memchr_inv(st.reserved, 0, sizeof(st.reserved)))
		return -EINVAL;
	if (!nv->layout_ok)
		return -ENODATA;

	memset(&st, 0, sizeof(st));
	mutex_lock(&nv->lock);
	st.flags = nvemu_state_flags(nv);
	st.saved_generation = le64_to_cpu(m->saved_generation);
	st.restored_generation = le64_to_cpu(m->restored_generation);
	mutex_unlock(&nv->lock);

	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

/* The restore is over, one way or another: let libnvdimm have the NVM. */
static int nvemu_open_gate(struct nvemu_dev *nv)
{
	int rc;

	if (!nv->gate)
		return 0;
	/* a writer's claims would make every namespace probe fail */
	if (nv->writers)
		return -EBUSY;
	rc = nvemu_register_regions(nv);
	if (rc)
		return rc;
	nv->gate = false;
	dev_info(nv->dev, "restore gate open, NVDIMM region(s) registered\n");
	return 0;
}

/**
 * nvemu_ioctl_report() - NVEMU_IOC_REPORT: user space reports a save or a
 *	restore
 * @nv: the device
 * @file: the open file the report comes through
 * @argp: struct nvemu_report in user memory
 *
 * Records the event in the metadata.  A restore done, failed or abandoned
 * opens the restore gate: the caller must have closed every descriptor it
 * wrote the device with (-EBUSY otherwise, and nothing is recorded).
 *
 * Return: 0 or a negative errno.
 */
long nvemu_ioctl_report(struct nvemu_dev *nv, struct file *file,
			void __user *argp)
{
	struct nvemu_report rep;
	struct nvemu_meta *m = nvemu_meta(nv);
	u32 state;
	long rc = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&rep, argp, sizeof(rep)))
		return -EFAULT;
	if (memchr_inv(rep.reserved, 0, sizeof(rep.reserved)))
		return -EINVAL;
	if (rep.flags & ~NVEMU_REPORT_F_SHUTDOWN ||
	    (rep.flags && rep.event != NVEMU_EV_SAVED &&
	     rep.event != NVEMU_EV_RESTORED))
		return -EINVAL;
	if (!nv->layout_ok)
		return -ENODATA;

	mutex_lock(&nv->lock);
	state = le32_to_cpu(m->state);
	switch (rep.event) {
	case NVEMU_EV_SAVED:
		m->saved_generation = cpu_to_le64(rep.generation);
		state &= ~NVEMU_META_S_SAVE_FAIL;
		if (rep.flags & NVEMU_REPORT_F_SHUTDOWN)
			state |= NVEMU_META_S_CLEAN;
		break;
	case NVEMU_EV_SAVE_FAILED:
		state |= NVEMU_META_S_SAVE_FAIL;
		state &= ~NVEMU_META_S_CLEAN;
		break;
	case NVEMU_EV_RESTORED:
	case NVEMU_EV_RESTORE_FAILED:
	case NVEMU_EV_RESTORE_ABANDONED:
		rc = nvemu_open_gate(nv);
		if (rc)
			goto out_unlock;
		if (rep.event == NVEMU_EV_RESTORED) {
			m->restored_generation = cpu_to_le64(rep.generation);
			state &= ~NVEMU_META_S_RESTORE_FAIL;
			/*
			 * DRAM lost the flag at power-off; the image, saved
			 * at shutdown, tells instead.
			 */
			if (rep.flags & NVEMU_REPORT_F_SHUTDOWN)
				nv->boot_state |= NVEMU_META_S_CLEAN;
		} else if (rep.event == NVEMU_EV_RESTORE_FAILED) {
			state |= NVEMU_META_S_RESTORE_FAIL;
		}
		break;
	default:
		rc = -EINVAL;
		goto out_unlock;
	}
	nvemu_changed_report(nv, file, &rep);
	m->state = cpu_to_le32(state);
	nvemu_meta_commit(nv);
out_unlock:
	mutex_unlock(&nv->lock);
	return rc;
}

static struct nvemu_dev *dev_to_nvemu(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t clean_shutdown_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);

	return sysfs_emit(buf, "%d\n", !!(nv->boot_state & NVEMU_META_S_CLEAN));
}
static DEVICE_ATTR_RO(clean_shutdown);

static ssize_t restore_pending_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", dev_to_nvemu(dev)->gate);
}
static DEVICE_ATTR_RO(restore_pending);

static ssize_t saved_generation_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);

	return sysfs_emit(buf, "%llu\n",
			  le64_to_cpu(nvemu_meta(nv)->saved_generation));
}
static DEVICE_ATTR_RO(saved_generation);

static ssize_t restored_generation_show(struct device *dev,
					struct device_attribute *attr, char *buf)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);

	return sysfs_emit(buf, "%llu\n",
			  le64_to_cpu(nvemu_meta(nv)->restored_generation));
}
static DEVICE_ATTR_RO(restored_generation);

static ssize_t health_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);
	u32 flags;
	int len = 0;

	mutex_lock(&nv->lock);
	flags = nvemu_state_flags(nv);
	mutex_unlock(&nv->lock);
	if (flags & NVEMU_STATE_SAVE_FAIL)
		len += sysfs_emit_at(buf, len, "save_fail ");
	if (flags & NVEMU_STATE_RESTORE_FAIL)
		len += sysfs_emit_at(buf, len, "restore_fail ");
	if (len)
		buf[len - 1] = '\n';
	else
		len = sysfs_emit(buf, "ok\n");
	return len;
}
static DEVICE_ATTR_RO(health);

static struct attribute *nvemu_attrs[] = {
	&dev_attr_clean_shutdown.attr,
	&dev_attr_restore_pending.attr,
	&dev_attr_saved_generation.attr,
	&dev_attr_restored_generation.attr,
	&dev_attr_health.attr,
	NULL
};

/* the attributes tell about the metadata: none if it is not ours */
static umode_t nvemu_attr_visible(struct kobject *kobj, struct attribute *a,
				  int n)
{
	struct nvemu_dev *nv = dev_to_nvemu(kobj_to_dev(kobj));

	return nv && nv->layout_ok ? a->mode : 0;
}

static const struct attribute_group nvemu_attr_group = {
	.attrs = nvemu_attrs,
	.is_visible = nvemu_attr_visible,
};

const struct attribute_group *nvemu_attr_groups[] = {
	&nvemu_attr_group,
	NULL
};
