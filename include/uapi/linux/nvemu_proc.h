/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nvemu: persistent processes - user-space ABI
 *
 * A persistent process keeps its memory and its context in the process
 * area of nvemu's emulated NVM: it survives crashes, power failures and,
 * with nvemu save/restore, cold power-offs, and is resumed from its last
 * commit.  The misc device /dev/nvemu_proc carries the ioctls below; every
 * user may open it, each ioctl checks ownership.  A process is resumed by
 * executing a resume ticket (struct nvemu_proc_ticket) with execveat().
 *
 * Rules for every ioctl argument, as in <linux/nvemu.h>: "in" fields are
 * checked, reserved fields and unknown flags must be zero (-EINVAL),
 * unknown commands fail with -ENOTTY, no kernel address is ever returned.
 * See Documentation/userspace-api/nvemu-proc.rst.
 */
#ifndef _UAPI_LINUX_NVEMU_PROC_H
#define _UAPI_LINUX_NVEMU_PROC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Length of a persistent process's name, with its terminating NUL */
#define NVEMU_PROC_NAME_LEN	32
/* Length of nvemu_proc_info.program, with its terminating NUL */
#define NVEMU_PROC_PATH_LEN	256

/* Commit interval, in milliseconds of the task's CPU time */
#define NVEMU_PROC_INTERVAL_MIN		10
#define NVEMU_PROC_INTERVAL_MAX		3600000
#define NVEMU_PROC_INTERVAL_DEFAULT	1000

/**
 * struct nvemu_proc_area - the process area (NVEMU_PROC_IOC_AREA)
 * @size:	out: bytes of NVM in the process area, 0 if there is none
 * @pool_pages:	out: pages in its pool (process memory and metadata)
 * @pool_free:	out: pages of the pool no committed state uses
 * @page_size:	out: size of a pool page, the page size of the kernel
 *		that formatted the area
 * @nr_slots:	out: number of slots (persistent processes at most)
 * @slots_used:	out: slots that hold a process (any state)
 * @flags:	in: must be 0; out: NVEMU_PROC_AREA_* flags
 * @default_interval_ms: out: commit interval when none is given
 * @reserved:	in: must be 0; out: 0
 */
struct nvemu_proc_area {
	__u64 size;
	__u64 pool_pages;
	__u64 pool_free;
	__u32 page_size;
	__u32 nr_slots;
	__u32 slots_used;
	__u32 flags;
	__u32 default_interval_ms;
	__u32 reserved[7];
};

/* nvemu_proc_area.flags: the NVM has a process area */
#define NVEMU_PROC_AREA_PRESENT		(1U << 0)
/* its pages are in use by running persistent processes */
#define NVEMU_PROC_AREA_ENABLED		(1U << 1)
/* formatted by a kernel of another page size or architecture: unusable */
#define NVEMU_PROC_AREA_FOREIGN		(1U << 2)
/* its header fails its checksum: unusable, nothing is overwritten */
#define NVEMU_PROC_AREA_DAMAGED		(1U << 3)
/* the NVM waits for a restore (nvemu.restore=wait): run and resume wait */
#define NVEMU_PROC_AREA_RESTORE_PENDING	(1U << 4)

/**
 * struct nvemu_proc_arm - make the caller persistent (NVEMU_PROC_IOC_ARM)
 * @name:	in: NUL-terminated name shown by nvemu ps; empty: the name
 *		of the program executed next
 * @interval_ms: in: commit interval, NVEMU_PROC_INTERVAL_MIN..MAX, or 0
 *		for the default
 * @flags:	in: must be 0
 * @id:		out: the persistent process's id, unique in the area
 * @reserved:	in: must be 0; out: 0
 *
 * The calling process becomes persistent at its next successful execve():
 * a slot is taken now (-ENOSPC when none is free or the pool is nearly
 * full), and freed if the caller exits without executing a program.
 */
struct nvemu_proc_arm {
	char name[NVEMU_PROC_NAME_LEN];
	__u32 interval_ms;
	__u32 flags;
	__u64 id;
	__u64 reserved[4];
};

/**
 * struct nvemu_proc_info - one persistent process (NVEMU_PROC_IOC_INFO)
 * @index:	in: slot number, 0..nr_slots-1
 * @flags:	in: must be 0
 * @id:		out: the process's id
 * @name:	out: its name, NUL-terminated
 * @program:	out: path of its executable, NUL-terminated (truncated)
 * @uid:	out: owner (real user id at nvemu run)
 * @gid:	out: real group id at nvemu run
 * @pid:	out: process id in the caller's pid namespace while running,
 *		otherwise 0
 * @state:	out: NVEMU_PROC_* state
 * @generation:	out: generation of the last commit
 * @commit_time_ns: out: CLOCK_REALTIME of the last commit, nanoseconds
 * @mem_bytes:	out: committed memory (pool pages of process data)
 * @commits:	out: number of commits since nvemu run
 * @commit_bytes: out: NVM bytes written by those commits
 * @interval_ms: out: commit interval
 * @stop_signal: out: signal that stopped it (state resumable), else 0
 * @proc_flags:	out: NVEMU_PROC_F_* flags of the last commit
 * @vlt_reruns:	out: re-executions of vlt functions after resumes
 * @reserved:	in: must be 0; out: 0
 *
 * A free slot, and the slot of another user's process unless the caller
 * has CAP_SYS_ADMIN, fail with -ENOENT.
 */
