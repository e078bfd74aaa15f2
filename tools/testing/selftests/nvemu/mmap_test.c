// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - mappings of /dev/nvemu0
 *
 * mmap: the refused ones, growing a mapping past the end of the device,
 * one mapping of the whole device across the boundaries between ranges,
 * and PMD mappings of PMD-aligned ranges.
 *
 * Optional cross-check, skipped with a message when unavailable: PMD
 * mappings against the x86 page table dump (CONFIG_PTDUMP_DEBUGFS, debugfs
 * mounted).
 */

#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "common.h"

#define PTDUMP_CURRENT	"/sys/kernel/debug/page_tables/current_kernel"

TEST_F(nvemu, mmap_invalid)
{
	const size_t page = self->page;
	const off_t total = self->total;
	void *p;

	/* Only MAP_SHARED */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);

	/* Beyond the end */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->fd, total));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page, PROT_READ, MAP_SHARED,
				   self->fd, total - page));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, total + page, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->fd, total + 1024 * page));
	EXPECT_EQ(ENXIO, errno);
	/* Offset near 2^64: the driver must not overflow offset + length */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->fd, -2 * (off_t)page));
	EXPECT_EQ(ENXIO, errno);

	/* Offset not page aligned */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->fd, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->fd, page / 2));
	EXPECT_EQ(EINVAL, errno);

	/* The last page is fine */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->fd, total - page);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
}

TEST_F(nvemu, mremap_beyond_end)
{
	const size_t page = self->page;
	uint8_t *p, *q;
	pid_t child;
	int status;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 self->total - page);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, page, 2 * page, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		TH_LOG("growing the mapping past the end refused: %s",
		       strerror(errno));
		ASSERT_EQ(0, munmap(p, page));
		return;
	}

	/* If it may grow, the page past the end must not be accessible */
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(q[page] % 2);	/* the read must happen */
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
	{
		TH_LOG("access past the end of the device did not SIGBUS");
	}
	ASSERT_EQ(0, munmap(q, 2 * page));
}

TEST_F_TIMEOUT(nvemu, mmap_whole_device, 300)
{
	__u64 e[NVEMU_MAX_RANGES + 1];
	uint8_t *map, wbuf[2 * 4097], rbuf[2 * 4097];
	uint32_t seed = 200;
	size_t i, n;

	map = mmap(NULL, self->total, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map)
	{
		TH_LOG("mmap of the whole device (%#llx bytes): %s",
		       self->total, strerror(errno));
	}

	n = edges(self, e);
	for (i = 0; i < n; i++) {
		__u64 off, end, sync_off;
		size_t len;
		ssize_t diff;

		off = e[i] > 4097 ? e[i] - 4097 : 0;
		end = off + sizeof(wbuf) > self->total ? self->total :
							 off + sizeof(wbuf);
		len = end - off;

		fill(wbuf, off, len, seed++);
		ASSERT_EQ((ssize_t)len, pwrite(self->fd, wbuf, len, off));
		diff = first_diff(wbuf, map + off, len);
		EXPECT_EQ(-1, diff)
		{
			TH_LOG("edge %#llx: mapping differs from pwrite at %#llx",
			       e[i], off + diff);
		}

		fill(wbuf, off, len, seed++);
		memcpy(map + off, wbuf, len);
		sync_off = round_down_u64(off, self->page);
		sync_map(map + sync_off, end - sync_off);
		ASSERT_EQ((ssize_t)len, pread(self->fd, rbuf, len, off));
		diff = first_diff(wbuf, rbuf, len);
		EXPECT_EQ(-1, diff)
		{
			TH_LOG("edge %#llx: pread differs from stores at %#llx", e[i], off + diff);
		}
	}

	map[0] = 0x11;
	map[self->total - 1] = 0x22;
	sync_map(map, self->page);
	sync_map(map + self->total - self->page, self->page);
	ASSERT_EQ(1, pread(self->fd, rbuf, 1, 0));
	EXPECT_EQ(0x11, rbuf[0]);
	ASSERT_EQ(1, pread(self->fd, rbuf, 1, self->total - 1));
	EXPECT_EQ(0x22, rbuf[0]);

	ASSERT_EQ(0, munmap(map, self->total));
}

