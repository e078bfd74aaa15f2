#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/71-powercut-fsdax.sh (run-vm --script: busybox sh in the guest).
# PHASE=init: create the file system; cut: check it, then run the workload
# until the power is cut; final: check it.
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
