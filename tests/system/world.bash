# tests/system/world.bash - the world's helpers shared by world.sh and watch.sh (sourced after
# lib.bash, not run): a seeded source stick whose devices the world adopts, the frames its
# coordinator sends after the backup, and the world's verdicts.
# shellcheck shell=bash
SEED=${SEED:-$VEC/backups/valid/znp-CC2652R-ZStack4.json}

flip() { # flip IN OUT: herdsman ember's wire order for IEEE and EPID (ezsp_herdsman.sh Q1)
  node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));
    const r=h=>h.match(/../g).reverse().join("");
    j.coordinator_ieee=r(j.coordinator_ieee); j.extended_pan_id=r(j.extended_pan_id);
    fs.writeFileSync(process.argv[2],JSON.stringify(j,null,2))' "$1" "$2"
}
# frames PID N: the emulator's coordinator sends N frames (SIGUSR1 carrying N, world.c)
frames() {
  python3 -c 'import ctypes,sys; l=ctypes.CDLL(None,use_errno=True)
sys.exit(l.sigqueue(int(sys.argv[1]),10,ctypes.c_int(int(sys.argv[2]))))' "$1" "$2"
}
# alive_nwks WORLD ROUNDS: sorted NWK addresses of the devices alive in a round after ROUNDS
alive_nwks() {
  R=$2 jget "$1" 'j.devices.filter(d=>d.round>+process.env.R&&d.status.startsWith("alive")).map(d=>d.nwk).sort().join(",")'
}
lost_of() { R=$2 jget "$1" 'j.devices.filter(d=>d.round>+process.env.R&&d.status=="lost").length'; }
heard() { jget "$1" '(j.reports?j.reports.sources:[]).map(s=>s.nwk).sort().join(",")'; }

# source NAME STACK ARGS...: an emulated stick seeded with the CC2652R network (8 devices), its
# devices adopted into $WORK/NAME.world.json; leaves the backup in $WORK/NAME.backup.json
source_stick() {
  local n=$1 stack=$2; shift
  rm -f "$WORK/$n.world.json"
  emu_start "$n" "$@" --nvram "$WORK/$n.src.nv" --world "$WORK/$n.world.json" --world-adopt --seed 7 ||
    { fail "$n: source start"; return 1; }
  (cd "$WORK" && "$HAR" restore --stack "$stack" --port "$(port "$n")" --backup "$SEED" --force --burn-ieee) >"$WORK/$n.seed.log" 2>&1 ||
    { fail "$n: seeding the source"; return 1; }
  sleep 3 # a few exchanges with the devices
  "$HAR" backup --stack "$stack" --port "$(port "$n")" -o "$WORK/$n.backup.json" >"$WORK/$n.b.log" 2>&1 ||
    { fail "$n: source backup"; return 1; }
}
