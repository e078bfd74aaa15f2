// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - the NVM: /dev/nvemuN, or a regular file for tests and dry runs
 *
 * For the character device, everything comes from its ioctls, through
 * libnvemu.  A regular file stands for an NVM of one range with no
 * metadata area: its segments are computed here (64 MiB, or
 * --segment-size), on no known NUMA node, and nothing is reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev.h"
#include "util.h"

static int open_fail(const char *path, int mode)
{
	int err = errno;

	nv_err("cannot open %s for %s: %s", path,
	       mode == NV_DEV_WRITE ? "writing" : "reading", strerror(err));
	if (err == EBUSY)
		fprintf(stderr,
			"  A namespace uses the NVM: disable it first (ndctl disable-region all),\n"
			"  or boot with nvemu.restore=wait so that nothing claims it before the restore.\n");
	return NV_EXIT_ERR;
}

static int file_geom(struct nv_dev *d, uint64_t size, uint64_t segment_size)
{
	struct nvimg_geom *g = &d->geom;
	char why[200];

	if (!size || size % 4096) {
		nv_err("%s: a device file must be a non-empty multiple of 4096 bytes (it has %llu)",
		       d->path, ULL(size));
		return NV_EXIT_ERR;
	}
	d->info.total_size = size;
	d->info.nr_ranges = 1;
	d->info.meta_offset = size;
	d->range[0].size = size;
	d->range[0].numa_node = -1;
	g->total_size = size;
	g->data_size = size;
	g->segment_size = segment_size ? segment_size : NV_FILE_SEGMENT_SIZE;
	g->nr_segments = size / g->segment_size + !!(size % g->segment_size);
	g->nr_ranges = 1;
	g->range[0].size = size;
	if (nvimg_geom_check(g, why, sizeof(why))) {
		nv_err("%s: %s", d->path, why);
		return NV_EXIT_ERR;
	}
	d->segment_node = malloc(g->nr_segments * sizeof(int));
	if (!d->segment_node) {
		nv_err("out of memory");
		return NV_EXIT_ERR;
	}
	memset(d->segment_node, 0xff, g->nr_segments * sizeof(int));
	return 0;
}

static int query_info(struct nv_dev *d)
{
	unsigned int i;
	int err;

	err = nvemu_get_info(d->fd, &d->info);
	if (err) {
		nv_err("%s: NVEMU_IOC_INFO: %s%s", d->path, strerror(-err),
		       err == -ENOTTY ? " (not an nvemu device?)" : "");
		return NV_EXIT_ERR;
	}
	if (!d->info.nr_ranges || d->info.nr_ranges > NVEMU_MAX_RANGES) {
		nv_err("%s: %u ranges, not 1 to %u", d->path,
		       d->info.nr_ranges, NVEMU_MAX_RANGES);
		return NV_EXIT_ERR;
	}
	for (i = 0; i < d->info.nr_ranges; i++) {
		err = nvemu_get_range(d->fd, i, &d->range[i]);
		if (err) {
			nv_err("%s: NVEMU_IOC_RANGE_INFO %u: %s", d->path, i,
			       strerror(-err));
			return NV_EXIT_ERR;
		}
	}
	return 0;
}

/*
 * NVEMU_IOC_STATE.  Not an error: metadata that belongs to other ranges,
 * so no state (ENODATA).
 */
static int query_state(struct nv_dev *d)
{
	int err = nvemu_get_state(d->fd, &d->state);

	d->has_state = !err;
	if (!err || err == -ENODATA)
		return 0;
	nv_err("%s: NVEMU_IOC_STATE: %s", d->path, strerror(-err));
	return NV_EXIT_ERR;
}

