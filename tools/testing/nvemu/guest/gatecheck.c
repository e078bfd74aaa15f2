// SPDX-License-Identifier: GPL-2.0
/*
 * gatecheck - drive two error-prone paths of the nvemu driver from a
 * test guest:
 *
 *   gatecheck open-faults-once DEV N
 *	Try to open the restore gate (NVEMU_IOC_REPORT of
 *	RESTORE_ABANDONED) with the N-th slab allocation of the ioctl made
 *	to fail (/proc/thread-self/fail-nth).  Prints one line:
 *	    "attempt N: injected, errno E"  the failure was injected and the
 *					    ioctl failed with errno E
 *	    "attempt N: injected, ok"	    injected, yet the gate opened
 *	    "attempt N: ok"		    the ioctl made fewer than N
 *					    allocations, and the gate opened
 *	Exit 0; 1 if the ioctl failed without an injected failure; 2 on a
 *	usage or system error.  A caller tries N = 1, 2, ... until "ok".
 *
 *   gatecheck changed-loop DEV SECONDS
 *	Call NVEMU_IOC_CHANGED and report SAVE_FAILED in a loop for
 *	SECONDS, as saves do; prints "changed: N calls".  Exit 0, or 1 if
 *	a call failed.
 *
 * The first needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and debugfs failslab/ignore-gfp-wait=N.
 */
#define PROG_NAME "gatecheck"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvemu.h>

#include "common.h"

static void print_help(void)
{
	puts("Usage: gatecheck open-faults-once DEV N\n"
	     "       gatecheck changed-loop DEV SECONDS\n"
	     "\n"
	     "open-faults-once  try to open the restore gate of DEV with the\n"
	     "                  N-th slab allocation of the ioctl failing\n"
	     "changed-loop      NVEMU_IOC_CHANGED and a SAVE_FAILED report in\n"
	     "                  a loop for SECONDS");
}

static void print_try(void)
{
	fprintf(stderr, "Usage: %s open-faults-once DEV N | changed-loop DEV SECONDS\n"
		"Try '%s --help'.\n", prog, prog);
}

static int report(int fd, unsigned int event)
{
	struct nvemu_report rep = { .event = event };

	return ioctl(fd, NVEMU_IOC_REPORT, &rep);
}

/* Set the fail-nth count of this thread; 0 turns injection off */
static int set_fail_nth(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

/* The count left: 0 once the failure was injected */
static int get_fail_nth(int fd, unsigned int *n)
{
	char buf[16];
	ssize_t len = pread(fd, buf, sizeof(buf) - 1, 0);

	if (len <= 0)
		return -1;
	buf[len] = 0;
	*n = strtoul(buf, NULL, 10);
	return 0;
}

static int cmd_open_faults_once(int argc, char **argv)
{
	const char *nth_path = "/proc/thread-self/fail-nth";
	unsigned int left;
	uint64_t n;
	int fd, nth, rc, err;

	if (argc != 3 || parse_u64(argv[2], 0, &n) || !n || n > 1000000) {
		print_try();
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return sys_err(argv[1], "open");
	nth = open(nth_path, O_RDWR);
	if (nth < 0)
		return sys_err(nth_path, "open");

	if (set_fail_nth(nth, n))
		return sys_err(nth_path, "write");
	rc = report(fd, NVEMU_EV_RESTORE_ABANDONED);
	err = errno;
	if (get_fail_nth(nth, &left) || set_fail_nth(nth, 0))
		return sys_err(nth_path, "read");
	if (left && rc) {
		printf("attempt %llu: failed without injection, errno %d\n",
		       (unsigned long long)n, err);
		return 1;
	}
	if (left)
		printf("attempt %llu: ok\n", (unsigned long long)n);
	else if (rc)
		printf("attempt %llu: injected, errno %d\n",
		       (unsigned long long)n, err);
	else	/* an allocation failure the kernel got over */
		printf("attempt %llu: injected, ok\n", (unsigned long long)n);
	return 0;
}

static int cmd_changed_loop(int argc, char **argv)
{
	struct nvemu_geometry geo = { 0 };
	uint64_t seconds, calls = 0, *bits;
	struct timespec t0, t;
	int fd;

	if (argc != 3 || parse_u64(argv[2], 0, &seconds)) {
		print_try();
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return sys_err(argv[1], "open");
	if (ioctl(fd, NVEMU_IOC_GEOMETRY, &geo))
		return sys_err(argv[1], "NVEMU_IOC_GEOMETRY");
	bits = calloc((geo.nr_segments + 63) / 64, sizeof(*bits));
	if (!bits)
		return sys_err(argv[1], "calloc");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct nvemu_changed c = {
			.bitmap = (uintptr_t)bits,
			.nr_segments = geo.nr_segments,
		};

		if (ioctl(fd, NVEMU_IOC_CHANGED, &c))
			return sys_err(argv[1], "NVEMU_IOC_CHANGED");
		if (report(fd, NVEMU_EV_SAVE_FAILED))
			return sys_err(argv[1], "NVEMU_IOC_REPORT");
		calls++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((uint64_t)(t.tv_sec - t0.tv_sec) < seconds);
	printf("changed: %llu calls\n", (unsigned long long)calls);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "open-faults-once", cmd_open_faults_once },
		{ "changed-loop", cmd_changed_loop },
	};

	return run_command(argc, argv, cmds, ARRAY_SIZE(cmds));
}
