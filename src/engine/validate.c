/*
 * validate.c — module-level validation rules of WebAssembly 2.0, and the
 * shared text helpers of the validator's error messages.
 *
 * Order of the checks: structure the decoder promised (cheap sanity checks),
 * the arity limit of function types, function type indices, table and memory
 * limits, globals, element and data segments (constant expressions), start
 * function, exports; then the set of functions `ref.func` may name
 * ("declared" functions: those referenced by an element segment, a global
 * initialiser or an export); then every function body (validate_code.c).
 * Cheap module-level errors are found before any body is walked.
 *
 * Module-level messages name the section and entry and its byte offset:
 *   invalid: duplicate export name "f" (export section, export 3, offset 0x40)
 * rf_module keeps no offsets for most entries, so on the error path only the
 * section is re-read from the module bytes to find the entry's offset.
 */
#include "validate.h"
#include "error.h"
#include "opcodes.h"
#include "reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- message text helpers ------------------------------------------------------ */

const char *rf_validate_type_name(uint8_t t)
{
    switch (t) {
    case RF_T_I32: return "i32";
    case RF_T_I64: return "i64";
    case RF_T_F32: return "f32";
    case RF_T_F64: return "f64";
    case RF_T_V128: return "v128";
    case RF_T_FUNCREF: return "funcref";
    case RF_T_EXTERNREF: return "externref";
    case RF_T_UNKNOWN: return "unknown";
    }
    return "invalid type";
}

/* Append formatted text at *len, never past size - 1 (output is truncated). */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...) RF_PRINTF(4, 5);
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    *len += (size_t)n;
    if (*len >= size)
        *len = size - 1;
}

void rf_validate_type_list(char *buf, size_t size, const uint8_t *types, uint32_t n)
{
    size_t len = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    if (n == 1) {
        append(buf, size, &len, "%s", rf_validate_type_name(types[0]));
        return;
    }
    append(buf, size, &len, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (n > 8 && i == 3) {
            append(buf, size, &len, "... ");
            i = n - 4;
        }
        append(buf, size, &len, "%s%s", rf_validate_type_name(types[i]), i + 1 < n ? " " : "");
    }
    append(buf, size, &len, "]");
    if (n > 8)
        append(buf, size, &len, " (%u values)", n);
}

void rf_validate_count(char *buf, size_t size, uint32_t n, const char *one, const char *many)
{
    if (n == 0)
        snprintf(buf, size, "no %s", many);
    else
        snprintf(buf, size, "%u %s", n, n == 1 ? one : many);
}

