/*
 * test_plugins.c — end-to-end tests of the plugin layer through its C API
 * (reflow/plugin.h), on the project's own test plugins
 * (tests/plugin/plugins: freestanding C, wasi-libc C and WAT, built at test
 * time by plugins/build.sh into a private directory; RF_SOURCE_DIR names
 * the repository, or RF_PLUGIN_DIR a directory of plugins built already).
 *
 * Expected values come from the Extism host ABI (../shared/docs/extism-abi.md:
 * the allocator layout, result rules, messages) and from the plugin sources'
 * own comments, never from the code under test. The hostile plugins run in
 * one process, one after another, and a normal call must work afterwards.
 * HTTP goes to a loopback server in this process (plugin_fixture.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "reflow/plugin.h"
#include "plugin_fixture.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (UINT64_C(1024) * 1024)
#define ANY_RC INT32_MIN

static char plugin_dir[2048];
static char scratch[2048];
static fixture_http *server;

/* ---- captured logs ------------------------------------------------------------------ */

typedef struct log_line {
    char stream[8];
    rf_log_level level;
    char text[128];
} log_line;

typedef struct log_capture {
    log_line lines[6000];
    size_t n;
    size_t dropped;
} log_capture;

static void capture_log(void *user, const char *plugin_name, const char *stream,
                        rf_log_level level, const char *msg, size_t len)
{
    (void)plugin_name;
    log_capture *c = user;
    if (c->n == sizeof c->lines / sizeof c->lines[0]) {
        c->dropped++;
        return;
    }
    log_line *l = &c->lines[c->n++];
    snprintf(l->stream, sizeof l->stream, "%s", stream);
    l->level = level;
    size_t n = len < sizeof l->text - 1 ? len : sizeof l->text - 1;
    memcpy(l->text, msg, n);
    l->text[n] = '\0';
}

static log_capture *new_capture(rf_plugin_options *o)
{
    log_capture *c = calloc(1, sizeof *c);
    assert_non_null(c);
    o->log = capture_log;
    o->log_user = c;
    return c;
}

static bool has_line(const log_capture *c, const char *stream, const char *text)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->lines[i].stream, stream) == 0 && strcmp(c->lines[i].text, text) == 0)
            return true;
    return false;
}

/* ---- plugins and calls ---------------------------------------------------------------- */

static void plugin_path(char *out, size_t cap, const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "%s.wasm", name);
    assert_true(fixture_path(out, cap, plugin_dir, file));
}

static rf_plugin *open_plugin(const char *name, const rf_plugin_options *opts)
{
    char path[PATH_MAX];
    plugin_path(path, sizeof path, name);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_plugin *p = rf_plugin_new_from_file(path, opts, &err);
    if (!p)
        fail_msg("cannot create plugin %s: %s", name, err.message);
    return p;
}

/* A plugin from manifest JSON (absolute paths, built with printf-style
 * arguments). */
