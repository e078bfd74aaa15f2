// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu - the --help texts, written as manual pages
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "testhooks.h"
#include "util.h"

static const char exit_status[] =
"EXIT STATUS\n"
"    0   success\n"
"    1   an error: a device, file or I/O error, a refused save (message\n"
"        on standard error)\n"
"    2   bad usage\n"
"    3   no valid image on the TARGET (or the TARGET does not exist)\n"
"    4   geometry mismatch: the image was saved from an NVM of other\n"
"        ranges or segments; or save found such an image without --full\n"
"    5   checksum mismatch: segment data on the TARGET are damaged (after a\n"
"        single-pass restore, the NVM holds the other segments of the image)\n"
"    6   TARGET too small (save) or truncated (restore, verify)\n"
"    7   verify --against-nvm: the NVM differs from the image\n";

static const char main_head[] =
"NAME\n"
"    nvemu - manage DRAM-backed emulated non-volatile memory\n"
"\n"
"SYNOPSIS\n"
"    nvemu [--device DEV] info [--json]\n"
"    nvemu [--device DEV] save --to TARGET [--jobs N] [--full] [--shutdown]\n"
"                              [--compare-all] [--force] [--json] [--quiet]\n"
"    nvemu [--device DEV] restore --from TARGET [--jobs N] [--if-present]\n"
"                                 [--if-pending] [--json] [--quiet]\n"
"                                 [--verify-first | --single-pass]\n"
"    nvemu [--device DEV] restore --abandon [--if-pending]\n"
"    nvemu [--device DEV] verify TARGET [--against-nvm] [--jobs N] [--json]\n"
"                                [--quiet]\n"
"    nvemu help [COMMAND]\n"
"\n"
"DESCRIPTION\n"
"    The nvemu= boot parameter sets DRAM ranges aside as emulated persistent\n"
"    memory (the NVM); /dev/nvemu0 shows them as one offset space.  The NVM\n"
"    survives a warm reset or a kernel crash, not a power-off.  nvemu save\n"
"    copies it to an image on a TARGET (an NVMe namespace or partition, or a\n"
"    regular file) at shutdown, and nvemu restore copies it back at boot.\n"
"\n"
"    An image holds every segment of the NVM (the kernel's\n"
"    NVEMU_IOC_GEOMETRY: all of it but nvemu's 16 MiB metadata area) with an\n"
"    XXH3 checksum per segment, in two slots per segment and two header copies,\n"
"    so that a power cut during a save leaves the previous image intact.  A\n"
"    save rewrites only the segments whose checksum changed.  Restore writes\n"
"    only segments that match their checksum: it checks all of them before\n"
"    it writes anything, or, while the kernel waits for a restore, checks\n"
"    each segment as it goes.  Several workers (--jobs) copy in parallel,\n"
"    each owning a fixed slice of every segment.\n"
"\n"
"    Run \"nvemu COMMAND --help\" for each command.  The image format is in\n"
"    Documentation/admin-guide/nvemu-save-restore.rst.\n"
"\n";

/* Stands for the list of commands in a page: their names and summaries. */
static const char commands[] = "COMMANDS\n";

static const char main_options[] =
"\n"
"OPTIONS\n"
"    -d, --device DEV\n"
"        The nvemu character device (default " NV_DEFAULT_DEVICE ").  DEV may also\n"
"        be a regular file, for tests and dry runs: it then stands for an NVM\n"
"        of one range, without metadata area, whose segments nvemu\n"
"        computes itself (64 MiB each); nothing is reported to a kernel.\n"
"    --segment-size SIZE\n"
"        For testing: the segment size when DEV is a regular file, a\n"
"        power of two from 4K (suffixes K, M, G, T).  Refused for a device,\n"
"        whose segment size is the kernel's (nvemu.segment_size).\n"
"    -h, --help\n"
"        Show this page and exit.\n"
"\n";

static const char main_tail[] =
"\n"
"EXAMPLES\n"
"    nvemu info --json\n"
"    nvemu save --to /dev/nvme0n1p3 --shutdown\n"
"    nvemu restore --from /dev/nvme0n1p3 --if-present --if-pending\n"
"    nvemu verify /dev/nvme0n1p3 --against-nvm\n"
"    nvemu --device nvm.img --segment-size 4M save --to image.bin --json\n"
"\n"
"SEE ALSO\n"
"    Documentation/admin-guide/nvemu-save-restore.rst,\n"
"    Documentation/admin-guide/nvemu.rst,\n"
"    Documentation/userspace-api/nvemu.rst, ndctl(1)\n";

