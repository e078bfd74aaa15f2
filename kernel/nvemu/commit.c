// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: a commit
 *
 * Runs in the task's own context (task_work, or its system call entry or
 * exit, or do_exit), so the task does not run meanwhile.  Steps
 * (design/persistent-processes.md, section 2.2):
 *
 *   1. context: the user registers into a new half (arch code)
 *   2. walk: every present page of every private mapping (but the DRAM
 *      stack of vlt functions) is a pool page
 *      (committed, unchanged), a DRAM anonymous page (a copy made since
 *      the last commit, or new memory) or a page-cache page (file data)
 *   3. copy: the DRAM pages move into free pool pages (migrate_vma, the
 *      copy done here with memcpy_flushcache()) and are made read-only and
 *      shared again (share.c)
 *   4. description, page map: written only where they changed
 *   5. half and flip (slot.c): the one store that commits
 *   6. release what the previous generation alone used
 */
#include <linux/cred.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagewalk.h>
#include <linux/sched/mm.h>
#include <linux/sched/task_stack.h>
#include <linux/sort.h>
#include <linux/syscalls.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>
#include <asm/syscall.h>

#include "desc.h"
#include "internal.h"

/* Pages moved per migrate_vma call */
#define NVEMU_MIGRATE_BATCH	64

struct nvemu_walk {
	struct nvemu_area *area;
	const struct nvemu_task *nt;
	struct nvemu_pmap_pair *pairs;
	size_t nr, cap;
	size_t *dirty;		/* positions in @pairs of DRAM pages */
	size_t nr_dirty;
	unsigned long *absent;	/* addresses of swapped-out pages */
	size_t nr_absent;
	int err;
};

static int nvemu_walk_pte(pte_t *ptep, unsigned long addr,
			  unsigned long next, struct mm_walk *walk)
{
	struct nvemu_walk *w = walk->private;
	pte_t pte = ptep_get(ptep);
	struct page *page;

	if (pte_none(pte))
		return 0;
	if (w->nr == w->cap || w->nr_absent == w->cap) {
		w->err = -EOVERFLOW;
		return -EOVERFLOW;
	}
	if (!pte_present(pte)) {
		/* swapped out or under migration: fault it in, walk again */
		w->absent[w->nr_absent++] = addr;
		return 0;
	}
	page = vm_normal_page(walk->vma, addr, pte);
	if (!page)
		return 0;
	if (nvemu_page_is_pool(w->area, page)) {
		w->pairs[w->nr].vpn = addr >> PAGE_SHIFT;
		w->pairs[w->nr++].index = nvemu_pool_page_index(w->area, page);
		return 0;
	}
	if (!folio_test_anon(page_folio(page)))
		return 0;
	w->pairs[w->nr].vpn = addr >> PAGE_SHIFT;
	w->pairs[w->nr].index = 0;
	w->dirty[w->nr_dirty++] = w->nr++;
	return 0;
}

static const struct mm_walk_ops nvemu_walk_ops = {
	.pte_entry = nvemu_walk_pte,
	.walk_lock = PGWALK_RDLOCK,
};

/* Whether a mapping's pages belong to the committed state */
static bool nvemu_vma_committed(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_SHARED | VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return false;
	return !vma->vm_ops || !vma->vm_ops->name;
}

static int nvemu_walk_mm(struct mm_struct *mm, struct nvemu_walk *w)
{
	struct vm_area_struct *vma;
	int rc;
	struct vma_iterator vmi;

	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma) {
		if (!nvemu_vma_committed(vma) || nvemu_vlt_stack_vma(w->nt, vma))
			continue;
		rc = walk_page_range_vma(vma, vma->vm_start, vma->vm_end,
					 &nvemu_walk_ops, w);
		if (rc)
			return w->err ?: rc;
	}
	return 0;
}

/* Copy one DRAM page into a new pool page; returns its index or 0 */
static u32 nvemu_copy_page(struct nvemu_area *area, struct page *src,
			   struct page **dst, u64 *written)
{
	u32 index;

	*dst = nvemu_pool_get_page(area, &index);
	if (!*dst)
		return 0;
	nvemu_pool_write(&area->pool, nvemu_pool_page(&area->pool, index),
			 page_address(src), PAGE_SIZE);
	*written += PAGE_SIZE;
	return index;
}

