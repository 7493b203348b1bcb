/*
 * manifest.c — Extism JSON manifests (rf_manifest_parse), the one-module
 * manifest of raw wasm bytes, and which module is main.
 *
 * The accepted shape is upstream's (extism-manifest, serde with
 * deny_unknown_fields), made lenient only where real SDKs send null for an
 * optional value:
 *
 *   { "wasm": [ {"path": "..."} | {"data": "<base64>"}, each with optional
 *               "name" and "hash" ],                       required, non-empty
 *     "memory": {"max_pages" (alias "max"): u32, "max_http_response_bytes": u64,
 *                "max_var_bytes": u64} | null,             each value may be null
 *     "config": {"<key>": "<string>"} | null,
 *     "allowed_hosts": ["<glob>", ...] | null,
 *     "allowed_paths": {"[ro:]<host path>": "<guest path>"} | null,
 *     "timeout_ms": u64 | null }
 *
 * Parsing runs in two passes. The first checks the whole structure (keys,
 * types, names, duplicate names) without touching the filesystem, so a typo
 * is reported before any I/O. The second gets each module's bytes (decoding
 * base64 or reading the file, after checking that all files together fit
 * RF_MANIFEST_MAX_WASM_BYTES) and checks its hash.
 *
 * Invariants: every error is RF_ERR_ARG (RF_ERR_NOMEM when the host cannot
 * allocate) and names the field by its path ("memory.max_pages",
 * "wasm[2].hash"); the upstream messages ("No wasm files specified in Extism
 * manifest", "Duplicate module name ...", "Unable to load Wasm file ...",
 * "Hash mismatch ...") are kept word for word. A manifest under construction
 * is always freeable by rf_manifest_free: counts are set together with the
 * zeroed arrays they describe.
 *
 * Deliberate choices: duplicate JSON object keys are rejected (upstream
 * rejects duplicate fields too); integers above 2^63-1 are refused by
 * jansson as invalid JSON; allowed_paths host paths are kept as written
 * (relative ones are relative to the process's working directory, as
 * upstream) while relative wasm paths resolve against base_dir; a "hash" is
 * accepted in either case and stored lowercase.
 */
#include "manifest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MANIFEST_DEFAULT_NAME "main"
#define MANIFEST_FIELD_MAX 160

/* ---- small helpers ------------------------------------------------------------- */

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

static void *no_memory(rf_error *err)
{
    rf_manifest_fail(err, RF_ERR_NOMEM, "manifest: out of memory");
    return NULL;
}

/* "<prefix>.<key>" (or just the key at the top level), printable. */
static void field_name(char *dst, size_t size, const char *prefix, const char *key)
{
    char k[96];
    rf_manifest_printable(k, sizeof k, key);
    if (prefix && prefix[0])
        snprintf(dst, size, "%s.%s", prefix, k);
    else
        snprintf(dst, size, "%s", k);
}

static bool type_error(rf_error *err, const char *field, const char *expected)
{
    return rf_manifest_fail(err, RF_ERR_ARG, "manifest: \"%s\" must be %s", field, expected);
}

/* Every key of `obj` must be in the NULL-terminated `known`; the first that is
 * not is reported with its full path. */
static bool check_fields(json_t *obj, const char *const *known, const char *prefix, rf_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            if (strcmp(key, known[i]) == 0)
                ok = true;
        if (!ok) {
            char field[MANIFEST_FIELD_MAX];
            field_name(field, sizeof field, prefix, key);
            return rf_manifest_fail(err, RF_ERR_ARG, "manifest: unknown field \"%s\"", field);
        }
    }
    return true;
}

/* An optional unsigned integer: absent or null leaves *has false; otherwise
 * it must be an integer in [0, max]. */
static bool get_uint(json_t *v, const char *field, uint64_t max, const char *expected, bool *has,
                     uint64_t *out, rf_error *err)
{
    *has = false;
    *out = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) > max)
        return type_error(err, field, expected);
    *has = true;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

/* ---- top-level fields ------------------------------------------------------------ */

