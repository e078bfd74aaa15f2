# SPDX-License-Identifier: GPL-2.0
# Guest side of 42-gate-faults.sh, first guest: open the restore gate with
# the N-th slab allocation of the ioctl failing (fail-nth), N = 1, 2, ...,
# counting the regions after each attempt.
#
# Some allocations are allowed to fail (async_schedule() then runs the
# registration at once): the gate opens although a failure was injected.
# To go on with the next N, the boot stores N in the NVM, clears the
# metadata header and resets: the next boot finds no metadata, so the gate
# is closed again.
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

# the N to start from: "next N" at device offset 0, from the last boot
n=$(dd if=/dev/nvemu0 bs=16 count=1 2>/dev/null | tr -d '\0' |
	sed -n 's/^next \([0-9]*\)$/\1/p')
n=${n:-1}
echo "== boot $NVEMU_BOOT from attempt $n"
echo "regions before: $(regions)"
while :; do
	line=$(gatecheck open-faults-once /dev/nvemu0 $n)
	echo "$line"
	case $line in
	*": ok") break ;;
	*"injected, ok")
		# the gate is open: close it again for attempt n + 1
		ndctl disable-region all > /dev/null
		printf 'next %d\n' $((n + 1)) |
			dd of=/dev/nvemu0 bs=16 count=1 conv=sync,notrunc 2> /dev/null
		meta=$(nvemu info --json | sed 's/.*"meta_offset":\([0-9]*\).*/\1/')
		dd if=/dev/zero of=/dev/nvemu0 bs=4096 count=1 \
			seek=$((meta / 4096)) conv=notrunc 2> /dev/null
		sync
		reboot -f
		;;
	esac
	echo "after attempt: regions $(settle)"
	n=$((n + 1))
	[ $n -lt 100 ] || { echo "the gate never opened"; exit 1; }
done
echo "regions after: $(settle)"
echo "distinct: $(cat /sys/bus/nd/devices/region*/resource | sort -u | wc -l)"
echo "restore_pending: $(cat /sys/bus/platform/devices/nvemu/restore_pending)"
