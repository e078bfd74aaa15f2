#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e.sh - end-to-end test of nvemu save, restore and verify on the host,
# with regular files as the NVM (--device) and as the TARGET.  TAP output.
#
# Usage: e2e.sh NVEMU WORKDIR
#
# WORKDIR is emptied first and removed when every test passed.  It needs
# about 3 GiB of disk (image files are preallocated).
set -uo pipefail

# shellcheck source=../../testing/nvemu/tap.sh
. "$(dirname "$0")/../../testing/nvemu/tap.sh"

N=$(realpath -e "${1:?usage: e2e.sh NVEMU WORKDIR}") || exit 1
W=$(realpath -m "${2:?usage: e2e.sh NVEMU WORKDIR}")
[ -x "$N" ] || { echo "Bail out! $N is not executable"; exit 1; }
MiB=$((1 << 20))

rm -rf "$W"
mkdir -p "$W" || exit 1
cd "$W" || exit 1

# Pinned identity, so that images can be compared byte for byte.
export NVEMU_TEST_TIME=1700000000000000000
export NVEMU_TEST_UUID=00112233-4455-6677-8899-aabbccddeeff

ok()
{
	tap_ok "$*"
}

# not_ok DESCRIPTION: with what the command printed, from err and out
not_ok()
{
	tap_not_ok "$*"
	[ -s err ] && sed 's/^/#   stderr: /' err | head -20
	[ -s out ] && sed 's/^/#   stdout: /' out | head -5
}