static bool parse_memory(json_t *v, rf_manifest *m, rf_error *err)
{
    static const char *const known[] = {"max_pages", "max", "max_http_response_bytes",
                                        "max_var_bytes", NULL};
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v))
        return type_error(err, "memory", "an object or null");
    if (!check_fields(v, known, "memory", err))
        return false;

    json_t *pages = json_object_get(v, "max_pages");
    const char *pages_field = "memory.max_pages";
    json_t *alias = json_object_get(v, "max");
    if (alias) {
        if (pages)
            return rf_manifest_fail(err, RF_ERR_ARG,
                                    "manifest: \"memory.max\" and \"memory.max_pages\" are the same "
                                    "field; give one");
        pages = alias;
        pages_field = "memory.max";
    }
    uint64_t n;
    if (!get_uint(pages, pages_field, UINT32_MAX, "an integer from 0 to 4294967295 or null",
                  &m->has_max_pages, &n, err))
        return false;
    m->max_pages = (uint32_t)n;
    if (!get_uint(json_object_get(v, "max_http_response_bytes"), "memory.max_http_response_bytes",
                  UINT64_MAX, "a non-negative integer or null", &m->has_max_http_response_bytes,
                  &m->max_http_response_bytes, err))
        return false;
    return get_uint(json_object_get(v, "max_var_bytes"), "memory.max_var_bytes", UINT64_MAX,
                    "a non-negative integer or null", &m->has_max_var_bytes, &m->max_var_bytes,
                    err);
}

static bool parse_config(json_t *v, rf_manifest *m, rf_error *err)
{
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v))
        return type_error(err, "config", "an object of strings or null");
    size_t n = json_object_size(v);
    if (n == 0)
        return true;
    m->config = calloc(n, sizeof *m->config);
    if (!m->config)
        return no_memory(err);
    const char *key;
    json_t *value;
    json_object_foreach(v, key, value) {
        if (!json_is_string(value)) {
            char field[MANIFEST_FIELD_MAX];
            field_name(field, sizeof field, "config", key);
            return type_error(err, field, "a string");
        }
        rf_manifest_kv *kv = &m->config[m->nconfig++];
        kv->key = copy_string(key);
        kv->value = copy_string(json_string_value(value));
        if (!kv->key || !kv->value)
            return no_memory(err);
    }
    return true;
}

static bool parse_allowed_hosts(json_t *v, rf_manifest *m, rf_error *err)
{
    if (!v || json_is_null(v))
        return true;
    if (!json_is_array(v))
        return type_error(err, "allowed_hosts", "an array of strings or null");
    size_t n = json_array_size(v);
    if (n == 0)
        return true;
    m->allowed_hosts = calloc(n, sizeof *m->allowed_hosts);
    if (!m->allowed_hosts)
        return no_memory(err);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item)) {
            char field[MANIFEST_FIELD_MAX];
            snprintf(field, sizeof field, "allowed_hosts[%zu]", i);
            return type_error(err, field, "a string");
        }
        char *host = copy_string(json_string_value(item));
        if (!host)
            return no_memory(err);
        m->allowed_hosts[m->nallowed_hosts++] = host;
    }
    return true;
}

static bool parse_allowed_paths(json_t *v, rf_manifest *m, rf_error *err)
{
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v))
        return type_error(err, "allowed_paths", "an object mapping host paths to guest paths, or null");
    size_t n = json_object_size(v);
    if (n == 0)
        return true;
    m->allowed_paths = calloc(n, sizeof *m->allowed_paths);
    if (!m->allowed_paths)
        return no_memory(err);
    const char *key;
    json_t *value;
    json_object_foreach(v, key, value) {
        char field[MANIFEST_FIELD_MAX];
        field_name(field, sizeof field, "allowed_paths", key);
        if (!json_is_string(value) || json_string_length(value) == 0)
            return type_error(err, field, "a non-empty string (the guest path)");
        bool read_only = strncmp(key, "ro:", 3) == 0;
        const char *host = read_only ? key + 3 : key;
        if (host[0] == '\0')
            return rf_manifest_fail(err, RF_ERR_ARG, "manifest: \"%s\": the host path is empty",
                                    field);
        rf_manifest_path *p = &m->allowed_paths[m->nallowed_paths++];
        p->read_only = read_only;
        p->host_path = copy_string(host);
        p->guest_path = copy_string(json_string_value(value));
        if (!p->host_path || !p->guest_path)
            return no_memory(err);
    }
    return true;
}

/* ---- wasm entries --------------------------------------------------------------- */

/* Where the first pass found a module's bytes; `b64` points into the JSON
 * document, which lives until the second pass is done. */
typedef struct wasm_source {
    const char *b64;            /* base64 text, or NULL for a file */
    size_t b64_len;
} wasm_source;

/* `path` relative to base_dir (absolute paths and a NULL/empty base_dir
 * leave it as written). */
