#!/usr/bin/env bash
# Emulator NVRAM files across restarts (issue 13), on real processes and ptys:
#   * the NWK frame counter of each emulator (znp, ezsp, zboss) only grows across restarts,
#     clean (SIGTERM) and SIGKILL, after traffic: the value after a restart is at least the last
#     one read before it (zbharness and herdsman backups read the counter; EZSP traffic comes
#     from zigbee-herdsman's permit join, ZNP/ZBOSS send simulated traffic every second); the
#     previous zbemu fails this for EZSP (10005 before SIGTERM, 10000 after);
#   * a ZNP extended item of any sysId/itemId a host creates over MT survives a restart;
#   * --nvram through a symlink: one lock for every alias, writes reach the target and the link
#     stays a link; a dangling symlink is refused (exit 2) and nothing is created;
#   * --link never replaces a regular file (exit 2) and removes only its own link at exit;
#   * a final NVRAM write that fails at shutdown makes zbemu exit 1 with a message.
# Usage: tests/system/nvram.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner

GOLDEN=$VEC/backups/valid/znp-CC2652R-ZStack4.json
fc_of() { # fc_of NAME STACK: backs the emulator up, prints its NWK frame counter
  "$HAR" backup --stack "$2" --port "$(port "$1")" -o "$WORK/$1.fc.json" >/dev/null 2>>"$WORK/$1.har.log" &&
    jget "$WORK/$1.fc.json" j.network_key.frame_counter
}
declare -A ADAPTER=([znp]=zstack [ezsp]=ember [zboss]=zboss)
traffic() { # traffic NAME STACK: a host starts the network (herdsman resumes the restored one)
  # and the coordinator sends NWK frames: ZNP and ZBOSS simulated traffic (one frame a second),
  # EZSP the permit-join broadcast herdsman asks for. herdsman's own backup (zstack, ember) reads
  # the counter after the frames, and herdsman then closes the port without resetting the stick.
  local net=(--restore-from "$GOLDEN") extra=(--hold-ms 2500 --backup-out "$WORK/$1.zhbk.json")
  rm -f "$WORK/$1.zhbk.json"
  # ember and zboss: herdsman keeps no OCB backup of ours; the same settings, EPID in the wire
  # order these adapters send (tests/herdsman/README.md), make it resume the restored network
  [ "$2" != znp ] && net=(--pan "0x$(jget "$GOLDEN" j.pan_id)" --key "$(jget "$GOLDEN" j.network_key.key)"
    --channel "$(jget "$GOLDEN" j.channel)"
    --epid "$(jget "$GOLDEN" 'j.extended_pan_id.match(/../g).reverse().join("")')")
  [ "$2" = ezsp ] && extra=(--permit-join 5 --backup-out "$WORK/$1.zhbk.json")
  [ "$2" = zboss ] && extra=(--hold-ms 2500) # herdsman's zboss adapter has no backup
  if zh "$1" "$WORK/$1.zhout" --adapter "${ADAPTER[$2]}" "${net[@]}" "${extra[@]}"; then
    [ "$(jget "$WORK/$1.zhout" j.startResult)" = resumed ] ||
      echo "   (herdsman did not resume: $(jget "$WORK/$1.zhout" j.startResult))"
  else
    echo "   (herdsman: $(cat "$WORK/$1.zhout"))"
  fi
}

