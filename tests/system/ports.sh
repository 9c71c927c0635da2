#!/usr/bin/env bash
# Ports users have (issue 17) and exclusive access (issue 12): a port another process holds is
# refused with exit 2 and nothing written; tcp:// and socket:// for network coordinators on all
# three stacks; --baud set exactly or refused; --flow-control; zstack/ember stack aliases;
# `zbharness info` and proof that it is read-only. Usage: ports.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

golden=$VEC/backups/valid/znp-CC2652R-ZStack4.json
other=$VEC/backups/valid/z2m-sample-1.json # another network (different extended PAN ID)


# holds_port PID PATH: PID has PATH (a pty) open
holds_port() {
  local real; real=$(readlink -f "$2")
  ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "-> $real\$"
}

# wait_holds PID PATH: up to 5 s for PID to open PATH
wait_holds() {
  local i
  for i in $(seq 100); do holds_port "$1" "$2" && return 0; sleep 0.05; done
  return 1
}

# stty_of PORT OUT ERE: the tty's settings (stty -a) into OUT once they match ERE, or as they are
# after 5 s: a holder opens and locks the port before it sets the line, so a look right after the
# open can see the previous settings (a loaded machine widens that gap)
stty_of() {
  local i
  for i in $(seq 100); do
    stty -F "$1" -a >"$2" 2>&1
    grep -qE -- "$3" "$2" && return 0
    sleep 0.05
  done
}

# (emu_start_tcp NAME ARGS...: lib.bash)

echo "-- exclusive port: a second holder (flock, another zbharness) is refused, nothing written"
mkdir -p "$WORK/excl" && cd "$WORK/excl" || exit 2
emu_start excl znp --nvram "$WORK/excl.nv" || fail "excl: start"
P=$(port excl)
check "restore the golden network" "$HAR" restore --stack znp --port "$P" --backup "$golden"
rm -f "$WORK"/excl/zbharness-prerestore-*.json
excl_files=$(ls "$WORK/excl") # the seeding restore's journal stays; nothing may be added
cp "$WORK/excl.nv" "$WORK/excl.before"
flock -o "$P" sleep 60 & # -o: only flock(1) itself holds the lock, not its sleep
holder=$!
wait_holds "$holder" "$P" || fail "flock did not take the port"
sleep 0.2
expect_rc "backup while flock(1) holds the port: refused, the holder named" 2 "in use by another program \(.*pid $holder \(flock\)" \
  "$HAR" backup --stack znp --port "$P" -o "$WORK/excl/held.json"
check "and no backup file was written" test ! -e "$WORK/excl/held.json"
expect_rc "restore --force of another network while flock(1) holds it: refused" 2 "in use by another program" \
  "$HAR" restore --stack znp --port "$P" --backup "$other" --force
expect_rc "info while flock(1) holds it: refused" 2 "in use" "$HAR" info --port "$P"
expect_rc "--stack auto while flock(1) holds it: refused at once, no protocol tried" 2 "in use" \
  "$HAR" backup --stack auto --port "$P"
check "the device's NVRAM is byte for byte unchanged" cmp "$WORK/excl.before" "$WORK/excl.nv"
check "no file was written (no pre-restore file, no journal)" test "$(ls "$WORK/excl")" = "$excl_files"
kill $(pgrep -P "$holder") 2>/dev/null; wait "$holder" 2>/dev/null
check "once the holder is gone, backup works" "$HAR" backup --stack znp --port "$P" -o "$WORK/excl/after.json"
check "and reads the golden network" "$HAR" diff "$golden" "$WORK/excl/after.json"
emu_stop excl || fail "excl: zbemu exit status"

