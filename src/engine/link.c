/*
 * link.c — matching the externs an embedder provides against a module's
 * imports (WebAssembly 2.0, "import matching"):
 *   - the kinds must agree;
 *   - functions: the types are equal;
 *   - tables: equal element types, and the limits of the table AS IT IS NOW
 *     (current size, declared maximum) match the import's limits: size >= min,
 *     and when the import has a maximum the table has one no larger;
 *   - memories: the same limit rule, in pages;
 *   - globals: equal value type and mutability.
 * Every failure is RF_ERR_LINK with the spec's "incompatible import type" and
 * names the import (index, "module"."name"), what it expects and what it got.
 * Misuse of the API (wrong count, NULL objects, objects of another store) is
 * RF_ERR_ARG instead. Resolving names to externs ("unknown import") is the
 * embedder's job: imports arrive here already resolved, by position.
 */
#include "error.h"
#include "runtime_internal.h"

#include <inttypes.h>
#include <stdio.h>

/* `"name"` with quotes; bytes that are not printable ASCII or UTF-8 are shown
 * as \hh, and long names are cut with "...". */
static void quote_name(char *buf, size_t size, const char *name, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t used = 0;
    buf[used++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        /* Cut only before the first byte of a character (at most 3 UTF-8
         * continuation bytes pass the check, and 12 bytes were left). */
        if ((used + 12 >= size || i >= 64) && (c & 0xC0) != 0x80) {
            buf[used++] = '.';
            buf[used++] = '.';
            buf[used++] = '.';
            break;
        }
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            buf[used++] = '\\';
            buf[used++] = hex[c >> 4];
            buf[used++] = hex[c & 15];
        } else {
            buf[used++] = (char)c;
        }
    }
    buf[used++] = '"';
    buf[used] = '\0';
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case RF_KIND_FUNC: return "func";
    case RF_KIND_TABLE: return "table";
    case RF_KIND_MEMORY: return "memory";
    case RF_KIND_GLOBAL: return "global";
    }
    return "unknown kind";
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static const void *extern_object(const rf_extern *x)
{
    switch (x->kind) {
    case RF_EXTERN_FUNC: return x->of.func;
    case RF_EXTERN_TABLE: return x->of.table;
    case RF_EXTERN_MEMORY: return x->of.memory;
    case RF_EXTERN_GLOBAL: return x->of.global;
    }
    return NULL;
}

static const rf_store *extern_store(const rf_extern *x)
{
    switch (x->kind) {
    case RF_EXTERN_FUNC: return x->of.func->store;
    case RF_EXTERN_TABLE: return x->of.table->store;
    case RF_EXTERN_MEMORY: return x->of.memory->store;
    case RF_EXTERN_GLOBAL: return x->of.global->store;
    }
    return NULL;
}

/* Describe limits `l` of a table or memory the module expects. */
static void expected_limits(char *buf, size_t size, const char *what, const rf_limits *l,
                            const char *unit)
{
    if (l->has_max)
        snprintf(buf, size, "%s with at least %" PRIu64 " %s%s and at most %" PRIu64 " %s%s",
                 what, l->min, unit, plural(l->min), l->max, unit, plural(l->max));
    else
        snprintf(buf, size, "%s with at least %" PRIu64 " %s%s", what, l->min, unit,
                 plural(l->min));
}

/* Describe a provided table or memory of `current` units; its maximum is
 * mentioned only when the import constrains the maximum. */
static void provided_limits(char *buf, size_t size, const char *what, uint64_t current,
                            const rf_limits *declared, bool show_max, const char *unit)
{
    if (!show_max)
        snprintf(buf, size, "%s has %" PRIu64 " %s%s", what, current, unit, plural(current));
    else if (declared->has_max)
        snprintf(buf, size, "%s has %" PRIu64 " %s%s and a maximum of %" PRIu64 " %s%s", what,
                 current, unit, plural(current), declared->max, unit, plural(declared->max));
    else
        snprintf(buf, size, "%s has %" PRIu64 " %s%s and no maximum", what, current, unit,
                 plural(current));
}

/* Limits subtyping against the current size. */
static bool limits_match(uint64_t current, const rf_limits *have, const rf_limits *want)
{
    if (current < want->min)
        return false;
    if (want->has_max && (!have->has_max || have->max > want->max))
        return false;
    return true;
}

