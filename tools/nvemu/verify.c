// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu verify - check the current image of a TARGET without writing
 *
 * The same checks as restore: a valid header copy, the TARGET long enough,
 * every segment's data against its checksum.  With --against-nvm, also the
 * geometry against the NVM's and every segment of the NVM against the
 * image's checksum (is the image up to date?).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "util.h"
#include "xfer.h"

#define MAX_LISTED	10

struct verify_opts {
	struct nv_common_opts c;	/* --jobs, --json, --quiet */
	const char *target;
	bool against_nvm;
};

struct verify {
	const struct verify_opts *o;
	struct nv_dev *dev;		/* NULL without --against-nvm */
	struct nv_target tgt;
	struct nv_load ld;
	const struct nvimg_image *im;
	uint64_t bytes_read;
	uint64_t differ;		/* NVM segments that differ */
	bool checked;			/* every segment was checked */
	int bad;			/* exit status of the data check */
};

static int parse(const struct nv_cmd *cmd, int argc, char **argv,
		 struct verify_opts *o)
{
	static const struct option opts[] = {
		{ "against-nvm", no_argument, NULL, 'N' },
		NV_OPT_JOBS, NV_OPT_JSON, NV_OPT_QUIET, NV_OPT_HELP,
		{ }
	};
	int c, ret;

	optind = 0;	/* a new argv: reset getopt completely */
	while ((c = getopt_long(argc, argv, NV_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'N':
			o->against_nvm = true;
			break;
		default:
			ret = common_option(cmd, c, &o->c);
			if (ret)
				return ret;
		}
	}
	if (argc - optind != 1)
		return usage_error(cmd->name, "one TARGET is required");
	o->target = argv[optind];
	return 0;
}

static int find_image(struct verify *v)
{
	int ret;

	ret = target_open(&v->tgt, v->o->target, false);
	if (ret == NV_EXIT_NOIMAGE)
		nv_err("%s does not exist", v->o->target);
	if (!ret)
		ret = image_load(&v->tgt, &v->ld);
	if (!ret)
		ret = image_current(&v->tgt, &v->ld);
	if (!ret)
		v->im = &v->ld.im[v->ld.cur];
	return ret;
}

static void count_differ(struct verify *v, const struct nvimg_csum *chunk)
{
	const struct nvimg_geom *g = &v->im->geom;
	uint64_t i;
	struct nvimg_csum c;

	for (i = 0; i < g->nr_segments; i++) {
		nvimg_segment_csum(g, chunk, i, &c);
		if (nvimg_csum_eq(&c, &v->im->table[i].csum))
			continue;
		if (!v->differ)
			nv_err("%s differs from the image of generation %llu on %s:",
			       v->dev->path, ULL(v->im->generation),
			       v->tgt.path);
		if (++v->differ <= MAX_LISTED)
			fprintf(stderr, "  segment %llu (offset %llu, %llu bytes)\n",
				ULL(i), ULL(i * g->segment_size),
				ULL(nvimg_segment_bytes(g, i)));
	}
	if (v->differ > MAX_LISTED)
		fprintf(stderr, "  ... %llu segments in all\n", ULL(v->differ));
}

/* --against-nvm: hash the NVM, compare with the image's checksums. */
static int against_nvm(struct verify *v)
{
	struct xfer x;
	int ret = NV_EXIT_ERR;

	memset(&x, 0, sizeof(x));
	x.op = XFER_HASH_NVM;
	x.geom = &v->im->geom;
	x.dev = v->dev;
	x.nr = v->im->geom.nr_segments;
	x.jobs = v->o->c.jobs;
	x.progress = want_progress(v->o->c.quiet);
	x.label = "compare";
	x.list = segment_list(x.nr);
	x.chunk = chunk_array(x.geom);
	if (x.list && x.chunk)
		ret = xfer_run(&x);
	v->bytes_read += x.bytes_read;
	if (!ret)
		count_differ(v, x.chunk);
	free((void *)x.list);
	free(x.chunk);
	if (ret)
		return ret;
	return v->differ ? NV_EXIT_DIFFERS : 0;
}

static int do_verify(struct verify *v)
{
	int ret;

	ret = find_image(v);
	if (!ret && v->dev)
		ret = check_geometry(v->im, &v->tgt, v->dev);
	if (ret)
		return ret;
	ret = check_image(&v->tgt, v->dev, v->im, v->o->c.jobs,
			  want_progress(v->o->c.quiet), NULL, &v->bytes_read);
	if (ret && ret != NV_EXIT_CHECKSUM)
		return ret;
	v->bad = ret;
	if (v->dev) {
		ret = against_nvm(v);
		if (ret && ret != NV_EXIT_DIFFERS)
			return ret;
	}
	v->checked = true;
	return v->bad ? v->bad : ret;
}

static void print_text(const struct verify *v, double secs)
{
	const struct nvimg_image *im = v->im;
	char uuid[37], when[64], b[32];
	time_t t = im->time_ns / 1000000000ULL;
	struct tm tm;

	nv_uuid_str(im->uuid, uuid);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z",
		 localtime_r(&t, &tm));
	printf("%s: image generation %llu, uuid %s, saved %s%s\n",
	       v->tgt.path, ULL(im->generation), uuid, when,
	       im->flags & NVIMG_F_SHUTDOWN ? " at shutdown" : "");
	printf("  %llu segments of %s (%llu bytes of data), header copy %c; %s\n",
	       ULL(im->geom.nr_segments),
	       nv_bytes_str(im->geom.segment_size, b, sizeof(b)),
	       ULL(im->geom.data_size), 'A' + im->copy,
	       v->bad ? "DAMAGED" : "every segment checksum matches");
	if (v->dev)
		printf("  %s: %s\n", v->dev->path,
		       v->differ ? "DIFFERS from the image" :
		       "the same content as the image");
	printf("  %.2f s, %.1f MB/s, %u jobs\n", secs,
	       secs > 0 ? v->bytes_read / secs / 1e6 : 0, v->o->c.jobs);
}

