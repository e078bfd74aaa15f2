#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# The built-in KUnit suite nvemu_param (parameter parser, range checks)
# runs at boot; every case must pass.
. "$(dirname "$0")/lib.sh"

out=$WORK/out
vm -- 'dmesg | sed -n "/# Subtest: nvemu_param/,/ok [0-9]* nvemu_param\$/p"' > "$out"
cat "$out"
grep -Eq '^\[ *[0-9.]+\] +ok [0-9]+ nvemu_param$' "$out" ||
	fail "suite nvemu_param did not pass"
! grep -q 'not ok' "$out" || fail "failing KUnit cases"
tot=$(grep -Eo '# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+' "$out" | tail -1)
[ -n "$tot" ] || fail "no KUnit totals line"
set -- $(echo "$tot" | tr -c '0-9\n' ' ')
[ "$2" = 0 ] && [ "$3" = 0 ] && [ "$1" = "$4" ] || fail "KUnit: $tot"
# param_test.c has 48 cases today; fewer means cases were lost
[ "$4" -ge 48 ] || fail "KUnit ran only $4 cases, expected at least 48"
ok "KUnit $tot"
