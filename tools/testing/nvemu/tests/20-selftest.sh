#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# The nvemu kselftests on four ranges given in two nvemu= options, with a
# gap between the first two and the last two contiguous.  The selftests
# write the raw device, so the region is disabled first (see 41-merged.sh
# for the EBUSY rule).
. "$(dirname "$0")/lib.sh"

vm --append "nvemu=$R_A,$R_B nvemu=$R_C nvemu=$R_D" -- \
	"ndctl disable-region all > /dev/null && $SELFTEST"
