#!/usr/bin/env bash
# EmberZNet sticks as they are in the field: zbemu ezsp --ezsp-version 8..19 and zbharness.
#   1. each version's command table, frame format and layouts, checked by an independent ASH
#      implementation (ezsp_versions_probe.py: bellows' and herdsman's version handshakes, the
#      ids that exist per version, child data and key struct sizes, status widths);
#   2. zbharness restores the backup of a real CC2652R (8 devices, 7 link keys) onto v8-v12 and
#      v19 and backs it up again: equal but for the losses each version declares (all: incoming
#      link-key counters, the Z-Stack TCLK seed; v8: is_child, no setChildData);
#   3. a network on a v8 stick upgraded in place (same token file, EmberZNet reflashed to
#      v13 / v19) reads back the same, and the real zigbee-herdsman (ember adapter, v13+)
#      resumes it.
# Usage: tests/system/ezsp_legacy.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner

SRC=$VEC/backups/valid/znp-CC2652R-ZStack4.json
# the source (Z-Stack) has no EmberZNet hashed TCLK: restore makes a fresh one, as zigpy does
COMMON_LOSS=(--ignore devices[].link_key.rx_counter --ignore stack_specific.zstack.tclk_seed
             --ignore stack_specific.ezsp.hashed_tclk)

echo "-- per-version command tables (tests/system/ezsp_versions_probe.py)"
for v in 8 9 10 11 12 13 14 18 19; do
  n=probe-v$v
  emu_start "$n" ezsp --ezsp-version "$v" || { fail "$n: start"; continue; }
  if python3 "$ZB_ROOT/tests/system/ezsp_versions_probe.py" "$(port "$n")" "$v" >"$WORK/$n.out" 2>&1; then
    pass "v$v: $(grep -c '^ok' "$WORK/$n.out") version checks"
  else
    fail "v$v: version checks"; grep -v '^ok' "$WORK/$n.out" | sed 's/^/        /'
  fi
  check "v$v: clean exit on SIGTERM" emu_stop "$n"
done

echo "-- zbharness restore + backup of a real CC2652R network on each legacy version and v19"
for v in 8 9 10 11 12 19; do
  n=rt-v$v
  emu_start "$n" ezsp --ezsp-version "$v" --nvram "$WORK/$n.nv.json" --seed 3 || { fail "$n: start"; continue; }
  if (cd "$WORK" && "$HAR" restore --stack ezsp --port "$(port "$n")" --backup "$SRC" --burn-ieee) >"$WORK/$n.restore.log" 2>&1; then
    pass "v$v: restore (read back equal but for the declared losses)"
  else
    fail "v$v: restore: $(tail -3 "$WORK/$n.restore.log")"
  fi
  if [ "$v" = 8 ]; then
    if grep -q 'not stored by this device: devices\[\].is_child (EZSP v8' "$WORK/$n.restore.log"; then
      pass "v8: is_child declared lost, with the reason"
    else fail "v8: no is_child loss declared: $(cat "$WORK/$n.restore.log")"; fi
    extra=(--ignore devices[].is_child)
  else
    if grep -q 'devices\[\].is_child' "$WORK/$n.restore.log"; then fail "v$v: is_child declared lost"
    else pass "v$v: children kept (setChildData)"; fi
    extra=()
  fi
  check "v$v: zbharness backup" "$HAR" backup --stack ezsp --port "$(port "$n")" -o "$WORK/$n.json"
  expect_eq "v$v: devices / link keys / children / ezspVersion" \
    "$(jget "$WORK/$n.json" '[j.devices.length,j.devices.filter(d=>d.link_key).length,j.devices.filter(d=>d.is_child).length,j.metadata.internal.ezspVersion].join("/")')" \
    "8/7/$([ "$v" = 8 ] && echo 0 || jget "$SRC" 'j.devices.filter(d=>d.is_child).length')/$v"
  check "v$v: equals the original but for the declared losses" \
    "$HAR" diff "${COMMON_LOSS[@]}" "${extra[@]}" "$SRC" "$WORK/$n.json"
  check "v$v: clean exit on SIGTERM" emu_stop "$n"
done