# A second zbharness: the first one is slowed down by a paced link (19200 baud) so that it
# holds the port for seconds while the second one tries.
cp "$WORK/excl.nv" "$WORK/slow.nv"
emu_start slow znp --nvram "$WORK/slow.nv" --baud 19200 || fail "slow: start"
P=$(port slow)
"$HAR" backup --stack zstack --port "$P" --baud 921600 --flow-control hardware -o "$WORK/excl/first.json" 2>"$WORK/first.err" &
first=$!
if wait_holds "$first" "$P"; then
  cp "$WORK/slow.nv" "$WORK/slow.before"
  expect_rc "restore --force while another zbharness backs up: refused, naming it" 2 "pid $first \(zbharness\)" \
    "$HAR" restore --stack znp --port "$P" --backup "$other" --force
  expect_rc "backup while another zbharness backs up: refused" 2 "pid $first \(zbharness\)" \
    "$HAR" backup --stack znp --port "$P" -o "$WORK/excl/second.json"
  check "nothing written by the refused ones (NVRAM unchanged, no files)" cmp "$WORK/slow.before" "$WORK/slow.nv"
  check "no second backup, no pre-restore file" test ! -e "$WORK/excl/second.json" -a -z "$(ls "$WORK"/excl/zbharness-prerestore-* 2>/dev/null)"
  flock -n "$P" true && fail "flock(1) got the port while zbharness held it" || pass "flock -n on the held port fails (zbharness holds the lock)"
  # TIOCEXCL: root bypasses it, so an unprivileged open shows it
  chmod 666 "$(readlink -f "$P")"
  if setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import os,sys; os.open(sys.argv[1], os.O_RDWR|os.O_NOCTTY|os.O_NONBLOCK)' "$(readlink -f "$P")" 2>"$WORK/excl.py"; then
    fail "an unprivileged open of the held port succeeded (no TIOCEXCL)"
  else
    check "an unprivileged open of the held port: EBUSY (TIOCEXCL)" grep -q "Device or resource busy" "$WORK/excl.py"
  fi
  # the line settings the first one asked for, as the tty has them (stty does not lock)
  stty_of "$P" "$WORK/stty.out" "speed 921600 baud"
  check "--baud 921600 is what the tty is set to" grep -q "speed 921600 baud" "$WORK/stty.out"
  check "--flow-control hardware sets crtscts, no ixon/ixoff" grep -qE '(^| )crtscts( |$)' "$WORK/stty.out"
  check "  ... and no software flow control" grep -qE '(^| )-ixon( |$)' "$WORK/stty.out"
else
  fail "the first zbharness never opened the port"
fi
rc=0; wait "$first" || rc=$?
expect_eq "the first zbharness, undisturbed, finished its backup" "$rc" 0
check "and its backup is the golden network" "$HAR" diff "$golden" "$WORK/excl/first.json"
if setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import os,sys; os.close(os.open(sys.argv[1], os.O_RDWR|os.O_NOCTTY|os.O_NONBLOCK))' "$(readlink -f "$P")" 2>"$WORK/excl.py"; then
  pass "after zbharness closed the port, an unprivileged open works again (TIOCNXCL on close)"
else
  fail "after zbharness closed the port, an unprivileged open fails: $(cat "$WORK/excl.py")"
fi
"$HAR" backup --stack znp --port "$P" --flow-control software -o "$WORK/excl/sw.json" 2>/dev/null &
sw=$!
if wait_holds "$sw" "$P"; then
  stty_of "$P" "$WORK/stty2.out" '(^| )ixon( |$)'
  check "--flow-control software sets ixon" grep -qE '(^| )ixon( |$)' "$WORK/stty2.out"
  check "  ... and ixoff" grep -qE '(^| )ixoff( |$)' "$WORK/stty2.out"
  check "  ... and -crtscts" grep -qE '(^| )-crtscts( |$)' "$WORK/stty2.out"
else
  fail "the --flow-control software backup never opened the port"
fi
wait "$sw" 2>/dev/null
emu_stop slow || fail "slow: zbemu exit status"

