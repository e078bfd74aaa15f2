#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/90-persist.sh (run-vm --script: busybox sh in the
# guest).  /mnt is an ext4 file system with dax on an fsdax namespace of
# the NVM: the result file and the processes' ids live there, so they
# survive the power cuts with the processes.
#   PHASE=init:  the file system; two persistent processes blocked in a
#                system call (pblock read on a pipe, pblock sleep); then
#                `nvemu run persist` until the power is cut (the host cuts
#                after "marker: running")
#   PHASE=cut:   `nvemu resume --wait` until the power is cut; the first
#                one also resumes the two pblocks and prints their lines
#   DAMAGE:      init also starts a third blocked pblock and prints its
#                slot and the area's offset, for the host to damage; the
#                first cut boot shows it damaged, fails to resume it and
#                discards it
#   PHASE=panic, reset, cold: `nvemu resume --wait`, and DELAY seconds
#                after the first line of output a kernel panic (sysrq c),
#                a warm reset (reboot -f), or an orderly shutdown (SIGTERM
#                to the process, as init's kill does) followed by the
#                shutdown save to /dev/nvme0n1 (UNIT_STOP, the ExecStop=
#                line of nvemu.service); the boot after a panic or reset
#                (run-vm --reboots 1, NVEMU_BOOT=1) only shows the state
#   PHASE=final: `nvemu resume --wait` to the end, then the result file's
#                SHA-256 and size
#   UNIT_START (any phase but init): first restore the NVM from
#                /dev/nvme0n1 (the ExecStart= line of nvemu.service)
# Every line of persist's standard output is printed as "out: LINE";
# "marker: running" follows its first line of this boot.
set -e
# shellcheck disable=SC2034 # the unit lines expand them
NVEMU_TARGET=/dev/nvme0n1
# shellcheck disable=SC2034
NVEMU_OPTS=--json
if [ "$PHASE" = init ]; then
	ndctl create-namespace -f -e namespace0.0 -m fsdax -M mem > /dev/null
	# dax needs file system blocks of the page size
	ps=$(sed -n "s/^KernelPageSize: *\([0-9]*\) kB$/\1/p" /proc/self/smaps | head -n 1)
	mkfs.ext4 -q -F -b $((ps * 1024)) /dev/pmem0
elif [ -n "${UNIT_START:-}" ]; then
	eval "$UNIT_START"
	n=0
	until [ -b /dev/pmem0 ]; do
		n=$((n + 1)); [ $n -lt 100 ] || { echo "no /dev/pmem0 after the restore"; exit 1; }
		sleep 0.1
	done
fi
mount -o dax /dev/pmem0 /mnt
cd /mnt
nvemu ps
tag() { awk '{ print "out: " $0 } !m { print "marker: running"; m = 1 } { fflush() }'; }
# ps_field ID FIELD: a field of nvemu ps --json for process ID
ps_field()
{
	nvemu ps --json | tr -d '\n' | sed 's/.*"processes":\[//' | tr '}' '\n' |
		grep "\"id\":$1," | grep -o "\"$2\":[^,]*" | cut -d: -f2
}

if [ "$PHASE" != init ]; then
	id=$(cat /mnt/id)
	# its state and the time of its last commit, for the host's figures
	for f in state commit_time_ns commits; do
		echo "ps: \"$f\":$(ps_field "$id" $f)"
	done
fi
if [ "${NVEMU_BOOT:-0}" != 0 ]; then
	echo "exit: the boot after the $PHASE"
	cd /
	umount /mnt
	exit 0
fi

# a heartbeat of the guest's clock, the last one tells when the power went
if [ "$PHASE" != final ]; then
	(while :; do echo "hb: $(pblock now)"; sleep 0.2; done) &
	hb=$!
fi

