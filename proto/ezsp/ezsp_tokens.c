/* ezsp_tokens.c - the stack-token element layouts of ezsp_tokens.h, and their element-sized
 * shortcuts over the one codec. */
#include "ezsp_tokens.h"

ZS_LAYOUT(ezsp_tok_child, EZSP_TOK_CHILD)
ZS_LAYOUT(ezsp_tok_key, EZSP_TOK_KEY)

void ezsp_tok_child_decode(const uint8_t p[EZSP_TOK_CHILD_SIZE], ezsp_tok_child *v)
{
    zs_decode(&ezsp_tok_child_layout, p, EZSP_TOK_CHILD_SIZE, v, NULL);
}

void ezsp_tok_child_encode(const ezsp_tok_child *v, uint8_t p[EZSP_TOK_CHILD_SIZE])
{
    zs_encode_to(&ezsp_tok_child_layout, v, p, EZSP_TOK_CHILD_SIZE);
}

void ezsp_tok_key_decode(const uint8_t p[EZSP_TOK_KEY_SIZE], ezsp_tok_key *v)
{
    zs_decode(&ezsp_tok_key_layout, p, EZSP_TOK_KEY_SIZE, v, NULL);
}

void ezsp_tok_key_encode(const ezsp_tok_key *v, uint8_t p[EZSP_TOK_KEY_SIZE])
{
    zs_encode_to(&ezsp_tok_key_layout, v, p, EZSP_TOK_KEY_SIZE);
}
