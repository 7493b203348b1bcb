/*
 * decode.c — the module-level part of the binary decoder: the helpers every
 * decode_*.c file reports errors with, the header, section framing and
 * order, and the checks that span several sections. The sections themselves
 * are in decode_sections.c (type ... export), decode_segments.c (element,
 * data), decode_code.c (code) and decode_names.c (custom).
 *
 * Section framing: each section's contents are read through a reader bounded
 * by the declared size, and the section must be consumed exactly ("section
 * size mismatch" otherwise). Known sections appear at most once and in the
 * order type, import, function, table, memory, global, export, start,
 * element, data count, code, data; custom sections may appear anywhere.
 */
#include "decode_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SEC_CUSTOM = 0, SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNCTION = 3, SEC_TABLE = 4,
    SEC_MEMORY = 5, SEC_GLOBAL = 6, SEC_EXPORT = 7, SEC_START = 8, SEC_ELEMENT = 9,
    SEC_CODE = 10, SEC_DATA = 11, SEC_DATA_COUNT = 12, SEC_LAST = 12
};

/* Used in messages, indexed by section id. */
static const char *const section_where[SEC_LAST + 1] = {
    "custom section", "type section", "import section", "function section",
    "table section", "memory section", "global section", "export section",
    "start section", "element section", "code section", "data section",
    "data count section"
};

/* Position of each section id in the required order (custom: none). The
 * data count section (id 12) sits between element (9) and code (10). */
static const uint8_t section_rank[SEC_LAST + 1] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10
};

/* ---- errors and small helpers ------------------------------------------- */

