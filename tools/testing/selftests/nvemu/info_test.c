// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - what /dev/nvemu0 is and says about itself
 *
 * The device node and who may open it, the layout against the kernel
 * command line, NVEMU_IOC_INFO and NVEMU_IOC_RANGE_INFO (their values, and
 * their EINVAL, EFAULT and unprivileged cases), the process area (its size
 * by the rule of nvemu.proc_size, where the regions end), and ENOTTY for
 * every other ioctl.
 *
 * Optional cross-check, skipped with a message when unavailable: the NUMA
 * node of each range against the nd region of the "nvemu" NVDIMM bus at its
 * physical address (CONFIG_NUMA).
 */

#define _GNU_SOURCE
#include <grp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "common.h"

#define MISC_MAJOR	10U

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
	EXPECT_EQ(0U, info.reserved);

	if (!section)
		TH_LOG("no expected section size for this architecture");
	EXPECT_EQ(section ? section : info.align, info.align);
	ASSERT_NE(0U, info.align);
	for (i = 0; i < self->nr; i++) {
		EXPECT_EQ(0U, self->r[i].start % info.align);
		EXPECT_EQ(0U, self->r[i].size % info.align);
	}
}

#define SZ_16M		(16ULL << 20)

/*
 * The process area nvemu formats for a device of @total bytes, by the rule
 * of Documentation/admin-guide/nvemu.rst: nvemu.proc_size, or "auto" (a
 * quarter of the device rounded down to 16 MiB from 256 MiB on, else
 * none), reduced so that the regions keep 16 MiB.
 */
static __u64 proc_size_rule(__u64 total, const char *param)
{
	__u64 want, max = 0;

	if (total >= 3 * SZ_16M)
		max = round_down_u64(total - 2 * SZ_16M, SZ_16M);
	if (!*param || !strcmp(param, "auto"))
		want = total >= (256ULL << 20) ?
		       round_down_u64(total / 4, SZ_16M) : 0;
	else
		want = strtoull(param, NULL, 0);
	return want < max ? want : max;
}

/* Size of the nd region of nvemu that starts at @phys, 0 if none */
static __u64 nd_region_size(__u64 phys)
{
	char region[64], path[PATH_MAX], buf[32], why[256];

	if (nvemu_nd_region(phys, region, sizeof(region), why, sizeof(why)))
		return 0;
	snprintf(path, sizeof(path), ND_DEVICES "/%s/size", region);
	if (read_file(path, buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 0);
}

TEST_F(nvemu, proc_area)
{
	char param[64] = "", buf[32];
	struct nvemu_info info;
	__u64 want, end;
	size_t i;

	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_INFO, &info));
	TH_LOG("process area: offset %#llx size %#llx, metadata at %#llx",
	       info.proc_offset, info.proc_size, info.meta_offset);
	/* just below the metadata area, in units of 16 MiB */
	EXPECT_EQ(info.meta_offset, info.proc_offset + info.proc_size);
	EXPECT_EQ(0U, info.proc_size % SZ_16M);
	EXPECT_LE(SZ_16M, info.proc_offset);

	/* formatted at this boot by the rule (tests boot on fresh NVM) */
	read_file("/sys/module/nvemu/parameters/proc_size", param,
		  sizeof(param));
	want = proc_size_rule(self->total, param);
	EXPECT_EQ(want, info.proc_size)
	{
		TH_LOG("nvemu.proc_size=%s, %llu MiB of NVM: expected %llu MiB",
		       *param ? param : "(none)", self->total >> 20,
		       want >> 20);
	}
	if (!read_file("/sys/bus/platform/devices/nvemu/proc_size", buf,
		       sizeof(buf)))
		EXPECT_EQ(info.proc_size, strtoull(buf, NULL, 0));

	/* the regions end where the area begins */
	if (!nd_region_size(self->r[0].start)) {
		TH_LOG("no nvemu nd region (restore gate closed?): regions not checked");
		return;
	}
	if (info.flags & NVEMU_INFO_F_MERGED || self->nr == 1) {
		EXPECT_EQ(info.proc_offset, nd_region_size(self->r[0].start));
		return;
	}
	for (i = 0; i < self->nr; i++) {
		const struct nvemu_test_range *r = &self->r[i];

		end = r->offset + r->size;
		if (end > info.proc_offset)
			end = info.proc_offset;
		want = end > r->offset ? end - r->offset : 0;
		EXPECT_EQ(want, nd_region_size(r->start))
		{
			TH_LOG("range %zu at offset %#llx: region of %#llx expected",
			       i, r->offset, want);
		}
	}
}

TEST_F(nvemu, info_invalid)
{
	struct nvemu_info info;
	size_t i;

	for (i = 0; i < 64; i += 13) {
		memset(&info, 0, sizeof(info));
		info.reserved = 1ULL << i;
		ASSERT_EQ(-1, ioctl(self->fd, NVEMU_IOC_INFO, &info))
		{
			TH_LOG("reserved bit %zu accepted", i);
		}
		ASSERT_EQ(EINVAL, errno);
	}
	/* proc_offset and proc_size, out fields, are ignored on input */
	memset(&info, 0, sizeof(info));
	info.proc_offset = 1;
	info.proc_size = UINT64_MAX;
	ASSERT_EQ(0, ioctl(self->fd, NVEMU_IOC_INFO, &info));
	EXPECT_EQ(info.meta_offset, info.proc_offset + info.proc_size);

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
