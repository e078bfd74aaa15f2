#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/40-namespaces.sh (run-vm --script: busybox sh in the guest).
# RAW_OFF: the offset in /dev/nvemu0 of the fourth range, the raw one.
set -e
pattern() { seq 1 200000; }			# 1288895 bytes, deterministic
raw_off=$RAW_OFF
if [ "$NVEMU_BOOT" = 0 ]; then
	echo "== boot 0"
	ndctl list -B | grep -q "\"provider\":\"nvemu\""
	echo "regions: $(ndctl list -R | grep -c "\"dev\":\"region")"
	echo "region3 size: $(cat /sys/bus/nd/devices/region3/size)"
	# raw writes need every namespace disabled (EBUSY otherwise)
	ndctl disable-region all > /dev/null
	pattern | dd of=/dev/nvemu0 bs=4096 seek=$((raw_off / 4096)) conv=notrunc 2>/dev/null
	ndctl enable-region all > /dev/null
	ndctl create-namespace -f -e namespace0.0 -m fsdax > /dev/null
	ndctl create-namespace -f -e namespace1.0 -m sector > /dev/null
	ndctl create-namespace -f -e namespace2.0 -m devdax > /dev/null
	ndctl list -N | grep -E "\"(dev|mode|blockdev|chardev)\"" | tr -d " ,"
	mkfs.ext4 -q -F -b 4096 /dev/pmem0
	mkdir -p /mnt/a /mnt/b
	mount -o dax /dev/pmem0 /mnt/a
	grep " /mnt/a " /proc/mounts | grep -q dax
	pattern > /mnt/a/file
	mkfs.ext4 -q -F -b 4096 /dev/pmem1s
	mount /dev/pmem1s /mnt/b
	pattern > /mnt/b/file
	umount /mnt/a /mnt/b
	sync
	reboot -f
fi
echo "== boot 1"
ndctl list -N | grep -E "\"(dev|mode|blockdev|chardev)\"" | tr -d " ,"
e2fsck -fn /dev/pmem0 > /dev/null
e2fsck -fn /dev/pmem1s > /dev/null
mkdir -p /mnt/a /mnt/b
mount -o dax /dev/pmem0 /mnt/a
mount /dev/pmem1s /mnt/b
echo "fsdax: $(pattern | cmp - /mnt/a/file && echo same)"
echo "sector: $(pattern | cmp - /mnt/b/file && echo same)"
len=$(pattern | wc -c)
dd if=/dev/nvemu0 bs=4096 skip=$((raw_off / 4096)) count=$((len / 4096 + 1)) 2>/dev/null | head -c $len > /tmp/raw
echo "raw: $(pattern | cmp - /tmp/raw && echo same)"
test -c /dev/dax2.0 && echo "devdax: /dev/dax2.0"
daxctl list | grep -q "\"chardev\":\"dax2.0\"" && echo "daxctl: dax2.0"
