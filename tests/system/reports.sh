#!/usr/bin/env bash
# CI that reports truly, and pictures (issue 17): a --golden difference fails the JUnit and TAP
# reports (not only the exit code); --targets names that match nothing, a --dir that does not
# exist and bad --shard values are usage errors (exit 2) before anything runs; --keep DIR is
# created; conformance --emulate keeps its files in --dir; `--tap -` is a clean TAP stream on
# stdout; JUnit carries <properties> (stack, firmware, IEEE, port, date); --stack auto prints
# what it tries on stderr and -q silences it; the shards of --shard K/N cover every cell once
# and their JUnit files merge into one report; the HTML grids render in a real headless
# browser (Debian's chromium: a screenshot, and the rendered DOM has every cell with a
# verdict class); the markdown grid has a row per source; the CI helpers shown in docs/ci.md
# work against zbemu.
# Usage: reports.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

# grid_dom HTML_OR_DOM ROWS COLS: the rendered grid has ROWS x COLS cells, each with one verdict
# class; the row and column headers agree; nothing was loaded from elsewhere.
grid_dom() {
  python3 - "$@" <<'PY'
import sys, re
from html.parser import HTMLParser
path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.cells = []; s.rowh = 0; s.colh = 0; s.grid = None; s.ext = []; s.tags = []
    def handle_starttag(s, tag, attrs):
        a = dict(attrs); cls = (a.get('class') or '').split()
        s.tags.append(tag)
        if tag == 'table' and a.get('id') == 'grid': s.grid = a
        if tag == 'td' and 'cell' in cls: s.cells.append((cls, a.get('data-verdict')))
        if tag == 'th' and 'row' in cls: s.rowh += 1
        if tag == 'th' and 'col' in cls: s.colh += 1
        for k in ('src', 'href'):
            v = a.get(k) or ''
            if v and not v.startswith('#'): s.ext.append(v)
        if tag in ('link', 'script', 'img', 'iframe'): s.ext.append(tag)
p = P(); p.feed(open(path, encoding='utf-8').read())
assert p.grid is not None, 'no table#grid'
assert (int(p.grid['data-rows']), int(p.grid['data-cols'])) == (rows, cols), p.grid
assert (p.rowh, p.colh) == (rows, cols), (p.rowh, p.colh)
assert len(p.cells) == rows * cols, (len(p.cells), rows * cols)
V = {'v-pass': 'PASS', 'v-fail': 'FAIL', 'v-error': 'ERROR', 'v-skip': 'SKIP', 'v-none': 'NONE'}
for cls, dv in p.cells:
    vs = [c for c in cls if c in V]
    assert len(vs) == 1 and V[vs[0]] == dv, (cls, dv)
assert not p.ext, ('external references', p.ext)
assert 'i' not in p.tags, 'unescaped markup from the file name rendered as an element'
print(len(p.cells), 'cells', {v: sum(1 for c, d in p.cells if d == v) for v in V.values()})
PY
}

# what progress lines (and only they) say
export PROGRESS='stack auto: trying|: reading (the|what)|writing the network|reading .* back|starting zbemu|giving the emulator'
CHROME_ARGS=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --window-size=1200,1800)
# browse NAME FILE.html: screenshot NAME.png and DOM NAME.dom.html, each with a fresh profile
browse() {
  local name=$1 file=$2
  rm -rf "$WORK/$name.profile"
  timeout 90 chromium "${CHROME_ARGS[@]}" --user-data-dir="$WORK/$name.profile" \
    --screenshot="$WORK/$name.png" "file://$file" >>"$WORK/chromium.log" 2>&1 || return 1
  rm -rf "$WORK/$name.profile"
  timeout 90 chromium "${CHROME_ARGS[@]}" --user-data-dir="$WORK/$name.profile" \
    --dump-dom "file://$file" >"$WORK/$name.dom.html" 2>>"$WORK/chromium.log" || return 1
  [ -s "$WORK/$name.dom.html" ] && [ "$(head -c 8 "$WORK/$name.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]
}

