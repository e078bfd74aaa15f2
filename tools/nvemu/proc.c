// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu run, ps, resume, discard - persistent processes
 *
 * The kernel side is /dev/nvemu_proc and the resume ticket
 * (include/uapi/linux/nvemu_proc.h, Documentation/userspace-api/
 * nvemu-proc.rst), wrapped by libnvemu's nvemu_proc_*().  run and resume
 * fork: the child arms itself and executes the program (run), or executes
 * a resume ticket (resume), and tells the parent through a close-on-exec
 * pipe whether it got that far: end of file means the exec succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "testhooks.h"
#include "util.h"

/* nvemu run's exit status for its own failures, as env(1) and timeout(1) */
#define RUN_EXIT_FAILED		125
#define RUN_EXIT_CANNOT_EXEC	126
#define RUN_EXIT_NOT_FOUND	127

#define MAX_RESUME		1024	/* ids on one command line */

/* "nvemu CMD: message" on standard error */
__printf(2, 3)
static void cmd_err(const char *cmd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", prog, cmd, buf);
}

/* ---- the calls, through the test hooks ------------------------------ */

static int proc_open(void)
{
	int ret;

	if (nv_test_proc(NV_PROC_OPEN, NULL, &ret))
		return ret;
	return nvemu_proc_open();
}

static int proc_area(int fd, struct nvemu_proc_area *a)
{
	int ret;

	if (nv_test_proc(NV_PROC_AREA, a, &ret))
		return ret;
	return nvemu_proc_area(fd, a);
}

static int proc_arm(int fd, const char *name, uint32_t interval,
		    uint64_t *id)
{
	struct nvemu_proc_arm a;
	int ret;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	a.interval_ms = interval;
	if (nv_test_proc(NV_PROC_ARM, &a, &ret)) {
		*id = a.id;
		return ret;
	}
	return nvemu_proc_arm(fd, name, interval, id);
}

static int proc_info(int fd, uint32_t index, struct nvemu_proc_info *p)
{
	int ret;

	p->index = index;
	if (nv_test_proc(NV_PROC_INFO, p, &ret))
		return ret;
	return nvemu_proc_info(fd, index, p);
}

static int proc_discard(int fd, uint64_t id)
{
	int ret;

	if (nv_test_proc(NV_PROC_DISCARD, &id, &ret))
		return ret;
	return nvemu_proc_discard(fd, id);
}

static int proc_resume_exec(uint64_t id)
{
	int ret;

	if (nv_test_proc(NV_PROC_RESUME, &id, &ret))
		return ret;
	return nvemu_proc_resume_exec(id, "nvemu-resume");
}

/* ---- the area ------------------------------------------------------- */

static const char no_area[] =
	"no process area: the kernel lacks CONFIG_NVEMU_TASK or nvemu.proc_size=0";

/*
 * Open /dev/nvemu_proc and read the area into *a: the descriptor, or -1
 * with the message printed.  usable: also refuse an area that cannot hold
 * processes (foreign or damaged header); ps shows those.
 */
