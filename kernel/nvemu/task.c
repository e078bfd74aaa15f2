// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the per-task state and the core hooks
 *
 * A task becomes persistent in two steps: NVEMU_PROC_IOC_ARM takes a slot
 * (nvemu run's child), the next execve() makes the new image persistent
 * and queues its first commit.  From then on:
 *   - the scheduler tick queues a commit (task_work, TWA_RESUME) when the
 *     task's CPU time since its last commit passed its interval;
 *   - a system call with an effect outside the process is committed before
 *     it runs, and after it (task_work, so after signal delivery);
 *   - fork gives an ordinary child; exit frees the slot, a fatal signal
 *     keeps it with a final commit (or the previous one after a fault).
 * Inside a vlt function (TIF_NVEMU_VLT, vlt.c) none of these commits
 * happen, and execve() is refused with -EBUSY.
 * design/persistent-processes.md, sections 1, 2.3 and 6; design/vlt.md.
 */
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/nvemu_task.h>
#include <linux/ptrace.h>
#include <linux/sched/cputime.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "internal.h"

/* Free pool pages an armed process needs at least: 1 MiB */
#define NVEMU_ARM_MIN_FREE	(SZ_1M >> PAGE_SHIFT)

static void nvemu_commit_work(struct callback_head *cb);

/**
 * nvemu_task_alloc() - the persistent state of a task
 * @area: its process area
 * @slot: its slot
 *
 * Return: the state, or NULL without memory.
 */
struct nvemu_task *nvemu_task_alloc(struct nvemu_area *area,
				    struct nvemu_slot *slot)
{
	struct nvemu_task *nt;

	nt = kzalloc(sizeof(*nt), GFP_KERNEL);
	if (!nt)
		return NULL;
	nt->half = kvzalloc(sizeof(*nt->half), GFP_KERNEL);
	if (!nt->half) {
		kfree(nt);
		return NULL;
	}
	nt->area = area;
	nt->slot = slot;
	init_task_work(&nt->work, nvemu_commit_work);
	return nt;
}

/**
 * nvemu_task_free() - free a task's persistent state
 * @nt: the state, no longer reachable from a task
 */
void nvemu_task_free(struct nvemu_task *nt)
{
	unsigned int i;

	for (i = 0; i < nt->nr_hc; i++)
		iput(nt->hc[i].inode);
	kvfree(nt->pairs);
	kvfree(nt->half);
	kfree(nt);
}

/**
 * nvemu_task_arm() - NVEMU_PROC_IOC_ARM: current becomes persistent at exec
 * @arm: the checked request
 * @id: the new process's id, out
 *
 * Return: 0; -EBUSY when current is already armed or persistent;
 * -EOPNOTSUPP for a multi-threaded caller; -ENOSPC when no slot is free
 * or the pool is nearly full; -ENODEV without a usable area; -EAGAIN while
 * a restore is pending; -ENOMEM.
 */
int nvemu_task_arm(const struct nvemu_proc_arm *arm, u64 *id)
{
	struct nvemu_area *area = nvemu_area_get();
	struct nvemu_task *nt;
	struct nvemu_slot *slot;
	int rc;

	if (!area)
		return -ENODEV;
	if (current->nvemu)
		return -EBUSY;
	if (!thread_group_empty(current) || in_compat_syscall())
		return -EOPNOTSUPP;
	guard(mutex)(&area->lock);
	rc = nvemu_area_enable(area);
	if (rc)
		return rc;
	if (area->pool.nr_free < NVEMU_ARM_MIN_FREE)
		return -ENOSPC;
	slot = nvemu_slot_take(area, current_uid());
	if (!slot)
		return -ENOSPC;
	nt = nvemu_task_alloc(area, slot);
	if (!nt) {
		nvemu_slot_release(area, slot);
		return -ENOMEM;
	}
	nt->half->id = cpu_to_le64(slot->id);
	strscpy_pad(nt->half->name, arm->name, sizeof(nt->half->name));
	nt->interval_ns = (u64)(arm->interval_ms ?: NVEMU_PROC_INTERVAL_DEFAULT) *
			  NSEC_PER_MSEC;
	nt->half->interval_ms = cpu_to_le32(arm->interval_ms ?:
					    NVEMU_PROC_INTERVAL_DEFAULT);
	nt->task = current;
	nt->flags = NVEMU_TF_ARMED;
	slot->task = nt;
	current->nvemu = nt;
	*id = slot->id;
	return 0;
}

static bool nvemu_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	       sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS;
}

