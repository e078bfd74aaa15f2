/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: the on-NVM format of the process area
 *
 * design/persistent-processes.md, section 3.  Little-endian; checksums are
 * xxh64 (seed 0) unless a field says xxh32.  The process area is the
 * proc_size bytes below the metadata area of drivers/nvemu:
 *
 *   [0, 4 KiB)                 area header (struct nvemu_pa_header)
 *   [64 KiB, + nr_slots * 64 KiB)  slots
 *   [pool_offset, end)         pool: PAGE_SIZE pages, index i >= 1 is the
 *                              page at pool_offset + (i - 1) * PAGE_SIZE
 *
 * A slot is a commit word (the generation, alone in its cache line) and two
 * halves.  The committed half is generation & 1; a commit writes the other
 * half and then stores generation + 1.  Generation 0: never used.
 *
 * Version rule, as for the metadata header: a new field takes reserved
 * room whose zero value means what older kernels did; anything else makes
 * a new version, and a kernel uses only the version it knows.
 */
#ifndef _KERNEL_NVEMU_FORMAT_H
#define _KERNEL_NVEMU_FORMAT_H

#include <linux/build_bug.h>
#include <linux/sizes.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define NVEMU_PA_MAGIC		0x314150554d45564eULL	/* "NVEMUPA1" */
#define NVEMU_PA_VERSION	1
#define NVEMU_PH_MAGIC		0x314850554d45564eULL	/* "NVEMUPH1" */

#define NVEMU_PA_HEADER_SIZE	SZ_4K
#define NVEMU_PA_SLOTS_OFFSET	SZ_64K
#define NVEMU_PA_POOL_ALIGN	SZ_2M	/* memremap_pages() subsection */
#define NVEMU_PA_MIN_SLOTS	4
#define NVEMU_PA_MAX_SLOTS	256
#define NVEMU_PA_BYTES_PER_SLOT	SZ_16M	/* nr_slots = size / this, clamped */

#define NVEMU_SLOT_SIZE		SZ_64K
#define NVEMU_HALF_OFFSET	SZ_4K
#define NVEMU_HALF_SIZE		(30 * SZ_1K)
#define NVEMU_HALF_HEAD_SIZE	SZ_4K
#define NVEMU_CTX_MAX		(NVEMU_HALF_SIZE - NVEMU_HALF_HEAD_SIZE)

#define NVEMU_DESC_MAX_PAGES	64
#define NVEMU_MAX_GROUPS	32
#define NVEMU_BOOT_ID_LEN	16
#define NVEMU_NAME_LEN		32

/* nvemu_half.state */
#define NVEMU_HS_FREE		0	/* the slot holds no process */
#define NVEMU_HS_LIVE		1	/* attached to a task of boot @boot_id */
#define NVEMU_HS_STOPPED	2	/* stopped with a final commit */

/* nvemu_half.flags */
#define NVEMU_HF_IN_SYSCALL	BIT(0)	/* @syscall_nr was in progress */
#define NVEMU_HF_VLT		BIT(1)	/* inside a vlt function (issue 11) */

/* nvemu_half.cred_flags */
#define NVEMU_CF_CAPS		BIT(0)	/* it had capabilities */

/* nvemu_half.mm[] */
enum nvemu_mm_field {
	NVEMU_MM_START_CODE,
	NVEMU_MM_END_CODE,
	NVEMU_MM_START_DATA,
	NVEMU_MM_END_DATA,
	NVEMU_MM_START_BRK,
	NVEMU_MM_BRK,
	NVEMU_MM_START_STACK,
	NVEMU_MM_ARG_START,
	NVEMU_MM_ARG_END,
	NVEMU_MM_ENV_START,
	NVEMU_MM_ENV_END,
	NVEMU_MM_VDSO,
	NVEMU_MM_NR
};

/**
 * struct nvemu_pa_header - the first bytes of the process area
 * @magic: NVEMU_PA_MAGIC
 * @version: NVEMU_PA_VERSION
 * @page_shift: PAGE_SHIFT of the kernel that formatted the area
 * @size: bytes of the area
 * @nr_slots: number of slots
 * @slot_size: NVEMU_SLOT_SIZE
 * @pool_offset: offset of the pool from the start of the area
 * @pool_pages: pages in the pool
 * @arch: AUDIT_ARCH_* of the kernel that formatted the area
 * @reserved: zero
 * @checksum: xxh64 of the bytes before it
 */
struct nvemu_pa_header {
	__le64 magic;
	__le32 version;
	__le32 page_shift;
	__le64 size;
	__le32 nr_slots;
	__le32 slot_size;
	__le64 pool_offset;
	__le64 pool_pages;
	__le64 arch;
	__le64 reserved[56];
	__le64 checksum;
};

/**
 * struct nvemu_pmap_entry - one entry of a page-map node
 * @index: pool page index of the child node or the data page, 0 for none
 * @check: interior nodes: xxh32 of the child node; leaves: zero
 */
