#!/usr/bin/env bash
# zbemu zboss against the real zigbee-herdsman 10.9.5, or 11.x with ZB_HERDSMAN=11 (zboss
# adapter), and zbharness, over ptys (herdsman once over tcp://).
# The referee is outside this repo: herdsman forms and resumes on the emulator, and must resume
# on a network zbharness cloned onto a blank NCP; an independent Python implementation of the
# LL framing (zboss_probe.py) checks the wire. Usage: tests/system/zboss_herdsman.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
zh_banner

PAN=0x2a5c EPID=dd3c0ffee1a2b3c4 KEY=5a6b7c8d9eaf00112233445566778899 CH=20
# §9.2 / herdsman README §4: herdsman sends its extendedPanID array E as is, the NCP reads it
# back reversed, and the 64-bit EPID (zigpy's and our backup's "extended_pan_id", herdsman's own
# getNetworkParameters().extendedPanID) is E read little-endian: the --epid string reversed.
EPID_LE=$(echo "$EPID" | fold -w2 | tac | tr -d '\n')
ms() { date +%s%3N; }

echo "-- ZBOSS wire behaviour (tests/system/zboss_probe.py, an independent LL implementation)"
n=wire
emu_start "$n" zboss --devices 30 --seed 3 || fail "$n: start"
if python3 "$ZB_ROOT/tests/system/zboss_probe.py" "$(port "$n")" >"$WORK/$n.probe" 2>&1; then
  pass "$(grep -c '^ok' "$WORK/$n.probe") wire checks; $(tail -1 "$WORK/$n.probe")"
else
  fail "wire checks"; sed 's/^/        /' "$WORK/$n.probe"
fi
check "clean exit on SIGTERM after the probe" emu_stop "$n"

echo "-- herdsman forms on a blank NCP; zbharness reports exactly herdsman's settings"
n=form
emu_start "$n" zboss --nvram "$WORK/$n.nv.json" -vv || fail "$n: start"
if zh "$n" "$WORK/$n.zh1" --adapter zboss --pan $PAN --epid $EPID --key $KEY --channel $CH; then
  expect_eq "herdsman start on a blank NCP" "$(jget "$WORK/$n.zh1" j.startResult)" reset
  # what herdsman's getNetworkParameters() says after it formed: 10.9.5 keeps what it read before
  # NWK_FORMATION (the blank NCP's PAN ffff, EPID 0, channel 0); 11.x reads the six GET_* again
  # after the formation (driver.js startup) and reports the network it formed (README §9)
  gets=$(grep -c 'debug: zboss: GET_PAN_ID' "$WORK/$n.log")
  if [ "${ZH_VERSION%%.*}" -ge 11 ]; then
    expect_eq "network herdsman reads after forming: the formed one (GET_PAN_ID twice)" \
      "$(jget "$WORK/$n.zh1" 'j.network.panID+"/"+j.network.extendedPanID+"/"+j.network.channel')/$gets" \
      "10844/0x$EPID_LE/$CH/2"
  else
    expect_eq "network herdsman reads after forming: the blank NCP's, read before (GET_PAN_ID once)" \
      "$(jget "$WORK/$n.zh1" 'j.network.panID+"/"+j.network.extendedPanID+"/"+j.network.channel')/$gets" \
      "65535/0x0000000000000000/0/1"
  fi
  t0=$(ms)
  check "zbharness backup" "$HAR" backup --stack zboss --port "$(port "$n")" -o "$WORK/$n.ours.json"
  pass "zbharness backup alone: $(($(ms) - t0)) ms (incl. process start)"
  expect_eq "pan/epid/channel/key in our backup" \
    "$(jget "$WORK/$n.ours.json" '[j.pan_id,j.extended_pan_id,j.channel,j.network_key.key].join("/")')" \
    "2a5c/$EPID_LE/$CH/$KEY"
  expect_eq "coordinator IEEE in our backup = herdsman's" \
    "0x$(jget "$WORK/$n.ours.json" j.coordinator_ieee)" "$(jget "$WORK/$n.zh1" j.coordinatorIeee)"
  "$HAR" backup --stack zboss --port "$(port "$n")" -vv -o "$WORK/$n.vv.json" 2>"$WORK/$n.har-vv.log"
  [ "$(grep -c 'zboss rx' "$WORK/$n.log")" -gt 10 ] && pass "zbemu -vv traces frames" || fail "no frame trace"
  expect_eq "network key in frame traces (zbemu -vv, zbharness -vv)" \
    "$(cat "$WORK/$n.log" "$WORK/$n.har-vv.log" | grep -c "${KEY:0:12}")" 0
