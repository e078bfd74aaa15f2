// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the pool allocator (pool.c) and the page map (pmap.c) of
 * nvemu's persistent processes, on a vmalloc'd pool with 4 KiB and 64 KiB
 * pages (the node math differs: 512 or 8192 entries a node).
 *
 * The pool's first pages stand for data pages (marked used; the map only
 * records their indices), the others take the nodes.  What a build must
 * do is checked against sets computed here independently: the nodes a
 * map has are one per distinct vpn prefix per level, a build writes the
 * nodes of the new map that the old one does not have and frees those of
 * the old one that the new one does not have.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/prandom.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>

#include "../pool.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* vpn bits of the user address space: x86_64 and arm64 4K, arm64 64K */
#define VPN_BITS_4K	35
#define VPN_BITS_64K	32

struct fake_pool {
	struct nvemu_pool pool;
	void *mem;
	u32 nr_data;		/* indices 1..nr_data are data pages */
	unsigned int levels;
	unsigned int bits;	/* log2 of the entries of a node */
	size_t size;		/* bytes of a page */
};

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(pool_destroy_action, nvemu_pool_destroy,
			    struct nvemu_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(idx_list_free_action, nvemu_idx_list_free,
			    struct nvemu_idx_list *);

static struct fake_pool *fake_pool(struct kunit *test, unsigned int shift,
				   u32 nr_data, u32 nr_nodes)
{
	struct fake_pool *fp = kunit_kzalloc(test, sizeof(*fp), GFP_KERNEL);
	int ret;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, fp);
	fp->size = (size_t)1 << shift;
	fp->mem = vmalloc(fp->size * (nr_data + nr_nodes));
	KUNIT_ASSERT_NOT_NULL(test, fp->mem);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vfree_action,
							   fp->mem));
	/* free pages hold garbage: nothing may rely on zeroes */
	memset(fp->mem, 0xa5, fp->size * (nr_data + nr_nodes));
	KUNIT_ASSERT_EQ(test, 0, nvemu_pool_init(&fp->pool, fp->mem,
						 nr_data + nr_nodes, shift,
						 &nvemu_nvm_ops_default));
	ret = kunit_add_action_or_reset(test, pool_destroy_action, &fp->pool);
	KUNIT_ASSERT_EQ(test, 0, ret);
	for (i = 1; i <= nr_data; i++)
		KUNIT_ASSERT_EQ(test, 0, nvemu_pool_mark(&fp->pool, i));
	fp->nr_data = nr_data;
	fp->bits = shift - 3;
	fp->levels = nvemu_pmap_levels(shift == 12 ? VPN_BITS_4K :
				       VPN_BITS_64K, shift);
	return fp;
}

static struct nvemu_idx_list *idx_list(struct kunit *test)
{
	struct nvemu_idx_list *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, idx_list_free_action,
						  l));
	return l;
}

/* Pairs: sorted, unique vpns, data indices of the fake pool */
struct pairs {
	struct nvemu_pmap_pair *p;
	size_t nr;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct nvemu_pmap_pair *x = a, *y = b;

	return x->vpn < y->vpn ? -1 : x->vpn > y->vpn;
}

static void pairs_sort(struct pairs *ps)
{
	size_t i, n = 0;

	sort(ps->p, ps->nr, sizeof(*ps->p), pair_cmp, NULL);
	for (i = 0; i < ps->nr; i++)
		if (!n || ps->p[i].vpn != ps->p[n - 1].vpn)
			ps->p[n++] = ps->p[i];
	ps->nr = n;
}