static rf_plugin *open_manifest(const rf_plugin_options *opts, const char *fmt, ...)
{
    char json[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(json, sizeof json, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof json);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_plugin *p = rf_plugin_new_from_bytes((const uint8_t *)json, (size_t)n, opts, &err);
    if (!p)
        fail_msg("cannot create plugin from %s: %s", json, err.message);
    return p;
}

/* Creating `name` must fail with a message containing `part`. */
static void expect_create_failure(const char *name, const rf_plugin_options *opts,
                                  const char *part)
{
    char path[PATH_MAX];
    plugin_path(path, sizeof path, name);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_plugin *p = rf_plugin_new_from_file(path, opts, &err);
    if (p) {
        rf_plugin_free(p);
        fail_msg("plugin %s was created; expected a failure mentioning '%s'", name, part);
    }
    if (!strstr(err.message, part))
        fail_msg("plugin %s: error '%s' does not mention '%s'", name, err.message, part);
}

static rf_call_result call_n(rf_plugin *p, const char *func, const void *input, size_t len)
{
    rf_call_result r;
    memset(&r, 0, sizeof r);
    bool ok = rf_plugin_call(p, func, input, len, &r);
    assert_int_equal(ok, r.ok);
    if (r.ok) {
        assert_int_equal(r.rc, 0);
        assert_null(r.error);
    } else {
        assert_non_null(r.error);
    }
    return r;
}

static rf_call_result call(rf_plugin *p, const char *func, const char *input)
{
    return call_n(p, func, input, input ? strlen(input) : 0);
}

static void expect_output(rf_plugin *p, const char *func, const char *input, const char *want)
{
    rf_call_result r = call(p, func, input);
    if (!r.ok)
        fail_msg("%s('%s') failed: rc %d: %s", func, input ? input : "", r.rc, r.error);
    if (r.output_len != strlen(want) || (r.output_len && memcmp(r.output, want, r.output_len)))
        fail_msg("%s('%s'): output '%.*s', expected '%s'", func, input ? input : "",
                 (int)r.output_len, (const char *)r.output, want);
}

static void expect_u64(rf_plugin *p, const char *func, const char *input, uint64_t want)
{
    rf_call_result r = call(p, func, input);
    if (!r.ok)
        fail_msg("%s failed: rc %d: %s", func, r.rc, r.error);
    assert_int_equal(r.output_len, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | r.output[i];
    assert_int_equal(v, want);
}

/* The call must fail with rc `rc` (unless ANY_RC) and an error containing
 * `part` (unless NULL). */
static void expect_failure(rf_plugin *p, const char *func, const char *input, int32_t rc,
                           const char *part)
{
    rf_call_result r = call(p, func, input);
    if (r.ok)
        fail_msg("%s('%s') succeeded; expected a failure", func, input ? input : "");
    if (rc != ANY_RC && r.rc != rc)
        fail_msg("%s: rc %d (%s), expected %d", func, r.rc, r.error, rc);
    if (part && !strstr(r.error, part))
        fail_msg("%s: error '%s' does not mention '%s'", func, r.error, part);
}

static rf_plugin_options default_options(void)
{
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.log_level_set = true;
    o.log_level = RF_LOG_OFF;   /* quiet unless a test captures */
    return o;
}

static void url_of(char *out, size_t cap, const char *path)
{
    int n = snprintf(out, cap, "http://127.0.0.1:%u%s", (unsigned)fixture_http_port(server), path);
    assert_true(n > 0 && (size_t)n < cap);
}

/* ---- everyday plugins --------------------------------------------------------------- */

static void test_echo(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("echo", &o);
    expect_output(p, "echo", "hello", "hello");
    expect_output(p, "echo", "", "");
    expect_output(p, "echo_direct", "direct bytes", "direct bytes");
    expect_output(p, "nothing", "ignored", "");

    /* Binary input with NULs, larger than the plugin's 4 KiB chunk and than
     * the kernel's first page. */
    size_t n = 300000;
    uint8_t *in = malloc(n);
    assert_non_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = (uint8_t)(i * 131 + (i >> 9));
    for (int k = 0; k < 2; k++) {
        rf_call_result r = call_n(p, k ? "echo_direct" : "echo", in, n);
        assert_true(r.ok);
        assert_int_equal(r.output_len, n);
        assert_memory_equal(r.output, in, n);
    }
    free(in);

    assert_true(rf_plugin_function_exists(p, "echo"));
    assert_false(rf_plugin_function_exists(p, "memory"));
    assert_false(rf_plugin_function_exists(p, "no_such_export"));
    expect_failure(p, "no_such_export", "", -1, "no_such_export");
    expect_output(p, "echo", "after a failure", "after a failure");

    rf_plugin_stats st = rf_plugin_get_stats(p);
    assert_int_equal(st.instantiations, 1);
    assert_int_equal(st.calls, 8);
    assert_int_equal(st.budget_bytes, 16 * MIB);
    assert_true(st.in_use_bytes > 0 && st.in_use_bytes <= st.budget_bytes);
    assert_true(st.kernel_memory.current_bytes >= n);
    rf_plugin_free(p);
}

static void test_count_vowels_total(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("echo", &o);
    expect_output(p, "count_vowels", "this is a test",
                  "{\"count\":4,\"total\":4,\"vowels\":\"aeiouAEIOU\"}");
    expect_output(p, "count_vowels", "this is a test",
                  "{\"count\":4,\"total\":8,\"vowels\":\"aeiouAEIOU\"}");
    expect_output(p, "count_vowels", "AEIOU xyz",
                  "{\"count\":5,\"total\":13,\"vowels\":\"aeiouAEIOU\"}");
    rf_plugin_free(p);

    /* A new plugin starts with no vars. */
    p = open_plugin("echo", &o);
    expect_output(p, "count_vowels", "a", "{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}");
    rf_plugin_free(p);
}

static void test_kernel_imports(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("kernel", &o);
    for (int i = 0; i < 3; i++)   /* the kernel is reset before each call */
        expect_output(p, "kernel_check", "0123456789", "ok");
    expect_output(p, "input_info", "0123456789", "77 10 10");
    expect_output(p, "input_info", "", "0 0 0");
    expect_output(p, "interior_output", "hello world", "world");
    expect_output(p, "output_twice", "", "second");
    expect_output(p, "reset_alloc", "some input", "77 0");
    rf_plugin_free(p);
}

static void test_error_rules(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("errors", &o);
    expect_failure(p, "error_rc0", "", 0, "error with rc 0");
    expect_failure(p, "error_rc1", "", 1, "Some error message");
    expect_output(p, "error_empty", "", "no error");
    expect_output(p, "error_interior", "", "no error");
    expect_output(p, "error_cleared", "", "cleared");
    expect_failure(p, "rc_only", "", 7, NULL);
    expect_failure(p, "trap", "", 134, "unreachable");
    expect_failure(p, "error_then_trap", "", ANY_RC, "set before the trap");
    expect_failure(p, "output_and_error", "", 1, "failed after setting output");
    expect_failure(p, "error_utf8", "", 2, "caf\xc3\xa9 \xe2\x9c\x93");
    expect_output(p, "error_empty", "", "no error");   /* nothing sticks */
    rf_plugin_free(p);
}

static void test_config(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    char path[PATH_MAX];
    plugin_path(path, sizeof path, "config");
    rf_plugin *p = open_manifest(&o,
        "{\"wasm\":[{\"path\":\"%s\"}],\"config\":{\"greeting\":\"hello there\","
        "\"empty\":\"\",\"utf8\":\"caf\xc3\xa9\"}}", path);
    expect_output(p, "config", "greeting", "hello there");
    expect_output(p, "config", "utf8", "caf\xc3\xa9");
    expect_output(p, "config", "missing", "(none)");
    expect_output(p, "config", "empty", "(none)");   /* an empty value comes back as 0 */
    expect_output(p, "config", "", "(none)");
    expect_failure(p, "bad_key_handle", "", -1, "invalid handle");
    expect_output(p, "config", "greeting", "hello there");
    rf_plugin_free(p);
}

static void test_vars(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("config", &o);
    expect_output(p, "counter", "", "1");
    expect_output(p, "counter", "", "2");
    expect_output(p, "counter", "", "3");
    expect_output(p, "var_read", "a", "(none)");
    expect_output(p, "var_put", "a=xyz", "");
    expect_output(p, "var_read", "a", "xyz");
    expect_output(p, "var_put", "a=longer value", "");
    expect_output(p, "var_read", "a", "longer value");
    expect_output(p, "var_put", "a=", "");           /* empty value: removes */
    expect_output(p, "var_read", "a", "(none)");
    /* Keys are bytes: invalid UTF-8 works for vars, and matches no config. */
    expect_output(p, "bad_utf8_keys", "", "var=stored config=(none)");
    expect_output(p, "counter", "", "4");
    rf_plugin_free(p);

    /* max_var_bytes: 0 disables var_set; a small store fills up. */
    char path[PATH_MAX];
    plugin_path(path, sizeof path, "config");
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"memory\":{\"max_var_bytes\":0}}", path);
    expect_failure(p, "var_put", "a=b", -1, "Vars are disabled by this host");
    rf_plugin_free(p);
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"memory\":{\"max_var_bytes\":100}}",
                      path);
    expect_output(p, "var_put", "k=0123456789", "");   /* 48 + 1 + 10 = 59 bytes */
    expect_failure(p, "var_put", "j=0123456789", -1, "Variable store is full");
    expect_output(p, "var_read", "k", "0123456789");
    expect_output(p, "var_read", "j", "(none)");
    rf_plugin_free(p);
}

