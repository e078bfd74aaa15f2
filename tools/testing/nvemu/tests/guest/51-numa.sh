#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/51-numa.sh (run-vm --script: busybox sh in the guest).
# SELFTEST: the guest command that runs every kselftest program
# (tests/lib.sh), a shell command line: run with eval.
set -e
ls -d /sys/devices/system/node/node* | wc -l | sed 's/^/nodes /'
nvemu info --json
for r in /sys/bus/nd/devices/region*; do
	echo "$(basename $r) numa_node $(cat $r/numa_node)"
done | sort
ndctl disable-region all > /dev/null
eval "$SELFTEST" > /tmp/st.log 2>&1 || { cat /tmp/st.log; exit 1; }
tail -n 1 /tmp/st.log
