/* test_ezsp.c - EZSP header and structure codecs against ezsp-ash.md §1.5 (herdsman's captured
 * sendUnicast exchange and version frames), §2.1 (format detection) and the §3 layouts: every
 * structure's size and field offsets, and a decode/encode round trip byte for byte. */
#include "ezsp.h"
#include "ezsp_versions.h"
#include "hex.h"

#include <criterion/criterion.h>
#include <string.h>

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    char compact[1024];
    size_t k = 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '|') compact[k++] = *s;
    compact[k] = 0;
    cr_assert(k % 2 == 0 && k / 2 <= cap);
    cr_assert(hex_decode(compact, out, k / 2) == 0, "bad hex %s", compact);
    return k / 2;
}

Test(ezsp, legacy_version_header)
{
    uint8_t f[8];
    size_t n = unhex("00 00 00 0D", f, sizeof(f));
    ezsp_header h;
    cr_assert_eq(ezsp_header_decode(f, n, &h), 3);
    cr_assert(h.legacy);
    cr_assert_eq(h.frame_id, 0);
    cr_assert_eq(f[3], 13);
    /* the NCP's legacy answer (v13, stack 0x7410) */
    uint8_t out[8];
    ezsp_header r = {.seq = 0, .fc_lo = EZSP_FC_RESPONSE, .frame_id = 0, .legacy = true};
    size_t hn = ezsp_header_encode(&r, out);
    out[hn] = 13;
    out[hn + 1] = 2;
    put_le16(out + hn + 2, 0x7410);
    char hx[32];
    hex_encode(out, hn + 4, hx);
    cr_assert_str_eq(hx, "0080000d021074");
}

Test(ezsp, extended_header_from_capture)
{
    uint8_t f[64];
    size_t n = unhex("27 80 01 34 00 | 00 00 00 00 | 9A", f, sizeof(f));
    ezsp_header h;
    cr_assert_eq(ezsp_header_decode(f, n, &h), 5);
    cr_assert(!h.legacy);
    cr_assert_eq(h.seq, 0x27);
    cr_assert_eq(h.fc_lo, 0x80);
    cr_assert_eq(h.frame_id, 0x0034);
    uint8_t out[8];
    cr_assert_eq(ezsp_header_encode(&h, out), 5);
    cr_assert(memcmp(out, f, 5) == 0);
}

Test(ezsp, header_rejects_reserved_bits_and_short_frames)
{
    uint8_t bad[] = {0x01, 0x00, 0x05, 0x00, 0x00}; /* FC_hi reserved bit 0x04 */
    ezsp_header h;
    cr_assert_eq(ezsp_header_decode(bad, sizeof(bad), &h), -1);
    uint8_t v2[] = {0x01, 0x00, 0x02, 0x00, 0x00}; /* format version 2 */
    cr_assert_eq(ezsp_header_decode(v2, sizeof(v2), &h), -1);
    cr_assert_eq(ezsp_header_decode(bad, 3, &h), -1);
}

Test(ezsp, aps_frame_from_capture)
{
    uint8_t f[64];
    size_t n = unhex("27 00 01 34 00 | 00 | DE C9 | 04 01 06 00 01 01 40 11 00 00 00 | 03 00 | "
                     "03 01 04 00",
                     f, sizeof(f));
    /* the v14 sendUnicast request through its layout */
    ezsp_unicast_req q;
    cr_assert_eq(zs_decode(&ezsp_unicast_req_layout, f + 5, n - 5, &q, NULL), (long)(n - 5));
    cr_assert_eq(q.type, 0); /* DIRECT */
    cr_assert_eq(q.destination, 0xC9DE);
    const ezsp_aps_frame a = q.aps[0];
    cr_assert_eq(a.profile_id, 0x0104);
    cr_assert_eq(a.cluster_id, 0x0006);
    cr_assert_eq(a.src_ep, 1);
    cr_assert_eq(a.dst_ep, 1);
    cr_assert_eq(a.options, 0x1140);
    cr_assert_eq(a.group_id, 0);
    cr_assert_eq(a.sequence, 0);
    cr_assert_eq(q.tag, 3); /* v14 tag u16 */
    cr_assert_eq(q.message_len, 3);
    uint8_t out[16];
    cr_assert_eq(zs_encode_to(&ezsp_aps_frame_layout, &a, out, sizeof(out)), 11);
    cr_assert(memcmp(out, f + 8, 11) == 0);
    uint8_t all[64];
    cr_assert_eq(zs_encode_to(&ezsp_unicast_req_layout, &q, all, sizeof(all)), (long)(n - 5));
    cr_assert(memcmp(all, f + 5, n - 5) == 0);
}

