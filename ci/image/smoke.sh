#!/usr/bin/env bash
# ci/image/smoke.sh - runs INSIDE the runtime image, as the image's user in its WORKDIR
# (ci/docker.sh starts it there: by chroot + setpriv, or by a container engine), with the
# image's own zbemu and zbharness on PATH. DATA is a read-only folder holding backup.json.
#  1. not root, no capabilities (the image's USER);
#  2. the demo of ci/demo.sh: a factory-new emulated Z-Stack 3.x.0 stick, restore the real
#     CC2652R backup onto it, back it up, validate, compare: `zbharness diff` must say `equal`;
#  3. `zbharness conformance` against a fresh emulator: `0 failed`;
#  4. libzbmodem.so preloads without a word from the dynamic loader.
# Usage: smoke.sh DATA
set -uo pipefail
data=${1:?usage: smoke.sh DATA (a folder with backup.json)}
fail() { echo "smoke.sh: FAILED: $*" >&2; exit 1; }
work=$(mktemp -d) || fail "mktemp -d in the image"
emu=
stop_emu() { # stops the running zbemu; fails unless it exits 0 (clean NVRAM write)
  local rc=0
  kill "$emu" && wait "$emu" || rc=$?
  emu=
  [ "$rc" = 0 ] || { cat "$work/emu.log" >&2; fail "zbemu exited $rc on SIGTERM"; }
}
trap '[ -n "$emu" ] && kill "$emu" 2>/dev/null; rm -rf "$work"' EXIT
start_emu() { # ARGS...: zbemu in the background; $port = the pty once it is up
  zbemu "$@" >"$work/port" 2>"$work/emu.log" &
  emu=$!
  # up to 30 s: in CI this runs beside the release builds and the fuzzers on two CPUs, where
  # an emulator once took over 5 s to print its port (alone it takes milliseconds)
  for _ in $(seq 600); do [ -s "$work/port" ] && break; sleep 0.05; done
  port=$(head -n1 "$work/port")
  [ -n "$port" ] || { cat "$work/emu.log" >&2; fail "zbemu $* printed no port in 30 s"; }
}

echo "== in the image: $(id) in $PWD, HOME=$HOME, $(grep -m1 "^PRETTY_NAME=" /etc/os-release)"
[ "$(id -u)" != 0 ] || fail "running as root: the image's USER must not be root"
cap=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
[ "$cap" = 0000000000000000 ] || fail "effective capabilities $cap (none wanted)"
[ -w . ] || fail "the WORKDIR $PWD is not writable by $(id -un)"
command -v zbemu zbharness || fail "zbemu or zbharness not on PATH ($PATH)"

echo "== demo: restore $data/backup.json onto a factory-new emulated Z-Stack 3.x.0, back up, compare"
start_emu znp --profile zstack3x0 --nvram "$work/nvram.json"
(cd "$work" && zbharness restore --stack znp --port "$port" --backup "$data/backup.json") ||
  fail "zbharness restore onto the emulator"
zbharness backup --stack znp --port "$port" -o "$work/backup.json" || fail "zbharness backup"
zbharness validate "$work/backup.json" || fail "zbharness validate of the new backup"
out=$(zbharness diff "$data/backup.json" "$work/backup.json") || { echo "$out"; fail "zbharness diff"; }
echo "$out"
[ "$(tail -n1 <<<"$out")" = equal ] || fail "the demo did not end 'equal'"
stop_emu

echo "== conformance against a fresh emulated stick"
start_emu znp --nvram "$work/conf-nvram.json" --link "$work/znp.tty"
out=$(zbharness conformance -q --stack znp --port "$work/znp.tty" --dir "$work") ||
  { echo "$out"; fail "zbharness conformance exited non-zero"; }
tail -n3 <<<"$out"
[[ $(tail -n1 <<<"$out") == *" 0 failed"* ]] || fail "conformance: not '0 failed'"
stop_emu

echo "== preload library"
err=$(LD_PRELOAD=/usr/local/lib/libzbmodem.so true 2>&1) || fail "LD_PRELOAD=libzbmodem.so true"
[ -z "$err" ] || fail "the loader said: $err"
echo "smoke.sh: the image works (demo equal, conformance 0 failed, preload loads)"
