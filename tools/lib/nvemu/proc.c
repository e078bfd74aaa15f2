// SPDX-License-Identifier: GPL-2.0
/*
 * libnvemu - persistent processes: the ioctls of /dev/nvemu_proc and the
 * resume ticket
 *
 * One function per ioctl of include/uapi/linux/nvemu_proc.h, in the style
 * of device.c: each clears the structure (its reserved fields and input
 * flags must be zero), fills in the input fields, and returns 0 or -errno.
 * nvemu_proc_resume_exec() executes a resume ticket.  See
 * Documentation/userspace-api/nvemu-proc.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "libnvemu.h"

extern char **environ;

static int proc_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * Open NVEMU_PROC_DEVICE: a close-on-exec descriptor, or -errno.  Read and
 * write if the file mode allows it, else read-only (enough for AREA and
 * INFO).  -ENOENT: the kernel has no persistent processes
 * (CONFIG_NVEMU_TASK) or no nvemu device; -ENODEV: no process area.
 */
int nvemu_proc_open(void)
{
	int fd;

	fd = open(NVEMU_PROC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EROFS))
		fd = open(NVEMU_PROC_DEVICE, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int nvemu_proc_area(int fd, struct nvemu_proc_area *area)
{
	memset(area, 0, sizeof(*area));
	return proc_ioctl(fd, NVEMU_PROC_IOC_AREA, area);
}

/*
 * Make the calling process persistent at its next successful execve(),
 * named name (NULL or "": the program's name), committing every
 * interval_ms of CPU time (0: the default).  The id is returned in *id.
 * -ENAMETOOLONG: name has NVEMU_PROC_NAME_LEN bytes or more; -ENOSPC: no
 * free slot, or the pool is nearly full; -EBUSY: already armed or
 * persistent; -EINVAL: interval out of range.
 */
int nvemu_proc_arm(int fd, const char *name, uint32_t interval_ms,
		   uint64_t *id)
{
	struct nvemu_proc_arm a;
	int ret;

	memset(&a, 0, sizeof(a));
	if (name) {
		size_t len = strlen(name);

		if (len >= sizeof(a.name))
			return -ENAMETOOLONG;
		memcpy(a.name, name, len);	/* a is zeroed: NUL-terminated */
	}
	a.interval_ms = interval_ms;
	ret = proc_ioctl(fd, NVEMU_PROC_IOC_ARM, &a);
	if (!ret)
		*id = a.id;
	return ret;
}

/*
 * The process in slot index, 0 .. nr_slots - 1.  -ENOENT: the slot is
 * free, or holds another user's process (without CAP_SYS_ADMIN).
 */
int nvemu_proc_info(int fd, uint32_t index, struct nvemu_proc_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = index;
	return proc_ioctl(fd, NVEMU_PROC_IOC_INFO, info);
}

/* Free the slot of process id: -EPERM, -EBUSY (running) or -ENOENT. */
int nvemu_proc_discard(int fd, uint64_t id)
{
	struct nvemu_proc_id p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	return proc_ioctl(fd, NVEMU_PROC_IOC_DISCARD, &p);
}

/* Fill in a resume ticket for process id. */
void nvemu_proc_ticket_init(struct nvemu_proc_ticket *t, uint64_t id)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->magic, NVEMU_PROC_TICKET_MAGIC, sizeof(t->magic));
	t->id = id;
}

/*
 * Become persistent process id: write its resume ticket into a memfd
 * ("nvemu-resume", close-on-exec) and execute it with execveat(fd, "",
 * argv, environ, AT_EMPTY_PATH), argv being { argv0, NULL }.  Returns
 * only on failure, with -errno (errno is set too): -ENOENT, -EPERM,
 * -EBUSY, -EUCLEAN, -ESTALE, -EXDEV, -EINVAL as the ABI says; -ENOEXEC
 * from a kernel without persistent processes.  The standard descriptors
 * are the resumed process's; others without close-on-exec are closed by
 * the kernel (the process gets its own back).
 */
int nvemu_proc_resume_exec(uint64_t id, const char *argv0)
{
	char *const argv[] = { (char *)(argv0 ? argv0 : "nvemu-resume"),
			       NULL };
	struct nvemu_proc_ticket t;
	ssize_t n;
	int fd, err;

	nvemu_proc_ticket_init(&t, id);
	fd = memfd_create("nvemu-resume", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, &t, sizeof(t));
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(t)) {
		err = n < 0 ? errno : EIO;
		goto out;
	}
	execveat(fd, "", argv, environ, AT_EMPTY_PATH);
	err = errno;
out:
	close(fd);
	errno = err;
	return -err;
}

/* "running", "interrupted", "resumable", "damaged", or "?". */
const char *nvemu_proc_state_name(uint32_t state)
{
	static const char *const names[] = {
		[NVEMU_PROC_RUNNING] = "running",
		[NVEMU_PROC_INTERRUPTED] = "interrupted",
		[NVEMU_PROC_RESUMABLE] = "resumable",
		[NVEMU_PROC_DAMAGED] = "damaged",
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "?";
}
