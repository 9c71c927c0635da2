#!/usr/bin/env bash
# The Zigbee2MQTT hand-off of `zbharness migrate --z2m` tested against the real application
# (tests/z2m: zigbee2mqtt 2.14.1 with zigbee-herdsman 10.9.2, pinned; installed by
# ci/setup.sh --tests): a Z-Stack source seeded with the CC2652R network and its world
# (emulator/world/WORLD.md) moves to a znp, an ezsp (v18) and a zboss target, both emulators on
# tcp://; then the real Zigbee2MQTT runs for Z2M_SECONDS (20) with ZIGBEE2MQTT_DATA = the folder
# migrate wrote, against a Mosquitto broker of our own on a free localhost port. Per target:
#  (a) Z2M resumes the network, never resets it: "zigbee-herdsman started (resumed)" and
#      "Zigbee2MQTT started!", nothing of a new network nor a warning on its parameters in its
#      log; afterwards the target still holds the migrated network (zbharness backup, diffed
#      against migrate's source backup); configuration.yaml has ext_pan_id in the order
#      herdsman's adapter reads (zstack: most significant byte first; ember, zboss: least);
#  (b) the devices Z2M received messages from (its debug log: "Received Zigbee message from
#      '0x…'") and those whose state it published (an MQTT client of the broker) are exactly the
#      devices the world calls alive over the rounds Z2M ran, and those migrate's watch heard;
#  (c) negative controls on ember, after the same hand-off: first with the Z-Stack
#      coordinator_backup.json that migrate moves aside put back (as Z2M on the old stick wrote
#      it): Z2M 2.14.1 refuses it ("[BACKUP] Current backup file is not for EmberZNet stack.")
#      and exits 1, the stick and its devices untouched; then with ext_pan_id edited to the other
#      byte order: Z2M leaves the stick's network, forms a new one from the configuration
#      ('started (reset)', the device database set aside), every device is lost, Z2M hears none.
# Z2M gets a database.db (herdsman's format, a JSON object a line) listing the seed backup's 8
# devices, interviewed, endpoint 1 with Temperature Measurement: herdsman drops messages from
# devices it does not know ("Data is from unknown device"). Frontend, Home Assistant,
# availability and OTA checks are off; nothing reaches past 127.0.0.1. Z2M runs with its cwd
# in $WORK: its index.js rebuilds dist/ when `git rev-parse HEAD` answers another hash.
# Usage: tests/system/z2m_handoff.sh BUILD_DIR (TARGETS="znp ezsp zboss" to choose)
set -uo pipefail
source "$(dirname "$0")/lib.bash" "${1:-build}"
source "$(dirname "$0")/world.bash"

Z2M=$ZB_ROOT/tests/z2m/node_modules/zigbee2mqtt/index.js
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
Z2M_SECONDS=${Z2M_SECONDS:-20} # how long Z2M runs once started
declare -A EMU_ARGS=([znp]="znp --profile zstack3x0" [ezsp]="ezsp --ezsp-version 18" [zboss]="zboss")
declare -A ADAPTER=([znp]=zstack [ezsp]=ember [zboss]=zboss)
TABLE=$WORK/targets.tsv
declare -A Z2M_PID=()
MQ_PID='' LISTEN_PID=''

# every emulator listens on tcp:// (zbemu --tcp 0 prints its URL first): world.bash's
# source_stick and everything below reach it through port()
emu_start() {
  local name=$1; shift
  : >"$WORK/$name.port"
  "$EMU" "$@" --tcp 0 >"$WORK/$name.port" 2>>"$WORK/$name.log" &
  EMU_PID[$name]=$!
  for _ in $(seq 100); do
    grep -q '^tcp://127\.0\.0\.1:[0-9]' "$WORK/$name.port" && return 0
    kill -0 "${EMU_PID[$name]}" 2>/dev/null || break
    sleep 0.05
  done
  echo "zbemu $name did not start:" >&2
  cat "$WORK/$name.log" >&2
  return 1
}
port() { head -1 "$WORK/$1.port"; }

