#!/usr/bin/env bash
# Emulator-free checks of tests/herdsman/zh-client.mjs (about 15 s):
#   syntax, argument parsing, restore-from derivation, the hard-timeout path, and the first bytes
#   the real herdsman writes on a pty for zstack / ember / zboss.
# ZB_HERDSMAN picks the herdsman: unset or 10 -> 10.9.5 (tests/node), 11 -> 11.x (tests/node11);
# each installed by ci/setup.sh (npm ci). Needs node and python3.
# Usage: [ZB_HERDSMAN=11] bash tests/herdsman/selftest.sh   (from anywhere; exits non-zero on a failure)
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLI="$HERE/zh-client.mjs"
SINK="$HERE/pty_sink.py"
TMP="$(mktemp -d /tmp/zh-selftest.XXXXXX)"
SINK_PID=""
cleanup() { [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fails=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }

start_sink() { # $1: extra sink args
    [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
    rm -f "$TMP/pty.path"; : >"$TMP/wire.log"
    python3 "$SINK" --log "$TMP/wire.log" --path-file "$TMP/pty.path" $1 >/dev/null 2>&1 &
    SINK_PID=$!
    for _ in $(seq 50); do [ -s "$TMP/pty.path" ] && break; sleep 0.1; done
    PTY="$(cat "$TMP/pty.path")"
}
run() { # run the CLI; sets RC and OUT (stdout); stderr to $TMP/stderr
    OUT="$(node "$CLI" "$@" 2>"$TMP/stderr")"; RC=$?
}
json() { # json <field-path> from $OUT
    node -e 'let o=JSON.parse(process.argv[1]);for(const k of process.argv[2].split("."))o=o?.[k];console.log(typeof o==="object"?JSON.stringify(o):String(o))' "$OUT" "$1"
}

WANT_MAJOR=${ZB_HERDSMAN:-10}
echo "# zigbee-herdsman ${WANT_MAJOR}.x (ZB_HERDSMAN=${ZB_HERDSMAN:-})"

# 1. syntax
node --check "$CLI" && ok "node --check" || bad "node --check"

# 1b. the install: a missing one is a clear error naming the fix, before any port is opened
OUT="$(ZH_NODE_PACKAGE="$TMP/none/package.json" node "$CLI" --adapter zstack --port /dev/null --workdir "$TMP/w" 2>/dev/null)"; RC=$?
case "$RC:$(json phase):$(json error)" in
    1:load:*"not installed in $TMP/none/node_modules"*ci/setup.sh*) ok "missing install -> exit 1, phase load, names ci/setup.sh" ;;
    *) bad "missing install (rc=$RC out=$OUT)" ;;
esac

# 2. argument parsing (exit 64, one JSON line)
run --port /dev/null --workdir "$TMP/w"
[ "$RC" = 64 ] && [ "$(json ok)" = false ] && ok "missing --adapter -> 64" || bad "missing --adapter (rc=$RC out=$OUT)"
run --adapter deconz --port /dev/null --workdir "$TMP/w"
[ "$RC" = 64 ] && ok "unknown adapter -> 64" || bad "unknown adapter (rc=$RC)"
run --adapter zstack --port /dev/null --workdir "$TMP/w" --key 0011
[ "$RC" = 64 ] && ok "bad --key -> 64" || bad "bad --key (rc=$RC)"
run --adapter zstack --port /dev/null --workdir "$TMP/w" --channel 27
[ "$RC" = 64 ] && ok "bad --channel -> 64" || bad "bad --channel (rc=$RC)"
run --adapter zstack --port /dev/null --workdir "$TMP/w" --permit-join 255
[ "$RC" = 64 ] && ok "--permit-join 255 -> 64" || bad "--permit-join 255 (rc=$RC)"
run --adapter zboss --port /dev/null --workdir "$TMP/w" --restore-from /dev/null
[ "$RC" = 64 ] && ok "zboss --restore-from refused" || bad "zboss --restore-from (rc=$RC)"
run --help
[ "$RC" = 0 ] && ok "--help" || bad "--help (rc=$RC)"

# 3. zstack, silent device: hard timeout (exit 2) and the first SYS_PING on the wire
start_sink ""
run --adapter zstack --port "$PTY" --workdir "$TMP/wz" --timeout-ms 1000
[ "$RC" = 2 ] && [ "$(json timeout)" = true ] && ok "zstack silent pty -> timeout exit 2" || bad "zstack timeout (rc=$RC out=$OUT)"
ver="$(json herdsman)"
if [ "${ver%%.*}" = "$WANT_MAJOR" ]; then ok "the client ran zigbee-herdsman $ver"; else bad "herdsman version '$ver', want $WANT_MAJOR.x"; fi

# 3b. same, without the hard timeout: herdsman gives up by itself after ~1.5 s (exit 1) because, after
#     two unanswered 250 ms pings and the 0xEF bootloader byte, it toggles DTR/RTS, which fails on a pty
run --adapter zstack --port "$PTY" --workdir "$TMP/wz" --timeout-ms 10000
case "$RC:$(json error)" in
    1:*ioctl*) ok "zstack silent pty, no answer to 2 pings -> DTR/RTS ioctl error, exit 1" ;;
    *) bad "zstack ioctl path (rc=$RC out=$OUT)" ;;
