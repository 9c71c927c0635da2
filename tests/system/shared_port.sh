#!/usr/bin/env bash
# Issue 26, "a network is never lost": every other holder of a serial port is refused, not only
# the ones that flock it (a `cat`, ModemManager or `screen` takes the stick's answers without a
# lock), unless --shared-port says it does not read; and a TCP bridge that closes a new
# connection at once (it serves another host) is named as such, not as a protocol failure.
# Usage: shared_port.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"


# wait_holds PID PATH: up to 5 s for PID to have PATH (a pty) open
wait_holds() {
  local real i; real=$(readlink -f "$2")
  for i in $(seq 100); do
    ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "-> $real\$" && return 0
    sleep 0.05
  done
  return 1
}

echo "-- a reader without a lock (cat) on the port: refused, named, nothing written"
mkdir -p "$WORK/held" && cd "$WORK/held" || exit 2
emu_start held znp --nvram "$WORK/held.nv" || fail "held: start"
P=$(port held)
cat "$P" >/dev/null &
reader=$!
wait_holds "$reader" "$P" || fail "cat did not open the port"
expect_rc "backup while cat reads the port: refused, cat named" 2 \
  "also open in another program .*pid $reader \(cat\).*--shared-port" \
  "$HAR" backup --stack znp --port "$P" -o "$WORK/held/b.json"
check "and no backup file was written" test ! -e "$WORK/held/b.json"
expect_rc "restore while cat reads the port: refused before any write" 2 "pid $reader \(cat\)" \
  "$HAR" restore --stack znp --port "$P" --backup "$VEC/backups/valid/znp-CC2652R-ZStack4.json"
expect_rc "info while cat reads the port: refused" 2 "pid $reader \(cat\)" "$HAR" info --port "$P"
# conformance and roundtrip report a port they cannot open as a failed case (exit 1), as for a
# flock holder
expect_rc "conformance while cat reads the port: every case refused, cat named" 1 "pid $reader \(cat\)" \
  "$HAR" conformance --stack znp --port "$P" --dir "$WORK/held"
expect_rc "roundtrip --from while cat reads the port: the cell refused, cat named" 1 "pid $reader \(cat\)" \
  "$HAR" roundtrip --from "znp:$P" --to "znp:$P"
check "no pre-restore or other file was written" test -z "$(ls "$WORK/held")"
# --shared-port: the user's choice; the cat may now take the answers, so any exit but the refusal
rc=0
timeout 120 "$HAR" backup --stack znp --port "$P" --shared-port -o "$WORK/held/s.json" \
  >"$WORK/rc.out" 2>"$WORK/rc.err" || rc=$?
if grep -q "also open in another program" "$WORK/rc.err"; then
  fail "--shared-port: still refused"
else
  pass "backup --shared-port proceeds past the holder check (exit $rc)"
fi
for cmd in backup restore info conformance roundtrip; do
  check "zbharness $cmd --help lists --shared-port" \
    bash -c "'$HAR' $cmd --help | grep -q -- --shared-port"
done
kill "$reader"; wait "$reader" 2>/dev/null
check "once the reader is gone, info works" "$HAR" info --port "$P"
emu_stop held || fail "held: zbemu exit status"

echo "-- a TCP bridge that closes new connections at once (it serves another host)"
cat >"$WORK/closer.py" <<'PY'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.close()
PY
python3 -u "$WORK/closer.py" >"$WORK/closer.port" &
closer=$!
for i in $(seq 100); do [ -s "$WORK/closer.port" ] && break; sleep 0.05; done
url="tcp://127.0.0.1:$(cat "$WORK/closer.port")"
for st in ezsp znp zboss; do
  expect_rc "backup --stack $st over a bridge that closes at once: named as such" 1 \
    "the bridge at 127\.0\.0\.1:[0-9]+ closed the connection: another host is probably connected to it" \
    timeout 120 "$HAR" backup --stack "$st" --port "$url" -o "$WORK/bridge-$st.json"
done
expect_rc "socket:// too" 1 "the bridge at 127\.0\.0\.1:[0-9]+ closed the connection" \
  timeout 120 "$HAR" info --stack ezsp --port "${url/tcp:/socket:}"
kill "$closer"; wait "$closer" 2>/dev/null

echo "-- zbemu --tcp with a host connected closes a second one: the same message"
"$EMU" ezsp --tcp 0 >"$WORK/busy.port" 2>"$WORK/busy.log" &
EMU_PID[busy]=$!
for i in $(seq 100); do [ -s "$WORK/busy.port" ] && break; sleep 0.05; done
busy=$(head -1 "$WORK/busy.port")
hp=${busy#tcp://}
exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}" # the first host, idle
sleep 0.3
expect_rc "backup --stack ezsp while another host holds the emulator's TCP port" 1 \
  "the bridge at $hp closed the connection: another host is probably connected to it" \
  timeout 120 "$HAR" backup --stack ezsp --port "$busy"
exec 3>&-
emu_stop busy || fail "busy: zbemu exit status"

finish
