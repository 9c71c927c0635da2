/* fuzz_mt_parser.c - libFuzzer target: the MT/UNPI frame parser sees every byte a host (or a
 * hostile peer) sends. Properties: no crash or sanitizer report; every frame it delivers is
 * within bounds and re-encodes to bytes that parse back to the same frame. */
#include "mt.h"

#include <stdlib.h>
#include <string.h>

static mt_frame g_last;
static int g_delivered;

static void on_reparse(void *ctx, const mt_frame *f)
{
    (void)ctx;
    g_last = *f;
    g_delivered++;
}

static void on_frame(void *ctx, const mt_frame *f)
{
    (void)ctx;
    if (f->len > MT_MAX_DATA) abort();
    uint8_t out[MT_MAX_DATA + 5];
    size_t n = mt_encode(f, out, sizeof(out));
    if (n != (size_t)f->len + 5) abort();
    mt_parser p;
    mt_parser_init(&p);
    g_delivered = 0;
    mt_parser_feed(&p, out, n, on_reparse, NULL);
    if (g_delivered != 1 || g_last.cmd0 != f->cmd0 || g_last.cmd1 != f->cmd1 ||
        g_last.len != f->len || memcmp(g_last.data, f->data, f->len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mt_parser p;
    mt_parser_init(&p);
    /* two feeds, so that frames straddling reads are exercised */
    size_t half = size / 2;
    mt_parser_feed(&p, data, half, on_frame, NULL);
    mt_parser_feed(&p, data + half, size - half, on_frame, NULL);
    return 0;
}
