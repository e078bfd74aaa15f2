// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - messages, parsing, time, I/O helpers shared by the commands
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testhooks.h"
#include "util.h"

const char *prog = "nvemu";
bool nv_quiet;
atomic_int nv_interrupted;

static_assert(ATOMIC_INT_LOCK_FREE == 2,
	      "nv_interrupted must be lock-free to be set by a signal handler");

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", prog, kind, buf);
}

/* An error: "nvemu: message" on stderr. */
void nv_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void nv_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

/* A notice, not printed with --quiet. */
void nv_note(const char *fmt, ...)
{
	va_list ap;

	if (nv_quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

/* A decimal number; 0 or -1. */
int nv_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static void on_signal(int sig)
{
	atomic_store(&nv_interrupted, sig);
}

/*
 * SIGINT, SIGTERM, SIGHUP stop the workers before their next read or write, so that a
 * save or restore fails cleanly and is reported as failed.
 */
void nv_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Are both descriptors the same file? */
bool nv_same_file(int fd1, int fd2)
{
	struct stat a, b;

	if (fstat(fd1, &a) || fstat(fd2, &b))
		return false;
	if (S_ISBLK(a.st_mode) || S_ISCHR(a.st_mode))
		return a.st_mode == b.st_mode && a.st_rdev == b.st_rdev;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* "123", "4K", "64M", "2G", "1T" (binary units); 0 or -1. */
int nv_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		u = strchr(units, *end & ~0x20);
		if (!u || (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B")))
			return -1;
		shift = 10 * (int)(u - units + 1);
		if (v > (~0ULL >> shift))
			return -1;
		v <<= shift;
	}
	*out = v;
	return 0;
}

int nv_parse_jobs(const char *s, unsigned int *out)
{
	uint64_t v;

	if (nv_parse_u64(s, &v) || v < 1 || v > 256)
		return -1;
	*out = v;
	return 0;
}

/* CPUs this process may run on. */
unsigned int nv_cpus(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

double nv_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Nanoseconds since the epoch (or NVEMU_TEST_TIME in a test build). */
uint64_t nv_time_ns(void)
{
	struct timespec ts;
	uint64_t ns;

	if (nv_test_time(&ns))
		return ns;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A random (version 4) UUID (or NVEMU_TEST_UUID in a test build). */
int nv_new_uuid(uint8_t uuid[16])
{
	ssize_t n;

	if (nv_test_uuid(uuid))
		return 0;
	n = getrandom(uuid, 16, 0);
	if (n != 16) {
		nv_err("getrandom: %s", n < 0 ? strerror(errno) : "short read");
		return -1;
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return 0;
}

void nv_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* "512 B", "4.0 MiB", "1.50 GiB" */
const char *nv_bytes_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", ULL(bytes));
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.2f %s" : "%.1f %s", v, unit[u]);
	return buf;
}

/* s as a JSON string, with quotes. */
void nv_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A zeroed buffer aligned for O_DIRECT, or NULL (message printed). */
void *nv_alloc_io(size_t len)
{
	void *p;
	int err;

	err = posix_memalign(&p, 4096, len ? len : 4096);
	if (err) {
		nv_err("cannot allocate %zu bytes: %s", len, strerror(err));
		return NULL;
	}
	memset(p, 0, len);
	return p;
}

/* Read len bytes unless end of file: bytes read, or -errno. */
ssize_t nv_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* Write len bytes: len, or -errno (-ENOSPC for a write of 0 bytes). */
ssize_t nv_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, (const char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -ENOSPC;
		done += n;
	}
	return done;
}

/* fsync the directory that holds path, so that a new file stays. */
int nv_sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, ret = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		ret = fsync(fd);
		close(fd);
	}
	free(copy);
	return ret;
}
