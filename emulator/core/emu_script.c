/* emu_script.c - answers from a real stick's trace (emu_script.h). */
#include "emu_script.h"

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct emu_script {
    zbt_trace *t;
    unsigned char *used; /* per exchange: already answered once */
    size_t hits, misses;
};

emu_script *emu_script_load(const char *path, const char *stack, char *err, size_t errlen)
{
    zbt_trace *t = zbt_load(path, err, errlen);
    if (!t) return NULL;
    if (strcmp(zbt_stack_name(t->stack), stack) != 0) {
        snprintf(err, errlen, "%s: a %s trace, not %s", path, zbt_stack_name(t->stack), stack);
        zbt_free(t);
        return NULL;
    }
    emu_script *s = calloc(1, sizeof(*s));
    if (s) s->used = calloc(t->n_ex, 1);
    if (!s || !s->used) {
        if (s) free(s);
        zbt_free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->t = t;
    return s;
}

static int same(const zbt_frame *f, const uint8_t *req, size_t n, size_t host_byte)
{
    if (f->n != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (i != host_byte && f->b[i] != req[i]) return 0;
    return 1;
}

const zbt_exchange *emu_script_answer(emu_script *s, const uint8_t *req, size_t n,
                                      size_t host_byte)
{
    const zbt_exchange *last = NULL;
    for (size_t i = 0; i < s->t->n_ex; i++) {
        const zbt_exchange *x = &s->t->ex[i];
        if (!x->rsp_known || !same(&x->req, req, n, host_byte)) continue;
        if (!s->used[i]) {
            s->used[i] = 1;
            s->hits++;
            return x;
        }
        last = x;
    }
    if (last)
        s->hits++;
    else
        s->misses++;
    return last;
}

void emu_script_free(emu_script *s)
{
    if (!s) return;
    LOG_INFO("script: %zu requests answered from %s, %zu by the model", s->hits, s->t->name,
             s->misses);
    fprintf(stderr, "zbemu: script %s: %zu requests answered from the trace, %zu by the model\n",
            s->t->name, s->hits, s->misses);
    zbt_free(s->t);
    free(s->used);
    free(s);
}
