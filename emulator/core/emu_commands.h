/* emu_commands.h - the emulators' command tables as lookups by id: the name of the row that
 * serves an MT pair, an EZSP frame id at a version, or a ZBOSS call id, or NULL when the
 * emulator has none (and answers with an RPC error, invalidCommand or ILLEGAL_REQUEST).
 * Dispatch uses the same rows; tests/unit/test_proto_names.c checks the harness's drivers
 * against them, so a driver and the emulator cannot drift apart on an id. */
#ifndef ZB_EMU_COMMANDS_H
#define ZB_EMU_COMMANDS_H

#include <stdint.h>

/* znp_cmds.c; the row may still be refused by a profile (SYS_NV_* need 3.x.0, APP_CNF 3.x) */
const char *znp_command_name(uint8_t cmd0, uint8_t cmd1);
/* ezsp_cmds.c: the command the NCP serves at this negotiated version */
const char *ezsp_command_name(uint16_t frame_id, int version);
/* zboss_cmds.c */
const char *zboss_command_name(uint16_t call_id);

#endif
