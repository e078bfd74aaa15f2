/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - parallel copy and checksum of segments
 */
#ifndef NVEMU_XFER_H
#define NVEMU_XFER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev.h"
#include "libnvemu.h"
#include "target.h"

#define NV_IO_SIZE	(4ULL << 20)	/* bytes per read or write */

enum xfer_op {
	XFER_HASH_NVM,		/* read the NVM, hash it */
	XFER_SAVE,		/* read the NVM, hash it, write the TARGET */
	XFER_HASH_IMAGE,	/* read the TARGET, hash it */
	XFER_RESTORE,		/* read the TARGET, check it, write the NVM */
	XFER_RESTORE_STAGED,	/* stage segments, write those that verify */
};

struct xfer {
	/* set by the caller */
	enum xfer_op op;
	const struct nvimg_geom *geom;
	struct nv_dev *dev;		/* NULL for XFER_HASH_IMAGE alone */
	struct nv_target *tgt;		/* NULL for XFER_HASH_NVM */
	const struct nvimg_layout *layout;
	const uint64_t *list;		/* the segments to process */
	uint64_t nr;
	const uint8_t *slot;		/* TARGET slot of each segment */
	struct nvimg_csum *chunk;		/* chunk digests, segment i at i * cpr */
	bool check;			/* compare with chunk[], do not store;
					 * not for XFER_RESTORE_STAGED
					 */
	/* XFER_RESTORE_STAGED only */
	const struct nvimg_entry *table;	/* the segment checksums to match */
	uint8_t *stage[2];		/* geom->segment_size bytes each */
	bool *failed;			/* per segment: failed, not written */
	unsigned int jobs;
	bool progress;			/* a progress bar on stderr */
	const char *label;
	/* results */
	uint64_t bytes_total;
	atomic_uint_fast64_t done;
	atomic_uint_fast64_t bytes_read;
	atomic_uint_fast64_t bytes_written;
	uint64_t nr_failed;		/* segments with failed[] set */
	/* private */
	atomic_bool stop;
	atomic_uint running;
	pthread_mutex_t lock;
	pthread_mutex_t gate;		/* held while the workers start */
	bool start_failed;
	pthread_barrier_t barrier;	/* XFER_RESTORE_STAGED: between steps */
	int status;
	char msg[512];
};

int xfer_run(struct xfer *x);

#endif /* NVEMU_XFER_H */
