// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the pool's allocation bitmap and the NVM
 * write primitives
 *
 * Which pool pages are used is not stored in the NVM (design section 3):
 * at boot the committed page maps, descriptions and so on of every valid
 * slot are marked used (nvemu_pool_mark()), everything else is free.  A
 * page written by a commit that did not finish is thus free again.
 *
 * Every write to the pool goes through nvemu_pool_write(): the bytes reach
 * the NVM through @ops->copy, and @wrote (the change record of
 * save/restore) learns which bytes changed.  Ordering them against the
 * commit word is the caller's business (@ops->fence).
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/libnvdimm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <kunit/visibility.h>

#include "pool.h"

static void nvemu_nvm_copy(const struct nvemu_nvm_ops *ops, void *dst,
			   const void *src, size_t len)
{
	memcpy_flushcache(dst, src, len);
}

static void nvemu_nvm_fence(const struct nvemu_nvm_ops *ops)
{
	pmem_wmb();
}

static void nvemu_nvm_store64(const struct nvemu_nvm_ops *ops, __le64 *dst,
			      u64 val)
{
	WRITE_ONCE(*dst, cpu_to_le64(val));
	arch_wb_cache_pmem(dst, sizeof(*dst));
}

const struct nvemu_nvm_ops nvemu_nvm_ops_default = {
	.copy = nvemu_nvm_copy,
	.fence = nvemu_nvm_fence,
	.store64 = nvemu_nvm_store64,
};
EXPORT_SYMBOL_IF_KUNIT(nvemu_nvm_ops_default);

/**
 * nvemu_pool_init() - set up the allocator of a pool, every page free
 * @pool: the pool
 * @base: kernel address of the page with index 1
 * @nr_pages: pages in the pool (at least one)
 * @page_shift: log2 of the page size, 12 to 16
 * @ops: NVM write primitives (&nvemu_nvm_ops_default)
 *
 * @pool->wrote is cleared; set it afterwards to learn of writes.
 *
 * Return: 0, -EINVAL for a bad argument or -ENOMEM; @pool is untouched on
 * failure.
 */
