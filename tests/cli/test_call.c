/*
 * test_call.c — black-box tests of `reflow call` on the project's test
 * plugins (tests/plugin/plugins, built at test time; see plugin_fixture.h).
 *
 * usage: test_call COMMAND...
 *   COMMAND  how to start reflow: its path, optionally behind a wrapper
 *            (e.g. `valgrind --error-exitcode=99 ... path/to/reflow`)
 * Environment: RF_SOURCE_DIR (repository root, to build the plugins) or
 * RF_PLUGIN_DIR (plugins built already); CLANG, WAT2WASM for the build.
 *
 * Each test runs the command with its stdin, stdout and stderr redirected
 * to files of a private scratch directory and checks the exit status, the
 * exact stdout bytes (only the plugin's output may appear there) and
 * phrases on stderr. Expected values come from the plugin sources and the
 * Extism ABI, never from reflow's own output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "plugin_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_TIMEOUT_S 300   /* a hung child is killed and the test fails */

static char **command;      /* wrapper + reflow path */
static int command_len;
static char scratch[2048];
static char plugin_dir[2048];
static fixture_http *server;

typedef struct run_result {
    int status;             /* exit code, or 128 + signal */
    uint8_t *out;           /* NUL-terminated */
    size_t out_len;
    char *err;
    double seconds;
} run_result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void scratch_path(char *out, size_t cap, const char *name)
{
    assert_true(fixture_path(out, cap, scratch, name));
}

static void plugin(char *out, size_t cap, const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "%s.wasm", name);
    assert_true(fixture_path(out, cap, plugin_dir, file));
}

/* Run reflow with `args` (NULL-terminated) and `stdin_data` on stdin. */
static run_result run_in(const void *stdin_data, size_t stdin_len, const char *const *args)
{
    char in_path[PATH_MAX], out_path[PATH_MAX], err_path[PATH_MAX];
    scratch_path(in_path, sizeof in_path, "stdin");
    scratch_path(out_path, sizeof out_path, "stdout");
    scratch_path(err_path, sizeof err_path, "stderr");
    assert_true(fixture_write_file(in_path, stdin_data ? stdin_data : "", stdin_len));

    int nargs = 0;
    while (args[nargs])
        nargs++;
    char **argv = calloc((size_t)(command_len + nargs + 2), sizeof *argv);
    assert_non_null(argv);
    for (int i = 0; i < command_len; i++)
        argv[i] = command[i];
    argv[command_len] = (char *)"call";
    for (int i = 0; i < nargs; i++)
        argv[command_len + 1 + i] = (char *)args[i];

    fflush(stdout);
    fflush(stderr);
    double t0 = now_s();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fi = open(in_path, O_RDONLY);
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fi < 0 || fo < 0 || fe < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(126);
        close(fi);
        close(fo);
        close(fe);
        execvp(argv[0], argv);
        _exit(127);
    }
    free(argv);
    int wstatus = 0;
    for (;;) {
        pid_t w = waitpid(pid, &wstatus, WNOHANG);
        if (w == pid)
            break;
        assert_true(w == 0 || errno == EINTR);
        if (now_s() - t0 > RUN_TIMEOUT_S) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            fail_msg("reflow call did not finish within %d s", RUN_TIMEOUT_S);
        }
        struct timespec ts = { .tv_sec = 0, .tv_nsec = 5000000 };
        nanosleep(&ts, NULL);
    }
    run_result r;
    r.seconds = now_s() - t0;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    size_t err_len;
    assert_true(fixture_read_file(out_path, &r.out, &r.out_len));
    assert_true(fixture_read_file(err_path, (uint8_t **)&r.err, &err_len));
    return r;
}

#define RUN(...) run_in(NULL, 0, (const char *const[]){ __VA_ARGS__, NULL })

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle))
        fail_msg("did not expect \"%s\" in:\n%s", needle, haystack);
}

