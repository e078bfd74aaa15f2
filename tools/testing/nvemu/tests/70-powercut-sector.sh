#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: arm64 x86_64
#
# Crash atomicity of the BTT (sector personality) on the merged namespace
# of two ranges with System RAM between them, across power cuts: guest RAM
# is a shared file (run-vm --ram-file), and the power is cut by SIGKILL of
# QEMU (run-vm --qemu-pidfile) while blkstamp rewrites random 4 KiB
# stamps with O_DIRECT|O_DSYNC.  With 4 KiB sectors every stamp must come
# back whole after each cut: old or new, never torn, never another block's.
#   boot 0:   sector namespace with 4 KiB sectors, blkstamp init + check
#   cut 1..N: check, then write until the host kills QEMU at a random time
#             (0.2-3.0 s) after "blkstamp: writing"; run-vm must exit 137
#   final:    check only, normal power-off
# The host also checks that max_seq never goes down from one check to the
# next.  N is POWERCUT_CUTS (default 20 on arm64, 5 on x86_64: the KASAN
# kernel boots in ~10 s).
. "$(dirname "$0")/lib.sh"

case $ARCH in
x86_64)	ranges=128M@0x40000000,128M@0x50000000; cuts=${POWERCUT_CUTS:-5} ;;
arm64)	ranges=128M@0x80000000,128M@0x90000000; cuts=${POWERCUT_CUTS:-20} ;;
esac
[[ $cuts =~ ^[1-9][0-9]*$ ]] || fail "POWERCUT_CUTS=$cuts: need a number > 0"
# with --ram-file the RAM size must be the same on every boot
mem=2G
# no process area: the namespace keeps the whole 240 MiB checked below
noproc=(--append nvemu.proc_size=0)

powercut_setup powercut-sector

# check_line FILE: the "check:" line of FILE must say that every block is
# valid and none torn or wrong, for the blocks of boot 0, with a max_seq
# not below the previous one; sets max_seq.
blocks=
max_seq=0
check_line()
{
	local line m
	line=$(grep '^check: ' "$1") || fail "no check line"
	[ "$(wc -l <<< "$line")" = 1 ] || fail "more than one check line: $line"
	[[ $line =~ ^check:\ blocks=([0-9]+)\ valid=([0-9]+)\ torn=0\ wrong_block=0\ regressed=0\ max_seq=([0-9]+)$ ]] ||
		fail "bad blocks: $line"
	[ -z "$blocks" ] && blocks=${BASH_REMATCH[1]}
	[ "${BASH_REMATCH[1]}" = "$blocks" ] || fail "blocks changed from $blocks: $line"
	[ "${BASH_REMATCH[2]}" = "$blocks" ] || fail "not all blocks valid: $line"
	m=${BASH_REMATCH[3]}
	[ "$m" -ge "$max_seq" ] || fail "max_seq went down from $max_seq: $line"
	max_seq=$m
	check=$line
}

# ---- boot 0: create the BTT and the stamps
out=$work/boot0.out
powercut_vm boot0 "${noproc[@]}" --env PHASE=init --script "$GUEST/70-powercut-sector.sh" ||
	{ cat "$out" "$work/boot0.err"; fail "boot 0: guest command failed"; }
cat "$out"
expect_line "$out" '"mode":"sector"'
expect_line "$out" '"sector_size":4096'
expect_line "$out" '"blockdev":"pmem0s"'
check_line "$out"
expect_line "$out" "init: $blocks blocks"
# ~240 MiB: two ranges of 128 MiB less 16 MiB of metadata, less the BTT's
[ "$blocks" -gt $((200 << 8)) ] && [ "$blocks" -lt $((240 << 8)) ] ||
	fail "$blocks blocks of 4 KiB for a namespace of 240 MiB"

# ---- the power cuts
min_w=
max_w=0
sum_w=0
for i in $(seq 1 "$cuts"); do
	out=$work/cut$i.out
	seed=$((RANDOM * 32768 + RANDOM))
	powercut_cut "cut$i" 'blkstamp: writing' "${noproc[@]}" --env PHASE=cut --env SEED=$seed \
		--script "$GUEST/70-powercut-sector.sh"
	expect_line "$out" '"mode":"sector"'
	expect_line "$out" '"blockdev":"pmem0s"'
	grep -qx "blkstamp: start: $blocks blocks seed $seed" "$out" ||
		{ cat "$out"; fail "cut $i: the writer did not start"; }
	# the check before the writer: of the state boot 0 or cut i-1 left
	check_line "$out"
	if [ "$i" = 1 ]; then
		[ "$max_seq" = 0 ] || fail "max_seq $max_seq after init"
	else
		echo "cut $((i - 1))/$cuts: killed after $prev_delay s, >= $prev_w writes; then $check"
	fi
	# writes: at least the last progress line (the rest died with QEMU)
	w=$(sed -n 's/^blkstamp: \([0-9]*\) writes$/\1/p' "$out" | tail -n 1)
	w=${w:-64}
	[ -z "$min_w" ] || [ "$w" -lt "$min_w" ] && min_w=$w
	[ "$w" -gt "$max_w" ] && max_w=$w
	sum_w=$((sum_w + w))
	prev_delay=$delay
	prev_w=$w
done

# ---- final boot: check only (of the last cut), normal power-off
out=$work/final.out
powercut_vm final "${noproc[@]}" --env PHASE=final --script "$GUEST/70-powercut-sector.sh" ||
	{ cat "$out" "$work/final.err"; fail "final boot: guest command failed"; }
expect_line "$out" '"mode":"sector"'
check_line "$out"
echo "cut $cuts/$cuts: killed after $prev_delay s, >= $prev_w writes; then $check"
ok "$cuts power cuts, 0 torn blocks, writes per cut >= $min_w/$((sum_w / cuts))/$max_w (min/avg/max, counted to the last progress line), max_seq $max_seq"
