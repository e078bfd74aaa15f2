#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: arm64
#
# The arm64 kernel with 64K pages: the alignment rule becomes 512 MiB (one
# memory section), the selftests pass on two 512 MiB ranges, and an fsdax
# namespace holds an ext4 file system with 64K blocks mounted with -o dax.
. "$(dirname "$0")/lib.sh"

out=$WORK/out
# RAM is 1G..4G; the ranges leave a 512 MiB gap and the top 512 MiB, where
# QEMU puts the device tree, free.  They form one region of 1 GiB less the
# 16 MiB of metadata, which is not a multiple of the default fsdax
# alignment (a 512 MiB PMD) that ndctl wants: -a 64K.
vm --page-size 64k --mem 3G --append "nvemu=512M@0x80000000,512M@0xc0000000,128M@0xe0000000" \
	--env SELFTEST="$SELFTEST" --script "$GUEST/50-arm64-64k.sh" > "$out" || { cat "$out"; fail "guest command failed"; }
cat "$out"
# 64K pages: a PMD maps 8192 pages of 64 KiB
expect_line "$out" "pmd_size 536870912"
expect_line "$out" "nvemu: ignoring '128M@0xe0000000': start and size must be multiples of the memory section size (512 MiB)"
expect_line "$out" "nvemu nvemu: /dev/nvemu0: 2 range(s), 1024 MiB of emulated NVM in one region"
expect_line "$out" "mounted with dax"
expect_line "$out" "file ok"
