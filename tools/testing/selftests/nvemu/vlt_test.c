// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - vlt functions: prctl(PR_NVEMU_VLT) and the runtime
 *
 * Every error code of the prctl, in a process that is not persistent and
 * in one that is; then a vlt function (the macro form of <nvemu/vlt.h>
 * with libnvemu's runtime) in a persistent process at a 10 ms interval:
 * inside it the committed state says "in a vlt function" and no commit
 * happens however long it runs, it runs on the DRAM stack (an 8 MiB
 * read-write anonymous mapping above a 64 KiB guard), a nested ENTER and
 * execve are EBUSY, a forked child is an ordinary process, a signal
 * handler runs on the DRAM stack; its return commits once, and the pages
 * it touched on the DRAM stack are in no commit.  A DRAM stack overflow
 * kills the process with SIGSEGV, names itself in the kernel log and
 * leaves the entry commit resumable.  A process killed inside a vlt
 * function is resumed into a re-run of it, from its entry, with the
 * memory it had there.  Run as root in a kernel with
 * CONFIG_NVEMU_TASK whose nvemu= ranges hold a process area.
 */
#define _GNU_SOURCE
#include <linux/nvemu_proc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"
#include <nvemu/vlt.h>

/* TEST() without a fixture leaves the harness's variant parameter unused */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define PROC_DEV	"/dev/nvemu_proc"
#define GUARD		(64UL << 10)

static long vlt_prctl(unsigned long op, unsigned long a3, unsigned long a4,
		      unsigned long a5)
{
	return syscall(SYS_prctl, PR_NVEMU_VLT, op, a3, a4, a5);
}

static void dummy(void)
{
}

/* A function address that ENTER accepts (an ENTER that fails never jumps) */
#define DUMMY	((unsigned long)dummy)

static long vlt_enter(unsigned long entry, unsigned long pad)
{
	return vlt_prctl(PR_NVEMU_VLT_ENTER, entry, 0, pad);
}

TEST(plain_process)
{
	EXPECT_EQ(0, vlt_prctl(PR_NVEMU_VLT_QUERY, 0, 0, 0));
	EXPECT_EQ(-1, vlt_prctl(PR_NVEMU_VLT_QUERY, 1, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, vlt_prctl(PR_NVEMU_VLT_QUERY, 0, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, vlt_enter(DUMMY, DUMMY));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, vlt_prctl(PR_NVEMU_VLT_EXIT, 0, 0, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, vlt_prctl(3, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* The slot of process id: its INFO in *info; -1 when not found */
static int info_of(int fd, __u64 id, struct nvemu_proc_info *info)
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

/* The mapping of /proc/self/maps that holds addr, and the one below it */
struct maps_hit {
	unsigned long start, end, below_start, below_end;
	char perms[5], below_perms[5];
	int anon;
};

static int find_mapping(unsigned long addr, struct maps_hit *h)
{
	char buf[16384], *line, *save = NULL;
	unsigned long s, e, ps = 0, pe = 0;
	char perms[5], pperms[5] = "";
	int fd, n, used = 0;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0)
		used += n;
	close(fd);
	buf[used] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long off;
		unsigned int maj, min;
		unsigned long ino;
		int len = 0;

		if (sscanf(line, "%lx-%lx %4s %llx %x:%x %lu %n", &s, &e, perms,
			   &off, &maj, &min, &ino, &len) < 7)
			return -1;
		if (addr >= s && addr < e) {
			h->start = s;
			h->end = e;
			memcpy(h->perms, perms, 5);
			h->below_start = ps;
			h->below_end = pe;
			memcpy(h->below_perms, pperms, 5);
			h->anon = !ino && !line[len];
			return 0;
		}
		ps = s;
		pe = e;
		memcpy(pperms, perms, 5);
	}
	return -1;
}

static unsigned long expected_stack_size(void)
{
	struct rlimit rl;
	unsigned long s;

	if (getrlimit(RLIMIT_STACK, &rl))
		return 0;
	s = rl.rlim_cur;
	if (s < (256UL << 10))
		s = 256UL << 10;
	if (s > (256UL << 20))
		s = 256UL << 20;
	return (s + 4095) & ~4095UL;
}

static unsigned long handler_sp;

static void on_usr1(int sig)
{
	handler_sp = (unsigned long)__builtin_frame_address(0);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct probe_result {
	int status;		/* 0, or the number of the check that failed */
	__u64 commits_inside;
	__u64 mem_inside;
	double sum;		/* of the arguments, to see them arrive */
};

/*
 * The vlt function: what is true inside, as the first failed check's
 * number (0: all held).  fd is /dev/nvemu_proc, id the process's id.
 */
NVEMU_VLT(struct probe_result, probe, int, fd, __u64, id, double, x,
	  float, y, long, z)
{
	struct probe_result r = { .sum = x + y + z };
	struct nvemu_proc_info info;
	struct maps_hit h;
	unsigned long here = (unsigned long)__builtin_frame_address(0);
	double t0;
	char *big;
	int st;
	pid_t child;

	if (info_of(fd, id, &info) < 0)
		return r.status = 101, r;
	if (!(info.proc_flags & NVEMU_PROC_F_VLT))
		return r.status = 102, r;
	r.commits_inside = info.commits;
	r.mem_inside = info.mem_bytes;
	if (find_mapping(here, &h))
		return r.status = 103, r;
	if (h.end - h.start != expected_stack_size() || strcmp(h.perms, "rw-p") ||
	    !h.anon)
		return r.status = 104, r;
	if (h.below_end != h.start || h.below_end - h.below_start != GUARD ||
	    strcmp(h.below_perms, "---p"))
		return r.status = 105, r;
	/* 1 MiB of DRAM stack pages: none may reach a commit */
	big = alloca(1 << 20);
	memset(big, 0x5a, 1 << 20);
	if (vlt_enter(DUMMY, DUMMY) != -1 || errno != EBUSY)
		return r.status = 106, r;
	if (execl("/bin/true", "true", (char *)NULL) != -1 || errno != EBUSY)
		return r.status = 107, r;
	child = fork();
	if (child < 0)
		return r.status = 108, r;
	if (!child) {
		if (vlt_prctl(PR_NVEMU_VLT_QUERY, 0, 0, 0) != 0)
			_exit(1);
		if (vlt_enter(DUMMY, DUMMY) != -1 || errno != EOPNOTSUPP)
			_exit(2);
		_exit(0);
	}
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return r.status = 109, r;
	if (signal(SIGUSR1, on_usr1) == SIG_ERR || raise(SIGUSR1))
		return r.status = 110, r;
	if (handler_sp < h.start || handler_sp >= h.end)
		return r.status = 111, r;
	/* thirty intervals of CPU time: still no commit */
	t0 = cpu_seconds();
	while (cpu_seconds() - t0 < 0.3)
		;
	if (info_of(fd, id, &info) < 0 || info.commits != r.commits_inside ||
	    !(info.proc_flags & NVEMU_PROC_F_VLT))
		return r.status = 112, r;
	return r;
}

/* The persistent child of vlt_function: exit status 0 or a check number */
static int vlt_child(const char *idstr)
{
	__u64 id = strtoull(idstr, NULL, 0);
	struct nvemu_proc_info before, after;
	struct probe_result r;
	int fd = open(PROC_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 2;
	if (vlt_prctl(PR_NVEMU_VLT_QUERY, 0, 0, 0) != 1)
		return 3;
	if (vlt_prctl(PR_NVEMU_VLT_EXIT, 0, 0, 0) != -1 || errno != EINVAL)
		return 4;
	if (vlt_prctl(PR_NVEMU_VLT_EXIT, 1, 0, 0) != -1 || errno != EINVAL)
		return 5;
	if (vlt_enter(0, DUMMY) != -1 || errno != EFAULT)
		return 6;
	if (vlt_enter(DUMMY, 0) != -1 || errno != EFAULT)
		return 7;
	if (vlt_enter(~0UL - 4095, DUMMY) != -1 || errno != EFAULT)
		return 8;
#ifdef __aarch64__
	if (vlt_enter(DUMMY + 2, DUMMY) != -1 || errno != EINVAL)
		return 9;
#endif
	if (vlt_prctl(7, 0, 0, 0) != -1 || errno != EINVAL)
		return 10;
	if (info_of(fd, id, &before) < 0)
		return 11;
	r = probe(fd, id, 1.5, 2.25f, 40);
	if (r.status)
		return r.status;
	if (r.sum != 43.75)
		return 12;
	/* the entry commit (a tick may have committed before it) */
	if (r.commits_inside < before.commits + 1)
		return 13;
	if (info_of(fd, id, &after) < 0)
		return 14;
	/*
	 * The exit commit, outside (ticks may follow it at once: the
	 * interval is 10 ms and INFO reads every slot's description)
	 */
	if (after.commits < r.commits_inside + 1 ||
	    (after.proc_flags & NVEMU_PROC_F_VLT))
		return 15;
	/*
	 * The 256 DRAM stack pages are in no commit (libc may have touched a
	 * few pages of its own for the first time inside: fork, signal).
	 */
	if (after.mem_bytes >= r.mem_inside + 64 * 4096)
		return 16;
	close(fd);
	return 0;
}

/* A vlt function that recurses until its DRAM stack overflows */
NVEMU_VLT(long, deep, long, n)
{
	char frame[4096];

	memset(frame, (int)n, sizeof(frame));
	/* the whole frame stays: the compiler may not assume it unused */
	__asm__ volatile("" : : "r"(frame) : "memory");
	return deep(n + 1) + frame[n % sizeof(frame)];
}

/*
 * Fork a child that arms itself with interval_ms and executes this
 * program with arg1 and its id: a persistent process.  Its pid, and its
 * id in *id; -1 if the fork, the ARM or the report of the id failed.
 */
static pid_t armed_exec(int fd, __u32 interval_ms, const char *arg1,
			__u64 *id)
{
	int p[2];
	pid_t child;
	ssize_t n;

	if (pipe(p))
		return -1;
	child = fork();
	if (!child) {
		struct nvemu_proc_arm a;
		char idstr[32];

		memset(&a, 0, sizeof(a));
		a.interval_ms = interval_ms;
		if (ioctl(fd, NVEMU_PROC_IOC_ARM, &a))
			_exit(10);
		if (write(p[1], &a.id, sizeof(a.id)) != sizeof(a.id))
			_exit(11);
		snprintf(idstr, sizeof(idstr), "%llu", (unsigned long long)a.id);
		execl("/proc/self/exe", "vlt_test", arg1, idstr, (char *)NULL);
		_exit(12);
	}
	close(p[1]);
	n = child < 0 ? 0 : read(p[0], id, sizeof(*id));
	close(p[0]);
	return n == sizeof(*id) ? child : -1;
}

TEST(vlt_function)
{
	int fd = open(PROC_DEV, O_RDWR | O_CLOEXEC), status;
	pid_t child;
	__u64 id;

	ASSERT_LE(0, fd);
	child = armed_exec(fd, 10, "--vlt-child", &id);
	ASSERT_LT(0, child);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

/* Whether the kernel log, from fd's position on, has a line with text */
static int kmsg_has(int fd, const char *text)
{
	char rec[2048];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = 0;
		if (strstr(rec, text))
			return 1;
	}
	return 0;
}

TEST(stack_overflow)
{
	int fd = open(PROC_DEV, O_RDWR | O_CLOEXEC), kmsg, status;
	struct nvemu_proc_info info;
	struct nvemu_proc_id pid;
	char line[64];
	pid_t child;
	__u64 id;

	ASSERT_LE(0, fd);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	child = armed_exec(fd, 1000, "--overflow-child", &id);
	ASSERT_LT(0, child);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	ASSERT_LE(0, info_of(fd, id, &info));
	EXPECT_EQ((__u32)NVEMU_PROC_RESUMABLE, info.state);
	EXPECT_EQ((__u32)SIGSEGV, info.stop_signal);
	EXPECT_EQ(NVEMU_PROC_F_VLT, info.proc_flags & NVEMU_PROC_F_VLT);
	EXPECT_EQ(0U, info.vlt_reruns);
	snprintf(line, sizeof(line), "vlt DRAM stack overflow (%lu KiB)",
		 expected_stack_size() >> 10);
	EXPECT_TRUE(kmsg_has(kmsg, line));
	memset(&pid, 0, sizeof(pid));
	pid.id = id;
	EXPECT_EQ(0, ioctl(fd, NVEMU_PROC_IOC_DISCARD, &pid));
	close(kmsg);
	close(fd);
}

/* What the first run of rerun's vlt function did to process memory */
static int runs;

/*
 * The vlt function of rerun_after_kill: the first run says so in the
 * marker file and waits to be killed; the run after the resume must see
 * the memory of the entry commit (runs back to 0) and one re-run.
 */
NVEMU_VLT(int, once_killed, int, marker, __u64, id)
{
	/* opened here: a resume closes descriptors of devices */
	int proc = open(PROC_DEV, O_RDWR | O_CLOEXEC), rc;
	struct nvemu_proc_info info;

	runs++;
	rc = info_of(proc, id, &info);
	close(proc);
	if (rc < 0)
		return 60;
	if (!info.vlt_reruns) {
		if (pwrite(marker, "inside\n", 7, 0) != 7)
			return 61;
		for (;;)
			pause();
	}
	if (info.vlt_reruns != 1 || !(info.proc_flags & NVEMU_PROC_F_VLT))
		return 62;
	return runs == 1 ? 0 : 63;
}

/* The persistent child of rerun_after_kill */
static int rerun_child(const char *idstr, const char *path)
{
	__u64 id = strtoull(idstr, NULL, 0);
	int marker = open(path, O_RDWR), proc, rc;
	struct nvemu_proc_info info;

	if (marker < 0)
		return 50;
	rc = once_killed(marker, id);
	if (rc)
		return rc;
	proc = open(PROC_DEV, O_RDWR | O_CLOEXEC);
	/* after the call: committed outside, the re-run counted */
	if (info_of(proc, id, &info) < 0 || info.vlt_reruns != 1 ||
	    (info.proc_flags & NVEMU_PROC_F_VLT))
		return 51;
	return 0;
}

/* execveat() of a resume ticket for id in a child: its pid, or -1 */
static pid_t resume_child(__u64 id)
{
	static char *const argv[] = { "ticket", NULL };
	struct nvemu_proc_ticket t;
	pid_t child;
	int mfd;

	memset(&t, 0, sizeof(t));
	memcpy(t.magic, NVEMU_PROC_TICKET_MAGIC, sizeof(t.magic));
	t.id = id;
	mfd = memfd_create("nvemu-resume", MFD_CLOEXEC);
	if (mfd < 0 || write(mfd, &t, sizeof(t)) != sizeof(t))
		return -1;
	child = fork();
	if (!child) {
		syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
		_exit(100 + errno);
	}
	close(mfd);
	return child;
}

/*
 * A process killed inside a vlt function (SIGKILL: no final commit) stays
 * resumable with its entry commit, flagged "in vlt"; the resume re-runs
 * the function from its entry, with the memory it had there, counts one
 * re-run, and the process then ends normally (its slot freed).
 */
TEST(rerun_after_kill)
{
	char path[] = "/tmp/nvemu-vlt-test-XXXXXX", buf[8] = "";
	int fd = open(PROC_DEV, O_RDWR | O_CLOEXEC), marker, status, i;
	struct nvemu_proc_info info;
	pid_t child;
	__u64 id;
	int p[2];

	ASSERT_LE(0, fd);
	marker = mkstemp(path);
	ASSERT_LE(0, marker);
	ASSERT_EQ(0, pipe(p));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct nvemu_proc_arm a;
		char idstr[32];

		memset(&a, 0, sizeof(a));
		if (ioctl(fd, NVEMU_PROC_IOC_ARM, &a) ||
		    write(p[1], &a.id, sizeof(a.id)) != sizeof(a.id))
			_exit(10);
		snprintf(idstr, sizeof(idstr), "%llu", (unsigned long long)a.id);
		execl("/proc/self/exe", "vlt_test", "--rerun-child", idstr, path,
		      (char *)NULL);
		_exit(12);
	}
	close(p[1]);
	ASSERT_EQ((ssize_t)sizeof(id), read(p[0], &id, sizeof(id)));
	close(p[0]);
	for (i = 0; i < 600 && strcmp(buf, "inside\n"); i++) {
		usleep(50000);
		memset(buf, 0, sizeof(buf));
		ASSERT_LE(0, pread(marker, buf, 7, 0));
	}
	ASSERT_STREQ("inside\n", buf);
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_LE(0, info_of(fd, id, &info));
	EXPECT_EQ((__u32)NVEMU_PROC_RESUMABLE, info.state);
	EXPECT_EQ(NVEMU_PROC_F_VLT, info.proc_flags & NVEMU_PROC_F_VLT);
	EXPECT_EQ(0U, info.vlt_reruns);

	child = resume_child(id);
	ASSERT_LT(0, child);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* it ended by exit(): its slot is free */
	EXPECT_EQ(-1, info_of(fd, id, &info));
	close(marker);
	unlink(path);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--rerun-child"))
		return rerun_child(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "--vlt-child"))
		return vlt_child(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--overflow-child"))
		return (int)deep(0);
	return test_harness_run(argc, argv);
}
