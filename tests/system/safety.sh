#!/usr/bin/env bash
# Real-stick safety (issue 12): the harness must never destroy or brand a user's coordinator.
# Part 1 reproduces what was seen (a write-once IEEE burnt without asking, a failed read taken
# for "no network", frame counters rolled back, capacity and refused values found only after
# the stick was written, conformance branding sticks and overwriting its recovery file) as
# checks. Part 2 restores another network onto each emulator through link faults, with the
# emulator killed (an unplug) or the harness interrupted (Ctrl-C) at random points, and
# judges every attempt: the stick holds exactly its original network, or the new one read back
# equal, or the run named a pre-restore file that validates and, with the one command it
# printed, puts the original back. No write-once token changes without --burn-ieee.
# Usage: safety.sh BUILD_DIR   (ZB_LONG=1: many more seeds)
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
SAMPLE=$VEC/backups/valid/z2m-sample-1.json
LONG=${ZB_LONG:-0}
STACKS=(znp ezsp zboss)
if [ "$LONG" = 1 ]; then SEEDS2="3 4 5 6 7"; else SEEDS2=3; fi

# the write-once EUI64 of an emulated EmberZNet stick ("" for the other stacks)
mfg_eui() { [ -s "$1" ] && jget "$1" '(j.mfg_tokens && j.mfg_tokens.MFG_CUSTOM_EUI_64) || ""' 2>/dev/null; }
field() { jget "$1" "$2"; }
# NVRAM minus STACK_BOOT_COUNTER (an EZSP NCP counts the reboot a host's ASH RST makes)
nvsum() { python3 -c 'import json,sys,hashlib; d=json.load(open(sys.argv[1]))
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k != "STACK_BOOT_COUNTER"}
    return o
print(hashlib.sha256(json.dumps(strip(d), sort_keys=True).encode()).hexdigest())' "$1"; }
T0=$(date +%s)
section() { echo "-- [$(($(date +%s) - T0)) s] $*"; }
no_prerestore() { [ -z "$(ls "$1"/zbharness-prerestore-* 2>/dev/null)" ]; }

# ---------------------------------------------------------------- set-up: a stick per stack
# Each stick holds the z2m sample network; ORIG is its backup, OTHER another network with the
# same coordinator IEEE (so nothing needs burning), BASE the NVRAM file to start attempts from.
for s in "${STACKS[@]}"; do
  n=base-$s
  emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" --seed 5 || { fail "$n: start"; continue; }
  (cd "$WORK" && "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$SAMPLE" --burn-ieee) >"$WORK/$n.out" 2>&1 ||
    { fail "$s: seed the stick: $(tail -2 "$WORK/$n.out")"; }
  backup_of "$s" "$n" "$WORK/orig-$s.json" || fail "$s: backup of the seeded stick"
  emu_stop "$n" || fail "$n: clean exit"
  cp "$WORK/$n.nv.json" "$WORK/base-$s.nv.snap"
  mut "$WORK/orig-$s.json" "$WORK/other-$s.json" '
d["extended_pan_id"] = "dd" + d["extended_pan_id"][2:]
d["pan_id"] = "%04x" % (int(d["pan_id"], 16) ^ 0x0101)
d["network_key"]["key"] = "a5" + d["network_key"]["key"][2:]'
done

# fresh NAME STACK: an emulator started from the seeded stick's NVRAM
fresh() {
  cp "$WORK/base-$2.nv.snap" "$WORK/$1.nv.json"
  mkdir -p "$WORK/$1.d"
  emu_start "$1" "$2" --nvram "$WORK/$1.nv.json" "${@:3}"
}
# holds_orig NAME STACK: the stick's backup equals the original (counters may only grow)
holds() { backup_of "$2" "$1" "$WORK/$1.now.json" && "$HAR" diff "$3" "$WORK/$1.now.json" >"$WORK/$1.diff" 2>&1; }

