// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - manage DRAM-backed emulated non-volatile memory
 *
 * This first version knows one command, "info".  save, restore and verify
 * (see Documentation/admin-guide/nvemu.rst) build on the same device
 * access code.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/nvemu.h>

#define DEFAULT_DEVICE	"/dev/nvemu0"

static const char *prog = "nvemu";

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: %s [--device DEV] COMMAND [OPTIONS]\n"
"\n"
"Manage emulated non-volatile memory reserved with the nvemu= boot parameter.\n"
"\n"
"Commands:\n"
"  info [--json]   Describe the device: total size, alignment, and every\n"
"                  physical range with its offset in the device, its size and\n"
"                  its NUMA node.  Physical addresses are shown only to callers\n"
"                  with CAP_SYS_ADMIN.  --json prints one JSON object for\n"
"                  scripts.\n"
"\n"
"Options:\n"
"  -d, --device DEV  the nvemu character device (default " DEFAULT_DEVICE ")\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 on success, 1 on an error (message on standard error),\n"
"2 on bad usage.\n"
"\n"
"See Documentation/userspace-api/nvemu.rst for the device interface.\n",
		prog);
}

struct dev_info {
	struct nvemu_info info;
	struct nvemu_range_info range[NVEMU_MAX_RANGES];
};

static int read_info(const char *path, struct dev_info *di)
{
	unsigned int i;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path,
			strerror(errno));
		return -1;
	}
	memset(di, 0, sizeof(*di));
	if (ioctl(fd, NVEMU_IOC_INFO, &di->info) < 0) {
		fprintf(stderr, "%s: %s: NVEMU_IOC_INFO: %s\n", prog, path,
			strerror(errno));
		goto err_close;
	}
	if (di->info.nr_ranges > NVEMU_MAX_RANGES) {
		fprintf(stderr, "%s: %s: %u ranges, more than this tool knows (%u)\n",
			prog, path, di->info.nr_ranges, NVEMU_MAX_RANGES);
		goto err_close;
	}
	for (i = 0; i < di->info.nr_ranges; i++) {
		di->range[i].index = i;
		if (ioctl(fd, NVEMU_IOC_RANGE_INFO, &di->range[i]) < 0) {
			fprintf(stderr, "%s: %s: NVEMU_IOC_RANGE_INFO %u: %s\n",
				prog, path, i, strerror(errno));
			goto err_close;
		}
	}
	close(fd);
	return 0;

err_close:
	close(fd);
	return -1;
}

static void print_text(const char *path, const struct dev_info *di)
{
	unsigned int i;

	printf("%s: %llu MiB in %u range(s), alignment %llu MiB\n",
	       path, (unsigned long long)(di->info.total_size >> 20),
	       di->info.nr_ranges, (unsigned long long)(di->info.align >> 20));
	printf("NVDIMM region(s): %s; metadata: %llu MiB at offset 0x%llx\n",
	       di->info.flags & NVEMU_INFO_F_MERGED ? "one over all ranges" :
	       "one per range",
	       (unsigned long long)(di->info.meta_size >> 20),
	       (unsigned long long)di->info.meta_offset);
	printf("%-5s %-18s %-12s %-5s %s\n", "range", "offset", "size(MiB)",
	       "node", "physical");
	for (i = 0; i < di->info.nr_ranges; i++) {
		const struct nvemu_range_info *r = &di->range[i];
		char phys[40] = "(needs CAP_SYS_ADMIN)";

		if (r->flags & NVEMU_RANGE_F_PHYS)
			snprintf(phys, sizeof(phys), "0x%llx-0x%llx",
				 (unsigned long long)r->phys_addr,
				 (unsigned long long)(r->phys_addr + r->size - 1));
		printf("%-5u 0x%016llx %-12llu %-5d %s\n", i,
		       (unsigned long long)r->offset,
		       (unsigned long long)(r->size >> 20), r->numa_node, phys);
	}
}

static void print_json(const char *path, const struct dev_info *di)
{
	unsigned int i;

	printf("{\"device\":\"%s\",\"total_size\":%llu,", path,
	       (unsigned long long)di->info.total_size);
	printf("\"align\":%llu,\"nr_ranges\":%u,\"merged\":%s,",
	       (unsigned long long)di->info.align, di->info.nr_ranges,
	       di->info.flags & NVEMU_INFO_F_MERGED ? "true" : "false");
	printf("\"meta_offset\":%llu,\"meta_size\":%llu,\"ranges\":[",
	       (unsigned long long)di->info.meta_offset,
	       (unsigned long long)di->info.meta_size);
	for (i = 0; i < di->info.nr_ranges; i++) {
		const struct nvemu_range_info *r = &di->range[i];

		printf("%s{\"index\":%u,\"offset\":%llu,\"size\":%llu,\"numa_node\":%d",
		       i ? "," : "", i, (unsigned long long)r->offset,
		       (unsigned long long)r->size, r->numa_node);
		if (r->flags & NVEMU_RANGE_F_PHYS)
			printf(",\"phys_addr\":%llu",
			       (unsigned long long)r->phys_addr);
		printf("}");
	}
	printf("]}\n");
}

static int cmd_info(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct dev_info di;
	int json = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s info: unexpected argument '%s'\n", prog,
			argv[optind]);
		return 2;
	}
	if (read_info(path, &di))
		return 1;
	if (json)
		print_json(path, &di);
	else
		print_text(path, &di);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *path = DEFAULT_DEVICE;
	int c;

	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "info"))
		return cmd_info(path, argc - optind, argv + optind);

	fprintf(stderr, "%s: unknown command '%s' (try --help)\n", prog,
		argv[optind]);
	return 2;
}
