#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64
#
# With KASLR the decompressor chooses the kernel's physical address before
# nvemu= is parsed; it must keep away from the nvemu ranges.  One range
# covers half of the 2 GiB of RAM, so a decompressor that ignored nvemu=
# would land in it about every other boot; three boots must all keep the
# range and show the kernel outside it.
. "$(dirname "$0")/lib.sh"

range=1G@0x20000000
for boot in 1 2 3; do
	out=$(vm --append "nvemu=$range" -- '
		dmesg | grep -E "nvemu: (reserved|ignoring)"
		grep "Kernel code" /proc/iomem | sed "s/^ *//"') ||
		fail "boot $boot: guest command failed"
	echo "$out"
	grep -qxF "nvemu: reserved [mem 0x20000000-0x5fffffff] (1024 MiB) as emulated NVM" \
		<<< "$(sed 's/^\[ *[0-9.]*\] //' <<< "$out")" ||
		fail "boot $boot: the range was not reserved"
	code=$(grep 'Kernel code' <<< "$out" | cut -d' ' -f1)
	start=$((0x${code%-*}))
	end=$((0x${code#*-}))
	if [ $end -ge $((0x20000000)) ] && [ $start -le $((0x5fffffff)) ]; then
		fail "boot $boot: kernel code $code inside the nvemu range"
	fi
	ok "boot $boot: kernel code at $code, outside $range"
done