static int area_open(const char *cmd, struct nvemu_proc_area *a, bool usable)
{
	int fd, ret;

	fd = proc_open();
	if (fd == -ENOENT || fd == -ENODEV) {
		cmd_err(cmd, "%s (%s: %s)", no_area, NVEMU_PROC_DEVICE,
			strerror(-fd));
		return -1;
	}
	if (fd < 0) {
		cmd_err(cmd, "%s: %s", NVEMU_PROC_DEVICE, strerror(-fd));
		return -1;
	}
	ret = proc_area(fd, a);
	if (ret) {
		cmd_err(cmd, "%s: NVEMU_PROC_IOC_AREA: %s", NVEMU_PROC_DEVICE,
			strerror(-ret));
		goto fail;
	}
	if (!(a->flags & NVEMU_PROC_AREA_PRESENT) || !a->size) {
		cmd_err(cmd, "%s", no_area);
		goto fail;
	}
	if (!usable)
		return fd;
	if (a->flags & NVEMU_PROC_AREA_FOREIGN) {
		cmd_err(cmd, "the process area was formatted by a kernel of another page size or architecture: it cannot be used");
		goto fail;
	}
	if (a->flags & NVEMU_PROC_AREA_DAMAGED) {
		cmd_err(cmd, "the process area's header fails its checksum: it cannot be used (nothing in it was overwritten)");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* "the process area is full (U of N slots in use, F pages free)" */
static void area_full(const char *cmd, int fd)
{
	struct nvemu_proc_area a;

	if (proc_area(fd, &a)) {
		cmd_err(cmd, "the process area is full; nvemu discard ID frees a slot");
		return;
	}
	cmd_err(cmd, "the process area is full (%u of %u slots in use, %llu pages free); nvemu discard ID frees one",
		a.slots_used, a.nr_slots, ULL(a.pool_free));
}

/* ---- child processes ------------------------------------------------ */

/* What a child writes into its pipe before it executes something */
struct child_msg {
	int err;		/* errno, 0: armed */
	int stage;		/* CHILD_* */
	uint64_t id;
};

enum { CHILD_ARM, CHILD_EXEC };

static void child_send(int fd, int stage, int err, uint64_t id)
{
	struct child_msg m = { .err = err, .stage = stage, .id = id };
	ssize_t n;

	do {
		n = write(fd, &m, sizeof(m));
	} while (n < 0 && errno == EINTR);
}

/* A message, 0 at end of file (the exec succeeded), -1 on an error */
static int child_recv(int fd, struct child_msg *m)
{
	ssize_t n;

	do {
		n = read(fd, m, sizeof(*m));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*m))
		return 1;
	return n == 0 ? 0 : -1;
}

/* The children that SIGTERM and SIGHUP are passed on to */
static pid_t children[MAX_RESUME];
static atomic_int nr_children;	/* children[] is filled in before */

static void forward_signal(int sig)
{
	int i, n = atomic_load(&nr_children);

	for (i = 0; i < n; i++)
		if (children[i] > 0)
			kill(children[i], sig);
}

/*
 * In the parent after the forks: SIGTERM and SIGHUP are passed on to the
 * children; SIGINT and SIGQUIT, which a terminal sends to the whole
 * process group, the children get themselves.
 */
static void parent_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = forward_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

/* Wait for pid: its exit status as a shell gives it (128 + signal) */
static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return RUN_EXIT_FAILED;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static int parse_id(const char *s, uint64_t *id)
{
	return nv_parse_u64(s, id) || !*id ? -1 : 0;
}

/* ---- nvemu run ------------------------------------------------------ */

static void run_child(int dev, int pipefd, const char *name,
		      uint32_t interval, char **argv)
{
	uint64_t id = 0;
	int ret;

	ret = proc_arm(dev, name, interval, &id);
	child_send(pipefd, CHILD_ARM, -ret, id);
	if (ret)
		_exit(RUN_EXIT_FAILED);
	close(dev);
	execvp(argv[0], argv);
	ret = errno;
	child_send(pipefd, CHILD_EXEC, ret, id);
	_exit(ret == ENOENT ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_EXEC);
}

static int run_failed(const char *cmd, int dev, const struct child_msg *m,
		      const char *program)
{
	if (m->stage == CHILD_EXEC) {
		cmd_err(cmd, "%s: %s", program, strerror(m->err));
		return m->err == ENOENT ? RUN_EXIT_NOT_FOUND :
		       RUN_EXIT_CANNOT_EXEC;
	}
	switch (m->err) {
	case ENOSPC:
		area_full(cmd, dev);
		break;
	case EINVAL:
		cmd_err(cmd, "the kernel refused the interval: it takes %u to %u ms",
			NVEMU_PROC_INTERVAL_MIN, NVEMU_PROC_INTERVAL_MAX);
		break;
	case EBUSY:
		cmd_err(cmd, "this process is persistent already");
		break;
	default:
		cmd_err(cmd, "NVEMU_PROC_IOC_ARM: %s", strerror(m->err));
	}
	return RUN_EXIT_FAILED;
}

int cmd_run(const struct nv_cmd *cmd, const struct nv_global *g,
	    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "id-file", required_argument, NULL, 'f' },
		NV_OPT_QUIET,
		NV_OPT_HELP,
		{ }
	};
	const char *name = NULL, *id_file = NULL;
	struct nvemu_proc_area area;
	int c, dev, idfd = -1, pfd[2], ret, got;
	uint64_t interval = 0;
	struct child_msg m;
	bool quiet = false;
	pid_t pid;

	(void)g;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+n:i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			if (strlen(name) >= NVEMU_PROC_NAME_LEN) {
				usage_error(cmd->name, "--name takes at most %u bytes, not %zu",
					    NVEMU_PROC_NAME_LEN - 1,
					    strlen(name));
				return RUN_EXIT_FAILED;
			}
			break;
		case 'i':
			if (nv_parse_u64(optarg, &interval) ||
			    interval < NVEMU_PROC_INTERVAL_MIN ||
			    interval > NVEMU_PROC_INTERVAL_MAX) {
				usage_error(cmd->name, "--interval takes %u to %u ms, not '%s'",
					    NVEMU_PROC_INTERVAL_MIN,
					    NVEMU_PROC_INTERVAL_MAX, optarg);
				return RUN_EXIT_FAILED;
			}
			break;
		case 'f':
			id_file = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_show(cmd, stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd->name);
			return RUN_EXIT_FAILED;
		}
	}
	if (optind >= argc) {
		usage_error(cmd->name, "no PROGRAM given");
		return RUN_EXIT_FAILED;
	}
	dev = area_open(cmd->name, &area, true);
	if (dev < 0)
		return RUN_EXIT_FAILED;
	if (id_file) {
		idfd = open(id_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			    0644);
		if (idfd < 0) {
			cmd_err(cmd->name, "%s: %s", id_file, strerror(errno));
			close(dev);
			return RUN_EXIT_FAILED;
		}
	}
	if (area.flags & NVEMU_PROC_AREA_RESTORE_PENDING && !quiet)
		cmd_err(cmd->name, "the NVM waits for a restore (nvemu.restore=wait): the program starts after it");
	fflush(NULL);
	if (pipe2(pfd, O_CLOEXEC)) {
		cmd_err(cmd->name, "pipe: %s", strerror(errno));
		return RUN_EXIT_FAILED;
	}
	pid = fork();
	if (pid < 0) {
		cmd_err(cmd->name, "fork: %s", strerror(errno));
		return RUN_EXIT_FAILED;
	}
	if (!pid) {
		close(pfd[0]);
		run_child(dev, pfd[1], name, interval, argv + optind);
	}
	children[0] = pid;
	atomic_store(&nr_children, 1);
	parent_signals();
	close(pfd[1]);
	got = child_recv(pfd[0], &m);		/* the result of ARM */
	if (got > 0 && !m.err)
		got = child_recv(pfd[0], &m);	/* 0: the exec succeeded */
	close(pfd[0]);
	if (got) {
		ret = wait_status(pid);
		if (got > 0)
			ret = run_failed(cmd->name, dev, &m, argv[optind]);
		else
			cmd_err(cmd->name, "lost the child process (exit status %d)",
				ret);
		close(dev);
		if (id_file)
			unlink(id_file);
		return ret;
	}
	close(dev);
	if (!quiet)
		fprintf(stderr, "%s %s: id %llu (pid %d)\n", prog, cmd->name,
			ULL(m.id), (int)pid);
	if (idfd >= 0) {
		if (dprintf(idfd, "%llu\n", ULL(m.id)) < 0 || close(idfd))
			cmd_err(cmd->name, "%s: %s", id_file, strerror(errno));
	}
	return wait_status(pid);
}

