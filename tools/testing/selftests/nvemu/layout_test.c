// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - the device offsets of /dev/nvemu0 map the physical memory
 * that the NVDIMM regions of the "nvemu" bus show
 *
 * Each nd region of the nvemu bus starts at the first byte of a range, and
 * shows the device from that range's offset on, across the gaps between
 * the ranges it merges.  Its pmem block device (CONFIG_BLK_DEV_PMEM, the
 * raw namespace that covers the whole region) is written at the first and
 * the last page of every range the region holds, and /dev/nvemu0 must read
 * the same bytes at the same offsets.
 *
 * Run it while the regions are enabled with their raw namespaces, as they
 * are after boot: /dev/nvemu0 then opens for reading only (a writer gets
 * EBUSY, which this test checks too), so the other direction is rw_test's
 * business, with the regions disabled.  It skips only when no nvemu= range
 * was given.
 */

#define _GNU_SOURCE
#include "common.h"

/*
 * The nvemu nd region at @phys: its size in @size, and the pmem block
 * device (/dev/pmemN) of an unclaimed namespace of that size in @dev.
 * Returns 0, 1 when there is no nvemu region at @phys, or -1 with a reason
 * in @why.
 */
static int nd_region_pmem(__u64 phys, __u64 *size, char *dev, size_t len,
			  char *why, size_t wlen)
{
	char region[64], path[PATH_MAX], buf[128];
	struct dirent *de, *be;
	int ret = -1;
	DIR *d, *bd;

	if (nvemu_nd_region(phys, region, sizeof(region), why, wlen))
		return 1;
	snprintf(path, sizeof(path), ND_DEVICES "/%s/size", region);
	if (read_file(path, buf, sizeof(buf))) {
		snprintf(why, wlen, "cannot read %.200s", path);
		return -1;
	}
	*size = strtoull(buf, NULL, 0);
	snprintf(path, sizeof(path), ND_DEVICES "/%s", region);
	d = opendir(path);
	if (!d) {
		snprintf(why, wlen, "cannot list %s", region);
		return -1;
	}
	snprintf(why, wlen,
		 "%s has no unclaimed namespace of its size (%llu) with a block device",
		 region, (unsigned long long)*size);
	while (ret && (de = readdir(d))) {
		if (strncmp(de->d_name, "namespace", 9))
			continue;
		snprintf(path, sizeof(path), ND_DEVICES "/%s/%s/holder", region,
			 de->d_name);
		if (read_file(path, buf, sizeof(buf)) || buf[0])
			continue;
		snprintf(path, sizeof(path), ND_DEVICES "/%s/%s/size", region,
			 de->d_name);
		if (read_file(path, buf, sizeof(buf)) ||
		    strtoull(buf, NULL, 0) != *size)
			continue;
		snprintf(path, sizeof(path), ND_DEVICES "/%s/%s/block", region,
			 de->d_name);
		bd = opendir(path);
		if (!bd)
			continue;
		while ((be = readdir(bd))) {
			if (be->d_name[0] != '.') {
				snprintf(dev, len, "/dev/%s", be->d_name);
				ret = 0;
				break;
			}
		}
		closedir(bd);
	}
	closedir(d);
	return ret;
}

TEST(phys_layout_via_pmem)
{
	struct nvemu_test_range cmd[MAX_CMD_RANGES], r[NVEMU_MAX_RANGES];
	const size_t page = getpagesize();
	size_t nr_cmd, nr, i, j, regions = 0, checked = 0;
	__u64 total = 0;
	uint8_t *wbuf, *rbuf;
	int fd, params;

	params = read_cmdline(cmd, MAX_CMD_RANGES, &nr_cmd);
	ASSERT_LE(0, params);
	if (!params)
		SKIP(return, "no nvemu= on the kernel command line");
	ASSERT_EQ(0, read_iomem(r, NVEMU_MAX_RANGES, &nr));
	ASSERT_LT((size_t)0, nr)
	{
		TH_LOG("the kernel accepted no nvemu= range (see dmesg)");
	}
	for (i = 0; i < nr; i++) {
		r[i].offset = total;
		total += r[i].size;
	}
	ASSERT_EQ(0, posix_memalign((void **)&wbuf, page, page));
	ASSERT_EQ(0, posix_memalign((void **)&rbuf, page, page));

	/* the regions are enabled: no writer, one reader */
	EXPECT_EQ(-1, open(NVEMU_DEV, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(EBUSY, errno);
	fd = open(NVEMU_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd)
	{
		TH_LOG("cannot open " NVEMU_DEV " for reading: %s",
		       strerror(errno));
	}

	for (i = 0; i < nr; i++) {
		char dev[PATH_MAX], why[256];
		__u64 size, base = r[i].offset;
		int pfd, rc;

		rc = nd_region_pmem(r[i].start, &size, dev, sizeof(dev), why,
				    sizeof(why));
		if (rc == 1)
			continue;	/* inside a region that began before */
		ASSERT_EQ(0, rc)
		{
			TH_LOG("range %zu: %s", i, why);
		}
		regions++;
		ASSERT_LE(base + size, total);
		pfd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
		ASSERT_LE(0, pfd)
		{
			TH_LOG("cannot open %s: %s", dev, strerror(errno));
		}
		TH_LOG("%s: %llu bytes from device offset %#llx", dev,
		       (unsigned long long)size, (unsigned long long)base);
		/* every range that starts inside it: first and last page */
		for (j = i; j < nr && r[j].offset < base + size; j++) {
			const __u64 end = r[j].offset + r[j].size < base + size ?
					  r[j].offset + r[j].size : base + size;
			const __u64 at[] = { r[j].offset, end - page };
			size_t k;

			for (k = 0; k < ARRAY_SIZE(at); k++) {
				fill(wbuf, at[k], page, 400 + j);
				ASSERT_EQ((ssize_t)page,
					  pwrite(pfd, wbuf, page, at[k] - base));
				ASSERT_EQ((ssize_t)page,
					  pread(fd, rbuf, page, at[k]));
				EXPECT_EQ(-1, first_diff(wbuf, rbuf, page))
				{
					TH_LOG("range %zu, offset %#llx: %s at %#llx differs",
					       j, (unsigned long long)at[k],
					       dev, (unsigned long long)(at[k] - base));
				}
				checked++;
			}
		}
		close(pfd);
	}
	close(fd);
	free(wbuf);
	free(rbuf);
	ASSERT_LT((size_t)0, regions)
	{
		TH_LOG("no nd region of the nvemu bus starts at a range");
	}
	TH_LOG("%zu regions, %zu pages compared", regions, checked);
}

TEST_HARNESS_MAIN