section "seen 1: a write-once IEEE is never burnt without --burn-ieee"
n=blank
emu_start "$n" ezsp --nvram "$WORK/$n.nv.json" --seed 9 && mkdir -p "$WORK/$n.d"
before=$(mfg_eui "$WORK/$n.nv.json")
rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack ezsp --port "$(port "$n")" --backup "$SAMPLE") >"$WORK/$n.out" 2>&1 || rc=$?
expect_eq "restore onto a blank-token stick without a flag: exit" "$rc" 1
check "it explains and offers --burn-ieee and --keep-ieee" grep -q -- "--burn-ieee.*--keep-ieee" "$WORK/$n.out"
expect_eq "MFG_CUSTOM_EUI_64 untouched" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
mut "$SAMPLE" "$WORK/override.json" 'd.setdefault("stack_specific", {}).setdefault("ezsp", {})["i_understand_i_can_update_eui64_only_once_and_i_still_want_to_do_it"] = True'
rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack ezsp --port "$(port "$n")" --backup "$WORK/override.json") >"$WORK/$n.out2" 2>&1 || rc=$?
expect_eq "bellows' override key alone is not consent to burn: exit" "$rc" 1
expect_eq "MFG_CUSTOM_EUI_64 still untouched" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack ezsp --port "$(port "$n")" --backup "$SAMPLE" --keep-ieee) >"$WORK/$n.out3" 2>&1 || rc=$?
expect_eq "--keep-ieee restores" "$rc" 0
check "--keep-ieee is declared as a loss, with what it means for devices" grep -q "This is a loss.*re-paired" "$WORK/$n.out3"
backup_of ezsp "$n" "$WORK/$n.b.json"
if [ "$(field "$WORK/$n.b.json" j.coordinator_ieee)" != "$(field "$SAMPLE" j.coordinator_ieee)" ]; then
  pass "the stick kept its own IEEE ($(field "$WORK/$n.b.json" j.coordinator_ieee))"
else fail "the stick took the backup's IEEE under --keep-ieee"; fi
expect_eq "MFG_CUSTOM_EUI_64 untouched by --keep-ieee" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
check "blank stick: clean exit" emu_stop "$n"

section "seen 2: a read that failed is not \"no network\" (noisy link, another backup, no --force)"
for s in "${STACKS[@]}"; do
  for seed in $SEEDS2; do
    n=noisy-$s-$seed
    fresh "$n" "$s" --fault corrupt=2%,seed=$seed || { fail "$n: start"; continue; }
    rc=0
    (cd "$WORK/$n.d" && timeout 120 "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/other-$s.json") >"$WORK/$n.out" 2>&1 || rc=$?
    # refused: the read failed ("could not read"), the other network was seen (no --force),
    # or the device did not even answer the wake-up; what matters is below: no file, no change
    why=$(grep -v '^ ' "$WORK/$n.out" | tail -1 | cut -c1-90)
    if [ "$rc" != 0 ] && ! grep -q "backed up to" "$WORK/$n.out"; then pass "$s seed $seed: refused before any write (exit $rc: $why)"
    else fail "$s seed $seed: exit $rc: $(grep -v '^ ' "$WORK/$n.out" | tail -2)"; fi
    if no_prerestore "$WORK/$n.d"; then pass "$s seed $seed: a refused restore writes no file"; else fail "$s seed $seed: a pre-restore file was written"; fi
    emu_kill "$n"
    emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" || { fail "$n: restart"; continue; }
    if holds "$n" "$s" "$WORK/orig-$s.json"; then pass "$s seed $seed: the stick holds its network"
    else fail "$s seed $seed: the network changed: $(head -3 "$WORK/$n.diff")"; fi
    emu_stop "$n" >/dev/null
  done
done

section "seen 3: frame counters never go backwards for the same network"
for s in "${STACKS[@]}"; do
  n=low-$s
  fresh "$n" "$s" || { fail "$n: start"; continue; }
  fc0=$(field "$WORK/orig-$s.json" j.network_key.frame_counter)
  mut "$WORK/orig-$s.json" "$WORK/$n.json" '
