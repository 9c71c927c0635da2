/* world_link.c - the binding between a front end and its world (world_link.h).
 *
 * WHY the quiet wait: a host talking to the stick may be a restore rewriting its tables, so an
 * exchange waits for 1 s without host bytes and never meets half-written tables. That second is
 * the host's, so --time-scale leaves it alone; the exchange period is the devices' own time and
 * shrinks with it.
 *
 * WHY the binding says when the network is down: while it is, no exchange runs, so the last
 * verdicts would stand as if current (a coordinator that left its network would still show its
 * devices alive). The exchange that finds no network, or the stop without one, tells the world,
 * which marks every verdict "not judged since" (world_network_down). */
#include "world_link.h"

#include "log.h"

#include <errno.h>
#include <time.h>

#define WORLD_FIRST_MS 300
#define WORLD_EVERY_MS 2000
#define WORLD_QUIET_MS 1000
#define WORLD_WAIT_MS  200

/* The coordinator through the stack's hook `get`; the binding names the stack and front end. */
static int coord_by(const world_link *l, int (*get)(void *, world_coord *), world_coord *c)
{
    if (get(l->fe, c) < 0) return -1;
    c->stack = l->stack;
    c->fe = l->fe;
    return 0;
}

static int coord(const world_link *l, world_coord *c)
{
    return coord_by(l, l->stack->coord, c);
}

static time_t wall_clock(void)
{
    return time(NULL);
}

static void tick(emu *e, void *arg)
{
    world_link *l = arg;
    world_coord c;
    (void)e;
    l->timer = 0;
    if (coord(l, &c) < 0) { /* left or lost its network: world_link_up starts us again */
        world_network_down(l->w);
        return;
    }
    uint64_t since = emu_now_ms() - *l->last_rx_ms;
    if (since < WORLD_QUIET_MS) { /* the host's silence is measured on its own (real) clock */
        l->timer = emu_timer_add_host(l->e, WORLD_QUIET_MS - since, tick, l);
        return;
    }
    world_poll(l->w, &c);
    if (coord(l, &c) == 0) world_round(l->w, &c);
    l->timer = emu_timer_add(l->e, WORLD_EVERY_MS, tick, l);
}

static void opened(world_link *l)
{
    world_set_file_flags(l->w, emu_file_flags(emu_opts(l->e)));
    world_set_clock(l->w, wall_clock);
}

/* --world-wait: one coordinator at a time holds a house's devices, as one stick at a time runs
 * the network; this one takes the world when the other lets it go (its stick unplugged), and
 * starts the exchanges if its network is up by then. */
static void try_take(emu *e, void *arg)
{
    world_link *l = arg;
    char err[256];
    l->wait_timer = 0;
    l->w = world_open(l->wait_path, err, sizeof(err));
    if (!l->w && errno == EWOULDBLOCK) {
        l->wait_timer = emu_timer_add_host(e, WORLD_WAIT_MS, try_take, l);
        return;
    }
    if (!l->w) {
        LOG_ERROR("%s: %s; this emulator runs without its world", l->stack->name, err);
        return;
    }
    LOG_INFO("%s: took the world %s", l->stack->name, l->wait_path);
    opened(l);
    world_link_up(l);
}

int world_link_attach(world_link *l, emu *e, const world_stack *s, void *fe,
                      const uint64_t *last_rx_ms, const emu_options *o, char *err, size_t errlen)
{
    *l = (world_link){.e = e, .stack = s, .fe = fe, .last_rx_ms = last_rx_ms};
    if (!o->world_path) return 0;
    l->w = world_open(o->world_path, err, errlen);
    if (!l->w && errno == EWOULDBLOCK && o->world_wait) {
        LOG_INFO("%s: %s; waiting for it (--world-wait)", s->name, err);
        l->wait_path = o->world_path;
        l->wait_timer = emu_timer_add_host(e, WORLD_WAIT_MS, try_take, l);
        return 0;
    }
    if (!l->w) return -1;
    opened(l);
    return 0;
}

void world_link_up(world_link *l)
{
    world_coord c;
    if (!l->w || coord(l, &c) < 0) return;
    if (emu_opts(l->e)->world_adopt) world_adopt(l->w, &c);
    if (l->timer) emu_timer_cancel(l->e, l->timer);
    l->timer = emu_timer_add(l->e, WORLD_FIRST_MS, tick, l);
}

void world_link_joined(world_link *l, const emu_device *d)
{
    world_coord c;
    world_member m = {d->ieee, d->nwk, d->is_child};
    if (!l->w) return;
    int (*joining)(void *, world_coord *) =
        l->stack->coord_joining ? l->stack->coord_joining : l->stack->coord;
    if (coord_by(l, joining, &c) < 0 || world_join(l->w, &c, &m) < 0)
        LOG_WARN("%s: device %016llx not added to the world", l->stack->name,
                 (unsigned long long)d->ieee);
}

void world_link_detach(world_link *l)
{
    world_coord c;
    if (l->wait_timer) emu_timer_cancel(l->e, l->wait_timer);
    l->wait_timer = 0;
    if (!l->w) return;
    if (l->timer) emu_timer_cancel(l->e, l->timer);
    l->timer = 0;
    int up = coord(l, &c) == 0;
    if (up) world_poll(l->w, &c);
    if (up && coord(l, &c) == 0) world_round(l->w, &c);
    if (!up) world_network_down(l->w);
    world_close(l->w, NULL);
    l->w = NULL;
}
