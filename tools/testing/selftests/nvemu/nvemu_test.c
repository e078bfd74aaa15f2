// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - the /dev/nvemu0 raw character device
 *
 * Run as root in a kernel booted with nvemu=SIZE@START[,SIZE@START...].
 * The expected layout is what the kernel accepted: the /proc/iomem
 * resources named "Persistent Memory (nvemu)", each of which must be one of
 * the ranges given on the kernel command line.  The tests overwrite the
 * content of the device.
 *
 * Optional cross-checks, skipped with a message when unavailable: NUMA
 * nodes and physical placement against the nd regions of the "nvemu"
 * NVDIMM bus (CONFIG_NUMA, CONFIG_BLK_DEV_PMEM), and PMD mappings against
 * the x86 page table dump (CONFIG_PTDUMP_DEBUGFS, debugfs mounted).
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/nvemu.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * We build with -Wextra, which kselftest_harness.h does not expect: it has an
 * unused parameter, and each test runs under its setjmp(), so that GCC
 * warns about locals "clobbered by longjmp" although no test uses a local
 * after an ASSERT_*() has jumped out of it.
 */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wclobbered"
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../kselftest_harness.h"
#pragma GCC diagnostic pop

#define NVEMU_DEV	"/dev/nvemu0"
#define NVEMU_IOMEM	"Persistent Memory (nvemu)"
#define NVEMU_PARAM	"nvemu="
#define MISC_MAJOR	10U
#define MAX_CMD_RANGES	256
#define PTDUMP_CURRENT	"/sys/kernel/debug/page_tables/current_kernel"
#define SZ_1M		0x100000UL

struct nvemu_test_range {
	__u64 start;		/* physical */
	__u64 size;
	__u64 offset;	/* in the device */
};

/* A deterministic byte for device offset @off, different for each @seed. */
static uint8_t pat(__u64 off, uint32_t seed)
{
	__u64 x = (off + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= ((__u64)seed << 32) | seed;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	return x >> 56;
}

static void fill(uint8_t *buf, __u64 off, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(off + i, seed);
}

/* Index of the first byte that differs, or -1 if none. */
static ssize_t first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

/*
 * The kernel's number syntax for nvemu=: decimal, or hex with 0x, and an
 * optional binary suffix K, M, G, T, P or E.  Returns 0 on success.
 */
static int parse_num(const char **pp, const char *end, __u64 *val)
{
	const char *s = *pp;
	unsigned int base = 10, shift = 0;
	__u64 v = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base || v > (UINT64_MAX - d) / base)
			break;
		v = v * base + d;
		digits = 1;
	}
	if (!digits)
		return -1;
	if (s < end) {
		const char *suffixes = "KMGTPE", *p;

		p = strchr(suffixes, *s >= 'a' ? *s - 'a' + 'A' : *s);
		if (p && *p) {
			shift = 10 * (p - suffixes + 1);
			s++;
		}
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*val = v << shift;
	*pp = s;
	return 0;
}

/*
 * Collect every SIZE@START item of every nvemu= option in /proc/cmdline.
 * Returns the number of nvemu= options seen, -1 on error.
 */
static int read_cmdline(struct nvemu_test_range *r, size_t max, size_t *nr)
{
	char buf[8192], *tok, *save;
	int params = 0;
	ssize_t len;
	int fd;

	*nr = 0;
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';

	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		const char *item, *end;

		if (strncmp(tok, NVEMU_PARAM, strlen(NVEMU_PARAM)))
			continue;
		params++;
		for (item = tok + strlen(NVEMU_PARAM); *item; item = end) {
			const char *p = item;
			__u64 size, start;

			end = strchrnul(item, ',');
			if (!parse_num(&p, end, &size) && p < end && *p == '@' &&
			    (p++, !parse_num(&p, end, &start)) && p == end &&
			    *nr < max) {
				r[*nr].start = start;
				r[*nr].size = size;
				r[*nr].offset = 0;
				(*nr)++;
			}
			if (*end == ',')
				end++;
		}
	}
	return params;
}

