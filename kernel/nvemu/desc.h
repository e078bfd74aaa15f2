/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: the description of a process
 *
 * What recreates a process besides its memory and registers: its mappings,
 * its files, cwd, signal dispositions and mask, limits, auxv and name.  A
 * byte stream of records, each struct nvemu_drec followed by its payload
 * padded to 8 bytes, stored in up to NVEMU_DESC_MAX_PAGES pool pages
 * (nvemu_half.desc_page) with an xxh64 in nvemu_half.desc_check.  Part of
 * the on-NVM format (format.h's version rule applies).
 */
#ifndef _KERNEL_NVEMU_DESC_H
#define _KERNEL_NVEMU_DESC_H

#include <linux/types.h>

struct nvemu_area;
struct nvemu_half;
struct nvemu_task;

/* nvemu_drec.type */
enum nvemu_drec_type {
	NVEMU_DR_VMA = 1,	/* struct nvemu_dvma */
	NVEMU_DR_FILE,		/* struct nvemu_dfile + path */
	NVEMU_DR_SIGNALS,	/* struct nvemu_dsig */
	NVEMU_DR_LIMITS,	/* struct nvemu_dlimit[RLIM_NLIMITS] */
	NVEMU_DR_AUXV,		/* __le64[] */
	NVEMU_DR_COMM,		/* TASK_COMM_LEN bytes */
};

/**
 * struct nvemu_drec - header of one record
 * @type: enum nvemu_drec_type
 * @reserved: zero
 * @len: bytes of payload after it, before the padding
 */
struct nvemu_drec {
	__le16 type;
	__le16 reserved;
	__le32 len;
};

/* nvemu_dvma.kind */
enum nvemu_dvma_kind {
	NVEMU_DVMA_ANON,	/* private anonymous (also brk and stack) */
	NVEMU_DVMA_FILE,	/* private file mapping */
	NVEMU_DVMA_SHARED_RO,	/* read-only shared file mapping */
	NVEMU_DVMA_VDSO,	/* vDSO text */
	NVEMU_DVMA_VVAR,	/* vDSO data */
};

/* nvemu_dvma.prot: PROT_READ, PROT_WRITE, PROT_EXEC; flags: */
#define NVEMU_DVMA_GROWSDOWN	BIT(0)
#define NVEMU_DVMA_BRK		BIT(1)	/* the heap of brk() */

/**
 * struct nvemu_dvma - one mapping
 * @start: first address
 * @end: end address
 * @pgoff: file offset in pages (file mappings)
 * @kind: enum nvemu_dvma_kind
 * @prot: PROT_* bits
 * @flags: NVEMU_DVMA_* bits
 * @file: index of its NVEMU_DR_FILE record (file mappings), else -1
 */
struct nvemu_dvma {
	__le64 start;
	__le64 end;
	__le64 pgoff;
	__le32 kind;
	__le32 prot;
	__le32 flags;
	__le32 file;
};

/* nvemu_dfile.role */
enum nvemu_dfile_role {
	NVEMU_DF_EXE,		/* the executable (/proc/PID/exe) */
	NVEMU_DF_MAP,		/* a mapped file */
	NVEMU_DF_FD,		/* an open file descriptor */
	NVEMU_DF_CWD,		/* the working directory */
};

/* nvemu_dfile.flags */
#define NVEMU_DF_REG		BIT(0)	/* a regular file */
#define NVEMU_DF_DIR		BIT(1)	/* a directory */
#define NVEMU_DF_HASHED		BIT(2)	/* @hash is the content's xxh64 */
#define NVEMU_DF_CLOEXEC	BIT(3)	/* the descriptor is close-on-exec */

/**
 * struct nvemu_dfile - one file, followed by its path (@path_len bytes)
 * @role: enum nvemu_dfile_role
 * @fd: the descriptor (NVEMU_DF_FD)
 * @f_flags: open flags (NVEMU_DF_FD)
 * @flags: NVEMU_DF_* bits
 * @pos: file position (NVEMU_DF_FD)
 * @size: size at the commit
 * @hash: xxh64 of the content (NVEMU_DF_HASHED)
 * @path_len: bytes of the path that follows, without a NUL
 * @reserved: zero
 */
struct nvemu_dfile {
	__le32 role;
	__le32 fd;
	__le32 f_flags;
	__le32 flags;
	__le64 pos;
	__le64 size;
	__le64 hash;
	__le16 path_len;
	__le16 reserved[3];
};

/**
 * struct nvemu_dsig - signal dispositions and mask
 * @blocked: the blocked mask
 * @action: for each signal 1.._NSIG: handler, flags, restorer, mask
 */
struct nvemu_dsig {
	__le64 blocked;
	__le64 action[64][4];
};

/**
 * struct nvemu_dlimit - one resource limit
 * @cur: soft limit
 * @max: hard limit
 */
struct nvemu_dlimit {
	__le64 cur;
	__le64 max;
};

/**
 * struct nvemu_desc - a description in DRAM
 * @buf: the bytes
 * @len: bytes used
 * @cap: bytes allocated
 */
struct nvemu_desc {
	void *buf;
	size_t len;
	size_t cap;
};

int nvemu_desc_build(struct nvemu_task *nt, struct nvemu_desc *d);
int nvemu_desc_store(struct nvemu_area *area, const struct nvemu_desc *d,
		     struct nvemu_half *h, u64 *written);
int nvemu_desc_load(struct nvemu_area *area, const struct nvemu_half *h,
		    struct nvemu_desc *d);
void nvemu_desc_free(struct nvemu_desc *d);
const struct nvemu_drec *nvemu_desc_next(const struct nvemu_desc *d,
					 size_t *pos);
int nvemu_file_hash(struct file *file, u64 *hash);

#endif /* _KERNEL_NVEMU_DESC_H */
