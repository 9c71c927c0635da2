#!/usr/bin/env bash
# Output paths as users mean them, and a backup that never silently replaces a better one
# (issue 26), on a real emulator over its pty:
#   * `backup -o /dev/fd/1 | cat` and `-o /proc/self/fd/1` carry the whole backup down the pipe
#     (they used to send nothing and exit 0), and `--junit /dev/fd/1` of a round trip too;
#   * `-o FIFO` reaches the FIFO's reader and the FIFO stays a FIFO;
#   * `-o LINK` updates the link's target (a dangling link: creates it) and the link stays;
#   * `format -o NODE` of a character device (a private node of /dev/null) leaves it a device,
#     and `-o` to a full device (a private node of /dev/full) exits non-zero;
#   * a directory is refused by name (exit 2);
#   * `backup -o home.json` over a better backup of the same network is refused (exit 1, the
#     file unchanged, the shrunk field named), with --force the old one is home.json.prev, and
#     a different network is replaced as before.
# /dev/stdout and /dev/full themselves are never named: run against an old build as root, the
# old rename would replace the machine's own device nodes. /dev/fd/1 and private nodes made
# with mknod show the same behaviour at no risk. Without root the device-node checks use
# /dev/full itself (an old build cannot replace it then) and skip the /dev/null one.
# Usage: tests/system/outputs.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

SAMPLE=$VEC/backups/valid/z2m-sample-1.json
rc_of() { "$@" >"$WORK/last.out" 2>"$WORK/last.err"; echo $?; }
kind_of() { stat -c %F "$1" 2>/dev/null; }
valid() { "$HAR" validate "$1" >/dev/null 2>&1; }

emu_start z znp --nvram "$WORK/z.json" || { fail "start zbemu"; finish; exit 1; }
P=$(port z)
(cd "$WORK" && "$HAR" restore -q --stack znp --port "$P" --backup "$SAMPLE") >"$WORK/seed.log" 2>&1 ||
  fail "seed the stick: $(tail -2 "$WORK/seed.log")"
bk() { "$HAR" backup -q --stack znp --port "$P" "$@"; }

echo "-- standard output and open descriptors"
for fdname in /dev/fd/1 /proc/self/fd/1; do
  rm -f "$WORK/x.json"
  bk -o "$fdname" 2>"$WORK/fd.err" | cat >"$WORK/x.json"
  expect_eq "backup -o $fdname | cat: exit" "${PIPESTATUS[0]}" 0
  if valid "$WORK/x.json"; then pass "backup -o $fdname | cat: a valid backup came through the pipe"
  else fail "backup -o $fdname | cat: $(wc -c <"$WORK/x.json") bytes, not a valid backup; $(tail -1 "$WORK/fd.err")"; fi
done
"$HAR" roundtrip -q --emulate --targets znp-zstack12 --junit /dev/fd/1 2>"$WORK/rt.err" | cat >"$WORK/rt.out"
expect_eq "roundtrip --junit /dev/fd/1 | cat: exit" "${PIPESTATUS[0]}" 0
if grep -q '<testsuites>' "$WORK/rt.out" && grep -q '</testsuites>' "$WORK/rt.out"; then
  pass "roundtrip --junit /dev/fd/1 | cat: the JUnit report came through the pipe"
else fail "roundtrip --junit /dev/fd/1 | cat: no JUnit report in the pipe; $(tail -1 "$WORK/rt.err")"; fi

echo "-- a FIFO with a reader"
mkfifo "$WORK/fifo"
timeout 20 cat "$WORK/fifo" >"$WORK/from-fifo.json" &
READER=$!
expect_eq "backup -o FIFO: exit" "$(rc_of bk -o "$WORK/fifo")" 0
[ "$(kind_of "$WORK/fifo")" = fifo ] || kill "$READER" 2>/dev/null # a FIFO renamed over: its reader waits in vain
wait "$READER" 2>/dev/null
expect_eq "backup -o FIFO: the FIFO is still one" "$(kind_of "$WORK/fifo")" fifo
if valid "$WORK/from-fifo.json"; then pass "backup -o FIFO: the reader got a valid backup"
else fail "backup -o FIFO: the reader got $(wc -c <"$WORK/from-fifo.json") bytes"; fi

