// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - how the workers share a segment
 *
 * Every worker owns a fixed slice of every segment: the segment's 1 MiB
 * checksum chunks (NVIMG_CHUNK) are split into nr_workers runs of
 * chunks / nr_workers chunks each, in worker order, and the last worker also
 * takes the rest.  A slice therefore starts on a chunk boundary, so a chunk
 * is never split between two workers and the chunk digests, and with them
 * the segment checksums, do not depend on the number of workers.  The same
 * byte of every segment of the same size always goes to the same worker.
 */
#include "libnvemu.h"
#include "split.h"

/* The slice [*start, *start + *len) of a segment of bytes for worker. */
void nv_slice(uint64_t bytes, unsigned int nr_workers, unsigned int worker,
	      uint64_t *start, uint64_t *len)
{
	uint64_t chunks = bytes / NVIMG_CHUNK + !!(bytes % NVIMG_CHUNK);
	uint64_t per = chunks / nr_workers;
	uint64_t first = per * worker;
	uint64_t last = worker == nr_workers - 1 ? chunks : first + per;
	uint64_t s = first * NVIMG_CHUNK, e = last * NVIMG_CHUNK;

	if (s > bytes)
		s = bytes;
	if (e > bytes)
		e = bytes;
	*start = s;
	*len = e - s;
}
