#!/usr/bin/env bash
# What the harness reads and writes, from the command line (issues 13 and 17): exit 2 for a
# file that cannot be read (missing, a FIFO, a folder) in validate, diff, format and restore,
# without hanging; standard input and output as '-'; the whole message for a 600-byte path,
# also in roundtrip and conformance reports;
# escaped file text; zigpy-zboss's null source through diff and restore; zigpy's own network
# state; diff --to STACK; numbers in metadata.internal kept as written.
# Usage: inputs.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

BASE=$VEC/backups/valid/base.json
ZNULL=$VEC/zigpy/zigpy-zboss-source-null.json
ZSTATE=$VEC/zigpy/network-backup-v1.json

# rc_of CMD...: exit status of CMD (output in $WORK/out.log), killed after 10 s (a hang)
rc_of() { timeout 10 "$@" >"$WORK/out.log" 2>&1; echo $?; }
has() { grep -q -F -- "$1" "$WORK/out.log"; }

echo "-- unreadable input: exit 2 everywhere, said what it is, never a hang"
mkfifo "$WORK/fifo"
mkdir "$WORK/folder"
for what in missing fifo folder; do
  case $what in
    missing) f=$WORK/nonexistent.json; say="No such file or directory" ;;
    fifo) f=$WORK/fifo; say="is a FIFO (named pipe), not a regular file" ;;
    folder) f=$WORK/folder; say="is a directory, not a regular file" ;;
  esac
  expect_eq "validate $what: exit" "$(rc_of "$HAR" validate "$f")" 2
  check "  and the message says: $say" has "$say"
  expect_eq "diff $what BASE: exit" "$(rc_of "$HAR" diff "$f" "$BASE")" 2
  check "  and the message says: $say" has "$say"
  expect_eq "format $what: exit" "$(rc_of "$HAR" format "$f")" 2
  expect_eq "restore --backup $what (before any port is opened): exit" \
    "$(rc_of "$HAR" restore --stack znp --port "$WORK/no.tty" --backup "$f")" 2
  check "  and the message says: $say" has "$say"
done
printf '{"metadata": 015}' >"$WORK/bad.json"
expect_eq "an invalid backup is a failed check, not an environment error: validate" \
  "$(rc_of "$HAR" validate "$WORK/bad.json")" 1
expect_eq "  diff" "$(rc_of "$HAR" diff "$WORK/bad.json" "$BASE")" 1
check "  and says why: leading zero" has "015 is not a JSON number (leading zero)"
expect_eq "  restore" "$(rc_of "$HAR" restore --stack znp --port "$WORK/no.tty" --backup "$WORK/bad.json")" 1
expect_eq "validate of one missing and one invalid file: environment wins" \
  "$(rc_of "$HAR" validate "$WORK/bad.json" "$WORK/nonexistent.json")" 2

