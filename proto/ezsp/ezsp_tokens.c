/* ezsp_tokens.c - the stack-token element codecs of ezsp_tokens.h. */
#include "ezsp_tokens.h"

#include <string.h>

void ezsp_tok_child_decode(const uint8_t p[EZSP_TOK_CHILD_SIZE], ezsp_tok_child *v)
{
    memcpy(v->eui64, p, 8);
    v->type = p[8];
    v->id = (uint16_t)(p[9] | p[10] << 8);
}

void ezsp_tok_child_encode(const ezsp_tok_child *v, uint8_t p[EZSP_TOK_CHILD_SIZE])
{
    memcpy(p, v->eui64, 8);
    p[8] = v->type;
    p[9] = (uint8_t)v->id;
    p[10] = (uint8_t)(v->id >> 8);
}

void ezsp_tok_key_decode(const uint8_t p[EZSP_TOK_KEY_SIZE], ezsp_tok_key *v)
{
    memcpy(v->eui64, p, 8);
    memcpy(v->key, p + 8, 16);
    v->info = p[24];
}

void ezsp_tok_key_encode(const ezsp_tok_key *v, uint8_t p[EZSP_TOK_KEY_SIZE])
{
    memcpy(p, v->eui64, 8);
    memcpy(p + 8, v->key, 16);
    p[24] = v->info;
}
