#!/usr/bin/env bash
# The world (emulator/world/WORLD.md) over the whole migration matrix: `zbharness roundtrip --emulate
# --world` gives each cell the devices' verdict; the verdicts are reviewed goldens
# (vectors/roundtrip/WORLD*.tsv), the same in real time as on the harness's shortened clock, and
# the negative controls (no counter increment, the target's own IEEE, a key switch) lose exactly
# the devices WORLD.md says they lose, for the reason it gives.
# Usage: tests/system/world_matrix.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

echo "-- zbharness roundtrip --emulate --world: the devices' verdict in every cell, goldens"
# the verdicts of the whole matrix are reviewed goldens (a change fails): without and with 3000
# frames sent by the source between the backup and the migration
cells=$(( $("$HAR" roundtrip --emulate --list | grep -c .) ))
for f in 0 3000; do
  g=$VEC/roundtrip/WORLD.tsv; [ "$f" = 0 ] || g=$VEC/roundtrip/WORLD-$f.tsv
  if "$HAR" roundtrip --emulate --world --frames-after-backup "$f" --golden "$g" \
       --junit "$WORK/world-$f.xml" --tsv "$WORK/world-$f.tsv" >"$WORK/world-$f.out" 2>&1; then
    pass "matrix at --frames-after-backup $f equals $(basename "$g") ($(grep -c 'alive 8/8' "$WORK/world-$f.tsv") of $cells cells alive 8/8)"
  else
    fail "matrix at --frames-after-backup $f"; grep -E 'golden|FAIL|ERROR' "$WORK/world-$f.out" | head -20 | sed 's/^/        /'
  fi
done
# the same at 3000 frames in real time (--time-scale 1): the devices' verdicts do not depend on
# the shortened clock. One stack of each kind to each (9 cells: a whole real-time world matrix
# is 150 s of CPU under ASan; matrix.sh compares the whole plain matrix). The reasons' numbers
# (how many frames the source sent while the harness ran) are time-dependent in either mode;
# the golden keeps the verdict, the counts and the reasons.
RT=znp-zstack3x0,ezsp-v8,zboss
if "$HAR" roundtrip --emulate --world --frames-after-backup 3000 --time-scale 1 --targets "$RT" \
     --tsv "$WORK/world-real.tsv" >"$WORK/world-real.out" 2>&1; then
  expect_eq "in real time: the same verdict, alive/rejoined/lost counts and reasons in each of" \
    "$(grep -v '^#' "$WORK/world-real.tsv" | wc -l) cells: $(grep -vxFf "$WORK/world-3000.tsv" "$WORK/world-real.tsv" | grep -vc '^#')" \
    "9 cells: 0"
else
  fail "matrix at --frames-after-backup 3000 --time-scale 1"; grep -E 'FAIL|ERROR' "$WORK/world-real.out" | head -20 | sed 's/^/        /'
fi
expect_eq "the text report names the devices' verdict" "$(grep -c '] PASS .* alive [0-9]/8' "$WORK/world-0.out")" "$cells"
expect_eq "the JUnit report carries it" "$(grep -c 'alive [0-9]/8' "$WORK/world-3000.xml")" "$cells"

# negative controls, each with its verdict and reason (WORLD.md)
ctl() { # ctl NAME TARGETS ARGS... : runs the cells, leaves src<TAB>dst<TAB>world-golden lines
  local n=$1 t=$2; shift 2
  "$HAR" roundtrip --emulate --world --targets "$t" --tsv "$WORK/ctl-$n.tsv" "$@" >"$WORK/ctl-$n.out" 2>&1
  grep -v '^#' "$WORK/ctl-$n.tsv" | cut -f1,2,4 | sort
}
out=$(ctl inc0 znp-zstack3x0,ezsp-v18 --counter-increment 0 --frames-after-backup 3000)
expect_eq "counter increment 0 with 3000 frames after the backup: every device lost on the counter" \
  "$(grep -c 'alive 0/8 rejoined 0 lost 8 \[coordinator frame counter <= last seen\]' <<<"$out")" 4
out=$(ctl ieee znp-zstack3x0,ezsp-v18 --keep-target-ieee)
expect_eq "restore keeping the target's own IEEE: NWK traffic still alive (§4.3)" "$(grep -c 'alive 8/8' <<<"$out")" 4
out=$(ctl ieeeks znp-zstack3x0,ezsp-v18 --keep-target-ieee --key-switch)
expect_eq "... then a network key switch: the end device's TC rejoin fails on the TC IEEE" \
  "$(grep -c 'alive 7/8 rejoined 0 lost 1 \[network key sequence not held; TC rejoin failed: trust center IEEE changed\]' <<<"$out")" 4
out=$(ctl keys ezsp-v18,znp-zstack3x0 --key-switch)
expect_eq "a migration that loses the (hashed) link keys, then a key switch: lost, link key missing" \
  "$(grep -P 'ezsp-v18\tznp-zstack3x0\t' <<<"$out" | cut -f3)" \
  "alive 7/8 rejoined 0 lost 1 [network key sequence not held; TC rejoin failed: link key missing at the coordinator]"
expect_eq "... while EZSP to EZSP reproduces the hashed key: alive after rejoin" \
  "$(grep -P 'ezsp-v18\tezsp-v18\t' <<<"$out" | cut -f3)" "alive 8/8 rejoined 1 lost 0"
"$HAR" roundtrip --world --from znp:/dev/null --to znp:/dev/null >"$WORK/usage.out" 2>&1
expect_eq "--world without --emulate is a usage error" "$?" 2

finish
