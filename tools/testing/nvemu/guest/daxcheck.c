// SPDX-License-Identifier: GPL-2.0
/*
 * daxcheck - fill and verify persistent memory through mmap, and ask the
 * kernel whether a file is accessed with DAX and whether it takes MAP_SYNC.
 *
 * A guest-side helper of the nvemu tests (tools/testing/nvemu).  "fill"
 * writes a pattern that depends only on a seed and the byte offset, so a
 * later "verify", for instance after a warm reset, checks every 8-byte word
 * without any other saved state.  It works on device-dax character devices
 * (/dev/daxX.Y), on block devices (/dev/pmemX) and on regular files, for
 * example files on an fsdax mount.
 */
#define _GNU_SOURCE
#define PROG_NAME	"daxcheck"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/fs.h>

#include "common.h"

#ifndef STATX_ALL
#define STATX_ALL		0x00000fffU
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX		0x00200000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x080000
#endif

#define SZ_2M			(2ULL << 20)
#define WORD			sizeof(uint64_t)
#define MAPSYNC_LEN		4096

static const char help_text[] =
"NAME\n"
"    daxcheck - fill and verify persistent memory through mmap; query DAX\n"
"\n"
"SYNOPSIS\n"
"    daxcheck fill PATH SEED [--size BYTES]\n"
"    daxcheck verify PATH SEED [--size BYTES]\n"
"    daxcheck statx FILE\n"
"    daxcheck mapsync FILE\n"
"    daxcheck --help\n"
"\n"
"DESCRIPTION\n"
"    PATH is a device-dax character device (/dev/daxX.Y), a block device\n"
"    (/dev/pmemX) or a regular file, for example on an fsdax mount.  The\n"
"    first BYTES bytes of PATH are mapped with mmap(MAP_SHARED) and accessed\n"
"    as 8-byte words.\n"
"\n"
"    The pattern depends only on SEED and the byte offset OFF of each word:\n"
"\n"
"        word(OFF) = splitmix64(splitmix64(SEED) ^ OFF)\n"
"\n"
"    stored in native byte order, where splitmix64(x) is the finalizer of\n"
"    Steele, Lea and Flood's SplitMix64 applied to x + 0x9e3779b97f4a7c15.\n"
"    So a later verify needs nothing but the seed, even across a reset.\n"
"\n"
"COMMANDS\n"
"    fill PATH SEED\n"
"        Open PATH read-write, map it PROT_READ|PROT_WRITE, write the pattern\n"
"        of SEED to every word, msync(MS_SYNC) and unmap it.  Prints\n"
"        \"fill: BYTES bytes seed SEED\" (SEED in decimal).  With --size, a\n"
"        regular file is created if it does not exist, and extended with\n"
"        ftruncate() if it is smaller than BYTES.\n"
"\n"
"    verify PATH SEED\n"
"        Open PATH read-only, map it PROT_READ and compare every word with\n"
"        the pattern of SEED.  Prints \"verify: BYTES bytes ok\", or on a\n"
"        mismatch one line giving the number of bad words, the offset of the\n"
"        first differing byte and the expected and found values of its word,\n"
"        for example:\n"
"\n"
"        verify: 67108864 bytes FAILED: 1 bad words of 8388608, first at\n"
"        offset 12345 (0x3039): word at 0x3038 expected 0x... found 0x...\n"
"\n"
"        (one line).  Exit status 1.\n"
"\n"
"    statx FILE\n"
"        Call statx(AT_FDCWD, FILE, 0, STATX_ALL) and print \"dax: yes\" if\n"
"        the kernel reports STATX_ATTR_DAX in stx_attributes, that is if the\n"
"        file's data is accessed directly (fsdax).  Otherwise print\n"
"        \"dax: no\" and exit with status 1; if the kernel does not report\n"
"        the attribute at all (not in stx_attributes_mask), a note saying so\n"
"        goes to standard error.\n"
"\n"
"    mapsync FILE\n"
"        Open FILE read-write and map its first 4096 bytes (for a device-dax\n"
"        device: its first alignment unit) with PROT_READ|PROT_WRITE and\n"
"        MAP_SHARED_VALIDATE|MAP_SYNC, then unmap it without touching it.\n"
"        Prints \"map_sync: ok\", or \"map_sync: no (ERRNO: text)\" and exits\n"
"        with status 1 if mmap() fails: EOPNOTSUPP means that the file is\n"
"        not on a DAX mapping, EINVAL usually a kernel without MAP_SYNC.\n"
"\n"
"OPTIONS\n"
"    -s, --size BYTES\n"
"        How many bytes to fill or verify, from offset 0.  Decimal, 0x hex\n"
"        or 0 octal, with an optional K, M, G or T suffix (powers of 1024).\n"
"        The default is the whole of PATH: the size of a regular file, the\n"
"        BLKGETSIZE64 of a block device, the sysfs attribute\n"
"        /sys/dev/char/MAJ:MIN/size of a device-dax device.  It must be a\n"
"        multiple of 8 and, for a device-dax device, of its mapping alignment\n"
"        (the sysfs attribute \"align\", and at least 2 MiB), since device-dax\n"
"        refuses mappings of other lengths.\n"
"\n"
"    -h, --help\n"
"        Print this help and exit.\n"
"\n"
"EXIT STATUS\n"
"    0   success: filled, verified, DAX in use, MAP_SYNC accepted\n"
"    1   verification failed, no DAX, or MAP_SYNC refused\n"
"    2   bad usage or a system error (message on standard error);\n"
"        a SIGBUS while accessing the mapping is reported as an error too\n"
"\n"
"EXAMPLES\n"
"    daxcheck fill /dev/dax0.0 42 && daxcheck verify /dev/dax0.0 42\n"
"    daxcheck fill /mnt/pmem/f 7 --size 64M\n"
"    daxcheck statx /mnt/pmem/f && daxcheck mapsync /mnt/pmem/f\n";

