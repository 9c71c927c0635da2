/* ocb.h - the open coordinator backup (zigpy/open-coordinator-backup, version 1) as plain C data.
 *
 * Every tool in this project meets the backup format through this one model: the harness
 * drivers fill it from a stick, --emulate seeds emulators from it, and `validate`/`diff` judge
 * files with it. It is its own library (zbocb, on common/ and cJSON only: the layers are
 * common -> proto -> ocb -> harness), in five files: ocb_model.c (lifecycle), ocb_parse.c (+
 * ocb_json.c, ocb_zigpy.c: reading), ocb_check.c (the rules and the issue report), ocb_emit.c
 * (canonical JSON) and ocb_diff.c (comparison). Numbers are held as numbers: IEEE addresses and
 * extended PAN IDs as the 64-bit value the JSON spells most-significant byte first (the spec's
 * convention), keys as the 16 bytes in the order the JSON lists them.
 *
 * Ownership: ocb_parse() returns a backup the caller frees with ocb_free(); the `internal` and
 * `stack_specific` cJSON trees are owned by the backup and kept verbatim, except that the
 * stack_specific keys the model knows (OCB_KNOWN_*) live only in their typed fields. */
#ifndef ZB_OCB_H
#define ZB_OCB_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCB_FORMAT      "zigpy/open-coordinator-backup"
#define OCB_MAX_FILE    (4u * 1024 * 1024) /* larger files are refused before parsing */
#define OCB_MAX_DEPTH   32                 /* deeper JSON nesting is refused */
#define OCB_MAX_DEVICES 65536

/* The stack_specific fields the model knows: 16-byte keys under stack_specific.STACK.NAME
 * (ocb_model.c has their table). */
enum ocb_known_field {
    OCB_KNOWN_TCLK_SEED,   /* stack_specific.zstack.tclk_seed: Z-Stack 3's TCLK seed */
    OCB_KNOWN_HASHED_TCLK, /* stack_specific.ezsp.hashed_tclk: EmberZNet's hashed TCLK */
    OCB_N_KNOWN
};

typedef struct ocb_link_key {
    uint8_t key[16];
    uint32_t tx_counter;
    uint32_t rx_counter;
} ocb_link_key;

typedef struct ocb_device {
    uint64_t ieee;
    bool has_nwk; /* false: "nwk_address": null */
    uint16_t nwk;
    bool is_child; /* default true when absent */
    bool has_link_key;
    ocb_link_key link_key;
} ocb_device;

typedef struct ocb_network_key {
    uint8_t key[16];
    uint8_t sequence_number;
    uint32_t frame_counter;
} ocb_network_key;

typedef struct ocb_backup {
    /* metadata */
    int version;
    char *source;    /* "name@version"; NULL when a leniently read file had null (emitted as
                      * zbharness's own name, like a backup built in code) */
    cJSON *internal; /* verbatim, may be NULL */
    /* stack_specific: the keys the model does not know, verbatim and in their order (may be
     * NULL); the known ones are only in the typed fields below (parse moves them there, emit
     * writes them back in place). Code that builds a backup sets the typed fields alone. */
    cJSON *stack_specific;
    bool has_tclk_seed; /* stack_specific.zstack.tclk_seed */
    uint8_t tclk_seed[16];
    bool has_hashed_tclk; /* stack_specific.ezsp.hashed_tclk */
    uint8_t hashed_tclk[16];
    /* Where parse found each known field among the keys of its stack object (OCB_KNOWN_*), so
     * that emit puts it back there; 0 (first) for a backup built in code. */
    size_t known_slot[OCB_N_KNOWN];

    uint64_t coordinator_ieee;
    uint16_t pan_id;
    uint64_t extended_pan_id;
    uint8_t nwk_update_id;
    uint8_t security_level;
    uint8_t channel;
    uint32_t channel_mask; /* bit n set = channel n (11..26) */
    ocb_network_key network_key;

    size_t n_devices;
    ocb_device *devices;
} ocb_backup;

/* ---- the issue report (ocb_check.c) ---- */