static char *resolve_path(const char *base_dir, const char *path)
{
    if (path[0] == '/' || !base_dir || !base_dir[0])
        return copy_string(path);
    size_t nb = strlen(base_dir), np = strlen(path);
    bool slash = base_dir[nb - 1] == '/';
    char *full = malloc(nb + (slash ? 0 : 1) + np + 1);
    if (!full)
        return NULL;
    memcpy(full, base_dir, nb);
    if (!slash)
        full[nb++] = '/';
    memcpy(full + nb, path, np + 1);
    return full;
}

/* A "hash" must be 64 hex digits; it is stored lowercase. */
static bool parse_hash(json_t *v, const char *field, char **out, rf_error *err)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    bool ok = s && json_string_length(v) == 64;
    for (size_t i = 0; ok && i < 64; i++) {
        char c = s[i];
        ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    if (!ok)
        return type_error(err, field, "64 hex digits (a SHA-256) or null");
    char *h = copy_string(s);
    if (!h)
        return no_memory(err);
    for (size_t i = 0; i < 64; i++)
        if (h[i] >= 'A' && h[i] <= 'F')
            h[i] = (char)(h[i] - 'A' + 'a');
    *out = h;
    return true;
}

/* First pass over one entry: its shape, name, hash and where its bytes are. */
static bool parse_wasm_entry(json_t *item, size_t i, const char *base_dir, rf_manifest_wasm *w,
                             wasm_source *src, rf_error *err)
{
    static const char *const known[] = {"path", "data", "name", "hash", NULL};
    char where[32], field[MANIFEST_FIELD_MAX];
    snprintf(where, sizeof where, "wasm[%zu]", i);
    if (!json_is_object(item))
        return type_error(err, where, "an object with \"path\" or \"data\"");
    if (json_object_get(item, "url"))
        return rf_manifest_fail(err, RF_ERR_ARG,
                                "manifest: %s: url wasm sources are not supported (network access "
                                "is off)",
                                where);
    if (!check_fields(item, known, where, err))
        return false;

    json_t *path = json_object_get(item, "path");
    json_t *data = json_object_get(item, "data");
    if (path && data)
        return rf_manifest_fail(err, RF_ERR_ARG,
                                "manifest: %s has both \"path\" and \"data\"; give one", where);
    if (!path && !data)
        return rf_manifest_fail(err, RF_ERR_ARG, "manifest: %s needs \"path\" or \"data\"", where);

    json_t *name = json_object_get(item, "name");
    snprintf(field, sizeof field, "%s.name", where);
    if (name && !json_is_null(name) &&
        (!json_is_string(name) || json_string_length(name) == 0))
        return type_error(err, field, "a non-empty string or null");
    w->name = copy_string(name && !json_is_null(name) ? json_string_value(name)
                                                      : MANIFEST_DEFAULT_NAME);
    if (!w->name)
        return no_memory(err);

    snprintf(field, sizeof field, "%s.hash", where);
    if (!parse_hash(json_object_get(item, "hash"), field, &w->hash, err))
        return false;

    if (path) {
        snprintf(field, sizeof field, "%s.path", where);
        if (!json_is_string(path) || json_string_length(path) == 0)
            return type_error(err, field, "a non-empty string");
        w->path = resolve_path(base_dir, json_string_value(path));
        if (!w->path)
            return no_memory(err);
        return true;
    }
    snprintf(field, sizeof field, "%s.data", where);
    if (json_is_object(data) && (json_object_get(data, "ptr") || json_object_get(data, "len")))
        return rf_manifest_fail(err, RF_ERR_ARG,
                                "manifest: \"%s\" as {\"ptr\", \"len\"} (a host memory address) "
                                "is not supported; give the module as base64 text",
                                field);
    if (!json_is_string(data))
        return type_error(err, field, "a base64 string");
    src->b64 = json_string_value(data);
    src->b64_len = json_string_length(data);
    return true;
}

typedef struct name_ref {
    const char *name;
    size_t index;
} name_ref;

