/*
 * table.c — tables of references.
 *
 * Elements are plain pointers: an rf_func * in a funcref table, any host
 * pointer in an externref table, NULL for the null reference.
 *
 * Invariants:
 *   - size <= capacity; elems[0..size) are initialised, elems may move when
 *     the table grows (the interpreter reloads t->elems after table.grow).
 *   - size never exceeds the declared maximum (or 2^32 - 1 entries without
 *     one) nor RF_TABLE_MAX_ELEMS, the host-protection cap: a grow past either
 *     returns -1, and a table whose minimum exceeds the cap is refused with
 *     RF_ERR_LIMIT.
 */
#include "error.h"
#include "runtime_internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* The most entries `t` may ever hold. */
static uint64_t table_limit(const rf_table *t)
{
    uint64_t limit = RF_TABLE_MAX_ELEMS;
    if (t->declared.has_max && t->declared.max < limit)
        limit = t->declared.max;
    return limit;
}

/* A funcref must be a function of the table's own store (or null). */
static bool ref_fits(const rf_table *t, void *ref)
{
    return !ref || t->elemtype != RF_T_FUNCREF || ((const rf_func *)ref)->store == t->store;
}

rf_table *rf_table_new(rf_store *s, rf_valtype elem, rf_limits_desc limits, void *init,
                       rf_error *err)
{
    rf_error_clear(err);
    if (!s) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC, "rf_table_new: store is NULL");
        return NULL;
    }
    if (elem != RF_FUNCREF && elem != RF_EXTERNREF) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "table element type must be funcref or externref, not %s",
                     rf_valtype_name(elem));
        return NULL;
    }
    if (limits.min > UINT32_MAX || (limits.has_max && limits.max > UINT32_MAX)) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "table size must be at most 2^32 - 1 elements: minimum %" PRIu64
                     ", maximum %" PRIu64,
                     limits.min, limits.has_max ? limits.max : 0);
        return NULL;
    }
    if (limits.has_max && limits.min > limits.max) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "table minimum %" PRIu64 " elements exceeds its maximum %" PRIu64,
                     limits.min, limits.max);
        return NULL;
    }
    if (limits.min > RF_TABLE_MAX_ELEMS) {
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "table minimum %" PRIu64 " elements exceeds the limit of %u elements "
                     "per table",
                     limits.min, RF_TABLE_MAX_ELEMS);
        return NULL;
    }

    rf_table *t = calloc(1, sizeof *t);
    if (!t)
        goto nomem;
    t->store = s;
    t->elemtype = (uint8_t)elem;
    t->declared.min = limits.min;
    t->declared.max = limits.max;
    t->declared.has_max = limits.has_max;
    if (init && !ref_fits(t, init)) {
        free(t);
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "table initial value is a function of another store");
        return NULL;
    }
    if (limits.min > 0) {
        t->elems = calloc((size_t)limits.min, sizeof *t->elems);
        if (!t->elems) {
            free(t);
            goto nomem;
        }
        for (uint64_t i = 0; init && i < limits.min; i++)
            t->elems[i] = init;
    }
    t->size = t->capacity = limits.min;
    if (!rf_store_track(s, RF_OBJ_TABLE, t)) {
        rf_table_release(t);
        goto nomem;
    }
    return t;

nomem:
    rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                 "out of memory allocating a table of %" PRIu64 " elements", limits.min);
    return NULL;
}

void rf_table_release(rf_table *t)
{
    if (!t)
        return;
    free(t->elems);
    free(t);
}

uint64_t rf_table_size(const rf_table *t)
{
    return t ? t->size : 0;
}

bool rf_table_get(const rf_table *t, uint64_t i, void **ref)
{
    if (!t || i >= t->size)
        return false;
    if (ref)
        *ref = t->elems[i];
    return true;
}

bool rf_table_set(rf_table *t, uint64_t i, void *ref)
{
    if (!t || i >= t->size || !ref_fits(t, ref))
        return false;
    t->elems[i] = ref;
    return true;
}

/* Capacity doubles (up to the limit) so repeated table.grow by 1 is amortised O(1). */
int64_t rf_table_grow(rf_table *t, uint64_t n, void *init)
{
    if (!t)
        return -1;
    uint64_t old = t->size;
    uint64_t limit = table_limit(t);
    if (n > limit || old > limit - n)
        return -1;
    uint64_t want = old + n;
    if (want > t->capacity) {
        uint64_t cap = t->capacity * 2;
        if (cap > limit)
            cap = limit;
        if (cap < want)
            cap = want;
        void **p = realloc(t->elems, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        t->elems = p;
        t->capacity = cap;
    }
    for (uint64_t i = old; i < want; i++)
        t->elems[i] = init;
    t->size = want;
    return (int64_t)old;
}
