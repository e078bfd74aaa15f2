#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/80-save-restore.sh (run-vm --script: busybox sh in the guest).
# STEP: the boot of the test, A to F (see there).  UNIT_START, UNIT_STOP:
# the ExecStart= and ExecStop= command lines of nvemu.service.

# The deployment's own commands, with its /etc/default/nvemu settings.
NVEMU_TARGET=/dev/nvme0n1
NVEMU_OPTS=--json
unit_start() { eval "$UNIT_START"; }
unit_stop() { eval "$UNIT_STOP"; }

# shared guest shell functions
set -e
data_size() { nvemu info --json | sed "s/.*\"data_size\":\([0-9]*\).*/\1/"; }
nvm_hash() { head -c $(data_size) /dev/nvemu0 | sha256sum | cut -d" " -f1; }
files() { (cd /mnt && find . -type f | sort | xargs sha256sum) | sha256sum | cut -d" " -f1; }
# the NVMe disk that run-vm gave serial $1 (nvemu0, nvemu1, ...): probe
# order, hence the names, may vary
disk() { for d in /sys/block/nvme*n1; do
	[ "$(tr -d " " < $d/device/serial)" != "$1" ] || echo /dev/${d##*/}; done; }
wait_for() { i=0; while [ ! -e "$1" ]; do [ $i -lt 100 ] || return 1; sleep 0.1; i=$((i + 1)); done; }
# run a command, print its exit status and the first line of its stderr
st() { set +e; "$@" > /tmp/out 2> /tmp/err; echo "$? $(head -n 1 /tmp/err)"; set -e; }

# boot A: the first boot of a deployment, a shutdown save, and a warm reset
step_A()
{
	sysfs=/sys/bus/platform/devices/nvemu
	if [ "$NVEMU_BOOT" = 0 ]; then
		echo "first pending $(cat $sysfs/restore_pending)"
		unit_start
		echo "first pending after start $(cat $sysfs/restore_pending)"
		wait_for /sys/bus/nd/devices/region0
		ndctl disable-region all > /dev/null
		head -c $(data_size) /dev/urandom > /dev/nvemu0
		ndctl enable-region all > /dev/null
		ndctl create-namespace -f -e namespace0.0 -m fsdax > /dev/null
		mkfs.ext4 -q -F -b 4096 /dev/pmem0
		mount -o dax /dev/pmem0 /mnt
		head -c 30000000 /dev/urandom > /mnt/big
		seq 1 100000 > /mnt/small
		mkdir /mnt/d && echo hello > /mnt/d/f
		echo "files $(files)"
		umount /mnt
		echo "hash $(nvm_hash)"
		unit_stop
		echo "saved_generation $(cat $sysfs/saved_generation)"
		sync
		reboot -f
	fi
	# the warm reset: the metadata survived, so the gate is open and the
	# unit restores nothing (the NVM is newer than any image)
	echo "warm pending $(cat $sysfs/restore_pending)"
	echo "warm hash $(nvm_hash)"
	unit_start
	echo "warm hash after start $(nvm_hash)"
	echo "warm restored_generation $(cat $sysfs/restored_generation)"
}

# boot B: restore into a new machine, behind the gate
step_B()
{
	echo "pending $(cat /sys/bus/platform/devices/nvemu/restore_pending)"
	echo "regions before $(ls /sys/bus/nd/devices | grep -c region || true)"
	# the gate does not open while the device is open for writing
	exec 3<> /dev/nvemu0
	if nvemu restore --abandon 2> /dev/null; then echo "abandon while open: done"
	else echo "abandon while open: refused"; fi
	exec 3>&-
	echo "still pending $(cat /sys/bus/platform/devices/nvemu/restore_pending)"
	unit_start
	echo "pending $(cat /sys/bus/platform/devices/nvemu/restore_pending)"
	wait_for /dev/pmem0
	echo "hash $(nvm_hash)"
	ndctl list -N | grep -E "\"(mode|blockdev)\"" | tr -d " ,"
	mount -o dax /dev/pmem0 /mnt
	echo "files $(files)"
	umount /mnt
	for f in clean_shutdown restored_generation health; do
		echo "$f $(cat /sys/bus/platform/devices/nvemu/$f)"
	done
}

# boot C: a save cut in its middle (the host cuts the power after "saving")
step_C()
{
	nvemu restore --from /dev/nvme0n1 --quiet
	wait_for /dev/pmem0
	mount -o dax /dev/pmem0 /mnt
	echo changed > /mnt/d/f
	umount /mnt
	echo "hash2 $(nvm_hash)"
	echo saving
	nvemu save --to /dev/nvme0n1 --full --json
	echo "save finished"
}

# boot D: the previous image, intact; then incremental saves
step_D()
{
	nvemu verify /dev/nvme0n1 --json --quiet
	nvemu restore --from /dev/nvme0n1 --json --quiet
	wait_for /dev/pmem0
	echo "hash $(nvm_hash)"
	# an incremental save after 1% of the segments (at least one)
	# changed through /dev/nvemu0 reads and writes those segments only: the
	# restore made its image the kernel's reference
	ndctl disable-region all > /dev/null
	nr=$(nvemu info --json | sed "s/.*\"nr_segments\":\([0-9]*\).*/\1/")
	rs=$(nvemu info --json | sed "s/.*\"segment_size\":\([0-9]*\).*/\1/")
	n=$(( (nr + 99) / 100 ))
	for r in $(seq 0 $((n - 1))); do
		head -c 4096 /dev/urandom | dd of=/dev/nvemu0 bs=4096 \
			seek=$(( r * 3 % nr * rs / 4096 )) conv=notrunc 2> /dev/null
	done
	echo "changed $n of $nr"
	nvemu save --to /dev/nvme0n1 --json --quiet
	# fsdax: files written through DAX and ext4 metadata through block I/O
	ndctl enable-region all > /dev/null
	wait_for /dev/pmem0
	mount -o dax /dev/pmem0 /mnt
	head -c 5000000 /dev/urandom > /mnt/new
	echo more >> /mnt/d/f
	umount /mnt
	echo "fsdax $(nvemu save --to /dev/nvme0n1 --json --quiet)"
	echo "fsdax against nvm: $(st nvemu verify /dev/nvme0n1 --against-nvm --quiet)"
	# device-dax: the info block through ->rw_bytes, data through a mapping
	ndctl create-namespace -f -e namespace0.0 -m devdax > /dev/null
	wait_for /dev/dax0.0
	daxcheck fill /dev/dax0.0 7 --size 4194304
	echo "devdax $(nvemu save --to /dev/nvme0n1 --json --quiet)"
	echo "devdax against nvm: $(st nvemu verify /dev/nvme0n1 --against-nvm --quiet)"
	# nothing holds the NVM any more: the next save takes the mapped segments
	# one last time, the one after has nothing to compare
	ndctl disable-region all > /dev/null
	nvemu save --to /dev/nvme0n1 --json --quiet > /dev/null
	echo "idle $(nvemu save --to /dev/nvme0n1 --json --quiet)"
	echo "idle against nvm: $(st nvemu verify /dev/nvme0n1 --against-nvm --quiet)"
	# --jobs 1, 2 and 4 write the same image (time and uuid pinned), one at a
	# time into a file in tmpfs
	export NVEMU_TEST_TIME=1700000000000000000
	export NVEMU_TEST_UUID=00112233445566778899aabbccddeeff
	for j in 1 2 4; do
		nvemu-test save --to /tmp/img --full --jobs $j --quiet
		echo "jobs $j image $(sha256sum < /tmp/img | cut -d" " -f1)"
		rm /tmp/img
	done
}

# boot E: another geometry (segment size) is refused, NVM unchanged
step_E()
{
	ndctl disable-region all > /dev/null
	before=$(nvm_hash)
	echo "geometry: $(st nvemu restore --from /dev/nvme0n1 --quiet)"
	echo "unchanged $([ "$(nvm_hash)" = "$before" ] && echo yes || echo no)"
}

# boot F: bad images and targets are refused, NVM unchanged
step_F()
{
	ndctl disable-region all > /dev/null
	big=$(disk nvemu0) small=$(disk nvemu1)
	echo "disks $big $small"
	before=$(nvm_hash)
	echo "small target: $(st nvemu save --to $small --quiet)"
	# the first 60 MiB of the image: headers and tables, not all data
	dd if=$big of=$small bs=1M count=60 2> /dev/null
	echo "truncated: $(st nvemu restore --from $small --quiet)"
	# one byte of segment 1 in both its slots, whichever is current: slot 0
	# at 4 MiB + 64 MiB, slot 1 at 4 MiB + (4 + 1) x 64 MiB (4 segments; see
	# the layout in Documentation/admin-guide/nvemu-save-restore.rst)
	flip() { dd if=$big of=/tmp/byte.$1 bs=1 skip=$1 count=1 2> /dev/null
		printf "\125" | cmp -s - /tmp/byte.$1 && v="\252" || v="\125"
		printf "$v" | dd of=$big bs=1 seek=$1 conv=notrunc 2> /dev/null; }
	unflip() { dd if=/tmp/byte.$1 of=$big bs=1 seek=$1 conv=notrunc 2> /dev/null; }
	off0=$((4194304 + 67108864 + 12345))
	off1=$((4194304 + 5 * 67108864 + 12345))
	flip $off0
	flip $off1
	echo "checksum: $(st nvemu restore --from $big --quiet)"
	echo "unchanged $([ "$(nvm_hash)" = "$before" ] && echo yes || echo no)"
	# the same image in a single pass: segment 1 is not written, the others are
	r1() { dd if=/dev/nvemu0 bs=1M skip=64 count=64 2> /dev/null | sha256sum | cut -d" " -f1; }
	r1before=$(r1)
	echo "single: $(st nvemu restore --from $big --single-pass --quiet)"
	grep -q "segment 1[^0-9]" /tmp/err && echo "single names segment 1"
	echo "single segment 1 untouched $([ "$(r1)" = "$r1before" ] && echo yes || echo no)"
	unflip $off0
	unflip $off1
	nvemu verify $big --quiet && echo "repaired image: ok"
	echo "differs: $(st nvemu verify $big --against-nvm --quiet)"
	grep "^ *segment " /tmp/err | sed "s/^ */differing /"
	# both header copies damaged
	before=$(nvm_hash)
	printf "\377" | dd of=$big bs=1 seek=100 conv=notrunc 2> /dev/null
	printf "\377" | dd of=$big bs=1 seek=$((1048576 + 100)) conv=notrunc 2> /dev/null
	echo "no image: $(st nvemu restore --from $big --quiet)"
	echo "unchanged again $([ "$(nvm_hash)" = "$before" ] && echo yes || echo no)"
}

case $STEP in
[A-F]) "step_$STEP" ;;
*) echo "unknown STEP '$STEP'" >&2; exit 2 ;;
esac
