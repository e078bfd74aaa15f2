// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - the segments of the data area
 *
 * NVEMU_IOC_GEOMETRY (the data area and its segment size against the
 * layout and nvemu.segment_size) and NVEMU_IOC_SEGMENT (each segment's
 * place, range and NUMA node), with their EINVAL cases.
 */

#define _GNU_SOURCE
#include "common.h"

#define META_SIZE	(16ULL << 20)

TEST_F(nvemu, geometry)
{
	struct nvemu_geometry g, bad;
	__u64 align = 0;
	char buf[64];
	size_t i;

	get_geometry(_metadata, self->fd, &g);
	EXPECT_EQ(self->total - META_SIZE, g.data_size);
	/* a power of two from 1 MiB to the range alignment */
	ASSERT_NE(0U, g.segment_size);
	EXPECT_EQ(0U, g.segment_size & (g.segment_size - 1));
	EXPECT_LE(SZ_1M, g.segment_size);
	for (i = 0; i < self->nr; i++)
		align |= self->r[i].start | self->r[i].size;
	EXPECT_EQ(0U, align & (g.segment_size - 1));
	EXPECT_EQ((g.data_size + g.segment_size - 1) / g.segment_size,
		  g.nr_segments);
	EXPECT_EQ(0U, g.flags);
	EXPECT_EQ(0U, g.reserved0);
	for (i = 0; i < ARRAY_SIZE(g.reserved); i++)
		EXPECT_EQ(0U, g.reserved[i]);
	/* the module parameter says what was asked for: 64 MiB by default */
	ASSERT_EQ(0, read_file("/sys/module/nvemu/parameters/segment_size",
			       buf, sizeof(buf)));
	EXPECT_EQ(g.segment_size, strtoull(buf, NULL, 0));

	for (i = 0; i < 3; i++) {
		memset(&bad, 0, sizeof(bad));
		if (i == 0)
			bad.flags = 1;
		else if (i == 1)
			bad.reserved0 = 1;
		else
			bad.reserved[3] = 1;
		EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_GEOMETRY, &bad));
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(nvemu, data_regions)
{
	struct nvemu_geometry g;
	struct nvemu_segment dr;
	__u64 i, covered = 0;

	get_geometry(_metadata, self->fd, &g);
	for (i = 0; i < g.nr_segments; i++) {
		struct nvemu_range_info ri;

		memset(&dr, 0, sizeof(dr));
		dr.index = i;
		dr.offset = ~0ULL;	/* out fields are ignored on input */
		dr.numa_node = 77;
		ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_SEGMENT, &dr))
		{
			TH_LOG("NVEMU_IOC_SEGMENT %llu: %s",
			       (unsigned long long)i, strerror(errno));
		}
		EXPECT_EQ(i, dr.index);
		EXPECT_EQ(i * g.segment_size, dr.offset);
		EXPECT_EQ(i + 1 < g.nr_segments ? g.segment_size :
			  g.data_size - dr.offset, dr.size);
		/* inside the range it names, with that range's node */
		ASSERT_GT(self->nr, dr.range);
		EXPECT_LE(self->r[dr.range].offset, dr.offset);
		EXPECT_GE(self->r[dr.range].offset + self->r[dr.range].size,
			  dr.offset + dr.size);
		memset(&ri, 0, sizeof(ri));
		ri.index = dr.range;
		ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &ri));
		EXPECT_EQ(ri.numa_node, dr.numa_node);
		covered += dr.size;
	}
	EXPECT_EQ(g.data_size, covered);

	memset(&dr, 0, sizeof(dr));
	dr.index = g.nr_segments;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_SEGMENT, &dr));
	EXPECT_EQ(EINVAL, errno);
	memset(&dr, 0, sizeof(dr));
	dr.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_SEGMENT, &dr));
	EXPECT_EQ(EINVAL, errno);
	memset(&dr, 0, sizeof(dr));
	dr.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_SEGMENT, &dr));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
