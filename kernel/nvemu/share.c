// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: committed pages are read-only and shared
 *
 * A pool page that holds committed process data must never be written in
 * place: a store must copy it into DRAM first (seed 000 A5).  The kernel's
 * own COW does that when the page is mapped read-only, is not marked
 * AnonExclusive, and has a second reference (the page map's): then
 * do_wp_page() cannot reuse it (wp_can_reuse_anon_folio()) and copies it.
 * migrate_vma and migrate_vma_insert_page() install pages writable and
 * exclusive, so after them this file does what fork does to a parent's
 * pages: clear the entry, unshare the page, set it back write-protected.
 */
#include <linux/mm.h>
#include <linux/pagewalk.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>

#include "internal.h"

static int nvemu_share_pte(pte_t *ptep, unsigned long addr,
			   unsigned long next, struct mm_walk *walk)
{
	struct nvemu_area *area = walk->private;
	struct vm_area_struct *vma = walk->vma;
	pte_t pte = ptep_get(ptep);
	struct folio *folio;
	struct page *page;

	if (!pte_present(pte))
		return 0;
	page = vm_normal_page(vma, addr, pte);
	if (!page || !nvemu_page_is_pool(area, page))
		return 0;
	folio = page_folio(page);
	if (!pte_write(pte) && !PageAnonExclusive(page))
		return 0;
	pte = ptep_clear_flush(vma, addr, ptep);
	/* device-coherent pages cannot be pinned: this does not fail */
	if (PageAnonExclusive(page))
		WARN_ON_ONCE(folio_try_share_anon_rmap_pte(folio, page));
	set_pte_at(vma->vm_mm, addr, ptep, pte_wrprotect(pte));
	return 0;
}

static const struct mm_walk_ops nvemu_share_ops = {
	.pte_entry = nvemu_share_pte,
	.walk_lock = PGWALK_RDLOCK,
};

/**
 * nvemu_share_range() - make the pool pages of a range read-only and shared
 * @area: the area the pages belong to
 * @vma: a private mapping of current's mm, mmap lock held
 * @start: first address
 * @end: end of the range
 */
void nvemu_share_range(struct nvemu_area *area, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end)
{
	mmap_assert_locked(vma->vm_mm);
	walk_page_range_vma(vma, start, end, &nvemu_share_ops, area);
}
