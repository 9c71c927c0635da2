/* emu_profile.c - a captured identity as the emulator's options (emu_profile.h). */
#include "emu_profile.h"

#include "cJSON.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_MAX (4u << 20)

/* A trace that is a profile says so: "profile": {"format": "zbprofile 1"}. */
static int is_profile(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = file_read_all(path, PROFILE_MAX, &len);
    if (!text) {
        char why[300];
        snprintf(err, errlen, "%s: %s", path,
                 file_read_error(path, errno, PROFILE_MAX, why, sizeof(why)));
        return -1;
    }
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(doc, "profile");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(p, "format");
    int ok = cJSON_IsString(f) && strcmp(f->valuestring, "zbprofile 1") == 0;
    cJSON_Delete(doc);
    if (!ok)
        snprintf(err, errlen,
                 "%s: profile.format: want \"zbprofile 1\" (made by zbharness capture --profile)",
                 path);
    return ok ? 0 : -1;
}

zbt_trace *emu_profile_apply(const char *path, const char *stack, emu_options *o, char *err,
                             size_t errlen)
{
    if (is_profile(path, err, errlen) < 0) return NULL;
    zbt_trace *t = zbt_load(path, err, errlen);
    if (!t) return NULL;
    if (strcmp(zbt_stack_name(t->stack), stack) != 0) {
        snprintf(err, errlen, "%s: a %s profile, not %s", path, zbt_stack_name(t->stack), stack);
        zbt_free(t);
        return NULL;
    }
    if (!o->profile && t->line) o->profile = t->line;
    if (!o->ezsp_version && t->ezsp) o->ezsp_version = t->ezsp;
    if (!o->firmware && t->fw_arg) o->firmware = t->fw_arg;
    o->script_path = path;
    return t;
}
