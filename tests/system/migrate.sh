#!/usr/bin/env bash
# `zbharness migrate` (harness/cli/cmd_migrate.c) on all 9 source -> target pairs of emulated
# sticks sharing one world (emulator/world/WORLD.md; the target takes it with --world-wait when the
# source is unplugged): plan, move, Zigbee2MQTT hand-off and the closing watch. Per pair: the
# world's verdict = what watch heard; the configuration.yaml holds the target's adapter, port
# and ext_pan_id in the order zigbee-herdsman's adapter reads (ember, zboss: wire order, least
# significant byte first; zstack: most significant first; z2m_handoff.sh runs the real
# Zigbee2MQTT on it); the stale coordinator_backup.json is moved aside; the source
# still holds its network (migrate never erases it). Then 3000 frames after the backup: the
# measured-rate increment keeps every device alive where zigbee-herdsman's default (+2500)
# loses the routers. Then the refusals: --dry-run and a missing consent write nothing, and a
# source that is never unplugged is never written over.
# Usage: tests/system/migrate.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
source "$(dirname "$0")/world.bash"

declare -A EMU_ARGS=([znp]="znp --profile zstack3x0" [ezsp]="ezsp --ezsp-version 18" [zboss]="zboss")
declare -A ADAPTER=([znp]=zstack [ezsp]=ember [zboss]=zboss)
declare -A RADIO=([znp]=znp [ezsp]=ezsp [zboss]=zboss)
declare -A EPID_ORDER=([znp]=msb [ezsp]=lsb [zboss]=lsb) # harness/move/z2m_config.c says why
TABLE=$WORK/pairs.tsv

z2m_dir() { # z2m_dir DIR: a Zigbee2MQTT data folder as a Z-Stack user has it
  mkdir -p "$1"
  printf '%s\n' "# my house" "mqtt:" "  server: mqtt://localhost" "serial:" "  port: /dev/ttyUSB0" \
    "  adapter: zstack" "advanced:" "  pan_id: 17410" "  ext_pan_id:" "    - 162" "    - 186" \
    "  channel: 15" >"$1/configuration.yaml"
  echo '{"metadata":{"source":"zigbee-herdsman"}}' >"$1/coordinator_backup.json"
}

# run_migrate NAME SRC DST [MIGRATE-ARGS...]: the source NAME (running, with its world) to a
# fresh target NAME-dst; unplugs the source when migrate asks; leaves migrate's exit in $MRC,
# the world's round at the unplugging in $R0 and migrate's output in $WORK/NAME.m.{out,err}
run_migrate() {
  local n=$1 s=$2 d=$3; shift 3
  # shellcheck disable=SC2086
  emu_start "$n-dst" ${EMU_ARGS[$d]} --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" --world-wait ||
    { fail "$n: target start"; MRC=99; return; }
  z2m_dir "$WORK/$n.z2m"
  "$HAR" migrate --from "$s:$(port "$n")" --to "$d:$(port "$n-dst")" --yes --burn-ieee --measure-seconds 4 \
    --dir "$WORK" --z2m "$WORK/$n.z2m" --zha --watch-seconds 8 --watch-json "$WORK/$n.watch.json" "$@" \
    >"$WORK/$n.m.out" 2>"$WORK/$n.m.err" &
  local mp=$!
  for _ in $(seq 240); do grep -q "UNPLUG THE SOURCE" "$WORK/$n.m.err" 2>/dev/null && break; kill -0 "$mp" 2>/dev/null || break; sleep 0.25; done
  if grep -q "UNPLUG THE SOURCE" "$WORK/$n.m.err"; then
    R0=$(jget "$WORK/$n.world.json" j.rounds)
    emu_stop "$n" || fail "$n: source exit"
  fi
  MRC=0; wait "$mp" || MRC=$?
}

heard_nwks() { jget "$1" 'j.devices.filter(d=>d.heard&&d.kind!="unknown").map(d=>d.nwk).sort().join(",")'; }
count() { echo "$1" | tr ',' '\n' | grep -c .; }

