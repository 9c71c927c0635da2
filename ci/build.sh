#!/usr/bin/env bash
# Builds into build/ (release: what the README's commands run) or, with --sanitize, into
# build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer (what the tests run).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = --sanitize ]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=Debug -DZB_SANITIZE=ON)
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
echo "$dir"
