/* status.h - the three outcomes of a zbharness operation, and the exit codes of the CLI.
 *
 * Why its own header: the library layer (ops.c, roundtrip.c, session_fd.c) reports how an
 * operation ended and the commands (cmd_*.c) exit with it unchanged; both include this, so the
 * library needs nothing of the CLI (cli.h). The numbers are the documented exit codes. */
#ifndef ZB_STATUS_H
#define ZB_STATUS_H

enum zbh_status {
    ZBH_OK = 0,    /* done; exit 0 */
    ZBH_FAIL = 1,  /* a check failed, the device refused or did not answer; exit 1 */
    ZBH_USAGE = 2, /* usage or environment: bad option, port unusable, file unwritable; exit 2 */
};

#endif
