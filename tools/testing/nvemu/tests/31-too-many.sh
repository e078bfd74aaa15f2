#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64
#
# More than NVEMU_MAX_RANGES (32) ranges: the excess ones are refused with
# a clear message, the valid first one still works.
. "$(dirname "$0")/lib.sh"

params="nvemu=$R_A"
# 31 well-formed ranges far above RAM count towards the limit...
for i in $(seq 1 31); do
	params+=" nvemu=128M@$((i + 100))G"
done
# ...so these two are the 33rd and 34th
params+=" nvemu=128M@200G,128M@201G"

out=$WORK/out
vm --append "$params" -- 'dmesg; nvemu info --json' > "$out"
expect_line "$out" "nvemu: ignoring '128M@200G': too many ranges (at most 32)"
expect_line "$out" "nvemu: ignoring '128M@201G': too many ranges (at most 32)"
n=$(grep -c 'not entirely System RAM' "$out")
expect_eq "refused high ranges" 31 "$n"
expect_eq "nr_ranges" 1 "$(grep '^{"device"' "$out" | sed 's/.*"nr_ranges":\([0-9]*\).*/\1/')"
