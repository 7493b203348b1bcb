/*
 * test_cli.c — black-box tests of the `reflow` command.
 *
 * usage: test_cli DATA_DIR COMMAND...
 *   DATA_DIR  directory with the modules assembled from tests/cli/data/NAME.wat
 *   COMMAND   how to start reflow: its path, optionally behind a wrapper
 *             (e.g. `valgrind --error-exitcode=99 ... path/to/reflow`)
 *
 * Each test runs the command with arguments, capturing exit status, stdout
 * and stderr in files of a private scratch directory inside DATA_DIR, and
 * checks them against facts written by hand in the .wat sources (never
 * against output produced by reflow itself). --json output is parsed with
 * jansson and checked field by field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Set once in main from the command line; read-only while tests run. */
static const char *data_dir;
static char **command;      /* wrapper + reflow path */
static int command_len;
static char scratch[4096];  /* private directory for outputs and generated files */

typedef struct run_result {
    int status;             /* exit code, or 128 + signal */
    char *out;
    char *err;
} run_result;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void path_in(char *dst, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(dst, cap, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Run reflow with the given arguments (NULL-terminated). */
static run_result run_args(const char *const *args)
{
    char out_path[4200], err_path[4200];
    path_in(out_path, sizeof out_path, scratch, "stdout");
    path_in(err_path, sizeof err_path, scratch, "stderr");

    int nargs = 0;
    while (args[nargs])
        nargs++;
    char **argv = calloc((size_t)(command_len + nargs + 1), sizeof *argv);
    assert_non_null(argv);
    for (int i = 0; i < command_len; i++)
        argv[i] = command[i];
    for (int i = 0; i < nargs; i++)
        argv[command_len + i] = (char *)args[i];

    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(126);
        close(fo);
        close(fe);
        execvp(argv[0], argv);
        _exit(127);
    }
    free(argv);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0)
        assert_int_equal(errno, EINTR);
    run_result r;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

#define RUN(...) run_args((const char *const[]){ __VA_ARGS__, NULL })

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

/* Path of a module assembled from tests/cli/data. */
static void data_path(char *dst, size_t cap, const char *name)
{
    path_in(dst, cap, data_dir, name);
}

static void write_bytes(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

/* ---- global options and dispatch ------------------------------------------- */

static void test_help(void **state)
{
    (void)state;
    run_result r = RUN("--help");
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "usage: reflow <command>");
    assert_contains(r.out, "validate");
    assert_contains(r.out, "inspect");
    assert_string_equal(r.err, "");
    run_free(&r);
}

static void test_version(void **state)
{
    (void)state;
    run_result r = RUN("--version");
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "reflow ", 7) == 0);
    assert_true(r.out[7] >= '0' && r.out[7] <= '9');
    assert_string_equal(r.err, "");
    run_free(&r);
}

static void test_no_arguments(void **state)
{
    (void)state;
    run_result r = run_args((const char *const[]){ NULL });
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "usage: reflow");
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void test_unknown_command_and_option(void **state)
{
    (void)state;
    run_result r = RUN("frobnicate");
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown command 'frobnicate'");
    assert_contains(r.err, "usage: reflow");
    run_free(&r);

    r = RUN("--frob");
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown option '--frob'");
    run_free(&r);
}

static void test_help_command(void **state)
{
    (void)state;
    run_result r = RUN("help", "validate");
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "usage: reflow validate FILE.wasm");
    run_free(&r);

    r = RUN("help", "inspect");
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "usage: reflow inspect FILE.wasm [--json]");
    run_free(&r);

    r = RUN("help");
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "usage: reflow <command>");
    run_free(&r);

    r = RUN("help", "nosuch");
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown command 'nosuch'");
    run_free(&r);

    r = RUN("inspect", "--help");
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "usage: reflow inspect");
    run_free(&r);
}

/* ---- validate ------------------------------------------------------------- */

