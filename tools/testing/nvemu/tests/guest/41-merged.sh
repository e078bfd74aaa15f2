#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/41-merged.sh (run-vm --script: busybox sh in the guest).
# One boot per personality (NVEMU_BOOT 0-3).  BIG: the size of the fsdax
# file, larger than any range.
set -e
big=$BIG
case $NVEMU_BOOT in
0)
	echo "regions $(ls -d /sys/bus/nd/devices/region* | wc -l)"
	echo "region size $(cat /sys/bus/nd/devices/region0/size)"
	echo "namespace size $(cat /sys/bus/nd/devices/namespace0.0/size)"
	nvemu info --json
	if (echo x > /dev/nvemu0) 2> /tmp/err; then echo "raw write: allowed"
	else echo "raw write: $(sed "s/.*: //" /tmp/err)"; fi
	dd if=/dev/nvemu0 bs=4096 count=1 2>/dev/null | wc -c | sed "s/^/raw read: /"
	ndctl disable-region region0 > /dev/null
	echo x | dd of=/dev/nvemu0 bs=2 count=1 2>/dev/null && echo "raw write disabled: ok"
	exec 3<> /dev/nvemu0
	if ndctl enable-region region0 > /dev/null 2>&1 &&
	   [ -e /sys/bus/nd/devices/namespace0.0/driver ]; then
		echo "enable while open: bound"
	else
		echo "enable while open: unbound"
	fi
	exec 3>&-
	ndctl disable-region region0 > /dev/null
	ndctl enable-region region0 > /dev/null
	ndctl create-namespace -f -e namespace0.0 -m sector -l 4096 > /dev/null
	ndctl list -N | grep -E "\"(mode|sector_size|blockdev)\"" | tr -d " ,"
	mkfs.ext4 -q -F /dev/pmem0s
	e2fsck -fn /dev/pmem0s > /dev/null && echo "sector fsck: clean"
	fio --name=v --filename=/dev/pmem0s --rw=randwrite --bs=4k --direct=1 \
		--size=100% --verify=crc32c --verify_fatal=1 --do_verify=1 \
		--randrepeat=1 --output=/tmp/fio.log > /dev/null &&
		echo "sector fio verify: ok" || cat /tmp/fio.log
	# what the reset must keep: a file system again
	mkfs.ext4 -q -F /dev/pmem0s
	mount /dev/pmem0s /mnt
	seq 1 300000 > /mnt/f
	umount /mnt
	;;
1)
	ndctl list -N | grep -E "\"(mode|blockdev)\"" | tr -d " ,"
	e2fsck -fn /dev/pmem0s > /dev/null && echo "sector after reset: clean"
	mount /dev/pmem0s /mnt
	seq 1 300000 | cmp - /mnt/f && echo "sector file: same"
	umount /mnt
	ndctl create-namespace -f -e namespace0.0 -m fsdax > /dev/null
	ndctl list -N | grep -E "\"(mode|map|blockdev)\"" | tr -d " ,"
	mkfs.ext4 -q -F -b 4096 /dev/pmem0
	mount -o dax /dev/pmem0 /mnt
	grep " /mnt " /proc/mounts | grep -q dax=always && echo "fsdax: mounted with dax"
	daxcheck fill /mnt/big 42 --size $big
	daxcheck verify /mnt/big 42
	daxcheck statx /mnt/big
	daxcheck mapsync /mnt/big
	umount /mnt
	e2fsck -fn /dev/pmem0 > /dev/null && echo "fsdax fsck: clean"
	;;
2)
	ndctl list -N | grep -E "\"(mode|blockdev)\"" | tr -d " ,"
	mount -o dax /dev/pmem0 /mnt
	daxcheck verify /mnt/big 42 | sed "s/^/after reset: /"
	umount /mnt
	ndctl create-namespace -f -e namespace0.0 -m devdax > /dev/null
	echo "devdax mappings $(daxctl list -M -d dax0.0 | grep -c "\"start\"")"
	echo "devdax size $(cat /sys/bus/dax/devices/dax0.0/size)"
	daxcheck fill /dev/dax0.0 7
	daxcheck verify /dev/dax0.0 7
	;;
3)
	ndctl list -N | grep -E "\"(mode|chardev)\"" | tr -d " ,"
	daxcheck verify /dev/dax0.0 7 | sed "s/^/after reset: /"
	# kmem adds what each range holds of whole memory blocks
	bs=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	want=0 nr=0
	for m in /sys/bus/dax/devices/dax0.0/mapping*; do
		s=$(( ($(cat $m/start) + bs - 1) / bs ))
		e=$(( ($(cat $m/end) + 1) / bs ))
		[ $e -gt $s ] && want=$((want + e - s)) nr=$((nr + 1))
	done
	echo "kmem expect $want blocks in $nr ranges, $(( want * bs >> 20 )) MiB"
	# kmem: what daxctl reconfigure-device --mode=system-ram does, by
	# hand (see Documentation/admin-guide/nvemu.rst for why)
	before=$(grep MemTotal /proc/meminfo | tr -s " " | cut -d" " -f2)
	echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind
	echo dax0.0 > /sys/bus/dax/drivers/kmem/new_id
	n=0 blocks=
	for b in /sys/devices/system/memory/memory*; do
		if [ "$(cat $b/state)" = offline ]; then
			echo online_movable > $b/state; n=$((n + 1))
			blocks="$blocks $b"
		fi
	done
	after=$(grep MemTotal /proc/meminfo | tr -s " " | cut -d" " -f2)
	echo "kmem blocks onlined $n"
	echo "kmem MemTotal grew by $(( (after - before) >> 10 )) MiB"
	grep -c "System RAM (kmem)" /proc/iomem | sed "s/^/kmem ranges /"
	# and back: offline the blocks, give the device back to device_dax
	for b in $blocks; do echo offline > $b/state; done
	echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
	echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind
	back=$(grep MemTotal /proc/meminfo | tr -s " " | cut -d" " -f2)
	echo "kmem back: MemTotal $(( (back - before) >> 10 )) MiB above before"
	grep -c "System RAM (kmem)" /proc/iomem | sed "s/^/kmem ranges after /" || true
	daxcheck fill /dev/dax0.0 9 > /dev/null
	daxcheck verify /dev/dax0.0 9 | sed "s/^/devdax again: /"
	;;
esac
[ "$NVEMU_BOOT" = 3 ] || { sync; reboot -f; }