/* Exit 0, stdout exactly `want`, nothing on stderr. */
static void assert_output(const run_result *r, const char *want)
{
    if (r->status != 0)
        fail_msg("exit status %d, stderr:\n%s", r->status, r->err);
    if (r->out_len != strlen(want) || memcmp(r->out, want, r->out_len) != 0)
        fail_msg("stdout '%s', expected '%s'", (const char *)r->out, want);
}

static void assert_failed(const run_result *r, int status, const char *err_part)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d; stderr:\n%s", r->status, status, r->err);
    if (err_part)
        assert_contains(r->err, err_part);
}

/* ---- output and input ------------------------------------------------------------- */

static void test_echo_exact(void **state)
{
    (void)state;
    char echo[PATH_MAX];
    plugin(echo, sizeof echo, "echo");
    run_result r = RUN(echo, "echo", "--input", "hello");
    assert_output(&r, "hello");
    assert_string_equal(r.err, "");
    run_free(&r);

    /* Options anywhere, and the --name=value form. */
    r = RUN("--input=before the operands", echo, "echo");
    assert_output(&r, "before the operands");
    run_free(&r);
    r = RUN(echo, "-i", "short option", "echo");
    assert_output(&r, "short option");
    run_free(&r);
    r = RUN(echo, "echo", "--input", "--looks-like-an-option");
    assert_output(&r, "--looks-like-an-option");
    run_free(&r);
    r = RUN(echo, "echo");   /* no input: empty */
    assert_output(&r, "");
    run_free(&r);
    r = RUN(echo, "nothing", "--input", "x");
    assert_output(&r, "");
    assert_string_equal(r.err, "");
    run_free(&r);
}

static void test_binary_input(void **state)
{
    (void)state;
    char echo[PATH_MAX], file[PATH_MAX];
    plugin(echo, sizeof echo, "echo");
    scratch_path(file, sizeof file, "binary.in");
    size_t n = 200000;
    uint8_t *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 37 + (i >> 8));   /* NULs, newlines, high bytes */
    assert_true(fixture_write_file(file, data, n));

    run_result r = RUN(echo, "echo", "--input-file", file);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, n);
    assert_memory_equal(r.out, data, n);
    run_free(&r);

    r = run_in(data, n, (const char *const[]){ echo, "echo_direct", "--input-file", "-", NULL });
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, n);
    assert_memory_equal(r.out, data, n);
    run_free(&r);
    free(data);

    char missing[PATH_MAX];
    scratch_path(missing, sizeof missing, "no-such-input");
    r = RUN(echo, "echo", "--input-file", missing);
    assert_failed(&r, 1, "no-such-input");
    assert_int_equal(r.out_len, 0);
    run_free(&r);
}

static void test_loop(void **state)
{
    (void)state;
    char echo[PATH_MAX], config[PATH_MAX], globals[PATH_MAX];
    plugin(echo, sizeof echo, "echo");
    plugin(config, sizeof config, "config");
    plugin(globals, sizeof globals, "globals");
    run_result r = RUN(echo, "count_vowels", "--input", "this is a test", "--loop", "3");
    assert_output(&r, "{\"count\":4,\"total\":4,\"vowels\":\"aeiouAEIOU\"}"
                      "{\"count\":4,\"total\":8,\"vowels\":\"aeiouAEIOU\"}"
                      "{\"count\":4,\"total\":12,\"vowels\":\"aeiouAEIOU\"}");
    run_free(&r);

    r = RUN(config, "counter", "--loop", "5");   /* vars persist across calls */
    assert_output(&r, "12345");
    run_free(&r);

    r = RUN(globals, "next", "--loop", "3");     /* so do globals; the ctor ran once */
    assert_output(&r, "101102103");
    run_free(&r);

    /* --stats: on stderr, after the run. */
    r = RUN(echo, "echo", "--input", "ab", "--loop", "4", "--stats");
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, 8);
    assert_memory_equal(r.out, "abababab", 8);
    assert_contains(r.err, "calls=4");
    assert_contains(r.err, "instantiations=1");
    assert_contains(r.err, "budget_bytes=16777216");
    assert_contains(r.err, "kernel_memory");
    run_free(&r);

    /* A failure stops the loop. */
    char errors[PATH_MAX];
    plugin(errors, sizeof errors, "errors");
    r = RUN(errors, "rc_only", "--loop", "3");
    assert_failed(&r, 1, "7");
    assert_contains(r.err, "call 1 of 3");
    run_free(&r);
}

