// SPDX-License-Identifier: GPL-2.0
/*
 * libnvemu - checksums of the image format
 *
 * xxHash (Debian's libxxhash-dev) is used in header-only mode, so the
 * static binaries need no libxxhash.a and the arm64 cross build only needs
 * the header.  This is the only file that includes it.
 *
 * A segment's checksum must not depend on how many workers read it, so it is
 * built from fixed 1 MiB chunks (NVIMG_CHUNK): each chunk gets its own
 * XXH3-128 digest, and the segment checksum is the XXH3-128 of the
 * concatenated chunk digests in chunk order, each stored as 16 bytes (low
 * 64 bits, then high 64 bits, little-endian).
 */
#include <stdio.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "libnvemu.h"
#include "le.h"

static void put_csum(XXH128_hash_t h, struct nvimg_csum *out)
{
	put_le64(out->b, h.low64);
	put_le64(out->b + 8, h.high64);
}

/* The digest of one chunk: XXH3-128, seed 0, of its bytes. */
void nvimg_hash_chunk(const void *data, size_t len, struct nvimg_csum *out)
{
	put_csum(XXH3_128bits(data, len), out);
}

/* The checksum of a segment: XXH3-128 of its chunk digests, in order. */
void nvimg_hash_segment(const struct nvimg_csum *chunk, uint64_t nr,
			struct nvimg_csum *out)
{
	put_csum(XXH3_128bits(chunk, nr * sizeof(*chunk)), out);
}

/* XXH3-64, seed 0, of the header block (without its checksum) + table. */
uint64_t nvimg_hash_header(const void *blk, size_t blk_len, const void *table,
			   size_t table_len)
{
	XXH3_state_t st;

	XXH3_64bits_reset(&st);
	XXH3_64bits_update(&st, blk, blk_len);
	XXH3_64bits_update(&st, table, table_len);
	return XXH3_64bits_digest(&st);
}

bool nvimg_csum_eq(const struct nvimg_csum *a, const struct nvimg_csum *b)
{
	return !memcmp(a->b, b->b, sizeof(a->b));
}

/* The 128-bit value in hex, most significant digit first. */
void nvimg_csum_hex(const struct nvimg_csum *c, char out[33])
{
	snprintf(out, 33, "%016llx%016llx",
		 (unsigned long long)get_le64(c->b + 8),
		 (unsigned long long)get_le64(c->b));
}
