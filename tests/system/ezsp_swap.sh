#!/usr/bin/env bash
# Issue 26: an NCP that answers another EZSP version after the harness reset it mid-restore
# (re-flashed, or another stick behind the same port) is named as such, and nothing more is
# written. A TCP proxy stands between the harness and two emulators: it forwards to the first
# (EZSP v18) until the harness sends ASH RST after data frames on the same connection, the reset
# a restore makes after writing a new IEEE (--burn-ieee here), and from that frame on to the
# second (v12).
# Usage: ezsp_swap.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

cat >"$WORK/swap.py" <<'PY'
import select, socket, sys

a_port, b_port = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(4)
print(ls.getsockname()[1], flush=True)

def frames(buf):
    """Complete ASH frames (each ending in the 0x7E flag) and the rest."""
    out = []
    while b"\x7e" in buf:
        i = buf.index(b"\x7e") + 1
        out.append(buf[:i])
        buf = buf[i:]
    return out, buf

while True:
    host, _ = ls.accept()
    ncp = socket.create_connection(("127.0.0.1", a_port))
    pending, data_seen, swapped = b"", False, False
    while True:
        r, _, _ = select.select([host, ncp], [], [])
        if ncp in r:
            d = ncp.recv(4096)
            if not d:
                break
            host.sendall(d)
        if host in r:
            d = host.recv(4096)
            if not d:
                break
            done, pending = frames(pending + d)
            for f in done:
                body = f.lstrip(b"\x1a\x11\x13\x18")
                if body[:1] == b"\xc0" and data_seen and not swapped:
                    ncp.close()
                    ncp = socket.create_connection(("127.0.0.1", b_port))
                    swapped = True
                    print("swapped", flush=True)
                elif body and body[0] & 0x80 == 0:
                    data_seen = True
                ncp.sendall(f)
    host.close()
    ncp.close()
PY

# emu_tcp NAME ARGS...: zbemu --tcp 0; its port number in $WORK/NAME.port
emu_tcp() {
  local name=$1; shift
  "$EMU" "$@" --tcp 0 >"$WORK/$name.port" 2>>"$WORK/$name.log" &
  EMU_PID[$name]=$!
  local i
  for i in $(seq 100); do [ -s "$WORK/$name.port" ] && return 0; sleep 0.05; done
  return 1
}
tcp_port() { local u; u=$(head -1 "$WORK/$1.port"); echo "${u##*:}"; }

mkdir -p "$WORK/run" && cd "$WORK/run" || exit 2
emu_tcp a ezsp --ezsp-version 18 --nvram "$WORK/a.nv" || fail "a: start"
emu_tcp b ezsp --ezsp-version 12 --nvram "$WORK/b.nv" || fail "b: start"
python3 -u "$WORK/swap.py" "$(tcp_port a)" "$(tcp_port b)" >"$WORK/swap.out" &
proxy=$!
for i in $(seq 100); do [ -s "$WORK/swap.out" ] && break; sleep 0.05; done
url="tcp://127.0.0.1:$(head -1 "$WORK/swap.out")"

rc=0
"$HAR" restore --stack ezsp --port "$url" --burn-ieee \
  --backup "$VEC/backups/valid/znp-CC2652R-ZStack4.json" \
  >"$WORK/restore.out" 2>"$WORK/restore.err" || rc=$?
check "the proxy swapped the NCP at the restore's reset" grep -q swapped "$WORK/swap.out"
if [ "$rc" = 1 ] && grep -qE "the NCP now speaks EZSP v12, not v18 as at the start of this session \(was it re-flashed or swapped\?\)" "$WORK/restore.err"; then
  pass "restore stops, naming the version change (exit $rc)"
else
  fail "restore: exit $rc, want 1 naming EZSP v12 vs v18"; tail -5 "$WORK/restore.err" | sed 's/^/        /'
fi
kill "$proxy"; wait "$proxy" 2>/dev/null
expect_none() { # expect_none NAME: emulator NAME holds no network
  local out
  out=$("$HAR" info --stack ezsp --port "$(head -1 "$WORK/$1.port")" 2>&1)
  if grep -q "^network: none" <<<"$out"; then pass "$1: no network was written"; else fail "$1: $out"; fi
}
expect_none a
expect_none b
emu_stop a || fail "a: zbemu exit status"
emu_stop b || fail "b: zbemu exit status"

finish