static void print_help(void)
{
	fputs(help_text, stdout);
}

static void print_try(void)
{
	fprintf(stderr, "Usage: %s fill|verify PATH SEED [--size BYTES]\n"
		"       %s statx|mapsync FILE\n"
		"Try '%s --help' for more information.\n", prog, prog, prog);
}

/* Read one unsigned number from a sysfs attribute; -1 with errno on error. */
static int read_sysfs_u64(const char *file, uint64_t *out)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_u64(buf, 0, out)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

struct target {
	const char *path;
	int fd;
	struct stat st;
	uint64_t size;		/* bytes PATH holds */
	uint64_t align;		/* the mapping length must be a multiple */
};

/* Open PATH and find its size and the alignment a mapping of it needs. */
static int open_target(struct target *t, const char *path, int flags)
{
	char file[96];

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->align = WORD;
	t->fd = open(path, flags | O_CLOEXEC, 0644);
	if (t->fd < 0) {
		pr_err("cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (fstat(t->fd, &t->st)) {
		sys_err(path, "fstat");
		goto err;
	}
	if (S_ISREG(t->st.st_mode)) {
		t->size = t->st.st_size;
	} else if (S_ISBLK(t->st.st_mode)) {
		if (ioctl(t->fd, BLKGETSIZE64, &t->size)) {
			sys_err(path, "BLKGETSIZE64");
			goto err;
		}
	} else if (S_ISCHR(t->st.st_mode)) {
		uint64_t align;

		snprintf(file, sizeof(file), "/sys/dev/char/%u:%u/size",
			 major(t->st.st_rdev), minor(t->st.st_rdev));
		if (read_sysfs_u64(file, &t->size)) {
			pr_err("%s: cannot read %s: %s (not a device-dax device?)\n",
			       path, file, strerror(errno));
			goto err;
		}
		t->align = SZ_2M;
		snprintf(file, sizeof(file), "/sys/dev/char/%u:%u/align",
			 major(t->st.st_rdev), minor(t->st.st_rdev));
		if (!read_sysfs_u64(file, &align) && align > t->align)
			t->align = align;
	} else {
		pr_err("%s: not a regular file, block device or device-dax device\n",
		       path);
		goto err;
	}
	return 0;

err:
	close(t->fd);
	return 2;
}

/*
 * Work out the mapping length: @want (0 for the whole of PATH), checked
 * against the size and alignment.  With @extend, a regular file too small
 * is extended.
 */
static int map_length(struct target *t, uint64_t want, int extend, size_t *len)
{
	uint64_t n = want ? want : t->size;

	if (!n) {
		pr_err("%s: size is 0, nothing to do (give --size)\n", t->path);
		return 2;
	}
	if (n % t->align) {
		if (S_ISCHR(t->st.st_mode))
			pr_err("%s: size %llu is not a multiple of %llu bytes: device-dax maps only whole alignment units (at least 2 MiB)\n",
			       t->path, (unsigned long long)n,
			       (unsigned long long)t->align);
		else
			pr_err("%s: size %llu is not a multiple of 8 bytes\n",
			       t->path, (unsigned long long)n);
		return 2;
	}
	if (n > SIZE_MAX) {
		pr_err("%s: size %llu is too large to map\n",
		       t->path, (unsigned long long)n);
		return 2;
	}
	if (n > t->size) {
		if (!extend || !S_ISREG(t->st.st_mode)) {
			pr_err("%s: size %llu is larger than %s (%llu bytes)\n",
			       t->path, (unsigned long long)n,
			       S_ISREG(t->st.st_mode) ? "the file" : "the device",
			       (unsigned long long)t->size);
			return 2;
		}
		if (ftruncate(t->fd, (off_t)n))
			return sys_err(t->path, "ftruncate");
		t->size = n;
	}
	*len = n;
	return 0;
}

/* One pass over the mapping, and what it found. */
struct work {
	uint64_t *map;
	size_t words;
	uint64_t seed;
	uint64_t bad;		/* verify: number of bad words */
	size_t first;		/* verify: index of the first bad word */
	uint64_t want, found;	/* verify: its expected and found values */
};

static void fill_words(struct work *w)
{
	uint64_t key = splitmix64(w->seed);
	size_t i;

	for (i = 0; i < w->words; i++)
		w->map[i] = splitmix64(key ^ (uint64_t)(i * WORD));
}

static void verify_words(struct work *w)
{
	const uint64_t *map = w->map;
	uint64_t key = splitmix64(w->seed), expect;
	size_t i;

	for (i = 0; i < w->words; i++) {
		expect = splitmix64(key ^ (uint64_t)(i * WORD));
		if (map[i] == expect)
			continue;
		if (!w->bad++) {
			w->first = i;
			w->want = expect;
			w->found = map[i];
		}
	}
}

/*
 * Run @fn over the mapping, turning a SIGBUS (a memory error, a full file
 * system, a file truncated under us) into an error message.
 */
static sigjmp_buf bus_jmp;
static void *bus_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_addr = si->si_addr;
	siglongjmp(bus_jmp, 1);
}

