#!/usr/bin/env bash
# The world (emulator/world/WORLD.md): simulated devices that outlive the coordinator. Checks the world
# file (joins, lock, errors), then judges migrations by the devices and by the real
# zigbee-herdsman 10.9.5: on the migrated emulator herdsman must receive the attribute reports of
# exactly the devices the world calls alive, per target stack (znp, ezsp, zboss), and none of the
# lost ones. The roundtrip matrix's world verdicts, negative controls and goldens are in
# world_matrix.sh (a suite of its own, so that the two run side by side).
# Usage: tests/system/world.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
SEED=$VEC/backups/valid/znp-CC2652R-ZStack4.json

source "$(dirname "$0")/world.bash"

echo "-- the world file"
n=join
emu_start "$n" znp --nvram "$WORK/$n.nv" --world "$WORK/$n.world.json" --devices 6 --seed 3 || fail "$n: start"
if zh "$n" "$WORK/$n.zh1" --adapter zstack --pan 0x2a5c --epid dd3c0ffee1a2b3c4 --channel 20; then
  expect_eq "--devices 6 with --world: devices in the world after formation" "$(jget "$WORK/$n.world.json" j.devices.length)" 6
  expect_eq "each holds the network herdsman formed (PAN, channel)" \
    "$(jget "$WORK/$n.world.json" '[...new Set(j.devices.map(d=>d.network.pan_id+"/"+d.network.channel))].join()')" 2a5c/20
  expect_eq "each holds the coordinator's IEEE as trust center" \
    "$(jget "$WORK/$n.world.json" '[...new Set(j.devices.map(d=>d.trust_center_ieee))].join()')" \
    "$(jget "$WORK/$n.zh1" 'j.coordinatorIeee.replace(/^0x/,"")')"
  expect_eq "link keys as Z-Stack derives them (seed-derived or unique)" \
    "$(jget "$WORK/$n.world.json" 'j.devices.every(d=>["zstack-seed","unique"].includes(d.link_key.derivation))')" true
else
  fail "herdsman formation: $(cat "$WORK/$n.zh1")"
fi
if "$EMU" znp --world "$WORK/$n.world.json" >"$WORK/$n.second" 2>&1; then fail "a second zbemu on the same world started"
else expect_eq "a second zbemu on the same world is refused (lock)" "$(grep -c 'in use by another zbemu' "$WORK/$n.second")" 1; fi
check "clean exit on SIGTERM" emu_stop "$n"
expect_eq "the world file is written atomically and mode 0600" "$(stat -c %a "$WORK/$n.world.json"); $(ls "$WORK" | grep -c "$n.world.json.tmp")" "600; 0"
echo '{"format":"zbemu-world/1","devices":[{"ieee":"xyz"}]}' >"$WORK/bad.world.json"
"$EMU" znp --world "$WORK/bad.world.json" >"$WORK/bad.out" 2>&1
expect_eq "a malformed world file is a startup error naming the field" \
  "$(grep -c 'bad.world.json: devices\[0\].ieee: expected 16 hex digits' "$WORK/bad.out")" 1

echo "-- the verdict over time: a coordinator that leaves its network judges nobody"
# clear_state PORT: Z-Stack's own way to leave the network: STARTUP_OPTION clear-state
# (SYS_OSAL_NV_WRITE of item 0x0003), then SYS_RESET_REQ (zstack-mt.md)
clear_state() {
  python3 -c 'import os,sys,time,tty
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY); tty.setraw(fd)
def frame(c0, c1, d):
    b = bytes([len(d), c0, c1]) + d; x = 0
    for v in b: x ^= v
    return bytes([0xFE]) + b + bytes([x])
os.write(fd, frame(0x21, 0x09, bytes([0x03, 0x00, 0x00, 0x01, 0x02]))); time.sleep(0.3)
os.write(fd, frame(0x41, 0x00, bytes([0x01]))); time.sleep(0.5); os.close(fd)' "$1"
}
n=leave
if source_stick "$n" znp --profile zstack3x0; then
  W=$WORK/$n.world.json
  expect_eq "$n: before leaving, every device alive, judged at a time" \
    "$(jget "$W" 'j.format+" "+j.devices.filter(d=>d.status=="alive"&&/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(d.time)).length')" "zbemu-world/2 8"
  clear_state "$(port "$n")" && sleep 4 # the next exchange finds no network
  expect_eq "$n: the coordinator left its network: every verdict 'not judged since', none alive" \
    "$(jget "$W" 'j.devices.filter(d=>d.status=="not judged since"&&d.last_status=="alive").length+"/"+j.devices.filter(d=>d.status.startsWith("alive")).length')" "8/0"
  expect_eq "$n: the file says since when (round and time)" \
    "$(jget "$W" 'j.network_down.round==j.rounds&&/^\d{4}-.*Z$/.test(j.network_down.time)&&j.devices.every(d=>d.reason.startsWith("the coordinator\x27s network went down after round "+j.network_down.round+" at "))')" true
  check "$n: clean exit without a network" emu_stop "$n"
  expect_eq "$n: still not judged after the stop" "$(alive_nwks "$W" 0 | tr ',' '\n' | grep -c .)" 0
  # negative control: the same house judged again once the network is back
  emu_start "$n" znp --profile zstack3x0 --nvram "$WORK/$n.src.nv" --world "$W" --seed 7 || fail "$n: restart"
  check "$n: the network restored" "$HAR" restore --stack znp --port "$(port "$n")" --backup "$SEED" --force --burn-ieee --prerestore-dir "$WORK"
  sleep 3
  check "$n: clean exit" emu_stop "$n"
  expect_eq "$n: network back: all 8 alive again, network_down gone" \
    "$(alive_nwks "$W" 0 | tr ',' '\n' | grep -c .) $(jget "$W" '"network_down" in j')" "8 false"