static void test_validate_usage_errors(void **state)
{
    (void)state;
    run_result r = RUN("validate");
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "missing FILE");
    assert_contains(r.err, "usage: reflow validate");
    assert_string_equal(r.out, "");
    run_free(&r);

    char full[4200];
    data_path(full, sizeof full, "full.wasm");
    r = RUN("validate", "--strict", full);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown option '--strict'");
    run_free(&r);

    r = RUN("validate", full, full);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "expected one file");
    run_free(&r);
}

static void test_validate_valid_modules(void **state)
{
    (void)state;
    static const char *const names[] = { "full.wasm", "memory.wasm", "nomax.wasm",
                                         "minimal.wasm" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4200];
        data_path(path, sizeof path, names[i]);
        run_result r = RUN("validate", path);
        if (r.status != 0)
            fail_msg("%s: exit %d, stderr: %s", names[i], r.status, r.err);
        assert_string_equal(r.out, "ok\n");
        assert_string_equal(r.err, "");
        run_free(&r);
    }
}

static void test_validate_unreadable(void **state)
{
    (void)state;
    char missing[4200];
    path_in(missing, sizeof missing, scratch, "does-not-exist.wasm");
    run_result r = RUN("validate", missing);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, missing);
    assert_contains(r.err, "cannot open");
    assert_string_equal(r.out, "");
    run_free(&r);

    r = RUN("validate", scratch);   /* a directory */
    assert_int_equal(r.status, 1);
    assert_contains(r.err, scratch);
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void expect_rejected(const char *file_name, const uint8_t *bytes, size_t len,
                            const char *kind)
{
    char path[4200];
    path_in(path, sizeof path, scratch, file_name);
    write_bytes(path, bytes, len);
    run_result r = RUN("validate", path);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, path);
    assert_contains(r.err, kind);
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void test_validate_malformed(void **state)
{
    (void)state;
    static const uint8_t bad_magic[] = { 0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00 };
    static const uint8_t bad_version[] = { 0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00 };
    static const uint8_t truncated[] = { 0x00, 0x61, 0x73 };
    /* A type section that claims 5 bytes but the module ends after 1. */
    static const uint8_t short_section[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                             0x01, 0x05, 0x01 };
    expect_rejected("bad_magic.wasm", bad_magic, sizeof bad_magic, "malformed");
    expect_rejected("bad_version.wasm", bad_version, sizeof bad_version, "malformed");
    expect_rejected("truncated.wasm", truncated, sizeof truncated, "malformed");
    expect_rejected("short_section.wasm", short_section, sizeof short_section, "malformed");
    expect_rejected("empty.wasm", bad_magic, 0, "malformed");
}

static void test_validate_invalid(void **state)
{
    (void)state;
    char path[4200];
    data_path(path, sizeof path, "type_mismatch.invalid.wasm");
    run_result r = RUN("validate", path);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, path);
    assert_contains(r.err, "invalid");
    assert_string_equal(r.out, "");
    run_free(&r);
}

/* ---- inspect (text) --------------------------------------------------------- */