static int cmp_range(const void *a, const void *b)
{
	const struct nvemu_test_range *ra = a, *rb = b;

	return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/*
 * The "Persistent Memory (nvemu)" resources of /proc/iomem, at any nesting
 * depth, sorted by address.  Returns 0, or -1 with errno set (E2BIG if there
 * are more than @max).
 */
static int read_iomem(struct nvemu_test_range *r, size_t max, size_t *nr)
{
	char line[256];
	FILE *f;

	*nr = 0;
	f = fopen("/proc/iomem", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;
		int name = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, " %llx-%llx : %n", &start, &end, &name) != 2 ||
		    !name || strcmp(line + name, NVEMU_IOMEM))
			continue;
		if (*nr == max) {
			fclose(f);
			errno = E2BIG;
			return -1;
		}
		r[*nr].start = start;
		r[*nr].size = end - start + 1;
		(*nr)++;
	}
	fclose(f);
	qsort(r, *nr, sizeof(*r), cmp_range);
	return 0;
}

/* Read a small sysfs/proc file into @buf, without the trailing newline. */
static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

#define ND_DEVICES	"/sys/bus/nd/devices"

/*
 * Find the nd region of an "nvemu" NVDIMM bus that starts at @phys: its
 * name (regionN) in @name.  Returns 0, or -1 with a reason in @why.
 */
static int nvemu_nd_region(__u64 phys, char *name, size_t nlen,
			   char *why, size_t wlen)
{
	struct dirent *de;
	int found = 0;
	DIR *d;

	d = opendir(ND_DEVICES);
	if (!d) {
		snprintf(why, wlen, "no " ND_DEVICES);
		return -1;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX], real[PATH_MAX], buf[128], *slash;

		if (strncmp(de->d_name, "region", 6))
			continue;
		snprintf(path, sizeof(path), ND_DEVICES "/%s/resource",
			 de->d_name);
		if (read_file(path, buf, sizeof(buf)) ||
		    strtoull(buf, NULL, 16) != phys)
			continue;
		/* The parent of the region is its bus, ndbusN */
		snprintf(path, sizeof(path), ND_DEVICES "/%s", de->d_name);
		if (!realpath(path, real))
			continue;
		slash = strrchr(real, '/');
		if (!slash)
			continue;
		*slash = '\0';
		if (snprintf(path, sizeof(path), "%s/provider", real) >=
		    (int)sizeof(path))
			continue;
		if (read_file(path, buf, sizeof(buf)) || !strstr(buf, "nvemu"))
			continue;
		if (!found++)
			snprintf(name, nlen, "%.63s", de->d_name);
	}
	closedir(d);
	if (found == 1)
		return 0;
	if (found)
		snprintf(why, wlen, "%d nvemu nd regions at %#llx", found,
			 (unsigned long long)phys);
	else
		snprintf(why, wlen, "no nd region at %#llx on an nvemu bus",
			 (unsigned long long)phys);
	return -1;
}

/*
 * NUMA node of the nvemu nd region that starts at @phys.  Returns 0 and sets
 * *@node, or -1 (with a reason in @why) if there is none.
 */
static int nd_region_numa_node(__u64 phys, int *node, char *why, size_t len)
{
	char region[64], path[PATH_MAX], buf[32];

	if (nvemu_nd_region(phys, region, sizeof(region), why, len))
		return -1;
	snprintf(path, sizeof(path), ND_DEVICES "/%s/numa_node", region);
	if (read_file(path, buf, sizeof(buf))) {
		snprintf(why, len, "%s has no numa_node (CONFIG_NUMA=n?)",
			 region);
		return -1;
	}
	*node = atoi(buf);
	return 0;
}

/*
 * The pmem block device (/dev/pmemN) of an unclaimed namespace of @size
 * bytes in the nvemu nd region at @phys: it shows the region from its first
 * byte.  Returns 0, or -1 with a reason in @why.
 */
static int nd_region_pmem(__u64 phys, __u64 size, char *dev, size_t len,
			  char *why, size_t wlen)
{
	char region[64], path[PATH_MAX], buf[128];
	struct dirent *de, *be;
	int ret = -1;
	DIR *d, *bd;

	if (nvemu_nd_region(phys, region, sizeof(region), why, wlen))
		return -1;
	snprintf(path, sizeof(path), ND_DEVICES "/%s", region);
	d = opendir(path);
	if (!d) {
		snprintf(why, wlen, "cannot list %s", region);
		return -1;
	}
	snprintf(why, wlen, "%s has no unclaimed namespace of its size with a block device",
		 region);
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
		    strtoull(buf, NULL, 0) != size)
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

