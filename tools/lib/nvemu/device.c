// SPDX-License-Identifier: GPL-2.0
/*
 * libnvemu - the ioctls of /dev/nvemuN
 *
 * One function per ioctl of include/uapi/linux/nvemu.h.  Each clears the
 * structure (its reserved fields and input flags must be zero), fills in
 * the input fields, and returns 0 or -errno.  Every kernel with the nvemu
 * driver has all of them; -ENOTTY means that fd is not an nvemu device.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "libnvemu.h"

static int nvemu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int nvemu_get_info(int fd, struct nvemu_info *info)
{
	memset(info, 0, sizeof(*info));
	return nvemu_ioctl(fd, NVEMU_IOC_INFO, info);
}

/* Range index, 0 .. nr_ranges - 1, in ascending physical order. */
int nvemu_get_range(int fd, uint32_t index, struct nvemu_range_info *range)
{
	memset(range, 0, sizeof(*range));
	range->index = index;
	return nvemu_ioctl(fd, NVEMU_IOC_RANGE_INFO, range);
}

int nvemu_get_geometry(int fd, struct nvemu_geometry *geom)
{
	memset(geom, 0, sizeof(*geom));
	return nvemu_ioctl(fd, NVEMU_IOC_GEOMETRY, geom);
}

int nvemu_get_segment(int fd, uint64_t index, struct nvemu_segment *seg)
{
	memset(seg, 0, sizeof(*seg));
	seg->index = index;
	return nvemu_ioctl(fd, NVEMU_IOC_SEGMENT, seg);
}

/*
 * The save/restore state.  -ENODATA: the kernel keeps none, since the
 * metadata area belongs to other ranges.
 */
int nvemu_get_state(int fd, struct nvemu_state *state)
{
	memset(state, 0, sizeof(*state));
	return nvemu_ioctl(fd, NVEMU_IOC_STATE, state);
}

/*
 * Tell the kernel the outcome of a save or restore (NVEMU_EV_*, with
 * NVEMU_REPORT_F_* flags).  uuid may be NULL: unknown.  Needs
 * CAP_SYS_ADMIN; -ENODATA as for nvemu_get_state().
 */
int nvemu_report(int fd, uint32_t event, uint32_t flags, uint64_t generation,
		 const uint8_t uuid[16])
{
	struct nvemu_report r;

	memset(&r, 0, sizeof(r));
	r.event = event;
	r.flags = flags;
	r.generation = generation;
	if (uuid)
		memcpy(r.uuid, uuid, sizeof(r.uuid));
	return nvemu_ioctl(fd, NVEMU_IOC_REPORT, &r);
}

/*
 * Which segments may differ from the image (uuid, generation) that a save
 * builds on: bitmap holds DIV_ROUND_UP(nr_segments, 64) words, bit i % 64
 * of word i / 64 for segment i.  *valid tells whether the kernel knows
 * since that image; if not, every segment must be compared.  The save
 * must then report NVEMU_EV_SAVED or NVEMU_EV_SAVE_FAILED through the same
 * fd.  -EBUSY: another save holds the record; -ENODATA as above.
 */
int nvemu_changed(int fd, const uint8_t uuid[16], uint64_t generation,
		  uint64_t *bitmap, uint64_t nr_segments, bool *valid)
{
	struct nvemu_changed c;
	int ret;

	memset(&c, 0, sizeof(c));
	if (uuid)
		memcpy(c.uuid, uuid, sizeof(c.uuid));
	c.generation = generation;
	c.bitmap = (uintptr_t)bitmap;
	c.nr_segments = nr_segments;
	ret = nvemu_ioctl(fd, NVEMU_IOC_CHANGED, &c);
	*valid = !ret && (c.flags & NVEMU_CHANGED_VALID);
	return ret;
}

/* "SAVED", "RESTORE_FAILED", ...: the NVEMU_EV_* name, or "?". */
const char *nvemu_event_name(uint32_t event)
{
	static const char *const names[] = {
		[NVEMU_EV_SAVED] = "SAVED",
		[NVEMU_EV_SAVE_FAILED] = "SAVE_FAILED",
		[NVEMU_EV_RESTORED] = "RESTORED",
		[NVEMU_EV_RESTORE_FAILED] = "RESTORE_FAILED",
		[NVEMU_EV_RESTORE_ABANDONED] = "RESTORE_ABANDONED",
	};

	if (event < ARRAY_SIZE(names) && names[event])
		return names[event];
	return "?";
}
