/* fuzz_ocb_parse.c - libFuzzer target: the OCB backup parser reads files users are handed.
 * Properties: no crash; an accepted backup emits canonical JSON that parses again without
 * errors, equals the original under exact comparison, and emits byte-identical text. The
 * same input read leniently and as zigpy's network state (format --from-zigpy): no crash, and
 * what is accepted emits a backup the strict parser accepts. */
#include "ocb.h"

#include <stdlib.h>
#include <string.h>

static void other_readings(const uint8_t *data, size_t size)
{
    static const unsigned FLAGS[] = {OCB_PARSE_LENIENT, OCB_PARSE_FROM_ZIGPY};
    for (size_t i = 0; i < sizeof(FLAGS) / sizeof(FLAGS[0]); i++) {
        ocb_report rep;
        ocb_report_init(&rep);
        ocb_backup *b = ocb_parse_ex((const char *)data, size, FLAGS[i], &rep);
        ocb_report_free(&rep);
        if (!b) continue;
        char *text = ocb_emit(b);
        if (!text) abort();
        ocb_report_init(&rep);
        ocb_backup *again = ocb_parse(text, strlen(text), &rep);
        if (!again || rep.n_errors) abort();
        ocb_report_free(&rep);
        ocb_free(again);
        free(text);
        ocb_free(b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    other_readings(data, size);
    ocb_report rep;
    ocb_report_init(&rep);
    ocb_backup *b = ocb_parse((const char *)data, size, &rep);
    ocb_report_free(&rep);
    if (!b) return 0;
    char *text = ocb_emit(b);
    if (!text) abort();
    ocb_report_init(&rep);
    ocb_backup *again = ocb_parse(text, strlen(text), &rep);
    if (!again || rep.n_errors) abort();
    ocb_report_free(&rep);
    /* a parse -> emit -> parse cycle must change nothing: counters compared as equal too */
    static const ocb_rule EXACT[] = {{"network_key.frame_counter", OCB_CMP_EQUAL},
                                     {"devices[].link_key.tx_counter", OCB_CMP_EQUAL},
                                     {"devices[].link_key.rx_counter", OCB_CMP_EQUAL}};
    const ocb_diff_rules rules = {EXACT, sizeof(EXACT) / sizeof(EXACT[0]), 0};
    ocb_diff_result diff = {0};
    if (ocb_diff(b, again, &rules, &diff) != 0) abort();
    ocb_diff_result_free(&diff);
    char *text2 = ocb_emit(again);
    if (!text2 || strcmp(text, text2) != 0) abort();
    free(text);
    free(text2);
    ocb_free(again);
    ocb_free(b);
    return 0;
}
