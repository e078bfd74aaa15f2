#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# Two NUMA nodes with one nvemu range on each: the info ioctl and the
# NVDIMM regions (nvemu.merge=0: one per range) report the node of each
# range, and the selftests pass.
. "$(dirname "$0")/lib.sh"

case $ARCH in
x86_64) r0=256M@0x20000000; r1=256M@0x50000000 ;;	# nodes 0-1G, 1G-2G
arm64)  r0=256M@0x60000000; r1=256M@0x90000000 ;;	# nodes 1G-2G, 2G-3G
esac

out=$WORK/out
vm --numa 2 --mem 2G --append "nvemu.merge=0 nvemu=$r0,$r1" --env SELFTEST="$SELFTEST" \
	--script "$GUEST/51-numa.sh" > "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"
expect_line "$out" "nodes 2"
json=$(grep '^{"device"' "$out")
nodes=$(echo "$json" | grep -o '"numa_node":-\?[0-9]*' | cut -d: -f2 | tr '\n' ' ')
expect_eq "numa_node of the two ranges" "0 1 " "$nodes"
expect_line "$out" "region0 numa_node 0"
expect_line "$out" "region1 numa_node 1"
