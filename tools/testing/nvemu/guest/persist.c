// SPDX-License-Identifier: GPL-2.0
/*
 * persist - the main test program of nvemu's persistent processes
 *
 * A deterministic computation long enough to be cut by power failures
 * (tens of seconds under TCG with the defaults), which exercises what a
 * commit and a resume must keep: a large heap (--heap-mib, 64 MiB by
 * default) transformed and sorted in passes, a deep stack (a recursion of
 * more than 10000 frames, every frame read by the next one), floating
 * point registers (double accumulations, exact: only +, -, *, / in IEEE
 * double, built with -ffp-contract=off), a __thread variable (the TLS
 * register), a pipe (progress lines on standard output) and a regular file
 * (--out).  Each step does the same amount of work, so the work redone
 * after a cut is (progress lines seen twice) x (time of a step).
 *
 * Standard output, one line per step, then the result:
 *	progress STEP/TOTAL CHECKSUM
 *	result CHECKSUM fp FPHEX tls N
 * --out FILE (created or truncated at the start) gets:
 *	persist steps TOTAL heap-mib M
 *	step STEP CHECKSUM		(one per step)
 *	result CHECKSUM fp FPHEX tls N
 * Standard error: "persist: mode plain|persistent" at the start and
 * "resumed N" on each SIGPWR with si_code NVEMU_SI_RESUMED.
 *
 * Two runs with the same options print the same bytes on standard output
 * and write the same file, on x86_64 and arm64, persistent or not,
 * whatever the number of cuts and resumes, except that a progress line
 * may appear twice if a cut fell inside its write(2) (design memo,
 * section 6).  Exit status 0; 1 if a check failed (TLS, stack, SIGPWR's
 * si_code); 2 on bad usage or a system error.
 */
#define _GNU_SOURCE
#define PROG_NAME	"persist"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/nvemu_proc.h>

#include "common.h"

#define DEFAULT_STEPS		100
#define DEFAULT_HEAP_MIB	64
#define MAX_HEAP_MIB		4096
#define MIN_DEPTH		10000	/* frames of the recursion */
#define FRAME_WORDS		4
/* 2^-53: a 53-bit integer times this is an exact double in [0, 1) */
#define TWO_POW_M53		(1.0 / 9007199254740992.0)
/* each frame of deep() must be a real frame; named so for checkpatch */
#define persist_noinline	__noinline__

static const char help_text[] =
"NAME\n"
"    persist - deterministic long computation for persistent-process tests\n"
"\n"
"SYNOPSIS\n"
"    persist [--steps N] [--heap-mib M] [--out FILE] [--plain]\n"
"\n"
"DESCRIPTION\n"
"    Runs N steps of equal work over an M MiB heap: transform a quarter of\n"
"    it, sort a 1/64 slice with a recursive quicksort, accumulate doubles,\n"
"    recurse more than 10000 frames deep, update and check a __thread\n"
"    counter.  Prints \"progress STEP/N CHECKSUM\" per step on standard\n"
"    output, then \"result CHECKSUM fp FPHEX tls N\"; writes the same\n"
"    lines, a header and \"step STEP CHECKSUM\" ones to FILE.  The output\n"
"    depends on N and M only.  A SIGPWR handler counts resumes and prints\n"
"    \"resumed N\" on standard error for each.\n"
"\n"
"OPTIONS\n"
"    --steps N      steps (default 100), 1 to 1000000\n"
"    --heap-mib M   heap in MiB (default 64), 1 to 4096\n"
"    --out FILE     the result file (default: none)\n"
"    --plain        say \"mode plain\" instead of \"mode persistent\" on\n"
"                   standard error; nothing else changes\n"
"\n"
"EXIT STATUS\n"
"    0 done, 1 a check failed, 2 bad usage or a system error\n";

static void print_help(void)
{
	fputs(help_text, stdout);
}

static void print_try(void)
{
	fprintf(stderr, "Usage: %s [--steps N] [--heap-mib M] [--out FILE] [--plain]\n"
		"Try '%s --help'.\n", prog, prog);
}

