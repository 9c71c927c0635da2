/* emu_fault.c - byte-level fault injection for --fault. A fault model this simple (independent
 * byte loss and single-bit flips, fixed latency) is what a flaky USB-UART bridge looks like to a
 * host, and it is reproducible from its own seed. */
#include "emu_fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next(emu_fault *f)
{
    /* splitmix64 */
    uint64_t z = (f->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(emu_fault *f)
{
    return (double)(next(f) >> 11) / (double)(1ull << 53);
}

static int parse_prob(const char *v, double *out)
{
    char *end;
    double p = strtod(v, &end);
    if (end == v) return -1;
    if (*end == '%') {
        p /= 100.0;
        end++;
    }
    if (*end || p < 0.0 || p > 1.0) return -1;
    *out = p;
    return 0;
}

int emu_fault_parse(const char *spec, emu_fault *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    f->rng = 1;
    char *copy = strdup(spec);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !rc;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            snprintf(err, errlen, "--fault: '%s': expected key=value", tok);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *k = tok, *v = eq + 1;
        char *end;
        if (strcmp(k, "drop") == 0) {
            rc = parse_prob(v, &f->drop);
        } else if (strcmp(k, "corrupt") == 0) {
            rc = parse_prob(v, &f->corrupt);
        } else if (strcmp(k, "delay") == 0) {
            unsigned long ms = strtoul(v, &end, 10);
            rc = (*v && !*end && ms <= 60000) ? 0 : -1;
            f->delay_ms = (unsigned)ms;
        } else if (strcmp(k, "seed") == 0) {
            unsigned long long s = strtoull(v, &end, 10);
            rc = (*v && !*end) ? 0 : -1;
            f->rng = s;
        } else {
            snprintf(err, errlen, "--fault: unknown key '%s' (drop, corrupt, delay, seed)", k);
            rc = -1;
            break;
        }
        if (rc) snprintf(err, errlen, "--fault: %s=%s: bad value", k, v);
    }
    free(copy);
    f->active = !rc && (f->drop > 0 || f->corrupt > 0 || f->delay_ms > 0);
    return rc;
}

void emu_fault_apply(emu_fault *f, uint8_t *p, size_t *n, int outgoing)
{
    if (!f->active || (f->drop <= 0 && f->corrupt <= 0)) return;
    size_t w = 0;
    *(outgoing ? &f->tx_bytes : &f->rx_bytes) += *n;
    for (size_t r = 0; r < *n; r++) {
        if (f->drop > 0 && uniform(f) < f->drop) {
            *(outgoing ? &f->tx_dropped : &f->rx_dropped) += 1;
            continue;
        }
        uint8_t b = p[r];
        if (f->corrupt > 0 && uniform(f) < f->corrupt) {
            b ^= (uint8_t)(1u << (next(f) & 7));
            *(outgoing ? &f->tx_corrupted : &f->rx_corrupted) += 1;
        }
        p[w++] = b;
    }
    *n = w;
}
