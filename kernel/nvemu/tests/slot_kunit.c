// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the slots of nvemu's persistent processes (slot.c):
 * which half is committed, when a half is valid, and what survives a
 * power cut during a commit.
 *
 * The power-cut tests commit through a recording struct nvemu_nvm_ops that
 * logs every copy, fence and 8-byte store.  Replaying the log on the image
 * taken before the commit, one copy in 64-byte pieces (cache lines) and
 * one store at a time, gives every state the NVM can be left in by a cut
 * (pieces of a copy are taken in order, and in reverse order, since
 * nothing orders them before the fence).  In each of them the slot must
 * read as exactly the old state before the store of the new generation,
 * and exactly the new one after it: never an error, never a mix.  The
 * same replay walks a slot through a process's life (armed, committed,
 * stopped, resumed, ended) and checks the process state each cut shows.  The
 * last test commits a new page map with its half, and checks that the map
 * a half refers to walks and holds that half's pages.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>
#include <uapi/linux/nvemu_proc.h>

#include "../pool.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define HALF_BYTES(ctx)	(NVEMU_HALF_HEAD_SIZE + (ctx))
#define GARBAGE		0x5a

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(pool_destroy_action, nvemu_pool_destroy,
			    struct nvemu_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(idx_list_free_action, nvemu_idx_list_free,
			    struct nvemu_idx_list *);

static void *test_vmalloc(struct kunit *test, size_t size)
{
	void *p = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vfree_action,
							   p));
	memset(p, GARBAGE, size);
	return p;
}

static void *slot_half(void *slot, unsigned int h)
{
	return slot + NVEMU_HALF_OFFSET + h * NVEMU_HALF_SIZE;
}

static u64 slot_word(const void *slot)
{
	return le64_to_cpup(slot);
}

/* A half in DRAM, as a commit would fill it */
static struct nvemu_half *half_alloc(struct kunit *test, const char *name,
				     u32 state, u32 ctx_size, u64 seed)
{
	struct nvemu_half *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct rnd_state rnd;

	KUNIT_ASSERT_NOT_NULL(test, h);
	prandom_seed_state(&rnd, seed);
	h->state = cpu_to_le32(state);
	h->id = cpu_to_le64(seed);
	strscpy((char *)h->name, name, sizeof(h->name));
	prandom_bytes_state(&rnd, h->boot_id, sizeof(h->boot_id));
	h->uid = cpu_to_le32(1000);
	h->interval_ms = cpu_to_le32(1000);
	h->commits = cpu_to_le64(seed);
	h->mm[NVEMU_MM_BRK] = cpu_to_le64(0x5555000 + seed);
	h->ctx_size = cpu_to_le32(ctx_size);
	prandom_bytes_state(&rnd, h->ctx, ctx_size);
	/* bytes beyond ctx_size are not part of the half */
	memset(h->ctx + ctx_size, 0xee, NVEMU_CTX_MAX - ctx_size);
	return h;
}

/* The committed half's bytes, read back: a DRAM copy */
static u8 *committed(struct kunit *test, void *slot, u64 gen, size_t *len)
{
	const struct nvemu_half *h;
	u8 *copy;

	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(slot, &h));
	KUNIT_ASSERT_EQ(test, gen, le64_to_cpu(h->generation));
	*len = HALF_BYTES(le32_to_cpu(h->ctx_size));
	copy = kunit_kmalloc(test, *len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, h, *len);
	return copy;
}

static void slot_fresh(struct kunit *test)
{
	const struct nvemu_half *h = (void *)1;
	void *slot = test_vmalloc(test, NVEMU_SLOT_SIZE);

	*(__le64 *)slot = 0;
	KUNIT_EXPECT_EQ(test, -ENOENT, nvemu_slot_read(slot, &h));
	KUNIT_EXPECT_PTR_EQ(test, (void *)1, h);

	/* garbage everywhere, then formatted */
	memset(slot, 0xff, NVEMU_SLOT_SIZE);
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	nvemu_slot_format(&nvemu_nvm_ops_default, slot);
	KUNIT_EXPECT_EQ(test, 0ULL, slot_word(slot));
	KUNIT_EXPECT_EQ(test, -ENOENT, nvemu_slot_read(slot, &h));
	KUNIT_EXPECT_PTR_EQ(test, (void *)1, h);
	KUNIT_EXPECT_EQ(test, 0xff, ((u8 *)slot)[8]);
}