/* Log what /proc/self/smaps says about the VMA starting at @addr. */
static void log_smaps(struct __test_metadata *const _metadata, void *addr)
{
	unsigned long start = (unsigned long)addr, s, e;
	long rss = -1, kps = -1, mps = -1, pmdm = -1, ahp = -1;
	char line[512], key[64], vmflags[256] = "";
	long val;
	int in = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f) {
		TH_LOG("NOTE: no /proc/self/smaps (CONFIG_PROC_PAGE_MONITOR=n?)");
		TH_LOG("cannot tell whether the mapping is huge");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		/* VMA header lines start with "start-end " in hex */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s == start;
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, "VmFlags:", 8))
			snprintf(vmflags, sizeof(vmflags), "%.200s", line + 8);
		if (sscanf(line, "%63[^:]: %ld", key, &val) != 2)
			continue;
		if (!strcmp(key, "Rss"))
			rss = val;
		else if (!strcmp(key, "KernelPageSize"))
			kps = val;
		else if (!strcmp(key, "MMUPageSize"))
			mps = val;
		else if (!strcmp(key, "FilePmdMapped"))
			pmdm = val;
		else if (!strcmp(key, "AnonHugePages"))
			ahp = val;
	}
	fclose(f);
	vmflags[strcspn(vmflags, "\n")] = '\0';
	TH_LOG("smaps: Rss %ld kB, KernelPageSize %ld kB, MMUPageSize %ld kB,",
	       rss, kps, mps);
	TH_LOG("smaps: FilePmdMapped %ld kB, AnonHugePages %ld kB, VmFlags:%s",
	       pmdm, ahp, vmflags);
}

/*
 * x86 with CONFIG_PTDUMP_DEBUGFS: the page tables of the reading process,
 * one line per run of entries of the same level and protection, e.g.
 * "0x00007f0000000000-0x00007f0000400000    4M USR RW   PSE  x  pmd".
 * Returns 1 if [@addr, @addr + @len) is all present PMD leaves, 0 if not,
 * -1 if there is no such file; the first line about the range in @desc.
 */
static int ptdump_pmd_mapped(void *addr, size_t len, char *desc, size_t dlen)
{
	unsigned long start = (unsigned long)addr, end = start + len, s, e;
	int seen = 0, huge = 1;
	char line[256];
	FILE *f;

	f = fopen(PTDUMP_CURRENT, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%lx-0x%lx", &s, &e) != 2 || e <= start ||
		    s >= end)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!seen++)
			snprintf(desc, dlen, "%.200s", line);
		if (!strstr(line, " USR ") || !strstr(line, " PSE ") ||
		    strcmp(line + strlen(line) - 4, " pmd"))
			huge = 0;
	}
	fclose(f);
	return seen ? huge : -1;
}

