#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# proc.sh - host tests of nvemu run, ps, resume and discard, and of the
# guest program persist.  TAP output.
#
# Usage: proc.sh BINDIR WORKDIR
#
# BINDIR holds nvemu (a test build: NVEMU_TEST_HOOKS), persist and pblock.
# Without a kernel, /dev/nvemu_proc is either missing (the messages and
# exit statuses of "no process area") or faked by NVEMU_TEST_PROC (see
# "nvemu --help" of the test build): the arm result, the pipe protocol of
# run and resume, exit statuses, the ps output and its JSON.  resume of
# id 9 executes a real resume ticket, which a kernel without persistent
# processes refuses with ENOEXEC.  WORKDIR is emptied first and removed
# when every test passed.
set -uo pipefail

# shellcheck source=../../testing/nvemu/tap.sh
. "$(dirname "$0")/../../testing/nvemu/tap.sh"

B=$(realpath -e "${1:?usage: proc.sh BINDIR WORKDIR}") || exit 1
W=$(realpath -m "${2:?usage: proc.sh BINDIR WORKDIR}")
N=$B/nvemu
for p in nvemu persist pblock; do
	[ -x "$B/$p" ] || { echo "Bail out! $B/$p is not executable"; exit 1; }
done
rm -rf "$W"
mkdir -p "$W" || exit 1
cd "$W" || exit 1
export TZ=UTC
unset NVEMU_TEST_PROC

not_ok()
{
	tap_not_ok "$*"
	[ -s err ] && sed 's/^/#   stderr: /' err | head -20
	[ -s out ] && sed 's/^/#   stdout: /' out | head -10
}

check()
{
	local desc=$1

	shift
	if "$@"; then tap_ok "$desc"; else not_ok "$desc"; fi
}

# run WANT_RC [nvemu args...]: out and err hold what it printed
run()
{
	local want=$1

	shift
	"$N" "$@" >out 2>err </dev/null
	rc=$?
	[ "$rc" -eq "$want" ] || {
		echo "# exit status $rc, expected $want: nvemu $*" >>err
		return 1
	}
}

# err_is TEXT: stderr is exactly that one line
err_is()
{
	[ "$(cat err)" = "$1" ]
}

json_ok()
{
	python3 -c 'import json; json.load(open("out"))'
}

# pyjson EXPR: the Python expression EXPR, on the JSON object of out as j,
# is true
pyjson()
{
	python3 -c 'import json, sys
j = json.load(open("out"))
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"
}

has_sections()
{
	local s

	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES; do
		grep -q "^$s" "$1" || return 1
	done
}

noarea="no process area: the kernel lacks CONFIG_NVEMU_TASK or nvemu.proc_size=0"

echo "# no /dev/nvemu_proc"
if [ -e /dev/nvemu_proc ]; then
	tap_skip "this host has /dev/nvemu_proc: the missing-device tests need none"
else
	enoent="($noarea (/dev/nvemu_proc: No such file or directory))"
	check "ps: exit 1" run 1 ps
	check "... names the cause" err_is "nvemu ps: ${enoent:1:-1}"
	check "ps --json: exit 1, nothing on stdout" \
		eval 'run 1 ps --json && ! [ -s out ]'
	check "run: exit 125" run 125 run -- true
	check "... names the cause" err_is "nvemu run: ${enoent:1:-1}"
	check "resume 7: exit 1" run 1 resume 7
	check "... names the cause" err_is "nvemu resume: ${enoent:1:-1}"
	check "resume --wait 7: exit 125" run 125 resume --wait 7
	check "resume --all: exit 1" run 1 resume --all
	check "discard 7: exit 1" run 1 discard 7
	check "... names the cause" err_is "nvemu discard: ${enoent:1:-1}"
fi
check "no area (open fails with ENODEV)" \
	eval 'NVEMU_TEST_PROC=noarea run 1 ps'
check "... names the cause" \
	err_is "nvemu ps: $noarea (/dev/nvemu_proc: No such device)"

echo "# usage"
check "run without PROGRAM: exit 125" run 125 run
check "... says so" err_is "nvemu run: no PROGRAM given (see nvemu run --help)"
check "run --interval 5: exit 125" run 125 run --interval 5 -- true
check "... gives the range" \
	err_is "nvemu run: --interval takes 10 to 3600000 ms, not '5' (see nvemu run --help)"
