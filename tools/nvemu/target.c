// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - the TARGET (block device or regular file) and its image headers
 *
 * The TARGET is used with O_DIRECT when its file system allows it, so the
 * page cache neither slows the copy down nor fills memory; every buffer is
 * 4 KiB aligned and every offset and length a multiple of 4 KiB.  If
 * O_DIRECT is refused (at open time or at the first I/O), the TARGET falls
 * back to buffered I/O, with fdatasync() at the same points, and says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target.h"
#include "testhooks.h"
#include "util.h"

static void direct_off(struct nv_target *t, const char *when)
{
	int fl;

	if (!atomic_exchange(&t->direct, false))
		return;
	fl = fcntl(t->fd, F_GETFL);
	if (fl >= 0)
		fcntl(t->fd, F_SETFL, fl & ~O_DIRECT);
	nv_note("%s: O_DIRECT refused %s; using buffered I/O and fdatasync",
		t->path, when);
}

static int target_size(struct nv_target *t)
{
	struct stat st;
	uint64_t size;

	if (fstat(t->fd, &st)) {
		nv_err("%s: fstat: %s", t->path, strerror(errno));
		return NV_EXIT_ERR;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(t->fd, BLKGETSIZE64, &size)) {
			nv_err("%s: BLKGETSIZE64: %s", t->path, strerror(errno));
			return NV_EXIT_ERR;
		}
		t->is_blk = true;
		t->size = size;
	} else if (S_ISREG(st.st_mode)) {
		t->size = st.st_size;
	} else {
		nv_err("%s: TARGET must be a block device or a regular file",
		       t->path);
		return NV_EXIT_ERR;
	}
	return 0;
}

/*
 * Open the TARGET.  For writing, a missing file is created, and a block
 * device is opened exclusively (O_EXCL: EBUSY if mounted or in use).  An
 * flock() keeps two nvemu commands from writing it at the same time.
 * Returns 0 or an exit status, with the message printed, except for
 * NV_EXIT_NOIMAGE: a TARGET to read does not exist.
 */
