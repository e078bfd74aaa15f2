#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# The nvemu kselftests on four ranges given in two nvemu= options, with a
# gap between the first two and the last two contiguous.  layout_test
# compares the device with the region's pmem block device first; the other
# selftests write the raw device, so the region is disabled for them (see
# 41-merged.sh for the EBUSY rule).
. "$(dirname "$0")/lib.sh"

out=$WORK/out
vm --append "nvemu=$R_A,$R_B nvemu=$R_C nvemu=$R_D" -- \
	"$LAYOUT_TEST && ndctl disable-region all > /dev/null && $SELFTEST" \
	> "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"
check_layout "$out"
expect_line "$out" "selftests: 0 of 8 programs failed"
