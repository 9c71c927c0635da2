#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, idempotently (run as root).
# Only what is missing is installed; `apt-get update` runs first when anything is.
# --tests adds what only the test suite uses (the fuzz runtime, chromium for the report
# pictures, mmdebstrap for the container image's root file system in ci/docker.sh), so that
# ci/test.sh installs everything in one apt run before its suites start in parallel (two
# apt-get at once would fight over the dpkg lock).
set -euo pipefail
cd "$(dirname "$0")/.."

# nettle-dev: nettle's AES (Debian names it so; there is no libnettle-dev); libexpat1-dev: the XML
# parser of junit-merge; mmdebstrap: the container image's root file system (ci/docker.sh)
pkgs=(build-essential cmake pkg-config libcjson-dev libserialport-dev libcriterion-dev clang
  nettle-dev libexpat1-dev)
# mosquitto: the MQTT broker Zigbee2MQTT needs in tests/system/z2m_handoff.sh (started by it)
[ "${1:-}" = --tests ] && pkgs+=(libclang-rt-14-dev chromium mmdebstrap mosquitto)
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in "${pkgs[@]}"; do
  have_pkg "$p" || need+=("$p")
done
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v python3 >/dev/null 2>&1 || need+=(python3) # vector tools, pty test peers
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "ci/setup.sh: missing packages: ${need[*]}; run as root (or install them)" >&2
    exit 2
  fi
  echo "ci/setup.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Node clients, each pinned by its package-lock.json: tests/node (zigbee-herdsman 10.9.5,
# ajv-cli) and tests/node11 (zigbee-herdsman 11.x, for the herdsman suites run with ZB_HERDSMAN=11)
for dir in tests/node tests/node11; do
  stamp=$dir/node_modules/.zb-installed-lock
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    echo "ci/setup.sh: installing node test clients in $dir (npm ci)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
    cp "$dir/package-lock.json" "$stamp"
  fi
done

# The real Zigbee2MQTT (tests/system/z2m_handoff.sh), pinned by tests/z2m/package-lock.json
if [ "${1:-}" = --tests ]; then
  stamp=tests/z2m/node_modules/.zb-installed-lock
  if ! cmp -s tests/z2m/package-lock.json "$stamp" 2>/dev/null; then
    echo "ci/setup.sh: installing Zigbee2MQTT for the hand-off tests (npm ci)"
    npm ci --prefix tests/z2m --no-audit --no-fund --loglevel=error >/dev/null
    cp tests/z2m/package-lock.json "$stamp"
  fi
fi