/* Log each level with the given filter: the lines that pass, and what
 * get_log_level reports. */
static void check_log_filter(rf_log_level level, const char *want_level_output, size_t want_lines)
{
    rf_plugin_options o = default_options();
    o.log_level = level;
    log_capture *c = new_capture(&o);
    rf_plugin *p = open_plugin("logs", &o);
    expect_output(p, "log_all", "", want_level_output);
    assert_int_equal(c->n, want_lines);
    static const char *const names[] = { "trace", "debug", "info", "warn", "error" };
    for (size_t i = 0; i < c->n; i++) {
        rf_log_level expect = (rf_log_level)(5 - want_lines + i);
        char text[64];
        snprintf(text, sizeof text, "%s message from logs", names[expect]);
        assert_string_equal(c->lines[i].stream, "log");
        assert_int_equal(c->lines[i].level, expect);
        assert_string_equal(c->lines[i].text, text);
    }
    rf_plugin_free(p);
    free(c);
}

static void test_logs(void **state)
{
    (void)state;
    check_log_filter(RF_LOG_TRACE, "0", 5);
    check_log_filter(RF_LOG_DEBUG, "1", 4);
    check_log_filter(RF_LOG_INFO, "2", 3);
    check_log_filter(RF_LOG_WARN, "3", 2);
    check_log_filter(RF_LOG_ERROR, "4", 1);
    check_log_filter(RF_LOG_OFF, "2147483647", 0);

    /* Not set: the filter is error, as in the extism CLI. */
    rf_plugin_options o = default_options();
    o.log_level_set = false;
    log_capture *c = new_capture(&o);
    rf_plugin *p = open_plugin("logs", &o);
    expect_output(p, "log_all", "", "4");
    assert_int_equal(c->n, 1);
    assert_string_equal(c->lines[0].text, "error message from logs");

    c->n = 0;
    rf_plugin_free(p);
    o.log_level_set = true;
    o.log_level = RF_LOG_WARN;
    p = open_plugin("logs", &o);
    expect_output(p, "log_empty", "", "done");
    assert_int_equal(c->n, 1);
    assert_int_equal(c->lines[0].level, RF_LOG_WARN);
    assert_string_equal(c->lines[0].text, "");
    /* A bad handle at a filtered level is only freed (a no-op); at a level
     * that passes, it fails the call. */
    expect_output(p, "log_bad_handle", "", "log_info(999999) returned");
    rf_plugin_free(p);
    o.log_level = RF_LOG_TRACE;
    p = open_plugin("logs", &o);
    expect_failure(p, "log_bad_handle", "", -1, "invalid handle");
    rf_plugin_free(p);
    free(c);

    assert_true(rf_log_level_parse("warn", &o.log_level));
    assert_int_equal(o.log_level, RF_LOG_WARN);
    assert_true(rf_log_level_parse("off", &o.log_level));
    assert_int_equal(o.log_level, RF_LOG_OFF);
    assert_false(rf_log_level_parse("loud", &o.log_level));
    assert_string_equal(rf_log_level_name(RF_LOG_DEBUG), "debug");
}