static void slot_roundtrip(struct kunit *test)
{
	void *slot = test_vmalloc(test, NVEMU_SLOT_SIZE);
	struct nvemu_half *a = half_alloc(test, "a", NVEMU_HS_LIVE, 1000, 1);
	struct nvemu_half *b = half_alloc(test, "b", NVEMU_HS_FREE, 0, 2);
	struct nvemu_half *c = half_alloc(test, "c", NVEMU_HS_STOPPED, 24, 3);
	const struct nvemu_half *h;
	u8 *half1 = slot_half(slot, 1);

	nvemu_slot_format(&nvemu_nvm_ops_default, slot);
	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, a);
	KUNIT_EXPECT_EQ(test, 1ULL, slot_word(slot));
	KUNIT_EXPECT_EQ(test, NVEMU_PH_MAGIC, le64_to_cpu(a->magic));
	KUNIT_EXPECT_EQ(test, 1ULL, le64_to_cpu(a->generation));
	KUNIT_EXPECT_EQ(test, nvemu_half_checksum(a), le64_to_cpu(a->checksum));
	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(slot, &h));
	KUNIT_EXPECT_PTR_EQ(test, (const void *)half1, (const void *)h);
	KUNIT_EXPECT_EQ(test, 0, memcmp(h, a, HALF_BYTES(1000)));
	/* only head + ctx_size bytes were written, the other half untouched */
	KUNIT_EXPECT_EQ(test, GARBAGE, half1[HALF_BYTES(1000)]);
	KUNIT_EXPECT_EQ(test, GARBAGE, *(u8 *)slot_half(slot, 0));

	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, b);
	KUNIT_EXPECT_EQ(test, 2ULL, slot_word(slot));
	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(slot, &h));
	KUNIT_EXPECT_PTR_EQ(test, slot_half(slot, 0), (void *)h);
	KUNIT_EXPECT_EQ(test, (u32)NVEMU_HS_FREE, le32_to_cpu(h->state));
	KUNIT_EXPECT_EQ(test, 0, memcmp(h, b, HALF_BYTES(0)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(half1, a, HALF_BYTES(1000)));

	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, c);
	KUNIT_EXPECT_EQ(test, 3ULL, slot_word(slot));
	KUNIT_EXPECT_EQ(test, 3, ((u8 *)slot)[0]);	/* little-endian */
	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(slot, &h));
	KUNIT_EXPECT_PTR_EQ(test, (const void *)half1, (const void *)h);
	KUNIT_EXPECT_EQ(test, 0, memcmp(h, c, HALF_BYTES(24)));
	KUNIT_EXPECT_EQ(test, 3ULL, le64_to_cpu(h->generation));
	KUNIT_EXPECT_STREQ(test, "c", (const char *)h->name);
}

/* xxh64 of the head with the checksum zero, then ctx[0..ctx_size) */
static void slot_checksum(struct kunit *test)
{
	struct nvemu_half *a = half_alloc(test, "sum", NVEMU_HS_LIVE, 777, 4);
	u8 *copy = kunit_kmalloc(test, HALF_BYTES(777), GFP_KERNEL);
	u64 sum;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	a->checksum = cpu_to_le64(0x0123456789abcdefULL);
	memcpy(copy, a, HALF_BYTES(777));
	sum = nvemu_half_checksum(a);
	KUNIT_EXPECT_EQ(test, 0, memcmp(copy, a, HALF_BYTES(777)));
	memset(copy + offsetof(struct nvemu_half, checksum), 0, 8);
	KUNIT_EXPECT_EQ(test, xxh64(copy, HALF_BYTES(777), 0), sum);

	/* the checksum field itself, and bytes beyond ctx_size, do not count */
	a->checksum = 0;
	a->ctx[777] ^= 1;
	KUNIT_EXPECT_EQ(test, sum, nvemu_half_checksum(a));
	a->ctx[776] ^= 1;
	KUNIT_EXPECT_NE(test, sum, nvemu_half_checksum(a));
	a->ctx[776] ^= 1;
	a->ctx_size = cpu_to_le32(778);
	KUNIT_EXPECT_NE(test, sum, nvemu_half_checksum(a));
}