else
  fail "herdsman formation: $(cat "$WORK/$n.zh1")"
fi
if zh "$n" "$WORK/$n.zh2" --adapter zboss --pan $PAN --epid $EPID --key $KEY --channel $CH --permit-join 30; then
  expect_eq "herdsman second start with the same settings" "$(jget "$WORK/$n.zh2" j.startResult)" resumed
  pass "herdsman start+backup: $(jget "$WORK/$n.zh2" 'j.startMs+j.backupMs') ms (start $(jget "$WORK/$n.zh2" j.startMs) ms)"
  expect_eq "network herdsman reads on resume = our backup" \
    "$(jget "$WORK/$n.zh2" 'j.network.panID+"/"+j.network.extendedPanID+"/"+j.network.channel')" \
    "10844/0x$EPID_LE/$CH"
  expect_eq "formed once, not again on resume" "$(grep -c 'formed network' "$WORK/$n.log")" 1
  expect_eq "herdsman's permit join (ZDO to 0x0000, then 0xFFFC) accepted" \
    "$(grep -o 'permit joining 30 s (dst [0-9a-f]*)' "$WORK/$n.log" | tr '\n' ';')" \
    "permit joining 30 s (dst 0000);permit joining 30 s (dst fffc);"
else
  fail "herdsman second start: $(cat "$WORK/$n.zh2")"
fi
# other settings on a formed NCP: herdsman factory-resets it (NCP_RESET option 2) and re-forms
if zh "$n" "$WORK/$n.zh3" --adapter zboss --pan 0x1b2c --epid $EPID --key $KEY --channel 15; then
  expect_eq "herdsman start with other settings" "$(jget "$WORK/$n.zh3" j.startResult)" reset
  "$HAR" backup --stack zboss --port "$(port "$n")" -o "$WORK/$n.ours3.json" >/dev/null 2>&1
  expect_eq "after herdsman's factory reset and formation: pan/channel" \
    "$(jget "$WORK/$n.ours3.json" 'j.pan_id+"/"+j.channel')" "1b2c/15"
else
  fail "herdsman start with other settings: $(cat "$WORK/$n.zh3")"
fi
check "clean exit on SIGTERM" emu_stop "$n"

echo "-- populated network (30 devices: fragmented datasets): backup, clone onto a blank NCP"
a=pop b=clone
emu_start "$a" zboss --nvram "$WORK/$a.nv.json" --devices 30 --seed 42 || fail "$a: start"
emu_start "$b" zboss --nvram "$WORK/$b.nv.json" --seed 43 || fail "$b: start"
if zh "$a" "$WORK/$a.zh1" --adapter zboss --pan 0x0bee --epid 0123456789abcdef --channel 25; then
  expect_eq "herdsman forms the populated NCP" "$(jget "$WORK/$a.zh1" j.startResult)" reset
else
  fail "herdsman formation: $(cat "$WORK/$a.zh1")"
fi
check "zbharness backup of 30 devices" "$HAR" backup --stack zboss --port "$(port "$a")" -o "$WORK/$a.json"
expect_eq "devices / children / with link keys" \
  "$(jget "$WORK/$a.json" 'j.devices.length+"/"+j.devices.filter(d=>d.is_child).length+"/"+j.devices.filter(d=>d.link_key).length')" \
  "30/$(jget "$WORK/$a.json" 'j.devices.filter(d=>d.is_child).length')/30"
check "the backup validates" "$HAR" validate "$WORK/$a.json"
check "zbharness restore onto the blank NCP" bash -c "cd '$WORK' && '$HAR' restore --stack zboss --port '$(port "$b")' --backup '$WORK/$a.json'"
check "backup of the clone" "$HAR" backup --stack zboss --port "$(port "$b")" -o "$WORK/$b.json"
check "clone equals the original (counters may only rise)" "$HAR" diff "$WORK/$a.json" "$WORK/$b.json"
expect_eq "clone carries the original's coordinator IEEE" \
  "$(jget "$WORK/$b.json" j.coordinator_ieee)" "$(jget "$WORK/$a.json" j.coordinator_ieee)"
