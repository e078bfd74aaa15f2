// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: slots, their commit word and two halves
 *
 * A slot (design section 3) is a commit word, the generation, alone in
 * its cache line at offset 0, and two halves.  The committed half is
 * generation & 1.  A commit writes the whole new half into the other one,
 * fences, and then stores generation + 1 into the word: one aligned
 * 8-byte store, which the NVM takes whole or not at all.  A power cut
 * before that store leaves the old word and the old half untouched; after
 * it, the new half is complete, being fenced before.  Generation 0 means
 * the slot was never used.
 *
 * A half is valid when its magic is right, its own generation is the
 * word's (a half left from two commits ago has another), its context
 * fits, and its xxh64 matches.
 */
#define pr_fmt(fmt) "nvemu: " fmt

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/xxhash.h>
#include <uapi/linux/nvemu_proc.h>
#include <kunit/visibility.h>

#include "pool.h"

static void *nvemu_slot_half(const void *slot, unsigned int h)
{
	return (void *)slot + NVEMU_HALF_OFFSET + h * NVEMU_HALF_SIZE;
}

/**
 * nvemu_half_checksum() - the checksum a half must hold
 * @half: the half
 *
 * xxh64 (seed 0) of the head, the first NVEMU_HALF_HEAD_SIZE bytes with
 * @half->checksum taken as zero, followed by @half->ctx[0..ctx_size).  The
 * half is not modified.  A @ctx_size above NVEMU_CTX_MAX makes the half
 * invalid whatever its checksum; it is hashed as NVEMU_CTX_MAX here.
 *
 * Return: the checksum, in CPU order.
 */
u64 nvemu_half_checksum(const struct nvemu_half *half)
{
	static const __le64 zero;
	size_t ctx = min_t(size_t, le32_to_cpu(half->ctx_size), NVEMU_CTX_MAX);
	struct xxh64_state state;

	nvemu_format_check();
	xxh64_reset(&state, 0);
	xxh64_update(&state, half, offsetof(struct nvemu_half, checksum));
	xxh64_update(&state, &zero, sizeof(zero));
	xxh64_update(&state, half->ctx, ctx);
	return xxh64_digest(&state);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_half_checksum);

/* The half of generation gen, if it is valid */
static const struct nvemu_half *nvemu_half_valid(const void *slot, u64 gen)
{
	const struct nvemu_half *h = nvemu_slot_half(slot, gen & 1);

	if (le64_to_cpu(h->magic) != NVEMU_PH_MAGIC ||
	    le64_to_cpu(h->generation) != gen ||
	    le32_to_cpu(h->ctx_size) > NVEMU_CTX_MAX ||
	    le64_to_cpu(h->checksum) != nvemu_half_checksum(h))
		return NULL;
	return h;
}

/**
 * nvemu_slot_read() - find the committed half of a slot
 * @slot: the slot's NVEMU_SLOT_SIZE bytes
 * @half: set to the committed half, inside @slot
 *
 * The half may be in state NVEMU_HS_FREE (a process ended there): the
 * caller decides what a state means.
 *
 * Return: 0 with @half set; -ENOENT for a slot never used (generation 0);
 * -EUCLEAN when the committed half is not valid (magic, generation,
 * context size or checksum): the slot is damaged.
 */
int nvemu_slot_read(const void *slot, const struct nvemu_half **half)
{
	u64 gen = le64_to_cpu(READ_ONCE(*(const __le64 *)slot));
	const struct nvemu_half *h;

	if (!gen)
		return -ENOENT;
	h = nvemu_half_valid(slot, gen);
	if (!h)
		return -EUCLEAN;
	*half = h;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_slot_read);

/**
 * nvemu_slot_read_previous() - the half a damaged slot committed before
 * @slot: the slot's NVEMU_SLOT_SIZE bytes, whose committed half is not valid
 * @half: set to the half of the generation before, inside @slot
 *
 * Never resumed: it tells whose slot it is (id, owner) so that the owner
 * sees it damaged and can discard it.
 *
 * Return: 0 with @half set; -ENOENT when that half is not valid either (or
 * there was no generation before).
 */
