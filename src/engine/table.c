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
 *   - The store is charged for every allocated entry (capacity, not size):
 *     capacity * sizeof(void *) bytes of memory_in_use (the memory budget)
 *     and capacity entries of table_entries (max_table_entries), from
 *     creation until rf_table_release. Growth headroom is only taken when
 *     the store has room for it, so it never makes a grow fail; a grow whose
 *     new size itself does not fit returns -1, a creation RF_ERR_LIMIT.
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

/* Entries the store can still allocate for tables: what is left of both
 * max_table_entries and the memory budget (if any). */
static uint64_t store_table_room(const rf_store *s)
{
    uint64_t room = s->table_entries < s->config.max_table_entries
                        ? s->config.max_table_entries - s->table_entries
                        : 0;
    uint64_t budget = s->config.memory_budget;
    if (budget) {
        uint64_t bytes = s->memory_in_use < budget ? budget - s->memory_in_use : 0;
        if (bytes / sizeof(void *) < room)
            room = bytes / sizeof(void *);
    }
    return room;
}

/* Charge `entries` newly allocated entries to the store; false (nothing
 * charged) when they do not fit its budget. */
static bool store_charge(rf_store *s, uint64_t entries)
{
    if (entries > store_table_room(s) || !rf_store_reserve(s, entries * sizeof(void *)))
        return false;
    s->table_entries += entries;
    return true;
}

static void store_uncharge(rf_store *s, uint64_t entries)
{
    rf_store_release(s, entries * sizeof(void *));
    s->table_entries -= entries < s->table_entries ? entries : s->table_entries;
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

    if (limits.min > s->config.max_table_entries ||
        s->table_entries > s->config.max_table_entries - limits.min) {
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "table minimum %" PRIu64 " elements does not fit the store's limit of %" PRIu32
                     " table entries (%" PRIu64 " already used by other tables)",
                     limits.min, s->config.max_table_entries, s->table_entries);
        return NULL;
    }
    if (!store_charge(s, limits.min)) {
        char want[48], budget[48];
        rf_format_bytes(want, sizeof want, limits.min * sizeof(void *));
        rf_format_bytes(budget, sizeof budget, s->config.memory_budget);
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "table minimum %" PRIu64 " elements (%s) does not fit the memory budget "
                     "of %s (%" PRIu64 " bytes already in use)",
                     limits.min, want, budget, s->memory_in_use);
        return NULL;
    }

    rf_table *t = calloc(1, sizeof *t);
    if (!t) {
        store_uncharge(s, limits.min);
        goto nomem;
    }
    t->store = s;
    t->elemtype = (uint8_t)elem;
    t->declared.min = limits.min;
    t->declared.max = limits.max;
    t->declared.has_max = limits.has_max;
    t->size = t->capacity = limits.min; /* charged above; rf_table_release uncharges */
    if (init && !ref_fits(t, init)) {
        rf_table_release(t);
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "table initial value is a function of another store");
        return NULL;
    }
    if (limits.min > 0) {
        t->elems = calloc((size_t)limits.min, sizeof *t->elems);
        if (!t->elems) {
            rf_table_release(t);
            goto nomem;
        }
        for (uint64_t i = 0; init && i < limits.min; i++)
            t->elems[i] = init;
    }
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
    store_uncharge(t->store, t->capacity); /* what creation and grows charged */
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

/* Capacity doubles (up to the table's limit and the store's room) so
 * repeated table.grow by 1 is amortised O(1). */
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
        uint64_t room = store_table_room(t->store);
        if (want - t->capacity > room)
            return -1;
        uint64_t cap = t->capacity * 2;
        if (cap > limit)
            cap = limit;
        if (cap > t->capacity + room)
            cap = t->capacity + room;
        if (cap < want)
            cap = want;
        if (!store_charge(t->store, cap - t->capacity))
            return -1;
        void **p = realloc(t->elems, (size_t)cap * sizeof *p);
        if (!p) {
            store_uncharge(t->store, cap - t->capacity);
            return -1;
        }
        t->elems = p;
        t->capacity = cap;
    }
    for (uint64_t i = old; i < want; i++)
        t->elems[i] = init;
    t->size = want;
    return (int64_t)old;
}
