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

# The guest side.  PHASE=init: create the file system; cut: check it, then
# run the workload until the power is cut; final: check it.
guest='
set -e
# file f.K holds the numbers K to last K (1 to 60 KiB)
last() { echo $(( $1 + ($1 % 13) * 800 + 200 )); }
if [ "$PHASE" = init ]; then
	ndctl create-namespace -f -e namespace0.0 -m fsdax > /tmp/ns
	grep -E "\"(mode|map|blockdev)\"" /tmp/ns | tr -d " ,"
	ps=$(sed -n "s/^KernelPageSize: *\([0-9]*\) kB$/\1/p" /proc/self/smaps | head -n 1)
	echo "block size: $((ps * 1024))"
	mkfs.ext4 -q -F -b $((ps * 1024)) /dev/pmem0
	mount -o dax /dev/pmem0 /mnt
	mkdir /mnt/d
	: > /mnt/log
else
	ndctl list -N | grep -E "\"(mode|blockdev)\"" | tr -d " ,"
	mount -o dax /dev/pmem0 /mnt		# replays the journal
	umount /mnt
	if e2fsck -fn /dev/pmem0 > /tmp/fsck 2>&1; then
		echo "fsck: clean"
	else
		echo "fsck: exit status $?"
		cat /tmp/fsck
		exit 1
	fi
	mount -o dax /dev/pmem0 /mnt
	n=0
	for f in /mnt/d/f.*; do
		[ -e "$f" ] || continue
		k=${f##*.}
		if ! seq $k $(last $k) | cmp -s - $f; then
			echo "bad file: $f"
			ls -l $f
			exit 1
		fi
		n=$((n + 1))
	done
	echo "files: $n ok"
	awk "!/^line [0-9]+\$/ { print \"bad log line \" NR \": \" \$0; bad = 1; exit 1 }
	     \$2 <= prev { print \"log line \" NR \" not increasing: \" \$0; bad = 1; exit 1 }
	     { prev = \$2 }
	     END { if (!bad) print \"log: \" NR \" lines ok\" }" /mnt/log
fi
grep " /mnt " /proc/mounts | grep -q dax=always
echo "mounted: dax"
i=$(ls /mnt/d | sed -n "s/^f\.//p" | sort -n | tail -n 1)
echo "last file: ${i:-0}"
if [ "$PHASE" = final ]; then
	umount /mnt
	e2fsck -fn /dev/pmem0 > /dev/null
	echo "final fsck: clean"
	exit 0
fi
rm -f /mnt/d/tmp.*
i=${i:-0}
cnt=0
while :; do
	i=$((i + 1))
	seq $i $(last $i) > /tmp/src
	dd if=/tmp/src of=/mnt/d/tmp.$i bs=16k conv=fsync status=none
	mv /mnt/d/tmp.$i /mnt/d/f.$i
	echo "line $i" >> /mnt/log
	if [ $((i % 8)) = 0 ]; then
		sync /mnt/log
	fi
	rm -f /mnt/d/f.$((i - 20))
	cnt=$((cnt + 1))
	if [ $cnt = 5 ]; then
		echo "fsdax: writing"
	fi
done
'

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
	powercut_cut "$2" 'fsdax: writing' --env PHASE="$1" -- "$guest"
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
powercut_vm final --env PHASE=final -- "$guest" || { cat "$work/final.out" "$work/final.err"; fail "final boot: guest command failed"; }
after_cut "$cuts" final
expect_line "$work/final.out" "final fsck: clean"
ok "$cuts power cuts, fsck clean after each, files kept per cut $min_w/$((lastf / cuts))/$max_w (min/avg/max), $files, $log"
