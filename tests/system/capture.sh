#!/usr/bin/env bash
# zbharness capture (issue 29): a read-only probe of each emulator (znp profiles zstack3x0 and
# zstack12, ezsp v13 and v18, zboss), turned into a profile, and an emulator started with
# zbemu --profile-file from it must answer the captured probe as the original did (replay: every
# exchange identical or declared). The capture must write nothing (the NVRAM file byte for byte
# unchanged; EZSP: all but STACK_BOOT_COUNTER, which the ASH RST every host sends bumps), and a
# profile with a changed version answer must make the replay report `different` (the check can
# fail). Usage: tests/system/capture.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"

# nv_same STACK BEFORE AFTER: the NVRAM files equal (EZSP: apart from STACK_BOOT_COUNTER)
nv_same() {
  if [ "$1" != ezsp ]; then cmp "$2" "$3"; return; fi
  node -e 'const fs=require("fs");const f=p=>{const j=JSON.parse(fs.readFileSync(p));
    delete j.tokens.STACK_BOOT_COUNTER;return JSON.stringify(j)};
    process.exit(f(process.argv[1])===f(process.argv[2])?0:1)' "$2" "$3"
}

# tamper PROFILE OUT: the profile with one byte of its firmware version answer changed
# (SYS_VERSION's build, getValue(VERSION_INFO), GET_MODULE_VERSION)
tamper() {
  mut "$1" "$2" '
names = ("SYS_VERSION", "getValue(VERSION_INFO)", "GET_MODULE_VERSION")
want = [e["rsp"][0] for e in d["profile"]["version"] if e["what"] in names][0]
for x in d["exchanges"]:
    if x["rsp"] and x["rsp"][0] == want:
        b = bytearray.fromhex(want); b[-1] ^= 0x01; x["rsp"][0] = b.hex()
'
}

# not_different TSV: every exchange identical or declared
not_different() { ! cut -f4 "$1" | grep -vqxE 'identical|declared'; }

run_stack() { # NAME STACK ARGS...
  local n=$1 st=$2; shift 2
  echo "-- $n: zbemu $st $*"
  emu_start "$n" "$st" "$@" --nvram "$WORK/$n.nv" || { fail "$n: start"; return; }
  for _ in $(seq 50); do [ -s "$WORK/$n.nv" ] && break; sleep 0.1; done
  cp "$WORK/$n.nv" "$WORK/$n.before"
  check "$n: capture exits 0" timeout 120 "$HAR" capture --stack "$st" --port "$(port "$n")" \
    -o "$WORK/$n.trace.json" --profile "$WORK/$n.prof.json"
  emu_stop "$n" || fail "$n: zbemu exit status"
  local but=""
  [ "$st" = ezsp ] && but=" but STACK_BOOT_COUNTER"
  check "$n: the capture wrote nothing (NVRAM unchanged$but)" \
    nv_same "$st" "$WORK/$n.before" "$WORK/$n.nv"
  expect_eq "$n: the trace is sanitised (its IEEE replaced)" \
    "$(jget "$WORK/$n.trace.json" 'j.sanitised.some(s=>/IEEE/i.test(s))')" true
  expect_eq "$n: the profile names the firmware" "$(jget "$WORK/$n.prof.json" 'j.profile.version.length>0 && j.exchanges.length>0')" true
  check "$n: zbemu --profile-file answers the captured probe (identical or declared)" \
    "$HAR" replay --profile-file "$WORK/$n.prof.json" --tsv "$WORK/$n.tsv" "$WORK/$n.trace.json"
  check "$n: ... no exchange different" not_different "$WORK/$n.tsv"
  expect_eq "$n: ... every probe request played" "$(wc -l <"$WORK/$n.tsv")" \
    "$(jget "$WORK/$n.trace.json" j.exchanges.length)"
  tamper "$WORK/$n.prof.json" "$WORK/$n.bad.json"
  "$HAR" replay --profile-file "$WORK/$n.bad.json" --tsv "$WORK/$n.bad.tsv" "$WORK/$n.trace.json" >/dev/null 2>&1
  expect_eq "$n: a profile with a changed version answer: the replay reports different" \
    "$(cut -f4 "$WORK/$n.bad.tsv" | grep -cx different)" 1
}

run_stack znp3x0 znp --profile zstack3x0
expect_eq "znp3x0: profile firmware line" "$(jget "$WORK/znp3x0.prof.json" j.firmware.line)" zstack3x0
run_stack znp12 znp --profile zstack12
expect_eq "znp12: profile firmware line" "$(jget "$WORK/znp12.prof.json" j.firmware.line)" zstack12
expect_eq "znp12: 1.2 refuses SYS_NV_LENGTH (an RPC error, in the profile)" \
  "$(jget "$WORK/znp12.prof.json" 'j.profile.refused.filter(e=>/SYS_NV_LENGTH/.test(e.what)&&e.refused_with==="RPC error").length')" 2
run_stack ezsp13 ezsp --ezsp-version 13
expect_eq "ezsp13: profile EZSP version" "$(jget "$WORK/ezsp13.prof.json" j.firmware.ezsp)" 13
run_stack ezsp18 ezsp --ezsp-version 18
expect_eq "ezsp18: profile EZSP version" "$(jget "$WORK/ezsp18.prof.json" j.firmware.ezsp)" 18
expect_eq "ezsp18: a table size decoded (MAX_END_DEVICE_CHILDREN)" \
  "$(jget "$WORK/ezsp18.prof.json" 'j.profile.tables.find(e=>/MAX_END_DEVICE_CHILDREN/.test(e.what)).value')" 32
expect_eq "ezsp18: the unknown frame id refused with invalidCommand" \
  "$(jget "$WORK/ezsp18.prof.json" 'j.profile.refused.some(e=>e.refused_with==="invalidCommand")')" true
run_stack zboss zboss
expect_eq "zboss: profile firmware stack" "$(jget "$WORK/zboss.prof.json" j.firmware.stack)" 3.2.0.0

echo "-- usage and errors"
expect_rc "capture --help: exit 0" 0 "read only|Read only" "$HAR" capture --help
expect_rc "capture without --port: exit 2" 2 "--stack and --port are required" "$HAR" capture --stack znp
expect_rc "capture --stack foo: exit 2" 2 "expected znp, ezsp or zboss" "$HAR" capture --stack foo --port /dev/null
expect_rc "capture on a missing port: exit 2" 2 "" "$HAR" capture --stack znp --port "$WORK/no-such-tty"
expect_rc "zbemu --profile-file of another stack: exit 2" 2 "a znp profile, not ezsp" "$EMU" ezsp --profile-file "$WORK/znp3x0.prof.json"
expect_rc "zbemu --profile-file of a plain trace: exit 2" 2 "zbprofile 1" "$EMU" znp --profile-file "$WORK/znp3x0.trace.json"
expect_rc "zbemu --profile-file with --script: exit 2" 2 "one scripted source" "$EMU" znp --profile-file "$WORK/znp3x0.prof.json" --script "$WORK/znp3x0.trace.json"

finish
