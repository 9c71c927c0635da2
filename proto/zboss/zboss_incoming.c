/* zboss_incoming.c - ZBOSS's incoming-message event, APSDE_DATA_IND (0x0306), to and from the
 * stack-neutral zb_incoming (incoming.h), through the schema's layout (zboss_apsde_data_ind,
 * proto/zboss/zboss_schema.h). */
#include "zboss_incoming.h"

#include "zboss_schema.h"

#include <stdlib.h>
#include <string.h>

#define ZBOSS_DATA_IND_PARAMS 21 /* param_len: the bytes after itself and data_len */

/* The emulator's frames come from a neighbour straight to the coordinator (MAC src = src,
 * dst 0). */
size_t zboss_apsde_data_ind_encode(const zb_incoming *m, uint8_t *out, size_t cap)
{
    zboss_apsde_data_ind *e = calloc(1, sizeof(*e));
    if (!e || m->len > sizeof e->payload) {
        free(e);
        return 0;
    }
    *e = (zboss_apsde_data_ind){.param_len = ZBOSS_DATA_IND_PARAMS,
                                .data_len = (uint16_t)m->len,
                                .aps_fc = (uint8_t)m->options,
                                .src = m->nwk,
                                .group = m->group,
                                .dst_ep = m->dst_ep,
                                .src_ep = m->src_ep,
                                .cluster = m->cluster,
                                .profile = m->profile,
                                .aps_counter = m->seq,
                                .mac_src = m->nwk,
                                .lqi = m->lqi,
                                .rssi = (uint8_t)m->rssi,
                                .key_src_attr = m->security,
                                .payload_len = (uint16_t)m->len};
    if (m->len) memcpy(e->payload, m->data, m->len);
    long n = zs_encode_to(&zboss_apsde_data_ind_layout, e, out, cap);
    free(e);
    return n < 0 ? 0 : (size_t)n;
}

/* param_len counts the bytes after itself and data_len: a longer block (a later release) is
 * skipped by it, so the data is found from param_len, not from the layout's end */
int zboss_apsde_data_ind_decode(const uint8_t *p, size_t n, zb_incoming *m)
{
    zboss_apsde_data_ind *e = malloc(sizeof(*e));
    memset(m, 0, sizeof(*m));
    if (!e) return -1;
    int rc = zs_decode(&zboss_apsde_data_ind_layout, p, n, e, NULL) < 0 ? -1 : 0;
    size_t at = rc ? 0 : 3 + (size_t)e->param_len;
    if (rc || e->param_len < ZBOSS_DATA_IND_PARAMS || n < at || n - at < e->data_len) {
        free(e);
        return -1;
    }
    m->len = e->data_len;
    m->options = e->aps_fc;
    m->nwk = e->src;
    m->group = e->group;
    m->dst_ep = e->dst_ep;
    m->src_ep = e->src_ep;
    m->cluster = e->cluster;
    m->profile = e->profile;
    m->seq = e->aps_counter;
    m->lqi = e->lqi;
    m->rssi = (int8_t)e->rssi;
    m->security = e->key_src_attr;
    m->data = p + at;
    free(e);
    return 0;
}
