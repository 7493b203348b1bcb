/*
 * cmd_exec.c — `reflow exec`: run a WASI command program the way
 * `wasmtime run` does (link WASI, call _start, exit with the program's exit
 * code), or call one export with arguments from the command line
 * (--invoke). Options set the store's memory limit and a per-call timeout,
 * and --stats reports the program's memory use.
 *
 * Exit status: the program's proc_exit code (0..255), 0 when _start or the
 * invoked export returns, 1 when the module cannot be loaded or linked, traps,
 * times out or exits with a code above 255, 2 on bad usage. The guest's own
 * output goes straight to fds 1/2; invoke results go to stdout; every
 * diagnostic goes to stderr prefixed "reflow: ".
 */
#include "cli.h"
#include "cmd_exec.h"
#include "reflow/wasi.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIB (UINT64_C(1024) * 1024)
#define MAX_MEMORY_MB UINT64_C(4096)   /* a 32-bit memory cannot use more */

typedef struct exec_opts {
    uint64_t limit_mb;
    uint64_t ceiling_mb;
    uint64_t timeout_ms;     /* 0 = none */
    bool stats;
    const char *invoke;      /* export to call instead of _start, or NULL */
    const char **env;        /* "NAME=value" strings from --env */
    size_t nenv;
    const char *file;
    int nrest;               /* after FILE: guest args, or --invoke values */
    char **rest;
} exec_opts;

/* State for one run: what the report and the WASI stop callback need. */
typedef struct exec_run {
    const exec_opts *opts;
    const rf_module *module;
    rf_wasi *wasi;
    rf_instance *instance;
    uint64_t deadline_ns;    /* monotonic end of the current call, 0 = none */
} exec_run;

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* The store enforces the timeout on wasm code; this cuts short a guest that
 * sleeps in poll_oneoff past the same deadline. */
static bool deadline_passed(void *user)
{
    const exec_run *r = user;
    return r->deadline_ns != 0 && monotonic_ns() >= r->deadline_ns;
}

static void start_call(exec_run *r)
{
    r->deadline_ns = r->opts->timeout_ms ? monotonic_ns() + r->opts->timeout_ms * 1000000 : 0;
}

/* ---- arguments ------------------------------------------------------------------ */

/* Match option `name` at argv[*i] as "NAME VALUE" or "NAME=VALUE". Returns
 * 1 with *value set (and *i advanced past a separate value), 0 when argv[*i]
 * is another option, -1 when the value is missing. */
static int take_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
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

/* One option at argv[*i] (known to start with '-'); CLI_CONTINUE or an exit
 * code. */
static int parse_option(const cli_command *cmd, int argc, char **argv, int *i, exec_opts *o)
{
    const char *a = argv[*i], *v = NULL;
    int m;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        fputs(cmd->help, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(a, "--stats") == 0) {
        o->stats = true;
        return CLI_CONTINUE;
    }
    if (strcmp(a, "--dir") == 0 || strncmp(a, "--dir=", 6) == 0)
        return cli_usage_error(cmd, "exec: --dir is not supported: programs run without "
                                    "filesystem access");
    static const char *const valued[] = { "--memory-limit-mb", "--memory-ceiling-mb",
                                          "--timeout", "--env", "--invoke" };
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
        m = take_value(argc, argv, i, valued[k], &v);
        if (m == 0)
            continue;
        if (m < 0)
            return cli_usage_error(cmd, "exec: %s needs a value", valued[k]);
        switch (k) {
        case 0:
            return cli_number_option(cmd, valued[k], v, 1, MAX_MEMORY_MB, &o->limit_mb);
        case 1:
            return cli_number_option(cmd, valued[k], v, 1, MAX_MEMORY_MB, &o->ceiling_mb);
        case 2:
            return cli_number_option(cmd, valued[k], v, 0, UINT64_C(1) << 40, &o->timeout_ms);
        case 3:
            if (v[0] == '=' || !strchr(v, '='))
                return cli_usage_error(cmd, "exec: --env needs NAME=VALUE, got '%s'", v);
            o->env[o->nenv++] = v;
            return CLI_CONTINUE;
        default:
            if (o->invoke)
                return cli_usage_error(cmd, "exec: --invoke given twice");
            o->invoke = v;
            return CLI_CONTINUE;
        }
    }
    return cli_usage_error(cmd, "exec: unknown option '%s'", a);
}