static int run_guarded(const struct target *t, void (*fn)(struct work *),
		       struct work *w)
{
	struct sigaction sa, old;
	unsigned long long off;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		return sys_err(t->path, "sigaction");
	if (sigsetjmp(bus_jmp, 1)) {
		off = (uintptr_t)bus_addr - (uintptr_t)w->map;
		pr_err("%s: SIGBUS at offset %llu (0x%llx): memory error, file system full, or the file shrank\n",
		       t->path, off, off);
		sigaction(SIGBUS, &old, NULL);
		return 2;
	}
	fn(w);
	sigaction(SIGBUS, &old, NULL);
	return 0;
}

static int parse_fill_args(int argc, char **argv, const char **path,
			   uint64_t *seed, uint64_t *size)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	*size = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_u64(optarg, 1, size) || !*size) {
				pr_err("invalid size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			print_help();
			exit(0);
		default:
			print_try();
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "%s: expected PATH and SEED\n", argv[0]);
		print_try();
		return 2;
	}
	*path = argv[optind];
	if (parse_u64(argv[optind + 1], 0, seed)) {
		pr_err("invalid seed '%s' (want an unsigned 64-bit number)\n",
		       argv[optind + 1]);
		return 2;
	}
	return 0;
}

static int cmd_fill(int argc, char **argv)
{
	struct work w = { };
	struct target t;
	const char *path;
	uint64_t size;
	size_t len;
	void *map;
	int ret;

	ret = parse_fill_args(argc, argv, &path, &w.seed, &size);
	if (ret)
		return ret;
	ret = open_target(&t, path, size ? O_RDWR | O_CREAT : O_RDWR);
	if (ret)
		return ret;
	ret = map_length(&t, size, 1, &len);
	if (ret)
		goto out;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, t.fd, 0);
	if (map == MAP_FAILED) {
		ret = sys_err(path, "mmap");
		goto out;
	}
	w.map = map;
	w.words = len / WORD;
	ret = run_guarded(&t, fill_words, &w);
	if (ret)
		goto out_unmap;
	/*
	 * Device-dax has no fsync (its mappings are synchronous: stores reach
	 * the media once the CPU writes them back), so msync() is EINVAL.
	 */
	if (!S_ISCHR(t.st.st_mode) && msync(map, len, MS_SYNC)) {
		ret = sys_err(path, "msync");
		goto out_unmap;
	}
	if (munmap(map, len)) {
		ret = sys_err(path, "munmap");
		goto out;
	}
	printf("fill: %zu bytes seed %llu\n", len, (unsigned long long)w.seed);
	goto out;

