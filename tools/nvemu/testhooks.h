/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - hooks for tests, from NVEMU_TEST_* environment variables
 *
 * Only in test builds (-DNVEMU_TEST_HOOKS: `make tools-test`, and
 * nvemu-test in the guest): a pinned time and uuid, so that images can be
 * compared byte for byte, simulated crashes during a save, and a fake
 * /dev/nvemu_proc for the persistent-process commands.  Without
 * it, these are stubs that do nothing and the environment is not read.
 */
#ifndef NVEMU_TESTHOOKS_H
#define NVEMU_TESTHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nv_target;

/* The calls to /dev/nvemu_proc that nv_test_proc() may fake */
enum nv_proc_op {
	NV_PROC_OPEN,		/* arg unused; *ret: a descriptor or -errno */
	NV_PROC_AREA,		/* struct nvemu_proc_area * */
	NV_PROC_ARM,		/* struct nvemu_proc_arm * */
	NV_PROC_INFO,		/* struct nvemu_proc_info *, index set */
	NV_PROC_DISCARD,	/* uint64_t *id */
	NV_PROC_RESUME,		/* uint64_t *id: the ticket's execveat() */
};

#define NV_EXIT_CRASH	99	/* the exit status of a simulated crash */

#ifdef NVEMU_TEST_HOOKS

extern const char nv_test_help[];

int nv_test_init(void);
bool nv_test_time(uint64_t *ns);
bool nv_test_uuid(uint8_t uuid[16]);
void nv_test_data_written(size_t len);
void nv_test_header_write(struct nv_target *t, uint8_t *blk, uint64_t off);
bool nv_test_proc(enum nv_proc_op op, void *arg, int *ret);

#else /* !NVEMU_TEST_HOOKS */

#define nv_test_help	""

static inline int nv_test_init(void)
{
	return 0;
}

static inline bool nv_test_time(uint64_t *ns)
{
	(void)ns;
	return false;
}

static inline bool nv_test_uuid(uint8_t uuid[16])
{
	(void)uuid;
	return false;
}

static inline void nv_test_data_written(size_t len)
{
	(void)len;
}

static inline void nv_test_header_write(struct nv_target *t, uint8_t *blk,
					uint64_t off)
{
	(void)t;
	(void)blk;
	(void)off;
}

static inline bool nv_test_proc(enum nv_proc_op op, void *arg, int *ret)
{
	(void)op;
	(void)arg;
	(void)ret;
	return false;
}

#endif /* NVEMU_TEST_HOOKS */

#endif /* NVEMU_TESTHOOKS_H */
