#!/usr/bin/env bash
# Issue 26: a backup with invalid UTF-8 (here CESU-8, a surrogate in three bytes) is an error in
# validate, format and restore, named with its byte offset and kind; restore refuses it before
# it opens the port, so the device is untouched. Usage: utf8.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"


bad=$WORK/cesu8.json
sed 's/zbtools-vectors@1/zbtools\xed\xa0\x80@1/' "$VEC/backups/valid/base.json" >"$bad"
at=$(LC_ALL=C grep -abo 'zbtools' "$bad" | head -1 | cut -d: -f1)
at=$((at + 7))
want="invalid UTF-8 at byte $at \(line [0-9]+, column [0-9]+\): UTF-16 surrogate \(CESU-8\)"
expect_rc "validate refuses it" 1 "$want" "$HAR" validate "$bad"
expect_rc "format refuses it" 1 "$want" "$HAR" format "$bad" -o "$WORK/formatted.json"
check "and writes nothing" test ! -e "$WORK/formatted.json"

mkdir -p "$WORK/r" && cd "$WORK/r" || exit 2
emu_start r znp --nvram "$WORK/r.nv" || fail "r: start"
check "restore the golden network" "$HAR" restore --stack znp --port "$(port r)" \
  --backup "$VEC/backups/valid/znp-CC2652R-ZStack4.json"
rm -f "$WORK"/r/zbharness-prerestore-*.json
files_before=$(ls "$WORK/r") # the first restore's journal stays; nothing may be added
cp "$WORK/r.nv" "$WORK/r.before"
expect_rc "restore --force refuses it" 1 "$want" \
  "$HAR" restore --stack znp --port "$(port r)" --backup "$bad" --force
check "the device's NVRAM is byte for byte unchanged" cmp "$WORK/r.before" "$WORK/r.nv"
check "no file was written (no pre-restore file, no journal)" test "$(ls "$WORK/r")" = "$files_before"
expect_rc "restore refuses it before opening the port" 1 "$want" \
  "$HAR" restore --stack znp --port /dev/zbtools-no-such-port --backup "$bad"
emu_stop r || fail "r: zbemu exit status"

finish