esac
# The first frame either run put on the wire (on a loaded machine node may not have started
# talking within the first run's 1 s hard timeout; the second run always talks).
sleep 0.2
first="$(head -n1 "$TMP/wire.log" | cut -d' ' -f2-)"
[ "$first" = "fe 00 21 01 20" ] && ok "zstack first frame = SYS_PING fe 00 21 01 20" || bad "zstack first bytes '$first'"

# 4. zstack, device answering only SYS_PING: herdsman goes on to SYS_VERSION (fe 00 21 02 23)
start_sink "--answer-ping"
run --adapter zstack --port "$PTY" --workdir "$TMP/wz2" --timeout-ms 2500
sleep 0.2
[ "$RC" = 2 ] && ok "zstack ping-only device -> timeout exit 2" || bad "zstack ping-only (rc=$RC out=$OUT)"
grep -q "fe 00 21 02 23" "$TMP/wire.log" && ok "zstack sends SYS_VERSION after the ping is answered" || bad "no SYS_VERSION: $(cat "$TMP/wire.log")"

# 5. ember, silent device: ASH RST frame
start_sink ""
run --adapter ember --port "$PTY" --workdir "$TMP/we" --timeout-ms 1500
sleep 0.2
first="$(head -n1 "$TMP/wire.log" | cut -d' ' -f2-)"
[ "$RC" = 2 ] && ok "ember silent pty -> timeout exit 2" || bad "ember timeout (rc=$RC out=$OUT)"
[ "$first" = "1a c0 38 bc 7e" ] && ok "ember first bytes = CANCEL + RST 1a c0 38 bc 7e" || bad "ember first bytes '$first'"

# 6. zboss, silent device: GET_JOINED request frame
start_sink ""
run --adapter zboss --port "$PTY" --workdir "$TMP/wb" --timeout-ms 1500
sleep 0.2
first="$(head -n1 "$TMP/wire.log" | cut -d' ' -f2-)"
[ "$RC" = 2 ] && ok "zboss silent pty -> timeout exit 2" || bad "zboss timeout (rc=$RC out=$OUT)"
[ "$first" = "de ad 0c 00 06 c0 7c 7d f7 00 00 14 00 01" ] && ok "zboss first frame = GET_JOINED" || bad "zboss first bytes '$first'"

# 7. --restore-from: derived settings, copy into the workdir, match prediction
cat >"$TMP/zstack-backup.json" <<'EOF'
{"metadata":{"format":"zigpy/open-coordinator-backup","version":1,"source":"zigbee-herdsman@10.9.5","internal":{"date":"2025-01-01T00:00:00.000Z","znpVersion":1}},
 "stack_specific":{"zstack":{"tclk_seed":"c04884427c8a1ed7bb8412815ccce7aa"}},
 "coordinator_ieee":"00124b0001020304","pan_id":"244","extended_pan_id":"dddddddddddd0001","nwk_update_id":0,
 "security_level":5,"channel":15,"channel_mask":[15],
 "network_key":{"key":"00112233445566778899aabbccddeeff","sequence_number":0,"frame_counter":1250},"devices":[]}
EOF
start_sink ""
run --adapter zstack --port "$PTY" --workdir "$TMP/wr" --timeout-ms 800 --restore-from "$TMP/zstack-backup.json"
[ "$RC" = 2 ] && [ "$(json config.panID)" = 580 ] && [ "$(json config.extendedPanID)" = dddddddddddd0001 ] \
    && [ "$(json config.channelList)" = "[15]" ] && [ "$(json configMatchesBackup)" = true ] \
    && ok "zstack restore-from: pan/epid/channel derived, config matches backup" || bad "zstack restore-from (rc=$RC out=$OUT)"
cmp -s "$TMP/zstack-backup.json" "$TMP/wr/coordinator_backup.json" && ok "backup copied to workdir" || bad "backup not copied"
run --adapter zstack --port "$PTY" --workdir "$TMP/wr2" --timeout-ms 800 --restore-from "$TMP/zstack-backup.json" --channel 11
[ "$(json configMatchesBackup)" = false ] && ok "explicit --channel 11 vs channel_mask [15] -> no match predicted" || bad "mismatch prediction (out=$OUT)"

cat >"$TMP/ember-backup.json" <<'EOF'
{"metadata":{"format":"zigpy/open-coordinator-backup","version":1,"source":"zigbee-herdsman@10.9.5","internal":{"date":"2025-01-01T00:00:00.000Z","ezspVersion":13}},
 "stack_specific":{"ezsp":{"hashed_tclk":"0123456789abcdef0123456789abcdef"}},
 "coordinator_ieee":"0403020100ffeeaa","pan_id":"1a62","extended_pan_id":"0403020100ffeeaa","nwk_update_id":0,
 "security_level":5,"channel":20,"channel_mask":[11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26],
 "network_key":{"key":"00112233445566778899aabbccddeeff","sequence_number":0,"frame_counter":4096},"devices":[]}
EOF
run --adapter ember --port "$PTY" --workdir "$TMP/wre" --timeout-ms 800 --restore-from "$TMP/ember-backup.json"
[ "$(json config.extendedPanID)" = 0403020100ffeeaa ] && [ "$(json config.channelList)" = "[20]" ] \
    && [ "$(json configMatchesBackup)" = true ] \
    && ok "ember restore-from: wire-order epid kept as is, channelList [channel]" || bad "ember restore-from (out=$OUT)"

echo
if [ "$fails" = 0 ]; then echo "selftest: all passed"; else echo "selftest: $fails failed"; exit 1; fi
