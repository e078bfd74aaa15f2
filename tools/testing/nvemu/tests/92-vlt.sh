#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# The power-cut test of vlt functions (issue 11): vltwork (guest/vltwork.c,
# built with the vlt plugin) calls vlt functions from a driver loop, a
# matrix product and a sort in turn (VLT_WORK=both, the default; mat or
# sort for one of them), each call seconds long under TCG, as a persistent
# process; the power is cut
# (RAM file, SIGKILL of QEMU) at a random moment of every boot and the next
# boot resumes it (guest/92-vlt.sh).  The host checks:
#   - the result file and the result line are byte-identical to a plain
#     run of the same program on the host, built without vlt;
#   - every output line appears in order, once, or twice when a cut fell
#     inside its write (at most one per cut);
#   - each boot finds the process inside a vlt function or not (nvemu ps:
#     in_vlt), and its re-run count is exactly the number of boots before
#     that found it inside: one re-execution per cut inside a call;
#   - the runs file (a counter per call, bumped when the call's body
#     starts, a write no commit covers) is 1 for every call no cut fell
#     inside (no call that had returned ran again) and at most 1 + the
#     cuts inside it for the others.
# It prints how many cuts fell inside calls and how many outside.
# Cuts: VLT_CUTS (default 10, as the issue asks per architecture).
. "$(dirname "$0")/lib.sh"

mem=2G
case $ARCH in
x86_64)	ranges=768M@0x40000000 ;;
arm64)	ranges=768M@0x80000000 ;;
esac
# both: odd calls multiply 400 x 400 matrices, even ones sort 1.6 M keys
work_kind=${VLT_WORK:-both}
cuts=${VLT_CUTS:-10}
size=${VLT_SIZE:-400}
calls=${VLT_CALLS:-40}
[[ $cuts =~ ^[0-9]+$ ]] || fail "VLT_CUTS=$cuts: need a number"

powercut_setup "vlt-$work_kind"
guest=$GUEST/92-vlt.sh
env=(--append "nvemu.proc_size=384M" --env WORK="$work_kind"
     --env CALLS="$calls" --env SIZE="$size")

# the reference: the same program on the host, plain, without vlt
gcc -std=gnu11 -O2 -ffp-contract=off -DNVEMU_VLT_OFF -I"$TOP/include/uapi" \
	-I"$TOP/tools/vlt/include" -I"$TOP/tools/testing/nvemu/guest" \
	-o "$work/vltwork-host" "$TOP/tools/testing/nvemu/guest/vltwork.c" ||
	fail "cannot build vltwork for the host"
"$work/vltwork-host" --work "$work_kind" --calls "$calls" --size "$size" \
	--out "$work/ref.file" > "$work/ref.out" || fail "vltwork on the host failed"
ok "reference run on the host: $(tail -n 1 "$work/ref.out")"

first_ps()
{
	sed -n "s/^ps: \"$2\"://p" "$work/$1.out" | head -n 1
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

# the output: in order, each line once or (at most one per cut) twice
for n in "${names[@]}"; do
	sed -n 's/^out: //p' "$work/$n.out"
done > "$work/all.out"
for n in "${names[@]}"; do
	echo "$n $(first_ps "$n" in_vlt) $(first_ps "$n" vlt_reruns)"
done > "$work/states"
sed -n 's/^runs: //p' "$work/final.out" > "$work/runs"
summary=$(python3 - "$work/ref.out" "$work/all.out" "$work/states" "$work/runs" "${names[@]}" <<'PY'
import sys
ref = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2]).read().splitlines()
states = [l.split() for l in open(sys.argv[3]).read().splitlines()]
runs = [int(x) for x in open(sys.argv[4]).read().split()]
names = sys.argv[5:]
cuts = len(names) - 1
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
# the call each cut fell in: the last "begin K" printed before it
inside = outside = 0
cut_in = {}
last = None
for k, (name, in_vlt, reruns) in enumerate(states[1:], 1):
    with open(sys.argv[2].replace("all.out", f"{states[k - 1][0]}.out")) as f:
        for l in f:
            if l.startswith("out: begin "):
                last = int(l.split()[2])
    if int(reruns) != inside:
        print(f"{name}: {reruns} re-runs shown, {inside} cuts fell inside a call before")
        sys.exit(1)
    if in_vlt == "true":
        if last is None:
            print(f"{name}: inside a call, but no call began before the cut")
            sys.exit(1)
        inside += 1
        cut_in[last] = cut_in.get(last, 0) + 1
    elif in_vlt == "false":
        outside += 1
    else:
        print(f"{name}: nvemu ps showed no in_vlt ({in_vlt!r})")
        sys.exit(1)
calls = len([l for l in ref if l.startswith("end ")])
if len(runs) != calls:
    print(f"{len(runs)} run counters for {calls} calls")
    sys.exit(1)
for k in range(1, calls + 1):
    n, c = runs[k - 1], cut_in.get(k, 0)
    if not 1 <= n <= 1 + c or (not c and n != 1):
        print(f"call {k}: its body ran {n} times with {c} cuts inside it")
        sys.exit(1)
print(f"{cuts} cuts: {inside} inside a call (each re-run once), {outside} outside; "
      f"{len(ref)} lines as the reference, {twice} repeated; "
      f"bodies run {sum(runs)} times for {calls} calls")
PY
) || { echo "$summary"; fail "the vlt run differs from the model"; }
ok "$summary"
want="$(sha256sum < "$work/ref.file" | cut -d' ' -f1) $(wc -c < "$work/ref.file")"
got=$(sed -n 's/^file: //p' "$work/final.out")
[ "$got" = "$want" ] ||
	fail "the result file differs from the reference: SHA-256 and size '$got', not '$want'"
ok "result file: $(wc -c < "$work/ref.file") bytes, identical to the reference (SHA-256)"
