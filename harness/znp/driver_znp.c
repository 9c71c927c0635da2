/* driver_znp.c - the harness's Z-Stack host driver (MT over UART).
 *
 * Backup reads the NV items the stack itself keeps (zstack-mt.md §6): NIB, keys, the frame
 * counter where the firmware keeps it, the address manager and both key tables. Restore forms a
 * network with the backup's PAN/EPID/key/channel through the stack's own commissioning, then
 * overwrites identity, counters and device tables, and restarts: the order real hosts use, so
 * that what a real stick accepts, the emulator accepts too, and vice versa. */
#include "driver.h"
#include "driver_step.h"
#include "mt_cmds.h"
#include "mt_incoming.h"
#include "mt_host.h"
#include "mt_schema.h"
#include "progress.h"

#include "bytes.h"
#include "log.h"
#include "znp_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROWS        1024
#define ZNP_STATE_COORD 9 /* DEV_ZB_COORD */
#define NV_SYS_ZSTACK   1 /* extended NV: the sysId of Z-Stack's own items (zstack-mt.md §3.1) */

typedef struct znp_host {
    mt_host mt;
    uint8_t product;
    bool aligned, ext_nv, bdb;
    /* the last restore: link keys that fit neither the TCLK seed nor the APS key table */
    size_t keys_dropped, aps_rows;
    char keys_why[160];
    zbh_loss losses[8];
    bool no_row_read; /* the device refused a one-request row read: use two (ext_read_row) */
} znp_host;

/* A table as the host sees it: rows of raw bytes (ext rows or legacy ids or one legacy item
 * split into fixed rows). */
typedef struct nv_table {
    size_t n, row_size;
    uint8_t *rows;
} nv_table;

static void table_free(nv_table *t)
{
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

/* ---------------------------------------------------------------- NV access */

static int osal_length(znp_host *h, uint16_t id, uint16_t *len)
{
    mt_nv_id q = {id};
    mt_sys_osal_nv_length_rsp r;
    int rc = mt_host_call(&h->mt, MT_SYS_OSAL_NV_LENGTH, &q, &r, 0);
    *len = rc ? 0 : r.length;
    return rc;
}

/* Reads a whole OSAL item; returns its length (0 = absent) or a negative MT_HOST error. */
static long osal_read(znp_host *h, uint16_t id, uint8_t *out, size_t cap)
{
    uint16_t len;
    int rc = osal_length(h, id, &len);
    if (rc) return rc;
    if (len > cap) return MT_HOST_IO;
    for (size_t off = 0; off < len;) {
        mt_sys_osal_nv_read_ext_req q = {id, (uint16_t)off};
        mt_nv_read_rsp r;
        if ((rc = mt_host_call(&h->mt, MT_SYS_OSAL_NV_READ_EXT, &q, &r, 0))) return rc;
        if (r.status != 0 || r.value_len == 0) return MT_HOST_IO;
        size_t n = r.value_len;
        if (off + n > len) n = len - off;
        memcpy(out + off, r.value, n);
        off += n;
    }
    return len;
}

/* Why an item read by osal_read did not give `want` bytes: the link (a timeout, an I/O error)
 * is said as such, never as a missing item. */
static void item_error(char *err, size_t errlen, const char *name, long got, long want)
{
    if (got < 0)
        snprintf(err, errlen, "reading %s: %s", name, mt_host_strerror((int)got));
    else if (got == 0)
        snprintf(err, errlen, "%s is missing", name);
    else
        snprintf(err, errlen, "%s is %ld bytes, not %ld", name, got, want);
}

/* An SREQ whose answer is a status: MT_HOST_IO unless it is one of `ok` (up to two). */
static int call_status(znp_host *h, uint8_t cmd0, uint8_t cmd1, const void *req, uint8_t ok1,
                       uint8_t ok2)
{
    mt_status r;
    int rc = mt_host_call(&h->mt, cmd0, cmd1, req, &r, 0);
    if (rc) return rc;
    return r.status == ok1 || r.status == ok2 ? 0 : MT_HOST_IO;
}

#define NV_WRITE_CHUNK 240

/* Creates (when absent or of another length) and writes an OSAL item. */
static int osal_write(znp_host *h, uint16_t id, const uint8_t *p, size_t len)
{
    uint16_t cur;
    int rc = osal_length(h, id, &cur);
    if (rc) return rc;
    if (cur != len) {
        mt_sys_osal_nv_delete_req del = {id, cur};
        mt_sys_osal_nv_item_init_req init = {id, (uint16_t)len, 0};
        if (cur && (rc = mt_host_call(&h->mt, MT_SYS_OSAL_NV_DELETE, &del, NULL, 0))) return rc;
        /* 0x09: created; 0x00: it existed */
        if ((rc = call_status(h, MT_SYS_OSAL_NV_ITEM_INIT, &init, 0x09, 0x00))) return rc;
    }
    for (size_t off = 0; off < len;) {
        mt_sys_osal_nv_write_ext_req w = {id, (uint16_t)off};
        w.value_len = (uint16_t)(len - off > NV_WRITE_CHUNK ? NV_WRITE_CHUNK : len - off);
        memcpy(w.value, p + off, w.value_len);
        if ((rc = call_status(h, MT_SYS_OSAL_NV_WRITE_EXT, &w, 0, 0))) return rc;
        off += w.value_len;
    }
    return 0;
}

static mt_sys_nv_item ext_id(uint16_t item, uint16_t sub)
{
    return (mt_sys_nv_item){NV_SYS_ZSTACK, item, sub};
}

/* SYS_NV_READ of `want` bytes from the start of the row */
static int ext_read_call(znp_host *h, uint16_t item, uint16_t sub, size_t want, mt_nv_read_rsp *r)
{
    mt_sys_nv_read_req q = {NV_SYS_ZSTACK, item, sub, 0, (uint8_t)want};
    return mt_host_call(&h->mt, MT_SYS_NV_READ, &q, r, 0);
}

static long ext_read(znp_host *h, uint16_t item, uint16_t sub, uint8_t *out, size_t cap)
{
    mt_sys_nv_item x = ext_id(item, sub);
    mt_sys_nv_length_rsp l;
    mt_nv_read_rsp r;
    int rc = mt_host_call(&h->mt, MT_SYS_NV_LENGTH, &x, &l, 0);
    if (rc) return rc;
    if (l.length == 0) return 0;
    if (l.length > cap || l.length > 240) return MT_HOST_IO;
    if ((rc = ext_read_call(h, item, sub, l.length, &r))) return rc;
    if (r.status != 0 || r.value_len != l.length) return MT_HOST_IO;
    memcpy(out, r.value, r.value_len);
    return (long)r.value_len;
}

static int ext_write(znp_host *h, uint16_t item, uint16_t sub, const uint8_t *p, size_t len,
                     bool exists)
{
    int rc;
    if (!exists) {
        mt_sys_nv_create_req c = {NV_SYS_ZSTACK, item, sub, (uint32_t)len};
        if ((rc = call_status(h, MT_SYS_NV_CREATE, &c, 0, 0))) return rc;
    }
    mt_sys_nv_write_req w = {NV_SYS_ZSTACK, item, sub, 0, (uint16_t)len};
    memcpy(w.value, p, len);
    return call_status(h, MT_SYS_NV_WRITE, &w, 0, 0);
}

/* A row of a table whose row size is known: one SYS_NV_READ asking for a byte more than a
 * row, instead of SYS_NV_LENGTH + SYS_NV_READ (that pair was half of a backup's round trips,
 * issue 8). Exactly `size` bytes back proves a full row. Anything else (absent, another size,
 * an error status) takes the two-request path, which tells those apart; a device that refuses
 * the longer read but has the row is asked the two-request way from then on. */
static long ext_read_row(znp_host *h, uint16_t item, uint16_t sub, uint8_t *out, size_t cap,
                         size_t size)
{
    mt_nv_read_rsp r;
    if (h->no_row_read || size >= 240 || size > cap) return ext_read(h, item, sub, out, cap);
    int rc = ext_read_call(h, item, sub, size + 1, &r);
    if (rc && rc != MT_HOST_IO) return rc;
    if (!rc && r.status == 0 && r.value_len == size) {
        memcpy(out, r.value, size);
        return (long)size;
    }
    long n = ext_read(h, item, sub, out, cap);
    if (n == (long)size) h->no_row_read = true;
    return n;
}

/* Reads a table: ext rows (3.x.0), legacy ids from `first` (3.0), until the first absent. */
static int table_read(znp_host *h, uint16_t ext_item, uint16_t legacy_first, size_t max,
                      nv_table *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < max; i++) {
        uint8_t row[256];
        long n = !h->ext_nv ? osal_read(h, (uint16_t)(legacy_first + i), row, sizeof(row))
                 : t->n     ? ext_read_row(h, ext_item, (uint16_t)i, row, sizeof(row), t->row_size)
                            : ext_read(h, ext_item, (uint16_t)i, row, sizeof(row));
        if (n < 0) {
            table_free(t);
            return (int)n;
        }
        if (n == 0) break;
        if (t->n && (size_t)n != t->row_size) break;
        uint8_t *nr = realloc(t->rows, (t->n + 1) * (size_t)n);
        if (!nr) {
            table_free(t);
            return MT_HOST_IO;
        }
        t->rows = nr;
        t->row_size = (size_t)n;
        memcpy(t->rows + t->n * (size_t)n, row, (size_t)n);
        t->n++;
    }
    return 0;
}

