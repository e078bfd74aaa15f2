// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the FPU state of current, x86_64
 *
 * The XSAVE UABI format (what ptrace's NT_X86_XSTATE and core dumps hold),
 * saved with the helpers ptrace uses and restored the way the ia32 signal
 * return does it for current (__fpu_restore_sig()): the registers are
 * invalidated, the state is written into fpstate, and TIF_NEED_FPU_LOAD
 * loads it at the return to user space.
 */
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <asm/fpu/api.h>
#include <asm/fpu/regset.h>
#include <asm/fpu/signal.h>
#include <asm/fpu/xstate.h>
#include <asm/nvemu.h>

#include "context.h"
#include "internal.h"
#include "xstate.h"

/**
 * nvemu_x86_fpu_size() - bytes of current's FPU state in UABI format
 *
 * Return: the size, the same for every task on this CPU configuration.
 */
unsigned int nvemu_x86_fpu_size(void)
{
	return fpu_user_cfg.max_size;
}

/**
 * nvemu_x86_fpu_save() - save current's FPU state
 * @buf: where
 * @size: room in @buf
 *
 * Return: bytes written, or -E2BIG without room.
 */
int nvemu_x86_fpu_save(void *buf, size_t size)
{
	unsigned int n = fpu_user_cfg.max_size;

	if (size < n)
		return -E2BIG;
	fpu_sync_fpstate(&current->thread.fpu);
	copy_xstate_to_uabi_buf((struct membuf){ .p = buf, .left = n },
				current, XSTATE_COPY_XSAVE);
	return n;
}

/**
 * nvemu_x86_fpu_restore() - restore current's FPU state
 * @buf: a state nvemu_x86_fpu_save() wrote
 * @size: its size
 *
 * Return: 0; -EXDEV when the size is not this CPU configuration's;
 * -EINVAL for a state the CPU would refuse.
 */
int nvemu_x86_fpu_restore(const void *buf, size_t size)
{
	struct fpu *fpu = &current->thread.fpu;

	if (size != fpu_user_cfg.max_size)
		return -EXDEV;
	fpregs_lock();
	if (!test_thread_flag(TIF_NEED_FPU_LOAD)) {
		if (xfeatures_mask_supervisor())
			os_xsave(fpu->fpstate);
		set_thread_flag(TIF_NEED_FPU_LOAD);
	}
	__fpu_invalidate_fpregs_state(fpu);
	__cpu_invalidate_fpregs_state();
	fpregs_unlock();
	return copy_uabi_from_kernel_to_xstate(fpu->fpstate, buf,
					       &current->thread.pkru);
}
