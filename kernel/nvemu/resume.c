// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: resume, an exec of a resume ticket
 *
 * `nvemu resume` executes a small file (struct nvemu_proc_ticket) with
 * execveat().  This binfmt recognises it and, inside the exec machinery,
 * turns the caller into the persistent process the ticket names:
 *
 *   before the point of no return: the slot, its owner and credentials,
 *   its description and every file it maps or holds open are checked, and
 *   the files are opened; a refusal changes nothing;
 *   begin_new_exec(): a new mm, the credentials (bprm->cred), close-on-exec;
 *   then the mappings at their addresses, the committed pool pages (no
 *   copy: migrate_vma installs them), the vDSO at its address, the mm
 *   fields, descriptors, cwd, signals and limits; the registers are set by
 *   a task_work at the return to user space, after the execve's own return
 *   value was stored.
 * design/persistent-processes.md, sections 2.5, 4 and 5.
 */
#include <linux/compat.h>
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/namei.h>
#include <linux/sched/mm.h>
#include <linux/sched/task_stack.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/syscall.h>

#include "desc.h"
#include "internal.h"
#include "resume.h"

#define NVEMU_RESUME_BATCH	64
#define NVEMU_MAX_FILES		256

/* What a resume opens and checks before the point of no return */
struct nvemu_image {
	struct nvemu_half *half;
	struct nvemu_desc desc;
	struct file *file[NVEMU_MAX_FILES];	/* by file record */
	const struct nvemu_dfile *rec[NVEMU_MAX_FILES];
	unsigned int nr_files;
	struct path cwd;
	struct nvemu_pmap_pair *pairs;
	size_t nr_pairs, cap_pairs;
	const struct nvemu_dsig *sig;
	const struct nvemu_dlimit *limits;
	const __le64 *auxv;
	const char *comm;
	struct file *exe;
};

static struct nvemu_slot *nvemu_slot_by_id(struct nvemu_area *area, u64 id)
{
	u32 i;

	lockdep_assert_held(&area->lock);
	for (i = 0; i < area->nr_slots; i++)
		if (area->slot[i].state != NVEMU_SLOT_FREE &&
		    area->slot[i].id == id)
			return &area->slot[i];
	return NULL;
}

static char *nvemu_dfile_path(const struct nvemu_dfile *f)
{
	return kstrndup((const char *)(f + 1), le16_to_cpu(f->path_len),
			GFP_KERNEL);
}

/* Open a mapped file or the executable and check it is the same file */
static int nvemu_open_same(const struct nvemu_dfile *f, struct file **out)
{
	char *path = nvemu_dfile_path(f);
	struct file *file;
	u64 hash;
	int rc;

	if (!path)
		return -ENOMEM;
	file = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(file)) {
		pr_err(NVEMU_PFX "resume: %s: cannot open it (%pe)\n", path, file);
		rc = -ESTALE;
		goto free_path;
	}
	rc = -ESTALE;
	if (!S_ISREG(file_inode(file)->i_mode) ||
	    i_size_read(file_inode(file)) != le64_to_cpu(f->size)) {
		pr_err(NVEMU_PFX "resume: %s: not the same file (type or size changed)\n",
		       path);
		goto put_file;
	}
	rc = nvemu_file_hash(file, &hash);
	if (rc)
		goto put_file;
	if (hash != le64_to_cpu(f->hash)) {
		pr_err(NVEMU_PFX "resume: %s: not the same file (its content changed)\n",
		       path);
		rc = -ESTALE;
		goto put_file;
	}
	*out = file;
	kfree(path);
	return 0;

put_file:
	fput(file);
free_path:
	kfree(path);
	return rc;
}