static const char info_page[] =
"NAME\n"
"    nvemu info - describe the emulated NVM\n"
"\n"
"SYNOPSIS\n"
"    nvemu [--device DEV] info [--json]\n"
"\n"
"DESCRIPTION\n"
"    Prints the device's total size and alignment, whether the ranges form\n"
"    one NVDIMM region, the metadata area, every physical range (offset in\n"
"    the device, size, NUMA node; the physical address only for callers with\n"
"    CAP_SYS_ADMIN), the segments that save and restore copy\n"
"    (segment_size, nr_segments, data_size) and the save/restore state:\n"
"    clean_shutdown (the shutdown before this boot followed a save),\n"
"    restore_pending (nvemu.restore=wait and no restore reported yet),\n"
"    save_fail, restore_fail (the last save or restore failed), and the\n"
"    generations of the image last saved and last restored.  It only reads.\n"
"    When nvemu's metadata belongs to other ranges, the kernel keeps no\n"
"    state: it is shown as unknown (null in JSON).\n"
"\n"
"OPTIONS\n"
"    -j, --json\n"
"        Print one JSON object: device, regular_file, total_size, align,\n"
"        nr_ranges, merged, meta_offset, meta_size, ranges (index, offset,\n"
"        size, numa_node, phys_addr if known), geometry (segment_size,\n"
"        nr_segments, data_size) and state (clean_shutdown, restore_pending,\n"
"        save_fail, restore_fail, saved_generation, restored_generation).\n"
"    -h, --help\n"
"        Show this page and exit.\n"
"\n"
"EXIT STATUS\n"
"    0 on success, 1 on an error, 2 on bad usage.\n"
"\n"
"EXAMPLES\n"
"    nvemu info\n"
"    nvemu info --json | jq .state.restore_pending\n";

static const char save_head[] =
"NAME\n"
"    nvemu save - write the emulated NVM to an image on a TARGET\n"
"\n"
"SYNOPSIS\n"
"    nvemu [--device DEV] save --to TARGET [--jobs N] [--full] [--shutdown]\n"
"                              [--compare-all] [--force] [--json] [--quiet]\n"
"\n"
"DESCRIPTION\n"
"    Copies every segment of the NVM into the image on TARGET, a block\n"
"    device (opened exclusively) or a regular file.  A missing or empty file\n"
"    is created with the image's size and its space reserved; a block device\n"
"    or a non-empty file that is too small is refused before anything is\n"
"    written, with the size it needs.  Reading the NVM is allowed at any\n"
"    time, but nothing may write to it during the save (a segment that\n"
"    changes is detected and fails the save).\n"
"\n"
"    If TARGET holds an image of the same geometry, the save is incremental:\n"
"    it reads the segments that may have changed, and writes only those whose\n"
"    checksum differs from the image's.  Which may have changed, the kernel\n"
"    tells (NVEMU_IOC_CHANGED) when that image is the one last saved or\n"
"    restored since boot: it records every write to the NVM, and counts\n"
"    memory mapped for direct access (DAX, device-dax, mmap of the device)\n"
"    as changing while anything holds the NVM.  Otherwise every segment is\n"
"    read and compared.  Each changed segment is written into the slot that\n"
"    the current image does not use; then the data are synced, and a new\n"
"    header (generation + 1, same uuid) is written into the header copy that\n"
"    does not hold the current image, and synced.  Until that last write,\n"
"    the previous image stays current and restorable: a power cut at any\n"
"    moment loses only the new save.  A save onto a TARGET without an image\n"
"    writes every segment and starts a new image (new uuid).\n"
"\n"
"    The kernel is told the outcome (NVEMU_IOC_REPORT: SAVED with the\n"
"    generation, or SAVE_FAILED).  A save is refused while a restore is\n"
"    pending (nvemu.restore=wait), since the NVM does not hold its data yet,\n"
"    and after a failed restore (health: restore_fail) unless --force is\n"
"    given: the image would be replaced by whatever the NVM holds.\n"
"\n"
"OPTIONS\n"
"    -t, --to TARGET\n"
"        The block device or file to write the image to (required).\n"
"    -j, --jobs N\n"
"        Worker threads, 1 to 256.  Default: one per NUMA node holding\n"
"        ranges if there are several, else one per CPU, at most 4.  Worker j\n"
"        owns the same slice of every segment and pins itself to the CPUs of\n"
"        the segment's node.  The image does not depend on N.\n"
"    --full\n"
"        Write every segment, even those the image already has (still into\n"
"        the free slots: the previous image stays intact until the end).\n"
"        Also needed to replace an image of another geometry (then both\n"
"        old headers are cleared first, and a new uuid is used).\n"
"    --compare-all\n"
"        Read and compare every segment even if the kernel knows which may\n"
"        have changed (for memory written behind the kernel's back).\n"
"    --shutdown\n"
"        This is the save at shutdown: it is marked so in the image and in\n"
"        the report to the kernel (NVEMU_REPORT_F_SHUTDOWN), which sets the\n"
"        clean-shutdown flag for the next boot.\n"
"    --force\n"
"        Save even after a failed restore.\n"
"    --json\n"
"        On success, print one JSON object on standard output: command,\n"
"        target, device, generation, uuid, time_ns, bytes_total (data bytes\n"
"        of the NVM), bytes_read (from the NVM), bytes_written (segment data\n"
"        written to TARGET), segments, segments_written, segments_skipped,\n"
"        full, shutdown, changes_known (the kernel told which segments may\n"
"        have changed), segments_compared (read to find the changed ones),\n"
"        seconds, mb_per_s (bytes_written / seconds, in 10^6 bytes), jobs,\n"
"        direct_io.\n"
"    -q, --quiet\n"
"        No progress bar, no summary, no notices; errors still go to\n"
"        standard error.\n"
"    -h, --help\n"
"        Show this page and exit.\n"
"\n"
"    A progress bar (bytes, percent, MB/s, time left) is drawn on standard\n"
"    error when it is a terminal.\n"
"\n";