static struct pairs *pairs_alloc(struct kunit *test, size_t cap)
{
	struct pairs *ps = kunit_kzalloc(test, sizeof(*ps), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ps);
	ps->p = kunit_kcalloc(test, cap, sizeof(*ps->p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ps->p);
	return ps;
}

static u32 data_index(struct fake_pool *fp, struct rnd_state *rnd)
{
	return 1 + prandom_u32_state(rnd) % fp->nr_data;
}

/* @n random vpns in [0, 2^@vpn_bits) */
static struct pairs *sparse_pairs(struct kunit *test, struct fake_pool *fp,
				  size_t n, unsigned int vpn_bits, u64 seed)
{
	struct pairs *ps = pairs_alloc(test, n);
	struct rnd_state rnd;

	prandom_seed_state(&rnd, seed);
	for (ps->nr = 0; ps->nr < n; ps->nr++) {
		u64 r = ((u64)prandom_u32_state(&rnd) << 32) |
			prandom_u32_state(&rnd);

		ps->p[ps->nr].vpn = r & GENMASK_ULL(vpn_bits - 1, 0);
		ps->p[ps->nr].index = data_index(fp, &rnd);
	}
	pairs_sort(ps);
	KUNIT_ASSERT_GE(test, ps->nr, n - n / 64);
	return ps;
}

/*
 * Runs of consecutive vpns with a hole every seventh page, from vpn 0, in
 * the middle, and up to the last vpn the map can reach: @n pairs or so.
 */
static struct pairs *dense_pairs(struct kunit *test, struct fake_pool *fp,
				 size_t n, u64 seed)
{
	unsigned long top = (1UL << (fp->levels * fp->bits)) - 1;
	unsigned long starts[3] = { 0, 0x123456, top - n / 3 + 1 };
	struct pairs *ps = pairs_alloc(test, n + 3);
	struct rnd_state rnd;
	size_t r, i;

	prandom_seed_state(&rnd, seed);
	for (r = 0; r < ARRAY_SIZE(starts); r++) {
		for (i = 0; i < n / 3; i++) {
			if (i % 7 == 6)
				continue;
			ps->p[ps->nr].vpn = starts[r] + i;
			ps->p[ps->nr++].index = data_index(fp, &rnd);
		}
	}
	pairs_sort(ps);
	KUNIT_ASSERT_EQ(test, top, ps->p[ps->nr - 1].vpn);
	return ps;
}

/* Nodes a map of @ps must have: one per distinct prefix per level */
static size_t nodes_expected(struct fake_pool *fp, const struct pairs *ps)
{
	unsigned int l;
	size_t i, n = 0;

	for (l = 1; l <= fp->levels; l++) {
		unsigned int shift = l * fp->bits;

		for (i = 0; i < ps->nr; i++)
			if (!i || (shift >= BITS_PER_LONG ? 0 :
				   (ps->p[i].vpn >> shift) !=
				   (ps->p[i - 1].vpn >> shift)))
				n++;
	}
	return n;
}

/* What a walk saw */
struct walked {
	struct nvemu_pmap_pair *data;
	size_t nr_data, cap_data;
	u32 *nodes;
	size_t nr_nodes, cap_nodes;
	unsigned long *node_set;	/* bit index - 1 */
	unsigned long first_node_vpn;
	int stop_after;			/* > 0: return -EINTR at that call */
	int calls;
};

static int walk_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	struct walked *w = arg;

	if (w->stop_after && ++w->calls == w->stop_after)
		return -EINTR;
	if (node) {
		if (w->nr_nodes == w->cap_nodes)
			return -E2BIG;
		if (!w->nr_nodes)
			w->first_node_vpn = vpn;
		w->nodes[w->nr_nodes++] = index;
		if (w->node_set)
			__set_bit(index - 1, w->node_set);
		return 0;
	}
	if (w->nr_data == w->cap_data)
		return -E2BIG;
	w->data[w->nr_data].vpn = vpn;
	w->data[w->nr_data++].index = index;
	return 0;
}

static struct walked *walked_alloc(struct kunit *test, struct fake_pool *fp,
				   size_t cap_data)
{
	struct walked *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->cap_data = cap_data;
	w->data = kunit_kcalloc(test, cap_data, sizeof(*w->data), GFP_KERNEL);
	w->cap_nodes = fp->pool.nr_pages;
	w->nodes = kunit_kcalloc(test, w->cap_nodes, sizeof(u32), GFP_KERNEL);
	w->node_set = kunit_kcalloc(test, BITS_TO_LONGS(fp->pool.nr_pages),
				    sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->data);
	KUNIT_ASSERT_NOT_NULL(test, w->nodes);
	KUNIT_ASSERT_NOT_NULL(test, w->node_set);
	return w;
}

/* Walk @root; it must hold exactly @ps, in as many nodes as it should */
static struct walked *walk_check(struct kunit *test, struct fake_pool *fp,
				 const struct nvemu_pmap_root *root,
				 const struct pairs *ps)
{
	struct walked *w = walked_alloc(test, fp, ps->nr + 1);
	size_t i;

	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_walk(&fp->pool, root, walk_fn, w));
	KUNIT_ASSERT_EQ(test, ps->nr, w->nr_data);
	for (i = 0; i < ps->nr; i++) {
		KUNIT_ASSERT_EQ(test, ps->p[i].vpn, w->data[i].vpn);
		KUNIT_ASSERT_EQ(test, ps->p[i].index, w->data[i].index);
	}
	KUNIT_EXPECT_EQ(test, nodes_expected(fp, ps), w->nr_nodes);
	if (ps->nr)
		KUNIT_EXPECT_EQ(test, 0UL, w->first_node_vpn);
	for (i = 0; i < w->nr_nodes; i++)
		KUNIT_EXPECT_GT(test, w->nodes[i], fp->nr_data);
	return w;
}