Test(ezsp, status_width_by_version)
{
    uint8_t out[8];
    zb_buf b = zb_buf_init(out, sizeof(out));
    /* stackStatusHandler's rows at v13 and v14 */
    zs_encode(ezsp_cmd_row(EZSP_ID_STACK_STATUS_HANDLER, 13)->rsp,
              &(ezsp_st){.status = EMBER_NETWORK_UP}, &b);
    cr_assert_eq(b.len, 1);
    zs_encode(ezsp_cmd_row(EZSP_ID_STACK_STATUS_HANDLER, 14)->rsp,
              &(ezsp_st){.status = SL_NETWORK_UP}, &b);
    cr_assert_eq(b.len, 5);
    char hx[32];
    hex_encode(out, b.len, hx);
    cr_assert_str_eq(hx, "9015000000"); /* §1.5: the two stackStatusHandler payloads */
}

/* A layout test: decode a pattern, check named fields at their §3 offsets, re-encode. */
#define ROUND_TRIP(type, size, layout, pattern_hex)                                                \
    do {                                                                                           \
        uint8_t in_[64], out_[64];                                                                 \
        size_t n_ = unhex(pattern_hex, in_, sizeof(in_));                                          \
        cr_assert_eq(n_, size);                                                                    \
        cr_assert_eq(zs_decode(&layout, in_, n_, &v, NULL), (long)size);                           \
        cr_assert_eq(zs_encode_to(&layout, &v, out_, sizeof(out_)), (long)size);                   \
        cr_assert(memcmp(in_, out_, size) == 0);                                                   \
    } while (0)

Test(ezsp, network_parameters_layout)
{
    ezsp_network_params v;
    ROUND_TRIP(ezsp_network_params, 20, ezsp_network_params_layout,
               "0102030405060708 621A 05 0B 00 0000 03 00F8FF07");
    cr_assert_eq(v.extended_pan_id[0], 0x01);
    cr_assert_eq(v.extended_pan_id[7], 0x08);
    cr_assert_eq(v.pan_id, 0x1A62);
    cr_assert_eq(v.radio_tx_power, 5);
    cr_assert_eq(v.radio_channel, 11);
    cr_assert_eq(v.nwk_update_id, 3);
    cr_assert_eq(v.channels, 0x07FFF800);
}

Test(ezsp, initial_security_state_layout)
{
    ezsp_initial_security v;
    ROUND_TRIP(ezsp_initial_security, 43, ezsp_initial_security_layout,
               "841B 5A6967426565416C6C69616E63653039 01030507090B0D0F00020406080A0C0D 07 "
               "FFFFFFFFFFFFFFFF");
    cr_assert_eq(v.bitmask, 0x1B84);
    cr_assert_eq(v.preconfigured_key[0], 0x5A);
    cr_assert_eq(v.network_key[15], 0x0D);
    cr_assert_eq(v.network_key_seq, 7);
    cr_assert_eq(v.tc_eui64[0], 0xFF);
}