/*
 * Killed inside a vlt function: nothing is committed (the entry commit
 * stays, and a resume re-runs the function); an overflow of the DRAM
 * stack is named, since resuming it would overflow again.
 */
static void nvemu_vlt_death(struct nvemu_task *nt, int sig)
{
	unsigned long sp = user_stack_pointer(task_pt_regs(current));

	if (sig == SIGSEGV && nt->vlt_base && sp >= nt->vlt_base &&
	    sp < nt->vlt_base + NVEMU_VLT_GUARD + 4 * PAGE_SIZE)
		pr_err(NVEMU_PFX "process %llu (%s, pid %d): vlt DRAM stack overflow (%lu KiB); the function's entry commit stays resumable\n",
		       nt->slot->id, nt->half->name, task_pid_nr(current),
		       (nt->vlt_top - nt->vlt_base - NVEMU_VLT_GUARD) >> 10);
}

/* The kernel-log line of a persistent process that ended by exit() */
static void nvemu_task_report(struct nvemu_task *nt, long code)
{
	const struct nvemu_commit_stats *st = &nt->stats;

	pr_info(NVEMU_PFX "process %llu (%s, pid %d) exited with status %ld: this run %llu commits of %llu dirty pages, %llu bytes written, %llu ms in commits (longest %llu us)\n",
		nt->slot->id, nt->half->name, task_pid_nr(current),
		(code >> 8) & 0xff, st->commits, st->dirty_pages, st->bytes,
		div_u64(st->ns, NSEC_PER_MSEC), div_u64(st->max_ns, NSEC_PER_USEC));
}

/* A commit failed for lack of pool pages: the process ends with SIGBUS */
static void nvemu_commit_failed(struct nvemu_task *nt, int rc)
{
	nt->flags |= NVEMU_TF_FAILED;
	pr_err(NVEMU_PFX "process %llu (%s, pid %d): commit failed (%pe): the process area is full; killed with SIGBUS, its last commit stays resumable\n",
	       nt->slot->id, nt->half->name, task_pid_nr(current),
	       ERR_PTR(rc));
	force_sig_fault(SIGBUS, BUS_ADRERR, NULL);
}

/* Whether a commit may happen now: inside a vlt function only its own */
static bool nvemu_commit_allowed(enum nvemu_commit_reason why)
{
	if (!test_thread_flag(TIF_NVEMU_VLT))
		return true;
	return why == NVEMU_CR_VLT_ENTER || why == NVEMU_CR_VLT_EXIT ||
	       why == NVEMU_CR_RESUME;
}

/**
 * nvemu_task_commit_now() - commit current, in its own context
 * @nt: current's persistent state
 * @why: the reason
 *
 * Inside a vlt function (TIF_NVEMU_VLT) only the function's entry and
 * exit commit, and the resume that re-runs it: the others are skipped.
 * A commit that cannot get pool pages ends the process with SIGBUS.
 *
 * Return: 0 when the commit happened or was skipped; a negative errno
 * when it failed (the previous commit stays the committed state).
 */