out_unmap:
	munmap(map, len);
out:
	close(t.fd);
	return ret;
}

static int cmd_verify(int argc, char **argv)
{
	unsigned char a[WORD], b[WORD];
	unsigned long long off;
	struct work w = { };
	struct target t;
	const char *path;
	uint64_t size;
	size_t len, j;
	void *map;
	int ret;

	ret = parse_fill_args(argc, argv, &path, &w.seed, &size);
	if (ret)
		return ret;
	ret = open_target(&t, path, O_RDONLY);
	if (ret)
		return ret;
	ret = map_length(&t, size, 0, &len);
	if (ret)
		goto out;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, t.fd, 0);
	if (map == MAP_FAILED) {
		ret = sys_err(path, "mmap");
		goto out;
	}
	w.map = map;
	w.words = len / WORD;
	ret = run_guarded(&t, verify_words, &w);
	if (ret)
		goto out_unmap;
	if (!w.bad) {
		printf("verify: %zu bytes ok\n", len);
		goto out_unmap;
	}
	/* The offset of the first byte that differs, in memory order. */
	memcpy(a, &w.want, WORD);
	memcpy(b, &w.found, WORD);
	for (j = 0; j < WORD - 1 && a[j] == b[j]; j++)
		;
	off = (unsigned long long)w.first * WORD + j;
	fprintf(stdout,
		"verify: %zu bytes FAILED: %llu bad words of %zu, first at offset %llu (0x%llx): word at 0x%llx expected 0x%016llx found 0x%016llx\n",
		len, (unsigned long long)w.bad, w.words, off, off,
		(unsigned long long)w.first * WORD, (unsigned long long)w.want,
		(unsigned long long)w.found);
	ret = 1;

out_unmap:
	munmap(map, len);
out:
	close(t.fd);
	return ret;
}

static int parse_file_arg(int argc, char **argv, const char **file)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help();
			exit(0);
		default:
			print_try();
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: expected one FILE\n", argv[0]);
		print_try();
		return 2;
	}
	*file = argv[optind];
	return 0;
}

static int cmd_statx(int argc, char **argv)
{
	const char *file;
	struct statx stx;
	int ret;

	ret = parse_file_arg(argc, argv, &file);
	if (ret)
		return ret;
	memset(&stx, 0, sizeof(stx));
	if (statx(AT_FDCWD, file, 0, STATX_ALL, &stx))
		return sys_err(file, "statx");
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX)) {
		printf("dax: no\n");
		pr_err("%s: the kernel does not report STATX_ATTR_DAX (stx_attributes_mask 0x%llx)\n",
		       file, (unsigned long long)stx.stx_attributes_mask);
		return 1;
	}
	if (!(stx.stx_attributes & STATX_ATTR_DAX)) {
		printf("dax: no\n");
		return 1;
	}
	printf("dax: yes\n");
	return 0;
}

static int cmd_mapsync(int argc, char **argv)
{
	const char *file, *name;
	struct target t;
	size_t len;
	void *map;
	int ret, err;

	ret = parse_file_arg(argc, argv, &file);
	if (ret)
		return ret;
	ret = open_target(&t, file, O_RDWR);
	if (ret)
		return ret;
	len = S_ISCHR(t.st.st_mode) ? t.align : MAPSYNC_LEN;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED_VALIDATE | MAP_SYNC, t.fd, 0);
	if (map == MAP_FAILED) {
		err = errno;
		name = strerrorname_np(err);
		printf("map_sync: no (%s: %s)\n", name ? name : "?",
		       strerror(err));
		close(t.fd);
		return 1;
	}
	munmap(map, len);
	close(t.fd);
	printf("map_sync: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "fill", cmd_fill },
		{ "verify", cmd_verify },
		{ "statx", cmd_statx },
		{ "mapsync", cmd_mapsync },
	};

	return run_command(argc, argv, cmds, ARRAY_SIZE(cmds));
}
