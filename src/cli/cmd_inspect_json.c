/*
 * cmd_inspect_json.c — the `reflow inspect --json` output: one JSON object
 * with the same facts as the text form, built with jansson.
 *
 * Memory failures are tracked with one `ok` flag instead of checking every
 * call: jansson's *_set_new / *_append_new accept NULL values (and NULL
 * containers), release what they were given and report failure, so a failed
 * allocation anywhere leaves a smaller tree and ok == false, never a leak.
 */
#include "cli.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct builder {
    bool ok;
} builder;

static void put(builder *b, json_t *obj, const char *key, json_t *value)
{
    if (json_object_set_new(obj, key, value) != 0)
        b->ok = false;
}

static void push(builder *b, json_t *arr, json_t *value)
{
    if (json_array_append_new(arr, value) != 0)
        b->ok = false;
}

static json_t *number(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Names in a loaded module are valid UTF-8 (the decoder checks), but fall
 * back to an escaped ASCII form rather than failing if one is not. */
static json_t *name_string(const char *s, size_t len)
{
    json_t *v = json_stringn(s, len);
    if (v || len > SIZE_MAX / 4 - 1)
        return v;
    char *esc = malloc(len * 4 + 1);
    if (!esc)
        return NULL;
    size_t n = 0;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            esc[n++] = (char)c;
        } else {
            esc[n++] = '\\';
            esc[n++] = 'x';
            esc[n++] = hex[c >> 4];
            esc[n++] = hex[c & 15];
        }
    }
    v = json_stringn(esc, n);
    free(esc);
    return v;
}

static json_t *valtypes(builder *b, uint32_t n, const rf_valtype *types)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++)
        push(b, arr, json_string(rf_valtype_name(types[i])));
    return arr;
}

static json_t *signature(builder *b, const rf_signature *sig)
{
    json_t *o = json_object();
    put(b, o, "params", valtypes(b, sig->nparams, sig->params));
    put(b, o, "results", valtypes(b, sig->nresults, sig->results));
    return o;
}

static json_t *memory_limits(builder *b, rf_limits_desc pages)
{
    json_t *o = json_object();
    put(b, o, "min_pages", number(pages.min));
    put(b, o, "max_pages", pages.has_max ? number(pages.max) : json_null());
    put(b, o, "min_bytes", number(cli_pages_to_bytes(pages.min)));
    put(b, o, "max_bytes", pages.has_max ? number(cli_pages_to_bytes(pages.max)) : json_null());
    return o;
}

static json_t *table_limits(builder *b, rf_limits_desc limits)
{
    json_t *o = json_object();
    put(b, o, "min", number(limits.min));
    put(b, o, "max", limits.has_max ? number(limits.max) : json_null());
    return o;
}

/* Adds the type fields of an import or export to `o`. */
static void extern_type(builder *b, json_t *o, const rf_extern_type *t)
{
    put(b, o, "kind", json_string(cli_extern_kind_name(t->kind)));
    switch (t->kind) {
    case RF_EXTERN_FUNC:
        put(b, o, "type", signature(b, &t->func));
        break;
    case RF_EXTERN_TABLE:
        put(b, o, "elem", json_string(rf_valtype_name(t->table_elem)));
        put(b, o, "limits", table_limits(b, t->limits));
        break;
    case RF_EXTERN_MEMORY:
        put(b, o, "limits", memory_limits(b, t->limits));
        break;
    case RF_EXTERN_GLOBAL:
        put(b, o, "type", json_string(rf_valtype_name(t->global_type)));
        put(b, o, "mutable", json_boolean(t->global_mutable));
        break;
    }
}

static json_t *func_ref(builder *b, const rf_module *m, uint32_t index)
{
    json_t *o = json_object();
    put(b, o, "index", number(index));
    const char *name = rf_module_function_name(m, index);
    put(b, o, "name", name ? name_string(name, strlen(name)) : json_null());
    return o;
}

static json_t *imports(builder *b, const rf_module *m)
{
    json_t *arr = json_array();
    size_t n = rf_module_import_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_import_desc d;
        if (!rf_module_import(m, i, &d))
            continue;
        json_t *o = json_object();
        put(b, o, "module", name_string(d.module, d.module_len));
        put(b, o, "name", name_string(d.name, d.name_len));
        extern_type(b, o, &d.type);
        push(b, arr, o);
    }
    return arr;
}

