#!/usr/bin/env bash
# Runs the same herdsman scenarios with zigbee-herdsman 10.9.5 (tests/node) and 11.x
# (tests/node11, ZB_HERDSMAN=11) against zbemu -vv --show-keys, and diffs what the emulators saw:
# the requests in order (the emulator's own names for them, runs of one request counted), every
# MT request frame byte for byte (no sequence numbers in MT) and every EZSP request but for its
# sequence byte.
# Scenarios: form on a blank stick, resume with permit join 10 s, restore the first backup onto a
# blank stick (zstack, ember); Z-Stack 3.x.0 / 1.2, EmberZNet EZSP v13, ZBOSS; ptys and tcp://.
# Not a test (nothing is asserted): a tool for when the pinned versions move. tests/herdsman/
# README.md §9 holds what it found for 10.9.5 -> 11.1.1.
# Usage: bash tests/herdsman/frames_diff.sh BUILD_DIR [OUT_DIR]   (prints the diffs; OUT_DIR keeps
#        the logs, default a temporary folder)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EMU=$(cd "${1:?usage: $0 BUILD_DIR [OUT_DIR]}" && pwd)/bin/zbemu
OUT=${2:-$(mktemp -d /tmp/zh-frames.XXXXXX)}
mkdir -p "$OUT"
ZH=$ROOT/tests/herdsman/zh-client.mjs
NET=(--pan 0x2a5c --epid dd3c0ffee1a2b3c4 --key 5a6b7c8d9eaf00112233445566778899 --channel 20)
EMU_PID=

emu() { # emu NAME ARGS...: zbemu NAME on a pty (or --tcp 0), its port path in $PORT
  rm -f "$OUT/$1.tty"
  local name=$1; shift
  "$EMU" "$@" -vv --show-keys --seed 7 --ieee 00124b0001c0ffee --nvram "$OUT/$name.nv.json" \
    --link "$OUT/$name.tty" >"$OUT/$name.port" 2>"$OUT/$name.log" &
  EMU_PID=$!
  for _ in $(seq 100); do [ -s "$OUT/$name.port" ] && break; sleep 0.05; done
  PORT=$(head -1 "$OUT/$name.port")
  [[ $PORT == tcp://* ]] || PORT=$OUT/$name.tty
}
emu_stop() { kill -TERM "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; }
zh() { # zh VERSION NAME STEP ARGS...: zh-client, one JSON line into NAME.STEP.json
  local v=$1 name=$2 step=$3; shift 3
  ZB_HERDSMAN=$v node "$ZH" --port "$PORT" --workdir "$OUT/$name.zh" --timeout-ms 90000 "$@" \
    >"$OUT/$name.$step.json" 2>>"$OUT/$name.zh.log"
  echo "   $name $step: $(node -p 'const j=JSON.parse(process.argv[1]);[j.herdsman,j.startResult??j.error,"start "+j.startMs+" ms","backup "+j.backupMs+" ms"].join(", ")' "$(cat "$OUT/$name.$step.json")")"
}
requests() { # requests LOG STACK: the request names in order, runs counted
  grep -o "debug: $2: [A-Za-z_0-9]*" "$1" | sed "s/^debug: $2: //" | uniq -c | awk '{ print $2 (($1 > 1) ? " x" $1 : "") }'
}
frames() { grep -o 'trace: znp rx .*' "$1" | sed 's/^trace: znp rx //'; }
ezsp_frames() { grep -o 'trace: ezsp rx .*' "$1" | sed 's/^trace: ezsp rx ..//'; } # less the sequence byte

scenario() { # scenario KEY STACK EMU_ARGS ADAPTER RESTORE(yes|no) [TCP(yes|no)]
  local key=$1 stack=$2 args=$3 adapter=$4 restore=$5 tcp=${6:-no} v n tcpa=()
  [ "$tcp" = yes ] && tcpa=(--tcp 0)
  for v in 10 11; do
    n=$key-$v
    rm -rf "$OUT/$n".* "$OUT/$n-r".*
    # shellcheck disable=SC2086 # EMU_ARGS are words
    emu "$n" $stack $args "${tcpa[@]}"
    zh "$v" "$n" form --adapter "$adapter" "${NET[@]}" --backup-out "$OUT/$n.backup.json"
    zh "$v" "$n" resume --adapter "$adapter" "${NET[@]}" --permit-join 10
    emu_stop
    if [ "$restore" = yes ]; then
      # shellcheck disable=SC2086
      emu "$n-r" $stack $args "${tcpa[@]}"
      zh "$v" "$n-r" restore --adapter "$adapter" --restore-from "$OUT/$n.backup.json"
      emu_stop
    fi
  done
  local s
  for s in "" -r; do
    [ -e "$OUT/$key-10$s.log" ] || continue
    echo "-- $key$s: requests, 10.9.5 (-) vs 11.x (+)"
    diff -u <(requests "$OUT/$key-10$s.log" "$stack") <(requests "$OUT/$key-11$s.log" "$stack") | tail -n +3 || true
    if [ "$stack" = znp ]; then
      echo "-- $key$s: MT request frames that differ"
      diff <(frames "$OUT/$key-10$s.log") <(frames "$OUT/$key-11$s.log") || true
    elif [ "$stack" = ezsp ]; then
      echo "-- $key$s: EZSP requests that differ (but for the sequence byte)"
      diff <(ezsp_frames "$OUT/$key-10$s.log") <(ezsp_frames "$OUT/$key-11$s.log") || true
    fi
  done
}

echo "logs in $OUT"
scenario znp3x0 znp "--profile zstack3x0" zstack yes
scenario znp12 znp "--profile zstack12" zstack no
scenario ezsp13 ezsp "--ezsp-version 13" ember yes
scenario zboss zboss "" zboss no
scenario znp3x0-tcp znp "--profile zstack3x0" zstack no yes
scenario ezsp13-tcp ezsp "--ezsp-version 13" ember no yes
scenario zboss-tcp zboss "" zboss no yes
