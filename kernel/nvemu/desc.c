// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the description of a process (desc.h)
 *
 * Built at every commit from current (its mm, files, signals, limits);
 * stored in new pool pages only when its hash changed, which is rare: a
 * computation that does not map, open or close anything commits the same
 * description again and again.
 */
#include <linux/binfmts.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>

#include "desc.h"
#include "internal.h"

#define NVEMU_DESC_MAX		(NVEMU_DESC_MAX_PAGES * PAGE_SIZE)

static void *nvemu_desc_add(struct nvemu_desc *d, u16 type, size_t len)
{
	size_t need = d->len + sizeof(struct nvemu_drec) + ALIGN(len, 8);
	struct nvemu_drec *r;

	if (need > NVEMU_DESC_MAX)
		return ERR_PTR(-E2BIG);
	if (need > d->cap) {
		size_t cap = max_t(size_t, need, 2 * d->cap);
		void *buf = kvrealloc(d->buf, min_t(size_t, cap, NVEMU_DESC_MAX),
				      GFP_KERNEL);

		if (!buf)
			return ERR_PTR(-ENOMEM);
		d->buf = buf;
		d->cap = min_t(size_t, cap, NVEMU_DESC_MAX);
	}
	r = d->buf + d->len;
	memset(r, 0, need - d->len);
	r->type = cpu_to_le16(type);
	r->len = cpu_to_le32(len);
	d->len = need;
	return r + 1;
}

/**
 * nvemu_desc_next() - the next record of a description
 * @d: the description
 * @pos: offset of the record; advanced past it
 *
 * Return: the record, NULL at the end, or ERR_PTR(-EUCLEAN) when the
 * record does not fit.
 */
const struct nvemu_drec *nvemu_desc_next(const struct nvemu_desc *d,
					 size_t *pos)
{
	const struct nvemu_drec *r;
	size_t len;

	if (*pos == d->len)
		return NULL;
	if (d->len - *pos < sizeof(*r))
		return ERR_PTR(-EUCLEAN);
	r = d->buf + *pos;
	len = sizeof(*r) + ALIGN(le32_to_cpu(r->len), 8);
	if (len > d->len - *pos)
		return ERR_PTR(-EUCLEAN);
	*pos += len;
	return r;
}

/**
 * nvemu_file_hash() - xxh64 of a file's content
 * @file: a file open for reading
 * @hash: the hash, out
 *
 * Return: 0 or a negative errno.
 */
