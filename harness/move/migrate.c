/* migrate.c - a migration's decisions (migrate.h). The consequences of a loss for the devices
 * are one table, keyed by the loss's field name as the drivers declare it. */
#include "migrate.h"

#include <string.h>

zbh_rate zbh_rate_of(uint32_t first, uint32_t second, long long ms)
{
    zbh_rate r = {first, second, ms, 0.0};
    if (ms > 0 && second > first) r.per_s = (double)(second - first) * 1000.0 / (double)ms;
    return r;
}

uint32_t zbh_migrate_unseen(const char *stack)
{
    const zbh_driver *d = zbh_find_driver(stack);
    return d && strcmp(d->name, "znp") == 0 ? 1000u : 0u;
}

uint32_t zbh_migrate_increment(const zbh_rate *r, unsigned swap_s, uint32_t unseen)
{
    double want = r->per_s * swap_s * ZBH_MIGRATE_MARGIN + unseen;
    if (want > (double)(1u << 31)) want = (double)(1u << 31);
    uint32_t n = (uint32_t)want;
    if ((double)n < want) n++; /* rounded up */
    return n > ZBH_MIGRATE_FLOOR ? n : ZBH_MIGRATE_FLOOR;
}

/* Which devices a loss touches, and what it means for them (WORLD.md and zigbee-security.md
 * give the mechanisms: a trust-center rejoin needs the device's link key at the new
 * coordinator; a device looks up the network key by its sequence number). */
enum touches { LINK_KEYED, CHILDREN, EVERY };
static const struct {
    const char *field;
    enum touches who;
    const char *what;
} CONSEQUENCES[] = {
    {"devices[].link_key.key", LINK_KEYED,
     "their link key is not kept: their next trust-center rejoin (after a network-key switch "
     "or a long sleep) fails; re-pair them then"},
    {"stack_specific.ezsp.hashed_tclk", LINK_KEYED,
     "the hashed link keys are not kept: a trust-center rejoin fails; re-pair them then"},
    {"devices[].is_child", CHILDREN,
     "the target restores children as routers: each end device rejoins its parent once (a "
     "secured rejoin, no action needed)"},
    {"network_key.sequence_number", EVERY,
     "the network key's sequence number is not kept: devices holding another sequence look "
     "the key up in vain and do a trust-center rejoin"},
    {"devices[].link_key.tx_counter", LINK_KEYED,
     "APS-secured frames to them restart their counter: devices that check it drop such "
     "frames (OTA, some locks) until they rejoin"},
};
#define N_CONSEQUENCES (sizeof(CONSEQUENCES) / sizeof(CONSEQUENCES[0]))

static size_t count(const ocb_backup *b, enum touches who)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_devices; i++)
        n += who == EVERY || (who == CHILDREN && b->devices[i].is_child) ||
             (who == LINK_KEYED && b->devices[i].has_link_key);
    return n;
}

static bool declared(const zbh_loss *losses, const char *field)
{
    for (const zbh_loss *l = losses; l && l->field; l++)
        if (strcmp(l->field, field) == 0) return true;
    return false;
}

size_t zbh_migrate_rejoins(FILE *f, const ocb_backup *b, const zbh_loss *losses, bool keep_ieee)
{
    size_t most = 0;
    if (keep_ieee && b->n_devices) {
        fprintf(f,
                "    %zu devices: the coordinator's IEEE changes (--keep-ieee): normal traffic "
                "goes on, but each device's next trust-center rejoin fails on the trust "
                "center's address; re-pair them then\n",
                b->n_devices);
        most = b->n_devices;
    }
    for (size_t i = 0; i < N_CONSEQUENCES; i++) {
        size_t n = count(b, CONSEQUENCES[i].who);
        if (!n || !declared(losses, CONSEQUENCES[i].field)) continue;
        if (CONSEQUENCES[i].who == EVERY && b->network_key.sequence_number == 0) continue;
        fprintf(f, "    %zu devices: %s\n", n, CONSEQUENCES[i].what);
        if (n > most) most = n;
    }
    if (!most) fprintf(f, "    none: the target keeps what the devices rely on\n");
    return most;
}