int nvemu_task_commit_now(struct nvemu_task *nt, enum nvemu_commit_reason why)
{
	struct nvemu_area *area = nt->area;
	int rc;

	if (!(nt->flags & NVEMU_TF_ACTIVE))
		return 0;
	if (nt->flags & NVEMU_TF_FAILED)
		return -ENOSPC;
	if (!nvemu_commit_allowed(why))
		return 0;
	if (!nt->half->name[0])
		__get_task_comm((char *)nt->half->name, TASK_COMM_LEN, current);
	/*
	 * No tick may queue another commit while this one runs: a commit
	 * longer than the interval would otherwise queue the next one, run at
	 * this return to user space, and so on, and the task would run
	 * nothing but commits.  The interval is the task's own run time after
	 * this commit ended; task_sched_runtime() includes the time that
	 * se.sum_exec_runtime holds only from the next tick on.
	 */
	WRITE_ONCE(nt->next_due, U64_MAX);
	rc = nvemu_commit(nt, why);
	WRITE_ONCE(nt->next_due, task_sched_runtime(current) + nt->interval_ns);
	if (rc == -ENOSPC || rc == -E2BIG || rc == -EOPNOTSUPP) {
		nvemu_commit_failed(nt, rc);
		return rc;
	}
	if (rc) {
		if (rc != -EINTR)
			pr_warn_ratelimited(NVEMU_PFX "process %llu: commit failed (%pe), retried later\n",
					    nt->slot->id, ERR_PTR(rc));
		return rc;
	}
	if (nt->slot->state == NVEMU_SLOT_ARMED) {
		guard(mutex)(&area->lock);
		nt->slot->state = NVEMU_SLOT_LIVE;
	}
	return 0;
}

static void nvemu_commit_work(struct callback_head *cb)
{
	struct nvemu_task *nt = container_of(cb, struct nvemu_task, work);

	clear_bit(NVEMU_TF_WORK_BIT, &nt->flags);
	if (current->flags & PF_EXITING)
		return;
	nvemu_task_commit_now(nt, nt->commit_reason);
}

/**
 * nvemu_task_queue_commit() - commit current at its return to user space
 * @nt: current's persistent state, or that of the task the tick runs
 * @why: the reason
 */
void nvemu_task_queue_commit(struct nvemu_task *nt,
			     enum nvemu_commit_reason why)
{
	if (test_and_set_bit(NVEMU_TF_WORK_BIT, &nt->flags))
		return;
	nt->commit_reason = why;
	/* TWAF_NO_ALLOC: the tick calls this under the runqueue lock */
	if (task_work_add(nt->task, &nt->work, TWA_RESUME | TWAF_NO_ALLOC))
		clear_bit(NVEMU_TF_WORK_BIT, &nt->flags);
}

/**
 * __nvemu_task_fork() - the child of a persistent task is ordinary
 * @child: the new task, not running yet
 * @clone_flags: the clone flags
 */
void __nvemu_task_fork(struct task_struct *child, u64 clone_flags)
{
	child->nvemu = NULL;
	clear_tsk_thread_flag(child, TIF_NVEMU_VLT);
	nvemu_clear_syscall_work(child);
}

/**
 * __nvemu_task_exec() - current executed a program: it becomes persistent
 *
 * Called past the point of no return of execve(), with the new mm.  The
 * first commit of the new image runs at the return to user space.
 */
void __nvemu_task_exec(void)
{
	struct nvemu_task *nt = current->nvemu;

	/* the resume binfmt attached it: its registers come first */
	if (nt->flags & NVEMU_TF_RESUMING)
		return;
	nt->flags &= ~NVEMU_TF_ARMED;
	nt->flags |= NVEMU_TF_ACTIVE;
	/* migrate_vma moves base pages only */
	set_bit(MMF_DISABLE_THP, &current->mm->flags);
	nvemu_set_syscall_work(current);
	nvemu_task_queue_commit(nt, NVEMU_CR_EXEC);
}

/**
 * __nvemu_task_exit() - current exits
 * @code: its exit code, as do_exit() got it
 *
 * exit() and exit_group() end the persistent process: its slot is freed.
 * A fatal signal leaves it resumable: committed now, or, after a fault
 * signal or a failed commit, from its previous commit.
 */