static void test_http(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    char path[PATH_MAX], hello[256], missing[256], echo[256], post[512], big[256];
    plugin_path(path, sizeof path, "http");
    url_of(hello, sizeof hello, "/hello");
    url_of(missing, sizeof missing, "/missing");
    url_of(echo, sizeof echo, "/echo");
    url_of(big, sizeof big, "/big/100");
    snprintf(post, sizeof post, "%s posted body", echo);

    /* No allowed_hosts: denied before anything is sent. */
    unsigned before = fixture_http_requests(server);
    rf_plugin *p = open_plugin("http", &o);
    expect_output(p, "http_status", "", "0");
    expect_failure(p, "http_get", hello, -1, "is not allowed");
    rf_plugin_free(p);
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"allowed_hosts\":[\"example.com\"]}",
                      path);
    expect_failure(p, "http_get", hello, -1, "is not allowed");
    rf_plugin_free(p);
    assert_int_equal(fixture_http_requests(server), before);

    /* Allowed (exact name, and a glob). */
    const char *const hosts[] = { "127.0.0.1", "127.0.0.*" };
    for (int k = 0; k < 2; k++) {
        p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"allowed_hosts\":[\"%s\"]}",
                          path, hosts[k]);
        expect_output(p, "http_get", hello, "200 hello from loopback");
        assert_true(fixture_http_saw_test_header(server));
        expect_output(p, "http_get", missing, "404 not found");
        expect_output(p, "http_post", post, "200 POST posted body");
        expect_output(p, "http_headers", hello, "(none)");   /* not enabled */
        rf_plugin_free(p);
    }
    assert_int_equal(fixture_http_requests(server), before + 8);

    /* Response headers, when enabled: a JSON object with lowercase names. */
    o.http_response_headers = true;
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"allowed_hosts\":[\"127.0.0.1\"]}",
                      path);
    rf_call_result r = call(p, "http_headers", hello);
    assert_true(r.ok);
    char *text = strndup((const char *)r.output, r.output_len);
    assert_non_null(text);
    if (!strstr(text, "\"x-reply\"") || !strstr(text, "\"yes\"") || text[0] != '{')
        fail_msg("http_headers output: %s", text);
    free(text);
    rf_plugin_free(p);
    o.http_response_headers = false;

    /* A response larger than max_http_response_bytes. */
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"allowed_hosts\":[\"127.0.0.1\"],"
                          "\"memory\":{\"max_http_response_bytes\":10}}", path);
    expect_failure(p, "http_get", big, -1,
                   "HTTP response exceeds the configured maximum number of bytes: 10");
    url_of(big, sizeof big, "/big/10");   /* exactly the maximum: fine */
    expect_output(p, "http_get", big, "200 xxxxxxxxxx");
    rf_plugin_free(p);
}

static void test_globals_and_ctors(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("globals", &o);
    expect_output(p, "next", "", "101");
    expect_output(p, "next", "", "102");
    expect_output(p, "next", "", "103");
    expect_output(p, "ctor_runs", "", "1");
    assert_int_equal(rf_plugin_get_stats(p).instantiations, 1);
    rf_plugin_free(p);
}

