// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the system call classification
 *
 * design/persistent-processes.md, section 6, is the table this file
 * implements; both architectures share it through the __NR_* names (the
 * legacy calls only x86_64 has are in their own block).  A call that is
 * not listed is external: committed before and after, and failed with
 * -EINTR if a resume finds it in progress.  That is the safe default for
 * anything that may leave the process.
 */
#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "internal.h"

enum nvemu_sc_kind {
	NVEMU_SK_EXTERNAL,
	NVEMU_SK_INTERNAL,
	NVEMU_SK_FD,		/* internal on a regular file or directory */
	NVEMU_SK_SPECIAL,	/* decided by its arguments */
};

static enum nvemu_sc_kind nvemu_sc_kind(long nr)
{
	switch (nr) {
	/* memory */
	case __NR_brk:
	case __NR_munmap:
	case __NR_mremap:
	case __NR_madvise:
	case __NR_mlock:
	case __NR_mlock2:
	case __NR_munlock:
	case __NR_mlockall:
	case __NR_munlockall:
	case __NR_mincore:
	case __NR_msync:
	/* identity, time, information */
	case __NR_getpid:
	case __NR_getppid:
	case __NR_gettid:
	case __NR_getuid:
	case __NR_geteuid:
	case __NR_getgid:
	case __NR_getegid:
	case __NR_getresuid:
	case __NR_getresgid:
	case __NR_getgroups:
	case __NR_getpgid:
	case __NR_getsid:
	case __NR_getcwd:
	case __NR_uname:
	case __NR_sysinfo:
	case __NR_getrusage:
	case __NR_times:
	case __NR_clock_gettime:
	case __NR_clock_getres:
	case __NR_gettimeofday:
	case __NR_getcpu:
	case __NR_getrandom:
	case __NR_getpriority:
	case __NR_sched_getaffinity:
	case __NR_sched_getparam:
	case __NR_sched_getscheduler:
	case __NR_sched_yield:
	case __NR_capget:
	/* its own signals and settings */
	case __NR_rt_sigaction:
	case __NR_rt_sigprocmask:
	case __NR_rt_sigpending:
	case __NR_rt_sigreturn:
	case __NR_sigaltstack:
	case __NR_set_tid_address:
	case __NR_set_robust_list:
	case __NR_get_robust_list:
	case __NR_rseq:
	case __NR_prctl:
	case __NR_personality:
	case __NR_umask:
	case __NR_getrlimit:
	case __NR_setrlimit:
	case __NR_prlimit64:
	case __NR_setuid:
	case __NR_setgid:
	case __NR_setreuid:
	case __NR_setregid:
	case __NR_setresuid:
	case __NR_setresgid:
	case __NR_setfsuid:
	case __NR_setfsgid:
	case __NR_exit:
	case __NR_exit_group:
	/* the file system, read-only or idempotent */
	case __NR_newfstatat:
	case __NR_statx:
	case __NR_statfs:
	case __NR_faccessat:
	case __NR_faccessat2:
	case __NR_readlinkat:
	case __NR_chdir:
	case __NR_sync:
	case __NR_memfd_create:
		return NVEMU_SK_INTERNAL;

	case __NR_read:
	case __NR_write:
	case __NR_pread64:
	case __NR_pwrite64:
	case __NR_readv:
	case __NR_writev:
	case __NR_preadv:
	case __NR_pwritev:
	case __NR_preadv2:
	case __NR_pwritev2:
	case __NR_lseek:
	case __NR_fstat:
	case __NR_fstatfs:
	case __NR_close:
	case __NR_dup:
	case __NR_dup3:
	case __NR_fsync:
	case __NR_fdatasync:
	case __NR_ftruncate:
	case __NR_fallocate:
	case __NR_fadvise64:
	case __NR_getdents64:
	case __NR_fchdir:
	case __NR_syncfs:
		return NVEMU_SK_FD;

	case __NR_mmap:
	case __NR_mprotect:
	case __NR_clone:
	case __NR_clone3:
	case __NR_openat:
	case __NR_fcntl:
	case __NR_kill:
	case __NR_tgkill:
	case __NR_tkill:
	case __NR_io_uring_setup:
	case __NR_userfaultfd:
	case __NR_shmat:
		return NVEMU_SK_SPECIAL;

#ifdef __NR_open	/* the legacy calls of x86_64 */
	case __NR_stat:
	case __NR_lstat:
	case __NR_access:
	case __NR_readlink:
	case __NR_getpgrp:
	case __NR_time:
	case __NR_arch_prctl:
	case __NR_creat:
		return NVEMU_SK_INTERNAL;
	case __NR_getdents:
	case __NR_dup2:
		return NVEMU_SK_FD;
	case __NR_open:
		return NVEMU_SK_SPECIAL;
#endif
	default:
		return NVEMU_SK_EXTERNAL;
	}
}

