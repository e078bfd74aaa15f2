#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# Four ranges with System RAM between the first three (the last two are
# contiguous) form ONE region (nvemu.merge=1, the default) and one
# namespace, which works in every personality across the gaps and comes
# back after each warm reset:
#   boot 0: one region of the sum less 48 MiB of process area
#           (nvemu.proc_size: the default, a quarter, would leave the
#           third range no whole memory block for kmem) and 16 MiB of
#           metadata; raw writes refused (EBUSY)
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
proc=48
meta=$(( (total - 16) << 20 ))
region=$(( (total - 16 - proc) << 20 ))

big=$(( ($(mib "$R_A") + 64) << 20 ))	# larger than any range
vm --reboots 3 --append "nvemu.proc_size=${proc}M nvemu=$R_A,$R_B,$R_C,$R_D" --env BIG=$big \
	--script "$GUEST/41-merged.sh" > "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"

expect_line "$out" "regions 1"
expect_line "$out" "region size $region"
expect_line "$out" "namespace size $region"
expect_line "$out" "raw write: Device or resource busy"
expect_line "$out" "raw read: 4096"
expect_line "$out" "raw write disabled: ok"
expect_line "$out" "enable while open: unbound"
grep -q '"merged":true,"meta_offset":'$meta',"meta_size":16777216,' "$out" ||
	fail "nvemu info: not merged, or wrong metadata area"
ok "nvemu info: merged, metadata at $meta"
for want in '"mode":"sector"' '"sector_size":4096' '"blockdev":"pmem0s"' \
	    "sector fsck: clean" "sector fio verify: ok" \
	    "sector after reset: clean" "sector file: same" \
	    '"mode":"fsdax"' '"map":"mem"' '"blockdev":"pmem0"' \
	    "fsdax: mounted with dax" "verify: $big bytes ok" \
	    "dax: yes" "map_sync: ok" "fsdax fsck: clean" \
	    "after reset: verify: $big bytes ok" \
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
