// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu save - write the NVM to an image on a TARGET
 *
 * The image on the TARGET before the save (the "base") stays intact and
 * current until the very last write:
 *
 * 1. With a base of the same geometry (and without --full), hash the NVM;
 *    a segment whose checksum equals the base's is not written again: the
 *    new image keeps its slot and checksum.  If the kernel knows which
 *    segments may have changed since the base (NVEMU_IOC_CHANGED: the base
 *    is the image last saved or restored), only those are read and
 *    hashed; the others keep the base's slot and checksum unread.
 * 2. Write every other segment into the slot the base does not use for it
 *    (slot 0 if there is no base), hashing what is written.
 * 3. fdatasync; write the new segment table and then the new header
 *    (generation + 1) into the header copy that does not hold the base,
 *    fdatasync after each.
 *
 * A power cut before the header is on disk leaves the base current; a torn
 * header fails its checksum.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"
#include "xfer.h"

struct save_opts {
	struct nv_common_opts c;	/* --jobs, --json, --quiet */
	const char *to;
	bool full;
	bool shutdown;
	bool force;
	bool compare_all;
};

struct save {
	const struct save_opts *o;
	struct nv_dev *dev;
	struct nv_target tgt;
	struct nv_load ld;
	const struct nvimg_image *base;	/* NULL: none usable */
	struct nvimg_image img;		/* the image being written */
	bool wipe;			/* clear the old headers first */
	bool wiped;			/* ... and that has begun */
	uint64_t *todo;			/* segments to write */
	uint64_t nr_todo;
	uint8_t *slot;			/* where each segment goes */
	struct nvimg_csum *chunk;
	uint64_t *changed;		/* NVEMU_IOC_CHANGED's bitmap */
	bool known;			/* ... is valid for the base */
	uint64_t compared;		/* segments read to find changes */
	uint64_t bytes_read;
	uint64_t bytes_written;
};

static int parse(const struct nv_cmd *cmd, int argc, char **argv,
		 struct save_opts *o)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "full", no_argument, NULL, 'F' },
		{ "shutdown", no_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "compare-all", no_argument, NULL, 'C' },
		NV_OPT_JOBS, NV_OPT_JSON, NV_OPT_QUIET, NV_OPT_HELP,
		{ }
	};
	int c, ret;

	optind = 0;	/* a new argv: reset getopt completely */
	while ((c = getopt_long(argc, argv, "t:" NV_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			o->to = optarg;
			break;
		case 'F':
			o->full = true;
			break;
		case 'S':
			o->shutdown = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'C':
			o->compare_all = true;
			break;
		default:
			ret = common_option(cmd, c, &o->c);
			if (ret)
				return ret;
		}
	}
	if (optind != argc)
		return usage_error(cmd->name, "unexpected argument '%s'",
				   argv[optind]);
	if (!o->to)
		return usage_error(cmd->name, "--to TARGET is required");
	return 0;
}

/* Which image to build on, and the new image's identity. */
static int choose_base(struct save *s)
{
	const struct nvimg_image *cur = NULL;
	char why[200];

	if (s->ld.cur >= 0)
		cur = &s->ld.im[s->ld.cur];
	if (cur && nvimg_geom_compare(&cur->geom, &s->dev->geom, why,
				      sizeof(why))) {
		if (!s->o->full) {
			nv_err("%s holds an image of another geometry (%s); nvemu save --full replaces it",
			       s->tgt.path, why);
			return NV_EXIT_GEOMETRY;
		}
		nv_note("%s: replacing an image of another geometry (%s)",
			s->tgt.path, why);
		s->wipe = true;
		cur = NULL;
	}
	s->base = cur;
	if (cur)
		memcpy(s->img.uuid, cur->uuid, 16);
	else if (nv_new_uuid(s->img.uuid))
		return NV_EXIT_ERR;
	s->img.copy = nvimg_new_copy(cur);
	s->img.generation = s->ld.max_generation + 1;
	s->img.time_ns = nv_time_ns();
	s->img.flags = s->o->shutdown ? NVIMG_F_SHUTDOWN : 0;
	return 0;
}

static int open_target(struct save *s)
{
	int ret;

	s->img.geom = s->dev->geom;
	nvimg_layout_init(&s->img.geom, &s->img.layout);
	ret = target_open(&s->tgt, s->o->to, true);
	if (!ret && nv_same_file(s->tgt.fd, s->dev->fd)) {
		nv_err("%s is the NVM itself", s->tgt.path);
		ret = NV_EXIT_USAGE;
	}
	if (!ret)
		ret = target_prepare(&s->tgt, s->img.layout.image_size);
	if (!ret)
		ret = image_load(&s->tgt, &s->ld);
	if (!ret)
		ret = choose_base(s);
	return ret;
}