/* Reopen a descriptor that referred to a regular file or a directory */
static int nvemu_open_fd(const struct nvemu_dfile *f, struct file **out)
{
	int flags = le32_to_cpu(f->f_flags) &
		    ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	char *path = nvemu_dfile_path(f);
	struct file *file;

	if (!path)
		return -ENOMEM;
	file = filp_open(path, flags, 0);
	if (IS_ERR(file)) {
		pr_err(NVEMU_PFX "resume: %s (descriptor %u): cannot open it (%pe)\n",
		       path, le32_to_cpu(f->fd), file);
		kfree(path);
		return -ESTALE;
	}
	if ((le32_to_cpu(f->flags) & NVEMU_DF_REG) &&
	    i_size_read(file_inode(file)) < le64_to_cpu(f->size)) {
		pr_err(NVEMU_PFX "resume: %s: shorter than at the commit\n", path);
		fput(file);
		kfree(path);
		return -ESTALE;
	}
	kfree(path);
	*out = file;
	return 0;
}

static int nvemu_pair_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	struct nvemu_image *img = arg;

	if (node)
		return 0;
	if (img->nr_pairs == img->cap_pairs) {
		size_t cap = max_t(size_t, 1024, 2 * img->cap_pairs);
		void *p = kvrealloc(img->pairs, cap * sizeof(*img->pairs),
				    GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		img->pairs = p;
		img->cap_pairs = cap;
	}
	img->pairs[img->nr_pairs].vpn = vpn;
	img->pairs[img->nr_pairs++].index = index;
	return 0;
}

static void nvemu_image_free(struct nvemu_image *img)
{
	unsigned int i;

	for (i = 0; i < img->nr_files; i++)
		if (img->file[i])
			fput(img->file[i]);
	if (img->cwd.dentry)
		path_put(&img->cwd);
	kvfree(img->pairs);
	nvemu_desc_free(&img->desc);
	kvfree(img->half);
}

/* Everything that can refuse the resume, before the point of no return */
static int nvemu_image_open(struct nvemu_area *area, struct nvemu_image *img)
{
	struct nvemu_pmap_root root = {
		.index = le32_to_cpu(img->half->map_root),
		.check = le32_to_cpu(img->half->map_root_check),
		.levels = le32_to_cpu(img->half->map_levels),
	};
	const struct nvemu_drec *r;
	size_t pos = 0;
	int rc;

	rc = nvemu_desc_load(area, img->half, &img->desc);
	if (rc)
		return rc;
	rc = nvemu_pmap_walk(&area->pool, &root, nvemu_pair_fn, img);
	if (rc)
		return rc;
	while ((r = nvemu_desc_next(&img->desc, &pos))) {
		const void *p = r + 1;
		size_t len = le32_to_cpu(r->len);
		const struct nvemu_dfile *f = p;
		struct file *file = NULL;

		if (IS_ERR(r))
			return PTR_ERR(r);
		switch (le16_to_cpu(r->type)) {
		case NVEMU_DR_FILE:
			if (len < sizeof(*f) ||
			    len < sizeof(*f) + le16_to_cpu(f->path_len) ||
			    img->nr_files == NVEMU_MAX_FILES)
				return -EUCLEAN;
			switch (le32_to_cpu(f->role)) {
			case NVEMU_DF_EXE:
			case NVEMU_DF_MAP:
				rc = nvemu_open_same(f, &file);
				break;
			case NVEMU_DF_FD:
				if (le32_to_cpu(f->fd) < 3 ||
				    !(le32_to_cpu(f->flags) &
				      (NVEMU_DF_REG | NVEMU_DF_DIR)))
					break;
				rc = nvemu_open_fd(f, &file);
				break;
			case NVEMU_DF_CWD: {
				char *path = nvemu_dfile_path(f);

				if (!path)
					return -ENOMEM;
				rc = kern_path(path, LOOKUP_FOLLOW |
					       LOOKUP_DIRECTORY, &img->cwd);
				if (rc)
					pr_err(NVEMU_PFX "resume: working directory %s: %d\n",
					       path, rc);
				kfree(path);
				rc = rc ? -ESTALE : 0;
				break;
			}
			}
			if (rc)
				return rc;
			if (le32_to_cpu(f->role) == NVEMU_DF_EXE)
				img->exe = file;
			img->rec[img->nr_files] = f;
			img->file[img->nr_files++] = file;
			break;
		case NVEMU_DR_SIGNALS:
			if (len != sizeof(*img->sig))
				return -EUCLEAN;
			img->sig = p;
			break;
		case NVEMU_DR_LIMITS:
			if (len != RLIM_NLIMITS * sizeof(*img->limits))
				return -EUCLEAN;
			img->limits = p;
			break;
		case NVEMU_DR_AUXV:
			if (len != sizeof(current->mm->saved_auxv))
				return -EUCLEAN;
			img->auxv = p;
			break;
		case NVEMU_DR_COMM:
			if (len != TASK_COMM_LEN)
				return -EUCLEAN;
			img->comm = p;
			break;
		}
	}
	if (!img->sig || !img->limits || !img->auxv || !img->comm || !img->exe)
		return -EUCLEAN;
	return 0;
}