/* A page migrate_vma did not take: copy it without moving it */
static int nvemu_copy_pinned(struct nvemu_area *area, unsigned long addr,
			     u32 *index, u64 *written)
{
	struct page *src, *dst;
	long n;

	n = get_user_pages(addr, 1, FOLL_FORCE, &src);
	if (n != 1)
		return n < 0 ? n : -EFAULT;
	*index = nvemu_copy_page(area, src, &dst, written);
	put_page(src);
	if (!*index)
		return -ENOSPC;
	unlock_page(dst);
	return 0;
}

/*
 * Move the DRAM pages in @w->pairs[@w->dirty[first..first+n)] into the
 * pool; they lie in one VMA, in ascending order, not necessarily
 * contiguous.
 */
static int nvemu_migrate_run(struct nvemu_area *area, struct nvemu_walk *w,
			     struct vm_area_struct *vma, size_t first,
			     size_t n, u64 *written)
{
	unsigned long src[NVEMU_MIGRATE_BATCH], dst[NVEMU_MIGRATE_BATCH];
	unsigned long start = w->pairs[w->dirty[first]].vpn << PAGE_SHIFT;
	unsigned long end = (w->pairs[w->dirty[first + n - 1]].vpn + 1)
			    << PAGE_SHIFT;
	struct migrate_vma args = {
		.vma = vma,
		.src = src,
		.dst = dst,
		.start = start,
		.end = end,
		.pgmap_owner = area,
		.flags = MIGRATE_VMA_SELECT_SYSTEM,
	};
	size_t k;
	int rc;

	memset(src, 0, sizeof(src));
	memset(dst, 0, sizeof(dst));
	rc = migrate_vma_setup(&args);
	if (rc)
		return rc;
	for (k = first; k < first + n; k++) {
		struct nvemu_pmap_pair *p = &w->pairs[w->dirty[k]];
		unsigned long i = p->vpn - (start >> PAGE_SHIFT);
		struct page *spage = migrate_pfn_to_page(src[i]);
		struct page *dpage;

		if (!(src[i] & MIGRATE_PFN_MIGRATE) || !spage)
			continue;
		p->index = nvemu_copy_page(area, spage, &dpage, written);
		if (!p->index) {
			rc = -ENOSPC;
			break;
		}
		/* the page map's reference, kept whether it moves or not */
		get_page(dpage);
		dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	nvemu_share_range(area, vma, start, end);
	if (rc)
		return rc;
	/* the pages migrate_vma left alone are copied in place */
	for (k = first; k < first + n; k++) {
		struct nvemu_pmap_pair *p = &w->pairs[w->dirty[k]];

		if (!p->index) {
			rc = nvemu_copy_pinned(area, p->vpn << PAGE_SHIFT,
					       &p->index, written);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int nvemu_migrate_all(struct nvemu_area *area, struct mm_struct *mm,
			     struct nvemu_walk *w, u64 *written)
{
	struct vm_area_struct *vma = NULL;
	size_t k = 0, first;
	int rc;

	while (k < w->nr_dirty) {
		unsigned long addr = w->pairs[w->dirty[k]].vpn << PAGE_SHIFT;
		unsigned long limit;

		if (!vma || addr >= vma->vm_end)
			vma = vma_lookup(mm, addr);
		if (WARN_ON_ONCE(!vma))
			return -EFAULT;
		limit = min(vma->vm_end, addr + NVEMU_MIGRATE_BATCH * PAGE_SIZE);
		first = k;
		while (k < w->nr_dirty &&
		       (w->pairs[w->dirty[k]].vpn << PAGE_SHIFT) < limit)
			k++;
		rc = nvemu_migrate_run(area, w, vma, first, k - first, written);
		if (rc)
			return rc;
	}
	return 0;
}

static int nvemu_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Retire the data pages of @old that are not in @new (both sorted by vpn,
 * not by index: an mremap moves a page to another vpn).
 */
static void nvemu_retire_diff(struct nvemu_area *area,
			      const struct nvemu_pmap_pair *old, size_t nr_old,
			      const struct nvemu_pmap_pair *new, size_t nr_new)
{
	u32 *idx;
	size_t i;

	if (!nr_old)
		return;
	idx = kvmalloc_array(max_t(size_t, nr_new, 1), sizeof(*idx),
			     GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; i < nr_new; i++)
		idx[i] = new[i].index;
	sort(idx, nr_new, sizeof(*idx), nvemu_cmp_u32, NULL);
	for (i = 0; i < nr_old; i++)
		if (!bsearch(&old[i].index, idx, nr_new, sizeof(*idx),
			     nvemu_cmp_u32))
			nvemu_pool_retire(area, old[i].index);
	kvfree(idx);
}

static void nvemu_half_creds(struct nvemu_half *h)
{
	const struct cred *c = current_cred();
	struct user_namespace *ns = &init_user_ns;
	struct group_info *gi = c->group_info;
	int i, n = min_t(int, gi->ngroups, NVEMU_MAX_GROUPS);

	h->uid = cpu_to_le32(from_kuid_munged(ns, c->uid));
	h->euid = cpu_to_le32(from_kuid_munged(ns, c->euid));
	h->suid = cpu_to_le32(from_kuid_munged(ns, c->suid));
	h->fsuid = cpu_to_le32(from_kuid_munged(ns, c->fsuid));
	h->gid = cpu_to_le32(from_kgid_munged(ns, c->gid));
	h->egid = cpu_to_le32(from_kgid_munged(ns, c->egid));
	h->sgid = cpu_to_le32(from_kgid_munged(ns, c->sgid));
	h->fsgid = cpu_to_le32(from_kgid_munged(ns, c->fsgid));
	h->nr_groups = cpu_to_le32(n);
	for (i = 0; i < n; i++)
		h->groups[i] = cpu_to_le32(from_kgid_munged(ns, gi->gid[i]));
	h->cred_flags = cpu_to_le32(cap_isclear(c->cap_effective) &&
				    cap_isclear(c->cap_permitted) ?
				    0 : NVEMU_CF_CAPS);
}

static void nvemu_half_mm(struct nvemu_half *h, struct mm_struct *mm)
{
	h->mm[NVEMU_MM_START_CODE] = cpu_to_le64(mm->start_code);
	h->mm[NVEMU_MM_END_CODE] = cpu_to_le64(mm->end_code);
	h->mm[NVEMU_MM_START_DATA] = cpu_to_le64(mm->start_data);
	h->mm[NVEMU_MM_END_DATA] = cpu_to_le64(mm->end_data);
	h->mm[NVEMU_MM_START_BRK] = cpu_to_le64(mm->start_brk);
	h->mm[NVEMU_MM_BRK] = cpu_to_le64(mm->brk);
	h->mm[NVEMU_MM_START_STACK] = cpu_to_le64(mm->start_stack);
	h->mm[NVEMU_MM_ARG_START] = cpu_to_le64(mm->arg_start);
	h->mm[NVEMU_MM_ARG_END] = cpu_to_le64(mm->arg_end);
	h->mm[NVEMU_MM_ENV_START] = cpu_to_le64(mm->env_start);
	h->mm[NVEMU_MM_ENV_END] = cpu_to_le64(mm->env_end);
	h->mm[NVEMU_MM_VDSO] = cpu_to_le64((unsigned long)mm->context.vdso);
}

static void nvemu_half_root(struct nvemu_half *h, struct nvemu_pmap_root *r)
{
	h->map_root = cpu_to_le32(r->index);
	h->map_root_check = cpu_to_le32(r->check);
	h->map_levels = cpu_to_le32(r->levels);
}

static void nvemu_root_of(const struct nvemu_half *h, struct nvemu_pmap_root *r)
{
	r->index = le32_to_cpu(h->map_root);
	r->check = le32_to_cpu(h->map_root_check);
	r->levels = le32_to_cpu(h->map_levels);
}

/* Whether the task stopped inside a system call that must fail at resume */
static bool nvemu_in_syscall(struct pt_regs *regs, enum nvemu_commit_reason why,
			     int *nr)
{
	long ret;

	*nr = syscall_get_nr(current, regs);
	if (why == NVEMU_CR_SYSCALL_ENTRY)
		return true;
	if (why != NVEMU_CR_EXIT || *nr < 0)
		return false;
	ret = syscall_get_return_value(current, regs);
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	       ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

/**
 * nvemu_commit() - commit current, a persistent task
 * @nt: current's persistent state
 * @why: the reason; NVEMU_CR_SYSCALL_ENTRY and NVEMU_CR_EXIT inside a
 *	system call record it as in progress, so that resume fails it
 *
 * Return: 0; -ENOSPC when the pool is full (the previous commit stays the
 * committed state); -EINTR when a fatal signal came while a save held
 * commits back; another negative errno on other failures.
 */
int nvemu_commit(struct nvemu_task *nt, enum nvemu_commit_reason why)
{
	struct nvemu_area *area = nt->area;
	struct mm_struct *mm = current->mm;
	struct nvemu_pmap_root old_root, new_root = {};
	struct nvemu_idx_list freed = {};
	struct nvemu_walk w = { .area = area, .nt = nt };
	struct nvemu_desc desc = {};
	struct nvemu_half *h = NULL;
	u32 old_desc[NVEMU_DESC_MAX_PAGES];
	u32 nr_old_desc = 0, i;
	u64 written = 0, start = ktime_get_ns(), ns;
	int rc, nr, retries = 0;
	bool in_syscall, desc_stored = false;

	if (!mm)
		return -EINVAL;
	rc = nvemu_area_commit_begin(area, true);
	if (rc)
		return rc;
	h = kvmalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		rc = -ENOMEM;
		goto end;
	}
	memcpy(h, nt->half, NVEMU_HALF_HEAD_SIZE);
	rc = nvemu_arch_save_context(h->ctx, sizeof(h->ctx));
	if (rc < 0)
		goto free_half;
	h->ctx_size = cpu_to_le32(rc);
	h->arch = cpu_to_le32(nvemu_arch_id());
	in_syscall = nvemu_in_syscall(task_pt_regs(current), why, &nr);

	rc = nvemu_desc_build(nt, &desc);
	if (rc)
		goto free_half;

	w.cap = get_mm_rss(mm) + 256;
again:
	rc = -ENOMEM;
	w.pairs = kvmalloc_array(w.cap, sizeof(*w.pairs), GFP_KERNEL);
	w.dirty = kvmalloc_array(w.cap, sizeof(*w.dirty), GFP_KERNEL);
	w.absent = kvmalloc_array(w.cap, sizeof(*w.absent), GFP_KERNEL);
	if (!w.pairs || !w.dirty || !w.absent)
		goto free_walk;
	w.nr = 0;
	w.nr_dirty = 0;
	w.nr_absent = 0;
	w.err = 0;
	mmap_read_lock(mm);
	rc = nvemu_walk_mm(mm, &w);
	if ((rc == -EOVERFLOW || w.nr_absent) && retries++ < 3) {
		/* bring swapped-out pages back, then walk again */
		for (i = 0; i < w.nr_absent; i++) {
			struct page *page;

			if (get_user_pages(w.absent[i], 1, FOLL_FORCE, &page) == 1)
				put_page(page);
		}
		mmap_read_unlock(mm);
		kvfree(w.pairs);
		kvfree(w.dirty);
		kvfree(w.absent);
		w.pairs = NULL;
		w.dirty = NULL;
		w.absent = NULL;
		w.cap = get_mm_rss(mm) + w.cap;
		goto again;
	}
	if (!rc && w.nr_absent)
		rc = -EAGAIN;
	if (!rc)
		rc = nvemu_migrate_all(area, mm, &w, &written);
	mmap_read_unlock(mm);
	if (rc)
		goto retire_new;

	/* the description: new pages only when it changed */
	memcpy(old_desc, h->desc_page, sizeof(old_desc));
	if (le32_to_cpu(h->desc_len) != desc.len ||
	    le64_to_cpu(h->desc_check) != xxh64(desc.buf, desc.len, 0)) {
		rc = nvemu_desc_store(area, &desc, h, &written);
		if (rc)
			goto retire_new;
		nr_old_desc = DIV_ROUND_UP(le32_to_cpu(nt->half->desc_len),
					   PAGE_SIZE);
		desc_stored = true;
	}

	nvemu_root_of(nt->half, &old_root);
	if (!old_root.levels)	/* the first commit: as deep as user space */
		old_root.levels = nvemu_pmap_levels(fls64(TASK_SIZE - 1) -
						    PAGE_SHIFT, PAGE_SHIFT);
	rc = nvemu_pmap_build(&area->pool, &old_root, w.pairs, w.nr, &new_root,
			      &freed, &written);
	if (rc)
		goto free_desc;

	h->state = cpu_to_le32(NVEMU_HS_LIVE);
	h->stop_signal = 0;
	/* the flag of vlt functions, mirrored: it lives in DRAM */
	h->flags = cpu_to_le32((in_syscall ? NVEMU_HF_IN_SYSCALL : 0) |
			       (test_thread_flag(TIF_NVEMU_VLT) ?
				NVEMU_HF_VLT : 0));
	h->syscall_nr = cpu_to_le32(in_syscall ? nr : 0);
	memcpy(h->boot_id, area->boot_id, sizeof(h->boot_id));
	nvemu_half_creds(h);
	nvemu_half_mm(h, mm);
	nvemu_half_root(h, &new_root);
	h->map_pages = cpu_to_le64(w.nr);
	h->commit_time_ns = cpu_to_le64(ktime_get_real_ns());
	written += NVEMU_HALF_HEAD_SIZE + le32_to_cpu(h->ctx_size) + 8;
	h->commits = cpu_to_le64(le64_to_cpu(h->commits) + 1);
	h->commit_bytes = cpu_to_le64(le64_to_cpu(h->commit_bytes) + written);

	nvemu_slot_write(area, nt->slot, h);	/* the commit */
	ns = ktime_get_ns() - start;
	nt->stats.commits++;
	nt->stats.dirty_pages += w.nr_dirty;
	nt->stats.bytes += written;
	nt->stats.ns += ns;
	nt->stats.max_ns = max(nt->stats.max_ns, ns);

	for (i = 0; i < freed.nr; i++)
		nvemu_pool_free(&area->pool, freed.idx[i]);
	for (i = 0; i < nr_old_desc; i++)
		nvemu_pool_free(&area->pool, old_desc[i]);
	nvemu_retire_diff(area, nt->pairs, nt->nr_pairs, w.pairs, w.nr);
	kvfree(nt->pairs);
	nt->pairs = w.pairs;
	nt->nr_pairs = w.nr;
	w.pairs = NULL;
	swap(nt->half, h);
	rc = 0;
	goto free_walk;

free_desc:
	for (i = 0; desc_stored && i < DIV_ROUND_UP(desc.len, PAGE_SIZE); i++)
		nvemu_pool_free(&area->pool, le32_to_cpu(h->desc_page[i]));
retire_new:
	/* pages this commit allocated: no committed map holds them */
	for (i = 0; i < w.nr_dirty; i++)
		if (w.pairs[w.dirty[i]].index)
			nvemu_pool_retire(area, w.pairs[w.dirty[i]].index);
free_walk:
	kvfree(w.pairs);
	kvfree(w.dirty);
	kvfree(w.absent);
	nvemu_idx_list_free(&freed);
	nvemu_desc_free(&desc);
free_half:
	kvfree(h);
end:
	nvemu_area_commit_end(area);
	return rc;
}

/**
 * nvemu_commit_stop() - record that current stopped without a new commit
 * @nt: current's persistent state
 * @sig: the signal that stopped it
 *
 * The committed half is written again with state stopped: the memory and
 * context of the previous commit stay the resumable state.
 */
void nvemu_commit_stop(struct nvemu_task *nt, int sig)
{
	struct nvemu_area *area = nt->area;

	if (!le64_to_cpu(nt->half->generation))
		return;
	if (nvemu_area_commit_begin(area, true))
		return;
	nt->half->state = cpu_to_le32(NVEMU_HS_STOPPED);
	nt->half->stop_signal = cpu_to_le32(sig);
	nvemu_slot_write(area, nt->slot, nt->half);
	nvemu_area_commit_end(area);
}

static int nvemu_node_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	if (node)
		return nvemu_idx_list_add(arg, index);
	return 0;
}

/**
 * nvemu_commit_free() - current's persistent process ends: free its slot
 * @nt: current's persistent state
 *
 * Commits a free half, then gives every page of the last commit back.
 */
void nvemu_commit_free(struct nvemu_task *nt)
{
	struct nvemu_area *area = nt->area;
	struct nvemu_half *h = nt->half;
	struct nvemu_idx_list nodes = {};
	u32 desc[NVEMU_DESC_MAX_PAGES];
	struct nvemu_pmap_root root;
	u64 gen = le64_to_cpu(h->generation);
	u32 i, n;

	nvemu_root_of(h, &root);
	nvemu_pmap_walk(&area->pool, &root, nvemu_node_fn, &nodes);
	n = DIV_ROUND_UP(le32_to_cpu(h->desc_len), PAGE_SIZE);
	for (i = 0; i < n; i++)
		desc[i] = le32_to_cpu(h->desc_page[i]);
	if (gen) {
		memset(h, 0, NVEMU_HALF_HEAD_SIZE);
		h->generation = cpu_to_le64(gen);
		h->state = cpu_to_le32(NVEMU_HS_FREE);
		/* waits for a save, and must not fail: not killable */
		nvemu_area_commit_begin(area, false);
		nvemu_slot_write(area, nt->slot, h);
		nvemu_area_commit_end(area);
	}
	for (i = 0; i < nodes.nr; i++)
		nvemu_pool_free(&area->pool, nodes.idx[i]);
	nvemu_idx_list_free(&nodes);
	for (i = 0; i < n; i++)
		nvemu_pool_free(&area->pool, desc[i]);
	for (i = 0; i < nt->nr_pairs; i++)
		nvemu_pool_retire(area, nt->pairs[i].index);
	kvfree(nt->pairs);
	nt->pairs = NULL;
	nt->nr_pairs = 0;
}
