// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - CPUs of NUMA nodes, for pinning the workers
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numa.h"

/* Parse a cpulist ("0-3,8,10-11\n") into set.  0, or -1 if malformed. */
int nv_parse_cpulist(const char *s, cpu_set_t *set)
{
	unsigned long a, b;
	char *end;

	CPU_ZERO(set);
	while (*s && *s != '\n') {
		a = strtoul(s, &end, 10);
		if (end == s)
			return -1;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -1;
			s = end;
		}
		for (; a <= b && a < CPU_SETSIZE; a++)
			CPU_SET(a, set);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return 0;
}

/* The CPUs of a NUMA node, from sysfs.  0, or -1 if unknown or none. */
int nv_node_cpus(int node, cpu_set_t *set)
{
	char path[64], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (nv_parse_cpulist(buf, set) || !CPU_COUNT(set))
		return -1;
	return 0;
}
