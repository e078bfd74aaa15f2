// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - read, write, lseek and sync on /dev/nvemu0
 *
 * pread/pwrite and read/write at and across the end of the device and
 * around the boundaries between ranges (checked through a mapping too),
 * lseek, msync and fsync.  Writing needs the regions disabled (the
 * physical placement of the ranges is checked by layout_test, which needs
 * them enabled).
 */

#define _GNU_SOURCE
#include "common.h"

/*
 * Write [@off, @off + @len) with pwrite and read it back with pread; check
 * the same bytes through a MAP_SHARED mapping; store other bytes through
 * the mapping, msync, and read them back with pread.
 */
static void check_rw_window(struct __test_metadata *const _metadata,
			    struct _test_data_nvemu *self, __u64 off, size_t len,
			    uint32_t seed)
{
	__u64 map_off = round_down_u64(off, self->page);
	size_t map_len = round_down_u64(off + len + self->page - 1, self->page) -
			 map_off;
	uint8_t *wbuf, *rbuf, *map, *p;
	ssize_t diff;

	wbuf = malloc(len);
	rbuf = malloc(len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);

	fill(wbuf, off, len, seed);
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, wbuf, len, off))
	{
		TH_LOG("pwrite(%zu bytes at %#llx): %s", len, off,
		       strerror(errno));
	}
	memset(rbuf, 0, len);
	ASSERT_EQ((ssize_t)len, pread(self->fd, rbuf, len, off));
	diff = first_diff(wbuf, rbuf, len);
	ASSERT_EQ(-1, diff)
	{
		TH_LOG("pread after pwrite: byte at %#llx differs",
		       off + diff);
	}

	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		   map_off);
	ASSERT_NE(MAP_FAILED, map)
	{
		TH_LOG("mmap(%zu bytes at %#llx): %s", map_len, map_off,
		       strerror(errno));
	}
	p = map + (off - map_off);
	diff = first_diff(wbuf, p, len);
	EXPECT_EQ(-1, diff)
	{
		TH_LOG("mmap after pwrite: byte at %#llx differs",
		       off + diff);
	}

	fill(wbuf, off, len, seed ^ 0x5a5a5a5a);
	memcpy(p, wbuf, len);
	sync_map(map, map_len);
	memset(rbuf, 0, len);
	ASSERT_EQ((ssize_t)len, pread(self->fd, rbuf, len, off));
	diff = first_diff(wbuf, rbuf, len);
	EXPECT_EQ(-1, diff)
	{
		TH_LOG("pread after store through mmap: byte at %#llx differs", off + diff);
	}

	ASSERT_EQ(0, munmap(map, map_len));
	free(wbuf);
	free(rbuf);
}

