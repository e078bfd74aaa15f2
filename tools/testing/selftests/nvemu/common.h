/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu tests - the fixture and helpers of the /dev/nvemu0 tests
 *
 * Run as root in a kernel booted with nvemu=SIZE@START[,SIZE@START...].
 * The expected layout is what the kernel accepted: the /proc/iomem
 * resources named "Persistent Memory (nvemu)", each of which must be one of
 * the ranges given on the kernel command line.  The tests overwrite the
 * content of the device.
 *
 * Each *_test.c covers one area of the device and includes this file once:
 * the nvemu fixture (that layout, and the device open for reading and
 * writing) and the helpers that more than one of them uses.  A helper that
 * only one of them uses lives in that file.
 */

#ifndef __NVEMU_SELFTEST_COMMON_H
#define __NVEMU_SELFTEST_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/nvemu.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
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
#define MAX_CMD_RANGES	256
#define SZ_1M		0x100000UL

struct nvemu_test_range {
	__u64 start;		/* physical */
	__u64 size;
	__u64 offset;	/* in the device */
};

/* A deterministic byte for device offset @off, different for each @seed. */
static inline uint8_t pat(__u64 off, uint32_t seed)
{
	__u64 x = (off + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= ((__u64)seed << 32) | seed;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	return x >> 56;
}

static inline void fill(uint8_t *buf, __u64 off, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(off + i, seed);
}

/* Index of the first byte that differs, or -1 if none. */
static inline ssize_t first_diff(const uint8_t *a, const uint8_t *b,
				 size_t len)
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
static inline int parse_num(const char **pp, const char *end, __u64 *val)
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
static inline int read_cmdline(struct nvemu_test_range *r, size_t max,
			       size_t *nr)
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

static inline int cmp_range(const void *a, const void *b)
{
	const struct nvemu_test_range *ra = a, *rb = b;

	return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/*
 * The "Persistent Memory (nvemu)" resources of /proc/iomem, at any nesting
 * depth, sorted by address.  Returns 0, or -1 with errno set (E2BIG if there
 * are more than @max).
 */
static inline int read_iomem(struct nvemu_test_range *r, size_t max,
			     size_t *nr)
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
static inline int read_file(const char *path, char *buf, size_t size)
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
static inline int nvemu_nd_region(__u64 phys, char *name, size_t nlen,
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

static inline int capget_raw(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

static inline int capset_raw(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capset, &hdr, data);
}

/* Remove @cap from the effective set of the calling process. */
static inline void drop_effective_cap(struct __test_metadata *const _metadata,
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
static inline size_t edges(struct _test_data_nvemu *self, __u64 *e)
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
static inline void sync_map(void *addr, size_t len)
{
	msync(addr, len, MS_SYNC);
}

static inline __u64 round_down_u64(__u64 v, __u64 a)
{
	return v - v % a;
}

static inline void get_geometry(struct __test_metadata *const _metadata,
				int fd, struct nvemu_geometry *g)
{
	memset(g, 0, sizeof(*g));
	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_GEOMETRY, g))
	{
		TH_LOG("NVEMU_IOC_GEOMETRY: %s", strerror(errno));
	}
}

#endif /* __NVEMU_SELFTEST_COMMON_H */