static void test_init_order(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    static const struct {
        const char *name;
        uint64_t order;
    } cases[] = {
        { "init_ctors", 31 },        /* start, then __wasm_call_ctors only */
        { "init_initialize", 32 },   /* start, then _initialize */
        { "init_hs", 324 },          /* start, _initialize, hs_init */
        { "init_start", 3 },         /* start only: _start is never run by the host */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_plugin *p = open_plugin(cases[i].name, &o);
        for (int k = 0; k < 3; k++)
            expect_u64(p, "order", "", cases[i].order);
        rf_plugin_free(p);
    }

    /* After a call of _start, the next call runs on a fresh instance. */
    rf_plugin *p = open_plugin("init_start", &o);
    expect_u64(p, "order", "", 3);
    expect_output(p, "_start", "", "");
    expect_u64(p, "order", "", 3);
    assert_int_equal(rf_plugin_get_stats(p).instantiations, 2);
    rf_plugin_free(p);
}

static void test_linking(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    char lib[PATH_MAX], main_path[PATH_MAX];
    plugin_path(lib, sizeof lib, "link_lib");
    plugin_path(main_path, sizeof main_path, "link_main");
    rf_plugin *p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\",\"name\":\"lib\"},"
                                     "{\"path\":\"%s\",\"name\":\"main\"}]}", lib, main_path);
    expect_u64(p, "run", "", 42);
    expect_u64(p, "len", "abc", 1003);
    rf_plugin_free(p);

    /* Main is the last module when none is named "main". */
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\",\"name\":\"lib\"},{\"path\":\"%s\","
                          "\"name\":\"app\"}]}", lib, main_path);
    expect_u64(p, "run", "", 42);
    rf_plugin_free(p);

    /* Without the library, the import is unresolved. */
    expect_create_failure("link_main", &o, "add_one");
}

static void test_bad_imports(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    expect_create_failure("bad_import_name", &o, "no_such_function");
    expect_create_failure("bad_import_type", &o, "alloc");
    expect_create_failure("bad_import_memory", &o, "non-function exports of extism kernel");
    expect_create_failure("bad_import_user", &o, "missing_host_fn");
    expect_create_failure("wasi_io", &o, "wasi_snapshot_preview1");   /* WASI is off */
}

/* ---- WASI ---------------------------------------------------------------------------- */

static void test_wasi_output(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    o.wasi = true;
    log_capture *c = new_capture(&o);
    rf_plugin *p = open_plugin("wasi_io", &o);
    expect_output(p, "print", "", "printed");
    assert_true(has_line(c, "stdout", "stdout line 1"));
    assert_true(has_line(c, "stdout", "stdout line 2"));
    assert_true(has_line(c, "stderr", "stderr line 1"));
    assert_true(has_line(c, "stdout", "no newline at the end"));
    expect_output(p, "init_count", "", "1");

    /* Many lines: none lost, in order. */
    c->n = 0;
    expect_output(p, "print_many", "3000", "3000");
    assert_int_equal(c->dropped, 0);
    size_t seen = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->lines[i].stream, "stdout") != 0)
            continue;
        char want[32];
        snprintf(want, sizeof want, "line %zu", seen);
        assert_string_equal(c->lines[i].text, want);
        seen++;
    }
    assert_int_equal(seen, 3000);
    expect_output(p, "init_count", "", "1");

    /* proc_exit: 0 is a success, other codes fail with that rc. */
    expect_output(p, "exit_with", "0", "before exit");
    expect_failure(p, "exit_with", "3", 3, NULL);
    rf_plugin_free(p);
    free(c);
}