int nvemu_slot_read_previous(const void *slot, const struct nvemu_half **half)
{
	u64 gen = le64_to_cpu(READ_ONCE(*(const __le64 *)slot));
	const struct nvemu_half *h;

	if (gen < 2)
		return -ENOENT;
	h = nvemu_half_valid(slot, gen - 1);
	if (!h)
		return -ENOENT;
	*half = h;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_slot_read_previous);

/**
 * nvemu_slot_proc_state() - what a slot's process shows as
 * @slot: the slot's NVEMU_SLOT_SIZE bytes
 * @attached: a task of this boot runs from the slot (armed or resumed)
 * @half: set to the committed half when the slot has a valid one (an armed
 *	task that has not committed yet has none), else left alone
 *
 * The process states of design section 1, from the commit word, the
 * committed half and whether a task runs it.  A task that runs is
 * NVEMU_PROC_RUNNING whatever its slot holds.  Otherwise a committed half
 * in NVEMU_HS_STOPPED is NVEMU_PROC_RESUMABLE (a final commit at a stop
 * signal or an orderly shutdown), one in NVEMU_HS_LIVE is
 * NVEMU_PROC_INTERRUPTED (it was running when the system stopped), one in
 * NVEMU_HS_FREE holds no process, and one that is not valid, or in a
 * state this kernel does not know, is NVEMU_PROC_DAMAGED.  Whether the
 * page map that a valid half refers to is whole is the caller's to check.
 *
 * Return: an NVEMU_PROC_* state, or 0 when the slot holds no process.
 */
u32 nvemu_slot_proc_state(const void *slot, bool attached,
			  const struct nvemu_half **half)
{
	const struct nvemu_half *h;
	int rc = nvemu_slot_read(slot, &h);

	if (!rc)
		*half = h;
	if (attached)
		return NVEMU_PROC_RUNNING;
	if (rc)
		return rc == -ENOENT ? 0 : NVEMU_PROC_DAMAGED;
	switch (le32_to_cpu(h->state)) {
	case NVEMU_HS_STOPPED:
		return NVEMU_PROC_RESUMABLE;
	case NVEMU_HS_LIVE:
		return NVEMU_PROC_INTERRUPTED;
	case NVEMU_HS_FREE:
		return 0;
	default:
		return NVEMU_PROC_DAMAGED;
	}
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_slot_proc_state);

/**
 * nvemu_slot_commit() - make a half the committed one
 * @ops: NVM write primitives
 * @slot: the slot's NVEMU_SLOT_SIZE bytes
 * @half: the new half, in DRAM; its magic, generation and checksum are set
 *	here
 *
 * Writes the head and @half->ctx[0..ctx_size) into the slot's inactive
 * half, fences, stores the next generation into the commit word, fences.
 * Everything the half refers to (page map, description) must have been
 * written before; this first fence orders it too.  A @ctx_size above
 * NVEMU_CTX_MAX is a bug: it warns and commits nothing.
 */
void nvemu_slot_commit(const struct nvemu_nvm_ops *ops, void *slot,
		       struct nvemu_half *half)
{
	u64 gen = le64_to_cpu(READ_ONCE(*(__le64 *)slot)) + 1;
	u32 ctx = le32_to_cpu(half->ctx_size);

	if (WARN_ON_ONCE(ctx > NVEMU_CTX_MAX))
		return;
	half->magic = cpu_to_le64(NVEMU_PH_MAGIC);
	half->generation = cpu_to_le64(gen);
	half->checksum = cpu_to_le64(nvemu_half_checksum(half));
	ops->copy(ops, nvemu_slot_half(slot, gen & 1), half,
		  NVEMU_HALF_HEAD_SIZE + ctx);
	ops->fence(ops);
	ops->store64(ops, slot, gen);
	ops->fence(ops);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_slot_commit);

/**
 * nvemu_slot_format() - mark a slot never used
 * @ops: NVM write primitives
 * @slot: the slot's NVEMU_SLOT_SIZE bytes
 *
 * Stores generation 0 into the commit word and fences; the halves are
 * left as they are (no half of a slot of generation 0 is ever read).
 */
void nvemu_slot_format(const struct nvemu_nvm_ops *ops, void *slot)
{
	ops->store64(ops, slot, 0);
	ops->fence(ops);
}
EXPORT_SYMBOL_IF_KUNIT(nvemu_slot_format);