static int query_segments(struct nv_dev *d)
{
	struct nvimg_geom *g = &d->geom;
	struct nvemu_segment s;
	uint64_t i;
	int err;

	d->segment_node = malloc(g->nr_segments * sizeof(int));
	if (!d->segment_node) {
		nv_err("out of memory");
		return NV_EXIT_ERR;
	}
	for (i = 0; i < g->nr_segments; i++) {
		err = nvemu_get_segment(d->fd, i, &s);
		if (err) {
			nv_err("%s: NVEMU_IOC_SEGMENT %llu: %s", d->path,
			       ULL(i), strerror(-err));
			return NV_EXIT_ERR;
		}
		if (s.offset != i * g->segment_size ||
		    s.size != nvimg_segment_bytes(g, i)) {
			nv_err("%s: the kernel puts segment %llu at offset %llu, size %llu; expected %llu, %llu",
			       d->path, ULL(i), ULL(s.offset), ULL(s.size),
			       ULL(i * g->segment_size),
			       ULL(nvimg_segment_bytes(g, i)));
			return NV_EXIT_ERR;
		}
		d->segment_node[i] = s.numa_node;
	}
	return 0;
}

/* NVEMU_IOC_GEOMETRY and the segments. */
static int query_geom(struct nv_dev *d)
{
	struct nvemu_geometry kg;
	struct nvimg_geom *g = &d->geom;
	char why[200];
	unsigned int i;
	int err;

	err = nvemu_get_geometry(d->fd, &kg);
	if (err) {
		nv_err("%s: NVEMU_IOC_GEOMETRY: %s", d->path, strerror(-err));
		return NV_EXIT_ERR;
	}
	g->total_size = d->info.total_size;
	g->data_size = kg.data_size;
	g->segment_size = kg.segment_size;
	g->nr_segments = kg.nr_segments;
	g->nr_ranges = d->info.nr_ranges;
	for (i = 0; i < g->nr_ranges; i++) {
		g->range[i].offset = d->range[i].offset;
		g->range[i].size = d->range[i].size;
	}
	if (nvimg_geom_check(g, why, sizeof(why))) {
		nv_err("%s: unusable geometry from the kernel: %s", d->path, why);
		return NV_EXIT_ERR;
	}
	return query_segments(d);
}

/* Load the CPU sets of the nodes that hold segments, for pinning. */
static void load_node_cpus(struct nv_dev *d)
{
	uint64_t i;
	int n;

	d->max_node = -1;
	for (i = 0; i < d->geom.nr_segments; i++)
		if (d->segment_node[i] > d->max_node)
			d->max_node = d->segment_node[i];
	if (d->max_node < 0 || d->max_node > 4095)
		return;
	d->node_cpus = calloc(d->max_node + 1, sizeof(*d->node_cpus));
	if (!d->node_cpus)
		return;
	for (i = 0; i < d->geom.nr_segments; i++) {
		n = d->segment_node[i];
		if (n < 0 || d->node_cpus[n])
			continue;
		d->node_cpus[n] = malloc(sizeof(cpu_set_t));
		if (d->node_cpus[n] && nv_node_cpus(n, d->node_cpus[n])) {
			free(d->node_cpus[n]);
			d->node_cpus[n] = NULL;
		}
	}
}

static int open_chardev(struct nv_dev *d, uint64_t segment_size)
{
	int ret;

	if (segment_size) {
		nv_err("--segment-size applies only to a regular file as --device; %s takes the kernel's (nvemu.segment_size)",
		       d->path);
		return NV_EXIT_USAGE;
	}
	ret = query_info(d);
	if (!ret)
		ret = query_state(d);
	if (!ret)
		ret = query_geom(d);
	return ret;
}

/*
 * Open the NVM for reading or writing and learn its geometry.  Returns 0
 * or an exit status, with the message printed.
 */
int dev_open(struct nv_dev *d, const char *path, int mode,
	     uint64_t segment_size)
{
	struct stat st;
	int ret;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->max_node = -1;
	d->fd = open(path, (mode == NV_DEV_WRITE ? O_RDWR : O_RDONLY) |
		     O_CLOEXEC);
	if (d->fd < 0)
		return open_fail(path, mode);
	if (fstat(d->fd, &st)) {
		nv_err("%s: fstat: %s", path, strerror(errno));
		return NV_EXIT_ERR;
	}
	if (S_ISREG(st.st_mode)) {
		d->is_file = true;
		ret = file_geom(d, st.st_size, segment_size);
	} else if (S_ISCHR(st.st_mode)) {
		ret = open_chardev(d, segment_size);
	} else {
		nv_err("%s: not an nvemu character device nor a regular file",
		       path);
		ret = NV_EXIT_ERR;
	}
	if (!ret)
		load_node_cpus(d);
	return ret;
}

