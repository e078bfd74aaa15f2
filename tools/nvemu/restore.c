// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu restore - write the current image of a TARGET back into the NVM
 *
 * First, with nothing written yet: find the current image, and refuse it
 * if its geometry is not the NVM's, or if the TARGET is shorter than the
 * image (image_load() never takes a header whose image does not fit the
 * TARGET as valid).  Then one of two modes:
 *
 * - verify first (--verify-first): every segment is read from its slot on
 *   the TARGET and checked against the segment table before anything is
 *   written, so a damaged image is refused with the NVM untouched.  Then
 *   every segment is read again, each 1 MiB chunk is checked against the
 *   digest of the first pass, and only then written.  The image is read
 *   twice.
 * - single pass (--single-pass): each segment is read once into a staging
 *   buffer in DRAM and written to the NVM from there only if its checksum
 *   matches (XFER_RESTORE_STAGED in xfer.c).  A segment that fails is not
 *   written, the others are, and the restore fails with exit status 5: the
 *   NVM holds, segment by segment, either the image's data or what it held.
 *   Needs two staging buffers of segment_size bytes; without them, the
 *   restore verifies first.
 *
 * By default, single pass while the kernel's restore gate is closed (the
 * NVM lost its content, so there is nothing in it to keep), else verify
 * first (the NVM holds live data, which a partial restore would mix with
 * the image's).  Finally the NVM is synced and the kernel is told
 * (NVEMU_EV_RESTORED or NVEMU_EV_RESTORE_FAILED, which both open the
 * restore gate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"
#include "xfer.h"

#define RESTORE_ABANDON	(-2)	/* --if-present and nothing to restore */

enum restore_mode {
	MODE_AUTO,		/* single pass if a restore is pending */
	MODE_VERIFY_FIRST,
	MODE_SINGLE_PASS,
};

struct restore_opts {
	struct nv_common_opts c;	/* --jobs, --json, --quiet */
	const char *from;
	enum restore_mode mode;
	bool if_present;
	bool if_pending;
	bool abandon;
};

struct restore {
	const struct restore_opts *o;
	struct nv_dev *dev;
	struct nv_target tgt;
	struct nv_load ld;
	const struct nvimg_image *im;
	struct nvimg_csum *chunk;
	enum restore_mode mode;		/* the one used: not MODE_AUTO */
	uint8_t *stage[2];		/* single pass: segment_size bytes each */
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t segments_failed;	/* single pass: not written */
	bool partial;			/* single pass ran to its end, with
					 * segments_failed segments not written
					 */
};

static const char *mode_name(enum restore_mode m)
{
	return m == MODE_SINGLE_PASS ? "single-pass" : "verify-first";
}

static int parse(const struct nv_cmd *cmd, int argc, char **argv,
		 struct restore_opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "if-present", no_argument, NULL, 'P' },
		{ "if-pending", no_argument, NULL, 'G' },
		{ "verify-first", no_argument, NULL, 'V' },
		{ "single-pass", no_argument, NULL, 'S' },
		{ "abandon", no_argument, NULL, 'A' },
		NV_OPT_JOBS, NV_OPT_JSON, NV_OPT_QUIET, NV_OPT_HELP,
		{ }
	};
	enum restore_mode mode;
	int c, ret;

	optind = 0;	/* a new argv: reset getopt completely */
	while ((c = getopt_long(argc, argv, "f:" NV_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'f':
			o->from = optarg;
			break;
		case 'P':
			o->if_present = true;
			break;
		case 'G':
			o->if_pending = true;
			break;
		case 'V':
		case 'S':
			mode = c == 'V' ? MODE_VERIFY_FIRST : MODE_SINGLE_PASS;
			if (o->mode && o->mode != mode)
				return usage_error(cmd->name,
						   "--verify-first and --single-pass exclude each other");
			o->mode = mode;
			break;
		case 'A':
			o->abandon = true;
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
	if (!o->from && !o->abandon)
		return usage_error(cmd->name, "--from TARGET (or --abandon) is required");
	return 0;
}

/* Is there an image?  RESTORE_ABANDON if not and --if-present. */
static int find_image(struct restore *r)
{
	int ret;

	ret = target_open(&r->tgt, r->o->from, false);
	if (ret == NV_EXIT_NOIMAGE) {
		if (r->o->if_present) {
			nv_note("%s does not exist: nothing to restore",
				r->o->from);
			return RESTORE_ABANDON;
		}
		nv_err("%s does not exist", r->o->from);
	}
	if (!ret && nv_same_file(r->tgt.fd, r->dev->fd)) {
		nv_err("%s is the NVM itself", r->tgt.path);
		ret = NV_EXIT_USAGE;
	}
	if (!ret)
		ret = image_load(&r->tgt, &r->ld);
	if (ret)
		return ret;
	if (r->o->if_present && r->ld.status[0] == NVIMG_EMPTY &&
	    r->ld.status[1] == NVIMG_EMPTY) {
		nv_note("%s holds no nvemu image: nothing to restore",
			r->o->from);
		return RESTORE_ABANDON;
	}
	ret = image_current(&r->tgt, &r->ld);
	if (!ret)
		r->im = &r->ld.im[r->ld.cur];
	return ret;
}

/*
 * Is the kernel's restore gate closed?  Never for a regular file, nor
 * without state (ENODATA: the gate closes only over metadata of these
 * ranges).
 */
static bool restore_pending(const struct nv_dev *d)
{
	return d->has_state && (d->state.flags & NVEMU_STATE_RESTORE_PENDING);
}

static const char *not_pending_why(const struct nv_dev *d)
{
	if (d->is_file)
		return "a regular file has no restore gate (no restore pending)";
	if (!d->has_state)
		return "no restore gate over metadata of other ranges (no restore pending)";
	return "restore gate open (no restore pending)";
}

/* The mode to use, and the staging buffers of a single pass. */
static void choose_mode(struct restore *r)
{
	uint64_t len = r->im->geom.segment_size;
	unsigned int b;
	char s[32];
	void *p;

	r->mode = r->o->mode;
	if (r->mode == MODE_AUTO)
		r->mode = restore_pending(r->dev) ? MODE_SINGLE_PASS :
			  MODE_VERIFY_FIRST;
	if (r->mode != MODE_SINGLE_PASS)
		return;
	/* not touched here: a worker's slice goes to its NUMA node */
	for (b = 0; b < 2; b++) {
		if (len > SIZE_MAX || posix_memalign(&p, 4096, len))
			break;
		r->stage[b] = p;
	}
	if (b == 2)
		return;
	free(r->stage[0]);
	r->stage[0] = NULL;
	nv_note("%s: cannot allocate the 2 x %s of DRAM of a single pass: %s",
		r->dev->path, nv_bytes_str(len, s, sizeof(s)),
		"verifying first instead (the image is read twice)");
	r->mode = MODE_VERIFY_FIRST;
}

static void xfer_init(struct restore *r, struct xfer *x, enum xfer_op op)
{
	memset(x, 0, sizeof(*x));
	x->op = op;
	x->geom = &r->im->geom;
	x->dev = r->dev;
	x->tgt = &r->tgt;
	x->layout = &r->im->layout;
	x->nr = r->im->geom.nr_segments;
	x->jobs = r->o->c.jobs;
	x->progress = want_progress(r->o->c.quiet);
	x->label = "restore";
	x->list = segment_list(x->nr);
	x->slot = slot_array(r->im);
}

static void xfer_done(struct restore *r, struct xfer *x)
{
	r->bytes_read += x->bytes_read;
	r->bytes_written += x->bytes_written;
	free((void *)x->list);
	free((void *)x->slot);
}

/* Verify first: the second reading, checked against the first. */
static int copy_segments(struct restore *r)
{
	struct xfer x;
	int ret = NV_EXIT_ERR;

	xfer_init(r, &x, XFER_RESTORE);
	x.chunk = r->chunk;
	x.check = true;
	if (x.list && x.slot)
		ret = xfer_run(&x);
	xfer_done(r, &x);
	return ret;
}

/* Single pass: one line per segment not written, then the count. */
static void list_failed(const struct restore *r, const struct xfer *x)
{
	const struct nvimg_image *im = r->im;
	const struct nvimg_geom *g = &im->geom;
	uint64_t i;
	char got[33], want[33];
	struct nvimg_csum c;

	for (i = 0; i < g->nr_segments; i++) {
		if (!x->failed[i])
			continue;
		nvimg_segment_csum(g, x->chunk, i, &c);
		nvimg_csum_hex(&c, got);
		nvimg_csum_hex(&im->table[i].csum, want);
		nv_err("segment %llu not restored: NVM offsets %llu-%llu of %s keep what they held; its slot %u at offset %llu of %s has checksum %s, expected %s",
		       ULL(i), ULL(i * g->segment_size),
		       ULL(i * g->segment_size + nvimg_segment_bytes(g, i) - 1),
		       r->dev->path, im->table[i].slot,
		       ULL(nvimg_slot_offset(&im->layout, i, im->table[i].slot)),
		       r->tgt.path, got, want);
	}
	nv_err("%llu of %llu segments failed their checksum and were not written; the NVM holds the image's data elsewhere",
	       ULL(x->nr_failed), ULL(g->nr_segments));
}

/* Single pass: write the segments that verify, skip the others. */
static int single_pass(struct restore *r)
{
	struct xfer x;
	int ret = NV_EXIT_ERR;

	xfer_init(r, &x, XFER_RESTORE_STAGED);
	x.table = r->im->table;
	x.stage[0] = r->stage[0];
	x.stage[1] = r->stage[1];
	x.chunk = chunk_array(x.geom);
	x.failed = calloc(x.nr ? x.nr : 1, sizeof(*x.failed));
	if (!x.failed)
		nv_err("out of memory for %llu segments", ULL(x.nr));
	if (x.list && x.slot && x.chunk && x.failed)
		ret = xfer_run(&x);
	xfer_done(r, &x);
	if (!ret && x.nr_failed) {
		list_failed(r, &x);
		r->segments_failed = x.nr_failed;
		r->partial = true;
		ret = NV_EXIT_CHECKSUM;
	} else if (ret && r->bytes_written) {
		nv_err("%s is partly restored: the segments written hold verified data of the image",
		       r->dev->path);
	} else if (ret) {
		nv_err("nothing restored: %s is untouched", r->dev->path);
	}
	free(x.chunk);
	free(x.failed);
	return ret;
}

static int sync_nvm(const struct nv_dev *d)
{
	if (!fsync(d->fd))
		return 0;
	nv_err("%s: fsync: %s", d->path, strerror(errno));
	return NV_EXIT_ERR;
}

static int do_restore(struct restore *r)
{
	int ret;

	ret = find_image(r);
	if (!ret)
		ret = check_geometry(r->im, &r->tgt, r->dev);
	if (!ret)
		choose_mode(r);
	if (!ret && r->mode == MODE_VERIFY_FIRST)
		ret = check_image(&r->tgt, r->dev, r->im, r->o->c.jobs,
				  want_progress(r->o->c.quiet), &r->chunk,
				  &r->bytes_read);
	if (ret) {
		if (ret != RESTORE_ABANDON)
			nv_err("nothing restored: %s is untouched",
			       r->dev->path);
		return ret;
	}
	if (r->mode == MODE_SINGLE_PASS)
		ret = single_pass(r);
	else
		ret = copy_segments(r);
	/* also after a partial restore: what was written is to stay */
	if ((!ret || r->partial) && sync_nvm(r->dev)) {
		r->partial = false;
		ret = NV_EXIT_ERR;
	}
	return ret;
}

/* On success, and after a single pass that left failed segments out. */
static void print_summary(const struct restore *r, double t0)
{
	uint64_t nr = r->im->geom.nr_segments;
	struct nv_summary s = {
		.command = "restore",
		.target = r->tgt.path,
		.device = r->dev->path,
		.im = r->im,
		.bytes_total = r->im->geom.data_size,
		.bytes_read = r->bytes_read,
		.bytes_written = r->bytes_written,
		.segments = nr,
		.segments_written = nr - r->segments_failed,
		.seconds = nv_mono() - t0,
		.jobs = r->o->c.jobs,
		.direct = atomic_load(&r->tgt.direct),
	};
	char b[32];

	if (r->o->c.json) {
		summary_json_begin(&s);
		printf(",\"mode\":\"%s\",\"segments_failed\":%llu",
		       mode_name(r->mode), ULL(r->segments_failed));
		summary_json_end(&s);
	} else if (!r->o->c.quiet) {
		printf("restored generation %llu from %s%s: ",
		       ULL(r->im->generation), r->tgt.path,
		       r->segments_failed ? " in part" : "");
		if (r->segments_failed)
			printf("%llu of ", ULL(s.segments_written));
		printf("%llu segments (%s) verified and written to %s; ",
		       ULL(nr), nv_bytes_str(s.bytes_written, b, sizeof(b)),
		       r->dev->path);
		if (r->segments_failed)
			printf("%llu failed their checksum, not written; ",
			       ULL(r->segments_failed));
		printf("%s, %.2f s, %.1f MB/s, %u jobs\n", mode_name(r->mode),
		       s.seconds, summary_rate(&s, s.bytes_written),
		       r->o->c.jobs);
	}
}

/* --abandon, or --if-present without an image: open the gate. */
static int abandon(struct nv_dev *d)
{
	if (dev_report(d, NVEMU_EV_RESTORE_ABANDONED, 0, 0, NULL))
		return NV_EXIT_ERR;
	nv_note("restore abandoned: the NVM keeps its content%s",
		d->is_file ? "" : "; the kernel may now use it");
	return 0;
}

static int restore_abandon(const struct nv_global *g)
{
	struct nv_dev dev;
	int ret;

	ret = dev_open(&dev, g->device, NV_DEV_READ, g->segment_size);
	if (!ret)
		ret = abandon(&dev);
	dev_close(&dev);
	return ret;
}

/* --if-pending: 0 if a restore is pending, -1 if not (said), or an error. */
static int check_pending(const struct nv_global *g)
{
	struct nv_dev dev;
	int ret;

	ret = dev_open(&dev, g->device, NV_DEV_READ, g->segment_size);
	if (!ret && !restore_pending(&dev)) {
		nv_note("%s: %s: nothing to restore", dev.path,
			not_pending_why(&dev));
		ret = -1;
	}
	dev_close(&dev);
	return ret;
}

static int run(struct restore *r, double t0)
{
	int ret = do_restore(r);

	if (dev_downgrade(r->dev))
		return ret ? ret : NV_EXIT_ERR;
	if (ret == RESTORE_ABANDON)
		return abandon(r->dev);
	if (ret) {
		dev_report(r->dev, NVEMU_EV_RESTORE_FAILED, 0, 0, NULL);
		if (r->partial)
			print_summary(r, t0);
		return ret;
	}
	/* an image saved at shutdown: that shutdown was clean */
	if (dev_report(r->dev, NVEMU_EV_RESTORED,
		       r->im->flags & NVIMG_F_SHUTDOWN ?
		       NVEMU_REPORT_F_SHUTDOWN : 0, r->im->generation,
		       r->im->uuid))
		return NV_EXIT_ERR;
	print_summary(r, t0);
	return 0;
}

int cmd_restore(const struct nv_cmd *cmd, const struct nv_global *g,
		int argc, char **argv)
{
	struct restore_opts o = { 0 };
	struct restore r = { .o = &o };
	double t0 = nv_mono();
	struct nv_dev dev;
	int ret;

	r.tgt.fd = -1;
	r.ld.cur = -1;
	ret = parse(cmd, argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	nv_quiet = o.c.quiet;
	if (o.if_pending) {
		ret = check_pending(g);
		if (ret)
			return ret < 0 ? 0 : ret;
	}
	if (o.abandon)
		return restore_abandon(g);
	ret = dev_open(&dev, g->device, NV_DEV_WRITE, g->segment_size);
	if (!ret) {
		if (!o.c.jobs)
			o.c.jobs = dev_default_jobs(&dev);
		r.dev = &dev;
		ret = run(&r, t0);
	}
	target_close(&r.tgt);
	image_load_free(&r.ld);
	free(r.chunk);
	free(r.stage[0]);
	free(r.stage[1]);
	dev_close(&dev);
	return ret;
}