stop_all() {
  local n
  for n in "${!Z2M_PID[@]}"; do kill -9 "${Z2M_PID[$n]}" 2>/dev/null; done
  [ -n "$MQ_PID" ] && kill "$MQ_PID" 2>/dev/null
  [ -n "$LISTEN_PID" ] && kill "$LISTEN_PID" 2>/dev/null
  cleanup
}
trap stop_all EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# the broker: Mosquitto from Debian on a free localhost port, anonymous, nothing kept
mqtt_start() {
  MQ_PORT=$(free_port)
  printf '%s\n' "listener $MQ_PORT 127.0.0.1" "allow_anonymous true" "persistence false" >"$WORK/mosquitto.conf"
  "$MOSQUITTO" -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
  MQ_PID=$!
  for _ in $(seq 50); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$MQ_PORT" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$WORK/mosquitto.log" >&2
  return 1
}

# z2m_dir DIR: a Zigbee2MQTT data folder NAME.z2m as a Z-Stack user has it (the broker ours,
# base topic zigbee2mqtt-NAME, everything that would reach past this machine off), with a stale
# coordinator_backup.json
z2m_dir() {
  mkdir -p "$1"
  local topic; topic=zigbee2mqtt-$(basename "$1" .z2m)
  printf '%s\n' "# my house" "homeassistant:" "  enabled: false" "frontend:" "  enabled: false" \
    "availability:" "  enabled: false" "ota:" "  disable_automatic_update_check: true" \
    "mqtt:" "  base_topic: $topic" "  server: mqtt://127.0.0.1:$MQ_PORT" \
    "serial:" "  port: /dev/ttyUSB0" "  adapter: zstack" \
    "advanced:" "  log_level: debug" "  log_output:" "    - console" "  pan_id: 17410" \
    "  ext_pan_id:" "    - 162" "    - 186" "  channel: 15" >"$1/configuration.yaml"
  echo '{"metadata":{"source":"zigbee-herdsman"}}' >"$1/coordinator_backup.json"
}

# z2m_db BACKUP DB: herdsman's database.db (one JSON object a line) with BACKUP's devices, each
# with the endpoint 1 the world reports from (HA profile, Temperature Measurement), interviewed
z2m_db() {
  node -e 'const fs=require("fs");const b=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));
    const rows=b.devices.map((d,i)=>JSON.stringify({id:i+2,type:d.is_child?"EndDevice":"Router",
      ieeeAddr:"0x"+d.ieee_address,nwkAddr:parseInt(d.nwk_address,16),manufId:0,manufName:"zbtools",
      powerSource:d.is_child?"Battery":"Mains (single phase)",modelId:"zbemu-world",epList:[1],
      endpoints:{1:{profId:260,epId:1,devId:770,inClusterList:[0,1026],outClusterList:[],clusters:{},
        binds:[],configuredReportings:[],meta:{}}},interviewCompleted:true,interviewState:"SUCCESSFUL",
      meta:{},lastSeen:Date.now()}));
    fs.writeFileSync(process.argv[2],rows.join("\n")+"\n")' "$1" "$2"
}

