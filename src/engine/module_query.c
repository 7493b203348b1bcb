/*
 * module_query.c — read-only questions about a loaded module that tools such
 * as `reflow inspect` ask: sizes of the index spaces, the types of tables,
 * memories and globals (imported or defined), and the custom sections.
 *
 * Everything here reads the immutable rf_module (module.h), so these calls
 * are safe from any number of threads at once. Pointers handed out point
 * into the module and live as long as it does.
 */
#include "reflow/engine.h"
#include "module.h"

#include <string.h>

void rf_module_get_info(const rf_module *m, rf_module_info *out)
{
    memset(out, 0, sizeof *out);
    out->size = m->size;
    out->num_types = m->num_types;
    out->num_funcs = m->num_funcs;
    out->num_func_imports = m->num_func_imports;
    out->num_tables = m->num_tables;
    out->num_table_imports = m->num_table_imports;
    out->num_memories = m->num_memories;
    out->num_memory_imports = m->num_memory_imports;
    out->num_globals = m->num_globals;
    out->num_global_imports = m->num_global_imports;
    out->num_elem_segments = m->num_elems;
    out->num_data_segments = m->num_datas;
    out->num_custom_sections = m->num_customs;
    out->has_start = m->has_start;
    out->start = m->start;
    out->name = m->module_name;
}

static rf_limits_desc query_limits(rf_limits l)
{
    rf_limits_desc d;
    d.min = l.min;
    d.max = l.has_max ? l.max : 0;
    d.has_max = l.has_max;
    return d;
}

bool rf_module_table_type(const rf_module *m, uint32_t index, rf_valtype *elem,
                          rf_limits_desc *limits)
{
    if (index >= m->num_tables)
        return false;
    *elem = (rf_valtype)m->tables[index].elemtype;
    *limits = query_limits(m->tables[index].limits);
    return true;
}

bool rf_module_memory_type(const rf_module *m, uint32_t index, rf_limits_desc *pages)
{
    if (index >= m->num_memories)
        return false;
    *pages = query_limits(m->memories[index].limits);
    return true;
}

bool rf_module_global_type(const rf_module *m, uint32_t index, rf_valtype *type,
                           bool *mutable_)
{
    if (index >= m->num_globals)
        return false;
    *type = (rf_valtype)m->global_types[index].valtype;
    *mutable_ = m->global_types[index].mutable_;
    return true;
}

size_t rf_module_custom_section_count(const rf_module *m)
{
    return m->num_customs;
}

bool rf_module_custom_section(const rf_module *m, size_t i, rf_custom_section_desc *out)
{
    if (i >= m->num_customs)
        return false;
    const rf_custom_section *c = &m->customs[i];
    out->name = c->name;
    out->name_len = c->name_len;
    out->data = m->bytes + c->payload.offset;
    out->size = c->payload.length;
    out->offset = c->section_offset;
    return true;
}
