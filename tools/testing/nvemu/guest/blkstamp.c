// SPDX-License-Identifier: GPL-2.0
/*
 * blkstamp - a crash-atomicity workload for block devices
 *
 * A guest-side helper of the nvemu tests (tools/testing/nvemu).  Every
 * 4096-byte block of the device holds a self-checking stamp: magic, block
 * number, sequence number, a payload derived from both, and a CRC32C over
 * all of it.  "write" rewrites random blocks with the next sequence number,
 * one synchronous 4096-byte write at a time, until it is killed; "check",
 * after the crash or reset, finds any block that is not exactly one whole
 * stamp written for it, and with the sequence numbers of an earlier check
 * any block whose sequence number went backwards.
 *
 * The BTT (sector mode namespace, /dev/pmemXs) promises that a write of
 * one sector is atomic: after a power cut each sector holds its old or its
 * new contents, never a mix.  With 4096-byte sectors a torn stamp is thus
 * a bug, and the CRC makes it visible.
 */
#define _GNU_SOURCE
#define PROG_NAME	"blkstamp"
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#include "common.h"

#define BLK_SIZE	4096
#define HDR_SIZE	24				/* magic, block, seq */
#define CRC_OFF		(BLK_SIZE - 4)
#define PAYLOAD_SIZE	(CRC_OFF - HDR_SIZE)
#define CHUNK_BLOCKS	256				/* 1 MiB per I/O for scans */
#define MAX_REPORTS	10
#define MARK_WRITES	64
#define PROGRESS_WRITES	1000

/* "BLKSTAMP" in the byte order of the stamp (little endian) */
#define BLKSTAMP_MAGIC	0x504d4154534b4c42ULL

