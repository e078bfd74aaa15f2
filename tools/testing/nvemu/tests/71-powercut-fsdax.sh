#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: arm64 x86_64
#
# An ext4 file system mounted with -o dax on the fsdax personality of the
# merged namespace of two ranges with System RAM between them, across
# power cuts: guest RAM is a shared file (run-vm --ram-file), and the power
# is cut by SIGKILL of QEMU (run-vm --qemu-pidfile) while a shell loop
# writes files with fsync, renames them to their final names, appends to a
# log and removes old files.
#   boot 0:   fsdax namespace, mkfs.ext4, mount -o dax, start the workload
#             and cut the power at a random time (0.2-3.0 s) after
#             "fsdax: writing"
#   cut 1..N: mount (journal replay), umount, e2fsck -fn must be clean;
#             every file with a final name holds exactly what was written
#             to it, the log only whole lines in order; then the workload
#             again until the next cut
#   final:    the same checks, no workload, normal power-off
# N is POWERCUT_FSDAX_CUTS (default 8 on arm64, 3 on x86_64).
. "$(dirname "$0")/lib.sh"

case $ARCH in
x86_64)	ranges=128M@0x40000000,128M@0x50000000; cuts=${POWERCUT_FSDAX_CUTS:-3} ;;
arm64)	ranges=128M@0x80000000,128M@0x90000000; cuts=${POWERCUT_FSDAX_CUTS:-8} ;;
esac
[[ $cuts =~ ^[1-9][0-9]*$ ]] || fail "POWERCUT_FSDAX_CUTS=$cuts: need a number > 0"
# with --ram-file the RAM size must be the same on every boot
mem=2G

powercut_setup powercut-fsdax

# The guest side: guest/71-powercut-fsdax.sh, PHASE=init: create the file
# system; cut: check it, then run the workload until the power is cut;
# final: check it.
guest=$GUEST/71-powercut-fsdax.sh

# checks NAME: the checks of a cut or final boot; sets $files, $log, $lastf
checks()
{
	local out=$work/$1.out
	expect_line "$out" '"mode":"fsdax"'
	expect_line "$out" '"blockdev":"pmem0"'
	expect_line "$out" "fsck: clean"
	expect_line "$out" "mounted: dax"
	files=$(grep -x 'files: [0-9]* ok' "$out") || fail "$1: no files line"
	log=$(grep -x 'log: [0-9]* lines ok' "$out") || fail "$1: no log line"
	lastf=$(sed -n 's/^last file: \([0-9]*\)$/\1/p' "$out")
	[ -n "$lastf" ] || fail "$1: no 'last file' line"
	# before "fsdax: writing" 5 files had been written and renamed: the
	# first 4 renames were committed by the fsync of the next file
	[ "$lastf" -ge $((prev_lastf + 4)) ] ||
		fail "$1: last file $lastf, it was $prev_lastf before the cut"
	[ "$files" != "files: 0 ok" ] || fail "$1: no file survived"
}

# powercut PHASE NAME: run a boot until "fsdax: writing", then cut its power
powercut()
{
	powercut_cut "$2" 'fsdax: writing' --env PHASE="$1" --script "$guest"
	expect_line "$work/$2.out" "mounted: dax"
}

# after_cut K NAME: report cut K from the checks of the boot NAME after it
min_w=
max_w=0
prev_lastf=0
after_cut()
{
	local w
	checks "$2"
	w=$((lastf - prev_lastf))	# files renamed and kept by cut K
	[ -z "$min_w" ] || [ "$w" -lt "$min_w" ] && min_w=$w
	[ "$w" -gt "$max_w" ] && max_w=$w
	echo "cut $1/$cuts: killed after $prev_delay s, $w files kept; then: fsck: clean, $files, $log"
	prev_lastf=$lastf
}

# ---- boot 0: create the file system, start the workload, first cut
powercut init boot0
out=$work/boot0.out
cat "$out"
expect_line "$out" '"mode":"fsdax"'
expect_line "$out" '"blockdev":"pmem0"'
expect_line "$out" "mounted: dax"
expect_line "$out" "last file: 0"
prev_delay=$delay

# ---- the other power cuts, each after checking the previous one
for i in $(seq 2 "$cuts"); do
	powercut cut "cut$i"
	after_cut $((i - 1)) "cut$i"
	prev_delay=$delay
done

# ---- final boot: check only, normal power-off
powercut_vm final --env PHASE=final --script "$guest" || { cat "$work/final.out" "$work/final.err"; fail "final boot: guest command failed"; }
after_cut "$cuts" final
expect_line "$work/final.out" "final fsck: clean"
ok "$cuts power cuts, fsck clean after each, files kept per cut $min_w/$((lastf / cuts))/$max_w (min/avg/max), $files, $log"