static int walk(struct fake_pool *fp, const struct nvemu_pmap_root *root,
		struct walked *w)
{
	return nvemu_pmap_walk(&fp->pool, root, walk_fn, w);
}

static struct nvemu_pmap_root empty_root(struct fake_pool *fp)
{
	return (struct nvemu_pmap_root){ .levels = fp->levels };
}

/* Build @ps from @old, which holds @old_ps; check what the build did */
static struct nvemu_pmap_root build_check(struct kunit *test,
					  struct fake_pool *fp,
					  const struct nvemu_pmap_root *old,
					  const struct pairs *old_ps,
					  const struct pairs *ps,
					  struct nvemu_idx_list *freed)
{
	struct walked *before = NULL, *after;
	struct nvemu_pmap_root new = {};
	u32 free_before = fp->pool.nr_free;
	size_t i, new_nodes = 0, gone = 0;
	u64 written = 7;

	if (old->index)
		before = walk_check(test, fp, old, old_ps);
	freed->nr = 0;
	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_build(&fp->pool, old, ps->p,
						  ps->nr, &new, freed,
						  &written));
	KUNIT_EXPECT_EQ(test, fp->levels, new.levels);
	after = walk_check(test, fp, &new, ps);
	/* the old map is untouched */
	if (old->index)
		walk_check(test, fp, old, old_ps);

	for (i = 0; i < after->nr_nodes; i++)
		if (!before || !test_bit(after->nodes[i] - 1, before->node_set))
			new_nodes++;
	KUNIT_EXPECT_EQ(test, 7 + new_nodes * fp->size, written);
	KUNIT_EXPECT_EQ(test, free_before - new_nodes, fp->pool.nr_free);

	/* freed: exactly the old nodes the new map does not have, once */
	for (i = 0; before && i < before->nr_nodes; i++)
		if (!test_bit(before->nodes[i] - 1, after->node_set))
			gone++;
	KUNIT_EXPECT_EQ(test, gone, freed->nr);
	for (i = 0; i < freed->nr; i++) {
		u32 idx = freed->idx[i];

		KUNIT_ASSERT_TRUE(test, before &&
				  test_bit(idx - 1, before->node_set));
		KUNIT_EXPECT_FALSE(test, test_bit(idx - 1, after->node_set));
		/* clear it, so that a second mention would fail above */
		__clear_bit(idx - 1, before->node_set);
	}
	return new;
}

static void free_list(struct fake_pool *fp, struct nvemu_idx_list *freed)
{
	size_t i;

	for (i = 0; i < freed->nr; i++)
		nvemu_pool_free(&fp->pool, freed->idx[i]);
	freed->nr = 0;
}

static void pmap_levels(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 4U, nvemu_pmap_levels(35, 12));	/* x86_64 */
	KUNIT_EXPECT_EQ(test, 4U, nvemu_pmap_levels(36, 12));	/* arm64 */
	KUNIT_EXPECT_EQ(test, 3U, nvemu_pmap_levels(32, 16));	/* arm64 64K */
	KUNIT_EXPECT_EQ(test, 1U, nvemu_pmap_levels(9, 12));
	KUNIT_EXPECT_EQ(test, 2U, nvemu_pmap_levels(10, 12));
	KUNIT_EXPECT_EQ(test, 4U, nvemu_pmap_levels(27 + 9, 12));
	KUNIT_EXPECT_EQ(test, 5U, nvemu_pmap_levels(37, 12));
	KUNIT_EXPECT_EQ(test, 1U, nvemu_pmap_levels(13, 16));
	KUNIT_EXPECT_EQ(test, 2U, nvemu_pmap_levels(14, 16));
	KUNIT_EXPECT_EQ(test, 3U, nvemu_pmap_levels(39, 16));
	KUNIT_EXPECT_EQ(test, 4U, nvemu_pmap_levels(40, 16));
}