struct nvemu_pmap_entry {
	__le32 index;
	__le32 check;
};

/**
 * struct nvemu_half - one of the two context copies of a slot
 * @magic: NVEMU_PH_MAGIC
 * @generation: the generation this half was committed as
 * @state: NVEMU_HS_*
 * @flags: NVEMU_HF_*
 * @id: the process's id, unique in the area
 * @name: its name, NUL-padded
 * @boot_id: the boot that attached a live process
 * @uid: real user id, and the owner
 * @euid: effective user id
 * @suid: saved user id
 * @fsuid: file system user id
 * @gid: real group id
 * @egid: effective group id
 * @sgid: saved group id
 * @fsgid: file system group id
 * @nr_groups: entries used in @groups
 * @cred_flags: NVEMU_CF_*
 * @groups: supplementary groups
 * @stop_signal: the signal that stopped it (NVEMU_HS_STOPPED)
 * @syscall_nr: the system call in progress (NVEMU_HF_IN_SYSCALL)
 * @interval_ms: commit interval
 * @vlt_reruns: re-executions of vlt functions (issue 11)
 * @commits: commits so far
 * @commit_bytes: NVM bytes written by them
 * @map_pages: data pages in the page map
 * @commit_time_ns: CLOCK_REALTIME of this commit
 * @mm: enum nvemu_mm_field values: the mm's layout fields
 * @map_root: pool index of the page-map root node, 0 for an empty map
 * @map_root_check: xxh32 of the root node
 * @map_levels: levels of the page map
 * @desc_len: bytes of the description
 * @desc_check: xxh64 of the description
 * @desc_page: pool indices of the description's pages
 * @arch: AUDIT_ARCH_* of the context
 * @ctx_size: bytes used in @ctx
 * @vdso_hash: xxh64 of the vDSO image the process was started with
 * @reserved: zero
 * @checksum: xxh64 of the head (this field zero) and of @ctx[0..ctx_size)
 * @ctx: the user context, arch format (ELF core-note layouts)
 */
struct nvemu_half {
	__le64 magic;
	__le64 generation;
	__le32 state;
	__le32 flags;
	__le64 id;
	u8 name[NVEMU_NAME_LEN];
	u8 boot_id[NVEMU_BOOT_ID_LEN];
	__le32 uid;
	__le32 euid;
	__le32 suid;
	__le32 fsuid;
	__le32 gid;
	__le32 egid;
	__le32 sgid;
	__le32 fsgid;
	__le32 nr_groups;
	__le32 cred_flags;
	__le32 groups[NVEMU_MAX_GROUPS];
	__le32 stop_signal;
	__le32 syscall_nr;
	__le32 interval_ms;
	__le32 vlt_reruns;
	__le64 commits;
	__le64 commit_bytes;
	__le64 map_pages;
	__le64 commit_time_ns;
	__le64 mm[NVEMU_MM_NR];
	__le32 map_root;
	__le32 map_root_check;
	__le32 map_levels;
	__le32 desc_len;
	__le64 desc_check;
	__le32 desc_page[NVEMU_DESC_MAX_PAGES];
	__le32 arch;
	__le32 ctx_size;
	__le64 vdso_hash;
	__le64 reserved[425];
	__le64 checksum;
	u8 ctx[NVEMU_CTX_MAX];
};

/* The format, checked at build time: nothing may move */
static inline void nvemu_format_check(void)
{
	BUILD_BUG_ON(sizeof(struct nvemu_pa_header) != 512);
	BUILD_BUG_ON(offsetof(struct nvemu_pa_header, checksum) != 504);
	BUILD_BUG_ON(sizeof(struct nvemu_pmap_entry) != 8);
	BUILD_BUG_ON(offsetof(struct nvemu_half, name) != 32);
	BUILD_BUG_ON(offsetof(struct nvemu_half, uid) != 80);
	BUILD_BUG_ON(offsetof(struct nvemu_half, groups) != 120);
	BUILD_BUG_ON(offsetof(struct nvemu_half, commits) != 264);
	BUILD_BUG_ON(offsetof(struct nvemu_half, mm) != 296);
	BUILD_BUG_ON(offsetof(struct nvemu_half, map_root) != 392);
	BUILD_BUG_ON(offsetof(struct nvemu_half, desc_page) != 416);
	BUILD_BUG_ON(offsetof(struct nvemu_half, arch) != 672);
	BUILD_BUG_ON(offsetof(struct nvemu_half, checksum) != 4088);
	BUILD_BUG_ON(offsetof(struct nvemu_half, ctx) != NVEMU_HALF_HEAD_SIZE);
	BUILD_BUG_ON(sizeof(struct nvemu_half) != NVEMU_HALF_SIZE);
	BUILD_BUG_ON(NVEMU_HALF_OFFSET + 2 * NVEMU_HALF_SIZE > NVEMU_SLOT_SIZE);
}

#endif /* _KERNEL_NVEMU_FORMAT_H */
