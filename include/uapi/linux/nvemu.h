/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nvemu: DRAM-backed emulated non-volatile memory - user-space ABI
 *
 * /dev/nvemuN is a character device over all memory that the nvemu=
 * boot parameter reserved, the ranges concatenated in ascending physical
 * order into one offset space.  It supports read/write/lseek/mmap
 * (MAP_SHARED only) and the ioctls below.
 *
 * Rules for every ioctl argument: fields documented as "in" are checked,
 * fields documented as "out" are ignored on input unless stated otherwise,
 * reserved fields and unknown flags must be zero (-EINVAL otherwise).
 * No ioctl ever returns a kernel virtual address.  See
 * Documentation/userspace-api/nvemu.rst.
 */
#ifndef _UAPI_LINUX_NVEMU_H
#define _UAPI_LINUX_NVEMU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The largest number of nvemu= ranges the kernel accepts. */
#define NVEMU_MAX_RANGES	32

/**
 * struct nvemu_info - the device as a whole (NVEMU_IOC_INFO)
 * @total_size:	out: bytes of emulated NVM behind the device, the sum of
 *		all range sizes; also the size seen by lseek(SEEK_END)
 * @nr_ranges:	out: number of physical ranges, 1..NVEMU_MAX_RANGES
 * @flags:	in: must be 0; out: NVEMU_INFO_F_* flags
 * @align:	out: alignment, in bytes, that every range honours (the
 *		memory section size of the running kernel)
 * @meta_offset: out: device offset of nvemu's metadata area, the end of
 *		the bytes that the NVDIMM region(s) cover
 * @meta_size:	out: size of the metadata area, at the end of the device
 * @reserved:	in: must be 0; out: 0
 */
struct nvemu_info {
	__u64 total_size;
	__u32 nr_ranges;
	__u32 flags;
	__u64 align;
	__u64 meta_offset;
	__u64 meta_size;
	__u64 reserved[3];
};

/**
 * struct nvemu_range_info - one physical range (NVEMU_IOC_RANGE_INFO)
 * @index:	in: range number, 0..nr_ranges-1, in ascending physical order
 * @flags:	in: must be 0; out: NVEMU_RANGE_F_* flags
 * @offset:	out: offset of the range's first byte in the device
 * @size:	out: size of the range in bytes
 * @phys_addr:	out: physical start address if NVEMU_RANGE_F_PHYS is set
 *		(callers with CAP_SYS_ADMIN), otherwise 0
 * @numa_node:	out: NUMA node of the range, -1 if unknown
 * @reserved0:	in: must be 0; out: 0
 * @reserved:	in: must be 0; out: 0
 */
struct nvemu_range_info {
	__u32 index;
	__u32 flags;
	__u64 offset;
	__u64 size;
	__u64 phys_addr;
	__s32 numa_node;
	__u32 reserved0;
	__u64 reserved[4];
};

/* nvemu_info.flags: all ranges form one NVDIMM region (nvemu.merge=1) */
#define NVEMU_INFO_F_MERGED	(1U << 0)

/* nvemu_range_info.flags: phys_addr is valid */
#define NVEMU_RANGE_F_PHYS	(1U << 0)

#define NVEMU_IOC_MAGIC		0xB9

#define NVEMU_IOC_INFO		_IOWR(NVEMU_IOC_MAGIC, 0x00, struct nvemu_info)
#define NVEMU_IOC_RANGE_INFO	_IOWR(NVEMU_IOC_MAGIC, 0x01, struct nvemu_range_info)

#endif /* _UAPI_LINUX_NVEMU_H */