# Per stack: restore the golden network; then twice: read the counter (a, zbharness), traffic,
# the counter after it (b: herdsman's backup where it has one, read after the frames with no
# reset since, else zbharness), stop at once (SIGTERM, then SIGKILL), restart, read it (c) before
# any host starts the network; finally traffic once more and read it (d). Nothing was written
# to the file between b and the signal but what the emulator itself persists, so c >= b is the
# "never goes back, never hands a value out twice" check (issue 13: EZSP went 7 -> 5 on
# SIGTERM). ZNP: NV holds the counter Z-Stack saved (every 1000 frames, +1250 at network start).
for s in ${NVRAM_STACKS:-znp ezsp zboss}; do
  echo "-- $s: the NWK frame counter across restarts (SIGTERM, then SIGKILL)"
  n=fc-$s
  emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" --seed 11 || { fail "$s: start"; continue; }
  check "$s: zbharness restores the golden network" \
    bash -c "cd '$WORK' && '$HAR' restore --stack $s --port '$(port "$n")' --backup '$GOLDEN' --burn-ieee"
  c=0
  for how in TERM KILL; do
    a=$(fc_of "$n" "$s") || { fail "$s: backup before traffic"; break; }
    traffic "$n" "$s"
    if [ -s "$WORK/$n.zhbk.json" ]; then
      b=$(jget "$WORK/$n.zhbk.json" j.network_key.frame_counter)
    else
      b=$(fc_of "$n" "$s") || { fail "$s: backup after traffic"; break; }
    fi
    if [ "$how" = TERM ]; then emu_stop "$n" || fail "$s: exit status on SIGTERM"; else emu_kill "$n"; fi
    emu_start "$n" "$s" --nvram "$WORK/$n.nv.json" || { fail "$s: restart after SIG$how"; break; }
    prev=$c
    c=$(fc_of "$n" "$s") || { fail "$s: backup after SIG$how"; break; }
    # EZSP reports the counter in use, so the traffic must show; ZNP and ZBOSS backups read what
    # the stack saved (a bound ahead of or at the counter), which moves in steps
    more=0
    [ "$s" = ezsp ] && more=1
    if [ "$a" -ge "$prev" ] && [ "$b" -ge $((a + more)) ]; then
      pass "$s: the counter before SIG$how: $prev, $a -> $b after traffic"
    else
      fail "$s: the counter before SIG$how: $prev, $a -> $b after traffic"
    fi
    if [ "$c" -ge "$b" ]; then
      pass "$s: after SIG$how and a restart the counter is $c (>= $b)"
    else
      fail "$s: after SIG$how the counter went back from $b to $c"
    fi
  done
  traffic "$n" "$s"
  d=$(fc_of "$n" "$s") || fail "$s: last backup"
  jump=0
  [ "$s" = znp ] && jump=1250 # Z-Stack: NV + 1250 when the network starts
  if [ -n "${d:-}" ] && [ "$d" -gt "$c" ] && [ "$d" -ge $((c + jump)) ]; then
    pass "$s: once a host starts the network and it sends, the counter is $d (> $c, >= $c + $jump)"
  else
    fail "$s: last counter ${d:-?}: not above $c + $jump"
  fi
  [ -n "${EMU_PID[$n]:-}" ] && check "$s: clean exit" emu_stop "$n"
done

echo "-- znp: extended items the emulator has no name for survive a restart"
n=ext
emu_start "$n" znp --nvram "$WORK/$n.nv.json" || fail "ext: start"
mt() { # mt PORT HEXFRAMES...: sends MT SREQs, prints each SRSP's data in hex, one per line
  python3 - "$@" <<'PY'
import os, select, sys, termios, tty, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
def frame(c0, c1, d):
    body = bytes([len(d), c0, c1]) + d
    x = 0
    for b in body: x ^= b
    return b"\xfe" + body + bytes([x])
buf = b""
for h in sys.argv[2:]:
    raw = bytes.fromhex(h)
    os.write(fd, frame(raw[0], raw[1], raw[2:]))
    end = time.monotonic() + 3
    got = None
    while got is None and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r: buf += os.read(fd, 4096)
        while buf and buf[0] != 0xFE: buf = buf[1:]
        while len(buf) >= 5 and len(buf) >= 5 + buf[1]:
            L, c0, c1 = buf[1], buf[2], buf[3]
            data = buf[4:4 + L]
            buf = buf[5 + L:]
            if c0 == 0x61 and c1 == raw[1]: got = data.hex(); break
            while buf and buf[0] != 0xFE: buf = buf[1:]
    print(got or "timeout")
PY
}
# SYS_NV_CREATE (0x21 0x30) sysId, itemId, subId, len u32; SYS_NV_WRITE (0x34) ... offset, lv8
out=$(mt "$(port "$n")" 2130013412000003000000 2130070100020002000000 \
  21340134120000000003abcdef 21340701000200000002cafe)
expect_eq "ext: NV_CREATE/NV_WRITE of item 0x1234 and of sysId 7 answered" "$(echo $out)" "00 00 00 00"
check "ext: clean exit" emu_stop "$n"
check "ext: the file names them (\"0x1234\", \"0x07:0x0001\")" \
  bash -c "grep -q '\"0x1234\"' '$WORK/$n.nv.json' && grep -q '\"0x07:0x0001\"' '$WORK/$n.nv.json'"