d["network_key"]["frame_counter"] = 10
for x in d["devices"]:
    if "link_key" in x: x["link_key"]["tx_counter"] = 1'
  rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/$n.json") >"$WORK/$n.out" 2>&1 || rc=$?
  expect_eq "$s: restore of the same network with lower counters: exit" "$rc" 0
  # (at least fc0: an emulated Z-Stack adds 1250 at every boot, as the firmware does)
  check "$s: it says it keeps the stick's higher counter" grep -q "NWK frame counter [0-9]* is above the backup's 10 (same network): keeping" "$WORK/$n.out"
  backup_of "$s" "$n" "$WORK/$n.b.json"
  fc1=$(field "$WORK/$n.b.json" j.network_key.frame_counter)
  if [ "$fc1" -ge $((fc0 + 2500)) ]; then pass "$s: NWK frame counter $fc0 -> $fc1"; else fail "$s: NWK frame counter $fc0 -> $fc1"; fi
  down=$(node -e '
const a=require(process.argv[1]),b=require(process.argv[2]);let n=0;
for (const x of a.devices) { const y=b.devices.find(z=>z.ieee_address===x.ieee_address);
  if (x.link_key && y && y.link_key && y.link_key.tx_counter < x.link_key.tx_counter) n++; }
console.log(n)' "$WORK/orig-$s.json" "$WORK/$n.b.json")
  expect_eq "$s: APS link-key TX counters that went down" "$down" 0
  emu_stop "$n" >/dev/null
done
echo "   (ZNP: counters near 2^32 saturate, never wrap)"
n=wrap-znp
fresh "$n" znp
# the NWK counter stays 2^32 - 2^16 below the end: the emulated Z-Stack itself adds 1250 at
# every boot (as the firmware does), which no host can stop from wrapping
mut "$WORK/orig-znp.json" "$WORK/$n.json" '
d["network_key"]["frame_counter"] = 4294901760
for x in d["devices"]:
    if "link_key" in x: x["link_key"]["tx_counter"] = 4294967000'
rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack znp --port "$(port "$n")" --backup "$WORK/$n.json") >"$WORK/$n.out" 2>&1 || rc=$?
expect_eq "znp: restore of counters near the end: exit" "$rc" 0
backup_of znp "$n" "$WORK/$n.b.json"
fc=$(field "$WORK/$n.b.json" j.network_key.frame_counter)
if [ "$fc" -ge 4294904260 ]; then pass "znp: NWK counter 4294901760 + 2500 -> $fc"; else fail "znp: NWK counter 4294901760 + 2500 -> $fc"; fi
expect_eq "znp: link-key tx_counter 4294967000 + 2500 (was written as 2204)" \
  "$(field "$WORK/$n.b.json" 'Math.min(...j.devices.filter(x=>x.link_key).map(x=>x.link_key.tx_counter))')" 4294967295
emu_stop "$n" >/dev/null

section "seen 4: capacities and refused values are checked before the first write"
declare -A BAD=(
  [children300]='d["devices"] = [{"ieee_address": "%016x" % (0x00158d0000000000 + i), "nwk_address": "%04x" % (i + 1), "is_child": True} for i in range(300)]'
  [keys200]='d["devices"] = [{"ieee_address": "%016x" % (0x00158d0000000000 + i), "nwk_address": "%04x" % (i + 1), "is_child": False, "link_key": {"key": "%032x" % (i + 7), "tx_counter": 1, "rx_counter": 0}} for i in range(200)]'
  [devices10000]='d["devices"] = [{"ieee_address": "%016x" % (0x00158d0000000000 + i), "nwk_address": "%04x" % (i + 1), "is_child": False} for i in range(10000)]'
  [pan_fffe]='d["pan_id"] = "fffe"'
  [seclevel0]='d["security_level"] = 0'
  [zero_key]='d["network_key"]["key"] = "0" * 32'
  [ieee_zero]='d["coordinator_ieee"] = "0" * 16'
  [ieee_ff]='d["coordinator_ieee"] = "f" * 16'
  [dev_is_coord]='d["devices"][0]["ieee_address"] = d["coordinator_ieee"]'
)
# (two devices at one NWK address is a garbled entry real writers leave: restore writes both
# without it and says so, before the first write -- tests/system/wild.sh)
for b in "${!BAD[@]}"; do mut "$WORK/other-znp.json" "$WORK/bad-$b.json" "${BAD[$b]}"; done
for s in "${STACKS[@]}"; do
  n=cap-$s
  fresh "$n" "$s" || { fail "$n: start"; continue; }
  refused=0 vrej=0 total=0
  for b in $(printf '%s\n' "${!BAD[@]}" | sort); do
    total=$((total + 1))
    "$HAR" validate --for "$s" "$WORK/bad-$b.json" >"$WORK/$n.$b.val" 2>&1 || vrej=$((vrej + 1))
    # Z-Stack takes 200 devices; link keys past its APS key table are a declared loss
    [ "$s" = znp ] && [ "$b" = keys200 ] && continue
    rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/bad-$b.json" --force) >"$WORK/$n.$b.out" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then refused=$((refused + 1)); else echo "        $s accepted $b"; fi
  done
  want=$total; [ "$s" = znp ] && want=$((total - 1)) # keys200: see above
  expect_eq "$s: validate --for $s rejects the bad backups" "$vrej" "$want"
  expect_eq "$s: restore refuses them" "$refused" "$want"
  if no_prerestore "$WORK/$n.d"; then pass "$s: no refused restore wrote a pre-restore file"; else fail "$s: a refused restore left a pre-restore file"; fi
  if grep -q "half-written" "$WORK/$n".*.out; then fail "$s: a refusal came after a write"; else pass "$s: every refusal came before the first write"; fi
  if holds "$n" "$s" "$WORK/orig-$s.json"; then pass "$s: the stick still holds its network"; else fail "$s: the stick changed: $(head -3 "$WORK/$n.diff")"; fi
  emu_stop "$n" >/dev/null
