// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - manage DRAM-backed emulated non-volatile memory
 *
 * The commands are in nv_commands[] below (see "nvemu --help",
 * Documentation/admin-guide/nvemu-save-restore.rst and, for run, ps,
 * resume and discard, Documentation/userspace-api/nvemu-proc.rst).  The device interface
 * is in Documentation/userspace-api/nvemu.rst; libnvemu (tools/lib/nvemu)
 * wraps it and holds the image format.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "testhooks.h"
#include "util.h"

#define OPT_SEGMENT_SIZE	256

const struct nv_cmd nv_commands[] = {
	{ "info", cmd_info, "describe the device: ranges, segments, save state",
	  nv_page_info },
	{ "save", cmd_save, "write the NVM to an image on TARGET",
	  nv_page_save },
	{ "restore", cmd_restore, "write the image on TARGET back into the NVM",
	  nv_page_restore },
	{ "verify", cmd_verify,
	  "check the image on TARGET (and compare it with the NVM)",
	  nv_page_verify },
	{ "run", cmd_run, "run a program as a persistent process",
	  nv_page_run },
	{ "ps", cmd_ps, "list the persistent processes and the process area",
	  nv_page_ps },
	{ "resume", cmd_resume,
	  "resume persistent processes from their last commit",
	  nv_page_resume },
	{ "discard", cmd_discard, "free the slots of persistent processes",
	  nv_page_discard },
	{ "help", cmd_help, "show this page, or the page of a command",
	  nv_page_main },
};

const unsigned int nv_nr_commands = ARRAY_SIZE(nv_commands);

static const struct nv_cmd *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nv_commands); i++)
		if (!strcmp(name, nv_commands[i].name))
			return &nv_commands[i];
	return NULL;
}

/* "nvemu help [COMMAND]" */
int cmd_help(const struct nv_cmd *cmd, const struct nv_global *g,
	     int argc, char **argv)
{
	const struct nv_cmd *c = cmd;

	(void)g;
	if (argc > 1 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help"))
		c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "%s: no command '%s' (try %s --help)\n", prog,
			argv[1], prog);
		return NV_EXIT_USAGE;
	}
	help_show(c, stdout);
	return 0;
}

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
			help_show(find_command("help"), stdout);
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
	const struct nv_cmd *cmd;
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
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "%s: unknown command '%s'.  Try '%s --help'.\n",
			prog, argv[optind], prog);
		return NV_EXIT_USAGE;
	}
	return cmd->fn(cmd, &g, argc - optind, argv + optind);
}