static const char help_text[] =
"NAME\n"
"    blkstamp - crash-atomicity workload and checker for block devices\n"
"\n"
"SYNOPSIS\n"
"    blkstamp init DEV [--blocks N] [--no-direct]\n"
"    blkstamp write DEV [--seed S] [--state FILE] [--blocks N] [--no-direct]\n"
"    blkstamp check DEV [--prev FILE] [--save FILE] [--blocks N] [--no-direct]\n"
"    blkstamp --help\n"
"\n"
"DESCRIPTION\n"
"    DEV is a block device, typically the BTT sector device of a pmem\n"
"    namespace (/dev/pmem0s), or a regular file.  It is used as N blocks of\n"
"    4096 bytes, each holding one stamp (integers little endian):\n"
"\n"
"        offset    0  u64  magic, the ASCII bytes \"BLKSTAMP\"\n"
"        offset    8  u64  block number, the stamp's position in DEV\n"
"        offset   16  u64  sequence number, 0 after init\n"
"        offset   24  4068 bytes of payload: the SplitMix64 stream seeded\n"
"                          with splitmix64(block ^ splitmix64(seq))\n"
"        offset 4092  u32  CRC32C (Castagnoli, reflected polynomial\n"
"                          0x82F63B78, initial and final xor 0xFFFFFFFF)\n"
"                          of bytes 0 to 4091\n"
"\n"
"    A stamp is valid if its magic, CRC, block number and payload are all\n"
"    right.  A stamp that is half old and half new fails its CRC.\n"
"\n"
"    Every 4096-byte write is atomic on a BTT with 4096-byte sectors\n"
"    (ndctl create-namespace --mode=sector --sector-size=4096), so after a\n"
"    crash during \"write\" each block must hold a valid stamp with its old\n"
"    or its new sequence number.  With 512-byte sectors only each sector is\n"
"    atomic and stamps can tear legitimately; blkstamp warns on a block\n"
"    device whose logical block size is below 4096.\n"
"\n"
"COMMANDS\n"
"    init DEV\n"
"        Write a stamp with sequence number 0 to every block, then fsync.\n"
"        Prints \"init: N blocks\".  With --blocks, a regular file is created\n"
"        if it does not exist and extended if it is smaller.\n"
"\n"
"    write DEV\n"
"        Read every block; all must hold valid stamps (exit status 1\n"
"        otherwise).  Then, until killed, pick a block at random (xorshift64*\n"
"        seeded from S), increment its sequence number and write its stamp\n"
"        with one 4096-byte pwrite() on a descriptor opened with O_DIRECT and\n"
"        O_DSYNC.  Prints \"blkstamp: start: N blocks seed S\" first, the\n"
"        line \"blkstamp: writing\" once the first 64 writes have completed\n"
"        (wait for it before killing the writer), then \"blkstamp: W writes\"\n"
"        every 1000 writes; standard output is flushed after each line.  It\n"
"        only stops on an error (exit status 2).\n"
"\n"
"    check DEV\n"
"        Read every block and classify it: valid; torn (bad magic, bad CRC,\n"
"        or a payload that does not match its block and sequence number);\n"
"        wrong_block (an intact stamp of another block); and, with --prev,\n"
"        regressed (valid, but with a lower sequence number than in FILE).\n"
"        Prints exactly one line on standard output:\n"
"\n"
"        check: blocks=N valid=V torn=T wrong_block=W regressed=R max_seq=M\n"
"\n"
"        where V counts valid stamps (regressed ones included) and M is the\n"
"        highest sequence number of a valid stamp.  The first 10 bad blocks\n"
"        are described on standard error.  Exit status 0 if every block is\n"
"        valid and none regressed, 1 otherwise.\n"
"\n"
"OPTIONS\n"
"    -n, --blocks N\n"
"        Use blocks 0 to N-1 only.  The default is the size of DEV (the\n"
"        BLKGETSIZE64 of a block device, the size of a file) divided by 4096;\n"
"        init of an empty file needs it.  Give the same N to every command.\n"
"\n"
"    -s, --seed S\n"
"        write: seed of the block choice (default: time and process id).\n"
"\n"
"    -t, --state FILE\n"
"        write: after the \"writing\" line and with every progress line, save\n"
"        the sequence numbers of all blocks to FILE, in the format of --save,\n"
"        through a temporary file, fsync and rename().  Every number saved\n"
"        had been written and acknowledged, so a later check --prev FILE\n"
"        must not find any block below it, if FILE survives the crash.\n"
"\n"
"    -p, --prev FILE\n"
"        check: compare with the sequence numbers in FILE, saved by an\n"
"        earlier check --save or write --state, and count every valid block\n"
"        whose number is lower as regressed.  FILE must be for N blocks.\n"
"\n"
"    -S, --save FILE\n"
"        check: save the sequence numbers of the valid blocks to FILE (it may\n"
"        be the --prev FILE).  FILE is text: a line \"blocks N\", then one\n"
"        line \"BLOCK SEQ\" per valid block; lines starting with '#' are\n"
"        comments.  Blocks without a line are not compared.\n"
"\n"
"    -D, --no-direct\n"
"        Do not use O_DIRECT, for file systems that refuse it: init and\n"
"        check use buffered I/O (init ends with fdatasync, check may read\n"
"        from the page cache), write uses O_DSYNC alone.\n"
"\n"
"    -h, --help\n"
"        Print this help and exit.\n"
"\n"
"EXIT STATUS\n"
"    0   success; check: every block valid, none regressed\n"
"    1   check: some block torn, wrong or regressed; write: DEV does not\n"
"        hold valid stamps\n"
"    2   bad usage or a system error (message on standard error)\n"
"\n"
"EXAMPLE\n"
"    blkstamp init /dev/pmem0s\n"
"    blkstamp write /dev/pmem0s &    # wait for \"blkstamp: writing\",\n"
"                                    # then crash or reset the machine\n"
"    blkstamp check /dev/pmem0s --save /tmp/seqs\n";

static void print_help(void)
{
	fputs(help_text, stdout);
}

static void print_try(void)
{
	fprintf(stderr, "Usage: %s init|write|check DEV [OPTIONS]\n"
		"Try '%s --help' for more information.\n", prog, prog);
}

/* ---- CRC32C, pattern and stamps ---- */

static uint32_t crc_table[256];

static void crc32c_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78U : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFU;

	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFU;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

/* The payload of (block, seq): successive outputs of SplitMix64. */
static void make_payload(uint8_t *p, uint64_t block, uint64_t seq)
{
	uint64_t state = splitmix64(block ^ splitmix64(seq));
	uint8_t word[8];
	size_t off, n;

	for (off = 0; off < PAYLOAD_SIZE; off += n) {
		put_le64(word, splitmix64(state));
		state += 0x9e3779b97f4a7c15ULL;
		n = PAYLOAD_SIZE - off < 8 ? PAYLOAD_SIZE - off : 8;
		memcpy(p + off, word, n);
	}
}

