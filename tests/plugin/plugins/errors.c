/*
 * errors.c — how a call ends: the error slot, the return code and traps.
 * Per the Extism ABI a call fails when an error is set (a block with a
 * non-empty message), whatever it returns; when it returns non-zero; or
 * when it traps (rc 134).
 *
 *   error_rc0        sets "error with rc 0", returns 0        -> fails, rc 0
 *   error_rc1        sets "Some error message", returns 1     -> fails, rc 1
 *   error_empty      error_set(alloc(0) = 0), returns 0       -> succeeds
 *   error_interior   error_set(an interior pointer), returns 0 -> succeeds
 *                    (its length is 0, so it is no error)
 *   error_cleared    sets an error, then error_set(0), returns 0 -> succeeds
 *   rc_only          returns 7, no error                      -> fails, rc 7
 *   trap             unreachable                              -> fails, rc 134
 *   error_then_trap  sets "set before the trap", then traps   -> fails with it
 *   output_and_error sets output "partial" and an error       -> fails
 *   error_utf8       sets an error with multi-byte UTF-8 text -> fails with it
 */
#include "rf_test_pdk.h"

RF_EXPORT(error_rc0)
{
    pdk_error("error with rc 0");
    return 0;
}

RF_EXPORT(error_rc1)
{
    pdk_error("Some error message");
    return 1;
}

RF_EXPORT(error_empty)
{
    ex_error_set(ex_alloc(0));
    pdk_output_str("no error");
    return 0;
}

RF_EXPORT(error_interior)
{
    uint64_t h = pdk_new_str("abc");
    ex_error_set(h + 1);
    pdk_output_str("no error");
    return 0;
}

RF_EXPORT(error_cleared)
{
    pdk_error("this error is cleared");
    ex_error_set(0);
    pdk_output_str("cleared");
    return 0;
}

RF_EXPORT(rc_only)
{
    pdk_output_str("output of rc_only");
    return 7;
}

RF_EXPORT(trap)
{
    __builtin_trap();
}

RF_EXPORT(error_then_trap)
{
    pdk_error("set before the trap");
    __builtin_trap();
}

RF_EXPORT(output_and_error)
{
    pdk_output_str("partial");
    pdk_error("failed after setting output");
    return 1;
}

RF_EXPORT(error_utf8)
{
    pdk_error("caf\xc3\xa9 \xe2\x9c\x93");
    return 2;
}
