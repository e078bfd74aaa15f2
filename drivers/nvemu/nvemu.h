/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu: DRAM-backed emulated non-volatile memory - driver internals
 *
 * The files of the driver, each with one job, in the order they may call
 * each other (a file calls only files above it in this list):
 *
 *   param.c    the nvemu= parser, nvemu.proc_size: pure logic, KUnit-tested
 *   reserve.c  early reservation of the ranges, the platform device
 *   space.c    the device offset space: mapping of the ranges, lookup
 *   meta.c     the metadata area (format in meta.h)
 *   changed.c  the record of what changed since the last image
 *   region.c   the NVDIMM bus and its region(s)
 *   state.c    save and restore: segments, restore gate, state, sysfs
 *   proc.c     the process area offered to kernel/nvemu
 *   cdev.c     /dev/nvemuN: file operations and ioctls
 *   core.c     probe and remove
 *
 * changed.c and state.c exist with CONFIG_NVEMU_SAVE_RESTORE only; their
 * stubs below stand in for them otherwise.
 *
 * kernel/nvemu is called through <linux/nvemu.h> only: proc.c registers
 * the process area, changed.c opens and closes the save window (without
 * nv->lock held for nvemu_proc_save_begin(), which may wait for commits).
 * It calls back through the ops of proc.c only, which take no lock.
 *
 * The device offset space, from 0 to nv->size:
 *
 *   0                    nvemu_proc_offset()   nvemu_meta_offset()   size
 *   | NVDIMM region(s)   | process area        | metadata area       |
 *   |<------------ segments of save and restore ------------>|
 *
 * nvemu_regions_end() == nvemu_proc_offset(); the area is empty (size 0)
 * unless the metadata header records one.
 */
#ifndef _DRIVERS_NVEMU_NVEMU_H
#define _DRIVERS_NVEMU_NVEMU_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/libnvdimm.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/nvemu.h>

#include "meta.h"

#define NVEMU_DRV_NAME		"nvemu"
#define NVEMU_RES_NAME		"Persistent Memory (nvemu)"

/* Alignment of every range: one memory section, see admin-guide/nvemu.rst */
#define NVEMU_ALIGN		((u64)PAGES_PER_SECTION << PAGE_SHIFT)

/* Default size of the segments that save and restore work in */
#define NVEMU_SEGMENT_SIZE	SZ_64M

/* nvemu.proc_size not given: the default size (nvemu_proc_default_size()) */
#define NVEMU_PROC_SIZE_AUTO	U64_MAX
/* The least device size that gets a process area by default */
#define NVEMU_PROC_DEFAULT_MIN	SZ_256M

/**
 * struct nvemu_range - one physical range given with nvemu=
 * @start: physical start address
 * @size: size in bytes
 */
struct nvemu_range {
	u64 start;
	u64 size;
};

/**
 * nvemu_range_overlaps() - whether a range overlaps [start, start + size)
 * @r: the range
 * @start: start of the other area
 * @size: size of the other area; an empty area overlaps nothing
 *
 * Return: true if they share at least one byte.
 */
static inline bool nvemu_range_overlaps(const struct nvemu_range *r,
					u64 start, u64 size)
{
	return size && r->start < start + size && start < r->start + r->size;
}

/**
 * enum nvemu_range_err - why a range given with nvemu= was refused
 * @NVEMU_OK: the range is acceptable
 * @NVEMU_ESYNTAX: not of the form SIZE@START
 * @NVEMU_EZERO: the size is zero
 * @NVEMU_EOVERFLOW: start + size wraps around the physical address space
 * @NVEMU_EALIGN: start or size is not a multiple of the required alignment
 * @NVEMU_ETOOMANY: more than NVEMU_MAX_RANGES ranges were given
 * @NVEMU_EOVERLAP: the range overlaps a range given earlier
 * @NVEMU_ENOTRAM: the range is not entirely usable System RAM
 * @NVEMU_EKERNEL: the range overlaps the kernel image
 * @NVEMU_EINITRD: the range overlaps the initrd
 * @NVEMU_ENOMAP: the range overlaps firmware memory that must not be mapped
 * @NVEMU_ERESERVED: the range overlaps memory reserved by firmware or early boot
 */
enum nvemu_range_err {
	NVEMU_OK = 0,
	NVEMU_ESYNTAX,
	NVEMU_EZERO,
	NVEMU_EOVERFLOW,
	NVEMU_EALIGN,
	NVEMU_ETOOMANY,
	NVEMU_EOVERLAP,
	NVEMU_ENOTRAM,
	NVEMU_EKERNEL,
	NVEMU_EINITRD,
	NVEMU_ENOMAP,
	NVEMU_ERESERVED,
};