fi

echo "-- herdsman on the migrated stick hears exactly the devices the world calls alive"
# judge NAME ADAPTER ZH-ARGS...: the target NAME-dst runs on NAME.world.json; herdsman listens
judge() {
  local n=$1 adapter=$2; shift 2
  local r0; r0=$(jget "$WORK/$n.world.json" j.rounds)
  if zh "$n-dst" "$WORK/$n.zh" --adapter "$adapter" --listen-ms 7000 "$@"; then
    emu_stop "$n-dst" || fail "$n: target exit"
    local alive heard_; alive=$(alive_nwks "$WORK/$n.world.json" "$r0"); heard_=$(heard "$WORK/$n.zh")
    echo "      world: alive [$alive], lost $(lost_of "$WORK/$n.world.json" "$r0"); herdsman heard [$heard_]"
    expect_eq "$n: herdsman's reports come from exactly the alive devices" "$heard_" "$alive"
    expect_eq "$n: herdsman parsed every report" "$(jget "$WORK/$n.zh" 'j.reports.parseErrors.length')" 0
  else
    fail "$n: herdsman: $(cat "$WORK/$n.zh")"
    emu_stop "$n-dst"
  fi
}

# Z-Stack: herdsman restores onto the target (+2500) and resumes: every device alive
n=zstack
if source_stick "$n" znp --profile zstack3x0; then
  emu_stop "$n"
  emu_start "$n-dst" znp --profile zstack3x0 --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" || fail "$n: target"
  judge "$n" zstack --restore-from "$WORK/$n.backup.json"
  expect_eq "$n: all 8 alive" "$(alive_nwks "$WORK/$n.world.json" 0 | tr ',' '\n' | grep -c .)" 8
fi
# Z-Stack with 6000 frames after the backup: +2500 (+1250 at boot) is too small: all lost
n=zstack-late
if source_stick "$n" znp --profile zstack3x0; then
  frames "${EMU_PID[$n]}" 6000 && sleep 0.5
  emu_stop "$n"
  emu_start "$n-dst" znp --profile zstack3x0 --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" || fail "$n: target"
  judge "$n" zstack --restore-from "$WORK/$n.backup.json"
  expect_eq "$n: lost with the counter reason" \
    "$(jget "$WORK/$n.world.json" 'j.devices.filter(d=>/^coordinator frame counter \d+ <= last seen \d+$/.test(d.reason)).length')" 8
fi
# EmberZNet: herdsman ember restores the counter exactly (+0); 3000 frames after the backup: lost
n=ember-late
if source_stick "$n" ezsp --ezsp-version 13; then
  frames "${EMU_PID[$n]}" 3000 && sleep 0.5
  emu_stop "$n"
  flip "$WORK/$n.backup.json" "$WORK/$n.zhin.json"
  emu_start "$n-dst" ezsp --ezsp-version 13 --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" || fail "$n: target"
  judge "$n" ember --restore-from "$WORK/$n.zhin.json"
  # routers drop the new coordinator's frames; the end device, not in the child table herdsman
  # ember writes (none), rejoins and is heard again (WORLD.md: rejoin)
  expect_eq "$n: every router lost on the coordinator's counter" \
    "$(jget "$WORK/$n.world.json" 'j.devices.filter(d=>d.role=="router"&&/^coordinator frame counter \d+ <= last seen/.test(d.reason)).length')" 7
  expect_eq "$n: the end device alive after rejoin" \
    "$(jget "$WORK/$n.world.json" 'j.devices.filter(d=>d.role=="end_device").map(d=>d.status).join()')" "alive after rejoin"
fi
# EmberZNet restored by zbharness (+2500), herdsman resumes: alive
n=ember
if source_stick "$n" ezsp --ezsp-version 18; then
  emu_stop "$n"
  emu_start "$n-dst" ezsp --ezsp-version 18 --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" || fail "$n: target"
  check "$n: zbharness restore onto the target" "$HAR" restore --stack ezsp --port "$(port "$n-dst")" --backup "$WORK/$n.backup.json" --force --burn-ieee --prerestore-dir "$WORK"
  flip "$WORK/$n.backup.json" "$WORK/$n.zhin.json"
  judge "$n" ember --restore-from "$WORK/$n.zhin.json"
  expect_eq "$n: all 8 alive" "$(alive_nwks "$WORK/$n.world.json" 0 | tr ',' '\n' | grep -c .)" 8
fi
# ZBOSS (herdsman's zboss adapter has no restore): zbharness restores, herdsman resumes
n=zboss
if source_stick "$n" znp --profile zstack3x0; then
  emu_stop "$n"
  emu_start "$n-dst" zboss --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" || fail "$n: target"
  check "$n: zbharness restore onto the ZBOSS target" "$HAR" restore --stack zboss --port "$(port "$n-dst")" --backup "$WORK/$n.backup.json" --force --prerestore-dir "$WORK"
  B=$WORK/$n.backup.json
  # herdsman's zboss adapter compares extendedPanID in wire order (LSB first) with the NCP's
  judge "$n" zboss --pan "0x$(jget "$B" j.pan_id)" --epid "$(jget "$B" 'j.extended_pan_id.match(/../g).reverse().join("")')" \
    --key "$(jget "$B" j.network_key.key)" --channel "$(jget "$B" j.channel)"
  expect_eq "$n: all 8 alive" "$(alive_nwks "$WORK/$n.world.json" 0 | tr ',' '\n' | grep -c .)" 8
fi

finish
