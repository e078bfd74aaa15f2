// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - /dev/nvemu_proc, the ABI of persistent processes
 *
 * Every error code of every ioctl (reserved fields, unknown flags, bad
 * pointers, unknown commands, ranges), and the refusals a persistent
 * process meets: a thread (clone with CLONE_VM), shared writable memory,
 * io_uring; a fork that runs another program works.  Run as root in a
 * kernel with CONFIG_NVEMU_TASK whose nvemu= ranges hold a process area.
 * The persistent processes these tests start are children of the test;
 * each ends (and frees its slot) before its test does.
 */
#define _GNU_SOURCE
#include <linux/nvemu_proc.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "common.h"

/* TEST() without a fixture leaves the harness's variant parameter unused */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define PROC_DEV	"/dev/nvemu_proc"

static int proc_open(void)
{
	return open(PROC_DEV, O_RDWR | O_CLOEXEC);
}

TEST(area)
{
	struct nvemu_proc_area a;
	int fd = proc_open();

	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	EXPECT_NE(0U, a.flags & NVEMU_PROC_AREA_PRESENT);
	EXPECT_EQ(0U, a.flags & (NVEMU_PROC_AREA_FOREIGN |
				  NVEMU_PROC_AREA_DAMAGED));
	EXPECT_EQ((unsigned int)getpagesize(), a.page_size);
	EXPECT_LE(4U, a.nr_slots);
	EXPECT_GE(256U, a.nr_slots);
	EXPECT_LT(0ULL, a.pool_pages);
	EXPECT_GE(a.pool_pages, a.pool_free);
	EXPECT_EQ(0ULL, a.size % (16ULL << 20));
	EXPECT_EQ(1000U, a.default_interval_ms);

	a.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&a, 0, sizeof(a));
	a.reserved[6] = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_AREA, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(0xB9, 0x4f), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(arm_arguments)
{
	struct nvemu_proc_arm a;
	int fd = proc_open();

	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	a.interval_ms = NVEMU_PROC_INTERVAL_MIN - 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_ARM, &a));
	EXPECT_EQ(EINVAL, errno);
	a.interval_ms = NVEMU_PROC_INTERVAL_MAX + 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_ARM, &a));
	EXPECT_EQ(EINVAL, errno);
	a.interval_ms = 0;
	a.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_ARM, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	a.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_ARM, &a));
	EXPECT_EQ(EINVAL, errno);
	a.reserved[3] = 0;
	memset(a.name, 'x', sizeof(a.name));	/* no NUL */
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_ARM, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_ARM, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* Find the slot of @id; -1 if none */
static int slot_of(int fd, __u64 id, struct nvemu_proc_info *info)
{
	struct nvemu_proc_area a;
	__u32 i;

	memset(&a, 0, sizeof(a));
	if (ioctl(fd, NVEMU_PROC_IOC_AREA, &a))
		return -1;
	for (i = 0; i < a.nr_slots; i++) {
		memset(info, 0, sizeof(*info));
		info->index = i;
		if (!ioctl(fd, NVEMU_PROC_IOC_INFO, info) && info->id == id)
			return i;
	}
	return -1;
}

/*
 * An armed child: it is RUNNING (not yet persistent), holds its slot until
 * it exits, and a second ARM fails with EBUSY.  Discard of a running
 * process is EBUSY; after the child exits without exec its slot is free.
 */
TEST(arm_busy_discard_info)
{
	int fd = proc_open(), p[2], status;
	struct nvemu_proc_info info;
	struct nvemu_proc_id pid;
	__u64 id;
	pid_t child, child2;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct nvemu_proc_arm a;

		memset(&a, 0, sizeof(a));
		memcpy(a.name, "armed", sizeof("armed"));
		if (ioctl(fd, NVEMU_PROC_IOC_ARM, &a))
			_exit(10);
		if (!ioctl(fd, NVEMU_PROC_IOC_ARM, &a) || errno != EBUSY)
			_exit(11);
		if (write(p[1], &a.id, sizeof(a.id)) != sizeof(a.id))
			_exit(12);
		pause();		/* until the parent's SIGTERM */
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ((ssize_t)sizeof(id), read(p[0], &id, sizeof(id)));
	ASSERT_LE(0, slot_of(fd, id, &info));
	EXPECT_EQ((__u32)NVEMU_PROC_RUNNING, info.state);
	EXPECT_EQ(child, info.pid);
	EXPECT_STREQ("armed", info.name);
	EXPECT_EQ((__u32)getuid(), info.uid);

	memset(&pid, 0, sizeof(pid));
	pid.id = id;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	EXPECT_EQ(EBUSY, errno);
	pid.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	EXPECT_EQ(EINVAL, errno);
	pid.flags = 0;
	pid.reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	EXPECT_EQ(EINVAL, errno);
	pid.reserved = 0;
	/* another user: not permitted, and not shown */
	child2 = fork();
	ASSERT_LE(0, child2);
	if (!child2) {
		struct nvemu_proc_info other;

		if (setgid(65534) || setuid(65534))
			_exit(30);
		if (!ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid) || errno != EPERM)
			_exit(31);
		_exit(slot_of(fd, id, &other) == -1 ? 0 : 32);
	}
	ASSERT_EQ(child2, waitpid(child2, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	pid.id = ~0ULL;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_DISCARD, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	close(p[0]);
	kill(child, SIGTERM);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(-1, slot_of(fd, id, &info));	/* freed: never executed */

	memset(&info, 0, sizeof(info));
	info.index = 100000;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.index = 0;
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, NVEMU_PROC_IOC_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* What the persistent child checks: the exit status says which failed */
static int persistent_child(void)
{
	void *m;
	pid_t pid;
	int st;

	if (syscall(SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES |
		    CLONE_SIGHAND | CLONE_THREAD, 0, 0, 0, 0) != -1 ||
	    errno != EOPNOTSUPP)
		return 20;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (m != MAP_FAILED || errno != EOPNOTSUPP)
		return 21;
	if (syscall(SYS_io_uring_setup, 1, NULL) != -1 || errno != EOPNOTSUPP)
		return 22;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 23;
	pid = fork();		/* an ordinary child */
	if (pid < 0)
		return 24;
	if (!pid)
		execl("/bin/true", "true", (char *)NULL), _exit(99);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 25;
	return 0;
}

TEST(refusals)
{
	struct nvemu_proc_arm a;
	int fd = proc_open(), status;
	pid_t child;

	ASSERT_LE(0, fd);
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		memset(&a, 0, sizeof(a));
		if (ioctl(fd, NVEMU_PROC_IOC_ARM, &a))
			_exit(10);
		execl("/proc/self/exe", "proc_test", "--persistent-child",
		      (char *)NULL);
		_exit(11);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

/* A resume ticket that names nothing, or is malformed */
TEST(ticket)
{
	struct nvemu_proc_ticket t;
	static char *const argv[] = { "ticket", NULL };
	int mfd, status;
	pid_t child;

	memset(&t, 0, sizeof(t));
	memcpy(t.magic, NVEMU_PROC_TICKET_MAGIC, sizeof(t.magic));
	t.id = ~0ULL;
	mfd = memfd_create("nvemu-resume", MFD_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_EQ((ssize_t)sizeof(t), write(mfd, &t, sizeof(t)));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
		_exit(errno == ENOENT ? 0 : errno);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	t.flags = 1;
	ASSERT_EQ((ssize_t)sizeof(t), pwrite(mfd, &t, sizeof(t), 0));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
		_exit(errno == EINVAL ? 0 : errno);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(mfd);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--persistent-child"))
		return persistent_child();
	return test_harness_run(argc, argv);
}
