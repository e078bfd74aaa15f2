// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - parallel copy and checksum of segments
 *
 * x->jobs worker threads go through the same list of segments in the same
 * order.  Worker j handles only its slice of each segment (split.c),
 * NV_IO_SIZE bytes at a time: read, hash each 1 MiB chunk, and write if
 * the operation copies.  So every segment is read and written by all workers in
 * parallel, and its chunk digests come out the same for any number of
 * workers.  Before a segment, a worker pins itself to the CPUs of the
 * segment's NUMA node if the kernel told it (best effort).
 *
 * XFER_RESTORE_STAGED writes only segments that verified, so it cannot
 * write as it reads: each segment is read into a staging buffer, and
 * written from there once all of its chunks are hashed and the segment's
 * checksum matches the table.  It runs in steps, with all workers meeting
 * at a barrier after each: in step n, every worker reads (and hashes) its
 * slice of segment list[n] into stage[n % 2], and, in between, writes its
 * slice of segment list[n - 1] from stage[(n - 1) % 2] if that segment
 * verified.  After the barrier, every worker computes the checksum of
 * segment list[n] from the chunk digests of all of them, so all come to the
 * same verdict, and one records a failed segment.  The barrier also ends
 * the writes of list[n - 1] before step n + 1 reads list[n + 1] into the
 * same buffer.  A segment that fails its checksum is not written and the
 * others go on, so the result does not depend on the number of workers.
 *
 * The first error stops all workers; its message is printed by xfer_run().
 * A staged worker still goes through every barrier, doing nothing more.
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
#include "testhooks.h"
#include "util.h"
#include "xfer.h"

struct worker {
	struct xfer *x;
	unsigned int idx;
	int node;		/* pinned to, -1: not pinned */
	uint8_t *buf;
	pthread_t thread;
};

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
	return i * x->geom->segment_size + off;
}

static uint64_t tgt_pos(const struct xfer *x, uint64_t i, uint64_t off)
{
	return nvimg_slot_offset(x->layout, i, x->slot[i]) + off;
}

static const char *errstr(int err)
{
	return err == -ENODATA ? "unexpected end of file" : strerror(-err);
}

