/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: the files of kernel/nvemu and what they share
 *
 *   pool.c pmap.c slot.c  the format layer (pool.h)
 *   area.c      the process area: registration by the driver, its header,
 *               the DRAM state of the slots, the pool's pages as
 *               MEMORY_DEVICE_COHERENT memory, the save window
 *   share.c     make pool pages in a range read-only and shared, so that a
 *               store copies them (the kernel's own COW)
 *   desc.c      the description: mappings, files, signals, limits
 *   commit.c    a commit: walk, migrate, page map, half, flip
 *   syscalls.c  the system call classification and its hooks
 *   task.c      the per-task state and the hooks of fork, exec, exit and
 *               the scheduler tick
 *   resume.c    the binfmt that resumes a process from its slot
 *   dev.c       /dev/nvemu_proc
 *
 * Calls run one way: dev -> resume -> task -> {syscalls, commit};
 * commit -> desc -> share -> area -> format layer (pool.h); arch code
 * (the user context) is called by commit.c and resume.c.
 */
#ifndef _KERNEL_NVEMU_INTERNAL_H
#define _KERNEL_NVEMU_INTERNAL_H

#include <linux/memremap.h>
#include <linux/mutex.h>
#include <linux/nvemu.h>
#include <linux/nvemu_task.h>
#include <linux/wait.h>
#include <linux/task_work.h>
#include <linux/uidgid.h>
#include <uapi/linux/nvemu_proc.h>

#include "format.h"
#include "pool.h"

#define NVEMU_PFX "nvemu-proc: "

/* DRAM state of a slot (struct nvemu_slot.state) */
enum nvemu_slot_state {
	NVEMU_SLOT_FREE,	/* no process: may be taken */
	NVEMU_SLOT_ARMED,	/* taken by NVEMU_PROC_IOC_ARM, no commit yet */
	NVEMU_SLOT_LIVE,	/* attached to a task of this boot */
	NVEMU_SLOT_DORMANT,	/* a valid commit, no task: resumable */
	NVEMU_SLOT_DAMAGED,	/* fails a checksum: never resumed */
};

/**
 * struct nvemu_slot - DRAM state of one slot
 * @index: slot number
 * @state: enum nvemu_slot_state
 * @id: the process's id (not FREE)
 * @uid: its owner
 * @task: the attached task (ARMED, LIVE)
 * @resuming: a resume of this slot is under way
 */
struct nvemu_slot {
	u32 index;
	enum nvemu_slot_state state;
	u64 id;
	kuid_t uid;
	struct nvemu_task *task;
	bool resuming;
};

/* One physical run of pool pages */
struct nvemu_pool_run {
	unsigned long pfn;
	unsigned long nr;
	u32 first;		/* pool index of its first page */
};

/**
 * struct nvemu_area - the process area
 * @dev: the nvemu device that offered it
 * @ops: callbacks into the driver
 * @desc: the driver's description of the area
 * @addr: kernel mapping of the area
 * @size: bytes of the area
 * @dev_offset: offset of the area in the device
 * @fresh: the NVM was formatted at this boot
 * @deferred: the restore gate was closed at registration: the area is
 *	read once it opened
 * @loaded: the area was formatted or checked, @flags say how
 * @flags: NVEMU_PROC_AREA_* flags (PRESENT, FOREIGN, DAMAGED)
 * @nr_slots: number of slots
 * @pool: the pool (valid when @flags has PRESENT alone)
 * @retired: pool pages that left every committed map; their page_free()
 *	gives them back to @pool
 * @runs: the physical runs of the pool
 * @nr_runs: entries in @runs
 * @pgmap: the pool as MEMORY_DEVICE_COHERENT memory, once enabled
 * @lock: protects @slot, @next_id, enabling
 * @save_lock: protects @saving and @committing
 * @saving: saves under way (nvemu_proc_save_begin())
 * @committing: commits under way
 * @save_wq: commits wait here for the saves, saves for the commits
 * @slot: DRAM state of the slots
 * @next_id: the id the next process gets
 * @boot_id: random, this boot
 */
struct nvemu_area {
	struct device *dev;
	const struct nvemu_proc_area_ops *ops;
	void *addr;
	u64 size;
	u64 dev_offset;
	const struct nvemu_proc_area_desc *desc;
	bool fresh;
	bool deferred;
	bool loaded;
	u32 flags;
	u32 nr_slots;
	struct nvemu_pool pool;
	unsigned long *retired;
	struct nvemu_pool_run runs[NVEMU_PROC_AREA_MAX_RANGES];
	unsigned int nr_runs;
	struct dev_pagemap *pgmap;
	struct mutex lock;	/* protects @slot, @next_id, enabling */
	spinlock_t save_lock;	/* protects @saving, @committing */
	unsigned int saving;
	unsigned int committing;
	wait_queue_head_t save_wq;
	struct nvemu_slot *slot;
	u64 next_id;
	u8 boot_id[NVEMU_BOOT_ID_LEN];
};

/**
 * struct nvemu_hash_cache - the content hash of a mapped file
 * @inode: the file's inode (a reference is held)
 * @ctime: its ctime when hashed
 * @size: its size when hashed
 * @hash: xxh64 of its content
 */
struct nvemu_hash_cache {
	struct inode *inode;
	struct timespec64 ctime;
	loff_t size;
	u64 hash;
};

/* struct nvemu_task.flags */
#define NVEMU_TF_ARMED		BIT(0)	/* becomes persistent at exec */
#define NVEMU_TF_ACTIVE		BIT(1)	/* persistent: commits happen */
#define NVEMU_TF_WORK_BIT	2
#define NVEMU_TF_WORK		BIT(NVEMU_TF_WORK_BIT)	/* commit work queued */
#define NVEMU_TF_RESUMING	BIT(3)	/* the resume's register work pending */
#define NVEMU_TF_FAILED		BIT(4)	/* a commit failed: SIGBUS sent */

/* The DRAM stack of vlt functions (vlt.c): a guard below it, size bounds */
#define NVEMU_VLT_GUARD		SZ_64K
#define NVEMU_VLT_STACK_MIN	SZ_256K
#define NVEMU_VLT_STACK_MAX	SZ_256M

/* Why a commit happens */
enum nvemu_commit_reason {
	NVEMU_CR_TICK,		/* the interval passed */
	NVEMU_CR_EXEC,		/* first commit of a new image */
	NVEMU_CR_SYSCALL_ENTRY,	/* before an external system call */
	NVEMU_CR_SYSCALL_EXIT,	/* after it */
	NVEMU_CR_EXIT,		/* killed by a signal: final commit */
	NVEMU_CR_RESUME,	/* attached after a resume */
	NVEMU_CR_VLT_ENTER,	/* a vlt function is entered */
	NVEMU_CR_VLT_EXIT,	/* it returned */
};

/**
 * struct nvemu_commit_stats - what the commits of one run cost
 * @commits: commits that succeeded
 * @dirty_pages: pages they copied into the pool (each dirty page once)
 * @bytes: NVM bytes they wrote (pages, page-map nodes, descriptions, halves)
 * @ns: time spent in them
 * @max_ns: the longest (the process is stopped while it commits)
 */
struct nvemu_commit_stats {
	u64 commits;
	u64 dirty_pages;
	u64 bytes;
	u64 ns;
	u64 max_ns;
};

/**
 * struct nvemu_task - a persistent (or armed) task
 * @task: the task
 * @area: its process area
 * @slot: its slot
 * @flags: NVEMU_TF_*
 * @interval_ns: commit interval in ns of CPU time
 * @next_due: se.sum_exec_runtime at which the next commit is due
 * @work: the commit, queued from the tick (TWA_RESUME)
 * @resume_work: the resume's register restore, queued by the loader
 * @name: the name nvemu ps shows
 * @half: DRAM copy of the committed half; a commit fills it and writes it
 * @pairs: the committed page map, in DRAM, sorted by vpn
 * @nr_pairs: entries in @pairs
 * @syscall_commit: the syscall entry committed (external), so its exit
 *	commits too
 * @hc: content hashes of mapped files
 * @nr_hc: entries used in @hc
 * @commit_reason: reason of the queued @work
 * @stats: this run's commits (since nvemu run or the resume), for the
 *	kernel-log line at its end
 * @vlt_base: lowest address of the DRAM stack of vlt functions (its guard
 *	first), 0 when none is mapped
 * @vlt_top: its end: the stack pointer a vlt function starts from
 * @vlt_sp: the caller's stack pointer at PR_NVEMU_VLT_ENTER
 * @vlt_pc: the caller's PC after that system call
 */
struct nvemu_task {
	struct task_struct *task;
	struct nvemu_area *area;
	struct nvemu_slot *slot;
	unsigned long flags;
	u64 interval_ns;
	u64 next_due;
	struct callback_head work;
	struct callback_head resume_work;
	char name[NVEMU_PROC_NAME_LEN];
	struct nvemu_half *half;
	struct nvemu_pmap_pair *pairs;
	size_t nr_pairs;
	bool syscall_commit;
	struct nvemu_hash_cache hc[16];
	unsigned int nr_hc;
	enum nvemu_commit_reason commit_reason;
	struct nvemu_commit_stats stats;
	unsigned long vlt_base;
	unsigned long vlt_top;
	unsigned long vlt_sp;
	unsigned long vlt_pc;
};

/*
 * Whether @vma lies in @nt's DRAM stack of vlt functions, which no commit
 * records (design/vlt.md, section 2.2)
 */
static inline bool nvemu_vlt_stack_vma(const struct nvemu_task *nt,
				       const struct vm_area_struct *vma)
{
	return nt->vlt_base && vma->vm_start >= nt->vlt_base &&
	       vma->vm_end <= nt->vlt_top;
}

/* area.c */
struct nvemu_area *nvemu_area_get(void);
int nvemu_area_enable(struct nvemu_area *area);
int nvemu_area_commit_begin(struct nvemu_area *area, bool killable);
void nvemu_area_commit_end(struct nvemu_area *area);
struct nvemu_slot *nvemu_slot_take(struct nvemu_area *area, kuid_t uid);
void nvemu_slot_release(struct nvemu_area *area, struct nvemu_slot *slot);
void *nvemu_slot_addr(struct nvemu_area *area, u32 index);
struct page *nvemu_pool_index_page(struct nvemu_area *area, u32 index);
u32 nvemu_pool_page_index(struct nvemu_area *area, struct page *page);
bool nvemu_page_is_pool(struct nvemu_area *area, struct page *page);
struct page *nvemu_pool_get_page(struct nvemu_area *area, u32 *index);
void nvemu_pool_retire(struct nvemu_area *area, u32 index);
void nvemu_area_wrote(struct nvemu_area *area, const void *addr, size_t len);
void nvemu_slot_write(struct nvemu_area *area, struct nvemu_slot *slot,
		      struct nvemu_half *half);

/* share.c */
void nvemu_share_range(struct nvemu_area *area, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end);

/* commit.c */
int nvemu_commit(struct nvemu_task *nt, enum nvemu_commit_reason why);
void nvemu_commit_stop(struct nvemu_task *nt, int sig);
void nvemu_commit_free(struct nvemu_task *nt);

/* syscalls.c: how a system call of a persistent task is treated */
enum nvemu_sc_class {
	NVEMU_SC_INTERNAL,	/* runs as is; redone harmlessly after a resume */
	NVEMU_SC_EXTERNAL,	/* committed before and after; fails at resume */
	NVEMU_SC_REFUSED,	/* fails with -EOPNOTSUPP without running */
};

enum nvemu_sc_class nvemu_syscall_class(struct pt_regs *regs, long nr);

/* task.c */
struct nvemu_task *nvemu_task_alloc(struct nvemu_area *area,
				    struct nvemu_slot *slot);
void nvemu_task_free(struct nvemu_task *nt);
int nvemu_task_arm(const struct nvemu_proc_arm *arm, u64 *id);
void nvemu_task_queue_commit(struct nvemu_task *nt,
			     enum nvemu_commit_reason why);
int nvemu_task_commit_now(struct nvemu_task *nt,
			  enum nvemu_commit_reason why);

/* vlt.c */
void nvemu_vlt_rerun(struct nvemu_task *nt);

#endif /* _KERNEL_NVEMU_INTERNAL_H */
