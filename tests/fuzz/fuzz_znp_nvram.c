/* fuzz_znp_nvram.c - libFuzzer target: the Z-Stack NVRAM file loader (zigpy-znp JSON) runs on
 * files users edit by hand. Properties: no crash; an accepted file saves back to JSON that
 * loads again to the same items. */
#include "znp_nv.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (!doc) return 0;
    znp_nv nv;
    znp_nv_init(&nv);
    char err[200];
    if (znp_nv_from_json(&nv, doc, err, sizeof(err)) == 0) {
        cJSON *out = znp_nv_to_json(&nv);
        if (!out) abort();
        znp_nv nv2;
        znp_nv_init(&nv2);
        if (znp_nv_from_json(&nv2, out, err, sizeof(err)) != 0) abort();
        char *a = cJSON_PrintUnformatted(out);
        cJSON *out2 = znp_nv_to_json(&nv2);
        char *b = cJSON_PrintUnformatted(out2);
        if (!a || !b || strcmp(a, b) != 0) abort();
        free(a);
        free(b);
        cJSON_Delete(out2);
        cJSON_Delete(out);
        znp_nv_free(&nv2);
    }
    znp_nv_free(&nv);
    cJSON_Delete(doc);
    return 0;
}
