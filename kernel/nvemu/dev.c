// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: /dev/nvemu_proc
 *
 * Every user may open it (mode 0666, as /dev/kvm); each ioctl shows or
 * acts on the caller's own persistent processes only, unless the caller
 * has CAP_SYS_ADMIN.  include/uapi/linux/nvemu_proc.h is the ABI.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "resume.h"

static bool nvemu_may_see(const struct nvemu_slot *s)
{
	return uid_eq(s->uid, current_uid()) || capable(CAP_SYS_ADMIN);
}

static long nvemu_ioc_area(void __user *argp)
{
	struct nvemu_area *area = nvemu_area_get();
	struct nvemu_proc_area a;
	u32 i;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags || memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.default_interval_ms = NVEMU_PROC_INTERVAL_DEFAULT;
	if (area) {
		guard(mutex)(&area->lock);
		a.size = area->size;
		a.flags = area->flags;
		if (area->pgmap)
			a.flags |= NVEMU_PROC_AREA_ENABLED;
		if (!area->ops->gate_open(area->dev))
			a.flags |= NVEMU_PROC_AREA_RESTORE_PENDING;
		if (area->flags == NVEMU_PROC_AREA_PRESENT) {
			a.page_size = PAGE_SIZE;
			a.nr_slots = area->nr_slots;
			a.pool_pages = area->pool.nr_pages;
			a.pool_free = area->pool.nr_free;
			for (i = 0; i < area->nr_slots; i++)
				if (area->slot[i].state != NVEMU_SLOT_FREE)
					a.slots_used++;
		}
	}
	return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
}

static long nvemu_ioc_arm(void __user *argp)
{
	struct nvemu_proc_arm a;
	u64 id;
	int rc;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags || memchr_inv(a.reserved, 0, sizeof(a.reserved)) ||
	    !memchr(a.name, 0, sizeof(a.name)))
		return -EINVAL;
	if (a.interval_ms && (a.interval_ms < NVEMU_PROC_INTERVAL_MIN ||
			      a.interval_ms > NVEMU_PROC_INTERVAL_MAX))
		return -EINVAL;
	rc = nvemu_task_arm(&a, &id);
	if (rc)
		return rc;
	a.id = id;
	return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
}

static void nvemu_fill_info(struct nvemu_area *area, struct nvemu_slot *s,
			    struct nvemu_proc_info *info)
{
	const struct nvemu_half *h = NULL;

	info->id = s->id;
	info->uid = from_kuid_munged(current_user_ns(), s->uid);
	if (s->state == NVEMU_SLOT_DAMAGED) {
		info->state = NVEMU_PROC_DAMAGED;
		return;
	}
	if (s->task)
		info->pid = task_pid_vnr(s->task->task);
	info->state = nvemu_slot_proc_state(nvemu_slot_addr(area, s->index),
					    s->task, &h);
	if (!h) {
		/* armed, not committed yet */
		if (s->task) {
			memcpy(info->name, s->task->half->name,
			       sizeof(info->name) - 1);
			info->interval_ms = le32_to_cpu(s->task->half->interval_ms);
		}
		return;
	}
	memcpy(info->name, h->name, sizeof(info->name) - 1);
	info->gid = le32_to_cpu(h->gid);
	info->generation = le64_to_cpu(h->generation);
	info->commit_time_ns = le64_to_cpu(h->commit_time_ns);
	info->mem_bytes = le64_to_cpu(h->map_pages) << PAGE_SHIFT;
	info->commits = le64_to_cpu(h->commits);
	info->commit_bytes = le64_to_cpu(h->commit_bytes);
	info->interval_ms = le32_to_cpu(h->interval_ms);
	info->stop_signal = info->state == NVEMU_PROC_RESUMABLE ?
			    le32_to_cpu(h->stop_signal) : 0;
	if (le32_to_cpu(h->flags) & NVEMU_HF_IN_SYSCALL)
		info->proc_flags |= NVEMU_PROC_F_IN_SYSCALL;
	if (le32_to_cpu(h->flags) & NVEMU_HF_VLT)
		info->proc_flags |= NVEMU_PROC_F_VLT;
	info->vlt_reruns = le32_to_cpu(h->vlt_reruns);
	nvemu_resume_program(area, h, info->program, sizeof(info->program));
}

static long nvemu_ioc_info(void __user *argp)
{
	struct nvemu_area *area = nvemu_area_get();
	struct nvemu_proc_info *info;
	struct nvemu_slot *s;
	long rc = 0;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	if (copy_from_user(info, argp, sizeof(*info))) {
		rc = -EFAULT;
		goto out;
	}
	if (info->flags || memchr_inv(info->reserved, 0, sizeof(info->reserved))) {
		rc = -EINVAL;
		goto out;
	}
	if (!area || area->flags != NVEMU_PROC_AREA_PRESENT) {
		rc = -ENODEV;
		goto out;
	}
	if (info->index >= area->nr_slots) {
		rc = -EINVAL;
		goto out;
	}
	scoped_guard(mutex, &area->lock) {
		u32 index = info->index;

		s = &area->slot[index];
		if (s->state == NVEMU_SLOT_FREE || !nvemu_may_see(s)) {
			rc = -ENOENT;
			break;
		}
		memset(info, 0, sizeof(*info));
		info->index = index;
		nvemu_fill_info(area, s, info);
	}
	if (!rc && copy_to_user(argp, info, sizeof(*info)))
		rc = -EFAULT;
out:
	kfree(info);
	return rc;
}

static long nvemu_ioc_discard(void __user *argp)
{
	struct nvemu_proc_id a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.reserved)
		return -EINVAL;
	return nvemu_resume_discard(a.id);
}

static long nvemu_proc_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVEMU_PROC_IOC_AREA:
		return nvemu_ioc_area(argp);
	case NVEMU_PROC_IOC_ARM:
		return nvemu_ioc_arm(argp);
	case NVEMU_PROC_IOC_INFO:
		return nvemu_ioc_info(argp);
	case NVEMU_PROC_IOC_DISCARD:
		return nvemu_ioc_discard(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations nvemu_proc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = nvemu_proc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice nvemu_proc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nvemu_proc",
	.fops = &nvemu_proc_fops,
	.mode = 0666,
};

static int __init nvemu_proc_init(void)
{
	int rc;

	rc = nvemu_resume_init();
	if (rc)
		return rc;
	return misc_register(&nvemu_proc_misc);
}
device_initcall(nvemu_proc_init);
