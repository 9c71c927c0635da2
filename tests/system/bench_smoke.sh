#!/usr/bin/env bash
# zbbench writes BENCHMARKS.md whole (issue 23): the generator must work and emit every section
# with a measured row for every stack. Runs `zbbench --smoke` (every section at its smallest)
# into a temporary file and reads it; no speed goal is checked here (they depend on the
# machine). Usage: tests/system/bench_smoke.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
BENCH=$ZB_BUILD/bin/zbbench
OUT=$WORK/BENCHMARKS.md

echo "-- zbbench --smoke writes the whole document"
t0=$EPOCHREALTIME
check "zbbench --smoke -o FILE exits 0" "$BENCH" --smoke -o "$OUT"
pass "took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

for s in "## This run" "## Link ceiling" "## Backup time" "## Real-UART pacing" "## Scale" \
         "## Matrix, world matrix, conformance" "## The same backup by zigbee-herdsman" \
         "## What \`zbharness tap\` adds" "## Goals" \
         "## History: profile and changes"; do
  check "section: $s" grep -qF -- "$s" "$OUT"
done
for stack in znp ezsp zboss; do
  check "link table: $stack measured against its same-shape echo" grep -qE "^\| $stack \| .* \| [0-9.]+ \(to the 5-byte echo" "$OUT"
  check "backup table: $stack, 200 devices (some in the backup)" grep -qE "^\| $stack \| 200 \([1-9][0-9]*\) \| [0-9]" "$OUT"
done
for s in "migration matrix, --jobs 2" "world matrix, --jobs 2" "conformance, --jobs 2"; do
  check "matrix table: $s, virtual and real time" \
    bash -c "grep -F '| $s |' '$OUT' | grep -cE '\| [0-9]+/[0-9]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|' | grep -qx 2"
done
for stack in znp ezsp; do
  check "herdsman table: $stack measured" grep -qE "^\| $stack \| [0-9]+ \([0-9]+ / [0-9]+\) \| [0-9.]+ \| [0-9]+" "$OUT"
done
check "herdsman table: zboss says why it is left out" grep -qE "^\| zboss \| herdsman 10.9.5 cannot back up" "$OUT"
for stack in znp ezsp zboss; do
  check "tap table: $stack direct, through the tap and their ratio" \
    grep -qE "^\| $stack \| [0-9]+ \([0-9]+-[0-9]+\) \| [0-9]+ \([0-9]+-[0-9]+\) \| [0-9.]+ \|" "$OUT"
done
check "goals table: a met/NOT met row per goal" grep -qE "^\| link, ezsp: .* \| (met|\*\*NOT met\*\*) \|" "$OUT"
for bad in "not built" "slot not filled" "skipped" "failed" "FAILED" "could not run" "@RESULTS@" "@GOALS@" "@MACHINE@"; do
  if grep -qF -- "$bad" "$OUT"; then fail "the document says '$bad':"; grep -nF -- "$bad" "$OUT" | head -5; else pass "no '$bad'"; fi
done

echo "-- options"
expect_rc "--only with an unknown section is refused" 2 "unknown section" "$BENCH" --only link,nope
expect_rc "a stray argument is refused" 2 "usage" "$BENCH" extra
finish
