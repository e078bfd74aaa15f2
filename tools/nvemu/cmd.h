/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - the commands
 */
#ifndef NVEMU_CMD_H
#define NVEMU_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dev.h"
#include "image.h"
#include "target.h"
#include "util.h"

/* Options before the command. */
struct nv_global {
	const char *device;
	uint64_t segment_size;		/* --segment-size, 0: default */
};

/* The options that save, restore and verify have in common. */
struct nv_common_opts {
	unsigned int jobs;		/* --jobs, 0: the default */
	bool json;
	bool quiet;
};

/*
 * Their short options, to follow the command's own in getopt_long()'s
 * optstring; common_options() adds their long ones to the command's.
 */
#define NV_COMMON_SHORTOPTS	"j:qh"
#define NV_MAX_OPTIONS		16	/* in a command's table, all told */

/* What --json prints (and the human summary is made of). */
struct nv_summary {
	const char *command;
	const char *target;
	const char *device;		/* NULL: none used */
	const struct nv_image *im;
	uint64_t bytes_total;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t segments;
	uint64_t segments_written;
	uint64_t segments_skipped;
	double seconds;
	unsigned int jobs;
	bool direct;
};

int cmd_info(const struct nv_global *g, int argc, char **argv);
int cmd_save(const struct nv_global *g, int argc, char **argv);
int cmd_restore(const struct nv_global *g, int argc, char **argv);
int cmd_verify(const struct nv_global *g, int argc, char **argv);

void help_main(FILE *f);
void help_info(FILE *f);
void help_save(FILE *f);
void help_restore(FILE *f);
void help_verify(FILE *f);
int help_command(const char *name, FILE *f);

/* common.c */
void common_options(const struct option *own,
		    struct option all[NV_MAX_OPTIONS]);
int common_option(const char *cmd, int c, struct nv_common_opts *o,
		  void (*help)(FILE *f));
bool want_progress(bool quiet);
uint64_t *segment_list(uint64_t n);
struct nv_csum *chunk_array(const struct nv_geom *g);
uint8_t *slot_array(const struct nv_image *im);
int check_geometry(const struct nv_image *im, const struct nv_target *t,
		   const struct nv_dev *dev);
int check_image(struct nv_target *t, struct nv_dev *dev,
		const struct nv_image *im, unsigned int jobs, bool progress,
		struct nv_csum **chunk, uint64_t *bytes_read);
void summary_json_begin(const struct nv_summary *s);
void summary_json_end(const struct nv_summary *s);
double summary_rate(const struct nv_summary *s, uint64_t bytes);
__printf(2, 3)
int usage_error(const char *cmd, const char *fmt, ...);

#endif /* NVEMU_CMD_H */
