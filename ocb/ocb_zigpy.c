/* ocb_zigpy.c - zigpy's own network state to an open coordinator backup.
 *
 * zigpy (and so ZHA) keeps its network backups not as OCB files but as its NetworkBackup
 * dictionary (zigpy/backups.py `as_dict`, zigpy/state.py `NetworkInfo`/`NodeInfo.as_dict`):
 *
 *   {"version": 1, "backup_time": ISO-8601,
 *    "network_info": {"extended_pan_id": "aa:bb:..:hh" (EUI64, most significant byte first),
 *        "pan_id": "1A62", "nwk_update_id": n, "nwk_manager_id": "0000", "channel": n,
 *        "channel_mask": [11, ...], "security_level": n,
 *        "network_key": KEY, "tc_link_key": KEY, "key_table": [KEY...],
 *        "children": [EUI64...], "nwk_addresses": {EUI64: NWK}, "stack_specific": {...},
 *        "metadata": {...}, "source": "bellows@0.40.0" or null},
 *    "node_info": {"nwk": "0000", "ieee": EUI64, "logical_type": "coordinator",
 *        "model": .., "manufacturer": .., "version": ..}}
 *   KEY = {"key": "aa:bb:..(16 bytes)", "tx_counter": n, "rx_counter": n, "seq": n,
 *          "partner_ieee": EUI64}
 *
 * Version 0 lacks the top-level "version" and node_info's model/manufacturer/version. The
 * mapping to OCB is zigpy's own (`_network_backup_to_open_coordinator_backup`): devices from
 * nwk_addresses (is_child false), children (is_child true, NWK null unless known) and the key
 * table (link keys by partner IEEE); the network key's seq and tx_counter become
 * sequence_number and frame_counter; node, TC link key, NWK manager and key sequence numbers go
 * to metadata.internal. The result is then checked like any backup file. */
#include "ocb.h"

#include "hex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ocb_is_zigpy_state(const cJSON *root)
{
    return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "network_info")) &&
           cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "node_info")) &&
           !cJSON_GetObjectItemCaseSensitive(root, "metadata");
}

typedef struct zctx {
    ocb_report *r;
    int bad;
} zctx;

static void zerr(zctx *z, const char *path, const char *what)
{
    z->bad = 1;
    ocb_report_add(z->r, OCB_ERROR, path, "%s (zigpy network state)", what);
}

static const cJSON *zget(zctx *z, const cJSON *o, const char *opath, const char *key, char *path,
                         size_t cap)
{
    snprintf(path, cap, "%s.%s", opath, key);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j) zerr(z, path, "missing required key");
    return j;
}

/* "aa:bb:cc" or "aabbcc" (zigpy writes colons; its converter accepts both) into n bytes. */
static int zhex(zctx *z, const cJSON *j, const char *path, uint8_t *out, size_t n)
{
    char digits[2 * 16 + 1];
    size_t k = 0;
    const char *s = cJSON_IsString(j) ? j->valuestring : NULL;
    for (; s && *s && k <= 2 * n; s++)
        if (*s != ':') {
            if (k == 2 * n) break;
            digits[k++] = *s;
        }
    digits[k] = '\0';
    if (!s || *s || k != 2 * n || hex_span(digits) != k || hex_decode(digits, out, n) < 0) {
        char msg[64];
        snprintf(msg, sizeof(msg), "expected %zu bytes as hex (\"aa:bb:...\")", n);
        zerr(z, path, msg);
        return -1;
    }
    return 0;
}

static int zeui64(zctx *z, const cJSON *j, const char *path, uint64_t *v)
{
    uint8_t b[8];
    if (zhex(z, j, path, b, 8) < 0) return -1;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v = *v << 8 | b[i];
    return 0;
}