int nvemu_pool_init(struct nvemu_pool *pool, void *base, u32 nr_pages,
		    unsigned int page_shift, const struct nvemu_nvm_ops *ops)
{
	unsigned long *used;

	if (!base || !nr_pages || !ops || page_shift < 12 || page_shift > 16)
		return -EINVAL;
	used = kvcalloc(BITS_TO_LONGS(nr_pages), sizeof(unsigned long),
			GFP_KERNEL);
	if (!used)
		return -ENOMEM;
	memset(pool, 0, sizeof(*pool));
	pool->used = used;
	pool->base = base;
	pool->nr_pages = nr_pages;
	pool->nr_free = nr_pages;
	pool->page_shift = page_shift;
	pool->ops = ops;
	spin_lock_init(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_init);

/**
 * nvemu_pool_destroy() - free the allocator of a pool
 * @pool: the pool, set up by nvemu_pool_init() (or all zero)
 *
 * The pool's pages are not touched.
 */
void nvemu_pool_destroy(struct nvemu_pool *pool)
{
	kvfree(pool->used);
	pool->used = NULL;
	pool->nr_pages = 0;
	pool->nr_free = 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_destroy);

/**
 * nvemu_pool_alloc() - take a free page of the pool
 * @pool: the pool
 *
 * The search goes on from where the last one stopped, so that pages are
 * handed out in turn.  Does not sleep.
 *
 * Return: the page's index (1..@pool->nr_pages), or 0 when none is free.
 */
u32 nvemu_pool_alloc(struct nvemu_pool *pool)
{
	unsigned long flags, bit;
	u32 index = 0;

	spin_lock_irqsave(&pool->lock, flags);
	if (pool->nr_free) {
		bit = find_next_zero_bit(pool->used, pool->nr_pages, pool->next);
		if (bit >= pool->nr_pages)
			bit = find_first_zero_bit(pool->used, pool->nr_pages);
		if (!WARN_ON_ONCE(bit >= pool->nr_pages)) {
			__set_bit(bit, pool->used);
			pool->nr_free--;
			pool->next = bit + 1 < pool->nr_pages ? bit + 1 : 0;
			index = bit + 1;
		}
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return index;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_alloc);

/**
 * nvemu_pool_free() - give a page back to the pool
 * @pool: the pool
 * @index: its index; 0 is ignored
 *
 * Freeing an index out of range or a free page is a bug: it warns and
 * changes nothing.  Does not sleep; may be called with interrupts off.
 */
void nvemu_pool_free(struct nvemu_pool *pool, u32 index)
{
	unsigned long flags;

	if (!index)
		return;
	if (WARN_ON_ONCE(index > pool->nr_pages))
		return;
	spin_lock_irqsave(&pool->lock, flags);
	if (!WARN_ON_ONCE(!__test_and_clear_bit(index - 1, pool->used)))
		pool->nr_free++;
	spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_free);

/**
 * nvemu_pool_mark() - mark a page used, as found in a committed structure
 * @pool: the pool
 * @index: the page's index
 *
 * Used at boot, before any allocation, to rebuild the bitmap from the
 * committed slots.
 *
 * Return: 0, -EINVAL for an index out of range, or -EEXIST when the page
 * is used already (two structures claim it: one of them is damaged).
 */
int nvemu_pool_mark(struct nvemu_pool *pool, u32 index)
{
	unsigned long flags;
	int ret = 0;

	if (!index || index > pool->nr_pages)
		return -EINVAL;
	spin_lock_irqsave(&pool->lock, flags);
	if (__test_and_set_bit(index - 1, pool->used))
		ret = -EEXIST;
	else
		pool->nr_free--;
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_mark);

/**
 * nvemu_pool_page() - kernel address of a pool page
 * @pool: the pool
 * @index: the page's index
 *
 * Return: the address, or NULL for an index out of range.
 */
void *nvemu_pool_page(const struct nvemu_pool *pool, u32 index)
{
	if (!index || index > pool->nr_pages)
		return NULL;
	return pool->base + ((size_t)(index - 1) << pool->page_shift);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_page);

/**
 * nvemu_pool_write() - write bytes of the pool through its NVM primitives
 * @pool: the pool
 * @dst: where, inside the pool
 * @src: the bytes
 * @len: how many
 *
 * The bytes are written back from the CPU caches (@pool->ops->copy) but not
 * yet ordered: the caller fences before its commit.  @pool->wrote, if set,
 * is told of the range.
 */
void nvemu_pool_write(struct nvemu_pool *pool, void *dst, const void *src,
		      size_t len)
{
	pool->ops->copy(pool->ops, dst, src, len);
	if (pool->wrote)
		pool->wrote(pool->wrote_data, dst, len);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pool_write);

/**
 * nvemu_idx_list_add() - append a pool index to a list
 * @list: the list (all zero when empty)
 * @index: the index
 *
 * The list grows by doubling.  May sleep.
 *
 * Return: 0 or -ENOMEM (the list is unchanged).
 */
int nvemu_idx_list_add(struct nvemu_idx_list *list, u32 index)
{
	if (list->nr == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		size_t bytes;
		u32 *idx;

		if (check_mul_overflow(cap, sizeof(*idx), &bytes))
			return -ENOMEM;
		idx = kvrealloc(list->idx, bytes, GFP_KERNEL);
		if (!idx)
			return -ENOMEM;
		list->idx = idx;
		list->cap = cap;
	}
	list->idx[list->nr++] = index;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_idx_list_add);

/**
 * nvemu_idx_list_free() - free a list's memory and empty it
 * @list: the list
 */
void nvemu_idx_list_free(struct nvemu_idx_list *list)
{
	kvfree(list->idx);
	list->idx = NULL;
	list->nr = 0;
	list->cap = 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_idx_list_free);
