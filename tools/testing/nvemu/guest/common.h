/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scaffolding shared by the nvemu guest programs.
 *
 * Each program is built from its own .c file alone (see the top-level
 * Makefile), so everything here is static.  A program defines PROG_NAME,
 * its name as a string literal, before including this file, and defines
 * the two functions declared below.
 */
#ifndef NVEMU_GUEST_COMMON_H
#define NVEMU_GUEST_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PROG_NAME
#error "define PROG_NAME before including this header"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *prog = PROG_NAME;

/* Defined by each program: */
static void print_help(void);	/* the --help text, on standard output */
static void print_try(void);	/* usage and "Try --help", standard error */

/* A message on standard error, prefixed with "PROG: ". */
#define pr_err(fmt, ...) fprintf(stderr, "%s: " fmt, prog, ##__VA_ARGS__)

/* "PROG: PATH: WHAT: strerror(errno)"; returns 2, the exit status. */
static inline int sys_err(const char *path, const char *what)
{
	pr_err("%s: %s: %s\n", path, what, strerror(errno));
	return 2;
}

/* The output function of SplitMix64 (Steele, Lea and Flood) at x + gamma. */
static inline uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * Convert all of @s with strtoull(), base 0 (decimal, 0x hex or 0 octal),
 * and with @suffix an optional K, M, G or T (binary) multiplier.  Leading
 * white space and a sign are taken as strtoull() takes them, so "-1" is
 * 2^64 - 1: callers refuse what they do not want first, or use parse_u64().
 * Returns 0, or -1 if @s is not a number or out of range.
 */
static inline int parse_u64_raw(const char *s, int suffix, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (suffix && *end) {
		switch (*end) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		case 't': case 'T':
			shift = 40;
			break;
		default:
			return -1;
		}
		end++;
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* As parse_u64_raw(), after blanks, but refusing a sign or an empty @s. */
static inline int parse_u64(const char *s, int suffix, uint64_t *out)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+' || !*s)
		return -1;
	return parse_u64_raw(s, suffix, out);
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * The main() of a program of commands: "PROG --help" prints the help text;
 * "PROG CMD ARGS..." runs CMD with argv[0] "PROG CMD", which names the
 * command in getopt's messages.  Returns the exit status.
 */
static inline int run_command(int argc, char **argv,
			      const struct command *cmds, size_t ncmds)
{
	char name[32];
	size_t i;

	if (argc < 2) {
		print_try();
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_help();
		return 0;
	}
	for (i = 0; i < ncmds; i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		snprintf(name, sizeof(name), "%s %s", prog, cmds[i].name);
		argv[1] = name;
		return cmds[i].fn(argc - 1, argv + 1);
	}
	pr_err("unknown command '%s'\n", argv[1]);
	print_try();
	return 2;
}

#endif /* NVEMU_GUEST_COMMON_H */