static void slot_damaged(struct kunit *test)
{
	void *slot = test_vmalloc(test, NVEMU_SLOT_SIZE);
	struct nvemu_half *a = half_alloc(test, "a", NVEMU_HS_LIVE, 500, 5);
	struct nvemu_half *h1 = slot_half(slot, 1);
	const struct nvemu_half *h;
	u8 *p = (u8 *)h1;
	size_t off[] = { 0, 8, 16, 40, 392, 4087, 4088, 4095,
			 HALF_BYTES(0), HALF_BYTES(499) };
	size_t i;

	nvemu_slot_format(&nvemu_nvm_ops_default, slot);
	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, a);
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		p[off[i]] ^= 0x10;
		KUNIT_EXPECT_EQ_MSG(test, -EUCLEAN, nvemu_slot_read(slot, &h),
				    "byte %zu", off[i]);
		p[off[i]] ^= 0x10;
	}
	KUNIT_EXPECT_EQ(test, 0, nvemu_slot_read(slot, &h));
	/* bytes beyond ctx_size, and the other half, are not looked at */
	p[HALF_BYTES(500)] ^= 0x10;
	memset(slot_half(slot, 0), 0, NVEMU_HALF_SIZE);
	KUNIT_EXPECT_EQ(test, 0, nvemu_slot_read(slot, &h));

	/* a wrong magic, or a half of another generation, with its checksum */
	h1->magic = cpu_to_le64(NVEMU_PA_MAGIC);
	h1->checksum = cpu_to_le64(nvemu_half_checksum(h1));
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	h1->magic = cpu_to_le64(NVEMU_PH_MAGIC);
	h1->checksum = cpu_to_le64(nvemu_half_checksum(h1));
	KUNIT_EXPECT_EQ(test, 0, nvemu_slot_read(slot, &h));
	*(__le64 *)slot = cpu_to_le64(3);
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	*(__le64 *)slot = cpu_to_le64(2);	/* the zeroed half */
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	*(__le64 *)slot = cpu_to_le64(1);
	KUNIT_EXPECT_EQ(test, 0, nvemu_slot_read(slot, &h));
}

/*
 * A damaged slot names its process by the half before, when that one is
 * valid; never the damaged half, nor a half of another generation
 */
static void slot_previous(struct kunit *test)
{
	void *slot = test_vmalloc(test, NVEMU_SLOT_SIZE);
	struct nvemu_half *a = half_alloc(test, "a", NVEMU_HS_LIVE, 100, 7);
	const struct nvemu_half *h;
	u8 *p;

	nvemu_slot_format(&nvemu_nvm_ops_default, slot);
	KUNIT_EXPECT_EQ(test, -ENOENT, nvemu_slot_read_previous(slot, &h));
	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, a);	/* gen 1 */
	KUNIT_EXPECT_EQ(test, -ENOENT, nvemu_slot_read_previous(slot, &h));
	a->commits = cpu_to_le64(8);
	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, a);	/* gen 2 */
	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read_previous(slot, &h));
	KUNIT_EXPECT_EQ(test, 1ULL, le64_to_cpu(h->generation));
	KUNIT_EXPECT_EQ(test, 7ULL, le64_to_cpu(h->commits));
	KUNIT_EXPECT_EQ(test, 7ULL, le64_to_cpu(h->id));
	KUNIT_EXPECT_EQ(test, 1000U, le32_to_cpu(h->uid));

	/* the committed half damaged: read fails, the one before still reads */
	p = slot_half(slot, 0);
	p[100] ^= 0x01;
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read_previous(slot, &h));
	KUNIT_EXPECT_PTR_EQ(test, (const void *)h, slot_half(slot, 1));
	/* both damaged: nothing */
	p = slot_half(slot, 1);
	p[100] ^= 0x01;
	KUNIT_EXPECT_EQ(test, -ENOENT, nvemu_slot_read_previous(slot, &h));
	p[100] ^= 0x01;
	/* word 4: the half before would be of generation 3, half 1 has 1 */
	*(__le64 *)slot = cpu_to_le64(4);
	KUNIT_EXPECT_EQ(test, -ENOENT, nvemu_slot_read_previous(slot, &h));
}

