/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: the pool, the page map and the slots
 *
 * The format layer: pure functions over the process area's bytes, with no
 * knowledge of tasks or mm, so that KUnit can run them on a buffer and
 * simulate a power cut after any store (kernel/nvemu/tests/).
 *
 *   pool.c  the pool's DRAM allocation bitmap and the NVM write primitives
 *   pmap.c  the page map: build a new generation from sorted pairs, sharing
 *           the nodes that did not change; walk a committed one
 *   slot.c  the commit word and the two halves: which half is committed,
 *           write the inactive half and flip
 *
 * Calls run one way: slot.c and pmap.c call pool.c.
 */
#ifndef _KERNEL_NVEMU_POOL_H
#define _KERNEL_NVEMU_POOL_H

#include <linux/spinlock.h>
#include <linux/types.h>

#include "format.h"

/**
 * struct nvemu_nvm_ops - how bytes reach the NVM durably
 * @copy: copy @len bytes to NVM at @dst and write them back from the CPU
 *	caches (memcpy_flushcache()); not yet ordered
 * @fence: make every @copy before it durable before any store after it
 *	(pmem_wmb())
 * @store64: one 8-byte aligned store to NVM, written back; the commit
 * @data: argument for the test doubles
 *
 * nvemu_nvm_ops_default is what the kernel uses; KUnit replaces it with an
 * implementation that records every store, to replay any prefix of them.
 */
struct nvemu_nvm_ops {
	void (*copy)(const struct nvemu_nvm_ops *ops, void *dst,
		     const void *src, size_t len);
	void (*fence)(const struct nvemu_nvm_ops *ops);
	void (*store64)(const struct nvemu_nvm_ops *ops, __le64 *dst, u64 val);
	void *data;
};

extern const struct nvemu_nvm_ops nvemu_nvm_ops_default;

/**
 * struct nvemu_pool - the pool of an area
 * @base: kernel address of the page with index 1
 * @nr_pages: pages in the pool; valid indices are 1..@nr_pages
 * @nr_free: pages not marked used
 * @page_shift: log2 of the page size (the kernel's PAGE_SHIFT)
 * @next: bit where the next search for a free page starts
 * @used: DRAM bitmap, bit i - 1 set when index i is used
 * @lock: protects @used, @nr_free and @next
 * @ops: NVM write primitives
 * @wrote: if set, told of every range written to the pool (the change
 *	record of save/restore); @wrote_data is its argument
 * @wrote_data: see @wrote
 */
struct nvemu_pool {
	void *base;
	u32 nr_pages;
	u32 nr_free;
	unsigned int page_shift;
	u32 next;
	unsigned long *used;
	spinlock_t lock;	/* protects @used, @nr_free and @next */
	const struct nvemu_nvm_ops *ops;
	void (*wrote)(void *wrote_data, const void *addr, size_t len);
	void *wrote_data;
};

/**
 * struct nvemu_idx_list - a growable list of pool indices
 * @idx: the indices
 * @nr: entries used
 * @cap: entries allocated
 */
struct nvemu_idx_list {
	u32 *idx;
	size_t nr;
	size_t cap;
};

int nvemu_pool_init(struct nvemu_pool *pool, void *base, u32 nr_pages,
		    unsigned int page_shift, const struct nvemu_nvm_ops *ops);
void nvemu_pool_destroy(struct nvemu_pool *pool);
u32 nvemu_pool_alloc(struct nvemu_pool *pool);
void nvemu_pool_free(struct nvemu_pool *pool, u32 index);
int nvemu_pool_mark(struct nvemu_pool *pool, u32 index);
void *nvemu_pool_page(const struct nvemu_pool *pool, u32 index);
void nvemu_pool_write(struct nvemu_pool *pool, void *dst, const void *src,
		      size_t len);

int nvemu_idx_list_add(struct nvemu_idx_list *list, u32 index);
void nvemu_idx_list_free(struct nvemu_idx_list *list);

/**
 * struct nvemu_pmap_pair - one virtual page and the pool page holding it
 * @vpn: virtual page number (address >> page_shift)
 * @index: pool index of the data page
 */
struct nvemu_pmap_pair {
	unsigned long vpn;
	u32 index;
};

/**
 * struct nvemu_pmap_root - a committed page map
 * @index: pool index of the root node, 0 for an empty map
 * @check: xxh32 of the root node
 * @levels: levels of nodes, nvemu_pmap_levels()
 */
struct nvemu_pmap_root {
	u32 index;
	u32 check;
	u32 levels;
};

unsigned int nvemu_pmap_levels(unsigned int vpn_bits, unsigned int page_shift);
int nvemu_pmap_build(struct nvemu_pool *pool,
		     const struct nvemu_pmap_root *old,
		     const struct nvemu_pmap_pair *pairs, size_t nr,
		     struct nvemu_pmap_root *new, struct nvemu_idx_list *freed,
		     u64 *written);

/**
 * typedef nvemu_pmap_fn - called by nvemu_pmap_walk() for each index
 * @arg: the walk's argument
 * @vpn: virtual page number (data pages), or the first one the node
 *	covers (nodes)
 * @index: pool index
 * @node: true for a node of the map, false for a data page
 *
 * Return: 0 to go on, or a negative errno that ends the walk.
 */
typedef int (*nvemu_pmap_fn)(void *arg, unsigned long vpn, u32 index,
			     bool node);
int nvemu_pmap_walk(const struct nvemu_pool *pool,
		    const struct nvemu_pmap_root *root, nvemu_pmap_fn fn,
		    void *arg);

u64 nvemu_half_checksum(const struct nvemu_half *half);
int nvemu_slot_read(const void *slot, const struct nvemu_half **half);
int nvemu_slot_read_previous(const void *slot, const struct nvemu_half **half);
u32 nvemu_slot_proc_state(const void *slot, bool attached,
			  const struct nvemu_half **half);
void nvemu_slot_commit(const struct nvemu_nvm_ops *ops, void *slot,
		       struct nvemu_half *half);
void nvemu_slot_format(const struct nvemu_nvm_ops *ops, void *slot);

#endif /* _KERNEL_NVEMU_POOL_H */
