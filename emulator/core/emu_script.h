/* emu_script.h - the scripted stick (zbemu --script TRACE, issue 21's driver replay): where a
 * host's request equals one a real stick answered in the trace, the stick's recorded answers
 * go back instead of the model's. Bytes the host chooses itself (the EZSP sequence number, the
 * ZBOSS TSN) are not compared and are patched into the answers. Everything else is the model.
 *
 * So a driver can be shown exactly what real firmware sent, quirks the emulator does not
 * reproduce included, and the run says how many of its requests real bytes answered. */
#ifndef ZB_EMU_SCRIPT_H
#define ZB_EMU_SCRIPT_H

#include "trace.h"

#include <stddef.h>
#include <stdint.h>

typedef struct emu_script emu_script;

/* Loads the trace; NULL + err (file and field) when it does not load or is another stack's. */
emu_script *emu_script_load(const char *path, const char *stack, char *err, size_t errlen);
/* The exchange whose request equals req[0..n) apart from byte `host_byte` (SIZE_MAX: none),
 * or NULL (the model answers). Repeated requests take the recorded exchanges in their order,
 * then the last one again. Counts hits and misses. */
const zbt_exchange *emu_script_answer(emu_script *s, const uint8_t *req, size_t n,
                                      size_t host_byte);
/* Logs (and prints on stderr) how many requests the trace answered. Frees. */
void emu_script_free(emu_script *s);

#endif
