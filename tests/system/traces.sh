#!/usr/bin/env bash
# Real firmware is the referee (issue 21): the traces of real sticks in vectors/traces/.
#  1. Emulator replay: each trace against a fresh emulator with its firmware's profile
#     (zbharness replay), every exchange's verdict equal to the golden EXPECT.tsv. A change in
#     an emulator that moves an exchange, better or worse, fails until the golden is updated.
#  2. The comparison can fail: one recorded answer byte flipped makes that exchange "different".
#  3. Driver replay: each trace as a scripted stick (zbemu --script, brought to the trace's
#     state first): zbharness info and backup run against the recorded answers; how many of the
#     drivers' requests real bytes answered, and what the drivers made of them, equal the golden
#     DRIVER.tsv.
# Update the goldens after a deliberate change: ZB_UPDATE_GOLDEN=1 bash tests/system/traces.sh B
# Usage: traces.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
TR=$VEC/traces
mapfile -t TRACES < <(ls "$TR"/*/*.json | grep -v '\.state\.json$' | LC_ALL=C sort)

echo "-- every trace loads and has its source (${#TRACES[@]} files)"
missing=""
for t in "${TRACES[@]}"; do
  rel=${t#"$TR/"}
  grep -qF "\`$rel\`" "$TR/SOURCE.md" || missing+=" $rel"
  grep -qF "$(basename "$t" .json)" "$(dirname "$t")"/SOURCE*.md || missing+=" $rel(stack SOURCE)"
done
expect_eq "every trace is listed in SOURCE.md and its stack's SOURCE file" "${missing:-none}" none
echo '{"format":"zbtrace 1","source":"x","stack":"znp","firmware":{"line":"zstack12"},"exchanges":[{"req":"210"}]}' >"$WORK/bad.json"
expect_rc "a trace with a bad frame is named with its field" 2 'bad.json: exchanges\[0\]\.req: not an even' \
  "$HAR" replay "$WORK/bad.json"

echo "-- emulator replay (zbharness replay), against vectors/traces/EXPECT.tsv"
"$HAR" replay --tsv "$WORK/replay.tsv" "${TRACES[@]}" >"$WORK/replay.out" 2>"$WORK/replay.err"
rc=$?
sed 's/^/        /' "$WORK/replay.out"
expect_eq "every trace played" "$rc" 0
if [ -n "${ZB_UPDATE_GOLDEN:-}" ]; then cp "$WORK/replay.tsv" "$TR/EXPECT.tsv"; fi
if diff -u "$TR/EXPECT.tsv" "$WORK/replay.tsv" >"$WORK/replay.diff"; then
  pass "per-exchange verdicts equal the golden ($(wc -l <"$TR/EXPECT.tsv") exchanges)"
else
  fail "per-exchange verdicts changed against EXPECT.tsv:"; head -40 "$WORK/replay.diff" | sed 's/^/        /'
fi
expect_rc "--expect says the same" 0 '' "$HAR" replay --expect "$TR/EXPECT.tsv" "${TRACES[@]}"

echo "-- the comparison can fail: one recorded answer byte flipped"
victim=""
for t in "${TRACES[@]}"; do
  grep -q $'\tidentical\t' <(grep "^$(basename "$t" .json)"$'\t' "$TR/EXPECT.tsv") && { victim=$t; break; }
done
if [ -n "$victim" ]; then
  name=$(basename "$victim" .json)
  idx=$(grep "^$name"$'\t' "$TR/EXPECT.tsv" | awk -F'\t' '$4 == "identical" { print $2; exit }')
  cp "$TR/$(basename "$(dirname "$victim")")"/*.state.json "$WORK/" 2>/dev/null
  python3 - "$victim" "$WORK/$name.json" "$idx" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
x = t["exchanges"][int(sys.argv[3])]
f = bytearray.fromhex((x["rsp"] or x["ind"])[0])
f[-1] ^= 0x5A
(x["rsp"] or x["ind"])[0] = f.hex()
json.dump(t, open(sys.argv[2], "w"))
EOF
  "$HAR" replay --tsv "$WORK/flip.tsv" "$WORK/$name.json" >/dev/null 2>&1
  got=$(awk -F'\t' -v i="$idx" '$2 == i { print $4 }' "$WORK/flip.tsv")
  expect_eq "$name exchange $idx with its last answer byte flipped" "$got" different
  grep "^$name"$'\t' "$TR/EXPECT.tsv" >"$WORK/one.tsv"
  expect_rc "--expect fails on the changed line" 1 "^\+ $name" \
    "$HAR" replay --expect "$WORK/one.tsv" "$WORK/$name.json"
else
  fail "no identical exchange in the golden to flip"
fi

echo "-- driver replay: zbharness's drivers against the recorded answers (zbemu --script)"
: >"$WORK/driver.tsv"
for t in "${TRACES[@]}"; do
  name=$(basename "$t" .json)
  stack=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stack"])' "$t")
  args=$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1])); f = t["firmware"]
if t["stack"] == "znp": print("--profile", f["line"])
elif t["stack"] == "ezsp": print("--ezsp-version", f["ezsp"])' "$t")
  if [ "$stack" = ezsp ] && [ "${args##* }" -lt 8 ]; then
    printf '%s\t-\t-\tno profile (EZSP v%s)\n' "$name" "${args##* }" >>"$WORK/driver.tsv"; continue
  fi
  nv=$WORK/$name.nvram.json
  state=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("state") or "")' "$t")
  if [ -n "$state" ]; then
    # shellcheck disable=SC2086
    emu_start "$name-state" "$stack" $args --nvram "$nv" --seed 7 --time-scale 0.01 || { fail "$name: zbemu"; continue; }
    "$HAR" restore --stack "$stack" --port "$(port "$name-state")" --backup "$(dirname "$t")/$state" \
      --force --burn-ieee --prerestore-dir "$WORK" >"$WORK/$name.restore" 2>&1 || fail "$name: state restore"
    emu_stop "$name-state" || fail "$name: zbemu exit"
  fi
  # shellcheck disable=SC2086
  emu_start "$name" "$stack" $args --nvram "$nv" --seed 7 --script "$t" || { fail "$name: zbemu --script"; continue; }
  "$HAR" info --stack "$stack" --port "$(port "$name")" >"$WORK/$name.info" 2>&1; irc=$?
  "$HAR" backup --stack "$stack" --port "$(port "$name")" -o "$WORK/$name.backup.json" \
    >"$WORK/$name.backup" 2>&1; brc=$?
  emu_stop "$name" || fail "$name: zbemu --script exit"
  answered=$(grep -oE 'script [^:]*: [0-9]+ requests answered from the trace, [0-9]+ by the model' \
    "$WORK/$name.log" | sed 's/^script [^:]*: //')
  printf '%s\tinfo %s\tbackup %s\t%s\n' "$name" "$irc" "$brc" "$answered" >>"$WORK/driver.tsv"
done
sed 's/^/        /' "$WORK/driver.tsv"
if [ -n "${ZB_UPDATE_GOLDEN:-}" ]; then cp "$WORK/driver.tsv" "$TR/DRIVER.tsv"; fi
if diff -u "$TR/DRIVER.tsv" "$WORK/driver.tsv" >"$WORK/driver.diff"; then
  pass "driver results equal the golden DRIVER.tsv"
else
  fail "driver results changed against DRIVER.tsv:"; sed 's/^/        /' "$WORK/driver.diff" | head -30
fi
hits=$(awk -F'\t' '{ split($4, a, " "); s += a[1] } END { print s + 0 }' "$WORK/driver.tsv")
[ "$hits" -gt 0 ] && pass "$hits driver requests answered with real firmware's bytes" ||
  fail "no driver request met a recorded answer"
finish
