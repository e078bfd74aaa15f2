#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# kselftest nvemu_test on four ranges given in two nvemu= options, with a
# gap between the first two and the last two contiguous.
. "$(dirname "$0")/lib.sh"

vm --append "nvemu=$R_A,$R_B nvemu=$R_C nvemu=$R_D" -- "$SELFTEST"
