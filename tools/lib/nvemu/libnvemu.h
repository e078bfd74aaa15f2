/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnvemu - the nvemu device and its save image, for user space
 *
 * Two parts, each with its own prefix:
 *
 * nvemu_*	thin wrappers of the ioctls of /dev/nvemuN
 *		(include/uapi/linux/nvemu.h,
 *		Documentation/userspace-api/nvemu.rst): each fills or
 *		sends the uapi structure and returns 0 or -errno.
 * nvemu_proc_*	the same for /dev/nvemu_proc, persistent processes
 *		(include/uapi/linux/nvemu_proc.h,
 *		Documentation/userspace-api/nvemu-proc.rst), and the
 *		execution of a resume ticket (LIBNVEMU_2).
 * nvimg_*	the save image format (Documentation/admin-guide/
 *		nvemu-save-restore.rst): geometry checks, the layout of an
 *		image on its TARGET, encoding and decoding of a header copy
 *		and its segment table, and the checksums.  Pure functions, no
 *		I/O: the caller reads and writes the TARGET.
 *
 * Words: a *range* is one physical DRAM range of nvemu=; a *segment* is
 * the unit that save and restore copy (segment_size bytes, the last one
 * shorter); a *chunk* is the 1 MiB unit of the checksums inside a
 * segment; a *slot* is one of the two places in an image that hold a
 * copy of a segment; a *header copy* (A or B) is one of the two headers
 * with its segment table.
 *
 * No function prints anything or keeps global state; all are thread-safe.
 * The symbols are versioned (libnvemu.map); a new one goes into a new
 * version node, never into an existing one.
 */
#ifndef LIBNVEMU_H
#define LIBNVEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/nvemu.h>
#include <linux/nvemu_proc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- /dev/nvemuN ---------------------------------------------------- */

int nvemu_get_info(int fd, struct nvemu_info *info);
int nvemu_get_range(int fd, uint32_t index, struct nvemu_range_info *range);
int nvemu_get_geometry(int fd, struct nvemu_geometry *geom);
int nvemu_get_segment(int fd, uint64_t index, struct nvemu_segment *seg);
int nvemu_get_state(int fd, struct nvemu_state *state);
int nvemu_report(int fd, uint32_t event, uint32_t flags, uint64_t generation,
		 const uint8_t uuid[16]);
int nvemu_changed(int fd, const uint8_t uuid[16], uint64_t generation,
		  uint64_t *bitmap, uint64_t nr_segments, bool *valid);
const char *nvemu_event_name(uint32_t event);

/* ---- /dev/nvemu_proc: persistent processes (LIBNVEMU_2) ------------- */

#define NVEMU_PROC_DEVICE	"/dev/nvemu_proc"

int nvemu_proc_open(void);
int nvemu_proc_area(int fd, struct nvemu_proc_area *area);
int nvemu_proc_arm(int fd, const char *name, uint32_t interval_ms,
		   uint64_t *id);
int nvemu_proc_info(int fd, uint32_t index, struct nvemu_proc_info *info);
int nvemu_proc_discard(int fd, uint64_t id);
void nvemu_proc_ticket_init(struct nvemu_proc_ticket *t, uint64_t id);
int nvemu_proc_resume_exec(uint64_t id, const char *argv0);
const char *nvemu_proc_state_name(uint32_t state);

/* ---- the save image ------------------------------------------------- */

#define NVIMG_VERSION		1U
#define NVIMG_HDR_SIZE		4096U		/* a header copy's block */
#define NVIMG_ALIGN		0x100000ULL	/* 1 MiB: tables and slots */
#define NVIMG_CHUNK		0x100000ULL	/* 1 MiB checksum chunk */
#define NVIMG_HDR_OFFSET(c)	((uint64_t)(c) << 20)	/* copy 0 (A), 1 (B) */
#define NVIMG_MAX_RANGES	32U
#define NVIMG_MAX_SEGMENTS	0x1000000ULL		/* 2^24 */
#define NVIMG_MIN_SEGMENT	4096ULL
#define NVIMG_MAX_SEGMENT	0x10000000000ULL	/* 1 TiB */
#define NVIMG_MAX_TOTAL		0x100000000000000ULL	/* 2^56 */

