#!/usr/bin/env bash
# zbharness junit-merge on JUnit written by other tools (tests/junit/README.md: ctest and
# Criterion output, pytest and jest-junit files written to their shape, the CDATA case of issue
# 28): the merged report must be well-formed XML with every case once, its texts unchanged and
# the counts recounted; a malformed file must be an error naming the file and line that leaves
# no output behind (nor touches an existing one).
# Usage: tests/system/junit_merge.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
FX=$ZB_ROOT/tests/junit
ALL=("$FX/pytest.xml" "$FX/pytest-cdata.xml" "$FX/jest.xml" "$FX/ctest.xml" "$FX/criterion.xml")
wellformed() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1"; }

echo "-- the fixtures themselves are well-formed JUnit"
for f in "${ALL[@]}"; do check "$(basename "$f") is well-formed" wellformed "$f"; done

echo "-- pytest, pytest (CDATA), jest-junit, ctest and Criterion merged into one report"
"$HAR" junit-merge -o "$WORK/all.xml" "${ALL[@]}" >"$WORK/all.out" 2>"$WORK/all.err"
expect_eq "junit-merge exit status" "$?" 0
check "the merged report is well-formed (xml.dom.minidom)" wellformed "$WORK/all.xml"
check "suites, counts and totals recounted from the cases; no phantom case" python3 -c "
import xml.etree.ElementTree as ET
root = ET.parse('$WORK/all.xml').getroot()
got = [(s.get('name'), s.get('tests'), s.get('failures'), s.get('errors'), s.get('skipped'))
       for s in root.findall('testsuite')]
want = [('pytest', '8', '3', '1', '1'), ('src/merge.test.js', '3', '1', '0', '1'),
        ('src/escape.test.js', '1', '0', '0', '0'), ('(empty)', '4', '1', '0', '1'),
        ('parser', '3', '1', '0', '1'), ('codec', '1', '0', '0', '0')]
assert got == want, got
assert [root.get(k) for k in ('tests', 'failures', 'errors', 'skipped')] == ['20', '6', '1', '4'], root.attrib
cases = root.findall('testsuite/testcase')
assert len(cases) == 20, len(cases)
assert not [c for c in cases if 'phantom' in (c.get('name') or '')], 'a phantom case'
"
check "every case comes out as it went in (attributes, failure texts, CDATA, output)" python3 -c "
import xml.etree.ElementTree as ET, sys
def sig(e):
    t = e.text or ''
    tail = e.tail or ''
    return (e.tag, sorted(e.attrib.items()), t if t.strip() else '', [sig(k) for k in e],
            tail if tail.strip() else '')
out = {}
for s in ET.parse('$WORK/all.xml').getroot().findall('testsuite'):
    for c in s.findall('testcase'):
        out[(s.get('name'), c.get('classname'), c.get('name'))] = sig(c)
n = 0
for f in sys.argv[1:]:
    r = ET.parse(f).getroot()
    for s in ([r] if r.tag == 'testsuite' else r.iter('testsuite')):
        for c in s.findall('testcase'):
            k = (s.get('name'), c.get('classname'), c.get('name'))
            assert out.get(k) == sig(c), (f, k, out.get(k), sig(c))
            n += 1
assert n == 20, n
" "${ALL[@]}"
check "the CDATA text quoting </testcase> and ]]> is kept whole" python3 -c "
import xml.etree.ElementTree as ET
r = ET.parse('$WORK/all.xml').getroot()
f = {c.get('name'): c for c in r.iter('testcase')}
assert 'where \'<testcase name=\"phantom\" time=\"0\"/></testcase>\'' in f['test_junit_quotes_markup'].find('failure').text
assert f['test_cdata_end'].find('failure').text == 'expected no \"]]>\" in a CDATA section, found one: a]]>b'
assert f['rejects_bad'].find('failure').text == 'crit.c:3: compared </testcase>\n'
"
check "  written as split CDATA sections" grep -qF 'a]]]]><![CDATA[>b]]></failure>' "$WORK/all.xml"
check "the summary line counts them" grep -qx 'junit-merge: 20 cases from 5 files into .*all.xml (6 failures, 1 errors, 4 skipped)' "$WORK/all.out"

echo "-- a malformed file: an error naming file and line, no output written"
"$HAR" junit-merge -o "$WORK/bad.xml" "$FX/pytest.xml" "$FX/malformed.xml" >/dev/null 2>"$WORK/bad.err"
expect_eq "junit-merge with a malformed file exits 2" "$?" 2
check "the message names the file and line" grep -q 'malformed.xml:5:[0-9]*: XML error: mismatched tag' "$WORK/bad.err"
expect_eq "no output file, no temporary file left" "$(ls "$WORK" | grep -c '^bad.xml')" 0
echo "old report" >"$WORK/keep.xml"
"$HAR" junit-merge -o "$WORK/keep.xml" "$FX/jest.xml" "$FX/malformed.xml" >/dev/null 2>&1
expect_eq "an existing output is left as it was" "$?:$(cat "$WORK/keep.xml")" "2:old report"
printf '<report><testcase name="x"/></report>\n' >"$WORK/notjunit.xml"
"$HAR" junit-merge -o "$WORK/nj.xml" "$WORK/notjunit.xml" >/dev/null 2>"$WORK/nj.err"
expect_eq "well-formed but not JUnit exits 2" "$?" 2
check "  and says which element" grep -q 'notjunit.xml:1: the root element is <report>' "$WORK/nj.err"
printf '<testsuites>\n  <testcase name="x"/>\n</testsuites>\n' >"$WORK/stray.xml"
"$HAR" junit-merge -o "$WORK/st.xml" "$WORK/stray.xml" >/dev/null 2>"$WORK/st.err"
expect_eq "a case outside any suite exits 2" "$?" 2
check "  and names the line" grep -q 'stray.xml:2: <testcase> outside any <testsuite>' "$WORK/st.err"

echo "-- the same file twice (overlapping shards): exit 1, one copy of each case"
"$HAR" junit-merge -o "$WORK/dup.xml" "$FX/criterion.xml" "$FX/criterion.xml" >/dev/null 2>"$WORK/dup.err"
expect_eq "junit-merge of a file with itself exits 1" "$?" 1
check "  the report is well-formed" wellformed "$WORK/dup.xml"
expect_eq "  with each case once" "$(grep -c '<testcase ' "$WORK/dup.xml")" 4
check "  and names a repeated case" grep -q 'case rejects_bad is already in an earlier file' "$WORK/dup.err"

finish
