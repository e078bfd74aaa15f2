// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the save/restore state (state.c): what each reported
 * event does to the state in the metadata, that a refused event changes
 * nothing, and what is taken from the metadata at boot.  The restore
 * gate stays open here, except where a writer keeps it closed, so no
 * NVDIMM region is registered.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/libnvdimm.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../nvemu.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static struct nvemu_dev *state_dev(struct kunit *test, u32 state)
{
	struct nvemu_dev *nv;

	nv = kunit_kzalloc(test, sizeof(*nv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nv);
	nv->dev = kunit_device_register(test, "nvemu-state-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(nv->dev));
	mutex_init(&nv->lock);
	nv->size = NVEMU_META_SIZE + 8ULL * SZ_64M + SZ_32M;
	nv->meta.nvm = kunit_kzalloc(test, sizeof(*nv->meta.nvm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nv->meta.nvm);
	nv->meta.ours = true;
	nv->meta.copy.magic = cpu_to_le64(NVEMU_META_MAGIC);
	nv->meta.copy.state = cpu_to_le32(state);
	nv->meta.copy.saved_generation = cpu_to_le64(4);
	nv->meta.copy.restored_generation = cpu_to_le64(3);
	return nv;
}

static int event(struct nvemu_dev *nv, u32 ev, u32 flags, u64 gen)
{
	struct nvemu_report rep = {
		.event = ev, .flags = flags, .generation = gen,
	};

	guard(mutex)(&nv->lock);
	return nvemu_state_event(nv, &rep);
}

static u32 meta_state(struct nvemu_dev *nv)
{
	return le32_to_cpu(nv->meta.copy.state);
}

static void state_saved(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, NVEMU_META_S_SAVE_FAIL);

	KUNIT_EXPECT_EQ(test, 0, event(nv, NVEMU_EV_SAVED, 0, 7));
	KUNIT_EXPECT_EQ(test, 7, le64_to_cpu(nv->meta.copy.saved_generation));
	KUNIT_EXPECT_EQ(test, 0, meta_state(nv));
	/* the save at shutdown: the next boot reports a clean shutdown */
	KUNIT_EXPECT_EQ(test, 0,
			event(nv, NVEMU_EV_SAVED, NVEMU_REPORT_F_SHUTDOWN, 8));
	KUNIT_EXPECT_EQ(test, NVEMU_META_S_CLEAN, meta_state(nv));
}

static void state_save_failed(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, NVEMU_META_S_CLEAN);

	KUNIT_EXPECT_EQ(test, 0, event(nv, NVEMU_EV_SAVE_FAILED, 0, 0));
	KUNIT_EXPECT_EQ(test, NVEMU_META_S_SAVE_FAIL, meta_state(nv));
	KUNIT_EXPECT_EQ(test, 4, le64_to_cpu(nv->meta.copy.saved_generation));
}

static void state_restored(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, NVEMU_META_S_RESTORE_FAIL);

	KUNIT_EXPECT_EQ(test, 0, event(nv, NVEMU_EV_RESTORED, 0, 9));
	KUNIT_EXPECT_EQ(test, 9,
			le64_to_cpu(nv->meta.copy.restored_generation));
	KUNIT_EXPECT_EQ(test, 0, meta_state(nv));
	KUNIT_EXPECT_EQ(test, 0, nv->sr.boot_state);
	/* an image saved at shutdown: this boot counts as clean */
	KUNIT_EXPECT_EQ(test, 0, event(nv, NVEMU_EV_RESTORED,
				       NVEMU_REPORT_F_SHUTDOWN, 10));
	KUNIT_EXPECT_EQ(test, NVEMU_META_S_CLEAN, nv->sr.boot_state);
	KUNIT_EXPECT_EQ(test, 0, meta_state(nv));
}

static void state_restore_failed_or_abandoned(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, 0);

	KUNIT_EXPECT_EQ(test, 0, event(nv, NVEMU_EV_RESTORE_ABANDONED, 0, 0));
	KUNIT_EXPECT_EQ(test, 0, meta_state(nv));
	KUNIT_EXPECT_EQ(test, 0, event(nv, NVEMU_EV_RESTORE_FAILED, 0, 0));
	KUNIT_EXPECT_EQ(test, NVEMU_META_S_RESTORE_FAIL, meta_state(nv));
	KUNIT_EXPECT_EQ(test, 3,
			le64_to_cpu(nv->meta.copy.restored_generation));
}

