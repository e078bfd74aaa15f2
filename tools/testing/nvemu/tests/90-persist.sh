#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64
#
# The main test of persistent processes (issue 10): persist (guest/persist.c:
# 64 MiB of heap, a recursion of 10000 frames, floating point, a TLS
# variable, progress lines on a pipe, a result file on an ext4-dax file
# system in the NVM) runs under `nvemu run`; the power is cut (RAM file,
# SIGKILL of QEMU) at a random moment of every boot; each next boot
# resumes it with `nvemu resume --wait`.  The host checks:
#   - the result file and the result line are byte-identical to a run of
#     the same program on the host, uninterrupted and not persistent;
#   - every progress line appears in order, once, or twice when the cut
#     fell inside its write (design memo, section 6: then at most one line
#     per cut);
#   - the work lost at each cut (the guest clock's last heartbeat minus the
#     time of the last commit `nvemu ps` shows) is at most the interval
#     plus the time of one commit (bounded here by PERSIST_LOST_MAX_MS);
#     the figures are printed.
# Cuts: PERSIST_CUTS (default 6, to keep make check within its time; the
# issue asks for 10 per architecture: run PERSIST_CUTS=10 or more by hand).
. "$(dirname "$0")/lib.sh"

case $ARCH in
x86_64)	ranges=768M@0x40000000 ;;
arm64)	ranges=768M@0x80000000 ;;
esac
cuts=${PERSIST_CUTS:-6}
steps=${PERSIST_STEPS:-30}
heap=${PERSIST_HEAP_MIB:-64}
interval=${PERSIST_INTERVAL_MS:-1000}
lost_max=${PERSIST_LOST_MAX_MS:-$((interval + 4000))}
[[ $cuts =~ ^[0-9]+$ ]] || fail "PERSIST_CUTS=$cuts: need a number"
mem=2G

powercut_setup persist
guest=$GUEST/90-persist.sh
env=(--append "nvemu.proc_size=384M" --env STEPS=$steps --env HEAP=$heap
     --env INTERVAL=$interval)

# the reference: the same program on the host, plain
gcc -std=gnu11 -O2 -ffp-contract=off -I"$TOP/include/uapi" \
	-I"$TOP/tools/testing/nvemu/guest" -o "$work/persist-host" \
	"$TOP/tools/testing/nvemu/guest/persist.c" || fail "cannot build persist for the host"
"$work/persist-host" --steps "$steps" --heap-mib "$heap" --out "$work/ref.file" \
	> "$work/ref.out" 2> /dev/null || fail "persist on the host failed"
ok "reference run on the host: $(tail -n 1 "$work/ref.out")"

# lost_ms NAME: the work lost at the cut that ended boot NAME, from the
# next boot's "ps: commit_time_ns" and NAME's last heartbeat
lost_ms()
{
	local hb ct
	hb=$(grep -o '^hb: [0-9]*$' "$work/$1.out" | tail -n 1 | cut -d' ' -f2)
	ct=$(sed -n 's/^ps: "commit_time_ns":\([0-9]*\)$/\1/p' "$work/$2.out")
	[ -n "$hb" ] && [ -n "$ct" ] || { echo "?"; return; }
	echo $(( (hb - ct) / 1000000 ))
}

names=(boot0)
powercut_cut boot0 'marker: running' --env PHASE=init --script "$guest" "${env[@]}"
for i in $(seq 1 "$cuts"); do
	powercut_cut "cut$i" 'marker: running' --env PHASE=cut --script "$guest" "${env[@]}"
	names+=("cut$i")
done
powercut_vm final --timeout 1800 --env PHASE=final --script "$guest" "${env[@]}" ||
	{ cat "$work/final.out" "$work/final.err"; fail "final boot failed"; }
names+=(final)
expect_line "$work/final.out" "exit: 0"

# the states nvemu ps showed, and the work lost at each cut
figures=
for ((k = 1; k < ${#names[@]}; k++)); do
	n=${names[$k]}
	grep -qx 'ps: "state":"interrupted"' "$work/$n.out" ||
		{ cat "$work/$n.out"; fail "$n: the process was not shown interrupted"; }
	ms=$(lost_ms "${names[$((k - 1))]}" "$n")
	figures+=" $ms"
	[ "$ms" != "?" ] || fail "$n: no heartbeat or commit time to measure the lost work"
	[ "$ms" -le "$lost_max" ] ||
		fail "$n: $ms ms of work lost at the cut, more than $lost_max"
done
ok "work lost at each cut (ms, interval $interval):$figures"

# the output: in order, each line once or (at most one per cut) twice
for n in "${names[@]}"; do
	sed -n 's/^out: //p' "$work/$n.out"
done > "$work/all.out"
summary=$(python3 - "$work/ref.out" "$work/all.out" "$cuts" <<'PY'
import sys
ref = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2]).read().splitlines()
cuts = int(sys.argv[3])
i = twice = 0
prev = None
for line in got:
    if i < len(ref) and line == ref[i]:
        prev = line
        i += 1
    elif line == prev:
        twice += 1
    else:
        print(f"unexpected line {line!r} after {prev!r}")
        sys.exit(1)
if i != len(ref):
    print(f"only {i} of {len(ref)} reference lines")
    sys.exit(1)
if twice > cuts:
    print(f"{twice} repeated lines for {cuts} cuts")
    sys.exit(1)
print(f"output: {len(ref)} lines as the reference, {twice} repeated")
PY
) || { echo "$summary"; fail "the output differs from the reference"; }
ok "$summary"
sed -n 's/^file: //p' "$work/final.out" > "$work/final.file"
cmp "$work/ref.file" "$work/final.file" || fail "the result file differs from the reference"
ok "result file: $(wc -c < "$work/ref.file") bytes, identical to the reference"
