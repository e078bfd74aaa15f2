// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu: what save and restore to a disk need from the kernel
 *
 * DRAM loses the emulated NVM at power-off; user space (tools/nvemu) saves
 * it to a disk at shutdown and restores it at boot.  The kernel side:
 *  - the segments: the device offset space below the metadata area (the
 *    process area included: an image carries it), cut into segments of
 *    nvemu.segment_size bytes, none across two ranges, so that save and
 *    restore workers can each own a slice of every segment and run near
 *    its memory (NVEMU_IOC_GEOMETRY, NVEMU_IOC_SEGMENT);
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
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "nvemu.h"

static ulong segment_size = NVEMU_SEGMENT_SIZE;

/*
 * nvemu.segment_size=SIZE takes K, M and G suffixes, as nvemu= does: a
 * power of two from 1 MiB to the range alignment, so that no segment
 * spans two ranges.  Anything else is refused when given, and the
 * default stays.
 */
static int segment_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long size;
	char *end;

	size = memparse(val, &end);
	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	if (!is_power_of_2(size) || size < SZ_1M || size > NVEMU_ALIGN) {
		pr_err("segment_size=%llu is not a power of two from 1 MiB to %llu MiB, using %lu MiB\n",
		       size, NVEMU_ALIGN >> 20, *(ulong *)kp->arg >> 20);
		return -EINVAL;
	}
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
 * @nv: the device, nv->lock held
 * @found: what the metadata check found
 *
 * Cuts the data area into segments.  With metadata of these ranges,
 * records the state it holds, then clears its clean-shutdown flag: it
 * tells about the shutdown before this boot only.  The restore gate
 * closes (with nvemu.restore=wait) only when no metadata was found: DRAM
 * lost its content.  After a warm reset or a crash the content is there,
 * and newer than any image.
 */
void nvemu_state_boot(struct nvemu_dev *nv, enum nvemu_meta_found found)
{
	struct nvemu_meta *m = &nv->meta.copy;
	struct nvemu_sr_state *st = &nv->sr;

	lockdep_assert_held(&nv->lock);
	nv->seg.size = segment_size;
	nv->seg.nr = DIV_ROUND_UP_ULL(nvemu_data_size(nv), nv->seg.size);

	if (*restore && strcmp(restore, "wait"))
		dev_warn(nv->dev, "ignoring restore=%s (only \"wait\" is known)\n",
			 restore);
	if (found == NVEMU_META_OTHER)
		return;
	if (found == NVEMU_META_NONE && !strcmp(restore, "wait"))
		WRITE_ONCE(st->gate, true);

	st->boot_state = le32_to_cpu(m->state);
	if (st->boot_state & NVEMU_META_S_CLEAN) {
		m->state = cpu_to_le32(st->boot_state & ~NVEMU_META_S_CLEAN);
		nvemu_meta_write(nv);
	}

	dev_info(nv->dev,
		 "last shutdown %s; image last saved %llu, last restored %llu%s\n",
		 st->boot_state & NVEMU_META_S_CLEAN ? "clean (after a save)" :
		 "not clean",
		 le64_to_cpu(m->saved_generation),
		 le64_to_cpu(m->restored_generation),
		 st->gate ? "; waiting for a restore" : "");
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_state_boot);

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
	g.segment_size = nv->seg.size;
	g.nr_segments = nv->seg.nr;
	g.data_size = nvemu_data_size(nv);

	return copy_to_user(argp, &g, sizeof(g)) ? -EFAULT : 0;
}

/**
 * nvemu_ioctl_segment() - NVEMU_IOC_SEGMENT
 * @nv: the device
 * @argp: struct nvemu_segment in user memory
 *
 * Return: 0 or a negative errno; -EINVAL for an index out of range.
 */