done

section "seen 5: conformance leaves a stick as it found it, and keeps its recovery file"
for s in ezsp; do
  n=conf-$s
  fresh "$n" "$s" || { fail "$n: start"; continue; }
  before=$(mfg_eui "$WORK/$n.nv.json")
  mkdir -p "$WORK/$n.c"
  rc=0; timeout 300 "$HAR" conformance --stack "$s" --port "$(port "$n")" --dir "$WORK/$n.c" >"$WORK/$n.out1" 2>&1 || rc=$?
  expect_eq "$s: conformance on a stick with a network: exit" "$rc" 0
  check "$s: the report says it was left as found" grep -q "PASS  original-restored .*left as found" "$WORK/$n.out1"
  check "$s: the golden network ran with the stick's own IEEE" grep -q "SKIP  ieee-restored .*own IEEE" "$WORK/$n.out1"
  cp "$WORK/$n.nv.json" "$WORK/$n.after1.nv"
  rc=0; timeout 300 "$HAR" conformance --stack "$s" --port "$(port "$n")" --dir "$WORK/$n.c" >"$WORK/$n.out2" 2>&1 || rc=$?
  if [ "$rc" = 1 ] && grep -q "exists (an earlier run's recovery file): refusing" "$WORK/$n.out2"; then
    pass "$s: a second run into the same --dir refuses to overwrite the recovery file"
  else fail "$s: a second run: exit $rc"; fi
  check "$s: the first run's recovery file is still the original network" "$HAR" diff "$WORK/orig-$s.json" "$WORK/$n.c/conformance-original.json"
  expect_eq "$s: the refused run wrote nothing to the stick (NVRAM digest)" "$(nvsum "$WORK/$n.nv.json")" "$(nvsum "$WORK/$n.after1.nv")"
  if holds "$n" "$s" "$WORK/orig-$s.json"; then pass "$s: the stick ends with its own network"; else fail "$s: the stick changed: $(head -3 "$WORK/$n.diff")"; fi
  expect_eq "$s: write-once token unchanged" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
  emu_stop "$n" >/dev/null
done
n=conf-new
emu_start "$n" ezsp --nvram "$WORK/$n.nv.json" --seed 11 && mkdir -p "$WORK/$n.c"
before=$(mfg_eui "$WORK/$n.nv.json")
rc=0; timeout 300 "$HAR" conformance --stack ezsp --port "$(port "$n")" --dir "$WORK/$n.c" >"$WORK/$n.out" 2>&1 || rc=$?
expect_eq "factory-new ezsp: conformance exit" "$rc" 0
rc=0; "$HAR" backup --stack ezsp --port "$(port "$n")" >"$WORK/$n.b" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q "no network" "$WORK/$n.b"; then pass "a factory-new stick ends factory-new"; else fail "factory-new stick after conformance: $(tail -1 "$WORK/$n.b")"; fi
expect_eq "factory-new ezsp: write-once token unchanged" "$(mfg_eui "$WORK/$n.nv.json")" "$before"
emu_stop "$n" >/dev/null

# ---------------------------------------------------------------- part 2: many attempts
declare -A OUT=()
count() { OUT[$1]=$((${OUT[$1]:-0} + 1)); }
# judge NAME STACK KIND RC OUTFILE: after an attempt, restart the stick and classify
judge() {
  local n=$1 s=$2 kind=$3 rc=$4 out=$5 key="$2 $3"
  count "$key attempts"
  emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" || { fail "$n: restart"; count "$key failed"; return; }
  if holds "$n" "$s" "$WORK/orig-$s.json"; then
    count "$key original"
  elif { [ "$rc" = 0 ] || grep -q "and read it back equal" "$out"; } && "$HAR" diff "$WORK/other-$s.json" "$WORK/$n.now.json" >/dev/null 2>&1; then
    # (a Ctrl-C that lands after the read-back was said equal ends the run with 130: the
    # restore is complete and was reported so)
    count "$key new"
  else
    local cmd pre
    cmd=$(grep -m1 '^  zbharness restore ' "$out" | sed 's/^  zbharness //')
    pre=$(grep -m1 -o 'pre-restore backup [^;]*;' "$out" | sed 's/^pre-restore backup //; s/;$//')
    if [ -z "$cmd" ] || [ -z "$pre" ]; then
      fail "$n: the stick holds neither network and the run named no way back (exit $rc): $(grep -v '^ ' "$out" | tail -2)"
      count "$key failed"
    elif ! "$HAR" validate "$pre" >/dev/null 2>&1; then
      fail "$n: the named pre-restore file $pre does not validate"; count "$key failed"
    else
      # exactly the printed command (its port is the stick's link, which the restart kept)
      # shellcheck disable=SC2086
      if (cd "$WORK/$n.d" && timeout 120 "$HAR" $cmd) >"$WORK/$n.rec" 2>&1 && holds "$n" "$s" "$WORK/orig-$s.json"; then
        count "$key recovered"
      else
        fail "$n: '$cmd' did not put the original back: $(tail -2 "$WORK/$n.rec")"; count "$key failed"
      fi
    fi
  fi
  local now_tok; now_tok=$(mfg_eui "$WORK/$n.nv.json")
  [ "$now_tok" = "$(mfg_eui "$WORK/base-$s.nv.snap")" ] || { fail "$n: a write-once token changed"; count "$key token-changed"; }
  emu_stop "$n" >/dev/null || { fail "$n: unclean emulator exit"; count "$key failed"; }
}

