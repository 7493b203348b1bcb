/*
 * cmd_call_opts.c — the command line of `reflow call`: options in any order
 * around the two operands PLUGIN and FUNC, and the manifest built from them.
 *
 * PLUGIN is sniffed by the wasm magic: wasm bytes become a one-module
 * manifest, anything else is parsed as an Extism JSON manifest. The flags
 * are then merged into it, the command line winning: a --config key replaces
 * the manifest's value, an --allow-path for a host path already mounted
 * replaces its guest path, --memory-max/--timeout/--var-max/
 * --http-response-max replace the manifest's limits, --allow-host adds
 * globs, and --link modules are put in front of the manifest's modules.
 *
 * Manifest strings and arrays are malloc'd, as rf_manifest_free expects.
 */
#include "cmd_call.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMORY_MB UINT64_C(4096)          /* a 32-bit memory cannot use more */
#define MAX_LOOP UINT64_C(1000000000)
#define MAX_TIMEOUT_MS (UINT64_C(1) << 40)
#define MAX_PAGES UINT64_C(65536)

/* ---- arguments ------------------------------------------------------------------ */

typedef enum value_opt {
    OPT_INPUT, OPT_INPUT_FILE, OPT_CONFIG, OPT_ALLOW_HOST, OPT_ALLOW_PATH, OPT_LINK,
    OPT_LIMIT, OPT_CEILING, OPT_MEMORY_MAX, OPT_TIMEOUT, OPT_LOG_LEVEL, OPT_LOOP,
    OPT_VAR_MAX, OPT_HTTP_MAX
} value_opt;

static const struct {
    const char *name;
    value_opt id;
} value_opts[] = {
    { "--input", OPT_INPUT },            { "-i", OPT_INPUT },
    { "--input-file", OPT_INPUT_FILE },  { "--config", OPT_CONFIG },
    { "--allow-host", OPT_ALLOW_HOST },  { "--allow-path", OPT_ALLOW_PATH },
    { "--link", OPT_LINK },              { "--memory-limit-mb", OPT_LIMIT },
    { "--memory-ceiling-mb", OPT_CEILING }, { "--memory-max", OPT_MEMORY_MAX },
    { "--timeout", OPT_TIMEOUT },        { "--log-level", OPT_LOG_LEVEL },
    { "--loop", OPT_LOOP },              { "--var-max", OPT_VAR_MAX },
    { "--http-response-max", OPT_HTTP_MAX },
};

/* Match option `name` at argv[*i] as "NAME VALUE" or "--NAME=VALUE".
 * Returns 1 with *value set (and *i advanced past a separate value), 0 when
 * argv[*i] is another option, -1 when the value is missing. */
static int take_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=' && name[1] == '-') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

/* Split an --allow-path value "[ro:]HOST[:GUEST]" (GUEST defaults to HOST).
 * host/guest are views into `spec`; false when a part is empty. */
static bool split_allow_path(const char *spec, bool *read_only, const char **host,
                             size_t *host_len, const char **guest)
{
    *read_only = strncmp(spec, "ro:", 3) == 0;
    const char *h = *read_only ? spec + 3 : spec;
    const char *colon = strchr(h, ':');
    *host = h;
    *host_len = colon ? (size_t)(colon - h) : strlen(h);
    *guest = colon ? colon + 1 : h;
    return *host_len > 0 && **guest != '\0';
}

/* Split a --link value "[NAME=]PATH"; NAME defaults to PATH's file name
 * without its extension. */
static void split_link(const char *spec, const char **name, size_t *name_len, const char **path)
{
    const char *eq = strchr(spec, '=');
    if (eq) {
        *name = spec;
        *name_len = (size_t)(eq - spec);
        *path = eq + 1;
        return;
    }
    const char *slash = strrchr(spec, '/');
    const char *base = slash ? slash + 1 : spec;
    const char *dot = strrchr(base, '.');
    *name = base;
    *name_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    *path = spec;
}