/* The address manager: ext rows on 3.x.0, one legacy item of fixed rows before. */
static int addrmgr_read(znp_host *h, nv_table *t)
{
    if (h->ext_nv) return table_read(h, ZNP_EX_ADDRMGR, 0, MAX_ROWS, t);
    memset(t, 0, sizeof(*t));
    uint8_t *buf = malloc(65536);
    if (!buf) return MT_HOST_IO;
    long n = osal_read(h, ZNP_NV_ADDRMGR, buf, 65536);
    size_t rs = znp_addrmgr_entry_size(h->aligned);
    if (n < 0 || n % (long)rs) {
        free(buf);
        return n < 0 ? (int)n : MT_HOST_IO;
    }
    t->rows = buf;
    t->row_size = rs;
    t->n = (size_t)n / rs;
    return 0;
}

/* ---------------------------------------------------------------- open / identify */

/* Wakes the stick and tells the firmware family, NV layout and struct alignment apart. */
static int identify(znp_host *h, zbh_device_info *info, char *err, size_t errlen)
{
    mt_sys_ping_rsp ping;
    mt_sys_version_rsp ver;
    mt_sys_nv_length_rsp ext_len;
    mt_util_assoc_device_rsp assoc;
    int rc = MT_HOST_TIMEOUT;
    /* wake: ping; a CC253x bootloader needs 0xEF ("skip") before it runs the application */
    for (int attempt = 0; attempt < 4 && rc; attempt++) {
        rc = mt_host_call(&h->mt, MT_SYS_PING, NULL, &ping, attempt ? 1000 : 300);
        if (rc == MT_HOST_TIMEOUT && attempt == 0) {
            uint8_t ef = 0xEF;
            zbh_serial_write(h->mt.s, &ef, 1);
            usleep(200000);
        }
    }
    if (rc) {
        snprintf(err, errlen, "no answer to SYS_PING: %s (is it a Z-Stack ZNP stick?)",
                 mt_host_strerror(rc));
        return -1;
    }
    if ((rc = mt_host_call(&h->mt, MT_SYS_VERSION, NULL, &ver, 0))) {
        snprintf(err, errlen, "SYS_VERSION failed: %s", mt_host_strerror(rc));
        return -1;
    }
    h->product = ver.product;
    uint32_t rev = ver.revision_len >= 4 ? get_le32(ver.revision) : 0; /* 1.2: none */
    h->bdb = (ping.capabilities & 0x0400) != 0;
    /* 3.x.0 answers SYS_NV_LENGTH; older firmware gives an RPC error (zigpy-znp's probe) */
    mt_sys_nv_item probe = ext_id(ZNP_EX_TCLK_TABLE, 0);
    h->ext_nv = false;
    if (h->bdb) {
        rc = mt_host_call(&h->mt, MT_SYS_NV_LENGTH, &probe, &ext_len, 0);
        if (rc != MT_HOST_OK && rc != MT_HOST_RPC_ERROR) { /* silence is not "unsupported" */
            snprintf(err, errlen, "SYS_NV_LENGTH failed: %s", mt_host_strerror(rc));
            return -1;
        }
        h->ext_nv = rc == MT_HOST_OK;
    }
    /* alignment: the length of the associated-device struct (28 packed, 36 aligned) */
    mt_util_assoc_find_device_req idx = {0};
    if ((rc = mt_host_call(&h->mt, MT_UTIL_ASSOC_FIND_DEVICE, &idx, &assoc, 0))) {
        snprintf(err, errlen, "UTIL_ASSOC_FIND_DEVICE failed: %s", mt_host_strerror(rc));
        return -1;
    }
    h->aligned = assoc.device_len == znp_assoc_size(true);
    snprintf(info->stack, sizeof(info->stack), "znp");
    snprintf(info->profile, sizeof(info->profile), "%s",
             h->ext_nv ? "zstack3x0"
             : h->bdb  ? "zstack30"
                       : "zstack12");
    snprintf(info->firmware, sizeof(info->firmware), "Z-Stack %s %u (product %u, %s)",
             h->ext_nv ? "3.x.0"
             : h->bdb  ? "3.0.x"
                       : "Home 1.2",
             rev, h->product, h->aligned ? "aligned" : "packed");
    info->can_restore = 1;
    LOG_INFO("znp: %s", info->firmware);
    return 0;
}