static void test_wasi_files(void **state)
{
    (void)state;
    char dir[PATH_MAX], ro_dir[PATH_MAX], file[PATH_MAX], outside[PATH_MAX];
    assert_true(fixture_path(dir, sizeof dir, scratch, "shared"));
    assert_true(fixture_path(ro_dir, sizeof ro_dir, scratch, "readonly"));
    assert_true(fixture_path(outside, sizeof outside, scratch, "outside.txt"));
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mkdir(ro_dir, 0700), 0);
    assert_true(fixture_path(file, sizeof file, dir, "data.txt"));
    assert_true(fixture_write_file(file, "file contents\n", 14));
    assert_true(fixture_write_file(outside, "secret", 6));
    char ro_file[PATH_MAX];
    assert_true(fixture_path(ro_file, sizeof ro_file, ro_dir, "ro.txt"));
    assert_true(fixture_write_file(ro_file, "read only", 9));

    rf_plugin_options o = default_options();
    o.wasi = true;
    char path[PATH_MAX];
    plugin_path(path, sizeof path, "wasi_io");

    /* No allowed_paths: no file at all. */
    rf_plugin *p = open_plugin("wasi_io", &o);
    expect_failure(p, "read_file", "/data/data.txt", 1, "cannot open /data/data.txt");
    rf_plugin_free(p);

    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"allowed_paths\":{\"%s\":\"/data\","
                          "\"ro:%s\":\"/ro\"}}", path, dir, ro_dir);
    expect_output(p, "read_file", "/data/data.txt", "file contents\n");
    expect_output(p, "read_file", "/ro/ro.txt", "read only");
    expect_failure(p, "read_file", "/data/../outside.txt", 1, "cannot open");
    expect_failure(p, "read_file", outside, 1, "cannot open");
    expect_failure(p, "read_file", "/data/nope.txt", 1, "cannot open /data/nope.txt");
    expect_output(p, "write_file", "/data/new.txt\nwritten by the plugin", "wrote 21");
    expect_failure(p, "write_file", "/ro/new.txt\nx", 1, "cannot write /ro/new.txt");
    rf_plugin_free(p);

    char written[PATH_MAX];
    assert_true(fixture_path(written, sizeof written, dir, "new.txt"));
    uint8_t *data;
    size_t len;
    assert_true(fixture_read_file(written, &data, &len));
    assert_int_equal(len, 21);
    assert_memory_equal(data, "written by the plugin", 21);
    free(data);
    assert_true(fixture_path(written, sizeof written, ro_dir, "new.txt"));
    assert_int_not_equal(access(written, F_OK), 0);
}

/* ---- hostile plugins ------------------------------------------------------------------ */

typedef struct cancel_job {
    rf_plugin *plugin;
    unsigned delay_ms;
} cancel_job;

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void *cancel_later(void *arg)
{
    cancel_job *j = arg;
    sleep_ms(j->delay_ms);
    rf_plugin_cancel(j->plugin);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Initial pages of memory 0 of a plugin file, read with the engine. */
static uint64_t initial_pages(const char *name)
{
    char path[PATH_MAX];
    plugin_path(path, sizeof path, name);
    uint8_t *bytes;
    size_t len;
    assert_true(fixture_read_file(path, &bytes, &len));
    rf_error err;
    rf_module *m = rf_module_load(bytes, len, NULL, &err);
    free(bytes);
    assert_non_null(m);
    rf_limits_desc lim;
    assert_true(rf_module_memory_type(m, 0, &lim));
    rf_module_free(m);
    return lim.min;
}

static void parse_two(const rf_call_result *r, uint64_t *a, uint64_t *b)
{
    char text[64];
    assert_true(r->output_len < sizeof text);
    memcpy(text, r->output, r->output_len);
    text[r->output_len] = '\0';
    unsigned long long x, y;
    assert_int_equal(sscanf(text, "%llu %llu", &x, &y), 2);
    *a = x;
    *b = y;
}

static void test_hostile_kernel_use(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    rf_plugin *p = open_plugin("hostile", &o);
    expect_output(p, "bad_handles", "", "survived");
    expect_output(p, "huge_alloc", "", "0 0 0");

    /* A wrapping output range: ignored, or a clear error; never a silently
     * empty success. */
    rf_call_result w = call(p, "output_wrap", "");
    if (w.ok && (w.output_len != 4 || memcmp(w.output, "kept", 4) != 0))
        fail_msg("output_set(h, 2^64-1) gave a successful call with output '%.*s'",
                 (int)w.output_len, (const char *)w.output);
    if (!w.ok && !strstr(w.error, "output"))
        fail_msg("output_set(h, 2^64-1): error '%s' does not mention the output", w.error);

    for (int i = 0; i < 3; i++) {
        rf_call_result r = call(p, "scribble", "");
        if (r.ok)   /* unspecified result, but the output must be readable */
            assert_true(r.output_len <= rf_plugin_get_stats(p).kernel_memory.current_bytes);
        expect_output(p, "bad_handles", "", "survived");   /* the reset repaired everything */
    }
    expect_failure(p, "bad_host_handles", "", -1, "invalid handle");

    /* Output: 4 MiB fits the 16 MiB budget, 20 MiB does not. */
    rf_call_result r = call(p, "big_output", "4194304");
    assert_true(r.ok);
    assert_int_equal(r.output_len, 4194304);
    for (size_t i = 0; i < r.output_len; i++)
        if (r.output[i] != (uint8_t)(7 * i + 3))
            fail_msg("big_output byte %zu is %u", i, r.output[i]);
    expect_failure(p, "big_output", "20971520", 1, "big_output: alloc(20971520) returned 0");
    expect_output(p, "huge_alloc", "", "0 0 0");
    rf_plugin_free(p);
}

static void test_hostile_memory(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    uint64_t init = initial_pages("hostile");
    char path[PATH_MAX];
    plugin_path(path, sizeof path, "hostile");

    /* Budget 16 MiB for the guest memory and the kernel together. */
    rf_plugin *p = open_plugin("hostile", &o);
    rf_call_result r = call(p, "bomb_report", "");
    assert_true(r.ok);
    uint64_t pages, bytes;
    parse_two(&r, &pages, &bytes);
    uint64_t guest = (init + pages) * 65536;
    if (guest > 16 * MIB || guest < 12 * MIB)
        fail_msg("memory.grow gave %llu pages (from %llu): %llu bytes for a 16 MiB budget",
                 (unsigned long long)pages, (unsigned long long)init, (unsigned long long)guest);
    assert_true(guest + bytes <= 16 * MIB);
    rf_plugin_stats st = rf_plugin_get_stats(p);
    assert_int_equal(st.budget_bytes, 16 * MIB);
    assert_true(st.in_use_bytes <= st.budget_bytes);
    assert_true(st.main_memory.refused_grows >= 1);
    assert_true(st.main_memory.current_bytes == guest);
    rf_plugin_free(p);

    /* The host cannot allocate config_get's value: "out of memory". */
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"config\":{\"k\":\"a value\"}}", path);
    expect_failure(p, "memory_bomb", "", -1, "out of memory");
    expect_output(p, "huge_alloc", "", "0 0 0");   /* the same plugin still works */
    rf_plugin_free(p);

    /* A smaller budget. */
    o.memory_limit = 4 * MIB;
    p = open_plugin("hostile", &o);
    r = call(p, "bomb_report", "");
    assert_true(r.ok);
    parse_two(&r, &pages, &bytes);
    assert_true((init + pages) * 65536 <= 4 * MIB);
    assert_true((init + pages) * 65536 + bytes <= 4 * MIB);
    assert_int_equal(rf_plugin_get_stats(p).budget_bytes, 4 * MIB);
    rf_plugin_free(p);
    o.memory_limit = 0;

    /* memory.max_pages caps the linear memory. */
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"memory\":{\"max_pages\":20}}", path);
    r = call(p, "bomb_report", "");
    assert_true(r.ok);
    parse_two(&r, &pages, &bytes);
    assert_int_equal(init + pages, 20);
    rf_plugin_free(p);

    /* Above the ceiling: refused at creation; a raised ceiling allows it. */
    o.memory_limit = 101 * MIB;
    rf_error err;
    memset(&err, 0, sizeof err);
    p = rf_plugin_new_from_file(path, &o, &err);
    assert_null(p);
    assert_true(err.message[0] != '\0');
    o.memory_ceiling = 200 * MIB;
    p = open_plugin("hostile", &o);
    expect_output(p, "huge_alloc", "", "0 0 0");
    assert_int_equal(rf_plugin_get_stats(p).budget_bytes, 101 * MIB);
    rf_plugin_free(p);
}

