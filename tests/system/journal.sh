#!/usr/bin/env bash
# The restore journal and "at least what was planned" (issue 26).
# 1. A same-network restore killed right after the stick was reset (kill_at.py: SIGKILL at the
#    driver's step 3 of 5, like a power cut), then the same command run again: the counters
#    must not go below what the killed run planned (without the journal they fell from
#    102,500 to 11,250), and `backup` in between warns that the restore is unfinished.
#    Z-Stack and EmberZNet.
# 2. --counter-increment 200000 is accepted by the option, so a restore with it must verify
#    (the old read-back check borrowed diff's 100,000 bound and called it a failure).
# 3. A ZBOSS stick that keeps a higher frame counter through its factory reset: the restore
#    reads back above the plan; that is reported, not a failure.
# Usage: journal.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
KILL_AT="python3 $ZB_ROOT/tests/system/kill_at.py"

SAMPLE=$VEC/backups/valid/z2m-sample-1.json
# with_fc IN OUT N: a copy of a backup with NWK frame counter N
with_fc() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["network_key"]["frame_counter"] = int(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
}
fc_of() { jget "$1" 'j.network_key.frame_counter'; }
with_fc "$SAMPLE" "$WORK/new.json" 100000
with_fc "$SAMPLE" "$WORK/old.json" 8750

echo "-- 1. an interrupted same-network restore, run again"
for s in znp ezsp; do
  n=rerun-$s
  mkdir -p "$WORK/$n.d"
  emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" --seed 3 || { fail "$n: start"; continue; }
  restore() { (cd "$WORK/$n.d" && "$HAR" restore --stack "$s" --port "$(port "$n")" --burn-ieee "$@"); }
  check "$s: the newer backup restores (counter 100,000 + 2,500)" restore --backup "$WORK/new.json"
  rc=0; (cd "$WORK/$n.d" && $KILL_AT "restore 3/5" "$WORK/$n.kill.log" -- \
    "$HAR" restore --stack "$s" --port "$(port "$n")" --burn-ieee --backup "$WORK/old.json" -v) || rc=$?
  if [ "$rc" = 0 ]; then pass "$s: the older backup's restore was killed after the reset"
  else fail "$s: the restore was not killed at step 3"; tail -5 "$WORK/$n.kill.log"; fi
  grep -q "restore journal" "$WORK/$n.kill.log" && pass "$s: the killed run named its journal" ||
    fail "$s: the killed run named no journal"
  "$HAR" backup --stack "$s" --port "$(port "$n")" -o "$WORK/$n.mid.json" 2>"$WORK/$n.mid.err"
  grep -q "unfinished restore of network" "$WORK/$n.mid.err" &&
    grep -q -- "--backup $WORK/old.json" "$WORK/$n.mid.err" &&
    pass "$s: backup warns of the unfinished restore and names the command" ||
    { fail "$s: backup did not warn of the unfinished restore"; sed 's/^/        /' "$WORK/$n.mid.err" | tail -5; }
  "$HAR" info --stack "$s" --port "$(port "$n")" >/dev/null 2>"$WORK/$n.info.err"
  grep -q "unfinished restore of network" "$WORK/$n.info.err" &&
    pass "$s: info warns of the unfinished restore too" || fail "$s: info did not warn"
  check "$s: the same command again completes" restore --backup "$WORK/old.json"
  "$HAR" backup --stack "$s" --port "$(port "$n")" -o "$WORK/$n.after.json" 2>"$WORK/$n.after.err"
  fc=$(fc_of "$WORK/$n.after.json")
  if [ -n "$fc" ] && [ "$fc" -ge 105000 ]; then pass "$s: NWK frame counter after the re-run $fc >= 105,000"
  else fail "$s: NWK frame counter after the re-run '$fc' fell below the killed run's 102,500 + 2,500"; fi
  grep -q "unfinished restore" "$WORK/$n.after.err" && fail "$s: still warns after the restore finished" ||
    pass "$s: no warning once the restore finished"
  emu_stop "$n" || fail "$n: zbemu exit"
done

