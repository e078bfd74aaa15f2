/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - how the workers share a segment
 */
#ifndef NVEMU_SPLIT_H
#define NVEMU_SPLIT_H

#include <stdint.h>

void nv_slice(uint64_t bytes, unsigned int nr_workers, unsigned int worker,
	      uint64_t *start, uint64_t *len);

#endif /* NVEMU_SPLIT_H */
