#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/70-powercut-sector.sh (run-vm --script: busybox sh in the guest).
# PHASE=init: create the BTT (4 KiB sectors) and the stamps, check them;
# cut: check, then write until the host cuts the power (SEED: blkstamp's
# seed); final: check only.
set -e
case $PHASE in
init)
	ndctl create-namespace -f -e namespace0.0 -m sector -l 4096 > /tmp/ns
	grep -E "\"(mode|sector_size|blockdev)\"" /tmp/ns | tr -d " ,"
	blkstamp init /dev/pmem0s
	blkstamp check /dev/pmem0s
	;;
cut)
	ndctl list -N | grep -E "\"(mode|blockdev)\"" | tr -d " ,"
	blkstamp check /dev/pmem0s
	blkstamp write /dev/pmem0s --seed "$SEED"
	;;
final)
	ndctl list -N | grep -E "\"(mode|blockdev)\"" | tr -d " ,"
	blkstamp check /dev/pmem0s
	;;
*)
	echo "unknown PHASE '$PHASE'" >&2
	exit 2
	;;
esac
