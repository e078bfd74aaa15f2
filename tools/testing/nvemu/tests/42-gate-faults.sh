#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64
#
# Two error paths of the driver that only a concurrent or failing kernel
# reaches (x86_64: the test kernel has failslab and fail-nth):
#  - with nvemu.merge=0 behind the restore gate, opening the gate fails
#    when a region cannot be created; every failed attempt leaves no
#    region registered, and the attempt that succeeds registers each
#    range exactly once - each of the first three: the default process
#    area (160 MiB of the 640) and the metadata cover the fourth range
#    whole, which gets no region;
#  - NVEMU_IOC_CHANGED, as every save calls it, does not claim the NVM:
#    a namespace enabled at the same time is never refused with EBUSY.
. "$(dirname "$0")/lib.sh"

out=$WORK/out

vm --reboots 10 --append "nvemu.merge=0 nvemu.restore=wait nvemu=$R_A,$R_B,$R_C,$R_D" \
	--script "$GUEST/42-gate-faults.sh" > "$out" ||
	{ cat "$out"; fail "guest command failed"; }
cat "$out"

while read -r line; do
	[ "$line" = "regions before: 0" ] || fail "regions behind the gate: $line"
done < <(grep '^regions before:' "$out")
ok "no region behind the gate, on each boot"
# ENXIO: nvemu_regions_register() could not create a region
injected=$(grep -c '^attempt [0-9]*: injected, errno 6$' "$out" || true)
[ "$injected" -ge 3 ] ||
	fail "expected a failed region creation for each of the 3 regions, saw $injected"
ok "failed openings of the gate: $injected"
grep -Eq '^attempt [0-9]+: ok$' "$out" ||
	fail "no attempt ran without an injected failure"
while read -r line; do
	[ "$line" = "after attempt: regions 0" ] || fail "a failed opening left regions: $line"
done < <(grep '^after attempt:' "$out")
ok "no failed opening left a region"
expect_eq "regions after" "regions after: 3" "$(grep '^regions after:' "$out")"
expect_eq "distinct region resources" "distinct: 3" "$(grep '^distinct:' "$out")"
expect_eq "restore pending" "restore_pending: 0" "$(grep '^restore_pending:' "$out")"

# The old check claimed every range for a moment: with it, 18 of 58 binds
# in 30 s failed with EBUSY.
vm --append "nvemu=$R_A,$R_B" --env SECONDS_LOOP=30 \
	--script "$GUEST/42-changed-vs-enable.sh" > "$out" ||
	{ cat "$out"; fail "guest command failed"; }
cat "$out"
binds=$(sed -n 's/^binds: \([0-9]*\)$/\1/p' "$out")
[ -n "$binds" ] && [ "$binds" -ge 20 ] ||
	fail "too few binds to race with NVEMU_IOC_CHANGED: ${binds:-none}"
calls=$(sed -n 's/^changed: \([0-9]*\) calls$/\1/p' "$out")
[ -n "$calls" ] && [ "$calls" -gt 0 ] || fail "NVEMU_IOC_CHANGED did not run"
ok "$binds binds alongside $calls NVEMU_IOC_CHANGED calls"
expect_eq "binds refused" "failures: 0" "$(grep '^failures:' "$out")"