/**
 * typedef nvemu_report_fn - report one refused item of an nvemu= string
 * @ctx: caller's context
 * @item: the item as written, up to its terminating ',' (not NUL-terminated)
 * @len: length of @item
 * @range: the parsed range, valid unless @err is NVEMU_ESYNTAX
 * @err: why the item was refused
 * @other: for NVEMU_EOVERLAP, the earlier range it overlaps
 */
typedef void (*nvemu_report_fn)(void *ctx, const char *item, size_t len,
				const struct nvemu_range *range,
				enum nvemu_range_err err,
				const struct nvemu_range *other);

/**
 * struct nvemu_dev_range - one range placed in the device offset space
 * @nv: the device (provider data of the NVDIMM region starting here)
 * @offset: offset of the first byte in /dev/nvemuN
 * @size: size in bytes
 * @phys: physical start address
 * @virt: where the range starts in the device mapping
 * @nid: NUMA node of the memory, NUMA_NO_NODE if unknown
 * @res: the platform resource, "Persistent Memory (nvemu)"
 */
struct nvemu_dev_range {
	struct nvemu_dev *nv;
	u64 offset;
	u64 size;
	phys_addr_t phys;
	void *virt;
	int nid;
	struct resource *res;
};

/**
 * struct nvemu_meta_area - the metadata area (meta.c)
 * @nvm: the header in the NVM
 * @copy: the header as last written (or found valid): changes are made
 *	here and written to @nvm whole by nvemu_meta_write()
 * @ours: @nvm held a valid header of these ranges at boot, or none and
 *	one was written: the content may be used, regions registered
 */
struct nvemu_meta_area {
	struct nvemu_meta *nvm;
	struct nvemu_meta copy;
	bool ours;
};

/**
 * struct nvemu_segments - the data area cut into segments (state.c)
 * @size: bytes per segment (nvemu.segment_size), a power of two
 * @nr: number of segments; the last may be shorter
 */
struct nvemu_segments {
	u64 size;
	u64 nr;
};

/**
 * struct nvemu_bus - the NVDIMM bus provider (region.c)
 * @desc: NVDIMM bus descriptor
 * @bus: the registered NVDIMM bus
 * @merged: one region over all ranges (nvemu.merge=1, several ranges)
 * @nr_regions: regions registered on @bus, under nv->lock: none, or all
 *	of them (one, or one per range)
 * @regions: the regions registered, room for one per range
 */
struct nvemu_bus {
	struct nvdimm_bus_descriptor desc;
	struct nvdimm_bus *bus;
	bool merged;
	unsigned int nr_regions;
	struct nd_region **regions;
};

/**
 * struct nvemu_cdev - the raw character device (cdev.c)
 * @misc: the misc device
 * @name: its name, "nvemu0"
 * @writers: open files with write access, under nv->lock; while non-zero,
 *	every range is claimed busy in the iomem resource tree
 */
struct nvemu_cdev {
	struct miscdevice misc;
	char name[16];
	unsigned int writers;
};

/**
 * struct nvemu_sr_state - save and restore state (state.c)
 * @gate: nvemu.restore=wait and no restore reported yet: no NVDIMM
 *	region is registered and only CAP_SYS_ADMIN opens for writing.
 *	Written under nv->lock; read with READ_ONCE() elsewhere
 * @boot_state: the NVEMU_META_S_* state the metadata held at boot, with
 *	NVEMU_META_S_CLEAN also set by a restore of a shutdown image
 */
struct nvemu_sr_state {
	bool gate;
	u32 boot_state;
};

/**
 * struct nvemu_record - what changed since the last image (changed.c)
 * @changed: segments written since the last NVEMU_IOC_CHANGED
 * @mapped: segments handed out for direct access
 * @taken: what the last NVEMU_IOC_CHANGED handed over (@changed and
 *	@mapped), until the save that took it reports
 * @save_file: the open file of that save, or NULL; under nv->lock.  Set,
 *	it also holds the process area's save window open (changed.c)
 * @save_opening: a save waits for the save window to open (commits of
 *	the process area to finish): no other save may start; under nv->lock
 * @ref_valid: @ref_uuid and @ref_generation tell the image that
 *	@changed, @mapped and @taken are relative to
 * @ref_uuid: uuid of that image
 * @ref_generation: its generation
 */
