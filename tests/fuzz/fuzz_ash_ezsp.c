/* fuzz_ash_ezsp.c - libFuzzer target: the ASH deframer and the EZSP header/struct decoders see
 * every byte a host or an NCP sends. Properties: no crash or sanitizer report; a decoded DATA
 * frame re-encodes to bytes that decode to the same payload; the EZSP layouts (ezsp_schema.h)
 * stay inside the frame and re-encode what they decoded. */
#include "ash.h"
#include "bytes.h"
#include "ezsp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static ash_frame g_again;
static int g_n;

static void on_again(void *ctx, const ash_frame *f)
{
    (void)ctx;
    g_again = *f;
    g_n++;
}

static void decode_ezsp(const uint8_t *p, size_t n)
{
    ezsp_header h;
    int off = ezsp_header_decode(p, n, &h);
    if (off < 0) return;
    if ((size_t)off > n) abort();
    /* every command layout of every version, both ways, over the parameters: the codec stays
     * inside the frame, and what decodes re-encodes to the bytes it took */
    static _Alignas(max_align_t) uint8_t obj[EZSP_SCHEMA_MAX_STRUCT];
    uint8_t back[EZSP_MAX_FRAME];
    for (size_t i = 0; i < ezsp_n_commands; i++) {
        const zs_layout *ls[2] = {ezsp_commands[i].req, ezsp_commands[i].rsp};
        for (int k = 0; k < 2; k++) {
            if (!ls[k]) continue;
            long took = zs_decode(ls[k], p + off, n - (size_t)off, obj, NULL);
            if (took < 0) continue;
            if ((size_t)took > n - (size_t)off) abort();
            /* raw input may be longer than any frame: what no frame can carry is not encoded */
            if ((size_t)took > sizeof(back)) continue;
            long w = zs_encode_to(ls[k], obj, back, sizeof(back));
            if (w != took || memcmp(back, p + off, (size_t)w) != 0) abort();
        }
    }
}

static void on_frame(void *ctx, const ash_frame *f)
{
    (void)ctx;
    if (f->len > ASH_MAX_DATA) abort();
    if (f->status != ASH_RX_OK || ash_frame_type(f->control, f->len + 1) != ASH_DATA) return;
    decode_ezsp(f->data, f->len);
    uint8_t out[2 * (ASH_MAX_DATA + 4) + 2];
    size_t n = ash_encode_data(ash_frm_num(f->control), ash_ack_num(f->control),
                               ash_retx(f->control), f->data, f->len, out, sizeof(out));
    if (!n) return;
    ash_decoder d;
    ash_decoder_init(&d);
    g_n = 0;
    ash_decoder_feed(&d, out, n, on_again, NULL);
    if (g_n != 1 || g_again.len != f->len || memcmp(g_again.data, f->data, f->len) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ash_decoder d;
    ash_decoder_init(&d);
    size_t half = size / 2;
    ash_decoder_feed(&d, data, half, on_frame, NULL);
    ash_decoder_feed(&d, data + half, size - half, on_frame, NULL);
    decode_ezsp(data, size); /* the EZSP layer alone, on raw bytes too */
    return 0;
}
