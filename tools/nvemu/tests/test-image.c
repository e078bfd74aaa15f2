// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the nvemu image format (image.c, hash.c): layout,
 * header and table encoding and decoding, checksum validation, the choice
 * of header copy and slot, the geometry comparison.  TAP output.
 */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "le.h"
#include "tap.h"

#define SZ_1M	0x100000ULL

static void geom_init(struct nvimg_geom *g, uint64_t size, uint64_t segment)
{
	memset(g, 0, sizeof(*g));
	g->total_size = size;
	g->data_size = size;
	g->segment_size = segment;
	g->nr_segments = size / segment + !!(size % segment);
	g->nr_ranges = 1;
	g->range[0].size = size;
}

/* Two ranges, the data ending 16 MiB before the end, as on a device. */
static void geom_dev(struct nvimg_geom *g)
{
	memset(g, 0, sizeof(*g));
	g->total_size = 384 * SZ_1M;
	g->data_size = 368 * SZ_1M;
	g->segment_size = 64 * SZ_1M;
	g->nr_segments = 6;
	g->nr_ranges = 2;
	g->range[0].size = 256 * SZ_1M;
	g->range[1].offset = 256 * SZ_1M;
	g->range[1].size = 128 * SZ_1M;
}

static void image_init(struct nvimg_image *im, const struct nvimg_geom *g,
		       unsigned int copy, uint64_t gen)
{
	uint64_t i;

	memset(im, 0, sizeof(*im));
	im->copy = copy;
	im->generation = gen;
	im->time_ns = 1700000000123456789ULL;
	im->flags = NVIMG_F_SHUTDOWN;
	im->segments_written = 3;
	for (i = 0; i < 16; i++)
		im->uuid[i] = 0xa0 + i;
	im->geom = *g;
	nvimg_layout_init(g, &im->layout);
	im->table = calloc(g->nr_segments, sizeof(*im->table));
	for (i = 0; i < g->nr_segments; i++) {
		im->table[i].size = nvimg_segment_bytes(g, i);
		im->table[i].slot = i % 2;
		memset(im->table[i].csum.b, (int)(i * 7 + 1), 16);
	}
}

static void test_layout(void)
{
	struct nvimg_geom g;
	struct nvimg_layout l;

	geom_init(&g, 200 * SZ_1M, 4 * SZ_1M);
	ok(!nvimg_geom_check(&g, NULL, 0), "200 MiB in 4 MiB segments is valid");
	nvimg_layout_init(&g, &l);
	ok(l.table_bytes == 50 * 32 && l.table_size == SZ_1M,
	   "table: 50 entries of 32 bytes in 1 MiB");
	ok(l.table_offset[0] == 2 * SZ_1M && l.table_offset[1] == 3 * SZ_1M,
	   "tables at 2 MiB and 3 MiB");
	ok(l.data_offset == 4 * SZ_1M && l.slot_size == 4 * SZ_1M,
	   "data at 4 MiB, 4 MiB slots");
	ok(l.image_size == 4 * SZ_1M + 2 * 50 * 4 * SZ_1M, "image size 404 MiB");
	ok(nvimg_slot_offset(&l, 0, 0) == 4 * SZ_1M &&
	   nvimg_slot_offset(&l, 49, 0) == 4 * SZ_1M + 49 * 4 * SZ_1M &&
	   nvimg_slot_offset(&l, 0, 1) == 4 * SZ_1M + 50 * 4 * SZ_1M &&
	   nvimg_slot_offset(&l, 49, 1) == 4 * SZ_1M + 99 * 4 * SZ_1M,
	   "slot 0 of all segments, then slot 1 of all segments");

	geom_init(&g, 10 * SZ_1M + 12288, 4 * SZ_1M);
	nvimg_layout_init(&g, &l);
	ok(g.nr_segments == 3 && nvimg_segment_bytes(&g, 2) == 2 * SZ_1M + 12288 &&
	   nvimg_segment_bytes(&g, 3) == 0, "a short last segment");
	ok(nvimg_segment_chunks(&g, 2) == 3 && nvimg_chunks_per_segment(&g) == 4,
	   "chunks of a short segment");
	ok(l.slot_size == 4 * SZ_1M, "the last segment's slot is a full slot");

	geom_init(&g, 64 * SZ_1M, 64 * 1024);
	nvimg_layout_init(&g, &l);
	ok(l.slot_size == SZ_1M && l.table_size == SZ_1M &&
	   nvimg_chunks_per_segment(&g) == 1,
	   "segments smaller than 1 MiB: 1 MiB slots, one chunk");

	geom_init(&g, 1ULL << 40, 1ULL << 20);
	nvimg_layout_init(&g, &l);
	ok(!nvimg_geom_check(&g, NULL, 0) && l.table_size == 32 * SZ_1M &&
	   l.data_offset == 66 * SZ_1M, "1 TiB in 1 MiB segments: 32 MiB tables");
}

