#!/usr/bin/env bash
# Link faults on the protocols that retransmit (issue 7): EZSP over ASH and ZBOSS LL. What must
# hold: a zbharness backup through a faulty link is complete and right, or a clean error; the
# emulator recovers (NAK, retransmission) and exits cleanly; zigbee-herdsman fails cleanly
# rather than hanging where it cannot recover (its ember adapter never retransmits again once
# a NAK-triggered retransmission is lost; its zboss adapter ignores NACKs).
# Usage: link_faults.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner
golden=$VEC/backups/valid/znp-CC2652R-ZStack4.json

for s in ezsp zboss; do
  echo "-- $s: zbharness backup through 0.3% byte corruption"
  n=lf-$s
  emu_start "$n" "$s" --nvram "$WORK/$n.json" || { fail "$n: start"; continue; }
  (cd "$WORK" && "$HAR" restore --stack "$s" --port "$(port "$n")" --backup "$golden" --burn-ieee) >/dev/null 2>&1
  "$HAR" backup --stack "$s" --port "$(port "$n")" -o "$WORK/$n.ref.json" >/dev/null 2>&1
  check "$s: clean exit" emu_stop "$n"
  ok=0
  for seed in 1 2 3; do
    m=$n-$seed
    cp "$WORK/$n.json" "$WORK/$m.json"
    emu_start "$m" "$s" --nvram "$WORK/$m.json" --fault corrupt=0.3%,seed=$seed || { fail "$m: start"; continue; }
    rc=0
    t0=$(date +%s)
    timeout 150 "$HAR" backup --stack "$s" --port "$(port "$m")" -o "$WORK/$m.b.json" >"$WORK/$m.out" 2>&1 || rc=$?
    secs=$(($(date +%s) - t0))
    if [ "$rc" = 0 ]; then
      ok=$((ok + 1))
      check "$s seed $seed: backup completed in ${secs}s, equal to the fault-free one" "$HAR" diff "$WORK/$n.ref.json" "$WORK/$m.b.json"
    elif [ "$rc" = 1 ] && [ ! -e "$WORK/$m.b.json" ]; then
      pass "$s seed $seed: clean error after ${secs}s: $(tail -1 "$WORK/$m.out" | cut -c1-80)"
    else
      fail "$s seed $seed: exit $rc after ${secs}s (124 = hang)"
    fi
    check "$s seed $seed: emulator exits cleanly" emu_stop "$m"
    grep -h "faults injected" "$WORK/$m.log" | sed 's/^.*info: /        /'
  done
  expect_eq "$s: backups that recovered through the faults (NAK/NACK + retransmission)" "$ok" 3
done

echo "-- zigbee-herdsman through 1% byte corruption: a clean error, not a hang"
for a in ember:ezsp zboss:zboss; do
  adapter=${a%%:*} s=${a##*:}
  n=zh-$s
  emu_start "$n" "$s" --nvram "$WORK/$n.json" --fault corrupt=1%,seed=1 || { fail "$n: start"; continue; }
  rc=0
  node "$ZH" --adapter "$adapter" --port "$(port "$n")" --workdir "$WORK/$n.zh" --timeout-ms 90000 \
    >"$WORK/$n.zh1" 2>>"$WORK/$n.zh.log" || rc=$?
  case $rc in
    0) pass "herdsman $adapter completed despite the faults" ;;
    1) pass "herdsman $adapter failed cleanly: $(jget "$WORK/$n.zh1" 'j.phase+": "+j.error' | cut -c1-80)" ;;
    *) fail "herdsman $adapter exit $rc (2 = hung until the client's timeout)" ;;
  esac
  check "$s: emulator exits cleanly" emu_stop "$n"
done

finish