/* Store the value `v` of option `id` (named `opt` on the command line). */
static int set_value(const cli_command *cmd, call_opts *o, value_opt id, const char *opt,
                     const char *v)
{
    bool ro;
    const char *a, *b;
    size_t n;
    switch (id) {
    case OPT_INPUT:
        if (o->input)
            return cli_usage_error(cmd, "call: --input given twice");
        o->input = v;
        return CLI_CONTINUE;
    case OPT_INPUT_FILE:
        if (o->input_file)
            return cli_usage_error(cmd, "call: --input-file given twice");
        if (!*v)
            return cli_usage_error(cmd, "call: --input-file needs a file name (or - for stdin)");
        o->input_file = v;
        return CLI_CONTINUE;
    case OPT_CONFIG:
        if (v[0] == '=' || v[0] == '\0')
            return cli_usage_error(cmd, "call: --config needs KEY=VALUE or KEY, got '%s'", v);
        o->config[o->nconfig++] = v;
        return CLI_CONTINUE;
    case OPT_ALLOW_HOST:
        if (!*v)
            return cli_usage_error(cmd, "call: --allow-host needs a host name or glob");
        o->hosts[o->nhosts++] = v;
        return CLI_CONTINUE;
    case OPT_ALLOW_PATH:
        if (!split_allow_path(v, &ro, &a, &n, &b))
            return cli_usage_error(cmd, "call: --allow-path needs [ro:]HOST_PATH[:GUEST_PATH], "
                                        "got '%s'", v);
        o->paths[o->npaths++] = v;
        return CLI_CONTINUE;
    case OPT_LINK:
        split_link(v, &a, &n, &b);
        if (n == 0 || !*b)
            return cli_usage_error(cmd, "call: --link needs NAME=PATH or PATH, got '%s'", v);
        o->links[o->nlinks++] = v;
        return CLI_CONTINUE;
    case OPT_LIMIT:
        return cli_number_option(cmd, opt, v, 1, MAX_MEMORY_MB, &o->limit_mb);
    case OPT_CEILING:
        return cli_number_option(cmd, opt, v, 1, MAX_MEMORY_MB, &o->ceiling_mb);
    case OPT_MEMORY_MAX:
        o->has_max_pages = true;
        return cli_number_option(cmd, opt, v, 0, MAX_PAGES, &o->max_pages);
    case OPT_TIMEOUT:
        o->has_timeout = true;
        return cli_number_option(cmd, opt, v, 0, MAX_TIMEOUT_MS, &o->timeout_ms);
    case OPT_LOOP:
        return cli_number_option(cmd, opt, v, 1, MAX_LOOP, &o->loop);
    case OPT_VAR_MAX:
        o->has_var_max = true;
        return cli_number_option(cmd, opt, v, 0, UINT64_MAX, &o->var_max);
    case OPT_HTTP_MAX:
        o->has_http_max = true;
        return cli_number_option(cmd, opt, v, 0, UINT64_MAX, &o->http_max);
    case OPT_LOG_LEVEL:
        if (!rf_log_level_parse(v, &o->log_level))
            return cli_usage_error(cmd, "call: --log-level needs trace, debug, info, warn, error "
                                        "or off, got '%s'", v);
        return CLI_CONTINUE;
    }
    return cli_usage_error(cmd, "call: unhandled option '%s'", opt);
}

/* One option at argv[*i] (known to start with '-'); CLI_CONTINUE or an exit
 * code. */
static int parse_option(const cli_command *cmd, int argc, char **argv, int *i, call_opts *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        fputs(cmd->help, stdout);
        return CLI_EXIT_OK;
    }
    bool *flag = strcmp(a, "--wasi") == 0    ? &o->wasi
               : strcmp(a, "--stats") == 0   ? &o->stats
               : strcmp(a, "--enable-http-response-headers") == 0 ? &o->http_headers
                                                                 : NULL;
    if (flag) {
        *flag = true;
        return CLI_CONTINUE;
    }
    for (size_t k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++) {
        const char *v;
        int m = take_value(argc, argv, i, value_opts[k].name, &v);
        if (m == 0)
            continue;
        if (m < 0)
            return cli_usage_error(cmd, "call: %s needs a value", value_opts[k].name);
        return set_value(cmd, o, value_opts[k].id, value_opts[k].name, v);
    }
    return cli_usage_error(cmd, "call: unknown option '%s'", a);
}