static int compare_name_ref(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Report the duplicate a front-to-back scan would meet first, in
 * O(n log n): after sorting by (name, index), every entry equal to the one
 * before it is a repeat, and the repeat with the smallest index is the one
 * such a scan meets first. */
static bool check_duplicate_names(const rf_manifest *m, rf_error *err)
{
    if (m->nwasm < 2)
        return true;
    name_ref *refs = malloc(m->nwasm * sizeof *refs);
    if (!refs)
        return no_memory(err);
    for (size_t i = 0; i < m->nwasm; i++)
        refs[i] = (name_ref){m->wasm[i].name, i};
    qsort(refs, m->nwasm, sizeof *refs, compare_name_ref);
    size_t first = SIZE_MAX;
    for (size_t i = 1; i < m->nwasm; i++)
        if (strcmp(refs[i].name, refs[i - 1].name) == 0 && refs[i].index < first)
            first = refs[i].index;
    free(refs);
    if (first == SIZE_MAX)
        return true;
    char name[96];
    rf_manifest_printable(name, sizeof name, m->wasm[first].name);
    return rf_manifest_fail(err, RF_ERR_ARG, "Duplicate module name found in Extism manifest: %s",
                            name);
}

static bool parse_wasm_list(json_t *v, const char *base_dir, rf_manifest *m, wasm_source **srcs,
                            rf_error *err)
{
    if (v && !json_is_null(v) && !json_is_array(v))
        return type_error(err, "wasm", "an array of modules");
    if (!v || json_is_null(v) || json_array_size(v) == 0)
        return rf_manifest_fail(err, RF_ERR_ARG, "No wasm files specified in Extism manifest");
    size_t n = json_array_size(v);
    m->wasm = calloc(n, sizeof *m->wasm);
    *srcs = calloc(n, sizeof **srcs);
    if (!m->wasm || !*srcs)
        return no_memory(err);
    m->nwasm = n;
    for (size_t i = 0; i < n; i++)
        if (!parse_wasm_entry(json_array_get(v, i), i, base_dir, &m->wasm[i], &(*srcs)[i], err))
            return false;
    return check_duplicate_names(m, err);
}

/* ---- second pass: the bytes ------------------------------------------------------ */

/* Decoded size of base64 text, for the up-front total (exact for valid text). */
static uint64_t base64_size(const wasm_source *src)
{
    uint64_t n = src->b64_len / 4 * 3;
    if (src->b64_len >= 4 && src->b64[src->b64_len - 1] == '=')
        n -= src->b64[src->b64_len - 2] == '=' ? 2 : 1;
    return n;
}

/* All modules together must fit the limit; checked from file sizes before
 * anything is read. Unsizable files count 0 here and fail when read. */
static bool check_total_size(const rf_manifest *m, const wasm_source *srcs, rf_error *err)
{
    uint64_t total = 0;
    for (size_t i = 0; i < m->nwasm; i++) {
        uint64_t size = 0;
        if (srcs[i].b64)
            size = base64_size(&srcs[i]);
        else if (!rf_manifest_file_size(m->wasm[i].path, &size))
            size = 0;
        if (!srcs[i].b64 && size > RF_MANIFEST_MAX_WASM_BYTES)
            continue;          /* reported by the read, with the file's name */
        total += size;
        if (total > RF_MANIFEST_MAX_WASM_BYTES)
            return rf_manifest_fail(err, RF_ERR_ARG,
                                    "manifest: the wasm modules up to wasm[%zu] hold more than "
                                    "%u bytes together",
                                    i, RF_MANIFEST_MAX_WASM_BYTES);
    }
    return true;
}

/* Get one module's bytes and check its hash. check_total_size counted
 * base64 exactly, but a file may have grown since it was sized, so a file
 * is read with the room left as its cap. */
static bool load_entry(rf_manifest_wasm *w, size_t i, const wasm_source *src, uint64_t *used,
                       rf_error *err)
{
    if (src->b64) {
        char why[96];
        switch (rf_manifest_base64_decode(src->b64, src->b64_len, &w->data, &w->data_len, why,
                                          sizeof why)) {
        case RF_BASE64_OK:
            break;
        case RF_BASE64_INVALID:
            return rf_manifest_fail(err, RF_ERR_ARG,
                                    "manifest: \"wasm[%zu].data\" is not valid base64: %s", i, why);
        case RF_BASE64_NOMEM:
            return no_memory(err);
        }
    } else if (!rf_manifest_read_file(w->path, RF_MANIFEST_MAX_WASM_BYTES - *used, &w->data,
                                      &w->data_len, err)) {
        return false;
    }
    *used += w->data_len;

    if (w->hash) {
        char found[65];
        if (!rf_manifest_sha256_hex(w->data, w->data_len, found))
            return rf_manifest_fail(err, RF_ERR_ARG,
                                    "manifest: wasm[%zu]: SHA-256 failed (libcrypto)", i);
        if (strcmp(found, w->hash) != 0) {
            char name[96];
            rf_manifest_printable(name, sizeof name, w->name);
            return rf_manifest_fail(err, RF_ERR_ARG,
                                    "Hash mismatch, found %s but expected %s (wasm[%zu], module "
                                    "\"%s\")",
                                    found, w->hash, i, name);
        }
    }
    return true;
}

/* ---- public ---------------------------------------------------------------------- */

static bool parse_document(json_t *root, const char *base_dir, rf_manifest *m, rf_error *err)
{
    static const char *const known[] = {"wasm", "memory", "config", "allowed_hosts",
                                        "allowed_paths", "timeout_ms", NULL};
    if (!json_is_object(root))
        return rf_manifest_fail(err, RF_ERR_ARG, "manifest: the top level must be a JSON object");
    if (!check_fields(root, known, NULL, err))
        return false;

    wasm_source *srcs = NULL;
    bool ok = parse_wasm_list(json_object_get(root, "wasm"), base_dir, m, &srcs, err) &&
              parse_memory(json_object_get(root, "memory"), m, err) &&
              parse_config(json_object_get(root, "config"), m, err) &&
              parse_allowed_hosts(json_object_get(root, "allowed_hosts"), m, err) &&
              parse_allowed_paths(json_object_get(root, "allowed_paths"), m, err) &&
              get_uint(json_object_get(root, "timeout_ms"), "timeout_ms", UINT64_MAX,
                       "a non-negative integer or null", &m->has_timeout_ms, &m->timeout_ms, err) &&
              check_total_size(m, srcs, err);
    uint64_t used = 0;
    for (size_t i = 0; ok && i < m->nwasm; i++)
        ok = load_entry(&m->wasm[i], i, &srcs[i], &used, err);
    free(srcs);
    return ok;
}

rf_manifest *rf_manifest_parse(const char *json, size_t len, const char *base_dir, rf_error *err)
{
    if (!json) {
        rf_manifest_fail(err, RF_ERR_ARG, "manifest: no JSON text given");
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        char why[sizeof jerr.text];
        rf_manifest_printable(why, sizeof why, jerr.text);
        rf_manifest_fail(err, RF_ERR_ARG,
                         "manifest: invalid JSON at line %d, column %d (byte 0x%zx): %s", jerr.line,
                         jerr.column, (size_t)jerr.position, why);
        return NULL;
    }
    rf_manifest *m = calloc(1, sizeof *m);
    if (!m) {
        json_decref(root);
        return no_memory(err);
    }
    bool ok = parse_document(root, base_dir, m, err);
    json_decref(root);
    if (!ok) {
        rf_manifest_free(m);
        return NULL;
    }
    return m;
}

rf_manifest *rf_manifest_from_wasm(const uint8_t *wasm, size_t len, rf_error *err)
{
    if (!wasm && len > 0) {
        rf_manifest_fail(err, RF_ERR_ARG, "manifest: wasm bytes are NULL but the length is %zu",
                         len);
        return NULL;
    }
    rf_manifest *m = calloc(1, sizeof *m);
    rf_manifest_wasm *w = calloc(1, sizeof *w);
    uint8_t *data = malloc(len > 0 ? len : 1);
    char *name = copy_string(MANIFEST_DEFAULT_NAME);
    if (!m || !w || !data || !name) {
        free(m);
        free(w);
        free(data);
        free(name);
        return no_memory(err);
    }
    if (len > 0)
        memcpy(data, wasm, len);
    w->name = name;
    w->data = data;
    w->data_len = len;
    m->wasm = w;
    m->nwasm = 1;
    return m;
}

void rf_manifest_free(rf_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nwasm; i++) {
        free(m->wasm[i].name);
        free(m->wasm[i].path);
        free(m->wasm[i].data);
        free(m->wasm[i].hash);
    }
    free(m->wasm);
    for (size_t i = 0; i < m->nconfig; i++) {
        free(m->config[i].key);
        free(m->config[i].value);
    }
    free(m->config);
    for (size_t i = 0; i < m->nallowed_hosts; i++)
        free(m->allowed_hosts[i]);
    free(m->allowed_hosts);
    for (size_t i = 0; i < m->nallowed_paths; i++) {
        free(m->allowed_paths[i].host_path);
        free(m->allowed_paths[i].guest_path);
    }
    free(m->allowed_paths);
    free(m);
}

size_t rf_manifest_main_index(const rf_manifest *m)
{
    if (!m || m->nwasm == 0)
        return 0;
    /* A single entry is main whatever its name: "the last one" covers it. */
    for (size_t i = 0; i < m->nwasm; i++)
        if (m->wasm[i].name && strcmp(m->wasm[i].name, MANIFEST_DEFAULT_NAME) == 0)
            return i;
    return m->nwasm - 1;
}