static void *znp_open(zbh_serial *s, zbh_device_info *info, char *err, size_t errlen)
{
    znp_host *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    mt_host_init(&h->mt, s);
    if (identify(h, info, err, errlen) == 0) return h;
    zbh_serial_explain(s, err, errlen);
    free(h);
    return NULL;
}

static void znp_close(void *d)
{
    free(d);
}

/* ---------------------------------------------------------------- backup */

static uint64_t ieee_from_le(const uint8_t *p)
{
    return get_le64(p);
}

/* Returns 0, -1 when NV holds no counter for this network, or a negative MT_HOST_* error. */
static int read_frame_counter(znp_host *h, const znp_nib *nib, uint32_t *fc)
{
    if (!h->bdb) {
        uint8_t buf[32];
        znp_nwkkey k;
        long n = osal_read(h, ZNP_NV_NWKKEY, buf, sizeof(buf));
        if (n < 0) return (int)n;
        if (n == 0 || znp_nwkkey_decode(buf, (size_t)n, h->aligned, &k) < 0) return -1;
        *fc = k.frame_counter;
        return 0;
    }
    nv_table t;
    int rc = table_read(h, ZNP_EX_NWK_SEC_MATERIAL_TABLE, ZNP_NV_LEGACY_SEC_MATERIAL, 12, &t);
    if (rc < 0) return rc;
    int found = -1;
    for (size_t i = 0; i < t.n; i++) {
        znp_sec_material m;
        if (znp_sec_material_decode(t.rows + i * t.row_size, t.row_size, &m) < 0) continue;
        if (memcmp(m.extended_pan_id, nib->extended_pan_id, 8) == 0) {
            *fc = m.frame_counter;
            found = 1;
            break;
        }
        if (zb_all_bytes(m.extended_pan_id, 8, 0xFF) && found < 0) {
            *fc = m.frame_counter;
            found = 0;
        }
    }
    table_free(&t);
    return found >= 0 ? 0 : -1;
}

/* Link keys: APS key data rows named by the security-manager table win over hashed TCLK rows. */
/* Returns 0, or a negative MT_HOST_* when a read failed: a table that could not be read is an
 * error, never an empty table (a backup that silently lacks link keys is worse than none). */
static int read_link_keys(znp_host *h, ocb_backup *b, const nv_table *am, const uint8_t *seed)
{
    nv_table tclk = {0}, aps = {0};
    uint8_t smt_buf[2048];
    long smt_len = osal_read(h, ZNP_NV_APS_LINK_KEY_TABLE, smt_buf, sizeof(smt_buf));
    if (smt_len < 0) return (int)smt_len;
    int rc = table_read(h, ZNP_EX_TCLK_TABLE, ZNP_NV_LEGACY_TCLK, 239, &tclk);
    if (rc < 0) return rc;
    if ((rc = table_read(h, ZNP_EX_APS_KEY_DATA_TABLE, ZNP_NV_LEGACY_APS_KEY, 255, &aps)) < 0) {
        table_free(&tclk);
        return rc;
    }
    for (size_t i = 0; seed && i < tclk.n; i++) {
        znp_tclk_row row;
        if (znp_tclk_row_decode(tclk.rows + i * tclk.row_size, tclk.row_size, h->aligned, &row) < 0)
            continue;
        uint64_t ieee = ieee_from_le(row.ext_addr);
        ocb_device *d = (ocb_device *)ocb_find_device(b, ieee);
        if (!d || ieee == 0) continue;
        d->has_link_key = true;
        znp_tclk_derive(seed, row.ext_addr, row.seed_shift, d->link_key.key);
        d->link_key.tx_counter = row.tx_counter;
        d->link_key.rx_counter = row.rx_counter;
    }
    znp_aps_link_key_table smt;
    if (smt_len > 2 &&
        znp_aps_link_key_table_decode(smt_buf, (size_t)smt_len, h->aligned, &smt) == 0) {
        for (size_t i = 0; i < smt.count && i < smt.n_rows; i++) {
            const znp_aps_link_key_row *r = &smt.rows[i];
            if (r->auth_state != 1 || r->addr_mgr_index >= am->n) continue;
            size_t kr =
                h->ext_nv ? r->link_key_nv_id : (size_t)(r->link_key_nv_id - ZNP_NV_LEGACY_APS_KEY);
            znp_addrmgr_entry e;
            znp_aps_key_data k;
            if (kr >= aps.n ||
                znp_addrmgr_entry_decode(am->rows + r->addr_mgr_index * am->row_size, am->row_size,
                                         h->aligned, &e) < 0 ||
                znp_aps_key_data_decode(aps.rows + kr * aps.row_size, aps.row_size, &k) < 0)
                continue;
            ocb_device *d = (ocb_device *)ocb_find_device(b, ieee_from_le(e.ext_addr));
            if (!d) continue;
            d->has_link_key = true;
            memcpy(d->link_key.key, k.key, 16);
            d->link_key.tx_counter = k.tx_counter;
            d->link_key.rx_counter = k.rx_counter;
        }
        znp_aps_link_key_table_free(&smt);
    }
    table_free(&tclk);
    table_free(&aps);
    return 0;
}