echo "-- a v8 network upgraded in place (EmberZNet 6.10 -> 7.4 -> 9.1, same token file)"
for v in 13 19; do
  n=up-v$v
  cp "$WORK/rt-v8.nv.json" "$WORK/$n.nv.json"
  emu_start "$n" ezsp --ezsp-version "$v" --nvram "$WORK/$n.nv.json" || { fail "$n: start"; continue; }
  check "v8 -> v$v: zbharness backup" "$HAR" backup --stack ezsp --port "$(port "$n")" -o "$WORK/$n.json"
  check "v8 -> v$v: the network reads back as under v8" "$HAR" diff "$WORK/rt-v8.json" "$WORK/$n.json"
  epid=$(jget "$WORK/rt-v8.json" 'j.extended_pan_id.match(/../g).reverse().join("")') # herdsman: wire order
  if zh "$n" "$WORK/$n.zhout" --adapter ember --pan "0x$(jget "$WORK/rt-v8.json" j.pan_id)" --epid "$epid" \
       --key "$(jget "$WORK/rt-v8.json" j.network_key.key)" --channel "$(jget "$WORK/rt-v8.json" j.channel)"; then
    expect_eq "v8 -> v$v: herdsman (ember) resumes the upgraded network" "$(jget "$WORK/$n.zhout" j.startResult)" resumed
  else
    fail "v8 -> v$v: herdsman: $(cat "$WORK/$n.zhout")"
  fi
  check "v8 -> v$v: clean exit on SIGTERM" emu_stop "$n"
done

echo "-- herdsman and a backup taken from a v8 stick (metadata.internal.ezspVersion 8)"
# herdsman 10.9.5 ignores ember backups older than EZSP v12 (BACKUP_OLDEST_SUPPORTED_EZSP_VERSION:
# renamed to .old) and forms from its settings instead: same PAN/EPID/key but no devices, a new
# TCLK and frame counter 0. zbharness restores such a backup; herdsman then resumes it.
flip() { # herdsman's wire order for coordinator_ieee / extended_pan_id
  node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));
    const r=h=>h.match(/../g).reverse().join("");
    j.coordinator_ieee=r(j.coordinator_ieee); j.extended_pan_id=r(j.extended_pan_id);
    fs.writeFileSync(process.argv[2],JSON.stringify(j,null,2))' "$1" "$2"
}
n=zh-v8backup
flip "$WORK/rt-v8.json" "$WORK/$n.input.json"
emu_start "$n" ezsp --ezsp-version 19 --nvram "$WORK/$n.nv.json" --seed 8 || fail "$n: start"
if zh "$n" "$WORK/$n.zh1" --adapter ember --restore-from "$WORK/$n.input.json"; then
  expect_eq "herdsman does not restore a v8 backup: forms from its settings" "$(jget "$WORK/$n.zh1" j.startResult)" reset
  expect_eq "and keeps it aside as .old" "$(ls "$WORK/$n.zh" | grep -c '\.old$')" 1
  check "zbharness backup of herdsman's network" "$HAR" backup --stack ezsp --port "$(port "$n")" -o "$WORK/$n.zh.json"
  expect_eq "herdsman's network: same PAN/EPID/key, no devices, frame counter restarted" \
    "$(jget "$WORK/$n.zh.json" '[j.pan_id,j.extended_pan_id,j.network_key.key,j.devices.length,j.network_key.frame_counter<7500].join("/")')" \
    "$(jget "$WORK/rt-v8.json" '[j.pan_id,j.extended_pan_id,j.network_key.key].join("/")')/0/true"
else
  fail "herdsman with a v8 backup: $(cat "$WORK/$n.zh1")"
fi
check "zbharness restores the v8 backup onto the v19 stick" \
  bash -c "cd '$WORK' && '$HAR' restore --stack ezsp --port '$(port "$n")' --backup '$WORK/rt-v8.json' --force --burn-ieee"
check "and reads it back equal" bash -c "'$HAR' backup --stack ezsp --port '$(port "$n")' -o '$WORK/$n.ours.json' && '$HAR' diff '$WORK/rt-v8.json' '$WORK/$n.ours.json'"
epid=$(jget "$WORK/rt-v8.json" 'j.extended_pan_id.match(/../g).reverse().join("")')
if zh "$n" "$WORK/$n.zh2" --adapter ember --pan "0x$(jget "$WORK/rt-v8.json" j.pan_id)" --epid "$epid" \
     --key "$(jget "$WORK/rt-v8.json" j.network_key.key)" --channel "$(jget "$WORK/rt-v8.json" j.channel)"; then
  expect_eq "herdsman resumes the network zbharness migrated from v8" "$(jget "$WORK/$n.zh2" j.startResult)" resumed
else
  fail "herdsman after the migration: $(cat "$WORK/$n.zh2")"
fi
check "clean exit on SIGTERM" emu_stop "$n"

finish
