/*
 * instance.c — instantiation (WebAssembly 2.0, "instantiate") and exports.
 *
 * Steps, in the spec's order:
 *   1. match the provided externs against the imports (link.c);
 *   2. create the instance's own tables, memories and globals (globals from
 *      their constant expressions) and its function objects;
 *   3. evaluate every element segment into references;
 *   4. apply the active element segments, then the active data segments, in
 *      order, each bounds-checked when it is applied; afterwards drop the
 *      active and declarative element segments and the active data segments;
 *   5. run the start function.
 * A failure in steps 1-3 has no visible effect: everything created so far is
 * rolled back. A trap in step 4 or 5 leaves the writes already made (they may
 * be to imported tables and memories, and may store references to the new
 * instance's functions), so the instance stays registered in the store,
 * which keeps those functions alive, but rf_instantiate returns NULL.
 *
 * Memory layout: the instance, its defined rf_func objects and its index
 * arrays are one allocation; evaluated element segments are separate (they
 * are freed when dropped).
 */
#include "error.h"
#include "opcodes.h"
#include "runtime_internal.h"

#include <inttypes.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reserve count * elem bytes at the end of a block being laid out; false on
 * overflow. Every part starts at the strictest alignment. */
static bool layout(size_t *total, size_t count, size_t elem, size_t *at)
{
    const size_t align = alignof(max_align_t);
    size_t start = (*total + align - 1) / align * align;
    if (start < *total || (elem && count > (SIZE_MAX - start) / elem))
        return false;
    *at = start;
    *total = start + count * elem;
    return true;
}

/* The value of a validated constant expression, in slot encoding. */
static uint64_t eval_const(const rf_instance *inst, const rf_const_expr *e)
{
    switch (e->op) {
    case RF_OP_I32_CONST:
    case RF_OP_F32_CONST: return (uint32_t)e->value;
    case RF_OP_I64_CONST:
    case RF_OP_F64_CONST: return e->value;
    case RF_OP_REF_FUNC: return (uint64_t)(uintptr_t)inst->funcs[e->value];
    case RF_OP_GLOBAL_GET: return inst->globals[e->value]->value;
    case RF_OP_REF_NULL:
    default: return 0;
    }
}

/* Put "instantiation: what index: " in front of err's message. */
static void prefix_error(rf_error *err, const char *what, uint32_t index)
{
    if (!err)
        return;
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "instantiation: %s %" PRIu32 ": ", what, index);
    if (n < 0 || (size_t)n >= sizeof prefix)
        return;
    size_t len = strlen(err->message);
    size_t room = sizeof err->message - 1 - (size_t)n;
    if (len > room)
        len = room;
    memmove(err->message + n, err->message, len);
    memcpy(err->message, prefix, (size_t)n);
    err->message[(size_t)n + len] = '\0';
}

/* The instance's block and index arrays, with imports filled in. */
static rf_instance *allocate_instance(rf_store *s, const rf_module *m, const rf_extern *imports,
                                      rf_error *err)
{
    size_t total = sizeof(rf_instance), at_defs, at_funcs, at_tables, at_mems, at_globals,
           at_elems, at_datas;
    if (!layout(&total, m->num_func_defs, sizeof(rf_func), &at_defs) ||
        !layout(&total, m->num_funcs, sizeof(rf_func *), &at_funcs) ||
        !layout(&total, m->num_tables, sizeof(rf_table *), &at_tables) ||
        !layout(&total, m->num_memories, sizeof(rf_memory *), &at_mems) ||
        !layout(&total, m->num_globals, sizeof(rf_global *), &at_globals) ||
        !layout(&total, m->num_elems, sizeof(rf_elem_inst), &at_elems) ||
        !layout(&total, m->num_datas, sizeof(bool), &at_datas)) {
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "instantiation: the instance's size overflows the address space");
        return NULL;
    }
    char *block = calloc(1, total);
    if (!block || !rf_store_track(s, RF_OBJ_INSTANCE, block)) {
        free(block);
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "instantiation: out of memory allocating %zu bytes for the instance",
                     total);
        return NULL;
    }
    rf_instance *inst = (rf_instance *)(void *)block;
    inst->store = s;
    inst->module = m;
    rf_func *defs = (rf_func *)(void *)(block + at_defs);
    inst->funcs = (rf_func **)(void *)(block + at_funcs);
    inst->tables = (rf_table **)(void *)(block + at_tables);
    inst->memories = (rf_memory **)(void *)(block + at_mems);
    inst->globals = (rf_global **)(void *)(block + at_globals);
    inst->elems = (rf_elem_inst *)(void *)(block + at_elems);
    inst->data_dropped = (bool *)(block + at_datas);

    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const rf_extern *x = &imports[i];
        switch (m->imports[i].kind) {
        case RF_KIND_FUNC: inst->funcs[nf++] = x->of.func; break;
        case RF_KIND_TABLE: inst->tables[nt++] = x->of.table; break;
        case RF_KIND_MEMORY: inst->memories[nm++] = x->of.memory; break;
        case RF_KIND_GLOBAL: inst->globals[ng++] = x->of.global; break;
        }
    }
    for (uint32_t j = 0; j < m->num_func_defs; j++) {
        uint32_t i = m->num_func_imports + j;
        rf_func *f = &defs[j];
        f->type = &m->types[m->func_types[i]];
        f->instance = inst;
        f->index = i;
        f->code = rf_compiled_func(m, j);
        f->host = NULL;
        f->user = NULL;
        f->store = s;
        inst->funcs[i] = f;
    }
    return inst;
}