static void pmap_pool_alloc(struct kunit *test)
{
	struct fake_pool *fp = fake_pool(test, 12, 0, 8);
	u32 i, seen = 0, idx;

	for (i = 0; i < 8; i++) {
		idx = nvemu_pool_alloc(&fp->pool);
		KUNIT_ASSERT_GE(test, idx, 1U);
		KUNIT_ASSERT_LE(test, idx, 8U);
		KUNIT_EXPECT_FALSE(test, seen & BIT(idx));
		seen |= BIT(idx);
	}
	KUNIT_EXPECT_EQ(test, 0U, fp->pool.nr_free);
	KUNIT_EXPECT_EQ(test, 0U, nvemu_pool_alloc(&fp->pool));
	nvemu_pool_free(&fp->pool, 3);
	nvemu_pool_free(&fp->pool, 0);			/* ignored */
	KUNIT_EXPECT_EQ(test, 1U, fp->pool.nr_free);
	KUNIT_EXPECT_EQ(test, 3U, nvemu_pool_alloc(&fp->pool));
	KUNIT_EXPECT_EQ(test, 0U, nvemu_pool_alloc(&fp->pool));

	nvemu_pool_free(&fp->pool, 5);
	KUNIT_EXPECT_EQ(test, -EEXIST, nvemu_pool_mark(&fp->pool, 4));
	KUNIT_EXPECT_EQ(test, -EINVAL, nvemu_pool_mark(&fp->pool, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, nvemu_pool_mark(&fp->pool, 9));
	KUNIT_EXPECT_EQ(test, 0, nvemu_pool_mark(&fp->pool, 5));
	KUNIT_EXPECT_EQ(test, 0U, fp->pool.nr_free);

	KUNIT_EXPECT_PTR_EQ(test, fp->mem, nvemu_pool_page(&fp->pool, 1));
	KUNIT_EXPECT_PTR_EQ(test, fp->mem + 7 * SZ_4K,
			    nvemu_pool_page(&fp->pool, 8));
	KUNIT_EXPECT_NULL(test, nvemu_pool_page(&fp->pool, 0));
	KUNIT_EXPECT_NULL(test, nvemu_pool_page(&fp->pool, 9));

	KUNIT_EXPECT_EQ(test, -EINVAL, nvemu_pool_init(&fp->pool, fp->mem, 8,
						       17,
						       &nvemu_nvm_ops_default));
	KUNIT_EXPECT_EQ(test, -EINVAL, nvemu_pool_init(&fp->pool, fp->mem, 0,
						       12,
						       &nvemu_nvm_ops_default));
}

struct wrote_log {
	const void *addr;
	size_t len;
	int calls;
};

static void wrote_fn(void *data, const void *addr, size_t len)
{
	struct wrote_log *log = data;

	log->addr = addr;
	log->len = len;
	log->calls++;
}

static void pmap_pool_write_and_list(struct kunit *test)
{
	struct fake_pool *fp = fake_pool(test, 12, 0, 2);
	struct nvemu_idx_list *l = idx_list(test);
	struct wrote_log log = {};
	static const char msg[] = "committed";
	u8 *page = nvemu_pool_page(&fp->pool, 2);
	u32 i;

	fp->pool.wrote = wrote_fn;
	fp->pool.wrote_data = &log;
	nvemu_pool_write(&fp->pool, page + 100, msg, sizeof(msg));
	KUNIT_EXPECT_EQ(test, 1, log.calls);
	KUNIT_EXPECT_PTR_EQ(test, page + 100, log.addr);
	KUNIT_EXPECT_EQ(test, sizeof(msg), log.len);
	KUNIT_EXPECT_STREQ(test, msg, (char *)page + 100);
	KUNIT_EXPECT_EQ(test, 0xa5, page[99]);
	KUNIT_EXPECT_EQ(test, 0xa5, page[100 + sizeof(msg)]);

	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_EQ(test, 0, nvemu_idx_list_add(l, i * 3));
	KUNIT_EXPECT_EQ(test, 1000UL, l->nr);
	KUNIT_EXPECT_GE(test, l->cap, 1000UL);
	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_EQ(test, i * 3, l->idx[i]);
	nvemu_idx_list_free(l);
	KUNIT_EXPECT_EQ(test, 0UL, l->nr);
	KUNIT_EXPECT_EQ(test, 0UL, l->cap);
	KUNIT_EXPECT_NULL(test, l->idx);
}

static void pmap_empty(struct kunit *test)
{
	struct fake_pool *fp = fake_pool(test, 12, 4, 4);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root old = empty_root(fp), new = { .index = 99 };
	struct pairs none = {};
	struct walked *w;
	u64 written = 0;

	KUNIT_EXPECT_EQ(test, 0, nvemu_pmap_build(&fp->pool, &old, NULL, 0,
						  &new, freed, &written));
	KUNIT_EXPECT_EQ(test, 0U, new.index);
	KUNIT_EXPECT_EQ(test, 0U, new.check);
	KUNIT_EXPECT_EQ(test, 4U, new.levels);
	KUNIT_EXPECT_EQ(test, 0ULL, written);
	KUNIT_EXPECT_EQ(test, 0UL, freed->nr);
	w = walk_check(test, fp, &new, &none);
	KUNIT_EXPECT_EQ(test, 0UL, w->nr_nodes);
}

static void roundtrip(struct kunit *test, unsigned int shift, bool dense)
{
	bool big = shift == 16;
	struct fake_pool *fp = fake_pool(test, shift, big ? 64 : 1024,
					 big ? 640 : 6144);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), root;
	struct pairs *ps;
	size_t nodes;

	if (dense)
		ps = dense_pairs(test, fp, 4000, 1);
	else
		ps = sparse_pairs(test, fp, big ? 300 : 2000,
				  big ? VPN_BITS_64K : VPN_BITS_4K, 2);
	root = build_check(test, fp, &empty, NULL, ps, freed);
	KUNIT_EXPECT_GT(test, root.index, fp->nr_data);
	nodes = nodes_expected(fp, ps);
	kunit_info(test, "%zu pairs, %zu nodes of %zu bytes, %u levels\n",
		   ps->nr, nodes, fp->size, fp->levels);
	/* a sparse map has a leaf per pair, or nearly */
	if (!dense)
		KUNIT_EXPECT_GT(test, nodes, ps->nr);
	KUNIT_EXPECT_EQ(test, fp->pool.nr_pages - fp->nr_data - nodes,
			fp->pool.nr_free);
	KUNIT_EXPECT_EQ(test, 0UL, freed->nr);
}

