/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - the TARGET (block device or regular file) and its image headers
 */
#ifndef NVEMU_TARGET_H
#define NVEMU_TARGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "libnvemu.h"

struct nv_target {
	const char *path;
	int fd;
	bool is_blk;
	bool created;		/* save created the file */
	uint64_t size;
	atomic_bool direct;	/* O_DIRECT is on */
};

/* Both header copies as found on the TARGET. */
struct nv_load {
	struct nvimg_image im[2];
	int status[2];		/* enum nvimg_status */
	char why[2][200];
	int cur;		/* the current copy, -1: none */
	uint64_t max_generation;	/* of the valid copies */
	uint64_t trunc_generation;	/* of truncated copies, 0: none */
	uint64_t trunc_size;		/* image size such a copy needs */
};

int target_open(struct nv_target *t, const char *path, bool write);
void target_close(struct nv_target *t);
int target_prepare(struct nv_target *t, uint64_t need);
int target_read(struct nv_target *t, void *buf, size_t len, uint64_t off);
int target_write(struct nv_target *t, const void *buf, size_t len,
		 uint64_t off);
int target_sync(struct nv_target *t, const char *what);

int image_load(struct nv_target *t, struct nv_load *ld);
void image_load_free(struct nv_load *ld);
int image_current(const struct nv_target *t, const struct nv_load *ld);
int image_store(struct nv_target *t, const struct nvimg_image *im);
int image_wipe(struct nv_target *t);

#endif /* NVEMU_TARGET_H */
