/*
 * store.c — stores: configuration defaults, the list of owned objects, and
 * the interrupt / timeout controls.
 *
 * Invariants:
 *   - s->config holds no zeros: every "0 = default" field is resolved here, and
 *     memory_limit <= memory_ceiling <= 4 GiB.
 *   - Every object created in the store sits on s->objects (newest first) and
 *     is released only by rf_store_free (or by rf_store_rollback undoing a
 *     failed instantiation), so pointers between objects of a store stay valid
 *     for the store's whole life.
 *   - memory_in_use counts every memory's size, every table's allocated
 *     entries (sizeof(void *) each) and host reservations; table_entries
 *     counts the tables' allocated entries, <= config.max_table_entries.
 *     Both return to 0 as the objects are released.
 *   - `interrupt` is the only field another thread may touch.
 */
#include "error.h"
#include "runtime_internal.h"

#include <stdlib.h>

rf_store *rf_store_new(const rf_store_config *cfg, rf_error *err)
{
    rf_error_clear(err);
    rf_store_config c = { 0 };
    if (cfg)
        c = *cfg;
    if (c.memory_limit == 0)
        c.memory_limit = RF_DEFAULT_MEMORY_LIMIT;
    if (c.memory_ceiling == 0)
        c.memory_ceiling = RF_DEFAULT_MEMORY_CEILING;
    if (c.max_call_depth == 0)
        c.max_call_depth = RF_DEFAULT_MAX_CALL_DEPTH;
    if (c.stack_slots == 0)
        c.stack_slots = RF_DEFAULT_STACK_SLOTS;
    if (c.max_table_entries == 0)
        c.max_table_entries = RF_DEFAULT_MAX_TABLE_ENTRIES;

    char a[48], b[48];
    if (c.memory_ceiling > RF_MAX_MEMORY_CEILING) {
        rf_format_bytes(a, sizeof a, c.memory_ceiling);
        rf_format_bytes(b, sizeof b, RF_MAX_MEMORY_CEILING);
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "memory ceiling %s exceeds %s, the 32-bit address space of a linear memory",
                     a, b);
        return NULL;
    }
    if (c.memory_limit > c.memory_ceiling) {
        rf_format_bytes(a, sizeof a, c.memory_limit);
        rf_format_bytes(b, sizeof b, c.memory_ceiling);
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "memory limit %s exceeds the ceiling of %s; raise memory_ceiling "
                     "explicitly to allow it",
                     a, b);
        return NULL;
    }

    rf_store *s = calloc(1, sizeof *s);
    if (!s) {
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "out of memory allocating a store");
        return NULL;
    }
    s->config = c;
    atomic_init(&s->interrupt, 0u);
    return s;
}

bool rf_store_track(rf_store *s, int kind, void *obj)
{
    rf_alloc_node *n = malloc(sizeof *n);
    if (!n)
        return false;
    n->kind = kind;
    n->obj = obj;
    n->next = s->objects;
    s->objects = n;
    return true;
}

static void release_object(int kind, void *obj)
{
    switch (kind) {
    case RF_OBJ_INSTANCE: rf_instance_release(obj); break;
    case RF_OBJ_MEMORY: rf_memory_release(obj); break;
    case RF_OBJ_TABLE: rf_table_release(obj); break;
    case RF_OBJ_GLOBAL:   /* single allocations */
    case RF_OBJ_FUNC:
    case RF_OBJ_BLOCK:
    default: free(obj); break;
    }
}

void rf_store_rollback(rf_store *s, rf_alloc_node *mark)
{
    while (s->objects && s->objects != mark) {
        rf_alloc_node *n = s->objects;
        s->objects = n->next;
        release_object(n->kind, n->obj);
        free(n);
    }
}

void rf_store_free(rf_store *s)
{
    if (!s)
        return;
    rf_interp_store_free(s);
    rf_store_rollback(s, NULL);
    free(s);
}

void rf_store_interrupt(rf_store *s)
{
    if (s)
        atomic_store(&s->interrupt, 1u);
}

bool rf_store_reserve(rf_store *s, uint64_t bytes)
{
    if (!s)
        return false;
    uint64_t budget = s->config.memory_budget;
    if (budget && (s->memory_in_use > budget || bytes > budget - s->memory_in_use))
        return false;
    s->memory_in_use += bytes;
    return true;
}

void rf_store_release(rf_store *s, uint64_t bytes)
{
    if (s)
        s->memory_in_use -= bytes < s->memory_in_use ? bytes : s->memory_in_use;
}

uint64_t rf_store_memory_in_use(const rf_store *s)
{
    return s ? s->memory_in_use : 0;
}

void rf_store_set_timeout_ms(rf_store *s, uint64_t ms)
{
    if (s)
        s->timeout_ms = ms;
}