/* "No network" is what the stack's own NIB says (absent, or not formed); anything that could
 * not be read or decoded is ZBH_READ_FAILED. */
static ocb_backup *znp_read_network(void *dv, zbh_read_status *st, char *err, size_t errlen)
{
    znp_host *h = dv;
    uint8_t buf[256];
    znp_nib nib;
    zbh_read_status dummy;
    if (!st) st = &dummy;
    *st = ZBH_READ_FAILED;
    long n = osal_read(h, ZNP_NV_NIB, buf, sizeof(buf));
    if (n < 0) {
        snprintf(err, errlen, "reading the NIB: %s", mt_host_strerror((int)n));
        return NULL;
    }
    if (n == 0) {
        *st = ZBH_READ_NO_NETWORK;
        snprintf(err, errlen, "no network: the NIB is absent");
        return NULL;
    }
    if (znp_nib_decode(buf, (size_t)n, h->aligned, &nib) < 0) {
        snprintf(err, errlen, "the NIB (%ld bytes) is of an unexpected size", n);
        return NULL;
    }
    if (nib.nwk_logical_channel < 11 || nib.nwk_logical_channel > 26 || !nib.nwk_key_loaded ||
        nib.nwk_pan_id >= 0xFFFE) {
        *st = ZBH_READ_NO_NETWORK;
        snprintf(err, errlen, "no network formed (NIB channel %u, PAN %04x, key loaded %u)",
                 nib.nwk_logical_channel, nib.nwk_pan_id, nib.nwk_key_loaded);
        return NULL;
    }
    ocb_backup *b = zbh_backup_new();
    if (!b) return NULL;
    long got = osal_read(h, ZNP_NV_EXTADDR, buf, sizeof(buf));
    if (got != 8) {
        item_error(err, errlen, "EXTADDR", got, 8);
        goto fail;
    }
    b->coordinator_ieee = ieee_from_le(buf);
    b->pan_id = nib.nwk_pan_id;
    b->extended_pan_id = ieee_from_le(nib.extended_pan_id);
    b->nwk_update_id = nib.nwk_update_id;
    b->security_level = nib.security_level;
    b->channel = nib.nwk_logical_channel;
    b->channel_mask = nib.channel_list & 0x07FFF800;
    if (!(b->channel_mask & (1u << b->channel))) b->channel_mask |= 1u << b->channel;
    got = osal_read(h, ZNP_NV_NWK_ACTIVE_KEY_INFO, buf, sizeof(buf));
    if (got != 17) {
        item_error(err, errlen, "NWK_ACTIVE_KEY_INFO", got, 17);
        goto fail;
    }
    b->network_key.sequence_number = buf[0];
    memcpy(b->network_key.key, buf + 1, 16);
    int fcrc = read_frame_counter(h, &nib, &b->network_key.frame_counter);
    if (fcrc < 0) {
        if (fcrc == -1)
            snprintf(err, errlen, "no NWK frame counter for this network in NV");
        else
            snprintf(err, errlen, "reading the NWK frame counter: %s", mt_host_strerror(fcrc));
        goto fail;
    }
    uint8_t seed[16];
    long seed_len = h->bdb ? osal_read(h, ZNP_NV_TCLK_SEED, seed, sizeof(seed)) : 0;
    if (seed_len < 0) {
        snprintf(err, errlen, "reading TCLK_SEED: %s", mt_host_strerror((int)seed_len));
        goto fail;
    }
    int have_seed = seed_len == 16;
    if (have_seed) {
        b->has_tclk_seed = true; /* emitted as stack_specific.zstack.tclk_seed */
        memcpy(b->tclk_seed, seed, 16);
    }
    nv_table am;
    zbh_progress("znp: reading the address manager table");
    if (addrmgr_read(h, &am) < 0) {
        snprintf(err, errlen, "reading the address manager failed");
        goto fail;
    }
    for (size_t i = 0; i < am.n; i++) {
        znp_addrmgr_entry e;
        if (znp_addrmgr_entry_decode(am.rows + i * am.row_size, am.row_size, h->aligned, &e) < 0)
            continue;
        if (zb_ieee_blank(e.ext_addr)) continue;
        if (e.type == 0xFF || !(e.type & 0x03)) continue;
        ocb_device d = {.ieee = ieee_from_le(e.ext_addr),
                        .has_nwk = e.nwk_addr != 0xFFFE && e.nwk_addr != 0xFFFF,
                        .nwk = e.nwk_addr,
                        .is_child = (e.type & 0x01) != 0};
        if (!ocb_find_device(b, d.ieee)) ocb_add_device(b, &d);
    }
    if (h->bdb) zbh_progress("znp: reading the link-key tables");
    int lk = h->bdb ? read_link_keys(h, b, &am, have_seed ? seed : NULL) : 0;
    if (lk < 0) {
        snprintf(err, errlen, "reading the link-key tables: %s", mt_host_strerror(lk));
        table_free(&am);
        goto fail;
    }
    table_free(&am);
    ocb_sort_devices(b);
    *st = ZBH_READ_OK;
    return b;
fail:
    ocb_free(b);
    return NULL;
}

/* ---------------------------------------------------------------- restore */

/* A stick answers a soft reset with SYS_RESET_IND within ~1 s (CC2531 ~0.6 s, CC2652 less);
 * 10 s leaves room for a bootloader delay without making a hung device a long wait. */
static int reset_and_wait(znp_host *h)
{
    mt_sys_reset_req soft = {1, {1}};
    mt_host_drain(&h->mt);
    if (mt_host_send(&h->mt, MT_SYS_RESET_REQ, &soft)) return MT_HOST_IO;
    return mt_host_wait_ind(&h->mt, MT_SYS_RESET_IND, NULL, 10000);
}

static int wait_coordinator(znp_host *h)
{
    mt_zdo_state_change_ind ind;
    for (;;) {
        int rc = mt_host_wait_ind(&h->mt, MT_ZDO_STATE_CHANGE_IND, &ind, 60000);
        if (rc) return rc;
        if (ind.state == ZNP_STATE_COORD) return 0;
    }
}

static int start_network(znp_host *h)
{
    int rc;
    if (h->bdb) {
        mt_u8_arg formation = {0x04};
        if ((rc =
                 mt_host_call(&h->mt, MT_APP_CNF_BDB_START_COMMISSIONING, &formation, NULL, 40000)))
            return rc;
    } else {
        mt_zdo_startup_from_app_req delay = {100};
        if ((rc = mt_host_call(&h->mt, MT_ZDO_STARTUP_FROM_APP, &delay, NULL, 40000))) return rc;
    }
    return wait_coordinator(h);
}

