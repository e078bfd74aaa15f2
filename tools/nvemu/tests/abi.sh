#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# abi.sh - libnvemu.so exports exactly the symbols of libnvemu.map, each in
# its version node, and nothing else.  TAP output.
#
# Usage: abi.sh LIBNVEMU.SO MAP
set -uo pipefail

so=${1:?usage: abi.sh LIBNVEMU.SO MAP}
map=${2:?usage: abi.sh LIBNVEMU.SO MAP}

# "symbol@@NODE" for every global of every node of the map
want=$(awk '/^[A-Z0-9_]+ *{/ { node = $1 } /^\t*local:/ { node = "" }
	    node && /^\t+[a-z_0-9]+;$/ { gsub(/[\t;]/, ""); print $0 "@@" node }' \
	"$map" | sort)
got=$(nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sort)

echo "1..2"
if [ -n "$want" ]; then
	echo "ok 1 - $(echo "$want" | wc -l) symbols in $map"
else
	echo "not ok 1 - no symbol found in $map"
fi
if [ "$want" = "$got" ]; then
	echo "ok 2 - $(basename "$so") exports exactly them, versioned"
	exit 0
fi
echo "not ok 2 - $(basename "$so") exports other symbols than the map:"
diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
exit 1
