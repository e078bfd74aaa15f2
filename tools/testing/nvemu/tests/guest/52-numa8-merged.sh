#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/52-numa8-merged.sh (run-vm --script: busybox sh in the guest).
# ALIGN: the fsdax alignment option of ndctl (or none), BS: the ext4 block
# size, FILE_SIZE: the size of the file spread over the nodes.
set -e
echo "nodes $(ls -d /sys/devices/system/node/node* | wc -l)"
echo "regions $(ls -d /sys/bus/nd/devices/region* | wc -l)"
echo "region size $(cat /sys/bus/nd/devices/region0/size)"
nvemu info --json | grep -o "\"numa_node\":[0-9-]*" | cut -d: -f2 | tr "\n" " " |
	sed "s/^/range nodes /; s/ $//"; echo
ndctl create-namespace -f -e namespace0.0 -m sector -l 4096 > /dev/null
blkstamp init /dev/pmem0s
blkstamp check /dev/pmem0s
ndctl create-namespace -f -e namespace0.0 -m fsdax $ALIGN > /dev/null
mkfs.ext4 -q -F -b $BS /dev/pmem0
mount -o dax /dev/pmem0 /mnt
daxcheck fill /mnt/f 5 --size $FILE_SIZE
daxcheck verify /mnt/f 5
daxcheck statx /mnt/f
umount /mnt