/* ---- nvemu ps ------------------------------------------------------- */

/* The name of user uid from /etc/passwd (no NSS: nvemu is static) */
static const char *user_name(uint32_t uid, char *buf, size_t len)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[512], *pw, *id, *end;
	const char *ret = NULL;

	/* name:password:uid:... */
	while (f && fgets(line, sizeof(line), f)) {
		pw = strchr(line, ':');
		id = pw ? strchr(pw + 1, ':') : NULL;
		if (!id || id[1] < '0' || id[1] > '9' ||
		    strtoul(id + 1, &end, 10) != uid || *end != ':')
			continue;
		if ((size_t)(pw - line) >= len)
			break;
		memcpy(buf, line, pw - line);
		buf[pw - line] = 0;
		ret = buf;
		break;
	}
	if (f)
		fclose(f);
	return ret;
}

/* "2026-12-02 09:30:15" in local time, "-" for never */
static const char *local_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000;
	struct tm tm;

	if (!ns || !localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
	return buf;
}

static void ps_area_text(const struct nvemu_proc_area *a)
{
	char b1[32], b2[32];

	printf("process area: %s, %u of %u slots used, ",
	       nv_bytes_str(a->size, b1, sizeof(b1)), a->slots_used,
	       a->nr_slots);
	printf("pool %s free of %s ",
	       nv_bytes_str(a->pool_free * a->page_size, b2, sizeof(b2)),
	       nv_bytes_str(a->pool_pages * a->page_size, b1, sizeof(b1)));
	printf("(%llu of %llu pages of %u bytes), default interval %u ms\n",
	       ULL(a->pool_free), ULL(a->pool_pages), a->page_size,
	       a->default_interval_ms);
	if (a->flags & NVEMU_PROC_AREA_FOREIGN)
		puts("process area: from a kernel of another page size or architecture: unusable");
	if (a->flags & NVEMU_PROC_AREA_DAMAGED)
		puts("process area: its header fails its checksum: unusable");
	if (a->flags & NVEMU_PROC_AREA_RESTORE_PENDING)
		puts("process area: waiting for a restore (nvemu.restore=wait)");
}

