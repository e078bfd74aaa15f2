#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/30-bad-params.sh (run-vm --script: busybox sh in the guest).
# The kernel's view of the nvemu= items: its log, the nvemu iomem
# resources and what the driver reports.
dmesg
echo "== iomem"
grep "Persistent Memory (nvemu)" /proc/iomem | sed "s/^ *//"
echo "== info"
nvemu info --json