/* Options, FILE, then either "--invoke NAME VALUES..." or the guest's args. */
static int parse_args(const cli_command *cmd, int argc, char **argv, exec_opts *o)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        int rc = parse_option(cmd, argc, argv, &i, o);
        if (rc != CLI_CONTINUE)
            return rc;
    }
    if (i >= argc)
        return cli_usage_error(cmd, "exec: missing FILE");
    o->file = argv[i++];
    const char *v;
    if (i < argc) {
        int m = take_value(argc, argv, &i, "--invoke", &v);
        if (m < 0)
            return cli_usage_error(cmd, "exec: --invoke needs a value");
        if (m > 0) {
            if (o->invoke)
                return cli_usage_error(cmd, "exec: --invoke given twice");
            o->invoke = v;
            i++;
        }
    }
    o->nrest = argc - i;
    o->rest = argv + i;
    if (o->limit_mb > o->ceiling_mb)
        return cli_usage_error(cmd,
                               "exec: --memory-limit-mb %" PRIu64 " is above the ceiling of %" PRIu64
                               " MiB; raise the ceiling explicitly with --memory-ceiling-mb",
                               o->limit_mb, o->ceiling_mb);
    return CLI_CONTINUE;
}

/* ---- reporting ----------------------------------------------------------------- */

static void print_function_name(const exec_run *r, const rf_error *err)
{
    if (err->func_index == RF_NO_FUNC)
        return;
    const char *name = rf_module_function_name(r->module, err->func_index);
    if (name) {
        fputs(" in function <", stderr);
        cli_print_name(stderr, name, strlen(name));
        fputc('>', stderr);
    }
}

/* The exit status for how a call (or instantiation) ended, with a message
 * on stderr for every failure. */
static int report(const exec_run *r, rf_error_kind kind, const rf_error *err)
{
    const char *msg = err->message[0] ? err->message : "no details given";
    uint32_t code;
    switch (kind) {
    case RF_OK:
        return CLI_EXIT_OK;
    case RF_ERR_EXIT:
        if (!rf_wasi_exited(r->wasi, &code))
            code = (uint32_t)err->exit_code;
        if (code <= 255)
            return (int)code;
        fprintf(stderr, "reflow: error: exit code %" PRIu32 " does not fit an exit status "
                        "(0..255)\n", code);
        return CLI_EXIT_FAIL;
    case RF_ERR_TRAP:
    case RF_ERR_EXHAUSTED:
        fprintf(stderr, "reflow: error: trap: %s", msg);
        print_function_name(r, err);
        fputc('\n', stderr);
        return CLI_EXIT_FAIL;
    case RF_ERR_INTERRUPTED:
        if (r->opts->timeout_ms) {
            fprintf(stderr, "reflow: error: timeout: the call ran longer than %" PRIu64
                            " ms (--timeout)\n", r->opts->timeout_ms);
            return CLI_EXIT_FAIL;
        }
        break;
    default:
        break;
    }
    fprintf(stderr, "reflow: error: %s: %s\n", rf_error_kind_name(kind), msg);
    return CLI_EXIT_FAIL;
}

/* Memory figures of the first exported memory (preferring "memory", the
 * name WASI programs export). */
static void print_stats(const exec_run *r)
{
    rf_extern ex;
    bool found = rf_instance_export(r->instance, "memory", 6, &ex) && ex.kind == RF_EXTERN_MEMORY;
    for (size_t i = 0; !found && i < rf_module_export_count(r->module); i++) {
        rf_export_desc d;
        if (rf_module_export(r->module, i, &d) && d.type.kind == RF_EXTERN_MEMORY)
            found = rf_instance_export(r->instance, d.name, d.name_len, &ex) &&
                    ex.kind == RF_EXTERN_MEMORY;
    }
    if (!found) {
        fputs("reflow: stats: no exported memory\n", stderr);
        return;
    }
    rf_memory_stats st = rf_memory_get_stats(ex.of.memory);
    fprintf(stderr,
            "reflow: stats: memory current_bytes=%" PRIu64 " peak_bytes=%" PRIu64
            " limit_bytes=%" PRIu64 " grows=%" PRIu64 " refused_grows=%" PRIu64 "\n",
            st.current_bytes, st.peak_bytes, st.limit_bytes, st.grow_count, st.refused_grows);
}

/* ---- running ------------------------------------------------------------------- */

static bool is_nullary(const rf_func *f)
{
    rf_signature sig = rf_func_signature(f);
    return sig.nparams == 0 && sig.nresults == 0;
}

static int run_start(exec_run *r)
{
    rf_extern ex;
    if (!rf_instance_export(r->instance, "_start", 6, &ex)) {
        fprintf(stderr, "reflow: %s: no _start export, so it is not a WASI command; "
                        "call an export with --invoke NAME\n", r->opts->file);
        return CLI_EXIT_FAIL;
    }
    if (ex.kind != RF_EXTERN_FUNC || !is_nullary(ex.of.func)) {
        fprintf(stderr, "reflow: %s: _start must be a function of type () -> ()\n",
                r->opts->file);
        return CLI_EXIT_FAIL;
    }
    rf_error err;
    memset(&err, 0, sizeof err);
    start_call(r);
    rf_error_kind kind = rf_call(ex.of.func, NULL, 0, NULL, 0, &err);
    return report(r, kind, &err);
}