static void ps_head_text(void)
{
	printf("%6s %-16s %-8s %7s %-15s %8s %-19s %9s %8s %9s %4s %s\n",
	       "ID", "NAME", "OWNER", "PID", "STATE", "GEN", "LAST-COMMIT",
	       "MEM", "COMMITS", "WRITTEN", "VLT", "PROGRAM");
}

static void ps_line_text(const struct nvemu_proc_info *p)
{
	char user[64], uid[16], t[32], mem[32], wr[32], pid[16], st[32];
	char vlt[16];
	const char *u = user_name(p->uid, user, sizeof(user));

	if (!u) {
		snprintf(uid, sizeof(uid), "%u", p->uid);
		u = uid;
	}
	snprintf(pid, sizeof(pid), p->pid ? "%d" : "-", p->pid);
	snprintf(st, sizeof(st), "%s%s", nvemu_proc_state_name(p->state),
		 p->proc_flags & NVEMU_PROC_F_IN_SYSCALL ? ",sys" : "");
	snprintf(vlt, sizeof(vlt), "%u%s", p->vlt_reruns,
		 p->proc_flags & NVEMU_PROC_F_VLT ? "*" : "");
	printf("%6llu %-16s %-8s %7s %-15s %8llu %-19s %9s %8llu %9s %4s %s\n",
	       ULL(p->id), p->name, u, pid, st, ULL(p->generation),
	       local_time(p->commit_time_ns, t, sizeof(t)),
	       nv_bytes_str(p->mem_bytes, mem, sizeof(mem)), ULL(p->commits),
	       nv_bytes_str(p->commit_bytes, wr, sizeof(wr)), vlt, p->program);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

static void ps_area_json(const struct nvemu_proc_area *a)
{
	printf("{\"area\":{\"size\":%llu,\"page_size\":%u,\"nr_slots\":%u,\"slots_used\":%u,",
	       ULL(a->size), a->page_size, a->nr_slots, a->slots_used);
	printf("\"pool_pages\":%llu,\"pool_free\":%llu,\"default_interval_ms\":%u,",
	       ULL(a->pool_pages), ULL(a->pool_free), a->default_interval_ms);
	printf("\"present\":%s,\"enabled\":%s,\"foreign\":%s,",
	       json_bool(a->flags & NVEMU_PROC_AREA_PRESENT),
	       json_bool(a->flags & NVEMU_PROC_AREA_ENABLED),
	       json_bool(a->flags & NVEMU_PROC_AREA_FOREIGN));
	printf("\"damaged\":%s,\"restore_pending\":%s},\"processes\":[",
	       json_bool(a->flags & NVEMU_PROC_AREA_DAMAGED),
	       json_bool(a->flags & NVEMU_PROC_AREA_RESTORE_PENDING));
}

static void ps_line_json(const struct nvemu_proc_info *p, bool first)
{
	char user[64];
	const char *u = user_name(p->uid, user, sizeof(user));

	printf("%s{\"slot\":%u,\"id\":%llu,\"name\":", first ? "" : ",",
	       p->index, ULL(p->id));
	nv_json_str(stdout, p->name);
	printf(",\"program\":");
	nv_json_str(stdout, p->program);
	printf(",\"uid\":%u,\"user\":", p->uid);
	if (u)
		nv_json_str(stdout, u);
	else
		printf("null");
	printf(",\"gid\":%u,\"pid\":%d,\"state\":\"%s\",\"generation\":%llu,",
	       p->gid, p->pid, nvemu_proc_state_name(p->state),
	       ULL(p->generation));
	printf("\"commit_time_ns\":%llu,\"mem_bytes\":%llu,\"commits\":%llu,\"commit_bytes\":%llu,",
	       ULL(p->commit_time_ns), ULL(p->mem_bytes), ULL(p->commits),
	       ULL(p->commit_bytes));
	printf("\"interval_ms\":%u,\"stop_signal\":%u,\"in_syscall\":%s,",
	       p->interval_ms, p->stop_signal,
	       json_bool(p->proc_flags & NVEMU_PROC_F_IN_SYSCALL));
	printf("\"in_vlt\":%s,\"vlt_reruns\":%u}",
	       json_bool(p->proc_flags & NVEMU_PROC_F_VLT), p->vlt_reruns);
}

int cmd_ps(const struct nv_cmd *cmd, const struct nv_global *g,
	   int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		NV_OPT_JSON,
		NV_OPT_HELP,
		{ }
	};
	struct nvemu_proc_area area;
	struct nvemu_proc_info p;
	bool json = false, all = false;
	unsigned int shown = 0;
	int c, fd, ret = 0, err;
	uint32_t i;

	(void)g;
	optind = 0;
	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			help_show(cmd, stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd->name);
			return NV_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error(cmd->name, "unexpected argument '%s'",
				   argv[optind]);
	fd = area_open(cmd->name, &area, false);
	if (fd < 0)
		return NV_EXIT_ERR;
	if (json)
		ps_area_json(&area);
	else
		ps_area_text(&area);
	for (i = 0; i < area.nr_slots; i++) {
		err = proc_info(fd, i, &p);
		if (err == -ENOENT)
			continue;
		if (err) {
			fflush(stdout);
			cmd_err(cmd->name, "slot %u: NVEMU_PROC_IOC_INFO: %s",
				i, strerror(-err));
			ret = NV_EXIT_ERR;
			continue;
		}
		if (!all && p.uid != getuid())
			continue;
		if (json) {
			ps_line_json(&p, !shown);
		} else {
			if (!shown)
				ps_head_text();
			ps_line_text(&p);
		}
		shown++;
	}
	if (json)
		printf("]}\n");
	close(fd);
	return ret;
}