/* Fill `expected` and `provided` and return false when import `im` does not
 * accept extern `x` (whose kind matches). */
static bool import_matches(const rf_module *m, const rf_import *im, const rf_extern *x,
                           char *expected, char *provided, size_t size)
{
    switch (im->kind) {
    case RF_KIND_FUNC: {
        const rf_functype *want = &m->types[im->desc.functype];
        if (rf_functype_equal(want, x->of.func->type))
            return true;
        char a[200], b[200];
        rf_format_functype(a, sizeof a, want);
        rf_format_functype(b, sizeof b, x->of.func->type);
        snprintf(expected, size, "func %s", a);
        snprintf(provided, size, "func %s", b);
        return false;
    }
    case RF_KIND_TABLE: {
        const rf_tabletype *want = &im->desc.table;
        const rf_table *t = x->of.table;
        if (want->elemtype == t->elemtype && limits_match(t->size, &t->declared, &want->limits))
            return true;
        char a[32], b[32];
        snprintf(a, sizeof a, "table of %s", rf_valtype_name((rf_valtype)want->elemtype));
        snprintf(b, sizeof b, "table of %s", rf_valtype_name((rf_valtype)t->elemtype));
        expected_limits(expected, size, a, &want->limits, "element");
        provided_limits(provided, size, b, t->size, &t->declared, want->limits.has_max,
                        "element");
        return false;
    }
    case RF_KIND_MEMORY: {
        const rf_limits *want = &im->desc.memory.limits;
        const rf_memory *mem = x->of.memory;
        uint64_t pages = mem->size / RF_PAGE_SIZE;
        if (limits_match(pages, &mem->declared, want))
            return true;
        expected_limits(expected, size, "memory", want, "page");
        provided_limits(provided, size, "memory", pages, &mem->declared, want->has_max, "page");
        return false;
    }
    case RF_KIND_GLOBAL: {
        const rf_globaltype *want = &im->desc.global;
        const rf_global *g = x->of.global;
        if (want->valtype == g->type && want->mutable_ == g->mutable_)
            return true;
        snprintf(expected, size, "%s global of type %s", want->mutable_ ? "mutable" : "immutable",
                 rf_valtype_name((rf_valtype)want->valtype));
        snprintf(provided, size, "%s global of type %s", g->mutable_ ? "mutable" : "immutable",
                 rf_valtype_name((rf_valtype)g->type));
        return false;
    }
    }
    return false;
}

bool rf_link_check(rf_store *s, const rf_module *m, const rf_extern *imports, size_t n,
                   rf_error *err)
{
    if (n != m->num_imports || (n > 0 && !imports))
        return rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                            "link error: the module has %u import%s but %zu extern%s %s given",
                            m->num_imports, plural(m->num_imports), n, plural(n),
                            n == 1 ? "was" : "were");
    for (size_t i = 0; i < n; i++) {
        const rf_import *im = &m->imports[i];
        const rf_extern *x = &imports[i];
        char mod[96], name[96];
        quote_name(mod, sizeof mod, im->module, im->module_len);
        quote_name(name, sizeof name, im->name, im->name_len);

        if ((int)x->kind != (int)im->kind) {
            return rf_error_set(err, RF_ERR_LINK, RF_NO_OFFSET, RF_NO_FUNC,
                                "link error: import %zu %s.%s: incompatible import type: "
                                "expected a %s, provided a %s",
                                i, mod, name, kind_name(im->kind), kind_name((int)x->kind));
        }
        if (!extern_object(x))
            return rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                                "link error: import %zu %s.%s: the provided %s is NULL", i, mod,
                                name, kind_name(im->kind));
        if (extern_store(x) != s)
            return rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                                "link error: import %zu %s.%s: the provided %s belongs to "
                                "another store",
                                i, mod, name, kind_name(im->kind));
        char expected[240], provided[240];
        if (!import_matches(m, im, x, expected, provided, sizeof expected))
            return rf_error_set(err, RF_ERR_LINK, RF_NO_OFFSET, RF_NO_FUNC,
                                "link error: import %zu %s.%s: incompatible import type: "
                                "expected %s, provided %s",
                                i, mod, name, expected, provided);
    }
    return true;
}
