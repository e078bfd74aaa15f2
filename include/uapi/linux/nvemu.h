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
 * @meta_offset: out: device offset of nvemu's metadata area, at the end
 *		of the device, just after the process area
 * @meta_size:	out: size of the metadata area, at the end of the device
 * @proc_offset: out: device offset of the process area (persistent
 *		processes), the end of the bytes that the NVDIMM region(s)
 *		cover; @proc_offset + @proc_size == @meta_offset
 * @proc_size:	out: size of the process area, 0 if there is none (as
 *		recorded in the metadata; 0 too if the metadata belongs to
 *		another layout)
 * @reserved:	in: must be 0; out: 0
 */
struct nvemu_info {
	__u64 total_size;
	__u32 nr_ranges;
	__u32 flags;
	__u64 align;
	__u64 meta_offset;
	__u64 meta_size;
	__u64 proc_offset;
	__u64 proc_size;
	__u64 reserved;
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

/**
 * struct nvemu_geometry - segments for save and restore
 *	(NVEMU_IOC_GEOMETRY)
 * @segment_size: out: size of a segment in bytes (nvemu.segment_size); a
 *		power of two that divides the range alignment, so that no
 *		segment spans two ranges
 * @nr_segments:	out: number of segments
 * @data_size:	out: bytes that the segments cover, from device offset
 *		0: everything but nvemu's metadata area (meta_offset), the
 *		process area included
 * @flags:	in: must be 0; out: 0
 * @reserved0:	in: must be 0; out: 0
 * @reserved:	in: must be 0; out: 0
 *
 * Segment i starts at offset i * @segment_size; it is @segment_size
 * bytes long, except the last one, which ends at @data_size.
 */
struct nvemu_geometry {
	__u64 segment_size;
	__u64 nr_segments;
	__u64 data_size;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[4];
};

/**
 * struct nvemu_segment - one segment (NVEMU_IOC_SEGMENT)
 * @index:	in: 0 .. nr_segments - 1
 * @flags:	in: must be 0; out: 0
 * @offset:	out: device offset of its first byte
 * @size:	out: size in bytes
 * @range:	out: index of the range that holds it (NVEMU_IOC_RANGE_INFO)
 * @numa_node:	out: NUMA node of that range, -1 if unknown
 * @reserved0:	in: must be 0; out: 0
 * @reserved:	in: must be 0; out: 0
 */
struct nvemu_segment {
	__u64 index;
	__u32 flags;
	__u32 range;
	__u64 offset;
	__u64 size;
	__s32 numa_node;
	__u32 reserved0;
	__u64 reserved[3];
};

/**
 * struct nvemu_state - save/restore state (NVEMU_IOC_STATE)
 * @flags:	in: must be 0; out: NVEMU_STATE_* flags
 * @reserved0:	in: must be 0; out: 0
 * @saved_generation: out: generation of the image last saved (0: none)
 * @restored_generation: out: generation of the image last restored
 * @reserved:	in: must be 0; out: 0
 */
struct nvemu_state {
	__u32 flags;
	__u32 reserved0;
	__u64 saved_generation;
	__u64 restored_generation;
	__u64 reserved[5];
};

/* nvemu_state.flags: the shutdown before this boot followed a save */
#define NVEMU_STATE_CLEAN_SHUTDOWN	(1U << 0)
/* nvemu_state.flags: nvemu.restore=wait and no restore reported yet */
#define NVEMU_STATE_RESTORE_PENDING	(1U << 1)
/* nvemu_state.flags: the last save failed (NFIT's save_fail) */
#define NVEMU_STATE_SAVE_FAIL		(1U << 2)
/* nvemu_state.flags: the last restore failed (NFIT's restore_fail) */
#define NVEMU_STATE_RESTORE_FAIL	(1U << 3)

/**
 * struct nvemu_report - user space reports a save or restore
 *	(NVEMU_IOC_REPORT, CAP_SYS_ADMIN)
 * @event:	in: one NVEMU_EV_* value
 * @flags:	in: NVEMU_REPORT_F_* flags
 * @generation:	in: generation of the image (NVEMU_EV_SAVED, _RESTORED)
 * @uuid:	in: uuid of the image (NVEMU_EV_SAVED, _RESTORED), or all
 *		zeroes: unknown.  With it, the kernel can tell what changed
 *		since this image (NVEMU_IOC_CHANGED)
 * @reserved:	in: must be 0
 */
struct nvemu_report {
	__u32 event;
	__u32 flags;
	__u64 generation;
	__u8 uuid[16];
	__u64 reserved[2];
};

/**
 * struct nvemu_changed - which segments may differ from an image
 *	(NVEMU_IOC_CHANGED, CAP_SYS_ADMIN)
 * @flags:	in: must be 0; out: NVEMU_CHANGED_* flags
 * @reserved0:	in: must be 0; out: 0
 * @uuid:	in: uuid of the image the save's TARGET holds now
 * @generation:	in: its generation
 * @bitmap:	in: user pointer to an array of DIV_ROUND_UP(@nr_segments, 64)
 *		__u64; out: bit i % 64 of element i / 64 set if segment
 *		i may have changed since that image
 * @nr_segments:	in: number of segments (NVEMU_IOC_GEOMETRY)
 * @reserved:	in: must be 0; out: 0
 *
 * Called by a save before it reads the NVM: the kernel hands over what
 * it recorded since the last call and starts recording anew.  The save
 * ends with NVEMU_IOC_REPORT of NVEMU_EV_SAVED (the image it wrote is
 * then the reference) or NVEMU_EV_SAVE_FAILED, made through the same
 * open file; if the file is closed before, what was handed over is
 * recorded again.  One save at a time: -EBUSY while another has called
 * and not reported.
 */
struct nvemu_changed {
	__u32 flags;
	__u32 reserved0;
	__u8 uuid[16];
	__u64 generation;
	__u64 bitmap;
	__u64 nr_segments;
	__u64 reserved[3];
};

/*
 * nvemu_changed.flags: the kernel knows what changed since the image of
 * nvemu_changed.uuid and .generation: every segment whose bit is clear is
 * the same as in that image.  Without it the bitmap tells what changed
 * since the last call only, and the save must compare every segment.
 */
#define NVEMU_CHANGED_VALID		(1U << 0)

/* an image of generation nvemu_report.generation was written */
#define NVEMU_EV_SAVED			1
#define NVEMU_EV_SAVE_FAILED		2
/* the NVM holds the image of generation nvemu_report.generation */
#define NVEMU_EV_RESTORED		3
#define NVEMU_EV_RESTORE_FAILED		4
/* no restore will happen (no image, or the administrator said so) */
#define NVEMU_EV_RESTORE_ABANDONED	5

/*
 * nvemu_report.flags: with NVEMU_EV_SAVED, this is the save at shutdown
 * (the next boot reports a clean shutdown); with NVEMU_EV_RESTORED, the
 * image restored was saved at shutdown (so this boot reports a clean one)
 */
#define NVEMU_REPORT_F_SHUTDOWN		(1U << 0)

/* nvemu_info.flags: all ranges form one NVDIMM region (nvemu.merge=1) */
#define NVEMU_INFO_F_MERGED	(1U << 0)

/* nvemu_range_info.flags: phys_addr is valid */
#define NVEMU_RANGE_F_PHYS	(1U << 0)

#define NVEMU_IOC_MAGIC		0xB9

#define NVEMU_IOC_INFO		_IOWR(NVEMU_IOC_MAGIC, 0x00, struct nvemu_info)
#define NVEMU_IOC_RANGE_INFO	_IOWR(NVEMU_IOC_MAGIC, 0x01, struct nvemu_range_info)
#define NVEMU_IOC_GEOMETRY	_IOWR(NVEMU_IOC_MAGIC, 0x02, struct nvemu_geometry)
#define NVEMU_IOC_SEGMENT	_IOWR(NVEMU_IOC_MAGIC, 0x03, struct nvemu_segment)
#define NVEMU_IOC_STATE		_IOWR(NVEMU_IOC_MAGIC, 0x04, struct nvemu_state)
#define NVEMU_IOC_REPORT	_IOW(NVEMU_IOC_MAGIC, 0x05, struct nvemu_report)
#define NVEMU_IOC_CHANGED	_IOWR(NVEMU_IOC_MAGIC, 0x06, struct nvemu_changed)

#endif /* _UAPI_LINUX_NVEMU_H */