/* ---- nvemu resume --------------------------------------------------- */

/* Why the resume of id failed, from the errno of its execveat() */
static void resume_failed(const char *cmd, uint64_t id, int err)
{
	const char *why;

	switch (err) {
	case ENOENT:
		why = "no such process (nvemu ps lists them)";
		break;
	case EPERM:
		why = "not permitted: its credentials are not yours (needs CAP_SYS_ADMIN)";
		break;
	case EBUSY:
		why = "already running";
		break;
	case EUCLEAN:
		cmd_err(cmd, "id %llu: damaged: its checksum fails; nvemu discard %llu",
			ULL(id), ULL(id));
		return;
	case ESTALE:
		why = "a file changed: see the kernel log (dmesg)";
		break;
	case EXDEV:
		why = "committed by another kernel build, page size or architecture";
		break;
	case ENOEXEC:
		why = "this kernel cannot resume processes (no CONFIG_NVEMU_TASK)";
		break;
	case EINVAL:
		why = "the kernel refused the resume ticket (a libnvemu of another ABI?)";
		break;
	default:
		why = strerror(err);
	}
	cmd_err(cmd, "id %llu: %s", ULL(id), why);
}

/*
 * Fork a child that becomes process id: its pid, or 0 with the message
 * printed.  The child reports a failed execveat() through the pipe.
 */
