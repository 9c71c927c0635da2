#!/usr/bin/env bash
# A network is never lost (issue 26). Part 1: conformance on a stick that holds a network and
# misses the answers to the first backup's NV reads (hiccup_proxy.py, driven by the frames, not
# by wall time) must exit non-zero, write nothing and leave the network as it was, never take
# the stick for factory-new and erase it. Part 2: `roundtrip --from/--to` between real ports
# refuses another network on the target without --force, names the pre-restore file, tells the
# user to stop the source, and on Ctrl-C mid-write prints the recovery advice.
# Usage: never_lost.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
SAMPLE=$VEC/backups/valid/z2m-sample-1.json
PROXY=$(dirname "$0")/hiccup_proxy.py

backup_of() { timeout 120 "$HAR" backup --stack znp --port "$(port "$1")" -o "$2" >"$WORK/$1.bk.log" 2>&1; }
field() { jget "$1" "$2"; }
# seed NAME BACKUP: a ZNP emulator holding BACKUP's network
seed() {
  emu_start "$1" znp --nvram "$WORK/$1.nv.json" --seed 5 "${@:3}" || { fail "$1: start"; return 1; }
  mkdir -p "$WORK/$1.d"
  (cd "$WORK/$1.d" && timeout 300 "$HAR" restore --stack znp --port "$(port "$1")" --backup "$2" --force) \
    >"$WORK/$1.seed.log" 2>&1 || fail "$1: seed it with $2: $(tail -2 "$WORK/$1.seed.log")"
}

echo "-- conformance: the first backup's NV reads get no answer"
seed stick "$SAMPLE"
backup_of stick "$WORK/stick.before.json" || fail "backup of the seeded stick"
python3 "$PROXY" "$(readlink -f "$(port stick)")" "$WORK/proxy.tty" "$WORK/proxy.log" &
PROXY_PID=$!
for _ in $(seq 100); do [ -e "$WORK/proxy.tty" ] && break; sleep 0.05; done
mkdir -p "$WORK/conf"
rc=0
# --shared-port: the proxy keeps the pty's slave side open (so the master never sees EIO
# between sessions); it stands for the USB link and reads nothing from that side
timeout 600 "$HAR" conformance --stack znp --port "$WORK/proxy.tty" --shared-port --dir "$WORK/conf" \
  >"$WORK/conf.out" 2>"$WORK/conf.err" || rc=$?
kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null
sed 's/^/        /' "$WORK/conf.out" | cut -c1-160
[ "$rc" != 0 ] && pass "conformance exits non-zero ($rc)" || fail "conformance exits 0 after a failed read"
drops=$(grep -c '^dropped' "$WORK/proxy.log")
span=$(awk '/^dropped/ { if (!f) f = $2; l = $2 } END { printf "%.1f", l - f }' "$WORK/proxy.log")
check "the harness itself retried and timed out (proxy dropped $drops frames over $span s, >= 3 over >= 1.5 s)" \
  awk -v n="$drops" -v s="$span" 'BEGIN { exit !(n >= 3 && s >= 1.5) }'
check "backup-valid is an ERROR naming the timeout, not a SKIP" grep -Eq 'ERROR +backup-valid.*timeout' "$WORK/conf.out"
check "no case claims the stick was left as found" bash -c "! grep -q 'left as found' '$WORK/conf.out'"
check "no case erased or restored (restore-golden skipped)" grep -Eq 'SKIP +restore-golden' "$WORK/conf.out"
backup_of stick "$WORK/stick.after.json" || fail "backup of the stick after the run (no network left?)"
if [ -s "$WORK/stick.after.json" ]; then
  expect_eq "the stick keeps its extended PAN ID" "$(field "$WORK/stick.after.json" j.extended_pan_id)" \
    "$(field "$WORK/stick.before.json" j.extended_pan_id)"
  expect_eq "and its frame counter (nothing written)" "$(field "$WORK/stick.after.json" j.network_key.frame_counter)" \
    "$(field "$WORK/stick.before.json" j.network_key.frame_counter)"
fi
emu_stop stick || fail "stick: clean exit"

