// SPDX-License-Identifier: GPL-2.0
/*
 * membw - sequential write and read bandwidth through a memory mapping
 *
 *   membw --anon SIZE                 anonymous DRAM (MAP_PRIVATE|MAP_ANONYMOUS)
 *   membw --file PATH OFFSET SIZE     MAP_SHARED mapping of a file or device
 *
 * Writes then reads SIZE bytes as 64-bit words, several passes, after one
 * warm-up pass that faults every page in, and prints one line:
 *   <label> write_MBps read_MBps
 * The same loops run on both kinds of memory, so their ratio is fair.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PASSES 4
/* The largest PMD size of the supported page sizes (64K pages: 512 MiB) */
#define HUGE_ALIGN (512UL << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(volatile uint64_t *p, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = v + i;
}

static uint64_t sum(volatile uint64_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += p[i];
	return s;
}

int main(int argc, char **argv)
{
	const char *label;
	size_t size, n;
	uint64_t *p, s = 0;
	double t, w, r;
	int i;

	if (argc == 3 && !strcmp(argv[1], "--anon")) {
		char *raw;

		size = strtoull(argv[2], NULL, 0);
		label = "anon";
		/*
		 * PMD-aligned and with MADV_HUGEPAGE, so that anonymous memory
		 * gets the same huge mappings as /dev/nvemu0: the comparison
		 * is then about the memory, not about TLB reach.
		 */
		raw = mmap(NULL, size + HUGE_ALIGN, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p = MAP_FAILED;
		if (raw != MAP_FAILED) {
			p = (uint64_t *)(((uintptr_t)raw + HUGE_ALIGN - 1) &
					 ~(uintptr_t)(HUGE_ALIGN - 1));
			madvise(p, size, MADV_HUGEPAGE);
		}
	} else if (argc == 5 && !strcmp(argv[1], "--file")) {
		int fd = open(argv[2], O_RDWR);

		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		size = strtoull(argv[4], NULL, 0);
		label = argv[2];
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 strtoull(argv[3], NULL, 0));
		close(fd);
	} else {
		fprintf(stderr, "usage: membw --anon SIZE | --file PATH OFFSET SIZE\n");
		return 2;
	}
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	n = size / sizeof(*p);

	fill(p, n, 0);				/* warm-up: fault in */
	t = now();
	for (i = 1; i <= PASSES; i++)
		fill(p, n, i);
	w = now() - t;
	t = now();
	for (i = 0; i < PASSES; i++)
		s += sum(p, n);
	r = now() - t;
	if (s == 42)				/* keep the reads */
		putchar(' ');
	printf("%s %.0f %.0f\n", label, PASSES * size / w / 1e6,
	       PASSES * size / r / 1e6);
	return 0;
}