/* The credentials the resumed process runs with (bprm->cred) */
static int nvemu_image_creds(const struct nvemu_half *h, struct cred *new)
{
	const struct cred *c = current_cred();
	struct user_namespace *ns = &init_user_ns;
	kuid_t uid = make_kuid(ns, le32_to_cpu(h->uid));
	kuid_t euid = make_kuid(ns, le32_to_cpu(h->euid));
	kgid_t gid = make_kgid(ns, le32_to_cpu(h->gid));
	kgid_t egid = make_kgid(ns, le32_to_cpu(h->egid));
	u32 i, n = le32_to_cpu(h->nr_groups);
	struct group_info *gi;

	if (!capable(CAP_SYS_ADMIN)) {
		/* exactly the caller's: nothing is gained by resuming */
		if (!uid_eq(uid, c->uid) || !uid_eq(euid, c->euid) ||
		    !gid_eq(gid, c->gid) || !gid_eq(egid, c->egid) ||
		    (le32_to_cpu(h->cred_flags) & NVEMU_CF_CAPS))
			return -EPERM;
		return 0;
	}
	if (n > NVEMU_MAX_GROUPS)
		return -EUCLEAN;
	gi = groups_alloc(n);
	if (!gi)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		gi->gid[i] = make_kgid(ns, le32_to_cpu(h->groups[i]));
	groups_sort(gi);
	set_groups(new, gi);
	put_group_info(gi);
	new->uid = uid;
	new->euid = euid;
	new->suid = make_kuid(ns, le32_to_cpu(h->suid));
	new->fsuid = make_kuid(ns, le32_to_cpu(h->fsuid));
	new->gid = gid;
	new->egid = egid;
	new->sgid = make_kgid(ns, le32_to_cpu(h->sgid));
	new->fsgid = make_kgid(ns, le32_to_cpu(h->fsgid));
	if (!(le32_to_cpu(h->cred_flags) & NVEMU_CF_CAPS)) {
		cap_clear(new->cap_inheritable);
		cap_clear(new->cap_permitted);
		cap_clear(new->cap_effective);
		cap_clear(new->cap_ambient);
	}
	return 0;
}

/* Map the committed pool pages of [start, end) of @vma */
static int nvemu_install_run(struct nvemu_area *area,
			     struct vm_area_struct *vma,
			     const struct nvemu_pmap_pair *p, size_t n)
{
	unsigned long src[NVEMU_RESUME_BATCH] = {}, dst[NVEMU_RESUME_BATCH] = {};
	unsigned long start = p[0].vpn << PAGE_SHIFT;
	struct migrate_vma args = {
		.vma = vma,
		.src = src,
		.dst = dst,
		.start = start,
		.end = (p[n - 1].vpn + 1) << PAGE_SHIFT,
		.pgmap_owner = area,
		.flags = MIGRATE_VMA_SELECT_SYSTEM,
	};
	size_t k;
	int rc;

	if (!vma_is_anonymous(vma)) {
		/* a private file page: fault a DRAM copy in, then replace it */
		for (k = 0; k < n; k++) {
			struct page *page;

			if (get_user_pages(p[k].vpn << PAGE_SHIFT, 1,
					   FOLL_WRITE | FOLL_FORCE, &page) != 1)
				return -EFAULT;
			put_page(page);
		}
	}
	rc = migrate_vma_setup(&args);
	if (rc)
		return rc;
	for (k = 0; k < n; k++) {
		unsigned long i = p[k].vpn - (start >> PAGE_SHIFT);
		struct page *page = nvemu_pool_index_page(area, p[k].index);

		if (!(src[i] & MIGRATE_PFN_MIGRATE) || !page)
			continue;
		get_page(page);
		lock_page(page);
		dst[i] = migrate_pfn(page_to_pfn(page));
	}
	migrate_vma_pages(&args);
	for (k = 0; k < n; k++)
		if (!(src[p[k].vpn - (start >> PAGE_SHIFT)] & MIGRATE_PFN_MIGRATE))
			rc = -EAGAIN;
	migrate_vma_finalize(&args);
	nvemu_share_range(area, vma, args.start, args.end);
	return rc;
}

