// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu tests - the save/restore state and reports
 *
 * NVEMU_IOC_STATE and NVEMU_IOC_REPORT: the flags and generations that the
 * reports of a save or restore set, their sysfs files, the restore gate
 * (open while the selftests run) and the reports that are refused.
 */

#define _GNU_SOURCE
#include "common.h"

#define NVEMU_SYSFS	"/sys/bus/platform/devices/nvemu/"

static void get_state(struct __test_metadata *const _metadata, int fd,
		      struct nvemu_state *st)
{
	memset(st, 0, sizeof(*st));
	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_STATE, st))
	{
		TH_LOG("NVEMU_IOC_STATE: %s", strerror(errno));
	}
}

static void expect_sysfs(struct __test_metadata *const _metadata,
			 const char *name, const char *want)
{
	char path[128], buf[128];

	snprintf(path, sizeof(path), NVEMU_SYSFS "%s", name);
	ASSERT_EQ(0, read_file(path, buf, sizeof(buf)))
	{
		TH_LOG("%s: %s", path, strerror(errno));
	}
	EXPECT_STREQ(want, buf);
}

static void report(struct __test_metadata *const _metadata, int fd,
		   __u32 event, __u32 flags, __u64 gen)
{
	struct nvemu_report rep = {
		.event = event, .flags = flags, .generation = gen,
	};

	ASSERT_EQ(0, ioctl(fd, NVEMU_IOC_REPORT, &rep))
	{
		TH_LOG("NVEMU_IOC_REPORT event %u: %s", event, strerror(errno));
	}
}

TEST_F(nvemu, state_and_report)
{
	const __u32 known = NVEMU_STATE_CLEAN_SHUTDOWN |
		NVEMU_STATE_RESTORE_PENDING | NVEMU_STATE_SAVE_FAIL |
		NVEMU_STATE_RESTORE_FAIL;
	struct nvemu_state st, bad;
	char want[32];

	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(0U, st.flags & ~known);
	/* the selftests run with the restore gate open */
	EXPECT_EQ(0U, st.flags & NVEMU_STATE_RESTORE_PENDING);
	expect_sysfs(_metadata, "restore_pending", "0");
	expect_sysfs(_metadata, "clean_shutdown",
		     st.flags & NVEMU_STATE_CLEAN_SHUTDOWN ? "1" : "0");

	report(_metadata, self->fd, NVEMU_EV_SAVE_FAILED, 0, 0);
	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(NVEMU_STATE_SAVE_FAIL, st.flags & NVEMU_STATE_SAVE_FAIL);
	expect_sysfs(_metadata, "health", "save_fail");
	report(_metadata, self->fd, NVEMU_EV_RESTORE_FAILED, 0, 0);
	expect_sysfs(_metadata, "health", "save_fail restore_fail");

	report(_metadata, self->fd, NVEMU_EV_SAVED, 0, 4242);
	report(_metadata, self->fd, NVEMU_EV_RESTORED, 0, 4241);
	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(0U, st.flags & (NVEMU_STATE_SAVE_FAIL | NVEMU_STATE_RESTORE_FAIL));
	EXPECT_EQ(4242U, st.saved_generation);
	EXPECT_EQ(4241U, st.restored_generation);
	expect_sysfs(_metadata, "health", "ok");
	expect_sysfs(_metadata, "saved_generation", "4242");
	snprintf(want, sizeof(want), "%u", 4241);
	expect_sysfs(_metadata, "restored_generation", want);
	/* the clean flag is for the next boot: this boot's stays */
	report(_metadata, self->fd, NVEMU_EV_SAVED, NVEMU_REPORT_F_SHUTDOWN, 4243);
	get_state(_metadata, self->fd, &bad);
	EXPECT_EQ(st.flags & NVEMU_STATE_CLEAN_SHUTDOWN,
		  bad.flags & NVEMU_STATE_CLEAN_SHUTDOWN);
	EXPECT_EQ(4243U, bad.saved_generation);
	/* abandoning a restore when none is pending changes nothing */
	report(_metadata, self->fd, NVEMU_EV_RESTORE_ABANDONED, 0, 0);
	get_state(_metadata, self->fd, &st);
	EXPECT_EQ(bad.flags, st.flags);
	EXPECT_EQ(4241U, st.restored_generation);

	memset(&bad, 0, sizeof(bad));
	bad.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_STATE, &bad));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(nvemu, report_invalid)
{
	const struct {
		struct nvemu_report rep;
		const char *what;
	} cases[] = {
		{ { .event = 0 }, "event 0" },
		{ { .event = 6 }, "event 6" },
		{ { .event = NVEMU_EV_SAVE_FAILED,
		    .flags = NVEMU_REPORT_F_SHUTDOWN },
		  "SHUTDOWN with SAVE_FAILED" },
		{ { .event = NVEMU_EV_SAVED, .flags = 2 }, "unknown flag" },
		{ { .event = NVEMU_EV_SAVED, .reserved = { 0, 1 } },
		  "reserved" },
	};
	struct nvemu_state before, after;
	struct nvemu_report rep = { .event = NVEMU_EV_SAVED, .generation = 1 };
	size_t i;

	get_state(_metadata, self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		rep = cases[i].rep;
		EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_REPORT, &rep))
		{
			TH_LOG("%s accepted", cases[i].what);
		}
		EXPECT_EQ(EINVAL, errno)
		{
			TH_LOG("%s: %s", cases[i].what, strerror(errno));
		}
	}
	/* reporting needs CAP_SYS_ADMIN */
	drop_effective_cap(_metadata, CAP_SYS_ADMIN);
	rep = (struct nvemu_report){ .event = NVEMU_EV_SAVED, .generation = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, NVEMU_IOC_REPORT, &rep));
	EXPECT_EQ(EPERM, errno);
	get_state(_metadata, self->fd, &after);
	EXPECT_EQ(before.flags, after.flags);
	EXPECT_EQ(before.saved_generation, after.saved_generation);
}

TEST_HARNESS_MAIN