/* Writes the device tables for `b` into the stick's existing capacities. */
static int write_devices(znp_host *h, const ocb_backup *b, const uint8_t *seed, char *err,
                         size_t errlen)
{
    nv_table am, tclk = {0}, aps = {0};
    int rc = addrmgr_read(h, &am);
    if (rc < 0 || am.n < b->n_devices) {
        snprintf(err, errlen, "the address manager holds %zu devices, the backup has %zu", am.n,
                 b->n_devices);
        table_free(&am);
        return -1;
    }
    uint8_t smt_buf[2048];
    long smt_len = 0;
    if ((rc = table_read(h, ZNP_EX_TCLK_TABLE, ZNP_NV_LEGACY_TCLK, 239, &tclk)) < 0 ||
        (rc = table_read(h, ZNP_EX_APS_KEY_DATA_TABLE, ZNP_NV_LEGACY_APS_KEY, 255, &aps)) < 0 ||
        (smt_len = osal_read(h, ZNP_NV_APS_LINK_KEY_TABLE, smt_buf, sizeof(smt_buf))) < 0) {
        snprintf(err, errlen, "reading the link-key tables: %s",
                 mt_host_strerror(smt_len < 0 ? (int)smt_len : rc));
        table_free(&am);
        table_free(&tclk);
        table_free(&aps);
        return -1;
    }
    size_t smt_rows = smt_len > 2 ? ((size_t)smt_len - 2) / (h->aligned ? 6 : 5) : 0;
    h->keys_dropped = 0;
    h->aps_rows = smt_rows < aps.n ? smt_rows : aps.n;

    /* new contents, all rows empty first */
    znp_addrmgr_entry empty_am = {.type = h->ext_nv ? 0xFF : 0x00, .nwk_addr = 0xFFFF};
    memset(empty_am.ext_addr, 0xFF, 8);
    uint8_t *new_am = calloc(am.n ? am.n : 1, am.row_size);
    uint8_t *new_tclk = calloc(tclk.n ? tclk.n : 1, tclk.row_size ? tclk.row_size : 1);
    uint8_t *new_aps = calloc(aps.n ? aps.n : 1, aps.row_size ? aps.row_size : 1);
    znp_aps_link_key_table smt = {0};
    smt.n_rows = smt_rows;
    smt.rows = calloc(smt_rows ? smt_rows : 1, sizeof(*smt.rows));
    int result = -1;
    if (!new_am || !new_tclk || !new_aps || !smt.rows) goto out;
    for (size_t i = 0; i < am.n; i++)
        znp_addrmgr_entry_encode(&empty_am, h->aligned, new_am + i * am.row_size);
    znp_tclk_row empty_tclk = {.key_attributes = 0xFF};
    for (size_t i = 0; i < tclk.n; i++)
        znp_tclk_row_encode(&empty_tclk, h->aligned, new_tclk + i * tclk.row_size);
    size_t n_tclk = 0, n_aps = 0;
    for (size_t i = 0; i < b->n_devices; i++) {
        const ocb_device *d = &b->devices[i];
        /* A non-child without a link key is still typed Security (2), as real sticks keep such
         * devices (CC2531/CC2538 dumps): a Default (0) entry is invisible to every backup, so
         * zigbee-herdsman's restore, which writes 0, loses these devices. */
        znp_addrmgr_entry e = {
            .type = (uint8_t)((d->is_child ? 1 : 0) | (d->has_link_key || !d->is_child ? 2 : 0)),
            .nwk_addr = d->has_nwk ? d->nwk : 0xFFFE};
        put_le64(e.ext_addr, d->ieee);
        if (!d->has_link_key) {
            znp_addrmgr_entry_encode(&e, h->aligned, new_am + i * am.row_size);
            continue;
        }
        int shift = seed ? znp_tclk_find_shift(seed, e.ext_addr, d->link_key.key) : -1;
        if (shift >= 0 && n_tclk < tclk.n) {
            znp_tclk_row row = {.tx_counter = d->link_key.tx_counter,
                                .rx_counter = d->link_key.rx_counter,
                                .key_attributes = 2,
                                .key_type = 0,
                                .seed_shift = (uint8_t)shift};
            memcpy(row.ext_addr, e.ext_addr, 8);
            znp_tclk_row_encode(&row, h->aligned, new_tclk + n_tclk++ * tclk.row_size);
        } else if (n_aps < aps.n && n_aps < smt_rows) {
            znp_aps_key_data k = {.tx_counter = d->link_key.tx_counter,
                                  .rx_counter = d->link_key.rx_counter};
            memcpy(k.key, d->link_key.key, 16);
            znp_aps_key_data_encode(&k, new_aps + n_aps * aps.row_size);
            smt.rows[n_aps] = (znp_aps_link_key_row){
                .addr_mgr_index = (uint16_t)i,
                .link_key_nv_id = (uint16_t)(h->ext_nv ? n_aps : ZNP_NV_LEGACY_APS_KEY + n_aps),
                .auth_state = 1};
            n_aps++;
        } else {
            LOG_WARN("znp: no room for the link key of %016llx (TCLK table full or key does not "
                     "fit the seed and the APS key table is full): restored without it",
                     (unsigned long long)d->ieee);
            h->keys_dropped++;
            if (d->is_child) e.type &= (uint8_t)~2u;
        }
        znp_addrmgr_entry_encode(&e, h->aligned, new_am + i * am.row_size);
    }
    smt.count = (uint16_t)n_aps;
    /* write only rows that change: each NV write costs the device a flash write */
    if (h->ext_nv) {
        for (size_t i = 0; i < am.n; i++)
            if (memcmp(am.rows + i * am.row_size, new_am + i * am.row_size, am.row_size) &&
                ext_write(h, ZNP_EX_ADDRMGR, (uint16_t)i, new_am + i * am.row_size, am.row_size, 1))
                goto io;
    } else if (osal_write(h, ZNP_NV_ADDRMGR, new_am, am.n * am.row_size)) {
        goto io;
    }
    for (size_t i = 0; i < tclk.n; i++)
        if (memcmp(tclk.rows + i * tclk.row_size, new_tclk + i * tclk.row_size, tclk.row_size) &&
            (h->ext_nv ? ext_write(h, ZNP_EX_TCLK_TABLE, (uint16_t)i, new_tclk + i * tclk.row_size,
                                   tclk.row_size, 1)
                       : osal_write(h, (uint16_t)(ZNP_NV_LEGACY_TCLK + i),
                                    new_tclk + i * tclk.row_size, tclk.row_size)))
            goto io;
    for (size_t i = 0; i < aps.n; i++)
        if (memcmp(aps.rows + i * aps.row_size, new_aps + i * aps.row_size, aps.row_size) &&
            (h->ext_nv ? ext_write(h, ZNP_EX_APS_KEY_DATA_TABLE, (uint16_t)i,
                                   new_aps + i * aps.row_size, aps.row_size, 1)
                       : osal_write(h, (uint16_t)(ZNP_NV_LEGACY_APS_KEY + i),
                                    new_aps + i * aps.row_size, aps.row_size)))
            goto io;
    if (smt_len > 2) {
        uint8_t smt_out[2048];
        memcpy(smt_out, smt_buf, (size_t)smt_len);
        znp_aps_link_key_table_encode(&smt, h->aligned, smt_out, (size_t)smt_len);
        if (osal_write(h, ZNP_NV_APS_LINK_KEY_TABLE, smt_out, (size_t)smt_len)) goto io;
    }
    result = 0;
    goto out;
io:
    snprintf(err, errlen, "writing the device tables failed");
out:
    free(new_am);
    free(new_tclk);
    free(new_aps);
    free(smt.rows);
    table_free(&am);
    table_free(&tclk);
    table_free(&aps);
    return result;
}