static int nvemu_install_pages(struct nvemu_area *area, struct nvemu_image *img)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	size_t k = 0, first;
	int rc = 0;

	mmap_read_lock(mm);
	while (k < img->nr_pairs) {
		unsigned long addr = img->pairs[k].vpn << PAGE_SHIFT, limit;

		vma = vma_lookup(mm, addr);
		if (!vma) {
			rc = -EUCLEAN;
			break;
		}
		limit = min(vma->vm_end, addr + NVEMU_RESUME_BATCH * PAGE_SIZE);
		first = k;
		while (k < img->nr_pairs &&
		       (img->pairs[k].vpn << PAGE_SHIFT) < limit)
			k++;
		rc = nvemu_install_run(area, vma, img->pairs + first, k - first);
		if (rc)
			break;
	}
	mmap_read_unlock(mm);
	return rc;
}

static int nvemu_image_map(struct nvemu_area *area, struct nvemu_image *img)
{
	struct mm_struct *mm = current->mm;
	unsigned long vdso = ULONG_MAX;
	const struct nvemu_drec *r;
	struct vm_area_struct *vma;
	size_t pos = 0;
	int rc, i;
	struct vma_iterator vmi;

	vma_iter_init(&vmi, mm, 0);
	/* the exec's temporary stack goes: the process brings its own */
	mmap_read_lock(mm);
	vma = vma_next(&vmi);
	mmap_read_unlock(mm);
	if (vma) {
		rc = vm_munmap(vma->vm_start, vma->vm_end - vma->vm_start);
		if (rc)
			return rc;
	}
	while ((r = nvemu_desc_next(&img->desc, &pos))) {
		const struct nvemu_dvma *v = (const void *)(r + 1);
		unsigned long start, len, flags, addr;
		struct file *file = NULL;
		u32 f;

		if (le16_to_cpu(r->type) != NVEMU_DR_VMA)
			continue;
		start = le64_to_cpu(v->start);
		len = le64_to_cpu(v->end) - start;
		flags = MAP_FIXED_NOREPLACE;
		switch (le32_to_cpu(v->kind)) {
		case NVEMU_DVMA_VDSO:
		case NVEMU_DVMA_VVAR:
			vdso = min(vdso, start);
			continue;
		case NVEMU_DVMA_ANON:
			flags |= MAP_PRIVATE | MAP_ANONYMOUS;
			if (le32_to_cpu(v->flags) & NVEMU_DVMA_GROWSDOWN)
				flags |= MAP_GROWSDOWN;
			break;
		case NVEMU_DVMA_FILE:
		case NVEMU_DVMA_SHARED_RO:
			f = le32_to_cpu(v->file);
			if (f >= img->nr_files || !img->file[f])
				return -EUCLEAN;
			file = img->file[f];
			flags |= le32_to_cpu(v->kind) == NVEMU_DVMA_FILE ?
				 MAP_PRIVATE : MAP_SHARED;
			break;
		default:
			return -EUCLEAN;
		}
		addr = vm_mmap(file, start, len, le32_to_cpu(v->prot), flags,
			       file ? le64_to_cpu(v->pgoff) << PAGE_SHIFT : 0);
		if (addr != start)
			return IS_ERR_VALUE(addr) ? (long)addr : -EEXIST;
	}
	if (vdso != ULONG_MAX) {
		rc = nvemu_arch_map_vdso(vdso);
		if (rc)
			return rc;
	}
	rc = nvemu_install_pages(area, img);
	if (rc)
		return rc;

	mmap_write_lock(mm);
	mm->start_code = le64_to_cpu(img->half->mm[NVEMU_MM_START_CODE]);
	mm->end_code = le64_to_cpu(img->half->mm[NVEMU_MM_END_CODE]);
	mm->start_data = le64_to_cpu(img->half->mm[NVEMU_MM_START_DATA]);
	mm->end_data = le64_to_cpu(img->half->mm[NVEMU_MM_END_DATA]);
	mm->start_brk = le64_to_cpu(img->half->mm[NVEMU_MM_START_BRK]);
	mm->brk = le64_to_cpu(img->half->mm[NVEMU_MM_BRK]);
	mm->start_stack = le64_to_cpu(img->half->mm[NVEMU_MM_START_STACK]);
	mm->arg_start = le64_to_cpu(img->half->mm[NVEMU_MM_ARG_START]);
	mm->arg_end = le64_to_cpu(img->half->mm[NVEMU_MM_ARG_END]);
	mm->env_start = le64_to_cpu(img->half->mm[NVEMU_MM_ENV_START]);
	mm->env_end = le64_to_cpu(img->half->mm[NVEMU_MM_ENV_END]);
	for (i = 0; i < ARRAY_SIZE(mm->saved_auxv); i++)
		mm->saved_auxv[i] = le64_to_cpu(img->auxv[i]);
	set_bit(MMF_DISABLE_THP, &mm->flags);
	mmap_write_unlock(mm);
	return replace_mm_exe_file(mm, img->exe);
}

