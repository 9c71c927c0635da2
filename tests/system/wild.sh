#!/usr/bin/env bash
# Backups as real writers leave them (issue 28), from the published files in
# vectors/backups/quirks/wild-* and the two edits of them beside (README there says which):
#  1. a coordinator_ieee that is a placeholder (no OUI) is a warning in validate, and restore
#     refuses to write it (EmberZNet would burn it for ever) unless the user says
#     --keep-ieee or --write-placeholder-ieee; an IEEE with an OUI equal to the EPID (Z-Stack's
#     default) is no placeholder;
#  2. device entries a writer garbled (NWK fffe, NWK from the OUI, shifted IEEE) are named by
#     JSON path in validate with what restore does, and restore says and does it per entry
#     and drops none;
#  3. diff of zigbee-herdsman's ember (wire order) and ezsp backups of one stick is "equal apart
#     from zigbee-herdsman's byte order".
# Usage: wild.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
Q=$VEC/backups/quirks
PH=$Q/placeholder-ieee-from-wild-02.json
W05=$Q/wild-05-herdsman-zstack-nwk-fffe.json
GARBLED=$Q/garbled-entries-from-wild-05.json
W12=$Q/wild-12-herdsman-ezsp-before-ember.json
W13=$Q/wild-13-herdsman-ember-ieee-wireorder.json
out() { grep -q -F -- "$1" "$WORK/out.log"; }
mfg_eui() { jget "$1" '(j.mfg_tokens && j.mfg_tokens.MFG_CUSTOM_EUI_64) || ""' 2>/dev/null; }
restore() { # NAME STACK FILE ARGS...: restore FILE onto emulator NAME, output in $WORK/out.log
  local n=$1 s=$2 f=$3; shift 3
  mkdir -p "$WORK/$n.d"
  (cd "$WORK/$n.d" && timeout 180 "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$f" "$@") >"$WORK/out.log" 2>&1
}
backup_of() { timeout 60 "$HAR" backup --stack "$2" --port "$(port "$1")" -o "$3" >"$WORK/$1.bk.log" 2>&1; }

echo "-- 1. a placeholder coordinator_ieee"
"$HAR" validate "$PH" >"$WORK/out.log" 2>&1
expect_eq "validate of a backup whose IEEE is its EPID dddd...: exit" "$?" 0
check "  warns, naming the field" out "warning: coordinator_ieee: dddddddddddddddd has no OUI (all its bytes are equal) and equals extended_pan_id"
check "  and what restore does" out "refuses it unless --keep-ieee"
"$HAR" validate "$W05" >"$WORK/out.log" 2>&1
check "an IEEE with a real OUI equal to the EPID (Z-Stack's default, wild 05) is no placeholder" \
  bash -c "! grep -q 'has no OUI' '$WORK/out.log'"
"$HAR" validate "$W13" >"$WORK/out.log" 2>&1
check "herdsman ember's byte-reversed IEEE (wild 13) has no OUI as written, and the reversal has one" \
  out "byte-reversed it is 08b95f8a7ebcea09, which has one"

n=ph-ezsp
emu_start "$n" ezsp --nvram "$WORK/$n.nv.json" --seed 9 || fail "$n: start"
before=$(mfg_eui "$WORK/$n.nv.json")
restore "$n" ezsp "$PH"; rc=$?
expect_eq "restore of the placeholder onto an EmberZNet stick: exit" "$rc" 1
check "  it says why and offers --keep-ieee and --write-placeholder-ieee" \
  grep -q "coordinator_ieee dddddddddddddddd has no OUI.*--keep-ieee.*--write-placeholder-ieee" "$WORK/out.log"
restore "$n" ezsp "$PH" --burn-ieee; rc=$?
expect_eq "  --burn-ieee alone is consent to burn, not to burn a placeholder: exit" "$rc" 1
expect_eq "  MFG_CUSTOM_EUI_64 untouched" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
restore "$n" ezsp "$PH" --keep-ieee; rc=$?
expect_eq "  --keep-ieee restores with the stick's own IEEE: exit" "$rc" 0
expect_eq "  MFG_CUSTOM_EUI_64 still untouched" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
check "$n: clean exit" emu_stop "$n"

n=ph-znp
emu_start "$n" znp --nvram "$WORK/$n.nv.json" || fail "$n: start"
restore "$n" znp "$PH" --write-placeholder-ieee; rc=$?
expect_eq "--write-placeholder-ieee onto Z-Stack (a rewritable IEEE): exit" "$rc" 0
check "  said as written all the same" out "--write-placeholder-ieee: coordinator_ieee dddddddddddddddd"
backup_of "$n" znp "$WORK/$n.json"
expect_eq "  the stick has the IEEE asked for" "$(jget "$WORK/$n.json" j.coordinator_ieee)" dddddddddddddddd
restore "$n" znp "$PH"; rc=$?
expect_eq "  a stick that has the placeholder already is restored without a flag: exit" "$rc" 0
check "$n: clean exit" emu_stop "$n"
expect_rc "--keep-ieee with --write-placeholder-ieee is a usage error" 2 "excludes" \
  "$HAR" restore --stack znp --port /nonexistent --backup "$PH" --keep-ieee --write-placeholder-ieee

echo "-- 2. garbled device entries"
"$HAR" validate "$GARBLED" >"$WORK/out.log" 2>&1
expect_eq "validate of the garbled entries: exit (usable, so valid)" "$?" 0
check "  NWK from the OUI, by JSON path, with what restore does" \
  grep -q "warning: devices\[1\].nwk_address: 2c02 is two bytes of the device's own OUI 282c02.*restore: written without its NWK address" "$WORK/out.log"