echo "-- migrate on the 9 pairs: world verdict = watch, the Zigbee2MQTT hand-off, the source kept"
printf 'pair\talive\theard\tincrement\tz2m\n' >"$TABLE"
for s in znp ezsp zboss; do
  for d in znp ezsp zboss; do
    n=$s-$d
    # shellcheck disable=SC2086
    source_stick "$n" ${EMU_ARGS[$s]} || continue
    run_migrate "$n" "$s" "$d"
    expect_eq "$n: migrate exit" "$MRC" 0
    [ "$MRC" = 0 ] || { sed 's/^/        /' "$WORK/$n.m.err" | tail -8; emu_stop "$n-dst"; continue; }
    emu_stop "$n-dst" || fail "$n: target exit"
    alive=$(alive_nwks "$WORK/$n.world.json" "$R0") heard_=$(heard_nwks "$WORK/$n.watch.json")
    expect_eq "$n: watch heard exactly the devices the world calls alive" "$heard_" "$alive"
    expect_eq "$n: all 8 alive" "$(count "$alive")" 8
    cfg=$WORK/$n.z2m/configuration.yaml
    epid=$(O=${EPID_ORDER[$d]} jget "$WORK/$n.backup.json" 'JSON.stringify((a=>process.env.O=="lsb"?a.reverse():a)(j.extended_pan_id.match(/../g)).map(h=>parseInt(h,16))).replace(/,/g,", ")')
    check "$n: configuration.yaml names adapter ${ADAPTER[$d]} and the target's port" \
      grep -qzF "  port: $(port "$n-dst")"$'\n'"  adapter: ${ADAPTER[$d]}" "$cfg"
    check "$n: ext_pan_id ${EPID_ORDER[$d]} first, as herdsman's ${ADAPTER[$d]} adapter reads it" grep -qxF "  ext_pan_id: $epid" "$cfg"
    check "$n: the user's other settings and comments kept" grep -qxF "# my house" "$cfg"
    kept=$(compgen -G "$cfg.before-migrate-*" | head -1)
    check "$n: the old configuration kept" test -s "$kept"
    check "$n: the stale coordinator_backup.json moved aside" test ! -e "$WORK/$n.z2m/coordinator_backup.json"
    check "$n: ZHA's radio type and path" grep -qzF "radio type: ${RADIO[$d]}"$'\n'"  device path: $(port "$n-dst")" "$WORK/$n.m.out"
    check "$n: the network key is never printed" sh -c "! grep -q '$(jget "$WORK/$n.backup.json" j.network_key.key)' '$WORK/$n.m.out' '$WORK/$n.m.err'"
    src_file=$(grep -o "backed up to [^ ]*json" "$WORK/$n.m.err" | head -1 | sed 's/^backed up to //')
    expect_eq "$n: the source's backup is a new file, mode 0600" "$(stat -c %a "$src_file" 2>&1)" 600
    # shellcheck disable=SC2086
    emu_start "$n" ${EMU_ARGS[$s]} --nvram "$WORK/$n.src.nv" && backup_of "$s" "$n" "$WORK/$n.after.json"
    check "$n: the source still holds its network (never erased)" "$HAR" diff "$src_file" "$WORK/$n.after.json"
    emu_stop "$n"
    printf '%s\t%s/8\t%s/8\t%s\t%s\n' "$n" "$(count "$alive")" "$(count "$heard_")" \
      "$(grep -o 'increment [0-9]*' "$WORK/$n.m.out" | head -1 | cut -d' ' -f2)" "adapter ${ADAPTER[$d]}, port, ext_pan_id ${EPID_ORDER[$d]} first" >>"$TABLE"
  done
done

echo "-- 3000 frames after the backup: the measured increment keeps them, +2500 loses them"
# the source (EmberZNet, whose counter a backup reads exactly) runs at about 500 frames/s while
# migrate measures, then sends 3000 more after the backup before it is unplugged. The target is
# ZBOSS, which resumes at its stored counter: an EmberZNet target would resume 4096 ahead at its
# next reset (its counter reservation, EZSP-NVRAM.md) and a Z-Stack one 1250 ahead, either of
# which can carry +2500 past a 3000-frame gap and hide the loss
run_late() {
  local n=$1; shift
  source_stick "$n" ezsp --ezsp-version 13 || return 1
  (while sleep 1; do frames "${EMU_PID[$n]}" 500 || exit; done) &
  LOAD=$!
  emu_start "$n-dst" zboss --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" --world-wait ||
    { fail "$n: target start"; return 1; }
  z2m_dir "$WORK/$n.z2m"
  "$HAR" migrate --from "ezsp:$(port "$n")" --to "zboss:$(port "$n-dst")" --yes --burn-ieee --measure-seconds 4 \
    --dir "$WORK" --watch-seconds 8 --watch-json "$WORK/$n.watch.json" "$@" >"$WORK/$n.m.out" 2>"$WORK/$n.m.err" &
  local mp=$!
  for _ in $(seq 240); do grep -q "UNPLUG THE SOURCE" "$WORK/$n.m.err" 2>/dev/null && break; kill -0 "$mp" 2>/dev/null || break; sleep 0.25; done
  kill "$LOAD" 2>/dev/null
  frames "${EMU_PID[$n]}" 3000 && sleep 2.5
  R0=$(jget "$WORK/$n.world.json" j.rounds)
  emu_stop "$n"
  MRC=0; wait "$mp" || MRC=$?
  emu_stop "$n-dst" || fail "$n: target exit"
}
n=late-measured
if run_late "$n"; then
  expect_eq "$n: migrate exit" "$MRC" 0
  inc=$(grep -o 'increment [0-9]*' "$WORK/$n.m.out" | head -1 | cut -d' ' -f2)
  if [ "${inc:-0}" -gt 3000 ]; then pass "$n: the measured increment ($inc) covers the frames"; else fail "$n: increment ${inc:-none}"; fi
  alive=$(alive_nwks "$WORK/$n.world.json" "$R0")
  expect_eq "$n: all 8 alive" "$(count "$alive")" 8
  expect_eq "$n: watch heard exactly them" "$(heard_nwks "$WORK/$n.watch.json")" "$alive"
  printf '%s\t%s/8\t%s/8\t%s\t-\n' "$n" "$(count "$alive")" "$(count "$(heard_nwks "$WORK/$n.watch.json")")" "$inc" >>"$TABLE"