static void nvemu_image_files(struct nvemu_image *img)
{
	unsigned int i;

	__close_range(3, ~0U, 0);
	for (i = 0; i < img->nr_files; i++) {
		const struct nvemu_dfile *f = img->rec[i];
		struct file *file = img->file[i];
		loff_t size = le64_to_cpu(f->size);

		if (le32_to_cpu(f->role) != NVEMU_DF_FD || !file)
			continue;
		/* writes redone after the commit start from its size */
		if ((le32_to_cpu(f->flags) & NVEMU_DF_REG) &&
		    (file->f_mode & FMODE_WRITE) &&
		    i_size_read(file_inode(file)) > size)
			vfs_truncate(&file->f_path, size);
		vfs_setpos(file, le64_to_cpu(f->pos), MAX_LFS_FILESIZE);
		replace_fd(le32_to_cpu(f->fd), file,
			   le32_to_cpu(f->flags) & NVEMU_DF_CLOEXEC ?
			   O_CLOEXEC : 0);
	}
	if (img->cwd.dentry)
		set_fs_pwd(current->fs, &img->cwd);
}

static void nvemu_image_signals(const struct nvemu_image *img)
{
	/* current's own: only its own exec replaces it */
	struct sighand_struct *sh = rcu_dereference_protected(current->sighand,
							      true);
	sigset_t blocked;
	int i;

	spin_lock_irq(&sh->siglock);
	for (i = 0; i < _NSIG; i++) {
		struct sigaction *sa = &sh->action[i].sa;

		if (i + 1 == SIGKILL || i + 1 == SIGSTOP)
			continue;
		sa->sa_handler = (__force __sighandler_t)(unsigned long)
				 le64_to_cpu(img->sig->action[i][0]);
		sa->sa_flags = le64_to_cpu(img->sig->action[i][1]);
#ifdef __ARCH_HAS_SA_RESTORER
		sa->sa_restorer = (__force __sigrestore_t)(unsigned long)
				  le64_to_cpu(img->sig->action[i][2]);
#endif
		sa->sa_mask.sig[0] = le64_to_cpu(img->sig->action[i][3]);
	}
	spin_unlock_irq(&sh->siglock);
	blocked.sig[0] = le64_to_cpu(img->sig->blocked);
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);
}

