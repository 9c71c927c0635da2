#!/usr/bin/env bash
# zbharness tap (issue 29) between the real zigbee-herdsman and each emulator (znp, ezsp, zboss):
# herdsman forms a network and backs it up through the tap. The recorded trace must load and,
# replayed against a fresh emulator of the same profile, match apart from declared unit fields;
# it must hold none of the keys and addresses the stick holds (read back with zbharness backup)
# in either byte order, while the same trace with the --keep-map values put back must fail that
# scan (the check can fail). Usage: tests/system/tap.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner
KEY=5a6b7c8d9eaf00112233445566778899
declare -A ADAPTER=([znp]=zstack [ezsp]=ember [zboss]=zboss)
declare -A EMUARGS=([znp]="--profile zstack3x0" [ezsp]="--ezsp-version 13" [zboss]="")
declare -A TAP_PID=()

# tap_start NAME STACK EMU: zbharness tap in front of emulator EMU, its pty linked at NAME.tty
tap_start() {
  local name=$1 stack=$2 emu=$3
  rm -f "$WORK/$name.tty" "$WORK/$name.map.json"
  "$HAR" tap --stack "$stack" --port "$(port "$emu")" --link "$WORK/$name.tty" \
    -o "$WORK/$name.trace.json" --keep-map "$WORK/$name.map.json" >"$WORK/$name.port" 2>"$WORK/$name.log" &
  TAP_PID[$name]=$!
  await_start "${TAP_PID[$name]}" test -e "$WORK/$name.tty" && return 0
  cat "$WORK/$name.log" >&2
  return 1
}
tap_stop() {
  local rc=0
  kill -TERM "${TAP_PID[$1]}" 2>/dev/null
  wait "${TAP_PID[$1]}" || rc=$?
  unset "TAP_PID[$1]"
  return "$rc"
}

# secrets BACKUP: every key and 8-byte identity of a backup, one hex per line
secrets() {
  node -e 'const j=require(process.argv[1]); const out=new Set();
    const add=(h)=>{ if(typeof h==="string"){h=h.replace(/^0x/,"").replace(/:/g,"").toLowerCase(); if(h.length>=16 && !/^(.)\1*$/.test(h)) out.add(h);} };
    add(j.network_key&&j.network_key.key); add(j.coordinator_ieee); add(j.extended_pan_id);
    const z=j.stack_specific&&j.stack_specific.zstack; if(z) add(z.tclk_seed);
    for(const d of j.devices||[]){ add(d.ieee_address); if(d.link_key) add(d.link_key.key); }
    console.log([...out].join("\n"));' "$1"
}
# scan TRACE SECRETS: exits 1 (and names them) when a secret is in a frame, in either byte order
scan() {
  python3 - "$1" "$2" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
frames = []
for x in t["exchanges"]:
    frames += [f for f in [x.get("req")] + (x.get("rsp") or []) + (x.get("ind") or []) if f]
blob = "|".join(f.lower() for f in frames)
found = []
for s in open(sys.argv[2]).read().split():
    rev = bytes.fromhex(s)[::-1].hex()
    if s in blob or rev in blob:
        found.append(s)
if found:
    print("found:", " ".join(found)); sys.exit(1)
print("none of %d values in %d frames" % (len(open(sys.argv[2]).read().split()), len(frames)))
PY
}
# unsanitise TRACE MAP OUT: the trace with the map's originals put back (a trace as a tool
# without the sanitiser would have written it)
unsanitise() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))["values"]
def back(f):
    f = f.lower()
    for v in m:
        o, r = v["original"], v["replacement"]
        ro, rr = bytes.fromhex(o)[::-1].hex(), bytes.fromhex(r)[::-1].hex()
        f = f.replace(r, o) if len(r) > 4 else f
        f = f.replace(rr, ro) if len(r) > 4 else f
    return f
for x in t["exchanges"]:
    if x.get("req"): x["req"] = back(x["req"])
    for k in ("rsp", "ind"):
        if x.get(k): x[k] = [back(f) for f in x[k]]
json.dump(t, open(sys.argv[3], "w"), indent=1)
PY
}

