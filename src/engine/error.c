/*
 * error.c — filling rf_error values, and the names of error kinds and traps.
 * Trap wording matches the WebAssembly spec test suite exactly, because
 * embedders and our spec harness compare against it.
 */
#include "error.h"
#include "runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rf_error_clear(rf_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->kind = RF_OK;
    err->offset = RF_NO_OFFSET;
    err->func_index = RF_NO_FUNC;
}

bool rf_error_set(rf_error *err, rf_error_kind kind, uint64_t offset, uint32_t func_index,
                  const char *fmt, ...)
{
    if (!err)
        return false;
    err->kind = kind;
    err->trap = RF_TRAP_NONE;
    err->offset = offset;
    err->func_index = func_index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

const char *rf_trap_message(rf_trap trap)
{
    switch (trap) {
    case RF_TRAP_NONE: return "no trap";
    case RF_TRAP_UNREACHABLE: return "unreachable";
    case RF_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case RF_TRAP_INT_OVERFLOW: return "integer overflow";
    case RF_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case RF_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case RF_TRAP_TABLE_OOB: return "out of bounds table access";
    case RF_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case RF_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
    case RF_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case RF_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case RF_TRAP_INTERRUPTED: return "interrupted";
    case RF_TRAP_HOST: return "host function trapped";
    }
    return "unknown trap";
}

const char *rf_error_kind_name(rf_error_kind kind)
{
    switch (kind) {
    case RF_OK: return "ok";
    case RF_ERR_MALFORMED: return "malformed";
    case RF_ERR_INVALID: return "invalid";
    case RF_ERR_UNSUPPORTED: return "unsupported";
    case RF_ERR_LINK: return "link error";
    case RF_ERR_TRAP: return "trap";
    case RF_ERR_EXHAUSTED: return "exhausted";
    case RF_ERR_INTERRUPTED: return "interrupted";
    case RF_ERR_LIMIT: return "limit";
    case RF_ERR_NOMEM: return "out of memory";
    case RF_ERR_ARG: return "bad argument";
    case RF_ERR_HOST: return "host error";
    case RF_ERR_EXIT: return "exit";
    }
    return "unknown";
}

const char *rf_valtype_name(rf_valtype t)
{
    switch (t) {
    case RF_I32: return "i32";
    case RF_I64: return "i64";
    case RF_F32: return "f32";
    case RF_F64: return "f64";
    case RF_V128: return "v128";
    case RF_FUNCREF: return "funcref";
    case RF_EXTERNREF: return "externref";
    }
    return "unknown";
}

void rf_error_trap(rf_error *err, rf_trap trap, uint32_t func_index, uint64_t offset)
{
    if (!err)
        return;
    rf_error_kind kind = trap == RF_TRAP_STACK_EXHAUSTED ? RF_ERR_EXHAUSTED
                       : trap == RF_TRAP_INTERRUPTED     ? RF_ERR_INTERRUPTED
                                                         : RF_ERR_TRAP;
    if (func_index != RF_NO_FUNC && offset != RF_NO_OFFSET)
        rf_error_set(err, kind, offset, func_index, "%s (func %u at offset 0x%llx)",
                     rf_trap_message(trap), func_index, (unsigned long long)offset);
    else
        rf_error_set(err, kind, offset, func_index, "%s", rf_trap_message(trap));
    err->trap = trap;
}

bool rf_error_format(rf_error *err, rf_error_kind kind, const char *fmt, ...)
{
    if (!err)
        return false;
    rf_error_clear(err);
    err->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

bool rf_signature_equal(const rf_signature *a, const rf_signature *b)
{
    if (a->nparams != b->nparams || a->nresults != b->nresults)
        return false;
    for (uint32_t i = 0; i < a->nparams; i++)
        if (a->params[i] != b->params[i])
            return false;
    for (uint32_t i = 0; i < a->nresults; i++)
        if (a->results[i] != b->results[i])
            return false;
    return true;
}
