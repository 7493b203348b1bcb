/*
 * spec_runner.h — shared declarations of the spec test harness.
 *
 * The harness runs the official WebAssembly test scripts (converted to JSON by
 * wast2json) against reflow through its public API (reflow/engine.h) only.
 * It is split by concern:
 *   spec_runner.c  command line, finding scripts, totals
 *   spec_script.c  one script: its store, modules, instances and commands
 *   spec_values.c  parsing, comparing and printing wast2json values
 *   spec_host.c    the `spectest` host module every script may import from
 *
 * Invariants: nothing here trusts the JSON. Every field is type-checked before
 * use, every size read from disk is bounded, and anything unexpected becomes a
 * counted failure with a message, never a crash or a silent pass.
 */
#ifndef SPEC_RUNNER_H
#define SPEC_RUNNER_H

#include "reflow/engine.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest file (JSON script or module binary) the harness reads. */
#define SPEC_MAX_FILE_BYTES (64u * 1024u * 1024u)

/* Failures printed per script when --verbose is off. */
#define SPEC_QUIET_FAILURES 5

typedef struct spec_options {
    bool exec;               /* run every command (else validation only) */
    bool verbose;            /* print every failure, and trap-message mismatches */
    bool skip_unsupported;   /* RF_ERR_UNSUPPORTED on a module is a skip, not a failure */
    uint64_t timeout_ms;     /* per top-level call; 0 = none */
} spec_options;

typedef struct spec_counts {
    unsigned long passed;
    unsigned long failed;
    unsigned long skipped;
    unsigned long not_run;       /* commands the current mode does not execute */
    unsigned long unsupported;   /* subset of passed/skipped: the engine said RF_ERR_UNSUPPORTED */
} spec_counts;

/* ---- spec_values.c ---------------------------------------------------------- */

/*
 * Host references that stand for `ref.extern N`. The same N always maps to the
 * same non-null pointer within one script; each pointer is a separate small
 * allocation, so pointers stay valid while the table grows.
 */
typedef struct spec_refs {
    uint64_t **cells;        /* cells[i] points to the N it stands for */
    size_t count;
    size_t cap;
} spec_refs;

#define SPEC_MAX_EXTERN_REFS 65536u

void spec_refs_init(spec_refs *r);
void spec_refs_free(spec_refs *r);
/* The pointer for N, created on first use; NULL when out of memory or full. */
void *spec_refs_get(spec_refs *r, uint64_t n);
/* Which N a pointer stands for; false if it is not one of ours. */
bool spec_refs_lookup(const spec_refs *r, const void *p, uint64_t *n);

typedef enum spec_val_status {
    SPEC_VAL_OK = 0,
    SPEC_VAL_V128,           /* a v128 value: the engine API cannot carry it */
    SPEC_VAL_BAD             /* the JSON does not describe a value we understand */
} spec_val_status;

typedef enum spec_expect_kind {
    SPEC_EXPECT_EXACT = 0,   /* bit-exact (floats), or the same reference */
    SPEC_EXPECT_NAN_CANONICAL,
    SPEC_EXPECT_NAN_ARITHMETIC,
    SPEC_EXPECT_NON_NULL     /* any non-null reference: no value given, or a funcref number */
} spec_expect_kind;

typedef struct spec_expected {
    spec_expect_kind kind;
    rf_value value;          /* type always set; payload for SPEC_EXPECT_EXACT */
} spec_expected;

/* Map a wast2json type name ("i32", "externref", ...) to a value type. */
bool spec_parse_type(const char *name, rf_valtype *out);

/* An argument: {"type": T, "value": V}. `why` receives the reason on SPEC_VAL_BAD. */
spec_val_status spec_parse_arg(const json_t *j, spec_refs *refs, rf_value *out, char *why,
                               size_t why_len);
/* An expected result; also accepts "nan:canonical", "nan:arithmetic" and a
 * reference without a value. */
spec_val_status spec_parse_expected(const json_t *j, spec_refs *refs, spec_expected *out,
                                    char *why, size_t why_len);
/* True when `got` satisfies `want` (same type, and the rules of spec_expect_kind). */
bool spec_value_matches(const spec_expected *want, const rf_value *got);

/* Human-readable forms, e.g. "i32:5", "f32:1.5 (0x3fc00000)", "externref:7". */
void spec_format_value(const rf_value *v, const spec_refs *refs, char *buf, size_t len);
void spec_format_expected(const spec_expected *e, char *buf, size_t len);

/* ---- spec_host.c ------------------------------------------------------------- */

#define SPEC_HOST_MAX_EXPORTS 16

typedef struct spec_host_export {
    const char *name;
    rf_extern ext;
    const struct spec_host *host;  /* back pointer for the print functions */
    const rf_signature *sig;       /* functions only */
} spec_host_export;

/* One script's `spectest` module. Must not move after spec_host_create (the
 * host functions keep pointers into it). */
typedef struct spec_host {
    bool verbose;            /* print the arguments of print_* calls */
    size_t count;
    spec_host_export exports[SPEC_HOST_MAX_EXPORTS];
} spec_host;

/* Create the spectest functions, globals, table and memory in `s`. */
bool spec_host_create(spec_host *h, rf_store *s, bool verbose, rf_error *err);
/* Find an export by name (names may hold NUL, hence the length). */
bool spec_host_lookup(const spec_host *h, const char *name, size_t len, rf_extern *out);

/* ---- spec_script.c -------------------------------------------------------------- */

/* Run one wast2json script and add its results to `counts`. Prints its
 * failures and the per-script summary line. */
void spec_run_script(const char *json_path, const spec_options *opt, spec_counts *counts);

/* Read a whole regular file of at most `max` bytes. On failure returns false
 * and writes the reason to `why`. The caller frees *data. */
bool spec_read_file(const char *path, size_t max, uint8_t **data, size_t *len, char *why,
                    size_t why_len);

#endif /* SPEC_RUNNER_H */