echo "-- usage and errors"
expect_rc "--help" 0 "usage: zbharness tap" "$HAR" tap --help
expect_rc "no --link" 2 "are required" "$HAR" tap --stack znp --port /dev/null
expect_rc "unknown stack" 2 "expected znp, ezsp or zboss" "$HAR" tap --stack xx --port /dev/null --link "$WORK/x.tty"
expect_rc "a port that is not there is named" 2 "/nonexistent/tty" "$HAR" tap --stack znp --port /nonexistent/tty --link "$WORK/x.tty"
touch "$WORK/exists.map"
expect_rc "--keep-map never writes over a file" 2 "exists.map: already exists" \
  "$HAR" tap --stack znp --port /nonexistent/tty --link "$WORK/x.tty" --keep-map "$WORK/exists.map"

for stack in znp ezsp zboss; do
  echo "-- $stack: herdsman forms and backs up through the tap"
  e=emu-$stack t=tap-$stack
  # shellcheck disable=SC2086
  emu_start "$e" "$stack" ${EMUARGS[$stack]} --nvram "$WORK/$e.nv.json" || { fail "$stack: emulator start"; continue; }
  tap_start "$t" "$stack" "$e" || { fail "$stack: tap start"; emu_stop "$e"; continue; }
  if zh "$t" "$WORK/$t.zhout" --adapter "${ADAPTER[$stack]}" --pan 0x2a5c --epid dd3c0ffee1a2b3c4 \
       --key $KEY --channel 20 --backup-out "$WORK/$t.zh.json"; then
    pass "$stack: herdsman through the tap: $(jget "$WORK/$t.zhout" j.startResult)"
  else
    fail "$stack: herdsman through the tap: $(cat "$WORK/$t.zhout")"
  fi
  sleep 1.2 # one periodic flush
  check "$stack: the trace is flushed while the session runs" test -s "$WORK/$t.trace.json"
  check "$stack: tap ends cleanly on SIGTERM" tap_stop "$t"
  check "$stack: the link is removed at exit" test ! -e "$WORK/$t.tty"
  expect_eq "$stack: the map is private" "$(stat -c %a "$WORK/$t.map.json")" 600
  check "$stack: zbharness backup of the stick" "$HAR" backup --stack "$stack" --port "$(port "$e")" -o "$WORK/$e.bk.json"
  emu_stop "$e"
  secrets "$WORK/$e.bk.json" >"$WORK/$e.secrets"
  expect_eq "$stack: secrets held by the stick (key, IEEE, EPID at least)" "$([ "$(wc -l <"$WORK/$e.secrets")" -ge 3 ] && echo yes)" yes
  check "$stack: no key or address of the stick in the trace (either byte order)" scan "$WORK/$t.trace.json" "$WORK/$e.secrets"
  unsanitise "$WORK/$t.trace.json" "$WORK/$t.map.json" "$WORK/$t.raw.json"
  expect_rc "$stack: the scan finds them in the trace with the originals put back" 1 "found:" \
    scan "$WORK/$t.raw.json" "$WORK/$e.secrets"
  if "$HAR" replay --tsv "$WORK/$t.tsv" "$WORK/$t.trace.json" >"$WORK/$t.replay" 2>&1; then
    pass "$stack: the trace loads and replays ($(tail -1 "$WORK/$t.replay" | tr -s ' '))"
  else
    fail "$stack: replay: $(tail -5 "$WORK/$t.replay")"
  fi
  n_ex=$(wc -l <"$WORK/$t.tsv")
  # an EZSP callback that came before its request in the replay is judged where the session
  # had it, and declared (harness/trace/replay.c take_pooled): nothing is left out here
  moved=$(awk -F'\t' '$5 ~ /came before this request/' "$WORK/$t.tsv" | wc -l)
  [ "$moved" -gt 0 ] && echo "   note $stack: exchanges whose callbacks came before their request: $moved"
  diffs=$(awk -F'\t' '$4 != "identical" && $4 != "declared" && $4 != "unasked"' "$WORK/$t.tsv")
  if [ "$n_ex" -gt 10 ] && [ -z "$diffs" ]; then
    pass "$stack: all $n_ex exchanges identical or apart from declared fields"
  else
    fail "$stack: $n_ex exchanges; not identical:"; echo "$diffs" | head -10 | sed 's/^/        /'
  fi
done
finish