/* One problem found while parsing or checking, with the JSON path it concerns. */
enum ocb_severity { OCB_ERROR, OCB_WARNING };
/* Both strings are whole (never cut) and escaped for a terminal (zb_escape: key names and
 * characters from the file cannot carry control sequences). Owned by the report. */
typedef struct ocb_issue {
    enum ocb_severity severity;
    char *path;    /* e.g. "devices[3].link_key.key" ("" for the whole document) */
    char *message; /* e.g. "expected 32 hex digits, got 16" */
} ocb_issue;

typedef struct ocb_report {
    size_t n_issues, cap;
    ocb_issue *issues;
    size_t n_errors, n_warnings;
    bool unreadable; /* the input could not be read at all (an environment error, exit 2) */
} ocb_report;

void ocb_report_init(ocb_report *r);
void ocb_report_free(ocb_report *r);
void ocb_report_add(ocb_report *r, enum ocb_severity sev, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- reading (ocb_parse.c, ocb_json.c, ocb_zigpy.c) ---- */

/* Parse and check a backup. Returns the backup when there were no errors (warnings allowed),
 * NULL otherwise; every problem is appended to `report`. Checks: the schema (types, ranges,
 * anchored hex patterns, required keys, no unknown keys where the spec is closed) and the
 * semantics (channel in channel_mask, PAN not 0xFFFF, EPID not all 0/FF, unique device IEEE,
 * key lengths). Known implementation quirks (herdsman's unpadded pan_id/nwk_address) are
 * warnings. */
ocb_backup *ocb_parse(const char *text, size_t len, ocb_report *report);
ocb_backup *ocb_parse_file(const char *path, ocb_report *report);

/* How a file is read (flags for ocb_parse_ex / ocb_load). */
enum {
    /* For using a backup rather than judging it (diff, restore, conformance --golden): a
     * `metadata.source` that real writers get wrong (zigpy-zboss writes null) is a warning
     * naming the field instead of an error. `validate` never sets this. */
    OCB_PARSE_LENIENT = 1u << 0,
    /* The input is zigpy's own network state (ocb_zigpy.c), converted to a backup. */
    OCB_PARSE_FROM_ZIGPY = 1u << 1,
};
ocb_backup *ocb_parse_ex(const char *text, size_t len, unsigned flags, ocb_report *report);
/* Read PATH ("-": standard input) and parse it with `flags`. A path that cannot be read (no
 * such file, no permission, a directory, a FIFO, a device: said in the message) sets
 * report->unreadable; such a file is never opened in a way that blocks. */
ocb_backup *ocb_load(const char *path, unsigned flags, ocb_report *report);

/* zigpy's network state as its backup manager stores it ({"network_info", "node_info"}, see
 * ocb_zigpy.c): is `root` one, and convert it to a backup (NULL + errors in report). */
bool ocb_is_zigpy_state(const cJSON *root);
ocb_backup *ocb_from_zigpy(const cJSON *root, ocb_report *report);

/* ---- rules about values that callers apply too (ocb_check.c): one owner each ---- */

/* zigbee-herdsman's ember adapter writes coordinator_ieee and extended_pan_id byte-reversed
 * (wire order): true for a file that may be one of its (validate warns about it, diff treats a
 * reversed value as equal). */
bool ocb_herdsman_wire_order(const ocb_backup *b);
uint64_t ocb_bswap64(uint64_t v);
/* An IEEE with an OUI: not eight equal bytes, and a first byte without the group or the
 * locally-administered bit (no IEEE-assigned OUI has either). */
bool ocb_ieee_has_oui(uint64_t ieee);
/* b->coordinator_ieee is a placeholder (no OUI, see above), not a stick's address: true, with
 * why (whole when cap >= 320). validate warns; restore refuses to write it without consent. */
bool ocb_placeholder_ieee(const ocb_backup *b, char *why, size_t cap);

/* ---- device entries a writer garbled (ocb_entries.c) ---- */

/* What a restore does with such an entry. */
enum ocb_entry_fix {
    OCB_ENTRY_KEEP,   /* written as it is (it only looks garbled) */
    OCB_ENTRY_NO_NWK, /* written without its NWK address, which cannot be right, and so not as a
                         child */
};
typedef struct ocb_entry_note {
    size_t device; /* index into b->devices: the document's devices[] index for a parsed file */
    char path[48]; /* "devices[3].nwk_address" */
    char *what;    /* why it looks garbled, whole (owned) */
    enum ocb_entry_fix fix;
} ocb_entry_note;
typedef struct ocb_entry_notes {
    size_t n, cap;
    ocb_entry_note *items;
} ocb_entry_notes;

/* Every entry of b that looks garbled: several devices at NWK fffe ('unknown'), a reserved NWK
 * address, one made of two bytes of the device's OUI, one shared by two devices, an IEEE that
 * is an earlier entry's shifted by 1..3 bytes. Returns how many notes (0: none, out empty),
 * or -1 on allocation failure (out empty). Free with ocb_entry_notes_free. */
int ocb_entry_notes_find(const ocb_backup *b, ocb_entry_notes *out);
/* What restore does with a note's entry, as a sentence for messages. */
const char *ocb_entry_fix_text(enum ocb_entry_fix fix);
/* Applies the fixes to b (the backup the notes were found in, or a clone of it). */
void ocb_entry_notes_apply(ocb_backup *b, const ocb_entry_notes *notes);
void ocb_entry_notes_free(ocb_entry_notes *notes);

/* ---- writing (ocb_emit.c) ---- */

/* Canonical JSON: fixed key order, lowercase hex, devices sorted by IEEE, 2-space indent,
 * trailing newline. Equal backups emit byte-identical text. Caller frees. */
char *ocb_emit(const ocb_backup *b);

/* Write the canonical JSON to `path` atomically with mode 0600 (backups hold keys). */
int ocb_write_file(const ocb_backup *b, const char *path);

/* ---- lifecycle (ocb_model.c) ---- */

ocb_backup *ocb_new(void);
ocb_backup *ocb_clone(const ocb_backup *b);
void ocb_free(ocb_backup *b);
/* Replace metadata.source (copied). Returns 0 or -1 on allocation failure. */
int ocb_set_source(ocb_backup *b, const char *source);
/* Append a device (copied); -1 on allocation failure. */
int ocb_add_device(ocb_backup *b, const ocb_device *d);
/* Sort devices by IEEE (emit does this on its own copy too). */
void ocb_sort_devices(ocb_backup *b);
const ocb_device *ocb_find_device(const ocb_backup *b, uint64_t ieee);

/* ---- semantic comparison (ocb_diff.c) ---- */

/* How one field is compared. Rules are data: a table of (field, comparison). */
enum ocb_cmp {
    OCB_CMP_EQUAL,   /* must be equal */
    OCB_CMP_COUNTER, /* restored value must be >= original and <= original + max_increment */
    OCB_CMP_IGNORE,  /* not compared */
};

typedef struct ocb_rule {
    const char *field; /* a name from ocb_diff_fields(), e.g. "network_key.frame_counter" */
    enum ocb_cmp cmp;
} ocb_rule;

typedef struct ocb_diff_rules {
    const ocb_rule *rules; /* overrides; fields not listed use their default */
    size_t n_rules;
    uint32_t max_increment; /* for OCB_CMP_COUNTER; 0 = no upper bound */
} ocb_diff_rules;

typedef struct ocb_difference {
    char path[96];
    char a[80], b[80]; /* both values as text (keys redacted unless show_keys) */
    char why[64];
} ocb_difference;

typedef struct ocb_diff_result {
    size_t n, cap;
    ocb_difference *items;
} ocb_diff_result;

/* The comparable fields, NULL-terminated, in report order. */
const char *const *ocb_diff_fields(void);
/* Default rules for a restore round trip: counters may rise, metadata is ignored. */
extern const ocb_diff_rules OCB_RULES_ROUNDTRIP;
/* Compare `restored` against `original`. Returns the number of differences (0 = equal under
 * the rules) or -1 on allocation failure, or when a rule names an unknown field. */
int ocb_diff(const ocb_backup *original, const ocb_backup *restored, const ocb_diff_rules *rules,
             ocb_diff_result *out);
void ocb_diff_result_free(ocb_diff_result *r);

#endif