static void slot_ctx_size(struct kunit *test)
{
	void *slot = test_vmalloc(test, NVEMU_SLOT_SIZE);
	struct nvemu_half *a = half_alloc(test, "max", NVEMU_HS_LIVE,
					  NVEMU_CTX_MAX, 6);
	struct nvemu_half *h1 = slot_half(slot, 1);
	const struct nvemu_half *h;

	nvemu_slot_format(&nvemu_nvm_ops_default, slot);
	nvemu_slot_commit(&nvemu_nvm_ops_default, slot, a);
	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(slot, &h));
	KUNIT_EXPECT_EQ(test, 0, memcmp(h, a, NVEMU_HALF_SIZE));

	/* too big, with a checksum that would match otherwise */
	h1->ctx_size = cpu_to_le32(NVEMU_CTX_MAX + 1);
	h1->checksum = cpu_to_le64(nvemu_half_checksum(h1));
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	h1->ctx_size = cpu_to_le32(U32_MAX);
	h1->checksum = cpu_to_le64(nvemu_half_checksum(h1));
	KUNIT_EXPECT_EQ(test, -EUCLEAN, nvemu_slot_read(slot, &h));
	h1->ctx_size = cpu_to_le32(NVEMU_CTX_MAX);
	h1->checksum = cpu_to_le64(nvemu_half_checksum(h1));
	KUNIT_EXPECT_EQ(test, 0, nvemu_slot_read(slot, &h));
}

/* The recording NVM: every copy, fence and store, in order */
enum rec_kind { REC_COPY, REC_FENCE, REC_STORE };

struct rec_op {
	enum rec_kind kind;
	size_t off;		/* from the image's start */
	size_t len;
	u64 val;
	u8 *bytes;
};

struct recorder {
	struct nvemu_nvm_ops ops;
	struct kunit *test;
	u8 *image;
	size_t size;
	bool on;
	struct rec_op op[64];
	size_t nr;
};

static struct recorder *rec_of(const struct nvemu_nvm_ops *ops)
{
	return ops->data;
}

static struct rec_op *rec_add(struct recorder *r, enum rec_kind kind,
			      const void *dst, size_t len)
{
	struct rec_op *op;

	KUNIT_ASSERT_LT(r->test, r->nr, ARRAY_SIZE(r->op));
	KUNIT_ASSERT_TRUE(r->test, dst >= (void *)r->image &&
			  dst + len <= (void *)r->image + r->size);
	op = &r->op[r->nr++];
	op->kind = kind;
	op->off = dst - (void *)r->image;
	op->len = len;
	return op;
}