check "  the shifted IEEE, by JSON path, with what restore does" \
  grep -q "warning: devices\[3\].ieee_address: 00282c02f634628e is devices\[0\]'s 282c02f634628ece shifted right by 1 byte.*restore: written as it is" "$WORK/out.log"
expect_eq "  each fffe entry of wild 05" "$(grep -c "nwk_address: fffe is not an address.*restore: written without its NWK address" "$WORK/out.log")" 2
"$HAR" validate --for znp "$W05" >"$WORK/out.log" 2>&1
expect_eq "validate --for znp checks what restore writes (no 'reserved' error): exit" "$?" 0

n=garbled-znp
emu_start "$n" znp --nvram "$WORK/$n.nv.json" || fail "$n: start"
restore "$n" znp "$W05"; rc=$?
expect_eq "restore of wild 05 (two devices at fffe) onto Z-Stack: exit" "$rc" 0
expect_eq "  one line per fffe entry saying what it does" \
  "$(grep -c "restore: devices\[2[27]\].nwk_address: fffe is not an address.*; written without its NWK address" "$WORK/out.log")" 2
backup_of "$n" znp "$WORK/$n.json"
expect_eq "  all 52 devices are on the stick" "$(jget "$WORK/$n.json" j.devices.length)" 52
expect_eq "  the fffe devices with their IEEE and no NWK address" \
  "$(jget "$WORK/$n.json" 'j.devices.filter(d => ["00158d03360c01b5","282c02d6915e4e87"].includes(d.ieee_address) && d.nwk_address === null).length')" 2
restore "$n" znp "$GARBLED" --force; rc=$?
expect_eq "restore of the garbled edit onto Z-Stack: exit" "$rc" 0
check "  the shifted IEEE is said and written as it is" \
  grep -q "restore: devices\[3\].ieee_address: 00282c02f634628e .*; written as it is" "$WORK/out.log"
backup_of "$n" znp "$WORK/$n.2.json"
expect_eq "  no device dropped" "$(jget "$WORK/$n.2.json" j.devices.length)" 52
expect_eq "  the NWK from the OUI is not written" \
  "$(jget "$WORK/$n.2.json" 'j.devices.find(d => d.ieee_address === "282c022acc36b55b").nwk_address')" null
check "$n: clean exit" emu_stop "$n"

# EmberZNet keeps a device only by its address (child and address tables) or its link key: one
# left without its address is written to the address table with the unknown node id 0xFFFD
# (ember-types.h EMBER_UNKNOWN_NODE_ID), so nothing goes missing after the first write
mut "$VEC/backups/valid/znp-CC2652R-ZStack4.json" "$WORK/dup.json" \
  'd["devices"][1]["nwk_address"] = d["devices"][0]["nwk_address"]'
for v in 18 8; do
  n=garbled-ezsp$v
  emu_start "$n" ezsp --ezsp-version "$v" --nvram "$WORK/$n.nv.json" || fail "$n: start"
  restore "$n" ezsp "$WORK/dup.json" --burn-ieee; rc=$?
  expect_eq "EZSP v$v: restore of two devices sharing one NWK address: exit" "$rc" 0
  backup_of "$n" ezsp "$WORK/$n.json"
  expect_eq "  no device dropped" "$(jget "$WORK/$n.json" j.devices.length)" 8
  expect_eq "  both on the stick without an address" \
    "$(jget "$WORK/$n.json" 'j.devices.filter(d => ["000b57fffe2bd457","4b001c4b2159a231"].includes(d.ieee_address) && d.nwk_address === null).length')" 2
  check "$n: clean exit" emu_stop "$n"
done

echo "-- 3. diff of one stick through zigbee-herdsman's ezsp and ember adapters"
"$HAR" diff --max-increment 0 "$W12" "$W13" >"$WORK/out.log" 2>&1
expect_eq "diff ezsp -> ember (wild 12, 13): exit" "$?" 0
check "  equal apart from zigbee-herdsman's byte order" out "equal apart from zigbee-herdsman's byte order"
check "  the IEEE said with why" out "coordinator_ieee: 08b95f8a7ebcea09 -> 09eabc7e8a5fb908 (the same value byte-reversed"
"$HAR" diff --ignore network_key.frame_counter "$W13" "$W12" >"$WORK/out.log" 2>&1
expect_eq "  and ember -> ezsp (its counter is older): exit" "$?" 0
"$HAR" diff --json --max-increment 0 "$W12" "$W13" >"$WORK/out.json" 2>/dev/null
expect_eq "  --json: equal, the IEEE under byte_order" \
  "$(jget "$WORK/out.json" 'j.equal + " " + j.byte_order.map(d => d.path).join()')" "true coordinator_ieee"
mut "$W13" "$WORK/not-herdsman.json" 'd["metadata"]["source"] = "bellows@0.49.2"'
mut "$W12" "$WORK/not-herdsman12.json" 'd["metadata"]["source"] = "bellows@0.49.2"'
"$HAR" diff --max-increment 0 "$WORK/not-herdsman12.json" "$WORK/not-herdsman.json" >"$WORK/out.log" 2>&1
expect_eq "the same values from another writer differ: exit" "$?" 1
mut "$W13" "$WORK/other-pan.json" 'd["pan_id"] = "1234"'
"$HAR" diff --max-increment 0 "$W12" "$WORK/other-pan.json" >"$WORK/out.log" 2>&1
expect_eq "a real difference beside the byte order is still one: exit" "$?" 1

finish