TEST_F(nvemu, read_end)
{
	const __u64 total = self->total;
	uint8_t wbuf[100], rbuf[4096];

	fill(wbuf, total - sizeof(wbuf), sizeof(wbuf), 1);
	ASSERT_EQ((ssize_t)sizeof(wbuf),
		  pwrite(self->fd, wbuf, sizeof(wbuf), total - sizeof(wbuf)));

	/* At and beyond the end: EOF */
	EXPECT_EQ(0, pread(self->fd, rbuf, sizeof(rbuf), total));
	EXPECT_EQ(0, pread(self->fd, rbuf, 1, total));
	EXPECT_EQ(0, pread(self->fd, rbuf, sizeof(rbuf), total + 1));
	EXPECT_EQ(0, pread(self->fd, rbuf, sizeof(rbuf), total + self->page));
	EXPECT_EQ(0, pread(self->fd, rbuf, 1, INT64_MAX - 4096));
	EXPECT_EQ(0, pread(self->fd, rbuf, 0, total - 1));

	/* Crossing the end: short */
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ((ssize_t)sizeof(wbuf),
		  pread(self->fd, rbuf, sizeof(rbuf), total - sizeof(wbuf)));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, sizeof(wbuf)));

	/* Same through the file position */
	ASSERT_EQ((off_t)(total - 10), lseek(self->fd, total - 10, SEEK_SET));
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(10, read(self->fd, rbuf, sizeof(rbuf)));
	EXPECT_EQ(0, memcmp(wbuf + sizeof(wbuf) - 10, rbuf, 10));
	EXPECT_EQ((off_t)total, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(0, read(self->fd, rbuf, sizeof(rbuf)));
	EXPECT_EQ((off_t)total, lseek(self->fd, 0, SEEK_CUR));

	/* Negative offsets */
	EXPECT_EQ(-1, pread(self->fd, rbuf, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(self->fd, rbuf, 1, -(off_t)self->page));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(self->fd, rbuf, 1, INT64_MIN));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(nvemu, write_end)
{
	const __u64 total = self->total;
	uint8_t wbuf[4096], rbuf[4096], before[100];

	ASSERT_EQ((ssize_t)sizeof(before),
		  pread(self->fd, before, sizeof(before),
			total - sizeof(before)));

	/* At and beyond the end: no space, nothing written */
	fill(wbuf, 0, sizeof(wbuf), 2);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, sizeof(wbuf), total));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, 1, total));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, 1, total + 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, sizeof(wbuf), total + self->page));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, 1, INT64_MAX - 4096));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ((ssize_t)sizeof(before),
		  pread(self->fd, rbuf, sizeof(before), total - sizeof(before)));
	EXPECT_EQ(0, memcmp(before, rbuf, sizeof(before)));

	/* Crossing the end: short */
	fill(wbuf, total - 100, sizeof(wbuf), 3);
	ASSERT_EQ(100, pwrite(self->fd, wbuf, sizeof(wbuf), total - 100));
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(100, pread(self->fd, rbuf, 100, total - 100));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, 100));

	/* Same through the file position */
	fill(wbuf, total - 10, sizeof(wbuf), 4);
	ASSERT_EQ((off_t)(total - 10), lseek(self->fd, total - 10, SEEK_SET));
	ASSERT_EQ(10, write(self->fd, wbuf, sizeof(wbuf)));
	EXPECT_EQ((off_t)total, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(-1, write(self->fd, wbuf, sizeof(wbuf)));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ((off_t)total, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(10, pread(self->fd, rbuf, 10, total - 10));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, 10));

	/* Negative offsets */
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, 1, -(off_t)self->page));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, wbuf, 1, INT64_MIN));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(nvemu, lseek)
{
	const off_t total = self->total;

	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(total, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(total - 1, lseek(self->fd, -1, SEEK_END));
	EXPECT_EQ(total, lseek(self->fd, total, SEEK_SET));
	EXPECT_EQ(0, lseek(self->fd, -total, SEEK_END));

	ASSERT_EQ(4096, lseek(self->fd, 4096, SEEK_SET));
	EXPECT_EQ(4196, lseek(self->fd, 100, SEEK_CUR));
	EXPECT_EQ(4096, lseek(self->fd, -100, SEEK_CUR));
	EXPECT_EQ(total, lseek(self->fd, total - 4096, SEEK_CUR));

	/* Errors leave the position alone */
	ASSERT_EQ(4096, lseek(self->fd, 4096, SEEK_SET));
	EXPECT_EQ(-1, lseek(self->fd, total + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, INT64_MAX, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, 1, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -total - 1, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -4097, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, total - 4096 + 1, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(4096, lseek(self->fd, 0, SEEK_CUR));
}

TEST_F_TIMEOUT(nvemu, io_range_boundaries, 300)
{
	const struct {
		size_t before;	/* bytes before the edge */
		size_t len;
	} cases[] = {
		{ 1, 2 },
		{ 4097, 4097 * 2 + 3 },
		{ SZ_1M / 2 + 1, SZ_1M + 4097 },
	};
	__u64 e[NVEMU_MAX_RANGES + 1];
	uint32_t seed = 100;
	size_t i, j, n;

	n = edges(self, e);
	if (self->nr == 1)
		TH_LOG("one range: testing its ends only");
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(cases); j++) {
			size_t before = cases[j].before;
			__u64 off, end;

			off = e[i] > before ? e[i] - before : 0;
			end = off + cases[j].len;
			if (end > self->total)
				end = self->total;
			check_rw_window(_metadata, self, off, end - off, seed++);
		}
	}
}

TEST_F(nvemu, first_and_last_byte)
{
	const __u64 last = self->total - 1;
	const size_t page = self->page;
	uint8_t b, *head, *tail;

	b = 0xa5;
	ASSERT_EQ(1, pwrite(self->fd, &b, 1, 0));
	b = 0x5a;
	ASSERT_EQ(1, pwrite(self->fd, &b, 1, last));
	ASSERT_EQ(1, pread(self->fd, &b, 1, 0));
	EXPECT_EQ(0xa5, b);
	ASSERT_EQ(1, pread(self->fd, &b, 1, last));
	EXPECT_EQ(0x5a, b);

	head = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, head);
	tail = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		    self->total - page);
	ASSERT_NE(MAP_FAILED, tail);
	EXPECT_EQ(0xa5, head[0]);
	EXPECT_EQ(0x5a, tail[page - 1]);

	head[0] = 0x3c;
	tail[page - 1] = 0xc3;
	sync_map(head, page);
	sync_map(tail, page);
	ASSERT_EQ(1, pread(self->fd, &b, 1, 0));
	EXPECT_EQ(0x3c, b);
	ASSERT_EQ(1, pread(self->fd, &b, 1, last));
	EXPECT_EQ(0xc3, b);

	ASSERT_EQ(0, munmap(head, page));
	ASSERT_EQ(0, munmap(tail, page));
}

TEST_F(nvemu, msync_fsync)
{
	const size_t page = self->page;
	const __u64 off = self->r[self->nr - 1].offset;
	uint8_t *map, b;

	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		   off);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 0x77;
	EXPECT_EQ(0, msync(map, page, MS_SYNC))
	{
		TH_LOG("msync(MS_SYNC): %s", strerror(errno));
	}
	EXPECT_EQ(0, msync(map, page, MS_ASYNC));
	EXPECT_EQ(0, msync(map, page, MS_INVALIDATE));
	ASSERT_EQ(1, pread(self->fd, &b, 1, off));
	EXPECT_EQ(0x77, b);
	ASSERT_EQ(0, munmap(map, page));

	EXPECT_EQ(0, fsync(self->fd))
	{
		TH_LOG("fsync: %s", strerror(errno));
	}
	EXPECT_EQ(0, fdatasync(self->fd))
	{
		TH_LOG("fdatasync: %s", strerror(errno));
	}
}

TEST_HARNESS_MAIN
