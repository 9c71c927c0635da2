#!/usr/bin/env bash
# The main job: installs what is missing, builds, then a round trip on an emulated stick:
# starts a factory-new emulated Z-Stack 3.x.0 (CC2652R) on a pty, restores onto it with
# zbharness the backup derived from a real CC2652R's NVRAM, backs it up again over the pty,
# validates that backup strictly, compares it with the original and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
build=$(bash ci/build.sh)
work=$(mktemp -d)
emu_pid=
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

source_backup=vectors/backups/valid/znp-CC2652R-ZStack4.json
"$build/bin/zbemu" znp --profile zstack3x0 --nvram "$work/nvram.json" >"$work/port" 2>"$work/emu.log" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(head -n1 "$work/port")
echo "== emulated CC2652R (Z-Stack 3.x.0, factory new) on $port, NVRAM $work/nvram.json"
echo "== restore $source_backup"
(cd "$work" && "$OLDPWD/$build/bin/zbharness" restore --stack znp --port "$port" --backup "$OLDPWD/$source_backup")
echo "== back up"
"$build/bin/zbharness" backup --stack znp --port "$port" -o "$work/backup.json"
echo "== validate"
"$build/bin/zbharness" validate "$work/backup.json"
echo "== compare with the source backup (frame counters may only have grown)"
"$build/bin/zbharness" diff "$source_backup" "$work/backup.json"
echo "== the backup (keys included: it is a backup)"
"$build/bin/zbharness" format "$work/backup.json"