int target_open(struct nv_target *t, const char *path, bool write)
{
	int flags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	struct stat st;
	int fl;

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->fd = -1;
	if (stat(path, &st)) {
		if (errno != ENOENT) {
			nv_err("%s: %s", path, strerror(errno));
			return NV_EXIT_ERR;
		}
		if (!write)
			return NV_EXIT_NOIMAGE;		/* the caller says it */
		flags |= O_CREAT | O_EXCL;
		t->created = true;
	} else if (S_ISBLK(st.st_mode) && write) {
		flags |= O_EXCL;
	}
	t->fd = open(path, flags, 0600);
	if (t->fd < 0) {
		nv_err("cannot open %s for %s: %s%s", path,
		       write ? "writing" : "reading", strerror(errno),
		       errno == EBUSY ? " (mounted or in use?)" : "");
		return NV_EXIT_ERR;
	}
	if (flock(t->fd, (write ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		nv_err("%s: %s", path, errno == EWOULDBLOCK ?
		       "in use by another nvemu save, restore or verify" :
		       strerror(errno));
		return NV_EXIT_ERR;
	}
	fl = fcntl(t->fd, F_GETFL);
	if (fl >= 0 && !fcntl(t->fd, F_SETFL, fl | O_DIRECT))
		atomic_store(&t->direct, true);
	else
		nv_note("%s: O_DIRECT refused; using buffered I/O and fdatasync",
			path);
	return target_size(t);
}

void target_close(struct nv_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static int too_small(const struct nv_target *t, uint64_t need)
{
	char have_s[32], need_s[32];

	nv_err("%s is too small for the image: it has %llu bytes (%s), the image needs %llu bytes (%s)",
	       t->path, ULL(t->size), nv_bytes_str(t->size, have_s, 32),
	       ULL(need), nv_bytes_str(need, need_s, 32));
	if (!t->is_blk)
		fprintf(stderr, "  Grow it with: truncate -s %llu %s\n",
			ULL(need), t->path);
	return NV_EXIT_SIZE;
}

/* Give a new (or empty) file its size and space; ENOSPC is refused here. */
static int grow_file(struct nv_target *t, uint64_t need)
{
	int err;

	if (ftruncate(t->fd, need)) {
		nv_err("%s: cannot extend to %llu bytes: %s", t->path,
		       ULL(need), strerror(errno));
		return NV_EXIT_ERR;
	}
	if (fallocate(t->fd, 0, 0, need) && errno != EOPNOTSUPP) {
		err = errno;
		if (ftruncate(t->fd, 0))
			err = errno;
		nv_err("%s: cannot reserve %llu bytes: %s", t->path, ULL(need),
		       strerror(err));
		return err == ENOSPC ? NV_EXIT_SIZE : NV_EXIT_ERR;
	}
	t->size = need;
	if (t->created && nv_sync_dir_of(t->path))
		nv_warn("%s: cannot sync its directory: %s", t->path,
			strerror(errno));
	return 0;
}

/*
 * Before a save writes anything: the TARGET must hold need bytes.  A file
 * that save created, or an empty one, is extended (and its space reserved);
 * a block device or a non-empty file that is too small is refused.
 */
int target_prepare(struct nv_target *t, uint64_t need)
{
	if (t->size >= need)
		return 0;
	if (t->is_blk || t->size)
		return too_small(t, need);
	return grow_file(t, need);
}

/* Read exactly len bytes: 0, -errno, or -ENODATA at end of file. */
int target_read(struct nv_target *t, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	n = nv_pread_full(t->fd, buf, len, off);
	if (n == -EINVAL && atomic_load(&t->direct)) {
		direct_off(t, "at the first read");
		n = nv_pread_full(t->fd, buf, len, off);
	}
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENODATA;
}

int target_write(struct nv_target *t, const void *buf, size_t len,
		 uint64_t off)
{
	ssize_t n;

	n = nv_pwrite_full(t->fd, buf, len, off);
	if (n == -EINVAL && atomic_load(&t->direct)) {
		direct_off(t, "at the first write");
		n = nv_pwrite_full(t->fd, buf, len, off);
	}
	return n < 0 ? n : 0;
}

int target_sync(struct nv_target *t, const char *what)
{
	if (!fdatasync(t->fd))
		return 0;
	nv_err("%s: fdatasync after %s: %s", t->path, what, strerror(errno));
	return NV_EXIT_ERR;
}

static int io_error(const struct nv_target *t, const char *op, uint64_t off,
		    int err)
{
	nv_err("%s: %s at offset %llu: %s", t->path, op, ULL(off),
	       err == -ENODATA ? "unexpected end of file" : strerror(-err));
	return err == -ENODATA ? NV_EXIT_SIZE : NV_EXIT_ERR;
}

static uint64_t round4k(uint64_t v)
{
	return (v + 4095) & ~4095ULL;
}

/* Read and check the table of a copy whose header block is sane. */
static int load_table(struct nv_target *t, struct nv_load *ld, unsigned int c,
		      const uint8_t *blk)
{
	struct nvimg_image *im = &ld->im[c];
	uint64_t len = round4k(im->layout.table_bytes);
	uint64_t off = im->layout.table_offset[c];
	uint8_t *table;
	int ret;

	table = nv_alloc_io(len);
	if (!table)
		return NV_EXIT_ERR;
	ret = target_read(t, table, len, off);
	if (ret) {
		free(table);
		return io_error(t, "reading a segment table", off, ret);
	}
	ret = nvimg_decode_table(blk, table, im, ld->why[c], sizeof(ld->why[c]));
	free(table);
	if (ret < 0) {
		nv_err("out of memory for the segment table");
		return NV_EXIT_ERR;
	}
	ld->status[c] = ret;
	return 0;
}

static int load_copy(struct nv_target *t, struct nv_load *ld, unsigned int c,
		     uint8_t *blk)
{
	uint64_t off = NVIMG_HDR_OFFSET(c);
	struct nvimg_image *im = &ld->im[c];
	int ret;

	ld->status[c] = NVIMG_EMPTY;
	if (t->size < off + NVIMG_HDR_SIZE) {
		snprintf(ld->why[c], sizeof(ld->why[c]),
			 "beyond the end of the TARGET");
		return 0;
	}
	ret = target_read(t, blk, NVIMG_HDR_SIZE, off);
	if (ret)
		return io_error(t, "reading an image header", off, ret);
	ld->status[c] = nvimg_decode_header(blk, c, im, ld->why[c],
					    sizeof(ld->why[c]));
	if (ld->status[c] != NVIMG_VALID)
		return 0;
	if (im->layout.image_size > t->size) {
		ld->status[c] = NVIMG_TRUNCATED;
		snprintf(ld->why[c], sizeof(ld->why[c]),
			 "the image of generation %llu needs %llu bytes, the TARGET has %llu",
			 ULL(im->generation), ULL(im->layout.image_size),
			 ULL(t->size));
		return 0;
	}
	return load_table(t, ld, c, blk);
}

static void load_summary(struct nv_load *ld)
{
	unsigned int c;

	ld->cur = nvimg_pick(ld->status, ld->im);
	for (c = 0; c < 2; c++) {
		const struct nvimg_image *im = &ld->im[c];

		if (ld->status[c] == NVIMG_VALID &&
		    im->generation > ld->max_generation)
			ld->max_generation = im->generation;
		if (ld->status[c] == NVIMG_TRUNCATED &&
		    im->generation > ld->trunc_generation) {
			ld->trunc_generation = im->generation;
			ld->trunc_size = im->layout.image_size;
		}
	}
}

/*
 * Read both header copies and their tables.  0 (whether or not there is
 * an image: see ld->cur), or an exit status on an I/O error.
 */
int image_load(struct nv_target *t, struct nv_load *ld)
{
	uint8_t *blk;
	unsigned int c;
	int ret = 0;

	memset(ld, 0, sizeof(*ld));
	ld->cur = -1;
	blk = nv_alloc_io(NVIMG_HDR_SIZE);
	if (!blk)
		return NV_EXIT_ERR;
	for (c = 0; c < 2 && !ret; c++)
		ret = load_copy(t, ld, c, blk);
	free(blk);
	if (!ret)
		load_summary(ld);
	return ret;
}

void image_load_free(struct nv_load *ld)
{
	nvimg_free(&ld->im[0]);
	nvimg_free(&ld->im[1]);
}

/*
 * For restore and verify: 0 if there is a current image (with a warning if
 * the other copy is damaged), else the exit status, with the message.
 */
int image_current(const struct nv_target *t, const struct nv_load *ld)
{
	const struct nvimg_image *cur = ld->cur >= 0 ? &ld->im[ld->cur] : NULL;
	unsigned int other;

	if (ld->trunc_generation > (cur ? cur->generation : 0)) {
		nv_err("%s is truncated: it has %llu bytes, the image of generation %llu needs %llu",
		       t->path, ULL(t->size), ULL(ld->trunc_generation),
		       ULL(ld->trunc_size));
		return NV_EXIT_SIZE;
	}
	if (!cur) {
		nv_err("%s holds no valid nvemu image (header A: %s; header B: %s)",
		       t->path, ld->why[0], ld->why[1]);
		return NV_EXIT_NOIMAGE;
	}
	other = !ld->cur;
	if (ld->status[other] == NVIMG_CORRUPT)
		nv_warn("%s: header copy %c is damaged (%s), an interrupted save or worse; using copy %c, generation %llu",
			t->path, 'A' + other, ld->why[other], 'A' + ld->cur,
			ULL(cur->generation));
	return 0;
}

static int write_sync(struct nv_target *t, const void *buf, size_t len,
		      uint64_t off, const char *what)
{
	int ret = target_write(t, buf, len, off);

	if (ret) {
		nv_err("%s: writing %s at offset %llu: %s", t->path, what,
		       ULL(off), strerror(-ret));
		return NV_EXIT_ERR;
	}
	return target_sync(t, what);
}

/*
 * Make im current: write its segment table, sync, then its header block
 * into copy im->copy, sync.  Until the header is on disk, the other copy
 * stays current; a torn header fails its checksum.
 */
int image_store(struct nv_target *t, const struct nvimg_image *im)
{
	uint64_t tlen = round4k(im->layout.table_bytes);
	uint64_t hoff = NVIMG_HDR_OFFSET(im->copy);
	uint8_t *blk, *table;
	int ret = NV_EXIT_ERR;

	blk = nv_alloc_io(NVIMG_HDR_SIZE);
	table = nv_alloc_io(tlen);
	if (!blk || !table)
		goto out;
	nvimg_encode(im, blk, table);
	ret = write_sync(t, table, tlen, im->layout.table_offset[im->copy],
			 "the segment table");
	if (ret)
		goto out;
	nv_test_header_write(t, blk, hoff);
	ret = write_sync(t, blk, NVIMG_HDR_SIZE, hoff, "the image header");
out:
	free(blk);
	free(table);
	return ret;
}

/* Invalidate both header copies (save --full over another geometry). */
int image_wipe(struct nv_target *t)
{
	uint8_t *blk = nv_alloc_io(NVIMG_HDR_SIZE);
	unsigned int c;
	int ret;

	if (!blk)
		return NV_EXIT_ERR;
	for (c = 0, ret = 0; c < 2 && !ret; c++) {
		ret = target_write(t, blk, NVIMG_HDR_SIZE, NVIMG_HDR_OFFSET(c));
		if (ret) {
			nv_err("%s: clearing header copy %c: %s", t->path,
			       'A' + c, strerror(-ret));
			ret = NV_EXIT_ERR;
		}
	}
	free(blk);
	return ret ? ret : target_sync(t, "clearing the old headers");
}
