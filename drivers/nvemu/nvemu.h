/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu: DRAM-backed emulated non-volatile memory - driver internals
 */
#ifndef _DRIVERS_NVEMU_NVEMU_H
#define _DRIVERS_NVEMU_NVEMU_H

#include <linux/bits.h>
#include <linux/libnvdimm.h>
#include <linux/miscdevice.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/nvemu.h>

#define NVEMU_DRV_NAME		"nvemu"
#define NVEMU_RES_NAME		"Persistent Memory (nvemu)"

/* Alignment of every range: one memory section, see admin-guide/nvemu.rst */
#define NVEMU_ALIGN		((u64)PAGES_PER_SECTION << PAGE_SHIFT)

/*
 * nvemu's own metadata: the last NVEMU_META_SIZE bytes of the device,
 * outside of every NVDIMM region.  A multiple of the default region
 * alignment (16 MiB), because ndctl wants label-less namespaces sized in
 * multiples of it.
 */
#define NVEMU_META_SIZE		SZ_16M
#define NVEMU_META_MAGIC	0x31444d554d45564eULL	/* "NVEMUMD1" */
#define NVEMU_META_VERSION	1
/* nvemu_meta.flags: the ranges formed one region (nvemu.merge=1) */
#define NVEMU_META_F_MERGED	BIT(0)
/* nvemu_meta.state: the last shutdown came after a save (seed 003) */
#define NVEMU_META_S_CLEAN	BIT(0)
/* nvemu_meta.state: the last save failed */
#define NVEMU_META_S_SAVE_FAIL	BIT(1)
/* nvemu_meta.state: the last restore failed */
#define NVEMU_META_S_RESTORE_FAIL BIT(2)

/* Default size of the segments that save and restore work in */
#define NVEMU_SEGMENT_SIZE	SZ_64M

/**
 * struct nvemu_meta_range - one range as recorded in the metadata
 * @start: physical start address
 * @size: size in bytes
 */
struct nvemu_meta_range {
	__le64 start;
	__le64 size;
};

/**
 * struct nvemu_meta - header of the metadata area, little-endian on NVM
 * @magic: NVEMU_META_MAGIC
 * @version: NVEMU_META_VERSION
 * @nr_ranges: number of valid entries in @range
 * @total_size: size of the device, the sum of all ranges
 * @flags: NVEMU_META_F_* flags: the layout
 * @state: NVEMU_META_S_* flags: save and restore state, not layout
 * @saved_generation: generation of the image last saved
 * @restored_generation: generation of the image last restored
 * @reserved: zero; room for later fields
 * @range: the ranges the data was written with, ascending
 * @checksum: nd_fletcher64() of the header with this field zero
 */
struct nvemu_meta {
	__le64 magic;
	__le32 version;
	__le32 nr_ranges;
	__le64 total_size;
	__le32 flags;
	__le32 state;
	__le64 saved_generation;
	__le64 restored_generation;
	__le64 reserved[58];
	struct nvemu_meta_range range[NVEMU_MAX_RANGES];
	__le64 checksum;
};

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
 * struct nvemu_extent - one physical range in the device offset space
 * @nv: the device (provider data of the NVDIMM region starting here)
 * @offset: offset of the first byte in /dev/nvemuN
 * @size: size in bytes
 * @phys: physical start address
 * @virt: where the range starts in the device mapping
 * @nid: NUMA node of the memory, NUMA_NO_NODE if unknown
 * @res: the platform resource, "Persistent Memory (nvemu)"
 */
struct nvemu_extent {
	struct nvemu_dev *nv;
	u64 offset;
	u64 size;
	phys_addr_t phys;
	void *virt;
	int nid;
	struct resource *res;
};