static int capget_raw(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

static int capset_raw(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capset, &hdr, data);
}

/* Remove @cap from the effective set of the calling process. */
static void drop_effective_cap(struct __test_metadata *const _metadata,
			       unsigned int cap)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	ASSERT_EQ(0, capget_raw(data));
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	ASSERT_EQ(0, capset_raw(data))
	{
		TH_LOG("capset: %s", strerror(errno));
	}
	ASSERT_EQ(0, capget_raw(data));
	ASSERT_EQ(0U, data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
}

FIXTURE(nvemu)
{
	int fd;
	size_t page;
	__u64 total;
	size_t nr;
	struct nvemu_test_range r[NVEMU_MAX_RANGES];
	size_t nr_cmd;
	struct nvemu_test_range cmd[MAX_CMD_RANGES];
};

FIXTURE_SETUP(nvemu)
{
	size_t i;
	int params;

	self->fd = -1;
	self->page = getpagesize();

	params = read_cmdline(self->cmd, MAX_CMD_RANGES, &self->nr_cmd);
	ASSERT_LE(0, params)
	{
		TH_LOG("cannot read /proc/cmdline: %s", strerror(errno));
	}
	if (!params)
		SKIP(return, "no nvemu= on the kernel command line");

	ASSERT_EQ(0, read_iomem(self->r, NVEMU_MAX_RANGES, &self->nr))
	{
		TH_LOG("cannot read the nvemu ranges of /proc/iomem: %s",
		       strerror(errno));
	}
	if (!self->nr)
		SKIP(return, "the kernel accepted no nvemu= range (see dmesg)");

	self->total = 0;
	for (i = 0; i < self->nr; i++) {
		self->r[i].offset = self->total;
		self->total += self->r[i].size;
	}

	self->fd = open(NVEMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd)
	{
		TH_LOG("cannot open " NVEMU_DEV ": %s", strerror(errno));
	}
}

FIXTURE_TEARDOWN(nvemu)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Offsets worth testing around: the start of the device, every boundary
 * between two ranges, and the end of the device.  Returns the count.
 */
static size_t edges(struct _test_data_nvemu *self, __u64 *e)
{
	size_t i, n = 0;

	e[n++] = 0;
	for (i = 1; i < self->nr; i++)
		e[n++] = self->r[i].offset;
	e[n++] = self->total;
	return n;
}

/*
 * msync(MS_SYNC) after stores through a mapping.  Only the msync_fsync test
 * checks its result, so that a failing msync does not hide the data checks.
 */
static void sync_map(void *addr, size_t len)
{
	msync(addr, len, MS_SYNC);
}

static __u64 round_down_u64(__u64 v, __u64 a)
{
	return v - v % a;
}

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

