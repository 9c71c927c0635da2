/* fuzz_emu_frames.c - libFuzzer target: whole emulators (zbemu znp|ezsp|zboss) driven by the
 * bytes a host sends, with their NVRAM in a file, and the file loaded again afterwards
 * (issue 13: one valid SYS_NV_CREATE once made a file its own loader refused).
 *
 * Input: byte 0 picks the front end (b % 3: znp, ezsp, zboss) and its variant (b / 3: the ZNP
 * profile, the EZSP version); the rest is the host's byte stream, fed in chunks split at 0x7E
 * flags and MT SOFs the way a pty read might deliver them. Properties: no crash or sanitizer
 * report; every NVRAM write succeeded (emu_destroy reports a file behind the memory); the file
 * the run left loads again into the same front end. Seeds: a traced zbharness restore per
 * stack (ci/fuzz.sh). */
#include "emu.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_path[128];

static void setup(void)
{
    if (g_path[0]) return;
    char dir[] = "/dev/shm/zbfuzz.XXXXXX"; /* tmpfs: fsync per NV write costs nothing */
    char *d = mkdtemp(dir);
    if (!d) {
        char alt[] = "/tmp/zbfuzz.XXXXXX";
        d = mkdtemp(alt);
        if (!d) abort();
        snprintf(g_path, sizeof(g_path), "%s/nv.json", d);
    } else {
        snprintf(g_path, sizeof(g_path), "%s/nv.json", d);
    }
    zb_log_set_level(ZB_LOG_ERROR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const emu_frontend *const FE[] = {&emu_znp_frontend, &emu_ezsp_frontend,
                                             &emu_zboss_frontend};
    static const char *const ZNP_PROFILES[] = {"zstack3x0", "zstack30", "zstack30-cc2538",
                                               "zstack12"};
    if (size < 1) return 0;
    setup();
    unlink(g_path);
    const emu_frontend *fe = FE[data[0] % 3];
    emu_options o = {.nvram_path = g_path, .seed = 1};
    if (data[0] % 3 == 0) o.profile = ZNP_PROFILES[(data[0] / 3) % 4];
    if (data[0] % 3 == 1) o.ezsp_version = 13 + (data[0] / 3) % 6;
    char err[512] = "";
    emu *e = emu_create(fe, &o, err, sizeof(err));
    if (!e) {
        fprintf(stderr, "factory-new %s did not start: %s\n", fe->name, err);
        abort();
    }
    size_t start = 1;
    for (size_t i = 2; i <= size; i++)
        if (i == size || data[i] == 0x7E || data[i] == 0xFE || i - start >= 256) {
            emu_feed(e, data + start, i - start);
            start = i;
        }
    if (emu_destroy(e) < 0) {
        fprintf(stderr, "%s: an NVRAM write failed\n", fe->name);
        abort();
    }
    e = emu_create(fe, &o, err, sizeof(err));
    if (!e) {
        fprintf(stderr, "%s: its own NVRAM file does not load again: %s\n", fe->name, err);
        abort();
    }
    if (emu_destroy(e) < 0) abort();
    return 0;
}
