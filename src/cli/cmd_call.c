/*
 * cmd_call.c — `reflow call PLUGIN FUNC`: run one export of an Extism plugin
 * the way `extism call` does, on reflow's plugin layer (reflow/plugin.h).
 *
 * Streams: stdout carries ONLY the plugin's output bytes, exactly as the
 * plugin set them (with --loop, each call's output back to back, nothing in
 * between), so it can be piped or compared byte for byte. Everything else
 * goes to stderr: diagnostics ("reflow: ..."), the plugin's log messages
 * ("[name] level: message"), its WASI stdout/stderr lines, and --stats.
 *
 * Exit status: 0 when every call succeeded; 1 when the plugin cannot be
 * loaded or created, or a call fails (error set, trap, timeout, non-zero rc:
 * "reflow: error: <message>", with the rc when it is not zero); 2 on bad
 * usage. Options are parsed and the manifest built in cmd_call_opts.c.
 */
#include "cmd_call.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MIB (UINT64_C(1024) * 1024)

/* ---- input ------------------------------------------------------------------------ */

/* All of stdin, at most CLI_MAX_FILE_BYTES (so an endless pipe cannot
 * exhaust memory). *data is never NULL on success. */
static bool read_stdin(uint8_t **data, size_t *len)
{
    size_t cap = 64 * 1024, used = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fputs("reflow: call: cannot read stdin: out of memory\n", stderr);
        return false;
    }
    for (;;) {
        if (used == cap) {
            if (cap >= CLI_MAX_FILE_BYTES) {
                fprintf(stderr, "reflow: call: stdin holds more than %u bytes\n",
                        CLI_MAX_FILE_BYTES);
                free(buf);
                return false;
            }
            size_t ncap = cap * 2 > CLI_MAX_FILE_BYTES ? CLI_MAX_FILE_BYTES : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                fputs("reflow: call: cannot read stdin: out of memory\n", stderr);
                free(buf);
                return false;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t n = fread(buf + used, 1, cap - used, stdin);
        used += n;
        if (n == 0) {
            if (ferror(stdin)) {
                fprintf(stderr, "reflow: call: cannot read stdin: %s\n", strerror(errno));
                free(buf);
                return false;
            }
            break;
        }
    }
    *data = buf;
    *len = used;
    return true;
}

/* The call's input from --input, --input-file or nothing (empty). */
static bool load_input(const call_opts *o, uint8_t **data, size_t *len)
{
    if (o->input_file)
        return strcmp(o->input_file, "-") == 0 ? read_stdin(data, len)
                                                : cli_read_file(o->input_file, data, len);
    size_t n = o->input ? strlen(o->input) : 0;
    *data = malloc(n + 1);
    if (!*data) {
        fputs("reflow: call: out of memory\n", stderr);
        return false;
    }
    if (n)
        memcpy(*data, o->input, n);
    *len = n;
    return true;
}

/* ---- plugin messages -------------------------------------------------------------- */

/* Everything a plugin says goes to stderr framed by the host: log messages as
 * "[name] level: ...", WASI output lines as "[name] stdout: ..." or
 * "[name] stderr: ...". Control characters are escaped, so a plugin cannot
 * forge other lines or drive the terminal. */
static void write_log(void *user, const char *plugin_name, const char *stream,
                      rf_log_level level, const char *msg, size_t len)
{
    (void)user;
    if (strcmp(stream, "log") != 0)
        fprintf(stderr, "[%s] %s: ", plugin_name, stream);
    else
        fprintf(stderr, "[%s] %s: ", plugin_name, rf_log_level_name(level));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputc('\n', stderr);
}

/* "dir/echo.wasm" -> "echo": the name shown in the plugin's log lines. */
static char *plugin_name_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (n == 0) {
        base = "plugin";
        n = strlen(base);
    }
    char *name = malloc(n + 1);
    if (name) {
        memcpy(name, base, n);
        name[n] = '\0';
    }
    return name;
}