int call_parse_args(const cli_command *cmd, int argc, char **argv, call_opts *o)
{
    memset(o, 0, sizeof *o);
    o->limit_mb = RF_DEFAULT_MEMORY_LIMIT / (1024 * 1024);
    o->ceiling_mb = RF_DEFAULT_MEMORY_CEILING / (1024 * 1024);
    o->log_level = RF_LOG_ERROR;
    o->loop = 1;
    /* Each repeatable option takes at least one argument, so argc bounds them. */
    size_t cap = (size_t)argc + 1;
    o->config = calloc(cap, sizeof *o->config);
    o->hosts = calloc(cap, sizeof *o->hosts);
    o->paths = calloc(cap, sizeof *o->paths);
    o->links = calloc(cap, sizeof *o->links);
    if (!o->config || !o->hosts || !o->paths || !o->links) {
        fputs("reflow: call: out of memory\n", stderr);
        return CLI_EXIT_FAIL;
    }

    const char *operands[2];
    int noperands = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0) {
                options_done = true;
                continue;
            }
            int rc = parse_option(cmd, argc, argv, &i, o);
            if (rc != CLI_CONTINUE)
                return rc;
            continue;
        }
        if (noperands == 2)
            return cli_usage_error(cmd, "call: unexpected argument '%s' (PLUGIN and FUNC "
                                        "are already given)", a);
        operands[noperands++] = a;
    }
    if (noperands < 2)
        return cli_usage_error(cmd, noperands == 0 ? "call: missing PLUGIN and FUNC"
                                                   : "call: missing FUNC");
    o->plugin = operands[0];
    o->func = operands[1];
    if (o->input && o->input_file)
        return cli_usage_error(cmd, "call: --input and --input-file cannot be used together");
    if (o->limit_mb > o->ceiling_mb)
        return cli_usage_error(cmd, "call: --memory-limit-mb %" PRIu64 " is above the ceiling "
                                    "of %" PRIu64 " MiB; raise the ceiling explicitly with "
                                    "--memory-ceiling-mb", o->limit_mb, o->ceiling_mb);
    return CLI_CONTINUE;
}

void call_opts_free(call_opts *o)
{
    free(o->config);
    free(o->hosts);
    free(o->paths);
    free(o->links);
}

/* ---- the manifest ---------------------------------------------------------------- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *dup_s(const char *s)
{
    return dup_n(s, strlen(s));
}

/* `array` (of `count` elements) grown by one zeroed element, or NULL (the
 * old array untouched) when out of memory. */
static void *grow_one(void *array, size_t count, size_t elem)
{
    char *a = realloc(array, (count + 1) * elem);
    if (a)
        memset(a + count * elem, 0, elem);
    return a;
}

static bool merge_config(rf_manifest *m, const char *spec)
{
    const char *eq = strchr(spec, '=');
    size_t klen = eq ? (size_t)(eq - spec) : strlen(spec);
    char *value = dup_s(eq ? eq + 1 : "");
    if (!value)
        return false;
    for (size_t i = 0; i < m->nconfig; i++) {
        if (strlen(m->config[i].key) == klen && memcmp(m->config[i].key, spec, klen) == 0) {
            free(m->config[i].value);
            m->config[i].value = value;
            return true;
        }
    }
    char *key = dup_n(spec, klen);
    rf_manifest_kv *grown = key ? grow_one(m->config, m->nconfig, sizeof *m->config) : NULL;
    if (!grown) {
        free(key);
        free(value);
        return false;
    }
    m->config = grown;
    m->config[m->nconfig].key = key;
    m->config[m->nconfig].value = value;
    m->nconfig++;
    return true;
}

static bool merge_host(rf_manifest *m, const char *glob)
{
    char *g = dup_s(glob);
    char **grown = g ? grow_one(m->allowed_hosts, m->nallowed_hosts, sizeof *m->allowed_hosts)
                     : NULL;
    if (!grown) {
        free(g);
        return false;
    }
    m->allowed_hosts = grown;
    m->allowed_hosts[m->nallowed_hosts++] = g;
    return true;
}

static bool merge_path(rf_manifest *m, const char *spec)
{
    bool ro;
    const char *host, *guest;
    size_t host_len;
    split_allow_path(spec, &ro, &host, &host_len, &guest);   /* checked when parsed */
    char *g = dup_s(guest);
    if (!g)
        return false;
    for (size_t i = 0; i < m->nallowed_paths; i++) {
        rf_manifest_path *p = &m->allowed_paths[i];
        if (strlen(p->host_path) == host_len && memcmp(p->host_path, host, host_len) == 0) {
            free(p->guest_path);
            p->guest_path = g;
            p->read_only = ro;
            return true;
        }
    }
    char *h = dup_n(host, host_len);
    rf_manifest_path *grown =
        h ? grow_one(m->allowed_paths, m->nallowed_paths, sizeof *m->allowed_paths) : NULL;
    if (!grown) {
        free(h);
        free(g);
        return false;
    }
    m->allowed_paths = grown;
    rf_manifest_path *p = &m->allowed_paths[m->nallowed_paths++];
    p->host_path = h;
    p->guest_path = g;
    p->read_only = ro;
    return true;
}

