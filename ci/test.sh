#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with ASan+UBSan, runs the Criterion
# unit tests (ctest), the schema/vector checks (ajv-cli + zbharness validate) and the real-client
# tests. Exits non-zero on any failure; the last line counts the suites.
#
# Why in parallel: most suites wait (on emulated firmware in real time, on herdsman, on timeouts
# they provoke) far more than they compute, and each one works in its own temporary folder with
# its own emulators, ports and restore-journal directory. So up to ZB_TEST_JOBS suites (default
# twice the CPUs) run at once, the longest first, beside the other builds (niced, see suite());
# each suite's output is kept and printed whole when it ends, with its wall and CPU time. The
# ASan build is a suite too: the suites that run its binaries wait for it.
set -uo pipefail
cd "$(dirname "$0")/.."
t_start=$EPOCHREALTIME
bash ci/setup.sh --tests || exit 2
# restore journals (harness/core/journal.h) of the tests stay out of the user's state directory
export ZBHARNESS_STATE_DIR=${ZBHARNESS_STATE_DIR:-$(mktemp -d /tmp/zbstate.XXXXXX)}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=${ZB_TEST_JOBS:-$(($(nproc) * 2))}
logs=$(mktemp -d /tmp/zbtest.XXXXXX)
build=build-asan # ci/build.sh --sanitize

names=() cmds=() needs_asan=()
# suite KIND NAME CMD...: adds a suite. KIND "asan": it runs the ASan build's binaries, so it
# waits for that build; "bg": a build or a fuzz run, started at once but under nice 10, so
# that the ASan build everything waits for and the suites that measure their own timeouts get
# the CPUs first; "-": neither.
suite() {
  local q; printf -v q '%q ' "${@:3}"
  [ "$1" = bg ] && q="nice -n 10 $q"
  needs_asan+=("$1"); names+=("$2"); cmds+=("$q")
}
suite - "ASan+UBSan build (what the tests run)" bash ci/build.sh --sanitize
suite bg "Release builds: gcc with Debian's flags (build/, the README's binaries) and clang (-Werror)" \
  bash ci/build.sh --release-matrix
