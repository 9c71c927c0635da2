# tests/system/lib.bash - shared by the system tests (sourced, not run).
# A system test starts real zbemu processes on ptys, drives them with zbharness and with the
# real zigbee-herdsman (tests/herdsman/zh-client.mjs; 10.9.5, or 11.x with ZB_HERDSMAN=11), and
# counts checks. Every emulator is stopped with SIGTERM at the end and must exit 0 (a sanitizer
# report makes it exit non-zero).
# Usage in a test: source lib.bash "$BUILD"; ...; finish

ZB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ZB_BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
EMU=$ZB_BUILD/bin/zbemu
HAR=$ZB_BUILD/bin/zbharness
ZH=$ZB_ROOT/tests/herdsman/zh-client.mjs
VEC=$ZB_ROOT/vectors
WORK=$(mktemp -d /tmp/zbsys.XXXXXX)
# restore journals (harness/core/journal.h) of this test stay in its own folder
export ZBHARNESS_STATE_DIR=$WORK/state
T_PASS=0
T_FAIL=0
declare -A EMU_PID=()

cleanup() {
  local n
  for n in "${!EMU_PID[@]}"; do kill -9 "${EMU_PID[$n]}" 2>/dev/null; done
  if [ "$T_FAIL" = 0 ] && [ -z "${ZB_KEEP:-}" ]; then rm -rf "$WORK"; else echo "   (work files kept in $WORK)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { T_PASS=$((T_PASS + 1)); echo "   ok   $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "   FAIL $*"; }

# check DESCRIPTION CMD...: runs CMD quietly (output kept in $WORK/last.log), pass if it exits 0
check() {
  local what=$1; shift
  if "$@" >"$WORK/last.log" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/        /' "$WORK/last.log" | tail -15; fi
}