bool rf_dec_fail(rf_decoder *d, size_t offset, const char *fmt, ...)
{
    char reason[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const char *where = d->where ? d->where : "module";
    if (d->func != RF_NO_FUNC)
        return rf_error_set(d->err, RF_ERR_MALFORMED, offset, d->func,
                            "malformed: %s (%s, func %u, offset 0x%zx)", reason, where, d->func,
                            offset);
    return rf_error_set(d->err, RF_ERR_MALFORMED, offset, RF_NO_FUNC,
                        "malformed: %s (%s, offset 0x%zx)", reason, where, offset);
}

bool rf_dec_reader_fail(rf_decoder *d, const rf_reader *r)
{
    const char *reason = r->err ? r->err : "unexpected end";
    const char *where = d->where ? d->where : "module";
    if (strcmp(reason, "SIMD is not supported yet") == 0) {
        if (d->func != RF_NO_FUNC)
            return rf_error_set(d->err, RF_ERR_UNSUPPORTED, r->err_pos, d->func,
                                "unsupported: %s (%s, func %u, offset 0x%zx)", reason, where,
                                d->func, r->err_pos);
        return rf_error_set(d->err, RF_ERR_UNSUPPORTED, r->err_pos, RF_NO_FUNC,
                            "unsupported: %s (%s, offset 0x%zx)", reason, where, r->err_pos);
    }
    /* Inside a section the reader's window is the section (or function
     * body), so running out means the section or function ended early. */
    if (d->in_section && strcmp(reason, "unexpected end") == 0)
        reason = "unexpected end of section or function";
    return rf_dec_fail(d, r->err_pos, "%s", reason);
}

void *rf_dec_calloc(rf_decoder *d, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        rf_error_set(d->err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "out of memory while decoding (%s)", d->where ? d->where : "module");
    return p;
}

char *rf_dec_strdup(rf_decoder *d, const uint8_t *s, uint32_t len)
{
    char *p = rf_dec_calloc(d, (size_t)len + 1, 1);
    if (p && len)
        memcpy(p, s, len);
    return p;
}

bool rf_dec_count(rf_decoder *d, rf_reader *r, uint32_t *n, size_t min_size)
{
    size_t at = r->pos;
    if (!rf_read_u32(r, n))
        return rf_dec_reader_fail(d, r);
    if ((uint64_t)*n * min_size > rf_reader_left(r))
        return rf_dec_fail(d, at,
                           "unexpected end of section or function (%u entries declared, "
                           "only %zu bytes left)", *n, rf_reader_left(r));
    return true;
}

bool rf_dec_name(rf_decoder *d, rf_reader *r, const uint8_t **out, uint32_t *len)
{
    /* Look at the length first so an impossible one gets its own message. */
    rf_reader peek = *r;
    uint32_t n;
    if (rf_read_u32(&peek, &n) && n > rf_reader_left(&peek))
        return rf_dec_fail(d, r->pos, "length out of bounds (name of %u bytes, only %zu left)",
                           n, rf_reader_left(&peek));
    if (!rf_read_name(r, out, len))
        return rf_dec_reader_fail(d, r);
    return true;
}

bool rf_dec_valtype(rf_decoder *d, rf_reader *r, uint8_t *out)
{
    size_t at = r->pos;
    uint8_t b;
    if (!rf_read_u8(r, &b))
        return rf_dec_reader_fail(d, r);
    switch (b) {
    case RF_T_I32: case RF_T_I64: case RF_T_F32: case RF_T_F64:
    case RF_T_FUNCREF: case RF_T_EXTERNREF:
        *out = b;
        return true;
    case RF_T_V128: {
        rf_reader tmp = *r;
        rf_reader_fail(&tmp, at, "SIMD is not supported yet");
        return rf_dec_reader_fail(d, &tmp);
    }
    default:
        return rf_dec_fail(d, at, "malformed value type 0x%02x", b);
    }
}

bool rf_dec_reftype(rf_decoder *d, rf_reader *r, uint8_t *out)
{
    size_t at = r->pos;
    uint8_t b;
    if (!rf_read_u8(r, &b))
        return rf_dec_reader_fail(d, r);
    if (b != RF_T_FUNCREF && b != RF_T_EXTERNREF)
        return rf_dec_fail(d, at, "malformed reference type 0x%02x", b);
    *out = b;
    return true;
}

bool rf_dec_u32(rf_decoder *d, rf_reader *r, uint32_t *out)
{
    return rf_read_u32(r, out) || rf_dec_reader_fail(d, r);
}

/* ---- the module --------------------------------------------------------------- */

static bool dec_section(rf_decoder *d, unsigned id, rf_reader *r, size_t section_offset)
{
    rf_module *m = d->m;
    switch (id) {
    case SEC_CUSTOM: return rf_dec_custom_section(d, r, section_offset);
    case SEC_TYPE: return rf_dec_type_section(d, r);
    case SEC_IMPORT: return rf_dec_import_section(d, r);
    case SEC_FUNCTION: return rf_dec_function_section(d, r);
    case SEC_TABLE: return rf_dec_table_section(d, r);
    case SEC_MEMORY: return rf_dec_memory_section(d, r);
    case SEC_GLOBAL: return rf_dec_global_section(d, r);
    case SEC_EXPORT: return rf_dec_export_section(d, r);
    case SEC_START:
        m->has_start = true;
        return rf_dec_u32(d, r, &m->start);
    case SEC_ELEMENT: return rf_dec_elem_section(d, r);
    case SEC_DATA_COUNT:
        m->has_data_count = true;
        return rf_dec_u32(d, r, &m->data_count);
    case SEC_CODE: return rf_dec_code_section(d, r);
    case SEC_DATA: return rf_dec_data_section(d, r);
    }
    return rf_dec_fail(d, section_offset, "malformed section id %u", id);
}

static bool dec_header(rf_decoder *d)
{
    static const uint8_t magic[4] = { 0x00, 0x61, 0x73, 0x6D };
    static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };
    const rf_module *m = d->m;
    d->where = "module header";
    if (m->size < 4)
        return rf_dec_fail(d, m->size, "unexpected end (the module is %zu bytes long)", m->size);
    if (memcmp(m->bytes, magic, 4) != 0)
        return rf_dec_fail(d, 0, "magic header not detected");
    if (m->size < 8)
        return rf_dec_fail(d, m->size, "unexpected end (no binary version)");
    if (memcmp(m->bytes + 4, version, 4) != 0)
        return rf_dec_fail(d, 4, "unknown binary version");
    return true;
}

