/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu persistent processes: resume (a binfmt) and discard
 */
#ifndef _KERNEL_NVEMU_RESUME_H
#define _KERNEL_NVEMU_RESUME_H

#include <linux/types.h>

struct nvemu_area;
struct nvemu_half;

int nvemu_resume_init(void);
int nvemu_resume_discard(u64 id);
void nvemu_resume_program(struct nvemu_area *area, const struct nvemu_half *h,
			  char *buf, size_t len);

#endif /* _KERNEL_NVEMU_RESUME_H */
