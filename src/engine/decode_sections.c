/*
 * decode_sections.c — the sections that declare the module's types, imports
 * and definitions: type, import, function, table, memory, global, export.
 *
 * They also lay out the index spaces (module.h): each kind's array holds the
 * imported entries first, then the defined ones. An array is built when its
 * defining section is read (imports are known by then, as the import section
 * comes first) or, for a kind that is only imported, at the end of decoding
 * (rf_dec_finish_index_spaces).
 */
#include "decode_internal.h"

#include <string.h>

/* ---- types shared by several sections ---------------------------------------- */

/* Limits flags are a one-bit LEB128: 0 = min only, 1 = min and max. */
static bool dec_limits(rf_decoder *d, rf_reader *r, rf_limits *l)
{
    size_t at = r->pos;
    uint8_t flags;
    if (!rf_read_u8(r, &flags))
        return rf_dec_reader_fail(d, r);
    if (flags & 0x80)
        return rf_dec_fail(d, at, "integer representation too long (limits flags)");
    if (flags > 1)
        return rf_dec_fail(d, at, "integer too large (malformed limits flags 0x%02x)", flags);
    uint32_t v;
    if (!rf_dec_u32(d, r, &v))
        return false;
    l->min = v;
    l->has_max = flags == 1;
    l->max = 0;
    if (l->has_max) {
        if (!rf_dec_u32(d, r, &v))
            return false;
        l->max = v;
    }
    return true;
}

static bool dec_tabletype(rf_decoder *d, rf_reader *r, rf_tabletype *t)
{
    return rf_dec_reftype(d, r, &t->elemtype) && dec_limits(d, r, &t->limits);
}

static bool dec_globaltype(rf_decoder *d, rf_reader *r, rf_globaltype *g)
{
    if (!rf_dec_valtype(d, r, &g->valtype))
        return false;
    size_t at = r->pos;
    uint8_t mut;
    if (!rf_read_u8(r, &mut))
        return rf_dec_reader_fail(d, r);
    if (mut > 1)
        return rf_dec_fail(d, at, "malformed mutability 0x%02x", mut);
    g->mutable_ = mut == 1;
    return true;
}

/* imports + defined, refusing to overflow an index space. */
static bool index_space_size(rf_decoder *d, size_t at, uint32_t imports, uint32_t defs,
                             uint32_t *total)
{
    if ((uint64_t)imports + defs > UINT32_MAX)
        return rf_dec_fail(d, at, "too many entries in an index space");
    *total = imports + defs;
    return true;
}

/* ---- index spaces: imports first, then definitions ----------------------- */

static bool alloc_func_space(rf_decoder *d, size_t at, uint32_t defs)
{
    rf_module *m = d->m;
    if (!index_space_size(d, at, m->num_func_imports, defs, &m->num_funcs))
        return false;
    if (!(m->func_types = rf_dec_calloc(d, m->num_funcs, sizeof *m->func_types)))
        return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == RF_KIND_FUNC)
            m->func_types[k++] = m->imports[i].desc.functype;
    return true;
}

static bool alloc_table_space(rf_decoder *d, size_t at, uint32_t defs)
{
    rf_module *m = d->m;
    if (!index_space_size(d, at, m->num_table_imports, defs, &m->num_tables))
        return false;
    if (!(m->tables = rf_dec_calloc(d, m->num_tables, sizeof *m->tables)))
        return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == RF_KIND_TABLE)
            m->tables[k++] = m->imports[i].desc.table;
    return true;
}

static bool alloc_memory_space(rf_decoder *d, size_t at, uint32_t defs)
{
    rf_module *m = d->m;
    if (!index_space_size(d, at, m->num_memory_imports, defs, &m->num_memories))
        return false;
    if (!(m->memories = rf_dec_calloc(d, m->num_memories, sizeof *m->memories)))
        return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == RF_KIND_MEMORY)
            m->memories[k++] = m->imports[i].desc.memory;
    return true;
}

static bool alloc_global_space(rf_decoder *d, size_t at, uint32_t defs)
{
    rf_module *m = d->m;
    if (!index_space_size(d, at, m->num_global_imports, defs, &m->num_globals))
        return false;
    if (!(m->global_types = rf_dec_calloc(d, m->num_globals, sizeof *m->global_types)))
        return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == RF_KIND_GLOBAL)
            m->global_types[k++] = m->imports[i].desc.global;
    return true;
}

/* ---- the small sections ---------------------------------------------------- */