int nvemu_file_hash(struct file *file, u64 *hash)
{
	struct xxh64_state st;
	loff_t pos = 0;
	void *buf;
	ssize_t n;

	buf = kvmalloc(SZ_64K, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	xxh64_reset(&st, 0);
	while ((n = kernel_read(file, buf, SZ_64K, &pos)) > 0)
		xxh64_update(&st, buf, n);
	kvfree(buf);
	if (n < 0)
		return n;
	*hash = xxh64_digest(&st);
	return 0;
}

/* The hash of a mapped file, computed once per inode and ctime */
static int nvemu_cached_hash(struct nvemu_task *nt, struct file *file,
			     u64 *hash)
{
	struct inode *inode = file_inode(file);
	struct timespec64 ct = inode_get_ctime(inode);
	loff_t size = i_size_read(inode);
	struct nvemu_hash_cache *c;
	unsigned int i;
	int rc;

	for (i = 0; i < nt->nr_hc; i++) {
		c = &nt->hc[i];
		if (c->inode == inode && timespec64_equal(&c->ctime, &ct) &&
		    c->size == size) {
			*hash = c->hash;
			return 0;
		}
	}
	rc = nvemu_file_hash(file, hash);
	if (rc)
		return rc;
	i = nt->nr_hc < ARRAY_SIZE(nt->hc) ? nt->nr_hc++ :
		get_random_u32_below(ARRAY_SIZE(nt->hc));
	c = &nt->hc[i];
	if (c->inode)
		iput(c->inode);
	c->inode = igrab(inode);
	c->ctime = ct;
	c->size = size;
	c->hash = *hash;
	return 0;
}

static int nvemu_add_file(struct nvemu_desc *d, enum nvemu_dfile_role role,
			  const struct path *path, char *pbuf)
{
	struct nvemu_dfile *f;
	char *p;
	size_t n;

	p = d_path(path, pbuf, PATH_MAX);
	if (IS_ERR(p))
		return PTR_ERR(p);
	n = strlen(p);
	if (n > U16_MAX)
		return -ENAMETOOLONG;
	f = nvemu_desc_add(d, NVEMU_DR_FILE, sizeof(*f) + n);
	if (IS_ERR(f))
		return PTR_ERR(f);
	f->role = cpu_to_le32(role);
	f->path_len = cpu_to_le16(n);
	memcpy(f + 1, p, n);
	if (S_ISREG(d_inode(path->dentry)->i_mode))
		f->flags = cpu_to_le32(NVEMU_DF_REG);
	else if (d_is_dir(path->dentry))
		f->flags = cpu_to_le32(NVEMU_DF_DIR);
	f->size = cpu_to_le64(i_size_read(d_inode(path->dentry)));
	return (void *)f - d->buf;
}

/* A mapped file's record, shared by all its mappings: its record index */
static int nvemu_add_mapped(struct nvemu_task *nt, struct nvemu_desc *d,
			    struct file *file, char *pbuf,
			    struct inode **seen, int *seen_idx, int *nr_seen,
			    int *nr_files, enum nvemu_dfile_role role)
{
	struct nvemu_dfile *f;
	u64 hash;
	int i, off, rc;

	for (i = 0; i < *nr_seen; i++)
		if (seen[i] == file_inode(file) && role == NVEMU_DF_MAP)
			return seen_idx[i];
	rc = nvemu_cached_hash(nt, file, &hash);
	if (rc)
		return rc;
	off = nvemu_add_file(d, role, &file->f_path, pbuf);
	if (off < 0)
		return off;
	f = d->buf + off;
	f->flags |= cpu_to_le32(NVEMU_DF_HASHED);
	f->hash = cpu_to_le64(hash);
	if (*nr_seen < 64) {
		seen[*nr_seen] = file_inode(file);
		seen_idx[(*nr_seen)++] = *nr_files;
	}
	return (*nr_files)++;
}

static int nvemu_desc_vmas(struct nvemu_task *nt, struct nvemu_desc *d,
			   char *pbuf, int *nr_files)
{
	struct mm_struct *mm = current->mm;
	struct inode *seen[64];
	int seen_idx[64], nr_seen = 0, rc = 0;
	struct vm_area_struct *vma;
	struct file *exe;
	struct vma_iterator vmi;

	vma_iter_init(&vmi, mm, 0);
	exe = get_mm_exe_file(mm);
	if (exe) {
		rc = nvemu_add_mapped(nt, d, exe, pbuf, seen, seen_idx,
				      &nr_seen, nr_files, NVEMU_DF_EXE);
		fput(exe);
		if (rc < 0)
			return rc;
	}
	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		struct nvemu_dvma *v;
		const char *name = NULL;
		u32 kind = NVEMU_DVMA_ANON, prot = 0, flags = 0;
		int file = -1;

		/* the DRAM stack of vlt functions is never committed */
		if (nvemu_vlt_stack_vma(nt, vma))
			continue;
		if (vma->vm_ops && vma->vm_ops->name)
			name = vma->vm_ops->name(vma);
		if (name && !strcmp(name, "[vdso]"))
			kind = NVEMU_DVMA_VDSO;
		else if (name && !strncmp(name, "[vvar", 5))
			kind = NVEMU_DVMA_VVAR;
		else if (name)
			continue;	/* another special mapping: recreated by its owner */
		else if (!vma->vm_file)
			kind = NVEMU_DVMA_ANON;
		else if (!(vma->vm_flags & VM_SHARED))
			kind = NVEMU_DVMA_FILE;
		else if (!(vma->vm_flags & VM_MAYWRITE))
			kind = NVEMU_DVMA_SHARED_RO;
		else
			rc = -EOPNOTSUPP;	/* refused at mmap; belt and braces */
		if (rc)
			break;
		if (vma->vm_file && kind != NVEMU_DVMA_VDSO &&
		    kind != NVEMU_DVMA_VVAR) {
			/* the lock is dropped for hashing, never with it held */
			get_file(vma->vm_file);
			{
				struct file *f = vma->vm_file;

				mmap_read_unlock(mm);
				file = nvemu_add_mapped(nt, d, f, pbuf, seen,
							seen_idx, &nr_seen,
							nr_files, NVEMU_DF_MAP);
				fput(f);
				mmap_read_lock(mm);
			}
			if (file < 0) {
				rc = file;
				break;
			}
			vma_iter_set(&vmi, vma->vm_start);
			vma = vma_next(&vmi);
			if (!vma)
				break;
		}
		if (vma->vm_flags & VM_READ)
			prot |= PROT_READ;
		if (vma->vm_flags & VM_WRITE)
			prot |= PROT_WRITE;
		if (vma->vm_flags & VM_EXEC)
			prot |= PROT_EXEC;
		if (vma->vm_flags & VM_GROWSDOWN)
			flags |= NVEMU_DVMA_GROWSDOWN;
		if (!vma->vm_file && vma->vm_start <= mm->start_brk &&
		    vma->vm_end >= mm->brk && mm->brk > mm->start_brk)
			flags |= NVEMU_DVMA_BRK;
		v = nvemu_desc_add(d, NVEMU_DR_VMA, sizeof(*v));
		if (IS_ERR(v)) {
			rc = PTR_ERR(v);
			break;
		}
		v->start = cpu_to_le64(vma->vm_start);
		v->end = cpu_to_le64(vma->vm_end);
		v->pgoff = cpu_to_le64(vma->vm_file ? vma->vm_pgoff : 0);
		v->kind = cpu_to_le32(kind);
		v->prot = cpu_to_le32(prot);
		v->flags = cpu_to_le32(flags);
		v->file = cpu_to_le32(file);
	}
	mmap_read_unlock(mm);
	return rc < 0 ? rc : 0;
}

