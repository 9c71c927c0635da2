/* test_z2m_config.c - the configuration.yaml edits of a migration hand-off (z2m_config.h):
 * the values in each adapter's byte order, only the named keys changed (comments, order and
 * other settings kept byte for byte), block and flow sequences replaced whole, missing keys and
 * sections added, !secret references left, and a second application changing nothing. */
#include "z2m_config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static ocb_backup net(void)
{
    ocb_backup b;
    memset(&b, 0, sizeof(b));
    b.extended_pan_id = 0xA2BA38A8B5E683A0ull;
    b.pan_id = 0x4402;
    b.channel = 15;
    for (int i = 0; i < 16; i++)
        b.network_key.key[i] = (uint8_t)(i + 1);
    return b;
}

/* as Zigbee2MQTT 2.x writes it after forming on a CC2652 (js-yaml dump: block sequences) */
static const char *ZSTACK_CFG = "# my house\n"
                                "homeassistant:\n"
                                "  enabled: true\n"
                                "mqtt:\n"
                                "  server: mqtt://localhost\n"
                                "serial:\n"
                                "  port: /dev/ttyUSB0 # the CC2652\n"
                                "  adapter: zstack\n"
                                "advanced:\n"
                                "  log_level: info\n"
                                "  pan_id: 17410\n"
                                "  ext_pan_id:\n"
                                "    - 162\n"
                                "    - 186\n"
                                "    - 56\n"
                                "    - 168\n"
                                "    - 181\n"
                                "    - 230\n"
                                "    - 131\n"
                                "    - 160\n"
                                "  network_key:\n"
                                "    - 1\n"
                                "    - 2\n"
                                "  channel: 15\n"
                                "\n"
                                "version: 4\n";

static char *apply(const char *in, const char *adapter, const char *port, size_t *secrets)
{
    ocb_backup b = net();
    z2m_setting s[Z2M_SETTINGS];
    cr_assert_eq(z2m_settings_for(&b, adapter, port, s), Z2M_SETTINGS);
    char *out = z2m_apply(in, s, Z2M_SETTINGS, secrets);
    cr_assert_not_null(out);
    return out;
}

Test(z2m_config, ember_gets_wire_order_and_only_named_keys_change)
{
    size_t secrets;
    char *out = apply(ZSTACK_CFG, "ember", "/dev/ttyACM0", &secrets);
    cr_assert_eq(secrets, 0);
    cr_assert_str_eq(out, "# my house\n"
                          "homeassistant:\n"
                          "  enabled: true\n"
                          "mqtt:\n"
                          "  server: mqtt://localhost\n"
                          "serial:\n"
                          "  port: /dev/ttyACM0\n"
                          "  adapter: ember\n"
                          "advanced:\n"
                          "  log_level: info\n"
                          "  pan_id: 17410\n"
                          "  ext_pan_id: [160, 131, 230, 181, 168, 56, 186, 162]\n"
                          "  network_key: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]\n"
                          "  channel: 15\n"
                          "\n"
                          "version: 4\n");
    size_t again_secrets;
    char *again = apply(out, "ember", "/dev/ttyACM0", &again_secrets);
    cr_assert_str_eq(again, out, "a second hand-off changes nothing");
    free(again);
    free(out);
}

Test(z2m_config, missing_keys_and_sections_are_added)
{
    size_t secrets;
    char *out = apply("mqtt:\n  server: mqtt://localhost\nserial:\n  port: /dev/ttyUSB0\n", "zboss",
                      "tcp://192.168.1.5:6638", &secrets);
    cr_assert_str_eq(out, "mqtt:\n  server: mqtt://localhost\n"
                          "serial:\n  port: tcp://192.168.1.5:6638\n  adapter: zboss\n"
                          "advanced:\n  pan_id: 17410\n"
                          "  ext_pan_id: [160, 131, 230, 181, 168, 56, 186, 162]\n"
                          "  network_key: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]\n"
                          "  channel: 15\n");
    free(out);
}

Test(z2m_config, flow_sequences_four_space_indent_and_secrets)
{
    const char *in = "serial:\n"
                     "    port: /dev/ttyUSB0\n"
                     "    adapter: zstack\n"
                     "advanced:\n"
                     "    network_key: '!secret network_key'\n"
                     "    ext_pan_id: [1, 2, 3, 4, 5, 6, 7, 8]\n"
                     "    ext_pan_id_note: keep\n";
    size_t secrets;
    char *out = apply(in, "ember", "/dev/serial/by-id/usb-ITead_Sonoff: E", &secrets);
    cr_assert_eq(secrets, 1, "the !secret network key is left and counted");
    cr_assert(z2m_is_secret(out, "advanced", "network_key"));
    cr_assert_not_null(strstr(out, "    port: '/dev/serial/by-id/usb-ITead_Sonoff: E'\n"));
    cr_assert_not_null(strstr(out, "    ext_pan_id: [160, 131, 230, 181, 168, 56, 186, 162]\n"));
    cr_assert_not_null(strstr(out, "    ext_pan_id_note: keep\n"), "a longer key is not the key");
    cr_assert_not_null(strstr(out, "    channel: 15\n"), "added at the section's indent");
    free(out);
}

/* zigbee-herdsman's zstack adapter reads the NIB's EPID reversed and compares the array with
 * it: most significant byte first, the order Zigbee2MQTT itself writes after forming (as in
 * ZSTACK_CFG above), so a Z-Stack to Z-Stack hand-off leaves ext_pan_id as it was */
Test(z2m_config, zstack_gets_the_backups_hex_order)
{
    size_t secrets;
    char *out = apply(ZSTACK_CFG, "zstack", "tcp://127.0.0.1:6638", &secrets);
    cr_assert_not_null(strstr(out, "  ext_pan_id: [162, 186, 56, 168, 181, 230, 131, 160]\n"));
    cr_assert_not_null(strstr(out, "  port: tcp://127.0.0.1:6638\n  adapter: zstack\n"));
    free(out);
}

Test(z2m_config, adapters_by_stack_name)
{
    cr_assert_str_eq(z2m_adapter_of("znp"), "zstack");
    cr_assert_str_eq(z2m_adapter_of("ezsp"), "ember");
    cr_assert_str_eq(z2m_adapter_of("zboss"), "zboss");
    cr_assert_null(z2m_adapter_of("deconz"));
    ocb_backup b = net();
    z2m_setting s[Z2M_SETTINGS];
    cr_assert_eq(z2m_settings_for(&b, "deconz", "/dev/x", s), -1);
}
