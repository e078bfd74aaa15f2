/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - CPUs of NUMA nodes, for pinning the workers
 */
#ifndef NVEMU_NUMA_H
#define NVEMU_NUMA_H

#include <sched.h>	/* needs _GNU_SOURCE */

int nv_parse_cpulist(const char *s, cpu_set_t *set);
int nv_node_cpus(int node, cpu_set_t *set);

#endif /* NVEMU_NUMA_H */