/* Limits, never above the caller's hard limits without CAP_SYS_RESOURCE */
static void nvemu_image_limits(const struct nvemu_image *img)
{
	bool may_raise = capable(CAP_SYS_RESOURCE);
	int i;

	task_lock(current->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit *rl = &current->signal->rlim[i];
		u64 max = le64_to_cpu(img->limits[i].max);
		u64 cur = le64_to_cpu(img->limits[i].cur);

		if (!may_raise)
			max = min_t(u64, max, rl->rlim_max);
		rl->rlim_max = max;
		rl->rlim_cur = min(cur, max);
	}
	task_unlock(current->group_leader);
}

/* The registers, at the return to user space of the execve */
static void nvemu_resume_regs(struct callback_head *cb)
{
	struct nvemu_task *nt = container_of(cb, struct nvemu_task,
					     resume_work);
	struct nvemu_half *h = nt->half;
	struct pt_regs *regs = task_pt_regs(current);
	bool in_syscall = le32_to_cpu(h->flags) & NVEMU_HF_IN_SYSCALL;
	bool in_vlt = le32_to_cpu(h->flags) & NVEMU_HF_VLT;
	struct sighand_struct *sh = rcu_dereference_protected(current->sighand,
							      true);
	__sighandler_t pwr;
	int rc;

	rc = nvemu_arch_restore_context(h->ctx, le32_to_cpu(h->ctx_size));
	if (rc) {
		pr_err(NVEMU_PFX "resume of process %llu: its registers are invalid (%d)\n",
		       nt->slot->id, rc);
		force_fatal_sig(SIGSEGV);
		return;
	}
	if (in_syscall)
		syscall_set_return_value(current, regs, -EINTR, 0);
	nt->flags &= ~NVEMU_TF_RESUMING;
	nt->flags |= NVEMU_TF_ACTIVE;
	/* told it was resumed, when it listens (default action: ignore) */
	pwr = READ_ONCE(sh->action[SIGPWR - 1].sa.sa_handler);
	if (pwr != SIG_DFL && pwr != SIG_IGN) {
		struct kernel_siginfo info;

		clear_siginfo(&info);
		info.si_signo = SIGPWR;
		info.si_code = NVEMU_SI_RESUMED;
		info.si_errno = in_syscall ? EINTR : 0;
		send_sig_info(SIGPWR, &info, current);
	}
	if (in_vlt) {
		/* cut inside a vlt function: it runs again, and says so */
		set_thread_flag(TIF_NVEMU_VLT);
		h->vlt_reruns = cpu_to_le32(le32_to_cpu(h->vlt_reruns) + 1);
	}
	nvemu_task_commit_now(nt, NVEMU_CR_RESUME);
	if (in_vlt)
		nvemu_vlt_rerun(nt);
}

/* The slot to resume, marked so: its committed half copied to @half */
static int nvemu_resume_take(struct nvemu_area *area, u64 id,
			     struct nvemu_half *half, struct nvemu_slot **slot)
{
	const struct nvemu_half *h;
	struct nvemu_slot *s;
	int rc;