static void test_hostile_runaway(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    char path[PATH_MAX];
    plugin_path(path, sizeof path, "stack");

    /* Deep recursion: call stack exhausted, the plugin stays usable. */
    rf_plugin *p = open_plugin("stack", &o);
    expect_failure(p, "recurse", "", ANY_RC, "stack");
    expect_u64(p, "recurse_ok", "", 1000);
    expect_failure(p, "recurse", "", ANY_RC, "stack");
    expect_u64(p, "recurse_ok", "", 1000);
    rf_plugin_free(p);

    /* An endless loop, stopped by timeout_ms. */
    p = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"timeout_ms\":200}", path);
    double t0 = now_s();
    expect_failure(p, "loop_forever", "", -1, "timeout");
    double took = now_s() - t0;
    if (took < 0.15 || took > 10.0)
        fail_msg("the 200 ms timeout took %.3f s", took);
    expect_u64(p, "recurse_ok", "", 1000);
    rf_plugin_free(p);

    /* The same, stopped by rf_plugin_cancel from another thread (C code). */
    p = open_plugin("hostile", &o);
    cancel_job job = { .plugin = p, .delay_ms = 100 };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_later, &job), 0);
    expect_failure(p, "spin", "", -1, "timeout");
    pthread_join(t, NULL);
    expect_output(p, "huge_alloc", "", "0 0 0");
    rf_plugin_free(p);
}