check "run --interval 3600001: exit 125" run 125 run --interval 3600001 true
check "run --interval x: exit 125" run 125 run --interval x true
check "run --name of 32 bytes: exit 125" \
	run 125 run --name 0123456789abcdef0123456789abcdef true
check "... gives the limit" \
	err_is "nvemu run: --name takes at most 31 bytes, not 32 (see nvemu run --help)"
check "run --bogus: exit 125" run 125 run --bogus true
check "ps with an argument: exit 2" run 2 ps 7
check "ps --bogus: exit 2" run 2 ps --bogus
check "resume without ID: exit 2" run 2 resume
check "... says so" \
	err_is "nvemu resume: no ID given (or --all) (see nvemu resume --help)"
check "resume --all 7: exit 2" run 2 resume --all 7
check "resume 0: exit 2" run 2 resume 0
check "resume x: exit 2" run 2 resume x
check "... says so" err_is "nvemu resume: bad ID 'x' (see nvemu resume --help)"
check "discard without ID: exit 2" run 2 discard
check "discard -1: exit 2" run 2 discard -1
for c in run ps resume discard; do
	check "$c --help has the manual sections" \
		eval '"$N" $c --help >out && has_sections out'
	check "help $c = $c --help" \
		eval '"$N" help $c >out2 && "$N" $c --help | cmp -s - out2'
	check "nvemu --help lists $c" \
		eval '"$N" --help | grep -q "^    $c "'
done

export NVEMU_TEST_PROC=fake
echo "# ps (fake area)"
check "ps" run 0 ps
area_line="process area: 1.00 GiB, 4 of 8 slots used, pool 781.2 MiB free of 992.0 MiB"
area_line="$area_line (200000 of 253952 pages of 4096 bytes), default interval 1000 ms"
check "... the area line" \
	eval 'head -1 out | grep -qxF "$area_line"'
check "... the column heads" \
	eval 'sed -n 2p out | grep -qx " *ID NAME  *OWNER  *PID STATE  *GEN LAST-COMMIT \
 *MEM  *COMMITS  *WRITTEN  *VLT PROGRAM"'
check "... the caller's 3 processes, not another user's" \
	eval 'test "$(tail -n +3 out | awk "{ print \$1 }" | tr "\n" " ")" = "7 9 13 "'
check "... id 7: running, pid, local time, sizes" \
	eval 'grep -q "^     7 counter .* 4242 running  *107 2023-11-14 22:13:20 \
 56.0 MiB      106  6.52 GiB    0 /usr/bin/counter$" out'
check "... id 9: interrupted in a system call, in vlt, 2 re-runs" \
	eval 'grep -q "^     9 say \"hi\"\\\\ .* - interrupted,sys .* 2\* /opt/a b/persist$" out'
check "ps --all shows id 12 too" \
	eval 'run 0 ps --all &&
	      test "$(tail -n +3 out | awk "{ print \$1 }" | tr "\n" " ")" = "7 9 12 13 "'
check "ps --all --json: valid JSON" eval 'run 0 ps --all --json && json_ok'
check "... {area, processes} with the area's fields" \
	pyjson '(sorted(j) == ["area", "processes"] and
		 j["area"] == {"size": 1073741824, "page_size": 4096,
			       "nr_slots": 8, "slots_used": 4,
			       "pool_pages": 253952, "pool_free": 200000,
			       "default_interval_ms": 1000, "present": True,
			       "enabled": False, "foreign": False,
			       "damaged": False, "restore_pending": False})'
check "... 4 processes, every field, exact integers and booleans" \
	pyjson '([p["id"] for p in j["processes"]] == [7, 9, 12, 13] and
		 all(sorted(p) == sorted(["slot", "id", "name", "program",
					  "uid", "user", "gid", "pid", "state",
					  "generation", "commit_time_ns",
					  "mem_bytes", "commits", "commit_bytes",
					  "interval_ms", "stop_signal",
					  "in_syscall", "in_vlt", "vlt_reruns"])
		     for p in j["processes"]))'
check "... states by name" \
	pyjson '([p["state"] for p in j["processes"]] ==
		 ["running", "interrupted", "resumable", "damaged"])'
check "... id 9: name escaped, flags, slot, numbers exact" \
	pyjson '(lambda p: p["slot"] == 2 and p["name"] == "say \"hi\"\\" and
		 p["in_syscall"] and p["in_vlt"] and p["vlt_reruns"] == 2 and
		 p["commit_time_ns"] == 1700000000123456798 and
		 p["mem_bytes"] == 9 << 23 and
		 p["commit_bytes"] == 9000000063 and p["pid"] == 0 and
		 p["generation"] == 109)(j["processes"][1])'