fi
n=late-default
if run_late "$n" --counter-increment 2500; then
  expect_eq "$n: migrate exit" "$MRC" 0
  alive=$(alive_nwks "$WORK/$n.world.json" "$R0")
  expect_eq "$n: every router lost on the counter" \
    "$(jget "$WORK/$n.world.json" 'j.devices.filter(d=>d.role=="router"&&/^coordinator frame counter \d+ <= last seen/.test(d.reason)).length')" 7
  expect_eq "$n: watch heard exactly the world's alive devices" "$(heard_nwks "$WORK/$n.watch.json")" "$alive"
  printf '%s\t%s/8\t%s/8\t2500\t-\n' "$n" "$(count "$alive")" "$(count "$(heard_nwks "$WORK/$n.watch.json")")" >>"$TABLE"
fi

echo "-- refusals write nothing"
n=ref
if source_stick "$n" znp --profile zstack3x0; then
  emu_start "$n-dst" ezsp --ezsp-version 18 --nvram "$WORK/$n.dst.nv" --seed 9 || fail "$n: target"
  cp "$WORK/$n.dst.nv" "$WORK/$n.dst.before"
  rc=0; "$HAR" migrate --from "znp:$(port "$n")" --to "ezsp:$(port "$n-dst")" --dry-run --measure-seconds 1 \
    >"$WORK/$n.dry" 2>&1 || rc=$?
  expect_eq "--dry-run without an IEEE choice on a blank EmberZNet token: exit" "$rc" 1
  check "the plan names the write-once token and both ways" grep -q -- "--burn-ieee.*--keep-ieee" "$WORK/$n.dry"
  check "the plan shows the measured counter increment" grep -q "increment 2500" "$WORK/$n.dry"
  rc=0; "$HAR" migrate --from "znp:$(port "$n")" --to "ezsp:$(port "$n-dst")" --dry-run --keep-ieee --measure-seconds 1 \
    >"$WORK/$n.dry2" 2>&1 || rc=$?
  expect_eq "--dry-run --keep-ieee: exit" "$rc" 0
  check "--keep-ieee names the devices to re-pair" grep -q "trust-center rejoin fails on the trust center's address" "$WORK/$n.dry2"
  rc=0; "$HAR" migrate --from "znp:$(port "$n")" --to "ezsp:$(port "$n-dst")" --keep-ieee --measure-seconds 1 \
    </dev/null >"$WORK/$n.noyes" 2>&1 || rc=$?
  expect_eq "no --yes and no terminal: exit" "$rc" 1
  check "it asks for --yes" grep -q "add --yes" "$WORK/$n.noyes"
  rc=0; "$HAR" migrate --from "znp:$(port "$n")" --to "ezsp:$(port "$n-dst")" --keep-ieee --yes --measure-seconds 1 \
    --unplug-timeout 2 --dir "$WORK" >"$WORK/$n.plugged" 2>&1 || rc=$?
  expect_eq "a source never unplugged: exit" "$rc" 1
  check "it says the target was not written" grep -q "still there after 2 s; nothing was written to the target" "$WORK/$n.plugged"
  emu_stop "$n-dst"
  rc=0; "$HAR" backup --stack ezsp --port "$(port "$n-dst")" >/dev/null 2>&1 || rc=$?
  emu_start "$n-dst" ezsp --ezsp-version 18 --nvram "$WORK/$n.dst.nv" || fail "$n: target restart"
  rc=0; "$HAR" backup --stack ezsp --port "$(port "$n-dst")" >"$WORK/$n.b" 2>&1 || rc=$?
  if [ "$rc" = 1 ] && grep -q "no network" "$WORK/$n.b"; then pass "the target is still factory new"; else fail "the target was written"; fi
  emu_stop "$n-dst"
  emu_stop "$n"
fi

echo "-- pairs"
column -t -s $'\t' "$TABLE" | sed 's/^/   /'
finish