TEST_F(nvemu, device_node)
{
	char path[PATH_MAX], buf[64];
	struct stat st, fst;

	ASSERT_EQ(0, stat(NVEMU_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777)
	{
		TH_LOG(NVEMU_DEV " has mode %#o", st.st_mode & 07777);
	}
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev))
	{
		TH_LOG(NVEMU_DEV " is not a misc device");
	}

	ASSERT_EQ(0, fstat(self->fd, &fst));
	EXPECT_EQ(st.st_rdev, fst.st_rdev);

	snprintf(path, sizeof(path), "/sys/class/misc/nvemu0/dev");
	ASSERT_EQ(0, read_file(path, buf, sizeof(buf)))
	{
		TH_LOG("cannot read %s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	EXPECT_STREQ(path, buf);
}

TEST_F(nvemu, layout_matches_cmdline)
{
	size_t i, j;

	for (i = 0; i < self->nr; i++) {
		const struct nvemu_test_range *r = &self->r[i];
		int found = 0;

		TH_LOG("range %zu: phys %#llx size %#llx offset %#llx", i,
		       r->start, r->size, r->offset);
		for (j = 0; j < self->nr_cmd; j++)
			if (self->cmd[j].start == r->start &&
			    self->cmd[j].size == r->size)
				found = 1;
		EXPECT_TRUE(found)
		{
			TH_LOG("iomem range %#llx+%#llx is not one of the nvemu= ranges",
			       r->start, r->size);
		}
		EXPECT_NE(0U, r->size);
		if (i)
			EXPECT_LE(self->r[i - 1].start + self->r[i - 1].size,
				  r->start);
	}
	EXPECT_GE((size_t)NVEMU_MAX_RANGES, self->nr);
	if (self->nr < self->nr_cmd)
		TH_LOG("%zu of %zu nvemu= ranges accepted", self->nr,
		       self->nr_cmd);
}

/* nvemu.merge, as the kernel took it: 1 unless the file says N */
static int merge_param(void)
{
	FILE *f = fopen("/sys/module/nvemu/parameters/merge", "r");
	int c;

	if (!f)
		return 1;
	c = fgetc(f);
	fclose(f);
	return c != 'N';
}

TEST_F(nvemu, info)
{
	__u64 section = 0;
	struct nvemu_info info;
	size_t i;

#if defined(__x86_64__)
	section = 128UL << 20;
#elif defined(__aarch64__)
	section = self->page == 65536 ? 512UL << 20 : 128UL << 20;
#endif

	/* Out fields are ignored on input */
	memset(&info, 0, sizeof(info));
	info.total_size = UINT64_MAX;
	info.nr_ranges = UINT32_MAX;
	info.align = 12345;
	ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_INFO, &info))
	{
		TH_LOG("NVEMU_IOC_INFO: %s", strerror(errno));
	}
	EXPECT_EQ(self->total, info.total_size);
	EXPECT_EQ(self->nr, info.nr_ranges);
	/* several ranges form one region unless nvemu.merge=0 */
	EXPECT_EQ(self->nr > 1 && merge_param() ? NVEMU_INFO_F_MERGED : 0U,
		  info.flags);
	/* the metadata: the last 16 MiB */
	EXPECT_EQ(16ULL << 20, info.meta_size);
	EXPECT_EQ(self->total - (16ULL << 20), info.meta_offset);
	for (i = 0; i < ARRAY_SIZE(info.reserved); i++)
		EXPECT_EQ(0U, info.reserved[i]);

	if (!section)
		TH_LOG("no expected section size for this architecture");
	EXPECT_EQ(section ? section : info.align, info.align);
	ASSERT_NE(0U, info.align);
	for (i = 0; i < self->nr; i++) {
		EXPECT_EQ(0U, self->r[i].start % info.align);
		EXPECT_EQ(0U, self->r[i].size % info.align);
	}
}

TEST_F(nvemu, info_invalid)
{
	struct nvemu_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(info.reserved); i++) {
		memset(&info, 0, sizeof(info));
		info.reserved[i] = 1ULL << (i * 13);
		ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_INFO, &info))
		{
			TH_LOG("reserved[%zu] != 0 accepted", i);
		}
		ASSERT_EQ(EINVAL, errno);
	}

	memset(&info, 0, sizeof(info));
	info.flags = 1;
	ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	info.flags = 1U << 31;
	ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
}

/*
 * Run @cmd with bad argument pointers: NULL, (void *)1, an unmapped page,
 * a struct that crosses into a PROT_NONE page, and a read-only struct (so
 * that only copy_to_user() fails).  All must give EFAULT.
 */
static void check_efault(struct __test_metadata *const _metadata,
			 struct _test_data_nvemu *self, unsigned long cmd,
			 size_t size)
{
	size_t page = self->page;
	uint8_t *p;

	ASSERT_EQ(-1, ioctl(self->fd, cmd, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, cmd, (void *)1));
	ASSERT_EQ(EFAULT, errno);

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0, 2 * page);

	/* Straddling into an inaccessible page */
	ASSERT_EQ(0, mprotect(p + page, page, PROT_NONE));
	ASSERT_EQ(-1, ioctl(self->fd, cmd, p + page - size / 2));
	ASSERT_EQ(EFAULT, errno);
	/* Entirely unmapped */
	ASSERT_EQ(0, munmap(p + page, page));
	ASSERT_EQ(-1, ioctl(self->fd, cmd, p + page));
	ASSERT_EQ(EFAULT, errno);
	/* A valid, all-zero input that cannot be written back */
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	ASSERT_EQ(-1, ioctl(self->fd, cmd, p))
	{
		TH_LOG("ioctl on a read-only argument succeeded");
	}
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, munmap(p, page));
}

