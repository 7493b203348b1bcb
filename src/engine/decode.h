/*
 * decode.h — the WebAssembly 2.0 binary decoder: bytes -> rf_module.
 *
 * The decoder checks everything the binary format itself defines (section
 * layout and order, LEB128 and UTF-8 encodings, vector lengths, the nesting of
 * every instruction sequence, ...), so any binary-format error surfaces as
 * RF_ERR_MALFORMED before validation starts. It does not check indices or
 * types: that is the validator's job (validate.h).
 */
#ifndef RF_DECODE_H
#define RF_DECODE_H

#include "reflow/engine.h"
#include "module.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode `len` bytes into a new module (*out), which owns a private copy of
 * them and follows the invariants of module.h. On failure returns false,
 * leaves *out NULL and fills `err`: RF_ERR_MALFORMED for format errors,
 * RF_ERR_UNSUPPORTED for SIMD, RF_ERR_LIMIT for inputs over 4 GiB,
 * RF_ERR_NOMEM when allocation fails. Messages read
 * "malformed: <reason> (<section> section[, func N], offset 0x<hex>)".
 */
bool rf_decode(const uint8_t *bytes, size_t len, rf_module **out, rf_error *err);

#endif /* RF_DECODE_H */