/* Many hostile plugins in one process, then a normal one. */
static void test_hostile_then_normal(void **state)
{
    (void)state;
    rf_plugin_options o = default_options();
    char stack[PATH_MAX], path[PATH_MAX];
    plugin_path(stack, sizeof stack, "stack");
    plugin_path(path, sizeof path, "hostile");
    rf_plugin *hostile = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],"
                                           "\"config\":{\"k\":\"a longer value\"}}", path);
    rf_plugin *runaway = open_manifest(&o, "{\"wasm\":[{\"path\":\"%s\"}],\"timeout_ms\":50}",
                                       stack);
    rf_plugin *errors = open_plugin("errors", &o);
    for (int round = 0; round < 3; round++) {
        expect_output(hostile, "bad_handles", "", "survived");
        (void)call(hostile, "scribble", "");
        expect_failure(hostile, "memory_bomb", "", -1, "out of memory");
        expect_failure(runaway, "recurse", "", ANY_RC, "stack");
        expect_failure(runaway, "loop_forever", "", -1, "timeout");
        expect_failure(errors, "trap", "", 134, NULL);
        expect_failure(hostile, "big_output", "104857600", 1, NULL);
    }
    expect_create_failure("bad_import_type", &o, "alloc");
    rf_plugin_free(hostile);
    rf_plugin_free(runaway);
    rf_plugin_free(errors);

    rf_plugin *p = open_plugin("echo", &o);
    expect_output(p, "echo", "still alive", "still alive");
    expect_output(p, "count_vowels", "still alive",
                  "{\"count\":4,\"total\":4,\"vowels\":\"aeiouAEIOU\"}");
    rf_plugin_free(p);
}

/* ---- threads --------------------------------------------------------------------------- */

typedef struct thread_job {
    int id;
    int failures;
} thread_job;

/* Each thread has its own plugin: nothing may be shared by accident. */
static void *thread_main(void *arg)
{
    thread_job *j = arg;
    rf_plugin_options o = default_options();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/echo.wasm", plugin_dir);
    rf_error err;
    rf_plugin *p = rf_plugin_new_from_file(path, &o, &err);
    if (!p) {
        j->failures++;
        return NULL;
    }
    for (int i = 0; i < 500; i++) {
        char in[64];
        int n = snprintf(in, sizeof in, "thread %d call %d", j->id, i);
        rf_call_result r;
        if (!rf_plugin_call(p, "echo", (const uint8_t *)in, (size_t)n, &r) ||
            r.output_len != (size_t)n || memcmp(r.output, in, (size_t)n) != 0)
            j->failures++;
    }
    if (rf_plugin_get_stats(p).calls != 500)
        j->failures++;
    rf_plugin_free(p);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    enum { N = 4 };
    pthread_t t[N];
    thread_job jobs[N];
    for (int i = 0; i < N; i++) {
        jobs[i].id = i;
        jobs[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(jobs[i].failures, 0);
    }
}

/* ---- manifests from files ------------------------------------------------------------- */

static void test_manifest_file(void **state)
{
    (void)state;
    /* Relative paths resolve against the manifest's directory. */
    char manifest[PATH_MAX];
    assert_true(fixture_path(manifest, sizeof manifest, plugin_dir, "echo-manifest.json"));
    const char *json = "{\"wasm\":[{\"path\":\"echo.wasm\"}],\"config\":{\"k\":\"v\"}}";
    assert_true(fixture_write_file(manifest, json, strlen(json)));
    rf_plugin_options o = default_options();
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_plugin *p = rf_plugin_new_from_file(manifest, &o, &err);
    if (!p)
        fail_msg("manifest: %s", err.message);
    expect_output(p, "echo", "via manifest", "via manifest");
    rf_plugin_free(p);
    remove(manifest);

    /* A missing module file is named. */
    memset(&err, 0, sizeof err);
    p = rf_plugin_new_from_bytes((const uint8_t *)"{\"wasm\":[{\"path\":\"no-such.wasm\"}]}", 34,
                                 &o, &err);
    assert_null(p);
    assert_non_null(strstr(err.message, "no-such.wasm"));
}

int main(void)
{
    if (!fixture_make_dir("test-plugins", scratch, sizeof scratch))
        return 1;
    if (!fixture_path(plugin_dir, sizeof plugin_dir, scratch, "plugins") ||
        !fixture_build_plugins(plugin_dir, sizeof plugin_dir)) {
        fixture_remove_dir(scratch);
        return 1;
    }
    server = fixture_http_start();
    if (!server) {
        fixture_remove_dir(scratch);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_count_vowels_total),
        cmocka_unit_test(test_kernel_imports),
        cmocka_unit_test(test_error_rules),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_vars),
        cmocka_unit_test(test_logs),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_globals_and_ctors),
        cmocka_unit_test(test_init_order),
        cmocka_unit_test(test_linking),
        cmocka_unit_test(test_bad_imports),
        cmocka_unit_test(test_wasi_output),
        cmocka_unit_test(test_wasi_files),
        cmocka_unit_test(test_hostile_kernel_use),
        cmocka_unit_test(test_hostile_memory),
        cmocka_unit_test(test_hostile_runaway),
        cmocka_unit_test(test_hostile_then_normal),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_manifest_file),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fixture_http_stop(server);
    fixture_remove_dir(scratch);
    return failed;
}