bool rf_dec_type_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(m->types = rf_dec_calloc(d, n, sizeof *m->types)))
        return false;
    m->num_types = n;
    for (uint32_t i = 0; i < n; i++) {
        rf_functype *ft = &m->types[i];
        size_t at = r->pos;
        uint8_t form;
        if (!rf_read_u8(r, &form))
            return rf_dec_reader_fail(d, r);
        if (form & 0x80)   /* the form is a one-byte signed LEB128 */
            return rf_dec_fail(d, at, "integer representation too long (type %u form)", i);
        if (form != 0x60)
            return rf_dec_fail(d, at, "malformed function type 0x%02x (type %u)", form, i);
        /* Value types are one byte each, so the parameters can be checked in
         * place and copied once the result count is known. */
        uint32_t np, nr;
        if (!rf_dec_count(d, r, &np, 1))
            return false;
        size_t params_at = r->pos;
        uint8_t t;
        for (uint32_t k = 0; k < np; k++)
            if (!rf_dec_valtype(d, r, &t))
                return false;
        if (!rf_dec_count(d, r, &nr, 1))
            return false;
        size_t results_at = r->pos;
        for (uint32_t k = 0; k < nr; k++)
            if (!rf_dec_valtype(d, r, &t))
                return false;
        size_t total = (size_t)np + nr;
        if (!(ft->types = rf_dec_calloc(d, total, 1)))
            return false;
        if (!(ft->valtypes = rf_dec_calloc(d, total, sizeof *ft->valtypes)))
            return false;
        ft->nparams = np;
        ft->nresults = nr;
        memcpy(ft->types, m->bytes + params_at, np);
        memcpy(ft->types + np, m->bytes + results_at, nr);
        for (size_t k = 0; k < total; k++)
            ft->valtypes[k] = (rf_valtype)ft->types[k];
    }
    return true;
}

bool rf_dec_import_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(m->imports = rf_dec_calloc(d, n, sizeof *m->imports)))
        return false;
    m->num_imports = n;
    for (uint32_t i = 0; i < n; i++) {
        rf_import *im = &m->imports[i];
        const uint8_t *s;
        uint32_t len;
        if (!rf_dec_name(d, r, &s, &len) || !(im->module = rf_dec_strdup(d, s, len)))
            return false;
        im->module_len = len;
        if (!rf_dec_name(d, r, &s, &len) || !(im->name = rf_dec_strdup(d, s, len)))
            return false;
        im->name_len = len;
        size_t at = r->pos;
        if (!rf_read_u8(r, &im->kind))
            return rf_dec_reader_fail(d, r);
        bool ok;
        switch (im->kind) {
        case RF_KIND_FUNC:
            ok = rf_dec_u32(d, r, &im->desc.functype);
            m->num_func_imports++;
            break;
        case RF_KIND_TABLE:
            ok = dec_tabletype(d, r, &im->desc.table);
            m->num_table_imports++;
            break;
        case RF_KIND_MEMORY:
            ok = dec_limits(d, r, &im->desc.memory.limits);
            m->num_memory_imports++;
            break;
        case RF_KIND_GLOBAL:
            ok = dec_globaltype(d, r, &im->desc.global);
            m->num_global_imports++;
            break;
        default:
            return rf_dec_fail(d, at, "malformed import kind 0x%02x (import %u)", im->kind, i);
        }
        if (!ok)
            return false;
    }
    return true;
}

bool rf_dec_function_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(m->func_defs = rf_dec_calloc(d, n, sizeof *m->func_defs)))
        return false;
    m->num_func_defs = n;
    for (uint32_t i = 0; i < n; i++)
        if (!rf_dec_u32(d, r, &m->func_defs[i].functype))
            return false;
    if (!alloc_func_space(d, at, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        m->func_types[m->num_func_imports + i] = m->func_defs[i].functype;
    return true;
}

bool rf_dec_table_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1) || !alloc_table_space(d, at, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!dec_tabletype(d, r, &m->tables[m->num_table_imports + i]))
            return false;
    return true;
}

bool rf_dec_memory_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1) || !alloc_memory_space(d, at, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!dec_limits(d, r, &m->memories[m->num_memory_imports + i].limits))
            return false;
    return true;
}

bool rf_dec_global_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1) || !alloc_global_space(d, at, n))
        return false;
    if (!(m->global_defs = rf_dec_calloc(d, n, sizeof *m->global_defs)))
        return false;
    m->num_global_defs = n;
    for (uint32_t i = 0; i < n; i++) {
        rf_global_def *g = &m->global_defs[i];
        if (!dec_globaltype(d, r, &g->type) || !rf_dec_const_expr(d, r, &g->init))
            return false;
        m->global_types[m->num_global_imports + i] = g->type;
    }
    return true;
}

bool rf_dec_export_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(m->exports = rf_dec_calloc(d, n, sizeof *m->exports)))
        return false;
    m->num_exports = n;
    for (uint32_t i = 0; i < n; i++) {
        rf_export *ex = &m->exports[i];
        const uint8_t *s;
        uint32_t len;
        if (!rf_dec_name(d, r, &s, &len) || !(ex->name = rf_dec_strdup(d, s, len)))
            return false;
        ex->name_len = len;
        size_t at = r->pos;
        if (!rf_read_u8(r, &ex->kind))
            return rf_dec_reader_fail(d, r);
        if (ex->kind > RF_KIND_GLOBAL)
            return rf_dec_fail(d, at, "malformed export kind 0x%02x (export %u)", ex->kind, i);
        if (!rf_dec_u32(d, r, &ex->index))
            return false;
    }
    return true;
}

bool rf_dec_finish_index_spaces(rf_decoder *d)
{
    rf_module *m = d->m;
    if (!m->func_types && !alloc_func_space(d, m->size, 0))
        return false;
    if (!m->tables && !alloc_table_space(d, m->size, 0))
        return false;
    if (!m->memories && !alloc_memory_space(d, m->size, 0))
        return false;
    if (!m->global_types && !alloc_global_space(d, m->size, 0))
        return false;
    return true;
}
