/*
 * manifest_internal.h — shared by manifest.c (the JSON structure) and
 * manifest_bytes.c (where a module's bytes come from: base64 text or a file,
 * and their SHA-256).
 *
 * Invariants:
 *   - every failure fills the caller's rf_error (when one is given) through
 *     rf_manifest_fail: RF_ERR_ARG for anything wrong with the manifest or
 *     the files it names, RF_ERR_NOMEM when the host cannot allocate;
 *   - no module's bytes, and no manifest's modules together, exceed
 *     RF_MANIFEST_MAX_WASM_BYTES: files are sized before they are read and
 *     read with that cap, so a hostile manifest cannot make us allocate more.
 */
#ifndef RF_MANIFEST_INTERNAL_H
#define RF_MANIFEST_INTERNAL_H

#include "reflow/plugin.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill err (may be NULL) with `kind` and the formatted message; returns false. */
bool rf_manifest_fail(rf_error *err, rf_error_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Copy untrusted text (a JSON key, a module name, a path) for a message:
 * quotes, backslashes and control characters escaped, cut at a UTF-8
 * boundary with "..." when it does not fit `size`, so it cannot garble the
 * message or the terminal it is printed on. */
void rf_manifest_printable(char *dst, size_t size, const char *text);

typedef enum rf_base64_result {
    RF_BASE64_OK = 0,
    RF_BASE64_INVALID,   /* `why` says what and where */
    RF_BASE64_NOMEM
} rf_base64_result;

/* Decode standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding
 * required, no whitespace, unused bits of the last group zero). On success
 * *out is a malloc'd buffer (never NULL, even for empty input) of *out_len
 * bytes. On RF_BASE64_INVALID, `why` holds a short reason with the offset. */
rf_base64_result rf_manifest_base64_decode(const char *text, size_t len, uint8_t **out,
                                           size_t *out_len, char *why, size_t why_size);

/* Lowercase hex SHA-256 of `len` bytes into hex[65] (NUL-terminated).
 * False only if libcrypto fails. */
bool rf_manifest_sha256_hex(const uint8_t *data, size_t len, char hex[65]);

/* Size of a regular file, for the total-size check before anything is read.
 * False (errno set, or EINVAL for a file that is not regular) if it cannot
 * be sized; the read reports the error properly. */
bool rf_manifest_file_size(const char *path, uint64_t *size);

/* Read a whole regular file of at most `limit` bytes into a malloc'd buffer
 * (never NULL). Errors read `Unable to load Wasm file "<path>": <reason>`. */
bool rf_manifest_read_file(const char *path, uint64_t limit, uint8_t **out, size_t *out_len,
                           rf_error *err);

#endif /* RF_MANIFEST_INTERNAL_H */