echo "-- symbolic links"
echo stale >"$WORK/real.json"
ln -s real.json "$WORK/link.json"
expect_eq "backup -o LINK: exit" "$(rc_of bk -o "$WORK/link.json")" 0
expect_eq "backup -o LINK: the link stays a link" "$(kind_of "$WORK/link.json")" "symbolic link"
if valid "$WORK/real.json"; then pass "backup -o LINK: the target holds the new backup"
else fail "backup -o LINK: the target was not updated ($(head -c 40 "$WORK/real.json"))"; fi
ln -s later.json "$WORK/dangling.json"
expect_eq "backup -o DANGLING-LINK: exit" "$(rc_of bk -o "$WORK/dangling.json")" 0
expect_eq "backup -o DANGLING-LINK: the link stays a link" "$(kind_of "$WORK/dangling.json")" "symbolic link"
if valid "$WORK/later.json"; then pass "backup -o DANGLING-LINK: the target was created"
else fail "backup -o DANGLING-LINK: no backup at the link's target"; fi

echo "-- devices and what cannot take a document"
if [ "$(id -u)" = 0 ] && mknod "$WORK/null" c 1 3 2>/dev/null; then
  expect_eq "format -o NULL-NODE: exit" "$(rc_of "$HAR" format "$SAMPLE" -o "$WORK/null")" 0
  expect_eq "format -o NULL-NODE: still a character device" "$(kind_of "$WORK/null")" "character special file"
else
  echo "   skip format -o NULL-NODE (needs root and mknod)"
fi
FULL=/dev/full
[ "$(id -u)" = 0 ] && mknod "$WORK/full" c 1 7 2>/dev/null && FULL=$WORK/full
rc=$(rc_of bk -o "$FULL")
if [ "$rc" != 0 ] && grep -q "No space left" "$WORK/last.err"; then pass "backup -o FULL-DEVICE: exit $rc, ENOSPC named"
else fail "backup -o FULL-DEVICE: exit $rc: $(tail -1 "$WORK/last.err")"; fi
expect_eq "backup -o FULL-DEVICE: still a character device" "$(kind_of "$FULL")" "character special file"
rc=$(rc_of "$HAR" format "$SAMPLE" -o "$FULL")
expect_eq "format -o FULL-DEVICE: exit" "$rc" 2
mkdir "$WORK/adir"
rc=$(rc_of bk -o "$WORK/adir")
if [ "$rc" = 2 ] && grep -q "is a directory, not a regular file, FIFO or character device" "$WORK/last.err"; then
  pass "backup -o DIRECTORY: refused by name (exit 2)"
else fail "backup -o DIRECTORY: exit $rc: $(tail -1 "$WORK/last.err")"; fi

echo "-- a backup never silently replaces a better one"
bk -o "$WORK/now.json" 2>/dev/null || fail "backup of the stick"
mut "$WORK/now.json" "$WORK/home.json" 'd["network_key"]["frame_counter"] += 100000'
cp "$WORK/home.json" "$WORK/home.orig"
expect_eq "backup -o BETTER-BACKUP: exit" "$(rc_of bk -o "$WORK/home.json")" 1
if cmp -s "$WORK/home.json" "$WORK/home.orig"; then pass "backup -o BETTER-BACKUP: the file is unchanged"
else fail "backup -o BETTER-BACKUP: the better backup was replaced"; fi
if grep -q "network_key.frame_counter: $(jget "$WORK/home.orig" j.network_key.frame_counter) -> " "$WORK/last.err" &&
  grep -q -- "--force" "$WORK/last.err"; then
  pass "backup -o BETTER-BACKUP: the shrunk counter and --force are named"
else fail "backup -o BETTER-BACKUP: message: $(head -3 "$WORK/last.err")"; fi
if grep -qi "$(jget "$WORK/now.json" j.network_key.key)" "$WORK/last.err"; then
  fail "backup -o BETTER-BACKUP: the message shows the network key"
else pass "backup -o BETTER-BACKUP: no key in the message"; fi
expect_eq "backup --force -o BETTER-BACKUP: exit" "$(rc_of bk --force -o "$WORK/home.json")" 0
if cmp -s "$WORK/home.json.prev" "$WORK/home.orig"; then pass "backup --force: the old backup is home.json.prev"
else fail "backup --force: no home.json.prev equal to the old backup"; fi
if valid "$WORK/home.json" && ! cmp -s "$WORK/home.json" "$WORK/home.orig"; then pass "backup --force: home.json replaced"
else fail "backup --force: home.json was not replaced"; fi
mut "$WORK/now.json" "$WORK/other.json" '
d["network_key"]["frame_counter"] += 100000
d["extended_pan_id"] = "dd" + d["extended_pan_id"][2:]'
expect_eq "backup -o A-DIFFERENT-NETWORK: replaced (exit)" "$(rc_of bk -o "$WORK/other.json")" 0
expect_eq "backup -o A-DIFFERENT-NETWORK: replaced (extended PAN ID)" \
  "$(jget "$WORK/other.json" j.extended_pan_id)" "$(jget "$WORK/now.json" j.extended_pan_id)"

emu_stop z || fail "zbemu: clean exit"
finish