/* ---- failures ------------------------------------------------------------------------ */

static void test_call_failures(void **state)
{
    (void)state;
    char errors[PATH_MAX];
    plugin(errors, sizeof errors, "errors");
    run_result r = RUN(errors, "error_rc1");
    assert_failed(&r, 1, "reflow: error: Some error message (rc 1)");
    assert_int_equal(r.out_len, 0);
    run_free(&r);

    r = RUN(errors, "error_rc0");
    assert_failed(&r, 1, "reflow: error: error with rc 0\n");
    run_free(&r);

    r = RUN(errors, "rc_only");
    assert_failed(&r, 1, "7\n");
    assert_int_equal(r.out_len, 0);
    run_free(&r);

    r = RUN(errors, "trap");
    assert_failed(&r, 1, "(rc 134)");
    assert_contains(r.err, "unreachable");
    run_free(&r);

    r = RUN(errors, "error_empty");
    assert_output(&r, "no error");
    run_free(&r);

    r = RUN(errors, "no_such_function");
    assert_failed(&r, 1, "no_such_function");
    run_free(&r);
}

static void test_load_failures(void **state)
{
    (void)state;
    char path[PATH_MAX];
    scratch_path(path, sizeof path, "missing.wasm");
    run_result r = RUN(path, "f");
    assert_failed(&r, 1, "missing.wasm");
    run_free(&r);

    scratch_path(path, sizeof path, "garbage.wasm");
    assert_true(fixture_write_file(path, "\0asm\x01\0\0\0\xff", 9));
    r = RUN(path, "f");
    assert_failed(&r, 1, "garbage.wasm");
    run_free(&r);

    scratch_path(path, sizeof path, "broken.json");
    assert_true(fixture_write_file(path, "{\"wasm\": [", 10));
    r = RUN(path, "f");
    assert_failed(&r, 1, "broken.json");
    run_free(&r);

    plugin(path, sizeof path, "bad_import_name");
    r = RUN(path, "run");
    assert_failed(&r, 1, "no_such_function");
    run_free(&r);

    plugin(path, sizeof path, "wasi_io");   /* needs --wasi */
    r = RUN(path, "print");
    assert_failed(&r, 1, "wasi_snapshot_preview1");
    run_free(&r);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char echo[PATH_MAX];
    plugin(echo, sizeof echo, "echo");
    static const char *const bad[][6] = {
        { NULL },
        { "only-one", NULL },
        { "a.wasm", "f", "extra", NULL },
        { "a.wasm", "f", "--bogus", NULL },
        { "a.wasm", "f", "--loop", "0", NULL },
        { "a.wasm", "f", "--loop", "x", NULL },
        { "a.wasm", "f", "--config", "=v", NULL },
        { "a.wasm", "f", "--log-level", "loud", NULL },
        { "a.wasm", "f", "--memory-limit-mb", "0", NULL },
        { "a.wasm", "f", "--memory-max", "65537", NULL },
        { "a.wasm", "f", "--allow-path", "ro:", NULL },
        { "a.wasm", "f", "--link", "=x.wasm", NULL },
        { "a.wasm", "f", "--timeout", NULL },
        { "a.wasm", "f", "--input", "x", "--input", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_result r = run_in(NULL, 0, bad[i]);
        if (r.status != 2)
            fail_msg("case %zu: exit %d, expected 2; stderr:\n%s", i, r.status, r.err);
        assert_contains(r.err, "usage: reflow call");
        assert_int_equal(r.out_len, 0);
        run_free(&r);
    }

    run_result r = RUN(echo, "echo", "--input", "x", "--input-file", "y");
    assert_failed(&r, 2, "cannot be used together");
    run_free(&r);

    r = RUN(echo, "echo", "--memory-limit-mb", "101");
    assert_failed(&r, 2, "--memory-ceiling-mb");
    run_free(&r);
    r = RUN(echo, "echo", "--memory-limit-mb", "100", "-i", "ok", "--stats");   /* inclusive */
    assert_int_equal(r.status, 0);
    assert_contains(r.err, "budget_bytes=104857600");
    run_free(&r);
    r = RUN(echo, "echo", "--memory-limit-mb", "101", "--memory-ceiling-mb", "200", "-i", "ok",
            "--stats");
    assert_int_equal(r.status, 0);
    assert_contains(r.err, "budget_bytes=105906176");
    run_free(&r);

    r = RUN("--help");
    assert_int_equal(r.status, 0);
    assert_contains((const char *)r.out, "usage: reflow call");
    run_free(&r);
}

/* ---- configuration, logs, HTTP, WASI -------------------------------------------------- */

static void test_config_and_manifest(void **state)
{
    (void)state;
    char config[PATH_MAX];
    plugin(config, sizeof config, "config");
    run_result r = RUN(config, "config", "--config", "greeting=hi=there", "--input", "greeting");
    assert_output(&r, "hi=there");
    run_free(&r);
    r = RUN(config, "config", "--config", "flag", "--input", "flag");   /* bare: "" */
    assert_output(&r, "(none)");
    run_free(&r);
    r = RUN(config, "config", "--config", "a=1", "--config", "a=2", "--input", "a");
    assert_output(&r, "2");
    run_free(&r);
    /* Keys are bytes: one that is not UTF-8 works as well. */
    r = RUN(config, "config", "--config", "\xff\xfek=bytes", "--input", "\xff\xfek");
    assert_output(&r, "bytes");
    run_free(&r);

    /* A manifest next to its module (relative path); flags win. */
    char manifest[PATH_MAX];
    assert_true(fixture_path(manifest, sizeof manifest, plugin_dir, "config-manifest.json"));
    const char *json = "{\"wasm\":[{\"path\":\"config.wasm\"}],"
                       "\"config\":{\"greeting\":\"from manifest\",\"other\":\"kept\"}}";
    assert_true(fixture_write_file(manifest, json, strlen(json)));
    r = RUN(manifest, "config", "--input", "greeting");
    assert_output(&r, "from manifest");
    run_free(&r);
    r = RUN(manifest, "config", "--input", "greeting", "--config", "greeting=from flag");
    assert_output(&r, "from flag");
    run_free(&r);
    r = RUN(manifest, "config", "--input", "other", "--config", "greeting=from flag");
    assert_output(&r, "kept");
    run_free(&r);
    remove(manifest);

    /* --var-max 0 disables var_set. */
    r = RUN(config, "var_put", "--input", "a=b", "--var-max", "0");
    assert_failed(&r, 1, "Vars are disabled");
    run_free(&r);
}

static void test_logs(void **state)
{
    (void)state;
    char logs[PATH_MAX];
    plugin(logs, sizeof logs, "logs");
    run_result r = RUN(logs, "log_all");   /* default level: error */
    assert_output(&r, "4");
    assert_contains(r.err, "error message from logs");
    assert_lacks(r.err, "warn message");
    run_free(&r);

    r = RUN(logs, "log_all", "--log-level", "trace");
    assert_output(&r, "0");
    static const char *const levels[] = { "trace", "debug", "info", "warn", "error" };
    for (int i = 0; i < 5; i++) {
        char line[128];
        snprintf(line, sizeof line, "[logs] %s: %s message from logs\n", levels[i], levels[i]);
        assert_contains(r.err, line);
    }
    run_free(&r);

    r = RUN(logs, "log_all", "--log-level", "warn");
    assert_output(&r, "3");
    assert_contains(r.err, "warn message from logs");
    assert_lacks(r.err, "info message");
    run_free(&r);

    r = RUN(logs, "log_all", "--log-level", "off");
    assert_output(&r, "2147483647");
    assert_string_equal(r.err, "");
    run_free(&r);
}

static void test_http(void **state)
{
    (void)state;
    char http[PATH_MAX], url[256];
    plugin(http, sizeof http, "http");
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hello", (unsigned)fixture_http_port(server));
    unsigned before = fixture_http_requests(server);
    run_result r = RUN(http, "http_get", "--input", url);
    assert_failed(&r, 1, "not allowed");
    run_free(&r);
    assert_int_equal(fixture_http_requests(server), before);

    r = RUN(http, "http_get", "--input", url, "--allow-host", "127.0.0.1");
    assert_output(&r, "200 hello from loopback");
    run_free(&r);
    r = RUN(http, "http_get", "--input", url, "--allow-host", "example.org",
            "--allow-host", "127.*");
    assert_output(&r, "200 hello from loopback");
    run_free(&r);

    r = RUN(http, "http_headers", "--input", url, "--allow-host", "127.0.0.1");
    assert_output(&r, "(none)");
    run_free(&r);
    r = RUN(http, "http_headers", "--input", url, "--allow-host", "127.0.0.1",
            "--enable-http-response-headers");
    assert_int_equal(r.status, 0);
    assert_contains((const char *)r.out, "\"x-reply\"");
    run_free(&r);
    assert_int_equal(fixture_http_requests(server), before + 4);

    char big[256];
    snprintf(big, sizeof big, "http://127.0.0.1:%u/big/1000", (unsigned)fixture_http_port(server));
    r = RUN(http, "http_get", "--input", big, "--allow-host", "127.0.0.1",
            "--http-response-max", "999");
    assert_failed(&r, 1, "999");
    run_free(&r);
}

static void test_wasi(void **state)
{
    (void)state;
    char wasi[PATH_MAX];
    plugin(wasi, sizeof wasi, "wasi_io");
    run_result r = RUN(wasi, "print", "--wasi");
    assert_output(&r, "printed");   /* WASI output never reaches stdout */
    assert_contains(r.err, "[wasi_io] stdout: stdout line 1\n");
    assert_contains(r.err, "[wasi_io] stdout: stdout line 2\n");
    assert_contains(r.err, "[wasi_io] stderr: stderr line 1\n");
    assert_contains(r.err, "no newline at the end\n");
    run_free(&r);

    r = RUN(wasi, "exit_with", "--wasi", "--input", "3");
    assert_failed(&r, 1, "3\n");
    run_free(&r);
    r = RUN(wasi, "exit_with", "--wasi", "--input", "0");
    assert_output(&r, "before exit");
    run_free(&r);

    /* Files: only under --allow-path. */
    char dir[PATH_MAX], file[PATH_MAX], mount[PATH_MAX + 16], guest_file[PATH_MAX + 16];
    scratch_path(dir, sizeof dir, "mnt");
    assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
    assert_true(fixture_path(file, sizeof file, dir, "hello.txt"));
    assert_true(fixture_write_file(file, "hello file", 10));

    r = RUN(wasi, "read_file", "--wasi", "--input", "/data/hello.txt");
    assert_failed(&r, 1, "cannot open /data/hello.txt");
    run_free(&r);

    snprintf(mount, sizeof mount, "%s:/data", dir);
    r = RUN(wasi, "read_file", "--wasi", "--input", "/data/hello.txt", "--allow-path", mount);
    assert_output(&r, "hello file");
    run_free(&r);
    r = RUN(wasi, "read_file", "--wasi", "--input", "/data/../hello.txt", "--allow-path", mount);
    assert_failed(&r, 1, "cannot open");
    run_free(&r);

    /* A plain path mounts at the same guest path. */
    r = RUN(wasi, "read_file", "--wasi", "--input", file, "--allow-path", dir);
    assert_output(&r, "hello file");
    run_free(&r);

    snprintf(guest_file, sizeof guest_file, "/data/new.txt\nnew contents");
    r = RUN(wasi, "write_file", "--wasi", "--input", guest_file, "--allow-path", mount);
    assert_output(&r, "wrote 12");
    run_free(&r);
    snprintf(mount, sizeof mount, "ro:%s:/data", dir);
    r = RUN(wasi, "write_file", "--wasi", "--input", "/data/other.txt\nx", "--allow-path", mount);
    assert_failed(&r, 1, "cannot write /data/other.txt");
    run_free(&r);
    r = RUN(wasi, "read_file", "--wasi", "--input", "/data/new.txt", "--allow-path", mount);
    assert_output(&r, "new contents");
    run_free(&r);
}

/* ---- limits and hostile plugins --------------------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    char stack[PATH_MAX], hostile[PATH_MAX];
    plugin(stack, sizeof stack, "stack");
    plugin(hostile, sizeof hostile, "hostile");

    run_result r = RUN(stack, "loop_forever", "--timeout", "200");
    assert_failed(&r, 1, "timeout");
    if (r.seconds > 60)
        fail_msg("a 200 ms timeout took %.1f s", r.seconds);
    run_free(&r);

    r = RUN(stack, "recurse");
    assert_failed(&r, 1, "stack");
    run_free(&r);

    r = RUN(hostile, "memory_bomb", "--config", "k=a longer value");
    assert_failed(&r, 1, "out of memory");
    run_free(&r);

    r = RUN(hostile, "big_output", "--input", "20971520");
    assert_failed(&r, 1, "big_output: alloc(20971520) returned 0 (rc 1)");
    run_free(&r);
    r = RUN(hostile, "big_output", "--input", "20971520", "--memory-limit-mb", "64");
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, 20971520);
    for (size_t i = 0; i < r.out_len; i += 4099)
        assert_int_equal(r.out[i], (uint8_t)(7 * i + 3));
    run_free(&r);

    /* --memory-max caps the linear memory (here 20 pages in all). */
    r = RUN(hostile, "bomb_report", "--memory-max", "20");
    assert_int_equal(r.status, 0);
    unsigned long long pages, blocks;
    assert_int_equal(sscanf((const char *)r.out, "%llu %llu", &pages, &blocks), 2);
    assert_true(pages > 0 && pages < 20);
    run_free(&r);

    r = RUN(hostile, "bad_handles");
    assert_output(&r, "survived");
    run_free(&r);
    r = RUN(hostile, "huge_alloc");
    assert_output(&r, "0 0 0");
    run_free(&r);
}

