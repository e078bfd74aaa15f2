// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the user context of current, x86_64
 *
 * Modelled on the signal frame (setup_sigcontext()/restore_sigcontext()):
 * the general registers in the layout of struct user_regs_struct
 * (NT_PRSTATUS), then the FPU state in XSAVE UABI format (fpu/nvemu.c).
 * Restoring keeps the kernel's choice of segments and of the flags user
 * space may not set, as sigreturn does.  Entering a vlt function on its
 * DRAM stack is modelled on the entry of a signal handler.
 */
#include <linux/audit.h>
#include <linux/errno.h>
#include <linux/mm_types.h>
#include <linux/nvemu_task.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user.h>
#include <asm/fsgsbase.h>
#include <asm/nvemu.h>
#include <asm/prctl.h>
#include <asm/proto.h>
#include <asm/ptrace.h>
#include <asm/sighandling.h>
#include <asm/vdso.h>

/**
 * nvemu_arch_id() - the architecture a context belongs to
 *
 * Return: AUDIT_ARCH_X86_64.
 */
u32 nvemu_arch_id(void)
{
	return AUDIT_ARCH_X86_64;
}

/**
 * nvemu_arch_save_context() - save current's user context
 * @buf: where
 * @size: room in @buf
 *
 * Return: bytes written, or -E2BIG.
 */
int nvemu_arch_save_context(void *buf, size_t size)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct user_regs_struct u = {
		.r15 = regs->r15, .r14 = regs->r14, .r13 = regs->r13,
		.r12 = regs->r12, .bp = regs->bp, .bx = regs->bx,
		.r11 = regs->r11, .r10 = regs->r10, .r9 = regs->r9,
		.r8 = regs->r8, .ax = regs->ax, .cx = regs->cx,
		.dx = regs->dx, .si = regs->si, .di = regs->di,
		.orig_ax = regs->orig_ax, .ip = regs->ip, .cs = regs->cs,
		.flags = regs->flags, .sp = regs->sp, .ss = regs->ss,
		.fs_base = x86_fsbase_read_task(current),
		.gs_base = x86_gsbase_read_task(current),
	};
	int n;

	if (size < sizeof(u))
		return -E2BIG;
	memcpy(buf, &u, sizeof(u));
	n = nvemu_x86_fpu_save(buf + sizeof(u), size - sizeof(u));
	return n < 0 ? n : sizeof(u) + n;
}

/**
 * nvemu_arch_restore_context() - restore current's user context
 * @buf: a context nvemu_arch_save_context() wrote
 * @size: its size
 *
 * Called at the return to user space.  The return register keeps its
 * committed value; the caller overrides it for an interrupted call.
 *
 * Return: 0, or -EXDEV for a context of another CPU configuration.
 */
int nvemu_arch_restore_context(const void *buf, size_t size)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct user_regs_struct u;
	int rc;

	if (size != sizeof(u) + nvemu_x86_fpu_size())
		return -EXDEV;
	memcpy(&u, buf, sizeof(u));
	rc = nvemu_x86_fpu_restore(buf + sizeof(u), size - sizeof(u));
	if (rc)
		return rc;
	regs->r15 = u.r15;
	regs->r14 = u.r14;
	regs->r13 = u.r13;
	regs->r12 = u.r12;
	regs->bp = u.bp;
	regs->bx = u.bx;
	regs->r11 = u.r11;
	regs->r10 = u.r10;
	regs->r9 = u.r9;
	regs->r8 = u.r8;
	regs->ax = u.ax;
	regs->cx = u.cx;
	regs->dx = u.dx;
	regs->si = u.si;
	regs->di = u.di;
	regs->ip = u.ip;
	regs->sp = u.sp;
	regs->flags = (regs->flags & ~FIX_EFLAGS) | (u.flags & FIX_EFLAGS);
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	/* not inside a system call: no restart */
	regs->orig_ax = -1;
	rc = do_arch_prctl_64(current, ARCH_SET_FS, u.fs_base);
	if (!rc)
		rc = do_arch_prctl_64(current, ARCH_SET_GS, u.gs_base);
	return rc;
}

/**
 * nvemu_arch_map_vdso() - map the vDSO where the process had it
 * @addr: start of its data pages (the lowest address of the two mappings)
 *
 * Return: 0, or -EEXIST when it could not go there.
 */
int nvemu_arch_map_vdso(unsigned long addr)
{
	int rc = map_vdso_once(&vdso_image_64, addr);

	if (rc)
		return rc;
	if ((unsigned long)current->mm->context.vdso !=
	    addr - vdso_image_64.sym_vvar_start)
		return -EEXIST;
	return 0;
}

/**
 * nvemu_arch_vlt_check() - whether a vlt entry function and pad may be used
 * @entry: the entry function
 * @pad: its return address
 *
 * Return: 0: any user address is a valid x86_64 code address.
 */
int nvemu_arch_vlt_check(unsigned long entry, unsigned long pad)
{
	return 0;
}

/**
 * nvemu_arch_vlt_call() - return to user space into entry(arg) on a stack
 * @regs: current's user registers
 * @entry: the function
 * @arg: its argument (RDI)
 * @pad: its return address, pushed on the new stack
 * @top: end of the new stack, 16-byte aligned
 *
 * As a signal handler is entered (setup_rt_frame()): at @entry, RSP + 8
 * is 16-byte aligned, as after a call.  The changed RIP makes the system
 * call return with IRET rather than SYSRET.
 *
 * Return: 0, the value the system call returns in RAX; -EFAULT when the
 * return address cannot be stored.
 */
long nvemu_arch_vlt_call(struct pt_regs *regs, unsigned long entry,
			 unsigned long arg, unsigned long pad,
			 unsigned long top)
{
	unsigned long sp = top - sizeof(unsigned long);

	if (put_user(pad, (unsigned long __user *)sp))
		return -EFAULT;
	regs->sp = sp;
	regs->ip = entry;
	regs->di = arg;
	return 0;
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
	regs->ip = pc;
}
