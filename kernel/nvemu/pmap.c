// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the page map
 *
 * The committed "virtual page -> pool page" table of a process (design
 * section 3): a radix tree of pool pages indexed by virtual page number.
 * A node is one page of struct nvemu_pmap_entry, (1 << page_shift) / 8 of
 * them; level 0 is the leaves, whose entries give data pages (check 0),
 * and an interior entry gives a child node and the xxh32 of its bytes, so
 * that a walk from the root (whose xxh32 the half holds) verifies every
 * node it reads.
 *
 * Shadow paging: a build never writes a node of the committed map.  Each
 * node of the new generation is composed in DRAM; when the committed map
 * has a node of the same bytes at the same place, that node is shared,
 * else the new one goes to a free pool page.  A change of one data page
 * thus writes one node per level, and the nodes it replaces are freed
 * once the new generation is committed.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xxhash.h>
#include <kunit/visibility.h>

#include "pool.h"

/* log2 of the entries of a node */
static unsigned int nvemu_pmap_bits(unsigned int page_shift)
{
	return page_shift - ilog2(sizeof(struct nvemu_pmap_entry));
}

/* Levels a map can have: at least one, and no more than a vpn has bits */
static bool nvemu_pmap_levels_ok(unsigned int levels, unsigned int bits)
{
	return levels && levels * bits <= BITS_PER_LONG;
}

/**
 * nvemu_pmap_levels() - levels of a page map
 * @vpn_bits: bits of a virtual page number (user VA bits - page_shift)
 * @page_shift: log2 of the page size
 *
 * ceil(@vpn_bits / log2(entries per node)): 4 for x86_64 and arm64 with
 * 4 KiB pages (35 and 36 bits, 512 entries), 3 for arm64 with 64 KiB pages
 * (32 bits, 8192 entries).
 *
 * Return: the number of levels.
 */
unsigned int nvemu_pmap_levels(unsigned int vpn_bits, unsigned int page_shift)
{
	return DIV_ROUND_UP(vpn_bits, nvemu_pmap_bits(page_shift));
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pmap_levels);

/* One build: its arguments and what it has done so far */
struct nvemu_pmap_builder {
	struct nvemu_pool *pool;
	unsigned int bits;
	size_t size;			/* bytes of a node */
	struct nvemu_pmap_entry **buf;	/* one DRAM node per level */
	struct nvemu_idx_list *freed;
	struct nvemu_idx_list alloced;	/* to give back on failure */
	u64 written;
};

/* The committed node @index, or NULL when there is none or it is bogus */
static const struct nvemu_pmap_entry *
nvemu_pmap_node(const struct nvemu_pool *pool, u32 index)
{
	return nvemu_pool_page(pool, index);
}

/*
 * A committed subtree disappears: its nodes (not its data pages) go to
 * @freed.  Nodes of an index out of range are not ours to free.
 */
static int nvemu_pmap_drop(struct nvemu_pmap_builder *b, u32 index,
			   unsigned int level)
{
	const struct nvemu_pmap_entry *node = nvemu_pmap_node(b->pool, index);
	size_t i, n = b->size / sizeof(*node);
	int ret;

	if (!node)
		return 0;
	if (level) {
		for (i = 0; i < n; i++) {
			u32 child = le32_to_cpu(node[i].index);

			if (!child)
				continue;
			ret = nvemu_pmap_drop(b, child, level - 1);
			if (ret)
				return ret;
		}
	}
	return nvemu_idx_list_add(b->freed, index);
}

/*
 * Build the node at @level covering the vpns from @first, from @pairs
 * (all of them inside it, at least one), sharing the committed node @old
 * (0: none) when the bytes are the same.  Its index and check go to @out.
 */
static int nvemu_pmap_build_node(struct nvemu_pmap_builder *b,
				 unsigned int level, unsigned long first,
				 const struct nvemu_pmap_pair *pairs,
				 size_t nr, u32 old,
				 struct nvemu_pmap_entry *out)
{
	const struct nvemu_pmap_entry *old_node = nvemu_pmap_node(b->pool, old);
	struct nvemu_pmap_entry *node = b->buf[level];
	unsigned int shift = level * b->bits;
	size_t i, n = b->size / sizeof(*node);
	u32 index;
	int ret;