static int nvemu_desc_fds(struct nvemu_desc *d, char *pbuf)
{
	struct files_struct *files = current->files;
	unsigned int fd, max;
	struct path pwd;
	int rc;

	get_fs_pwd(current->fs, &pwd);
	rc = nvemu_add_file(d, NVEMU_DF_CWD, &pwd, pbuf);
	path_put(&pwd);
	if (rc < 0)
		return rc;
	rcu_read_lock();
	max = files_fdtable(files)->max_fds;
	rcu_read_unlock();
	for (fd = 0; fd < max; fd++) {
		struct file *file = fget_raw(fd);
		struct nvemu_dfile *f;

		if (!file)
			continue;
		/* the file's data as of this commit: files are made
		 * consistent with the memory, not logged (section 6)
		 */
		if (S_ISREG(file_inode(file)->i_mode) &&
		    (file->f_mode & FMODE_WRITE))
			vfs_fsync(file, 1);
		rc = nvemu_add_file(d, NVEMU_DF_FD, &file->f_path, pbuf);
		if (rc >= 0) {
			f = d->buf + rc;
			f->fd = cpu_to_le32(fd);
			f->f_flags = cpu_to_le32(file->f_flags);
			f->pos = cpu_to_le64(file->f_pos);
			rcu_read_lock();
			if (close_on_exec(fd, files))
				f->flags |= cpu_to_le32(NVEMU_DF_CLOEXEC);
			rcu_read_unlock();
		}
		fput(file);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int nvemu_desc_signals(struct nvemu_desc *d)
{
	/* current's own: only its own exec replaces it */
	struct sighand_struct *sh = rcu_dereference_protected(current->sighand,
							      true);
	struct nvemu_dsig *s;
	int i;

	BUILD_BUG_ON(_NSIG > 64);
	s = nvemu_desc_add(d, NVEMU_DR_SIGNALS, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	spin_lock_irq(&sh->siglock);
	s->blocked = cpu_to_le64(current->blocked.sig[0]);
	for (i = 0; i < _NSIG; i++) {
		const struct sigaction *sa = &sh->action[i].sa;

		s->action[i][0] =
			cpu_to_le64((__force unsigned long)sa->sa_handler);
		s->action[i][1] = cpu_to_le64(sa->sa_flags);
#ifdef __ARCH_HAS_SA_RESTORER
		s->action[i][2] =
			cpu_to_le64((__force unsigned long)sa->sa_restorer);
#endif
		s->action[i][3] = cpu_to_le64(sa->sa_mask.sig[0]);
	}
	spin_unlock_irq(&sh->siglock);
	return 0;
}

static int nvemu_desc_rest(struct nvemu_desc *d)
{
	struct mm_struct *mm = current->mm;
	struct nvemu_dlimit *l;
	__le64 *auxv;
	char *comm;
	int i;

	l = nvemu_desc_add(d, NVEMU_DR_LIMITS, RLIM_NLIMITS * sizeof(*l));
	if (IS_ERR(l))
		return PTR_ERR(l);
	task_lock(current->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		l[i].cur = cpu_to_le64(current->signal->rlim[i].rlim_cur);
		l[i].max = cpu_to_le64(current->signal->rlim[i].rlim_max);
	}
	task_unlock(current->group_leader);
	auxv = nvemu_desc_add(d, NVEMU_DR_AUXV, sizeof(mm->saved_auxv));
	if (IS_ERR(auxv))
		return PTR_ERR(auxv);
	for (i = 0; i < ARRAY_SIZE(mm->saved_auxv); i++)
		auxv[i] = cpu_to_le64(mm->saved_auxv[i]);
	comm = nvemu_desc_add(d, NVEMU_DR_COMM, TASK_COMM_LEN);
	if (IS_ERR(comm))
		return PTR_ERR(comm);
	__get_task_comm(comm, TASK_COMM_LEN, current);
	return 0;
}

/**
 * nvemu_desc_build() - describe current
 * @nt: current's persistent state
 * @d: an empty description, filled
 *
 * Return: 0, -E2BIG when it exceeds NVEMU_DESC_MAX_PAGES pages,
 * -EOPNOTSUPP for a writable shared mapping, or another negative errno.
 */
int nvemu_desc_build(struct nvemu_task *nt, struct nvemu_desc *d)
{
	int nr_files = 0, rc;
	char *pbuf;

	pbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!pbuf)
		return -ENOMEM;
	rc = nvemu_desc_vmas(nt, d, pbuf, &nr_files);
	if (!rc)
		rc = nvemu_desc_fds(d, pbuf);
	if (!rc)
		rc = nvemu_desc_signals(d);
	if (!rc)
		rc = nvemu_desc_rest(d);
	kfree(pbuf);
	if (rc)
		nvemu_desc_free(d);
	return rc;
}

/**
 * nvemu_desc_free() - free a description's buffer
 * @d: the description
 */
void nvemu_desc_free(struct nvemu_desc *d)
{
	kvfree(d->buf);
	d->buf = NULL;
	d->len = 0;
	d->cap = 0;
}

/**
 * nvemu_desc_store() - write a description into new pool pages
 * @area: the area
 * @d: the description
 * @h: the half being built: desc_page, desc_len and desc_check are set
 * @written: incremented by the bytes written
 *
 * Return: 0 or -ENOSPC (nothing allocated then).
 */
int nvemu_desc_store(struct nvemu_area *area, const struct nvemu_desc *d,
		     struct nvemu_half *h, u64 *written)
{
	u32 n = DIV_ROUND_UP(d->len, PAGE_SIZE), i;

	for (i = 0; i < n; i++) {
		u32 idx = nvemu_pool_alloc(&area->pool);
		size_t len = min_t(size_t, PAGE_SIZE, d->len - i * PAGE_SIZE);

		if (!idx) {
			while (i--)
				nvemu_pool_free(&area->pool,
						le32_to_cpu(h->desc_page[i]));
			return -ENOSPC;
		}
		nvemu_pool_write(&area->pool, nvemu_pool_page(&area->pool, idx),
				 d->buf + i * PAGE_SIZE, len);
		*written += len;
		h->desc_page[i] = cpu_to_le32(idx);
	}
	for (; i < NVEMU_DESC_MAX_PAGES; i++)
		h->desc_page[i] = 0;
	h->desc_len = cpu_to_le32(d->len);
	h->desc_check = cpu_to_le64(xxh64(d->buf, d->len, 0));
	return 0;
}

/**
 * nvemu_desc_load() - read a committed description
 * @area: the area
 * @h: a committed half
 * @d: an empty description, filled
 *
 * Return: 0, -EUCLEAN when its pages or checksum are wrong, or -ENOMEM.
 */
int nvemu_desc_load(struct nvemu_area *area, const struct nvemu_half *h,
		    struct nvemu_desc *d)
{
	size_t len = le32_to_cpu(h->desc_len);
	u32 n = DIV_ROUND_UP(len, PAGE_SIZE), i;

	if (len > NVEMU_DESC_MAX)
		return -EUCLEAN;
	d->buf = kvmalloc(max_t(size_t, len, 1), GFP_KERNEL);
	if (!d->buf)
		return -ENOMEM;
	d->cap = len;
	d->len = len;
	for (i = 0; i < n; i++) {
		u32 idx = le32_to_cpu(h->desc_page[i]);

		if (!idx || idx > area->pool.nr_pages)
			goto bad;
		memcpy(d->buf + i * PAGE_SIZE, nvemu_pool_page(&area->pool, idx),
		       min_t(size_t, PAGE_SIZE, len - i * PAGE_SIZE));
	}
	if (xxh64(d->buf, len, 0) != le64_to_cpu(h->desc_check))
		goto bad;
	return 0;
bad:
	nvemu_desc_free(d);
	return -EUCLEAN;
}