struct nvemu_record {
	unsigned long *changed;
	unsigned long *mapped;
	unsigned long *taken;
	struct file *save_file;
	bool save_opening;
	bool ref_valid;
	u8 ref_uuid[16];
	u64 ref_generation;
};

/**
 * struct nvemu_proc - the process area (proc.c)
 * @size: bytes, as the metadata header records them; 0: no area
 * @fresh: the metadata was formatted at this boot
 * @registered: kernel/nvemu took @desc
 * @desc: what was offered to kernel/nvemu; kept while registered
 */
struct nvemu_proc {
	u64 size;
	bool fresh;
	bool registered;
	struct nvemu_proc_area_desc desc;
};

/**
 * struct nvemu_dev - one nvemu device
 * @dev: the platform device's struct device
 * @lock: serializes the writers of @cdev.writers and the claims, @sr,
 *	@meta, @bus.nr_regions and @record.save_file and its reference
 * @area: the device mapping: all ranges back to back, write-back cacheable
 * @size: total size, the sum of all ranges
 * @meta: the metadata area
 * @seg: the segments of save and restore
 * @bus: the NVDIMM bus and its regions
 * @cdev: /dev/nvemuN
 * @sr: save and restore state
 * @record: what changed since the last image
 * @proc: the process area
 * @nr: number of ranges
 * @range: the ranges, ascending by physical address and by offset
 */
struct nvemu_dev {
	struct device *dev;
	struct mutex lock;	/* see above */
	struct vm_struct *area;
	u64 size;
	struct nvemu_meta_area meta;
	struct nvemu_segments seg;
	struct nvemu_bus bus;
	struct nvemu_cdev cdev;
	struct nvemu_sr_state sr;
	struct nvemu_record record;
	struct nvemu_proc proc;
	unsigned int nr;
	struct nvemu_dev_range range[] __counted_by(nr);
};

/* device offset of the metadata area, at the end of the device */
static inline u64 nvemu_meta_offset(const struct nvemu_dev *nv)
{
	return nv->size - NVEMU_META_SIZE;
}

/*
 * bytes the segments cover: all but the metadata area (the process area
 * too: save and restore carry it)
 */
static inline u64 nvemu_data_size(const struct nvemu_dev *nv)
{
	return nvemu_meta_offset(nv);
}

/* bytes of the process area, 0 if there is none */
static inline u64 nvemu_proc_size(const struct nvemu_dev *nv)
{
	return nv->proc.size;
}

/* device offset of the process area, just below the metadata area */
static inline u64 nvemu_proc_offset(const struct nvemu_dev *nv)
{
	return nvemu_meta_offset(nv) - nvemu_proc_size(nv);
}

/* end of the bytes the NVDIMM region(s) cover: the process area's start */
static inline u64 nvemu_regions_end(const struct nvemu_dev *nv)
{
	return nvemu_proc_offset(nv);
}

/* behind the restore gate: no region, only the restore path writes */
static inline bool nvemu_gate_closed(const struct nvemu_dev *nv)
{
	return READ_ONCE(nv->sr.gate);
}

/* open files of /dev/nvemuN with write access */
static inline unsigned int nvemu_writers(struct nvemu_dev *nv)
{
	lockdep_assert_held(&nv->lock);
	return nv->cdev.writers;
}

/* param.c */
const char *nvemu_range_strerror(enum nvemu_range_err err);
enum nvemu_range_err nvemu_parse_item(const char *item, size_t len,
				      struct nvemu_range *range);
enum nvemu_range_err nvemu_check_range(const struct nvemu_range *range,
				       u64 align,
				       const struct nvemu_range *table,
				       unsigned int nr, unsigned int *conflict);
unsigned int nvemu_parse_param(const char *str, u64 align,
			       struct nvemu_range *table, unsigned int nr,
			       nvemu_report_fn report, void *ctx);

int nvemu_proc_parse(const char *val, u64 *size);
u64 nvemu_proc_default_size(u64 total);
u64 nvemu_proc_max_size(u64 total);
u64 nvemu_proc_choose(u64 total, u64 param);
u64 nvemu_proc_size_param(void);

/* space.c */
int nvemu_space_map(struct nvemu_dev *nv);
void nvemu_space_unmap(struct nvemu_dev *nv);
struct nvemu_dev_range *nvemu_range_at(struct nvemu_dev *nv, u64 off);
struct nvemu_dev_range *nvemu_space_step(struct nvemu_dev *nv, u64 pos,
					 u64 end, u64 *off, u64 *len);