long nvemu_ioctl_segment(struct nvemu_dev *nv, void __user *argp)
{
	struct nvemu_segment s;
	struct nvemu_dev_range *r;
	u64 index, nr = nv->seg.nr;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (s.flags || s.reserved0 ||
	    memchr_inv(s.reserved, 0, sizeof(s.reserved)))
		return -EINVAL;
	if (s.index >= nr)
		return -EINVAL;
	index = array_index_nospec(s.index, nr);

	memset(&s, 0, sizeof(s));
	s.index = index;
	s.offset = index * nv->seg.size;
	s.size = min(nv->seg.size, nvemu_data_size(nv) - s.offset);
	r = nvemu_range_at(nv, s.offset);
	s.range = r - nv->range;
	s.numa_node = r->nid;

	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

static u32 nvemu_state_flags(struct nvemu_dev *nv)
{
	u32 state = le32_to_cpu(nv->meta.copy.state), flags = 0;

	lockdep_assert_held(&nv->lock);
	if (nv->sr.boot_state & NVEMU_META_S_CLEAN)
		flags |= NVEMU_STATE_CLEAN_SHUTDOWN;
	if (nv->sr.gate)
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
	struct nvemu_meta *m = &nv->meta.copy;
	struct nvemu_state st;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.flags || st.reserved0 ||
	    memchr_inv(st.reserved, 0, sizeof(st.reserved)))
		return -EINVAL;
	if (!nv->meta.ours)
		return -ENODATA;

	memset(&st, 0, sizeof(st));
	scoped_guard(mutex, &nv->lock) {
		st.flags = nvemu_state_flags(nv);
		st.saved_generation = le64_to_cpu(m->saved_generation);
		st.restored_generation = le64_to_cpu(m->restored_generation);
	}

	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

/* The restore is over, one way or another: let libnvdimm have the NVM. */
static int nvemu_open_gate(struct nvemu_dev *nv)
{
	int rc;

	lockdep_assert_held(&nv->lock);
	if (!nv->sr.gate)
		return 0;
	/* a writer's claims would make every namespace probe fail */
	if (nvemu_writers(nv))
		return -EBUSY;
	rc = nvemu_regions_register(nv);
	if (rc)
		return rc;
	WRITE_ONCE(nv->sr.gate, false);
	dev_info(nv->dev, "restore gate open, NVDIMM region(s) registered\n");
	return 0;
}

/**
 * nvemu_state_event() - the state after a reported save or restore
 * @nv: the device, nv->lock held
 * @rep: the report, its flags checked
 *
 * Changes the copy of the metadata header only; a restore's end opens
 * the restore gate.
 *
 * Return: 0, or a negative errno and nothing changed.
 */
VISIBLE_IF_KUNIT int nvemu_state_event(struct nvemu_dev *nv,
				       const struct nvemu_report *rep)
{
	struct nvemu_meta *m = &nv->meta.copy;
	u32 state = le32_to_cpu(m->state);
	int rc;

	lockdep_assert_held(&nv->lock);
	switch (rep->event) {
	case NVEMU_EV_SAVED:
		m->saved_generation = cpu_to_le64(rep->generation);
		state &= ~NVEMU_META_S_SAVE_FAIL;
		if (rep->flags & NVEMU_REPORT_F_SHUTDOWN)
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
			return rc;
		if (rep->event == NVEMU_EV_RESTORED) {
			m->restored_generation = cpu_to_le64(rep->generation);
			state &= ~NVEMU_META_S_RESTORE_FAIL;
			/*
			 * DRAM lost the flag at power-off; the image, saved
			 * at shutdown, tells instead.
			 */
			if (rep->flags & NVEMU_REPORT_F_SHUTDOWN)
				nv->sr.boot_state |= NVEMU_META_S_CLEAN;
		} else if (rep->event == NVEMU_EV_RESTORE_FAILED) {
			state |= NVEMU_META_S_RESTORE_FAIL;
		}
		break;
	default:
		return -EINVAL;
	}
	m->state = cpu_to_le32(state);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_state_event);

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
	int rc;

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
	if (!nv->meta.ours)
		return -ENODATA;

	guard(mutex)(&nv->lock);
	rc = nvemu_state_event(nv, &rep);
	if (rc)
		return rc;
	nvemu_record_report(nv, file, &rep);
	nvemu_meta_write(nv);
	return 0;
}

static struct nvemu_dev *dev_to_nvemu(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t clean_shutdown_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);
	u32 boot_state;

	scoped_guard(mutex, &nv->lock)
		boot_state = nv->sr.boot_state;
	return sysfs_emit(buf, "%d\n", !!(boot_state & NVEMU_META_S_CLEAN));
}
static DEVICE_ATTR_RO(clean_shutdown);

static ssize_t restore_pending_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", nvemu_gate_closed(dev_to_nvemu(dev)));
}
static DEVICE_ATTR_RO(restore_pending);

/* A generation from the metadata: 0 saved, 1 restored */
static ssize_t nvemu_generation_show(struct device *dev, char *buf,
				     bool restored)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);
	struct nvemu_meta *m = &nv->meta.copy;
	u64 gen;

	scoped_guard(mutex, &nv->lock)
		gen = le64_to_cpu(restored ? m->restored_generation :
				  m->saved_generation);
	return sysfs_emit(buf, "%llu\n", gen);
}

static ssize_t saved_generation_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return nvemu_generation_show(dev, buf, false);
}
static DEVICE_ATTR_RO(saved_generation);

static ssize_t restored_generation_show(struct device *dev,
					struct device_attribute *attr, char *buf)
{
	return nvemu_generation_show(dev, buf, true);
}
static DEVICE_ATTR_RO(restored_generation);

static ssize_t health_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct nvemu_dev *nv = dev_to_nvemu(dev);
	u32 flags;
	int len = 0;

	scoped_guard(mutex, &nv->lock)
		flags = nvemu_state_flags(nv);
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

/* recorded in the metadata, fixed while it is ours */
static ssize_t proc_size_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", nvemu_proc_size(dev_to_nvemu(dev)));
}
static DEVICE_ATTR_RO(proc_size);

static struct attribute *nvemu_attrs[] = {
	&dev_attr_clean_shutdown.attr,
	&dev_attr_restore_pending.attr,
	&dev_attr_saved_generation.attr,
	&dev_attr_restored_generation.attr,
	&dev_attr_health.attr,
	&dev_attr_proc_size.attr,
	NULL
};

/* the attributes tell about the metadata: none if it is not ours */
static umode_t nvemu_attr_visible(struct kobject *kobj, struct attribute *a,
				  int n)
{
	struct nvemu_dev *nv = dev_to_nvemu(kobj_to_dev(kobj));

	return nv && nv->meta.ours ? a->mode : 0;
}

static const struct attribute_group nvemu_attr_group = {
	.attrs = nvemu_attrs,
	.is_visible = nvemu_attr_visible,
};

const struct attribute_group *nvemu_attr_groups[] = {
	&nvemu_attr_group,
	NULL
};
