/* progress.h - what a slow step is doing, on stderr: which protocol --stack auto is trying,
 * which table is being read, which emulator is starting. A user watching a stick that takes
 * seconds to answer sees why; -q silences it. stdout stays for results (and for `--tap -`). */
#ifndef ZB_PROGRESS_H
#define ZB_PROGRESS_H

void zbh_progress_set_quiet(int quiet);
int zbh_progress_quiet(void);
/* "zbharness: <message>\n" on stderr unless quiet. */
void zbh_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
