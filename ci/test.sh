#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with ASan+UBSan, runs the Criterion
# unit tests (ctest), the schema/vector checks (ajv-cli + zbharness validate) and the real-client
# tests. Exits non-zero on any failure; the last line counts the suites.
#
# Why in parallel: most suites wait (on emulated firmware in real time, on herdsman, on timeouts
# they provoke) far more than they compute, and each one works in its own temporary folder with
# its own emulators, ports and restore-journal directory. So up to ZB_TEST_JOBS suites (default
# twice the CPUs) run at once, the longest first; each suite's output is kept and printed whole
# when it ends, with its wall and CPU time. The ASan build comes first: every suite uses it.
set -uo pipefail
cd "$(dirname "$0")/.."
t_start=$EPOCHREALTIME
bash ci/setup.sh --tests || exit 2
# restore journals (harness/journal.h) of the tests stay out of the user's state directory
export ZBHARNESS_STATE_DIR=${ZBHARNESS_STATE_DIR:-$(mktemp -d /tmp/zbstate.XXXXXX)}
build=$(bash ci/build.sh --sanitize) || { echo "build failed"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=${ZB_TEST_JOBS:-$(($(nproc) * 2))}
logs=$(mktemp -d /tmp/zbtest.XXXXXX)

names=() cmds=()
suite() { # suite NAME CMD...: adds a suite
  local q; printf -v q '%q ' "${@:2}"
  names+=("$1"); cmds+=("$q")
}
suite "release build (-O2 warnings; the README's binaries)" bash ci/build.sh
suite "Release builds with gcc and clang (-Werror)" bash ci/build.sh --release-matrix
suite "unit tests (ctest, ASan+UBSan)" ctest --test-dir "$build" --output-on-failure -j2
suite "schema and vectors (ajv-cli, zbharness validate)" bash tests/schema/check_vectors.sh "$build"
suite "herdsman client self-test (no emulator)" bash tests/herdsman/selftest.sh
suite "fuzz smoke (libFuzzer, 5 s per target, regression inputs first)" bash ci/fuzz.sh --seconds 5
suite "docker image (built when a docker engine answers, else its source set)" bash ci/docker.sh
for t in tests/system/*.sh; do
  [ -e "$t" ] && suite "system: $(basename "$t" .sh)" bash "$t" "$build"
done

# Start order: the longest first (wall seconds of a serial run on 2 CPUs, rounded), so that no
# long suite starts last; the rest follow in the order above.
LONGEST=("system: world" "system: safety" "system: ports" "fuzz smoke" "system: reports"
  "system: znp_herdsman" "system: link_faults" "system: ezsp_herdsman" "Release builds"
  "system: conformance" "system: matrix" "unit tests" "system: znp_faults" "system: nvram")
order=()
for l in "${LONGEST[@]}"; do
  for i in "${!names[@]}"; do [[ ${names[$i]} == "$l"* ]] && order+=("$i"); done
done
for i in "${!names[@]}"; do [[ " ${order[*]} " == *" $i "* ]] || order+=("$i"); done

# run_one I: the suite in the background; its output, exit status, times and CPU into $logs/I.*
declare -A running=()
run_one() {
  local i=$1
  (
    t0=$EPOCHREALTIME
    eval "${cmds[$i]}" >"$logs/$i.log" 2>&1
    rc=$?
    times >"$logs/$i.times" # this subshell's children: the suite's CPU time
    echo "$rc $t0 $EPOCHREALTIME" >"$logs/$i.done"
  ) &
  running[$!]=$i
}
# cpu_of FILE: user + system seconds from the second line of bash's `times`
cpu_of() {
  sed -n 2p "$1" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%.1f", n }'
}

passed=0 failed=0 next=0 total_cpu=0
echo "running ${#names[@]} suites, $jobs at a time (ZB_TEST_JOBS); each prints when it ends"
while ((next < ${#order[@]} || ${#running[@]})); do
  while ((next < ${#order[@]} && ${#running[@]} < jobs)); do
    run_one "${order[$next]}"
    next=$((next + 1))
  done
  wait -n -p pid
  [ -n "${pid:-}" ] && [ -n "${running[$pid]:-}" ] || continue
  i=${running[$pid]}
  unset "running[$pid]"
  read -r rc t0 t1 <"$logs/$i.done"
  cpu=$(cpu_of "$logs/$i.times")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  echo "== ${names[$i]} (${wall} s wall, ${cpu} s CPU)"
  cat "$logs/$i.log"
  if [ "$rc" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! ${names[$i]} FAILED"; fi
  printf -v "row_$i" '%8s %8s  %s' "$wall" "$cpu" "${names[$i]}"
done

echo "-- time per suite: wall s, CPU s (user + system of its processes), name"
for i in "${!names[@]}"; do r=row_$i; echo "${!r}"; done
times >"$logs/all.times"
awk -v a="$t_start" -v b="$EPOCHREALTIME" -v c="$(cpu_of "$logs/all.times")" -v j="$jobs" \
  'BEGIN { printf "%8.1f %8.1f  total (setup and the ASan build included; %d suites at a time)\n", b - a, c, j }'
rm -rf "$logs"
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
