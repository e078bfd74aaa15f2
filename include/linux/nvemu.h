/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu: DRAM-backed emulated non-volatile memory - kernel interface
 *
 * The architecture code calls nvemu_reserve() once during setup_arch(),
 * after memblock knows all of System RAM and the kernel image, initrd and
 * firmware areas are reserved in it, and before anything is allocated
 * from memblock or the linear map is built.
 */
#ifndef _LINUX_NVEMU_H
#define _LINUX_NVEMU_H

#include <linux/types.h>
#include <linux/init.h>
#include <uapi/linux/nvemu.h>

/**
 * typedef nvemu_take_fn - architecture hook for one accepted range
 * @start: physical start address of the range
 * @size: size of the range in bytes
 *
 * Called by nvemu_reserve() for every range that passed validation, after
 * the range was removed from memblock.  x86 uses it to retype the range in
 * the e820 table so that it is neither System RAM nor a free hole.
 */
typedef void (*nvemu_take_fn)(phys_addr_t start, u64 size);

#ifdef CONFIG_NVEMU
void __init nvemu_reserve(phys_addr_t initrd_start, u64 initrd_size,
			  nvemu_take_fn take);
#else
static inline void nvemu_reserve(phys_addr_t initrd_start, u64 initrd_size,
				 nvemu_take_fn take)
{
}
#endif

#endif /* _LINUX_NVEMU_H */