/* write_frame_counter's own failure, apart from the host's codes and refused writes */
enum { FC_NO_TABLE = -100 };

static int write_frame_counter(znp_host *h, const znp_nib *nib, uint32_t fc)
{
    uint8_t buf[32];
    long n = osal_read(h, ZNP_NV_NWKKEY, buf, sizeof(buf));
    if (n < 0) return (int)n;
    znp_nwkkey k;
    if (n > 0 && znp_nwkkey_decode(buf, (size_t)n, h->aligned, &k) == 0) {
        k.frame_counter = fc;
        znp_nwkkey_encode(&k, h->aligned, buf);
        int rc = osal_write(h, ZNP_NV_NWKKEY, buf, (size_t)n);
        if (rc) return rc;
    }
    if (!h->bdb) return 0;
    nv_table t;
    int trc = table_read(h, ZNP_EX_NWK_SEC_MATERIAL_TABLE, ZNP_NV_LEGACY_SEC_MATERIAL, 12, &t);
    if (trc < 0 || t.n == 0) {
        table_free(&t);
        return trc < 0 ? trc : FC_NO_TABLE;
    }
    /* row 0 = this network, other rows cleared (zigpy-znp's layout) */
    for (size_t i = 0; i < t.n; i++) {
        znp_sec_material m = {0};
        if (i == 0) {
            m.frame_counter = fc;
            memcpy(m.extended_pan_id, nib->extended_pan_id, 8);
        }
        uint8_t row[16];
        znp_sec_material_encode(&m, row);
        if (!memcmp(row, t.rows + i * t.row_size, t.row_size)) continue;
        int rc = h->ext_nv
                     ? ext_write(h, ZNP_EX_NWK_SEC_MATERIAL_TABLE, (uint16_t)i, row, t.row_size, 1)
                     : osal_write(h, (uint16_t)(ZNP_NV_LEGACY_SEC_MATERIAL + i), row, t.row_size);
        if (rc) {
            table_free(&t);
            return rc;
        }
    }
    table_free(&t);
    return 0;
}

/* A step's failure: an MT_HOST_* error of the link, or any other nonzero result (a write the
 * stick refused, no counter row to write). */
static const char *rc_text(long rc, char *buf, size_t cap)
{
    (void)buf;
    (void)cap;
    if (rc == FC_NO_TABLE) return "the stick has no NWK security material table";
    return mt_host_is_error(rc) ? mt_host_strerror((int)rc) : "failed";
}

