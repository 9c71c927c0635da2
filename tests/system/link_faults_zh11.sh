#!/usr/bin/env bash
# link_faults.sh again on zigbee-herdsman 11.x (tests/node11, ZB_HERDSMAN=11): the same checks, a suite of
# its own so that ci/test.sh runs it beside the 10.9.5 one. Usage: tests/system/link_faults_zh11.sh BUILD_DIR
exec env ZB_HERDSMAN=11 bash "$(dirname "$0")/link_faults.sh" "$@"