void rf_validate_quote(char *buf, size_t size, const char *name, size_t len)
{
    size_t out = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    append(buf, size, &out, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        /* Stop only at the start of a character, so UTF-8 stays whole. */
        if (i >= 48 && (c & 0xC0) != 0x80) {
            append(buf, size, &out, "...");
            break;
        }
        if (c == '"' || c == '\\')
            append(buf, size, &out, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            append(buf, size, &out, "\\%02x", c);
        else
            append(buf, size, &out, "%c", c);
    }
    append(buf, size, &out, "\"");
}

void rf_validate_func_label(const rf_module *m, uint32_t func_index, char *buf, size_t size)
{
    const char *name = rf_module_func_name(m, func_index);
    if (name) {
        char quoted[160];
        rf_validate_quote(quoted, sizeof quoted, name, strlen(name));
        snprintf(buf, size, "func %u (%s)", func_index, quoted);
    } else {
        snprintf(buf, size, "func %u", func_index);
    }
}

/* ---- where a module-level entry is -------------------------------------------------- */

enum {
    SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNCTION = 3, SEC_TABLE = 4, SEC_MEMORY = 5, SEC_GLOBAL = 6,
    SEC_EXPORT = 7, SEC_START = 8, SEC_ELEMENT = 9, SEC_DATA = 11
};

/* Content range of the section with `id`, by walking the section headers. */
static bool find_section(const rf_module *m, uint8_t id, size_t *start, size_t *end)
{
    if (m->size < 8)
        return false;
    rf_reader r = rf_reader_make(m->bytes, 8, m->size);
    while (!rf_reader_at_end(&r)) {
        uint8_t sid;
        uint32_t size;
        if (!rf_read_u8(&r, &sid) || !rf_read_u32(&r, &size) || size > rf_reader_left(&r))
            return false;
        if (sid == id) {
            *start = r.pos;
            *end = r.pos + size;
            return true;
        }
        r.pos += size;
    }
    return false;
}

static bool skip_u32(rf_reader *r)
{
    uint32_t v;
    return rf_read_u32(r, &v);
}

static bool skip_byte(rf_reader *r)
{
    uint8_t b;
    return rf_read_u8(r, &b);
}

static bool skip_name(rf_reader *r)
{
    uint32_t n;
    const uint8_t *p;
    return rf_read_u32(r, &n) && rf_read_bytes(r, n, &p);
}

static bool skip_limits(rf_reader *r)
{
    uint8_t flags;
    if (!rf_read_u8(r, &flags) || !skip_u32(r))
        return false;
    return (flags & 1) ? skip_u32(r) : true;
}

/* An expression up to its matching end (nesting counted, no recursion). */
static bool skip_expr(rf_reader *r)
{
    uint32_t depth = 1;
    rf_instr in;
    while (depth > 0) {
        if (!rf_read_instr(r, &in))
            return false;
        if (in.op == RF_OP_BLOCK || in.op == RF_OP_LOOP || in.op == RF_OP_IF)
            depth++;
        else if (in.op == RF_OP_END)
            depth--;
    }
    return true;
}

static bool skip_vec(rf_reader *r, bool exprs)
{
    uint32_t n;
    if (!rf_read_u32(r, &n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!(exprs ? skip_expr(r) : skip_u32(r)))
            return false;
    return true;
}

static bool skip_entry(rf_reader *r, uint8_t id)
{
    uint8_t kind;
    uint32_t flags;
    switch (id) {
    case SEC_TYPE: /* 0x60 vec(valtype) vec(valtype): each vector has the shape of a name */
        return skip_byte(r) && skip_name(r) && skip_name(r);
    case SEC_IMPORT:
        if (!skip_name(r) || !skip_name(r) || !rf_read_u8(r, &kind))
            return false;
        switch (kind) {
        case RF_KIND_FUNC: return skip_u32(r);
        case RF_KIND_TABLE: return skip_byte(r) && skip_limits(r);
        case RF_KIND_MEMORY: return skip_limits(r);
        default: return skip_byte(r) && skip_byte(r);
        }
    case SEC_FUNCTION: return skip_u32(r);
    case SEC_TABLE: return skip_byte(r) && skip_limits(r);
    case SEC_MEMORY: return skip_limits(r);
    case SEC_GLOBAL: return skip_byte(r) && skip_byte(r) && skip_expr(r);
    case SEC_EXPORT: return skip_name(r) && skip_byte(r) && skip_u32(r);
    case SEC_ELEMENT:
        /* bit 0: passive/declarative, bit 1: table index or declarative,
         * bit 2: items are expressions */
        if (!rf_read_u32(r, &flags))
            return false;
        if (!(flags & 1) && (flags & 2) && !skip_u32(r))
            return false;
        if (!(flags & 1) && !skip_expr(r))
            return false;
        if ((flags & 3) && !skip_byte(r))
            return false;
        return skip_vec(r, (flags & 4) != 0);
    case SEC_DATA:
        if (!rf_read_u32(r, &flags))
            return false;
        if (flags == 2 && !skip_u32(r))
            return false;
        if (flags != 1 && !skip_expr(r))
            return false;
        return skip_name(r); /* vec(byte) has the shape of a name */
    }
    return false;
}

/* Byte offset of entry `entry` of section `id`, or RF_NO_OFFSET. Used only
 * to build error messages. */
static uint64_t entry_offset(const rf_module *m, uint8_t id, uint32_t entry)
{
    size_t start, end;
    if (!find_section(m, id, &start, &end))
        return RF_NO_OFFSET;
    if (id == SEC_START)
        return start;
    rf_reader r = rf_reader_make(m->bytes, start, end);
    uint32_t count;
    if (!rf_read_u32(&r, &count) || entry >= count)
        return RF_NO_OFFSET;
    for (uint32_t i = 0; i < entry; i++)
        if (!skip_entry(&r, id))
            return RF_NO_OFFSET;
    return r.pos;
}

/* Where an entry is: "export section, export 3" and its byte offset. */
typedef struct where {
    char text[112];
    uint64_t offset;
} where;

static void where_entry(where *w, const rf_module *m, uint8_t section, uint32_t entry,
                        const char *fmt, ...) RF_PRINTF(5, 6);
static void where_entry(where *w, const rf_module *m, uint8_t section, uint32_t entry,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->text, sizeof w->text, fmt, ap);
    va_end(ap);
    w->offset = entry_offset(m, section, entry);
}

/* Index of the import that defines entry `n` of the `kind` index space. */
static uint32_t import_index(const rf_module *m, uint8_t kind, uint32_t n)
{
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == kind && n-- == 0)
            return i;
    return 0;
}