echo "-- roundtrip --from/--to: another network on the target"
python3 - "$SAMPLE" "$WORK/other.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["extended_pan_id"] = "dd" + d["extended_pan_id"][2:]
d["pan_id"] = "%04x" % (int(d["pan_id"], 16) ^ 0x0101)
d["network_key"]["key"] = "a5" + d["network_key"]["key"][2:]
json.dump(d, open(sys.argv[2], "w"), indent=2)
EOF
seed src "$SAMPLE"
seed dst "$WORK/other.json"
src_epid=$(field "$SAMPLE" j.extended_pan_id)
dst_epid=$(field "$WORK/other.json" j.extended_pan_id)
mkdir -p "$WORK/rt1"
rc=0
(cd "$WORK/rt1" && timeout 300 "$HAR" roundtrip --from "znp:$(port src)" --to "znp:$(port dst)") \
  >"$WORK/rt1.out" 2>&1 || rc=$?
sed 's/^/        /' "$WORK/rt1.out" | cut -c1-200 | tail -5
[ "$rc" != 0 ] && pass "refused without --force: exit $rc" || fail "another network overwritten without --force (exit 0)"
check "the refusal names both extended PAN IDs" bash -c "grep -qi '$dst_epid' '$WORK/rt1.out' && grep -qi '$src_epid' '$WORK/rt1.out'"
check "no pre-restore file: nothing was written" bash -c "! ls '$WORK/rt1'/zbharness-prerestore-* 2>/dev/null"
backup_of dst "$WORK/dst.now.json" || fail "backup of the target"
expect_eq "the target still runs its own network" "$(field "$WORK/dst.now.json" j.extended_pan_id)" "$dst_epid"

echo "-- roundtrip --from/--to --force"
mkdir -p "$WORK/rt2"
rc=0
(cd "$WORK/rt2" && timeout 300 "$HAR" roundtrip --from "znp:$(port src)" --to "znp:$(port dst)" --force) \
  >"$WORK/rt2.out" 2>&1 || rc=$?
sed 's/^/        /' "$WORK/rt2.out" | cut -c1-200 | tail -4
expect_eq "with --force: exit" "$rc" 0
pre=$(sed -n 's/^roundtrip: the network .* held before is backed up to \(.*\)$/\1/p' "$WORK/rt2.out")
check "the pre-restore path is printed ($pre) and the file holds the old network" \
  bash -c "[ -n '$pre' ] && grep -qi '$dst_epid' '$pre'"
check "it says to stop the source, naming its port and the network" \
  grep -qi "stop the source coordinator ($(port src)) before you use the target: both now run network $src_epid" "$WORK/rt2.out"
emu_stop dst || fail "dst: clean exit"

echo "-- roundtrip --from/--to --force, Ctrl-C while the target is written"
seed slow "$WORK/other.json"
emu_stop slow || fail "slow: clean exit"
# every answer 40 ms late: reading the populated stick takes ~20 s, writing it several more, so
# a Ctrl-C one second after the journal appears lands while the stick is being written
emu_start slow znp --nvram "$WORK/slow.nv.json" --fault delay=40 || fail "slow: restart with a delay"
mkdir -p "$WORK/rt3"
(cd "$WORK/rt3" && exec timeout 300 "$HAR" roundtrip --from "znp:$(port src)" --to "znp:$(port slow)" --force) \
  >"$WORK/rt3.out" 2>"$WORK/rt3.err" &
RT=$!
# the journal is the last file before the first write (the pre-restore file comes before it)
for _ in $(seq 4800); do ls "$WORK/rt3"/zbharness-journal-* >/dev/null 2>&1 && break; sleep 0.05; done
ls "$WORK/rt3"/zbharness-journal-* >/dev/null 2>&1 || fail "no journal within 240 s (the Ctrl-C below comes before any write)"
sleep 1
kill -INT "$RT" 2>/dev/null
rc=0; wait "$RT" || rc=$?
sed 's/^/        /' "$WORK/rt3.err" | cut -c1-200 | tail -6
[ "$rc" != 0 ] && pass "interrupted: exit $rc" || fail "interrupted run exits 0"
check "stderr has the recovery advice naming a pre-restore file" \
  grep -q "half-written.*pre-restore backup .*zbharness-prerestore-" "$WORK/rt3.err"
check "and the command that puts it back" grep -q "zbharness restore --stack znp --port .* --force" "$WORK/rt3.err"
emu_stop slow || fail "slow: clean exit"
emu_stop src || fail "src: clean exit"
finish
