/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: the hooks in the core kernel
 *
 * A persistent task has task_struct::nvemu set.  The core kernel calls the
 * inline functions below from fork, exec, exit, the scheduler tick and
 * the system call entry and exit work, and prctl(PR_NVEMU_VLT); each does
 * nothing for an ordinary task beyond one test of that pointer (or of its
 * syscall work bit).  The model is rseq: kernel/rseq.c beside the core,
 * one-line hooks in it.  See design/persistent-processes.md and
 * design/vlt.md.
 */
#ifndef _LINUX_NVEMU_TASK_H
#define _LINUX_NVEMU_TASK_H

#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/thread_info.h>

struct pt_regs;

#ifdef CONFIG_NVEMU_TASK

/*
 * What an architecture that selects ARCH_HAS_NVEMU_TASK provides: the user
 * context of current in ELF core-note layouts (NT_PRSTATUS and its FP/SIMD
 * and TLS notes), the vDSO mapped at a given address, the register rewrite
 * that enters and leaves a vlt function on its DRAM stack, and a thread
 * flag TIF_NVEMU_VLT (in no work mask) for "inside a vlt function".
 */
u32 nvemu_arch_id(void);
int nvemu_arch_save_context(void *buf, size_t size);
int nvemu_arch_restore_context(const void *buf, size_t size);
int nvemu_arch_map_vdso(unsigned long addr);
int nvemu_arch_vlt_check(unsigned long entry, unsigned long pad);
long nvemu_arch_vlt_call(struct pt_regs *regs, unsigned long entry,
			 unsigned long arg, unsigned long pad,
			 unsigned long top);
void nvemu_arch_vlt_return(struct pt_regs *regs, unsigned long sp,
			   unsigned long pc);

long nvemu_vlt_prctl(unsigned long op, unsigned long a3, unsigned long a4,
		     unsigned long a5);

void __nvemu_task_fork(struct task_struct *child, u64 clone_flags);
void __nvemu_task_exec(void);
void __nvemu_task_exit(long code);
void __nvemu_task_tick(struct task_struct *curr);
long __nvemu_syscall_enter(struct pt_regs *regs, long nr);
void __nvemu_syscall_exit(struct pt_regs *regs);

/*
 * The child of a persistent (or armed) task is an ordinary task: called
 * by copy_process() for the child, before it can run, beside rseq_fork(),
 * with current->sighand->siglock held (must not sleep).  @child->nvemu is
 * the parent's pointer, copied by dup_task_struct(), and so is its
 * syscall work bit: the callee clears both in the child.
 */
static inline void nvemu_task_fork(struct task_struct *child, u64 clone_flags)
{
	if (unlikely(child->nvemu))
		__nvemu_task_fork(child, clone_flags);
}

/*
 * bprm_execve(), beside rseq_execve(), for current: after a successful
 * exec_binprm(), past the point of no return, with the new program's
 * mappings and registers in place (a resume binfmt has already run).
 */
static inline void nvemu_task_exec(void)
{
	if (unlikely(current->nvemu))
		__nvemu_task_exec();
}

/*
 * do_exit(), before exit_mm(), for current: the mm, the files and the
 * user registers are still there.  @code as given to do_exit(): the exit
 * status << 8 for exit and exit_group, the signal number (| 0x80 with a
 * core dump) for a death by signal.
 */
static inline void nvemu_task_exit(long code)
{
	if (unlikely(current->nvemu))
		__nvemu_task_exit(code);
}

/*
 * sched_tick(), rq lock held, after the class's task_tick() has updated
 * curr's runtime: may queue the commit as task_work, with
 * TWA_RESUME | TWAF_NO_ALLOC as task_tick_mm_cid() does.
 */
static inline void nvemu_task_tick(struct task_struct *curr)
{
	if (unlikely(curr->nvemu))
		__nvemu_task_tick(curr);
}

/*
 * System call entry work of a persistent task (SYSCALL_WORK_NVEMU,
 * TIF_NVEMU), after ptrace and seccomp, before the sys_enter tracepoint
 * and audit; @nr is the number that will run.  Returns 0 to run the
 * call, or -1 to skip it, its return value already set in @regs.
 */
static inline long nvemu_syscall_enter(struct pt_regs *regs, long nr)
{
	return __nvemu_syscall_enter(regs, nr);
}

/*
 * System call exit work of a persistent task, last: after audit, the
 * sys_exit tracepoint and ptrace's syscall-exit stop.  It also runs for
 * a call skipped at entry (by nvemu_syscall_enter(), ptrace or seccomp),
 * and for the call during which the work bit was set (the execve() that
 * made the task persistent).
 */
static inline void nvemu_syscall_exit(struct pt_regs *regs)
{
	__nvemu_syscall_exit(regs);
}

/*
 * The system call work bit of a persistent task: the generic entry's
 * SYSCALL_WORK_NVEMU (x86_64), or the architecture's TIF_NVEMU in its
 * _TIF_SYSCALL_WORK (arm64).
 */
static inline void nvemu_set_syscall_work(struct task_struct *t)
{
#ifdef CONFIG_GENERIC_ENTRY
	set_task_syscall_work(t, NVEMU);
#else
	set_tsk_thread_flag(t, TIF_NVEMU);
#endif
}

static inline void nvemu_clear_syscall_work(struct task_struct *t)
{
#ifdef CONFIG_GENERIC_ENTRY
	clear_task_syscall_work(t, NVEMU);
#else
	clear_tsk_thread_flag(t, TIF_NVEMU);
#endif
}

#else /* !CONFIG_NVEMU_TASK */

/* PR_NVEMU_VLT is an unknown prctl option without persistent processes */
static inline long nvemu_vlt_prctl(unsigned long op, unsigned long a3,
				   unsigned long a4, unsigned long a5)
{
	return -EINVAL;
}

static inline void nvemu_task_fork(struct task_struct *child, u64 clone_flags)
{
}

static inline void nvemu_task_exec(void)
{
}

static inline void nvemu_task_exit(long code)
{
}

static inline void nvemu_task_tick(struct task_struct *curr)
{
}

static inline long nvemu_syscall_enter(struct pt_regs *regs, long nr)
{
	return 0;
}

static inline void nvemu_syscall_exit(struct pt_regs *regs)
{
}

#endif /* CONFIG_NVEMU_TASK */

#endif /* _LINUX_NVEMU_TASK_H */
