// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - parallel copy and checksum of data regions
 *
 * x->jobs worker threads go through the same list of regions in the same
 * order.  Worker j handles only its slice of each region (split.c), in
 * NV_IO_SIZE pieces: read, hash each 1 MiB chunk, and write if the
 * operation copies.  So every region is read and written by all workers in
 * parallel, and its chunk digests come out the same for any number of
 * workers.  Before a region, a worker pins itself to the CPUs of the
 * region's NUMA node if the kernel told it (best effort).
 *
 * The first error stops all workers; its message is printed by xfer_run().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "split.h"
#include "util.h"
#include "xfer.h"

struct worker {
	struct xfer *x;
	unsigned int idx;
	int node;		/* pinned to, -1: not pinned */
	uint8_t *buf;
	pthread_t thread;
};

/* Data bytes written to TARGETs, for NVEMU_TEST_CRASH_AFTER_BYTES. */
static atomic_uint_fast64_t crash_bytes;

static __printf(3, 4) void fail(struct xfer *x, int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&x->lock);
	if (!x->status) {
		x->status = status;
		va_start(ap, fmt);
		vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&x->lock);
	atomic_store(&x->stop, true);
}

static void pin(struct worker *w, int node)
{
	const struct nv_dev *d = w->x->dev;

	if (!d || node < 0 || node == w->node || node > d->max_node ||
	    !d->node_cpus || !d->node_cpus[node])
		return;
	if (!sched_setaffinity(0, sizeof(cpu_set_t), d->node_cpus[node]))
		w->node = node;
}

static bool reads_nvm(const struct xfer *x)
{
	return x->op == XFER_HASH_NVM || x->op == XFER_SAVE;
}

static uint64_t nvm_pos(const struct xfer *x, uint64_t i, uint64_t off)
{
	return i * x->geom->region_size + off;
}

static uint64_t tgt_pos(const struct xfer *x, uint64_t i, uint64_t off)
{
	return nvimg_slot_offset(x->layout, i, x->slot[i]) + off;
}

static const char *errstr(int err)
{
	return err == -ENODATA ? "unexpected end of file" : strerror(-err);
}

static int unit_read(struct worker *w, uint64_t i, uint64_t off, size_t len)
{
	struct xfer *x = w->x;
	uint64_t pos;
	ssize_t n;
	int ret;

	if (reads_nvm(x)) {
		pos = nvm_pos(x, i, off);
		n = nv_pread_full(x->dev->fd, w->buf, len, pos);
		ret = n < 0 ? n : (size_t)n == len ? 0 : -ENODATA;
		if (ret)
			fail(x, NV_EXIT_ERR, "%s: read at offset %llu (region %llu): %s",
			     x->dev->path, ULL(pos), ULL(i), errstr(ret));
	} else {
		pos = tgt_pos(x, i, off);
		ret = target_read(x->tgt, w->buf, len, pos);
		if (ret)
			fail(x, ret == -ENODATA ? NV_EXIT_SIZE : NV_EXIT_ERR,
			     "%s: read at offset %llu (region %llu, slot %u): %s",
			     x->tgt->path, ULL(pos), ULL(i), x->slot[i],
			     errstr(ret));
	}
	if (!ret)
		atomic_fetch_add(&x->bytes_read, len);
	return ret;
}

static void mismatch(struct xfer *x, uint64_t i, uint64_t off)
{
	if (x->op == XFER_SAVE)
		fail(x, NV_EXIT_ERR,
		     "%s: region %llu changed during the save (at offset %llu): nothing may write to the NVM while it is saved",
		     x->dev->path, ULL(i), ULL(nvm_pos(x, i, off)));
	else
		fail(x, NV_EXIT_CHECKSUM,
		     "%s: region %llu read back differently than when it was verified (offset %llu): the TARGET is failing; the NVM is partly restored",
		     x->tgt->path, ULL(i), ULL(tgt_pos(x, i, off)));
}

/* Hash the chunks in buf; store the digests, or compare with them. */
static int unit_hash(struct worker *w, uint64_t i, uint64_t off, size_t len)
{
	struct xfer *x = w->x;
	uint64_t cpr = nvimg_chunks_per_region(x->geom);
	struct nv_csum h, *c = &x->chunk[i * cpr + off / NVIMG_CHUNK];
	size_t pos, n;

	for (pos = 0; pos < len; pos += n, c++) {
		n = nv_min_u64(NVIMG_CHUNK, len - pos);
		nv_hash_chunk(w->buf + pos, n, &h);
		if (!x->check) {
			*c = h;
		} else if (!nv_csum_eq(&h, c)) {
			mismatch(x, i, off + pos);
			return -1;
		}
	}
	return 0;
}

static void crash_hook(size_t len)
{
	if (nv_test.crash_after == UINT64_MAX)
		return;
	if (atomic_fetch_add(&crash_bytes, len) + len >= nv_test.crash_after)
		_exit(NV_EXIT_CRASH);
}

