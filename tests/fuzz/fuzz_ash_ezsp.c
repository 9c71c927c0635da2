/* fuzz_ash_ezsp.c - libFuzzer target: the ASH deframer and the EZSP header/struct decoders see
 * every byte a host or an NCP sends. Properties: no crash or sanitizer report; a decoded DATA
 * frame re-encodes to bytes that decode to the same payload; the EZSP decoders stay inside
 * the frame (the reader's short-read flag, never an overrun). */
#include "ash.h"
#include "bytes.h"
#include "ezsp.h"

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
    /* every struct decoder over the parameters: bounded by the reader */
    ezsp_network_params np;
    ezsp_initial_security is;
    ezsp_secman_context sc;
    ezsp_network_key_info nk;
    ezsp_aps_key_metadata km;
    ezsp_child_data cd;
    ezsp_aps_frame af;
    ezsp_token_info ti;
    ezsp_version_info vi;
    ezsp_multicast_entry me;
    zb_rd r = zb_rd_init(p + off, n - (size_t)off);
    ezsp_get_network_params(&r, &np);
    ezsp_get_initial_security(&r, &is);
    ezsp_get_secman_context(&r, &sc);
    ezsp_get_network_key_info(&r, &nk);
    ezsp_get_aps_key_metadata(&r, &km);
    ezsp_get_child_data(&r, &cd);
    ezsp_get_aps_frame(&r, &af);
    ezsp_get_token_info(&r, &ti);
    ezsp_get_version_info(&r, &vi);
    ezsp_get_multicast_entry(&r, &me);
    (void)ezsp_get_status(&r, 13);
    (void)ezsp_get_status(&r, 8);
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
