/* world_link.h - how a front end keeps its world (world.h): attach, the exchange timer, joins,
 * detach.
 *
 * WHY a separate binding: the three front ends run the world the same way (open it at start, an
 * exchange every 2 s once the network is up, waiting for a quiet host, a last exchange when the
 * emulator stops); only how each reads its coordinator from its own NV differs, and that is
 * the world_stack table its *_world.c gives. world.c stays a deterministic model (no clock, no
 * timers); the clock and the timers live here. */
#ifndef ZB_WORLD_LINK_H
#define ZB_WORLD_LINK_H

#include "emu.h"
#include "world.h"

#include <stddef.h>
#include <stdint.h>

/* Embedded in the front end's state (its address is the timer's argument: it must not move). */
typedef struct world_link {
    world *w; /* --world, or NULL: every call below is then a no-op */
    emu *e;
    const world_stack *stack;
    void *fe;
    const uint64_t *last_rx_ms; /* the front end's clock of the host's last bytes */
    unsigned timer;             /* the exchange timer, 0 when none */
    const char *wait_path;      /* --world-wait: the world another zbemu holds, until taken */
    unsigned wait_timer;
} world_link;

/* Binds the front end `fe` of stack `s` and opens o->world_path when given. 0, or -1 with a
 * message naming the file and field. */
int world_link_attach(world_link *l, emu *e, const world_stack *s, void *fe,
                      const uint64_t *last_rx_ms, const emu_options *o, char *err, size_t errlen);
/* The network is up (formed or restored): --world-adopt, then the exchanges start. */
void world_link_up(world_link *l);
/* A simulated device joined the stack's tables (--devices): it joins the world too. */
void world_link_joined(world_link *l, const emu_device *d);
/* The emulator stops: a last exchange while the network is up, then the file is saved and
 * unlocked. Call before the front end saves its counter (the exchange may send frames). */
void world_link_detach(world_link *l);

#endif
