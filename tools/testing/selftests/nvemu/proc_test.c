// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - /dev/nvemu_proc, the ABI of persistent processes
 *
 * Every error code of every ioctl (reserved fields, unknown flags, bad
 * pointers, unknown commands, ranges), and the refusals a persistent
 * process meets: a thread (clone with CLONE_VM), shared writable memory,
 * io_uring; a fork that runs another program works; a full area refuses
 * the next process, a full pool ends a process with SIGBUS; a changed
 * executable is not resumed.  Run as root in a
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

/*
 * A full area: children take the free slots one by one (an armed child
 * holds its slot until it ends); the next ARM fails with ENOSPC, and the
 * slots are free again once the children ended.
 */
TEST(full_area)
{
	struct nvemu_proc_area a;
	int fd = proc_open(), p[2], status;
	unsigned int i, n, got = 0;
	pid_t *kids;
	char r;

	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	ASSERT_GE(a.nr_slots, a.slots_used);
	n = a.nr_slots - a.slots_used;
	kids = calloc(n + 1, sizeof(*kids));
	ASSERT_NE(NULL, kids);
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i <= n; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (!kids[i]) {
			struct nvemu_proc_arm arm;

			memset(&arm, 0, sizeof(arm));
			r = ioctl(fd, NVEMU_PROC_IOC_ARM, &arm) ? 'a' + errno : 'y';
			if (write(p[1], &r, 1) != 1)
				_exit(1);
			if (r == 'y')
				pause();	/* holds the slot */
			_exit(0);
		}
		ASSERT_EQ(1, read(p[0], &r, 1));
		EXPECT_EQ(i < n ? 'y' : 'a' + ENOSPC, r);
		got += r == 'y';
	}
	EXPECT_EQ(n, got);
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	EXPECT_EQ(a.nr_slots, a.slots_used);
	for (i = 0; i <= n; i++) {
		kill(kids[i], SIGTERM);
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
	}
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	EXPECT_EQ(a.nr_slots - n, a.slots_used);
	free(kids);
	close(p[0]);
	close(p[1]);
	close(fd);
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
/*
 * Fork a child that arms itself (default interval) and executes path
 * with arg1 and arg2 (NULL: none): a persistent process.  Its pid, and
 * its id in *id; -1 if the fork, the ARM or the report of the id failed.
 */
static pid_t armed_exec(int fd, const char *path, const char *arg1,
			const char *arg2, __u64 *id)
{
	int p[2];
	pid_t child;
	ssize_t n;

	if (pipe(p))
		return -1;
	child = fork();
	if (!child) {
		struct nvemu_proc_arm a;

		memset(&a, 0, sizeof(a));
		if (ioctl(fd, NVEMU_PROC_IOC_ARM, &a))
			_exit(10);
		if (write(p[1], &a.id, sizeof(a.id)) != sizeof(a.id))
			_exit(11);
		execl(path, "proc_test", arg1, arg2, (char *)NULL);
		_exit(12);
	}
	close(p[1]);
	n = child < 0 ? 0 : read(p[0], id, sizeof(*id));
	close(p[0]);
	return n == sizeof(*id) ? child : -1;
}

/* The persistent child of pool_full: dirty bytes pages, then wait */
static int fill_child(const char *arg)
{
	unsigned long long bytes = strtoull(arg, NULL, 0), i;
	long ps = sysconf(_SC_PAGESIZE);
	char *m;

	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 40;
	for (i = 0; i < bytes; i += ps)
		m[i] = 1;
	pause();		/* committed at its entry: the pool is full */
	return 41;
}

/*
 * A commit that finds the pool full: the process is killed with SIGBUS,
 * and its last commit stays resumable (stopped by SIGBUS); DISCARD frees
 * it.  (A plain TEST: the harness allocates a fixture test's metadata
 * with MAP_SHARED | MAP_ANONYMOUS in a constructor, which a persistent
 * process may not map, and the children run this program.)
 */
