// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the worker split (split.c): every byte of a segment is
 * covered exactly once, slices are 1 MiB aligned, the parts are equal but
 * for the last, and segment checksums do not depend on the number of
 * workers.  Also the NUMA cpulist parser and option parsing.  TAP output.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "libnvemu.h"
#include "numa.h"
#include "split.h"
#include "tap.h"
#include "util.h"

#define SZ_1M	BIT_ULL(20)

static const uint64_t sizes[] = {
	4096, SZ_1M - 4096, SZ_1M, SZ_1M + 4096, 3 * SZ_1M, 4 * SZ_1M,
	7 * SZ_1M + 8192, 64 * SZ_1M, 64 * SZ_1M - 4096, 100 * SZ_1M,
	1ULL << 30,
};

/* Slices of all workers: contiguous, in worker order, from 0 to bytes. */
static int covers(uint64_t bytes, unsigned int n, char *why, size_t len)
{
	uint64_t start, slen, end = 0, chunks, per;
	unsigned int j;

	chunks = bytes / SZ_1M + !!(bytes % SZ_1M);
	per = chunks / n;
	for (j = 0; j < n; j++) {
		nv_slice(bytes, n, j, &start, &slen);
		if (slen && start != end) {
			snprintf(why, len, "worker %u starts at %llu, not %llu",
				 j, ULL(start), ULL(end));
			return 0;
		}
		if (slen && start % SZ_1M) {
			snprintf(why, len, "worker %u starts unaligned", j);
			return 0;
		}
		if (j < n - 1 && slen != per * SZ_1M) {
			snprintf(why, len, "worker %u has %llu bytes, not %llu",
				 j, ULL(slen), ULL(per * SZ_1M));
			return 0;
		}
		if (slen)
			end = start + slen;
	}
	if (end != bytes) {
		snprintf(why, len, "the slices end at %llu", ULL(end));
		return 0;
	}
	return 1;
}

static void test_cover(void)
{
	unsigned int i, n, bad = 0;
	char why[200] = "";

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (n = 1; n <= 64; n++)
			if (!covers(sizes[i], n, why, sizeof(why))) {
				if (!bad++)
					printf("# %llu bytes, %u workers: %s\n",
					       ULL(sizes[i]), n, why);
			}
	ok(!bad,
	   "11 segment sizes x 1..64 workers: every byte exactly once, 1 MiB aligned, equal parts, the last takes the rest");
}

/* A byte-level check with a coverage map, on small sizes. */
static void test_cover_map(void)
{
	static uint8_t map[7 * SZ_1M + 8192];
	uint64_t start, len, k, bytes = sizeof(map);
	unsigned int n, j, bad = 0;

	for (n = 1; n <= 9; n++) {
		memset(map, 0, sizeof(map));
		for (j = 0; j < n; j++) {
			nv_slice(bytes, n, j, &start, &len);
			for (k = start; k < start + len; k++)
				map[k]++;
		}
		for (k = 0; k < bytes; k++)
			bad += map[k] != 1;
	}
	ok(!bad, "7 MiB + 8 KiB, 1..9 workers: each byte counted once");
}

static void test_examples(void)
{
	uint64_t s, l;

	nv_slice(64 * SZ_1M, 3, 0, &s, &l);
	ok(s == 0 && l == 21 * SZ_1M, "64 MiB / 3: worker 0 gets 21 MiB");
	nv_slice(64 * SZ_1M, 3, 2, &s, &l);
	ok(s == 42 * SZ_1M && l == 22 * SZ_1M, "64 MiB / 3: the last gets 22 MiB");
	nv_slice(2 * SZ_1M, 4, 0, &s, &l);
	ok(l == 0, "2 MiB / 4: the first workers get nothing");
	nv_slice(2 * SZ_1M, 4, 3, &s, &l);
	ok(s == 0 && l == 2 * SZ_1M, "2 MiB / 4: the last worker gets it all");
	nv_slice(SZ_1M + 4096, 2, 1, &s, &l);
	ok(s == SZ_1M && l == 4096, "1 MiB + 4 KiB / 2: the short chunk to the last");
	nv_slice(SZ_1M + 4096, 3, 2, &s, &l);
	ok(s == 0 && l == SZ_1M + 4096, "1 MiB + 4 KiB / 3: all to the last");
	nv_slice(4 * SZ_1M, 2, 1, &s, &l);
	ok(s == 2 * SZ_1M && l == 2 * SZ_1M, "4 MiB / 2: 2 MiB each");
}

/* What the workers compute: chunk digests of their slice. */
static void worker_hash(const uint8_t *data, uint64_t bytes, unsigned int n,
			struct nvimg_csum *chunk)
{
	uint64_t start, len, off, step;
	unsigned int j;

	for (j = n; j-- > 0;) {		/* any order */
		nv_slice(bytes, n, j, &start, &len);
		for (off = start; off < start + len; off += step) {
			step = len - (off - start) < SZ_1M ? len - (off - start) :
			       SZ_1M;
			nvimg_hash_chunk(data + off, step, &chunk[off / SZ_1M]);
		}
	}
}

static void test_independent(void)
{
	uint64_t bytes = 13 * SZ_1M + 12288, nchunks = 14;
	struct nvimg_csum chunk[14], ref, r;
	unsigned int n, bad = 0;
	uint8_t *data;
	uint64_t i;

	data = malloc(bytes);
	for (i = 0; i < bytes; i++)
		data[i] = (i * 0x9E3779B97F4A7C15ULL) >> 56;
	worker_hash(data, bytes, 1, chunk);
	nvimg_hash_segment(chunk, nchunks, &ref);
	for (n = 2; n <= 16; n++) {
		memset(chunk, 0, sizeof(chunk));
		worker_hash(data, bytes, n, chunk);
		nvimg_hash_segment(chunk, nchunks, &r);
		bad += !nvimg_csum_eq(&r, &ref);
	}
	ok(!bad, "segment checksum is the same for 1..16 workers");
	free(data);
}

static void test_cpulist(void)
{
	cpu_set_t set;

	ok(!nv_parse_cpulist("0-3,8,10-11\n", &set) && CPU_COUNT(&set) == 7 &&
	   CPU_ISSET(8, &set) && !CPU_ISSET(9, &set), "cpulist 0-3,8,10-11");
	ok(!nv_parse_cpulist("\n", &set) && !CPU_COUNT(&set), "empty cpulist");
	ok(nv_parse_cpulist("3-1", &set) && nv_parse_cpulist("a", &set) &&
	   nv_parse_cpulist("1;2", &set), "malformed cpulists are refused");
}

static void test_parse(void)
{
	unsigned int j;
	uint64_t v;

	ok(!nv_parse_size("4M", &v) && v == 4 * SZ_1M, "size 4M");
	ok(!nv_parse_size("64MiB", &v) && v == 64 * SZ_1M, "size 64MiB");
	ok(!nv_parse_size("1g", &v) && v == 1ULL << 30, "size 1g");
	ok(!nv_parse_size("4096", &v) && v == 4096, "size 4096");
	ok(nv_parse_size("4X", &v) && nv_parse_size("-1", &v) &&
	   nv_parse_size("", &v) && nv_parse_size("99999999999T", &v),
	   "bad sizes are refused");
	ok(!nv_parse_jobs("4", &j) && j == 4 && nv_parse_jobs("0", &j) &&
	   nv_parse_jobs("257", &j) && nv_parse_jobs("2x", &j),
	   "jobs 1..256");
}

int main(void)
{
	test_cover();
	test_cover_map();
	test_examples();
	test_independent();
	test_cpulist();
	test_parse();
	return tap_done();
}