/* Location of entry `index` of an index space whose first `num_imported`
 * entries are imports; `what` is "function", "table", "memory" or "global". */
static void where_index(where *w, const rf_module *m, uint8_t kind, uint8_t section,
                        const char *what, uint32_t index, uint32_t num_imported)
{
    if (index < num_imported) {
        uint32_t imp = import_index(m, kind, index);
        where_entry(w, m, SEC_IMPORT, imp, "import section, import %u (%s %u)", imp, what, index);
    } else {
        where_entry(w, m, section, index - num_imported, "%s section, %s %u", what, what, index);
    }
}

/* "<kind>: <core> (<where>, offset 0x..): <detail>" */
static bool mod_vfail(rf_error *err, rf_error_kind kind, const where *w, const char *core,
                      const char *fmt, va_list ap)
{
    char detail[256], at[48];
    detail[0] = '\0';
    if (fmt)
        vsnprintf(detail, sizeof detail, fmt, ap);
    at[0] = '\0';
    if (w->offset != RF_NO_OFFSET)
        snprintf(at, sizeof at, ", offset 0x%llx", (unsigned long long)w->offset);
    return rf_error_set(err, kind, w->offset, RF_NO_FUNC, "%s: %s (%s%s)%s%s",
                        rf_error_kind_name(kind), core, w->text, at, detail[0] ? ": " : "",
                        detail);
}

static bool mod_fail(rf_error *err, const where *w, const char *core, const char *fmt, ...)
    RF_PRINTF(4, 5);
static bool mod_fail(rf_error *err, const where *w, const char *core, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mod_vfail(err, RF_ERR_INVALID, w, core, fmt, ap);
    va_end(ap);
    return false;
}

static bool mod_limit(rf_error *err, const where *w, const char *core, const char *fmt, ...)
    RF_PRINTF(4, 5);
static bool mod_limit(rf_error *err, const where *w, const char *core, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mod_vfail(err, RF_ERR_LIMIT, w, core, fmt, ap);
    va_end(ap);
    return false;
}

/* "the module has 3 tables" style detail for unknown-index errors. */
static bool fail_unknown_index(rf_error *err, const where *w, const char *what, uint64_t index,
                               uint32_t count, const char *many)
{
    char core[64], have[48];
    snprintf(core, sizeof core, "unknown %s %llu", what, (unsigned long long)index);
    rf_validate_count(have, sizeof have, count, what, many);
    return mod_fail(err, w, core, "the module has %s", have);
}

static bool structure_fail(rf_error *err, const char *what)
{
    return rf_error_set(err, RF_ERR_MALFORMED, RF_NO_OFFSET, RF_NO_FUNC,
                        "malformed: %s", what);
}

/* ---- module-level rules --------------------------------------------------------- */

/* Facts the decoder promises; checked because indexing below relies on them. */
static bool check_structure(const rf_module *m, rf_error *err)
{
    if (m->num_funcs != m->num_func_imports + m->num_func_defs ||
        m->num_globals != m->num_global_imports + m->num_global_defs ||
        m->num_tables < m->num_table_imports || m->num_memories < m->num_memory_imports ||
        (m->num_funcs && !m->func_types) || (m->num_globals && !m->global_types))
        return structure_fail(err, "inconsistent module structure (index space counts)");
    uint32_t counts[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < m->num_imports; i++) {
        if (m->imports[i].kind > RF_KIND_GLOBAL)
            return structure_fail(err, "inconsistent module structure (import kind)");
        counts[m->imports[i].kind]++;
    }
    if (counts[RF_KIND_FUNC] != m->num_func_imports ||
        counts[RF_KIND_TABLE] != m->num_table_imports ||
        counts[RF_KIND_MEMORY] != m->num_memory_imports ||
        counts[RF_KIND_GLOBAL] != m->num_global_imports)
        return structure_fail(err, "inconsistent module structure (import counts)");
    for (uint32_t i = 0; i < m->num_func_defs; i++)
        if (m->func_defs[i].functype != m->func_types[m->num_func_imports + i])
            return structure_fail(err, "inconsistent module structure (function types)");
    if (m->has_data_count && m->data_count != m->num_datas)
        return rf_error_set(err, RF_ERR_MALFORMED, RF_NO_OFFSET, RF_NO_FUNC,
                            "malformed: data count and data section have inconsistent lengths "
                            "(data count %u, %u data segments)", m->data_count, m->num_datas);
    return true;
}