check "... id 12: another user's, stopped by SIGTERM" \
	pyjson '(lambda p: p["uid"] == j["processes"][0]["uid"] + 1 and
		 p["stop_signal"] == 15 and
		 p["state"] == "resumable")(j["processes"][2])'
check "ps --json without --all: 3 processes" \
	eval 'run 0 ps --json && pyjson "[p[\"id\"] for p in j[\"processes\"]] == [7, 9, 13]"'
check "an empty area: ps prints only the area line" \
	eval 'NVEMU_TEST_PROC=empty run 0 ps && test "$(wc -l <out)" = 1'
check "... and --json an empty list" \
	eval 'NVEMU_TEST_PROC=empty run 0 ps --json &&
	      pyjson "j[\"processes\"] == [] and j[\"area\"][\"slots_used\"] == 0"'

echo "# run (fake area: the program runs as an ordinary process)"
check "run prints the id on stderr, the program's output is untouched" \
	eval 'run 0 run -- echo hello && test "$(cat out)" = hello &&
	      err_is "nvemu run: id 21 (pid $(sed -n "s/.*(pid \([0-9]*\))$/\1/p" err))"'
check "run --quiet prints nothing of its own" \
	eval 'run 0 run --quiet -- echo hi && ! [ -s err ]'
check "run --id-file writes the id" \
	eval 'run 0 run --quiet --id-file idf -- true && test "$(cat idf)" = 21'
check "the program's exit status (3)" run 3 run -q -- sh -c 'exit 3'
check "killed by SIGTERM: 143" run 143 run -q -- sh -c 'kill -TERM $$'
check "arguments and options after PROGRAM are the program's" \
	eval 'run 0 run -q sh -c "echo \$0 \$1" a --quiet && test "$(cat out)" = "a --quiet"'
check "SIGTERM to nvemu run is passed on to the program" \
	eval '"$N" run -q -- sleep 30 >out 2>err & p=$!; sleep 0.5
	      kill -TERM $p; wait $p; test $? = 143'
check "a missing program: 127" run 127 run -- ./no-such-program
check "... named with the cause" \
	err_is "nvemu run: ./no-such-program: No such file or directory"
echo '#!/bin/false' >noexec
check "a program that is not executable: 126" run 126 run -- ./noexec
check "... named with the cause" err_is "nvemu run: ./noexec: Permission denied"
check "--id-file is removed when the program did not start" \
	eval 'run 127 run --id-file idf2 -- ./no-such-program && ! [ -e idf2 ]'
check "a full area: 125" eval 'NVEMU_TEST_PROC=full run 125 run -- true'
check "... says how full, and how to free a slot" \
	err_is "nvemu run: the process area is full (4 of 8 slots in use, 200000 pages free);\
 nvemu discard ID frees one"

echo "# resume (fake area)"
check "resume 7: running: exit 1" run 1 resume 7
check "... already running" err_is "nvemu resume: id 7: already running"
check "resume 13: damaged" run 1 resume 13
check "... says how to free it" \
	err_is "nvemu resume: id 13: damaged: its checksum fails; nvemu discard 13"
check "resume 12: EPERM" run 1 resume 12
check "... says why" \
	err_is "nvemu resume: id 12: not permitted: its credentials are not yours\
 (needs CAP_SYS_ADMIN)"
check "resume 30: ESTALE" run 1 resume 30
check "... points to the kernel log" \
	err_is "nvemu resume: id 30: a file changed: see the kernel log (dmesg)"
check "resume 31: EXDEV" run 1 resume 31
check "... another kernel" \
	err_is "nvemu resume: id 31: committed by another kernel build, page size or architecture"
check "resume 99: ENOENT" run 1 resume 99
check "... no such process" \
	err_is "nvemu resume: id 99: no such process (nvemu ps lists them)"
check "resume 9 executes a real ticket: this kernel refuses it (ENOEXEC)" \
	run 1 resume 9
check "... reported by the child through its pipe" \
	err_is "nvemu resume: id 9: this kernel cannot resume processes (no CONFIG_NVEMU_TASK)"
check "resume --wait 9: exit 125 (one process, not resumed)" \
	run 125 resume --wait 9