static void state_refused_changes_nothing(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, NVEMU_META_S_CLEAN);
	struct nvemu_meta before = nv->meta.copy;

	KUNIT_EXPECT_EQ(test, -EINVAL, event(nv, 0, 0, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			event(nv, NVEMU_EV_RESTORE_ABANDONED + 1, 0, 1));
	KUNIT_EXPECT_EQ(test, 0, memcmp(&before, &nv->meta.copy,
					sizeof(before)));

	/* behind the gate, a writer's claims would fail every namespace */
	nv->sr.gate = true;
	nv->cdev.writers = 1;
	KUNIT_EXPECT_EQ(test, -EBUSY, event(nv, NVEMU_EV_RESTORED, 0, 5));
	KUNIT_EXPECT_TRUE(test, nvemu_gate_closed(nv));
	KUNIT_EXPECT_EQ(test, 0, memcmp(&before, &nv->meta.copy,
					sizeof(before)));
}

static void state_boot_clears_clean(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, NVEMU_META_S_CLEAN |
					 NVEMU_META_S_SAVE_FAIL);
	struct nvemu_meta m;
	u64 sum;

	scoped_guard(mutex, &nv->lock)
		nvemu_state_boot(nv, NVEMU_META_MATCH);
	/* nvemu.segment_size, 64 MiB unless the command line says */
	KUNIT_EXPECT_TRUE(test, is_power_of_2(nv->seg.size));
	KUNIT_EXPECT_GE(test, nv->seg.size, SZ_1M);
	KUNIT_EXPECT_EQ(test, DIV_ROUND_UP_ULL(nvemu_data_size(nv), nv->seg.size),
			nv->seg.nr);
	KUNIT_EXPECT_EQ(test, NVEMU_META_S_CLEAN | NVEMU_META_S_SAVE_FAIL,
			nv->sr.boot_state);
	KUNIT_EXPECT_FALSE(test, nvemu_gate_closed(nv));

	/* the NVM says "not clean" from now on, with a valid checksum */
	m = *nv->meta.nvm;
	KUNIT_EXPECT_EQ(test, NVEMU_META_S_SAVE_FAIL, le32_to_cpu(m.state));
	sum = le64_to_cpu(m.checksum);
	m.checksum = 0;
	KUNIT_EXPECT_EQ(test, sum, nd_fletcher64(&m, sizeof(m), true));
}

static void state_boot_other_layout(struct kunit *test)
{
	struct nvemu_dev *nv = state_dev(test, NVEMU_META_S_CLEAN);

	nv->meta.ours = false;
	scoped_guard(mutex, &nv->lock)
		nvemu_state_boot(nv, NVEMU_META_OTHER);
	KUNIT_EXPECT_NE(test, 0, nv->seg.nr);
	KUNIT_EXPECT_EQ(test, 0, nv->sr.boot_state);
	KUNIT_EXPECT_FALSE(test, nvemu_gate_closed(nv));
	/* the metadata of another layout is never written */
	KUNIT_EXPECT_EQ(test, 0, le64_to_cpu(nv->meta.nvm->magic));
}

static struct kunit_case state_cases[] = {
	KUNIT_CASE(state_saved),
	KUNIT_CASE(state_save_failed),
	KUNIT_CASE(state_restored),
	KUNIT_CASE(state_restore_failed_or_abandoned),
	KUNIT_CASE(state_refused_changes_nothing),
	KUNIT_CASE(state_boot_clears_clean),
	KUNIT_CASE(state_boot_other_layout),
	{}
};

static struct kunit_suite state_suite = {
	.name = "nvemu_state",
	.test_cases = state_cases,
};

kunit_test_suite(state_suite);

MODULE_DESCRIPTION("KUnit tests for nvemu's save/restore state");
MODULE_LICENSE("GPL");