static pid_t resume_one(const char *cmd, uint64_t id)
{
	struct child_msg m;
	int pfd[2], got;
	pid_t pid;

	fflush(NULL);
	if (pipe2(pfd, O_CLOEXEC)) {
		cmd_err(cmd, "pipe: %s", strerror(errno));
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		cmd_err(cmd, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return 0;
	}
	if (!pid) {
		close(pfd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		child_send(pfd[1], CHILD_EXEC, -proc_resume_exec(id), id);
		_exit(RUN_EXIT_FAILED);
	}
	close(pfd[1]);
	got = child_recv(pfd[0], &m);
	close(pfd[0]);
	if (!got)
		return pid;
	wait_status(pid);
	if (got > 0)
		resume_failed(cmd, id, m.err);
	else
		cmd_err(cmd, "id %llu: lost the child process", ULL(id));
	return 0;
}

/* Every process of states interrupted and resumable in ids; their number */
static unsigned int resume_all(const char *cmd, int fd,
			       const struct nvemu_proc_area *a, uint64_t *ids)
{
	struct nvemu_proc_info p;
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < a->nr_slots && n < MAX_RESUME; i++) {
		if (proc_info(fd, i, &p))
			continue;
		if (p.state == NVEMU_PROC_DAMAGED)
			cmd_err(cmd, "id %llu (%s) is damaged: its checksum fails; skipped (nvemu discard %llu frees it)",
				ULL(p.id), p.name, ULL(p.id));
		if (p.state == NVEMU_PROC_INTERRUPTED ||
		    p.state == NVEMU_PROC_RESUMABLE)
			ids[n++] = p.id;
	}
	return n;
}

int cmd_resume(const struct nv_cmd *cmd, const struct nv_global *g,
	       int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "wait", no_argument, NULL, 'w' },
		NV_OPT_QUIET,
		NV_OPT_HELP,
		{ }
	};
	static uint64_t ids[MAX_RESUME];
	bool all = false, wait = false, quiet = false;
	unsigned int n = 0, i, started = 0, failed = 0;
	struct nvemu_proc_area area;
	int c, fd, st, ret = 0;
	pid_t pid;

	(void)g;
	optind = 0;
	while ((c = getopt_long(argc, argv, "awqh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'w':
			wait = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_show(cmd, stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd->name);
			return NV_EXIT_USAGE;
		}
	}
	if (all && optind != argc)
		return usage_error(cmd->name, "--all or IDs, not both");
	if (!all && optind == argc)
		return usage_error(cmd->name, "no ID given (or --all)");
	if (argc - optind > MAX_RESUME)
		return usage_error(cmd->name, "at most %u IDs", MAX_RESUME);
	for (; optind < argc; optind++)
		if (parse_id(argv[optind], &ids[n++]))
			return usage_error(cmd->name, "bad ID '%s'",
					   argv[optind]);
	fd = area_open(cmd->name, &area, true);
	if (fd < 0)
		return wait && n == 1 ? RUN_EXIT_FAILED : NV_EXIT_ERR;
	if (all)
		n = resume_all(cmd->name, fd, &area, ids);
	close(fd);
	if (all && !n) {
		if (!quiet)
			cmd_err(cmd->name, "no process to resume");
		return 0;
	}
	parent_signals();
	for (i = 0; i < n; i++) {
		pid = resume_one(cmd->name, ids[i]);
		if (!pid) {
			failed++;
			continue;
		}
		children[atomic_load(&nr_children)] = pid;
		atomic_fetch_add(&nr_children, 1);
		started++;
		if (!quiet)
			fprintf(stderr, "%s %s: id %llu resumed (pid %d)\n",
				prog, cmd->name, ULL(ids[i]), (int)pid);
	}
	if (!wait)
		return failed ? NV_EXIT_ERR : 0;
	for (i = 0; i < (unsigned int)atomic_load(&nr_children); i++) {
		st = wait_status(children[i]);
		if (n == 1)
			ret = st;
		else if (st)
			ret = NV_EXIT_ERR;
	}
	if (failed)
		ret = n == 1 ? RUN_EXIT_FAILED : NV_EXIT_ERR;
	return ret;
}