TEST(pool_full)
{
	struct nvemu_proc_area a;
	struct nvemu_proc_info info;
	struct nvemu_proc_id pid;
	int fd = proc_open(), status;
	char bytes[32];
	pid_t child;
	__u64 id, free0;

	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	/* more than the free pool, by 1024 pages */
	snprintf(bytes, sizeof(bytes), "%llu",
		 (unsigned long long)(a.pool_free + 1024) * a.page_size);
	child = armed_exec(fd, "/proc/self/exe", "--fill", bytes, &id);
	ASSERT_LT(0, child);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	ASSERT_LE(0, slot_of(fd, id, &info));
	EXPECT_EQ((__u32)NVEMU_PROC_RESUMABLE, info.state);
	EXPECT_EQ((__u32)SIGBUS, info.stop_signal);
	EXPECT_LT(0ULL, info.generation);

	memset(&pid, 0, sizeof(pid));
	pid.id = id;
	EXPECT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	/* every page it had is free again */
	free0 = a.pool_free;
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_AREA, &a));
	EXPECT_EQ(free0, a.pool_free);
	close(fd);
}

/* Copy the file at from to a new file at to, executable: 0 or -1 */
static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0)
		goto close_in;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			goto close_out;
	ret = n ? -1 : 0;
close_out:
	close(out);
close_in:
	close(in);
	return ret;
}

/* execveat() of a resume ticket for id in a child: its errno, 0 if none */
static int resume_errno(__u64 id)
{
	static char *const argv[] = { "ticket", NULL };
	struct nvemu_proc_ticket t;
	int mfd, status;
	pid_t child;

	memset(&t, 0, sizeof(t));
	memcpy(t.magic, NVEMU_PROC_TICKET_MAGIC, sizeof(t.magic));
	t.id = id;
	mfd = memfd_create("nvemu-resume", MFD_CLOEXEC);
	if (mfd < 0 || write(mfd, &t, sizeof(t)) != sizeof(t))
		return -1;
	child = fork();
	if (!child) {
		syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
		_exit(errno);
	}
	close(mfd);
	if (child < 0 || waitpid(child, &status, 0) != child)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A changed executable: a persistent process runs a copy of this program
 * (blocked in pause(), so committed at that call's entry) and is ended by
 * SIGTERM, committed at its death.  One byte of the copy changes (same
 * size): the resume fails with ESTALE and leaves the process resumable;
 * DISCARD then frees it.
 */
TEST(changed_executable)
{
	char path[] = "/tmp/nvemu-proc-test-XXXXXX", exe[64];
	struct nvemu_proc_info info;
	struct nvemu_proc_id pid;
	int fd = proc_open(), status, i, efd;
	pid_t child;
	__u64 id;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, mkdtemp(path));
	snprintf(exe, sizeof(exe), "%s/proc_test", path);
	ASSERT_EQ(0, copy_file("/proc/self/exe", exe));
	child = armed_exec(fd, exe, "--pause", NULL, &id);
	ASSERT_LT(0, child);
	/* committed in pause() */
	for (i = 0; i < 300; i++) {
		ASSERT_LE(0, slot_of(fd, id, &info));
		if (info.proc_flags & NVEMU_PROC_F_IN_SYSCALL)
			break;
		usleep(10000);
	}
	ASSERT_NE(0U, info.proc_flags & NVEMU_PROC_F_IN_SYSCALL);
	kill(child, SIGTERM);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_LE(0, slot_of(fd, id, &info));
	EXPECT_EQ((__u32)NVEMU_PROC_RESUMABLE, info.state);

	efd = open(exe, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(1, pwrite(efd, "\x7f", 1, 16));	/* in the ELF header's padding */
	close(efd);
	EXPECT_EQ(ESTALE, resume_errno(id));
	ASSERT_LE(0, slot_of(fd, id, &info));
	EXPECT_EQ((__u32)NVEMU_PROC_RESUMABLE, info.state);
	EXPECT_EQ(0, info.pid);

	memset(&pid, 0, sizeof(pid));
	pid.id = id;
	EXPECT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	EXPECT_EQ(-1, slot_of(fd, id, &info));
	unlink(exe);
	rmdir(path);
	close(fd);
}

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
	if (argc == 2 && !strcmp(argv[1], "--pause"))
		return pause();
	if (argc == 3 && !strcmp(argv[1], "--fill"))
		return fill_child(argv[2]);
	return test_harness_run(argc, argv);
}