/* NWK and PAN ids: zigpy writes str(NWK)[2:], 4 hex digits ("1A62"); "0x1A62" also read. */
static int znwk(zctx *z, const cJSON *j, const char *path, uint16_t *v)
{
    const char *s = cJSON_IsString(j) ? j->valuestring : "";
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    uint64_t x = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 4 || hex_span(s) != n || hex_to_u64(s, &x) < 0) {
        zerr(z, path, "expected a 16-bit address as 4 hex digits");
        return -1;
    }
    *v = (uint16_t)x;
    return 0;
}

static int zuint(zctx *z, const cJSON *j, const char *path, double max, uint64_t *v)
{
    if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > max ||
        j->valuedouble != floor(j->valuedouble)) {
        char msg[64];
        snprintf(msg, sizeof(msg), "expected an integer 0..%.0f", max);
        zerr(z, path, msg);
        return -1;
    }
    *v = (uint64_t)j->valuedouble;
    return 0;
}

typedef struct zkey {
    uint8_t key[16];
    uint64_t tx, rx, seq, partner;
} zkey;

static int zkey_parse(zctx *z, const cJSON *o, const char *opath, zkey *k)
{
    char p[128];
    const cJSON *j;
    if (!cJSON_IsObject(o)) {
        zerr(z, opath, "expected an object");
        return -1;
    }
    int bad = 0;
    if (!(j = zget(z, o, opath, "key", p, sizeof(p))) || zhex(z, j, p, k->key, 16) < 0) bad = 1;
    if (!(j = zget(z, o, opath, "tx_counter", p, sizeof(p))) ||
        zuint(z, j, p, 4294967295.0, &k->tx) < 0)
        bad = 1;
    if (!(j = zget(z, o, opath, "rx_counter", p, sizeof(p))) ||
        zuint(z, j, p, 4294967295.0, &k->rx) < 0)
        bad = 1;
    if (!(j = zget(z, o, opath, "seq", p, sizeof(p))) || zuint(z, j, p, 255, &k->seq) < 0) bad = 1;
    if (!(j = zget(z, o, opath, "partner_ieee", p, sizeof(p))) || zeui64(z, j, p, &k->partner) < 0)
        bad = 1;
    return bad ? -1 : 0;
}

static ocb_device *zdevice(ocb_backup *b, uint64_t ieee)
{
    for (size_t i = 0; i < b->n_devices; i++)
        if (b->devices[i].ieee == ieee) return &b->devices[i];
    ocb_device d = {.ieee = ieee};
    if (ocb_add_device(b, &d) < 0) return NULL;
    return &b->devices[b->n_devices - 1];
}

static void add_hex(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    char tmp[2 * 16 + 1];
    hex_encode(p, n, tmp);
    cJSON_AddStringToObject(o, name, tmp);
}

static void add_u64hex(cJSON *o, const char *name, uint64_t v, int digits)
{
    char tmp[17];
    snprintf(tmp, sizeof(tmp), "%0*llx", digits, (unsigned long long)v);
    cJSON_AddStringToObject(o, name, tmp);
}

