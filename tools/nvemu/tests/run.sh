#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the host tests of the nvemu tool, as `make tools-test` runs them.
#
# Usage: run.sh DIR
#
# DIR holds the host builds: bin/nvemu, bin/test-image, bin/test-split,
# bin/persist, bin/pblock and libnvemu/ (the Makefile puts them in
# build/tools-test).  Checks the symbols that libnvemu.so.1 exports, runs
# the two unit tests, e2e.sh (in DIR/work) and proc.sh (in DIR/proc-work),
# prints their TAP output, then one line per suite with its time, and "N
# passed, N failed".  Exit status 0 if all passed.
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

suite abi "$here/abi.sh" "$dir/libnvemu/libnvemu.so.1" \
	"$here/../../lib/nvemu/libnvemu.map"
suite test-image "$dir/bin/test-image"
suite test-split "$dir/bin/test-split"
suite e2e "$here/e2e.sh" "$dir/bin/nvemu" "$dir/work"
suite proc "$here/proc.sh" "$dir/bin" "$dir/proc-work"

echo "# ---"
printf '%s\n' "${summary[@]}"
echo "tools-test: $passed passed, $failed failed"
[ $failed -eq 0 ]