static void xfer_init(struct save *s, struct xfer *x, enum xfer_op op)
{
	memset(x, 0, sizeof(*x));
	x->op = op;
	x->geom = &s->img.geom;
	x->dev = s->dev;
	x->tgt = &s->tgt;
	x->layout = &s->img.layout;
	x->slot = s->slot;
	x->chunk = s->chunk;
	x->jobs = s->o->c.jobs;
	x->progress = want_progress(s->o->c.quiet);
}

/*
 * Ask the kernel what changed since the base, before anything is read.
 * Also for a full save: its report makes the new image the reference.
 */
static int take_changes(struct save *s)
{
	const struct nvimg_image *b = s->base;
	uint64_t words = (s->img.geom.nr_segments + 63) / 64;

	s->changed = calloc(words, sizeof(*s->changed));
	if (!s->changed) {
		nv_err("out of memory for %llu segments",
		       ULL(s->img.geom.nr_segments));
		return NV_EXIT_ERR;
	}
	if (dev_changed(s->dev, b ? b->uuid : NULL, b ? b->generation : 0,
			s->changed, &s->known))
		return NV_EXIT_ERR;
	if (s->o->compare_all)
		s->known = false;
	return 0;
}

static bool may_have_changed(const struct save *s, uint64_t i)
{
	return !s->known || (s->changed[i / 64] >> (i % 64) & 1);
}

/*
 * Incremental: hash the segments that may have changed, keep those the
 * base has already.
 */
static int find_changes(struct save *s)
{
	uint64_t i, k, n = s->img.geom.nr_segments, *list;
	struct nvimg_entry *e;
	struct xfer x;
	int ret = 0;

	list = malloc(n * sizeof(*list));
	if (!list) {
		nv_err("out of memory for %llu segments", ULL(n));
		return NV_EXIT_ERR;
	}
	for (i = 0; i < n; i++)
		if (may_have_changed(s, i))
			list[s->compared++] = i;
	if (s->compared) {
		xfer_init(s, &x, XFER_HASH_NVM);
		x.list = list;
		x.nr = s->compared;
		x.label = "hash";
		ret = xfer_run(&x);
		s->bytes_read += x.bytes_read;
	}
	for (i = 0, k = 0; !ret && i < n; i++) {
		e = &s->img.table[i];
		e->slot = s->base->table[i].slot;
		if (k < s->compared && list[k] == i) {
			k++;
			nvimg_segment_csum(&s->img.geom, s->chunk, i,
					   &e->csum);
			if (nvimg_csum_eq(&e->csum, &s->base->table[i].csum))
				continue;
			e->slot = nvimg_new_slot(s->base, i);
			s->todo[s->nr_todo++] = i;
		} else {
			e->csum = s->base->table[i].csum;
		}
	}
	free(list);
	return ret;
}

/* Full: every segment, into the slot the base does not use. */
static void all_changed(struct save *s)
{
	uint64_t i;

	for (i = 0; i < s->img.geom.nr_segments; i++) {
		s->img.table[i].slot = nvimg_new_slot(s->base, i);
		s->todo[s->nr_todo++] = i;
	}
	s->img.flags |= NVIMG_F_FULL;
}

static int write_segments(struct save *s, bool hashed)
{
	struct xfer x;
	uint64_t n;
	int ret;

	for (n = 0; n < s->img.geom.nr_segments; n++)
		s->slot[n] = s->img.table[n].slot;
	xfer_init(s, &x, XFER_SAVE);
	x.list = s->todo;
	x.nr = s->nr_todo;
	x.check = hashed;
	x.label = "save";
	ret = xfer_run(&x);
	s->bytes_read += x.bytes_read;
	s->bytes_written += x.bytes_written;
	if (ret || hashed)
		return ret;
	for (n = 0; n < s->nr_todo; n++)
		nvimg_segment_csum(&s->img.geom, s->chunk, s->todo[n],
				   &s->img.table[s->todo[n]].csum);
	return 0;
}

static int alloc_arrays(struct save *s)
{
	const struct nvimg_geom *g = &s->img.geom;
	uint64_t i;

	s->img.table = calloc(g->nr_segments, sizeof(*s->img.table));
	s->todo = malloc(g->nr_segments * sizeof(*s->todo));
	s->slot = malloc(g->nr_segments);
	s->chunk = chunk_array(g);
	if (!s->img.table || !s->todo || !s->slot || !s->chunk) {
		nv_err("out of memory for %llu segments", ULL(g->nr_segments));
		return NV_EXIT_ERR;
	}
	for (i = 0; i < g->nr_segments; i++)
		s->img.table[i].size = nvimg_segment_bytes(g, i);
	return 0;
}

static int save_data(struct save *s)
{
	bool incremental = s->base && !s->o->full;
	int ret;

	ret = alloc_arrays(s);
	if (!ret)
		ret = take_changes(s);
	if (ret)
		return ret;
	if (incremental)
		ret = find_changes(s);
	else
		all_changed(s);
	if (!ret && s->wipe) {
		s->wiped = true;
		ret = image_wipe(&s->tgt);
	}
	if (!ret)
		ret = write_segments(s, incremental);
	s->img.segments_written = s->nr_todo;
	return ret;
}