/* ---- nvemu discard -------------------------------------------------- */

int cmd_discard(const struct nv_cmd *cmd, const struct nv_global *g,
		int argc, char **argv)
{
	static const struct option opts[] = {
		NV_OPT_QUIET,
		NV_OPT_HELP,
		{ }
	};
	static uint64_t ids[MAX_RESUME];
	struct nvemu_proc_area area;
	int c, fd, err, ret = 0, n = 0, i;
	bool quiet = false;

	(void)g;
	optind = 0;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_show(cmd, stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd->name);
			return NV_EXIT_USAGE;
		}
	}
	if (optind == argc)
		return usage_error(cmd->name, "no ID given");
	if (argc - optind > MAX_RESUME)
		return usage_error(cmd->name, "at most %u IDs", MAX_RESUME);
	for (; optind < argc; optind++)
		if (parse_id(argv[optind], &ids[n++]))
			return usage_error(cmd->name, "bad ID '%s'",
					   argv[optind]);
	fd = area_open(cmd->name, &area, false);
	if (fd < 0)
		return NV_EXIT_ERR;
	for (i = 0; i < n; i++) {
		err = proc_discard(fd, ids[i]);
		if (!err) {
			if (!quiet)
				fprintf(stderr, "%s %s: id %llu discarded\n",
					prog, cmd->name, ULL(ids[i]));
			continue;
		}
		ret = NV_EXIT_ERR;
		if (err == -ENOENT)
			cmd_err(cmd->name, "id %llu: no such process (nvemu ps lists them)",
				ULL(ids[i]));
		else if (err == -EBUSY)
			cmd_err(cmd->name, "id %llu: running: stop it first (kill it, then discard)",
				ULL(ids[i]));
		else if (err == -EPERM)
			cmd_err(cmd->name, "id %llu: not permitted: another user's process",
				ULL(ids[i]));
		else
			cmd_err(cmd->name, "id %llu: %s", ULL(ids[i]),
				strerror(-err));
	}
	close(fd);
	return ret;
}