TEST_F_TIMEOUT(nvemu, mmap_huge, 300)
{
	const size_t page = self->page;
	const size_t pmd = page * (page / 8);
	uint8_t *resv, *map, *aligned, b, wbuf[8192], rbuf[8192];
	size_t i, len = 0, nr_pages;
	char desc[256];
	__u64 off = 0;
	ssize_t diff;
	int huge;

	/* 2 PMDs inside one range if possible, else 1 */
	for (i = 0; i < self->nr && !len; i++)
		if (self->r[i].size >= 2 * pmd)
			len = 2 * pmd;
	for (i = 0; i < self->nr && !len; i++)
		if (self->r[i].size >= pmd)
			len = pmd;
	if (!len)
		SKIP(return, "no range holds a %zu MiB PMD", pmd >> 20);
	for (i = 0; i < self->nr; i++) {
		if (self->r[i].size >= len) {
			off = self->r[i].offset;
			break;
		}
	}
	ASSERT_EQ(0U, off % pmd);
	ASSERT_EQ(0U, self->r[i].start % pmd);

	/* Without a hint, the kernel should choose a PMD-aligned address */
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, off);
	ASSERT_NE(MAP_FAILED, map);
	TH_LOG("NOTE: mmap(NULL, %zu MiB) returned %p, %sPMD-aligned",
	       len >> 20, map, (uintptr_t)map % pmd ? "not " : "");
	ASSERT_EQ(0, munmap(map, len));

	/* Force a PMD-aligned virtual address */
	resv = mmap(NULL, len + pmd, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, resv);
	aligned = (uint8_t *)(((uintptr_t)resv + pmd - 1) & ~(uintptr_t)(pmd - 1));
	map = mmap(aligned, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		   self->fd, off);
	ASSERT_EQ(aligned, map)
	{
		TH_LOG("mmap(MAP_FIXED, %zu MiB at offset %#llx): %s",
		       len >> 20, off, strerror(errno));
	}

	/* Touch every page, then check with pread */
	nr_pages = len / page;
	for (i = 0; i < nr_pages; i++)
		map[i * page + i % page] = pat(off + i * page + i % page, 300);
	for (i = 0; i < nr_pages; i++) {
		__u64 o = off + i * page + i % page;

		ASSERT_EQ(1, pread(self->fd, &b, 1, o));
		ASSERT_EQ(pat(o, 300), b)
		{
			TH_LOG("byte at offset %#llx differs", o);
		}
	}

	/* Data across the middle (a PMD boundary if len is 2 PMDs) */
	fill(wbuf, off + len / 2 - 4096, sizeof(wbuf), 301);
	ASSERT_EQ((ssize_t)sizeof(wbuf),
		  pwrite(self->fd, wbuf, sizeof(wbuf), off + len / 2 - 4096));
	diff = first_diff(wbuf, map + len / 2 - 4096, sizeof(wbuf));
	EXPECT_EQ(-1, diff);
	fill(wbuf, off + len / 2 - 4096, sizeof(wbuf), 302);
	memcpy(map + len / 2 - 4096, wbuf, sizeof(wbuf));
	sync_map(map, len);
	ASSERT_EQ((ssize_t)sizeof(rbuf),
		  pread(self->fd, rbuf, sizeof(rbuf), off + len / 2 - 4096));
	EXPECT_EQ(-1, first_diff(wbuf, rbuf, sizeof(rbuf)));

	/* Is it mapped with PMD leaves? */
	huge = ptdump_pmd_mapped(map, len, desc, sizeof(desc));
	if (huge < 0) {
		log_smaps(_metadata, map);
		TH_LOG("NOTE: PMD mappings of PFN-mapped memory are not visible in smaps;");
		TH_LOG("huge or not is unknown (x86: CONFIG_PTDUMP_DEBUGFS tells)");
		ASSERT_EQ(0, munmap(resv, len + pmd));
		return;
	}
	TH_LOG("page tables: %s", desc);
	EXPECT_EQ(1, huge)
	{
		TH_LOG("%zu MiB at a PMD-aligned address and offset is not PMD-mapped",
		       len >> 20);
	}

	/* Control: one page off the PMD alignment, it can only be PTEs */
	ASSERT_EQ(0, munmap(map, len));
	map = mmap(aligned + page, len - page, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, self->fd, off + page);
	ASSERT_EQ(aligned + page, map);
	for (i = 0; i < nr_pages - 1; i++)
		map[i * page] = i;
	huge = ptdump_pmd_mapped(map, len - page, desc, sizeof(desc));
	TH_LOG("page tables, control: %s", desc);
	EXPECT_EQ(0, huge);
	ASSERT_EQ(0, munmap(resv, len + pmd));
}

TEST_HARNESS_MAIN
