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
#include "libnvemu.h"
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
 * optstring, and their long ones, to end the command's option table
 * (before its empty entry), in this order: NV_OPT_JOBS, NV_OPT_JSON,
 * NV_OPT_QUIET, NV_OPT_HELP.  common_option() handles them.
 */
#define NV_COMMON_SHORTOPTS	"j:qh"
#define NV_OPT_JOBS		{ "jobs", required_argument, NULL, 'j' }
#define NV_OPT_JSON		{ "json", no_argument, NULL, 'J' }
#define NV_OPT_QUIET		{ "quiet", no_argument, NULL, 'q' }
#define NV_OPT_HELP		{ "help", no_argument, NULL, 'h' }

/*
 * A command: "nvemu NAME", run by fn with the global options and its own
 * arguments (argv[0] is NAME); summary is its line in "nvemu --help" and
 * page its manual page ("nvemu NAME --help"), in parts, NULL-terminated.
 */
struct nv_cmd {
	const char *name;
	int (*fn)(const struct nv_cmd *cmd, const struct nv_global *g,
		  int argc, char **argv);
	const char *summary;
	const char *const *page;
};

/* nvemu.c: the commands, in the order of "nvemu --help" */
extern const struct nv_cmd nv_commands[];
extern const unsigned int nv_nr_commands;

/* What --json prints (and the human summary is made of). */
struct nv_summary {
	const char *command;
	const char *target;
	const char *device;		/* NULL: none used */
	const struct nvimg_image *im;
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

int cmd_info(const struct nv_cmd *cmd, const struct nv_global *g,
	     int argc, char **argv);
int cmd_save(const struct nv_cmd *cmd, const struct nv_global *g,
	     int argc, char **argv);
int cmd_restore(const struct nv_cmd *cmd, const struct nv_global *g,
		int argc, char **argv);
int cmd_verify(const struct nv_cmd *cmd, const struct nv_global *g,
	       int argc, char **argv);
int cmd_help(const struct nv_cmd *cmd, const struct nv_global *g,
	     int argc, char **argv);
int cmd_run(const struct nv_cmd *cmd, const struct nv_global *g,
	    int argc, char **argv);
int cmd_ps(const struct nv_cmd *cmd, const struct nv_global *g,
	   int argc, char **argv);
int cmd_resume(const struct nv_cmd *cmd, const struct nv_global *g,
	       int argc, char **argv);
int cmd_discard(const struct nv_cmd *cmd, const struct nv_global *g,
		int argc, char **argv);

/* help.c */
extern const char *const nv_page_main[];
extern const char *const nv_page_info[];
extern const char *const nv_page_save[];
extern const char *const nv_page_restore[];
extern const char *const nv_page_verify[];
extern const char *const nv_page_run[];
extern const char *const nv_page_ps[];
extern const char *const nv_page_resume[];
extern const char *const nv_page_discard[];
void help_show(const struct nv_cmd *cmd, FILE *f);

/* common.c */
int common_option(const struct nv_cmd *cmd, int c, struct nv_common_opts *o);
bool want_progress(bool quiet);
uint64_t *segment_list(uint64_t n);
struct nvimg_csum *chunk_array(const struct nvimg_geom *g);
uint8_t *slot_array(const struct nvimg_image *im);
int check_geometry(const struct nvimg_image *im, const struct nv_target *t,
		   const struct nv_dev *dev);
int check_image(struct nv_target *t, struct nv_dev *dev,
		const struct nvimg_image *im, unsigned int jobs, bool progress,
		struct nvimg_csum **chunk, uint64_t *bytes_read);
void summary_json_begin(const struct nv_summary *s);
void summary_json_end(const struct nv_summary *s);
double summary_rate(const struct nv_summary *s, uint64_t bytes);
__printf(2, 3)
int usage_error(const char *cmd, const char *fmt, ...);

#endif /* NVEMU_CMD_H */
