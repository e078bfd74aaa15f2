#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# With nvemu.merge=0, ndctl sees the nvemu bus and one region per range
# (the last one 16 MiB short: nvemu's metadata); namespaces go into
# fsdax (ext4 mounted with -o dax), sector (BTT) and devdax mode; the raw
# device keeps the fourth range.  After `reboot -f` every personality comes
# back by itself and every byte written before the reset reads back.
. "$(dirname "$0")/lib.sh"

out=$WORK/out

# The regions are numbered in probe order, which is ascending address:
# region0 = R_A, region1 = R_B, region2 = R_C, region3 = R_D.
vm --reboots 1 --append "nvemu.merge=0 nvemu=$R_A,$R_B,$R_C,$R_D" -- '
set -e
pattern() { seq 1 200000; }			# 1288895 bytes, deterministic
raw_off=$(( ('"${R_A%M@*} + ${R_B%M@*} + ${R_C%M@*}"') << 20 ))
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
' > "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"

expect_eq "regions" "regions: 4" "$(grep '^regions:' "$out")"
expect_eq "last region" "region3 size: $(( (128 - 16) << 20 ))" \
	"$(grep '^region3 size:' "$out")"
b1=$(sed -n '/^== boot 1/,$p' "$out")
for want in '"dev":"namespace0.0"' '"mode":"fsdax"' '"blockdev":"pmem0"' \
	    '"dev":"namespace1.0"' '"mode":"sector"' '"blockdev":"pmem1s"' \
	    '"dev":"namespace2.0"' '"mode":"devdax"' '"chardev":"dax2.0"' \
	    'fsdax: same' 'sector: same' 'raw: same' 'devdax: /dev/dax2.0' \
	    'daxctl: dax2.0'; do
	grep -qxF -- "$want" <<< "$b1" || fail "after the reset: missing $want"
	ok "after reset: $want"
done