static void test_geom_check(void)
{
	struct nvimg_geom g;
	char why[200];

	geom_dev(&g);
	ok(!nvimg_geom_check(&g, why, sizeof(why)),
	   "two ranges with a metadata area are valid");
	g.segment_size = 48 * SZ_1M;
	ok(nvimg_geom_check(&g, why, sizeof(why)) && strstr(why, "power of two"),
	   "segment size not a power of two: %s", why);
	geom_dev(&g);
	g.data_size += 512;
	ok(nvimg_geom_check(&g, why, sizeof(why)), "data size not 4K aligned: %s",
	   why);
	geom_dev(&g);
	g.nr_segments = 5;
	ok(nvimg_geom_check(&g, why, sizeof(why)), "wrong segment count: %s", why);
	geom_dev(&g);
	g.range[1].offset += 4096;
	ok(nvimg_geom_check(&g, why, sizeof(why)), "a gap between ranges: %s",
	   why);
	geom_dev(&g);
	g.total_size += 128 * SZ_1M;
	ok(nvimg_geom_check(&g, why, sizeof(why)),
	   "ranges do not add up to the total: %s", why);
	geom_dev(&g);
	g.nr_ranges = 0;
	ok(nvimg_geom_check(&g, why, sizeof(why)), "no range: %s", why);
	geom_dev(&g);
	g.data_size = g.total_size + 4096;
	ok(nvimg_geom_check(&g, why, sizeof(why)), "data beyond the total: %s",
	   why);
}

static void test_geom_compare(void)
{
	struct nvimg_geom a, b;
	char why[200];

	geom_dev(&a);
	b = a;
	ok(!nvimg_geom_compare(&a, &b, why, sizeof(why)), "same geometry");
	b.data_size -= 64 * SZ_1M;
	ok(nvimg_geom_compare(&a, &b, why, sizeof(why)) == 1 &&
	   strstr(why, "data size"), "other data size: %s", why);
	b = a;
	b.segment_size = 32 * SZ_1M;
	b.nr_segments = 12;
	ok(nvimg_geom_compare(&a, &b, why, sizeof(why)) == 1 &&
	   strstr(why, "segment size"), "other segment size: %s", why);
	b = a;
	b.range[0].size = 128 * SZ_1M;
	b.range[1].offset = 128 * SZ_1M;
	b.range[1].size = 256 * SZ_1M;
	ok(nvimg_geom_compare(&a, &b, why, sizeof(why)) == 1 &&
	   strstr(why, "range 0"), "same total, other ranges: %s", why);
	b = a;
	b.nr_ranges = 1;
	b.range[0].size = a.total_size;
	ok(nvimg_geom_compare(&a, &b, why, sizeof(why)) == 1,
	   "one range instead of two: %s", why);
}

static uint8_t blk[NVIMG_HDR_SIZE];
static uint8_t table[64 * 32];