	guard(mutex)(&area->lock);
	rc = nvemu_area_enable(area);
	if (rc)
		return rc;
	s = nvemu_slot_by_id(area, id);
	if (!s)
		return -ENOENT;
	if (!uid_eq(s->uid, current_uid()) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (s->state == NVEMU_SLOT_DAMAGED)
		return -EUCLEAN;
	if (s->state != NVEMU_SLOT_DORMANT || s->resuming)
		return -EBUSY;
	rc = nvemu_slot_read(nvemu_slot_addr(area, s->index), &h);
	if (rc)
		return rc;
	memcpy(half, h, sizeof(*h));
	s->resuming = true;
	*slot = s;
	return 0;
}

static int nvemu_resume_load(struct linux_binprm *bprm);

static struct linux_binfmt nvemu_resume_format = {
	.module = THIS_MODULE,
	.load_binary = nvemu_resume_load,
};

static int nvemu_resume_load(struct linux_binprm *bprm)
{
	const struct nvemu_proc_ticket *t = (const void *)bprm->buf;
	struct nvemu_area *area = nvemu_area_get();
	struct elf64_hdr ex __maybe_unused = {};
	struct nvemu_image *img;
	struct nvemu_task *nt;
	struct nvemu_slot *s;
	int rc;

	BUILD_BUG_ON(sizeof(*t) > BINPRM_BUF_SIZE);
	if (memcmp(t->magic, NVEMU_PROC_TICKET_MAGIC, sizeof(t->magic)))
		return -ENOEXEC;
	if (i_size_read(file_inode(bprm->file)) != sizeof(*t) || t->flags ||
	    memchr_inv(t->reserved, 0, sizeof(t->reserved)))
		return -EINVAL;
	if (!area || area->flags != NVEMU_PROC_AREA_PRESENT)
		return -ENODEV;
	if (current->nvemu || !thread_group_empty(current) ||
	    in_compat_syscall())
		return -EBUSY;
	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	img->half = kvmalloc(sizeof(*img->half), GFP_KERNEL);
	if (!img->half) {
		kfree(img);
		return -ENOMEM;
	}
	rc = nvemu_resume_take(area, t->id, img->half, &s);
	if (rc) {
		kvfree(img->half);
		kfree(img);
		return rc;
	}
	rc = -EXDEV;
	if (le32_to_cpu(img->half->arch) != nvemu_arch_id())
		goto refuse;
	rc = nvemu_image_creds(img->half, bprm->cred);
	if (rc)
		goto refuse;
	rc = nvemu_image_open(area, img);
	if (rc)
		goto refuse;
	nt = nvemu_task_alloc(area, s);
	if (!nt) {
		rc = -ENOMEM;
		goto refuse;
	}

	rc = begin_new_exec(bprm);	/* the point of no return */
	if (rc)
		goto free_task;
	SET_PERSONALITY(ex);
	setup_new_exec(bprm);
	rc = nvemu_image_map(area, img);
	if (rc) {
		pr_err(NVEMU_PFX "resume of process %llu failed after the point of no return (%d); it stays resumable\n",
		       s->id, rc);
		goto free_task;
	}
	nvemu_image_files(img);
	nvemu_image_signals(img);
	set_binfmt(&nvemu_resume_format);
	finalize_exec(bprm);	/* sets RLIMIT_STACK: before the limits */
	nvemu_image_limits(img);
	__set_task_comm(current, img->comm, true);

	swap(nt->half, img->half);
	nt->pairs = img->pairs;
	nt->nr_pairs = img->nr_pairs;
	img->pairs = NULL;
	nt->interval_ns = (u64)le32_to_cpu(nt->half->interval_ms) *
			  NSEC_PER_MSEC;
	nt->task = current;
	nt->flags = NVEMU_TF_RESUMING;
	init_task_work(&nt->resume_work, nvemu_resume_regs);
	scoped_guard(mutex, &area->lock) {
		s->resuming = false;
		s->task = nt;
		s->state = NVEMU_SLOT_LIVE;
	}
	current->nvemu = nt;
	nvemu_set_syscall_work(current);
	WARN_ON(task_work_add(current, &nt->resume_work, TWA_RESUME));
	nvemu_image_free(img);
	kfree(img);
	pr_info(NVEMU_PFX "process %llu (%s) resumed as pid %d\n", s->id,
		nt->half->name, task_pid_nr(current));
	return 0;

free_task:
	nvemu_task_free(nt);
refuse:
	nvemu_image_free(img);
	kfree(img);
	scoped_guard(mutex, &area->lock)
		s->resuming = false;
	return rc;
}

/**
 * nvemu_resume_program() - the executable's path, for nvemu ps
 * @area: the area
 * @h: a committed half
 * @buf: the path, out, NUL-terminated (empty if unknown)
 * @len: size of @buf
 */
void nvemu_resume_program(struct nvemu_area *area, const struct nvemu_half *h,
			  char *buf, size_t len)
{
	struct nvemu_desc d = {};
	const struct nvemu_drec *r;
	size_t pos = 0;

	buf[0] = 0;
	if (nvemu_desc_load(area, h, &d))
		return;
	while ((r = nvemu_desc_next(&d, &pos)) && !IS_ERR(r)) {
		const struct nvemu_dfile *f = (const void *)(r + 1);

		if (le16_to_cpu(r->type) != NVEMU_DR_FILE ||
		    le32_to_cpu(r->len) < sizeof(*f) ||
		    le32_to_cpu(f->role) != NVEMU_DF_EXE)
			continue;
		strscpy(buf, (const char *)(f + 1),
			min_t(size_t, len, le16_to_cpu(f->path_len) + 1));
		break;
	}
	nvemu_desc_free(&d);
}

struct nvemu_discard {
	struct nvemu_area *area;
	struct nvemu_idx_list nodes;
};

static int nvemu_discard_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	struct nvemu_discard *d = arg;

