// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu restore - write the current image of a TARGET back into the NVM
 *
 * Strategy: verify first.  Every region is read from its slot on the
 * TARGET and checked against the region table before anything is written
 * to the NVM, so a damaged image, a wrong geometry or a truncated TARGET
 * is refused with the NVM untouched.  Then every region is read again,
 * each 1 MiB chunk is checked against the digest of the first pass, and
 * only then written to the NVM.  Finally the NVM is synced and the kernel
 * is told (NVEMU_EV_RESTORED, which also opens the restore gate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"
#include "xfer.h"

#define RESTORE_ABANDON	(-2)	/* --if-present and nothing to restore */

struct restore_opts {
	const char *from;
	unsigned int jobs;
	bool json;
	bool quiet;
	bool if_present;
	bool abandon;
};

struct restore {
	const struct restore_opts *o;
	struct nv_dev *dev;
	struct nv_target tgt;
	struct nv_load ld;
	const struct nv_image *im;
	struct nv_csum *chunk;
	uint64_t bytes_read;
	uint64_t bytes_written;
};

static int parse(int argc, char **argv, struct restore_opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "if-present", no_argument, NULL, 'P' },
		{ "abandon", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	optind = 0;	/* a new argv: reset getopt completely */
	while ((c = getopt_long(argc, argv, "f:j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->from = optarg;
			break;
		case 'j':
			if (nv_parse_jobs(optarg, &o->jobs))
				return usage_error("restore", "--jobs takes 1 to 256, not '%s'",
						   optarg);
			break;
		case 'J':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'P':
			o->if_present = true;
			break;
		case 'A':
			o->abandon = true;
			break;
		case 'h':
			help_restore(stdout);
			return -1;
		default:
			return NV_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("restore", "unexpected argument '%s'",
				   argv[optind]);
	if (!o->from && !o->abandon)
		return usage_error("restore", "--from TARGET (or --abandon) is required");
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

static int check_geometry(const struct restore *r)
{
	char why[200];

	if (!nvimg_geom_compare(&r->im->geom, &r->dev->geom, why, sizeof(why)))
		return 0;
	nv_err("the image on %s does not fit %s: %s", r->tgt.path,
	       r->dev->path, why);
	return NV_EXIT_GEOMETRY;
}

static int copy_regions(struct restore *r)
{
	struct xfer x;
	int ret = NV_EXIT_ERR;

	memset(&x, 0, sizeof(x));
	x.op = XFER_RESTORE;
	x.geom = &r->im->geom;
	x.dev = r->dev;
	x.tgt = &r->tgt;
	x.layout = &r->im->layout;
	x.nr = r->im->geom.nr_regions;
	x.chunk = r->chunk;
	x.check = true;
	x.jobs = r->o->jobs;
	x.progress = want_progress(r->o->quiet);
	x.label = "restore";
	x.list = region_list(x.nr);
	x.slot = slot_array(r->im);
	if (x.list && x.slot)
		ret = xfer_run(&x);
	r->bytes_read += x.bytes_read;
	r->bytes_written += x.bytes_written;
	free((void *)x.list);
	free((void *)x.slot);
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
		ret = check_geometry(r);
	if (!ret)
		ret = check_image(&r->tgt, r->dev, r->im, r->o->jobs,
				  want_progress(r->o->quiet), &r->chunk,
				  &r->bytes_read);
	if (ret) {
		if (ret != RESTORE_ABANDON)
			nv_err("nothing restored: %s is untouched",
			       r->dev->path);
		return ret;
	}
	ret = copy_regions(r);
	if (!ret)
		ret = sync_nvm(r->dev);
	return ret;
}

static void print_summary(const struct restore *r, double t0)
{
	struct nv_summary s = {
		.command = "restore",
		.target = r->tgt.path,
		.device = r->dev->path,
		.im = r->im,
		.bytes_total = r->im->geom.data_size,
		.bytes_read = r->bytes_read,
		.bytes_written = r->bytes_written,
		.regions = r->im->geom.nr_regions,
		.regions_written = r->im->geom.nr_regions,
		.seconds = nv_mono() - t0,
		.jobs = r->o->jobs,
		.direct = atomic_load(&r->tgt.direct),
	};
	char b[32];

	if (r->o->json) {
		summary_json_begin(&s);
		summary_json_end(&s);
	} else if (!r->o->quiet) {
		printf("restored generation %llu from %s: ",
		       ULL(r->im->generation), r->tgt.path);
		printf("%llu regions (%s) verified and written to %s; ",
		       ULL(s.regions),
		       nv_bytes_str(s.bytes_written, b, sizeof(b)),
		       r->dev->path);
		printf("%.2f s, %.1f MB/s, %u jobs\n", s.seconds,
		       summary_rate(&s, s.bytes_written), r->o->jobs);
	}
}

/* --abandon, or --if-present without an image: open the gate. */
static int abandon(struct nv_dev *d)
{
	if (dev_report(d, NVEMU_EV_RESTORE_ABANDONED, 0, 0))
		return NV_EXIT_ERR;
	nv_note("restore abandoned: the NVM keeps its content%s",
		d->is_file ? "" : "; the kernel may now use it");
	return 0;
}

static int restore_abandon(const struct nv_global *g)
{
	struct nv_dev dev;
	int ret;

	ret = dev_open(&dev, g->device, NV_DEV_READ, g->region_size);
	if (!ret)
		ret = abandon(&dev);
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
		dev_report(r->dev, NVEMU_EV_RESTORE_FAILED, 0, 0);
		return ret;
	}
	/* an image saved at shutdown: that shutdown was clean */
	if (dev_report(r->dev, NVEMU_EV_RESTORED,
		       r->im->flags & NVIMG_F_SHUTDOWN ?
		       NVEMU_REPORT_F_SHUTDOWN : 0, r->im->generation))
		return NV_EXIT_ERR;
	print_summary(r, t0);
	return 0;
}

int cmd_restore(const struct nv_global *g, int argc, char **argv)
{
	struct restore_opts o = { 0 };
	struct restore r = { .o = &o };
	double t0 = nv_mono();
	struct nv_dev dev;
	int ret;

	r.tgt.fd = -1;
	r.ld.cur = -1;
	ret = parse(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	nv_quiet = o.quiet;
	if (o.abandon)
		return restore_abandon(g);
	ret = dev_open(&dev, g->device, NV_DEV_WRITE, g->region_size);
	if (!ret)
		ret = dev_require_geom(&dev);
	if (!ret) {
		if (!o.jobs)
			o.jobs = dev_default_jobs(&dev);
		r.dev = &dev;
		ret = run(&r, t0);
	}
	target_close(&r.tgt);
	image_load_free(&r.ld);
	free(r.chunk);
	dev_close(&dev);
	return ret;
}