static void rec_copy(const struct nvemu_nvm_ops *ops, void *dst,
		     const void *src, size_t len)
{
	struct recorder *r = rec_of(ops);
	struct rec_op *op;

	if (r->on) {
		op = rec_add(r, REC_COPY, dst, len);
		op->bytes = kunit_kmalloc(r->test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(r->test, op->bytes);
		memcpy(op->bytes, src, len);
	}
	memcpy(dst, src, len);
}

static void rec_fence(const struct nvemu_nvm_ops *ops)
{
	struct recorder *r = rec_of(ops);

	if (r->on)
		rec_add(r, REC_FENCE, r->image, 0);
}

static void rec_store64(const struct nvemu_nvm_ops *ops, __le64 *dst, u64 val)
{
	struct recorder *r = rec_of(ops);

	if (r->on)
		rec_add(r, REC_STORE, dst, sizeof(*dst))->val = val;
	WRITE_ONCE(*dst, cpu_to_le64(val));
}

static struct recorder *recorder(struct kunit *test, size_t size)
{
	struct recorder *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->test = test;
	r->size = size;
	r->image = test_vmalloc(test, size);
	r->ops.copy = rec_copy;
	r->ops.fence = rec_fence;
	r->ops.store64 = rec_store64;
	r->ops.data = r;
	return r;
}

/* Start recording; returns the image as it is now */
static u8 *rec_start(struct recorder *r)
{
	u8 *old = test_vmalloc(r->test, r->size);

	memcpy(old, r->image, r->size);
	r->nr = 0;
	r->on = true;
	return old;
}

/* What a state left by a cut must be: @stored says if the flip was in it */
typedef void (*cut_check_fn)(struct kunit *test, void *arg, u8 *image,
			     bool stored);

/*
 * Every state a cut can leave: @old plus a prefix of the log, copies in
 * 64-byte pieces (in order, or each copy's pieces in reverse order).
 * Returns how many states were checked.
 */
static size_t replay(struct recorder *r, const u8 *old, bool reverse,
		     cut_check_fn check, void *arg)
{
	struct kunit *test = r->test;
	u8 *img = test_vmalloc(test, r->size);
	size_t i, p, states = 1;
	bool stored = false;

	memcpy(img, old, r->size);
	check(test, arg, img, false);
	for (i = 0; i < r->nr; i++) {
		struct rec_op *op = &r->op[i];
		size_t pieces = DIV_ROUND_UP(op->len, 64);

		switch (op->kind) {
		case REC_COPY:
			for (p = 0; p < pieces; p++) {
				size_t at = (reverse ? pieces - 1 - p : p) * 64;
				size_t n = min_t(size_t, 64, op->len - at);

				memcpy(img + op->off + at, op->bytes + at, n);
				check(test, arg, img, stored);
				states++;
			}
			break;
		case REC_STORE:
			*(__le64 *)(img + op->off) = cpu_to_le64(op->val);
			stored = true;
			check(test, arg, img, stored);
			states++;
			break;
		case REC_FENCE:
			break;
		}
	}
	/* the whole log is the commit as it was done */
	KUNIT_EXPECT_EQ(test, 0, memcmp(img, r->image, r->size));
	return states;
}

struct slot_states {
	size_t slot_off;
	u64 gen_a;
	const u8 *a, *b;
	size_t len_a, len_b;
};

static void slot_cut_check(struct kunit *test, void *arg, u8 *image,
			   bool stored)
{
	struct slot_states *s = arg;
	const struct nvemu_half *h;

	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(image + s->slot_off, &h));
	if (!stored) {
		KUNIT_ASSERT_EQ(test, s->gen_a, le64_to_cpu(h->generation));
		KUNIT_ASSERT_EQ(test, 0, memcmp(h, s->a, s->len_a));
	} else {
		KUNIT_ASSERT_EQ(test, s->gen_a + 1, le64_to_cpu(h->generation));
		KUNIT_ASSERT_EQ(test, 0, memcmp(h, s->b, s->len_b));
	}
}

/* A commit is: the inactive half, a fence, the word, a fence */
static void slot_commit_order(struct kunit *test)
{
	struct recorder *r = recorder(test, NVEMU_SLOT_SIZE);
	struct nvemu_half *a = half_alloc(test, "a", NVEMU_HS_LIVE, 64, 7);
	struct nvemu_half *b = half_alloc(test, "b", NVEMU_HS_LIVE, 100, 8);

	nvemu_slot_format(&r->ops, r->image);
	nvemu_slot_commit(&r->ops, r->image, a);
	rec_start(r);
	nvemu_slot_commit(&r->ops, r->image, b);
	KUNIT_ASSERT_EQ(test, 4UL, r->nr);
	KUNIT_EXPECT_EQ(test, REC_COPY, r->op[0].kind);
	KUNIT_EXPECT_EQ(test, (size_t)NVEMU_HALF_OFFSET, r->op[0].off);
	KUNIT_EXPECT_EQ(test, (size_t)HALF_BYTES(100), r->op[0].len);
	KUNIT_EXPECT_EQ(test, REC_FENCE, r->op[1].kind);
	KUNIT_EXPECT_EQ(test, REC_STORE, r->op[2].kind);
	KUNIT_EXPECT_EQ(test, 0UL, r->op[2].off);
	KUNIT_EXPECT_EQ(test, 2ULL, r->op[2].val);
	KUNIT_EXPECT_EQ(test, REC_FENCE, r->op[3].kind);

	rec_start(r);
	nvemu_slot_format(&r->ops, r->image);
	KUNIT_ASSERT_EQ(test, 2UL, r->nr);
	KUNIT_EXPECT_EQ(test, REC_STORE, r->op[0].kind);
	KUNIT_EXPECT_EQ(test, 0UL, r->op[0].off);
	KUNIT_EXPECT_EQ(test, 0ULL, r->op[0].val);
	KUNIT_EXPECT_EQ(test, REC_FENCE, r->op[1].kind);
}

