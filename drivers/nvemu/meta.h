/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu: the on-media format of the metadata area
 *
 * The last NVEMU_META_SIZE bytes of the device offset space hold nvemu's
 * own metadata, outside of every NVDIMM region.  Its first 1032 bytes are
 * the header below, little-endian; the rest of the area is zero and
 * reserved.  The process area (persistent processes), when the header
 * records one, is the @proc_size bytes just below it.
 *
 * Version rule.  A kernel accepts a header whose magic and checksum are
 * valid only if its version equals NVEMU_META_VERSION; any other version is
 * treated like another layout (the raw device comes up, no region is
 * registered, nothing is overwritten).  A new field takes a part of
 * @reserved whose all-zero value means what older kernels did, and leaves
 * the version alone.  Changing the size, position or meaning of an
 * existing field, or the checksum, makes a new version.
 */
#ifndef _DRIVERS_NVEMU_META_H
#define _DRIVERS_NVEMU_META_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/sizes.h>
#include <linux/stddef.h>
#include <linux/types.h>

/*
 * Size of the metadata area: a multiple of the default region alignment
 * (16 MiB), because ndctl wants label-less namespaces sized in multiples
 * of it.
 */
#define NVEMU_META_SIZE		SZ_16M
#define NVEMU_META_MAGIC	0x31444d554d45564eULL	/* "NVEMUMD1" */
#define NVEMU_META_VERSION	1

/*
 * Entries of the range table.  Fixed by the format, independent of how
 * many ranges the kernel accepts (NVEMU_MAX_RANGES may not exceed it).
 */
#define NVEMU_META_MAX_RANGES	32

/*
 * Unit of the process area's size, and the least the regions keep below
 * it: the default region alignment, as NVEMU_META_SIZE.
 */
#define NVEMU_PROC_ALIGN	SZ_16M

/* nvemu_meta.flags: the ranges formed one region (nvemu.merge=1) */
#define NVEMU_META_F_MERGED	BIT(0)
/* nvemu_meta.state: the last shutdown came after a save (seed 003) */
#define NVEMU_META_S_CLEAN	BIT(0)
/* nvemu_meta.state: the last save failed */
#define NVEMU_META_S_SAVE_FAIL	BIT(1)
/* nvemu_meta.state: the last restore failed */
#define NVEMU_META_S_RESTORE_FAIL BIT(2)

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
 * @proc_size: size of the process area, just below the metadata area; a
 *	multiple of NVEMU_PROC_ALIGN.  Zero: no process area, as written by
 *	kernels before it existed.  Part of the layout: the regions end where
 *	the area begins
 * @reserved: zero; room for later fields (see the version rule above)
 * @range: the ranges the data was written with, ascending; unused
 *	entries are zero
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
	__le64 proc_size;
	__le64 reserved[57];
	struct nvemu_meta_range range[NVEMU_META_MAX_RANGES];
	__le64 checksum;
};

/* The format, checked at build time: nothing may move */
static inline void nvemu_meta_check_format(void)
{
	BUILD_BUG_ON(sizeof(struct nvemu_meta_range) != 16);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, state) != 28);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, saved_generation) != 32);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, restored_generation) != 40);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, proc_size) != 48);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, reserved) != 56);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, range) != 512);
	BUILD_BUG_ON(offsetof(struct nvemu_meta, checksum) != 1024);
	BUILD_BUG_ON(sizeof(struct nvemu_meta) != 1032);
	BUILD_BUG_ON(sizeof(struct nvemu_meta) > NVEMU_META_SIZE);
}

#endif /* _DRIVERS_NVEMU_META_H */
