/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu: DRAM-backed emulated non-volatile memory - driver internals
 */
#ifndef _DRIVERS_NVEMU_NVEMU_H
#define _DRIVERS_NVEMU_NVEMU_H

#include <linux/bits.h>
#include <linux/mmzone.h>
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
 * @flags: NVEMU_META_F_* flags
 * @reserved0: zero
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
	__le32 reserved0;
	__le64 reserved[60];
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