echo "-- usage errors are found before anything runs (exit 2)"
"$HAR" roundtrip --emulate --targets znp-zstack12,nosuch >"$WORK/u1.out" 2>&1
expect_eq "roundtrip --targets with an unknown name" "$?" 2
check "  and the message names it" grep -q "nosuch: no such target" "$WORK/u1.out"
"$HAR" conformance --emulate --targets nosuch >"$WORK/u2.out" 2>&1
expect_eq "conformance --targets with an unknown name" "$?" 2
"$HAR" conformance --emulate --targets znp >"$WORK/u3.out" 2>&1
expect_eq "conformance --targets znp (a prefix, not a name)" "$?" 2
for bad in 0/3 4/3 3 a/b 1/0 -1/2; do
  "$HAR" roundtrip --emulate --shard "$bad" --list >/dev/null 2>&1
  expect_eq "roundtrip --shard $bad" "$?" 2
done
"$HAR" conformance --stack znp --port /dev/null --shard 1/2 >/dev/null 2>&1
expect_eq "conformance --shard without --emulate" "$?" 2
emu_start dirchk znp --nvram "$WORK/dirchk.nv.json" || fail "dirchk: start"
before=$(sha256sum <"$WORK/dirchk.nv.json")
"$HAR" conformance --stack znp --port "$(port dirchk)" --dir "$WORK/nonexistent" >"$WORK/u4.out" 2>"$WORK/u4.err"
expect_eq "conformance --dir /nonexistent" "$?" 2
check "  no case ran (nothing on stdout) and the message names the directory" \
  bash -c "[ ! -s '$WORK/u4.out' ] && grep -q 'nonexistent: No such file' '$WORK/u4.err'"
expect_eq "  the device's NVRAM is untouched" "$(sha256sum <"$WORK/dirchk.nv.json")" "$before"
emu_stop dirchk
"$HAR" roundtrip --emulate --targets znp-zstack12 --keep /dev/null/x >"$WORK/u5.out" 2>&1
expect_eq "roundtrip --keep DIR that cannot be created" "$?" 2
"$HAR" roundtrip --emulate --targets znp-zstack12 --golden "$WORK/missing.tsv" >"$WORK/u6.out" 2>&1
expect_eq "roundtrip --golden FILE that does not exist" "$?" 2

echo "-- --shard K/N: the shards' cells are the whole run, each once"
for what in "roundtrip --emulate" "roundtrip --emulate --targets znp-zstack3x0,ezsp-v18,zboss" \
  "conformance --emulate"; do
  "$HAR" $what --list | sort >"$WORK/all.list"
  total=$(wc -l <"$WORK/all.list")
  ok=1
  for n in 1 2 3 5 7 40; do
    : >"$WORK/union.list"
    for k in $(seq "$n"); do "$HAR" $what --list --shard "$k/$n" >>"$WORK/union.list" || ok=0; done
    sort "$WORK/union.list" | cmp -s - "$WORK/all.list" || { ok=0; echo "        N=$n: union differs"; }
  done
  [ "$total" -gt 0 ] && [ $ok = 1 ] && pass "$what: $total cells; shards of N=1,2,3,5,7,40 unite to them exactly once" ||
    fail "$what: shards do not unite to the whole run"
done

echo "-- a sharded matrix on 2 runners, merged into one JUnit report"
for k in 1 2; do
  (cd "$WORK" && "$HAR" roundtrip -q --emulate --targets znp-zstack12,zboss --shard "$k/2" \
    --junit "$WORK/shard$k.xml" --html "$WORK/shard$k.html") >"$WORK/shard$k.out" 2>&1
  expect_eq "shard $k/2 exit status" "$?" 0
