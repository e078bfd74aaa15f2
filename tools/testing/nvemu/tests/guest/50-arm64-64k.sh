#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/50-arm64-64k.sh (run-vm --script: busybox sh in the guest).
# SELFTEST: the guest command that runs every kselftest program
# (tests/lib.sh), a shell command line: run with eval.
set -e
echo pmd_size $(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size)
dmesg | grep 'nvemu'
ndctl disable-region all > /dev/null
eval "$SELFTEST" > /tmp/st.log 2>&1 || { cat /tmp/st.log; exit 1; }
tail -n 2 /tmp/st.log
ndctl enable-region all > /dev/null
ndctl create-namespace -f -e namespace0.0 -m fsdax -a 64K > /dev/null
mkfs.ext4 -q -F -b 65536 /dev/pmem0
mkdir -p /mnt
mount -o dax /dev/pmem0 /mnt
grep ' /mnt ' /proc/mounts | grep -q dax && echo 'mounted with dax'
seq 1 100000 > /mnt/f && seq 1 100000 | cmp - /mnt/f && echo 'file ok'
umount /mnt
