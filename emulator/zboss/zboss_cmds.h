/* zboss_cmds.h - what the ZBOSS call-handler files share (zboss_cmds.c: configuration, NVRAM,
 * AF, APS, NWK and dispatch; zboss_cmds_zdo.c: the ZDO calls): the handler type, the reply
 * helpers and each file's table. Private to those files. */
#ifndef ZB_ZBOSS_CMDS_H
#define ZB_ZBOSS_CMDS_H

#include "zboss_frontend.h"
#include "zboss_schema.h"

#include "bytes.h"

#include <stddef.h>
#include <stdint.h>

/* One call being served: the request's header, its parameters decoded through the call's
 * request layout (proto/zboss_schema.h) and the response struct the handler fills. */
typedef struct zboss_ctx {
    zboss_emu *z;
    const zboss_hl *req;
    const void *in; /* the row's request struct */
    void *out;      /* the row's response struct, zeroed */
} zboss_ctx;

/* ZBOSS_OK: `out` is encoded as the answer; another status (zboss_st: category << 8 | code):
 * the header alone; ZBOSS_ANSWERED: the handler answered itself, or answers later. */
typedef int (*zboss_handler)(const zboss_ctx *c);

typedef struct zboss_cmd {
    uint16_t call_id; /* its row in zboss_cmds (proto/zboss_schema.c) gives name and layouts */
    zboss_handler fn;
} zboss_cmd;

enum { ZBOSS_ANSWERED = -1 };

static inline int zboss_st(uint8_t cat, uint8_t code)
{
    return cat << 8 | code;
}

enum {
    ZDP_SUCCESS = 0x00,
    ZDP_INV_REQUESTTYPE = 0x80,
    ZDP_DEVICE_NOT_FOUND = 0x81,
    ZDP_TIMEOUT = 0x85
};
enum { APS_NO_ACK = 0xA7 };

/* Encodes `rsp` (of `layout`) as a success answer to `req` now. */
void zboss_answer(zboss_emu *z, const zboss_hl *req, const zs_layout *layout, const void *rsp);

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
