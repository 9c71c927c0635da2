#!/usr/bin/env bash
# Link faults on MT (zbemu --fault). MT has no retransmission: the emulator and zbharness drop
# frames with a bad FCS and resynchronise; zbharness resends an unanswered SREQ twice. What must
# hold: a backup through a faulty link is either complete and right or a clean error (exit 1,
# a message), never a wrong backup and never a hang; zigbee-herdsman fails cleanly too.
# Usage: znp_faults.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner
golden=$VEC/backups/valid/znp-CC2652R-ZStack4.json

echo "-- zbharness backup through a faulty link: right or a clean error, never wrong, never a hang"
ok_runs=0
for spec in corrupt=0.1%,seed=3 delay=20 corrupt=1%,seed=1 corrupt=1%,drop=0.5%,seed=2; do
  n=fault-${spec//[^a-z0-9]/_}
  cp "$VEC/nvram/znp/CC2652R-ZStack4.formed.json" "$WORK/$n.nv.json"
  emu_start "$n" znp --nvram "$WORK/$n.nv.json" --fault "$spec" || { fail "$n: start"; continue; }
  start=$(date +%s)
  rc=0
  timeout 150 "$HAR" backup --stack znp --port "$(port "$n")" -o "$WORK/$n.json" >"$WORK/$n.out" 2>&1 || rc=$?
  secs=$(($(date +%s) - start))
  if [ "$rc" = 0 ]; then
    ok_runs=$((ok_runs + 1))
    check "$spec: backup completed in ${secs}s and equals the golden backup" "$HAR" diff "$golden" "$WORK/$n.json"
  elif [ "$rc" = 1 ] && grep -q "no response (timeout)" "$WORK/$n.out" && [ ! -e "$WORK/$n.json" ]; then
    pass "$spec: clean error after ${secs}s, no backup written: $(tail -1 "$WORK/$n.out" | cut -c1-90)"
  else
    fail "$spec: exit $rc after ${secs}s (124 = hang): $(tail -2 "$WORK/$n.out")"
  fi
  check "$spec: emulator exits cleanly" emu_stop "$n"
  grep -h "faults injected" "$WORK/$n.log" | sed 's/^.*info: /        /'
done
[ "$ok_runs" -ge 2 ] && pass "$ok_runs of 4 faulty-link backups completed (0.1% and delay must)" ||
  fail "only $ok_runs of 4 faulty-link backups completed"

echo "-- zigbee-herdsman (zstack) through 1% byte corruption: a clean error, not a hang"
n=zhfault
cp "$VEC/nvram/znp/CC2652R-ZStack4.formed.json" "$WORK/$n.nv.json"
emu_start "$n" znp --nvram "$WORK/$n.nv.json" --fault corrupt=1%,seed=2 || fail "$n: start"
rc=0
node "$ZH" --adapter zstack --port "$(port "$n")" --workdir "$WORK/$n.zh" --restore-from "$golden" \
  --timeout-ms 120000 >"$WORK/$n.zh1" 2>>"$WORK/$n.zh.log" || rc=$?
if [ "$rc" = 0 ]; then
  pass "herdsman completed despite the faults: $(cut -c1-80 "$WORK/$n.zh1")"
elif [ "$rc" = 1 ]; then
  pass "herdsman failed cleanly: $(jget "$WORK/$n.zh1" 'j.phase+": "+j.error' | cut -c1-90)"
else
  fail "herdsman exit $rc (2 = hung until the client's timeout): $(cat "$WORK/$n.zh1")"
fi
check "emulator exits cleanly" emu_stop "$n"

finish