/* ---- reporting -------------------------------------------------------------------- */

/* True when `msg` already ends with the number `rc` as a word, as in
 * "Returned non-zero exit code: 1" or "Exited with i32 exit status 3". */
static bool ends_with_rc(const char *msg, int32_t rc)
{
    char num[16];
    int n = snprintf(num, sizeof num, "%" PRId32, rc);
    size_t len = strlen(msg);
    return n > 0 && len > (size_t)n && strcmp(msg + len - (size_t)n, num) == 0 &&
           (msg[len - (size_t)n - 1] == ' ' || msg[len - (size_t)n - 1] == ':');
}

/* "reflow: error: [call I of N: ]<message>[ (rc R)]" */
static void report_failure(const rf_call_result *r, uint64_t iteration, uint64_t loops)
{
    const char *msg = r->error && r->error[0] ? r->error : "the call failed (no message given)";
    fputs("reflow: error: ", stderr);
    if (loops > 1)
        fprintf(stderr, "call %" PRIu64 " of %" PRIu64 ": ", iteration + 1, loops);
    fputs(msg, stderr);
    if (r->rc != 0 && !ends_with_rc(msg, r->rc))
        fprintf(stderr, " (rc %" PRId32 ")", r->rc);
    fputc('\n', stderr);
}

static void print_memory(const char *what, const rf_memory_stats *m)
{
    fprintf(stderr,
            "reflow: stats: %s current_bytes=%" PRIu64 " peak_bytes=%" PRIu64
            " limit_bytes=%" PRIu64 " grows=%" PRIu64 " refused_grows=%" PRIu64 "\n",
            what, m->current_bytes, m->peak_bytes, m->limit_bytes, m->grow_count,
            m->refused_grows);
}

static void print_stats(const rf_plugin *p)
{
    rf_plugin_stats st = rf_plugin_get_stats(p);
    fprintf(stderr,
            "reflow: stats: plugin calls=%" PRIu64 " instantiations=%" PRIu64
            " budget_bytes=%" PRIu64 " in_use_bytes=%" PRIu64 "\n",
            st.calls, st.instantiations, st.budget_bytes, st.in_use_bytes);
    print_memory("main_memory", &st.main_memory);
    print_memory("kernel_memory", &st.kernel_memory);
}

/* ---- running ---------------------------------------------------------------------- */