TEST_F(nvemu, info_efault)
{
	check_efault(_metadata, self, NVEMU_IOC_INFO, sizeof(struct nvemu_info));
}

TEST_F(nvemu, range_info)
{
	struct nvemu_range_info ri;
	__u64 offset = 0;
	size_t i, j;

	for (i = 0; i < self->nr; i++) {
		char why[256];
		int node = -1;

		memset(&ri, 0, sizeof(ri));
		ri.index = i;
		/* Out fields are ignored on input */
		ri.offset = UINT64_MAX;
		ri.size = 1;
		ri.phys_addr = 0x1000;
		ri.numa_node = 42;
		ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &ri))
		{
			TH_LOG("NVEMU_IOC_RANGE_INFO %zu: %s", i,
			       strerror(errno));
		}
		EXPECT_EQ(i, ri.index);
		EXPECT_EQ(NVEMU_RANGE_F_PHYS, ri.flags);
		EXPECT_EQ(offset, ri.offset);
		EXPECT_EQ(self->r[i].offset, ri.offset);
		EXPECT_EQ(self->r[i].size, ri.size);
		EXPECT_EQ(self->r[i].start, ri.phys_addr);
		EXPECT_LE(-1, ri.numa_node);
		EXPECT_EQ(0U, ri.reserved0);
		for (j = 0; j < ARRAY_SIZE(ri.reserved); j++)
			EXPECT_EQ(0U, ri.reserved[j]);
		offset += ri.size;

		if (nd_region_numa_node(self->r[i].start, &node, why,
					sizeof(why))) {
			TH_LOG("range %zu: NUMA node %d not cross-checked: %s",
			       i, ri.numa_node, why);
			continue;
		}
		TH_LOG("range %zu: NUMA node %d", i, ri.numa_node);
		EXPECT_EQ(node, ri.numa_node)
		{
			TH_LOG("range %zu: the nd region is on node %d", i,
			       node);
		}
	}
	EXPECT_EQ(self->total, offset);
}

TEST_F(nvemu, range_info_invalid)
{
	const uint32_t bad_index[] = {
		self->nr, self->nr + 1, NVEMU_MAX_RANGES, INT32_MAX, UINT32_MAX,
	};
	const uint32_t bad_flags[] = { 1, NVEMU_RANGE_F_PHYS, 2, 1U << 31 };
	struct nvemu_range_info ri;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_index); i++) {
		memset(&ri, 0, sizeof(ri));
		ri.index = bad_index[i];
		ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &ri))
		{
			TH_LOG("index %u accepted", bad_index[i]);
		}
		ASSERT_EQ(EINVAL, errno);
	}
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		memset(&ri, 0, sizeof(ri));
		ri.flags = bad_flags[i];
		ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &ri))
		{
			TH_LOG("in flags %#x accepted", bad_flags[i]);
		}
		ASSERT_EQ(EINVAL, errno);
	}

	memset(&ri, 0, sizeof(ri));
	ri.reserved0 = 1;
	ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &ri));
	ASSERT_EQ(EINVAL, errno);
	for (i = 0; i < ARRAY_SIZE(ri.reserved); i++) {
		memset(&ri, 0, sizeof(ri));
		ri.reserved[i] = 1ULL << (i * 17);
		ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &ri))
		{
			TH_LOG("reserved[%zu] != 0 accepted", i);
		}
		ASSERT_EQ(EINVAL, errno);
	}
}

TEST_F(nvemu, range_info_efault)
{
	check_efault(_metadata, self, NVEMU_IOC_RANGE_INFO,
		     sizeof(struct nvemu_range_info));
}

/* Without CAP_SYS_ADMIN: same answers, but no physical address. */
static void check_range_info_unprivileged(struct __test_metadata *const _metadata,
					  struct _test_data_nvemu *self, int fd)
{
	struct nvemu_range_info ri;
	struct nvemu_info info;
	size_t i;

	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_INFO, &info));
	EXPECT_EQ(self->total, info.total_size);
	EXPECT_EQ(self->nr, info.nr_ranges);

	for (i = 0; i < self->nr; i++) {
		struct nvemu_range_info priv = { .index = i };

		ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_RANGE_INFO, &priv));
		memset(&ri, 0, sizeof(ri));
		ri.index = i;
		ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_RANGE_INFO, &ri))
		{
			TH_LOG("NVEMU_IOC_RANGE_INFO %zu: %s", i,
			       strerror(errno));
		}
		EXPECT_EQ(0U, ri.flags);
		EXPECT_EQ(0U, ri.phys_addr)
		{
			TH_LOG("range %zu: physical address leaked", i);
		}
		EXPECT_EQ(i, ri.index);
		EXPECT_EQ(self->r[i].offset, ri.offset);
		EXPECT_EQ(self->r[i].size, ri.size);
		EXPECT_EQ(priv.numa_node, ri.numa_node);
		EXPECT_EQ(0U, ri.reserved0);
		EXPECT_EQ(0, memcmp(ri.reserved, priv.reserved,
				    sizeof(ri.reserved)));
	}
}

