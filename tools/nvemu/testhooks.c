// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - hooks for tests, from NVEMU_TEST_* environment variables
 *
 * Built only with -DNVEMU_TEST_HOOKS (see testhooks.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libnvemu.h"
#include "target.h"
#include "testhooks.h"
#include "util.h"

const char nv_test_help[] =
"\n"
"ENVIRONMENT\n"
"    This is a test build (nvemu-test): it reads these variables.  The\n"
"    nvemu command of a production build has none of them.\n"
"    NVEMU_TEST_TIME=NS        image time, in ns since the epoch\n"
"    NVEMU_TEST_UUID=HEX       uuid of a new image lineage (32 hex digits)\n"
"    NVEMU_TEST_CRASH_AFTER_BYTES=N\n"
"                              save exits with status 99 once N bytes of\n"
"                              segment data are written (a simulated crash)\n"
"    NVEMU_TEST_TORN_HEADER=1  save writes half of the new header, then\n"
"                              exits with status 99 (a torn header write)\n"
"    NVEMU_TEST_PROC=MODE      a fake /dev/nvemu_proc, without a kernel:\n"
"                              fake (an area of 8 slots holding processes\n"
"                              7 running, 9 interrupted, 12 resumable and\n"
"                              another user's, 13 damaged; run arms id 21\n"
"                              and executes the program normally; resume\n"
"                              fails for 7 EBUSY, 12 EPERM, 13 EUCLEAN,\n"
"                              30 ESTALE, 31 EXDEV, and executes the real\n"
"                              ticket for 9), full (the same, but run gets\n"
"                              ENOSPC), empty (an area with no process),\n"
"                              noarea (the open fails with ENODEV)\n";

static struct {
	bool time_set;
	bool uuid_set;
	bool torn_header;
	const char *proc;		/* NVEMU_TEST_PROC, NULL: not set */
	uint64_t time_ns;
	uint64_t crash_after;		/* UINT64_MAX: never */
	uint8_t uuid[16];
} hooks = { .crash_after = UINT64_MAX };

/* Data bytes written to TARGETs, for NVEMU_TEST_CRASH_AFTER_BYTES. */
static atomic_uint_fast64_t data_written;

static int parse_uuid(const char *s, uint8_t uuid[16])
{
	unsigned int i = 0, v;

	for (; *s && i < 32; s++) {
		if (*s == '-')
			continue;
		if (sscanf(s, "%1x", &v) != 1)
			return -1;
		uuid[i / 2] = (uuid[i / 2] << 4) | v;
		i++;
	}
	return i == 32 && !*s ? 0 : -1;
}

/* Read the environment: 0, or -1 with the message printed. */
int nv_test_init(void)
{
	const char *s;

	s = getenv("NVEMU_TEST_TIME");
	if (s && *s) {
		if (nv_parse_u64(s, &hooks.time_ns))
			goto bad;
		hooks.time_set = true;
	}
	s = getenv("NVEMU_TEST_UUID");
	if (s && *s) {
		if (parse_uuid(s, hooks.uuid))
			goto bad;
		hooks.uuid_set = true;
	}
	s = getenv("NVEMU_TEST_CRASH_AFTER_BYTES");
	if (s && *s && nv_parse_u64(s, &hooks.crash_after))
		goto bad;
	s = getenv("NVEMU_TEST_TORN_HEADER");
	hooks.torn_header = s && !strcmp(s, "1");
	s = getenv("NVEMU_TEST_PROC");
	if (s && *s) {
		if (strcmp(s, "fake") && strcmp(s, "full") &&
		    strcmp(s, "empty") && strcmp(s, "noarea"))
			goto bad;
		hooks.proc = s;
	}
	return 0;
bad:
	nv_err("bad value '%s' in an NVEMU_TEST_* environment variable", s);
	return -1;
}

/* NVEMU_TEST_TIME: true with *ns set, false if not given. */
bool nv_test_time(uint64_t *ns)
{
	if (hooks.time_set)
		*ns = hooks.time_ns;
	return hooks.time_set;
}

/* NVEMU_TEST_UUID: true with uuid set, false if not given. */
bool nv_test_uuid(uint8_t uuid[16])
{
	if (hooks.uuid_set)
		memcpy(uuid, hooks.uuid, 16);
	return hooks.uuid_set;
}

/* After len bytes of segment data were written to a TARGET. */
void nv_test_data_written(size_t len)
{
	if (hooks.crash_after == UINT64_MAX)
		return;
	if (atomic_fetch_add(&data_written, len) + len >= hooks.crash_after)
		_exit(NV_EXIT_CRASH);
}

/*
 * Before the header block blk is written at off: NVEMU_TEST_TORN_HEADER
 * writes its first half over the old second half, syncs and exits.
 */
void nv_test_header_write(struct nv_target *t, uint8_t *blk, uint64_t off)
{
	uint8_t *old;

	if (!hooks.torn_header)
		return;
	old = nv_alloc_io(NVIMG_HDR_SIZE);
	if (old && !target_read(t, old, NVIMG_HDR_SIZE, off)) {
		memcpy(blk + NVIMG_HDR_SIZE / 2, old + NVIMG_HDR_SIZE / 2,
		       NVIMG_HDR_SIZE / 2);
		target_write(t, blk, NVIMG_HDR_SIZE, off);
		fdatasync(t->fd);
	}
	_exit(NV_EXIT_CRASH);
}

/* The processes of NVEMU_TEST_PROC=fake, by slot; id 0: a free slot. */
static void fake_info(struct nvemu_proc_info *p)
{
	static const struct {
		uint64_t id;
		const char *name, *program;
		uint32_t state, flags, signal, reruns;
		bool foreign;
		int pid;
	} fake[8] = {
		[0] = { 7, "counter", "/usr/bin/counter", NVEMU_PROC_RUNNING,
			0, 0, 0, false, 4242 },
		[2] = { 9, "say \"hi\"\\", "/opt/a b/persist",
			NVEMU_PROC_INTERRUPTED,
			NVEMU_PROC_F_IN_SYSCALL | NVEMU_PROC_F_VLT, 0, 2, false,
			0 },
		[3] = { 12, "theirs", "/usr/bin/theirs", NVEMU_PROC_RESUMABLE,
			0, 15, 0, true, 0 },
		[5] = { 13, "broken", "/usr/bin/broken", NVEMU_PROC_DAMAGED,
			0, 0, 0, false, 0 },
	};
	uint32_t i = p->index;

	if (i >= ARRAY_SIZE(fake) || !fake[i].id)
		return;
	p->id = fake[i].id;
	snprintf(p->name, sizeof(p->name), "%s", fake[i].name);
	snprintf(p->program, sizeof(p->program), "%s", fake[i].program);
	p->uid = getuid() + fake[i].foreign;
	p->gid = getgid();
	p->pid = fake[i].pid;
	p->state = fake[i].state;
	p->generation = 100 + fake[i].id;
	p->commit_time_ns = 1700000000123456789ULL + fake[i].id;
	p->mem_bytes = fake[i].id << 23;
	p->commits = 99 + fake[i].id;
	p->commit_bytes = fake[i].id * 1000000007ULL;
	p->interval_ms = 1000;
	p->stop_signal = fake[i].signal;
	p->proc_flags = fake[i].flags;
	p->vlt_reruns = fake[i].reruns;
}

/* -errno of a faked resume, or 1: execute the real ticket */
static int fake_resume(uint64_t id)
{
	switch (id) {
	case 7:
		return -EBUSY;
	case 9:
		return 1;
	case 12:
		return -EPERM;
	case 13:
		return -EUCLEAN;
	case 30:
		return -ESTALE;
	case 31:
		return -EXDEV;
	}
	return -ENOENT;
}

/*
 * NVEMU_TEST_PROC: fake the call op to /dev/nvemu_proc, with its result
 * in *ret; false if not set (the real device is used).
 */
bool nv_test_proc(enum nv_proc_op op, void *arg, int *ret)
{
	bool empty = hooks.proc && !strcmp(hooks.proc, "empty");
	struct nvemu_proc_area *a = arg;
	struct nvemu_proc_info *p = arg;
	struct nvemu_proc_arm *arm = arg;
	uint64_t id;

	if (!hooks.proc)
		return false;
	*ret = 0;
	switch (op) {
	case NV_PROC_OPEN:
		*ret = strcmp(hooks.proc, "noarea") ?
		       open("/dev/null", O_RDONLY | O_CLOEXEC) : -ENODEV;
		break;
	case NV_PROC_AREA:
		memset(a, 0, sizeof(*a));
		a->size = 1ULL << 30;
		a->pool_pages = 253952;
		a->pool_free = empty ? 253952 : 200000;
		a->page_size = 4096;
		a->nr_slots = 8;
		a->slots_used = empty ? 0 : 4;
		a->flags = NVEMU_PROC_AREA_PRESENT;
		a->default_interval_ms = NVEMU_PROC_INTERVAL_DEFAULT;
		break;
	case NV_PROC_ARM:
		if (!strcmp(hooks.proc, "full"))
			*ret = -ENOSPC;
		else if (arm->interval_ms &&
			 (arm->interval_ms < NVEMU_PROC_INTERVAL_MIN ||
			  arm->interval_ms > NVEMU_PROC_INTERVAL_MAX))
			*ret = -EINVAL;
		else
			arm->id = 21;
		break;
	case NV_PROC_INFO:
		id = p->index;
		memset(p, 0, sizeof(*p));
		p->index = id;
		if (!empty)
			fake_info(p);
		if (!p->id)
			*ret = -ENOENT;
		break;
	case NV_PROC_DISCARD:
		memcpy(&id, arg, sizeof(id));
		*ret = id == 7 ? -EBUSY : id == 12 ? -EPERM :
		       id == 9 || id == 13 ? 0 : -ENOENT;
		break;
	case NV_PROC_RESUME:
		memcpy(&id, arg, sizeof(id));
		*ret = fake_resume(id);
		return *ret != 1;
	}
	return true;
}
