#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# arch: arm64
#
# 90-persist on the arm64 kernel with 64K pages, the page size of the
# distributions that Phytium FT-2000+/64 servers run: the program under
# `nvemu run`, three power cuts, each followed by `nvemu resume`, the same
# checks (result file and output identical to the host's run, work lost
# per cut).  The panic, reset and save/restore events are 90's.
export PERSIST_PAGE_SIZE=64k
export PERSIST_CUTS=${PERSIST_CUTS:-3}
export PERSIST_EVENTS=0
export PERSIST_STEPS=${PERSIST_STEPS:-50}
exec "$(dirname "$0")/90-persist.sh"