static json_t *exports(builder *b, const rf_module *m)
{
    json_t *arr = json_array();
    size_t n = rf_module_export_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_export_desc d;
        if (!rf_module_export(m, i, &d))
            continue;
        json_t *o = json_object();
        put(b, o, "name", name_string(d.name, d.name_len));
        put(b, o, "index", number(d.index));
        extern_type(b, o, &d.type);
        push(b, arr, o);
    }
    return arr;
}

static json_t *memories(builder *b, const rf_module *m, const rf_module_info *info)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < info->num_memories; i++) {
        rf_limits_desc pages;
        if (!rf_module_memory_type(m, i, &pages))
            continue;
        json_t *o = json_object();
        put(b, o, "index", number(i));
        put(b, o, "imported", json_boolean(i < info->num_memory_imports));
        put(b, o, "limits", memory_limits(b, pages));
        push(b, arr, o);
    }
    return arr;
}

static json_t *tables(builder *b, const rf_module *m, const rf_module_info *info)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < info->num_tables; i++) {
        rf_valtype elem;
        rf_limits_desc limits;
        if (!rf_module_table_type(m, i, &elem, &limits))
            continue;
        json_t *o = json_object();
        put(b, o, "index", number(i));
        put(b, o, "imported", json_boolean(i < info->num_table_imports));
        put(b, o, "elem", json_string(rf_valtype_name(elem)));
        put(b, o, "limits", table_limits(b, limits));
        push(b, arr, o);
    }
    return arr;
}

static json_t *globals(builder *b, const rf_module *m, const rf_module_info *info)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < info->num_globals; i++) {
        rf_valtype type;
        bool mutable_;
        if (!rf_module_global_type(m, i, &type, &mutable_))
            continue;
        json_t *o = json_object();
        put(b, o, "index", number(i));
        put(b, o, "imported", json_boolean(i < info->num_global_imports));
        put(b, o, "type", json_string(rf_valtype_name(type)));
        put(b, o, "mutable", json_boolean(mutable_));
        push(b, arr, o);
    }
    return arr;
}

static json_t *custom_sections(builder *b, const rf_module *m)
{
    json_t *arr = json_array();
    size_t n = rf_module_custom_section_count(m);
    for (size_t i = 0; i < n; i++) {
        rf_custom_section_desc c;
        if (!rf_module_custom_section(m, i, &c))
            continue;
        json_t *o = json_object();
        put(b, o, "name", name_string(c.name, c.name_len));
        put(b, o, "size", number(c.size));
        put(b, o, "offset", number(c.offset));
        push(b, arr, o);
    }
    return arr;
}

static json_t *function_names(builder *b, const rf_module *m, const rf_module_info *info)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < info->num_funcs; i++)
        if (rf_module_function_name(m, i))
            push(b, arr, func_ref(b, m, i));
    return arr;
}

int cli_inspect_json(FILE *f, const rf_module *m, const char *file)
{
    builder b = { .ok = true };
    rf_module_info info;
    rf_module_get_info(m, &info);

    json_t *root = json_object();
    /* The path comes from the command line and may not be UTF-8. */
    put(&b, root, "file", name_string(file, strlen(file)));
    put(&b, root, "name", info.name ? name_string(info.name, strlen(info.name)) : json_null());
    put(&b, root, "size", number(info.size));
    put(&b, root, "types", number(info.num_types));
    json_t *funcs = json_object();
    put(&b, funcs, "total", number(info.num_funcs));
    put(&b, funcs, "imported", number(info.num_func_imports));
    put(&b, funcs, "defined", number(info.num_funcs - info.num_func_imports));
    put(&b, root, "functions", funcs);
    put(&b, root, "start", info.has_start ? func_ref(&b, m, info.start) : json_null());
    put(&b, root, "element_segments", number(info.num_elem_segments));
    put(&b, root, "data_segments", number(info.num_data_segments));
    put(&b, root, "imports", imports(&b, m));
    put(&b, root, "exports", exports(&b, m));
    put(&b, root, "memories", memories(&b, m, &info));
    put(&b, root, "tables", tables(&b, m, &info));
    put(&b, root, "globals", globals(&b, m, &info));
    put(&b, root, "custom_sections", custom_sections(&b, m));
    put(&b, root, "function_names", function_names(&b, m, &info));

    int rc = CLI_EXIT_OK;
    if (!b.ok || !root) {
        fputs("reflow: inspect: out of memory while building JSON\n", stderr);
        rc = CLI_EXIT_FAIL;
    } else if (json_dumpf(root, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF) {
        fputs("reflow: inspect: cannot write the output\n", stderr);
        rc = CLI_EXIT_FAIL;
    }
    json_decref(root);
    return rc;
}
