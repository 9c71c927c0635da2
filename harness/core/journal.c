/* journal.c - the restore journal (see journal.h for why it exists and where it lives).
 * The file is small JSON read and written with cJSON; every value that bounds a counter is
 * merged upwards, never replaced, so no sequence of saves can lower one. */
#include "journal.h"

#include "driver.h"
#include "fileio.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define JOURNAL_PREFIX    "zbharness-journal-"
#define JOURNAL_MAX_BYTES (4u << 20)

static void utc_now(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm)) out[0] = '\0';
}

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    int k = snprintf(buf, sizeof(buf), "%s", path);
    if (k < 0 || (size_t)k >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Where the per-user state directory is, without creating it (a backup only looks). */
static int state_dir_path(char *out, size_t cap, char *err, size_t errlen)
{
    const char *env = getenv("ZBHARNESS_STATE_DIR");
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int k;
    if (env && *env)
        k = snprintf(out, cap, "%s", env);
    else if (xdg && *xdg == '/')
        k = snprintf(out, cap, "%s/zbharness", xdg);
    else if (home && *home)
        k = snprintf(out, cap, "%s/.local/state/zbharness", home);
    else {
        snprintf(err, errlen, "no state directory: set ZBHARNESS_STATE_DIR or HOME");
        return -1;
    }
    if (k < 0 || (size_t)k >= cap) {
        snprintf(err, errlen, "the state directory's path is too long");
        return -1;
    }
    return 0;
}

int zbh_journal_state_dir(char *out, size_t cap, char *err, size_t errlen)
{
    if (state_dir_path(out, cap, err, errlen) < 0) return -1;
    if (mkdir_p(out, 0700) < 0) {
        snprintf(err, errlen, "cannot create the state directory %s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the model */

static int key_put(zbh_journal *j, uint64_t ieee, uint32_t tx)
{
    for (size_t i = 0; i < j->n_keys; i++)
        if (j->keys[i].ieee == ieee) {
            if (tx > j->keys[i].tx_counter) j->keys[i].tx_counter = tx;
            return 0;
        }
    zbh_journal_key *k = realloc(j->keys, (j->n_keys + 1) * sizeof(*k));
    if (!k) return -1;
    j->keys = k;
    j->keys[j->n_keys++] = (zbh_journal_key){ieee, tx};
    return 0;
}

zbh_journal *zbh_journal_new(const ocb_backup *plan, const char *stack, const char *port,
                             const char *backup, const char *prerestore, uint64_t device_ieee)
{
    zbh_journal *j = calloc(1, sizeof(*j));
    if (!j) return NULL;
    snprintf(j->stack, sizeof(j->stack), "%s", stack ? stack : "");
    snprintf(j->port, sizeof(j->port), "%s", port ? port : "");
    snprintf(j->backup, sizeof(j->backup), "%s", backup ? backup : "");
    snprintf(j->prerestore, sizeof(j->prerestore), "%s", prerestore ? prerestore : "");
    utc_now(j->started, sizeof(j->started));
    j->extended_pan_id = plan->extended_pan_id;
    j->device_ieee = device_ieee;
    j->target_ieee = plan->coordinator_ieee;
    j->nwk_frame_counter = plan->network_key.frame_counter;
    for (size_t i = 0; i < plan->n_devices; i++) {
        const ocb_device *d = &plan->devices[i];
        if (!d->has_link_key || !d->link_key.tx_counter) continue;
        if (key_put(j, d->ieee, d->link_key.tx_counter) < 0) {
            zbh_journal_free(j);
            return NULL;
        }
    }
    return j;
}

void zbh_journal_free(zbh_journal *j)
{
    if (!j) return;
    free(j->keys);
    free(j);
}

void zbh_journal_merge_counters(zbh_journal *j, const ocb_backup *b)
{
    if (b->network_key.frame_counter > j->nwk_frame_counter)
        j->nwk_frame_counter = b->network_key.frame_counter;
    for (size_t i = 0; i < b->n_devices; i++) {
        const ocb_device *d = &b->devices[i];
        if (d->has_link_key && d->link_key.tx_counter)
            key_put(j, d->ieee, d->link_key.tx_counter); /* ENOMEM: the bound stays as it was */
    }
}

/* ---------------------------------------------------------------- JSON */

static void put_hex64(cJSON *o, const char *name, uint64_t v)
{
    char s[17];
    snprintf(s, sizeof(s), "%016llx", (unsigned long long)v);
    cJSON_AddStringToObject(o, name, s);
}

static char *to_json(const zbh_journal *j)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "format", "zbharness restore journal 1");
    cJSON_AddStringToObject(o, "state", j->done ? "done" : "in-progress");
    cJSON_AddStringToObject(o, "started", j->started);
    cJSON_AddStringToObject(o, "finished", j->finished);
    cJSON_AddStringToObject(o, "stack", j->stack);
    cJSON_AddStringToObject(o, "port", j->port);
    cJSON_AddStringToObject(o, "backup", j->backup);
    cJSON_AddStringToObject(o, "prerestore", j->prerestore);
    put_hex64(o, "extended_pan_id", j->extended_pan_id);
    put_hex64(o, "device_ieee", j->device_ieee);
    put_hex64(o, "target_ieee", j->target_ieee);
    cJSON_AddNumberToObject(o, "nwk_frame_counter", j->nwk_frame_counter);
    cJSON *keys = cJSON_AddObjectToObject(o, "link_key_tx_counters");
    for (size_t i = 0; keys && i < j->n_keys; i++) {
        char s[17];
        snprintf(s, sizeof(s), "%016llx", (unsigned long long)j->keys[i].ieee);
        cJSON_AddNumberToObject(keys, s, j->keys[i].tx_counter);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

static int get_str(const cJSON *o, const char *name, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v)) return -1;
    snprintf(out, cap, "%s", v->valuestring);
    return 0;
}

static int parse_hex64(const char *s, uint64_t *out)
{
    char *end;
    if (strlen(s) != 16) return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 16);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int get_hex64(const cJSON *o, const char *name, uint64_t *out)
{
    char s[32];
    return get_str(o, name, s, sizeof(s)) < 0 ? -1 : parse_hex64(s, out);
}

static int get_u32(const cJSON *o, const char *name, uint32_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > UINT32_MAX) return -1;
    *out = (uint32_t)v->valuedouble;
    return 0;
}

/* Reads one journal file: 0, or -1 with a reason in why. */
static int load(const char *path, zbh_journal *j, char *why, size_t len)
{
    memset(j, 0, sizeof(*j));
    size_t n;
    char *text = file_read_all(path, JOURNAL_MAX_BYTES, &n);
    if (!text) {
        char e[128];
        snprintf(why, len, "%s", file_read_error(path, errno, JOURNAL_MAX_BYTES, e, sizeof(e)));
        return -1;
    }
    cJSON *o = cJSON_ParseWithLength(text, n);
    free(text);
    char state[16], format[64];
    int rc = -1;
    if (!o || get_str(o, "format", format, sizeof(format)) < 0 ||
        strcmp(format, "zbharness restore journal 1") != 0) {
        snprintf(why, len, "not a zbharness restore journal");
        goto out;
    }
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(o, "link_key_tx_counters");
    if (get_str(o, "state", state, sizeof(state)) < 0 ||
        get_str(o, "started", j->started, sizeof(j->started)) < 0 ||
        get_str(o, "finished", j->finished, sizeof(j->finished)) < 0 ||
        get_str(o, "stack", j->stack, sizeof(j->stack)) < 0 ||
        get_str(o, "port", j->port, sizeof(j->port)) < 0 ||
        get_str(o, "backup", j->backup, sizeof(j->backup)) < 0 ||
        get_str(o, "prerestore", j->prerestore, sizeof(j->prerestore)) < 0 ||
        get_hex64(o, "extended_pan_id", &j->extended_pan_id) < 0 ||
        get_hex64(o, "device_ieee", &j->device_ieee) < 0 ||
        get_hex64(o, "target_ieee", &j->target_ieee) < 0 ||
        get_u32(o, "nwk_frame_counter", &j->nwk_frame_counter) < 0 || !cJSON_IsObject(keys)) {
        snprintf(why, len, "a field is missing or malformed");
        goto out;
    }
    j->done = strcmp(state, "done") == 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, keys)
    {
        uint64_t ieee;
        if (!k->string || parse_hex64(k->string, &ieee) < 0 || !cJSON_IsNumber(k) ||
            k->valuedouble < 0 || k->valuedouble > UINT32_MAX) {
            snprintf(why, len, "link_key_tx_counters: a malformed entry");
            goto out;
        }
        if (key_put(j, ieee, (uint32_t)k->valuedouble) < 0) {
            snprintf(why, len, "out of memory");
            goto out;
        }
    }
    snprintf(j->file, sizeof(j->file), "%s", path);
    rc = 0;
out:
    if (rc < 0) free(j->keys), j->keys = NULL, j->n_keys = 0;
    cJSON_Delete(o);
    return rc;
}

