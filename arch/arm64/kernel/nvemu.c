// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the user context of current, arm64
 *
 * Modelled on the signal frame (setup_sigframe()/restore_sigframe()): the
 * general registers as struct user_pt_regs (NT_PRSTATUS), the FP/SIMD
 * registers as struct user_fpsimd_state (NT_PRFPREG), then TPIDR_EL0
 * (NT_ARM_TLS).  Tasks with live SVE or SME state are refused: the CPUs
 * nvemu targets (Cortex-A72, Phytium FT-2000+/64) have neither.  Entering
 * a vlt function on its DRAM stack is modelled on the entry of a signal
 * handler.
 */
#include <linux/audit.h>
#include <linux/errno.h>
#include <linux/nvemu_task.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <asm/fpsimd.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include <asm/vdso.h>

struct nvemu_arm64_ctx {
	struct user_pt_regs regs;
	struct user_fpsimd_state fpsimd;
	u64 tpidr;
};

/**
 * nvemu_arch_id() - the architecture a context belongs to
 *
 * Return: AUDIT_ARCH_AARCH64.
 */
u32 nvemu_arch_id(void)
{
	return AUDIT_ARCH_AARCH64;
}

/**
 * nvemu_arch_save_context() - save current's user context
 * @buf: where
 * @size: room in @buf
 *
 * Return: bytes written, -E2BIG, or -EOPNOTSUPP with live SVE/SME state.
 */
int nvemu_arch_save_context(void *buf, size_t size)
{
	struct nvemu_arm64_ctx *ctx = buf;

	if (size < sizeof(*ctx))
		return -E2BIG;
	if (test_thread_flag(TIF_SVE) ||
	    (current->thread.svcr & (SVCR_SM_MASK | SVCR_ZA_MASK)))
		return -EOPNOTSUPP;
	memset(ctx, 0, sizeof(*ctx));
	ctx->regs = task_pt_regs(current)->user_regs;
	fpsimd_preserve_current_state();
	ctx->fpsimd = current->thread.uw.fpsimd_state;
	ctx->tpidr = read_sysreg(tpidr_el0);
	return sizeof(*ctx);
}

/**
 * nvemu_arch_restore_context() - restore current's user context
 * @buf: a context nvemu_arch_save_context() wrote
 * @size: its size
 *
 * Called at the return to user space.  The return register keeps its
 * committed value; the caller overrides it for an interrupted call.
 *
 * Return: 0, -EXDEV for another layout, -EINVAL for a register state that
 * user space may not have (valid_user_regs()).
 */
int nvemu_arch_restore_context(const void *buf, size_t size)
{
	const struct nvemu_arm64_ctx *ctx = buf;
	struct pt_regs *regs = task_pt_regs(current);
	struct user_pt_regs u;

	if (size != sizeof(*ctx))
		return -EXDEV;
	u = ctx->regs;
	if (!valid_user_regs(&u, current))
		return -EINVAL;
	regs->user_regs = u;
	/* not inside a system call: no restart */
	regs->syscallno = NO_SYSCALL;
	clear_thread_flag(TIF_SVE);
	current->thread.fp_type = FP_STATE_FPSIMD;
	fpsimd_update_current_state(&ctx->fpsimd);
	current->thread.uw.tp_value = ctx->tpidr;
	write_sysreg(ctx->tpidr, tpidr_el0);
	return 0;
}

/**
 * nvemu_arch_map_vdso() - map the vDSO where the process had it
 * @addr: start of its data pages (the lowest address of the two mappings)
 *
 * Return: 0, or a negative errno (-EEXIST when it could not go there).
 */
int nvemu_arch_map_vdso(unsigned long addr)
{
	return arm64_map_vdso_at(addr);
}

/**
 * nvemu_arch_vlt_check() - whether a vlt entry function and pad may be used
 * @entry: the entry function
 * @pad: its return address
 *
 * Return: 0, or -EINVAL unless both are 4-byte aligned (instructions).
 */
int nvemu_arch_vlt_check(unsigned long entry, unsigned long pad)
{
	return IS_ALIGNED(entry, 4) && IS_ALIGNED(pad, 4) ? 0 : -EINVAL;
}

/**
 * nvemu_arch_vlt_call() - return to user space into entry(arg) on a stack
 * @regs: current's user registers
 * @entry: the function
 * @arg: its argument (X0)
 * @pad: its return address (X30)
 * @top: end of the new stack, 16-byte aligned
 *
 * As a signal handler is entered (setup_return()), except that BTYPE is
 * cleared rather than set: the entry is a function called from C, whose
 * landing pad, if any, accepts a call.
 *
 * Return: @arg, which the system call's return writes into X0.
 */
long nvemu_arch_vlt_call(struct pt_regs *regs, unsigned long entry,
			 unsigned long arg, unsigned long pad,
			 unsigned long top)
{
	regs->sp = top;
	regs->pc = entry;
	regs->regs[30] = pad;
	regs->regs[0] = arg;
	regs->pstate &= ~PSR_BTYPE_MASK;
	return arg;
}

/**
 * nvemu_arch_vlt_return() - return to the caller of a vlt function
 * @regs: current's user registers
 * @sp: the caller's stack pointer at the entry system call
 * @pc: the address after that system call
 */
void nvemu_arch_vlt_return(struct pt_regs *regs, unsigned long sp,
			   unsigned long pc)
{
	regs->sp = sp;
	regs->pc = pc;
}