echo "-- duplicate keys and escape sequences, from the command line"
sed 's/"pan_id": "cd0a",/"pan_id": "cd0a", "pan_id": "beef",/' "$BASE" >"$WORK/dup.json"
expect_eq "duplicate pan_id: exit" "$(rc_of "$HAR" validate "$WORK/dup.json")" 1
check "  named with its path" has "dup.json: error: pan_id: duplicate key \"pan_id\""
python3 - "$BASE" "$WORK/esc.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["x\x1b]0;owned\x07\x1b[2J"] = 1
open(sys.argv[2], "w").write(json.dumps(d))
PY
"$HAR" validate "$WORK/esc.json" >"$WORK/esc.out" 2>&1
expect_eq "an escape sequence in a key name reaches the terminal as text: ESC bytes in the output" \
  "$(tr -cd '\033\007' <"$WORK/esc.out" | wc -c)" 0
check "  and the key is shown escaped" grep -q -F 'x\e]0;owned\x07\e[2J: unknown key' "$WORK/esc.out"

echo "-- standard input and output"
expect_eq "validate - < BASE: exit" "$(rc_of "$HAR" validate - <"$BASE")" 0
check "  valid" has "-: valid (3 devices"
expect_eq "cat BASE | diff - BASE: exit" "$(cat "$BASE" | timeout 10 "$HAR" diff - "$BASE" >"$WORK/out.log" 2>&1; echo $?)" 0
check "  equal" has "equal"
expect_eq "diff - - is a usage error" "$(rc_of "$HAR" diff - - </dev/null)" 2
expect_eq "format - < BASE is format BASE" "$("$HAR" format - <"$BASE" | cmp - <("$HAR" format "$BASE") && echo same)" same

echo "-- a 600-byte path: every message whole"
long=$WORK
for i in $(seq -w 1 13); do long=$long/dir${i}_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done
mkdir -p "$long"
expect_eq "path length >= 600" "$([ ${#long} -ge 600 ] && echo yes)" yes
"$HAR" format "$BASE" -o "$long/backup.json" >"$WORK/out.log" 2>&1
check "format -o a 600-byte path writes it" "$HAR" validate "$long/backup.json"
expect_eq "  mode 0600" "$(stat -c %a "$long/backup.json")" 600
expect_eq "  no temp file left" "$(ls "$long" | wc -l)" 1
for cmd in "validate $long/missing.json" "diff $long/missing.json $BASE" \
  "restore --stack znp --port $WORK/no.tty --backup $long/missing.json" \
  "backup --stack znp --port $long/missing.tty" "backup --stack auto --port $long/missing.tty" \
  "format $BASE -o $long/nodir/out.json"; do
  # shellcheck disable=SC2086
  rc_of "$HAR" $cmd >/dev/null
  check "${cmd%% *}: the message holds the whole path" grep -q -F "$long/" "$WORK/out.log"
  check "  and ends with the reason, not cut" grep -q -E "(No such file or directory|not stored|cannot open.*)$" "$WORK/out.log"
done

echo "-- report details longer than the old 600/640 bytes are whole (roundtrip, conformance)"
# a port behind the 600-byte path: the case's reason holds the whole path and its ending
rc_of "$HAR" roundtrip --from "znp:$long/missing.tty" --to "znp:$WORK/no.tty" \
  --tap "$WORK/rt.tap" --junit "$WORK/rt.xml" --html "$WORK/rt.html" >/dev/null
for f in rt.tap rt.xml rt.html; do
  check "roundtrip $f: the whole path and the reason after it" \
    grep -q -F "$long/missing.tty: cannot open: No such file or directory" "$WORK/$f"
done
rc_of "$HAR" conformance --stack znp --port "$long/missing.tty" --dir "$WORK" \
  --tap "$WORK/cf.tap" --junit "$WORK/cf.xml" --markdown "$WORK/cf.md" >/dev/null
for f in cf.tap cf.xml; do
  check "conformance $f: the whole path and the reason after it" \
    grep -q -F "could not read the device ($long/missing.tty: cannot open: No such file or directory): a failed read" "$WORK/$f"
done
check "conformance markdown: the same, whole (its '_' escaped)" \
  grep -q -F "missing.tty: cannot open: No such file or directory): a failed read" "$WORK/cf.md"


echo "-- zigpy-zboss: metadata.source null"
expect_eq "validate reports it as an error (the upstream schema refuses it)" "$(rc_of "$HAR" validate "$ZNULL")" 1
check "  naming the field" has "metadata.source"
expect_eq "diff accepts it" "$(rc_of "$HAR" diff "$ZNULL" "$BASE")" 0
check "  with a warning naming the field" has "warning: metadata.source: null"
emu_start zb zboss --nvram "$WORK/zb.json" || fail "zboss: start"
expect_eq "restore accepts it (onto zbemu zboss)" \
  "$(cd "$WORK" && rc_of "$HAR" restore --stack zboss --port "$(port zb)" --backup "$ZNULL")" 0
check "  with a warning naming the field" has "warning: metadata.source: null"

echo "-- backup -o - writes the backup to standard output"
"$HAR" backup --stack zboss --port "$(port zb)" -o - >"$WORK/stdout.json" 2>"$WORK/stdout.err"
expect_eq "backup -o -: exit" "$?" 0
check "  what it wrote validates" "$HAR" validate "$WORK/stdout.json"
check "  and no file named '-' was made" test ! -e ./-
"$HAR" diff --to zboss "$ZNULL" "$WORK/stdout.json" >"$WORK/out.log" 2>&1
expect_eq "diff --to zboss of the restored network: exit" "$?" 0
check "  equal apart from what zboss cannot store" has "equal apart from what zboss cannot store:"
check "  each loss with its reason" has "(not stored by zboss: ZBOSS APS key data has no frame counters)"
"$HAR" diff "$ZNULL" "$WORK/stdout.json" >"$WORK/out.log" 2>&1
expect_eq "the same diff without --to: different (exit 1)" "$?" 1
emu_stop zb || fail "zboss exit status"

echo "-- zigpy's own network state"
expect_eq "validate: exit" "$(rc_of "$HAR" validate "$ZSTATE")" 1
expect_eq "  one message" "$(grep -c error "$WORK/out.log")" 1
check "  saying what it is and what to do" has "zigpy's own network state (network_info/node_info"
expect_eq "format --from-zigpy: exit" "$(rc_of "$HAR" format --from-zigpy "$ZSTATE" -o "$WORK/from-zigpy.json")" 0
check "  the result validates" "$HAR" validate "$WORK/from-zigpy.json"
check "  and is the same network as the hand-written OCB of it" "$HAR" diff --exact "$BASE" "$WORK/from-zigpy.json"

echo "-- numbers in metadata.internal are kept as written"
W17=/work/shared/ocb/wild/17-zigpy-znp-zstack-0.8.2-cut.json
[ -f "$W17" ] || W17=$ZB_ROOT/../shared/ocb/wild/17-zigpy-znp-zstack-0.8.2-cut.json
if [ -f "$W17" ]; then
  "$HAR" format "$W17" >"$WORK/w17.json" 2>&1
  check "format of a zigpy-znp backup keeps \"version\": 3.3" grep -q '"version": 3.3$' "$WORK/w17.json"
  check "  and never writes 3.2999999999999998" bash -c "! grep -q 3.29999 '$WORK/w17.json'"
else
  echo "   (skipped: the wild backups are not here)"
fi

echo "-- validate warns about a herdsman quirk that format repairs, and says so"
W08=$(dirname "${W17}")/08-herdsman-zstack-2.1.7-nwk-unpadded.json
if [ -f "$W08" ]; then
  rc_of "$HAR" validate "$W08" >/dev/null
  check "the unpadded-address warning names the repair" has "\`zbharness format\` writes it padded"
  "$HAR" format "$W08" -o "$WORK/w08.json" >/dev/null 2>&1
  "$HAR" validate "$WORK/w08.json" >"$WORK/out.log" 2>&1
  check "  and after format the warning is gone" bash -c "! grep -q 'not zero-padded' '$WORK/out.log'"
fi

finish
