#!/usr/bin/env bash
# `zbharness watch` (harness/move/watch.h) on migrated emulated sticks with a world
# (emulator/world/WORLD.md): the devices watch hears must be exactly the devices the world calls
# alive, device by device, on each target stack, including the world's negative controls (a
# counter increment too small for the frames sent after the backup: every router lost, none
# heard). Then its contract: exit codes, --until-all, a backup of another network, Ctrl-C,
# read only (the stick's network unchanged) and a stick without a network.
# Usage: tests/system/watch.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
source "$(dirname "$0")/world.bash"

heard_nwks() { jget "$1" 'j.devices.filter(d=>d.heard&&d.kind!="unknown").map(d=>d.nwk).sort().join(",")'; }

# judge NAME STACK: watch the target NAME-dst for 7 s against NAME.backup.json; its heard set
# must be the world's alive set of the rounds during the watch
judge() {
  local n=$1 s=$2 rc=0
  local r0; r0=$(jget "$WORK/$n.world.json" j.rounds)
  "$HAR" watch --stack "$s" --port "$(port "$n-dst")" --backup "$WORK/$n.backup.json" --seconds 7 \
    --json "$WORK/$n.watch.json" >"$WORK/$n.watch.out" 2>"$WORK/$n.watch.err" || rc=$?
  emu_stop "$n-dst" || fail "$n: target exit"
  [ -s "$WORK/$n.watch.json" ] || { fail "$n: watch wrote no result (exit $rc): $(tail -2 "$WORK/$n.watch.err")"; return; }
  local alive heard_; alive=$(alive_nwks "$WORK/$n.world.json" "$r0"); heard_=$(heard_nwks "$WORK/$n.watch.json")
  echo "      world: alive [$alive], lost $(lost_of "$WORK/$n.world.json" "$r0"); watch heard [$heard_] (exit $rc)"
  expect_eq "$n: watch heard exactly the devices the world calls alive" "$heard_" "$alive"
  local want=0; [ "$(echo "$alive" | tr ',' '\n' | grep -c .)" = 8 ] || want=1
  expect_eq "$n: exit 0 when all 8 were heard, else 1" "$rc" "$want"
}

# target NAME STACK ARGS...: a fresh target on NAME's world, restored by zbharness from the
# source's backup (default increment); ARGS are zbemu's
target() {
  local n=$1 s=$2; shift 2
  emu_start "$n-dst" "$@" --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" || { fail "$n: target"; return 1; }
  check "$n: zbharness restore onto the $s target" "$HAR" restore --stack "$s" --port "$(port "$n-dst")" \
    --backup "$WORK/$n.backup.json" --force --burn-ieee --prerestore-dir "$WORK"
}

echo "-- watch hears exactly the devices the world calls alive"
for pair in "znp:znp --profile zstack3x0" "ezsp:ezsp --ezsp-version 18" "zboss:zboss"; do
  s=${pair%%:*} n=to-$s
  # shellcheck disable=SC2086
  source_stick "$n" znp --profile zstack3x0 && emu_stop "$n" && target "$n" "$s" ${pair#*:} && judge "$n" "$s"
done
# negative controls: 12000 frames after the backup outrun the default +2500 for good: more than
# what a target's own restarts add (Z-Stack +1250 a boot; an EmberZNet NCP resumes at its
# 4096-frame reservation after the reset watch makes, EZSP-NVRAM.md), so no restart during the
# watch can make a device alive again (with 6000, a loaded run crossed that line once)
for pair in "znp:znp --profile zstack3x0" "ezsp:ezsp --ezsp-version 13"; do
  s=${pair%%:*} n=late-$s
  # shellcheck disable=SC2086
  if source_stick "$n" ${pair#*:}; then
    frames "${EMU_PID[$n]}" 12000 && sleep 0.5
    emu_stop "$n"
    # shellcheck disable=SC2086
    target "$n" "$s" ${pair#*:} && judge "$n" "$s"
    expect_eq "$n: the world lost every router on the counter" \
      "$(jget "$WORK/$n.world.json" 'j.devices.filter(d=>d.role=="router"&&/^coordinator frame counter \d+ <= last seen/.test(d.reason)).length')" 7
  fi
done

echo "-- the contract"
n=c
if source_stick "$n" znp --profile zstack3x0; then
  cp "$WORK/$n.src.nv" "$WORK/$n.before.nv"
  "$HAR" backup --stack znp --port "$(port "$n")" -o "$WORK/$n.b1.json" >/dev/null 2>&1
  t0=$(date +%s)
  rc=0; "$HAR" watch --stack znp --port "$(port "$n")" --seconds 60 --until-all >"$WORK/$n.all" 2>&1 || rc=$?
  took=$(($(date +%s) - t0))
  expect_eq "--until-all with every device heard: exit" "$rc" 0
  if [ "$took" -lt 30 ]; then pass "--until-all stopped early (${took} s of 60)"; else fail "--until-all ran ${took} s"; fi
  check "without --backup it lists the stick's own 8 devices" grep -q "^8 of 8 devices heard" "$WORK/$n.all"
  "$HAR" backup --stack znp --port "$(port "$n")" -o "$WORK/$n.b2.json" >/dev/null 2>&1
  check "read only: the network read after watch equals the one before" "$HAR" diff "$WORK/$n.b1.json" "$WORK/$n.b2.json"
  mut "$WORK/$n.backup.json" "$WORK/other.json" 'd["extended_pan_id"] = "0011223344556677"'
  rc=0; "$HAR" watch --stack znp --port "$(port "$n")" --backup "$WORK/other.json" --seconds 2 >"$WORK/$n.other" 2>&1 || rc=$?
  expect_eq "a backup of another network: exit" "$rc" 1
  check "it names both networks" grep -q "the stick runs the network .* is of 0011223344556677" "$WORK/$n.other"
  "$HAR" watch --stack znp --port "$(port "$n")" --seconds 60 >"$WORK/$n.int" 2>&1 &
  wp=$!
  sleep 4; kill -INT "$wp"
  rc=0; wait "$wp" || rc=$?
  expect_eq "Ctrl-C: exit" "$rc" 130
  check "Ctrl-C prints the list so far" grep -q "devices heard in .* (interrupted)" "$WORK/$n.int"
  rc=0; "$HAR" watch --stack znp --port "$(port "$n")" --seconds 0 >"$WORK/$n.zero" 2>&1 || rc=$?
  expect_eq "--seconds 0 is a usage error" "$rc" 2
  emu_stop "$n"
fi
n=blank
emu_start "$n" ezsp --nvram "$WORK/$n.nv" --seed 5 || fail "$n: start"
rc=0; "$HAR" watch --stack ezsp --port "$(port "$n")" --seconds 2 >"$WORK/$n.out" 2>&1 || rc=$?
expect_eq "a stick without a network: exit" "$rc" 1
check "it says so, and forms nothing" grep -q "no network formed.*nothing to listen to" "$WORK/$n.out"
rc=0; "$HAR" backup --stack ezsp --port "$(port "$n")" >"$WORK/$n.b" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q "no network" "$WORK/$n.b"; then pass "the blank stick is still blank"; else fail "the blank stick changed"; fi
emu_stop "$n"

finish