/* ---------------------------------------------------------------- files */

/* "/dev/serial/by-id/usb-x" -> "dev-serial-by-id-usb-x": a file-name-safe form of the port */
static void port_slug(const char *port, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = port; *p && o + 1 < cap && o < 96; p++) {
        char c = *p;
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_';
        if (!safe) c = '-';
        if (c == '-' && (o == 0 || out[o - 1] == '-')) continue;
        out[o++] = c;
    }
    out[o] = '\0';
}

int zbh_journal_save(zbh_journal *j, const char *dir, char *err, size_t errlen)
{
    char slug[128], path[1024];
    port_slug(j->port, slug, sizeof(slug));
    int k = snprintf(path, sizeof(path), "%s/" JOURNAL_PREFIX "%016llx-%s.json", dir,
                     (unsigned long long)j->extended_pan_id, slug);
    if (k < 0 || (size_t)k >= sizeof(path)) {
        snprintf(err, errlen, "the journal's path in %s is too long", dir);
        return -1;
    }
    zbh_journal old;
    char why[128];
    if (load(path, &old, why, sizeof(why)) == 0) {
        if (old.extended_pan_id == j->extended_pan_id) {
            if (old.nwk_frame_counter > j->nwk_frame_counter)
                j->nwk_frame_counter = old.nwk_frame_counter;
            for (size_t i = 0; i < old.n_keys; i++)
                key_put(j, old.keys[i].ieee, old.keys[i].tx_counter);
        }
        free(old.keys);
    }
    char *text = to_json(j);
    if (!text) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    int rc = file_write(path, text, strlen(text), 0600, FILE_WRITE_REGULAR_ONLY);
    int e = errno;
    free(text);
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
        return -1;
    }
    snprintf(j->file, sizeof(j->file), "%s", path);
    return 0;
}

