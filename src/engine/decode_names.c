/*
 * decode_names.c — custom sections, and the "name" custom section's module
 * name and function names.
 *
 * A custom section only needs a valid name to be well formed; its payload is
 * kept as a span. The "name" section is debugging information: when it is
 * malformed the module is still fine, so it is parsed on its own reader and
 * any problem just drops the names (all or nothing), without an error.
 */
#include "decode_internal.h"

#include <stdlib.h>
#include <string.h>

/* Append to m->customs, doubling the array whenever the count reaches a
 * power of two (the capacity is implied by the count). */
static rf_custom_section *add_custom(rf_decoder *d)
{
    rf_module *m = d->m;
    uint32_t n = m->num_customs;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? (size_t)n * 2 : 1;
        rf_custom_section *p = realloc(m->customs, cap * sizeof *p);
        if (!p) {
            rf_error_set(d->err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                         "out of memory while decoding (custom section)");
            return NULL;
        }
        m->customs = p;
    }
    rf_custom_section *c = &m->customs[n];
    memset(c, 0, sizeof *c);
    m->num_customs = n + 1;
    return c;
}

typedef struct name_parse {
    char *module_name;
    rf_func_name *names;
    uint32_t count;
} name_parse;

static void name_parse_free(name_parse *np)
{
    free(np->module_name);
    for (uint32_t i = 0; i < np->count; i++)
        free(np->names[i].name);
    free(np->names);
}

static char *copy_name(const uint8_t *s, uint32_t len)
{
    char *p = malloc((size_t)len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* Subsection 0: the module name, exactly filling the subsection. */
static bool parse_module_name(rf_reader *r, name_parse *np)
{
    const uint8_t *s;
    uint32_t len;
    if (!rf_read_name(r, &s, &len) || !rf_reader_at_end(r))
        return false;
    return (np->module_name = copy_name(s, len)) != NULL;
}

/* Subsection 1: a name map of functions, indices strictly increasing. */
static bool parse_function_names(rf_reader *r, name_parse *np)
{
    uint32_t n;
    if (!rf_read_u32(r, &n) || n > rf_reader_left(r))
        return false;
    if (!(np->names = calloc(n ? n : 1, sizeof *np->names)))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index, len;
        const uint8_t *s;
        if (!rf_read_u32(r, &index) || !rf_read_name(r, &s, &len))
            return false;
        if (i > 0 && index <= np->names[i - 1].index)
            return false;
        if (!(np->names[i].name = copy_name(s, len)))
            return false;
        np->names[i].index = index;
        np->count = i + 1;
    }
    return rf_reader_at_end(r);
}

static void dec_name_section(rf_module *m, size_t start, size_t end)
{
    name_parse np = { NULL, NULL, 0 };
    rf_reader r = rf_reader_make(m->bytes, start, end);
    int last_id = -1;
    while (!rf_reader_at_end(&r)) {
        uint8_t id;
        uint32_t size;
        if (!rf_read_u8(&r, &id) || !rf_read_u32(&r, &size) || size > rf_reader_left(&r))
            goto ignore;
        if ((int)id <= last_id)   /* subsections come in order, at most once each */
            goto ignore;
        last_id = id;
        rf_reader sub = rf_reader_make(m->bytes, r.pos, r.pos + size);
        if (id == 0 && !parse_module_name(&sub, &np))
            goto ignore;
        if (id == 1 && !parse_function_names(&sub, &np))
            goto ignore;
        r.pos += size;
    }
    m->module_name = np.module_name;
    m->func_names = np.names;
    m->num_func_names = np.count;
    return;
ignore:
    name_parse_free(&np);
}

bool rf_dec_custom_section(rf_decoder *d, rf_reader *r, size_t section_offset)
{
    rf_module *m = d->m;
    const uint8_t *name;
    uint32_t len;
    if (!rf_dec_name(d, r, &name, &len))
        return false;
    rf_custom_section *c = add_custom(d);
    if (!c || !(c->name = rf_dec_strdup(d, name, len)))
        return false;
    c->name_len = len;
    c->payload.offset = (uint32_t)r->pos;
    c->payload.length = (uint32_t)rf_reader_left(r);
    c->section_offset = (uint32_t)section_offset;
    r->pos = r->end;
    /* Only the first "name" section counts. */
    if (len == 4 && memcmp(name, "name", 4) == 0 && !d->name_section_seen) {
        d->name_section_seen = true;
        dec_name_section(m, c->payload.offset, r->end);
    }
    return true;
}
