/* emu_fault.h - link faults injected on the emulator's serial line (--fault), so that tests can
 * show each protocol's recovery (ASH and ZBOSS retransmit, MT resynchronises) and that hosts
 * fail cleanly where a protocol cannot recover. */
#ifndef ZB_EMU_FAULT_H
#define ZB_EMU_FAULT_H

#include <stddef.h>
#include <stdint.h>

typedef struct emu_fault {
    double drop;       /* probability that a byte is lost */
    double corrupt;    /* probability that a byte has one bit flipped */
    unsigned delay_ms; /* every chunk the emulator sends is held this long */
    uint64_t rng;      /* own generator: faults do not disturb the emulator's seeded state */
    int active;
    /* what happened, for the exit log and tests */
    uint64_t rx_bytes, tx_bytes;
    uint64_t rx_dropped, rx_corrupted, tx_dropped, tx_corrupted;
} emu_fault;

/* Parses "drop=P,corrupt=P,delay=MS,seed=N" (any subset; P in 0..1, e.g. 0.01 or 1%).
 * Returns 0, or -1 with a message naming the bad part. */
int emu_fault_parse(const char *spec, emu_fault *f, char *err, size_t errlen);
/* Applies drop/corrupt to p[0..*n) in place; *n shrinks by the dropped bytes. */
void emu_fault_apply(emu_fault *f, uint8_t *p, size_t *n, int outgoing);

#endif