check "resume --wait 7 9: exit 1 (several)" run 1 resume --wait 7 9
check "resume --all: tries 9 and 12, skips damaged 13 with a message" \
	eval 'run 1 resume --all &&
	      grep -q "^nvemu resume: id 13 (broken) is damaged: its checksum fails;\
 skipped (nvemu discard 13 frees it)$" err &&
	      grep -q "^nvemu resume: id 9: " err && grep -q "^nvemu resume: id 12: " err &&
	      test "$(wc -l <err)" = 3'
check "resume --all in an empty area: exit 0" \
	eval 'NVEMU_TEST_PROC=empty run 0 resume --all &&
	      err_is "nvemu resume: no process to resume"'
check "... silent with --quiet" \
	eval 'NVEMU_TEST_PROC=empty run 0 resume --all --quiet && ! [ -s err ]'

echo "# discard (fake area)"
check "discard 9 13" run 0 discard 9 13
check "... says so for each" \
	err_is "$(printf 'nvemu discard: id 9 discarded\nnvemu discard: id 13 discarded')"
check "discard 7: running: exit 1" run 1 discard 7
check "... says to stop it first" \
	err_is "nvemu discard: id 7: running: stop it first (kill it, then discard)"
check "discard 12: another user's: exit 1" run 1 discard 12
check "discard 9 99: one missing: exit 1, 9 still discarded" \
	eval 'run 1 discard 9 99 && grep -q "id 9 discarded" err &&
	      grep -q "id 99: no such process" err'
check "discard --quiet 9: silent" eval 'run 0 discard -q 9 && ! [ -s err ]'
unset NVEMU_TEST_PROC

echo "# persist: the same bytes every time"
P=$B/persist
check "persist --steps 6 --heap-mib 4" \
	eval '"$P" --steps 6 --heap-mib 4 --out r1 >o1 2>e1'
check "... 6 progress lines and a result" \
	eval 'test "$(grep -c "^progress [1-6]/6 [0-9a-f]\{16\}$" o1)" = 6 &&
	      grep -q "^result [0-9a-f]\{16\} fp [0-9a-f]\{16\} tls 6$" o1'
check "... the result file: header, 6 steps, the same result" \
	eval 'test "$(head -1 r1)" = "persist steps 6 heap-mib 4" &&
	      test "$(grep -c "^step " r1)" = 6 && test "$(tail -1 r1)" = "$(tail -1 o1)"'
check "... says its mode on stderr" grep -qx "persist: mode persistent" e1
check "a second run (--plain) gives byte-identical output and file" \
	eval '"$P" --steps 6 --heap-mib 4 --out r2 --plain >o2 2>e2 &&
	      cmp o1 o2 && cmp r1 r2 && grep -qx "persist: mode plain" e2'
check "more steps continue the same sequence" \
	eval '"$P" --steps 8 --heap-mib 4 >o3 2>/dev/null &&
	      test "$(sed -n "s|^progress \([1-6]\)/8 |\1 |p" o3)" = \
		   "$(sed -n "s|^progress \([1-6]\)/6 |\1 |p" o1)"'
check "another heap size gives other checksums" \
	eval '"$P" --steps 6 --heap-mib 2 >o4 2>/dev/null && ! cmp -s o1 o4'
check "a SIGPWR that is not a resume is reported, exit 1" \
	eval '"$P" --steps 400 --heap-mib 8 >o5 2>e5 & pp=$!; sleep 0.3;
	      kill -PWR $pp; wait $pp; test $? = 1 &&
	      grep -q "^persist: SIGPWR with si_code 0$" e5 && grep -q "^result " o5'
check "persist --steps 0: exit 2" \
	eval '"$P" --steps 0 2>err; test $? = 2 && grep -q "steps takes 1 to" err'

echo "# pblock"
check "pblock read returns the bytes of a pipe" \
	eval 'echo abc | "$B/pblock" read >out && test "$(tail -1 out)" = "read: 4 bytes; sigpwr 0"'
check "pblock sleep 0: done" \
	eval '"$B/pblock" sleep 0 >out && test "$(tail -1 out)" = "sleep: done; sigpwr 0"'

tap_plan
if [ "$TAP_FAILED" -eq 0 ]; then
	cd / && rm -rf "$W"
	tap_diag "all $TAP_N passed"
	exit 0
fi
tap_diag "$TAP_FAILED of $TAP_N failed (files kept in $W)"
exit 1