static void make_record(uint8_t *rec, uint64_t block, uint64_t seq)
{
	put_le64(rec, BLKSTAMP_MAGIC);
	put_le64(rec + 8, block);
	put_le64(rec + 16, seq);
	make_payload(rec + HDR_SIZE, block, seq);
	put_le32(rec + CRC_OFF, crc32c(rec, CRC_OFF));
}

enum rec_state { REC_VALID, REC_TORN, REC_WRONG_BLOCK };

/*
 * Classify the stamp found at position @block, and say what is wrong
 * with it in @why.  *@seq is its sequence number if it is valid.
 */
static enum rec_state check_record(const uint8_t *rec, uint64_t block,
				   uint64_t *seq, char *why, size_t whylen)
{
	uint8_t payload[PAYLOAD_SIZE];
	uint32_t stored, crc;
	uint64_t magic, b, s;
	size_t i;

	magic = get_le64(rec);
	b = get_le64(rec + 8);
	s = get_le64(rec + 16);
	if (magic != BLKSTAMP_MAGIC) {
		for (i = 0; i < BLK_SIZE && !rec[i]; i++)
			;
		if (i == BLK_SIZE)
			snprintf(why, whylen, "invalid: all zeroes (never initialised?)");
		else
			snprintf(why, whylen, "invalid: bad magic 0x%016llx",
				 (unsigned long long)magic);
		return REC_TORN;
	}
	stored = get_le32(rec + CRC_OFF);
	crc = crc32c(rec, CRC_OFF);
	if (stored != crc) {
		snprintf(why, whylen,
			 "torn: crc mismatch (stored 0x%08x, computed 0x%08x; header says block %llu seq %llu)",
			 stored, crc, (unsigned long long)b,
			 (unsigned long long)s);
		return REC_TORN;
	}
	if (b != block) {
		snprintf(why, whylen, "wrong block: holds the intact stamp of block %llu seq %llu",
			 (unsigned long long)b, (unsigned long long)s);
		return REC_WRONG_BLOCK;
	}
	make_payload(payload, b, s);
	if (memcmp(payload, rec + HDR_SIZE, PAYLOAD_SIZE)) {
		for (i = 0; payload[i] == rec[HDR_SIZE + i]; i++)
			;
		snprintf(why, whylen,
			 "invalid: payload mismatch at byte %zu of the stamp (seq %llu, crc ok)",
			 HDR_SIZE + i, (unsigned long long)s);
		return REC_TORN;
	}
	*seq = s;
	return REC_VALID;
}

/* ---- the device ---- */

struct dev {
	const char *path;
	int fd;
	int direct;
	uint64_t blocks;	/* blocks in use */
	uint64_t dev_blocks;	/* whole blocks DEV holds now */
	int is_file;
};

static int dev_open(struct dev *d, const char *path, int flags, int direct)
{
	struct stat st;
	uint64_t size;
	int ssz, err;

	d->path = path;
	d->direct = direct;
	d->fd = open(path, flags | O_CLOEXEC, 0644);
	if (d->fd < 0) {
		pr_err("cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (fstat(d->fd, &st)) {
		sys_err(path, "fstat");
		goto err;
	}
	if (S_ISREG(st.st_mode)) {
		d->is_file = 1;
		size = st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &size)) {
			sys_err(path, "BLKGETSIZE64");
			goto err;
		}
		if (ioctl(d->fd, BLKSSZGET, &ssz)) {
			sys_err(path, "BLKSSZGET");
			goto err;
		}
		if (ssz > BLK_SIZE) {
			pr_err("%s: logical block size %d is larger than the %d-byte stamps\n",
			       path, ssz, BLK_SIZE);
			goto err;
		}
		if (ssz < BLK_SIZE)
			pr_err("warning: %s has %d-byte logical blocks: only writes of %d bytes are atomic, stamps of %d bytes can tear\n",
			       path, ssz, ssz, BLK_SIZE);
	} else {
		pr_err("%s: not a block device or regular file\n", path);
		goto err;
	}
	/* Set O_DIRECT once we know DEV is of a kind we use at all. */
	if (direct && fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) | O_DIRECT)) {
		err = errno;
		pr_err("%s: cannot use O_DIRECT: %s%s\n", path,
		       strerror(err), err == EINVAL ?
		       " (not supported by its file system; use --no-direct)" : "");
		goto err;
	}
	d->dev_blocks = size / BLK_SIZE;
	return 0;