/* The same network (when asked) on the same port. Not by IEEE: a restore copies the
 * coordinator IEEE onto the new stick, so every stick that ever ran a network shares it, and
 * one stick's journal would raise another's counters. */
static bool matches(const zbh_journal *j, bool has_epid, uint64_t epid, const char *port)
{
    if (has_epid && j->extended_pan_id != epid) return false;
    return port && strcmp(j->port, port) == 0;
}

/* The same restore seen in both places (same network, port and start) counts once. A restore
 * stopped between its two "done" saves leaves one copy done and one in progress: the done one
 * wins, as it was written after the verified read-back. Returns true when j is a copy (the
 * list keeps whichever is done, and j's counters where higher). */
static bool already(zbh_journal *list, size_t n, zbh_journal *j)
{
    for (size_t i = 0; i < n; i++) {
        zbh_journal *o = &list[i];
        if (o->extended_pan_id != j->extended_pan_id || strcmp(o->port, j->port) != 0 ||
            strcmp(o->started, j->started) != 0)
            continue;
        if (j->nwk_frame_counter > o->nwk_frame_counter)
            o->nwk_frame_counter = j->nwk_frame_counter;
        for (size_t k = 0; k < j->n_keys; k++)
            key_put(o, j->keys[k].ieee, j->keys[k].tx_counter);
        if (j->done && !o->done) {
            o->done = true;
            snprintf(o->finished, sizeof(o->finished), "%s", j->finished);
            snprintf(o->file, sizeof(o->file), "%s", j->file);
        }
        return true;
    }
    return false;
}

