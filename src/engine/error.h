/*
 * error.h — helpers to fill rf_error values with context.
 * Every message names what failed and where: the section or function, the
 * byte offset, and what was expected.
 */
#ifndef RF_ERROR_H
#define RF_ERROR_H

#include "reflow/engine.h"

#if defined(__GNUC__)
#define RF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RF_PRINTF(f, a)
#endif

/* Set kind, offset, function and a formatted message; err may be NULL.
 * Always returns false so callers can `return rf_error_set(...)`. */
bool rf_error_set(rf_error *err, rf_error_kind kind, uint64_t offset, uint32_t func_index,
                  const char *fmt, ...) RF_PRINTF(5, 6);

/* Reset to RF_OK with an empty message; err may be NULL. */
void rf_error_clear(rf_error *err);

#endif /* RF_ERROR_H */