static int io_read(struct worker *w, uint8_t *buf, uint64_t i, uint64_t off,
		   size_t len)
{
	struct xfer *x = w->x;
	uint64_t pos;
	ssize_t n;
	int ret;

	if (reads_nvm(x)) {
		pos = nvm_pos(x, i, off);
		n = nv_pread_full(x->dev->fd, buf, len, pos);
		ret = n < 0 ? n : (size_t)n == len ? 0 : -ENODATA;
		if (ret)
			fail(x, NV_EXIT_ERR, "%s: read at offset %llu (segment %llu): %s",
			     x->dev->path, ULL(pos), ULL(i), errstr(ret));
	} else {
		pos = tgt_pos(x, i, off);
		ret = target_read(x->tgt, buf, len, pos);
		if (ret)
			fail(x, ret == -ENODATA ? NV_EXIT_SIZE : NV_EXIT_ERR,
			     "%s: read at offset %llu (segment %llu, slot %u): %s",
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
		     "%s: segment %llu changed during the save (at offset %llu): nothing may write to the NVM while it is saved",
		     x->dev->path, ULL(i), ULL(nvm_pos(x, i, off)));
	else
		fail(x, NV_EXIT_CHECKSUM,
		     "%s: segment %llu read back differently than when it was verified (offset %llu): the TARGET is failing; the NVM is partly restored",
		     x->tgt->path, ULL(i), ULL(tgt_pos(x, i, off)));
}

/* Hash the chunks in buf; store the digests, or compare with them. */
static int io_hash(struct worker *w, const uint8_t *buf, uint64_t i,
		   uint64_t off, size_t len)
{
	struct xfer *x = w->x;
	uint64_t cpr = nvimg_chunks_per_segment(x->geom);
	struct nvimg_csum h, *c = &x->chunk[i * cpr + off / NVIMG_CHUNK];
	size_t pos, n;

	for (pos = 0; pos < len; pos += n, c++) {
		n = nv_min_u64(NVIMG_CHUNK, len - pos);
		nvimg_hash_chunk(buf + pos, n, &h);
		if (!x->check) {
			*c = h;
		} else if (!nvimg_csum_eq(&h, c)) {
			mismatch(x, i, off + pos);
			return -1;
		}
	}
	return 0;
}

static int io_write(struct worker *w, const uint8_t *buf, uint64_t i,
		    uint64_t off, size_t len)
{
	struct xfer *x = w->x;
	uint64_t pos;
	ssize_t n;
	int ret;

	if (x->op == XFER_SAVE) {
		pos = tgt_pos(x, i, off);
		ret = target_write(x->tgt, buf, len, pos);
		if (ret)
			fail(x, NV_EXIT_ERR, "%s: write at offset %llu (segment %llu): %s",
			     x->tgt->path, ULL(pos), ULL(i), errstr(ret));
		else
			nv_test_data_written(len);
	} else if (x->op == XFER_RESTORE || x->op == XFER_RESTORE_STAGED) {
		pos = nvm_pos(x, i, off);
		n = nv_pwrite_full(x->dev->fd, buf, len, pos);
		ret = n < 0 ? n : 0;
		if (ret)
			fail(x, NV_EXIT_ERR,
			     "%s: write at offset %llu (segment %llu): %s; the NVM is partly restored",
			     x->dev->path, ULL(pos), ULL(i), errstr(ret));
	} else {
		return 0;
	}
	if (!ret)
		atomic_fetch_add(&x->bytes_written, len);
	return ret;
}

/* Stop at a signal, or when another worker failed. */
static bool stopped(struct xfer *x)
{
	int sig = atomic_load(&nv_interrupted);

	if (sig)
		fail(x, NV_EXIT_ERR, "interrupted by signal %d", sig);
	return atomic_load(&x->stop);
}

/* The worker's slice of segment i. */
static int do_slice(struct worker *w, uint64_t i)
{
	struct xfer *x = w->x;
	uint64_t start, len, off, n;

	nv_slice(nvimg_segment_bytes(x->geom, i), x->jobs, w->idx, &start,
		 &len);
	if (len && x->dev && x->dev->segment_node)
		pin(w, x->dev->segment_node[i]);
	for (off = start; off < start + len; off += n) {
		if (stopped(x))
			return -1;
		n = nv_min_u64(NV_IO_SIZE, start + len - off);
		if (io_read(w, w->buf, i, off, n) ||
		    io_hash(w, w->buf, i, off, n) ||
		    io_write(w, w->buf, i, off, n))
			return -1;
		atomic_fetch_add(&x->done, n);
	}
	return 0;
}

/* What a staged worker still has to read or write of a segment. */
struct slice_rest {
	uint64_t i;		/* the segment */
	uint64_t off, end;	/* [off, end): the rest of the slice */
	uint8_t *buf;		/* the staging buffer */
};

static void rest_init(struct worker *w, struct slice_rest *s, uint64_t n)
{
	struct xfer *x = w->x;
	uint64_t len;

	s->i = x->list[n];
	s->buf = x->stage[n % 2];
	nv_slice(nvimg_segment_bytes(x->geom, s->i), x->jobs, w->idx, &s->off,
		 &len);
	s->end = s->off + len;
}

static int rest_read(struct worker *w, struct slice_rest *s)
{
	struct xfer *x = w->x;
	uint64_t n = nv_min_u64(NV_IO_SIZE, s->end - s->off);
	uint8_t *buf = s->buf + s->off;

	if (io_read(w, buf, s->i, s->off, n) ||
	    io_hash(w, buf, s->i, s->off, n))
		return -1;
	atomic_fetch_add(&x->done, n);
	s->off += n;
	return 0;
}

static int rest_write(struct worker *w, struct slice_rest *s)
{
	uint64_t n = nv_min_u64(NV_IO_SIZE, s->end - s->off);

	if (io_write(w, s->buf + s->off, s->i, s->off, n))
		return -1;
	s->off += n;
	return 0;
}

/*
 * Step n of a staged restore: read the slice of segment list[n] (if n < nr)
 * and write the slice of segment list[n - 1] (if it verified), alternately
 * NV_IO_SIZE bytes at a time, so that the TARGET is kept busy by the others
 * while one worker writes.
 */
static int staged_step(struct worker *w, uint64_t n, bool write)
{
	struct xfer *x = w->x;
	struct slice_rest rd = { 0 }, wr = { 0 };

	if (n < x->nr)
		rest_init(w, &rd, n);
	if (write)
		rest_init(w, &wr, n - 1);
	if (rd.off < rd.end && x->dev && x->dev->segment_node)
		pin(w, x->dev->segment_node[rd.i]);
	while (rd.off < rd.end || wr.off < wr.end) {
		if (stopped(x))
			return -1;
		if (rd.off < rd.end && rest_read(w, &rd))
			return -1;
		if (wr.off < wr.end && rest_write(w, &wr))
			return -1;
	}
	return 0;
}

/* After the barrier of step n: does segment list[n] match the table? */
static bool staged_verdict(struct xfer *x, uint64_t n, bool serial)
{
	uint64_t i = x->list[n];
	struct nvimg_csum c;

	nvimg_segment_csum(x->geom, x->chunk, i, &c);
	if (nvimg_csum_eq(&c, &x->table[i].csum))
		return true;
	if (serial && !atomic_load(&x->stop)) {
		x->failed[i] = true;
		x->nr_failed++;
	}
	return false;
}

static void staged_worker(struct worker *w)
{
	struct xfer *x = w->x;
	bool write = false, err = false, serial;
	uint64_t n;

	for (n = 0; n <= x->nr; n++) {
		if (!err && staged_step(w, n, write))
			err = true;
		if (n == x->nr)
			break;
		serial = pthread_barrier_wait(&x->barrier) ==
			 PTHREAD_BARRIER_SERIAL_THREAD;
		write = staged_verdict(x, n, serial);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xfer *x = w->x;
	uint64_t n;

	/* wait until every worker runs, or know that not all will */
	pthread_mutex_lock(&x->gate);
	pthread_mutex_unlock(&x->gate);
	if (x->start_failed) {
		/* nothing: a staged worker would wait for the others */
	} else if (x->op == XFER_RESTORE_STAGED) {
		staged_worker(w);
	} else {
		for (n = 0; n < x->nr; n++)
			if (do_slice(w, x->list[n]))
				break;
	}
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
	int err = 0;

	atomic_store(&x->running, x->jobs);
	x->start_failed = false;
	pthread_mutex_lock(&x->gate);
	for (j = 0; j < x->jobs; j++) {
		err = pthread_create(&w[j].thread, NULL, worker_main, &w[j]);
		if (err)
			break;
	}
	if (err) {
		fail(x, NV_EXIT_ERR, "cannot start worker %u: %s", j,
		     strerror(err));
		atomic_fetch_sub(&x->running, x->jobs - j);
		x->start_failed = true;
	}
	pthread_mutex_unlock(&x->gate);
	return j;
}

static uint64_t list_bytes(const struct xfer *x)
{
	uint64_t n, sum = 0;

	for (n = 0; n < x->nr; n++)
		sum += nvimg_segment_bytes(x->geom, x->list[n]);
	return sum;
}

/* Run the operation; 0, or the exit status with the message printed. */
int xfer_run(struct xfer *x)
{
	double t0 = nv_mono();
	bool staged = x->op == XFER_RESTORE_STAGED;
	unsigned int j, started;
	struct worker *w;
	int err;

	x->bytes_total = list_bytes(x);
	x->nr_failed = 0;
	atomic_init(&x->done, 0);
	atomic_init(&x->bytes_read, 0);
	atomic_init(&x->bytes_written, 0);
	atomic_init(&x->stop, false);
	pthread_mutex_init(&x->lock, NULL);
	pthread_mutex_init(&x->gate, NULL);
	x->status = 0;
	if (staged) {
		err = pthread_barrier_init(&x->barrier, NULL, x->jobs);
		if (err) {
			nv_err("cannot create a barrier for %u workers: %s",
			       x->jobs, strerror(err));
			x->status = NV_EXIT_ERR;
			goto out_gate;
		}
	}
	w = calloc(x->jobs, sizeof(*w));
	if (!w) {
		nv_err("out of memory");
		x->status = NV_EXIT_ERR;
		goto out_free;
	}
	for (j = 0; j < x->jobs; j++) {
		w[j].x = x;
		w[j].idx = j;
		w[j].node = -1;
		if (staged)
			continue;	/* reads into and writes from stage[] */
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
out_free:
	if (staged)
		pthread_barrier_destroy(&x->barrier);
out_gate:
	pthread_mutex_destroy(&x->gate);
	pthread_mutex_destroy(&x->lock);
	return x->status;
}
