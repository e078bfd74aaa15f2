# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the nvemu boot tests.  A test is an executable
# NN-name.sh in this directory that declares the architectures it runs on
# in a "# arch: x86_64 arm64" line, reads $ARCH, boots guests with vm and
# exits 0 (pass), 1 (fail) or 4 (skip).  tools/testing/nvemu/check runs them.
# Its checks print TAP (../tap.sh, the emitter check uses too): "ok N - ..."
# per check passed, "not ok N - ..." for the one that failed, and the plan
# "1..N" when the test exits.  Its scratch files go into $WORK.

set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NVEMU_T=$(dirname "$TESTS_DIR")
TOP=$(cd "$NVEMU_T/../../.." && pwd)
ARCH=${ARCH:-x86_64}
# A guest command that runs every kselftest program the initramfs has
# (tools/testing/selftests/nvemu/*_test), each even if one before failed,
# and fails if any failed.
# proc_test and vlt_test run last: they enable the process area, whose
# iomem claim keeps /dev/nvemu0 from being opened for writing until the
# next boot.  Declared skip: a layout of less than 256 MiB has no process
# area by default.  layout_test is not among them: it needs the regions
# enabled (LAYOUT_TEST), the others need them disabled.
SELFTEST='(n=0; f=0; d=/usr/lib/kselftests/nvemu; p="$d/proc_test $d/vlt_test"
	if ! dmesg | grep -q "process area: [0-9]* MiB at offset"; then
		echo "SKIP: $p: no process area in this layout"; p=
	fi
	for t in $(ls $d/*_test | grep -Ev "/(proc|layout|vlt)_test") $p; do
	n=$((n + 1)); "$t" || { echo "FAIL: $t"; f=$((f + 1)); }; done
	echo "selftests: $f of $n programs failed"; [ $f = 0 ])'
# The guest command that runs layout_test, while the regions are enabled
# with their raw namespaces (as at boot); check_layout FILE checks what it
# printed.
LAYOUT_TEST='/usr/lib/kselftests/nvemu/layout_test'
check_layout()
{
	expect_line "$1" "ok 1 global.phys_layout_via_pmem"
	expect_line "$1" "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
}

# Guest memory maps (TCG, -m 2G): x86_64 q35 has RAM at 0-2G with the
# initrd loaded at its top; arm64 virt has RAM at 1G-3G.  These ranges are
# System RAM away from the kernel and initrd, and not contiguous.
case $ARCH in
x86_64)
	R_A=256M@0x40000000	# 1 GiB
	R_B=128M@0x58000000	# gap of 128 MiB before it
	R_C=128M@0x68000000
	R_D=128M@0x70000000	# contiguous with R_C
	;;
arm64)
	R_A=256M@0x80000000
	R_B=128M@0x98000000
	R_C=128M@0xa8000000
	R_D=128M@0xb0000000
	;;
esac

# The process area nvemu formats by default on MIB MiB of NVM (no
# nvemu.proc_size): a quarter rounded down to 16 MiB from 256 MiB on,
# else none.  In MiB.  The regions end where it begins, 16 MiB of
# metadata after it.
proc_default_mib()
{
	if [ "$1" -ge 256 ]; then echo $(( $1 / 4 / 16 * 16 )); else echo 0; fi
}

vm()
{
	"$NVEMU_T/run-vm" --arch "$ARCH" --timeout "${VM_TIMEOUT:-600}" "$@"
}

# The guest side of a test that is more than a line or two:
# tests/guest/NN-name.sh, run with vm --script "$GUEST/NN-name.sh"; host
# values go in with vm --env, never spliced into the code.
GUEST=$TESTS_DIR/guest

# shellcheck source=../tap.sh
. "$NVEMU_T/tap.sh"

# at_exit COMMAND: run COMMAND (a string, eval'd) when the test exits, in
# the order given; then $WORK is removed and the TAP plan printed.
WORK=$(mktemp -d)
AT_EXIT=()
at_exit()
{
	AT_EXIT+=("$1")
}

lib_exit()
{
	local c
	for c in "${AT_EXIT[@]}"; do
		eval "$c" || true
	done
	rm -rf "$WORK"
	[ "$TAP_N" = 0 ] || tap_plan
}
trap lib_exit EXIT

# ok DESCRIPTION: a check that passed (the test tested it itself)
ok()
{
	tap_ok "$*"
}

fail()
{
	tap_not_ok "$*"
	exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq()
{
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	ok "$1 = '$3'"
}

# expect_line FILE LINE: FILE must contain LINE exactly (after the dmesg
# timestamp, if any).
expect_line()
{
	# no grep -q: with pipefail, sed would die of SIGPIPE after a match
	sed -e 's/^\[ *[0-9.]*\] //' "$1" | grep -xF -- "$2" > /dev/null ||
		fail "missing line: $2"
	ok "line: $2"
}

# Power cuts (70-*, 71-*): guest RAM on a shared file, QEMU killed with
# SIGKILL at a random moment, the next boot on the same file.  The caller
# sets $mem and $ranges (nvemu=) first.

# powercut_setup NAME: a work directory, the RAM file, QEMU's pidfile and
# build/logs/NAME-ARCH/ for the console logs of the last run
powercut_setup()
{
	work=$WORK
	ram=/dev/shm/nvemu-$1-$$.ram
	pidfile=$work/qemu.pid
	vmpid=
	at_exit powercut_cleanup
	logdir=$TOP/build/logs/$1-$ARCH
	rm -rf "$logdir"
	mkdir -p "$logdir"
	echo "console logs: $logdir"
}

powercut_cleanup()
{
	# a round interrupted by a failure: cut its power, stop its run-vm
	if [ -n "$vmpid" ] && kill -0 "$vmpid" 2> /dev/null; then
		[ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2> /dev/null
		kill "$vmpid" 2> /dev/null
		wait "$vmpid" 2> /dev/null
	fi
	rm -f "$ram"
}

# powercut_vm NAME RUN-VM OPTIONS (and -- COMMAND or --script FILE): one
# boot on the RAM file; its output goes to $work/NAME.out and
# $work/NAME.err
powercut_vm()
{
	local name=$1
	shift
	vm --mem "$mem" --ram-file "$ram" --qemu-pidfile "$pidfile" \
		--log "$logdir/$name.log" --append "nvemu=$ranges" "$@" \
		> "$work/$name.out" 2> "$work/$name.err"
}

# powercut_cut NAME MARKER RUN-VM OPTIONS: a boot that runs until the
# command prints the line MARKER, then 0.2-3.0 s more (random; set in
# $delay) before QEMU is killed; run-vm must report exactly that.
powercut_cut()
{
	local name=$1 marker=$2 out=$work/$1.out t=0 ms rc
	shift 2
	rm -f "$pidfile"
	: > "$out"
	powercut_vm "$name" "$@" &
	vmpid=$!
	# wait for the marker (or for the end of a failed guest)
	until grep -qxF -- "$marker" "$out"; do
		kill -0 "$vmpid" 2> /dev/null || break
		[ $t -lt 3000 ] || fail "$name: no '$marker' after 300 s"
		sleep 0.1
		t=$((t + 1))
	done
	ms=$((200 + RANDOM % 2801))
	delay=$((ms / 1000)).$(printf %03d $((ms % 1000)))
	if grep -qxF -- "$marker" "$out"; then
		sleep "$delay"
		[ -s "$pidfile" ] || fail "$name: no QEMU pid in $pidfile"
		kill -9 "$(cat "$pidfile")" 2> /dev/null || true
	fi
	rc=0
	wait "$vmpid" || rc=$?
	vmpid=
	if [ "$rc" != 137 ]; then
		cat "$out" "$work/$name.err"
		[ "$rc" != 125 ] || fail "$name: kernel splat; log $logdir/$name.log"
		fail "$name: run-vm exited $rc, not 137 (QEMU killed); log $logdir/$name.log"
	fi
	grep -qx 'run-vm: QEMU was killed (SIGKILL); the guest did not finish' "$work/$name.err" ||
		{ cat "$work/$name.err"; fail "$name: run-vm did not report the SIGKILL"; }
}
