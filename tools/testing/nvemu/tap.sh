# SPDX-License-Identifier: GPL-2.0
#
# tap.sh - the one TAP (Test Anything Protocol, version 13) emitter of the
# nvemu shell tests.  Sourced by check, for the result of each step and
# each boot test, and by tests/lib.sh, for the checks inside one test, so
# that both print the same format:
#
#   tap_version                     "TAP version 13"
#   tap_ok DESCRIPTION              "ok N - DESCRIPTION"
#   tap_skip DESCRIPTION            "ok N - DESCRIPTION # SKIP"
#   tap_not_ok DESCRIPTION [LOG]    "not ok N - DESCRIPTION", then the last
#                                   25 lines of LOG as "#   " diagnostics
#   tap_result STATUS DESCRIPTION [LOG]
#                                   by an exit status: 0 ok, 4 (kselftest's
#                                   KSFT_SKIP) skip, anything else not ok
#   tap_diag TEXT                   "# TEXT"
#   tap_plan                        "1..N", N the number of results so far
#                                   (TAP allows the plan at the end)
#   tap_summary                     the plan, "# failed: NAMES" if any,
#                                   "P passed, F failed, S skipped"
#
# A "#" in a DESCRIPTION is written "\#", as TAP wants (a bare one would
# start a directive).
#
# Counters: TAP_N (results so far), TAP_PASSED, TAP_FAILED, TAP_SKIPPED,
# and TAP_FAILURES, the descriptions of the failed ones.  The functions
# count in the shell that runs them: not from inside $(...) or a pipeline.

TAP_N=0
TAP_PASSED=0
TAP_FAILED=0
TAP_SKIPPED=0
TAP_FAILURES=()

tap_version()
{
	echo "TAP version 13"
}

tap_ok()
{
	TAP_N=$((TAP_N + 1))
	TAP_PASSED=$((TAP_PASSED + 1))
	echo "ok $TAP_N - ${1//#/\\#}"
}

tap_skip()
{
	TAP_N=$((TAP_N + 1))
	TAP_SKIPPED=$((TAP_SKIPPED + 1))
	echo "ok $TAP_N - ${1//#/\\#} # SKIP"
}

tap_not_ok()
{
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	TAP_FAILURES+=("$1")
	echo "not ok $TAP_N - ${1//#/\\#}"
	if [ -n "${2:-}" ]; then
		tail -n 25 "$2" | sed 's/^/#   /'
	fi
}

tap_result()
{
	case $1 in
	0) tap_ok "$2" ;;
	4) tap_skip "$2" ;;
	*) tap_not_ok "$2" "${3:-}" ;;
	esac
}

tap_diag()
{
	echo "# $*"
}

tap_plan()
{
	echo "1..$TAP_N"
}

tap_summary()
{
	tap_plan
	if [ "$TAP_FAILED" -gt 0 ]; then
		tap_diag "failed: ${TAP_FAILURES[*]}"
	fi
	echo "$TAP_PASSED passed, $TAP_FAILED failed, $TAP_SKIPPED skipped"
}