void __nvemu_task_exit(long code)
{
	struct nvemu_task *nt = current->nvemu;
	struct nvemu_area *area = nt->area;
	struct nvemu_slot *slot = nt->slot;
	int sig = code & 0x7f;
	bool keep = false;

	/* queued work would run after exit_mm(): not any more */
	if (task_work_cancel(current, &nt->work))
		clear_bit(NVEMU_TF_WORK_BIT, &nt->flags);
	if (nt->flags & NVEMU_TF_RESUMING)
		task_work_cancel(current, &nt->resume_work);

	if (nt->flags & NVEMU_TF_RESUMING) {
		/* died before its registers came back: as it was */
		keep = true;
	} else if (nt->flags & NVEMU_TF_ACTIVE &&
		   slot->state == NVEMU_SLOT_LIVE) {
		if (!sig) {
			nvemu_task_report(nt, code);
			nvemu_commit_free(nt);
		} else {
			keep = true;
			if (test_thread_flag(TIF_NVEMU_VLT))
				nvemu_vlt_death(nt, sig);
			else if (!nvemu_fault_signal(sig) &&
				 !(nt->flags & NVEMU_TF_FAILED))
				nvemu_commit(nt, NVEMU_CR_EXIT);
			nvemu_commit_stop(nt, sig);
		}
	}
	current->nvemu = NULL;
	nvemu_clear_syscall_work(current);
	clear_thread_flag(TIF_NVEMU_VLT);
	scoped_guard(mutex, &area->lock) {
		if (keep) {
			slot->state = NVEMU_SLOT_DORMANT;
			slot->task = NULL;
		} else {
			nvemu_slot_release(area, slot);
		}
	}
	nvemu_task_free(nt);
}

/**
 * __nvemu_task_tick() - the scheduler tick of a persistent task
 * @curr: the task running on this CPU; the runqueue lock is held
 */
void __nvemu_task_tick(struct task_struct *curr)
{
	struct nvemu_task *nt = curr->nvemu;

	if (!(nt->flags & NVEMU_TF_ACTIVE) || (curr->flags & PF_EXITING) ||
	    test_tsk_thread_flag(curr, TIF_NVEMU_VLT) ||
	    test_bit(NVEMU_TF_WORK_BIT, &nt->flags) ||
	    curr->se.sum_exec_runtime < READ_ONCE(nt->next_due))
		return;
	nvemu_task_queue_commit(nt, NVEMU_CR_TICK);
}

/**
 * __nvemu_syscall_enter() - system call entry work of a persistent task
 * @regs: the user registers
 * @nr: the system call number
 *
 * Return: 0 to run the call, -1 to skip it (refused: -EOPNOTSUPP in the
 * return register).
 */
long __nvemu_syscall_enter(struct pt_regs *regs, long nr)
{
	struct nvemu_task *nt = current->nvemu;

	if (!nt || !(nt->flags & NVEMU_TF_ACTIVE))
		return 0;
	switch (nvemu_syscall_class(regs, nr)) {
	case NVEMU_SC_REFUSED:
		syscall_set_return_value(current, regs, -EOPNOTSUPP, 0);
		return -1;
	case NVEMU_SC_EXTERNAL:
		if (test_thread_flag(TIF_NVEMU_VLT)) {
			/* no commit inside a vlt function; no exec either */
			if (nr == __NR_execve || nr == __NR_execveat) {
				syscall_set_return_value(current, regs, -EBUSY,
							 0);
				return -1;
			}
			return 0;
		}
		if (test_bit(NVEMU_TF_WORK_BIT, &nt->flags))
			nt->commit_reason = NVEMU_CR_SYSCALL_EXIT;
		nvemu_task_commit_now(nt, NVEMU_CR_SYSCALL_ENTRY);
		nt->syscall_commit = true;
		return 0;
	default:
		return 0;
	}
}

/**
 * __nvemu_syscall_exit() - system call exit work of a persistent task
 * @regs: the user registers
 *
 * After an external call, the commit runs at the return to user space,
 * after signal delivery, so that it records a state user space can be in.
 */
void __nvemu_syscall_exit(struct pt_regs *regs)
{
	struct nvemu_task *nt = current->nvemu;
	long ret;

	if (!nt || !nt->syscall_commit)
		return;
	nt->syscall_commit = false;
	ret = syscall_get_return_value(current, regs);
	/* a call that will be restarted stays committed at its entry */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		return;
	nvemu_task_queue_commit(nt, NVEMU_CR_SYSCALL_EXIT);
}