	if (node)
		return nvemu_idx_list_add(&d->nodes, index);
	nvemu_pool_retire(d->area, index);
	return 0;
}

/**
 * nvemu_resume_discard() - NVEMU_PROC_IOC_DISCARD: drop a process's state
 * @id: its id
 *
 * Return: 0, -ENOENT (no such process), -EPERM (another user's and no
 * CAP_SYS_ADMIN), -EBUSY (running or being resumed), -ENODEV (no usable
 * area), -EINTR.
 */
int nvemu_resume_discard(u64 id)
{
	struct nvemu_area *area = nvemu_area_get();
	struct nvemu_discard dd = { .area = area };
	struct nvemu_pmap_root root;
	const struct nvemu_half *h;
	struct nvemu_half *free;
	struct nvemu_slot *s;
	u32 i, n;
	int rc;

	if (!area || area->flags != NVEMU_PROC_AREA_PRESENT)
		return -ENODEV;
	free = kvzalloc(NVEMU_HALF_SIZE, GFP_KERNEL);
	if (!free)
		return -ENOMEM;
	guard(mutex)(&area->lock);
	s = nvemu_slot_by_id(area, id);
	rc = -ENOENT;
	if (!s)
		goto out;
	rc = -EPERM;
	if (!uid_eq(s->uid, current_uid()) && !capable(CAP_SYS_ADMIN))
		goto out;
	rc = -EBUSY;
	if (s->task || s->resuming || s->state == NVEMU_SLOT_ARMED)
		goto out;
	rc = nvemu_area_commit_begin(area, true);
	if (rc)
		goto out;
	if (s->state == NVEMU_SLOT_DORMANT &&
	    !nvemu_slot_read(nvemu_slot_addr(area, s->index), &h)) {
		root.index = le32_to_cpu(h->map_root);
		root.check = le32_to_cpu(h->map_root_check);
		root.levels = le32_to_cpu(h->map_levels);
		n = DIV_ROUND_UP(le32_to_cpu(h->desc_len), PAGE_SIZE);
		/* nodes are freed after the walk that reads them */
		nvemu_pmap_walk(&area->pool, &root, nvemu_discard_fn, &dd);
		for (i = 0; i < dd.nodes.nr; i++)
			nvemu_pool_free(&area->pool, dd.nodes.idx[i]);
		nvemu_idx_list_free(&dd.nodes);
		for (i = 0; i < n; i++)
			nvemu_pool_free(&area->pool, le32_to_cpu(h->desc_page[i]));
	}
	/* the slot's word goes on from its generation, whatever it held */
	free->state = cpu_to_le32(NVEMU_HS_FREE);
	nvemu_slot_write(area, s, free);
	nvemu_area_commit_end(area);
	nvemu_slot_release(area, s);
	rc = 0;
out:
	kvfree(free);
	return rc;
}

/**
 * nvemu_resume_init() - register the resume binfmt
 *
 * Return: 0.
 */
int nvemu_resume_init(void)
{
	register_binfmt(&nvemu_resume_format);
	return 0;
}
