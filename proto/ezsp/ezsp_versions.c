/* ezsp_versions.c - codecs of the EZSP structures whose layout depends on the negotiated
 * version (ezsp_versions.h), the one codec of each: ezsp.c's unversioned child-data and
 * security-manager-context codecs are these at EZSP_NEWEST. */
#include "ezsp_versions.h"

void ezsp_put_key_struct(zb_buf *b, const ezsp_key_struct *v)
{
    zb_put_le16(b, v->bitmask);
    zb_put_u8(b, v->type);
    zb_put_bytes(b, v->key, 16);
    zb_put_le32(b, v->outgoing_frame_counter);
    zb_put_le32(b, v->incoming_frame_counter);
    zb_put_u8(b, v->sequence_number);
    zb_put_bytes(b, v->partner_eui64, 8);
}

void ezsp_get_key_struct(zb_rd *r, ezsp_key_struct *v)
{
    v->bitmask = zb_get_le16(r);
    v->type = zb_get_u8(r);
    zb_get_bytes(r, v->key, 16);
    v->outgoing_frame_counter = zb_get_le32(r);
    v->incoming_frame_counter = zb_get_le32(r);
    v->sequence_number = zb_get_u8(r);
    zb_get_bytes(r, v->partner_eui64, 8);
}

size_t ezsp_child_data_size(int version)
{
    return version >= 10 ? EZSP_CHILD_DATA_SIZE : EZSP_CHILD_DATA_SIZE - 4;
}

void ezsp_put_child_data_v(zb_buf *b, int version, const ezsp_child_data *v)
{
    zb_put_bytes(b, v->eui64, 8);
    zb_put_u8(b, v->type);
    zb_put_le16(b, v->id);
    zb_put_u8(b, v->phy);
    zb_put_u8(b, v->power);
    zb_put_u8(b, v->timeout);
    if (version >= 10) zb_put_le32(b, v->remaining_timeout);
}

void ezsp_get_child_data_v(zb_rd *r, int version, ezsp_child_data *v)
{
    zb_get_bytes(r, v->eui64, 8);
    v->type = zb_get_u8(r);
    v->id = zb_get_le16(r);
    v->phy = zb_get_u8(r);
    v->power = zb_get_u8(r);
    v->timeout = zb_get_u8(r);
    v->remaining_timeout = version >= 10 ? zb_get_le32(r) : 0;
}

size_t ezsp_secman_context_size(int version)
{
    return version >= 13 ? EZSP_SECMAN_CONTEXT_SIZE : EZSP_SECMAN_CONTEXT_SIZE - 1;
}

void ezsp_put_secman_context_v(zb_buf *b, int version, const ezsp_secman_context *v)
{
    zb_put_u8(b, v->core_key_type);
    zb_put_u8(b, v->key_index);
    if (version >= 13)
        zb_put_le16(b, v->derived_type);
    else
        zb_put_u8(b, (uint8_t)v->derived_type);
    zb_put_bytes(b, v->eui64, 8);
    zb_put_u8(b, v->multi_network_index);
    zb_put_u8(b, v->flags);
    zb_put_le32(b, v->psa_key_alg_permission);
}

void ezsp_get_secman_context_v(zb_rd *r, int version, ezsp_secman_context *v)
{
    v->core_key_type = zb_get_u8(r);
    v->key_index = zb_get_u8(r);
    v->derived_type = version >= 13 ? zb_get_le16(r) : zb_get_u8(r);
    zb_get_bytes(r, v->eui64, 8);
    v->multi_network_index = zb_get_u8(r);
    v->flags = zb_get_u8(r);
    v->psa_key_alg_permission = zb_get_le32(r);
}