static void pmap_sparse_4k(struct kunit *test)
{
	roundtrip(test, 12, false);
}

static void pmap_sparse_64k(struct kunit *test)
{
	roundtrip(test, 16, false);
}

static void pmap_dense_4k(struct kunit *test)
{
	roundtrip(test, 12, true);
}

static void pmap_dense_64k(struct kunit *test)
{
	roundtrip(test, 16, true);
}

static struct pairs *pairs_copy(struct kunit *test, const struct pairs *ps,
				size_t extra)
{
	struct pairs *c = pairs_alloc(test, ps->nr + extra);

	memcpy(c->p, ps->p, ps->nr * sizeof(*ps->p));
	c->nr = ps->nr;
	return c;
}

/* Change one data page: one node per level is written, and replaced */
static void one_change(struct kunit *test, unsigned int shift)
{
	bool big = shift == 16;
	struct fake_pool *fp = fake_pool(test, shift, 64, big ? 512 : 2048);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), a, b, c;
	struct pairs *pa = sparse_pairs(test, fp, big ? 200 : 500, 30, 3);
	struct pairs *pb = pairs_copy(test, pa, 0);
	size_t i, k = pa->nr / 3;
	u64 written = 0;

	a = build_check(test, fp, &empty, NULL, pa, freed);
	pb->p[k].index = pa->p[k].index % fp->nr_data + 1;
	b = build_check(test, fp, &a, pa, pb, freed);
	KUNIT_EXPECT_EQ(test, (size_t)fp->levels, freed->nr);
	KUNIT_EXPECT_NE(test, a.index, b.index);

	/* the same once more, from b: written counts exactly these nodes */
	pb->p[k].index = pb->p[k].index % fp->nr_data + 1;
	free_list(fp, freed);
	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_build(&fp->pool, &b, pb->p, pb->nr,
						  &c, freed, &written));
	KUNIT_EXPECT_EQ(test, (u64)fp->levels * fp->size, written);
	KUNIT_EXPECT_EQ(test, (size_t)fp->levels, freed->nr);
	walk_check(test, fp, &c, pb);
	/* what it freed is b's path to the page: b's root among them */
	for (i = 0; i < freed->nr; i++)
		if (freed->idx[i] == b.index)
			break;
	KUNIT_EXPECT_LT(test, i, freed->nr);
}

static void pmap_one_change_4k(struct kunit *test)
{
	one_change(test, 12);
}

static void pmap_one_change_64k(struct kunit *test)
{
	one_change(test, 16);
}

