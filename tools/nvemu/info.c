// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu info - describe the device: ranges, data regions, save state
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

static const char *yes(const struct nv_dev *d, unsigned int flag)
{
	return d->state.flags & flag ? "yes" : "no";
}

static const char *jbool(const struct nv_dev *d, unsigned int flag)
{
	return d->state.flags & flag ? "true" : "false";
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
	const struct nv_geom *g = &d->geom;
	char b[32];

	if (d->has_geom) {
		printf("data regions: %llu of %s, %llu bytes from offset 0",
		       ULL(g->nr_regions),
		       nv_bytes_str(g->region_size, b, sizeof(b)),
		       ULL(g->data_size));
		printf(" (region_size %llu, data_size %llu)\n",
		       ULL(g->region_size), ULL(g->data_size));
	} else {
		printf("data regions: unknown (the kernel has no NVEMU_IOC_GEOMETRY)\n");
	}
	if (d->is_file) {
		printf("state: none (a regular file)\n");
	} else if (!d->has_state) {
		printf("state: unknown (%s)\n", d->state_errno == ENODATA ?
		       "the metadata belongs to other ranges" :
		       "the kernel has no NVEMU_IOC_STATE");
	} else {
		printf("state: clean_shutdown %s, restore_pending %s, ",
		       yes(d, NVEMU_STATE_CLEAN_SHUTDOWN),
		       yes(d, NVEMU_STATE_RESTORE_PENDING));
		printf("save_fail %s, restore_fail %s\n",
		       yes(d, NVEMU_STATE_SAVE_FAIL),
		       yes(d, NVEMU_STATE_RESTORE_FAIL));
		printf("generation: saved %llu, restored %llu\n",
		       ULL(d->state.saved_generation),
		       ULL(d->state.restored_generation));
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
	const struct nv_geom *g = &d->geom;

	if (d->has_geom) {
		printf(",\"geometry\":{\"region_size\":%llu,\"nr_regions\":%llu",
		       ULL(g->region_size), ULL(g->nr_regions));
		printf(",\"data_size\":%llu}", ULL(g->data_size));
	} else {
		printf(",\"geometry\":null");
	}
	if (!d->has_state) {
		printf(",\"state\":null");
		return;
	}
	printf(",\"state\":{\"clean_shutdown\":%s,\"restore_pending\":%s,",
	       jbool(d, NVEMU_STATE_CLEAN_SHUTDOWN),
	       jbool(d, NVEMU_STATE_RESTORE_PENDING));
	printf("\"save_fail\":%s,\"restore_fail\":%s,",
	       jbool(d, NVEMU_STATE_SAVE_FAIL),
	       jbool(d, NVEMU_STATE_RESTORE_FAIL));
	printf("\"saved_generation\":%llu,\"restored_generation\":%llu}",
	       ULL(d->state.saved_generation),
	       ULL(d->state.restored_generation));
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

int cmd_info(const struct nv_global *g, int argc, char **argv)
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
			help_info(stdout);
			return 0;
		default:
			return NV_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("info", "unexpected argument '%s'",
				   argv[optind]);
	ret = dev_open(&dev, g->device, NV_DEV_READ, g->region_size);
	if (!ret) {
		if (json)
			print_json(&dev);
		else
			print_text(&dev);
	}
	dev_close(&dev);
	return ret;
}