TEST_F(nvemu, range_info_no_cap_sys_admin)
{
	int fd;

	drop_effective_cap(_metadata, CAP_SYS_ADMIN);
	ASSERT_EQ(0U, geteuid());

	/* The fd opened with CAP_SYS_ADMIN: the caller's capability counts */
	check_range_info_unprivileged(_metadata, self, self->fd);

	fd = open(NVEMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd)
	{
		TH_LOG("root without CAP_SYS_ADMIN cannot open " NVEMU_DEV
		       ": %s", strerror(errno));
	}
	check_range_info_unprivileged(_metadata, self, fd);
	close(fd);
}

/* NVEMU_IOC_INFO's struct with room for a future field */
struct nvemu_info_larger {
	struct nvemu_info info;
	__u64 more;
};

TEST_F(nvemu, unknown_ioctl)
{
	const struct {
		unsigned long cmd;
		const char *what;
	} cmds[] = {
		{ _IO(NVEMU_IOC_MAGIC, 0x7f), "_IO(0xB9, 0x7f)" },
		{ _IO(NVEMU_IOC_MAGIC, 0x00), "_IO(0xB9, 0x00)" },
		{ _IOWR(NVEMU_IOC_MAGIC, 0x00, struct nvemu_info_larger),
		  "INFO with a larger size" },
		{ _IOWR(NVEMU_IOC_MAGIC, 0x00, __u64), "INFO with a smaller size" },
		{ _IOR(NVEMU_IOC_MAGIC, 0x00, struct nvemu_info), "INFO as _IOR" },
		{ _IOW(NVEMU_IOC_MAGIC, 0x01, struct nvemu_range_info),
		  "RANGE_INFO as _IOW" },
		{ _IOWR(NVEMU_IOC_MAGIC, 0x01, struct nvemu_info),
		  "RANGE_INFO with the size of INFO" },
		{ _IOWR(NVEMU_IOC_MAGIC, 0x07, struct nvemu_info), "nr 0x07" },
		{ _IOR(NVEMU_IOC_MAGIC, 0x05, struct nvemu_report),
		  "REPORT as _IOR" },
		{ _IOWR(NVEMU_IOC_MAGIC, 0xff, struct nvemu_range_info), "nr 0xff" },
		{ _IOWR(0xBA, 0x00, struct nvemu_info), "foreign magic 0xBA" },
		{ _IOWR('f', 0x01, struct nvemu_range_info), "foreign magic 'f'" },
	};
	uint8_t arg[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(arg, 0, sizeof(arg));
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i].cmd, arg))
		{
			TH_LOG("%s (%#lx) succeeded", cmds[i].what, cmds[i].cmd);
		}
		EXPECT_EQ(ENOTTY, errno)
		{
			TH_LOG("%s (%#lx): %s", cmds[i].what, cmds[i].cmd,
			       strerror(errno));
		}
	}
}

#define NVEMU_SYSFS	"/sys/bus/platform/devices/nvemu/"
#define META_SIZE	(16ULL << 20)

static void get_geometry(struct __test_metadata *const _metadata, int fd,
			 struct nvemu_geometry *g)
{
	memset(g, 0, sizeof(*g));
	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_GEOMETRY, g))
	{
		TH_LOG("NVEMU_IOC_GEOMETRY: %s", strerror(errno));
	}
}

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

static void get_state(struct __test_metadata *const _metadata, int fd,
		      struct nvemu_state *st)
{
	memset(st, 0, sizeof(*st));
	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_STATE, st))
	{
		TH_LOG("NVEMU_IOC_STATE: %s", strerror(errno));
	}
}