static int check_state(const struct nv_dev *d, bool force)
{
	if (!d->has_state)
		return 0;
	if (d->state.flags & NVEMU_STATE_RESTORE_PENDING) {
		nv_err("%s: a restore is pending (nvemu.restore=wait): the NVM does not hold its data yet, and saving it would replace the image; restore first, or nvemu restore --abandon",
		       d->path);
		return NV_EXIT_ERR;
	}
	/* after a failed restore the NVM may hold anything: keep the image */
	if ((d->state.flags & NVEMU_STATE_RESTORE_FAIL) && !force) {
		nv_err("%s: the last restore failed (health: restore_fail), so the NVM may not hold the data the image should keep; not saving (--force saves anyway)",
		       d->path);
		return NV_EXIT_ERR;
	}
	return 0;
}

static int do_save(struct save *s)
{
	int ret;

	ret = check_state(s->dev, s->o->force);
	if (!ret)
		ret = open_target(s);
	if (!ret)
		ret = save_data(s);
	if (!ret)
		ret = target_sync(&s->tgt, "writing the segments");
	if (!ret)
		ret = image_store(&s->tgt, &s->img);
	return ret;
}

static void print_summary(const struct save *s, double t0)
{
	uint64_t r = s->img.geom.nr_segments;
	struct nv_summary sum = {
		.command = "save",
		.target = s->tgt.path,
		.device = s->dev->path,
		.im = &s->img,
		.bytes_total = s->img.geom.data_size,
		.bytes_read = s->bytes_read,
		.bytes_written = s->bytes_written,
		.segments = r,
		.segments_written = s->nr_todo,
		.segments_skipped = r - s->nr_todo,
		.seconds = nv_mono() - t0,
		.jobs = s->o->c.jobs,
		.direct = atomic_load(&s->tgt.direct),
	};
	char b[32];

	if (s->o->c.json) {
		summary_json_begin(&sum);
		printf(",\"full\":%s,\"shutdown\":%s",
		       s->img.flags & NVIMG_F_FULL ? "true" : "false",
		       s->o->shutdown ? "true" : "false");
		printf(",\"changes_known\":%s,\"segments_compared\":%llu",
		       s->known ? "true" : "false", ULL(s->compared));
		summary_json_end(&sum);
	} else if (!s->o->c.quiet) {
		printf("saved generation %llu to %s: ",
		       ULL(s->img.generation), s->tgt.path);
		printf("%llu of %llu segments written (%s), %llu unchanged skipped; ",
		       ULL(s->nr_todo), ULL(r),
		       nv_bytes_str(s->bytes_written, b, sizeof(b)),
		       ULL(r - s->nr_todo));
		if (s->known && !(s->img.flags & NVIMG_F_FULL))
			printf("%llu compared, the kernel knew the others unchanged; ",
			       ULL(s->compared));
		printf("%.2f s, %.1f MB/s, %u jobs\n", sum.seconds,
		       summary_rate(&sum, s->bytes_written), s->o->c.jobs);
	}
}

static void save_failed(const struct save *s)
{
	if (s->ld.cur >= 0 && !s->wiped)
		nv_err("save to %s failed; its image of generation %llu is still the current one",
		       s->o->to, ULL(s->ld.im[s->ld.cur].generation));
	else
		nv_err("save to %s failed", s->o->to);
}

static void save_free(struct save *s)
{
	target_close(&s->tgt);
	image_load_free(&s->ld);
	free(s->img.table);
	free(s->todo);
	free(s->slot);
	free(s->chunk);
	free(s->changed);
}

int cmd_save(const struct nv_cmd *cmd, const struct nv_global *g,
	     int argc, char **argv)
{
	struct save_opts o = { 0 };
	struct save s = { .o = &o };
	double t0 = nv_mono();
	struct nv_dev dev;
	int ret;

	ret = parse(cmd, argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	nv_quiet = o.c.quiet;
	ret = dev_open(&dev, g->device, NV_DEV_READ, g->segment_size);
	if (ret) {
		dev_close(&dev);
		return ret;
	}
	if (!o.c.jobs)
		o.c.jobs = dev_default_jobs(&dev);
	s.dev = &dev;
	s.ld.cur = -1;
	s.tgt.fd = -1;
	ret = do_save(&s);
	if (ret) {
		save_failed(&s);
		dev_report(&dev, NVEMU_EV_SAVE_FAILED, 0, 0, NULL);
	} else if (dev_report(&dev, NVEMU_EV_SAVED,
			      o.shutdown ? NVEMU_REPORT_F_SHUTDOWN : 0,
			      s.img.generation, s.img.uuid)) {
		ret = NV_EXIT_ERR;
	} else {
		print_summary(&s, t0);
	}
	save_free(&s);
	dev_close(&dev);
	return ret;
}