check()
{
	local desc=$1

	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run WANT_RC DEVICE [nvemu args...]: run nvemu, output in out and err
run()
{
	local want=$1 dev=$2

	shift 2
	"$N" --device "$dev" --segment-size 4M "$@" >out 2>err
	rc=$?
	[ "$rc" -eq "$want" ] || {
		echo "# exit status $rc, expected $want: nvemu --device $dev $*" >>err
		return 1
	}
}

# jget KEY: the value of KEY in the JSON object in out (keys are unique)
jget()
{
	sed -n 's/.*"'"$1"'":\("[^"]*"\|[^,}]*\).*/\1/p' out | tr -d '"'
}

# jis VALUES KEY...: the values of the KEYs in out, joined by spaces, are VALUES
jis()
{
	local want=$1 k got=()

	shift
	for k in "$@"; do
		got+=("$(jget "$k")")
	done
	[ "${got[*]}" = "$want" ]
}

# json_ok: out holds one valid JSON object
json_ok()
{
	python3 -c 'import json; json.load(open("out"))'
}

# has_keys KEY...: the JSON object in out has these keys
has_keys()
{
	local k

	for k in "$@"; do
		grep -q "\"$k\":" out || return 1
	done
}

# has_sections FILE: the sections of a manual page
has_sections()
{
	local s

	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES; do
		grep -q "^$s" "$1" || return 1
	done
}

sum()
{
	sha256sum "$1" | cut -d' ' -f1
}

# poke FILE OFFSET: overwrite 4 KiB at OFFSET with random bytes
poke()
{
	dd if=/dev/urandom of="$1" bs=4096 count=1 seek="$2" oflag=seek_bytes \
		conv=notrunc status=none
}

# flip FILE OFFSET: invert one byte (twice: back as it was)
flip()
{
	local b

	b=$(od -An -tu1 -j "$2" -N1 "$1")
	printf "$(printf '\\%03o' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# Layout for 200 MiB in 4 MiB segments: tables at 2 and 3 MiB, data at 4 MiB.
slot_off()	# SEGMENT SLOT
{
	echo $(((4 + ($2 * 50 + $1) * 4) * MiB))
}

head -c $((200 * MiB)) /dev/urandom >nvm
zero200() { rm -f "$1"; truncate -s $((200 * MiB)) "$1"; }

echo "# full save, verify"
check "save to a new file" run 0 nvm save --to img --json
check "... prints valid JSON" json_ok
check "... with every summary field" \
	has_keys command target generation bytes_total bytes_written \
		segments segments_written segments_skipped seconds mb_per_s jobs
check "save --json: generation 1, 50 of 50 segments, 200 MiB written" \
	jis "1 50 0 $((200 * MiB))" generation segments_written segments_skipped bytes_written
check "the new file has the image size (404 MiB)" \
	test "$(stat -c %s img)" = $((404 * MiB))
check "verify" run 0 nvm verify img
check "verify --against-nvm --json" run 0 nvm verify img --against-nvm --json
check "verify --json: valid JSON, image_ok, no segment differs" \
	eval 'json_ok && jis "true 0" image_ok segments_differ'
cp nvm gen1.nvm

echo "# incremental save"
poke nvm $((17 * 4 * MiB + 8192))
check "save after changing 1 segment" run 0 nvm save --to img --json
check "incremental: generation 2, 1 segment written, 49 skipped, 4 MiB" \
	jis "2 1 49 $((4 * MiB))" generation segments_written segments_skipped bytes_written
check "verify --against-nvm after the incremental save" \
	run 0 nvm verify img --against-nvm
for r in 0 12 33; do poke nvm $((r * 4 * MiB + 4096 * r)); done
check "save after changing 3 segments (6%)" run 0 nvm save --to img --json
check "incremental: 3 segments written, 47 skipped, 12 MiB" \
	jis "3 47 $((12 * MiB))" segments_written segments_skipped bytes_written
check "save without change writes nothing, generation 4" \
	run 0 nvm save --to img --json
check "... 0 written, 50 skipped" \
	jis "4 0 0" generation segments_written bytes_written
zero200 nvm2
check "restore into a zeroed NVM file" run 0 nvm2 restore --from img --json
check "... prints valid JSON" json_ok
check "restore --json: generation 4, 200 MiB written, 400 MiB read" \
	jis "4 $((200 * MiB)) $((400 * MiB))" generation bytes_written bytes_read
check "the restored NVM has the same sha256" test "$(sum nvm)" = "$(sum nvm2)"
check "save --full rewrites every segment, same uuid" \
	run 0 nvm save --to img --full --json
check "... 50 written, generation 5" \
	jis "50 5 $NVEMU_TEST_UUID true" segments_written generation uuid full
zero200 nvm2
check "restore after --full" run 0 nvm2 restore --from img --quiet
check "... same content" cmp nvm nvm2

echo "# --jobs 1, 2, 4 write identical images"
for j in 1 2 4 3; do
	run 0 gen1.nvm save --to img.j$j --jobs $j --quiet ||
		not_ok "save --jobs $j"
done
check "images of --jobs 1 and 2 are identical" cmp img.j1 img.j2
check "images of --jobs 1 and 4 are identical" cmp img.j1 img.j4
check "images of --jobs 1 and 3 are identical" cmp img.j1 img.j3
for j in 1 2 4; do
	run 0 nvm save --to img.j$j --jobs $j --quiet ||
		not_ok "incremental save --jobs $j"
done
check "incremental images of --jobs 1, 2 and 4 are identical" \
	eval 'cmp img.j1 img.j2 && cmp img.j1 img.j4'
check "a new uuid without NVEMU_TEST_UUID" \
	eval 'NVEMU_TEST_UUID= run 0 nvm save --to img.u --json &&
	      test "$(jget uuid)" != 00112233-4455-6677-8899-aabbccddeeff'

echo "# damaged images"
cp gen1.nvm nvm3
off=$(($(slot_off 5 1) + 1000))		# after --full, every segment is in slot 1
flip img $off
check "verify refuses a flipped byte in a segment (exit 5)" run 5 nvm verify img
check "... and names the segment" grep -q "segment 5, slot 1" err
check "restore refuses it (exit 5)" run 5 nvm3 restore --from img
check "... and says the NVM is untouched" grep -q "untouched" err
check "... and the NVM file is byte-identical" cmp nvm3 gen1.nvm
flip img $off
off=$(($(slot_off 5 0) + 1000))
flip img $off
check "a flipped byte in the slot not in use does not matter" \
	run 0 nvm3 restore --from img
check "... restored exactly" cmp nvm3 nvm
flip img $off

echo "# single-pass restore"
# The NVM file starts with other data than the image's, so that a segment
# left untouched differs from a restored one.
head -c $((200 * MiB)) /dev/urandom >pre.nvm
cp pre.nvm nvm4
check "single-pass restore of a good image" \
	run 0 nvm4 restore --from img --single-pass --json
check "... valid JSON: mode single-pass, 50 segments written, none failed" \
	eval 'json_ok && jis "single-pass 50 0" mode segments_written segments_failed'
check "... reads the data once: 200 MiB read, 200 MiB written" \
	jis "$((200 * MiB)) $((200 * MiB))" bytes_read bytes_written
check "... the NVM file is the saved one, byte for byte" cmp nvm4 nvm
cp pre.nvm nvm4
check "a --device file has no restore gate: verify-first by default" \
	run 0 nvm4 restore --from img --json
check "... mode verify-first, 400 MiB read, exactly restored" \
	eval 'jis "verify-first $((400 * MiB)) 0" mode bytes_read segments_failed &&
	      cmp nvm4 nvm'
k=23
off=$(($(slot_off $k 1) + 5000))
flip img $off
# what a single pass must leave: the image's data, segment k as it was
cp nvm sp.want
dd if=pre.nvm of=sp.want bs=$((4 * MiB)) skip=$k seek=$k count=1 \
	conv=notrunc status=none
for j in 1 3; do
	cp pre.nvm nvm4
	check "single-pass --jobs $j, segment $k damaged: exit 5" \
		run 5 nvm4 restore --from img --single-pass --jobs $j --json
	check "... names segment $k and its NVM offsets" \
		grep -q "segment $k not restored: NVM offsets $((k * 4 * MiB))-" err
	check "... says 1 of 50 segments failed and was not written" \
		grep -q "1 of 50 segments failed their checksum and were not written" err
	check "... segment $k untouched, every other segment the image's" \
		cmp nvm4 sp.want
	check "... JSON: 49 segments written, 1 failed, 200 MiB read" \
		eval 'json_ok && jis "single-pass 49 1 $((200 * MiB))" \
			mode segments_written segments_failed bytes_read'
done
cp pre.nvm nvm4
check "--verify-first, segment $k damaged: exit 5" \
	run 5 nvm4 restore --from img --verify-first
check "... names segment $k" grep -q "segment $k, slot 1" err
check "... the whole NVM file is unchanged" cmp nvm4 pre.nvm
flip img $off
check "--if-pending on a --device file: nothing pending, exit 0" \
	run 0 nvm4 restore --from img --if-pending
check "... says so" grep -q "no restore pending): nothing to restore" err
check "... the NVM file is unchanged" cmp nvm4 pre.nvm
rm -f pre.nvm nvm4 sp.want

# img.h: generation 1 in copy A (gen1.nvm), generation 2 in copy B (nvm)
run 0 gen1.nvm save --to img.h --quiet || not_ok "save gen 1 for header tests"
run 0 nvm save --to img.h --quiet || not_ok "save gen 2 for header tests"
flip img.h $((MiB + 0x30))
zero200 nvm3
check "header B (current) damaged: restore uses copy A" \
	run 0 nvm3 restore --from img.h --json
check "... generation 1, with a warning" \
	eval 'test "$(jget generation)" = 1 && grep -q "copy B is damaged" err'
check "... exactly the older image" cmp nvm3 gen1.nvm
flip img.h $((MiB + 0x30))
flip img.h $((3 * MiB + 40))
check "table B damaged: verify uses copy A" run 0 nvm verify img.h --json
check "... generation 1" test "$(jget generation)" = 1
flip img.h $((0x40))
check "both headers damaged: restore refuses (exit 3)" \
	run 3 nvm3 restore --from img.h
check "... the NVM file is unchanged" cmp nvm3 gen1.nvm
check "... and --if-present does not hide a damaged image" \
	run 3 nvm3 restore --from img.h --if-present
flip img.h $((0x40))
flip img.h $((3 * MiB + 40))
check "both headers repaired: generation 2 again" \
	eval 'run 0 nvm verify img.h --json && test "$(jget generation)" = 2'

echo "# wrong geometry, truncated and small targets"
head -c $((100 * MiB)) gen1.nvm >nvm100
cp nvm100 nvm100.ref
check "restore onto an NVM of another size (exit 4)" \
	run 4 nvm100 restore --from img
check "... says what differs" grep -q "data size" err
check "... the NVM file is unchanged" cmp nvm100 nvm100.ref
check "restore with another segment size (exit 4)" \
	eval '"$N" --device nvm --segment-size 8M restore --from img >out 2>err; test $? = 4'
check "verify --against-nvm of another size (exit 4)" \
	run 4 nvm100 verify img --against-nvm
check "save onto an image of another geometry is refused (exit 4)" \
	run 4 nvm100 save --to img.j4
check "save --full replaces it" run 0 nvm100 save --to img.j4 --full --json
check "... generation continues" test "$(jget generation)" = 3
truncate -s $((100 * MiB)) nvm100z
check "... and restores" run 0 nvm100z restore --from img.j4
check "... exactly" cmp nvm100z nvm100.ref

truncate -s $((300 * MiB)) img.h
check "restore from a truncated target (exit 6)" \
	run 6 nvm3 restore --from img.h
check "... says it is truncated" grep -q "img.h is truncated" err
check "... the NVM file is unchanged" cmp nvm3 gen1.nvm
check "single-pass restore from a truncated target (exit 6)" \
	run 6 nvm3 restore --from img.h --single-pass
check "... the NVM file is unchanged" cmp nvm3 gen1.nvm
check "verify of a truncated target (exit 6)" run 6 nvm verify img.h
truncate -s $((100 * MiB)) small
check "save to a file too small (exit 6)" run 6 nvm save --to small
check "... says how big it must be" grep -q "needs $((404 * MiB)) bytes" err
check "... and wrote nothing" \
	eval 'test "$(stat -c %s small)" = $((100 * MiB)) &&
	      cmp -s small <(head -c $((100 * MiB)) /dev/zero)'

echo "# crashes during a save"
run 0 gen1.nvm save --to imgx --quiet || not_ok "save A"
for r in $(seq 0 49); do poke nvm $((r * 4 * MiB + r * 4096)); done	# B
check "crash after 50 MiB of an all-segments save (exit 99)" \
	eval 'NVEMU_TEST_CRASH_AFTER_BYTES=$((50 * MiB)) run 99 nvm save --to imgx'
zero200 nvm3
check "restore after the crash" run 0 nvm3 restore --from imgx --json
check "... gives the previous image, generation 1, exactly" \
	eval 'test "$(jget generation)" = 1 && cmp nvm3 gen1.nvm'
check "crash after 1 byte of a --full save (exit 99)" \
	eval 'NVEMU_TEST_CRASH_AFTER_BYTES=1 run 99 gen1.nvm save --to imgx --full'
check "verify after it: generation 1 intact" \
	run 0 gen1.nvm verify imgx --against-nvm
check "save B after the crashes" run 0 nvm save --to imgx --json
check "... generation 2, every segment written" \
	jis "2 50" generation segments_written
dd if=nvm of=blk bs=4096 count=1 skip=$((7 * 1024)) status=none
poke nvm $((7 * 4 * MiB))
check "torn header write during an incremental save (exit 99)" \
	eval 'NVEMU_TEST_TORN_HEADER=1 run 99 nvm save --to imgx'
dd if=blk of=nvm bs=4096 seek=$((7 * 1024)) conv=notrunc status=none	# B
zero200 nvm3
check "restore after the torn header" run 0 nvm3 restore --from imgx --json
check "... warns and gives generation 2 exactly" \
	eval 'grep -q "copy A is damaged" err && test "$(jget generation)" = 2 &&
	      cmp nvm3 nvm'
check "a crash before the first header: no image (exit 3)" \
	eval 'NVEMU_TEST_CRASH_AFTER_BYTES=$((10 * MiB)) run 99 nvm save --to imgy &&
	      run 3 nvm3 restore --from imgy'
check "... --if-present restores nothing and exits 0" \
	run 0 nvm3 restore --from imgy --if-present
check "... nor for a missing target" \
	run 0 nvm3 restore --from missing --if-present
check "restore from a missing target (exit 3)" run 3 nvm3 restore --from missing
check "... the NVM file is unchanged" cmp nvm3 nvm
check "restore --abandon" run 0 nvm3 restore --abandon

echo "# other segment sizes"
"$N" -d nvm --segment-size 1M save --to img1m --quiet ||
	not_ok "save in 200 segments of 1 MiB"
poke nvm $((77 * MiB + 4096))
poke nvm $((150 * MiB))
check "1% of 200 segments of 1 MiB changed: save" \
	eval '"$N" -d nvm --segment-size 1M save --to img1m --json >out 2>err'
check "... writes 2 segments (2 MiB) and skips 198" \
	jis "2 198 $((2 * MiB))" segments_written segments_skipped bytes_written
head -c $((10 * MiB + 12288)) /dev/urandom >nvmodd
truncate -s $((10 * MiB + 12288)) nvmodd2
check "a short last segment (10 MiB + 12 KiB): save" \
	run 0 nvmodd save --to imgodd --jobs 3
check "... restore" run 0 nvmodd2 restore --from imgodd --jobs 2
check "... exactly" cmp nvmodd nvmodd2
truncate -s 0 nvmodd2
truncate -s $((10 * MiB + 12288)) nvmodd2
check "... single-pass restore --jobs 3" \
	run 0 nvmodd2 restore --from imgodd --jobs 3 --single-pass
check "... exactly" cmp nvmodd nvmodd2
head -c $((3 * MiB)) /dev/urandom >nvmsm
truncate -s $((3 * MiB)) nvmsm2
check "256 KiB segments: save, restore, same content" \
	eval '"$N" -d nvmsm --segment-size 256K save --to imgsm -q &&
	      "$N" -d nvmsm2 --segment-size 256K restore --from imgsm -q &&
	      cmp nvmsm nvmsm2'
check "64 MiB segments by default" \
	eval '"$N" -d nvm info --json >out &&
	      json_ok && jis "67108864 4 $((200 * MiB))" segment_size nr_segments data_size'

echo "# usage and help"
check "a TARGET in use by another nvemu is refused" \
	eval 'flock -x img "$N" verify img >out 2>err; test $? = 1 &&
	      grep -q "in use" err'
check "no command: exit 2" eval '"$N" >out 2>err; test $? = 2'
check "unknown option: exit 2" run 2 nvm save --to x --bogus
check "save without --to: exit 2" run 2 nvm save
check "--jobs 0: exit 2" run 2 nvm save --to x --jobs 0
cp nvm3 nvm3.ref
check "restore --verify-first --single-pass: exit 2" \
	run 2 nvm3 restore --from img --verify-first --single-pass
check "... the NVM file is unchanged" cmp nvm3 nvm3.ref
check "--segment-size 3M: refused" \
	eval '"$N" -d nvm --segment-size 3M info >out 2>err; test $? = 1'
check "--segment-size on a character device: exit 2" \
	eval '"$N" -d /dev/null --segment-size 4M info >out 2>err; test $? = 2'
for c in "" save restore verify info; do
	check "help ${c:-main} has the manual sections" \
		eval '"$N" ${c:+$c} --help >out && has_sections out'
done
check "help save = save --help" \
	eval '"$N" help save >out2 && "$N" save --help | cmp -s - out2'

tap_plan
if [ "$TAP_FAILED" -eq 0 ]; then
	cd / && rm -rf "$W"
	tap_diag "all $TAP_N passed"
	exit 0
fi
tap_diag "$TAP_FAILED of $TAP_N failed (files kept in $W)"
exit 1