done
"$HAR" junit-merge -o "$WORK/merged.xml" "$WORK/shard1.xml" "$WORK/shard2.xml" >"$WORK/merge.out" 2>&1
expect_eq "junit-merge exit status" "$?" 0
"$HAR" roundtrip --emulate --targets znp-zstack12,zboss --list >"$WORK/want.list"
check "the merged report has every cell of the matrix once, with counts and properties" python3 -c "
import xml.etree.ElementTree as ET
root = ET.parse('$WORK/merged.xml').getroot()
suites = root.findall('testsuite'); assert len(suites) == 1, suites
s = suites[0]
names = [c.get('name') for c in s.findall('testcase')]
want = open('$WORK/want.list').read().split()
assert sorted(names) == sorted(want) and len(set(names)) == len(names), (names, want)
assert s.get('tests') == str(len(want)) and s.get('failures') == '0', s.attrib
props = {p.get('name'): p.get('value') for p in s.find('properties')}
assert props['shards.merged'] == '1/2,2/2' and 'date' in props, props
"
"$HAR" junit-merge -o "$WORK/dup.xml" "$WORK/shard1.xml" "$WORK/shard1.xml" >/dev/null 2>"$WORK/dup.err"
expect_eq "junit-merge of overlapping shards exits 1" "$?" 1
check "  and keeps one copy of each case" bash -c "[ \$(grep -c '<testcase ' '$WORK/dup.xml') = \$(grep -c '<testcase ' '$WORK/shard1.xml') ]"
check "  and names the repeated case" grep -q "case znp-zstack12->znp-zstack12 is already in an earlier file" "$WORK/dup.err"

echo "-- a --golden difference fails every report, not only the exit code"
sed 's/\tPASS\t-$/\tPASS\tnetwork_key.key/' "$VEC/roundtrip/EXPECT.tsv" >"$WORK/wrong<i>&\"'.tsv"
# the cells of this run whose golden line the sed changed (those without losses)
changed=$(grep -cP '^(znp-zstack12|zboss)\t(znp-zstack12|zboss)\tPASS\t-$' "$VEC/roundtrip/EXPECT.tsv")
(cd "$WORK" && "$HAR" roundtrip --emulate --targets znp-zstack12,zboss --golden "$WORK/wrong<i>&\"'.tsv" \
  --junit "$WORK/golden.xml" --tap "$WORK/golden.tap" --html "$WORK/golden.html" --markdown "$WORK/golden.md" \
  --keep "$WORK/keep/nested") >"$WORK/golden.out" 2>&1
expect_eq "exit status" "$?" 1
check "JUnit: failures = the cells that differ from the golden file" python3 -c "
import xml.etree.ElementTree as ET
s = ET.parse('$WORK/golden.xml').getroot().find('testsuite')
bad = [c.get('name') for c in s.findall('testcase') if c.find('failure') is not None]
assert int(s.get('failures')) == len(bad) == $changed > 0, (s.attrib, bad)
assert all('differs from golden' in c.find('failure').get('message') for c in s.findall('testcase') if c.get('name') in bad)
"
check "TAP: 'not ok' for each" bash -c "[ \$(grep -c '^not ok' '$WORK/golden.tap') = $changed ]"
check "--keep created its directory (with parents) and kept each backup" \
  bash -c "[ \$(ls '$WORK/keep/nested'/*.json | wc -l) = 8 ]"
check "markdown: a header, a separator and a row per source; the file name escaped" bash -c "
  [ \$(grep -c '^| \*\*' '$WORK/golden.md') = 2 ] && grep -q '^| \*\*zboss\*\* | ' '$WORK/golden.md' &&
  grep -q '^| source .* target | znp-zstack12 | zboss |$' '$WORK/golden.md' &&
  grep -q 'wrong&lt;i&gt;&amp;' '$WORK/golden.md' && ! grep -q '<i>' '$WORK/golden.md'"

echo "-- --tap - is a clean TAP stream on stdout; the rest goes to stderr"
(cd "$WORK" && "$HAR" roundtrip --emulate --targets znp-zstack30 --tap - --junit "$WORK/clean.xml") \
  >"$WORK/clean.tap" 2>"$WORK/clean.err"
expect_eq "exit status" "$?" 0
check "every stdout line is TAP (version, plan, results)" python3 -c "
import re
lines = open('$WORK/clean.tap').read().splitlines()
assert lines[0] == 'TAP version 13' and lines[1] == '1..1', lines[:2]
assert all(re.match(r'(not )?ok \d+ - ', l) for l in lines[2:]) and len(lines) == 3, lines
"
check "the human progress went to stderr" grep -q '^\[ 1/1\] PASS' "$WORK/clean.err"

