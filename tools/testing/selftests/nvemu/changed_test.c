// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - the change record of the segments
 *
 * NVEMU_IOC_CHANGED: which segments a write or a writable mapping marks as
 * changed since the image that the last save or restore reported, one save
 * at a time, how a save that fails or whose file is closed before it
 * reports gives the record back, and the EINVAL, EFAULT and EPERM cases.
 */

#define _GNU_SOURCE
#include <stdbool.h>

#include "common.h"

/* NVEMU_IOC_CHANGED: uuids of images are all one byte, repeated */
static int changed(int fd, __u8 uuid, __u64 gen, __u64 nr, __u64 *bits,
		   __u32 *flags)
{
	struct nvemu_changed c = {
		.generation = gen, .bitmap = (uintptr_t)bits, .nr_segments = nr,
	};
	int rc;

	memset(c.uuid, uuid, sizeof(c.uuid));
	memset(bits, 0xa5, (nr + 63) / 64 * sizeof(*bits));
	rc = ioctl(fd, NVEMU_IOC_CHANGED, &c);
	*flags = c.flags;
	return rc;
}

static void report_image(struct __test_metadata *const _metadata, int fd,
			 __u32 event, __u8 uuid, __u64 gen)
{
	struct nvemu_report rep = { .event = event, .generation = gen };

	memset(rep.uuid, uuid, sizeof(rep.uuid));
	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_REPORT, &rep))
	{
		TH_LOG("NVEMU_IOC_REPORT event %u: %s", event, strerror(errno));
	}
}

/* The regions set in bits[] are exactly those listed in want[] */
static void expect_bits(struct __test_metadata *const _metadata,
			const __u64 *bits, __u64 nr, const __u64 *want,
			size_t nwant, const char *when)
{
	__u64 i;
	size_t k;

	for (i = 0; i < nr; i++) {
		bool set = bits[i / 64] >> (i % 64) & 1, wanted = false;

		for (k = 0; k < nwant; k++)
			wanted |= want[k] == i;
		EXPECT_EQ(wanted, set)
		{
			TH_LOG("%s: region %llu is %s", when,
			       (unsigned long long)i, set ? "set" : "clear");
		}
	}
	/* bits beyond nr_segments are zero */
	if (nr % 64)
		EXPECT_EQ(0U, bits[nr / 64] >> (nr % 64));
}

