// SPDX-License-Identifier: GPL-2.0
/*
 * pblock - block in a system call, for the "interrupted external system
 * call" tests of nvemu's persistent processes
 *
 *   pblock read [--no-handler]
 *	Print "blocking read" on standard output, then read(2) one buffer
 *	from standard input (a pipe that nobody writes, in the tests).  A
 *	power cut while it blocks, and nvemu resume, make the read return
 *	EINTR (design memo, section 6).  Then print one line:
 *	    "read: N bytes; sigpwr S"              the read returned N >= 0
 *	    "read: -1 ENAME; sigpwr S si_code C si_errno E"
 *	S is the number of SIGPWRs received, C and E those of the last one
 *	(0 0 if none).
 *
 *   pblock sleep SECONDS [--no-handler]
 *	Print "blocking sleep", then nanosleep(2) for SECONDS.  Prints
 *	"sleep: done; sigpwr S" or "sleep: -1 ENAME; sigpwr S si_code C
 *	si_errno E".
 *
 *   pblock now
 *	Print CLOCK_REALTIME in nanoseconds (busybox's date has no %N): the
 *	heartbeat of the power-cut tests, compared with the commit times
 *	nvemu ps shows.
 *
 * A SIGPWR handler (SA_SIGINFO, without SA_RESTART, so that the call is
 * not restarted) counts the signals; --no-handler leaves SIGPWR at
 * SIG_DFL, with which a resumed process receives none.  Exit status 0
 * once the line is printed, 2 on bad usage.
 */
#define _GNU_SOURCE
#define PROG_NAME	"pblock"
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static atomic_int sigpwr_count;
static atomic_int sigpwr_code;
static atomic_int sigpwr_errno;

static void print_help(void)
{
	puts("Usage: pblock read [--no-handler]\n"
	     "       pblock sleep SECONDS [--no-handler]\n"
	     "\n"
	     "read   block in read(2) of standard input, then report how it\n"
	     "       ended and whether SIGPWR arrived\n"
	     "sleep  the same with nanosleep(2) for SECONDS\n"
	     "--no-handler  leave SIGPWR at SIG_DFL");
}

static void print_try(void)
{
	fprintf(stderr, "Usage: %s read|sleep SECONDS [--no-handler]\n"
		"Try '%s --help'.\n", prog, prog);
}

static void on_sigpwr(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	atomic_store(&sigpwr_code, si->si_code);
	atomic_store(&sigpwr_errno, si->si_errno);
	atomic_fetch_add(&sigpwr_count, 1);
}

/* "EINTR" for EINTR, or the number */
static const char *errno_name(int err, char *buf, size_t len)
{
	switch (err) {
	case EINTR:
		return "EINTR";
	case EAGAIN:
		return "EAGAIN";
	case EBADF:
		return "EBADF";
	case EIO:
		return "EIO";
	}
	snprintf(buf, len, "errno%d", err);
	return buf;
}

static int setup(int argc, char **argv, int first)
{
	struct sigaction sa;
	bool handler = true;
	int i;

	for (i = first; i < argc; i++) {
		if (strcmp(argv[i], "--no-handler")) {
			print_try();
			return -1;
		}
		handler = false;
	}
	if (!handler)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigpwr;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGPWR, &sa, NULL);
}

/* "WHAT: -1 ENAME; sigpwr S si_code C si_errno E" */
static void report_err(const char *what, int err)
{
	char b[32];

	printf("%s: -1 %s; sigpwr %d si_code %d si_errno %d\n", what,
	       errno_name(err, b, sizeof(b)), atomic_load(&sigpwr_count),
	       atomic_load(&sigpwr_code), atomic_load(&sigpwr_errno));
}

static int cmd_read(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;

	if (setup(argc, argv, 1))
		return 2;
	printf("blocking read\n");
	fflush(stdout);
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n >= 0)
		printf("read: %zd bytes; sigpwr %d\n", n,
		       atomic_load(&sigpwr_count));
	else
		report_err("read", errno);
	return 0;
}

static int cmd_sleep(int argc, char **argv)
{
	struct timespec ts = { 0 };
	uint64_t sec;

	if (argc < 2 || parse_u64(argv[1], 0, &sec)) {
		print_try();
		return 2;
	}
	if (setup(argc, argv, 2))
		return 2;
	ts.tv_sec = sec;
	printf("blocking sleep\n");
	fflush(stdout);
	if (nanosleep(&ts, NULL))
		report_err("sleep", errno);
	else
		printf("sleep: done; sigpwr %d\n", atomic_load(&sigpwr_count));
	return 0;
}

static int cmd_now(int argc, char **argv)
{
	struct timespec ts;

	(void)argv;
	if (argc != 1 || clock_gettime(CLOCK_REALTIME, &ts))
		return 2;
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}

static const struct command commands[] = {
	{ "read", cmd_read },
	{ "sleep", cmd_sleep },
	{ "now", cmd_now },
};

int main(int argc, char **argv)
{
	return run_command(argc, argv, commands, ARRAY_SIZE(commands));
}
