#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# With nvemu.merge=0, ndctl sees the nvemu bus and one region per range
# (the last one 80 MiB short: a process area of 64 MiB, nvemu.proc_size,
# and nvemu's 16 MiB of metadata); namespaces go into
# fsdax (ext4 mounted with -o dax), sector (BTT) and devdax mode; the raw
# device keeps the fourth range.  After `reboot -f` every personality comes
# back by itself and every byte written before the reset reads back.
. "$(dirname "$0")/lib.sh"

out=$WORK/out

# The regions are numbered in probe order, which is ascending address:
# region0 = R_A, region1 = R_B, region2 = R_C, region3 = R_D.
# the fourth range stays raw: it starts after the first three
raw_off=$(( (${R_A%M@*} + ${R_B%M@*} + ${R_C%M@*}) << 20 ))
vm --reboots 1 --append "nvemu.merge=0 nvemu.proc_size=64M nvemu=$R_A,$R_B,$R_C,$R_D" --env RAW_OFF=$raw_off \
	--script "$GUEST/40-namespaces.sh" > "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"

expect_eq "regions" "regions: 4" "$(grep '^regions:' "$out")"
expect_eq "last region" "region3 size: $(( (128 - 64 - 16) << 20 ))" \
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
