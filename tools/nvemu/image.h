/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - the save image format
 *
 * Documentation/admin-guide/nvemu-save-restore.rst describes it byte by
 * byte.  In short, on the TARGET:
 *
 *	0		header copy A (4 KiB block)
 *	1 MiB		header copy B (4 KiB block)
 *	2 MiB		segment table of copy A (table_size bytes)
 *	2 MiB + T	segment table of copy B
 *	data_offset	slot 0 of every segment, then slot 1 of every segment,
 *			slot_size bytes each
 *
 * The copy with a valid checksum and the highest generation is current.
 */
#ifndef NVEMU_IMAGE_H
#define NVEMU_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "util.h"

#define NVIMG_MAGIC		"NVEMUIMG"
#define NVIMG_VERSION		1U
#define NVIMG_HDR_SIZE		4096U
#define NVIMG_ALIGN		BIT_ULL(20)	/* tables, slots */
#define NVIMG_CHUNK		BIT_ULL(20)	/* checksum chunk */
#define NVIMG_HDR_OFFSET(c)	((uint64_t)(c) << 20)
#define NVIMG_TABLE_START	(2ULL << 20)
#define NVIMG_ENTRY_SIZE	32U
#define NVIMG_CSUM_XXH3		1U	/* XXH3-128 of XXH3-128 chunk digests */
#define NVIMG_MAX_RANGES	32U
#define NVIMG_MAX_SEGMENTS	BIT_ULL(24)
#define NVIMG_MIN_SEGMENT	4096ULL
#define NVIMG_MAX_SEGMENT	BIT_ULL(40)
#define NVIMG_MAX_TOTAL		BIT_ULL(56)

/* header flags */
#define NVIMG_F_SHUTDOWN	0x1U		/* nvemu save --shutdown */
#define NVIMG_F_FULL		0x2U		/* this save wrote every segment */
#define NVIMG_F_ALL		(NVIMG_F_SHUTDOWN | NVIMG_F_FULL)

/* byte offsets of the header fields */
#define NVH_MAGIC		0x000
#define NVH_VERSION		0x008
#define NVH_HDR_SIZE		0x00c
#define NVH_COPY		0x010
#define NVH_FLAGS		0x014
#define NVH_UUID		0x018
#define NVH_GENERATION		0x028
#define NVH_TIME		0x030
#define NVH_TOTAL_SIZE		0x038
#define NVH_DATA_SIZE		0x040
#define NVH_SEGMENT_SIZE		0x048
#define NVH_NR_SEGMENTS		0x050
#define NVH_NR_RANGES		0x058
#define NVH_CSUM_ALGO		0x05c
#define NVH_CHUNK_SIZE		0x060
#define NVH_ENTRY_SIZE		0x068
#define NVH_TABLE_OFFSET	0x070
#define NVH_TABLE_SIZE		0x078
#define NVH_DATA_OFFSET		0x080
#define NVH_SLOT_SIZE		0x088
#define NVH_IMAGE_SIZE		0x090
#define NVH_SEGMENTS_WRITTEN	0x098
#define NVH_RANGES		0x100	/* 32 x { u64 offset, u64 size } */
#define NVH_CHECKSUM		0xff8	/* the last 8 bytes */

/* byte offsets in a segment table entry */
#define NVE_SIZE		0x00
#define NVE_SLOT		0x08
#define NVE_RESERVED		0x0c
#define NVE_CSUM		0x10

enum nvimg_status {
	NVIMG_VALID,
	NVIMG_EMPTY,		/* no magic: no header there */
	NVIMG_CORRUPT,		/* a header, but not a valid one */
	NVIMG_TRUNCATED,	/* a sane header, but the TARGET is too short */
};

struct nv_range {
	uint64_t offset;
	uint64_t size;
};

/* What the image must match: the NVM's segments and ranges. */
struct nv_geom {
	uint64_t total_size;
	uint64_t data_size;
	uint64_t segment_size;
	uint64_t nr_segments;
	uint32_t nr_ranges;
	struct nv_range range[NVIMG_MAX_RANGES];
};

/* Where things are on the TARGET; a function of the geometry alone. */
struct nv_layout {
	uint64_t nr_segments;
	uint64_t table_bytes;		/* nr_segments * NVIMG_ENTRY_SIZE */
	uint64_t table_size;		/* reserved per copy, 1 MiB multiple */
	uint64_t table_offset[2];
	uint64_t data_offset;
	uint64_t slot_size;
	uint64_t image_size;
};

struct nv_entry {
	uint64_t size;
	uint32_t slot;
	struct nv_csum csum;
};

struct nv_image {
	unsigned int copy;		/* 0: A, 1: B */
	uint32_t flags;
	uint8_t uuid[16];
	uint64_t generation;
	uint64_t time_ns;
	uint64_t segments_written;
	struct nv_geom geom;
	struct nv_layout layout;
	struct nv_entry *table;		/* nr_segments entries */
};

uint64_t nvimg_segment_bytes(const struct nv_geom *g, uint64_t i);
uint64_t nvimg_segment_chunks(const struct nv_geom *g, uint64_t i);
uint64_t nvimg_chunks_per_segment(const struct nv_geom *g);
int nvimg_geom_check(const struct nv_geom *g, char *why, size_t len);
void nvimg_layout(const struct nv_geom *g, struct nv_layout *l);
uint64_t nvimg_slot_offset(const struct nv_layout *l, uint64_t i,
			   unsigned int slot);
int nvimg_geom_compare(const struct nv_geom *img, const struct nv_geom *dev,
		       char *why, size_t len);

void nvimg_encode(const struct nv_image *im, uint8_t *blk, uint8_t *table);
int nvimg_decode_header(const uint8_t *blk, unsigned int copy,
			struct nv_image *im, char *why, size_t len);
int nvimg_decode_table(const uint8_t *blk, const uint8_t *table,
		       struct nv_image *im, char *why, size_t len);
void nvimg_free(struct nv_image *im);

int nvimg_pick(const int status[2], const struct nv_image im[2]);
unsigned int nvimg_new_copy(const struct nv_image *base);
unsigned int nvimg_new_slot(const struct nv_image *base, uint64_t i);

#endif /* NVEMU_IMAGE_H */
