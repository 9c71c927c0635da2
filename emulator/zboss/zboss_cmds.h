/* zboss_cmds.h - what the ZBOSS call-handler files share (zboss_cmds.c: configuration, NVRAM,
 * AF, APS, NWK and dispatch; zboss_cmds_zdo.c: the ZDO calls): the table row type, the reply
 * helpers and each file's table. Private to those files. */
#ifndef ZB_ZBOSS_CMDS_H
#define ZB_ZBOSS_CMDS_H

#include "zboss_frontend.h"

#include "bytes.h"

#include <stddef.h>
#include <stdint.h>

typedef void (*zboss_handler)(zboss_emu *z, const zboss_hl *req);

typedef struct zboss_cmd {
    uint16_t call_id;
    uint16_t min_len, max_len;
    zboss_handler fn;
    const char *name;
} zboss_cmd;

#define ANY_LEN 0xFFFF

enum {
    ZDP_SUCCESS = 0x00,
    ZDP_INV_REQUESTTYPE = 0x80,
    ZDP_DEVICE_NOT_FOUND = 0x81,
    ZDP_TIMEOUT = 0x85
};
enum { APS_NO_ACK = 0xA7 };

static inline void ok(zboss_emu *z, const zboss_hl *req, const uint8_t *p, size_t n)
{
    zboss_respond(z, req, ZBOSS_CAT_GENERIC, ZBOSS_OK, p, n);
}

static inline void fail(zboss_emu *z, const zboss_hl *req, uint8_t code)
{
    zboss_respond(z, req, ZBOSS_CAT_GENERIC, code, NULL, 0);
}

static inline void ok_u8(zboss_emu *z, const zboss_hl *req, uint8_t v)
{
    ok(z, req, &v, 1);
}

static inline void ok_u16(zboss_emu *z, const zboss_hl *req, uint16_t v)
{
    uint8_t b[2];
    put_le16(b, v);
    ok(z, req, b, 2);
}


/* the address map from NVRAM (none if absent or unreadable) */
static inline long load_addr_map(const zboss_emu *z, zboss_addr_map_entry *out, size_t max)
{
    const zboss_dataset_blob *b = &z->nv.ds[ZBOSS_DS_ADDR_MAP];
    if (!b->present) return 0;
    long n = zboss_addr_map_decode(b->data, b->len, out, max);
    return n < 0 ? 0 : n;
}

/* the ZDO calls (zboss_cmds_zdo.c); zboss_dispatch looks a call id up here too */
extern const zboss_cmd zboss_zdo_commands[];
extern const size_t zboss_n_zdo_commands;

#endif