/*
 * Trade the descriptor open for writing for a read-only one: the kernel
 * cannot enable a namespace while the device is open for writing, and a
 * restore report lets it enable them.  0, or -1 with the message printed.
 */
int dev_downgrade(struct nv_dev *d)
{
	int fd;

	if (d->is_file || d->fd < 0)
		return 0;
	fd = open(d->path, O_RDONLY | O_CLOEXEC);
	close(d->fd);
	d->fd = fd;
	if (fd >= 0)
		return 0;
	nv_err("cannot open %s again for reading: %s", d->path,
	       strerror(errno));
	return -1;
}

void dev_close(struct nv_dev *d)
{
	int n;

	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	for (n = 0; d->node_cpus && n <= d->max_node; n++)
		free(d->node_cpus[n]);
	free(d->node_cpus);
	free(d->segment_node);
	d->node_cpus = NULL;
	d->segment_node = NULL;
}

/*
 * Tell the kernel what happened (NVEMU_IOC_REPORT).  Nothing to do for a
 * regular file; a warning if the kernel has no state to record it in
 * (ENODATA).  0, or -1 with the message printed.
 */
int dev_report(struct nv_dev *d, uint32_t event, uint32_t flags,
	       uint64_t generation, const uint8_t *uuid)
{
	int err;

	if (d->is_file || d->fd < 0)
		return 0;
	err = nvemu_report(d->fd, event, flags, generation, uuid);
	if (!err)
		return 0;
	if (err == -ENODATA) {
		nv_warn("%s: not reported (%s): the kernel keeps no save/restore state, its metadata belongs to other ranges",
			d->path, nvemu_event_name(event));
		return 0;
	}
	nv_err("%s: NVEMU_IOC_REPORT %s: %s", d->path, nvemu_event_name(event),
	       strerror(-err));
	return -1;
}

/*
 * Which segments may differ from the image (uuid, generation) that the
 * TARGET holds (NVEMU_IOC_CHANGED)?  bits: DIV_ROUND_UP(nr_segments, 64)
 * words.  0 with *valid set if the kernel knows; 0 with *valid clear if
 * it does not know since that image, keeps no state (ENODATA), another
 * save holds the record (EBUSY, with a warning), or the NVM is a file
 * (compare every segment); -1 with the message printed.  The save must
 * then report NVEMU_EV_SAVED or _SAVE_FAILED through d->fd.
 */
int dev_changed(struct nv_dev *d, const uint8_t *uuid, uint64_t generation,
		uint64_t *bits, bool *valid)
{
	int err;

	*valid = false;
	if (d->is_file || d->fd < 0)
		return 0;
	err = nvemu_changed(d->fd, uuid, generation, bits,
			    d->geom.nr_segments, valid);
	if (!err || err == -ENODATA)
		return 0;
	if (err == -EBUSY) {
		nv_warn("%s: another save holds the kernel's record of changes; comparing every segment",
			d->path);
		return 0;
	}
	nv_err("%s: NVEMU_IOC_CHANGED: %s", d->path, strerror(-err));
	return -1;
}

/*
 * One worker per NUMA node that holds ranges if there are several such
 * nodes, else one per CPU, at most 4.
 */
unsigned int dev_default_jobs(const struct nv_dev *d)
{
	unsigned int i, j, nodes = 0, cpus;

	for (i = 0; i < d->info.nr_ranges; i++) {
		if (d->range[i].numa_node < 0)
			continue;
		for (j = 0; j < i; j++)
			if (d->range[j].numa_node == d->range[i].numa_node)
				break;
		nodes += j == i;
	}
	if (nodes > 1)
		return nodes;
	cpus = nv_cpus();
	return cpus < 4 ? cpus : 4;
}