static void print_summary(const struct verify *v, double t0)
{
	struct nv_summary s = {
		.command = "verify",
		.target = v->tgt.path,
		.device = v->dev ? v->dev->path : NULL,
		.im = v->im,
		.bytes_total = v->im->geom.data_size,
		.bytes_read = v->bytes_read,
		.segments = v->im->geom.nr_segments,
		.seconds = nv_mono() - t0,
		.jobs = v->o->c.jobs,
		.direct = atomic_load(&v->tgt.direct),
	};

	if (v->o->c.json) {
		summary_json_begin(&s);
		printf(",\"image_ok\":%s", v->bad ? "false" : "true");
		if (v->dev)
			printf(",\"segments_differ\":%llu", ULL(v->differ));
		summary_json_end(&s);
	} else if (!v->o->c.quiet) {
		print_text(v, s.seconds);
	}
}

int cmd_verify(const struct nv_cmd *cmd, const struct nv_global *g,
	       int argc, char **argv)
{
	struct verify_opts o = { 0 };
	struct verify v = { .o = &o };
	double t0 = nv_mono();
	struct nv_dev dev;
	int ret;

	v.tgt.fd = -1;
	v.ld.cur = -1;
	ret = parse(cmd, argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	nv_quiet = o.c.quiet;
	if (o.against_nvm) {
		ret = dev_open(&dev, g->device, NV_DEV_READ, g->segment_size);
		v.dev = &dev;
	}
	if (!o.c.jobs)
		o.c.jobs = v.dev && !ret ? dev_default_jobs(&dev) :
			 nv_min_uint(nv_cpus(), 4);
	if (!ret)
		ret = do_verify(&v);
	if (v.checked)
		print_summary(&v, t0);
	target_close(&v.tgt);
	image_load_free(&v.ld);
	if (v.dev)
		dev_close(&dev);
	return ret;
}
