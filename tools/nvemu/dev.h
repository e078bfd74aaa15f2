/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - the NVM: /dev/nvemuN, or a regular file for tests and dry runs
 */
#ifndef NVEMU_DEV_H
#define NVEMU_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "libnvemu.h"
#include "numa.h"

#define NV_DEFAULT_DEVICE	"/dev/nvemu0"
#define NV_FILE_SEGMENT_SIZE	(64ULL << 20)

enum { NV_DEV_READ, NV_DEV_WRITE };

struct nv_dev {
	const char *path;
	int fd;
	bool is_file;		/* a regular file: no ioctls */
	bool has_state;		/* else a file, or the metadata belongs to
				 * other ranges (NVEMU_IOC_STATE: ENODATA)
				 */
	struct nvemu_info info;
	struct nvemu_range_info range[NVEMU_MAX_RANGES];
	struct nvemu_state state;
	struct nvimg_geom geom;
	int *segment_node;	/* NUMA node of each segment, -1: unknown */
	int max_node;
	cpu_set_t **node_cpus;	/* [0..max_node], NULL: do not pin */
};

int dev_open(struct nv_dev *d, const char *path, int mode,
	     uint64_t segment_size);
int dev_downgrade(struct nv_dev *d);
void dev_close(struct nv_dev *d);
int dev_report(struct nv_dev *d, uint32_t event, uint32_t flags,
	       uint64_t generation, const uint8_t *uuid);
int dev_changed(struct nv_dev *d, const uint8_t *uuid, uint64_t generation,
		uint64_t *bits, bool *valid);
unsigned int dev_default_jobs(const struct nv_dev *d);

#endif /* NVEMU_DEV_H */