if [ "$LONG" = 1 ]; then NF=12 NK=25 NI=6; else NF=1 NK=2 NI=1; fi
for s in "${STACKS[@]}"; do
  # the length of a clean restore, to spread the kills over it
  n=t-$s; fresh "$n" "$s"
  t0=$(date +%s%N)
  (cd "$WORK/$n.d" && "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/other-$s.json" --force) >/dev/null 2>&1
  span=$(( ($(date +%s%N) - t0) / 1000000 ))
  emu_stop "$n" >/dev/null
  section "$s: restore of another network: ${span} ms clean; $NF fault, $NK kill, $NI interrupt attempts"
  for i in $(seq "$NF"); do
    n=f-$s-$i
    fresh "$n" "$s" --fault corrupt=0.5%,seed=$i || continue
    rc=0; (cd "$WORK/$n.d" && timeout 150 "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/other-$s.json" --force) >"$WORK/$n.out" 2>&1 || rc=$?
    emu_stop "$n" >/dev/null || fail "$n: emulator exit under faults"
    judge "$n" "$s" corrupt=0.5% "$rc" "$WORK/$n.out"
  done
  for i in $(seq "$NK"); do
    n=k-$s-$i
    RANDOM=$((i * 7919)); delay=$((RANDOM % (span + 1)))
    fresh "$n" "$s" || continue
    (cd "$WORK/$n.d" && exec timeout 120 "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/other-$s.json" --force) >"$WORK/$n.out" 2>&1 &
    hp=$!
    sleep "$(printf '0.%03d' "$((delay % 1000))")"; sleep $((delay / 1000))
    emu_kill "$n"
    rc=0; wait "$hp" || rc=$?
    judge "$n" "$s" "kill" "$rc" "$WORK/$n.out"
  done
  for i in $(seq "$NI"); do
    n=i-$s-$i
    RANDOM=$((i * 104729)); delay=$((span / 4 + RANDOM % (span / 2 + 1)))
    fresh "$n" "$s" || continue
    (cd "$WORK/$n.d" && exec "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$WORK/other-$s.json" --force) >"$WORK/$n.out" 2>&1 &
    hp=$!
    sleep "$(printf '0.%03d' "$((delay % 1000))")"; sleep $((delay / 1000))
    kill -INT "$hp" 2>/dev/null # (a restore that already ended is no attempt at interrupting)
    rc=0; wait "$hp" || rc=$?
    emu_stop "$n" >/dev/null
    judge "$n" "$s" "ctrl-c" "$rc" "$WORK/$n.out"
  done
done

echo "-- attempts and outcomes (original = untouched, new = read back equal, recovered = the printed command put the original back)"
for s in "${STACKS[@]}"; do
  for kind in corrupt=0.5% kill ctrl-c; do
    k="$s $kind"
    printf '   %-6s %-13s attempts %3d: original %3d, new %3d, recovered %3d, failed %d\n' "$s" "$kind" \
      "${OUT[$k attempts]:-0}" "${OUT[$k original]:-0}" "${OUT[$k new]:-0}" "${OUT[$k recovered]:-0}" "${OUT[$k failed]:-0}"
    [ "${OUT[$k failed]:-0}" = 0 ] && [ "${OUT[$k attempts]:-0}" -gt 0 ] && pass "$s $kind: every attempt ended safe" || fail "$s $kind: unsafe attempts"
  done
done
finish