/* Call FUNC --loop times on one plugin; stops at the first failure. */
static int run_calls(rf_plugin *p, const call_opts *o, const uint8_t *input, size_t input_len)
{
    for (uint64_t i = 0; i < o->loop; i++) {
        rf_call_result r;
        memset(&r, 0, sizeof r);
        if (!rf_plugin_call(p, o->func, input, input_len, &r)) {
            report_failure(&r, i, o->loop);
            return CLI_EXIT_FAIL;
        }
        if (r.output_len && fwrite(r.output, 1, r.output_len, stdout) != r.output_len)
            break;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "reflow: error: cannot write the output: %s\n", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

static int call_plugin(const call_opts *o)
{
    uint8_t *input = NULL;
    size_t input_len = 0;
    if (!load_input(o, &input, &input_len))
        return CLI_EXIT_FAIL;
    rf_manifest *m = call_build_manifest(o);
    char *name = plugin_name_of(o->plugin);
    if (!m || !name) {
        if (m && !name)
            fputs("reflow: call: out of memory\n", stderr);
        rf_manifest_free(m);
        free(name);
        free(input);
        return CLI_EXIT_FAIL;
    }

    rf_plugin_options po;
    memset(&po, 0, sizeof po);
    po.name = name;
    po.wasi = o->wasi;
    po.memory_limit = o->limit_mb * MIB;
    po.memory_ceiling = o->ceiling_mb * MIB;
    po.log_level_set = true;
    po.log_level = o->log_level;
    po.log = write_log;
    po.http_response_headers = o->http_headers;

    rf_error err;
    memset(&err, 0, sizeof err);
    rf_plugin *p = rf_plugin_new(m, &po, &err);   /* takes m over, also on failure */
    int rc = CLI_EXIT_FAIL;
    if (!p) {
        fprintf(stderr, "reflow: %s: %s\n", o->plugin,
                err.message[0] ? err.message : "cannot create the plugin (no details given)");
    } else {
        rc = run_calls(p, o, input, input_len);
        if (o->stats)
            print_stats(p);
        rf_plugin_free(p);
    }
    free(name);
    free(input);
    return rc;
}

static int run_call(const cli_command *cmd, int argc, char **argv)
{
    call_opts o;
    int rc = call_parse_args(cmd, argc, argv, &o);
    if (rc == CLI_CONTINUE)
        rc = call_plugin(&o);
    call_opts_free(&o);
    return rc;
}

const cli_command cli_cmd_call = {
    .name = "call",
    .summary = "call a function of an Extism plugin",
    .help =
        "usage: reflow call [OPTIONS] PLUGIN FUNC\n"
        "\n"
        "Call the export FUNC of an Extism plugin (https://extism.org) and write its\n"
        "output to stdout, byte for byte, with nothing added. PLUGIN is a .wasm file\n"
        "or an Extism JSON manifest (its relative paths are resolved against its\n"
        "directory); options given here are merged into the manifest and win over it.\n"
        "Plugin logs, WASI stdout/stderr, errors and --stats go to stderr.\n"
        "\n"
        "options (anywhere; -- ends them):\n"
        "  -i, --input STR        the input bytes (default: empty)\n"
        "  --input-file FILE      read the input from FILE (- = stdin); not with --input\n"
        "  --wasi                 provide WASI (wasi_snapshot_preview1) to the plugin\n"
        "  --config KEY=VALUE     a config entry (repeatable; a bare KEY sets \"\")\n"
        "  --allow-host GLOB      allow HTTP requests to matching hosts (repeatable)\n"
        "  --allow-path [ro:]HOST[:GUEST]\n"
        "                         mount the host directory HOST at GUEST (default: the\n"
        "                         same path) for WASI; ro: makes it read-only (repeatable)\n"
        "  --link [NAME=]PATH     add a module the plugin imports from as NAME (default:\n"
        "                         PATH's file name without extension) (repeatable)\n"
        "  --memory-limit-mb N    memory budget in MiB for all the plugin's memories,\n"
        "                         kernel memory included (default 16)\n"
        "  --memory-ceiling-mb N  highest budget accepted (default 100); raise it to\n"
        "                         allow a --memory-limit-mb above 100\n"
        "  --memory-max PAGES     manifest memory.max_pages (64 KiB pages)\n"
        "  --timeout MS           fail a call running longer than MS milliseconds\n"
        "                         (manifest timeout_ms; 0 = none)\n"
        "  --var-max BYTES        manifest memory.max_var_bytes (0 disables var_set)\n"
        "  --http-response-max BYTES\n"
        "                         manifest memory.max_http_response_bytes\n"
        "  --enable-http-response-headers\n"
        "                         let the plugin read HTTP response headers\n"
        "  --log-level LEVEL      trace, debug, info, warn, error (default) or off:\n"
        "                         the lowest level of plugin logs printed\n"
        "  --loop N               call FUNC N times on the same instance; outputs are\n"
        "                         written back to back; stops at the first failure\n"
        "  --stats                print calls and memory figures on stderr at the end\n"
        "  -h, --help             show this help\n"
        "\n"
        "exit status:\n"
        "  0  every call succeeded\n"
        "  1  the plugin could not be loaded or created, or a call failed: an error\n"
        "     set by the plugin, a trap, a timeout or a non-zero return code\n"
        "     (\"reflow: error: <message> (rc N)\")\n"
        "  2  bad usage: unknown option, bad value, memory limit above the ceiling\n",
    .run = run_call,
};