static void scan_dir(const char *dir, bool has_epid, uint64_t epid, const char *port,
                     zbh_journal **list, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (strncmp(de->d_name, JOURNAL_PREFIX, sizeof(JOURNAL_PREFIX) - 1) != 0 || len < 6 ||
            strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        char path[1024], why[160];
        int k = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (k < 0 || (size_t)k >= sizeof(path)) continue;
        zbh_journal j;
        if (load(path, &j, why, sizeof(why)) < 0) {
            fprintf(stderr, "zbharness: warning: journal %s skipped: %s\n", path, why);
            continue;
        }
        if (!matches(&j, has_epid, epid, port) || already(*list, *n, &j)) {
            free(j.keys);
            continue;
        }
        zbh_journal *grown = realloc(*list, (*n + 1) * sizeof(**list));
        if (!grown) {
            free(j.keys);
            break;
        }
        *list = grown;
        (*list)[(*n)++] = j;
    }
    closedir(d);
}

size_t zbh_journal_find(const char *dir, bool has_epid, uint64_t epid, const char *port,
                        zbh_journal **out)
{
    *out = NULL;
    size_t n = 0;
    char abs[PATH_MAX], state[PATH_MAX], err[256];
    const char *pre = realpath(dir ? dir : ".", abs) ? abs : (dir ? dir : ".");
    scan_dir(pre, has_epid, epid, port, out, &n);
    if (state_dir_path(state, sizeof(state), err, sizeof(err)) == 0 && strcmp(state, pre) != 0)
        scan_dir(state, has_epid, epid, port, out, &n); /* a missing folder holds none */
    return n;
}

void zbh_journal_list_free(zbh_journal *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].keys);
    free(list);
}

/* ---------------------------------------------------------------- using them */

void zbh_journal_raise(const zbh_journal *list, size_t n, ocb_backup *plan)
{
    for (size_t i = 0; i < n; i++) {
        const zbh_journal *j = &list[i];
        if (j->extended_pan_id != plan->extended_pan_id) continue;
        if (j->nwk_frame_counter > plan->network_key.frame_counter) {
            fprintf(stderr,
                    "zbharness restore: journal %s (%s restore of this network started %s) "
                    "had NWK frame counter %u, above the plan's %u: keeping %u, plus the "
                    "increment\n",
                    j->file, j->done ? "a finished" : "an UNFINISHED", j->started,
                    j->nwk_frame_counter, plan->network_key.frame_counter, j->nwk_frame_counter);
            plan->network_key.frame_counter = j->nwk_frame_counter;
        }
        size_t raised = 0;
        for (size_t k = 0; k < j->n_keys; k++) {
            ocb_device *d = (ocb_device *)ocb_find_device(plan, j->keys[k].ieee);
            if (!d || !d->has_link_key || d->link_key.tx_counter >= j->keys[k].tx_counter) continue;
            d->link_key.tx_counter = j->keys[k].tx_counter;
            raised++;
        }
        if (raised)
            fprintf(stderr,
                    "zbharness restore: journal %s: %zu link-key TX counters raised to the "
                    "journal's\n",
                    j->file, raised);
    }
}

size_t zbh_journal_warn_unfinished(const zbh_journal *list, size_t n, const char *who,
                                   const ocb_backup *now)
{
    size_t unfinished = 0;
    for (size_t i = 0; i < n; i++) {
        const zbh_journal *j = &list[i];
        if (j->done) continue;
        unfinished++;
        bool other = now && now->extended_pan_id != j->extended_pan_id;
        char holds[160] = "";
        if (other)
            snprintf(holds, sizeof(holds),
                     "; the stick holds network %016llx now (the restore stopped before writing "
                     "it, or a reset it sent is still to come)",
                     (unsigned long long)now->extended_pan_id);
        fprintf(stderr,
                "%s: warning: an unfinished restore of network %016llx onto %s (journal %s, "
                "started %s)%s%s%s: finish it with:\n  zbharness restore --stack %s --port %s "
                "--backup %s%s\n%s",
                who, (unsigned long long)j->extended_pan_id, j->port, j->file, j->started,
                j->prerestore[0] ? "; the stick's network before it is in " : "", j->prerestore,
                holds, j->stack, j->port, j->backup[0] ? j->backup : "BACKUP",
                other ? " --force" : "",
                other ? "  (or, if that restore is no longer wanted, delete the journal and its "
                        "copy in the state directory)\n"
                      : "");
    }
    return unfinished;
}
