#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c, clang + ASan + UBSan) into build-fuzz/ and
# runs each for a bounded time on a corpus seeded from vectors/ and real traffic, plus the committed
# corpus tests/fuzz/corpus/<target>/ (minimised from long runs, read-only: new inputs go to
# build-fuzz/corpus/). First replays every input in tests/fuzz/regress/<target>/ (crashes found
# earlier, kept as regression tests).
#   ci/fuzz.sh [--seconds N] [TARGET...]     default 10 s per target (CI smoke)
# Prints one line per target: executions, seconds, corpus size; exit 1 on any crash.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=10
if [ "${1:-}" = --seconds ]; then secs=$2; shift 2; fi

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q 'install ok installed' || need+=(libclang-rt-14-dev)
if ((${#need[@]})); then
  [ "$(id -u)" = 0 ] || { echo "ci/fuzz.sh: missing ${need[*]}; run as root" >&2; exit 2; }
  echo "ci/fuzz.sh: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash ci/setup.sh >/dev/null

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZB_SANITIZE=ON -DZB_FUZZ=ON \
  -DZB_TESTS=OFF -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null

# Real traffic as seeds: restore the golden backup onto an emulator with a full frame trace
# and keep every frame it received or sent (or, with "nvram", its NVRAM file).
traffic() {
  local stack=$1 dir=$2 what=${3:-frames} tmp
  tmp=$(mktemp -d)
  build-fuzz/bin/zbemu "$stack" --nvram "$tmp/nv.json" --link "$tmp/tty" -vv --show-keys \
    >/dev/null 2>"$tmp/trace" &
  local pid=$!
  for _ in $(seq 100); do [ -e "$tmp/tty" ] && break; sleep 0.05; done
  (cd "$tmp" && "$OLDPWD/build-fuzz/bin/zbharness" restore --stack "$stack" --port "$tmp/tty" \
    --backup "$OLDPWD/vectors/backups/valid/znp-CC2652R-ZStack4.json") >/dev/null 2>&1 || true
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  if [ "$what" = nvram ]; then
    cp "$tmp/nv.json" "$dir/$stack-nvram.json" 2>/dev/null || true
  elif [ "$what" = session ]; then
    # one input: the front-end selector byte (fuzz_emu_frames.c), then every byte the host sent
    python3 - "$tmp/trace" "$dir" "$stack" <<'PY'
import re, sys
sel = {"znp": 0, "ezsp": 16, "zboss": 2}[sys.argv[3]]  # znp zstack3x0, ezsp v18, zboss
tag = {"znp": "znp rx", "ezsp": "ezsp ash rx", "zboss": "zboss rx"}[sys.argv[3]]
out = bytearray([sel])
for line in open(sys.argv[1], errors="replace"):
    m = re.search(" " + tag + r" ([0-9a-f]+)$", line)
    if m and len(m.group(1)) % 2 == 0:
        out += bytes.fromhex(m.group(1))
open("%s/%s-session" % (sys.argv[2], sys.argv[3]), "wb").write(out)
PY
  else
    python3 - "$tmp/trace" "$dir" "$stack" <<'PY'
import re, sys, hashlib
seen = set()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r" (?:rx|tx|tx ack) ([0-9a-f]+)$", line)
    if m and len(seen) < 300 and len(m.group(1)) % 2 == 0 and m.group(1) not in seen:
        seen.add(m.group(1))
        name = "%s/%s-%s" % (sys.argv[2], sys.argv[3], hashlib.sha1(m.group(1).encode()).hexdigest()[:12])
        open(name, "wb").write(bytes.fromhex(m.group(1)))
PY
  fi
  rm -rf "$tmp"
}

# seed corpora (not committed: made from the vectors each run)
seed() {
  local t=$1 dir=build-fuzz/corpus/$1
  mkdir -p "$dir"
  case $t in
    fuzz_ocb_parse) cp vectors/backups/*/*.json "$dir/" ;;
    fuzz_znp_nvram) cp vectors/nvram/znp/*.json emulator/factory/*.json "$dir/" ;;
    fuzz_ash_ezsp) traffic ezsp "$dir" ;;
    fuzz_zboss_ll_hl) traffic zboss "$dir" ;;
    fuzz_nvram_files) traffic ezsp "$dir" nvram; traffic zboss "$dir" nvram ;;
    fuzz_emu_frames) for s in znp ezsp zboss; do traffic "$s" "$dir" session; done ;;
    fuzz_mt_parser) python3 - "$dir" <<'PY'
import sys, os
def f(c0, c1, d=b""):
    body = bytes([len(d), c0, c1]) + d
    x = 0
    for b in body: x ^= b
    return b"\xfe" + body + bytes([x])
frames = [f(0x21, 0x01), f(0x21, 0x02), f(0x21, 0x08, b"\x21\x00\x00"), f(0x21, 0x09, b"\x00\x0e\x00\x04\x01\x02\x03\x04"),
          f(0x41, 0x80, b"\x00\x02\x00\x02\x07\x01"), f(0x25, 0x50, b"\x00\x00"), f(0x24, 0x01, bytes(64))]
for i, fr in enumerate(frames):
    open(os.path.join(sys.argv[1], "frame%d" % i), "wb").write(fr)
open(os.path.join(sys.argv[1], "stream"), "wb").write(b"\x00\xfe\x05" + b"".join(frames))
PY
    ;;
  esac
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd build-fuzz/bin && ls fuzz_*))
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
for t in "${targets[@]}"; do
  bin=build-fuzz/bin/$t
  if [ -d "tests/fuzz/regress/$t" ] && ls "tests/fuzz/regress/$t"/* >/dev/null 2>&1; then
    "$bin" "tests/fuzz/regress/$t"/* >"build-fuzz/$t.regress.log" 2>&1 ||
      { echo "$t: a regression input crashes again (build-fuzz/$t.regress.log)"; rc=1; continue; }
  fi
  seed "$t"
  mkdir -p "build-fuzz/crashes/$t"
  corpora=("build-fuzz/corpus/$t")  # the first is where libFuzzer writes what it finds
  [ -d "tests/fuzz/corpus/$t" ] && corpora+=("tests/fuzz/corpus/$t")
  if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build-fuzz/crashes/$t/" "${corpora[@]}" >"build-fuzz/$t.log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$t.log" | grep -o '[0-9]*$' || true)
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "build-fuzz/$t.log" | tail -1 | tr -d '#')
    echo "$t: clean, $execs executions in ${secs} s, corpus $(ls "build-fuzz/corpus/$t" | wc -l) inputs + $(ls "tests/fuzz/corpus/$t" 2>/dev/null | wc -l) committed"
  else
    echo "$t: CRASH, see build-fuzz/$t.log and build-fuzz/crashes/$t/ (copy the input to tests/fuzz/regress/$t/)"
    tail -30 "build-fuzz/$t.log"
    rc=1
  fi
done
exit $rc
