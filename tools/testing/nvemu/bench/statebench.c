// SPDX-License-Identifier: GPL-2.0
/*
 * statebench - a process with a given amount of state, for comparing a
 * persistent process's commit and resume with CRIU's dump and restore
 *
 *   statebench --mib N [--rounds R] [--hold]
 *
 * Maps N MiB of anonymous memory (no huge pages, as a heap grows) and
 * writes every byte of it R times (default 1), one 64-bit word per 8
 * bytes, from a value that changes each round.  After each round it
 * writes "round K" to standard output: under `nvemu run` with standard
 * output on a pipe, that write is a commit point, so each commit has all
 * N MiB dirty.  With --hold it then writes "held" and waits in pause():
 * the moment to dump it, or to stop it (SIGTERM commits it at its death)
 * and resume it.  When pause() returns (a signal that does not kill it, or
 * a resume, which interrupts it with EINTR), it checks every word of the
 * last round, writes "checked OK" or "checked BAD at OFFSET" and exits 0
 * or 1.  Without --hold it exits 0 after the last round.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void say(const char *fmt, unsigned long v)
{
	char line[64];
	int n = snprintf(line, sizeof(line), fmt, v);

	if (write(STDOUT_FILENO, line, n) != n)
		exit(3);
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	unsigned long mib = 0, rounds = 1, r;
	size_t words, i;
	uint64_t *p;
	int hold = 0, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--mib") && a + 1 < argc) {
			mib = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--rounds") && a + 1 < argc) {
			rounds = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--hold")) {
			hold = 1;
		} else {
			fprintf(stderr,
				"usage: statebench --mib N [--rounds R] [--hold]\n");
			return 2;
		}
	}
	if (!mib || !rounds) {
		fprintf(stderr, "statebench: --mib and --rounds must be > 0\n");
		return 2;
	}
	words = (mib << 20) / sizeof(*p);
	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("statebench: mmap");
		return 1;
	}
	madvise(p, mib << 20, MADV_NOHUGEPAGE);
	for (r = 1; r <= rounds; r++) {
		for (i = 0; i < words; i++)
			p[i] = r * 0x9e3779b97f4a7c15ULL + i;
		say("round %lu\n", r);
	}
	if (!hold)
		return 0;
	signal(SIGPWR, on_signal);
	signal(SIGUSR1, on_signal);
	say("held%.0lu\n", 0);
	pause();
	for (i = 0; i < words; i++) {
		if (p[i] != rounds * 0x9e3779b97f4a7c15ULL + i) {
			say("checked BAD at %lu\n", i * sizeof(*p));
			return 1;
		}
	}
	say("checked OK%.0lu\n", 0);
	return 0;
}