static void test_encode_fields(void)
{
	struct nvimg_image im;
	struct nvimg_geom g;

	geom_dev(&g);
	image_init(&im, &g, 1, 42);
	nvimg_encode(&im, blk, table);
	ok(!memcmp(blk, "NVEMUIMG", 8), "magic at 0");
	ok(get_le32(blk + 0x08) == 1 && get_le32(blk + 0x0c) == 4096 &&
	   get_le32(blk + 0x10) == 1 && get_le32(blk + 0x14) == 1,
	   "version, header size, copy, flags at 0x08-0x17");
	ok(blk[0x18] == 0xa0 && blk[0x27] == 0xaf, "uuid at 0x18");
	ok(get_le64(blk + 0x28) == 42 &&
	   get_le64(blk + 0x30) == 1700000000123456789ULL,
	   "generation at 0x28, time at 0x30");
	ok(get_le64(blk + 0x38) == 384 * SZ_1M && get_le64(blk + 0x40) == 368 * SZ_1M &&
	   get_le64(blk + 0x48) == 64 * SZ_1M && get_le64(blk + 0x50) == 6 &&
	   get_le32(blk + 0x58) == 2, "geometry at 0x38-0x5b");
	ok(get_le32(blk + 0x5c) == 1 && get_le64(blk + 0x60) == SZ_1M &&
	   get_le32(blk + 0x68) == 32, "algorithm, chunk and entry size");
	ok(get_le64(blk + 0x70) == 3 * SZ_1M && get_le64(blk + 0x78) == SZ_1M &&
	   get_le64(blk + 0x80) == 4 * SZ_1M && get_le64(blk + 0x88) == 64 * SZ_1M &&
	   get_le64(blk + 0x90) == 4 * SZ_1M + 12 * 64 * SZ_1M &&
	   get_le64(blk + 0x98) == 3, "layout of copy B at 0x70-0x9f");
	ok(get_le64(blk + 0x100) == 0 && get_le64(blk + 0x108) == 256 * SZ_1M &&
	   get_le64(blk + 0x110) == 256 * SZ_1M && get_le64(blk + 0x118) == 128 * SZ_1M,
	   "ranges at 0x100");
	ok(get_le64(table + 5 * 32) == 48 * SZ_1M && get_le32(table + 5 * 32 + 8) == 1 &&
	   table[5 * 32 + 16] == 36, "table entry 5: size, slot, checksum");
	ok(get_le64(blk + 0xff8) == nvimg_hash_header(blk, 0xff8, table, 6 * 32),
	   "header checksum in the last 8 bytes");
	nvimg_free(&im);
}

static void test_round_trip(void)
{
	struct nvimg_image im, out;
	struct nvimg_geom g;
	char why[200];
	uint64_t i;
	int same = 1;

	geom_dev(&g);
	image_init(&im, &g, 0, 7);
	nvimg_encode(&im, blk, table);
	ok(nvimg_decode_header(blk, 0, &out, why, sizeof(why)) == NVIMG_VALID,
	   "header decodes");
	ok(out.generation == 7 && out.time_ns == im.time_ns &&
	   out.flags == NVIMG_F_SHUTDOWN && out.segments_written == 3 &&
	   !memcmp(out.uuid, im.uuid, 16) &&
	   !memcmp(&out.layout, &im.layout, sizeof(out.layout)) &&
	   !nvimg_geom_compare(&out.geom, &g, NULL, 0),
	   "header fields survive");
	ok(nvimg_decode_table(blk, table, &out, why, sizeof(why)) == NVIMG_VALID,
	   "table decodes, checksum matches");
	for (i = 0; i < g.nr_segments; i++)
		same &= out.table[i].size == im.table[i].size &&
			out.table[i].slot == im.table[i].slot &&
			nvimg_csum_eq(&out.table[i].csum, &im.table[i].csum);
	ok(same, "table entries survive");
	nvimg_free(&out);
	ok(nvimg_decode_header(blk, 1, &out, why, sizeof(why)) == NVIMG_CORRUPT,
	   "copy A's header read as copy B is refused: %s", why);
	nvimg_free(&im);
}

/* Flip each byte of the header block and of the table in turn. */
static void test_corruption(void)
{
	int status, bad_hdr = 0, bad_table = 0;
	struct nvimg_image im, out;
	struct nvimg_geom g;
	char why[200];
	unsigned int i;

	geom_dev(&g);
	image_init(&im, &g, 0, 7);
	nvimg_encode(&im, blk, table);
	for (i = 0; i < NVIMG_HDR_SIZE; i++) {
		blk[i] ^= 0x10;
		status = nvimg_decode_header(blk, 0, &out, why, sizeof(why));
		if (status == NVIMG_VALID)
			status = nvimg_decode_table(blk, table, &out, why,
						    sizeof(why));
		bad_hdr += status == NVIMG_VALID;
		nvimg_free(&out);
		blk[i] ^= 0x10;
	}
	ok(!bad_hdr, "every flipped header byte is detected (%d missed)",
	   bad_hdr);
	for (i = 0; i < 6 * 32; i++) {
		table[i] ^= 0x01;
		nvimg_decode_header(blk, 0, &out, NULL, 0);
		bad_table += nvimg_decode_table(blk, table, &out, NULL, 0) ==
			     NVIMG_VALID;
		nvimg_free(&out);
		table[i] ^= 0x01;
	}
	ok(!bad_table, "every flipped table byte is detected (%d missed)",
	   bad_table);
	memset(blk, 0, sizeof(blk));
	ok(nvimg_decode_header(blk, 0, &out, why, sizeof(why)) == NVIMG_EMPTY,
	   "zeros are no header: %s", why);
	nvimg_encode(&im, blk, table);
	put_le32(blk + NVH_VERSION, 2);
	ok(nvimg_decode_header(blk, 0, &out, why, sizeof(why)) == NVIMG_CORRUPT &&
	   strstr(why, "version 2"), "an unknown version is refused: %s", why);
	nvimg_free(&im);
}

