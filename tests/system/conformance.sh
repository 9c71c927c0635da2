#!/usr/bin/env bash
# The conformance suite (issue 6): every case on every emulator (--emulate), the same suite
# through --port as a vendor runs it on a stick (the device's own network is put back), the
# JUnit report parsed, and --stack auto identifying each protocol without changing NVRAM. The
# emulated run is on the shortened clock (--time-scale); in real time it must give the same cases.
# Usage: conformance.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

echo "-- zbharness conformance --emulate (every case, every emulated target)"
(cd "$WORK" && "$HAR" conformance --emulate --junit "$WORK/conf.xml" --tap "$WORK/conf.tap") \
  >"$WORK/conf.out" 2>"$WORK/conf.err"
rc=$?
grep -v ' PASS ' "$WORK/conf.out" | cut -c1-150 | sed 's/^/        /'
expect_eq "exit status" "$rc" 0
check "JUnit well-formed; one testcase per line of output; counts agree" python3 -c "
import xml.etree.ElementTree as ET, re
s = ET.parse('$WORK/conf.xml').getroot().find('testsuite')
cases = s.findall('testcase')
lines = [l for l in open('$WORK/conf.out') if l.startswith('[')]
assert len(cases) == len(lines) > 0, (len(cases), len(lines))
assert s.get('failures') == '0' and s.get('errors') == '0'
assert int(s.get('skipped')) == sum(1 for c in cases if c.find('skipped') is not None)
"
passed=$(grep -c ' PASS ' "$WORK/conf.out")
skipped=$(grep -c ' SKIP ' "$WORK/conf.out")
pass "$passed cases passed, $skipped skipped (each SKIP names its reason above)"

echo "-- the same suite in real time (--time-scale 1): case for case the same result"
(cd "$WORK" && "$HAR" conformance --emulate --time-scale 1) >"$WORK/real.out" 2>"$WORK/real.err"
expect_eq "real-time exit status" "$?" 0
# a case's line without its place, duration and the run's temporary folder, sorted (targets
# run two at a time, --jobs 2, so their lines interleave)
cases_of() { grep '^\[' "$1" | sed -E 's/^\[ *[0-9]+\/[0-9]+\] //; s/ \([0-9.]+ s\)$//; s#/tmp/zbharness-conf-[A-Za-z0-9]+#TMP#g' | sort; }
check "every case: the same verdict and detail" diff <(cases_of "$WORK/conf.out") <(cases_of "$WORK/real.out")
expect_eq "as many cases" "$(cases_of "$WORK/real.out" | wc -l)" "$(cases_of "$WORK/conf.out" | wc -l)"

(cd "$WORK" && "$HAR" conformance --emulate --jobs 1 --junit "$WORK/conf1.xml") >"$WORK/one.out" 2>"$WORK/one.err"
expect_eq "one target at a time (--jobs 1): exit status" "$?" 0
check "... the same verdict and detail for every case" diff <(cases_of "$WORK/conf.out") <(cases_of "$WORK/one.out")
check "... and the same JUnit testcases, in the same order (targets in the matrix order)" \
  diff <(grep -o '<testcase [^>]*name="[^"]*"' "$WORK/conf.xml" | sed 's/time="[^"]*"//') \
       <(grep -o '<testcase [^>]*name="[^"]*"' "$WORK/conf1.xml" | sed 's/time="[^"]*"//')
expect_eq "every device's five properties are in the report (9 targets)" \
  "$(grep -c '<property name="[a-z0-9-]*/\(stack\|firmware\|profile\|ieee\|port\)"' "$WORK/conf.xml")" 45

echo "-- as a vendor runs it: --stack/--port on a device holding its own network"
cp "$VEC/nvram/znp/CC2652R-ZStack4.formed.json" "$WORK/vendor.nv.json"
emu_start vendor znp --nvram "$WORK/vendor.nv.json" || fail "vendor: start"
mkdir -p "$WORK/vendor"
"$HAR" backup --stack znp --port "$(port vendor)" -o "$WORK/vendor.before.json" >/dev/null 2>&1
(cd "$WORK" && "$HAR" conformance --stack znp --port "$(port vendor)" --dir "$WORK/vendor") \
  >"$WORK/vendor.out" 2>"$WORK/vendor.err"
expect_eq "conformance on the stick: exit status" "$?" 0
check "its own network was kept in --dir before anything was written" \
  "$HAR" diff "$WORK/vendor.before.json" "$WORK/vendor/conformance-original.json"
"$HAR" backup --stack znp --port "$(port vendor)" -o "$WORK/vendor.after.json" >/dev/null 2>&1
check "and it runs its own network again afterwards" "$HAR" diff "$WORK/vendor.before.json" "$WORK/vendor.after.json"
emu_stop vendor

echo "-- --stack auto identifies the protocol and writes nothing"
for s in znp ezsp zboss; do
  emu_start "auto-$s" "$s" --nvram "$WORK/auto-$s.json" || { fail "auto-$s: start"; continue; }
  (cd "$WORK" && "$HAR" conformance --stack auto --port "$(port "auto-$s")" --dir "$WORK") >"$WORK/auto-$s.out" 2>&1
  got=$(sed -n 's/^\[ *1\/[0-9]*\] PASS  probe *\([a-z]*\):.*/\1/p' "$WORK/auto-$s.out")
  expect_eq "--stack auto on zbemu $s" "$got" "$s"
  emu_stop "auto-$s"
done
for s in znp ezsp zboss; do
  emu_start "ro-$s" "$s" --nvram "$WORK/ro-$s.json" || { fail "ro-$s: start"; continue; }
  sleep 0.2
  # the NVRAM minus STACK_BOOT_COUNTER: identifying an EZSP NCP means an ASH RST, a reboot the
  # NCP itself counts (as a real one does); nothing the host wrote
  nvsum() { python3 -c 'import json,sys,hashlib; d=json.load(open(sys.argv[1]))
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k != "STACK_BOOT_COUNTER"}
    return o
print(hashlib.sha256(json.dumps(strip(d), sort_keys=True).encode()).hexdigest())' "$1"; }
  before=$(nvsum "$WORK/ro-$s.json")
  "$HAR" backup --stack auto --port "$(port "ro-$s")" -v >"$WORK/ro-$s.out" 2>&1 # no network: it only identifies
  after=$(nvsum "$WORK/ro-$s.json")
  check "backup --stack auto on zbemu $s identified it" grep -q "speaks $s" "$WORK/ro-$s.out"
  expect_eq "identifying zbemu $s left its NVRAM unchanged (but a reboot counter)" "$after" "$before"
  emu_stop "ro-$s"
done

finish
