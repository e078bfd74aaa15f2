// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the record of changed segments (changed.c): what a
 * write or a mapping records, what a save is handed, when the record is
 * given back, and when it is relative to an image (the reference).
 *
 * The device has no ranges here, so nothing holds the NVM: segments
 * recorded as mapped are forgotten once handed over.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../nvemu.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define NR_SEGS		9	/* eight of 64 MiB and one of 32 MiB */

static const u8 uuid_a[16] = { 0xa, 1, 2, 3 };
static const u8 uuid_none[16];

/* Two open files of the device: only their addresses matter */
static struct file save_a, save_b;

static struct nvemu_dev *record_dev(struct kunit *test)
{
	struct nvemu_dev *nv;

	nv = kunit_kzalloc(test, sizeof(*nv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nv);
	nv->dev = kunit_device_register(test, "nvemu-record-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(nv->dev));
	mutex_init(&nv->lock);
	nv->size = NVEMU_META_SIZE + 8ULL * SZ_64M + SZ_32M;
	nv->seg.size = SZ_64M;
	nv->seg.nr = NR_SEGS;
	nv->meta.ours = true;
	KUNIT_ASSERT_EQ(test, 0, nvemu_record_init(nv));
	return nv;
}

/* Hand the record over to @file; returns the bits as an unsigned long */
static unsigned long hand_over(struct kunit *test, struct nvemu_dev *nv,
			       struct file *file, const u8 *uuid, u64 gen,
			       bool *valid)
{
	DECLARE_BITMAP(out, NR_SEGS);

	bitmap_fill(out, NR_SEGS);
	KUNIT_ASSERT_EQ(test, 0, nvemu_record_hand_over(nv, file, uuid, gen,
							out, valid));
	return out[0];
}

static void report(struct nvemu_dev *nv, struct file *file, u32 event,
		   const u8 *uuid, u64 gen)
{
	struct nvemu_report rep = { .event = event, .generation = gen };

	memcpy(rep.uuid, uuid, sizeof(rep.uuid));
	guard(mutex)(&nv->lock);
	nvemu_record_report(nv, file, &rep);
}

static void record_write_marks_segments(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	bool valid = true;

	/* two bytes across the boundary of segments 0 and 1 */
	nvemu_record_write(nv, SZ_64M - 1, 2, false);
	KUNIT_EXPECT_EQ(test, 0x3UL,
			hand_over(test, nv, &save_a, uuid_a, 1, &valid));
	KUNIT_EXPECT_FALSE(test, valid);
}

static void record_write_bounds(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	u64 data = nvemu_data_size(nv);
	bool valid;

	nvemu_record_write(nv, 3 * SZ_64M, 0, false);	/* nothing */
	nvemu_record_write(nv, data, SZ_4K, false);	/* metadata area */
	nvemu_record_write(nv, data + SZ_1M, 1, true);
	KUNIT_EXPECT_EQ(test, 0UL,
			hand_over(test, nv, &save_a, uuid_a, 1, &valid));
	report(nv, &save_a, NVEMU_EV_SAVE_FAILED, uuid_none, 0);

	/* clipped at the end of the data area: the short last segment */
	nvemu_record_write(nv, data - 1, SZ_1M, false);
	KUNIT_EXPECT_EQ(test, BIT(8),
			hand_over(test, nv, &save_b, uuid_a, 1, &valid));
}

static void record_one_save_at_a_time(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	DECLARE_BITMAP(out, NR_SEGS);
	bool valid;

	nvemu_record_write(nv, 2 * SZ_64M, 1, false);
	KUNIT_EXPECT_EQ(test, BIT(2),
			hand_over(test, nv, &save_a, uuid_a, 1, &valid));
	KUNIT_EXPECT_EQ(test, -EBUSY,
			nvemu_record_hand_over(nv, &save_b, uuid_a, 1, out,
					       &valid));
	/* the holder's file is closed: what it was handed is recorded again */
	scoped_guard(mutex, &nv->lock)
		nvemu_record_release(nv, &save_a);
	KUNIT_EXPECT_EQ(test, BIT(2),
			hand_over(test, nv, &save_b, uuid_a, 1, &valid));
}

static void record_saved_is_the_reference(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	bool valid;

	nvemu_record_write(nv, 0, 1, false);
	KUNIT_EXPECT_EQ(test, BIT(0),
			hand_over(test, nv, &save_a, uuid_none, 0, &valid));
	report(nv, &save_a, NVEMU_EV_SAVED, uuid_a, 5);

	nvemu_record_write(nv, 3 * SZ_64M, 1, false);
	KUNIT_EXPECT_EQ(test, BIT(3),
			hand_over(test, nv, &save_a, uuid_a, 5, &valid));
	KUNIT_EXPECT_TRUE(test, valid);
	report(nv, &save_a, NVEMU_EV_SAVED, uuid_a, 6);

	/* another image of the lineage, or another lineage: not valid */
	hand_over(test, nv, &save_a, uuid_a, 5, &valid);
	KUNIT_EXPECT_FALSE(test, valid);
	report(nv, &save_a, NVEMU_EV_SAVE_FAILED, uuid_none, 0);
	hand_over(test, nv, &save_a, uuid_none, 6, &valid);
	KUNIT_EXPECT_FALSE(test, valid);
}

static void record_failed_save_gives_back(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	bool valid;

	nvemu_record_write(nv, 4 * SZ_64M, 1, false);
	nvemu_record_write(nv, 5 * SZ_64M, SZ_64M, true);
	KUNIT_EXPECT_EQ(test, BIT(4) | BIT(5),
			hand_over(test, nv, &save_a, uuid_a, 1, &valid));
	report(nv, &save_a, NVEMU_EV_SAVE_FAILED, uuid_none, 0);
	/* the mapped segment comes back too, though nothing holds the NVM */
	KUNIT_EXPECT_EQ(test, BIT(4) | BIT(5),
			hand_over(test, nv, &save_b, uuid_a, 1, &valid));
	report(nv, &save_b, NVEMU_EV_SAVED, uuid_a, 2);
	/* saved: mapped segments are forgotten while nothing holds the NVM */
	KUNIT_EXPECT_EQ(test, 0UL,
			hand_over(test, nv, &save_a, uuid_a, 2, &valid));
	KUNIT_EXPECT_TRUE(test, valid);
}

static void record_saved_by_another_file(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	bool valid;

	hand_over(test, nv, &save_a, uuid_none, 0, &valid);
	/* a save that did not take the record cannot be a reference */
	report(nv, &save_b, NVEMU_EV_SAVED, uuid_a, 3);
	KUNIT_EXPECT_PTR_EQ(test, &save_a, nv->record.save_file);
	report(nv, &save_a, NVEMU_EV_SAVE_FAILED, uuid_none, 0);
	hand_over(test, nv, &save_a, uuid_a, 3, &valid);
	KUNIT_EXPECT_FALSE(test, valid);
}

static void record_restored_is_the_reference(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	bool valid;

	nvemu_record_write(nv, 7 * SZ_64M, 1, false);
	report(nv, &save_a, NVEMU_EV_RESTORED, uuid_a, 9);
	KUNIT_EXPECT_EQ(test, 0UL,
			hand_over(test, nv, &save_a, uuid_a, 9, &valid));
	KUNIT_EXPECT_TRUE(test, valid);

	/* a restore of an image of unknown uuid leaves no reference */
	report(nv, &save_a, NVEMU_EV_RESTORED, uuid_none, 10);
	KUNIT_EXPECT_PTR_EQ(test, NULL, nv->record.save_file);
	hand_over(test, nv, &save_a, uuid_none, 10, &valid);
	KUNIT_EXPECT_FALSE(test, valid);
}

/* A save waiting for the process area's save window keeps others out */
static void record_save_opening_is_busy(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	DECLARE_BITMAP(out, NR_SEGS);
	bool valid;

	nv->record.save_opening = true;
	KUNIT_EXPECT_EQ(test, -EBUSY,
			nvemu_record_hand_over(nv, &save_a, uuid_a, 1, out,
					       &valid));
	KUNIT_EXPECT_PTR_EQ(test, NULL, nv->record.save_file);
	nv->record.save_opening = false;
	hand_over(test, nv, &save_a, uuid_a, 1, &valid);
	KUNIT_EXPECT_FALSE(test, nv->record.save_opening);
	KUNIT_EXPECT_PTR_EQ(test, &save_a, nv->record.save_file);
}

/* The process area is in the segments: its writes are recorded */
static void record_write_process_area(struct kunit *test)
{
	struct nvemu_dev *nv = record_dev(test);
	bool valid;

	nv->proc.size = SZ_64M + SZ_32M;
	KUNIT_EXPECT_EQ(test, 7ULL * SZ_64M, nvemu_proc_offset(nv));
	KUNIT_EXPECT_EQ(test, nvemu_regions_end(nv), nvemu_proc_offset(nv));
	KUNIT_EXPECT_EQ(test, nvemu_meta_offset(nv),
			nvemu_proc_offset(nv) + nvemu_proc_size(nv));
	nvemu_record_write(nv, nvemu_proc_offset(nv), nvemu_proc_size(nv),
			   false);
	KUNIT_EXPECT_EQ(test, BIT(7) | BIT(8),
			hand_over(test, nv, &save_a, uuid_a, 1, &valid));
}

static struct kunit_case record_cases[] = {
	KUNIT_CASE(record_write_marks_segments),
	KUNIT_CASE(record_write_bounds),
	KUNIT_CASE(record_one_save_at_a_time),
	KUNIT_CASE(record_saved_is_the_reference),
	KUNIT_CASE(record_failed_save_gives_back),
	KUNIT_CASE(record_saved_by_another_file),
	KUNIT_CASE(record_restored_is_the_reference),
	KUNIT_CASE(record_save_opening_is_busy),
	KUNIT_CASE(record_write_process_area),
	{}
};

static struct kunit_suite record_suite = {
	.name = "nvemu_record",
	.test_cases = record_cases,
};

kunit_test_suite(record_suite);

MODULE_DESCRIPTION("KUnit tests for nvemu's record of changed segments");
MODULE_LICENSE("GPL");
