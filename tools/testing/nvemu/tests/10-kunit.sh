#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# The built-in KUnit suites of nvemu run at boot; every case of each must
# pass: nvemu_param (parameter parser, range checks), nvemu_proc (the
# size of the process area: nvemu.proc_size, its default), nvemu_record
# (the record of changed segments), nvemu_state (the save/restore state),
# nvemu_pmap (the pool allocator and page map of persistent processes,
# 4K and 64K pages) and nvemu_slot (the slot's commit word and halves,
# with a power cut simulated after every store of a commit, and the
# process states a slot shows through its life).
. "$(dirname "$0")/lib.sh"

out=$WORK/out
vm -- 'dmesg | sed -n "/# Subtest: nvemu_/,/ok [0-9]* nvemu_[a-z]*\$/p"' > "$out"
cat "$out"
# each suite with the number of cases it has today; fewer means cases
# were lost
for suite in nvemu_param:48 nvemu_proc:47 nvemu_record:9 nvemu_state:7 \
	     nvemu_pmap:21 nvemu_slot:10; do
	name=${suite%:*} want=${suite#*:}
	part=$(sed -n "/# Subtest: $name\$/,/ok [0-9]* $name\$/p" "$out")
	grep -Eq "^\[ *[0-9.]+\] +ok [0-9]+ $name\$" <<< "$part" ||
		fail "suite $name did not pass"
	! grep -q 'not ok' <<< "$part" || fail "$name: failing KUnit cases"
	tot=$(grep -Eo '# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+' <<< "$part" | tail -1)
	[ -n "$tot" ] || fail "$name: no KUnit totals line"
	set -- $(echo "$tot" | tr -c '0-9\n' ' ')
	[ "$2" = 0 ] && [ "$3" = 0 ] && [ "$1" = "$4" ] || fail "$name: $tot"
	[ "$4" -ge "$want" ] ||
		fail "$name ran only $4 cases, expected at least $want"
	ok "KUnit $name: $tot"
done
