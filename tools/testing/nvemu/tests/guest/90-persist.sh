#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/90-persist.sh (run-vm --script: busybox sh in the
# guest).  /mnt is an ext4 file system with dax on an fsdax namespace of
# the NVM: the result file and the process's id live there, so they
# survive the power cuts with the process.
#   PHASE=init:  the file system, then `nvemu run persist` until the power
#                is cut (the host cuts after "marker: running")
#   PHASE=cut:   `nvemu resume --wait` until the power is cut
#   PHASE=final: `nvemu resume --wait` to the end, then the result file
# Every line of the program's standard output is printed as "out: LINE";
# "marker: running" follows its first line of this boot.
set -e
if [ "$PHASE" = init ]; then
	ndctl create-namespace -f -e namespace0.0 -m fsdax -M mem > /dev/null
	# dax needs file system blocks of the page size
	ps=$(sed -n "s/^KernelPageSize: *\([0-9]*\) kB$/\1/p" /proc/self/smaps | head -n 1)
	mkfs.ext4 -q -F -b $((ps * 1024)) /dev/pmem0
fi
mount -o dax /dev/pmem0 /mnt
cd /mnt
nvemu ps
tag() { awk '{ print "out: " $0 } !m { print "marker: running"; m = 1 } { fflush() }'; }
# a heartbeat of the guest's clock, the last one tells when the power went
if [ "$PHASE" != final ]; then
	(while :; do echo "hb: $(pblock now)"; sleep 0.2; done) &
fi
if [ "$PHASE" = init ]; then
	nvemu run --name persist --interval "$INTERVAL" --id-file /mnt/id -- \
		persist --steps "$STEPS" --heap-mib "$HEAP" --out /mnt/result | tag
	echo "exit: run ended before the cut"
	exit 1
fi
id=$(cat /mnt/id)
# its state and the time of its last commit, for the host's figures
nvemu ps --json | tr -d '\n' | sed 's/.*"processes":\[//' | tr '}' '\n' |
	grep "\"id\":$id," | grep -o '"\(state\|commit_time_ns\|commits\)":[^,]*' |
	sed 's/^/ps: /'
{ nvemu resume --wait "$id"; echo $? > /tmp/status; } | tag
if [ "$PHASE" = cut ]; then
	echo "exit: resumed process ended before the cut ($(cat /tmp/status))"
	exit 1
fi
echo "exit: $(cat /tmp/status)"
sed 's/^/file: /' /mnt/result
cd /
umount /mnt