static bool check_types(const rf_module *m, rf_error *err)
{
    for (uint32_t i = 0; i < m->num_types; i++) {
        const rf_functype *ft = &m->types[i];
        if (ft->nparams <= RF_VALIDATE_MAX_ARITY && ft->nresults <= RF_VALIDATE_MAX_ARITY)
            continue;
        where w;
        where_entry(&w, m, SEC_TYPE, i, "type section, type %u", i);
        if (ft->nparams > RF_VALIDATE_MAX_ARITY)
            return mod_limit(err, &w, "function type has too many parameters",
                             "%u, at most %u", ft->nparams, RF_VALIDATE_MAX_ARITY);
        return mod_limit(err, &w, "function type has too many results", "%u, at most %u",
                         ft->nresults, RF_VALIDATE_MAX_ARITY);
    }
    return true;
}

static bool check_func_types(const rf_module *m, rf_error *err)
{
    for (uint32_t i = 0; i < m->num_funcs; i++) {
        if (m->func_types[i] < m->num_types)
            continue;
        where w;
        where_index(&w, m, RF_KIND_FUNC, SEC_FUNCTION, "function", i, m->num_func_imports);
        return fail_unknown_index(err, &w, "type", m->func_types[i], m->num_types, "types");
    }
    return true;
}

/* The spec's order: both bounds against the range, then min <= max. */
static bool check_limits(rf_error *err, const rf_limits *lim, uint64_t range,
                         const char *range_msg, const where *w)
{
    if (lim->min > range)
        return mod_fail(err, w, range_msg, "minimum is %llu", (unsigned long long)lim->min);
    if (lim->has_max && lim->max > range)
        return mod_fail(err, w, range_msg, "maximum is %llu", (unsigned long long)lim->max);
    if (lim->has_max && lim->min > lim->max)
        return mod_fail(err, w, "size minimum must not be greater than maximum",
                        "minimum %llu, maximum %llu", (unsigned long long)lim->min,
                        (unsigned long long)lim->max);
    return true;
}

static bool check_tables_and_memories(const rf_module *m, rf_error *err)
{
    where w;
    for (uint32_t i = 0; i < m->num_tables; i++) {
        const rf_limits *lim = &m->tables[i].limits;
        if (lim->min <= UINT32_MAX && (!lim->has_max || (lim->max <= UINT32_MAX &&
                                                         lim->min <= lim->max)))
            continue;
        where_index(&w, m, RF_KIND_TABLE, SEC_TABLE, "table", i, m->num_table_imports);
        return check_limits(err, lim, UINT32_MAX, "table size must be at most 2^32-1", &w);
    }
    if (m->num_memories > 1) {
        where_index(&w, m, RF_KIND_MEMORY, SEC_MEMORY, "memory", 1, m->num_memory_imports);
        return mod_fail(err, &w, "multiple memories", "the module has %u memories, at most one "
                        "is allowed", m->num_memories);
    }
    for (uint32_t i = 0; i < m->num_memories; i++) {
        const rf_limits *lim = &m->memories[i].limits;
        if (lim->min <= 65536 && (!lim->has_max || (lim->max <= 65536 && lim->min <= lim->max)))
            continue;
        where_index(&w, m, RF_KIND_MEMORY, SEC_MEMORY, "memory", i, m->num_memory_imports);
        return check_limits(err, lim, 65536, "memory size must be at most 65536 pages (4GiB)",
                            &w);
    }
    return true;
}

static bool check_globals(rf_module *m, rf_error *err)
{
    for (uint32_t i = 0; i < m->num_global_defs; i++) {
        rf_global_def *g = &m->global_defs[i];
        char where_text[64];
        snprintf(where_text, sizeof where_text, "global section, global %u",
                 m->num_global_imports + i);
        if (!rf_validate_const_expr(m, &g->init, g->type.valtype, where_text, err))
            return false;
    }
    return true;
}

