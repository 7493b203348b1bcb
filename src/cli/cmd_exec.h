/*
 * cmd_exec.h — pieces of `reflow exec` shared between its files: typed
 * values as text, both ways (cmd_exec_values.c).
 */
#ifndef RF_CMD_EXEC_H
#define RF_CMD_EXEC_H

#include "reflow/engine.h"

#include <stdbool.h>
#include <stdio.h>

/* Parse `text` as a value of type `type`:
 *   i32, i64  decimal (optionally signed) or 0x hex; negative values wrap
 *             (i32 accepts -2147483648 .. 4294967295);
 *   f32, f64  a decimal or hex float, inf, nan, or nan:0xPAYLOAD, each with
 *             an optional sign.
 * On failure writes a reason to why[0..why_len) and returns false. */
bool exec_parse_value(const char *text, rf_valtype type, rf_value *out, char *why,
                      size_t why_len);

/* Print a value: integers as signed decimal, floats in the shortest form
 * that reads back to the same bits (nan payloads as nan:0x...). */
void exec_print_value(FILE *f, const rf_value *v);

#endif /* RF_CMD_EXEC_H */