/**
 * struct nvemu_dev - one nvemu device
 * @dev: the platform device's struct device
 * @nd_desc: NVDIMM bus descriptor
 * @nvdimm_bus: the registered NVDIMM bus
 * @misc: the raw character device
 * @name: name of the character device, "nvemu0"
 * @area: the device mapping: all extents back to back, write-back cacheable
 * @size: total size, the sum of all extents
 * @segment_size: size of the segments of save and restore
 * @lock: protects @writers, the claims, @gate, @boot_state, writes to
 *	the metadata, and @taken, @taker and the @ref_* fields
 * @writers: open files of /dev/nvemuN with write access; while non-zero,
 *	every extent is claimed busy in the iomem resource tree
 * @gate: nvemu.restore=wait and no restore reported yet: no NVDIMM region
 *	is registered, only the restore path writes
 * @layout_ok: the metadata matches the ranges: regions may be registered
 * @boot_state: the NVEMU_META_S_* state the metadata held at boot
 * @changed: segments written since the last NVEMU_IOC_CHANGED
 * @mapped: segments handed out for direct access (changed.c)
 * @taken: what the last NVEMU_IOC_CHANGED handed over (@changed and
 *	@mapped), until the save that took it reports
 * @taker: the open file of that save, or NULL
 * @ref_valid: @ref_uuid and @ref_generation tell the image that @changed,
 *	@mapped and @taken are relative to
 * @ref_uuid: uuid of that image
 * @ref_generation: its generation
 * @nr: number of extents
 * @ext: the extents, ascending by physical address and by offset
 */
struct nvemu_dev {
	struct device *dev;
	struct nvdimm_bus_descriptor nd_desc;
	struct nvdimm_bus *nvdimm_bus;
	struct miscdevice misc;
	char name[16];
	struct vm_struct *area;
	u64 size;
	u64 segment_size;
	struct mutex lock;	/* see above */
	unsigned int writers;
	bool gate;
	bool layout_ok;
	u32 boot_state;
	unsigned long *changed;
	unsigned long *mapped;
	unsigned long *taken;
	struct file *taker;
	bool ref_valid;
	u8 ref_uuid[16];
	u64 ref_generation;
	unsigned int nr;
	struct nvemu_extent ext[] __counted_by(nr);
};

/* bytes the segments cover: all but the metadata area */
static inline u64 nvemu_data_size(const struct nvemu_dev *nv)
{
	return nv->size - NVEMU_META_SIZE;
}

static inline u64 nvemu_nr_regions(const struct nvemu_dev *nv)
{
	return DIV_ROUND_UP_ULL(nvemu_data_size(nv), nv->segment_size);
}

struct nvemu_extent *nvemu_find(struct nvemu_dev *nv, u64 off);
struct nvemu_meta *nvemu_meta(struct nvemu_dev *nv);
void nvemu_meta_commit(struct nvemu_dev *nv);
int nvemu_register_regions(struct nvemu_dev *nv);
int nvemu_claim(struct nvemu_dev *nv);
void nvemu_unclaim(struct nvemu_dev *nv, unsigned int nr);

/* save and restore: state.c */
extern const struct attribute_group *nvemu_attr_groups[];
void nvemu_state_boot(struct nvemu_dev *nv, int meta);
long nvemu_ioctl_geometry(struct nvemu_dev *nv, void __user *argp);
long nvemu_ioctl_data_region(struct nvemu_dev *nv, void __user *argp);
long nvemu_ioctl_state(struct nvemu_dev *nv, void __user *argp);
long nvemu_ioctl_report(struct nvemu_dev *nv, struct file *file,
			void __user *argp);

/* what changed since the last image: changed.c */
struct nd_region_desc;
struct nvemu_report;
int nvemu_changed_init(struct nvemu_dev *nv);
void nvemu_note(struct nvemu_dev *nv, u64 off, u64 len, bool mapped);
void nvemu_changed_region_desc(struct nvemu_extent *e,
			       struct nd_region_desc *ndr_desc);
long nvemu_ioctl_changed(struct nvemu_dev *nv, struct file *file,
			 void __user *argp);
void nvemu_changed_report(struct nvemu_dev *nv, struct file *file,
			  const struct nvemu_report *rep);
void nvemu_changed_release(struct nvemu_dev *nv, struct file *file);

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

#endif /* _DRIVERS_NVEMU_NVEMU_H */
