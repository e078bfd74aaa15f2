/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnvemu - the bytes of the save image format (private to the library
 * and its tests; libnvemu.h has the public part)
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
#ifndef LIBNVEMU_IMAGE_H
#define LIBNVEMU_IMAGE_H

#include "internal.h"
#include "libnvemu.h"

#define NVIMG_MAGIC		"NVEMUIMG"
#define NVIMG_TABLE_START	(2ULL << 20)
#define NVIMG_ENTRY_SIZE	32U
#define NVIMG_CSUM_XXH3		1U	/* XXH3-128 of XXH3-128 chunk digests */

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
#define NVH_SEGMENT_SIZE	0x048
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

#endif /* LIBNVEMU_IMAGE_H */