static bool check_elems(rf_module *m, rf_error *err)
{
    char text[96];
    where w;
    for (uint32_t i = 0; i < m->num_elems; i++) {
        rf_elem_segment *seg = &m->elems[i];
        if (seg->mode == RF_SEG_ACTIVE) {
            if (seg->table >= m->num_tables) {
                where_entry(&w, m, SEC_ELEMENT, i, "element section, segment %u", i);
                return fail_unknown_index(err, &w, "table", seg->table, m->num_tables, "tables");
            }
            if (m->tables[seg->table].elemtype != seg->elemtype) {
                where_entry(&w, m, SEC_ELEMENT, i, "element section, segment %u", i);
                return mod_fail(err, &w, "type mismatch",
                                "segment of %s for table %u of %s",
                                rf_validate_type_name(seg->elemtype), seg->table,
                                rf_validate_type_name(m->tables[seg->table].elemtype));
            }
            snprintf(text, sizeof text, "element section, segment %u, offset expression", i);
            if (!rf_validate_const_expr(m, &seg->offset, RF_T_I32, text, err))
                return false;
        }
        for (uint32_t j = 0; j < seg->count; j++) {
            rf_const_expr *item = &seg->items[j];
            if (item->bytes.length == 0 && item->op == RF_OP_REF_FUNC) {
                /* A function index the decoder already turned into ref.func. */
                if (item->value >= m->num_funcs) {
                    where_entry(&w, m, SEC_ELEMENT, i, "element section, segment %u, item %u",
                                i, j);
                    return fail_unknown_index(err, &w, "function", item->value, m->num_funcs,
                                              "functions");
                }
                item->type = RF_T_FUNCREF;
                if (seg->elemtype != RF_T_FUNCREF) {
                    where_entry(&w, m, SEC_ELEMENT, i, "element section, segment %u, item %u",
                                i, j);
                    return mod_fail(err, &w, "type mismatch", "expected %s, found funcref",
                                    rf_validate_type_name(seg->elemtype));
                }
                continue;
            }
            snprintf(text, sizeof text, "element section, segment %u, item %u", i, j);
            if (!rf_validate_const_expr(m, item, seg->elemtype, text, err))
                return false;
        }
    }
    return true;
}

static bool check_datas(rf_module *m, rf_error *err)
{
    for (uint32_t i = 0; i < m->num_datas; i++) {
        rf_data_segment *seg = &m->datas[i];
        if (seg->mode != RF_SEG_ACTIVE)
            continue;
        if (seg->memory >= m->num_memories) {
            where w;
            where_entry(&w, m, SEC_DATA, i, "data section, segment %u", i);
            return fail_unknown_index(err, &w, "memory", seg->memory, m->num_memories,
                                      "memories");
        }
        char text[64];
        snprintf(text, sizeof text, "data section, segment %u, offset expression", i);
        if (!rf_validate_const_expr(m, &seg->offset, RF_T_I32, text, err))
            return false;
    }
    return true;
}

static bool check_start(const rf_module *m, rf_error *err)
{
    if (!m->has_start)
        return true;
    where w;
    where_entry(&w, m, SEC_START, 0, "start section");
    if (m->start >= m->num_funcs) {
        return fail_unknown_index(err, &w, "function", m->start, m->num_funcs, "functions");
    }
    const rf_functype *ft = &m->types[m->func_types[m->start]];
    if (ft->nparams != 0 || ft->nresults != 0) {
        char p[96], r[96];
        rf_validate_type_list(p, sizeof p, ft->types, ft->nparams);
        rf_validate_type_list(r, sizeof r, ft->types + ft->nparams, ft->nresults);
        char label[128];
        rf_validate_func_label(m, m->start, label, sizeof label);
        return mod_fail(err, &w, "start function must have type [] -> []", "%s has type %s -> %s",
                        label, p, r);
    }
    return true;
}

/* Orders export names by length, then bytes, then position in the section. */
static int compare_exports(const void *a, const void *b)
{
    const rf_export *x = *(const rf_export *const *)a;
    const rf_export *y = *(const rf_export *const *)b;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    int c = x->name_len ? memcmp(x->name, y->name, x->name_len) : 0;
    if (c != 0)
        return c;
    return x < y ? -1 : x > y ? 1 : 0;
}

