/*
 * runtime_internal.h — helpers shared by the runtime's own files (store.c,
 * memory.c, table.c, global.c, func.c, instance.c, link.c). The interpreter
 * uses runtime.h only; nothing here is part of that contract.
 *
 * Value conversions follow the slot encoding of runtime.h: i32 and f32 bits
 * zero-extended, i64 and f64 bits as is, references as pointer bits.
 */
#ifndef RF_RUNTIME_INTERNAL_H
#define RF_RUNTIME_INTERNAL_H

#include "runtime.h"

#include <stdint.h>

#define RF_MIB (1024u * 1024u)
/* The highest memory ceiling an embedder may configure: the 32-bit address space. */
#define RF_MAX_MEMORY_CEILING ((uint64_t)RF_MAX_PAGES * RF_PAGE_SIZE)
/* Entries a single table may hold, whatever its declared maximum, so a
 * module cannot make the host allocate gigabytes of table (10,000,000
 * entries = 80 MB of pointers). */
#define RF_TABLE_MAX_ELEMS 10000000u

/* ---- store.c ---- */

/* Release everything tracked after `mark` (an earlier value of s->objects),
 * newest first. Used to undo a failed instantiation before it had any effect
 * visible outside the new instance. */
void rf_store_rollback(rf_store *s, rf_alloc_node *mark);

/* ---- memory.c / table.c / instance.c: releasing one object ---- */

void rf_memory_release(rf_memory *mem);
void rf_table_release(rf_table *t);
void rf_instance_release(rf_instance *inst);

/* "16 MiB", "18.75 MiB", "4 GiB", "512 KiB", "1000 bytes" (memory.c). */
void rf_format_bytes(char *buf, size_t size, uint64_t bytes);

/* ---- global.c ---- */

/* A global holding `slot` (already in slot encoding), tracked by the store. */
rf_global *rf_global_create(rf_store *s, uint8_t type, bool mutable_, uint64_t slot,
                            rf_error *err);

/* ---- func.c ---- */

/* "(i32, i64) -> (f32)" */
void rf_format_functype(char *buf, size_t size, const rf_functype *t);

/* ---- link.c ---- */

/* Check that imports[0..n) satisfy m's imports (kinds, types, limits, store). */
bool rf_link_check(rf_store *s, const rf_module *m, const rf_extern *imports, size_t n,
                   rf_error *err);

/* ---- value <-> slot ---- */

/* True for the value types the API carries (everything but v128). */
static inline bool rf_valtype_known(int t)
{
    return t == RF_I32 || t == RF_I64 || t == RF_F32 || t == RF_F64 || t == RF_FUNCREF ||
           t == RF_EXTERNREF;
}

static inline uint64_t rf_value_to_slot(rf_value v)
{
    switch (v.type) {
    case RF_I32: return v.of.i32;
    case RF_I64: return v.of.i64;
    case RF_F32: return v.of.f32_bits;
    case RF_F64: return v.of.f64_bits;
    case RF_FUNCREF:
    case RF_EXTERNREF: return (uint64_t)(uintptr_t)v.of.ref;
    case RF_V128: break;
    }
    return 0;
}

static inline rf_value rf_slot_to_value(uint8_t type, uint64_t slot)
{
    rf_value v;
    v.type = (rf_valtype)type;
    v.of.i64 = 0;
    switch (type) {
    case RF_T_I32: v.of.i32 = (uint32_t)slot; break;
    case RF_T_F32: v.of.f32_bits = (uint32_t)slot; break;
    case RF_T_I64:
    case RF_T_F64: v.of.i64 = slot; break;
    case RF_T_FUNCREF:
    case RF_T_EXTERNREF: v.of.ref = (void *)(uintptr_t)slot; break;
    default: break;
    }
    return v;
}

#endif /* RF_RUNTIME_INTERNAL_H */
