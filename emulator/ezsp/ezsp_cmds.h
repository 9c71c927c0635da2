/* ezsp_cmds.h - what the EZSP command files share (ezsp_cmds.c: dispatch, configuration and
 * identity; ezsp_cmds_network.c; ezsp_cmds_security.c; ezsp_cmds_tables.c; ezsp_legacy.c):
 * the status writers, token shortcuts and each file's command table. Private to those files. */
#ifndef ZB_EZSP_CMDS_H
#define ZB_EZSP_CMDS_H

#include "ezsp_frontend.h"

#include "bytes.h"

#include <stddef.h>
#include <stdint.h>

#define ALL EZSP_V_ALL

/* ---------------------------------------------------------------- helpers */

/* A status in the negotiated version's terms: EmberStatus/EzspStatus up to v13, sl_status from
 * v14 (the layout gives its width, ezsp_schema.h ST) */
static inline uint32_t st(const ezsp_ncp *n, uint8_t ember, uint32_t sl)
{
    return n->version >= 14 ? sl : ember;
}
#define ST_OK(n) st(n, 0, SL_OK)


/* the request and response structs of a call */
#define REQ(type) const type *q = (const type *)c->req
#define RSP(type) type *a = (type *)c->rsp

/* a child- or key-table element in use: its EUI64 is neither blank nor erased */
static inline bool slot_used(const uint8_t *s)
{
    return s && !zb_ieee_blank(s);
}

static inline uint8_t *tok(ezsp_ncp *n, uint32_t key)
{
    return ezsp_nv_elem(&n->nv, key, 0);
}

static inline void node_data(ezsp_ncp *n, ezsp_node_data *nd)
{
    ezsp_node_data_decode(tok(n, TOK_NODE_DATA), nd);
}

/* stackStatusHandler, sent a moment after the response (§10) */
void ezsp_stack_status_later(ezsp_ncp *n, uint8_t ember, uint32_t sl);
/* A callback whose payload is `payload` encoded through the schema row of frame_id at the
 * negotiated version, sent after delay_ms (ezsp_cmds.c) */
void ezsp_callback_struct(ezsp_ncp *n, uint16_t frame_id, const void *payload, unsigned delay_ms);

/* the endpoint addEndpoint registered as ep, or NULL (ezsp_cmds.c) */
ezsp_endpoint *ezsp_find_endpoint(ezsp_ncp *n, uint8_t ep);

/* each file's commands; ezsp_dispatch looks an (id, version) up in all of them */
extern const ezsp_cmd ezsp_config_commands[];
extern const size_t ezsp_n_config_commands;
extern const ezsp_cmd ezsp_network_commands[];
extern const size_t ezsp_n_network_commands;
extern const ezsp_cmd ezsp_security_commands[];
extern const size_t ezsp_n_security_commands;
extern const ezsp_cmd ezsp_table_commands[];
extern const size_t ezsp_n_table_commands;

#endif
