/* select.h - which cells a run takes: --targets lists and --shard K/N. Shared by roundtrip and
 * conformance so both spell and check them alike (a name that matches nothing is a usage
 * error, not an empty green run), and so a CI fan-out over N runners covers every cell of the
 * whole run exactly once. */
#ifndef ZB_SELECT_H
#define ZB_SELECT_H

#include <stddef.h>

/* 1 when `name` is an item of the comma list `list` (NULL list: everything). */
int zbh_list_has(const char *list, const char *name);

/* Checks every item of `list` against the known target names; on the first unknown one writes
 * "--targets NAME: no such target (known: ...)" to err and returns -1. */
int zbh_list_check(const char *list, char *err, size_t errlen);

typedef struct zbh_shard {
    unsigned k, n; /* shard k of n, 1 <= k <= n; {1, 1} is the whole run */
} zbh_shard;

/* Parses "K/N" (1 <= K <= N <= 1000). Returns 0 or -1 + err. */
int zbh_shard_parse(const char *text, zbh_shard *s, char *err, size_t errlen);

/* 1 when cell number i (0-based, in the order of the whole run) belongs to shard s: cells are
 * dealt round-robin, so every shard gets a spread of sources and sizes differ by at most one. */
int zbh_shard_has(const zbh_shard *s, size_t i);

#endif
