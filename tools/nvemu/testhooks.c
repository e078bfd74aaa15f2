// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - hooks for tests, from NVEMU_TEST_* environment variables
 *
 * Built only with -DNVEMU_TEST_HOOKS (see testhooks.h).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
"                              exits with status 99 (a torn header write)\n";

static struct {
	bool time_set;
	bool uuid_set;
	bool torn_header;
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