suite asan "unit tests (ctest -L 'unit|inproc', ASan+UBSan)" ctest --test-dir "$build" -L '^(unit|inproc)$' --output-on-failure -j2
suite asan "schema and vectors (ajv-cli, zbharness validate)" bash tests/schema/check_vectors.sh "$build"
suite - "herdsman client self-test (no emulator)" bash tests/herdsman/selftest.sh
suite - "herdsman client self-test, zigbee-herdsman 11 (no emulator)" env ZB_HERDSMAN=11 bash tests/herdsman/selftest.sh
suite bg "fuzz smoke (libFuzzer, 5 s per target, regression inputs first)" bash ci/fuzz.sh --seconds 5
suite bg "container image (Debian 12 root file system: built, size budget, run by an engine or chroot)" bash ci/docker.sh
for t in tests/system/*.sh; do
  [ -e "$t" ] && suite asan "system: $(basename "$t" .sh)" bash "$t" "$build"
done

# Start order: the longest first (by the wall time of a serial run on 2 CPUs), so that no long
# suite starts last; the rest follow in the order above. Each entry is a name prefix, so a
# system suite's zigbee-herdsman 11 twin (NAME_zh11.sh) starts right after it.
LONGEST=("ASan+UBSan build" "system: safety" "system: world" "system: ports" "fuzz smoke"
  "system: z2m_handoff" "system: reports" "system: znp_herdsman" "system: world_matrix"
  "system: link_faults" "system: ezsp_herdsman" "Release builds" "system: matrix"
  "system: conformance" "unit tests" "system: znp_faults" "system: nvram")
order=()
for l in "${LONGEST[@]}" ""; do # each name prefix, then "" for the rest
  for i in "${!names[@]}"; do
    [[ ${names[$i]} == "$l"* && " ${order[*]} " != *" $i "* ]] && order+=("$i")
  done
done

# run_one I: the suite in the background; its output, exit status, times and CPU into $logs/I.*
declare -A running=()
run_one() {
  local i=$1
  (
    t0=$EPOCHREALTIME
    # a ceiling per suite (ZB_SUITE_TIMEOUT, default 30 min; the longest takes about 10): a
    # process that hangs (once: an ASan leak check that never finished at an emulator's exit)
    # fails its suite, named, instead of holding the whole run until the CI's limit
    timeout -k 30 "${ZB_SUITE_TIMEOUT:-1800}" bash -c "${cmds[$i]}" >"$logs/$i.log" 2>&1
    rc=$?
    [ "$rc" = 124 ] && echo "!! stopped after ${ZB_SUITE_TIMEOUT:-1800} s: the suite hung" >>"$logs/$i.log"
    times >"$logs/$i.times" # this subshell's children: the suite's CPU time
    echo "$rc $t0 $EPOCHREALTIME" >"$logs/$i.done"
  ) &
  running[$!]=$i
}
# cpu_of FILE: user + system seconds from the second line of bash's `times`
cpu_of() {
  sed -n 2p "$1" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%.1f", n }'
}

# the next suite in `order` that may start, into $picked (and out of `order`): asan ones once
# the ASan build is done ($asan: wait | ok | failed; a failed ASan build fails them unrun); bg
# ones at once (niced, they take no slot); the others while fewer than $jobs of them run ($fg)
pick() {
  local k
  for k in "${!order[@]}"; do
    picked=${order[$k]}
    [ "${needs_asan[$picked]}" = asan ] && [ "$asan" = wait ] && continue
    [ "${needs_asan[$picked]}" != bg ] && ((fg >= jobs)) && continue
    unset "order[$k]"
    return 0
  done
  return 1
}
finish_suite() { # I RC WALL CPU
  local i=$1 rc=$2
  echo "== ${names[$i]} ($3 s wall, $4 s CPU)"
  [ -e "$logs/$i.log" ] && cat "$logs/$i.log"
  if [ "$rc" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! ${names[$i]} FAILED"; fi
  printf -v "row_$i" '%8s %8s  %s' "$3" "$4" "${names[$i]}"
}

passed=0 failed=0 asan=wait picked= fg=0
echo "running ${#names[@]} suites, $jobs at a time (ZB_TEST_JOBS) besides the niced builds;" \
  "each prints when it ends"
while ((${#order[@]} || ${#running[@]})); do
  while pick; do
    i=$picked
    if [ "${needs_asan[$i]}" = asan ] && [ "$asan" = failed ]; then
      echo "not run: the ASan build failed" >"$logs/$i.log"
      finish_suite "$i" 1 0.0 0.0
      continue
    fi
    run_one "$i"
    [ "${needs_asan[$i]}" = bg ] || fg=$((fg + 1))
  done
  ((${#running[@]})) || continue
  wait -n -p pid
  [ -n "${pid:-}" ] && [ -n "${running[$pid]:-}" ] || continue
  i=${running[$pid]}
  unset "running[$pid]"
  [ "${needs_asan[$i]}" = bg ] || fg=$((fg - 1))
  read -r rc t0 t1 <"$logs/$i.done"
  finish_suite "$i" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
    "$(cpu_of "$logs/$i.times")"
  [ "$i" = 0 ] && { [ "$rc" = 0 ] && asan=ok || asan=failed; }
done

echo "-- time per suite: wall s, CPU s (user + system of its processes), name"
for i in "${!names[@]}"; do r=row_$i; echo "${!r}"; done
times >"$logs/all.times"
awk -v a="$t_start" -v b="$EPOCHREALTIME" -v c="$(cpu_of "$logs/all.times")" -v j="$jobs" \
  'BEGIN { printf "%8.1f %8.1f  total (setup and the ASan build included; %d suites at a time)\n", b - a, c, j }'
rm -rf "$logs"
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