err:
	close(d->fd);
	return 2;
}

/* Use @want blocks (0: all of them); only a file may grow, and only by init. */
static int dev_set_blocks(struct dev *d, uint64_t want, int grow)
{
	d->blocks = want ? want : d->dev_blocks;
	if (!d->blocks) {
		pr_err("%s: smaller than one %d-byte block%s\n",
		       d->path, BLK_SIZE,
		       d->is_file && grow ? " (give --blocks to init a file)" : "");
		return 2;
	}
	if (d->blocks > d->dev_blocks && !(grow && d->is_file)) {
		pr_err("%s: --blocks %llu is more than the %llu blocks it holds\n",
		       d->path, (unsigned long long)d->blocks,
		       (unsigned long long)d->dev_blocks);
		return 2;
	}
	if (d->blocks > SIZE_MAX / sizeof(uint64_t) ||
	    d->blocks > (uint64_t)INT64_MAX / BLK_SIZE) {
		pr_err("%s: %llu blocks are too many\n",
		       d->path, (unsigned long long)d->blocks);
		return 2;
	}
	return 0;
}

static void *alloc_aligned(size_t size)
{
	void *p;
	int err;

	err = posix_memalign(&p, BLK_SIZE, size);
	if (err) {
		pr_err("cannot allocate %zu bytes: %s\n", size, strerror(err));
		return NULL;
	}
	return p;
}

static const char *direct_hint(const struct dev *d, int err)
{
	return err == EINVAL && d->direct ?
		" (O_DIRECT refused? try --no-direct)" : "";
}

/* Read or write @n blocks from block @first; 0 or 2 after a message. */
static int dev_io(const struct dev *d, int write, void *buf, uint64_t first,
		  size_t n)
{
	size_t len = n * BLK_SIZE, done = 0;
	off_t off = (off_t)(first * BLK_SIZE);
	ssize_t r;
	int err;

	while (done < len) {
		if (write)
			r = pwrite(d->fd, (char *)buf + done, len - done,
				   off + (off_t)done);
		else
			r = pread(d->fd, (char *)buf + done, len - done,
				  off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			pr_err("%s: %s of block %llu: %s%s\n",
			       d->path, write ? "write" : "read",
			       (unsigned long long)(first + done / BLK_SIZE),
			       strerror(err), direct_hint(d, err));
			return 2;
		}
		if (r == 0) {
			pr_err("%s: unexpected end of device at block %llu\n",
			       d->path,
			       (unsigned long long)(first + done / BLK_SIZE));
			return 2;
		}
		done += r;
	}
	return 0;
}

/* ---- sequence number files ---- */