/* THE power-cut test of a slot: old or new, whole, wherever the cut */
static void slot_power_cut(struct kunit *test)
{
	struct recorder *r = recorder(test, NVEMU_SLOT_SIZE);
	static const u32 ctx[] = { 0, 1, 700, 5000, NVEMU_CTX_MAX };
	struct slot_states s = {};
	size_t i, states;
	u8 *old;

	nvemu_slot_format(&r->ops, r->image);
	nvemu_slot_commit(&r->ops, r->image,
			  half_alloc(test, "first", NVEMU_HS_LIVE, 3000, 9));
	for (i = 0; i < ARRAY_SIZE(ctx); i++) {
		struct nvemu_half *b = half_alloc(test, "next", i % 3,
						  ctx[i], 10 + i);

		s.gen_a = slot_word(r->image);
		s.a = committed(test, r->image, s.gen_a, &s.len_a);
		old = rec_start(r);
		nvemu_slot_commit(&r->ops, r->image, b);
		r->on = false;
		s.b = committed(test, r->image, s.gen_a + 1, &s.len_b);
		KUNIT_ASSERT_EQ(test, (size_t)HALF_BYTES(ctx[i]), s.len_b);

		states = replay(r, old, false, slot_cut_check, &s);
		KUNIT_EXPECT_EQ(test, 2 + DIV_ROUND_UP(s.len_b, 64), states);
		states = replay(r, old, true, slot_cut_check, &s);
		KUNIT_EXPECT_EQ(test, 2 + DIV_ROUND_UP(s.len_b, 64), states);
	}
}

/*
 * The commit state machine as the process states show it (design section
 * 1): a slot taken by an armed task, committed while the task runs,
 * stopped with a final commit, resumed, ended and reused.  Each step is a
 * commit; every state a power cut during it can leave must show as the
 * state before the step or the state after it, and a task attached to the
 * slot shows as running in all of them.
 */
struct life_states {
	u32 before, after;
};

static void life_cut_check(struct kunit *test, void *arg, u8 *image,
			   bool stored)
{
	struct life_states *s = arg;
	const struct nvemu_half *h = NULL;

	KUNIT_ASSERT_EQ(test, stored ? s->after : s->before,
			nvemu_slot_proc_state(image, false, &h));
	KUNIT_ASSERT_EQ(test, (u32)NVEMU_PROC_RUNNING,
			nvemu_slot_proc_state(image, true, &h));
}

static void life_step(struct kunit *test, struct recorder *r, u32 hs,
		      u32 before, u32 after, u64 seed)
{
	struct nvemu_half *b = half_alloc(test, "life", hs, 200, seed);
	struct life_states s = { .before = before, .after = after };
	const struct nvemu_half *h = NULL;
	u8 *old = rec_start(r);

	nvemu_slot_commit(&r->ops, r->image, b);
	r->on = false;
	KUNIT_EXPECT_EQ(test, after,
			nvemu_slot_proc_state(r->image, false, &h));
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_EQ(test, 0, memcmp(h, b, HALF_BYTES(200)));
	replay(r, old, false, life_cut_check, &s);
	replay(r, old, true, life_cut_check, &s);
}