/* Subtrees go away, new ones come, pages move: then everything goes */
static void reshape(struct kunit *test, unsigned int shift)
{
	bool big = shift == 16;
	struct fake_pool *fp = fake_pool(test, shift, 64, big ? 512 : 4096);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), a, b, c, d;
	struct pairs *pa = dense_pairs(test, fp, big ? 1500 : 900, 4);
	struct pairs *pb = pairs_copy(test, pa, 400);
	struct pairs *none = pairs_alloc(test, 1);
	struct rnd_state rnd;
	size_t i, n = 0;

	prandom_seed_state(&rnd, 5);
	a = build_check(test, fp, &empty, NULL, pa, freed);
	/* drop the run at the top of the reach, move the rest a bit */
	for (i = 0; i < pa->nr; i++)
		if (pa->p[i].vpn < 0x200000)
			pb->p[n++] = pa->p[i];
	for (i = 0; i < 400; i++) {
		pb->p[n].vpn = 0x40000000UL + 977 * i;
		pb->p[n++].index = data_index(fp, &rnd);
	}
	pb->nr = n;
	pairs_sort(pb);
	/* the root, and the top run's path, which is gone entirely */
	b = build_check(test, fp, &a, pa, pb, freed);
	KUNIT_EXPECT_EQ(test, (size_t)fp->levels, freed->nr);
	free_list(fp, freed);

	/* back to a's content: new nodes, and b's extra ones freed */
	c = build_check(test, fp, &b, pb, pa, freed);
	free_list(fp, freed);

	/* the empty map: every node freed, none written */
	d = build_check(test, fp, &c, pa, none, freed);
	KUNIT_EXPECT_EQ(test, 0U, d.index);
	KUNIT_EXPECT_EQ(test, nodes_expected(fp, pa), freed->nr);
	free_list(fp, freed);
	KUNIT_EXPECT_EQ(test, fp->pool.nr_pages - fp->nr_data,
			fp->pool.nr_free);
}

static void pmap_reshape_4k(struct kunit *test)
{
	reshape(test, 12);
}

static void pmap_reshape_64k(struct kunit *test)
{
	reshape(test, 16);
}

static void identical(struct kunit *test, unsigned int shift)
{
	bool big = shift == 16;
	struct fake_pool *fp = fake_pool(test, shift, 64, big ? 512 : 2048);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), a, b = {};
	struct pairs *pa = sparse_pairs(test, fp, 200, 24, 6);
	u32 free_before;
	u64 written = 0;

	a = build_check(test, fp, &empty, NULL, pa, freed);
	free_before = fp->pool.nr_free;
	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_build(&fp->pool, &a, pa->p, pa->nr,
						  &b, freed, &written));
	KUNIT_EXPECT_EQ(test, 0ULL, written);
	KUNIT_EXPECT_EQ(test, 0UL, freed->nr);
	KUNIT_EXPECT_EQ(test, a.index, b.index);
	KUNIT_EXPECT_EQ(test, a.check, b.check);
	KUNIT_EXPECT_EQ(test, a.levels, b.levels);
	KUNIT_EXPECT_EQ(test, free_before, fp->pool.nr_free);
}

static void pmap_identical_4k(struct kunit *test)
{
	identical(test, 12);
}

static void pmap_identical_64k(struct kunit *test)
{
	identical(test, 16);
}

/* A failed build: the pool's bitmap and every output as they were */
static void build_fails(struct kunit *test, struct fake_pool *fp,
			const struct nvemu_pmap_root *old,
			const struct pairs *ps, struct nvemu_idx_list *freed,
			int err)
{
	size_t words = BITS_TO_LONGS(fp->pool.nr_pages);
	unsigned long *used = kunit_kmalloc_array(test, words, sizeof(long),
						  GFP_KERNEL);
	struct nvemu_pmap_root new = { 11, 22, 33 };
	u32 free_before = fp->pool.nr_free;
	size_t freed_before = freed->nr;
	u64 written = 44;

	KUNIT_ASSERT_NOT_NULL(test, used);
	memcpy(used, fp->pool.used, words * sizeof(long));
	KUNIT_EXPECT_EQ(test, err, nvemu_pmap_build(&fp->pool, old, ps->p,
						    ps->nr, &new, freed,
						    &written));
	KUNIT_EXPECT_EQ(test, free_before, fp->pool.nr_free);
	KUNIT_EXPECT_EQ(test, 0, memcmp(used, fp->pool.used,
					words * sizeof(long)));
	KUNIT_EXPECT_EQ(test, 11U, new.index);
	KUNIT_EXPECT_EQ(test, 22U, new.check);
	KUNIT_EXPECT_EQ(test, 33U, new.levels);
	KUNIT_EXPECT_EQ(test, 44ULL, written);
	KUNIT_EXPECT_EQ(test, freed_before, freed->nr);
}