echo "-- tcp:// and socket:// on all three stacks (zbemu --tcp 0)"
for st in znp ezsp zboss; do
  n=tcp-$st
  emu_start_tcp "$n" "$st" --nvram "$WORK/$n.nv" || { fail "$n: start"; continue; }
  url=$(head -1 "$WORK/$n.port")
  if [[ $url =~ ^tcp://127\.0\.0\.1:([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
    pass "$st: zbemu --tcp 0 prints the port it picked ($url)"
  else
    fail "$st: zbemu --tcp 0 printed '$url'"; continue
  fi
  (cd "$WORK" && "$HAR" restore --stack "$st" --port "$url" --backup "$golden" --burn-ieee) >"$WORK/$n.restore" 2>&1
  expect_eq "$st: restore over tcp:// (read back equal)" "$?" 0
  sock=${url/tcp:/socket:}
  check "$st: backup over socket://" "$HAR" backup --stack "$st" --port "$sock" -o "$WORK/$n.b1.json"
  check "$st: backup over tcp:// with --stack auto" "$HAR" backup --stack auto --port "$url" -o "$WORK/$n.b2.json"
  check "$st: the two backups are equal" "$HAR" diff "$WORK/$n.b1.json" "$WORK/$n.b2.json"
  expect_eq "$st: the backup holds the golden network (extended PAN ID)" \
    "$(jget "$WORK/$n.b1.json" j.extended_pan_id)" "$(jget "$golden" j.extended_pan_id)"
  expect_eq "$st: ... and its devices" "$(jget "$WORK/$n.b1.json" j.devices.length)" "$(jget "$golden" j.devices.length)"
  "$HAR" info --port "$url" >"$WORK/$n.info" 2>&1
  check "$st: info over tcp:// names the stack" grep -qx "stack: $st" "$WORK/$n.info"
  # a second host while one is connected is turned away at once (it reads end of stream)
  python3 - "${url#tcp://}" >"$WORK/$n.second" 2>&1 <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
a = socket.create_connection((host, int(port)))
time.sleep(0.3)
b = socket.create_connection((host, int(port)))
b.settimeout(3)
t = time.time()
print("second: eof" if b.recv(1) == b"" else "second: data", "after %.1f s" % (time.time() - t))
PY
  check "$st: a second TCP host is closed at once, not left hanging" grep -q "second: eof" "$WORK/$n.second"
  emu_stop "$n" || fail "$n: zbemu exit status"
done
cd "$WORK" || exit 2
emu_start_tcp rt-a znp --nvram "$WORK/rt-a.nv" && emu_start_tcp rt-b ezsp --nvram "$WORK/rt-b.nv" || fail "rt: start"
"$HAR" restore --stack zstack --port "$(head -1 "$WORK/rt-a.port")" --backup "$golden" >/dev/null 2>&1
expect_rc "roundtrip --from zstack:tcp://... --to ember:socket://... (migrates, read back)" 0 "" \
  "$HAR" roundtrip --from "zstack:$(head -1 "$WORK/rt-a.port")" --to "ember:$(head -1 "$WORK/rt-b.port" | sed 's/^tcp:/socket:/')" --burn-ieee
emu_stop rt-a || fail "rt-a: exit status"
emu_stop rt-b || fail "rt-b: exit status"
free_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
expect_rc "a refused connection: exit 2, says so" 2 "tcp://127.0.0.1:$free_port: cannot connect: Connection refused" \
  "$HAR" backup --stack znp --port "tcp://127.0.0.1:$free_port"
expect_rc "a host that does not resolve: exit 2, names it" 2 "cannot resolve host 'no-such-host.invalid'" \
  "$HAR" backup --stack znp --port "tcp://no-such-host.invalid:6638"
for bad in tcp://127.0.0.1 tcp://127.0.0.1:0 tcp://127.0.0.1:65536 tcp://:6638 socket://host:66x tcp://[::1 tcp://a/b:1; do
  expect_rc "bad URL '$bad': exit 2 with the expected form" 2 "expected tcp://HOST:PORT or socket://HOST:PORT" \
    "$HAR" backup --stack znp --port "$bad"
done
expect_rc "roundtrip with a refused tcp:// source: the cell fails (exit 1) with the reason" 1 "Connection refused" \
  "$HAR" roundtrip --from "znp:tcp://127.0.0.1:$free_port" --to "ezsp:tcp://127.0.0.1:$free_port"

echo "-- --baud: set exactly or refused; --flow-control"
emu_start bd ezsp --nvram "$WORK/bd.nv" || fail "bd: start"
P=$(port bd)
for b in 460800 921600 57600; do
  check "--baud $b on a pty: backup runs" "$HAR" restore --stack ember --port "$P" --baud "$b" --backup "$golden" --force --burn-ieee
done
for b in 250000 100000 1; do
  expect_rc "--baud $b (no exact termios rate): refused, never 115200" 2 "--baud $b: not a rate the serial driver sets exactly" \
    "$HAR" backup --stack ezsp --port "$P" --baud "$b"
done
expect_rc "--baud 12ab: refused" 2 "not a baud rate" "$HAR" info --port "$P" --baud 12ab
expect_rc "--flow-control rts: refused" 2 "expected none, software or hardware" "$HAR" backup --stack ezsp --port "$P" --flow-control rts
check "--flow-control software: EZSP (ASH escapes XON/XOFF) backs up" "$HAR" backup --stack ezsp --port "$P" --flow-control software -o "$WORK/bd.sw.json"
check "--flow-control hardware on a pty: backs up" "$HAR" backup --stack ezsp --port "$P" --flow-control hardware -o "$WORK/bd.hw.json"
check "... both equal" "$HAR" diff "$WORK/bd.sw.json" "$WORK/bd.hw.json"
emu_stop bd || fail "bd: zbemu exit status"

echo "-- stack names as users write them: zstack = znp, ember = ezsp"
for cmd in backup restore info roundtrip conformance; do
  "$HAR" "$cmd" --help >"$WORK/help.$cmd" 2>&1
done
check "backup --help lists zstack and ember" grep -qE "znp \(alias zstack\).*ezsp \(alias ember\)" "$WORK/help.backup"
check "info --help lists zstack and ember" grep -qE "znp \(or zstack\), ezsp \(or ember\)" "$WORK/help.info"
check "roundtrip --help lists the aliases and tcp://" grep -qE "znp \(or zstack\), ezsp \(or ember\).*tcp://HOST:PORT" <(tr '\n' ' ' <"$WORK/help.roundtrip")
check "conformance --help names zstack, ember and tcp://" grep -qE "zstack.*ember.*tcp://HOST:PORT" <(tr '\n' ' ' <"$WORK/help.conformance")
expect_rc "an unknown stack lists the aliases" 2 "known: znp \(or zstack\), ezsp \(or ember\), zboss" \
  "$HAR" backup --stack zigate --port /dev/null

echo "-- info: a read-only summary (NVRAM bytes before and after)"
for st in znp ezsp zboss; do
  n=info-$st
  emu_start "$n" "$st" --nvram "$WORK/$n.nv" || { fail "$n: start"; continue; }
  P=$(port "$n")
  "$HAR" info --port "$P" >"$WORK/$n.new" 2>&1
  expect_eq "$st factory-new: info exits 0" "$?" 0
  check "$st factory-new: identified by auto" grep -qx "stack: $st" "$WORK/$n.new"
  check "$st factory-new: says no network" grep -q "^network: none" "$WORK/$n.new"
  (cd "$WORK" && "$HAR" restore --stack "$st" --port "$P" --backup "$golden" --burn-ieee) >/dev/null 2>&1 || fail "$st: restore"
  cp "$WORK/$n.nv" "$WORK/$n.before"
  "$HAR" info --port "$P" --stack "$(case $st in znp) echo zstack;; ezsp) echo ember;; *) echo "$st";; esac)" >"$WORK/$n.info" 2>&1
  expect_eq "$st: info exits 0" "$?" 0
  "$HAR" info --port "$P" >>"$WORK/$n.info2" 2>&1 # and once more with auto (three protocols tried)
  for k in ieee:coordinator_ieee pan_id:pan_id extended_pan_id:extended_pan_id channel:channel; do
    expect_eq "$st: info $k" "$(sed -n "s/^${k%%:*}: //p" "$WORK/$n.info")" "$(jget "$golden" "j.${k#*:}")"
  done
  check "$st: info network: up" grep -qx "network: up" "$WORK/$n.info"
  expect_eq "$st: info device count" "$(sed -n 's/^devices: \([0-9]*\).*/\1/p' "$WORK/$n.info")" "$(jget "$golden" j.devices.length)"
  key=$(jget "$golden" j.network_key.key)
  check "$st: info prints no key" test "$(grep -ci "$key" "$WORK/$n.info")" = 0
  if [ "$st" = ezsp ]; then
    # EmberZNet counts its own boots (STACK_BOOT_COUNTER): each session resets the NCP
    strip='delete j.tokens.STACK_BOOT_COUNTER'
    b0=$(jget "$WORK/$n.before" "j.tokens.STACK_BOOT_COUNTER.data[0]")
    b1=$(jget "$WORK/$n.nv" "j.tokens.STACK_BOOT_COUNTER.data[0]")
    expect_eq "ezsp: info changed only STACK_BOOT_COUNTER (the NCP counts its boots), everything else equal" \
      "$(node -e 'const fs=require("fs");const f=p=>{const j=JSON.parse(fs.readFileSync(p));'"$strip"';return JSON.stringify(j)};console.log(f(process.argv[1])===f(process.argv[2]))' "$WORK/$n.before" "$WORK/$n.nv")" true
    check "ezsp: STACK_BOOT_COUNTER grew ($b0 -> $b1)" test "$b0" != "$b1"
  else
    check "$st: NVRAM byte for byte unchanged by two info runs" cmp "$WORK/$n.before" "$WORK/$n.nv"
  fi
  emu_stop "$n" || fail "$n: zbemu exit status"
done
expect_rc "info on a missing port: exit 2" 2 "cannot open" "$HAR" info --port "$WORK/no-such-tty"
expect_rc "info without --port: exit 2" 2 "--port is required" "$HAR" info

finish
