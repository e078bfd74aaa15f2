#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the host tests of the nvemu tool, as `make tools-test` runs them.
#
# Usage: run.sh DIR
#
# DIR holds the host builds of nvemu, test-image and test-split (the
# Makefile puts them in build/tools-test).  Runs the two unit tests and
# e2e.sh (in DIR/work), prints their TAP output, then one line per suite
# with its time, and "N passed, N failed".  Exit status 0 if all passed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: run.sh DIR}
passed=0
failed=0
summary=()

suite()
{
	local name=$1 t0 t1 rc

	shift
	echo "# --- $name"
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	t1=$(date +%s.%N)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		summary+=("$(printf 'PASS  %-12s %6.2f s' "$name" "$(echo "$t1 - $t0" | bc)")")
	else
		failed=$((failed + 1))
		summary+=("$(printf 'FAIL  %-12s %6.2f s' "$name" "$(echo "$t1 - $t0" | bc)")")
	fi
}

suite test-image "$dir/test-image"
suite test-split "$dir/test-split"
suite e2e "$here/e2e.sh" "$dir/nvemu" "$dir/work"

echo "# ---"
printf '%s\n' "${summary[@]}"
echo "tools-test: $passed passed, $failed failed"
[ $failed -eq 0 ]
