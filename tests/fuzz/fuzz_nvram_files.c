/* fuzz_nvram_files.c - libFuzzer target: the EmberZNet token file and the ZBOSS dataset file
 * loaders (zbemu ezsp|zboss --nvram) read files users edit by hand. Properties: no crash; an
 * accepted file saves back to JSON that loads again to the same JSON. (The Z-Stack loader has
 * its own target, fuzz_znp_nvram.) */
#include "ezsp_frontend.h"
#include "zboss_frontend.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static void check_ezsp(const cJSON *doc)
{
    ezsp_nv nv;
    char err[200];
    if (ezsp_nv_init(&nv) < 0) return;
    if (ezsp_nv_from_json(&nv, doc, err, sizeof(err)) == 0) {
        cJSON *out = ezsp_nv_to_json(&nv);
        ezsp_nv nv2;
        if (!out || ezsp_nv_init(&nv2) < 0) abort();
        if (ezsp_nv_from_json(&nv2, out, err, sizeof(err)) != 0) abort();
        cJSON *out2 = ezsp_nv_to_json(&nv2);
        char *a = cJSON_PrintUnformatted(out), *b = cJSON_PrintUnformatted(out2);
        if (!a || !b || strcmp(a, b) != 0) abort();
        free(a);
        free(b);
        cJSON_Delete(out);
        cJSON_Delete(out2);
        ezsp_nv_free(&nv2);
    }
    ezsp_nv_free(&nv);
}

static void check_zboss(const cJSON *doc)
{
    zboss_nv nv;
    char err[200];
    zboss_nv_init_blank(&nv);
    if (zboss_nv_from_json(&nv, doc, err, sizeof(err)) == 0) {
        cJSON *out = zboss_nv_to_json(&nv);
        zboss_nv nv2;
        zboss_nv_init_blank(&nv2);
        if (!out || zboss_nv_from_json(&nv2, out, err, sizeof(err)) != 0) abort();
        cJSON *out2 = zboss_nv_to_json(&nv2);
        char *a = cJSON_PrintUnformatted(out), *b = cJSON_PrintUnformatted(out2);
        if (!a || !b || strcmp(a, b) != 0) abort();
        free(a);
        free(b);
        cJSON_Delete(out);
        cJSON_Delete(out2);
        zboss_nv_free(&nv2);
    }
    zboss_nv_free(&nv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (!doc) return 0;
    check_ezsp(doc);
    check_zboss(doc);
    cJSON_Delete(doc);
    return 0;
}
