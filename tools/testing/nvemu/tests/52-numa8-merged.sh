#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: arm64
#
# The Phytium FT-2000+/64 shape: eight NUMA nodes, one nvemu range on each,
# all merged into one region and one namespace, with the 4K-page and the
# 64K-page kernel.  nvemu info reports each range on its node; the sector
# personality (4 KiB sectors) is written and checked block by block over
# the whole namespace; fsdax holds a file spread over several nodes.
. "$(dirname "$0")/lib.sh"

out=$WORK/out

# run PAGE_SIZE MEM NODE_BYTES RANGE_BYTES
run()
{
	local psize=$1 mem=$2 node=$3 size=$4 i start ranges="" align
	# RAM starts at 1 GiB; QEMU puts the device tree at the top of RAM, so
	# the last range sits at the start of its node, the others half-way.
	for i in 0 1 2 3 4 5 6 7; do
		start=$(( 0x40000000 + i * node + (i < 7 ? node / 2 : 0) ))
		ranges+=${ranges:+,}$((size >> 20))M@$(printf 0x%x $start)
	done
	# fsdax alignment: a PMD (64K pages: 512 MiB, more than the last
	# range holds besides the metadata, so use base pages there)
	align="" bs=4096
	[ "$psize" = 64k ] && align="-a 64K" bs=65536
	echo "# $psize pages: nvemu=$ranges"
	vm --page-size "$psize" --numa 8 --mem "$mem" --append "nvemu=$ranges" \
		--env ALIGN="$align" --env BS=$bs --env FILE_SIZE=$((size * 3)) \
		--script "$GUEST/52-numa8-merged.sh" > "$out" || { cat "$out"; fail "guest command failed ($psize pages)"; }
	cat "$out"
	expect_line "$out" "nodes 8"
	expect_line "$out" "regions 1"
	# the default process area and the metadata at the end
	region=$(( 8 * size - (($(proc_default_mib $((8 * size >> 20))) + 16) << 20) ))
	expect_line "$out" "region size $region"
	expect_line "$out" "range nodes 0 1 2 3 4 5 6 7"
	blocks=$(( region / 4096 ))
	# BTT keeps some blocks for its metadata: check its own count
	sed -n 's/^check: blocks=\([0-9]*\) valid=\([0-9]*\) torn=0 wrong_block=0 regressed=0 max_seq=0$/\1 \2/p' "$out" |
		{ read -r b v; [ -n "$b" ] && [ "$b" = "$v" ] && [ "$b" -gt $((blocks * 9 / 10)) ] &&
		  [ "$b" -le "$blocks" ]; } || fail "sector check ($psize pages)"
	ok "sector: every block of the namespace written and read back"
	expect_line "$out" "verify: $((size * 3)) bytes ok"
	expect_line "$out" "dax: yes"
}

run 4k 4G $(( 512 << 20 )) $(( 128 << 20 ))
run 64k 8G $(( 1024 << 20 )) $(( 512 << 20 ))
