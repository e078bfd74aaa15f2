// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - manage DRAM-backed emulated non-volatile memory
 *
 * Commands: info, save, restore, verify (see "nvemu --help" and
 * Documentation/admin-guide/nvemu-save-restore.rst).  The device interface
 * is in Documentation/userspace-api/nvemu.rst.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

#define OPT_SEGMENT_SIZE	256

static const struct {
	const char *name;
	int (*fn)(const struct nv_global *g, int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
	{ "save", cmd_save },
	{ "restore", cmd_restore },
	{ "verify", cmd_verify },
};

static int parse_global(int argc, char **argv, struct nv_global *g)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "segment-size", required_argument, NULL, OPT_SEGMENT_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			g->device = optarg;
			break;
		case OPT_SEGMENT_SIZE:
			if (nv_parse_size(optarg, &g->segment_size) ||
			    !g->segment_size) {
				fprintf(stderr, "%s: bad --segment-size '%s'\n",
					prog, optarg);
				return NV_EXIT_USAGE;
			}
			break;
		case 'h':
			help_main(stdout);
			return -1;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return NV_EXIT_USAGE;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct nv_global g = { .device = NV_DEFAULT_DEVICE };
	const char *cmd;
	unsigned int i;
	int ret;

	ret = parse_global(argc, argv, &g);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind >= argc) {
		fprintf(stderr, "%s: no command given.  Try '%s --help'.\n",
			prog, prog);
		return NV_EXIT_USAGE;
	}
	if (nv_test_init())
		return NV_EXIT_USAGE;
	nv_catch_signals();
	cmd = argv[optind];
	if (!strcmp(cmd, "help"))
		return help_command(optind + 1 < argc ? argv[optind + 1] : NULL,
				    stdout);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(&g, argc - optind, argv + optind);
	fprintf(stderr, "%s: unknown command '%s'.  Try '%s --help'.\n", prog,
		cmd, prog);
	return NV_EXIT_USAGE;
}