/* A descriptor of a regular file or a directory */
static bool nvemu_fd_is_file(unsigned long fd)
{
	struct file *file = fget_raw(fd);
	umode_t mode;

	if (!file)
		return true;	/* EBADF: nothing leaves the process */
	mode = file_inode(file)->i_mode;
	fput(file);
	return S_ISREG(mode) || S_ISDIR(mode);
}

/* Whether [start, start + len) touches a shared mapping */
static bool nvemu_range_shared(unsigned long start, unsigned long len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool shared = false;
	struct vma_iterator vmi;

	vma_iter_init(&vmi, mm, start);
	if (len > TASK_SIZE || start > TASK_SIZE - len)
		return false;
	mmap_read_lock(mm);
	for_each_vma_range(vmi, vma, start + len)
		if (vma->vm_flags & VM_SHARED)
			shared = true;
	mmap_read_unlock(mm);
	return shared;
}

/* clone flags that would make a thread, or share the memory for good */
static bool nvemu_clone_refused(u64 flags)
{
	return (flags & CLONE_THREAD) ||
	       ((flags & CLONE_VM) && !(flags & CLONE_VFORK));
}

static enum nvemu_sc_class nvemu_special(long nr, const unsigned long *a)
{
	u64 flags;

	switch (nr) {
	case __NR_mmap:
		if ((a[3] & MAP_TYPE) != MAP_SHARED &&
		    (a[3] & MAP_TYPE) != MAP_SHARED_VALIDATE)
			return NVEMU_SC_INTERNAL;
		if ((a[3] & MAP_ANONYMOUS) || (a[2] & PROT_WRITE))
			return NVEMU_SC_REFUSED;
		return nvemu_fd_is_file(a[4]) ? NVEMU_SC_INTERNAL :
						NVEMU_SC_REFUSED;
	case __NR_mprotect:
		if ((a[2] & PROT_WRITE) && nvemu_range_shared(a[0], a[1]))
			return NVEMU_SC_REFUSED;
		return NVEMU_SC_INTERNAL;
	case __NR_clone:
		return nvemu_clone_refused(a[0]) ? NVEMU_SC_REFUSED :
						   NVEMU_SC_EXTERNAL;
	case __NR_clone3:
		if (get_user(flags, (u64 __user *)a[0]))
			return NVEMU_SC_EXTERNAL;	/* fails with EFAULT */
		return nvemu_clone_refused(flags) ? NVEMU_SC_REFUSED :
						    NVEMU_SC_EXTERNAL;
	case __NR_openat:
		return a[2] & (O_EXCL | __O_TMPFILE) ? NVEMU_SC_EXTERNAL :
						      NVEMU_SC_INTERNAL;
#ifdef __NR_open
	case __NR_open:
		return a[1] & (O_EXCL | __O_TMPFILE) ? NVEMU_SC_EXTERNAL :
						      NVEMU_SC_INTERNAL;
#endif
	case __NR_fcntl:
		switch (a[1]) {
		case F_SETLK:
		case F_SETLKW:
		case F_OFD_SETLK:
		case F_OFD_SETLKW:
			return NVEMU_SC_EXTERNAL;
		}
		return nvemu_fd_is_file(a[0]) ? NVEMU_SC_INTERNAL :
						NVEMU_SC_EXTERNAL;
	case __NR_kill:
		return (pid_t)a[0] == task_tgid_vnr(current) ?
		       NVEMU_SC_INTERNAL : NVEMU_SC_EXTERNAL;
	case __NR_tgkill:
		return (pid_t)a[0] == task_tgid_vnr(current) ?
		       NVEMU_SC_INTERNAL : NVEMU_SC_EXTERNAL;
	case __NR_tkill:
		return (pid_t)a[0] == task_pid_vnr(current) ?
		       NVEMU_SC_INTERNAL : NVEMU_SC_EXTERNAL;
	default:	/* io_uring_setup, userfaultfd, shmat */
		return NVEMU_SC_REFUSED;
	}
}

/**
 * nvemu_syscall_class() - how a persistent task's system call is treated
 * @regs: the user registers at the call
 * @nr: the system call number
 *
 * Return: the class (enum nvemu_sc_class).
 */
enum nvemu_sc_class nvemu_syscall_class(struct pt_regs *regs, long nr)
{
	unsigned long a[6];

	if (in_compat_syscall())
		return NVEMU_SC_REFUSED;
	syscall_get_arguments(current, regs, a);
	switch (nvemu_sc_kind(nr)) {
	case NVEMU_SK_INTERNAL:
		return NVEMU_SC_INTERNAL;
	case NVEMU_SK_FD:
		return nvemu_fd_is_file(a[0]) ? NVEMU_SC_INTERNAL :
						NVEMU_SC_EXTERNAL;
	case NVEMU_SK_SPECIAL:
		return nvemu_special(nr, a);
	default:
		return NVEMU_SC_EXTERNAL;
	}
}
