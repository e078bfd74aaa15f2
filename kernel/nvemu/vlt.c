// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: vlt functions (design/vlt.md)
 *
 * prctl(PR_NVEMU_VLT, ...) of a persistent task:
 *   ENTER (entry, arg, pad): set TIF_NVEMU_VLT and commit (seed 000 A3,
 *	A4: the context at the call, the arguments in committed memory),
 *	then rewrite the user registers so that the return to user space
 *	runs entry(arg) on the DRAM stack with pad as its return address (A5);
 *   EXIT: put back the caller's stack pointer and PC, clear the flag and
 *	commit what the function did as one commit (A6, A7).
 * While the flag is set no other commit happens (task.c).  A resume of a
 * commit taken with the flag set re-runs the function (B1-B4):
 * nvemu_vlt_rerun().  The register rewrite is arch code
 * (nvemu_arch_vlt_call()); the DRAM stack is an anonymous mapping that no
 * commit records (nvemu_vlt_stack_vma()).
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/nvemu_task.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>

#include "internal.h"

/* The DRAM stack's size: the soft stack limit, bounded */
static unsigned long nvemu_vlt_stack_size(void)
{
	unsigned long lim = rlimit(RLIMIT_STACK);

	return PAGE_ALIGN(clamp_t(unsigned long, lim, NVEMU_VLT_STACK_MIN,
				  NVEMU_VLT_STACK_MAX));
}

/* Whether the task's DRAM stack is still mapped as vlt_stack_map() did */
static bool nvemu_vlt_stack_intact(struct nvemu_task *nt)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool ok;

	if (!nt->vlt_base)
		return false;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, nt->vlt_top - 1);
	ok = vma && vma_is_anonymous(vma) && vma->vm_end == nt->vlt_top &&
	     vma->vm_start <= nt->vlt_base + NVEMU_VLT_GUARD &&
	     vma->vm_start >= nt->vlt_base &&
	     (vma->vm_flags & (VM_READ | VM_WRITE | VM_SHARED)) ==
	     (VM_READ | VM_WRITE);
	mmap_read_unlock(mm);
	return ok;
}

/*
 * Map the DRAM stack: a PROT_NONE guard, then the stack above it.  One that
 * user space unmapped or changed is forgotten (its range is user space's
 * now) and a new one is mapped.
 */
static int nvemu_vlt_stack_map(struct nvemu_task *nt)
{
	unsigned long size = nvemu_vlt_stack_size(), base, addr;

	if (nvemu_vlt_stack_intact(nt))
		return 0;
	nt->vlt_base = 0;
	nt->vlt_top = 0;
	base = vm_mmap(NULL, 0, NVEMU_VLT_GUARD + size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, 0);
	if (IS_ERR_VALUE(base))
		return (int)base;
	addr = vm_mmap(NULL, base + NVEMU_VLT_GUARD, size,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       0);
	if (IS_ERR_VALUE(addr)) {
		vm_munmap(base, NVEMU_VLT_GUARD + size);
		return (int)addr;
	}
	nt->vlt_base = base;
	nt->vlt_top = base + NVEMU_VLT_GUARD + size;
	return 0;
}

/*
 * Run entry(arg) on the DRAM stack at the return to user space; the
 * caller's stack pointer and PC are kept for EXIT.  Returns what the
 * system call returns (the arch's choice), or a negative errno.
 */
static long nvemu_vlt_switch(struct nvemu_task *nt, struct pt_regs *regs,
			     unsigned long entry, unsigned long arg,
			     unsigned long pad)
{
	nt->vlt_sp = user_stack_pointer(regs);
	nt->vlt_pc = instruction_pointer(regs);
	return nvemu_arch_vlt_call(regs, entry, arg, pad, nt->vlt_top);
}

static long nvemu_vlt_enter(struct nvemu_task *nt, unsigned long entry,
			    unsigned long arg, unsigned long pad)
{
	struct pt_regs *regs = task_pt_regs(current);
	long ret;
	int rc;

	if (test_thread_flag(TIF_NVEMU_VLT))
		return -EBUSY;
	if (!entry || !pad || !access_ok((void __user *)entry, 1) ||
	    !access_ok((void __user *)pad, 1))
		return -EFAULT;
	rc = nvemu_arch_vlt_check(entry, pad);
	if (rc)
		return rc;
	rc = nvemu_vlt_stack_map(nt);
	if (rc)
		return rc;
	set_thread_flag(TIF_NVEMU_VLT);
	rc = nvemu_task_commit_now(nt, NVEMU_CR_VLT_ENTER);
	if (rc) {
		clear_thread_flag(TIF_NVEMU_VLT);
		return rc;
	}
	ret = nvemu_vlt_switch(nt, regs, entry, arg, pad);
	if (ret < 0) {
		/* the stack just mapped could not take the return address */
		pr_err(NVEMU_PFX "process %llu (%s, pid %d): cannot enter a vlt function (%pe); killed, its entry commit stays resumable\n",
		       nt->slot->id, nt->half->name, task_pid_nr(current),
		       ERR_PTR(ret));
		force_fatal_sig(SIGSEGV);
	}
	return ret;
}

