#!/usr/bin/env bash
# libzbmodem.so (LD_PRELOAD): host tools that toggle DTR/RTS work on the emulator's pty, and the
# emulated CC2652 stick reacts as the real one (reset into firmware, or into its ROM bootloader).
# Why: herdsman's CC2652 "skip bootloader" and zigpy-znp's connect pins abort on a pty (ENOTTY).
# Usage: tests/system/preload.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner
LIB=$ZB_BUILD/lib/libzbmodem.so
PROG=$ZB_BUILD/bin/modem_ioctl
[ -f "$LIB" ] && [ -x "$PROG" ] || { fail "missing $LIB or $PROG"; finish; exit; }

# ctl_sock NAME: the report socket zbemu binds for its pty (/dev/pts/N -> /tmp/zbemu-pts-N.sock)
ctl_sock() { echo "/tmp/zbemu-pts-$(head -1 "$WORK/$1.port" | sed 's|^/dev/pts/||').sock"; }

echo "-- the problem: modem-line ioctls on a pty fail with ENOTTY"
n=plain
emu_start "$n" znp || fail "$n: start"
check "without the library: TIOCMGET/SET/BIS/BIC on the pty -> ENOTTY" "$PROG" --expect-enotty "$(port "$n")"
check "zbemu binds $(ctl_sock "$n")" test -S "$(ctl_sock "$n")"
sock=$(ctl_sock "$n")
ino=$(stat -c %i "$sock" 2>/dev/null)
check "clean exit on SIGTERM" emu_stop "$n"
# an emulator of a suite running beside this one may get the same pty number, and so bind a new
# socket of the same name: this one's is gone if the name is free or is another file
check "the socket is removed at exit" bash -c "[ ! -e '$sock' ] || [ \"\$(stat -c %i '$sock')\" != '$ino' ]"

echo "-- with LD_PRELOAD=libzbmodem.so: ioctls succeed, the emulated stick resets on the sequence"
n=preload
emu_start "$n" znp --profile zstack3x0 || fail "$n: start"
if LD_PRELOAD=$LIB "$PROG" "$(port "$n")" >"$WORK/$n.out" 2>&1; then
  pass "modem_ioctl: $(grep -c '^ok' "$WORK/$n.out") checks (ioctls, reset -> SYS_RESET_IND, bootloader)"
else
  fail "modem_ioctl"; sed 's/^/        /' "$WORK/$n.out"
fi
check "emulator log: RTS held the chip in reset" grep -q "RTS asserted: chip held in reset" "$WORK/$n.log"
check "emulator log: released with DTR clear -> firmware boot" grep -q "DTR clear: firmware boots" "$WORK/$n.log"
check "emulator log: released with DTR asserted -> ROM bootloader" grep -q "DTR asserted: ROM serial bootloader" "$WORK/$n.log"
check "clean exit on SIGTERM" emu_stop "$n"

echo "-- the library leaves everything else alone"
: >"$WORK/regular.file"
check "regular file under LD_PRELOAD: still ENOTTY" env LD_PRELOAD="$LIB" "$PROG" --expect-enotty "$WORK/regular.file"
check "a pty with no emulator behind it: ioctls succeed, nothing else happens (python3 fcntl)" \
  env LD_PRELOAD="$LIB" python3 -c '
import fcntl, os, struct, termios
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCMBIS, struct.pack("i", termios.TIOCM_RTS))
fcntl.ioctl(s, termios.TIOCMBIC, struct.pack("i", termios.TIOCM_DTR))
bits = struct.unpack("i", fcntl.ioctl(s, termios.TIOCMGET, struct.pack("i", 0)))[0]
assert bits & (termios.TIOCM_RTS | termios.TIOCM_DTR) == termios.TIOCM_RTS, hex(bits)
assert struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, struct.pack("i", 0)))[0] == 0'
n=cc2531
emu_start "$n" znp --profile zstack12 || fail "$n: start"
check "CC2531 (native USB, no pins on DTR/RTS): the sequence does not reset it" \
  bash -c "LD_PRELOAD='$LIB' '$PROG' '$(port "$n")'; grep -q 'host set DTR=0 RTS=1' '$WORK/$n.log' && ! grep -q 'chip held in reset' '$WORK/$n.log'"
check "clean exit on SIGTERM" emu_stop "$n"

echo "-- zigbee-herdsman $ZH_VERSION (zstack) on a stick left in its ROM bootloader"
n=zhbsl
emu_start "$n" znp --profile zstack3x0 || fail "$n: start"
check "a flasher-like tool leaves the stick in its bootloader" env LD_PRELOAD="$LIB" "$PROG" --enter-bootloader "$(port "$n")"
rc=0
zh "$n" "$WORK/$n.zh1" --adapter zstack || rc=$?
if [ "$rc" = 1 ] && grep -q "Inappropriate ioctl for device" "$WORK/$n.zh1"; then
  pass "without the library herdsman aborts at its DTR/RTS step: $(jget "$WORK/$n.zh1" j.error)"
else
  fail "without the library: exit $rc, $(cat "$WORK/$n.zh1")"
fi
if LD_PRELOAD=$LIB zh "$n" "$WORK/$n.zh2" --adapter zstack; then
  expect_eq "with the library herdsman resets the stick into Z-Stack and starts" \
    "$(jget "$WORK/$n.zh2" j.startResult)" reset
else
  fail "with the library: $(cat "$WORK/$n.zh2")"
fi
check "emulator log: herdsman's DTR=0/RTS=1 pulse booted the firmware" \
  bash -c "grep -A3 'host set DTR=0 RTS=1' '$WORK/$n.log' | grep -q 'DTR clear: firmware boots'"
check "clean exit on SIGTERM" emu_stop "$n"

finish
