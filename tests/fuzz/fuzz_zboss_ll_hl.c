/* fuzz_zboss_ll_hl.c - libFuzzer target: the ZBOSS LL packet parser, fragment reassembly and
 * HL decoder see every byte a host or an NCP sends. Properties: no crash; a valid data packet
 * re-encodes to bytes that parse back to the same body; HL parameters stay inside the message;
 * reassembly never exceeds its limit. */
#include "zboss.h"

#include <stdlib.h>
#include <string.h>

static zboss_reasm g_reasm;
static zboss_ll_packet g_again;
static int g_n;

static void on_again(void *ctx, int ev, const zboss_ll_packet *p)
{
    (void)ctx;
    if (ev == ZBOSS_LL_PACKET) {
        g_again = *p;
        g_n++;
    }
}

static void on_packet(void *ctx, int ev, const zboss_ll_packet *p)
{
    (void)ctx;
    if (ev != ZBOSS_LL_PACKET || p->len == 0) return;
    if (p->len > ZBOSS_LL_MAX_BODY) abort();
    uint8_t out[ZBOSS_LL_MAX_PKT];
    size_t n = zboss_ll_encode(p->flags, p->body, p->len, out, sizeof(out));
    if (n) {
        zboss_ll_parser q;
        zboss_ll_parser_init(&q);
        g_n = 0;
        zboss_ll_parser_feed(&q, out, n, on_again, NULL);
        if (g_n != 1 || g_again.len != p->len || memcmp(g_again.body, p->body, p->len) != 0)
            abort();
    }
    int rc = zboss_reasm_add(&g_reasm, p->flags, p->body, p->len);
    if (g_reasm.len > g_reasm.max) abort();
    if (rc == 1) {
        zboss_hl h;
        if (zboss_hl_decode(g_reasm.buf, g_reasm.len, &h) == 0 &&
            (h.params < g_reasm.buf || h.params + h.params_len > g_reasm.buf + g_reasm.len))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zboss_ll_parser p;
    zboss_ll_parser_init(&p);
    zboss_reasm_init(&g_reasm, 1600);
    size_t half = size / 2;
    zboss_ll_parser_feed(&p, data, half, on_packet, NULL);
    zboss_ll_parser_feed(&p, data + half, size - half, on_packet, NULL);
    zboss_reasm_free(&g_reasm);
    zboss_hl h; /* the HL decoder alone, on raw bytes */
    if (zboss_hl_decode(data, size, &h) == 0 &&
        (h.params < data || h.params + h.params_len > data + size))
        abort();
    return 0;
}