struct nvemu_proc_info {
	__u32 index;
	__u32 flags;
	__u64 id;
	char name[NVEMU_PROC_NAME_LEN];
	char program[NVEMU_PROC_PATH_LEN];
	__u32 uid;
	__u32 gid;
	__s32 pid;
	__u32 state;
	__u64 generation;
	__u64 commit_time_ns;
	__u64 mem_bytes;
	__u64 commits;
	__u64 commit_bytes;
	__u32 interval_ms;
	__u32 stop_signal;
	__u32 proc_flags;
	__u32 vlt_reruns;
	__u64 reserved[4];
};

/* nvemu_proc_info.state */
#define NVEMU_PROC_RUNNING	1	/* a task of this boot runs it */
#define NVEMU_PROC_INTERRUPTED	2	/* running at an unclean stop */
#define NVEMU_PROC_RESUMABLE	3	/* stopped with a final commit */
#define NVEMU_PROC_DAMAGED	4	/* fails a checksum: never resumed */

/* nvemu_proc_info.proc_flags: committed inside a system call */
#define NVEMU_PROC_F_IN_SYSCALL	(1U << 0)
/* committed inside a vlt function */
#define NVEMU_PROC_F_VLT	(1U << 1)

/**
 * struct nvemu_proc_id - name a persistent process (NVEMU_PROC_IOC_DISCARD)
 * @id:		in: its id
 * @flags:	in: must be 0
 * @reserved:	in: must be 0
 */
struct nvemu_proc_id {
	__u64 id;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct nvemu_proc_ticket - content of a resume ticket
 * @magic:	NVEMU_PROC_TICKET_MAGIC, without a NUL
 * @id:		the persistent process to resume
 * @flags:	must be 0
 * @reserved:	must be 0
 *
 * execveat() of a file that holds exactly this structure (a memfd, for
 * instance) turns the calling process into the persistent process @id,
 * continuing from its last commit with the caller's standard input,
 * output and error.  The execve fails, changing nothing, with -ENOENT (no
 * such process), -EPERM (another user's process, or its credentials are
 * not the caller's, and the caller lacks CAP_SYS_ADMIN), -EBUSY (running),
 * -EUCLEAN (damaged), -ESTALE (its executable or a mapped or open file is
 * not the same file any more; the kernel log names it), -EXDEV (another
 * kernel build, page size or architecture) or -EINVAL (a malformed
 * ticket).
 */
struct nvemu_proc_ticket {
	char magic[8];
	__u64 id;
	__u32 flags;
	__u32 reserved[5];
};

#define NVEMU_PROC_TICKET_MAGIC	"NVEMURS1"

/*
 * si_code of the SIGPWR that a resumed process receives when it has a
 * handler for SIGPWR (with SIG_DFL or SIG_IGN none is sent).  si_errno is
 * EINTR when a system call was interrupted by the resume, otherwise 0.
 */
#define NVEMU_SI_RESUMED	1

/*
 * prctl(PR_NVEMU_VLT, op, a3, a4, a5): vlt functions (the section of
 * that name in Documentation/userspace-api/nvemu-proc.rst).  The option
 * number spells "NVLT", as PR_SET_VMA and PR_SET_PTRACER spell theirs.
 *
 * PR_NVEMU_VLT_QUERY: 1 for a persistent process, 0 otherwise.
 * PR_NVEMU_VLT_ENTER (entry, arg, pad): commit, then return into
 *	entry(arg) on the task's DRAM stack with pad as its return address;
 *	the call returns 0 to its caller once pad made the EXIT call.
 * PR_NVEMU_VLT_EXIT: commit what the function did and return from ENTER.
 */
#define PR_NVEMU_VLT		0x4e564c54
#define PR_NVEMU_VLT_QUERY	0
#define PR_NVEMU_VLT_ENTER	1
#define PR_NVEMU_VLT_EXIT	2

/* Shares <linux/nvemu.h>'s magic; its numbers start at 0x40 */
#define NVEMU_PROC_IOC_AREA	_IOWR(0xB9, 0x40, struct nvemu_proc_area)
#define NVEMU_PROC_IOC_ARM	_IOWR(0xB9, 0x41, struct nvemu_proc_arm)
#define NVEMU_PROC_IOC_INFO	_IOWR(0xB9, 0x42, struct nvemu_proc_info)
#define NVEMU_PROC_IOC_DISCARD	_IOW(0xB9, 0x43, struct nvemu_proc_id)

#endif /* _UAPI_LINUX_NVEMU_PROC_H */