static const char save_tail[] =
"\n"
"EXAMPLES\n"
"    nvemu save --to /dev/nvme0n1p3 --shutdown --quiet\n"
"    nvemu save --to /var/lib/nvemu/image --jobs 4 --json\n";

static const char restore_head[] =
"NAME\n"
"    nvemu restore - write the image on a TARGET back into the emulated NVM\n"
"\n"
"SYNOPSIS\n"
"    nvemu [--device DEV] restore --from TARGET [--jobs N] [--if-present]\n"
"                                 [--if-pending] [--json] [--quiet]\n"
"                                 [--verify-first | --single-pass]\n"
"    nvemu [--device DEV] restore --abandon [--if-pending]\n"
"\n"
"DESCRIPTION\n"
"    Finds the current image on TARGET (the valid header copy with the\n"
"    highest generation; if the newer copy is damaged, the older one is used\n"
"    with a warning) and refuses it, with a message, exit status 3, 4 or 6\n"
"    and the NVM untouched, if there is none, if its geometry differs from\n"
"    the NVM's (other ranges or segments), or if TARGET is shorter than\n"
"    the image.  Then it restores in one of two modes, which both write\n"
"    only segment data that matches its checksum:\n"
"\n"
"    verify first\n"
"        Every segment is read from TARGET and checked before anything is\n"
"        written.  If any segment fails its checksum, the restore is refused\n"
"        (exit status 5) and the NVM is untouched.  Then every segment is\n"
"        read again, each 1 MiB chunk checked against the first reading,\n"
"        and written to the NVM.  The NVM is untouched unless every segment\n"
"        verified; the price is that the image is read twice.\n"
"\n"
"    single pass\n"
"        Each segment is read once into a staging buffer in DRAM, checked,\n"
"        and written to the NVM from there only if it matches its checksum.\n"
"        A segment that fails is not written: the NVM keeps what it held\n"
"        there, the other segments are restored, and the restore fails with\n"
"        exit status 5 and one line per such segment (its index, its NVM\n"
"        offsets, the TARGET offset of its slot).  Every segment of the NVM\n"
"        is then either the image's verified data or untouched, whatever\n"
"        the number of workers.  The image is read once.  It needs\n"
"        2 x segment_size bytes of DRAM (64 MiB segments: 128 MiB), two\n"
"        buffers, so that a segment is read while the previous one is\n"
"        written; if they cannot be allocated, the restore verifies first,\n"
"        with a note.\n"
"\n"
"    By default, the restore is single pass while the kernel's restore gate\n"
"    is closed (restore_pending in nvemu info): the NVM lost its content at\n"
"    power-off, so nothing in it is worth keeping.  Otherwise it verifies\n"
"    first: the NVM holds live data, and a partial restore would mix it with\n"
"    the image's.  A regular file as DEV has no gate: it verifies first.\n"
"\n"
"    An I/O error, a TARGET that ends early, or a chunk that reads\n"
"    differently the second time stops the restore at once, with the NVM\n"
"    partly restored (with verified data of the image only).  The NVM is\n"
"    synced at the end, also after a single pass with failed segments.\n"
"\n"
"    The NVM must be writable: no namespace enabled (ndctl disable-region\n"
"    all), or the kernel booted with nvemu.restore=wait.  The kernel is told\n"
"    the outcome (NVEMU_IOC_REPORT: RESTORED with the generation, or\n"
"    RESTORE_FAILED, also after a single pass with failed segments); either\n"
"    one lets it probe the namespaces.\n"
"\n"
"OPTIONS\n"
"    -f, --from TARGET\n"
"        The block device or file holding the image.\n"
"    -j, --jobs N\n"
"        Worker threads, as for save.\n"
"    --verify-first\n"
"        Check every segment before writing any: the NVM is untouched unless\n"
"        the whole image verified.  Reads the image twice.\n"
"    --single-pass\n"
"        Read the image once, write every segment that verified, leave the\n"
"        others untouched (exit status 5).  Needs 2 x segment_size bytes of\n"
"        DRAM.  Not with --verify-first.\n"
"    --if-present\n"
"        If TARGET does not exist or holds no image at all, report the\n"
"        restore abandoned and exit 0 (first boot).  A damaged or\n"
"        mismatched image is still an error.\n"
"    --if-pending\n"
"        Only if a restore is pending (the kernel's restore gate is closed).\n"
"        Otherwise print \"restore gate open (no restore pending): nothing to\n"
"        restore\" and exit 0, without reading TARGET or reporting anything.\n"
"        A regular file as DEV, and a device whose metadata belongs to\n"
"        other ranges, have no gate: never pending.  With --abandon:\n"
"        abandon only if pending.\n"
"    --abandon\n"
"        Restore nothing: report RESTORE_ABANDONED, so that the kernel uses\n"
"        the NVM as it is.  --from is not needed.\n"
"    --json\n"
"        On success, and after a single pass with failed segments, print one\n"
"        JSON object on standard output, with the fields of save's but full\n"
"        and shutdown, and mode (\"single-pass\" or \"verify-first\") and\n"
"        segments_failed (segments not written).  bytes_read counts every\n"
"        reading of TARGET (the data twice when verifying first, once in a\n"
"        single pass), bytes_written the bytes written to the NVM,\n"
"        segments_written the segments written, and mb_per_s is bytes_written\n"
"        / seconds.\n"
"    -q, --quiet\n"
"        No progress bar, no summary, no notices.\n"
"    -h, --help\n"
"        Show this page and exit.\n"
"\n";