fc_a=$(jget "$WORK/$a.json" j.network_key.frame_counter)
fc_b=$(jget "$WORK/$b.json" j.network_key.frame_counter)
if [ "$fc_b" -ge $((fc_a + 2500)) ]; then pass "frame counter raised by the restore ($fc_a -> $fc_b)"
else fail "frame counter $fc_a -> $fc_b, want >= +2500"; fi
# the referee: herdsman resumes on the clone with the original's settings, no re-formation
if zh "$b" "$WORK/$b.zh1" --adapter zboss --pan 0x0bee --epid 0123456789abcdef --channel 25; then
  expect_eq "herdsman resumes on the clone" "$(jget "$WORK/$b.zh1" j.startResult)" resumed
  expect_eq "herdsman sees the original coordinator IEEE on the clone" \
    "$(jget "$WORK/$b.zh1" j.coordinatorIeee)" "$(jget "$WORK/$a.zh1" j.coordinatorIeee)"
else
  fail "herdsman on the clone: $(cat "$WORK/$b.zh1")"
fi
check "clean exit on SIGTERM (original)" emu_stop "$a"
check "clean exit on SIGTERM (clone)" emu_stop "$b"
emu_start "$b" zboss --nvram "$WORK/$b.nv.json" || fail "$b: restart"
check "after restart from the NVRAM file nothing is lost" \
  bash -c "'$HAR' backup --stack zboss --port '$(port "$b")' -o '$WORK/$b.again.json' && '$HAR' diff '$WORK/$b.json' '$WORK/$b.again.json'"
# §8.3: herdsman's factory reset (NCP_RESET option 2) keeps IB_COUNTERS: a network formed
# afterwards continues from the clone's counter instead of starting again at 0 (-> 1024)
if zh "$b" "$WORK/$b.zh2" --adapter zboss --pan 0x1b2c --epid 0123456789abcdef --channel 25; then
  expect_eq "herdsman re-forms the clone with another PAN" "$(jget "$WORK/$b.zh2" j.startResult)" reset
  "$HAR" backup --stack zboss --port "$(port "$b")" -o "$WORK/$b.reformed.json" >/dev/null 2>&1
  fc_r=$(jget "$WORK/$b.reformed.json" j.network_key.frame_counter)
  if [ "$fc_r" -ge "$fc_b" ]; then pass "frame counter survives the factory reset ($fc_b -> $fc_r)"
  else fail "frame counter after the factory reset: $fc_b -> $fc_r"; fi
  expect_eq "devices after the factory reset (tables cleared)" "$(jget "$WORK/$b.reformed.json" j.devices.length)" 0
else
  fail "herdsman re-forming the clone: $(cat "$WORK/$b.zh2")"
fi
check "clean exit on SIGTERM (restarted clone)" emu_stop "$b"

echo "-- herdsman over tcp:// (zbemu --tcp 0): forms, then resumes"
# both versions send the same ZBOSS requests over TCP as over a pty (tests/herdsman/README.md §9)
n=tcp
if emu_start_tcp "$n" zboss --nvram "$WORK/$n.nv.json"; then
  url=$(head -1 "$WORK/$n.port")
  for step in 1 2; do
    node "$ZH" --adapter zboss --port "$url" --workdir "$WORK/$n.zh" --timeout-ms 60000 --pan 0x2a5c \
      --epid dd3c0ffee1a2b3c4 --key 5a6b7c8d9eaf00112233445566778899 --channel 20 \
      >"$WORK/$n.zh$step" 2>>"$WORK/$n.zh.log" || fail "herdsman over $url (run $step): $(cat "$WORK/$n.zh$step")"
  done
  expect_eq "herdsman forms, then resumes over tcp://; the network it reads" \
    "$(jget "$WORK/$n.zh1" j.startResult)/$(jget "$WORK/$n.zh2" 'j.startResult+"/"+j.network.panID+"/"+j.network.extendedPanID+"/"+j.network.channel')" \
    "reset/resumed/10844/0x$EPID_LE/20"
  echo "   (herdsman over tcp://: form $(jget "$WORK/$n.zh1" j.startMs) ms, resume $(jget "$WORK/$n.zh2" j.startMs) ms)"
  check "clean exit on SIGTERM" emu_stop "$n"
else
  fail "$n: start"
fi

echo "-- a corrupt NVRAM file is a startup error naming the file and the field"
cp "$WORK/$b.nv.json" "$WORK/bad.nv.json"
sed -i 's/"pan_id":[^,]*/"pan_id": "x"/' "$WORK/bad.nv.json"
"$EMU" zboss --nvram "$WORK/bad.nv.json" >/dev/null 2>"$WORK/bad.err"
rc=$?
expect_eq "zbemu exit code" "$rc" 2
if grep -q "bad.nv.json: common.pan_id" "$WORK/bad.err"; then pass "message: $(cat "$WORK/bad.err")"
else fail "message: $(cat "$WORK/bad.err")"; fi

finish