static void test_pick(void)
{
	struct nvimg_image im[2];
	int st[2];

	memset(im, 0, sizeof(im));
	im[0].generation = 5;
	im[1].generation = 6;
	st[0] = NVIMG_VALID;
	st[1] = NVIMG_VALID;
	ok(nvimg_pick(st, im) == 1, "both valid: the higher generation (B)");
	im[0].generation = 7;
	ok(nvimg_pick(st, im) == 0, "both valid: the higher generation (A)");
	st[0] = NVIMG_CORRUPT;
	ok(nvimg_pick(st, im) == 1, "A corrupt: B, though older");
	st[0] = NVIMG_VALID;
	st[1] = NVIMG_TRUNCATED;
	ok(nvimg_pick(st, im) == 0, "B truncated: A");
	st[0] = NVIMG_EMPTY;
	st[1] = NVIMG_CORRUPT;
	ok(nvimg_pick(st, im) == -1, "no valid copy: none");
}

static void test_slots(void)
{
	struct nvimg_image base;
	struct nvimg_geom g;

	geom_init(&g, 16 * SZ_1M, 4 * SZ_1M);
	image_init(&base, &g, 1, 3);
	ok(nvimg_new_copy(NULL) == 0 && nvimg_new_slot(NULL, 3) == 0,
	   "no base: copy A, slot 0");
	ok(nvimg_new_copy(&base) == 0, "base in copy B: new header in copy A");
	base.copy = 0;
	ok(nvimg_new_copy(&base) == 1, "base in copy A: new header in copy B");
	ok(nvimg_new_slot(&base, 0) == 1 && nvimg_new_slot(&base, 1) == 0,
	   "a segment goes into the slot the base does not use");
	nvimg_free(&base);
}

static void test_hash(void)
{
	static uint8_t data[3 * SZ_1M];
	struct nvimg_csum c, chunk[3], all[8], r1, r2;
	struct nvimg_geom g;
	unsigned int i;

	/* Known answers of XXH3-128 and XXH3-64 on no bytes */
	nvimg_hash_chunk("", 0, &c);
	ok(get_le64(c.b) == 0x6001C324468D497FULL &&
	   get_le64(c.b + 8) == 0x99AA06D3014798D8ULL,
	   "XXH3-128 of nothing, stored low then high, little-endian");
	ok(nvimg_hash_header("", 0, "", 0) == 0x2D06800538D394C2ULL,
	   "XXH3-64 of nothing");
	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 2654435761U >> 24;
	for (i = 0; i < 3; i++)
		nvimg_hash_chunk(data + i * SZ_1M, SZ_1M, &chunk[i]);
	nvimg_hash_segment(chunk, 3, &r1);
	nvimg_hash_chunk(chunk, sizeof(chunk), &r2);
	ok(nvimg_csum_eq(&r1, &r2),
	   "segment checksum = XXH3-128 of the concatenated chunk digests");
	geom_init(&g, 7 * SZ_1M, 4 * SZ_1M);
	memset(all, 0, sizeof(all));
	memcpy(all + 4, chunk, sizeof(chunk));
	nvimg_segment_csum(&g, all, 1, &r2);
	ok(nvimg_csum_eq(&r1, &r2),
	   "segment 1 of 4 MiB + 3 MiB: its 3 chunk digests at 4 * 1");
	data[2 * SZ_1M + 5] ^= 1;
	nvimg_hash_chunk(data + 2 * SZ_1M, SZ_1M, &chunk[2]);
	nvimg_hash_segment(chunk, 3, &r2);
	ok(!nvimg_csum_eq(&r1, &r2), "one flipped bit changes the segment checksum");
}

int main(void)
{
	test_layout();
	test_geom_check();
	test_geom_compare();
	test_encode_fields();
	test_round_trip();
	test_corruption();
	test_pick();
	test_slots();
	test_hash();
	return tap_done();
}