static long nvemu_vlt_exit(struct nvemu_task *nt)
{
	struct pt_regs *regs = task_pt_regs(current);

	if (!test_thread_flag(TIF_NVEMU_VLT))
		return -EINVAL;
	/* the caller's context after ENTER returned 0: what EXIT commits */
	nvemu_arch_vlt_return(regs, nt->vlt_sp, nt->vlt_pc);
	syscall_set_return_value(current, regs, 0, 0);
	clear_thread_flag(TIF_NVEMU_VLT);
	/* a failed commit: SIGBUS (area full) or a later commit covers it */
	nvemu_task_commit_now(nt, NVEMU_CR_VLT_EXIT);
	return 0;
}

/**
 * nvemu_vlt_prctl() - prctl(PR_NVEMU_VLT, @op, @a3, @a4, @a5)
 * @op: PR_NVEMU_VLT_QUERY, PR_NVEMU_VLT_ENTER or PR_NVEMU_VLT_EXIT
 * @a3: ENTER: the entry function; otherwise 0
 * @a4: ENTER: its argument; otherwise 0
 * @a5: ENTER: the return address of the entry function; otherwise 0
 *
 * Return: QUERY: 1 for a persistent task, 0 for any other.  ENTER: what
 * the architecture returns into the entry function (0 on x86_64, @a4 on
 * arm64) once the function runs; -EOPNOTSUPP (not persistent), -EBUSY
 * (inside a vlt function), -EFAULT (@a3 or @a5 not a user address),
 * -EINVAL (misaligned on arm64), -ENOMEM (no DRAM stack), or the error of
 * the entry commit.  EXIT: 0; -EINVAL outside a vlt function.  -EINVAL
 * for an unknown @op or a non-zero unused argument.
 */
long nvemu_vlt_prctl(unsigned long op, unsigned long a3, unsigned long a4,
		     unsigned long a5)
{
	struct nvemu_task *nt = current->nvemu;
	bool persistent = nt && (nt->flags & NVEMU_TF_ACTIVE);

	switch (op) {
	case PR_NVEMU_VLT_QUERY:
		if (a3 || a4 || a5)
			return -EINVAL;
		return persistent;
	case PR_NVEMU_VLT_ENTER:
		if (!persistent)
			return -EOPNOTSUPP;
		return nvemu_vlt_enter(nt, a3, a4, a5);
	case PR_NVEMU_VLT_EXIT:
		if (a3 || a4 || a5)
			return -EINVAL;
		if (!persistent)
			return -EOPNOTSUPP;
		return nvemu_vlt_exit(nt);
	default:
		return -EINVAL;
	}
}

/**
 * nvemu_vlt_rerun() - re-run the vlt function a resumed commit was inside
 * @nt: current's persistent state, its registers just restored from a
 *	commit taken at PR_NVEMU_VLT_ENTER, TIF_NVEMU_VLT set
 *
 * Applies ENTER's switch again, from the committed system call arguments,
 * on a fresh DRAM stack (seed 000 B3, B4).  A failure kills the process
 * with SIGSEGV: the commit stays resumable.
 */
void nvemu_vlt_rerun(struct nvemu_task *nt)
{
	struct pt_regs *regs = task_pt_regs(current);
	unsigned long args[6];
	long ret;
	int rc;

	syscall_get_arguments(current, regs, args);
	rc = nvemu_arch_vlt_check(args[2], args[4]);
	if (!rc)
		rc = nvemu_vlt_stack_map(nt);
	ret = rc ?: nvemu_vlt_switch(nt, regs, args[2], args[3], args[4]);
	if (ret < 0) {
		pr_err(NVEMU_PFX "resume of process %llu: cannot re-run its vlt function (%pe)\n",
		       nt->slot->id, ERR_PTR(ret));
		force_fatal_sig(SIGSEGV);
	}
}