static int unit_write(struct worker *w, uint64_t i, uint64_t off, size_t len)
{
	struct xfer *x = w->x;
	uint64_t pos;
	ssize_t n;
	int ret;

	if (x->op == XFER_SAVE) {
		pos = tgt_pos(x, i, off);
		ret = target_write(x->tgt, w->buf, len, pos);
		if (ret)
			fail(x, NV_EXIT_ERR, "%s: write at offset %llu (region %llu): %s",
			     x->tgt->path, ULL(pos), ULL(i), errstr(ret));
		else
			crash_hook(len);
	} else if (x->op == XFER_RESTORE) {
		pos = nvm_pos(x, i, off);
		n = nv_pwrite_full(x->dev->fd, w->buf, len, pos);
		ret = n < 0 ? n : 0;
		if (ret)
			fail(x, NV_EXIT_ERR,
			     "%s: write at offset %llu (region %llu): %s; the NVM is partly restored",
			     x->dev->path, ULL(pos), ULL(i), errstr(ret));
	} else {
		return 0;
	}
	if (!ret)
		atomic_fetch_add(&x->bytes_written, len);
	return ret;
}

/* The worker's slice of region i. */
static int do_slice(struct worker *w, uint64_t i)
{
	struct xfer *x = w->x;
	uint64_t start, len, off, n;
	int sig;

	nv_slice(nvimg_region_bytes(x->geom, i), x->jobs, w->idx, &start,
		 &len);
	if (len && x->dev && x->dev->region_node)
		pin(w, x->dev->region_node[i]);
	for (off = start; off < start + len; off += n) {
		sig = atomic_load(&nv_interrupted);
		if (sig)
			fail(x, NV_EXIT_ERR, "interrupted by signal %d", sig);
		if (atomic_load(&x->stop))
			return -1;
		n = nv_min_u64(NV_IO_SIZE, start + len - off);
		if (unit_read(w, i, off, n) || unit_hash(w, i, off, n) ||
		    unit_write(w, i, off, n))
			return -1;
		atomic_fetch_add(&x->done, n);
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xfer *x = w->x;
	uint64_t n;

	for (n = 0; n < x->nr; n++)
		if (do_slice(w, x->list[n]))
			break;
	atomic_fetch_sub(&x->running, 1);
	return NULL;
}

static void progress_draw(struct xfer *x, double t0, bool last)
{
	uint64_t done = atomic_load(&x->done), total = x->bytes_total;
	double el = nv_mono() - t0, rate = el > 0 ? done / el / 1e6 : 0;
	unsigned int pct = total ? done * 100 / total : 100;
	unsigned long long eta = rate > 0 ? (total - done) / 1e6 / rate : 0;
	char bar[21], a[32], b[32];
	unsigned int k;

	for (k = 0; k < 20; k++)
		bar[k] = k < pct / 5 ? '#' : '.';
	bar[20] = '\0';
	fprintf(stderr, "\r%-8s [%s] %10s / %-10s %3u%% %8.1f MB/s ETA %llu:%02llu\033[K%s",
		x->label, bar, nv_bytes_str(done, a, sizeof(a)),
		nv_bytes_str(total, b, sizeof(b)), pct, rate, eta / 60,
		eta % 60, last ? "\n" : "");
}

static void progress_loop(struct xfer *x, double t0)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	while (atomic_load(&x->running)) {
		nanosleep(&ts, NULL);
		progress_draw(x, t0, false);
	}
	progress_draw(x, t0, true);
}

static int start_workers(struct xfer *x, struct worker *w)
{
	unsigned int j;
	int err;

	atomic_store(&x->running, x->jobs);
	for (j = 0; j < x->jobs; j++) {
		err = pthread_create(&w[j].thread, NULL, worker_main, &w[j]);
		if (err) {
			fail(x, NV_EXIT_ERR, "cannot start worker %u: %s", j,
			     strerror(err));
			atomic_fetch_sub(&x->running, x->jobs - j);
			return j;
		}
	}
	return j;
}

static uint64_t list_bytes(const struct xfer *x)
{
	uint64_t n, sum = 0;

	for (n = 0; n < x->nr; n++)
		sum += nvimg_region_bytes(x->geom, x->list[n]);
	return sum;
}

/* Run the operation; 0, or the exit status with the message printed. */
int xfer_run(struct xfer *x)
{
	double t0 = nv_mono();
	unsigned int j, started;
	struct worker *w;

	x->bytes_total = list_bytes(x);
	atomic_init(&x->done, 0);
	atomic_init(&x->bytes_read, 0);
	atomic_init(&x->bytes_written, 0);
	atomic_init(&x->stop, false);
	pthread_mutex_init(&x->lock, NULL);
	x->status = 0;
	w = calloc(x->jobs, sizeof(*w));
	if (!w) {
		nv_err("out of memory");
		return NV_EXIT_ERR;
	}
	for (j = 0; j < x->jobs; j++) {
		w[j].x = x;
		w[j].idx = j;
		w[j].node = -1;
		w[j].buf = nv_alloc_io(NV_IO_SIZE);
		if (!w[j].buf) {
			x->status = NV_EXIT_ERR;	/* message printed */
			goto out;
		}
	}
	started = start_workers(x, w);
	if (x->progress)
		progress_loop(x, t0);
	for (j = 0; j < started; j++)
		pthread_join(w[j].thread, NULL);
	if (x->status)
		nv_err("%s", x->msg);
out:
	for (j = 0; j < x->jobs; j++)
		free(w[j].buf);
	free(w);
	pthread_mutex_destroy(&x->lock);
	return x->status;
}