if [ "$PHASE" = init ]; then
	# blocked in an external call at their commit: a read of a pipe that
	# nobody writes (the writer sleeps), and a sleep
	sleep 100000 | nvemu run -q --name pread --id-file /mnt/id-read -- \
		pblock read > /dev/null 2>&1 &
	nvemu run -q --name psleep --id-file /mnt/id-sleep -- \
		pblock sleep 100000 > /dev/null 2>&1 &
	n=0
	until [ "$(ps_field "$(cat /mnt/id-read 2> /dev/null)" in_syscall)" = true ] &&
	      [ "$(ps_field "$(cat /mnt/id-sleep 2> /dev/null)" in_syscall)" = true ]; do
		n=$((n + 1)); [ $n -lt 300 ] || { echo "exit: the pblocks did not block"; exit 1; }
		sleep 0.1
	done
	echo "pblock: both blocked"
	if [ -n "${DAMAGE:-}" ]; then
		# a third one, whose slot the host damages after the cut
		nvemu run -q --name pdamage --id-file /mnt/id-damage -- \
			pblock sleep 100000 > /dev/null 2>&1 &
		n=0
		until [ "$(ps_field "$(cat /mnt/id-damage 2> /dev/null)" in_syscall)" = true ]; do
			n=$((n + 1)); [ $n -lt 300 ] || { echo "exit: pdamage did not block"; exit 1; }
			sleep 0.1
		done
		echo "damage: slot $(ps_field "$(cat /mnt/id-damage)" slot)"
		dmesg | sed -n 's/.*process area: [0-9]* MiB at offset \(0x[0-9a-f]*\) .*/damage: area \1/p'
	fi
	nvemu run --name persist --interval "$INTERVAL" --id-file /mnt/id -- \
		persist --steps "$STEPS" --heap-mib "$HEAP" --out /mnt/result | tag
	echo "exit: run ended before the cut"
	exit 1
fi

if [ -e /mnt/id-damage ]; then
	# its slot was damaged: shown so, never resumed, discarded; the
	# others resume
	did=$(cat /mnt/id-damage)
	echo "damage: state $(ps_field "$did" state)"
	st=0
	nvemu resume "$did" > /tmp/damage 2>&1 || st=$?
	echo "damage: resume $st $(cat /tmp/damage)"
	st=0
	nvemu discard "$did" || st=$?
	echo "damage: discard $st"
	rm /mnt/id-damage
fi
if [ -e /mnt/id-read ]; then
	# the first boot after the cut resumes the pblocks: their calls fail
	# with EINTR and a SIGPWR tells them
	nvemu resume "$(cat /mnt/id-read)" "$(cat /mnt/id-sleep)" < /dev/null > /tmp/pblock 2>&1
	n=0
	until [ "$(grep -c '^\(read\|sleep\):' /tmp/pblock)" = 2 ]; do
		n=$((n + 1)); [ $n -lt 300 ] || break
		sleep 0.1
	done
	grep '^\(read\|sleep\):' /tmp/pblock | sort | sed 's/^/pblock: /'
	rm /mnt/id-read /mnt/id-sleep
fi

: > /tmp/out
# (set -e: the status of a process killed by a signal is not 0)
{ st=0; nvemu resume --wait "$id" || st=$?; echo $st > /tmp/status; } | tag | tee /tmp/out &
resumed=$!
case $PHASE in
panic|reset|cold)
	until grep -q '^marker: running$' /tmp/out; do sleep 0.1; done
	sleep "$DELAY"
	case $PHASE in
	panic)	echo c > /proc/sysrq-trigger ;;
	reset)	reboot -f ;;
	cold)
		kill "$hb"
		kill -TERM "$(ps_field "$id" pid)"
		n=0
		until [ -s /tmp/status ]; do
			n=$((n + 1)); [ $n -lt 300 ] || break
			sleep 0.1
		done
		echo "exit: $(cat /tmp/status)"
		echo "ps: \"state\":$(ps_field "$id" state)"
		cd /
		umount /mnt
		eval "$UNIT_STOP"
		exit 0 ;;
	esac
	sleep 60
	echo "exit: no $PHASE"
	exit 1 ;;
esac
wait "$resumed"
if [ "$PHASE" = cut ]; then
	echo "exit: resumed process ended before the cut ($(cat /tmp/status))"
	exit 1
fi
echo "exit: $(cat /tmp/status)"
# its hash and size (a kernel message may cut a console line in two)
echo "file: $(sha256sum < /mnt/result | cut -d' ' -f1) $(wc -c < /mnt/result)"
cd /
umount /mnt