static void enospc(struct kunit *test, unsigned int shift)
{
	struct fake_pool *fp = fake_pool(test, shift, 64, 40);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), a;
	struct pairs *small = sparse_pairs(test, fp, 8, 24, 7);
	struct pairs *big = sparse_pairs(test, fp, 60, VPN_BITS_64K, 8);
	struct pairs *pb = pairs_copy(test, small, 0);
	u32 last = 0;

	/* more nodes than the pool has */
	KUNIT_ASSERT_GT(test, nodes_expected(fp, big), (size_t)40);
	build_fails(test, fp, &empty, big, freed, -ENOSPC);

	/* from a committed map: its replaced nodes are not reported */
	a = build_check(test, fp, &empty, NULL, small, freed);
	KUNIT_ASSERT_LT(test, fp->pool.nr_free, nodes_expected(fp, big));
	KUNIT_ASSERT_EQ(test, 0, nvemu_idx_list_add(freed, 12345));
	build_fails(test, fp, &a, big, freed, -ENOSPC);
	KUNIT_EXPECT_EQ(test, 12345U, freed->idx[0]);
	walk_check(test, fp, &a, small);

	/* exactly enough: one change needs one page per level */
	while (fp->pool.nr_free > fp->levels - 1) {
		last = nvemu_pool_alloc(&fp->pool);
		KUNIT_ASSERT_NE(test, 0U, last);
	}
	pb->p[0].index = pb->p[0].index % fp->nr_data + 1;
	build_fails(test, fp, &a, pb, freed, -ENOSPC);
	nvemu_pool_free(&fp->pool, last);
	freed->nr = 0;
	build_check(test, fp, &a, small, pb, freed);
	KUNIT_EXPECT_EQ(test, 0U, fp->pool.nr_free);
}

static void pmap_enospc_4k(struct kunit *test)
{
	enospc(test, 12);
}

static void pmap_enospc_64k(struct kunit *test)
{
	enospc(test, 16);
}

/* Any byte flipped in any node, even in an empty entry: -EUCLEAN */
static void corrupt(struct kunit *test, unsigned int shift)
{
	struct fake_pool *fp = fake_pool(test, shift, 64, 256);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), a, bad;
	struct pairs *pa = sparse_pairs(test, fp, 30, 30, 9);
	struct walked *w;
	struct rnd_state rnd;
	size_t i;

	prandom_seed_state(&rnd, 10);
	a = build_check(test, fp, &empty, NULL, pa, freed);
	w = walk_check(test, fp, &a, pa);
	for (i = 0; i < w->nr_nodes; i++) {
		u8 *node = nvemu_pool_page(&fp->pool, w->nodes[i]);
		size_t off = prandom_u32_state(&rnd) % fp->size;
		u8 bit = BIT(prandom_u32_state(&rnd) % 8);

		node[off] ^= bit;
		KUNIT_EXPECT_EQ_MSG(test, -EUCLEAN,
				    nvemu_pmap_walk(&fp->pool, &a, walk_fn,
						    walked_alloc(test, fp,
								 pa->nr)),
				    "node %zu byte %zu", i, off);
		node[off] ^= bit;
	}
	walk_check(test, fp, &a, pa);

	/* a bad root check, levels or index */
	bad = a;
	bad.check ^= 1;
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &bad, w));
	bad = a;
	bad.levels = 0;
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &bad, w));
	bad = a;
	bad.index = fp->pool.nr_pages + 1;
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &bad, w));
	bad = empty;
	bad.check = 1;
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &bad, w));
}

static void pmap_corrupt_4k(struct kunit *test)
{
	corrupt(test, 12);
}

static void pmap_corrupt_64k(struct kunit *test)
{
	corrupt(test, 16);
}

/* A one-level map (the root is a leaf): bad leaf entries, good checks */
static void pmap_bad_leaf(struct kunit *test)
{
	struct fake_pool *fp = fake_pool(test, 12, 8, 8);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root one = { .levels = 1 }, a;
	struct nvemu_pmap_pair p[] = { { 3, 5 }, { 511, 8 } };
	struct nvemu_pmap_entry *leaf;
	struct walked *w = walked_alloc(test, fp, 4);
	u64 written = 0;

	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_build(&fp->pool, &one, p, 2, &a,
						  freed, &written));
	KUNIT_EXPECT_EQ(test, (u64)SZ_4K, written);
	leaf = nvemu_pool_page(&fp->pool, a.index);
	KUNIT_EXPECT_EQ(test, 5U, le32_to_cpu(leaf[3].index));
	KUNIT_EXPECT_EQ(test, 0U, le32_to_cpu(leaf[3].check));
	KUNIT_EXPECT_EQ(test, 8U, le32_to_cpu(leaf[511].index));
	KUNIT_EXPECT_EQ(test, a.check, xxh32(leaf, SZ_4K, 0));
	KUNIT_EXPECT_EQ(test, 0, walk(fp, &a, w));
	KUNIT_EXPECT_EQ(test, 2UL, w->nr_data);
	KUNIT_EXPECT_EQ(test, 1UL, w->nr_nodes);

	/* a data index out of the pool, with a matching checksum */
	leaf[3].index = cpu_to_le32(17);
	a.check = xxh32(leaf, SZ_4K, 0);
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &a, w));
	/* a leaf entry with a check */
	leaf[3].index = cpu_to_le32(5);
	leaf[3].check = cpu_to_le32(1);
	a.check = xxh32(leaf, SZ_4K, 0);
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &a, w));
	/* an empty entry with a check */
	leaf[3].check = 0;
	leaf[4].check = cpu_to_le32(1);
	a.check = xxh32(leaf, SZ_4K, 0);
	KUNIT_EXPECT_EQ(test, -EUCLEAN, walk(fp, &a, w));
	leaf[4].check = 0;
	a.check = xxh32(leaf, SZ_4K, 0);
	/* what fn returns ends the walk */
	w = walked_alloc(test, fp, 4);
	w->stop_after = 2;
	KUNIT_EXPECT_EQ(test, -EINTR, walk(fp, &a, w));
	KUNIT_EXPECT_EQ(test, 1UL, w->nr_nodes);
	KUNIT_EXPECT_EQ(test, 0UL, w->nr_data);
}