static void slot_lifecycle(struct kunit *test)
{
	struct recorder *r = recorder(test, NVEMU_SLOT_SIZE);
	const struct nvemu_half *h = NULL;
	u8 *half;

	/* never used: no process; armed, before its first commit: running */
	nvemu_slot_format(&nvemu_nvm_ops_default, r->image);
	KUNIT_EXPECT_EQ(test, 0U, nvemu_slot_proc_state(r->image, false, &h));
	KUNIT_EXPECT_EQ(test, (u32)NVEMU_PROC_RUNNING,
			nvemu_slot_proc_state(r->image, true, &h));
	KUNIT_EXPECT_NULL(test, h);

	/* commits while it runs: a crash leaves it interrupted */
	life_step(test, r, NVEMU_HS_LIVE, 0, NVEMU_PROC_INTERRUPTED, 20);
	life_step(test, r, NVEMU_HS_LIVE, NVEMU_PROC_INTERRUPTED,
		  NVEMU_PROC_INTERRUPTED, 21);
	/* the final commit at a stop signal or an orderly shutdown */
	life_step(test, r, NVEMU_HS_STOPPED, NVEMU_PROC_INTERRUPTED,
		  NVEMU_PROC_RESUMABLE, 22);
	/* resumed: its first commit makes it live again */
	life_step(test, r, NVEMU_HS_LIVE, NVEMU_PROC_RESUMABLE,
		  NVEMU_PROC_INTERRUPTED, 23);
	/* it exits: the slot holds no process, and is reused */
	life_step(test, r, NVEMU_HS_FREE, NVEMU_PROC_INTERRUPTED, 0, 24);
	life_step(test, r, NVEMU_HS_LIVE, 0, NVEMU_PROC_INTERRUPTED, 25);
	KUNIT_EXPECT_EQ(test, 6ULL, slot_word(r->image));

	/* a half in a state no kernel writes is never resumed */
	life_step(test, r, NVEMU_HS_STOPPED + 1, NVEMU_PROC_INTERRUPTED,
		  NVEMU_PROC_DAMAGED, 26);

	/* nor is a committed half with one byte changed */
	life_step(test, r, NVEMU_HS_STOPPED, NVEMU_PROC_DAMAGED,
		  NVEMU_PROC_RESUMABLE, 27);
	half = slot_half(r->image, slot_word(r->image) & 1);
	half[NVEMU_HALF_HEAD_SIZE + 100] ^= 0x10;
	h = NULL;
	KUNIT_EXPECT_EQ(test, (u32)NVEMU_PROC_DAMAGED,
			nvemu_slot_proc_state(r->image, false, &h));
	KUNIT_EXPECT_NULL(test, h);
	KUNIT_EXPECT_EQ(test, (u32)NVEMU_PROC_RUNNING,
			nvemu_slot_proc_state(r->image, true, &h));
	KUNIT_EXPECT_NULL(test, h);
	/* a new commit over it is whole again */
	life_step(test, r, NVEMU_HS_LIVE, NVEMU_PROC_DAMAGED,
		  NVEMU_PROC_INTERRUPTED, 28);
}

/* A page map and the half that points to it, committed together */
#define CUT_DATA	64
#define CUT_NODES	96

struct map_states {
	struct nvemu_pool pool;		/* a copy, its base moved */
	const struct nvemu_pmap_pair *a, *b;
	size_t nr_a, nr_b;
	u64 gen_a;
};

struct map_walk {
	const struct nvemu_pmap_pair *want;
	size_t nr, pos;
};

static int map_walk_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	struct map_walk *w = arg;

	if (node)
		return 0;
	if (w->pos >= w->nr || w->want[w->pos].vpn != vpn ||
	    w->want[w->pos].index != index)
		return -EBADMSG;
	w->pos++;
	return 0;
}

static void map_cut_check(struct kunit *test, void *arg, u8 *image,
			  bool stored)
{
	struct map_states *s = arg;
	struct map_walk w = {
		.want = stored ? s->b : s->a,
		.nr = stored ? s->nr_b : s->nr_a,
	};
	const struct nvemu_half *h;
	struct nvemu_pmap_root root;

	KUNIT_ASSERT_EQ(test, 0, nvemu_slot_read(image, &h));
	KUNIT_ASSERT_EQ(test, s->gen_a + stored, le64_to_cpu(h->generation));
	root.index = le32_to_cpu(h->map_root);
	root.check = le32_to_cpu(h->map_root_check);
	root.levels = le32_to_cpu(h->map_levels);
	s->pool.base = image + NVEMU_SLOT_SIZE;
	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_walk(&s->pool, &root, map_walk_fn,
						 &w));
	KUNIT_ASSERT_EQ(test, w.nr, w.pos);
}

static void half_set_map(struct nvemu_half *h,
			 const struct nvemu_pmap_root *root, size_t nr)
{
	h->map_root = cpu_to_le32(root->index);
	h->map_root_check = cpu_to_le32(root->check);
	h->map_levels = cpu_to_le32(root->levels);
	h->map_pages = cpu_to_le64(nr);
}

