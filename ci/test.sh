#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with ASan+UBSan, runs the Criterion
# unit tests (ctest), the schema/vector checks (ajv-cli + zbharness validate) and the real-client
# tests. Exits non-zero on any failure; the last line counts the suites.
set -uo pipefail
cd "$(dirname "$0")/.."
t_start=$EPOCHREALTIME
bash ci/setup.sh || exit 2
# restore journals (harness/journal.h) of the tests stay out of the user's state directory
export ZBHARNESS_STATE_DIR=${ZBHARNESS_STATE_DIR:-$(mktemp -d /tmp/zbstate.XXXXXX)}
build=$(bash ci/build.sh --sanitize) || { echo "build failed"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0 failed=0 timing=""
# CPU seconds (user + system) of every child this shell has waited for, into $cpu: bash's
# `times` builtin, run in this shell (a $(...) subshell would count its own children, not ours)
cpu=0
children_cpu() {
  local f; f=$(mktemp); times >"$f"
  cpu=$(sed -n 2p "$f" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%.1f", n }')
  rm -f "$f"
}
suite() {
  local name=$1; shift
  echo "== $name"
  local t0=$EPOCHREALTIME c0; children_cpu; c0=$cpu
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! $name FAILED"; fi
  children_cpu
  timing+=$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v c0="$c0" -v c1="$cpu" -v n="$name" \
    'BEGIN { printf "%8.1f %8.1f  %s\n", b - a, c1 - c0, n }')$'\n'
}
suite "release build (-O2 warnings; the README's binaries)" bash ci/build.sh
suite "Release builds with gcc and clang (-Werror)" bash ci/build.sh --release-matrix
suite "unit tests (ctest, ASan+UBSan)" ctest --test-dir "$build" --output-on-failure
suite "schema and vectors (ajv-cli, zbharness validate)" bash tests/schema/check_vectors.sh "$build"
suite "herdsman client self-test (no emulator)" bash tests/herdsman/selftest.sh
suite "fuzz smoke (libFuzzer, 5 s per target, regression inputs first)" bash ci/fuzz.sh --seconds 5
suite "docker image (built when a docker engine answers, else its source set)" bash ci/docker.sh
for t in tests/system/*.sh; do
  [ -e "$t" ] && suite "system: $(basename "$t" .sh)" bash "$t" "$build"
done
echo "-- time per suite: wall s, CPU s (user + system of its processes), name"
printf '%s' "$timing"
children_cpu
awk -v a="$t_start" -v b="$EPOCHREALTIME" -v c="$cpu" \
  'BEGIN { printf "%8.1f %8.1f  total (setup and builds included)\n", b - a, c }'
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
