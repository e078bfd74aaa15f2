#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# Four ranges with System RAM between the first three (the last two are
# contiguous) form ONE region (nvemu.merge=1, the default) and one
# namespace, which works in every personality across the gaps and comes
# back after each warm reset:
#   boot 0: one region of the sum less 16 MiB; raw writes refused (EBUSY)
#           while the namespace is enabled, allowed once the region is
#           disabled, and enabling fails while the device is open for
#           writing; sector mode with 4 KiB sectors: mkfs.ext4 + fsck, a
#           fio verify job over the whole device
#   boot 1: the BTT and its file system are back; fsdax mode: ext4 -o dax,
#           statx says DAX, MAP_SYNC works, a file larger than any range
#   boot 2: the file is back; devdax mode: the whole device mapped, filled
#           and read back, one daxctl mapping per range
#   boot 3: the devdax content is back; kmem onlines it as System RAM,
#           and offlines it back to a device-dax instance
. "$(dirname "$0")/lib.sh"

out=$WORK/out
mib() { echo "${1%M@*}"; }
total=$(( $(mib "$R_A") + $(mib "$R_B") + $(mib "$R_C") + $(mib "$R_D") ))
region=$(( (total - 16) << 20 ))

vm --reboots 3 --append "nvemu=$R_A,$R_B,$R_C,$R_D" -- '
set -e
big=$(( ('"$(mib "$R_A")"' + 64) << 20 ))	# larger than any range
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
' > "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"

expect_line "$out" "regions 1"
expect_line "$out" "region size $region"
expect_line "$out" "namespace size $region"
expect_line "$out" "raw write: Device or resource busy"
expect_line "$out" "raw read: 4096"
expect_line "$out" "raw write disabled: ok"
expect_line "$out" "enable while open: unbound"
grep -q '"merged":true,"meta_offset":'$region',"meta_size":16777216,' "$out" ||
	fail "nvemu info: not merged, or wrong metadata area"
ok "nvemu info: merged, metadata at $region"
for want in '"mode":"sector"' '"sector_size":4096' '"blockdev":"pmem0s"' \
	    "sector fsck: clean" "sector fio verify: ok" \
	    "sector after reset: clean" "sector file: same" \
	    '"mode":"fsdax"' '"map":"mem"' '"blockdev":"pmem0"' \
	    "fsdax: mounted with dax" "verify: $(( ($(mib "$R_A") + 64) << 20 )) bytes ok" \
	    "dax: yes" "map_sync: ok" "fsdax fsck: clean" \
	    "after reset: verify: $(( ($(mib "$R_A") + 64) << 20 )) bytes ok" \
	    '"mode":"devdax"' '"chardev":"dax0.0"' "devdax mappings 4"; do
	expect_line "$out" "$want"
done
# devdax: the region less the info block and memmap reservation (one
# alignment unit) at the start
size=$(sed -n 's/^devdax size //p' "$out")
[ -n "$size" ] && [ "$size" -lt "$region" ] && [ "$size" -ge $((region - (4 << 20))) ] ||
	fail "devdax size $size for a region of $region"
expect_line "$out" "verify: $size bytes ok"
expect_line "$out" "after reset: verify: $size bytes ok"
read -r blocks nr mib < <(sed -n 's/^kmem expect \([0-9]*\) blocks in \([0-9]*\) ranges, \([0-9]*\) MiB$/\1 \2 \3/p' "$out")
[ "${nr:-0}" -ge 3 ] || fail "kmem: expected whole memory blocks in >= 3 ranges, got '${nr:-}'"
expect_line "$out" "kmem blocks onlined $blocks"
expect_line "$out" "kmem MemTotal grew by $mib MiB"
expect_line "$out" "kmem ranges $nr"
expect_line "$out" "kmem back: MemTotal 0 MiB above before"
expect_line "$out" "kmem ranges after 0"
expect_line "$out" "devdax again: verify: $size bytes ok"