static const char restore_tail[] =
"\n"
"EXAMPLES\n"
"    nvemu restore --from /dev/nvme0n1p3 --if-present --if-pending\n"
"    nvemu restore --from /dev/nvme0n1p3 --verify-first\n"
"    nvemu restore --abandon\n";

static const char verify_head[] =
"NAME\n"
"    nvemu verify - check an image without writing anything\n"
"\n"
"SYNOPSIS\n"
"    nvemu [--device DEV] verify TARGET [--against-nvm] [--jobs N] [--json]\n"
"                                [--quiet]\n"
"\n"
"DESCRIPTION\n"
"    Makes the checks of restore on the current image of TARGET: a valid\n"
"    header copy, TARGET long enough, every segment against its checksum.\n"
"    It needs no device unless --against-nvm is given, and prints the\n"
"    image's generation, uuid, time and geometry.\n"
"\n"
"OPTIONS\n"
"    --against-nvm\n"
"        Also check that the image fits the NVM (geometry) and compare every\n"
"        segment of the NVM with the image's checksum: exit status 7, with\n"
"        the segments listed, if the NVM changed since the image was saved.\n"
"    -j, --jobs N\n"
"        Worker threads (default: as for save with --against-nvm, else one\n"
"        per CPU, at most 4).\n"
"    --json\n"
"        Print one JSON object on standard output once every segment was\n"
"        checked, also when some failed: the fields of save's, with\n"
"        image_ok and, with --against-nvm, segments_differ; mb_per_s is\n"
"        bytes_read / seconds.\n"
"    -q, --quiet\n"
"        No progress bar, no summary.\n"
"    -h, --help\n"
"        Show this page and exit.\n"
"\n";

static const char verify_tail[] =
"\n"
"EXAMPLES\n"
"    nvemu verify /dev/nvme0n1p3\n"
"    nvemu verify /dev/nvme0n1p3 --against-nvm --json\n";

/* The pages, each in parts; help_show() puts them together. */
const char *const nv_page_main[] = {
	main_head, commands, main_options, exit_status, nv_test_help,
	main_tail, NULL
};

const char *const nv_page_info[] = { info_page, NULL };

const char *const nv_page_save[] = {
	save_head, exit_status, nv_test_help, save_tail, NULL
};

const char *const nv_page_restore[] = {
	restore_head, exit_status, restore_tail, NULL
};

const char *const nv_page_verify[] = {
	verify_head, exit_status, verify_tail, NULL
};

/* The manual page of cmd ("help": the main page) on f. */
void help_show(const struct nv_cmd *cmd, FILE *f)
{
	const char *const *part;
	unsigned int i;

	for (part = cmd->page; *part; part++) {
		if (*part != commands) {
			fputs(*part, f);
			continue;
		}
		fputs(commands, f);
		for (i = 0; i < nv_nr_commands; i++)
			fprintf(f, "    %-9s %s\n", nv_commands[i].name,
				nv_commands[i].summary);
	}
}