/* Tables, memories and globals the module defines; element segments evaluated. */
static bool create_definitions(rf_instance *inst, rf_error *err)
{
    const rf_module *m = inst->module;
    rf_store *s = inst->store;
    for (uint32_t i = m->num_table_imports; i < m->num_tables; i++) {
        const rf_tabletype *tt = &m->tables[i];
        rf_limits_desc l = { tt->limits.min, tt->limits.max, tt->limits.has_max };
        inst->tables[i] = rf_table_new(s, (rf_valtype)tt->elemtype, l, NULL, err);
        if (!inst->tables[i]) {
            prefix_error(err, "table", i);
            return false;
        }
    }
    for (uint32_t i = m->num_memory_imports; i < m->num_memories; i++) {
        const rf_limits *ml = &m->memories[i].limits;
        rf_limits_desc l = { ml->min, ml->max, ml->has_max };
        inst->memories[i] = rf_memory_new(s, l, err);
        if (!inst->memories[i]) {
            prefix_error(err, "memory", i);
            return false;
        }
    }
    inst->mem0 = m->num_memories > 0 ? inst->memories[0] : NULL;
    for (uint32_t j = 0; j < m->num_global_defs; j++) {
        const rf_global_def *d = &m->global_defs[j];
        uint32_t i = m->num_global_imports + j;
        inst->globals[i] = rf_global_create(s, d->type.valtype, d->type.mutable_,
                                            eval_const(inst, &d->init), err);
        if (!inst->globals[i])
            return false;
    }
    for (uint32_t k = 0; k < m->num_elems; k++) {
        const rf_elem_segment *seg = &m->elems[k];
        rf_elem_inst *ei = &inst->elems[k];
        if (seg->count == 0)
            continue;
        ei->refs = malloc(seg->count * sizeof *ei->refs);
        if (!ei->refs)
            return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                                "instantiation: out of memory evaluating element segment %u "
                                "(%u items)",
                                k, seg->count);
        ei->count = seg->count;
        for (uint32_t j = 0; j < seg->count; j++)
            ei->refs[j] = (void *)(uintptr_t)eval_const(inst, &seg->items[j]);
    }
    return true;
}

static void drop_elem(rf_elem_inst *ei)
{
    free(ei->refs);
    ei->refs = NULL;
    ei->count = 0;
}