echo "-- a stick as a vendor runs it: --stack auto progress, properties, TAP on stdout, HTML"
emu_start stick ezsp --nvram "$WORK/stick.nv.json" --seed 5 || fail "stick: start"
"$HAR" restore --stack ezsp --port "$(port stick)" --backup "$VEC/backups/valid/znp-CC2652R-ZStack4.json" \
  --force --burn-ieee >/dev/null 2>&1 || fail "stick: restore a network onto it"
mkdir -p "$WORK/stick"
(cd "$WORK" && "$HAR" conformance --stack auto --port "$(port stick)" --dir "$WORK/stick" --tap - \
  --junit "$WORK/stick.xml" --html "$WORK/stick.html") >"$WORK/stick.tap" 2>"$WORK/stick.err"
expect_eq "exit status" "$?" 0
check "stdout is TAP only" python3 -c "
import re
lines = open('$WORK/stick.tap').read().splitlines()
assert lines[0] == 'TAP version 13' and re.match(r'1\.\.\d+$', lines[1]), lines[:2]
assert all(re.match(r'(not )?ok \d+ - ', l) for l in lines[2:]) and len(lines) == 2 + int(lines[1][3:])
"
check "stderr says which protocols --stack auto tried and which tables were read" bash -c "
  grep -q 'stack auto: trying znp on' '$WORK/stick.err' && grep -q 'stack auto: trying ezsp on' '$WORK/stick.err' &&
  grep -q 'ezsp: reading the key, child and address tables' '$WORK/stick.err'"
check "JUnit <properties>: stack, firmware, IEEE, port, date" python3 -c "
import xml.etree.ElementTree as ET, re
s = ET.parse('$WORK/stick.xml').getroot().find('testsuite')
p = {e.get('name'): e.get('value') for e in s.find('properties')}
assert p['stack'] == 'ezsp', p
assert p['firmware'] and 'not identified' not in p['firmware'], p
assert re.fullmatch('[0-9a-f]{16}', p['ieee']) and p['ieee'] != '0' * 16, p
assert p['port'] == '$(port stick)', p
assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', p['date']), p
"
"$HAR" backup -q --stack auto --port "$(port stick)" -o "$WORK/stick.q.json" >/dev/null 2>"$WORK/stick.q.err"
check "-q: a backup with --stack auto prints no progress" bash -c "! grep -qE \"\$PROGRESS\" '$WORK/stick.q.err'"
emu_stop stick || fail "stick: zbemu exit"

echo "-- conformance --emulate honours --dir; properties per device"
mkdir -p "$WORK/confdir"
(cd "$WORK" && "$HAR" conformance -q --emulate --targets znp-zstack3x0,zboss --dir "$WORK/confdir" \
  --junit "$WORK/conf.xml" --html "$WORK/conf.html" --markdown "$WORK/conf.md") >"$WORK/conf.out" 2>"$WORK/conf.err"
expect_eq "exit status" "$?" 0
check "each target's original backup and NVRAM stay in --dir/TARGET" bash -c "
  for t in znp-zstack3x0 zboss; do [ -s '$WORK/confdir/'\$t/conformance-original.json ] &&
    ls '$WORK/confdir/'\$t | grep -q json || exit 1; done"
check "-q: no progress lines on stderr" bash -c "! grep -qE \"\$PROGRESS\" '$WORK/conf.err'"
check "markdown: a row per case, a column per target" bash -c "
  [ \$(grep -c '^| \*\*' '$WORK/conf.md') = \$('$HAR' conformance --stack znp --port x --list | wc -l) ] &&
  grep -q '^| case .* device | znp-zstack3x0 | zboss |$' '$WORK/conf.md'"
check "JUnit properties name each device" python3 -c "
import xml.etree.ElementTree as ET, re
s = ET.parse('$WORK/conf.xml').getroot().find('testsuite')
p = {e.get('name'): e.get('value') for e in s.find('properties')}
for t, st in (('znp-zstack3x0', 'znp'), ('zboss', 'zboss')):
    assert p[t + '/stack'] == st and p[t + '/firmware'] and re.fullmatch('[0-9a-f]{16}', p[t + '/ieee']), p
