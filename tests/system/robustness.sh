#!/usr/bin/env bash
# Crash safety, locking, secrets and a device that stops answering. Usage: robustness.sh BUILD_DIR
# ZB_LONG=1 runs the SIGKILL test 2000 times instead of 200.
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

echo "-- SIGKILL while a host writes NV: the file is always the old or the new complete state"
mkdir -p "$WORK/kill"
iters=200; [ -n "${ZB_LONG:-}" ] && iters=2000
if python3 "$ZB_ROOT/tests/system/nv_kill.py" "$EMU" "$WORK/kill" "$iters" 7 >"$WORK/kill.log" 2>&1; then
  pass "$(tail -1 "$WORK/kill.log")"
else
  fail "SIGKILL test"; sed 's/^/        /' "$WORK/kill.log" | tail -15
fi

echo "-- two emulators on one NVRAM file; stale temp files"
emu_start lock1 znp --nvram "$WORK/lock.json" || fail "lock1: start"
if "$EMU" znp --nvram "$WORK/lock.json" >"$WORK/lock2.out" 2>&1; then
  fail "a second zbemu on the same NVRAM file started"
else
  rc=$?
  expect_eq "second zbemu on the same file: exit status" "$rc" 2
  check "and the message names the lock" grep -q "in use by another zbemu (lock $WORK/lock.json.lock held)" "$WORK/lock2.out"
fi
emu_stop lock1
echo '{"LEGACY": {' >"$WORK/lock.json.tmp.99999" # what a killed emulator leaves behind
emu_start lock3 znp --nvram "$WORK/lock.json" || fail "lock3: start"
check "a temp file left by a killed emulator is removed at start" test ! -e "$WORK/lock.json.tmp.99999"
emu_stop lock3

echo "-- secrets: keys appear in no log of a verbose backup and restore unless --show-keys"
golden=$VEC/backups/valid/znp-CC2652R-ZStack4.json
keys=$(node -e 'const j=require(process.argv[1]); const k=[j.network_key.key, j.stack_specific.zstack.tclk_seed,
  ...j.devices.filter(d=>d.link_key).map(d=>d.link_key.key)];
  const rev=h=>h.match(/../g).reverse().join(""); console.log([...k, ...k.map(rev)].join("\n"))' "$golden")
for show in "" --show-keys; do
  n=sec${show:+-shown}
  emu_start "$n" znp --nvram "$WORK/$n.json" -v -v $show || { fail "$n: start"; continue; }
  (cd "$WORK" && "$HAR" restore --stack znp --port "$(port "$n")" --backup "$golden" -v -v $show) >"$WORK/$n.har.log" 2>&1
  "$HAR" backup --stack znp --port "$(port "$n")" -o "$WORK/$n.backup.json" -v -v $show >>"$WORK/$n.har.log" 2>&1
  "$HAR" diff "$golden" "$WORK/$n.backup.json" $show >>"$WORK/$n.har.log" 2>&1
  "$HAR" validate "$WORK/$n.backup.json" >>"$WORK/$n.har.log" 2>&1
  emu_stop "$n"
  found=$(cat "$WORK/$n.har.log" "$WORK/$n.log" | tr -d ' :' | tr 'A-F' 'a-f' | grep -c -F -f <(echo "$keys"))
  lines=$(cat "$WORK/$n.har.log" "$WORK/$n.log" | wc -l)
  if [ -z "$show" ]; then
    expect_eq "log lines ($lines) of a -vv restore+backup containing a key (16 keys, both byte orders)" "$found" 0
  elif [ "$found" -gt 0 ]; then
    pass "with --show-keys the same run does show keys ($found lines): the check above can see them"
  else
    fail "with --show-keys no key was found: the secrets check is blind"
  fi
done
check "backup files are mode 0600" test "$(stat -c %a "$WORK/sec.backup.json")" = 600

echo "-- a device that stops answering mid-restore"
cp "$VEC/nvram/znp/CC2531-ZStack3.formed.json" "$WORK/hang.json"
emu_start hang znp --profile zstack30 --nvram "$WORK/hang.json" || fail "hang: start"
(cd "$WORK" && timeout 120 "$HAR" restore --stack znp --port "$(port hang)" --backup "$golden" --force >"$WORK/hang.out" 2>&1; echo $? >"$WORK/hang.rc") &
# freeze the emulator right after the restore has reset it (mid-restore, deterministically)
for _ in $(seq 400); do grep -q "reset with STARTUP_OPTION" "$WORK/hang.log" && break; sleep 0.005; done
kill -STOP "${EMU_PID[hang]}"
wait $!
expect_eq "restore against a frozen device: exit status" "$(cat "$WORK/hang.rc")" 1
check "it names the timeout" grep -q "timeout" "$WORK/hang.out"
check "it says how to recover" grep -q "pre-restore backup" "$WORK/hang.out"
pre=$(ls "$WORK"/zbharness-prerestore-*.json 2>/dev/null | head -1)
check "the pre-restore backup is in place and valid" "$HAR" validate "$pre"
check "and holds the device's previous network" "$HAR" diff "$VEC/backups/valid/znp-CC2531-ZStack3.json" "$pre"
kill -CONT "${EMU_PID[hang]}"
emu_stop hang

finish
