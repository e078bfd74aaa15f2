// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - helpers shared by save, restore and verify
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"
#include "xfer.h"

#define MAX_LISTED	10	/* bad segments named one by one */

/*
 * Option c of command cmd (save, restore or verify), from getopt_long()
 * with the NV_OPT_* options, that is not one of the command's own: 0 if it
 * is a common option (handled), -1 after --help (exit 0), NV_EXIT_USAGE
 * for a bad --jobs or an unknown option (which getopt_long() has
 * reported).
 */
int common_option(const struct nv_cmd *cmd, int c, struct nv_common_opts *o)
{
	switch (c) {
	case 'j':
		if (nv_parse_jobs(optarg, &o->jobs))
			return usage_error(cmd->name,
					   "--jobs takes 1 to 256, not '%s'",
					   optarg);
		return 0;
	case 'J':
		o->json = true;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case 'h':
		help_show(cmd, stdout);
		return -1;
	}
	return NV_EXIT_USAGE;
}

/* A progress bar: on a terminal, unless --quiet. */
bool want_progress(bool quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

/* The segment numbers 0 .. n-1, or NULL (message printed). */
uint64_t *segment_list(uint64_t n)
{
	uint64_t *list = malloc((n ? n : 1) * sizeof(*list));
	uint64_t i;

	if (!list) {
		nv_err("out of memory for %llu segments", ULL(n));
		return NULL;
	}
	for (i = 0; i < n; i++)
		list[i] = i;
	return list;
}

/* Room for the chunk digests of every segment, or NULL. */
struct nvimg_csum *chunk_array(const struct nvimg_geom *g)
{
	uint64_t n = g->nr_segments * nvimg_chunks_per_segment(g);
	struct nvimg_csum *c = calloc(n ? n : 1, sizeof(*c));

	if (!c)
		nv_err("out of memory for %llu chunk digests", ULL(n));
	return c;
}

/* The slot each segment of im is in, or NULL. */
uint8_t *slot_array(const struct nvimg_image *im)
{
	uint64_t i, n = im->geom.nr_segments;
	uint8_t *slot = malloc(n ? n : 1);

	if (!slot) {
		nv_err("out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		slot[i] = im->table[i].slot;
	return slot;
}

static void bad_segment(const struct nv_target *t,
			const struct nvimg_image *im, uint64_t i,
			const struct nvimg_csum *got)
{
	char want_s[33], got_s[33];

	nvimg_csum_hex(&im->table[i].csum, want_s);
	nvimg_csum_hex(got, got_s);
	fprintf(stderr, "  segment %llu, slot %u at offset %llu of %s: checksum %s, expected %s\n",
		ULL(i), im->table[i].slot,
		ULL(nvimg_slot_offset(&im->layout, i, im->table[i].slot)),
		t->path, got_s, want_s);
}

/* Segment checksums from the chunk digests against the table. */
static int compare_segments(const struct nv_target *t,
			    const struct nvimg_image *im,
			    const struct nvimg_csum *chunk)
{
	const struct nvimg_geom *g = &im->geom;
	uint64_t i, bad = 0;
	struct nvimg_csum c;

	for (i = 0; i < g->nr_segments; i++) {
		nvimg_segment_csum(g, chunk, i, &c);
		if (nvimg_csum_eq(&c, &im->table[i].csum))
			continue;
		if (!bad)
			nv_err("%s: the image of generation %llu is damaged: segment data fail their checksums:",
			       t->path, ULL(im->generation));
		if (++bad <= MAX_LISTED)
			bad_segment(t, im, i, &c);
	}
	if (!bad)
		return 0;
	if (bad > MAX_LISTED)
		fprintf(stderr, "  ... %llu bad segments in all\n", ULL(bad));
	return NV_EXIT_CHECKSUM;
}

/* Can image im on t be restored onto dev?  0 or NV_EXIT_GEOMETRY. */
int check_geometry(const struct nvimg_image *im, const struct nv_target *t,
		   const struct nv_dev *dev)
{
	char why[200];

	if (!nvimg_geom_compare(&im->geom, &dev->geom, why, sizeof(why)))
		return 0;
	nv_err("the image on %s does not fit %s: %s", t->path, dev->path, why);
	return NV_EXIT_GEOMETRY;
}

/*
 * Read every segment of image im from its slot on t and check its checksum.
 * 0, NV_EXIT_CHECKSUM (bad segments listed) or another exit status.  The
 * chunk digests are returned in *chunkp (to be freed), for restore.
 */
int check_image(struct nv_target *t, struct nv_dev *dev,
		const struct nvimg_image *im, unsigned int jobs, bool progress,
		struct nvimg_csum **chunkp, uint64_t *bytes_read)
{
	struct xfer x;
	int ret = NV_EXIT_ERR;

	memset(&x, 0, sizeof(x));
	x.op = XFER_HASH_IMAGE;
	x.geom = &im->geom;
	x.dev = dev;
	x.tgt = t;
	x.layout = &im->layout;
	x.nr = im->geom.nr_segments;
	x.jobs = jobs;
	x.progress = progress;
	x.label = "verify";
	x.list = segment_list(x.nr);
	x.slot = slot_array(im);
	x.chunk = chunk_array(&im->geom);
	if (x.list && x.slot && x.chunk)
		ret = xfer_run(&x);
	*bytes_read += x.bytes_read;
	if (!ret)
		ret = compare_segments(t, im, x.chunk);
	free((void *)x.list);
	free((void *)x.slot);
	if (chunkp && !ret)
		*chunkp = x.chunk;
	else
		free(x.chunk);
	return ret;
}

double summary_rate(const struct nv_summary *s, uint64_t bytes)
{
	return s->seconds > 0 ? bytes / s->seconds / 1e6 : 0;
}

/* The fields every command's JSON object starts with. */
void summary_json_begin(const struct nv_summary *s)
{
	char uuid[37];

	printf("{\"command\":\"%s\",\"target\":", s->command);
	nv_json_str(stdout, s->target);
	if (s->device) {
		printf(",\"device\":");
		nv_json_str(stdout, s->device);
	}
	if (s->im) {
		nv_uuid_str(s->im->uuid, uuid);
		printf(",\"generation\":%llu,\"uuid\":\"%s\",\"time_ns\":%llu",
		       ULL(s->im->generation), uuid, ULL(s->im->time_ns));
	}
	printf(",\"bytes_total\":%llu,\"bytes_read\":%llu,\"bytes_written\":%llu",
	       ULL(s->bytes_total), ULL(s->bytes_read),
	       ULL(s->bytes_written));
	printf(",\"segments\":%llu,\"segments_written\":%llu,\"segments_skipped\":%llu",
	       ULL(s->segments), ULL(s->segments_written),
	       ULL(s->segments_skipped));
}

void summary_json_end(const struct nv_summary *s)
{
	uint64_t bytes = s->bytes_written;

	if (!strcmp(s->command, "verify"))
		bytes = s->bytes_read;
	printf(",\"seconds\":%.6f,\"mb_per_s\":%.1f,\"jobs\":%u,\"direct_io\":%s}\n",
	       s->seconds, summary_rate(s, bytes), s->jobs,
	       s->direct ? "true" : "false");
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s (see %s %s --help)\n", prog, cmd, buf, prog,
		cmd);
	return NV_EXIT_USAGE;
}