	memset(node, 0, b->size);
	if (!level) {
		for (i = 0; i < nr; i++)
			node[pairs[i].vpn - first].index =
				cpu_to_le32(pairs[i].index);
	} else {
		/* children in turn: the pairs of child i are consecutive */
		for (i = 0; i < n; i++) {
			unsigned long start = first + ((unsigned long)i << shift);
			unsigned long end = start + (1UL << shift) - 1;
			u32 old_child = old_node ?
				le32_to_cpu(old_node[i].index) : 0;
			size_t k = 0;

			while (k < nr && pairs[k].vpn <= end)
				k++;
			if (k) {
				ret = nvemu_pmap_build_node(b, level - 1, start,
							    pairs, k, old_child,
							    &node[i]);
				if (ret)
					return ret;
			} else if (old_child) {
				ret = nvemu_pmap_drop(b, old_child, level - 1);
				if (ret)
					return ret;
			}
			pairs += k;
			nr -= k;
			if (!nr && !old_node)
				break;
		}
	}

	out->check = cpu_to_le32(xxh32(node, b->size, 0));
	if (old_node && !memcmp(node, old_node, b->size)) {
		out->index = cpu_to_le32(old);
		return 0;
	}
	index = nvemu_pool_alloc(b->pool);
	if (!index)
		return -ENOSPC;
	ret = nvemu_idx_list_add(&b->alloced, index);
	if (ret) {
		nvemu_pool_free(b->pool, index);
		return ret;
	}
	if (old_node) {
		ret = nvemu_idx_list_add(b->freed, old);
		if (ret)
			return ret;
	}
	nvemu_pool_write(b->pool, nvemu_pool_page(b->pool, index), node,
			 b->size);
	b->written += b->size;
	out->index = cpu_to_le32(index);
	return 0;
}

/* Pairs sorted, unique, reachable with @levels, of valid data pages */
static bool nvemu_pmap_pairs_ok(const struct nvemu_pool *pool,
				unsigned int levels, unsigned int bits,
				const struct nvemu_pmap_pair *pairs, size_t nr)
{
	unsigned int reach = levels * bits;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (!pairs[i].index || pairs[i].index > pool->nr_pages)
			return false;
		if (reach < BITS_PER_LONG && pairs[i].vpn >> reach)
			return false;
		if (i && pairs[i].vpn <= pairs[i - 1].vpn)
			return false;
	}
	return true;
}

/**
 * nvemu_pmap_build() - build a new generation of a page map
 * @pool: the pool
 * @old: the committed map (@old->index 0: empty); the new one has its
 *	@levels
 * @pairs: the new map's content, sorted by vpn ascending, vpns unique
 * @nr: entries in @pairs (0: an empty map)
 * @new: the new map's root
 * @freed: nodes of @old that the new map no longer uses are appended,
 *	to be freed once the new map is committed (data pages are not)
 * @written: bytes written to the pool are added
 *
 * Nodes are written with nvemu_pool_write(), into free pool pages: no
 * byte of @old changes.  Nothing is fenced; the caller fences before it
 * commits a half that points to @new.
 *
 * Return: 0; -EINVAL for pairs out of order, out of the map's reach or of
 * data page 0 or out of the pool; -ENOSPC when the pool is full; -ENOMEM.
 * On failure every page allocated is freed again, and @new, @freed and
 * @written are as they were.
 */
