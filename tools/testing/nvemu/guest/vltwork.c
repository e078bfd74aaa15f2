// SPDX-License-Identifier: GPL-2.0
/*
 * vltwork - the workloads of seed 000 as vlt functions
 *
 * A driver loop calls a vlt function --calls times: "mat", a product of
 * two N x N double matrices (--size N) whose result feeds the next call,
 * or "sort", a sort (bottom-up merge sort) of an array of --size x 4 Ki
 * 64-bit keys drawn afresh before each call, or "both", the two in turn
 * (odd calls mat, even calls sort).  Each call is sized to take seconds
 * under TCG.  "nop" calls an empty vlt function: the fixed cost of a call
 * (make bench).  Built with the nvemu GCC plugin (the vlt
 * attribute), or with -DNVEMU_VLT_OFF (ordinary functions: the reference
 * and the plain process of the benchmark), and -ffp-contract=off so that
 * both architectures compute the same bits.
 *
 * Standard output, written by the driver outside the calls:
 *	begin K			before call K (1-based)
 *	end K CHECKSUM		after it
 *	result CHECKSUM
 * --out FILE gets "vltwork WORK calls C size S" then the "end" and
 * "result" lines.  --runs FILE (optional, an existing file of at least
 * 4 x C bytes): call K adds one to the 32-bit counter at offset 4 (K - 1)
 * when its body starts, a write inside the call that no commit covers, so
 * the file counts how many times each call's body ran.
 *
 * Two runs with the same options print the same bytes and write the same
 * file on x86_64 and arm64, plain or persistent, whatever the cuts and
 * resumes, except that a line may appear twice if a cut fell inside its
 * write(2).  Exit status 0; 2 on bad usage or a system error.
 */
#define _GNU_SOURCE
#define PROG_NAME	"vltwork"
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nvemu/vlt.h>

#include "common.h"

#define MAX_SIZE	4096

static void print_help(void)
{
	printf("Usage: %s --work mat|sort|both|nop --calls C --size S [--out FILE] [--runs FILE]\n"
	       "\n"
	       "Call a vlt function C times from a driver loop: mat multiplies two\n"
	       "S x S double matrices (the result feeds the next call); sort sorts\n"
	       "S x 4 Ki 64-bit keys drawn afresh for each call; both does mat\n"
	       "on odd calls and sort on even ones; nop calls an empty vlt\n"
	       "function (without the begin and end lines).  Prints \"begin K\" and\n"
	       "\"end K CHECKSUM\" around call K, then \"result CHECKSUM\".\n"
	       "\n"
	       "  --out FILE    write the end and result lines to FILE too\n"
	       "  --runs FILE   count in FILE (32-bit counters) how often each\n"
	       "                call's body started\n"
	       "  -h, --help    this text\n", prog);
}

static void print_try(void)
{
	pr_err("usage: %s --work mat|sort|both|nop --calls C --size S [--out FILE] [--runs FILE]\n"
	       "Try '%s --help'.\n", prog, prog);
}

static int runs_fd = -1;

/* One more start of call k's body, in --runs (a write no commit covers) */
static void count_run(uint64_t k)
{
	uint32_t n = 0;

	if (runs_fd < 0)
		return;
	if (pread(runs_fd, &n, sizeof(n), (k - 1) * 4) != sizeof(n))
		n = 0;
	n++;
	if (pwrite(runs_fd, &n, sizeof(n), (k - 1) * 4) != sizeof(n))
		abort();
}

/* c = a x b, n x n, then scaled into [0, 1] for the next call */
vlt uint64_t matmul(uint64_t k, const double *a, const double *b, double *c,
		    size_t n)
{
	uint64_t sum = 0;
	double max = 0;
	size_t i, j, l;

	count_run(k);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double t = 0;

			for (l = 0; l < n; l++)
				t += a[i * n + l] * b[l * n + j];
			c[i * n + j] = t;
			if (t > max)
				max = t;
		}
	for (i = 0; i < n * n; i++) {
		uint64_t bits;

		c[i] = max > 0 ? c[i] / max : 0;
		memcpy(&bits, &c[i], sizeof(bits));
		sum = splitmix64(sum ^ bits);
	}
	return sum;
}