static void test_inspect_text_full(void **state)
{
    (void)state;
    char path[4200];
    data_path(path, sizeof path, "full.wasm");
    run_result r = RUN("inspect", path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    const char *o = r.out;
    assert_contains(o, "module name: full\n");
    assert_contains(o, "functions: 3 (1 imported, 2 defined)\n");
    assert_contains(o, "start: func 2 <init>\n");
    assert_contains(o, "imports (4):\n"
                       "  env.log: func (i32) -> ()\n"
                       "  env.memory: memory pages min=1 max=4 (bytes min=65536 max=262144)\n"
                       "  env.table: table funcref elements min=2 max=none\n"
                       "  env.base: global const i32\n");
    assert_contains(o, "exports (4):\n");
    assert_contains(o, "  add: func 1 (i32, i32) -> (i32)\n");
    assert_contains(o, "  counter: global 1 mut i64\n");
    assert_contains(o, "  refs: table 1 externref elements min=0 max=5\n");
    assert_contains(o, "  memory: memory 0 pages min=1 max=4");
    assert_contains(o, "memories (1):\n"
                       "  0: pages min=1 max=4 (bytes min=65536 max=262144), imported\n");
    assert_contains(o, "tables (2):\n"
                       "  0: funcref elements min=2 max=none, imported\n"
                       "  1: externref elements min=0 max=5\n");
    assert_contains(o, "globals (3):\n"
                       "  0: const i32, imported\n"
                       "  1: mut i64\n"
                       "  2: const f32\n");
    assert_contains(o, "custom sections (1):\n  name: ");
    assert_contains(o, "function names (3):\n"
                       "  0: log\n"
                       "  1: add\n"
                       "  2: init\n");
    run_free(&r);
}

static void test_inspect_text_memories(void **state)
{
    (void)state;
    char path[4200];
    data_path(path, sizeof path, "memory.wasm");
    run_result r = RUN("inspect", path);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "memories (1):\n"
                           "  0: pages min=2 max=10 (bytes min=131072 max=655360)\n");
    assert_contains(r.out, "  mem: memory 0 pages min=2 max=10");
    assert_contains(r.out, "start: none\n");
    assert_contains(r.out, "segments: 0 element, 1 data\n");
    run_free(&r);

    data_path(path, sizeof path, "nomax.wasm");
    r = RUN("inspect", path);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "  0: pages min=1 max=none (bytes min=65536 max=none)\n");
    assert_contains(r.out, "  pi: global 0 const f64\n");
    run_free(&r);
}

/* Custom sections with an ordinary, an empty and an awkward name; no name
 * section, so no function names. */
static const uint8_t custom_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x0c, 0x05, 'h', 'e', 'l', 'l', 'o', 'w', 'o', 'r', 'l', 'd', '!', /* @0x08 */
    0x00, 0x02, 0x00, 0x7a,                                                  /* @0x16 */
    0x00, 0x04, 0x03, 'a', '"', 'b',                                         /* @0x1a */
};

static void test_inspect_custom_sections(void **state)
{
    (void)state;
    char path[4200];
    path_in(path, sizeof path, scratch, "custom.wasm");
    write_bytes(path, custom_module, sizeof custom_module);
    run_result r = RUN("inspect", path);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "custom sections (3):\n"
                           "  hello: 6 bytes at offset 0x8\n"
                           "  \"\": 1 bytes at offset 0x16\n"
                           "  a\\x22b: 0 bytes at offset 0x1a\n");
    assert_contains(r.out, "function names (0):\n");
    assert_contains(r.out, "functions: 0 (0 imported, 0 defined)\n");
    assert_true(strstr(r.out, "module name:") == NULL);
    run_free(&r);

    r = RUN("inspect", "--json", path);
    assert_int_equal(r.status, 0);
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr);
    if (!root)
        fail_msg("bad JSON (%s, line %d):\n%s", jerr.text, jerr.line, r.out);
    json_t *cs = json_object_get(root, "custom_sections");
    assert_int_equal(json_array_size(cs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 0), "name")),
                        "hello");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(cs, 0), "size")), 6);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(cs, 1), "offset")), 0x16);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 2), "name")),
                        "a\"b");
    assert_true(json_is_null(json_object_get(root, "name")));
    assert_true(json_is_null(json_object_get(root, "start")));
    json_decref(root);
    run_free(&r);
}

/* ---- inspect --json ---------------------------------------------------------- */

static json_t *inspect_json(const char *name, run_result *r)
{
    char path[4200];
    data_path(path, sizeof path, name);
    *r = RUN("inspect", path, "--json");   /* flags may follow the file */
    if (r->status != 0)
        fail_msg("inspect --json %s: exit %d: %s", name, r->status, r->err);
    assert_string_equal(r->err, "");
    json_error_t jerr;
    json_t *root = json_loads(r->out, 0, &jerr);
    if (!root)
        fail_msg("bad JSON (%s, line %d):\n%s", jerr.text, jerr.line, r->out);
    assert_true(json_is_object(root));
    return root;
}

