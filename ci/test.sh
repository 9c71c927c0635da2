#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with ASan+UBSan, runs the Criterion
# unit tests (ctest), the schema/vector checks (ajv-cli + zbharness validate) and the real-client
# tests. Exits non-zero on any failure; the last line counts the suites.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh || exit 2
# restore journals (harness/journal.h) of the tests stay out of the user's state directory
export ZBHARNESS_STATE_DIR=${ZBHARNESS_STATE_DIR:-$(mktemp -d /tmp/zbstate.XXXXXX)}
build=$(bash ci/build.sh --sanitize) || { echo "build failed"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0 failed=0
suite() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! $name FAILED"; fi
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
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
