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

/* "Ember" status: EmberStatus u8 up to v13, sl_status u32 from v14 */
static inline void st_ember(ezsp_ncp *n, zb_buf *b, uint8_t ember, uint32_t sl)
{
    ezsp_put_status(b, n->version, n->version >= 14 ? sl : ember);
}
#define ST_OK(n, b) st_ember(n, b, 0, SL_OK)


/* "Ezsp" status: EzspStatus u8 up to v13, sl_status u32 from v14 */
static inline void st_ezsp(ezsp_ncp *n, zb_buf *b, uint8_t ezsp, uint32_t sl)
{
    ezsp_put_status(b, n->version, n->version >= 14 ? sl : ezsp);
}

static inline void st32(zb_buf *b, uint32_t sl)
{
    zb_put_le32(b, sl);
}

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