static void einval(struct kunit *test, unsigned int shift)
{
	struct fake_pool *fp = fake_pool(test, shift, 16, 64);
	struct nvemu_idx_list *freed = idx_list(test);
	struct nvemu_pmap_root empty = empty_root(fp), a, zero = {};
	unsigned long reach = 1UL << (fp->levels * fp->bits);
	struct nvemu_pmap_pair p[2];
	struct pairs ps = { p, 2 };
	struct pairs *pa = sparse_pairs(test, fp, 10, 20, 11);

	a = build_check(test, fp, &empty, NULL, pa, freed);
	p[0] = (struct nvemu_pmap_pair){ 1, 1 };
	p[1] = (struct nvemu_pmap_pair){ reach, 2 };	/* beyond the reach */
	build_fails(test, fp, &empty, &ps, freed, -EINVAL);
	build_fails(test, fp, &a, &ps, freed, -EINVAL);
	p[1].vpn = reach - 1;				/* the last one: fine */
	p[1].index = 0;					/* no data page */
	build_fails(test, fp, &a, &ps, freed, -EINVAL);
	p[1].index = fp->pool.nr_pages + 1;		/* out of the pool */
	build_fails(test, fp, &a, &ps, freed, -EINVAL);
	p[1].index = 2;
	p[1].vpn = 1;					/* twice */
	build_fails(test, fp, &a, &ps, freed, -EINVAL);
	p[1].vpn = 0;					/* out of order */
	build_fails(test, fp, &a, &ps, freed, -EINVAL);
	build_fails(test, fp, &zero, &ps, freed, -EINVAL);	/* no levels */
	walk_check(test, fp, &a, pa);

	p[1].vpn = reach - 1;
	build_check(test, fp, &a, pa, &ps, freed);
}

static void pmap_einval_4k(struct kunit *test)
{
	einval(test, 12);
}

static void pmap_einval_64k(struct kunit *test)
{
	einval(test, 16);
}

static struct kunit_case pmap_cases[] = {
	KUNIT_CASE(pmap_levels),
	KUNIT_CASE(pmap_pool_alloc),
	KUNIT_CASE(pmap_pool_write_and_list),
	KUNIT_CASE(pmap_empty),
	KUNIT_CASE_SLOW(pmap_sparse_4k),
	KUNIT_CASE(pmap_sparse_64k),
	KUNIT_CASE(pmap_dense_4k),
	KUNIT_CASE(pmap_dense_64k),
	KUNIT_CASE(pmap_one_change_4k),
	KUNIT_CASE_SLOW(pmap_one_change_64k),
	KUNIT_CASE(pmap_reshape_4k),
	KUNIT_CASE(pmap_reshape_64k),
	KUNIT_CASE(pmap_identical_4k),
	KUNIT_CASE(pmap_identical_64k),
	KUNIT_CASE(pmap_enospc_4k),
	KUNIT_CASE(pmap_enospc_64k),
	KUNIT_CASE(pmap_corrupt_4k),
	KUNIT_CASE_SLOW(pmap_corrupt_64k),
	KUNIT_CASE(pmap_bad_leaf),
	KUNIT_CASE(pmap_einval_4k),
	KUNIT_CASE(pmap_einval_64k),
	{}
};

static struct kunit_suite pmap_suite = {
	.name = "nvemu_pmap",
	.test_cases = pmap_cases,
};

kunit_test_suite(pmap_suite);

MODULE_DESCRIPTION("KUnit tests for the pool and page map of nvemu's persistent processes");
MODULE_LICENSE("GPL");