Test(ezsp, secman_context_layout)
{
    ezsp_secman_context v;
    /* herdsman's context for exportKey(NETWORK, 0): psaKeyAlgPermission 0x05440100 */
    ROUND_TRIP(ezsp_secman_context, 18, ezsp_secman_context_layout,
               "01 00 0000 0000000000000000 00 00 00014405");
    cr_assert_eq(v.core_key_type, SECMAN_KEY_NETWORK);
    cr_assert_eq(v.psa_key_alg_permission, 0x05440100);
    ROUND_TRIP(ezsp_secman_context, 18, ezsp_secman_context_layout,
               "04 03 1000 1122334455667788 00 03 00000000");
    cr_assert_eq(v.key_index, 3);
    cr_assert_eq(v.derived_type, 0x0010);
    cr_assert_eq(v.eui64[0], 0x11);
    cr_assert_eq(v.flags, SECMAN_FLAG_KEY_INDEX_VALID | SECMAN_FLAG_EUI_VALID);
}

Test(ezsp, key_info_and_metadata_layouts)
{
    ezsp_network_key_info v;
    ROUND_TRIP(ezsp_network_key_info, 8, ezsp_network_key_info_layout, "01 00 02 00 78563412");
    cr_assert_eq(v.network_key_set, 1);
    cr_assert_eq(v.network_key_seq, 2);
    cr_assert_eq(v.network_key_frame_counter, 0x12345678);
    ezsp_aps_key_metadata m;
#define v m
    ROUND_TRIP(ezsp_aps_key_metadata, 12, ezsp_aps_key_metadata_layout,
               "1201 44332211 88776655 2C01");
#undef v
    cr_assert_eq(m.bitmask, 0x0112);
    cr_assert_eq(m.outgoing_frame_counter, 0x11223344);
    cr_assert_eq(m.incoming_frame_counter, 0x55667788);
    cr_assert_eq(m.ttl_seconds, 300);
}

Test(ezsp, child_token_version_multicast_layouts)
{
    {
        ezsp_child_data v;
        ROUND_TRIP(ezsp_child_data, 18, ezsp_child_data_layout,
                   "1122334455667788 04 3412 00 00 08 10270000");
        cr_assert_eq(v.type, 4);
        cr_assert_eq(v.id, 0x1234);
        cr_assert_eq(v.timeout, 8);
        cr_assert_eq(v.remaining_timeout, 10000);
    }
    {
        ezsp_token_info v;
        ROUND_TRIP(ezsp_token_info, 8, ezsp_token_info_layout, "2AE10100 00 00 08 01");
        cr_assert_eq(v.nvm3_key, 0x1E12A);
        cr_assert_eq(v.size, 8);
        cr_assert_eq(v.array_size, 1);
    }
    {
        ezsp_version_info v;
        ROUND_TRIP(ezsp_version_info, 7, ezsp_version_info_layout, "E803 07 04 01 00 AA");
        cr_assert_eq(v.build, 1000);
        cr_assert_eq(v.major, 7);
        cr_assert_eq(v.type, 0xAA);
    }
    {
        ezsp_multicast_entry v;
        ROUND_TRIP(ezsp_multicast_entry, 4, ezsp_multicast_entry_layout, "840B F2 00");
        cr_assert_eq(v.multicast_id, 0x0B84);
        cr_assert_eq(v.endpoint, 242);
    }
}

Test(ezsp, short_input_is_detected)
{
    uint8_t in[10] = {0};
    ezsp_network_params v;
    zs_err err;
    cr_assert_eq(zs_decode(&ezsp_network_params_layout, in, sizeof(in), &v, &err), -1);
    cr_assert_str_eq(err.field, "radio_tx_power");
}

Test(ezsp, channel_mask)
{
    uint8_t ch[16];
    for (int i = 0; i < 16; i++)
        ch[i] = (uint8_t)(11 + i);
    cr_assert_eq(ezsp_channel_mask(ch, 16), 0x07FFF800);
    cr_assert_eq(ezsp_channel_mask(ch, 1), 0x00000800);
}