# z2m_run NAME DIR: the real Zigbee2MQTT on DIR (cwd $WORK: not inside a git checkout, so its
# index.js never tries to rebuild dist/; no onboarding server); log in $WORK/NAME.z2m.log, pid
# in Z2M_PID[NAME]
z2m_run() {
  : >"$WORK/$1.z2m.log"
  (cd "$WORK" && exec env ZIGBEE2MQTT_DATA="$2" Z2M_ONBOARD_NO_SERVER=1 node "$Z2M") >"$WORK/$1.z2m.log" 2>&1 &
  Z2M_PID[$1]=$!
}
# z2m_wait NAME PATTERN SECONDS: 0 once the log matches, 1 when Z2M exited or time ran out
z2m_wait() {
  for _ in $(seq $(($3 * 4))); do
    grep -qE "$2" "$WORK/$1.z2m.log" && return 0
    kill -0 "${Z2M_PID[$1]}" 2>/dev/null || { grep -qE "$2" "$WORK/$1.z2m.log"; return; }
    sleep 0.25
  done
  return 1
}
# z2m_stop NAME: SIGTERM (Z2M stops herdsman and the adapter), at most 30 s; leaves its exit in $ZRC
z2m_stop() {
  local p=${Z2M_PID[$1]}
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 120); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$p" 2>/dev/null
  ZRC=0; wait "$p" || ZRC=$?
  unset "Z2M_PID[$1]"
}
# ieee_to_nwk BACKUP: IEEE addresses (0x…, a line each) to the backup's NWK addresses, sorted, joined by commas
ieee_to_nwk() {
  local ieee
  while read -r ieee; do
    I=${ieee#0x} jget "$1" 'j.devices.filter(d=>d.ieee_address==process.env.I).map(d=>d.nwk_address).join("")'
    echo
  done | grep . | sort | paste -sd,
}
# z2m_heard NAME BACKUP: the devices Z2M received a Zigbee message from (its debug log)
z2m_heard() {
  grep -o "Received Zigbee message from '0x[0-9a-f]*'" "$WORK/$1.z2m.log" | grep -o '0x[0-9a-f]*' | sort -u | ieee_to_nwk "$2"
}
# mqtt_heard NAME BACKUP: the devices whose state Z2M published to the broker with a temperature
# (what an MQTT client of Z2M sees), from the subscriber's file
mqtt_heard() {
  grep -E "^zigbee2mqtt-$1/0x[0-9a-f]{16} .*\"temperature\"" "$WORK/$1.mqtt" 2>/dev/null | cut -d' ' -f1 |
    sed 's|.*/||' | sort -u | ieee_to_nwk "$2"
}
# mqtt_listen NAME: a client of the broker that writes every message on zigbee2mqtt-NAME/+ as a
# "topic payload" line into $WORK/NAME.mqtt (the mqtt package Z2M itself uses); pid in LISTEN_PID
mqtt_listen() {
  rm -f "$WORK/$1.mqtt.ready"
  node -e 'const fs=require("fs"),[m,url,topic,out]=process.argv.slice(1),c=require(m).connect(url);
    c.on("connect",()=>c.subscribe(topic,()=>fs.writeFileSync(out+".ready","")));
    c.on("message",(t,p)=>fs.appendFileSync(out,t+" "+p+"\n"));' \
    "$ZB_ROOT/tests/z2m/node_modules/mqtt" "mqtt://127.0.0.1:$MQ_PORT" "zigbee2mqtt-$1/+" "$WORK/$1.mqtt" \
    2>"$WORK/$1.mqtt.err" &
  LISTEN_PID=$!
  for _ in $(seq 100); do [ -e "$WORK/$1.mqtt.ready" ] && return 0; sleep 0.1; done
  return 1
}
heard_nwks() { jget "$1" 'j.devices.filter(d=>d.heard&&d.kind!="unknown").map(d=>d.nwk).sort().join(",")'; }
count() { echo "$1" | tr ',' '\n' | grep -c .; }
# no new network: herdsman's start results other than 'resumed', and its forming/reset lines
NEW_NET='started \((reset|restored)\)|[Ff]orming|[Ff]orm(ed)? (a )?(new )?network|network reset|[Rr]esetting|[Ll]eav(e|ing) (the )?network'

# handoff NAME TARGET: a seeded Z-Stack source NAME moved to a fresh TARGET stick NAME-dst with
# migrate --z2m $WORK/NAME.z2m; the target keeps running (with the world). Exit in $MRC.
handoff() {
  local n=$1 d=$2
  source_stick "$n" znp --profile zstack3x0 || { MRC=99; return; }
  # shellcheck disable=SC2086
  emu_start "$n-dst" ${EMU_ARGS[$d]} --nvram "$WORK/$n.dst.nv" --world "$WORK/$n.world.json" --world-wait ||
    { fail "$n: target start"; MRC=99; return; }
  z2m_dir "$WORK/$n.z2m"
  "$HAR" migrate --from "znp:$(port "$n")" --to "$d:$(port "$n-dst")" --yes --burn-ieee --measure-seconds 3 \
    --dir "$WORK" --z2m "$WORK/$n.z2m" --watch-seconds 8 --watch-json "$WORK/$n.watch.json" \
    >"$WORK/$n.m.out" 2>"$WORK/$n.m.err" &
  local mp=$!
  for _ in $(seq 240); do grep -q "UNPLUG THE SOURCE" "$WORK/$n.m.err" 2>/dev/null && break; kill -0 "$mp" 2>/dev/null || break; sleep 0.25; done
  grep -q "UNPLUG THE SOURCE" "$WORK/$n.m.err" && { emu_stop "$n" || fail "$n: source exit"; }
  MRC=0; wait "$mp" || MRC=$?
  SRC_FILE=$(grep -o "backed up to [^ ]*json" "$WORK/$n.m.err" | head -1 | sed 's/^backed up to //')
}

# z2m_session NAME STACK: the real Zigbee2MQTT on $WORK/NAME.z2m (database.db written for the
# seed's devices) against the running target NAME-dst, Z2M_SECONDS once started, then SIGTERM;
# then a backup of the target, diffed against migrate's source backup (the target keeps running).
# Leaves: STARTED yes/no, ZRC (Z2M's exit), the world as it was when Z2M was stopped in
# $WORK/NAME.world.z2m.json with its round at Z2M's start in R1, DIFF_RC (2: no backup).
z2m_session() {
  local n=$1 d=$2
  z2m_db "$WORK/$n.backup.json" "$WORK/$n.z2m/database.db"
  mqtt_listen "$n" || fail "$n: the MQTT subscriber did not connect"
  R1=$(jget "$WORK/$n.world.json" j.rounds)
  z2m_run "$n" "$WORK/$n.z2m"
  STARTED=no
  if z2m_wait "$n" 'Zigbee2MQTT started!' 90; then
    STARTED=yes
    sleep "$Z2M_SECONDS"
  fi
  cp "$WORK/$n.world.json" "$WORK/$n.world.z2m.json"
  z2m_stop "$n"
  kill "$LISTEN_PID" 2>/dev/null; wait "$LISTEN_PID" 2>/dev/null
  DIFF_RC=2
  timeout 60 "$HAR" backup --stack "$d" --port "$(port "$n-dst")" -o "$WORK/$n.after.json" >"$WORK/$n.after.log" 2>&1 &&
    { DIFF_RC=0; "$HAR" diff --to "$d" "$SRC_FILE" "$WORK/$n.after.json" >"$WORK/$n.after.diff" 2>&1 || DIFF_RC=$?; }
}
# epid_list BACKUP lsb|msb: the backup's EPID as Z2M's flow list, least or most significant byte first
epid_list() {
  O=$2 jget "$1" 'JSON.stringify((a=>process.env.O=="lsb"?a.reverse():a)(j.extended_pan_id.match(/../g)).map(h=>parseInt(h,16))).replace(/,/g,", ")'
}
# epid_edit CONFIG LIST: ext_pan_id set to LIST in either YAML form (Z2M rewrites the file at
# its start with block sequences)
epid_edit() {
  awk -v v="  ext_pan_id: $2" '/^  ext_pan_id:/ { print v; skip = 1; next } skip && /^    - / { next } { skip = 0; print }' \
    "$1" >"$1.new" && mv "$1.new" "$1"
}

mqtt_start || fail "mosquitto did not start on 127.0.0.1:$MQ_PORT"
[ -s "$Z2M" ] || fail "zigbee2mqtt is not installed in tests/z2m (ci/setup.sh --tests)"
# the byte order of ext_pan_id each zigbee-herdsman 10.9.2 adapter compares with the stick
# (harness/move/z2m_config.c says where in its source)
declare -A EPID_ORDER=([znp]=msb [ezsp]=lsb [zboss]=lsb)

echo "-- migrate --z2m, then the real Zigbee2MQTT $(jget "$ZB_ROOT/tests/z2m/node_modules/zigbee2mqtt/package.json" j.version) resumes on each target"
printf 'target\talive\twatch heard\tZ2M heard (log/MQTT)\tresumed\tconfig written\n' >"$TABLE"
for d in ${TARGETS:-znp ezsp zboss}; do
  n=z-$d
  handoff "$n" "$d"
  expect_eq "$n: migrate exit" "$MRC" 0
  [ "$MRC" = 0 ] || { sed 's/^/        /' "$WORK/$n.m.err" | tail -8; emu_stop "$n-dst"; continue; }
  cfg=$WORK/$n.z2m/configuration.yaml
  check "$n: configuration.yaml names adapter ${ADAPTER[$d]} and the target's tcp:// port" \
    grep -qzF "  port: $(port "$n-dst")"$'\n'"  adapter: ${ADAPTER[$d]}" "$cfg"
  epid=$(epid_list "$WORK/$n.backup.json" "${EPID_ORDER[$d]}")
  check "$n: ext_pan_id ${EPID_ORDER[$d]} first, as herdsman's ${ADAPTER[$d]} adapter reads it" grep -qxF "  ext_pan_id: $epid" "$cfg"
  z2m_session "$n" "$d"
  if [ "$d" = znp ]; then
    # zstack read the other way: herdsman's allowance for its old releases resumes, but warns
    mv "$WORK/$n.z2m.log" "$WORK/$n.main.z2m.log"
    epid_edit "$cfg" "$(epid_list "$WORK/$n.backup.json" lsb)"
    z2m_run "$n" "$WORK/$n.z2m"
    z2m_wait "$n" 'Zigbee2MQTT started!' 90
    z2m_stop "$n"
    check "$n: ext_pan_id least significant byte first: Z2M resumes, warning 'Extended PAN ID is reversed'" \
      sh -c "grep -qF 'zigbee-herdsman started (resumed)' '$WORK/$n.z2m.log' && grep -qF 'Extended PAN ID is reversed' '$WORK/$n.z2m.log'"
    mv "$WORK/$n.z2m.log" "$WORK/$n.lsb.z2m.log"
    mv "$WORK/$n.main.z2m.log" "$WORK/$n.z2m.log"
  fi
  emu_stop "$n-dst" || fail "$n: target exit"
  log=$WORK/$n.z2m.log
  expect_eq "$n: Zigbee2MQTT started" "$STARTED" yes
  [ "$STARTED" = yes ] || sed 's/^/        /' "$log" | grep -iE 'error|warn|started' | tail -10
  check "$n: herdsman resumed the network (\"zigbee-herdsman started (resumed)\")" grep -qF "zigbee-herdsman started (resumed)" "$log"
  check "$n: nothing in Z2M's log of a new network or a reset" sh -c "! grep -E '$NEW_NET' '$log'"
  check "$n: no warning on the network's parameters (EPID reversed, mismatch)" \
    sh -c "! grep -iE 'reversed|does not match|mismatch' '$log'"
  expect_eq "$n: Zigbee2MQTT stopped cleanly on SIGTERM" "$ZRC" 0
  expect_eq "$n: afterwards the target still holds the migrated network (zbharness diff against migrate's source backup)" "$DIFF_RC" 0
  [ "$DIFF_RC" = 0 ] || sed 's/^/        /' "$WORK/$n.after.log" "$WORK/$n.after.diff" 2>/dev/null | tail -10
  alive=$(alive_nwks "$WORK/$n.world.z2m.json" "$R1")
  z=$(z2m_heard "$n" "$WORK/$n.backup.json") q=$(mqtt_heard "$n" "$WORK/$n.backup.json")
  w=$(heard_nwks "$WORK/$n.watch.json")
  expect_eq "$n: all 8 devices alive while Z2M ran" "$(count "$alive")" 8
  expect_eq "$n: Z2M received messages from exactly the devices the world calls alive" "$z" "$alive"
  expect_eq "$n: Z2M published to MQTT the state of exactly those devices" "$q" "$alive"
  expect_eq "$n: = what migrate's watch heard" "$w" "$alive"
  resumed=no; grep -qF "zigbee-herdsman started (resumed)" "$log" && resumed=yes
  printf '%s\t%s/8\t%s/8\t%s/8 / %s/8\t%s\t%s\n' "$d" "$(count "$alive")" "$(count "$w")" "$(count "$z")" "$(count "$q")" \
    "$resumed" "adapter ${ADAPTER[$d]}, tcp port, pan_id, ext_pan_id ${EPID_ORDER[$d]} first, key, channel" >>"$TABLE"
done

echo "-- negative controls on ember: Z-Stack's coordinator_backup.json left, then ext_pan_id in the other byte order"
n="z-neg"
handoff "$n" ezsp
expect_eq "$n: migrate exit" "$MRC" 0
if [ "$MRC" = 0 ]; then
  check "$n: migrate moved the stale coordinator_backup.json aside" test ! -e "$WORK/$n.z2m/coordinator_backup.json"
  # put back what Z2M on the Z-Stack stick would have left there: its herdsman backup of this network
  mut "$SRC_FILE" "$WORK/$n.z2m/coordinator_backup.json" 'd["metadata"] = {"format": "zigpy/open-coordinator-backup",
    "version": 1, "source": "zigbee-herdsman@10.9.2", "internal": {"date": "2026-12-01T10:00:00.000Z", "znpVersion": 1}}'
  z2m_session "$n" ezsp
  log=$WORK/$n.z2m.log
  check "$n: with it, Z2M's ember adapter refuses the Z-Stack backup" grep -qF "[BACKUP] Current backup file is not for EmberZNet stack." "$log"
  if [ "$STARTED" = no ] && [ "$ZRC" != 0 ]; then pass "$n: Z2M never started and exited $ZRC"; else fail "$n: Z2M started=$STARTED exit=$ZRC"; fi
  expect_eq "$n: the stick still holds the migrated network (diff)" "$DIFF_RC" 0
  # Z2M's refusal takes a second or two: judge once the world has run an exchange since
  for _ in $(seq 60); do [ "$(jget "$WORK/$n.world.json" j.rounds)" -gt "$R1" ] && break; sleep 0.25; done
  expect_eq "$n: all 8 devices still alive" "$(count "$(alive_nwks "$WORK/$n.world.json" "$R1")")" 8
  printf '%s\t%s/8\t%s/8\t%s/8 / %s/8\t%s\t%s\n' "ezsp, Z-Stack backup left" "$(count "$(alive_nwks "$WORK/$n.world.json" "$R1")")" \
    "$(count "$(heard_nwks "$WORK/$n.watch.json")")" 0 0 "no: refused, exit $ZRC" "coordinator_backup.json of herdsman's zstack" >>"$TABLE"
  rm "$WORK/$n.z2m/coordinator_backup.json"
  mv "$log" "$WORK/$n.stale.z2m.log"

  cfg=$WORK/$n.z2m/configuration.yaml
  msb=$(epid_list "$WORK/$n.backup.json" msb)
  epid_edit "$cfg" "$msb"
  check "$n: ext_pan_id edited to $msb" grep -qxF "  ext_pan_id: $msb" "$cfg"
  z2m_session "$n" ezsp
  log=$WORK/$n.z2m.log
  # what Z2M 2.14.1 does: the ember adapter leaves the network, finds no backup (migrate moved
  # the stale one aside), forms a new one from the configuration and starts on it: 'reset'
  check "$n: Z2M's ember adapter says the stick's network does not match and leaves it" \
    grep -qF "[INIT TC] Adapter network does not match config. Leaving network..." "$log"
  check "$n: it forms a new network from the configuration" grep -qF "[INIT FORM] New network formed!" "$log"
  check "$n: herdsman reports 'started (reset)', not resumed" sh -c "grep -qF 'zigbee-herdsman started (reset)' '$log' && ! grep -qF 'started (resumed)' '$log'"
  check "$n: herdsman set the device database aside (database.db.backup), 0 devices joined" \
    sh -c "test -s '$WORK/$n.z2m/database.db.backup' && grep -qF 'Currently 0 devices are joined' '$log'"
  expect_eq "$n: Z2M kept running on the new network (started, then stopped on SIGTERM)" "$STARTED/$ZRC" yes/0
  expect_eq "$n: the target no longer holds the migrated network (diff: different)" "$DIFF_RC" 1
  expect_eq "$n: its EPID is the migrated one byte-reversed" "$(jget "$WORK/$n.after.json" j.extended_pan_id 2>&1)" \
    "$(jget "$WORK/$n.backup.json" 'j.extended_pan_id.match(/../g).reverse().join("")')"
  alive=$(alive_nwks "$WORK/$n.world.z2m.json" "$R1")
  z=$(z2m_heard "$n" "$WORK/$n.backup.json") q=$(mqtt_heard "$n" "$WORK/$n.backup.json")
  expect_eq "$n: no device alive once Z2M ran" "$(count "$alive")" 0
  expect_eq "$n: every device lost on 'network differs'" \
    "$(R=$R1 jget "$WORK/$n.world.z2m.json" 'j.devices.filter(d=>d.round>+process.env.R&&d.status=="lost"&&/^network differs/.test(d.reason)).length')" 8
  expect_eq "$n: Z2M heard none of them (log, MQTT)" "$(count "$z")/$(count "$q")" 0/0
  emu_stop "$n-dst" || fail "$n: target exit"
  printf '%s\t%s/8\t%s/8\t%s/8 / %s/8\t%s\t%s\n' "ezsp, EPID msb first" "$(count "$alive")" "$(count "$(heard_nwks "$WORK/$n.watch.json")")" \
    "$(count "$z")" "$(count "$q")" "no: left, formed anew (reset)" "ext_pan_id edited to the other order" >>"$TABLE"
fi

echo "-- targets"
column -t -s $'\t' "$TABLE" | sed 's/^/   /'
finish