# await_start PID CMD...: until CMD succeeds (0) or the process PID is gone (1), 5 s at most (1)
await_start() {
  local pid=$1; shift
  for _ in $(seq 100); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# emu_start NAME ARGS...: starts zbemu with --link $WORK/NAME.tty, waits for the port.
emu_start() {
  local name=$1; shift
  rm -f "$WORK/$name.tty"
  "$EMU" "$@" --link "$WORK/$name.tty" >"$WORK/$name.port" 2>>"$WORK/$name.log" &
  EMU_PID[$name]=$!
  await_start "${EMU_PID[$name]}" test -s "$WORK/$name.port" -a -e "$WORK/$name.tty" && return 0
  echo "zbemu $name did not start:" >&2
  cat "$WORK/$name.log" >&2
  return 1
}
port() { echo "$WORK/$1.tty"; }
# emu_kill NAME: SIGKILL (no clean-up in the emulator: a stick unplugged), then its link goes
# as an unplugged stick's device node does: a stale link would lead a late host to whatever
# pty the number goes to next, another suite's emulator (ports.sh once saw a zbharness of a
# suite running beside it holding its emulator's pty)
emu_kill() {
  kill -KILL "${EMU_PID[$1]}" 2>/dev/null
  wait "${EMU_PID[$1]}" 2>/dev/null
  unset "EMU_PID[$1]"
  rm -f "$WORK/$1.tty"
}
# backup_of STACK NAME OUT: zbharness backup of emulator NAME into OUT (its log: $WORK/NAME.bk.log)
backup_of() { timeout 60 "$HAR" backup --stack "$1" --port "$(port "$2")" -o "$3" >"$WORK/$2.bk.log" 2>&1; }

# emu_start_tcp NAME ARGS...: starts zbemu with --tcp 0, waits for the tcp:// URL it prints
# (first line of $WORK/NAME.port)
emu_start_tcp() {
  local name=$1; shift
  "$EMU" "$@" --tcp 0 >"$WORK/$name.port" 2>>"$WORK/$name.log" &
  EMU_PID[$name]=$!
  await_start "${EMU_PID[$name]}" test -s "$WORK/$name.port" && return 0
  echo "zbemu $name did not start:" >&2
  cat "$WORK/$name.log" >&2
  return 1
}

# emu_stop NAME: SIGTERM, wait; returns zbemu's exit status
emu_stop() {
  local name=$1 rc=0
  kill -TERM "${EMU_PID[$name]}" 2>/dev/null
  wait "${EMU_PID[$name]}" || rc=$?
  unset "EMU_PID[$name]"
  [ "$rc" = 0 ] || { echo "zbemu $name exited $rc:" >&2; tail -20 "$WORK/$name.log" >&2; }
  return "$rc"
}

# zh NAME OUT ARGS...: runs zh-client against emulator NAME, JSON result line in OUT
zh() {
  local name=$1 out=$2; shift 2
  zh_banner
  node "$ZH" --port "$(port "$name")" --workdir "$WORK/$name.zh" --timeout-ms 60000 "$@" >"$out" 2>>"$WORK/$name.zh.log"
}

# zh_banner: names the zigbee-herdsman this suite's zh-client runs, in $ZH_VERSION and on stdout.
# ZB_HERDSMAN picks the pinned install (unset or 10: tests/node, 10.9.5; 11: tests/node11, 11.x),
# as zh-client.mjs does; ZH_NODE_PACKAGE overrides both. A missing install ends the suite (exit 2).
# Once per suite: the suites call it first, and zh() calls it if they did not.
zh_banner() {
  local dir pkg
  [ -n "${ZH_VERSION:-}" ] && return 0
  case "${ZB_HERDSMAN:-10}" in
    10) dir=$ZB_ROOT/tests/node ;;
    11) dir=$ZB_ROOT/tests/node11 ;;
    *) echo "ZB_HERDSMAN='$ZB_HERDSMAN': expected 10 or 11" >&2; exit 2 ;;
  esac
  [ -n "${ZH_NODE_PACKAGE:-}" ] && dir=$(dirname "$ZH_NODE_PACKAGE")
  pkg=$dir/node_modules/zigbee-herdsman/package.json
  if [ ! -f "$pkg" ]; then
    echo "zigbee-herdsman is not installed in $dir/node_modules" \
      "(${ZH_NODE_PACKAGE:+ZH_NODE_PACKAGE, }ZB_HERDSMAN=${ZB_HERDSMAN:-10}): run bash ci/setup.sh (npm ci --prefix $dir)" >&2
    exit 2
  fi
  ZH_VERSION=$(node -p 'require(process.argv[1]).version' "$pkg")
  echo "-- zigbee-herdsman $ZH_VERSION (${dir#"$ZB_ROOT"/}, ZB_HERDSMAN=${ZB_HERDSMAN:-10})"
}

# jget FILE EXPR: evaluates a JS expression over the parsed JSON `j` (whole FILE)
jget() {
  node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));
           const v=eval(process.argv[2]);process.stdout.write(String(v));' "$1" "$2"
}

# expect_eq DESCRIPTION GOT WANT
expect_eq() {
  if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', want '$3'"; fi
}

# expect_rc DESCRIPTION WANT_RC PATTERN CMD...: CMD exits WANT_RC and its stderr or stdout
# matches the extended regex PATTERN (an empty PATTERN matches anything)
expect_rc() {
  local what=$1 want=$2 pat=$3 rc=0; shift 3
  "$@" >"$WORK/rc.out" 2>"$WORK/rc.err" || rc=$?
  if [ "$rc" = "$want" ] && { [ -z "$pat" ] || cat "$WORK/rc.err" "$WORK/rc.out" | grep -qE -- "$pat"; }; then
    pass "$what (exit $rc)"
  else
    fail "$what: exit $rc, want $want matching /$pat/"; sed 's/^/        /' "$WORK/rc.err" "$WORK/rc.out" | tail -5
  fi
}

# mut IN OUT PYTHON: a changed copy of a backup (`d` is the parsed JSON)
mut() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=2)
EOF
}

finish() {
  echo "   $T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" = 0 ]
}