/* A reactor's _initialize must run before its other exports. */
static int run_initialize(exec_run *r)
{
    rf_extern ex;
    if (strcmp(r->opts->invoke, "_initialize") == 0 ||
        !rf_instance_export(r->instance, "_initialize", 11, &ex) ||
        ex.kind != RF_EXTERN_FUNC || !is_nullary(ex.of.func))
        return CLI_CONTINUE;
    rf_error err;
    memset(&err, 0, sizeof err);
    start_call(r);
    rf_error_kind kind = rf_call(ex.of.func, NULL, 0, NULL, 0, &err);
    return kind == RF_OK ? CLI_CONTINUE : report(r, kind, &err);
}

static int run_invoke(exec_run *r)
{
    const exec_opts *o = r->opts;
    rf_extern ex;
    if (!rf_instance_export(r->instance, o->invoke, strlen(o->invoke), &ex)) {
        fprintf(stderr, "reflow: %s: no export named '%s'\n", o->file, o->invoke);
        return CLI_EXIT_FAIL;
    }
    if (ex.kind != RF_EXTERN_FUNC) {
        fprintf(stderr, "reflow: %s: export '%s' is a %s, not a function\n", o->file, o->invoke,
                cli_extern_kind_name(ex.kind));
        return CLI_EXIT_FAIL;
    }
    rf_signature sig = rf_func_signature(ex.of.func);
    if ((uint32_t)o->nrest != sig.nparams) {
        fprintf(stderr, "reflow: exec: '%s' takes %" PRIu32 " argument%s ", o->invoke,
                sig.nparams, sig.nparams == 1 ? "" : "s");
        cli_print_signature(stderr, &sig);
        fprintf(stderr, ", got %d\n", o->nrest);
        return CLI_EXIT_USAGE;
    }
    rf_value *args = calloc(sig.nparams + 1, sizeof *args);
    rf_value *results = calloc(sig.nresults + 1, sizeof *results);
    int rc = CLI_EXIT_FAIL;
    if (!args || !results) {
        fputs("reflow: exec: out of memory\n", stderr);
        goto done;
    }
    for (uint32_t i = 0; i < sig.nparams; i++) {
        char why[160];
        if (!exec_parse_value(o->rest[i], sig.params[i], &args[i], why, sizeof why)) {
            fprintf(stderr, "reflow: exec: argument %" PRIu32 " of '%s': %s\n", i + 1,
                    o->invoke, why);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
    }
    rc = run_initialize(r);
    if (rc != CLI_CONTINUE)
        goto done;
    rf_error err;
    memset(&err, 0, sizeof err);
    start_call(r);
    rf_error_kind kind = rf_call(ex.of.func, args, sig.nparams, results, sig.nresults, &err);
    rc = report(r, kind, &err);
    if (kind == RF_OK) {
        for (uint32_t i = 0; i < sig.nresults; i++) {
            exec_print_value(stdout, &results[i]);
            fputc('\n', stdout);
        }
    }
done:
    free(args);
    free(results);
    return rc;
}

/* Load, link, instantiate and run; everything created here is freed here. */
static int exec_file(const exec_opts *o)
{
    exec_run r;
    memset(&r, 0, sizeof r);
    r.opts = o;
    rf_module *m = cli_load_module(o->file, false);
    if (!m)
        return CLI_EXIT_FAIL;
    r.module = m;

    int rc = CLI_EXIT_FAIL;
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_store *s = NULL;
    rf_extern *imports = NULL;
    /* The guest's argv: FILE, then the args (none for --invoke). */
    size_t nargs = 1 + (o->invoke ? 0 : (size_t)o->nrest);
    const char **args = calloc(nargs, sizeof *args);
    if (!args) {
        fputs("reflow: exec: out of memory\n", stderr);
        goto done;
    }
    args[0] = o->file;
    for (size_t i = 1; i < nargs; i++)
        args[i] = o->rest[i - 1];

    rf_store_config sc;
    memset(&sc, 0, sizeof sc);
    sc.memory_limit = o->limit_mb * MIB;
    sc.memory_ceiling = o->ceiling_mb * MIB;
    s = rf_store_new(&sc, &err);
    if (!s) {
        fprintf(stderr, "reflow: exec: cannot create a store: %s\n", err.message);
        goto done;
    }
    if (o->timeout_ms)
        rf_store_set_timeout_ms(s, o->timeout_ms);

    rf_wasi_config wc;
    memset(&wc, 0, sizeof wc);
    wc.args = args;
    wc.nargs = nargs;
    wc.env = o->env;
    wc.nenv = o->nenv;
    wc.stdin_enabled = true;
    wc.should_stop = deadline_passed;
    wc.user = &r;
    r.wasi = rf_wasi_new(&wc, &err);
    if (!r.wasi) {
        fprintf(stderr, "reflow: exec: %s\n", err.message);
        goto done;
    }

    size_t nimports = rf_module_import_count(m);
    imports = calloc(nimports + 1, sizeof *imports);
    if (!imports) {
        fputs("reflow: exec: out of memory\n", stderr);
        goto done;
    }
    if (!rf_wasi_link(r.wasi, s, m, imports, &err) ||
        !rf_link_check_complete(m, imports, &err)) {
        fprintf(stderr, "reflow: %s: %s: %s\n", o->file, rf_error_kind_name(err.kind),
                err.message);
        goto done;
    }

    start_call(&r);
    r.instance = rf_instantiate(s, m, imports, nimports, &err);
    if (!r.instance) {
        if (err.kind == RF_ERR_LINK || err.kind == RF_ERR_LIMIT || err.kind == RF_ERR_NOMEM)
            fprintf(stderr, "reflow: %s: %s: %s\n", o->file, rf_error_kind_name(err.kind),
                    err.message);
        else   /* the start function trapped, exited or timed out */
            rc = report(&r, err.kind, &err);
        goto done;
    }
    rc = o->invoke ? run_invoke(&r) : run_start(&r);
    if (o->stats)
        print_stats(&r);

done:
    rf_store_free(s);
    rf_wasi_free(r.wasi);
    free(imports);
    free(args);
    rf_module_free(m);
    return rc;
}

static int run_exec(const cli_command *cmd, int argc, char **argv)
{
    exec_opts o;
    memset(&o, 0, sizeof o);
    o.limit_mb = RF_DEFAULT_MEMORY_LIMIT / MIB;
    o.ceiling_mb = RF_DEFAULT_MEMORY_CEILING / MIB;
    o.env = calloc((size_t)argc + 1, sizeof *o.env);
    if (!o.env) {
        fputs("reflow: exec: out of memory\n", stderr);
        return CLI_EXIT_FAIL;
    }
    int rc = parse_args(cmd, argc, argv, &o);
    if (rc == CLI_CONTINUE)
        rc = exec_file(&o);
    free(o.env);
    return rc;
}

const cli_command cli_cmd_exec = {
    .name = "exec",
    .summary = "run a WASI command program, or call one of its exports",
    .help =
        "usage: reflow exec [OPTIONS] FILE.wasm [ARGS...]\n"
        "       reflow exec [OPTIONS] FILE.wasm --invoke NAME [VALUES...]\n"
        "\n"
        "Run a WASI (preview 1) command program: link its wasi_snapshot_preview1\n"
        "imports, call its _start export with ARGS as its arguments (argv[0] is\n"
        "FILE.wasm) and exit with its exit code. With --invoke, call the export NAME\n"
        "instead (after _initialize, when the module exports one) with VALUES\n"
        "parsed by its parameter types, and print its results one per line.\n"
        "\n"
        "The program gets its args, the --env variables, clocks, random bytes,\n"
        "stdin, stdout and stderr; no files, directories or network. Imports from\n"
        "any other module fail to link.\n"
        "\n"
        "options (before FILE):\n"
        "  --memory-limit-mb N    largest linear memory in MiB (default 16)\n"
        "  --memory-ceiling-mb N  highest limit accepted (default 100); raise it to\n"
        "                         allow a --memory-limit-mb above 100\n"
        "  --timeout MS           stop any call running longer than MS milliseconds\n"
        "  --env NAME=VALUE       add an environment variable (repeatable)\n"
        "  --invoke NAME          the same as --invoke after FILE\n"
        "  --stats                print memory figures on stderr at exit: current,\n"
        "                         peak and limit bytes, grows, refused grows\n"
        "  -h, --help             show this help\n"
        "--dir is not supported.\n"
        "\n"
        "VALUES: i32/i64 in decimal or 0x hex (negative numbers wrap); f32/f64 in\n"
        "decimal or hex float, inf, nan or nan:0xPAYLOAD, optionally signed.\n"
        "\n"
        "exit status:\n"
        "  N  the program called proc_exit(N), N in 0..255; 0 when _start returns\n"
        "  0  --invoke: the call returned\n"
        "  1  the module could not be loaded or linked, or it trapped\n"
        "     (\"error: trap: ...\"), timed out (\"error: timeout: ...\") or exited\n"
        "     with a code above 255\n"
        "  2  bad usage: unknown option, bad value, memory limit above the ceiling\n",
    .run = run_exec,
};
