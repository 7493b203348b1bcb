/*
 * module.c — the life of an rf_module and the "modules" part of the public
 * API (engine.h): load (decode, validate, compile), free, and read-only views
 * of imports, exports and function names.
 *
 * The views never copy: names and signatures point into the module, which is
 * immutable after rf_module_load, so they stay valid until rf_module_free and
 * may be read from several threads at once.
 */
#include "decode.h"
#include "error.h"
#include "module.h"
#include "runtime.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

/* ---- lifetime --------------------------------------------------------------- */

void rf_module_destroy(rf_module *m)
{
    if (!m)
        return;
    if (m->compiled)
        rf_compiled_free(m->compiled);
    for (uint32_t i = 0; i < m->num_types; i++) {
        free(m->types[i].types);
        free(m->types[i].valtypes);
    }
    free(m->types);
    for (uint32_t i = 0; i < m->num_imports; i++) {
        free(m->imports[i].module);
        free(m->imports[i].name);
    }
    free(m->imports);
    free(m->func_types);
    for (uint32_t i = 0; i < m->num_func_defs; i++)
        free(m->func_defs[i].local_runs);
    free(m->func_defs);
    free(m->tables);
    free(m->memories);
    free(m->global_types);
    free(m->global_defs);
    for (uint32_t i = 0; i < m->num_exports; i++)
        free(m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; i < m->num_elems; i++)
        free(m->elems[i].items);
    free(m->elems);
    free(m->datas);
    for (uint32_t i = 0; i < m->num_customs; i++)
        free(m->customs[i].name);
    free(m->customs);
    for (uint32_t i = 0; i < m->num_func_names; i++)
        free(m->func_names[i].name);
    free(m->func_names);
    free(m->module_name);
    free(m->bytes);
    free(m);
}

rf_module *rf_module_load(const uint8_t *bytes, size_t len, const rf_load_options *opts,
                          rf_error *err)
{
    rf_module *m;
    if (!rf_decode(bytes, len, &m, err))
        return NULL;
    if (!rf_validate_module(m, err)) {
        rf_module_destroy(m);
        return NULL;
    }
    if (!(opts && opts->validate_only) && !rf_compile_module(m, err)) {
        rf_module_destroy(m);
        return NULL;
    }
    return m;
}

void rf_module_free(rf_module *m)
{
    rf_module_destroy(m);
}

/* ---- names -------------------------------------------------------------------- */

/* func_names is sorted by index (the name section requires it). */
const char *rf_module_func_name(const rf_module *m, uint32_t index)
{
    if (!m)
        return NULL;
    size_t lo = 0, hi = m->num_func_names;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t at = m->func_names[mid].index;
        if (at == index)
            return m->func_names[mid].name;
        if (at < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *rf_module_function_name(const rf_module *m, uint32_t func_index)
{
    return rf_module_func_name(m, func_index);
}

/* ---- import and export views ------------------------------------------------------ */

static rf_limits_desc limits_view(rf_limits l)
{
    rf_limits_desc v;
    v.min = l.min;
    v.max = l.max;
    v.has_max = l.has_max;
    return v;
}

/* A function type's signature; false for a type index out of range (only
 * possible for a module that was never validated). */
static bool func_view(const rf_module *m, uint32_t typeidx, rf_extern_type *t)
{
    if (typeidx >= m->num_types)
        return false;
    const rf_functype *ft = &m->types[typeidx];
    t->func.nparams = ft->nparams;
    t->func.params = ft->valtypes;
    t->func.nresults = ft->nresults;
    t->func.results = ft->valtypes + ft->nparams;
    return true;
}

static void table_view(const rf_tabletype *tt, rf_extern_type *t)
{
    t->table_elem = (rf_valtype)tt->elemtype;
    t->limits = limits_view(tt->limits);
}

static void global_view(const rf_globaltype *g, rf_extern_type *t)
{
    t->global_type = (rf_valtype)g->valtype;
    t->global_mutable = g->mutable_;
}

size_t rf_module_import_count(const rf_module *m)
{
    return m ? m->num_imports : 0;
}

bool rf_module_import(const rf_module *m, size_t i, rf_import_desc *out)
{
    if (!m || !out || i >= m->num_imports)
        return false;
    const rf_import *im = &m->imports[i];
    memset(out, 0, sizeof *out);
    out->module = im->module;
    out->module_len = im->module_len;
    out->name = im->name;
    out->name_len = im->name_len;
    out->type.kind = (rf_extern_kind)im->kind;
    switch (im->kind) {
    case RF_KIND_FUNC:
        return func_view(m, im->desc.functype, &out->type);
    case RF_KIND_TABLE:
        table_view(&im->desc.table, &out->type);
        return true;
    case RF_KIND_MEMORY:
        out->type.limits = limits_view(im->desc.memory.limits);
        return true;
    case RF_KIND_GLOBAL:
        global_view(&im->desc.global, &out->type);
        return true;
    }
    return false;
}

size_t rf_module_export_count(const rf_module *m)
{
    return m ? m->num_exports : 0;
}

bool rf_module_export(const rf_module *m, size_t i, rf_export_desc *out)
{
    if (!m || !out || i >= m->num_exports)
        return false;
    const rf_export *ex = &m->exports[i];
    memset(out, 0, sizeof *out);
    out->name = ex->name;
    out->name_len = ex->name_len;
    out->index = ex->index;
    out->type.kind = (rf_extern_kind)ex->kind;
    /* Indices are range-checked by the validator; check again so a module
     * that was only decoded cannot make this read out of bounds. */
    switch (ex->kind) {
    case RF_KIND_FUNC:
        return ex->index < m->num_funcs && func_view(m, m->func_types[ex->index], &out->type);
    case RF_KIND_TABLE:
        if (ex->index >= m->num_tables)
            return false;
        table_view(&m->tables[ex->index], &out->type);
        return true;
    case RF_KIND_MEMORY:
        if (ex->index >= m->num_memories)
            return false;
        out->type.limits = limits_view(m->memories[ex->index].limits);
        return true;
    case RF_KIND_GLOBAL:
        if (ex->index >= m->num_globals)
            return false;
        global_view(&m->global_types[ex->index], &out->type);
        return true;
    }
    return false;
}