/* Checks that involve several sections, once all of them have been read. */
static bool dec_finish(rf_decoder *d, bool has_code, bool has_data)
{
    rf_module *m = d->m;
    d->where = "module";
    d->in_section = false;
    if (!has_code && m->num_func_defs != 0) {
        d->where = "function section";
        return rf_dec_fail(d, m->size, "function and code section have inconsistent lengths "
                                       "(%u functions declared, no code section)",
                           m->num_func_defs);
    }
    if (d->code_count_mismatch) {
        d->where = "code section";
        return rf_dec_fail(d, d->code_count_offset,
                           "function and code section have inconsistent lengths "
                           "(%u functions declared, %u bodies)", m->num_func_defs, d->code_count);
    }
    if (d->data_use_without_count && has_data) {
        d->where = "code section";
        d->func = d->data_use_func;
        return rf_dec_fail(d, d->data_use_offset, "data count section required (for %s)",
                           d->data_use_op);
    }
    if (m->has_data_count && !has_data && m->data_count != 0) {
        d->where = "data count section";
        return rf_dec_fail(d, m->size, "data count and data section have inconsistent lengths "
                                       "(%u segments announced, no data section)",
                           m->data_count);
    }
    return rf_dec_finish_index_spaces(d);
}

static bool dec_module(rf_decoder *d)
{
    rf_module *m = d->m;
    if (!dec_header(d))
        return false;
    rf_reader r = rf_reader_make(m->bytes, 8, m->size);
    unsigned last_rank = 0;
    bool has_code = false, has_data = false;
    while (!rf_reader_at_end(&r)) {
        size_t section_offset = r.pos;
        d->where = "section header";
        d->in_section = false;
        uint8_t id;
        uint32_t size;
        if (!rf_read_u8(&r, &id))
            return rf_dec_reader_fail(d, &r);
        if (id > SEC_LAST)
            return rf_dec_fail(d, section_offset, "malformed section id %u", id);
        d->where = section_where[id];
        if (!rf_read_u32(&r, &size))
            return rf_dec_reader_fail(d, &r);
        if (size > rf_reader_left(&r))
            return rf_dec_fail(d, section_offset,
                               "length out of bounds (section of %u bytes, only %zu left)", size,
                               rf_reader_left(&r));
        if (id != SEC_CUSTOM) {
            if (section_rank[id] <= last_rank)
                return rf_dec_fail(d, section_offset,
                                   "unexpected content after last section (repeated or "
                                   "out-of-order section id %u)", id);
            last_rank = section_rank[id];
        }
        has_code |= id == SEC_CODE;
        has_data |= id == SEC_DATA;
        size_t end = r.pos + size;
        rf_reader sr = rf_reader_make(m->bytes, r.pos, end);
        d->in_section = true;
        if (!dec_section(d, id, &sr, section_offset))
            return false;
        if (sr.pos != end)
            return rf_dec_fail(d, sr.pos, "section size mismatch (%zu bytes left unread)",
                               end - sr.pos);
        r.pos = end;
    }
    return dec_finish(d, has_code, has_data);
}

bool rf_decode(const uint8_t *bytes, size_t len, rf_module **out, rf_error *err)
{
    *out = NULL;
    rf_error_clear(err);
    if (!bytes && len)
        return rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                            "rf_decode: NULL bytes with a length of %zu", len);
    if (len > UINT32_MAX)
        return rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                            "module too large: %zu bytes (at most 4 GiB - 1)", len);
    rf_module *m = calloc(1, sizeof *m);
    if (!m)
        return rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                            "out of memory while decoding");
    rf_decoder d;
    memset(&d, 0, sizeof d);
    d.m = m;
    d.err = err;
    d.where = "module";
    d.func = RF_NO_FUNC;
    if (!(m->bytes = rf_dec_calloc(&d, len, 1))) {
        rf_module_destroy(m);
        return false;
    }
    if (len)
        memcpy(m->bytes, bytes, len);
    m->size = len;
    bool ok = dec_module(&d);
    free(d.frames);
    if (!ok) {
        rf_module_destroy(m);
        return false;
    }
    *out = m;
    return true;
}
