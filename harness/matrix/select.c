/* select.c - --targets lists and --shard K/N (see select.h). */
#include "select.h"

#include "emuproc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zbh_list_has(const char *list, const char *name)
{
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ',')) return 1;
    return 0;
}

int zbh_list_check(const char *list, char *err, size_t errlen)
{
    if (!list) return 0;
    if (!*list) {
        snprintf(err, errlen, "--targets: empty list");
        return -1;
    }
    const zbh_target *t[16];
    size_t nt = zbh_targets(t, 16);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        int found = 0;
        for (size_t i = 0; i < nt && !found; i++)
            found = strlen(t[i]->name) == len && strncmp(t[i]->name, p, len) == 0;
        if (!found) {
            char known[256] = "";
            for (size_t i = 0; i < nt; i++)
                snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
                         i ? ", " : "", t[i]->name);
            snprintf(err, errlen, "--targets %.*s: no such target (known: %s)", (int)len, p, known);
            return -1;
        }
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

int zbh_shard_parse(const char *text, zbh_shard *s, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long k = strtoul(text, &end, 10);
    unsigned long n = 0;
    int ok = end != text && *end == '/' && text[0] != '-' && errno == 0;
    if (ok) {
        const char *ns = end + 1;
        n = strtoul(ns, &end, 10);
        ok = end != ns && *end == '\0' && ns[0] != '-' && errno == 0 && k >= 1 && k <= n &&
             n <= 1000;
    }
    if (!ok) {
        snprintf(err, errlen, "--shard %s: expected K/N with 1 <= K <= N <= 1000 (e.g. 2/4)", text);
        return -1;
    }
    s->k = (unsigned)k;
    s->n = (unsigned)n;
    return 0;
}

int zbh_shard_has(const zbh_shard *s, size_t i)
{
    return s->n <= 1 || i % s->n == s->k - 1;
}