static __thread uint64_t tls_steps;	/* steps done, kept in TLS */

/* Set by the SIGPWR handler: lock-free atomics, as C11 allows there */
static atomic_int resumes;
static atomic_int bad_signals;

/* All of buf to fd, whatever EINTR and short writes; 0 or -1 */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Decimal of v at the end of buf[24]: its start (async-signal-safe) */
static char *utoa(uint64_t v, char *end)
{
	*--end = 0;
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

/* dst, then src after it: the new end (async-signal-safe) */
static char *append(char *dst, const char *src)
{
	size_t len = strlen(src);

	memcpy(dst, src, len + 1);
	return dst + len;
}

static void on_sigpwr(int sig, siginfo_t *si, void *uc)
{
	char buf[24], line[80], *p = line;
	int saved = errno;

	(void)sig;
	(void)uc;
	if (si->si_code == NVEMU_SI_RESUMED) {
		p = append(p, "resumed ");
		p = append(p, utoa(atomic_fetch_add(&resumes, 1) + 1,
				   buf + sizeof(buf)));
	} else {
		atomic_fetch_add(&bad_signals, 1);
		p = append(p, "persist: SIGPWR with si_code ");
		p = append(p, utoa((uint32_t)si->si_code, buf + sizeof(buf)));
	}
	p = append(p, "\n");
	write_all(STDERR_FILENO, line, p - line);
	errno = saved;
}

/* A formatted line to fd (none if fd < 0); 0 or -1 */
static int out_line(int fd, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (fd < 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write_all(fd, buf, n);
}

static inline void swap_u64(uint64_t *a, long i, long j)
{
	uint64_t t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/* Sort a[lo..hi] (inclusive), median-of-three pivot, recursively */
static void quicksort(uint64_t *a, long lo, long hi)
{
	long i, j, mid;
	uint64_t p;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a[mid] < a[lo])
			swap_u64(a, mid, lo);
		if (a[hi] < a[lo])
			swap_u64(a, hi, lo);
		if (a[hi] < a[mid])
			swap_u64(a, hi, mid);
		p = a[mid];
		i = lo;
		j = hi;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				swap_u64(a, i, j);
				i++;
				j--;
			}
		}
		/* recurse into the smaller part, loop on the larger */
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

static bool stack_bad;

/*
 * depth more frames, each holding FRAME_WORDS words derived from its
 * parent's: the result depends on every frame, and each frame checks its
 * words after its child returned (a stack restored wrongly shows here).
 */
static __attribute__((persist_noinline)) uint64_t deep(unsigned int depth,
						       const uint64_t *parent)
{
	uint64_t f[FRAME_WORDS], r;
	unsigned int k;

	for (k = 0; k < FRAME_WORDS; k++)
		f[k] = splitmix64(parent[k] + depth);
	if (!depth)
		return f[0] ^ f[FRAME_WORDS - 1];
	r = deep(depth - 1, f);
	for (k = 0; k < FRAME_WORDS; k++)
		if (f[k] != splitmix64(parent[k] + depth))
			stack_bad = true;
	return splitmix64(r ^ f[depth % FRAME_WORDS]);
}

struct state {
	uint64_t *a;
	size_t n;
	uint64_t sum;		/* the running checksum */
	double fp;		/* the running double accumulation */
};

/* One step: the same work for every s */
static void step(struct state *st, uint64_t s)
{
	size_t n = st->n, w = n / 4, z = n / 64, i, off;
	uint64_t root[FRAME_WORDS] = { s, s + 1, s + 2, s + 3 };
	uint64_t *a = st->a, h = st->sum;
	double acc = st->fp;

	/* a quarter of the heap, a rotating window, mixed with its partner */
	off = (s * 0x9e3779b1ULL) % n;
	for (i = 0; i < w; i++) {
		size_t j = (off + i) % n;

		a[j] = splitmix64(a[j] ^ a[(j * 7 + s) % n]);
	}
	/* sort a slice of 1/64 of the heap, recursively */
	off = (s * 0x85ebca6bULL) % (n - z + 1);
	quicksort(a, off, off + z - 1);
	for (i = 0; i < z; i += 64)
		h = splitmix64(h ^ a[off + i]);
	/* exact double arithmetic: 53-bit fractions, no contraction */
	for (i = 0; i < z; i += 16) {
		double x = (double)(a[off + i] >> 11) * TWO_POW_M53;

		acc = acc * 0.5 + x / (1.0 + (double)(i & 255));
	}
	/* a deep stack */
	h = splitmix64(h ^ deep(MIN_DEPTH + (s % 16) * 100, root));
	st->sum = h;
	st->fp = acc;
	tls_steps++;
}

static uint64_t fp_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "steps", required_argument, NULL, 's' },
		{ "heap-mib", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t steps = DEFAULT_STEPS, mib = DEFAULT_HEAP_MIB, s;
	struct state st = { 0 };
	const char *out = NULL;
	struct sigaction sa;
	bool plain = false;
	int c, fd = -1;
	size_t i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_u64(optarg, 0, &steps) || !steps ||
			    steps > 1000000) {
				pr_err("--steps takes 1 to 1000000, not '%s'\n",
				       optarg);
				return 2;
			}
			break;
		case 'm':
			if (parse_u64(optarg, 0, &mib) || !mib ||
			    mib > MAX_HEAP_MIB) {
				pr_err("--heap-mib takes 1 to %d, not '%s'\n",
				       MAX_HEAP_MIB, optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			plain = true;
			break;
		case 'h':
			print_help();
			return 0;
		default:
			print_try();
			return 2;
		}
	}
	if (optind != argc) {
		print_try();
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigpwr;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPWR, &sa, NULL))
		return sys_err("SIGPWR", "sigaction");

	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return sys_err(out, "open");
	}
	out_line(STDERR_FILENO, "persist: mode %s\n",
		 plain ? "plain" : "persistent");

	st.n = mib << 17;	/* 8-byte words */
	st.a = malloc(st.n * sizeof(*st.a));
	if (!st.a) {
		pr_err("cannot allocate %llu MiB\n", (unsigned long long)mib);
		return 2;
	}
	for (i = 0; i < st.n; i++)
		st.a[i] = splitmix64(i);
	if (out_line(fd, "persist steps %llu heap-mib %llu\n",
		     (unsigned long long)steps, (unsigned long long)mib))
		return sys_err(out, "write");

	for (s = 0; s < steps; s++) {
		step(&st, s);
		if (tls_steps != s + 1) {
			pr_err("step %llu: the __thread counter says %llu\n",
			       (unsigned long long)s + 1,
			       (unsigned long long)tls_steps);
			return 1;
		}
		if (stack_bad) {
			pr_err("step %llu: a stack frame changed\n",
			       (unsigned long long)s + 1);
			return 1;
		}
		if (out_line(STDOUT_FILENO, "progress %llu/%llu %016llx\n",
			     (unsigned long long)s + 1,
			     (unsigned long long)steps,
			     (unsigned long long)st.sum))
			return sys_err("standard output", "write");
		if (out_line(fd, "step %llu %016llx\n",
			     (unsigned long long)s + 1,
			     (unsigned long long)st.sum))
			return sys_err(out, "write");
	}
	/* the whole heap goes into the result */
	for (i = 0; i < st.n; i++)
		st.sum = splitmix64(st.sum ^ st.a[i]);
	if (out_line(STDOUT_FILENO, "result %016llx fp %016llx tls %llu\n",
		     (unsigned long long)st.sum,
		     (unsigned long long)fp_bits(st.fp),
		     (unsigned long long)tls_steps) ||
	    out_line(fd, "result %016llx fp %016llx tls %llu\n",
		     (unsigned long long)st.sum,
		     (unsigned long long)fp_bits(st.fp),
		     (unsigned long long)tls_steps))
		return sys_err(out ? out : "standard output", "write");
	if (fd >= 0 && (fsync(fd) || close(fd)))
		return sys_err(out, "close");
	free(st.a);
	return atomic_load(&bad_signals) ? 1 : 0;
}