/* metadata.internal as zigpy's converter writes it. */
static cJSON *zinternal(const cJSON *root, const cJSON *ni, const cJSON *node, uint64_t ieee,
                        uint16_t nwk, const zkey *tc, uint16_t manager, const zkey *keys,
                        size_t n_keys)
{
    cJSON *in = cJSON_CreateObject(), *j;
    if (!in) return NULL;
    if (cJSON_IsString(j = cJSON_GetObjectItemCaseSensitive(root, "backup_time")))
        cJSON_AddStringToObject(in, "creation_time", j->valuestring);
    cJSON *nd = cJSON_AddObjectToObject(in, "node");
    if (nd) {
        add_u64hex(nd, "ieee", ieee, 16);
        add_u64hex(nd, "nwk", nwk, 4);
        static const char *const COPY[] = {"logical_type", "model", "manufacturer", "version"};
        for (size_t i = 0; i < sizeof(COPY) / sizeof(COPY[0]); i++)
            if ((j = cJSON_GetObjectItemCaseSensitive(node, COPY[i])))
                cJSON_AddItemToObject(nd, i ? COPY[i] : "type", cJSON_Duplicate(j, 1));
    }
    cJSON *nw = cJSON_AddObjectToObject(in, "network");
    if (nw) {
        cJSON *t = cJSON_AddObjectToObject(nw, "tc_link_key");
        if (t) {
            add_hex(t, "key", tc->key, 16);
            cJSON_AddNumberToObject(t, "frame_counter", (double)tc->tx);
        }
        add_u64hex(nw, "tc_address", tc->partner, 16);
        add_u64hex(nw, "nwk_manager", manager, 4);
    }
    cJSON *seqs = cJSON_AddObjectToObject(in, "link_key_seqs");
    for (size_t i = 0; seqs && i < n_keys; i++) {
        char name[17];
        snprintf(name, sizeof(name), "%016llx", (unsigned long long)keys[i].partner);
        cJSON_AddNumberToObject(seqs, name, (double)keys[i].seq);
    }
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(ni, "metadata"), *it;
    cJSON_ArrayForEach(it, meta)
    {
        if (!it->string) continue;
        cJSON_DeleteItemFromObjectCaseSensitive(in, it->string); /* **metadata wins, as in zigpy */
        cJSON_AddItemToObject(in, it->string, cJSON_Duplicate(it, 1));
    }
    return in;
}