/* Bottom-up merge sort of v[0..n) with tmp[0..n); checksum of the result */
vlt uint64_t sort(uint64_t k, uint64_t *v, uint64_t *tmp, size_t n)
{
	uint64_t sum = 0, *src = v, *dst = tmp, *t;
	size_t w, i;

	count_run(k);
	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t l = i, m = i + w < n ? i + w : n;
			size_t r = m, e = i + 2 * w < n ? i + 2 * w : n, o = i;

			while (l < m && r < e)
				dst[o++] = src[l] <= src[r] ? src[l++] : src[r++];
			while (l < m)
				dst[o++] = src[l++];
			while (r < e)
				dst[o++] = src[r++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	for (i = 0; i < n; i++) {
		if (i && v[i - 1] > v[i])
			abort();
		sum = splitmix64(sum ^ v[i]);
	}
	return sum;
}

/* The fixed cost of a vlt call: nothing inside */
vlt uint64_t nop(uint64_t k)
{
	return k;
}

/* Write a line to standard output and, when open, to the result file */
static void emit(FILE *out, const char *line)
{
	size_t len = strlen(line);

	if (write(1, line, len) != (ssize_t)len)
		exit(sys_err("stdout", "write"));
	if (out && (fputs(line, out) == EOF || fflush(out)))
		exit(sys_err("--out", "write"));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "work", required_argument, NULL, 'w' },
		{ "calls", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *work = NULL, *outpath = NULL, *runs = NULL;
	uint64_t calls = 0, size = 0, k, sum = 0, n = 0, nkeys = 0, i;
	double *a = NULL, *b = NULL, *c = NULL;
	uint64_t *v = NULL, *tmp = NULL;
	FILE *out = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			work = optarg;
			break;
		case 'c':
			if (parse_u64(optarg, 0, &calls) || !calls ||
			    calls > 100000000)
				return print_try(), 2;
			break;
		case 's':
			if (parse_u64(optarg, 0, &size) || !size ||
			    size > MAX_SIZE)
				return print_try(), 2;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'r':
			runs = optarg;
			break;
		case 'h':
			print_help();
			return 0;
		default:
			print_try();
			return 2;
		}
	}
	if (optind != argc || !work || !calls || !size ||
	    (strcmp(work, "mat") && strcmp(work, "sort") &&
	     strcmp(work, "both") && strcmp(work, "nop"))) {
		print_try();
		return 2;
	}
	if (runs) {
		runs_fd = open(runs, O_RDWR);
		if (runs_fd < 0)
			return sys_err(runs, "open");
	}
	if (outpath) {
		out = fopen(outpath, "w");
		if (!out)
			return sys_err(outpath, "open");
		fprintf(out, "vltwork %s calls %llu size %llu\n", work,
			(unsigned long long)calls, (unsigned long long)size);
	}
	if (!strcmp(work, "nop")) {
		for (k = 1; k <= calls; k++)
			sum = splitmix64(sum ^ nop(k));
		printf("result %016llx\n", (unsigned long long)sum);
		return 0;
	}
	if (strcmp(work, "sort")) {
		n = size;
		a = malloc(n * n * sizeof(*a));
		b = malloc(n * n * sizeof(*b));
		c = malloc(n * n * sizeof(*c));
		if (!a || !b || !c)
			return sys_err("heap", "malloc");
		/* exact doubles in [0, 1): 53-bit integers times 2^-53 */
		for (i = 0; i < n * n; i++) {
			a[i] = (splitmix64(i) >> 11) * (1.0 / 9007199254740992.0);
			b[i] = (splitmix64(i + n * n) >> 11) *
			       (1.0 / 9007199254740992.0);
		}
	}
	if (strcmp(work, "mat")) {
		nkeys = size << 12;
		v = malloc(nkeys * sizeof(*v));
		tmp = malloc(nkeys * sizeof(*tmp));
		if (!v || !tmp)
			return sys_err("heap", "malloc");
	}
	for (k = 1; k <= calls; k++) {
		char line[64];
		uint64_t r;

		snprintf(line, sizeof(line), "begin %llu\n",
			 (unsigned long long)k);
		emit(NULL, line);
		if (a && (!v || k % 2)) {
			double *t;

			r = matmul(k, a, b, c, n);
			t = a;	/* the product feeds the next call */
			a = c;
			c = t;
		} else {
			for (i = 0; i < nkeys; i++)
				v[i] = splitmix64(k * nkeys + i);
			r = sort(k, v, tmp, nkeys);
		}
		sum = splitmix64(sum ^ r);
		snprintf(line, sizeof(line), "end %llu %016llx\n",
			 (unsigned long long)k, (unsigned long long)r);
		emit(out, line);
	}
	{
		char line[64];

		snprintf(line, sizeof(line), "result %016llx\n",
			 (unsigned long long)sum);
		emit(out, line);
	}
	if (out && fclose(out))
		return sys_err(outpath, "close");
	return 0;
}