/* nvimg_image.flags */
#define NVIMG_F_SHUTDOWN	0x1U	/* nvemu save --shutdown */
#define NVIMG_F_FULL		0x2U	/* this save wrote every segment */
#define NVIMG_F_ALL		(NVIMG_F_SHUTDOWN | NVIMG_F_FULL)

enum nvimg_status {
	NVIMG_VALID,
	NVIMG_EMPTY,		/* no magic: no header there */
	NVIMG_CORRUPT,		/* a header, but not a valid one */
	NVIMG_TRUNCATED,	/* a sane header, but the TARGET is too short */
};

/* An XXH3-128 digest as stored: low 64 bits, then high 64 bits, both LE. */
struct nvimg_csum {
	uint8_t b[16];
};

struct nvimg_range {
	uint64_t offset;
	uint64_t size;
};

/* What an image must match: the NVM's segments and ranges. */
struct nvimg_geom {
	uint64_t total_size;
	uint64_t data_size;
	uint64_t segment_size;
	uint64_t nr_segments;
	uint32_t nr_ranges;
	struct nvimg_range range[NVIMG_MAX_RANGES];
};

/* Where things are on the TARGET; a function of the geometry alone. */
struct nvimg_layout {
	uint64_t nr_segments;
	uint64_t table_bytes;		/* nr_segments * 32 */
	uint64_t table_size;		/* reserved per copy, 1 MiB multiple */
	uint64_t table_offset[2];
	uint64_t data_offset;
	uint64_t slot_size;
	uint64_t image_size;
};

/* One entry of the segment table. */
struct nvimg_entry {
	uint64_t size;
	uint32_t slot;
	struct nvimg_csum csum;
};

struct nvimg_image {
	unsigned int copy;		/* 0: A, 1: B */
	uint32_t flags;
	uint8_t uuid[16];
	uint64_t generation;
	uint64_t time_ns;
	uint64_t segments_written;
	struct nvimg_geom geom;
	struct nvimg_layout layout;
	struct nvimg_entry *table;	/* nr_segments entries */
};

uint64_t nvimg_segment_bytes(const struct nvimg_geom *g, uint64_t i);
uint64_t nvimg_segment_chunks(const struct nvimg_geom *g, uint64_t i);
uint64_t nvimg_chunks_per_segment(const struct nvimg_geom *g);
void nvimg_segment_csum(const struct nvimg_geom *g,
			const struct nvimg_csum *chunk, uint64_t i,
			struct nvimg_csum *out);
int nvimg_geom_check(const struct nvimg_geom *g, char *why, size_t len);
int nvimg_geom_compare(const struct nvimg_geom *img,
		       const struct nvimg_geom *dev, char *why, size_t len);
void nvimg_layout_init(const struct nvimg_geom *g, struct nvimg_layout *l);
uint64_t nvimg_slot_offset(const struct nvimg_layout *l, uint64_t i,
			   unsigned int slot);

void nvimg_encode(const struct nvimg_image *im, uint8_t *blk, uint8_t *table);
int nvimg_decode_header(const uint8_t *blk, unsigned int copy,
			struct nvimg_image *im, char *why, size_t len);
int nvimg_decode_table(const uint8_t *blk, const uint8_t *table,
		       struct nvimg_image *im, char *why, size_t len);
void nvimg_free(struct nvimg_image *im);

int nvimg_pick(const int status[2], const struct nvimg_image im[2]);
unsigned int nvimg_new_copy(const struct nvimg_image *base);
unsigned int nvimg_new_slot(const struct nvimg_image *base, uint64_t i);

void nvimg_hash_chunk(const void *data, size_t len, struct nvimg_csum *out);
void nvimg_hash_segment(const struct nvimg_csum *chunk, uint64_t nr,
			struct nvimg_csum *out);
uint64_t nvimg_hash_header(const void *blk, size_t blk_len, const void *table,
			   size_t table_len);
bool nvimg_csum_eq(const struct nvimg_csum *a, const struct nvimg_csum *b);
void nvimg_csum_hex(const struct nvimg_csum *c, char out[33]);

#ifdef __cplusplus
}
#endif

#endif /* LIBNVEMU_H */