if emu_start "$n" znp --nvram "$WORK/$n.nv.json"; then
  pass "ext: the emulator loads its own file again"
  # SYS_NV_READ (0x33) sysId, itemId, subId, offset u16, len u8
  out=$(mt "$(port "$n")" 213301341200000000ff 213307010002000000ff)
  expect_eq "ext: both items read back" "$(echo $out)" "0003abcdef 0002cafe"
  check "ext: clean exit after the reload" emu_stop "$n"
else
  fail "ext: the emulator refuses its own file: $(tail -2 "$WORK/$n.log")"
fi

echo "-- --nvram through a symlink"
n=sym
emu_start "$n" ezsp --nvram "$WORK/real.json" --seed 4 && emu_stop "$n"
ln -s real.json "$WORK/alias.json"
boots() { jget "$WORK/real.json" 'parseInt(j.tokens.STACK_BOOT_COUNTER.data[0].slice(0,2),16)'; }
b0=$(boots)
emu_start "$n" ezsp --nvram "$WORK/alias.json" || fail "sym: start on the alias"
for p in real.json alias.json; do
  "$EMU" ezsp --nvram "$WORK/$p" >/dev/null 2>"$WORK/second.err"
  rc=$?
  if [ "$rc" = 2 ] && grep -q "in use by another zbemu" "$WORK/second.err"; then
    pass "sym: a second emulator on $p is refused (exit 2)"
  else
    fail "sym: a second emulator on $p: exit $rc, $(cat "$WORK/second.err")"
  fi
done
check "sym: clean exit" emu_stop "$n"
check "sym: the alias is still a symlink" test -L "$WORK/alias.json"
expect_eq "sym: the boot went to the target" "$(boots)" "$((b0 + 1))"
ln -s missing.json "$WORK/dangling.json"
"$EMU" znp --nvram "$WORK/dangling.json" >/dev/null 2>"$WORK/dangling.err"
rc=$?
if [ "$rc" = 2 ] && grep -q "does not exist" "$WORK/dangling.err" && [ ! -e "$WORK/missing.json" ]; then
  pass "sym: a dangling symlink is refused (exit 2), nothing created"
else
  fail "sym: dangling symlink: exit $rc, $(cat "$WORK/dangling.err")"
fi

echo "-- --link"
echo precious >"$WORK/file.tty"
"$EMU" znp --link "$WORK/file.tty" >/dev/null 2>"$WORK/link.err"
rc=$?
if [ "$rc" = 2 ] && grep -q "regular file" "$WORK/link.err" && [ "$(cat "$WORK/file.tty")" = precious ]; then
  pass "link: a regular file at PATH is refused (exit 2) and kept"
else
  fail "link: over a regular file: exit $rc, $(cat "$WORK/link.err")"
fi
n=lnk
emu_start "$n" znp || fail "link: start"
ln -sfn /dev/null "$WORK/$n.tty" # someone else took the name meanwhile
check "link: clean exit" emu_stop "$n"
expect_eq "link: a link that is not ours stays at exit" "$(readlink "$WORK/$n.tty")" /dev/null
rm -f "$WORK/$n.tty"
emu_start "$n" znp && emu_stop "$n"
check "link: our own link is removed at exit" test ! -e "$WORK/$n.tty" -a ! -L "$WORK/$n.tty"

echo "-- a final NVRAM write that fails"
n=final
emu_start "$n" znp --nvram "$WORK/$n.nv.json" || fail "final: start"
(cd "$WORK" && "$HAR" restore --stack znp --port "$(port "$n")" --backup "$GOLDEN") >/dev/null 2>&1
sleep 1.5 # simulated traffic: the counter moves, the shutdown must write it
rm "$WORK/$n.nv.json" && mkdir "$WORK/$n.nv.json" # not even root renames a file over a folder
kill -TERM "${EMU_PID[$n]}"
rc=0
wait "${EMU_PID[$n]}" || rc=$?
unset "EMU_PID[$n]"
if [ "$rc" = 1 ] && grep -q "does not hold the final NVRAM state" "$WORK/$n.log"; then
  pass "final: exit 1 with the message"
else
  fail "final: exit $rc; $(tail -3 "$WORK/$n.log")"
fi

finish