echo "-- 1b. a restore of another network killed before its first write"
# the journal is on disk, the stick still holds its own network (or a reset the restore sent
# is still to come): backup reads the old network and must still name the unfinished restore
n=other-znp
mkdir -p "$WORK/$n.d"
python3 - "$SAMPLE" "$WORK/otherB.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["extended_pan_id"] = "00124b00feedbeef"
d["pan_id"] = "4242"
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
emu_start "$n" znp --nvram "$WORK/$n.nv.json" --seed 6 || fail "$n: start"
check "znp: the stick gets a network" bash -c "cd '$WORK/$n.d' && '$HAR' restore --stack znp --port '$(port "$n")' --backup '$SAMPLE'"
(cd "$WORK/$n.d" && $KILL_AT "restore journal" "$WORK/$n.kill.log" -- \
  "$HAR" restore --stack znp --port "$(port "$n")" --backup "$WORK/otherB.json" --force) ||
  fail "znp: the restore of another network was not killed at its journal"
(cd "$WORK/$n.d" && "$HAR" backup --stack znp --port "$(port "$n")" -o "$WORK/$n.mid.json") 2>"$WORK/$n.mid.err"
grep -q "unfinished restore of network 00124b00feedbeef" "$WORK/$n.mid.err" &&
  grep -q "holds network $(jget "$SAMPLE" 'j.extended_pan_id') now" "$WORK/$n.mid.err" &&
  grep -q -- "--backup $WORK/otherB.json --force" "$WORK/$n.mid.err" &&
  pass "znp: backup of the old network names the unfinished restore of the other, with --force" ||
  { fail "znp: backup of the old network did not name the unfinished restore"; sed 's/^/        /' "$WORK/$n.mid.err" | tail -4; }
emu_stop "$n" || fail "$n: zbemu exit"

echo "-- 2. --counter-increment 200000"
for s in znp ezsp zboss; do
  n=inc-$s
  mkdir -p "$WORK/$n.d"
  emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" --seed 4 || { fail "$n: start"; continue; }
  rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack "$s" --port "$(port "$n")" --burn-ieee \
    --backup "$SAMPLE" --counter-increment 200000) >"$WORK/$n.out" 2>&1 || rc=$?
  expect_eq "$s: a restore with --counter-increment 200000 verifies" "$rc" 0
  grep -q "rose more than" "$WORK/$n.out" && fail "$s: the read-back was judged by diff's bound"
  "$HAR" backup --stack "$s" --port "$(port "$n")" -o "$WORK/$n.after.json" 2>/dev/null
  fc=$(fc_of "$WORK/$n.after.json")
  want=$(( $(fc_of "$SAMPLE") + 200000 ))
  if [ -n "$fc" ] && [ "$fc" -ge "$want" ]; then pass "$s: counter $fc >= backup + 200,000"
  else fail "$s: counter '$fc' below backup + 200,000 ($want)"; fi
  emu_stop "$n" || fail "$n: zbemu exit"
done

echo "-- 3. a ZBOSS stick that kept a higher counter through its factory reset"
n=zkept
mkdir -p "$WORK/$n.d"
with_fc "$SAMPLE" "$WORK/busy.json" 3000000
emu_start "$n" zboss --nvram "$WORK/$n.nv.json" --seed 5 || fail "$n: start"
check "zboss: a busy network (counter 3,000,000) restores" \
  bash -c "cd '$WORK/$n.d' && '$HAR' restore --stack zboss --port '$(port "$n")' --backup '$WORK/busy.json'"
# the user moves on: a backup of ANOTHER network (a new EPID) goes onto the same stick, which
# keeps its counter through the factory reset the restore starts with
python3 - "$SAMPLE" "$WORK/other.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["extended_pan_id"] = "00124b00aabbccdd"
d["pan_id"] = "1a2b"
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
rc=0; (cd "$WORK/$n.d" && "$HAR" restore --stack zboss --port "$(port "$n")" --backup "$WORK/other.json" --force) >"$WORK/$n.out" 2>&1 || rc=$?
expect_eq "zboss: the restore onto a stick with a higher kept counter verifies" "$rc" 0
grep -q "above the .* written" "$WORK/$n.out" && pass "zboss: the higher counter is reported" ||
  { fail "zboss: the higher counter is not reported"; tail -5 "$WORK/$n.out" | sed 's/^/        /'; }
grep -q "restore the pre-restore\|to put it back" "$WORK/$n.out" && fail "zboss: roll-back advice for a good restore"
emu_stop "$n" || fail "$n: zbemu exit"
finish