/* Step 4: active element segments, then active data segments. */
static bool apply_segments(rf_instance *inst, rf_error *err)
{
    const rf_module *m = inst->module;
    for (uint32_t k = 0; k < m->num_elems; k++) {
        const rf_elem_segment *seg = &m->elems[k];
        rf_elem_inst *ei = &inst->elems[k];
        if (seg->mode == RF_SEG_ACTIVE) {
            uint64_t offset = (uint32_t)eval_const(inst, &seg->offset);
            rf_table *t = inst->tables[seg->table];
            if (offset > t->size || ei->count > t->size - offset) {
                rf_error_set(err, RF_ERR_TRAP, seg->offset.bytes.offset, RF_NO_FUNC,
                             "%s: element segment %u (byte 0x%" PRIx32 ") writes %u element%s "
                             "at index %" PRIu64 " of table %u, which has %" PRIu64 " element%s",
                             rf_trap_message(RF_TRAP_TABLE_OOB), k, seg->offset.bytes.offset,
                             ei->count, ei->count == 1 ? "" : "s", offset, seg->table, t->size,
                             t->size == 1 ? "" : "s");
                if (err)
                    err->trap = RF_TRAP_TABLE_OOB;
                return false;
            }
            if (ei->count > 0)
                memcpy(t->elems + offset, ei->refs, ei->count * sizeof *ei->refs);
        }
        if (seg->mode != RF_SEG_PASSIVE)
            drop_elem(ei);
    }
    for (uint32_t k = 0; k < m->num_datas; k++) {
        const rf_data_segment *seg = &m->datas[k];
        if (seg->mode != RF_SEG_ACTIVE)
            continue;
        uint64_t offset = (uint32_t)eval_const(inst, &seg->offset);
        rf_memory *mem = inst->memories[seg->memory];
        uint64_t len = seg->bytes.length;
        if (offset > mem->size || len > mem->size - offset) {
            rf_error_set(err, RF_ERR_TRAP, seg->offset.bytes.offset, RF_NO_FUNC,
                         "%s: data segment %u (byte 0x%" PRIx32 ") writes %" PRIu64
                         " byte%s at address %" PRIu64 " of memory %u, which has %" PRIu64
                         " bytes",
                         rf_trap_message(RF_TRAP_MEMORY_OOB), k, seg->offset.bytes.offset, len,
                         len == 1 ? "" : "s", offset, seg->memory, mem->size);
            if (err)
                err->trap = RF_TRAP_MEMORY_OOB;
            return false;
        }
        if (len > 0)
            memcpy(mem->base + offset, m->bytes + seg->bytes.offset, (size_t)len);
        inst->data_dropped[k] = true;
    }
    return true;
}

rf_instance *rf_instantiate(rf_store *s, const rf_module *m, const rf_extern *imports,
                            size_t nimports, rf_error *err)
{
    rf_error_clear(err);
    if (!s || !m) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "rf_instantiate: %s is NULL", s ? "module" : "store");
        return NULL;
    }
    if (!m->validated || (m->num_func_defs > 0 && !m->compiled)) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "rf_instantiate: the module was loaded with validate_only and has no "
                     "compiled code");
        return NULL;
    }
    if (!rf_link_check(s, m, imports, nimports, err))
        return NULL;

    rf_alloc_node *mark = s->objects;
    rf_instance *inst = allocate_instance(s, m, imports, err);
    if (!inst)
        return NULL;
    if (!create_definitions(inst, err)) {
        rf_store_rollback(s, mark);
        return NULL;
    }
    if (!apply_segments(inst, err))
        return NULL;
    if (m->has_start && rf_call(inst->funcs[m->start], NULL, 0, NULL, 0, err) != RF_OK)
        return NULL;
    return inst;
}

void rf_instance_release(rf_instance *inst)
{
    if (!inst)
        return;
    for (uint32_t k = 0; k < inst->module->num_elems; k++)
        free(inst->elems[k].refs);
    free(inst);
}

const rf_module *rf_instance_module(const rf_instance *inst)
{
    return inst ? inst->module : NULL;
}

bool rf_instance_export(rf_instance *inst, const char *name, size_t name_len, rf_extern *out)
{
    if (!inst || (!name && name_len > 0))
        return false;
    const rf_module *m = inst->module;
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const rf_export *e = &m->exports[i];
        if (e->name_len != name_len || (name_len > 0 && memcmp(e->name, name, name_len) != 0))
            continue;
        rf_extern x;
        memset(&x, 0, sizeof x);
        switch (e->kind) {
        case RF_KIND_FUNC:
            x.kind = RF_EXTERN_FUNC;
            x.of.func = inst->funcs[e->index];
            break;
        case RF_KIND_TABLE:
            x.kind = RF_EXTERN_TABLE;
            x.of.table = inst->tables[e->index];
            break;
        case RF_KIND_MEMORY:
            x.kind = RF_EXTERN_MEMORY;
            x.of.memory = inst->memories[e->index];
            break;
        case RF_KIND_GLOBAL:
            x.kind = RF_EXTERN_GLOBAL;
            x.of.global = inst->globals[e->index];
            break;
        default: return false;
        }
        if (out)
            *out = x;
        return true;
    }
    return false;
}