static void expect_sysfs(struct __test_metadata *const _metadata,
			 const char *name, const char *want)
{
	char path[128], buf[128];

	snprintf(path, sizeof(path), NVEMU_SYSFS "%s", name);
	ASSERT_EQ(0, read_file(path, buf, sizeof(buf)))
	{
		TH_LOG("%s: %s", path, strerror(errno));
	}
	EXPECT_STREQ(want, buf);
}

static void report(struct __test_metadata *const _metadata, int fd,
		   __u32 event, __u32 flags, __u64 gen)
{
	struct nvemu_report rep = {
		.event = event, .flags = flags, .generation = gen,
	};

	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_REPORT, &rep))
	{
		TH_LOG("NVEMU_IOC_REPORT event %u: %s", event, strerror(errno));
	}
}

TEST_F(nvemu, state_and_report)
{
	const __u32 known = NVEMU_STATE_CLEAN_SHUTDOWN |
		NVEMU_STATE_RESTORE_PENDING | NVEMU_STATE_SAVE_FAIL |
		NVEMU_STATE_RESTORE_FAIL;
	struct nvemu_state st, bad;
	char want[32];

	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(0U, st.flags & ~known);
	/* the selftests run with the restore gate open */
	EXPECT_EQ(0U, st.flags & NVEMU_STATE_RESTORE_PENDING);
	expect_sysfs(_metadata, "restore_pending", "0");
	expect_sysfs(_metadata, "clean_shutdown",
		     st.flags & NVEMU_STATE_CLEAN_SHUTDOWN ? "1" : "0");

	report(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);
	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(NVEMU_STATE_SAVE_FAIL, st.flags & NVEMU_STATE_SAVE_FAIL);
	expect_sysfs(_metadata, "health", "save_fail");
	report(_metadata, self->fd, NVEMU_EV_RESTORE_FAILED, 0, 0);
	expect_sysfs(_metadata, "health", "save_fail restore_fail");

	report(_metadata, self->fd, NVEMU_EV_SAVED, 0, 4242);
	report(_metadata, self->fd, NVEMU_EV_RESTORED, 0, 4241);
	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(0U, st.flags & (NVEMU_STATE_SAVE_FAIL | NVEMU_STATE_RESTORE_FAIL));
	EXPECT_EQ(4242U, st.saved_generation);
	EXPECT_EQ(4241U, st.restored_generation);
	expect_sysfs(_metadata, "health", "ok");
	expect_sysfs(_metadata, "saved_generation", "4242");
	snprintf(want, sizeof(want), "%u", 4241);
	expect_sysfs(_metadata, "restored_generation", want);
	/* the clean flag is for the next boot: this boot's stays */
	report(_metadata, self->fd, NVEMU_EV_SAVED, NVEMU_REPORT_F_SHUTDOWN, 4243);
	get_state(_metadata, self->fd, &bad);
	EXPECT_EQ(st.flags & NVEMU_STATE_CLEAN_SHUTDOWN,
		  bad.flags & NVEMU_STATE_CLEAN_SHUTDOWN);
	EXPECT_EQ(4243U, bad.saved_generation);
	/* abandoning a restore when none is pending changes nothing */
	report(_metadata, self->fd, NVEMU_EV_RESTORE_ABANDONED, 0, 0);
	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(bad.flags, st.flags);
	EXPECT_EQ(4241U, st.restored_generation);

	memset(&bad, 0, sizeof(bad));
	bad.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_STATE, &bad));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(nvemu, report_invalid)
{
	const struct {
		struct nvemu_report rep;
		const char *what;
	} cases[] = {
		{ { .event = 0 }, "event 0" },
		{ { .event = 6 }, "event 6" },
		{ { .event = NVEMU_EV_SAVE_FAILED,
		    .flags = NVEMU_REPORT_F_SHUTDOWN },
		  "SHUTDOWN with SAVE_FAILED" },
		{ { .event = NVEMU_EV_SAVED, .flags = 2 }, "unknown flag" },
		{ { .event = NVEMU_EV_SAVED, .reserved = { 0, 1 } },
		  "reserved" },
	};
	struct nvemu_state before, after;
	struct nvemu_report rep = { .event = NVEMU_EV_SAVED, .generation = 1 };
	size_t i;

	get_state(_metadata, self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		rep = cases[i].rep;
		EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_REPORT, &rep))
		{
			TH_LOG("%s accepted", cases[i].what);
		}
		EXPECT_EQ(EINVAL, errno)
		{
			TH_LOG("%s: %s", cases[i].what, strerror(errno));
		}
	}
	/* reporting needs CAP_SYS_ADMIN */
	drop_effective_cap(_metadata, CAP_SYS_ADMIN);
	rep = (struct nvemu_report){ .event = NVEMU_EV_SAVED, .generation = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_REPORT, &rep));
	EXPECT_EQ(EPERM, errno);
	get_state(_metadata, self->fd, &after);
	EXPECT_EQ(before.flags, after.flags);
	EXPECT_EQ(before.saved_generation, after.saved_generation);
}

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

