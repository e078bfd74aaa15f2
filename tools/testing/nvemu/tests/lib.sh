# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the nvemu boot tests.  A test is an executable
# NN-name.sh in this directory that declares the architectures it runs on
# in a "# arch: x86_64 arm64" line, reads $ARCH, boots guests with vm and
# exits 0 (pass), 1 (fail) or 4 (skip).  tools/testing/nvemu/check runs them.

set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NVEMU_T=$(dirname "$TESTS_DIR")
TOP=$(cd "$NVEMU_T/../../.." && pwd)
ARCH=${ARCH:-x86_64}
SELFTEST=/usr/lib/kselftests/nvemu/nvemu_test

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

vm()
{
	"$NVEMU_T/run-vm" --arch "$ARCH" --timeout "${VM_TIMEOUT:-600}" "$@"
}

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq()
{
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	echo "ok: $1 = '$3'"
}

# expect_line FILE LINE: FILE must contain LINE exactly (after the dmesg
# timestamp, if any).
expect_line()
{
	# no grep -q: with pipefail, sed would die of SIGPIPE after a match
	sed -e 's/^\[ *[0-9.]*\] //' "$1" | grep -xF -- "$2" > /dev/null ||
		fail "missing line: $2"
	echo "ok: line: $2"
}