static json_int_t int_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static const char *str_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(v);
}

static void test_inspect_json_full(void **state)
{
    (void)state;
    run_result r;
    json_t *root = inspect_json("full.wasm", &r);

    assert_string_equal(str_at(root, "name"), "full");
    json_t *funcs = json_object_get(root, "functions");
    assert_int_equal(int_at(funcs, "total"), 3);
    assert_int_equal(int_at(funcs, "imported"), 1);
    assert_int_equal(int_at(funcs, "defined"), 2);
    json_t *start = json_object_get(root, "start");
    assert_int_equal(int_at(start, "index"), 2);
    assert_string_equal(str_at(start, "name"), "init");

    json_t *imports = json_object_get(root, "imports");
    assert_int_equal(json_array_size(imports), 4);
    json_t *log = json_array_get(imports, 0);
    assert_string_equal(str_at(log, "module"), "env");
    assert_string_equal(str_at(log, "name"), "log");
    assert_string_equal(str_at(log, "kind"), "func");
    json_t *params = json_object_get(json_object_get(log, "type"), "params");
    assert_int_equal(json_array_size(params), 1);
    assert_string_equal(json_string_value(json_array_get(params, 0)), "i32");
    assert_int_equal(json_array_size(json_object_get(json_object_get(log, "type"), "results")), 0);
    json_t *mem = json_array_get(imports, 1);
    assert_string_equal(str_at(mem, "kind"), "memory");
    json_t *lim = json_object_get(mem, "limits");
    assert_int_equal(int_at(lim, "min_pages"), 1);
    assert_int_equal(int_at(lim, "max_pages"), 4);
    assert_int_equal(int_at(lim, "min_bytes"), 65536);
    assert_int_equal(int_at(lim, "max_bytes"), 4 * 65536);
    json_t *table = json_array_get(imports, 2);
    assert_string_equal(str_at(table, "elem"), "funcref");
    assert_int_equal(int_at(json_object_get(table, "limits"), "min"), 2);
    assert_true(json_is_null(json_object_get(json_object_get(table, "limits"), "max")));
    json_t *base = json_array_get(imports, 3);
    assert_string_equal(str_at(base, "type"), "i32");
    assert_true(json_is_false(json_object_get(base, "mutable")));

    json_t *exports = json_object_get(root, "exports");
    assert_int_equal(json_array_size(exports), 4);
    json_t *add = json_array_get(exports, 0);
    assert_string_equal(str_at(add, "name"), "add");
    assert_string_equal(str_at(add, "kind"), "func");
    assert_int_equal(int_at(add, "index"), 1);
    assert_int_equal(json_array_size(json_object_get(json_object_get(add, "type"), "params")), 2);
    json_t *counter = json_array_get(exports, 1);
    assert_string_equal(str_at(counter, "kind"), "global");
    assert_true(json_is_true(json_object_get(counter, "mutable")));

    json_t *tables = json_object_get(root, "tables");
    assert_int_equal(json_array_size(tables), 2);
    assert_true(json_is_true(json_object_get(json_array_get(tables, 0), "imported")));
    assert_string_equal(str_at(json_array_get(tables, 1), "elem"), "externref");
    assert_int_equal(int_at(json_object_get(json_array_get(tables, 1), "limits"), "max"), 5);

    json_t *globals = json_object_get(root, "globals");
    assert_int_equal(json_array_size(globals), 3);
    assert_string_equal(str_at(json_array_get(globals, 1), "type"), "i64");
    assert_true(json_is_true(json_object_get(json_array_get(globals, 1), "mutable")));
    assert_string_equal(str_at(json_array_get(globals, 2), "type"), "f32");
    assert_true(json_is_false(json_object_get(json_array_get(globals, 2), "imported")));

    json_t *memories = json_object_get(root, "memories");
    assert_int_equal(json_array_size(memories), 1);
    assert_true(json_is_true(json_object_get(json_array_get(memories, 0), "imported")));

    json_t *customs = json_object_get(root, "custom_sections");
    assert_int_equal(json_array_size(customs), 1);
    assert_string_equal(str_at(json_array_get(customs, 0), "name"), "name");
    assert_true(int_at(json_array_get(customs, 0), "size") > 0);

    json_t *names = json_object_get(root, "function_names");
    assert_int_equal(json_array_size(names), 3);
    assert_int_equal(int_at(json_array_get(names, 1), "index"), 1);
    assert_string_equal(str_at(json_array_get(names, 1), "name"), "add");

    json_decref(root);
    run_free(&r);
}

