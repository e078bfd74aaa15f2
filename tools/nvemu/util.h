/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvemu - messages, parsing, time, I/O helpers shared by the commands
 */
#ifndef NVEMU_UTIL_H
#define NVEMU_UTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit status, see "nvemu --help" and nvemu-save-restore.rst. */
enum {
	NV_EXIT_OK = 0,
	NV_EXIT_ERR = 1,	/* any other error */
	NV_EXIT_USAGE = 2,
	NV_EXIT_NOIMAGE = 3,	/* no valid image on the TARGET */
	NV_EXIT_GEOMETRY = 4,	/* image and NVM geometries differ */
	NV_EXIT_CHECKSUM = 5,	/* segment data fail their checksums */
	NV_EXIT_SIZE = 6,	/* TARGET too small or truncated */
	NV_EXIT_DIFFERS = 7,	/* verify --against-nvm: the NVM differs */
};

#define ULL(x)		((unsigned long long)(x))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * BIT_ULL() and __printf() as in the kernel's <linux/bits.h> and
 * <linux/compiler_attributes.h>, which user space does not have.  The
 * format attribute is named through nv_printf_format() so that this one
 * definition of __printf() does not read as a use that should be one.
 */
#ifndef BIT_ULL
#define BIT_ULL(nr)	(1ULL << (nr))
#endif
#ifndef __printf
#define nv_printf_format(a, b)	__format__(printf, a, b)
#define __printf(a, b)		__attribute__((nv_printf_format(a, b)))
#endif

static inline uint64_t nv_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline unsigned int nv_min_uint(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

extern const char *prog;
extern bool nv_quiet;
/*
 * The signal that interrupted a save or restore, 0: none.  Set by the
 * signal handler: a lock-free atomic object, as C11 allows there.
 */
extern atomic_int nv_interrupted;

__printf(1, 2) void nv_err(const char *fmt, ...);
__printf(1, 2) void nv_warn(const char *fmt, ...);
__printf(1, 2) void nv_note(const char *fmt, ...);

void nv_catch_signals(void);
bool nv_same_file(int fd1, int fd2);
int nv_parse_u64(const char *s, uint64_t *out);
int nv_parse_size(const char *s, uint64_t *out);
int nv_parse_jobs(const char *s, unsigned int *out);
unsigned int nv_cpus(void);

double nv_mono(void);
uint64_t nv_time_ns(void);
int nv_new_uuid(uint8_t uuid[16]);
void nv_uuid_str(const uint8_t uuid[16], char out[37]);
const char *nv_bytes_str(uint64_t bytes, char *buf, size_t len);
void nv_json_str(FILE *f, const char *s);

void *nv_alloc_io(size_t len);
ssize_t nv_pread_full(int fd, void *buf, size_t len, uint64_t off);
ssize_t nv_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
int nv_sync_dir_of(const char *path);

#endif /* NVEMU_UTIL_H */
