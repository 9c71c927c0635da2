#!/usr/bin/env bash
# The migration matrix on emulators (issue 6): every emulated stack to every other, each source
# seeded with a populated network. Checks: every cell passes; verdicts and declared losses equal
# the reviewed golden vectors/roundtrip/EXPECT.tsv (regenerate on purpose with
#   build/bin/zbharness roundtrip --emulate --tsv vectors/roundtrip/EXPECT.tsv
# and review the diff); every backup the matrix produced passes ajv-cli against both schemas;
# the JUnit report is well-formed XML with one test case per cell. The harness runs its emulators
# on a shortened clock (--time-scale, issue 23); the same matrix in real time must give the same
# verdicts, losses and counters, cell for cell.
# Usage: matrix.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
AJV=$ZB_ROOT/tests/node/node_modules/.bin/ajv
mkdir -p "$WORK/keep"

echo "-- zbharness roundtrip --emulate (the full matrix)"
start=$(date +%s%N)
(cd "$WORK" && "$HAR" roundtrip --emulate --jobs 2 --keep "$WORK/keep" --junit "$WORK/matrix.xml" \
  --tap "$WORK/matrix.tap" --tsv "$WORK/matrix.tsv" --golden "$VEC/roundtrip/EXPECT.tsv") >"$WORK/matrix.out" 2>&1
rc=$?
wall_ms=$((($(date +%s%N) - start) / 1000000))
cut -c1-160 "$WORK/matrix.out" | sed 's/^/        /'
expect_eq "matrix exit status (0: all cells pass and match the golden)" "$rc" 0
cells=$(grep -c '^\[' "$WORK/matrix.out")
want=$(grep -vc '^#' "$VEC/roundtrip/EXPECT.tsv")
expect_eq "cells run" "$cells" "$want"
pass "matrix wall time ${wall_ms} ms (2 jobs)"

echo "-- every backup the matrix produced passes both JSON Schemas (ajv-cli)"
n=$(ls "$WORK/keep"/*.json 2>/dev/null | wc -l)
for schema in upstream strict; do
  strict=false; [ $schema = strict ] && strict=true
  args=(); for f in "$WORK/keep"/*.json; do args+=(-d "$f"); done
  if "$AJV" validate --spec=draft7 --strict=$strict --errors=line -s "$ZB_ROOT/schema/$schema.schema.json" \
       "${args[@]}" >"$WORK/ajv-$schema.log" 2>&1; then
    pass "$n backups valid against schema/$schema.schema.json"
  else
    fail "ajv-cli $schema schema: $(grep -v ' valid$' "$WORK/ajv-$schema.log" | head -5)"
  fi
done
check "and each passes zbharness validate without warnings" bash -c "'$HAR' validate --quiet '$WORK'/keep/*.json"

echo "-- the JUnit report"
check "well-formed, one testcase per cell, no failures" python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse('$WORK/matrix.xml').getroot()
suite = root.find('testsuite')
cases = suite.findall('testcase')
assert len(cases) == $want, len(cases)
assert suite.get('failures') == '0' and suite.get('errors') == '0', suite.attrib
assert all(c.get('name') and float(c.get('time')) > 0 for c in cases)
"
check "TAP plan and results" bash -c "grep -q '^1\.\.$want$' '$WORK/matrix.tap' && ! grep -q '^not ok' '$WORK/matrix.tap'"

echo "-- the same matrix in real time (--time-scale 1): cell for cell the same result"
start=$(date +%s%N)
(cd "$WORK" && "$HAR" roundtrip --emulate --jobs 2 --time-scale 1 --tsv "$WORK/real.tsv") >"$WORK/real.out" 2>&1
expect_eq "real-time matrix exit status" "$?" 0
real_ms=$((($(date +%s%N) - start) / 1000000))
# a cell's line without its place in the run and its duration: verdict, devices, counters, losses
cells_of() { grep '^\[' "$1" | sed -E 's/^\[ *[0-9]+\/[0-9]+\] //; s/ \([0-9.]+ s\)$//' | sort; }
check "the same verdicts and losses (--tsv)" diff "$WORK/matrix.tsv" "$WORK/real.tsv"
check "the same line for every cell: devices, frame counters before and after, losses" \
  diff <(cells_of "$WORK/matrix.out") <(cells_of "$WORK/real.out")
expect_eq "and as many cells" "$(cells_of "$WORK/real.out" | wc -l)" "$want"
pass "wall time: ${wall_ms} ms on the shortened clock, ${real_ms} ms in real time"
expect_rc "zbharness roundtrip --time-scale 0 is a usage error" 2 "not a number in \(0, 1\]" \
  "$HAR" roundtrip --emulate --time-scale 0
expect_rc "zbemu --time-scale 1.5 is a usage error" 2 "--time-scale: '1.5'" "$EMU" znp --time-scale 1.5
expect_rc "zbemu --time-scale x is a usage error" 2 "--time-scale: 'x'" "$EMU" znp --time-scale x
check "the emulator says it runs on a shortened clock" bash -c \
  "timeout -k 3 5 '$EMU' zboss --time-scale 0.01 2>&1 >/dev/null | grep -m1 -q 'time scale 0.01'"

echo "-- the golden check can fail"
sed 's/\tPASS\t-$/\tPASS\tnetwork_key.key/' "$VEC/roundtrip/EXPECT.tsv" >"$WORK/wrong.tsv"
if (cd "$WORK" && "$HAR" roundtrip --emulate --targets znp-zstack30 --golden "$WORK/wrong.tsv") >"$WORK/wrong.out" 2>&1; then
  fail "a golden with a different loss list was accepted"
else
  check "a changed golden is reported with the command to regenerate it" grep -q "regenerate with" "$WORK/wrong.out"
fi

finish
