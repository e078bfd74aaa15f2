# SPDX-License-Identifier: GPL-2.0
# Guest side of 42-gate-faults.sh, first boot: open the restore gate with
# failing slab allocations (fail-nth), counting the regions each time.
set -e
regions() { ls -d /sys/bus/nd/devices/region* 2>/dev/null | wc -l; }
# regions appear asynchronously: wait until the count is stable
settle() {
	local n=-1 m i=0
	while [ $i -lt 50 ]; do
		m=$(regions)
		[ "$m" = "$n" ] && break
		n=$m
		sleep 0.2
		i=$((i + 1))
	done
	echo "$n"
}
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
fs=/sys/kernel/debug/failslab
echo 0 > $fs/verbose			# no stack trace per injected failure
echo N > $fs/ignore-gfp-wait		# GFP_KERNEL allocations may fail too
echo "regions before: $(regions)"
n=1
while :; do
	# one attempt at a time, so that the regions can be counted between
	line=$(gatecheck open-faults-once /dev/nvemu0 $n)
	echo "$line"
	case $line in
	*ok) break ;;
	esac
	echo "after attempt: regions $(settle)"
	n=$((n + 1))
	[ $n -lt 1000 ] || { echo "the gate never opened"; exit 1; }
done
echo "regions after: $(settle)"
echo "distinct: $(cat /sys/bus/nd/devices/region*/resource | sort -u | wc -l)"
echo "restore_pending: $(cat /sys/bus/platform/devices/nvemu/restore_pending)"