static int znp_write_network(void *dv, const ocb_backup *b, const zbh_restore_opts *o, char *err,
                             size_t errlen)
{
    znp_host *h = dv;
    uint8_t d[16], one = 1;
    (void)o; /* Z-Stack takes any IEEE: nothing to decide */
    LOG_INFO("znp: restore 1/5: factory reset (STARTUP_OPTION clear config + state)");
    d[0] = 0x03;
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_STARTUP_OPTION, d, 1), "setting STARTUP_OPTION",
                         rc_text);
    ZBH_RETURN_IF_FAILED(reset_and_wait(h), "reset", rc_text);

    LOG_INFO("znp: restore 2/5: forming on channel %u, PAN %04x", b->channel, b->pan_id);
    put_le16(d, b->pan_id);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_PANID, d, 2), "writing PANID", rc_text);
    put_le64(d, b->extended_pan_id);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_APS_USE_EXT_PANID, d, 8), "writing APS_USE_EXT_PANID",
                         rc_text);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_EXTENDED_PAN_ID, d, 8), "writing EXTENDED_PAN_ID",
                         rc_text);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_PRECFGKEY, b->network_key.key, 16),
                         "writing PRECFGKEY", rc_text);
    d[0] = 0;
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_PRECFGKEYS_ENABLE, d, 1), "writing PRECFGKEYS_ENABLE",
                         rc_text);
    put_le32(d, 1u << b->channel);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_CHANLIST, d, 4), "writing CHANLIST", rc_text);
    if (h->bdb) {
        mt_app_cnf_bdb_set_channel_req primary = {1, 1u << b->channel}, secondary = {0, 0};
        ZBH_RETURN_IF_FAILED(mt_host_call(&h->mt, MT_APP_CNF_BDB_SET_CHANNEL, &primary, NULL, 0),
                             "BDB_SET_CHANNEL primary", rc_text);
        ZBH_RETURN_IF_FAILED(mt_host_call(&h->mt, MT_APP_CNF_BDB_SET_CHANNEL, &secondary, NULL, 0),
                             "BDB_SET_CHANNEL secondary", rc_text);
    }
    ZBH_RETURN_IF_FAILED(start_network(h), "forming the network", rc_text);

    LOG_INFO("znp: restore 3/5: identity, keys, frame counter");
    uint8_t buf[256];
    znp_nib nib;
    long n = osal_read(h, ZNP_NV_NIB, buf, sizeof(buf));
    if (n <= 0 || znp_nib_decode(buf, (size_t)n, h->aligned, &nib) < 0) {
        snprintf(err, errlen, "no NIB after formation");
        return -1;
    }
    if (nib.nwk_pan_id != b->pan_id || nib.nwk_logical_channel != b->channel) {
        snprintf(err, errlen, "the stick formed PAN %04x channel %u instead of %04x / %u",
                 nib.nwk_pan_id, nib.nwk_logical_channel, b->pan_id, b->channel);
        return -1;
    }
    nib.nwk_update_id = b->nwk_update_id;
    nib.security_level = b->security_level;
    nib.channel_list = b->channel_mask;
    put_le64(nib.extended_pan_id, b->extended_pan_id);
    znp_nib_encode(&nib, h->aligned, buf);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_NIB, buf, (size_t)n), "writing the NIB", rc_text);
    put_le64(d, b->coordinator_ieee);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_EXTADDR, d, 8), "writing EXTADDR", rc_text);
    buf[0] = b->network_key.sequence_number;
    memcpy(buf + 1, b->network_key.key, 16);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_NWK_ACTIVE_KEY_INFO, buf, 17),
                         "writing NWK_ACTIVE_KEY_INFO", rc_text);
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_NWK_ALTERN_KEY_INFO, buf, 17),
                         "writing NWK_ALTERN_KEY_INFO", rc_text);
    ZBH_RETURN_IF_FAILED(write_frame_counter(h, &nib, b->network_key.frame_counter),
                         "writing the frame counter", rc_text);
    const uint8_t *seed = NULL;
    uint8_t seed_buf[16];
    if (h->bdb) {
        if (b->has_tclk_seed) {
            ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_TCLK_SEED, b->tclk_seed, 16),
                                 "writing TCLK_SEED", rc_text);
            seed = b->tclk_seed;
        } else {
            long sl = osal_read(h, ZNP_NV_TCLK_SEED, seed_buf, 16);
            if (sl < 0) {
                snprintf(err, errlen, "reading TCLK_SEED: %s", mt_host_strerror((int)sl));
                return -1;
            }
            if (sl == 16) seed = seed_buf; /* keys from other stacks go to the APS key table */
        }
    }

    LOG_INFO("znp: restore 4/5: %zu devices", b->n_devices);
    if (write_devices(h, b, seed, err, errlen) < 0) return -1;
    ZBH_RETURN_IF_FAILED(
        osal_write(h, h->bdb ? ZNP_NV_HAS_CONFIGURED_ZSTACK3 : ZNP_NV_HAS_CONFIGURED_ZSTACK1,
                   (const uint8_t[]){0x55}, 1),
        "writing the configured marker", rc_text);
    (void)one;

    LOG_INFO("znp: restore 5/5: restart on the restored network");
    ZBH_RETURN_IF_FAILED(reset_and_wait(h), "reset", rc_text);
    ZBH_RETURN_IF_FAILED(start_network(h), "starting the restored network", rc_text);
    return 0;
}

/* Read-only: the stick's own IEEE (UTIL_GET_DEVICE_INFO: status, IEEE, ...; it answers with
 * the chip's address when NV holds no EXTADDR). Z-Stack writes it freely: nothing to refuse. */
static int znp_check_write(void *dv, const ocb_backup *b, const zbh_restore_opts *o,
                           uint64_t *device_ieee, char *err, size_t errlen)
{
    znp_host *h = dv;
    mt_util_get_device_info_rsp r;
    (void)b;
    (void)o;
    int rc = mt_host_call(&h->mt, MT_UTIL_GET_DEVICE_INFO, NULL, &r, 0);
    if (rc || r.status != 0) {
        snprintf(err, errlen, "UTIL_GET_DEVICE_INFO: %s", rc ? mt_host_strerror(rc) : "refused");
        return -1;
    }
    *device_ieee = ieee_from_le(r.ieee);
    return 0;
}

/* Factory-new again: STARTUP_OPTION "clear config and state" and a reset (the NIB goes). */
static int znp_erase_network(void *dv, char *err, size_t errlen)
{
    znp_host *h = dv;
    uint8_t opt = 0x03;
    ZBH_RETURN_IF_FAILED(osal_write(h, ZNP_NV_STARTUP_OPTION, &opt, 1), "setting STARTUP_OPTION",
                         rc_text);
    ZBH_RETURN_IF_FAILED(reset_and_wait(h), "reset", rc_text);
    return 0;
}

/* Z-Stack Home 1.2 keeps no TCLK seed, no hashed-key table and no APS key table: link keys
 * of a 3.x network cannot be stored (1.2 uses the global trust-center key). */
#define EZSP_TCLK_LOSS                                                                             \
    {                                                                                              \
        "stack_specific.ezsp.hashed_tclk",                                                         \
            "EmberZNet's hashed TCLK has no Z-Stack equivalent (Z-Stack "                          \
            "derives keys from its own TCLK seed)"                                                 \
    }
static const zbh_loss ZSTACK12_LOSSES[] = {
    EZSP_TCLK_LOSS,
    {"stack_specific.zstack.tclk_seed", "Z-Stack 1.2 has no TCLK seed"},
    {"devices[].link_key.key", "Z-Stack 1.2 keeps no per-device link keys"},
    {"devices[].link_key.tx_counter", "Z-Stack 1.2 keeps no per-device link keys"},
    {"devices[].link_key.rx_counter", "Z-Stack 1.2 keeps no per-device link keys"},
    {NULL, NULL}};

/* Z-Stack 3.x stores a link key either as a TCLK-seed derivation (keys the stick hashed
 * itself) or as an explicit row in the APS key table, whose capacity is fixed by the firmware:
 * keys from another stack beyond that capacity cannot be stored. */
