# SPDX-License-Identifier: GPL-2.0
# Guest side of 42-gate-faults.sh, second boot: bind and unbind the raw
# namespace of the nvemu region for SECONDS_LOOP seconds, while a process
# calls NVEMU_IOC_CHANGED in a loop, as saves do (one at a time: a second
# would get EBUSY).  Prints the number of binds and of failed ones.
set -e
ns=$(ndctl list -N -b nvemu | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -1)
[ -n "$ns" ] || { echo "no namespace"; exit 1; }
drv=/sys/bus/nd/drivers/nd_pmem
[ -e "$drv/$ns" ] || { echo "$ns is not bound to nd_pmem"; exit 1; }
gatecheck changed-loop /dev/nvemu0 "$SECONDS_LOOP" > /tmp/changed &
pid=$!
failures=0
i=0
while kill -0 $pid 2> /dev/null; do
	echo "$ns" > $drv/unbind
	echo "$ns" > $drv/bind 2> /dev/null || failures=$((failures + 1))
	# a failed probe leaves it unbound: bind again for the next round
	while [ ! -e "$drv/$ns" ]; do
		echo "$ns" > $drv/bind 2> /dev/null || true
	done
	i=$((i + 1))
done
echo "binds: $i"
wait $pid
cat /tmp/changed
echo "failures: $failures"