static void slot_pmap_power_cut(struct kunit *test)
{
	struct recorder *r = recorder(test, NVEMU_SLOT_SIZE +
				      (CUT_DATA + CUT_NODES) * SZ_4K);
	struct nvemu_idx_list *freed = kunit_kzalloc(test, sizeof(*freed),
						     GFP_KERNEL);
	struct nvemu_pmap_pair *a, *b;
	struct nvemu_pmap_root empty = { .levels = 4 }, ra, rb;
	struct nvemu_pool *pool = kunit_kzalloc(test, sizeof(*pool),
						GFP_KERNEL);
	struct map_states s = {};
	struct nvemu_half *ha, *hb;
	size_t i, n = 0, states, copies = 0;
	u64 written = 0;
	u8 *old;

	KUNIT_ASSERT_NOT_NULL(test, freed);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, idx_list_free_action,
						  freed));
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0, nvemu_pool_init(pool, r->image +
						 NVEMU_SLOT_SIZE,
						 CUT_DATA + CUT_NODES, 12,
						 &r->ops));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pool_destroy_action,
						  pool));
	for (i = 1; i <= CUT_DATA; i++)
		KUNIT_ASSERT_EQ(test, 0, nvemu_pool_mark(pool, i));

	/* a: a dense run and a few far away; b: changed, removed, added */
	a = kunit_kcalloc(test, 70, sizeof(*a), GFP_KERNEL);
	b = kunit_kcalloc(test, 80, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < 60; i++)
		a[i] = (struct nvemu_pmap_pair){ 0x10000 + i * 37,
						 1 + i * 7 % CUT_DATA };
	for (i = 60; i < 64; i++)
		a[i] = (struct nvemu_pmap_pair){ 0x3000000 + i * 0x100000,
						 1 + i % CUT_DATA };
	for (i = 0; i < 64; i++) {
		if (i == 10 || i == 11 || i == 61)
			continue;
		b[n] = a[i];
		if (i == 5 || i == 30 || i == 63)
			b[n].index = b[n].index % CUT_DATA + 1;
		n++;
	}
	for (i = 0; i < 5; i++)
		b[n++] = (struct nvemu_pmap_pair){ 0x7ffff000 + i, 2 + i };

	nvemu_slot_format(&r->ops, r->image);
	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_build(pool, &empty, a, 64, &ra, freed,
						  &written));
	ha = half_alloc(test, "map a", NVEMU_HS_LIVE, 2000, 20);
	half_set_map(ha, &ra, 64);
	nvemu_slot_commit(&r->ops, r->image, ha);

	s.pool = *pool;
	s.a = a;
	s.nr_a = 64;
	s.b = b;
	s.nr_b = n;
	s.gen_a = slot_word(r->image);
	old = rec_start(r);
	written = 0;
	KUNIT_ASSERT_EQ(test, 0, nvemu_pmap_build(pool, &ra, b, n, &rb, freed,
						  &written));
	hb = half_alloc(test, "map b", NVEMU_HS_LIVE, 1500, 21);
	half_set_map(hb, &rb, n);
	nvemu_slot_commit(&r->ops, r->image, hb);
	r->on = false;

	/* the nodes, then the half: the first fence orders them all */
	for (i = 0; i < r->nr && r->op[i].kind == REC_COPY; i++)
		copies++;
	KUNIT_EXPECT_EQ(test, written / SZ_4K + 1, copies);
	KUNIT_EXPECT_EQ(test, REC_FENCE, r->op[copies].kind);
	KUNIT_EXPECT_GT(test, freed->nr, 4UL);

	states = replay(r, old, false, map_cut_check, &s);
	KUNIT_EXPECT_EQ(test, 2 + written / 64 +
			DIV_ROUND_UP(HALF_BYTES(1500), 64), states);
	replay(r, old, true, map_cut_check, &s);
	kunit_info(test, "%zu states, %llu bytes of nodes, %zu nodes freed\n",
		   states, written, freed->nr);
}

static struct kunit_case slot_cases[] = {
	KUNIT_CASE(slot_fresh),
	KUNIT_CASE(slot_roundtrip),
	KUNIT_CASE(slot_checksum),
	KUNIT_CASE(slot_damaged),
	KUNIT_CASE(slot_previous),
	KUNIT_CASE(slot_ctx_size),
	KUNIT_CASE(slot_commit_order),
	KUNIT_CASE(slot_power_cut),
	KUNIT_CASE(slot_lifecycle),
	KUNIT_CASE_SLOW(slot_pmap_power_cut),
	{}
};

static struct kunit_suite slot_suite = {
	.name = "nvemu_slot",
	.test_cases = slot_cases,
};

kunit_test_suite(slot_suite);

MODULE_DESCRIPTION("KUnit tests for the slots of nvemu's persistent processes");
MODULE_LICENSE("GPL");
