#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: x86_64 arm64
#
# Every class of bad nvemu= input gets its own "nvemu:" line, the system
# boots, and the valid ranges given around the bad ones work.
. "$(dirname "$0")/lib.sh"

case $ARCH in
x86_64)
	notram=128M@0x80000000		# above the 2 GiB of RAM
	fwres=256M@0xb0000000		# q35 PCIe MMCONFIG window
	kernel=128M@0x0			# the kernel loads at 16 MiB
	initrd=128M@0x78000000		# QEMU puts the initrd at the top
	;;
arm64)
	notram=128M@0x100000000		# above the 2 GiB of RAM at 1 GiB
	fwres=128M@0x8000000		# GIC and UART MMIO, not RAM
	kernel=128M@0x40000000		# the kernel loads at 1 GiB + 2 MiB
	initrd=128M@0x48000000		# QEMU puts the initrd at 1 GiB + 128 MiB
	;;
esac
mib=128

out=$WORK/out
# nokaslr: the "kernel image" case needs the kernel at its default place
vm --append "nokaslr nvemu=$R_A,abc,0@0x50000000,2G@0xffffffffc0000000 \
nvemu=64M@0x60000000,$notram,$fwres,$R_A,$kernel,$initrd,256M@0x40000000x \
nvemu=$R_C" --script "$GUEST/30-bad-params.sh" > "$out"

ra=${R_A%@*}; ra_start=${R_A#*@}
expect_line "$out" "nvemu: ignoring 'abc': expected SIZE@START, e.g. nvemu=512M@0x100000000"
expect_line "$out" "nvemu: ignoring '0@0x50000000': size is zero"
expect_line "$out" "nvemu: ignoring '2G@0xffffffffc0000000': start + size overflows the physical address space"
expect_line "$out" "nvemu: ignoring '64M@0x60000000': start and size must be multiples of the memory section size ($mib MiB)"
expect_line "$out" "nvemu: ignoring '256M@0x40000000x': expected SIZE@START, e.g. nvemu=512M@0x100000000"
r=$(printf '[mem 0x%08x-0x%08x]' "$ra_start" $((ra_start + (${ra%M} << 20) - 1)))
expect_line "$out" "nvemu: ignoring '$R_A': overlaps a range given earlier: $r"

range_line() # SIZE@START -> "[mem 0x...-0x...]"
{
	local size=${1%@*} start=$(($(printf '%d' "${1#*@}")))
	printf '[mem 0x%08x-0x%08x]' "$start" $((start + (${size%M} << 20) - 1))
}
notram_msg="not entirely System RAM (a hole, firmware-reserved memory or beyond the end of RAM; see /proc/iomem)"
expect_line "$out" "nvemu: ignoring $(range_line "$notram"): $notram_msg"
expect_line "$out" "nvemu: ignoring $(range_line "$fwres"): $notram_msg"
expect_line "$out" "nvemu: ignoring $(range_line "$kernel"): overlaps the kernel image"
expect_line "$out" "nvemu: ignoring $(range_line "$initrd"): overlaps the initrd"
expect_line "$out" "nvemu: reserved $(range_line "$R_A") (${ra%M} MiB) as emulated NVM"
rc=${R_C%@*}
expect_line "$out" "nvemu: reserved $(range_line "$R_C") (${rc%M} MiB) as emulated NVM"
expect_line "$out" "nvemu nvemu: /dev/nvemu0: 2 range(s), $(( ${ra%M} + ${rc%M} )) MiB of emulated NVM in one region"

# Exactly the two valid ranges are in the iomem tree and the device
iomem=$(sed -n '/^== iomem/,/^== info/p' "$out" | grep -c 'Persistent Memory (nvemu)')
expect_eq "nvemu iomem resources" 2 "$iomem"
json=$(grep '^{"device"' "$out")
expect_eq "total_size" $(( (${ra%M} + ${rc%M}) << 20 )) "$(echo "$json" | sed 's/.*"total_size":\([0-9]*\).*/\1/')"
expect_eq "nr_ranges" 2 "$(echo "$json" | sed 's/.*"nr_ranges":\([0-9]*\).*/\1/')"
# No other nvemu line: each bad item was reported exactly once
n=$(grep -c '] nvemu: ignoring' "$out")
expect_eq "number of 'ignoring' lines" 10 "$n"