ocb_backup *ocb_from_zigpy(const cJSON *root, ocb_report *r)
{
    zctx z = {r, 0};
    if (!ocb_is_zigpy_state(root)) {
        ocb_report_add(r, OCB_ERROR, "",
                       "not zigpy's network state: expected the keys network_info and node_info "
                       "(and no metadata)");
        return NULL;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (ver && (!cJSON_IsNumber(ver) || (ver->valuedouble != 0 && ver->valuedouble != 1))) {
        zerr(&z, "version", "only versions 0 and 1 of zigpy's backup format are known");
        return NULL;
    }
    const cJSON *ni = cJSON_GetObjectItemCaseSensitive(root, "network_info");
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(root, "node_info");
    ocb_backup *b = ocb_new(), *out = NULL;
    zkey nk = {0}, tc = {0}, *keys = NULL;
    size_t n_keys = 0;
    char p[128];
    const cJSON *j, *it;
    uint64_t v;
    uint16_t nwk = 0, manager = 0;
    if (!b) goto oom;
    if ((j = zget(&z, node, "node_info", "ieee", p, sizeof(p))))
        zeui64(&z, j, p, &b->coordinator_ieee);
    if ((j = zget(&z, node, "node_info", "nwk", p, sizeof(p)))) znwk(&z, j, p, &nwk);
    if ((j = zget(&z, ni, "network_info", "extended_pan_id", p, sizeof(p))))
        zeui64(&z, j, p, &b->extended_pan_id);
    if ((j = zget(&z, ni, "network_info", "pan_id", p, sizeof(p)))) znwk(&z, j, p, &b->pan_id);
    if ((j = zget(&z, ni, "network_info", "nwk_manager_id", p, sizeof(p))))
        znwk(&z, j, p, &manager);
    static const struct {
        const char *key;
        double max;
        size_t off;
    } U8[] = {{"nwk_update_id", 255, offsetof(ocb_backup, nwk_update_id)},
              {"security_level", 7, offsetof(ocb_backup, security_level)},
              {"channel", 26, offsetof(ocb_backup, channel)}};
    for (size_t i = 0; i < sizeof(U8) / sizeof(U8[0]); i++)
        if ((j = zget(&z, ni, "network_info", U8[i].key, p, sizeof(p))) &&
            zuint(&z, j, p, U8[i].max, &v) == 0)
            *((uint8_t *)b + U8[i].off) = (uint8_t)v;
    if ((j = zget(&z, ni, "network_info", "channel_mask", p, sizeof(p)))) {
        if (!cJSON_IsArray(j)) zerr(&z, p, "expected a list of channels");
        cJSON_ArrayForEach(it, j)
        {
            if (zuint(&z, it, p, 26, &v) == 0 && v >= 11) b->channel_mask |= 1u << v;
        }
    }
    if ((j = zget(&z, ni, "network_info", "network_key", p, sizeof(p))) &&
        zkey_parse(&z, j, p, &nk) == 0) {
        memcpy(b->network_key.key, nk.key, 16);
        b->network_key.sequence_number = (uint8_t)nk.seq;
        b->network_key.frame_counter = (uint32_t)nk.tx;
    }
    if ((j = zget(&z, ni, "network_info", "tc_link_key", p, sizeof(p)))) zkey_parse(&z, j, p, &tc);
    /* devices: NWK addresses, then children, then link keys (zigpy's order) */
    if ((j = zget(&z, ni, "network_info", "nwk_addresses", p, sizeof(p)))) {
        if (!cJSON_IsObject(j)) zerr(&z, p, "expected an object {ieee: nwk}");
        cJSON_ArrayForEach(it, j)
        {
            char q[160];
            snprintf(q, sizeof(q), "network_info.nwk_addresses.%s", it->string);
            cJSON name = {.type = cJSON_String, .valuestring = it->string};
            uint16_t a;
            ocb_device *d;
            if (zeui64(&z, &name, q, &v) < 0 || znwk(&z, it, q, &a) < 0) continue;
            if (!(d = zdevice(b, v))) goto oom;
            d->has_nwk = true;
            d->nwk = a;
            d->is_child = false;
        }
    }
    if ((j = zget(&z, ni, "network_info", "children", p, sizeof(p)))) {
        if (!cJSON_IsArray(j)) zerr(&z, p, "expected a list of IEEE addresses");
        int i = 0;
        cJSON_ArrayForEach(it, j)
        {
            char q[64];
            snprintf(q, sizeof(q), "network_info.children[%d]", i++);
            ocb_device *d;
            if (zeui64(&z, it, q, &v) < 0) continue;
            if (!(d = zdevice(b, v))) goto oom;
            d->is_child = true;
        }
    }
    if ((j = zget(&z, ni, "network_info", "key_table", p, sizeof(p)))) {
        if (!cJSON_IsArray(j)) zerr(&z, p, "expected a list of keys");
        int n = cJSON_GetArraySize(j), i = 0;
        keys = n > 0 ? calloc((size_t)n, sizeof(*keys)) : NULL;
        if (n > 0 && !keys) goto oom;
        cJSON_ArrayForEach(it, j)
        {
            char q[64];
            snprintf(q, sizeof(q), "network_info.key_table[%d]", i++);
            zkey *k = &keys[n_keys];
            if (zkey_parse(&z, it, q, k) < 0) continue;
            n_keys++;
            ocb_device *d = zdevice(b, k->partner);
            if (!d) goto oom;
            d->has_link_key = true;
            memcpy(d->link_key.key, k->key, 16);
            d->link_key.tx_counter = (uint32_t)k->tx;
            d->link_key.rx_counter = (uint32_t)k->rx;
        }
    }
    if ((j = cJSON_GetObjectItemCaseSensitive(ni, "stack_specific")) && cJSON_IsObject(j) &&
        !(b->stack_specific = cJSON_Duplicate(j, 1)))
        goto oom;
    if (cJSON_IsString(j = cJSON_GetObjectItemCaseSensitive(ni, "source")) &&
        ocb_set_source(b, j->valuestring) < 0)
        goto oom;
    if (z.bad) goto done;
    if (!(b->internal =
              zinternal(root, ni, node, b->coordinator_ieee, nwk, &tc, manager, keys, n_keys)))
        goto oom;
    /* every check a backup file gets (channel in mask, PAN, EPID, stack_specific fields) */
    char *text = ocb_emit(b);
    if (!text) goto oom;
    out = ocb_parse_ex(text, strlen(text), OCB_PARSE_LENIENT, r);
    free(text);
    goto done;
oom:
    ocb_report_add(r, OCB_ERROR, "", "out of memory");
done:
    free(keys);
    ocb_free(b);
    return out;
}