static const zbh_loss *znp_losses(void *dv)
{
    znp_host *h = dv;
    if (!h->bdb) return ZSTACK12_LOSSES;
    h->losses[0] = (zbh_loss)EZSP_TCLK_LOSS;
    h->losses[1] = (zbh_loss){NULL, NULL};
    if (!h->keys_dropped) return h->losses;
    snprintf(h->keys_why, sizeof(h->keys_why),
             "%zu link keys fit neither the TCLK seed nor the %zu-row APS key table",
             h->keys_dropped, h->aps_rows);
    static const char *const FIELDS[] = {"devices[].link_key.key", "devices[].link_key.tx_counter",
                                         "devices[].link_key.rx_counter"};
    for (size_t i = 0; i < 3; i++)
        h->losses[1 + i] = (zbh_loss){FIELDS[i], h->keys_why};
    h->losses[4] = (zbh_loss){NULL, NULL};
    return h->losses;
}

/* Garbage, a frame with a bad FCS and an SREQ the firmware does not know: a Z-Stack stick
 * drops the first two silently, answers the third with an RPC error, and then still answers
 * SYS_PING. */
/* SYS 0x7E: a command id no Z-Stack has; the probe relies on it being unknown (not in
 * proto/mt/mt_cmds.h, and test_proto_names checks the emulator has no such row) */
#define MT_PROBE_UNKNOWN_SREQ MT_SREQ(SYS), 0x7E

static int znp_probe_malformed(void *dv, char *detail, size_t len)
{
    znp_host *h = dv;
    /* noise, then a SYS_PING-looking frame (FE 05 21 01 ...) with a bad FCS */
    static const uint8_t junk[] = {0x00, 0x13, 0x37, 0xFE, 0x05, 0x21, 0x01, 0x00, 0xFF, 0x42};
    if (zbh_serial_write(h->mt.s, junk, sizeof(junk)) < 0) {
        snprintf(detail, len, "write failed");
        return -1;
    }
    mt_frame r;
    int rc = mt_host_sreq(&h->mt, MT_PROBE_UNKNOWN_SREQ, (const uint8_t[]){1}, 1, &r, 2000);
    if (rc != MT_HOST_RPC_ERROR) {
        snprintf(detail, len, "unknown SREQ 21 7E after garbage: want an RPC error, got %s",
                 mt_host_strerror(rc));
        return -1;
    }
    if ((rc = mt_host_call(&h->mt, MT_SYS_PING, NULL, NULL, 2000)) != MT_HOST_OK) {
        snprintf(detail, len, "SYS_PING after malformed frames: %s", mt_host_strerror(rc));
        return -1;
    }
    snprintf(detail, len,
             "garbage and a bad FCS dropped, unknown SREQ -> RPC error, ping answered");
    return 0;
}

/* ---------------------------------------------------------------- watch */

#define LISTEN_SLICE_MS 200
#define AF_DUPLICATE_EP 0xB8 /* ZApsDuplicateEntry: the endpoint is registered already */
#define ZNP_HA_PROFILE  0x0104

/* The stick's device state (UTIL_GET_DEVICE_INFO: status, IEEE, short, type, state, ...). */
static int device_state(znp_host *h, uint8_t *state)
{
    mt_util_get_device_info_rsp r;
    int rc = mt_host_call(&h->mt, MT_UTIL_GET_DEVICE_INFO, NULL, &r, 0);
    if (rc) return rc;
    if (r.status != 0) return -1;
    *state = r.device_state;
    return 0;
}

/* Z-Stack hands AF frames only to a registered endpoint (and forgets them at reset): endpoint
 * 1, Home Automation, no clusters, as hosts register it. RAM only: nothing is written to NV. */
static int register_endpoint(znp_host *h)
{
    static const mt_af_register_req ep = {.endpoint = 1, .profile = ZNP_HA_PROFILE, .device = 5};
    return call_status(h, MT_AF_REGISTER, &ep, 0, AF_DUPLICATE_EP) == 0 ? 0 : -1;
}

/* AF_INCOMING_MSG only: the announcement of a rejoining device (ZDO_END_DEVICE_ANNCE_IND)
 * would say "back" sooner, but the emulator does not send it yet, so watch cannot be checked
 * on it. */
static int heard_from(const mt_frame *f, zbh_heard *out)
{
    zb_incoming m;
    if (f->cmd0 != MT_CMD0(MT_TYPE_AREQ, MT_SUBSYS_AF) || f->cmd1 != MT_CMD1(MT_AF_INCOMING_MSG) ||
        mt_af_incoming_decode(f->data, f->len, &m) < 0)
        return 0;
    *out = (zbh_heard){m.nwk, m.ieee, m.cluster, m.src_ep, m.lqi};
    return 1;
}

static int znp_listen(void *dv, zbh_heard_fn fn, void *ctx, char *err, size_t errlen)
{
    znp_host *h = dv;
    uint8_t state = 0;
    char buf[64];
    int rc = device_state(h, &state);
    if (!rc && state != ZNP_STATE_COORD) rc = start_network(h);
    if (rc) {
        snprintf(err, errlen, "reading the device state or starting the stored network: %s",
                 rc_text(rc, buf, sizeof(buf)));
        return -1;
    }
    if ((rc = register_endpoint(h))) {
        snprintf(err, errlen, "AF_REGISTER: %s", rc_text(rc, buf, sizeof(buf)));
        return -1;
    }
    for (;;) {
        mt_frame f;
        zbh_heard hd;
        rc = mt_host_next(&h->mt, &f, LISTEN_SLICE_MS);
        if (rc == MT_HOST_TIMEOUT) {
            if (fn(ctx, NULL)) return 0;
        } else if (rc) {
            snprintf(err, errlen, "listening: %s", rc_text(rc, buf, sizeof(buf)));
            return -1;
        } else if (heard_from(&f, &hd) && fn(ctx, &hd)) {
            return 0;
        }
    }
}

const zbh_driver zbh_znp_driver = {"znp",
                                   znp_open,
                                   znp_close,
                                   znp_read_network,
                                   znp_write_network,
                                   znp_losses,
                                   znp_probe_malformed,
                                   znp_check_write,
                                   znp_erase_network,
                                   znp_listen};

/* The declared losses without a device (zbh_declared_losses): Z-Stack 1.2 or 3.x. A 3.x
 * stick's APS-table overflow is only known after a restore, so it is not in this list. */
const zbh_loss *zbh_znp_declared_losses(int zstack12)
{
    static const zbh_loss ZSTACK3_LOSSES[] = {EZSP_TCLK_LOSS, {NULL, NULL}};
    return zstack12 ? ZSTACK12_LOSSES : ZSTACK3_LOSSES;
}