/*
 * The device offsets map the right physical memory: what is written to
 * range i through /dev/nvemu0 is what the pmem block device of the nd region
 * at that physical address shows at the same place in the range, and back.
 */
TEST_F(nvemu, phys_layout_via_pmem)
{
	const size_t page = self->page;
	uint8_t *wbuf, *rbuf;
	size_t i, checked = 0;

	ASSERT_EQ(0, posix_memalign((void **)&wbuf, page, page));
	ASSERT_EQ(0, posix_memalign((void **)&rbuf, page, page));

	for (i = 0; i < self->nr; i++) {
		const struct nvemu_test_range *r = &self->r[i];
		const __u64 in[] = { 0, r->size / 2, r->size - page };
		char dev[PATH_MAX], why[256];
		size_t j;
		int pfd;

		if (nd_region_pmem(r->start, r->size, dev, sizeof(dev), why,
				   sizeof(why))) {
			TH_LOG("range %zu: not checked: %s", i, why);
			continue;
		}
		TH_LOG("range %zu: comparing with %s", i, dev);
		pfd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
		ASSERT_LE(0, pfd)
		{
			TH_LOG("cannot open %s: %s", dev, strerror(errno));
		}
		for (j = 0; j < ARRAY_SIZE(in); j++) {
			__u64 off = r->offset + in[j];

			fill(wbuf, off, page, 400 + i);
			ASSERT_EQ((ssize_t)page, pwrite(self->fd, wbuf, page, off));
			ASSERT_EQ((ssize_t)page, pread(pfd, rbuf, page, in[j]));
			EXPECT_EQ(-1, first_diff(wbuf, rbuf, page))
			{
				TH_LOG("range %zu + %#llx: %s differs",
				       i, in[j], dev);
			}

			fill(wbuf, off, page, 500 + i);
			ASSERT_EQ((ssize_t)page, pwrite(pfd, wbuf, page, in[j]));
			ASSERT_EQ((ssize_t)page, pread(self->fd, rbuf, page, off));
			EXPECT_EQ(-1, first_diff(wbuf, rbuf, page))
			{
				TH_LOG("range %zu + %#llx: write to %s not seen",
				       i, in[j], dev);
			}
		}
		close(pfd);
		checked++;
	}
	free(wbuf);
	free(rbuf);
	if (!checked)
		SKIP(return, "no range has a raw pmem block device to compare with");
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

TEST_F(nvemu, non_root_refused)
{
	pid_t child;
	int status;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
		size_t i;

		ASSERT_EQ(0, setgroups(0, NULL));
		ASSERT_EQ(0, setgid(65534));
		ASSERT_EQ(0, setuid(65534));
		ASSERT_EQ(0, capget_raw(data));
		for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
			ASSERT_EQ(0U, data[i].effective);
			ASSERT_EQ(0U, data[i].permitted);
		}

		EXPECT_EQ(-1, open(NVEMU_DEV, O_RDWR | O_CLOEXEC));
		EXPECT_EQ(EACCES, errno);
		EXPECT_EQ(-1, open(NVEMU_DEV, O_RDONLY | O_CLOEXEC));
		EXPECT_EQ(EACCES, errno);
		EXPECT_EQ(-1, open(NVEMU_DEV, O_WRONLY | O_CLOEXEC));
		EXPECT_EQ(EACCES, errno);

		/* A descriptor handed down by root works, without phys */
		check_range_info_unprivileged(_metadata, self, self->fd);
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_HARNESS_MAIN
