/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: the x86_64 user context
 *
 * arch/x86/kernel/nvemu.c saves and restores the registers of current in
 * the layout of struct user_regs_struct (NT_PRSTATUS), followed by the
 * XSAVE UABI buffer (NT_X86_XSTATE) that arch/x86/kernel/fpu/nvemu.c
 * fills, the helpers for it being private to arch/x86/kernel/fpu/.
 */
#ifndef _ASM_X86_NVEMU_H
#define _ASM_X86_NVEMU_H

#include <linux/types.h>

unsigned int nvemu_x86_fpu_size(void);
int nvemu_x86_fpu_save(void *buf, size_t size);
int nvemu_x86_fpu_restore(const void *buf, size_t size);

#endif /* _ASM_X86_NVEMU_H */