static void test_link(void **state)
{
    (void)state;
    char lib[PATH_MAX], main_path[PATH_MAX], link[PATH_MAX + 8];
    plugin(lib, sizeof lib, "link_lib");
    plugin(main_path, sizeof main_path, "link_main");
    snprintf(link, sizeof link, "lib=%s", lib);
    run_result r = RUN(main_path, "run", "--link", link);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, 8);
    assert_memory_equal(r.out, "\x2a\0\0\0\0\0\0\0", 8);
    run_free(&r);

    /* PATH alone: the name is the file name without extension. */
    char copy[PATH_MAX];
    scratch_path(copy, sizeof copy, "lib.wasm");
    uint8_t *bytes;
    size_t len;
    assert_true(fixture_read_file(lib, &bytes, &len));
    assert_true(fixture_write_file(copy, bytes, len));
    free(bytes);
    r = RUN(main_path, "len", "--link", copy, "--input", "abcd");
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, 8);
    assert_memory_equal(r.out, "\xec\x03\0\0\0\0\0\0", 8);   /* 1004 */
    run_free(&r);

    r = RUN(main_path, "run");   /* no library: unresolved import */
    assert_failed(&r, 1, "add_one");
    run_free(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_call COMMAND...\n");
        return 2;
    }
    command = argv + 1;
    command_len = argc - 1;
    if (!fixture_make_dir("test-call", scratch, sizeof scratch))
        return 1;
    bool built = fixture_path(plugin_dir, sizeof plugin_dir, scratch, "plugins") &&
                 fixture_build_plugins(plugin_dir, sizeof plugin_dir);
    server = built ? fixture_http_start() : NULL;
    if (!server) {
        fixture_remove_dir(scratch);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_exact),
        cmocka_unit_test(test_binary_input),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_call_failures),
        cmocka_unit_test(test_load_failures),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_config_and_manifest),
        cmocka_unit_test(test_logs),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_wasi),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_link),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fixture_http_stop(server);
    fixture_remove_dir(scratch);
    return failed ? 1 : 0;
}
