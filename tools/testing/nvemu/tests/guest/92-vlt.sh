#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/92-vlt.sh (run-vm --script: busybox sh in the
# guest).  /mnt is an ext4 file system with dax on an fsdax namespace of
# the NVM: the result file, the runs file and the process's id live there.
#   PHASE=init:  the file system, a zeroed runs file, then `nvemu run
#                vltwork --work $WORK` until the power is cut (the host cuts
#                after "marker: running")
#   PHASE=cut:   the state nvemu ps shows (in a vlt function or not, the
#                re-runs so far), then `nvemu resume --wait` until the cut
#   PHASE=final: the same to the end, then the result file's SHA-256 and
#                size and the runs file's counters
# Every line of vltwork's standard output is printed as "out: LINE";
# "marker: running" follows its first line of this boot.
set -e
if [ "$PHASE" = init ]; then
	ndctl create-namespace -f -e namespace0.0 -m fsdax -M mem > /dev/null
	ps=$(sed -n "s/^KernelPageSize: *\([0-9]*\) kB$/\1/p" /proc/self/smaps | head -n 1)
	mkfs.ext4 -q -F -b $((ps * 1024)) /dev/pmem0
fi
mount -o dax /dev/pmem0 /mnt
cd /mnt
tag() { awk '{ print "out: " $0 } !m { print "marker: running"; m = 1 } { fflush() }'; }
ps_field()
{
	nvemu ps --json | tr -d '\n' | sed 's/.*"processes":\[//' | tr '}' '\n' |
		grep "\"id\":$1," | grep -o "\"$2\":[^,]*" | cut -d: -f2
}

if [ "$PHASE" = init ]; then
	dd if=/dev/zero of=/mnt/runs bs=4 count="$CALLS" 2> /dev/null
	nvemu run --name vltwork --id-file /mnt/id -- vltwork --work "$WORK" \
		--calls "$CALLS" --size "$SIZE" --out /mnt/result \
		--runs /mnt/runs | tag
	echo "exit: run ended before the cut"
	exit 1
fi

id=$(cat /mnt/id)
for f in state in_vlt vlt_reruns; do
	echo "ps: \"$f\":$(ps_field "$id" $f)"
done
: > /tmp/out
{ st=0; nvemu resume --wait "$id" || st=$?; echo $st > /tmp/status; } | tag | tee /tmp/out
if [ "$PHASE" = cut ]; then
	echo "exit: resumed process ended before the cut ($(cat /tmp/status))"
	exit 1
fi
echo "exit: $(cat /tmp/status)"
echo "file: $(sha256sum < /mnt/result | cut -d' ' -f1) $(wc -c < /mnt/result)"
echo "runs: $(od -An -tu4 -v /mnt/runs | tr -s ' \n' '  ')"
cd /
umount /mnt
