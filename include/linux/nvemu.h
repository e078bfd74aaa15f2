/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu: DRAM-backed emulated non-volatile memory - kernel interface
 *
 * The architecture code calls nvemu_reserve() once during setup_arch(),
 * after memblock knows all of System RAM and the kernel image, initrd and
 * firmware areas are reserved in it, and before anything is allocated
 * from memblock or the linear map is built.
 */
#ifndef _LINUX_NVEMU_H
#define _LINUX_NVEMU_H

#include <linux/types.h>
#include <linux/init.h>
#include <linux/range.h>
#include <uapi/linux/nvemu.h>

struct device;

/**
 * typedef nvemu_take_fn - architecture hook for one accepted range
 * @start: physical start address of the range
 * @size: size of the range in bytes
 *
 * Called by nvemu_reserve() for every range that passed validation, after
 * the range was removed from memblock.  x86 uses it to retype the range in
 * the e820 table so that it is neither System RAM nor a free hole.
 */
typedef void (*nvemu_take_fn)(phys_addr_t start, u64 size);

#ifdef CONFIG_NVEMU
void __init nvemu_reserve(phys_addr_t initrd_start, u64 initrd_size,
			  nvemu_take_fn take);
#else
static inline void nvemu_reserve(phys_addr_t initrd_start, u64 initrd_size,
				 nvemu_take_fn take)
{
}
#endif

/**
 * struct nvemu_proc_area_ops - what kernel/nvemu may ask of the driver
 * @wrote: bytes [@offset, @offset + @len) of the process area were written
 *	(the change record of save/restore)
 * @gate_open: whether the restore gate is open: false while the NVM waits
 *	for a restore, when the process area must not be used
 */
struct nvemu_proc_area_ops {
	void (*wrote)(struct device *dev, u64 offset, u64 len);
	bool (*gate_open)(struct device *dev);
};

/* Physical ranges one process area may span (one per nvemu= range) */
#define NVEMU_PROC_AREA_MAX_RANGES	NVEMU_MAX_RANGES

/**
 * struct nvemu_proc_area_desc - a process area offered by the driver
 * @dev: the nvemu device, for @ops and messages
 * @addr: the driver's kernel mapping of the area (write-back)
 * @size: bytes of the area
 * @dev_offset: offset of the area in the device offset space
 * @fresh: the metadata was formatted at this boot: format the area too
 * @nr_ranges: entries used in @phys
 * @phys: the physical ranges of the area, ascending, in area order
 * @ops: callbacks into the driver
 */
struct nvemu_proc_area_desc {
	struct device *dev;
	void *addr;
	u64 size;
	u64 dev_offset;
	bool fresh;
	unsigned int nr_ranges;
	struct range phys[NVEMU_PROC_AREA_MAX_RANGES];
	const struct nvemu_proc_area_ops *ops;
};

#ifdef CONFIG_NVEMU_TASK
int nvemu_proc_area_register(const struct nvemu_proc_area_desc *desc);
void nvemu_proc_area_unregister(struct device *dev);
void nvemu_proc_save_begin(struct device *dev);
void nvemu_proc_save_end(struct device *dev);
#else
static inline int nvemu_proc_area_register(const struct nvemu_proc_area_desc *desc)
{
	return 0;
}

static inline void nvemu_proc_area_unregister(struct device *dev)
{
}

static inline void nvemu_proc_save_begin(struct device *dev)
{
}

static inline void nvemu_proc_save_end(struct device *dev)
{
}
#endif

#endif /* _LINUX_NVEMU_H */