static void test_inspect_json_memory(void **state)
{
    (void)state;
    run_result r;
    json_t *root = inspect_json("memory.wasm", &r);
    json_t *memories = json_object_get(root, "memories");
    assert_int_equal(json_array_size(memories), 1);
    json_t *m0 = json_array_get(memories, 0);
    assert_true(json_is_false(json_object_get(m0, "imported")));
    json_t *lim = json_object_get(m0, "limits");
    assert_int_equal(int_at(lim, "min_bytes"), 2 * 65536);
    assert_int_equal(int_at(lim, "max_bytes"), 10 * 65536);
    assert_int_equal(int_at(root, "data_segments"), 1);
    json_decref(root);
    run_free(&r);

    root = inspect_json("nomax.wasm", &r);
    lim = json_object_get(json_array_get(json_object_get(root, "memories"), 0), "limits");
    assert_true(json_is_null(json_object_get(lim, "max_pages")));
    assert_true(json_is_null(json_object_get(lim, "max_bytes")));
    json_decref(root);
    run_free(&r);
}

static void test_inspect_errors(void **state)
{
    (void)state;
    char path[4200];
    data_path(path, sizeof path, "type_mismatch.invalid.wasm");
    run_result r = RUN("inspect", "--json", path);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "invalid");
    run_free(&r);

    data_path(path, sizeof path, "full.wasm");
    r = RUN("inspect", "--yaml", path);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown option '--yaml'");
    run_free(&r);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_cli DATA_DIR COMMAND...\n");
        return 2;
    }
    data_dir = argv[1];
    command = argv + 2;
    command_len = argc - 2;
    int n = snprintf(scratch, sizeof scratch, "%s/scratch-XXXXXX", data_dir);
    if (n < 0 || (size_t)n >= sizeof scratch || !mkdtemp(scratch)) {
        fprintf(stderr, "test_cli: cannot create a scratch directory in %s\n", data_dir);
        return 1;
    }

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_no_arguments),
        cmocka_unit_test(test_unknown_command_and_option),
        cmocka_unit_test(test_help_command),
        cmocka_unit_test(test_validate_usage_errors),
        cmocka_unit_test(test_validate_valid_modules),
        cmocka_unit_test(test_validate_unreadable),
        cmocka_unit_test(test_validate_malformed),
        cmocka_unit_test(test_validate_invalid),
        cmocka_unit_test(test_inspect_text_full),
        cmocka_unit_test(test_inspect_text_memories),
        cmocka_unit_test(test_inspect_custom_sections),
        cmocka_unit_test(test_inspect_json_full),
        cmocka_unit_test(test_inspect_json_memory),
        cmocka_unit_test(test_inspect_errors),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    /* Remove the scratch directory and what the tests left in it. */
    static const char *const leftovers[] = {
        "stdout", "stderr", "bad_magic.wasm", "bad_version.wasm", "truncated.wasm",
        "short_section.wasm", "empty.wasm", "custom.wasm",
    };
    for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", scratch, leftovers[i]);
        unlink(p);
    }
    rmdir(scratch);
    return failed ? 1 : 0;
}