/* meta.c */
/**
 * enum nvemu_meta_found - what nvemu_meta_read() found in the NVM
 * @NVEMU_META_MATCH: a header of these ranges: the content is ours
 * @NVEMU_META_NONE: no valid header; one has been written
 * @NVEMU_META_OTHER: a header of another layout or version: left alone
 */
enum nvemu_meta_found {
	NVEMU_META_MATCH,
	NVEMU_META_NONE,
	NVEMU_META_OTHER,
};

enum nvemu_meta_found nvemu_meta_read(struct nvemu_dev *nv, bool merged);
void nvemu_meta_write(struct nvemu_dev *nv);

/* changed.c */
#ifdef CONFIG_NVEMU_SAVE_RESTORE
int nvemu_record_init(struct nvemu_dev *nv);
void nvemu_record_write(struct nvemu_dev *nv, u64 off, u64 len, bool mapped);
void nvemu_record_region_desc(struct nvemu_dev_range *r,
			      struct nd_region_desc *ndr_desc);
long nvemu_ioctl_changed(struct nvemu_dev *nv, struct file *file,
			 void __user *argp);
void nvemu_record_report(struct nvemu_dev *nv, struct file *file,
			 const struct nvemu_report *rep);
void nvemu_record_release(struct nvemu_dev *nv, struct file *file);
#else
static inline int nvemu_record_init(struct nvemu_dev *nv)
{
	return 0;
}

static inline void nvemu_record_write(struct nvemu_dev *nv, u64 off, u64 len,
				      bool mapped)
{
}

static inline void nvemu_record_region_desc(struct nvemu_dev_range *r,
					    struct nd_region_desc *ndr_desc)
{
	ndr_desc->provider_data = r;
}

static inline long nvemu_ioctl_changed(struct nvemu_dev *nv,
				       struct file *file, void __user *argp)
{
	return -ENOTTY;
}

static inline void nvemu_record_release(struct nvemu_dev *nv,
					struct file *file)
{
}
#endif

/* region.c */
int nvemu_bus_register(struct nvemu_dev *nv, bool merged);
void nvemu_bus_unregister(struct nvemu_dev *nv);
int nvemu_regions_register(struct nvemu_dev *nv);

/* state.c */
#ifdef CONFIG_NVEMU_SAVE_RESTORE
extern const struct attribute_group *nvemu_attr_groups[];
void nvemu_state_boot(struct nvemu_dev *nv, enum nvemu_meta_found found);
long nvemu_ioctl_geometry(struct nvemu_dev *nv, void __user *argp);
long nvemu_ioctl_segment(struct nvemu_dev *nv, void __user *argp);
long nvemu_ioctl_state(struct nvemu_dev *nv, void __user *argp);
long nvemu_ioctl_report(struct nvemu_dev *nv, struct file *file,
			void __user *argp);
#else
#define nvemu_attr_groups NULL

static inline void nvemu_state_boot(struct nvemu_dev *nv,
				    enum nvemu_meta_found found)
{
}

static inline long nvemu_ioctl_geometry(struct nvemu_dev *nv,
					void __user *argp)
{
	return -ENOTTY;
}

static inline long nvemu_ioctl_segment(struct nvemu_dev *nv,
				       void __user *argp)
{
	return -ENOTTY;
}

static inline long nvemu_ioctl_state(struct nvemu_dev *nv, void __user *argp)
{
	return -ENOTTY;
}

static inline long nvemu_ioctl_report(struct nvemu_dev *nv, struct file *file,
				      void __user *argp)
{
	return -ENOTTY;
}
#endif

#if IS_ENABLED(CONFIG_KUNIT) && IS_ENABLED(CONFIG_NVEMU_SAVE_RESTORE)
/* the state machines, for their KUnit tests */
int nvemu_record_hand_over(struct nvemu_dev *nv, struct file *file,
			   const u8 *uuid, u64 generation, unsigned long *out,
			   bool *valid);
int nvemu_state_event(struct nvemu_dev *nv, const struct nvemu_report *rep);
#endif

/* proc.c */
void nvemu_proc_register(struct nvemu_dev *nv);
void nvemu_proc_unregister(struct nvemu_dev *nv);

/* cdev.c */
int nvemu_cdev_register(struct nvemu_dev *nv);
void nvemu_cdev_unregister(struct nvemu_dev *nv);

#endif /* _DRIVERS_NVEMU_NVEMU_H */
