/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - checksums of the image format (xxHash XXH3)
 */
#ifndef NVEMU_HASH_H
#define NVEMU_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An XXH3-128 digest as stored: low 64 bits, then high 64 bits, both LE. */
struct nv_csum {
	uint8_t b[16];
};

void nv_hash_chunk(const void *data, size_t len, struct nv_csum *out);
void nv_hash_segment(const struct nv_csum *chunk, uint64_t nr,
		    struct nv_csum *out);
uint64_t nv_hash_header(const void *blk, size_t blk_len, const void *table,
			size_t table_len);
bool nv_csum_eq(const struct nv_csum *a, const struct nv_csum *b);
void nv_csum_hex(const struct nv_csum *c, char out[33]);

#endif /* NVEMU_HASH_H */