TEST_F(nvemu, changed_regions)
{
	struct nvemu_geometry g;
	__u64 *bits, rs, last, none[1] = { 0 };
	struct nvemu_changed bad;
	__u32 flags;
	uint8_t b[2] = { 1, 2 };
	void *map;
	int fd2;

	get_geometry(_metadata, self->fd, &g);
	if (g.nr_segments < 4)
		SKIP(return, "fewer than 4 segments");
	rs = g.segment_size;
	last = g.nr_segments - 1;
	bits = calloc((g.nr_segments + 63) / 64, sizeof(*bits));
	ASSERT_NE(NULL, bits);

	/* take what is recorded; a save that took it makes image 1:10 */
	ASSERT_EQ(0, changed(self->fd, 1, 9, g.nr_segments, bits, &flags));
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 1, 10);

	/* a write across the end of region 0 changes regions 0 and 1 */
	ASSERT_EQ(2, pwrite(self->fd, b, 2, rs - 1));
	ASSERT_EQ(0, changed(self->fd, 1, 10, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, (__u64[]){ 0, 1 }, 2,
		    "after a write across regions 0 and 1");
	/* one save at a time */
	EXPECT_EQ(-1, changed(self->fd, 1, 10, g.nr_segments, bits, &flags));
	EXPECT_EQ(EBUSY, errno);
	/* a failed save gives it back */
	report_image(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);
	ASSERT_EQ(0, changed(self->fd, 1, 10, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, (__u64[]){ 0, 1 }, 2,
		    "after a failed save");
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 1, 11);

	/* nothing written: nothing changed; another image: not valid */
	ASSERT_EQ(0, changed(self->fd, 2, 11, g.nr_segments, bits, &flags));
	EXPECT_EQ(0U, flags);
	expect_bits(_metadata, bits, g.nr_segments, none, 0, "nothing written");
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 2, 12);

	/* a save whose file is closed before it reports gives it back */
	ASSERT_EQ(1, pwrite(self->fd, b, 1, last * rs));
	fd2 = open(NVEMU_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, changed(fd2, 2, 12, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, &last, 1, "last region");
	close(fd2);
	ASSERT_EQ(0, changed(self->fd, 2, 12, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, &last, 1,
		    "after the file that took it was closed");
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 2, 13);

	/* a writable mapping of region 2 counts as changing while held */
	map = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 2 * rs);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map, self->page));
	ASSERT_EQ(0, changed(self->fd, 2, 13, g.nr_segments, bits, &flags));
	expect_bits(_metadata, bits, g.nr_segments, (__u64[]){ 2 }, 1,
		    "after a writable mapping");
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 2, 14);
	ASSERT_EQ(0, changed(self->fd, 2, 14, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, (__u64[]){ 2 }, 1,
		    "mapped, while the device is open for writing");
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 2, 15);

	/* a restore makes its image the reference, nothing written since */
	ASSERT_EQ(1, pwrite(self->fd, b, 1, 3 * rs));
	report_image(_metadata, self->fd, NVEMU_EV_RESTORED, 3, 20);
	ASSERT_EQ(0, changed(self->fd, 3, 20, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, (__u64[]){ 2 }, 1,
		    "after a restore");
	/* an image of unknown uuid is no reference */
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 0, 21);
	ASSERT_EQ(0, changed(self->fd, 0, 21, g.nr_segments, bits, &flags));
	EXPECT_EQ(0U, flags);
	report_image(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);

	/* bad arguments; EFAULT gives the record back */
	EXPECT_EQ(-1, changed(self->fd, 3, 20, g.nr_segments - 1, bits, &flags));
	EXPECT_EQ(EINVAL, errno);
	memset(&bad, 0, sizeof(bad));
	bad.nr_segments = g.nr_segments;
	bad.bitmap = (uintptr_t)bits;
	bad.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_CHANGED, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad.reserved[2] = 0;
	bad.flags = NVEMU_CHANGED_VALID;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_CHANGED, &bad));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(1, pwrite(self->fd, b, 1, 0));
	bad.flags = 0;
	bad.bitmap = 8;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_CHANGED, &bad));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, changed(self->fd, 0, 0, g.nr_segments, bits, &flags));
	expect_bits(_metadata, bits, g.nr_segments, (__u64[]){ 0, 2 }, 2,
		    "after EFAULT");
	report_image(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);
	drop_effective_cap(_metadata, CAP_SYS_ADMIN);
	EXPECT_EQ(-1, changed(self->fd, 0, 0, g.nr_segments, bits, &flags));
	EXPECT_EQ(EPERM, errno);
	free(bits);
}

/*
 * A save that failed gives back the mapped regions it was handed, also
 * when nothing holds the NVM any more (which forgets them as mapped).
 */
TEST_F(nvemu, changed_mapped_given_back)
{
	struct nvemu_geometry g;
	__u64 *bits, none[1] = { 0 };
	__u32 flags;
	void *map;

	get_geometry(_metadata, self->fd, &g);
	if (g.nr_segments < 4)
		SKIP(return, "fewer than 4 segments");
	bits = calloc((g.nr_segments + 63) / 64, sizeof(*bits));
	ASSERT_NE(NULL, bits);
	map = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 3 * g.segment_size);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map, self->page));
	/* no writer left: nothing holds the NVM */
	close(self->fd);
	self->fd = open(NVEMU_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->fd);

	ASSERT_EQ(0, changed(self->fd, 4, 1, g.nr_segments, bits, &flags));
	EXPECT_EQ(1U, bits[0] >> 3 & 1);
	report_image(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);
	ASSERT_EQ(0, changed(self->fd, 4, 1, g.nr_segments, bits, &flags));
	EXPECT_EQ(1U, bits[0] >> 3 & 1)
	{
		TH_LOG("the failed save lost mapped region 3");
	}
	report_image(_metadata, self->fd, NVEMU_EV_SAVED, 4, 2);
	/* saved: nothing left, and nothing holds the NVM */
	ASSERT_EQ(0, changed(self->fd, 4, 2, g.nr_segments, bits, &flags));
	EXPECT_EQ(NVEMU_CHANGED_VALID, flags);
	expect_bits(_metadata, bits, g.nr_segments, none, 0, "after the save");
	report_image(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);
	free(bits);
}

TEST_HARNESS_MAIN