"

echo "-- the CI helpers docs/ci.md shows work against zbemu"
# doc_block TITLE OUT: the fenced block whose info string has title="TITLE"
doc_block() {
  awk -v t="title=\"$1\"" 'index($0, "```") == 1 { if (on) exit; if (index($0, t)) { on = 1; next } } on' \
    "$ZB_ROOT/docs/ci.md" >"$2"
  [ -s "$2" ]
}
mkdir -p "$WORK/py" "$WORK/node"
if doc_block conftest.py "$WORK/py/conftest.py" && doc_block test_ping.py "$WORK/py/test_ping.py"; then
  # without pytest installed, a stand-in for pytest.fixture runs the fixture by hand
  python3 -c 'import pytest' 2>/dev/null || printf 'def fixture(f=None, **k):\n    return f if f else (lambda g: g)\n' >"$WORK/py/pytest.py"
  check "the pytest fixture starts zbemu, the ping test passes on it, zbemu exits 0" \
    env PATH="$ZB_BUILD/bin:$PATH" python3 -c "
import sys, pathlib, tempfile; sys.path.insert(0, '$WORK/py')
import conftest, test_ping
gen = conftest.zbemu_port(pathlib.Path(tempfile.mkdtemp(dir='$WORK/py')))
port = next(gen)
test_ping.test_ping(port)
try:
    next(gen)
except StopIteration:
    pass
print('ok', port)
"
else
  fail "docs/ci.md lost its conftest.py or test_ping.py block"
fi
if doc_block zbemu.mjs "$WORK/node/zbemu.mjs"; then
  cat >"$WORK/node/run.mjs" <<JS
import { startZbemu } from "./zbemu.mjs";
import { spawnSync } from "node:child_process";
const emu = await startZbemu("ezsp", "$WORK/node/nv.json");
const har = (...a) => spawnSync("zbharness", a, { encoding: "utf8" });
const r = har("restore", "-q", "--stack", "ezsp", "--port", emu.path, "--force", "--burn-ieee",
              "--backup", "$VEC/backups/valid/znp-CC2652R-ZStack4.json");
const b = har("backup", "-q", "--stack", "ezsp", "--port", emu.path, "-o", "$WORK/node/b.json");
const code = await emu.stop();
console.log(emu.path, r.status, b.status, code);
if (r.status !== 0 || b.status !== 0 || code !== 0) { console.log(r.stderr, b.stderr); process.exit(1); }
JS
  check "the Node helper starts zbemu, a restore and a backup work on it, stop() gives exit 0" \
    env PATH="$ZB_BUILD/bin:$PATH" node "$WORK/node/run.mjs"
else
  fail "docs/ci.md lost its zbemu.mjs block"
fi

echo "-- the pictures in a real browser (chromium --headless)"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "   installing chromium (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >"$WORK/apt.log" 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >"$WORK/apt.log" 2>&1; }
  fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  fail "chromium is not installed and could not be (run as root, or apt-get install chromium)"
else
  for page in "golden 2 2" "shard1 2 2" "stick 11 1" "conf 11 2"; do
    set -- $page
    if browse "$1" "$WORK/$1.html"; then
      check "$1.html rendered: a screenshot, and the DOM has $2 x $3 cells each with a verdict" \
        grid_dom "$WORK/$1.dom.html" "$2" "$3"
    else
      fail "chromium could not render $1.html: $(tail -3 "$WORK/chromium.log")"
    fi
  done
  check "the golden page shows the failed cells as FAIL with the reason on hover" python3 -c "
d = open('$WORK/golden.dom.html').read()
assert d.count('data-verdict=\"FAIL\"') == $changed and 'differs from golden' in d
assert 'wrong&lt;i&gt;&amp;' in d
"
  check "a shard's page shows the other shard's cells as not run" python3 -c "
d = open('$WORK/shard1.dom.html').read(); assert d.count('data-verdict=\"NONE\"') == 2"
  [ -n "${ZB_REPORTS_SHOTS:-}" ] && cp "$WORK"/*.png "$ZB_REPORTS_SHOTS"/ 2>/dev/null
fi

finish
