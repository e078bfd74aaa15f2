// SPDX-License-Identifier: GPL-2.0
/*
 * libnvemu - the save image format: layout, encoding, decoding and checks
 *
 * Pure functions without I/O, so that tools/nvemu/tests/test-image.c can
 * check them on the host.  See image.h, libnvemu.h and
 * Documentation/admin-guide/nvemu-save-restore.rst.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "le.h"

/* Print the reason into buf (if any); always returns -1. */
static __printf(3, 4) int say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf && len) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint64_t div_round_up(uint64_t v, uint64_t d)
{
	return v / d + !!(v % d);
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return div_round_up(v, a) * a;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Bytes of segment i: segment_size, except the last one. */
uint64_t nvimg_segment_bytes(const struct nvimg_geom *g, uint64_t i)
{
	uint64_t start = i * g->segment_size;

	if (i >= g->nr_segments || start >= g->data_size)
		return 0;
	if (g->data_size - start < g->segment_size)
		return g->data_size - start;
	return g->segment_size;
}

uint64_t nvimg_segment_chunks(const struct nvimg_geom *g, uint64_t i)
{
	return div_round_up(nvimg_segment_bytes(g, i), NVIMG_CHUNK);
}

/* Chunks of a full segment: the stride of the chunk digest arrays. */
uint64_t nvimg_chunks_per_segment(const struct nvimg_geom *g)
{
	return div_round_up(g->segment_size, NVIMG_CHUNK);
}

/*
 * The checksum of segment i from the chunk digests of every segment,
 * segment j's at chunk[j * nvimg_chunks_per_segment(g)].
 */
void nvimg_segment_csum(const struct nvimg_geom *g,
			const struct nvimg_csum *chunk, uint64_t i,
			struct nvimg_csum *out)
{
	nvimg_hash_segment(chunk + i * nvimg_chunks_per_segment(g),
			   nvimg_segment_chunks(g, i), out);
}

static int check_ranges(const struct nvimg_geom *g, char *why, size_t len)
{
	uint64_t end = 0;
	uint32_t i;

	if (!g->nr_ranges || g->nr_ranges > NVIMG_MAX_RANGES)
		return say(why, len, "%u ranges, not 1 to %u", g->nr_ranges,
			   NVIMG_MAX_RANGES);
	for (i = 0; i < g->nr_ranges; i++) {
		const struct nvimg_range *r = &g->range[i];

		if (r->offset != end || !r->size ||
		    r->size > g->total_size - end)
			return say(why, len,
				   "range %u (offset %llu, size %llu) does not follow the previous one",
				   i, ULL(r->offset), ULL(r->size));
		end += r->size;
	}
	if (end != g->total_size)
		return say(why, len, "the ranges cover %llu bytes, not %llu",
			   ULL(end), ULL(g->total_size));
	return 0;
}

/* Is the geometry one that an image can describe?  0 if so. */
int nvimg_geom_check(const struct nvimg_geom *g, char *why, size_t len)
{
	if (!is_pow2(g->segment_size) || g->segment_size < NVIMG_MIN_SEGMENT ||
	    g->segment_size > NVIMG_MAX_SEGMENT)
		return say(why, len,
			   "segment size %llu is not a power of two from 4 KiB to 1 TiB",
			   ULL(g->segment_size));
	if (!g->total_size || g->total_size > NVIMG_MAX_TOTAL)
		return say(why, len, "total size %llu is out of bounds",
			   ULL(g->total_size));
	if (!g->data_size || g->data_size % 4096 ||
	    g->data_size > g->total_size)
		return say(why, len,
			   "data size %llu is not a multiple of 4096 from 4096 to the total size %llu",
			   ULL(g->data_size), ULL(g->total_size));
	if (g->nr_segments != div_round_up(g->data_size, g->segment_size))
		return say(why, len,
			   "%llu segments of %llu bytes do not cover %llu bytes",
			   ULL(g->nr_segments), ULL(g->segment_size),
			   ULL(g->data_size));
	if (g->nr_segments > NVIMG_MAX_SEGMENTS)
		return say(why, len, "%llu segments, more than %llu",
			   ULL(g->nr_segments), ULL(NVIMG_MAX_SEGMENTS));
	return check_ranges(g, why, len);
}

/* The layout of the image on the TARGET; g must pass nvimg_geom_check(). */
void nvimg_layout_init(const struct nvimg_geom *g, struct nvimg_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->nr_segments = g->nr_segments;
	l->table_bytes = g->nr_segments * NVIMG_ENTRY_SIZE;
	l->table_size = round_up(l->table_bytes, NVIMG_ALIGN);
	l->table_offset[0] = NVIMG_TABLE_START;
	l->table_offset[1] = NVIMG_TABLE_START + l->table_size;
	l->data_offset = NVIMG_TABLE_START + 2 * l->table_size;
	l->slot_size = round_up(g->segment_size, NVIMG_ALIGN);
	l->image_size = l->data_offset + 2 * g->nr_segments * l->slot_size;
}

/* TARGET offset of slot 0 or 1 of segment i. */
uint64_t nvimg_slot_offset(const struct nvimg_layout *l, uint64_t i,
			   unsigned int slot)
{
	return l->data_offset + (slot * l->nr_segments + i) * l->slot_size;
}

static int differ(char *why, size_t len, const char *what, uint64_t img,
		  uint64_t dev)
{
	return say(why, len, "%s is %llu in the image, %llu on the device",
		   what, ULL(img), ULL(dev));
}

/* 0 if an image of geometry img can be restored onto dev, else 1. */
int nvimg_geom_compare(const struct nvimg_geom *img, const struct nvimg_geom *dev,
		       char *why, size_t len)
{
	char what[48];
	uint32_t i;

	if (img->data_size != dev->data_size)
		return -differ(why, len, "the data size", img->data_size,
			       dev->data_size);
	if (img->segment_size != dev->segment_size)
		return -differ(why, len, "the segment size", img->segment_size,
			       dev->segment_size);
	if (img->nr_segments != dev->nr_segments)
		return -differ(why, len, "the number of segments",
			       img->nr_segments, dev->nr_segments);
	if (img->total_size != dev->total_size)
		return -differ(why, len, "the total size", img->total_size,
			       dev->total_size);
	if (img->nr_ranges != dev->nr_ranges)
		return -differ(why, len, "the number of ranges",
			       img->nr_ranges, dev->nr_ranges);
	for (i = 0; i < img->nr_ranges; i++) {
		if (img->range[i].size == dev->range[i].size)
			continue;
		snprintf(what, sizeof(what), "the size of range %u", i);
		return -differ(why, len, what, img->range[i].size,
			       dev->range[i].size);
	}
	return 0;
}

static void encode_geom(const struct nvimg_image *im, uint8_t *blk)
{
	const struct nvimg_geom *g = &im->geom;
	const struct nvimg_layout *l = &im->layout;
	uint32_t i;

	put_le64(blk + NVH_TOTAL_SIZE, g->total_size);
	put_le64(blk + NVH_DATA_SIZE, g->data_size);
	put_le64(blk + NVH_SEGMENT_SIZE, g->segment_size);
	put_le64(blk + NVH_NR_SEGMENTS, g->nr_segments);
	put_le32(blk + NVH_NR_RANGES, g->nr_ranges);
	put_le32(blk + NVH_CSUM_ALGO, NVIMG_CSUM_XXH3);
	put_le64(blk + NVH_CHUNK_SIZE, NVIMG_CHUNK);
	put_le32(blk + NVH_ENTRY_SIZE, NVIMG_ENTRY_SIZE);
	put_le64(blk + NVH_TABLE_OFFSET, l->table_offset[im->copy]);
	put_le64(blk + NVH_TABLE_SIZE, l->table_size);
	put_le64(blk + NVH_DATA_OFFSET, l->data_offset);
	put_le64(blk + NVH_SLOT_SIZE, l->slot_size);
	put_le64(blk + NVH_IMAGE_SIZE, l->image_size);
	for (i = 0; i < g->nr_ranges; i++) {
		put_le64(blk + NVH_RANGES + 16 * i, g->range[i].offset);
		put_le64(blk + NVH_RANGES + 16 * i + 8, g->range[i].size);
	}
}

/*
 * Encode the header block (NVIMG_HDR_SIZE bytes) and the segment table
 * (layout.table_bytes bytes) of im, checksum last.  Bytes of blk that no
 * field uses are zeroed; table is written entry by entry.
 */
void nvimg_encode(const struct nvimg_image *im, uint8_t *blk, uint8_t *table)
{
	uint64_t i;

	memset(blk, 0, NVIMG_HDR_SIZE);
	memcpy(blk + NVH_MAGIC, NVIMG_MAGIC, 8);
	put_le32(blk + NVH_VERSION, NVIMG_VERSION);
	put_le32(blk + NVH_HDR_SIZE, NVIMG_HDR_SIZE);
	put_le32(blk + NVH_COPY, im->copy);
	put_le32(blk + NVH_FLAGS, im->flags);
	memcpy(blk + NVH_UUID, im->uuid, 16);
	put_le64(blk + NVH_GENERATION, im->generation);
	put_le64(blk + NVH_TIME, im->time_ns);
	put_le64(blk + NVH_SEGMENTS_WRITTEN, im->segments_written);
	encode_geom(im, blk);

	for (i = 0; i < im->geom.nr_segments; i++) {
		uint8_t *e = table + i * NVIMG_ENTRY_SIZE;

		put_le64(e + NVE_SIZE, im->table[i].size);
		put_le32(e + NVE_SLOT, im->table[i].slot);
		put_le32(e + NVE_RESERVED, 0);
		memcpy(e + NVE_CSUM, im->table[i].csum.b, 16);
	}
	put_le64(blk + NVH_CHECKSUM,
		 nvimg_hash_header(blk, NVH_CHECKSUM, table, im->layout.table_bytes));
}

static void decode_geom(const uint8_t *blk, struct nvimg_geom *g)
{
	uint32_t i;

	g->total_size = get_le64(blk + NVH_TOTAL_SIZE);
	g->data_size = get_le64(blk + NVH_DATA_SIZE);
	g->segment_size = get_le64(blk + NVH_SEGMENT_SIZE);
	g->nr_segments = get_le64(blk + NVH_NR_SEGMENTS);
	g->nr_ranges = get_le32(blk + NVH_NR_RANGES);
	for (i = 0; i < g->nr_ranges && i < NVIMG_MAX_RANGES; i++) {
		g->range[i].offset = get_le64(blk + NVH_RANGES + 16 * i);
		g->range[i].size = get_le64(blk + NVH_RANGES + 16 * i + 8);
	}
}

/* The recorded layout must be the one the geometry gives. */
static int check_layout(const uint8_t *blk, unsigned int copy,
			const struct nvimg_layout *l, char *why, size_t len)
{
	static const struct {
		unsigned int off;
		const char *name;
	} f[] = {
		{ NVH_TABLE_OFFSET, "table offset" },
		{ NVH_TABLE_SIZE, "table size" },
		{ NVH_DATA_OFFSET, "data offset" },
		{ NVH_SLOT_SIZE, "slot size" },
		{ NVH_IMAGE_SIZE, "image size" },
	};
	uint64_t want[] = {
		l->table_offset[copy], l->table_size, l->data_offset,
		l->slot_size, l->image_size,
	};
	unsigned int i;

	if (get_le32(blk + NVH_CSUM_ALGO) != NVIMG_CSUM_XXH3 ||
	    get_le64(blk + NVH_CHUNK_SIZE) != NVIMG_CHUNK ||
	    get_le32(blk + NVH_ENTRY_SIZE) != NVIMG_ENTRY_SIZE)
		return say(why, len, "unknown checksum algorithm or table format");
	for (i = 0; i < ARRAY_SIZE(f); i++)
		if (get_le64(blk + f[i].off) != want[i])
			return say(why, len, "%s %llu, the geometry gives %llu",
				   f[i].name, ULL(get_le64(blk + f[i].off)),
				   ULL(want[i]));
	return 0;
}

/*
 * Decode the header block of copy 0 (A) or 1 (B) into im and check
 * everything that does not need the table.  Returns NVIMG_VALID (the table
 * still has to be checked with nvimg_decode_table()), NVIMG_EMPTY or
 * NVIMG_CORRUPT, with the reason in why.
 */
int nvimg_decode_header(const uint8_t *blk, unsigned int copy,
			struct nvimg_image *im, char *why, size_t len)
{
	char geom_why[160];
	uint32_t v;

	memset(im, 0, sizeof(*im));
	if (memcmp(blk + NVH_MAGIC, NVIMG_MAGIC, 8)) {
		say(why, len, "no image header (no magic)");
		return NVIMG_EMPTY;
	}
	v = get_le32(blk + NVH_VERSION);
	if (v != NVIMG_VERSION) {
		say(why, len, "format version %u (this nvemu reads version %u)",
		    v, NVIMG_VERSION);
		return NVIMG_CORRUPT;
	}
	if (get_le32(blk + NVH_HDR_SIZE) != NVIMG_HDR_SIZE ||
	    get_le32(blk + NVH_COPY) != copy) {
		say(why, len, "bad header size or copy number");
		return NVIMG_CORRUPT;
	}
	im->copy = copy;
	im->flags = get_le32(blk + NVH_FLAGS);
	memcpy(im->uuid, blk + NVH_UUID, 16);
	im->generation = get_le64(blk + NVH_GENERATION);
	im->time_ns = get_le64(blk + NVH_TIME);
	im->segments_written = get_le64(blk + NVH_SEGMENTS_WRITTEN);
	decode_geom(blk, &im->geom);
	if (nvimg_geom_check(&im->geom, geom_why, sizeof(geom_why))) {
		say(why, len, "bad geometry: %s", geom_why);
		return NVIMG_CORRUPT;
	}
	nvimg_layout_init(&im->geom, &im->layout);
	if (check_layout(blk, copy, &im->layout, why, len))
		return NVIMG_CORRUPT;
	if (im->flags & ~NVIMG_F_ALL || !im->generation) {
		say(why, len, "unknown flags 0x%x or generation 0", im->flags);
		return NVIMG_CORRUPT;
	}
	return NVIMG_VALID;
}

static int decode_entry(const uint8_t *e, const struct nvimg_geom *g,
			uint64_t i, struct nvimg_entry *out)
{
	out->size = get_le64(e + NVE_SIZE);
	out->slot = get_le32(e + NVE_SLOT);
	memcpy(out->csum.b, e + NVE_CSUM, 16);
	return out->size != nvimg_segment_bytes(g, i) || out->slot > 1 ||
	       get_le32(e + NVE_RESERVED) ? -1 : 0;
}

/*
 * After nvimg_decode_header() returned NVIMG_VALID: check the header
 * checksum over blk and the table, and decode the table into im->table.
 * Returns NVIMG_VALID, NVIMG_CORRUPT (reason in why) or -ENOMEM.
 */
int nvimg_decode_table(const uint8_t *blk, const uint8_t *table,
		       struct nvimg_image *im, char *why, size_t len)
{
	uint64_t sum, i, n = im->geom.nr_segments;

	sum = nvimg_hash_header(blk, NVH_CHECKSUM, table, im->layout.table_bytes);
	if (sum != get_le64(blk + NVH_CHECKSUM)) {
		say(why, len, "header checksum mismatch (%016llx, computed %016llx)",
		    ULL(get_le64(blk + NVH_CHECKSUM)), ULL(sum));
		return NVIMG_CORRUPT;
	}
	im->table = calloc(n, sizeof(*im->table));
	if (!im->table)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (decode_entry(table + i * NVIMG_ENTRY_SIZE, &im->geom, i,
				 &im->table[i])) {
			say(why, len, "segment table entry %llu is invalid",
			    ULL(i));
			nvimg_free(im);
			return NVIMG_CORRUPT;
		}
	}
	return NVIMG_VALID;
}

void nvimg_free(struct nvimg_image *im)
{
	free(im->table);
	im->table = NULL;
}

/* The current copy: the valid one with the higher generation, or -1. */
int nvimg_pick(const int status[2], const struct nvimg_image im[2])
{
	if (status[0] == NVIMG_VALID && status[1] == NVIMG_VALID)
		return im[1].generation > im[0].generation;
	if (status[0] == NVIMG_VALID)
		return 0;
	if (status[1] == NVIMG_VALID)
		return 1;
	return -1;
}

/* A save writes its header into the copy that does not hold base. */
unsigned int nvimg_new_copy(const struct nvimg_image *base)
{
	return base ? !base->copy : 0;
}

/* ... and a segment it writes into the slot that base does not use. */
unsigned int nvimg_new_slot(const struct nvimg_image *base, uint64_t i)
{
	return base ? !base->table[i].slot : 0;
}