/* Put the --link modules, in command-line order, in front of the
 * manifest's own modules. Reports its own errors. */
static bool merge_links(rf_manifest *m, const call_opts *o)
{
    if (o->nlinks == 0)
        return true;
    rf_manifest_wasm *w = calloc(m->nwasm + o->nlinks, sizeof *w);
    if (!w) {
        fputs("reflow: call: out of memory\n", stderr);
        return false;
    }
    size_t done = 0;
    bool ok = true;
    for (; done < o->nlinks; done++) {
        const char *name, *path;
        size_t name_len;
        split_link(o->links[done], &name, &name_len, &path);
        uint8_t *data;
        size_t len;
        if (!cli_read_file(path, &data, &len)) {
            ok = false;
            break;
        }
        w[done].name = dup_n(name, name_len);
        w[done].path = dup_s(path);
        w[done].data = data;
        w[done].data_len = len;
        if (!w[done].name || !w[done].path) {
            fputs("reflow: call: out of memory\n", stderr);
            done++;
            ok = false;
            break;
        }
    }
    if (!ok) {
        for (size_t i = 0; i < done; i++) {
            free(w[i].name);
            free(w[i].path);
            free(w[i].data);
        }
        free(w);
        return false;
    }
    if (m->nwasm)
        memcpy(w + o->nlinks, m->wasm, m->nwasm * sizeof *w);
    free(m->wasm);
    m->wasm = w;
    m->nwasm += o->nlinks;
    return true;
}

/* The manifest of PLUGIN: wasm bytes become a one-module manifest, anything
 * else is parsed as JSON with relative paths resolved against PLUGIN's
 * directory. Reports its own errors. */
static rf_manifest *load_manifest(const call_opts *o)
{
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(o->plugin, &bytes, &len))
        return NULL;
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_manifest *m = NULL;
    if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0) {
        m = rf_manifest_from_wasm(bytes, len, &err);
    } else {
        const char *slash = strrchr(o->plugin, '/');
        char *dir = slash ? dup_n(o->plugin, slash == o->plugin ? 1 : (size_t)(slash - o->plugin))
                          : NULL;
        if (slash && !dir)
            snprintf(err.message, sizeof err.message, "out of memory");
        else
            m = rf_manifest_parse((const char *)bytes, len, dir, &err);
        free(dir);
    }
    free(bytes);
    if (!m)
        fprintf(stderr, "reflow: %s: %s\n", o->plugin,
                err.message[0] ? err.message : "cannot load the plugin (no details given)");
    return m;
}

rf_manifest *call_build_manifest(const call_opts *o)
{
    rf_manifest *m = load_manifest(o);
    if (!m)
        return NULL;
    bool ok = true;
    for (size_t i = 0; ok && i < o->nconfig; i++)
        ok = merge_config(m, o->config[i]);
    for (size_t i = 0; ok && i < o->nhosts; i++)
        ok = merge_host(m, o->hosts[i]);
    for (size_t i = 0; ok && i < o->npaths; i++)
        ok = merge_path(m, o->paths[i]);
    if (!ok) {
        fputs("reflow: call: out of memory\n", stderr);
        rf_manifest_free(m);
        return NULL;
    }
    if (!merge_links(m, o)) {
        rf_manifest_free(m);
        return NULL;
    }
    if (o->has_max_pages) {
        m->has_max_pages = true;
        m->max_pages = (uint32_t)o->max_pages;
    }
    if (o->has_timeout) {
        m->has_timeout_ms = o->timeout_ms != 0;
        m->timeout_ms = o->timeout_ms;
    }
    if (o->has_var_max) {
        m->has_max_var_bytes = true;
        m->max_var_bytes = o->var_max;
    }
    if (o->has_http_max) {
        m->has_max_http_response_bytes = true;
        m->max_http_response_bytes = o->http_max;
    }
    return m;
}