int nvemu_pmap_build(struct nvemu_pool *pool,
		     const struct nvemu_pmap_root *old,
		     const struct nvemu_pmap_pair *pairs, size_t nr,
		     struct nvemu_pmap_root *new, struct nvemu_idx_list *freed,
		     u64 *written)
{
	struct nvemu_pmap_builder b = {
		.pool = pool,
		.bits = nvemu_pmap_bits(pool->page_shift),
		.size = (size_t)1 << pool->page_shift,
		.freed = freed,
	};
	unsigned int levels = old->levels, i;
	size_t freed_nr = freed->nr;
	struct nvemu_pmap_entry root = {};
	int ret = 0;

	if (!nvemu_pmap_levels_ok(levels, b.bits) ||
	    !nvemu_pmap_pairs_ok(pool, levels, b.bits, pairs, nr))
		return -EINVAL;

	if (!nr) {
		if (old->index)
			ret = nvemu_pmap_drop(&b, old->index, levels - 1);
		goto out;
	}

	b.buf = kcalloc(levels, sizeof(*b.buf), GFP_KERNEL);
	if (!b.buf)
		return -ENOMEM;
	for (i = 0; i < levels; i++) {
		b.buf[i] = kvmalloc(b.size, GFP_KERNEL);
		if (!b.buf[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = nvemu_pmap_build_node(&b, levels - 1, 0, pairs, nr, old->index,
				    &root);
out:
	if (ret) {
		for (i = 0; i < b.alloced.nr; i++)
			nvemu_pool_free(pool, b.alloced.idx[i]);
		freed->nr = freed_nr;
	} else {
		new->index = le32_to_cpu(root.index);
		new->check = le32_to_cpu(root.check);
		new->levels = levels;
		*written += b.written;
	}
	nvemu_idx_list_free(&b.alloced);
	if (b.buf) {
		for (i = 0; i < levels; i++)
			kvfree(b.buf[i]);
		kfree(b.buf);
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pmap_build);

struct nvemu_pmap_walker {
	const struct nvemu_pool *pool;
	unsigned int bits;
	size_t size;
	nvemu_pmap_fn fn;
	void *arg;
};

static int nvemu_pmap_walk_node(const struct nvemu_pmap_walker *w, u32 index,
				u32 check, unsigned int level,
				unsigned long first)
{
	const struct nvemu_pmap_entry *node = nvemu_pmap_node(w->pool, index);
	unsigned int shift = level * w->bits;
	size_t i, n = w->size / sizeof(*node);
	int ret;

	if (!node || xxh32(node, w->size, 0) != check)
		return -EUCLEAN;
	ret = w->fn(w->arg, first, index, true);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		unsigned long vpn = first + ((unsigned long)i << shift);
		u32 child = le32_to_cpu(node[i].index);
		u32 child_check = le32_to_cpu(node[i].check);

		if (!child) {
			if (child_check)
				return -EUCLEAN;
			continue;
		}
		if (level) {
			ret = nvemu_pmap_walk_node(w, child, child_check,
						   level - 1, vpn);
		} else if (child > w->pool->nr_pages || child_check) {
			ret = -EUCLEAN;
		} else {
			ret = w->fn(w->arg, vpn, child, false);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * nvemu_pmap_walk() - visit every node and data page of a committed map
 * @pool: the pool
 * @root: the map's root
 * @fn: called for each node (before its children) and each data page, in
 *	vpn order, depth first
 * @arg: @fn's argument
 *
 * Every node is verified before it is used: its index must be in the pool
 * and its xxh32 must be the one its parent entry (for the root:
 * @root->check) records; leaf entries must have check 0 and a data index
 * in the pool, and empty entries must be all zero.  A node that fails
 * after @fn saw some of the map ends the walk: @fn must not act on what
 * it was told before the walk returned 0.
 *
 * Return: 0, -EUCLEAN for a map that fails its checks (including a bogus
 * @root->levels), or what @fn returned.
 */
int nvemu_pmap_walk(const struct nvemu_pool *pool,
		    const struct nvemu_pmap_root *root, nvemu_pmap_fn fn,
		    void *arg)
{
	struct nvemu_pmap_walker w = {
		.pool = pool,
		.bits = nvemu_pmap_bits(pool->page_shift),
		.size = (size_t)1 << pool->page_shift,
		.fn = fn,
		.arg = arg,
	};

	if (!nvemu_pmap_levels_ok(root->levels, w.bits))
		return -EUCLEAN;
	if (!root->index)
		return root->check ? -EUCLEAN : 0;
	return nvemu_pmap_walk_node(&w, root->index, root->check,
				    root->levels - 1, 0);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_pmap_walk);
