#!/usr/bin/env bash
# A sample of the soak (tests/soak/soak.py, `--target soak`): a few interrupted restores per
# stack (SIGKILL of either program, Ctrl-C, a noisy link; a third run again), each judged;
# any UNSAFE attempt (a network lost, a counter lowered, a false success) fails.
# Usage: soak_sample.sh BUILD_DIR   (ZB_SOAK_ATTEMPTS=N: more)
set -uo pipefail
cd "$(dirname "$0")/../.."
python3 tests/soak/soak.py --build "${1:?usage: $0 BUILD_DIR}" --attempts "${ZB_SOAK_ATTEMPTS:-5}" \
  --jobs 2 --seed "$(date +%j)"
