// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu info - describe the device: ranges, segments, save state
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

/*
 * The fields of the segments and of the save/restore state, in the
 * order of both outputs.  The JSON has each under its name; the text shows
 * the flags by name with yes or no, and the numbers that have a text name.
 */
struct num_field {
	const char *name;
	size_t off;		/* of the 64-bit number in its structure */
	const char *text;	/* its name in the text, NULL: not shown */
};

static const struct num_field geom_fields[] = {
	{ "segment_size", offsetof(struct nvimg_geom, segment_size), "segment_size" },
	{ "nr_segments", offsetof(struct nvimg_geom, nr_segments), NULL },
	{ "data_size", offsetof(struct nvimg_geom, data_size), "data_size" },
};

static const struct {
	const char *name;
	unsigned int flag;
} state_flags[] = {
	{ "clean_shutdown", NVEMU_STATE_CLEAN_SHUTDOWN },
	{ "restore_pending", NVEMU_STATE_RESTORE_PENDING },
	{ "save_fail", NVEMU_STATE_SAVE_FAIL },
	{ "restore_fail", NVEMU_STATE_RESTORE_FAIL },
};

static const struct num_field gen_fields[] = {
	{ "saved_generation", offsetof(struct nvemu_state, saved_generation),
	  "saved" },
	{ "restored_generation",
	  offsetof(struct nvemu_state, restored_generation), "restored" },
};

static unsigned long long num(const void *base, const struct num_field *f)
{
	uint64_t v;

	memcpy(&v, (const char *)base + f->off, sizeof(v));
	return v;
}

/* "{open}name value, name value{close}" for the fields with a text name */
static void text_nums(const void *base, const struct num_field *f,
		      unsigned int n, const char *open, const char *close)
{
	const char *sep = open;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!f[i].text)
			continue;
		printf("%s%s %llu", sep, f[i].text, num(base, &f[i]));
		sep = ", ";
	}
	printf("%s", close);
}

/* "name":value,"name":value */
static void json_nums(const void *base, const struct num_field *f,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		printf("%s\"%s\":%llu", i ? "," : "", f[i].name,
		       num(base, &f[i]));
}

static void text_ranges(const struct nv_dev *d)
{
	unsigned int i;

	printf("%-5s %-18s %-12s %-5s %s\n", "range", "offset", "size(MiB)",
	       "node", "physical");
	for (i = 0; i < d->info.nr_ranges; i++) {
		const struct nvemu_range_info *r = &d->range[i];
		char phys[40] = "(needs CAP_SYS_ADMIN)";

		if (d->is_file)
			snprintf(phys, sizeof(phys), "-");
		else if (r->flags & NVEMU_RANGE_F_PHYS)
			snprintf(phys, sizeof(phys), "0x%llx-0x%llx",
				 ULL(r->phys_addr),
				 ULL(r->phys_addr + r->size - 1));
		printf("%-5u 0x%016llx %-12llu %-5d %s\n", i, ULL(r->offset),
		       ULL(r->size >> 20), r->numa_node, phys);
	}
}

static void text_save_state(const struct nv_dev *d)
{
	const struct nvimg_geom *g = &d->geom;
	unsigned int i;
	char b[32];

	printf("segments: %llu of %s, %llu bytes from offset 0",
	       ULL(g->nr_segments), nv_bytes_str(g->segment_size, b, sizeof(b)),
	       ULL(g->data_size));
	text_nums(g, geom_fields, ARRAY_SIZE(geom_fields), " (", ")\n");
	if (d->is_file) {
		printf("state: none (a regular file)\n");
	} else if (!d->has_state) {
		printf("state: unknown (the metadata belongs to other ranges)\n");
	} else {
		for (i = 0; i < ARRAY_SIZE(state_flags); i++)
			printf("%s%s %s", i ? ", " : "state: ",
			       state_flags[i].name,
			       d->state.flags & state_flags[i].flag ? "yes" : "no");
		printf("\n");
		text_nums(&d->state, gen_fields, ARRAY_SIZE(gen_fields),
			  "generation: ", "\n");
	}
}

static void print_text(const struct nv_dev *d)
{
	if (d->is_file)
		printf("%s: regular file of %llu MiB, %s\n",
		       d->path, ULL(d->info.total_size >> 20),
		       "used as an NVM of one range without metadata area");
	else
		printf("%s: %llu MiB in %u range(s), alignment %llu MiB\n",
		       d->path, ULL(d->info.total_size >> 20),
		       d->info.nr_ranges, ULL(d->info.align >> 20));
	if (!d->is_file)
		printf("NVDIMM region(s): %s; metadata: %llu MiB at offset 0x%llx\n",
		       d->info.flags & NVEMU_INFO_F_MERGED ?
		       "one over all ranges" : "one per range",
		       ULL(d->info.meta_size >> 20), ULL(d->info.meta_offset));
	text_ranges(d);
	text_save_state(d);
}

static void json_ranges(const struct nv_dev *d)
{
	unsigned int i;

	printf("\"ranges\":[");
	for (i = 0; i < d->info.nr_ranges; i++) {
		const struct nvemu_range_info *r = &d->range[i];

		printf("%s{\"index\":%u,\"offset\":%llu,\"size\":%llu,\"numa_node\":%d",
		       i ? "," : "", i, ULL(r->offset), ULL(r->size),
		       r->numa_node);
		if (r->flags & NVEMU_RANGE_F_PHYS)
			printf(",\"phys_addr\":%llu", ULL(r->phys_addr));
		printf("}");
	}
	printf("]");
}

static void json_save_state(const struct nv_dev *d)
{
	unsigned int i;

	printf(",\"geometry\":{");
	json_nums(&d->geom, geom_fields, ARRAY_SIZE(geom_fields));
	printf("}");
	if (!d->has_state) {
		printf(",\"state\":null");
		return;
	}
	printf(",\"state\":{");
	for (i = 0; i < ARRAY_SIZE(state_flags); i++)
		printf("\"%s\":%s,", state_flags[i].name,
		       d->state.flags & state_flags[i].flag ? "true" : "false");
	json_nums(&d->state, gen_fields, ARRAY_SIZE(gen_fields));
	printf("}");
}

static void print_json(const struct nv_dev *d)
{
	printf("{\"device\":");
	nv_json_str(stdout, d->path);
	printf(",\"regular_file\":%s,\"total_size\":%llu,",
	       d->is_file ? "true" : "false", ULL(d->info.total_size));
	printf("\"align\":%llu,\"nr_ranges\":%u,\"merged\":%s,",
	       ULL(d->info.align), d->info.nr_ranges,
	       d->info.flags & NVEMU_INFO_F_MERGED ? "true" : "false");
	printf("\"meta_offset\":%llu,\"meta_size\":%llu,",
	       ULL(d->info.meta_offset), ULL(d->info.meta_size));
	json_ranges(d);
	json_save_state(d);
	printf("}\n");
}

int cmd_info(const struct nv_cmd *cmd, const struct nv_global *g,
	     int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct nv_dev dev;
	bool json = false;
	int c, ret;

	optind = 0;	/* a new argv: reset getopt completely */
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			help_show(cmd, stdout);
			return 0;
		default:
			return NV_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error(cmd->name, "unexpected argument '%s'",
				   argv[optind]);
	ret = dev_open(&dev, g->device, NV_DEV_READ, g->segment_size);
	if (!ret) {
		if (json)
			print_json(&dev);
		else
			print_text(&dev);
	}
	dev_close(&dev);
	return ret;
}