static int save_seqs(const char *file, const uint64_t *seq,
		     const uint8_t *valid, uint64_t n)
{
	char *tmp, *dirc;
	uint64_t b;
	FILE *f;
	int fd;

	if (asprintf(&tmp, "%s.tmp", file) < 0) {
		pr_err("out of memory\n");
		return 2;
	}
	f = fopen(tmp, "w");
	if (!f) {
		pr_err("cannot create %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return 2;
	}
	fprintf(f, "# blkstamp sequence numbers: \"BLOCK SEQ\" per valid block\n");
	fprintf(f, "blocks %llu\n", (unsigned long long)n);
	for (b = 0; b < n; b++)
		if (!valid || valid[b])
			fprintf(f, "%llu %llu\n", (unsigned long long)b,
				(unsigned long long)seq[b]);
	if (fflush(f) || fsync(fileno(f))) {
		sys_err(tmp, "write");
		fclose(f);
		goto err;
	}
	if (fclose(f)) {
		sys_err(tmp, "close");
		goto err;
	}
	if (rename(tmp, file)) {
		pr_err("cannot rename %s to %s: %s\n", tmp,
		       file, strerror(errno));
		goto err;
	}
	free(tmp);
	/* Make the rename durable too. */
	dirc = strdup(file);
	if (dirc) {
		fd = open(dirname(dirc), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(dirc);
	}
	return 0;

err:
	unlink(tmp);
	free(tmp);
	return 2;
}

/* Read a file of save_seqs() into @seq/@have (n entries, zeroed). */
static int load_seqs(const char *file, uint64_t n, uint64_t *seq,
		     uint8_t *have)
{
	unsigned long long b, s, blocks;
	int got_blocks = 0, ret = 2;
	unsigned int lineno = 0;
	char line[256], extra;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		pr_err("cannot open %s: %s\n", file, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			pr_err("%s:%u: line too long\n", file, lineno);
			goto out;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (!got_blocks) {
			if (sscanf(line, "blocks %llu %c", &blocks, &extra) != 1) {
				pr_err("%s:%u: expected \"blocks N\", found '%s'\n",
				       file, lineno, line);
				goto out;
			}
			if (blocks != n) {
				pr_err("%s: saved for %llu blocks, the device has %llu\n",
				       file, blocks, (unsigned long long)n);
				goto out;
			}
			got_blocks = 1;
			continue;
		}
		if (strchr(line, '-') ||
		    sscanf(line, "%llu %llu %c", &b, &s, &extra) != 2) {
			pr_err("%s:%u: expected \"BLOCK SEQ\", found '%s'\n",
			       file, lineno, line);
			goto out;
		}
		if (b >= n) {
			pr_err("%s:%u: block %llu is beyond the %llu blocks\n",
			       file, lineno, b, (unsigned long long)n);
			goto out;
		}
		if (have[b]) {
			pr_err("%s:%u: block %llu appears twice\n",
			       file, lineno, b);
			goto out;
		}
		have[b] = 1;
		seq[b] = s;
	}
	if (ferror(f)) {
		sys_err(file, "read");
		goto out;
	}
	if (!got_blocks) {
		pr_err("%s: no \"blocks N\" line\n", file);
		goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

/* ---- commands ---- */

struct opts {
	uint64_t blocks;
	uint64_t seed;
	int have_seed;
	int direct;
	const char *state, *prev, *save;
};

enum { CMD_INIT = 1, CMD_WRITE = 2, CMD_CHECK = 4 };

static int parse_opts(int cmd, int argc, char **argv, const char **path,
		      struct opts *o)
{
	static const struct option lopts[] = {
		{ "blocks", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 't' },
		{ "prev", required_argument, NULL, 'p' },
		{ "save", required_argument, NULL, 'S' },
		{ "no-direct", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static const struct {
		int opt, cmds;
		const char *name;
	} only[] = {
		{ 's', CMD_WRITE, "--seed" },
		{ 't', CMD_WRITE, "--state" },
		{ 'p', CMD_CHECK, "--prev" },
		{ 'S', CMD_CHECK, "--save" },
	};
	uint64_t v;
	size_t i;
	int c;

	memset(o, 0, sizeof(*o));
	o->direct = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:s:t:p:S:Dh", lopts, NULL)) != -1) {
		for (i = 0; i < ARRAY_SIZE(only); i++) {
			if (only[i].opt == c && !(only[i].cmds & cmd)) {
				fprintf(stderr, "%s: %s is not an option of this command\n",
					argv[0], only[i].name);
				print_try();
				return 2;
			}
		}
		switch (c) {
		case 'n':
		case 's':
			if (optarg[0] == '-' || parse_u64_raw(optarg, 0, &v) ||
			    (c == 'n' && !v)) {
				fprintf(stderr, "%s: invalid %s '%s'\n", argv[0],
					c == 'n' ? "number of blocks" : "seed",
					optarg);
				return 2;
			}
			if (c == 'n') {
				o->blocks = v;
			} else {
				o->seed = v;
				o->have_seed = 1;
			}
			break;
		case 't':
			o->state = optarg;
			break;
		case 'p':
			o->prev = optarg;
			break;
		case 'S':
			o->save = optarg;
			break;
		case 'D':
			o->direct = 0;
			break;
		case 'h':
			print_help();
			exit(0);
		default:
			print_try();
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: expected one DEV\n", argv[0]);
		print_try();
		return 2;
	}
	*path = argv[optind];
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	uint64_t b, i, n;
	const char *path;
	struct opts o;
	struct dev d;
	uint8_t *buf;
	int ret;

	ret = parse_opts(CMD_INIT, argc, argv, &path, &o);
	if (ret)
		return ret;
	ret = dev_open(&d, path, o.blocks ? O_RDWR | O_CREAT : O_RDWR, o.direct);
	if (ret)
		return ret;
	ret = dev_set_blocks(&d, o.blocks, 1);
	if (ret)
		goto out;
	ret = 2;
	buf = alloc_aligned(CHUNK_BLOCKS * BLK_SIZE);
	if (!buf)
		goto out;
	for (b = 0; b < d.blocks; b += n) {
		n = d.blocks - b < CHUNK_BLOCKS ? d.blocks - b : CHUNK_BLOCKS;
		for (i = 0; i < n; i++)
			make_record(buf + i * BLK_SIZE, b + i, 0);
		if (dev_io(&d, 1, buf, b, n))
			goto out_free;
	}
	if (o.direct ? fsync(d.fd) : fdatasync(d.fd)) {
		sys_err(path, o.direct ? "fsync" : "fdatasync");
		goto out_free;
	}
	printf("init: %llu blocks\n", (unsigned long long)d.blocks);
	ret = 0;
out_free:
	free(buf);
out:
	close(d.fd);
	return ret;
}

/* The counts of one scan of the device. */
struct scan {
	uint64_t valid, torn, wrong, max_seq;
};

typedef int (*bad_fn)(uint64_t block, const char *why, void *arg);

/*
 * Read every block and classify it.  @seq[b] and @valid[b] receive the
 * sequence number of each valid block; @fn, if set, is told about each bad
 * one and stops the scan by returning nonzero.  Returns 0, 1 if @fn
 * stopped it, or 2 after an error message.
 */
static int scan_dev(const struct dev *d, uint64_t *seq, uint8_t *valid,
		    struct scan *sc, bad_fn fn, void *arg)
{
	uint64_t b, i, n;
	enum rec_state st;
	char why[160];
	uint8_t *buf;
	int ret = 2;

	memset(sc, 0, sizeof(*sc));
	buf = alloc_aligned(CHUNK_BLOCKS * BLK_SIZE);
	if (!buf)
		return 2;
	for (b = 0; b < d->blocks; b += n) {
		n = d->blocks - b < CHUNK_BLOCKS ? d->blocks - b : CHUNK_BLOCKS;
		if (dev_io(d, 0, buf, b, n))
			goto out;
		for (i = 0; i < n; i++) {
			st = check_record(buf + i * BLK_SIZE, b + i, &seq[b + i],
					  why, sizeof(why));
			valid[b + i] = st == REC_VALID;
			if (st == REC_VALID) {
				sc->valid++;
				if (seq[b + i] > sc->max_seq)
					sc->max_seq = seq[b + i];
				continue;
			}
			if (st == REC_TORN)
				sc->torn++;
			else
				sc->wrong++;
			if (fn && fn(b + i, why, arg)) {
				ret = 1;
				goto out;
			}
		}
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

static int refuse_bad(uint64_t block, const char *why, void *arg)
{
	pr_err("%s: block %llu is not a valid stamp: %s; run 'blkstamp check' or 'blkstamp init'\n",
	       (const char *)arg, (unsigned long long)block, why);
	return 1;
}

static uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static int cmd_write(int argc, char **argv)
{
	uint64_t *seq, rng, count = 0, b;
	struct timespec ts;
	const char *path;
	struct scan sc;
	struct opts o;
	uint8_t *valid, *rec;
	struct dev d;
	ssize_t r;
	int ret;

	ret = parse_opts(CMD_WRITE, argc, argv, &path, &o);
	if (ret)
		return ret;
	ret = dev_open(&d, path, O_RDWR | O_DSYNC, o.direct);
	if (ret)
		return ret;
	ret = dev_set_blocks(&d, o.blocks, 0);
	if (ret)
		goto out;
	ret = 2;
	seq = calloc(d.blocks, sizeof(*seq));
	valid = calloc(d.blocks, 1);
	rec = alloc_aligned(BLK_SIZE);
	if (!seq || !valid || !rec) {
		if (!seq || !valid)
			pr_err("out of memory for %llu blocks\n",
			       (unsigned long long)d.blocks);
		goto out_free;
	}
	ret = scan_dev(&d, seq, valid, &sc, refuse_bad, (void *)path);
	if (ret)
		goto out_free;

	if (!o.have_seed) {
		clock_gettime(CLOCK_REALTIME, &ts);
		o.seed = (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32) ^
			 (uint64_t)ts.tv_nsec << 12;
	}
	rng = splitmix64(o.seed);
	if (!rng)
		rng = 1;	/* xorshift never leaves 0 */
	printf("blkstamp: start: %llu blocks seed %llu\n",
	       (unsigned long long)d.blocks, (unsigned long long)o.seed);
	fflush(stdout);

	for (;;) {
		b = xorshift64s(&rng) % d.blocks;
		seq[b]++;
		make_record(rec, b, seq[b]);
		r = pwrite(d.fd, rec, BLK_SIZE, (off_t)(b * BLK_SIZE));
		if (r < 0 && errno == EINTR) {
			seq[b]--;
			continue;
		}
		if (r < 0) {
			pr_err("%s: write of block %llu: %s%s\n",
			       path, (unsigned long long)b,
			       strerror(errno), direct_hint(&d, errno));
			break;
		}
		if (r != BLK_SIZE) {
			pr_err("%s: short write of block %llu: %zd of %d bytes\n",
			       path, (unsigned long long)b, r, BLK_SIZE);
			break;
		}
		count++;
		if (count != MARK_WRITES && count % PROGRESS_WRITES)
			continue;
		if (count == MARK_WRITES)
			printf("blkstamp: writing\n");
		else
			printf("blkstamp: %llu writes\n", (unsigned long long)count);
		fflush(stdout);
		if (o.state && save_seqs(o.state, seq, NULL, d.blocks))
			break;
	}
	ret = 2;

out_free:
	free(rec);
	free(valid);
	free(seq);
out:
	close(d.fd);
	return ret;
}

struct report {
	uint64_t shown, hidden;
};

static void report_bad(struct report *rp, uint64_t block, const char *why)
{
	if (rp->shown >= MAX_REPORTS) {
		rp->hidden++;
		return;
	}
	rp->shown++;
	pr_err("block %llu: %s\n", (unsigned long long)block, why);
}

static int report_cb(uint64_t block, const char *why, void *arg)
{
	report_bad(arg, block, why);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	uint64_t *seq = NULL, *prev = NULL, regressed = 0, b;
	uint8_t *valid = NULL, *have = NULL;
	struct report rp = { };
	const char *path;
	struct scan sc;
	struct opts o;
	struct dev d;
	char why[256];
	int ret;

	ret = parse_opts(CMD_CHECK, argc, argv, &path, &o);
	if (ret)
		return ret;
	ret = dev_open(&d, path, O_RDONLY, o.direct);
	if (ret)
		return ret;
	ret = dev_set_blocks(&d, o.blocks, 0);
	if (ret)
		goto out;
	ret = 2;
	seq = calloc(d.blocks, sizeof(*seq));
	valid = calloc(d.blocks, 1);
	if (o.prev) {
		prev = calloc(d.blocks, sizeof(*prev));
		have = calloc(d.blocks, 1);
	}
	if (!seq || !valid || (o.prev && (!prev || !have))) {
		pr_err("out of memory for %llu blocks\n",
		       (unsigned long long)d.blocks);
		goto out_free;
	}
	if (o.prev && load_seqs(o.prev, d.blocks, prev, have))
		goto out_free;
	if (scan_dev(&d, seq, valid, &sc, report_cb, &rp))
		goto out_free;
	for (b = 0; o.prev && b < d.blocks; b++) {
		if (!valid[b] || !have[b] || seq[b] >= prev[b])
			continue;
		regressed++;
		snprintf(why, sizeof(why), "regressed: seq %llu, was %llu in %s",
			 (unsigned long long)seq[b], (unsigned long long)prev[b],
			 o.prev);
		report_bad(&rp, b, why);
	}
	if (rp.hidden)
		pr_err("... and %llu more bad blocks\n",
		       (unsigned long long)rp.hidden);
	if (o.save && save_seqs(o.save, seq, valid, d.blocks))
		goto out_free;
	fprintf(stdout,
		"check: blocks=%llu valid=%llu torn=%llu wrong_block=%llu regressed=%llu max_seq=%llu\n",
		(unsigned long long)d.blocks, (unsigned long long)sc.valid,
		(unsigned long long)sc.torn, (unsigned long long)sc.wrong,
		(unsigned long long)regressed, (unsigned long long)sc.max_seq);
	ret = sc.valid == d.blocks && !sc.torn && !sc.wrong && !regressed ? 0 : 1;

out_free:
	free(have);
	free(prev);
	free(valid);
	free(seq);
out:
	close(d.fd);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "init", cmd_init },
		{ "write", cmd_write },
		{ "check", cmd_check },
	};

	crc32c_init();
	return run_command(argc, argv, cmds, ARRAY_SIZE(cmds));
}