static bool check_exports(const rf_module *m, rf_error *err)
{
    where w;
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const rf_export *e = &m->exports[i];
        uint32_t count;
        const char *what, *plural;
        switch (e->kind) {
        case RF_KIND_FUNC: count = m->num_funcs; what = "function"; plural = "functions"; break;
        case RF_KIND_TABLE: count = m->num_tables; what = "table"; plural = "tables"; break;
        case RF_KIND_MEMORY: count = m->num_memories; what = "memory"; plural = "memories"; break;
        case RF_KIND_GLOBAL: count = m->num_globals; what = "global"; plural = "globals"; break;
        default:
            return structure_fail(err, "inconsistent module structure (export kind)");
        }
        if (e->index < count)
            continue;
        where_entry(&w, m, SEC_EXPORT, i, "export section, export %u", i);
        return fail_unknown_index(err, &w, what, e->index, count, plural);
    }
    if (m->num_exports < 2)
        return true;

    const rf_export **sorted = malloc((size_t)m->num_exports * sizeof *sorted);
    if (!sorted)
        return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                            "out of memory: sorting %u export names", m->num_exports);
    for (uint32_t i = 0; i < m->num_exports; i++)
        sorted[i] = &m->exports[i];
    qsort(sorted, m->num_exports, sizeof *sorted, compare_exports);
    /* Report the duplicate that comes first in the section. */
    const rf_export *dup = NULL;
    for (uint32_t i = 1; i < m->num_exports; i++) {
        const rf_export *a = sorted[i - 1], *b = sorted[i];
        if (a->name_len == b->name_len && (a->name_len == 0 ||
                                           memcmp(a->name, b->name, a->name_len) == 0) &&
            (!dup || b < dup))
            dup = b;
    }
    free(sorted);
    if (!dup)
        return true;
    uint32_t index = (uint32_t)(dup - m->exports);
    char core[160];
    char quoted[128];
    rf_validate_quote(quoted, sizeof quoted, dup->name, dup->name_len);
    snprintf(core, sizeof core, "duplicate export name %s", quoted);
    where_entry(&w, m, SEC_EXPORT, index, "export section, export %u", index);
    return mod_fail(err, &w, core, NULL);
}

static void declare(uint8_t *declared, uint64_t func, uint32_t num_funcs)
{
    if (func < num_funcs)
        declared[func >> 3] |= (uint8_t)(1u << (func & 7));
}

/* The functions ref.func may name inside bodies (the spec's C.refs): those
 * referenced anywhere in the module outside function bodies. Called after
 * every constant expression was validated (so op/value are set). */
static uint8_t *declared_functions(const rf_module *m)
{
    uint8_t *declared = calloc((size_t)m->num_funcs / 8 + 1, 1);
    if (!declared)
        return NULL;
    for (uint32_t i = 0; i < m->num_global_defs; i++)
        if (m->global_defs[i].init.op == RF_OP_REF_FUNC)
            declare(declared, m->global_defs[i].init.value, m->num_funcs);
    for (uint32_t i = 0; i < m->num_elems; i++)
        for (uint32_t j = 0; j < m->elems[i].count; j++)
            if (m->elems[i].items[j].op == RF_OP_REF_FUNC)
                declare(declared, m->elems[i].items[j].value, m->num_funcs);
    for (uint32_t i = 0; i < m->num_exports; i++)
        if (m->exports[i].kind == RF_KIND_FUNC)
            declare(declared, m->exports[i].index, m->num_funcs);
    return declared;
}

bool rf_validate_module(rf_module *m, rf_error *err)
{
    m->validated = false;
    if (!check_structure(m, err) || !check_types(m, err) || !check_func_types(m, err) ||
        !check_tables_and_memories(m, err) || !check_globals(m, err) || !check_elems(m, err) ||
        !check_datas(m, err) || !check_start(m, err) || !check_exports(m, err))
        return false;

    uint8_t *declared = declared_functions(m);
    if (!declared)
        return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                            "out of memory: set of %u functions", m->num_funcs);
    rf_code_scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    bool ok = true;
    for (uint32_t i = 0; ok && i < m->num_func_defs; i++)
        ok = rf_validate_code(m, i, declared, &scratch, err);
    rf_code_scratch_free(&scratch);
    free(declared);
    if (ok)
        m->validated = true;
    return ok;
}
