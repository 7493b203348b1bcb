/*
 * test_wasi.c — WASI preview 1 (src/plugin/wasi*.c) through the public API.
 *
 * The guests are built at test time from tests/plugin/data: WAT files with
 * wat2wasm (required), C files with clang for wasm32-wasi (skipped, with a
 * message, only when that compiler is missing). Set RF_SOURCE_DIR to the
 * repository root; WAT2WASM and WASI_CC override the tools' names.
 *
 * wasi_calls.wat re-exports each WASI function through a wasm wrapper, so
 * most tests call one function with chosen (often hostile) arguments and
 * check its errno and the guest memory it wrote. Output is captured with
 * the write callback; expected values come from the WASI specification and
 * the data files, never from the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "reflow/engine.h"
#include "reflow/wasi.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Preview 1 errno values, from the specification. */
enum {
    E_SUCCESS = 0, E_BADF = 8, E_FAULT = 21, E_INVAL = 28, E_NOSYS = 52, E_PIPE = 64,
    E_SPIPE = 70
};

/* ---- building guests --------------------------------------------------------- */

static char tmpdir[1024];          /* short enough that tmpdir/NAME always fits PATH_MAX */
static const char *source_dir;

/* Run a tool; 1 = exit 0, 0 = the tool does not exist, -1 = it failed. */
static int run_tool(char *const argv[])
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc == ENOENT)
        return 0;
    if (rc != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : -1;
}

static const char *tool(const char *env, const char *dflt)
{
    const char *v = getenv(env);
    return v && *v ? v : dflt;
}

static void data_path(char *out, size_t cap, const char *file)
{
    int n = snprintf(out, cap, "%s/tests/plugin/data/%s", source_dir, file);
    assert_true(n > 0 && (size_t)n < cap);
}

static void tmp_path(char *out, size_t cap, const char *file)
{
    int n = snprintf(out, cap, "%s/%s", tmpdir, file);
    assert_true(n > 0 && (size_t)n < cap);
}

/* data/<name>.wat -> <tmpdir>/<name>.wasm */
static void build_wat(const char *name, char *wasm, size_t cap)
{
    char src[PATH_MAX], file[256];
    snprintf(file, sizeof file, "%s.wat", name);
    data_path(src, sizeof src, file);
    snprintf(file, sizeof file, "%s.wasm", name);
    tmp_path(wasm, cap, file);
    char *argv[] = { (char *)tool("WAT2WASM", "wat2wasm"), src, (char *)"-o", wasm, NULL };
    int rc = run_tool(argv);
    if (rc == 0)
        fail_msg("wat2wasm not found (install wabt or set WAT2WASM)");
    assert_int_equal(rc, 1);
}

/* data/<name>.c -> <tmpdir>/<name>.wasm; false (after skip()) when the
 * wasm32-wasi C compiler is missing. */
static bool build_c(const char *name, char *wasm, size_t cap)
{
    char src[PATH_MAX], file[256];
    snprintf(file, sizeof file, "%s.c", name);
    data_path(src, sizeof src, file);
    snprintf(file, sizeof file, "%s.wasm", name);
    tmp_path(wasm, cap, file);
    const char *cc = tool("WASI_CC", "clang-19");
    char *argv[] = { (char *)cc, (char *)"--target=wasm32-wasi", (char *)"-O2", (char *)"-Wall",
                     (char *)"-Werror", src, (char *)"-o", wasm, NULL };
    int rc = run_tool(argv);
    if (rc == 0) {
        print_message("SKIPPED: %s not found; set WASI_CC to a clang that targets "
                      "wasm32-wasi (with wasi-libc)\n", cc);
        skip();
    }
    assert_int_equal(rc, 1);
    return true;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static rf_module *load(const char *wasm)
{
    size_t len;
    uint8_t *bytes = read_file(wasm, &len);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_module *m = rf_module_load(bytes, len, NULL, &err);
    free(bytes);
    if (!m)
        fail_msg("loading %s: %s", wasm, err.message);
    return m;
}

/* ---- the host side: captured output, scripted input ----------------------------- */

typedef struct buffer {
    char *data;
    size_t len;
} buffer;

typedef struct host {
    buffer out, err;
    int write_errno;         /* nonzero: the sink fails with it... */
    int writes_ok;           /* ...after this many more successful writes */
    const char *input;       /* stdin contents for the read callback */
    size_t input_pos;
    size_t read_chunk;       /* nonzero: at most this much per read, like a pipe */
    bool stop;               /* should_stop answer */
} host;

static int capture_write(void *user, int fd, const uint8_t *data, size_t len)
{
    host *h = user;
    if (h->write_errno && h->writes_ok-- <= 0)
        return h->write_errno;
    assert_true(fd == 1 || fd == 2);
    buffer *b = fd == 1 ? &h->out : &h->err;
    char *p = realloc(b->data, b->len + len + 1);
    assert_non_null(p);
    memcpy(p + b->len, data, len);
    b->len += len;
    p[b->len] = '\0';
    b->data = p;
    return 0;
}

static int scripted_read(void *user, uint8_t *buf, size_t cap, size_t *nread)
{
    host *h = user;
    size_t left = strlen(h->input) - h->input_pos;
    size_t n = left < cap ? left : cap;
    if (h->read_chunk && n > h->read_chunk)
        n = h->read_chunk;
    memcpy(buf, h->input + h->input_pos, n);
    h->input_pos += n;
    *nread = n;
    return 0;
}

/* Predictable "random" bytes: 0xA0, 0xA1, ... */
static int counting_random(void *user, uint8_t *buf, size_t len)
{
    (void)user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(0xA0 + i);
    return 0;
}

static bool stop_requested(void *user)
{
    return ((host *)user)->stop;
}

/* ---- one instantiated guest --------------------------------------------------- */

typedef struct guest {
    rf_module *m;
    rf_store *s;
    rf_wasi *w;
    rf_instance *inst;
    rf_extern *imports;
    rf_memory *mem;
    host h;
} guest;

/* Instantiate `wasm` with WASI from `cfg` (callbacks default to capture). */
static void guest_open(guest *g, const char *wasm, const rf_wasi_config *cfg)
{
    memset(g, 0, sizeof *g);
    rf_wasi_config c;
    memset(&c, 0, sizeof c);
    if (cfg)
        c = *cfg;
    if (!c.write)
        c.write = capture_write;
    c.user = &g->h;
    rf_error err;
    memset(&err, 0, sizeof err);
    g->m = load(wasm);
    g->s = rf_store_new(NULL, &err);
    assert_non_null(g->s);
    g->w = rf_wasi_new(&c, &err);
    assert_non_null(g->w);
    size_t n = rf_module_import_count(g->m);
    g->imports = calloc(n + 1, sizeof *g->imports);
    assert_non_null(g->imports);
    if (!rf_wasi_link(g->w, g->s, g->m, g->imports, &err) ||
        !rf_link_check_complete(g->m, g->imports, &err))
        fail_msg("linking %s: %s", wasm, err.message);
    g->inst = rf_instantiate(g->s, g->m, g->imports, n, &err);
    if (!g->inst)
        fail_msg("instantiating %s: %s", wasm, err.message);
    rf_extern ex;
    if (rf_instance_export(g->inst, "memory", 6, &ex) && ex.kind == RF_EXTERN_MEMORY)
        g->mem = ex.of.memory;
}

static void guest_close(guest *g)
{
    rf_store_free(g->s);
    rf_wasi_free(g->w);
    rf_module_free(g->m);
    free(g->imports);
    free(g->h.out.data);
    free(g->h.err.data);
}

/* Call export `name` with integer arguments (converted per its signature). */
static rf_error_kind call_export(guest *g, const char *name, size_t nargs, const uint64_t *args,
                                 rf_value *result, rf_error *err)
{
    rf_extern ex;
    if (!rf_instance_export(g->inst, name, strlen(name), &ex) || ex.kind != RF_EXTERN_FUNC)
        fail_msg("no exported function %s", name);
    rf_signature sig = rf_func_signature(ex.of.func);
    assert_int_equal(sig.nparams, nargs);
    assert_true(sig.nresults <= 1);
    rf_value vals[16];
    assert_true(nargs <= 16);
    for (size_t i = 0; i < nargs; i++)
        vals[i] = sig.params[i] == RF_I64 ? rf_val_i64(args[i]) : rf_val_i32((uint32_t)args[i]);
    memset(err, 0, sizeof *err);
    return rf_call(ex.of.func, vals, nargs, result, sig.nresults, err);
}

/* Call a wrapper that returns an errno; the call itself must succeed. */
static uint32_t call(guest *g, const char *name, size_t nargs, const uint64_t *args)
{
    rf_value r;
    rf_error err;
    rf_error_kind kind = call_export(g, name, nargs, args, &r, &err);
    if (kind != RF_OK)
        fail_msg("%s failed: %s", name, err.message);
    return r.of.i32;
}

#define ARGS(...) (sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)), (uint64_t[]){ __VA_ARGS__ }

static void mem_write(guest *g, uint64_t at, const void *data, size_t len)
{
    assert_true(rf_memory_write(g->mem, at, data, len));
}

static void mem_put_u32(guest *g, uint64_t at, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    mem_write(g, at, b, 4);
}

static void mem_put_u64(guest *g, uint64_t at, uint64_t v)
{
    mem_put_u32(g, at, (uint32_t)v);
    mem_put_u32(g, at + 4, (uint32_t)(v >> 32));
}

static uint32_t mem_u32(guest *g, uint64_t at)
{
    uint8_t b[4];
    assert_true(rf_memory_read(g->mem, at, b, 4));
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t mem_u64(guest *g, uint64_t at)
{
    return mem_u32(g, at) | (uint64_t)mem_u32(g, at + 4) << 32;
}

static uint16_t mem_u16(guest *g, uint64_t at)
{
    return (uint16_t)(mem_u32(g, at) & 0xFFFF);
}

/* An iovec {buf, len} at `at`. */
static void put_iovec(guest *g, uint64_t at, uint32_t buf, uint32_t len)
{
    mem_put_u32(g, at, buf);
    mem_put_u32(g, at + 4, len);
}

static char calls_wasm[PATH_MAX];

static void open_calls(guest *g, const rf_wasi_config *cfg)
{
    guest_open(g, calls_wasm, cfg);
    assert_non_null(g->mem);
}

static uint64_t host_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- args and environment -------------------------------------------------------- */

static void test_args(void **state)
{
    (void)state;
    /* "ü" and "ï" are two bytes each in UTF-8. */
    const char *args[] = { "prog", "a b", "\xc3\xbcn\xc3\xaf" };
    rf_wasi_config cfg = { .args = args, .nargs = 3 };
    guest g;
    open_calls(&g, &cfg);
    assert_int_equal(call(&g, "call_args_sizes_get", ARGS(0x100, 0x104)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x100), 3);
    assert_int_equal(mem_u32(&g, 0x104), 5 + 4 + 6);
    assert_int_equal(call(&g, "call_args_get", ARGS(0x200, 0x300)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x200), 0x300);
    assert_int_equal(mem_u32(&g, 0x204), 0x305);
    assert_int_equal(mem_u32(&g, 0x208), 0x309);
    char buf[15];
    assert_true(rf_memory_read(g.mem, 0x300, buf, sizeof buf));
    assert_memory_equal(buf, "prog\0a b\0\xc3\xbcn\xc3\xaf\0", 15);
    guest_close(&g);
}

static void test_args_hostile_pointers(void **state)
{
    (void)state;
    const char *args[] = { "prog", "x" };
    rf_wasi_config cfg = { .args = args, .nargs = 2 };
    guest g;
    open_calls(&g, &cfg);
    uint64_t size = rf_memory_size(g.mem);
    uint8_t sentinel[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, check[8];
    mem_write(&g, size - 8, sentinel, 8);
    /* The pointer array needs 8 bytes at size-4: only 4 are there. */
    assert_int_equal(call(&g, "call_args_get", ARGS(size - 4, 0x300)), E_FAULT);
    /* The strings need 7 bytes. */
    assert_int_equal(call(&g, "call_args_get", ARGS(0x200, size - 6)), E_FAULT);
    assert_int_equal(call(&g, "call_args_get", ARGS(0x200, 0xFFFFFFFF)), E_FAULT);
    assert_int_equal(call(&g, "call_args_sizes_get", ARGS(0xFFFFFFFE, 0x100)), E_FAULT);
    assert_int_equal(call(&g, "call_args_sizes_get", ARGS(0x100, size - 3)), E_FAULT);
    /* A failed call writes nothing, not even the parts that were in bounds. */
    assert_true(rf_memory_read(g.mem, size - 8, check, 8));
    assert_memory_equal(check, sentinel, 8);
    /* Exactly at the end is fine. */
    assert_int_equal(call(&g, "call_args_get", ARGS(size - 8, size - 16)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, size - 8), size - 16);
    assert_int_equal(mem_u32(&g, size - 4), size - 11);
    guest_close(&g);
}

static void test_environ(void **state)
{
    (void)state;
    const char *env[] = { "A=1", "EMPTY=" };
    rf_wasi_config cfg = { .env = env, .nenv = 2 };
    guest g;
    open_calls(&g, &cfg);
    assert_int_equal(call(&g, "call_environ_sizes_get", ARGS(0x100, 0x104)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x100), 2);
    assert_int_equal(mem_u32(&g, 0x104), 4 + 7);
    assert_int_equal(call(&g, "call_environ_get", ARGS(0x200, 0x300)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x200), 0x300);
    assert_int_equal(mem_u32(&g, 0x204), 0x304);
    char buf[11];
    assert_true(rf_memory_read(g.mem, 0x300, buf, sizeof buf));
    assert_memory_equal(buf, "A=1\0EMPTY=\0", 11);
    assert_int_equal(call(&g, "call_environ_get", ARGS(0x200, 0xFFFFFFF9)), E_FAULT);
    assert_int_equal(call(&g, "call_environ_sizes_get", ARGS(0x100, 0xFFFFFFFD)), E_FAULT);
    guest_close(&g);
}

/* No args and no environment: counts 0, and any pointer is fine for an empty copy. */
static void test_no_args(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    mem_put_u32(&g, 0x100, 77);
    mem_put_u32(&g, 0x104, 77);
    assert_int_equal(call(&g, "call_args_sizes_get", ARGS(0x100, 0x104)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x100), 0);
    assert_int_equal(mem_u32(&g, 0x104), 0);
    assert_int_equal(call(&g, "call_environ_sizes_get", ARGS(0x100, 0x104)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x100), 0);
    guest_close(&g);
}

static void test_config_errors(void **state)
{
    (void)state;
    rf_error err;
    const char *args[] = { "prog", NULL };
    rf_wasi_config cfg = { .args = args, .nargs = 2 };
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "args[1]"));
    rf_wasi_config cfg2 = { .env = NULL, .nenv = 3 };
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg2, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    rf_wasi *w = rf_wasi_new(NULL, &err);
    assert_non_null(w);
    uint32_t code = 99;
    assert_false(rf_wasi_exited(w, &code));
    assert_int_equal(code, 99);
    rf_wasi_free(w);
    rf_wasi_free(NULL);
}

/* ---- fd_write ------------------------------------------------------------------- */

static void test_fd_write(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    mem_write(&g, 0x400, "hel", 3);
    mem_write(&g, 0x500, "lo\n", 3);
    put_iovec(&g, 0x100, 0x400, 3);
    put_iovec(&g, 0x108, 0x600, 0);   /* empty iovecs are skipped */
    put_iovec(&g, 0x110, 0x500, 3);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 3, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 6);
    assert_string_equal(g.h.out.data, "hello\n");
    assert_int_equal(call(&g, "call_fd_write", ARGS(2, 0x110, 1, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 3);
    assert_string_equal(g.h.err.data, "lo\n");
    /* No iovecs: nothing written, count 0. */
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 0, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 0);
    /* Only fds 1 and 2 can be written. */
    assert_int_equal(call(&g, "call_fd_write", ARGS(0, 0x100, 1, 0x180)), E_BADF);
    assert_int_equal(call(&g, "call_fd_write", ARGS(3, 0x100, 1, 0x180)), E_BADF);
    assert_int_equal(call(&g, "call_fd_write", ARGS(0xFFFFFFFF, 0x100, 1, 0x180)), E_BADF);
    assert_string_equal(g.h.out.data, "hello\n");
    guest_close(&g);
}

static void test_fd_write_hostile_iovecs(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    uint64_t size = rf_memory_size(g.mem);
    mem_write(&g, 0x400, "data", 4);
    put_iovec(&g, 0x100, 0x400, 4);
    /* The iovec array itself out of bounds, or far too long. */
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, size - 4, 1, 0x180)), E_FAULT);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0xFFFFFFF8, 1, 0x180)), E_FAULT);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 0xFFFFFFFF, 0x180)), E_FAULT);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 0x20000000, 0x180)), E_FAULT);
    /* A buffer past the end, a huge length, a buffer wrapping around 4 GiB. */
    put_iovec(&g, 0x108, (uint32_t)size - 2, 3);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 2, 0x180)), E_FAULT);
    put_iovec(&g, 0x108, 0x400, 0xFFFFFFFF);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 2, 0x180)), E_FAULT);
    put_iovec(&g, 0x108, 0xFFFFFFF0, 0x20);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 2, 0x180)), E_FAULT);
    /* The count pointer out of bounds. */
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 1, size - 3)), E_FAULT);
    /* A bad later iovec means no output at all, not a partial write. */
    assert_null(g.h.out.data);
    /* Lengths adding up to more than a u32 can count: 300 x 16 MiB. */
    for (uint32_t i = 0; i < 300; i++)
        put_iovec(&g, 0x1000 + 8 * i, 0, (uint32_t)size);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x1000, 300, 0x180)), E_INVAL);
    assert_null(g.h.out.data);
    /* The last byte of memory is writable. */
    mem_write(&g, size - 1, "!", 1);
    put_iovec(&g, 0x108, (uint32_t)size - 1, 1);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x108, 1, 0x180)), E_SUCCESS);
    assert_string_equal(g.h.out.data, "!");
    guest_close(&g);
}

static void test_fd_write_sink_error_and_close(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    mem_write(&g, 0x400, "x", 1);
    put_iovec(&g, 0x100, 0x400, 1);
    g.h.write_errno = E_PIPE;
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 1, 0x180)), E_PIPE);
    /* Failing after the first iovec: like write(2), report what went out. */
    mem_write(&g, 0x410, "yz", 2);
    put_iovec(&g, 0x108, 0x410, 2);
    g.h.writes_ok = 1;
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 2, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 1);
    assert_string_equal(g.h.out.data, "x");
    g.h.write_errno = 0;
    assert_int_equal(call(&g, "call_fd_close", ARGS(1)), E_SUCCESS);
    assert_int_equal(call(&g, "call_fd_write", ARGS(1, 0x100, 1, 0x180)), E_BADF);
    assert_int_equal(call(&g, "call_fd_close", ARGS(1)), E_BADF);
    assert_int_equal(call(&g, "call_fd_fdstat_get", ARGS(1, 0x200)), E_BADF);
    /* stderr is still open. */
    assert_int_equal(call(&g, "call_fd_write", ARGS(2, 0x100, 1, 0x180)), E_SUCCESS);
    assert_string_equal(g.h.err.data, "x");
    assert_string_equal(g.h.out.data, "x");
    assert_int_equal(call(&g, "call_fd_close", ARGS(7)), E_BADF);
    guest_close(&g);
}

/* ---- fd_read -------------------------------------------------------------------- */

static void test_fd_read(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    put_iovec(&g, 0x100, 0x400, 16);
    assert_int_equal(call(&g, "call_fd_read", ARGS(0, 0x100, 1, 0x180)), E_BADF);
    guest_close(&g);

    rf_wasi_config cfg = { .stdin_enabled = true, .read = scripted_read };
    open_calls(&g, &cfg);
    g.h.input = "abcdefgh";
    put_iovec(&g, 0x100, 0x400, 3);
    put_iovec(&g, 0x108, 0x500, 100);
    assert_int_equal(call(&g, "call_fd_read", ARGS(0, 0x100, 2, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 8);
    char buf[5];
    assert_true(rf_memory_read(g.mem, 0x400, buf, 3));
    assert_memory_equal(buf, "abc", 3);
    assert_true(rf_memory_read(g.mem, 0x500, buf, 5));
    assert_memory_equal(buf, "defgh", 5);
    /* End of input. */
    assert_int_equal(call(&g, "call_fd_read", ARGS(0, 0x100, 2, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 0);
    /* A short read ends the call, leaving the rest for the next one. */
    g.h.input = "abcdef";
    g.h.input_pos = 0;
    g.h.read_chunk = 3;
    put_iovec(&g, 0x100, 0x400, 5);
    put_iovec(&g, 0x108, 0x500, 5);
    assert_int_equal(call(&g, "call_fd_read", ARGS(0, 0x100, 2, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 3);
    assert_int_equal(call(&g, "call_fd_read", ARGS(0, 0x100, 2, 0x180)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x180), 3);
    assert_true(rf_memory_read(g.mem, 0x400, buf, 3));
    assert_memory_equal(buf, "def", 3);
    /* Readable stdin has the fd_read right. */
    assert_int_equal(call(&g, "call_fd_fdstat_get", ARGS(0, 0x200)), E_SUCCESS);
    assert_true(mem_u64(&g, 0x208) & (1u << 1));
    /* stdout is not readable; bad buffers fault. */
    assert_int_equal(call(&g, "call_fd_read", ARGS(1, 0x100, 1, 0x180)), E_BADF);
    put_iovec(&g, 0x100, 0xFFFFFF00, 0x1000);
    assert_int_equal(call(&g, "call_fd_read", ARGS(0, 0x100, 1, 0x180)), E_FAULT);
    guest_close(&g);
}

/* ---- fd metadata and the unsupported rest ----------------------------------------- */

static void test_fdstat_and_friends(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    for (uint32_t fd = 0; fd < 3; fd++) {
        assert_int_equal(call(&g, "call_fd_fdstat_get", ARGS(fd, 0x200)), E_SUCCESS);
        assert_int_equal(mem_u32(&g, 0x200) & 0xFF, 2);   /* character_device */
        uint64_t rights = mem_u64(&g, 0x208);
        assert_false(rights & (1u << 2));                   /* no fd_seek */
        assert_false(rights & (1u << 5));                   /* no fd_tell */
        if (fd > 0)
            assert_true(rights & (1u << 6));                /* fd_write */
        else
            assert_false(rights & (1u << 1));               /* stdin disabled: no fd_read */
        assert_int_equal(call(&g, "call_fd_filestat_get", ARGS(fd, 0x300)), E_SUCCESS);
        assert_int_equal(mem_u32(&g, 0x310) & 0xFF, 2);
    }
    assert_int_equal(call(&g, "call_fd_fdstat_get", ARGS(3, 0x200)), E_BADF);
    assert_int_equal(call(&g, "call_fd_fdstat_get", ARGS(1, 0xFFFFFFF0)), E_FAULT);
    assert_int_equal(call(&g, "call_fd_filestat_get", ARGS(1, rf_memory_size(g.mem) - 63)),
                     E_FAULT);
    /* No preopens: wasi-libc's scan from fd 3 stops at EBADF. */
    assert_int_equal(call(&g, "call_fd_prestat_get", ARGS(3, 0x200)), E_BADF);
    assert_int_equal(call(&g, "call_fd_prestat_dir_name", ARGS(3, 0x200, 16)), E_BADF);
    /* stdio cannot seek; unknown fds do not exist. */
    assert_int_equal(call(&g, "call_fd_seek", ARGS(1, 0, 0, 0x200)), E_SPIPE);
    assert_int_equal(call(&g, "call_fd_seek", ARGS(9, 0, 0, 0x200)), E_BADF);
    assert_int_equal(call(&g, "call_fd_tell", ARGS(0, 0x200)), E_SPIPE);
    assert_int_equal(call(&g, "call_fd_tell", ARGS(9, 0x200)), E_BADF);
    /* Files, directories and sockets: EBADF for a closed fd, ENOSYS on stdio. */
    assert_int_equal(call(&g, "call_path_open", ARGS(3, 0, 0x400, 1, 0, 0, 0, 0, 0x200)), E_BADF);
    assert_int_equal(call(&g, "call_path_open", ARGS(1, 0, 0x400, 1, 0, 0, 0, 0, 0x200)), E_NOSYS);
    assert_int_equal(call(&g, "call_path_symlink", ARGS(0x400, 1, 9, 0x400, 1)), E_BADF);
    assert_int_equal(call(&g, "call_path_symlink", ARGS(0x400, 1, 2, 0x400, 1)), E_NOSYS);
    assert_int_equal(call(&g, "call_fd_renumber", ARGS(1, 9)), E_BADF);
    assert_int_equal(call(&g, "call_fd_renumber", ARGS(9, 1)), E_BADF);
    assert_int_equal(call(&g, "call_fd_renumber", ARGS(1, 2)), E_NOSYS);
    assert_int_equal(call(&g, "call_sock_send", ARGS(5, 0x100, 1, 0, 0x200)), E_BADF);
    assert_int_equal(call(&g, "call_proc_raise", ARGS(9)), E_NOSYS);
    assert_int_equal(call(&g, "call_sched_yield", 0, NULL), E_SUCCESS);
    guest_close(&g);
}

/* ---- clocks and random ----------------------------------------------------------- */

static void test_clocks(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    uint64_t before = host_ns(CLOCK_MONOTONIC);
    assert_int_equal(call(&g, "call_clock_time_get", ARGS(1, 1, 0x200)), E_SUCCESS);
    assert_int_equal(call(&g, "call_clock_time_get", ARGS(1, 1, 0x208)), E_SUCCESS);
    uint64_t after = host_ns(CLOCK_MONOTONIC);
    uint64_t t1 = mem_u64(&g, 0x200), t2 = mem_u64(&g, 0x208);
    assert_true(before <= t1 && t1 <= t2 && t2 <= after);

    assert_int_equal(call(&g, "call_clock_time_get", ARGS(0, 0, 0x200)), E_SUCCESS);
    uint64_t real = mem_u64(&g, 0x200), host_real = host_ns(CLOCK_REALTIME);
    assert_true(real <= host_real && host_real - real < 5000000000u);
    assert_true(real > UINT64_C(1577836800) * 1000000000u);   /* after 2020 */

    mem_put_u64(&g, 0x200, 0);
    assert_int_equal(call(&g, "call_clock_time_get", ARGS(2, 0, 0x200)), E_SUCCESS);
    assert_int_equal(call(&g, "call_clock_time_get", ARGS(3, 0, 0x208)), E_SUCCESS);
    assert_true(mem_u64(&g, 0x200) > 0);
    for (uint32_t id = 0; id < 4; id++) {
        mem_put_u64(&g, 0x200, 0);
        assert_int_equal(call(&g, "call_clock_res_get", ARGS(id, 0x200)), E_SUCCESS);
        uint64_t res = mem_u64(&g, 0x200);
        assert_true(res > 0 && res <= 1000000000u);
    }
    assert_int_equal(call(&g, "call_clock_time_get", ARGS(4, 0, 0x200)), E_INVAL);
    assert_int_equal(call(&g, "call_clock_res_get", ARGS(0xFFFFFFFF, 0x200)), E_INVAL);
    assert_int_equal(call(&g, "call_clock_time_get", ARGS(1, 0, rf_memory_size(g.mem) - 7)),
                     E_FAULT);
    assert_int_equal(call(&g, "call_clock_res_get", ARGS(1, 0xFFFFFFFC)), E_FAULT);
    guest_close(&g);
}

static void test_random(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    uint8_t zero[64] = { 0 }, a[64], b[64];
    mem_write(&g, 0x200, zero, 64);
    mem_write(&g, 0x300, zero, 64);
    assert_int_equal(call(&g, "call_random_get", ARGS(0x200, 64)), E_SUCCESS);
    assert_int_equal(call(&g, "call_random_get", ARGS(0x300, 64)), E_SUCCESS);
    assert_true(rf_memory_read(g.mem, 0x200, a, 64));
    assert_true(rf_memory_read(g.mem, 0x300, b, 64));
    /* 512 random bits: equal or all-zero only with probability 2^-512. */
    assert_memory_not_equal(a, b, 64);
    assert_memory_not_equal(a, zero, 64);
    assert_int_equal(call(&g, "call_random_get", ARGS(0x200, 0)), E_SUCCESS);
    assert_int_equal(call(&g, "call_random_get", ARGS(0xFFFFFFFF, 0)), E_FAULT);
    assert_int_equal(call(&g, "call_random_get", ARGS(0x200, 0xFFFFFFFF)), E_FAULT);
    assert_int_equal(call(&g, "call_random_get", ARGS(rf_memory_size(g.mem) - 8, 9)), E_FAULT);
    /* A whole 16 MiB memory in one call. */
    assert_int_equal(call(&g, "call_random_get", ARGS(0, rf_memory_size(g.mem))), E_SUCCESS);
    guest_close(&g);

    rf_wasi_config cfg = { .random = counting_random };
    open_calls(&g, &cfg);
    assert_int_equal(call(&g, "call_random_get", ARGS(0x200, 3)), E_SUCCESS);
    assert_true(rf_memory_read(g.mem, 0x200, a, 4));
    assert_memory_equal(a, "\xa0\xa1\xa2\x00", 4);
    guest_close(&g);
}

/* ---- poll_oneoff ------------------------------------------------------------------ */

/* A clock subscription (48 bytes) at `at`. */
static void put_clock_sub(guest *g, uint64_t at, uint64_t userdata, uint32_t clock,
                          uint64_t timeout, uint16_t flags)
{
    uint8_t zero[48] = { 0 };
    mem_write(g, at, zero, 48);
    mem_put_u64(g, at, userdata);
    mem_put_u32(g, at + 16, clock);
    mem_put_u64(g, at + 24, timeout);
    mem_put_u32(g, at + 40, flags);
}

static void test_poll_oneoff_sleeps(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    /* One relative 20 ms sleep on the monotonic clock. */
    put_clock_sub(&g, 0x1000, 0x1122334455667788u, 1, 20000000u, 0);
    uint64_t t0 = host_ns(CLOCK_MONOTONIC);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, 0x3000)), E_SUCCESS);
    uint64_t slept = host_ns(CLOCK_MONOTONIC) - t0;
    assert_true(slept >= 20000000u);
    assert_true(slept < 2000000000u);
    assert_int_equal(mem_u32(&g, 0x3000), 1);
    assert_true(mem_u64(&g, 0x2000) == 0x1122334455667788u);
    assert_int_equal(mem_u16(&g, 0x2008), 0);           /* error */
    assert_int_equal(mem_u32(&g, 0x200A) & 0xFF, 0);    /* type clock */

    /* 5 ms and one hour: only the first is due. */
    put_clock_sub(&g, 0x1000, 1, 1, 3600ull * 1000000000u, 0);
    put_clock_sub(&g, 0x1030, 2, 1, 5000000u, 0);
    t0 = host_ns(CLOCK_MONOTONIC);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 2, 0x3000)), E_SUCCESS);
    assert_true(host_ns(CLOCK_MONOTONIC) - t0 < 2000000000u);
    assert_int_equal(mem_u32(&g, 0x3000), 1);
    assert_true(mem_u64(&g, 0x2000) == 2);

    /* An absolute monotonic deadline 30 ms ahead. */
    t0 = host_ns(CLOCK_MONOTONIC);
    put_clock_sub(&g, 0x1000, 4, 1, t0 + 30000000u, 1);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, 0x3000)), E_SUCCESS);
    assert_true(host_ns(CLOCK_MONOTONIC) - t0 >= 30000000u);
    assert_true(mem_u64(&g, 0x2000) == 4);

    /* An absolute realtime deadline in the past is due at once. */
    put_clock_sub(&g, 0x1000, 3, 0, 1000000000u, 1);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, 0x3000)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, 0x3000), 1);
    assert_true(mem_u64(&g, 0x2000) == 3);
    guest_close(&g);
}

static void test_poll_oneoff_errors(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    uint64_t size = rf_memory_size(g.mem);
    put_clock_sub(&g, 0x1000, 1, 1, 0, 0);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 0, 0x3000)), E_INVAL);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(size - 47, 0x2000, 1, 0x3000)), E_FAULT);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, size - 31, 1, 0x3000)), E_FAULT);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, size - 3)), E_FAULT);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 0xFFFFFFFF, 0x3000)),
                     E_FAULT);
    /* An fd_read subscription (tag 1) is not supported. */
    uint8_t tag = 1;
    mem_write(&g, 0x1008, &tag, 1);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, 0x3000)), E_NOSYS);
    /* An unknown clock id. */
    put_clock_sub(&g, 0x1000, 1, 9, 0, 0);
    assert_int_equal(call(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, 0x3000)), E_INVAL);
    guest_close(&g);
}

/* A guest asleep for an hour stops as soon as should_stop says so. */
static void test_poll_oneoff_interrupted(void **state)
{
    (void)state;
    rf_wasi_config cfg = { .should_stop = stop_requested };
    guest g;
    open_calls(&g, &cfg);
    g.h.stop = true;
    put_clock_sub(&g, 0x1000, 1, 1, 3600ull * 1000000000u, 0);
    rf_value r;
    rf_error err;
    uint64_t t0 = host_ns(CLOCK_MONOTONIC);
    rf_error_kind kind = call_export(&g, "call_poll_oneoff", ARGS(0x1000, 0x2000, 1, 0x3000),
                                     &r, &err);
    assert_int_equal(kind, RF_ERR_INTERRUPTED);
    assert_int_equal(err.kind, RF_ERR_INTERRUPTED);
    assert_true(host_ns(CLOCK_MONOTONIC) - t0 < 2000000000u);
    guest_close(&g);
}

/* ---- proc_exit and _start ---------------------------------------------------------- */

static void test_proc_exit(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    rf_value r;
    rf_error err;
    rf_error_kind kind = call_export(&g, "call_proc_exit", ARGS(7), &r, &err);
    assert_int_equal(kind, RF_ERR_EXIT);
    assert_int_equal(err.kind, RF_ERR_EXIT);
    assert_int_equal(err.exit_code, 7);
    uint32_t code = 0;
    assert_true(rf_wasi_exited(g.w, &code));
    assert_int_equal(code, 7);
    guest_close(&g);
}

static void test_start_command(void **state)
{
    (void)state;
    guest g;
    open_calls(&g, NULL);
    rf_value r;
    rf_error err;
    rf_error_kind kind = call_export(&g, "_start", 0, NULL, &r, &err);
    assert_int_equal(kind, RF_ERR_EXIT);
    assert_int_equal(err.exit_code, 42);
    /* The write after proc_exit never happened. */
    assert_string_equal(g.h.out.data, "hello\n");
    assert_string_equal(g.h.err.data, "oops\n");
    guest_close(&g);
}

static void test_no_memory(void **state)
{
    (void)state;
    char wasm[PATH_MAX];
    build_wat("no_memory", wasm, sizeof wasm);
    guest g;
    guest_open(&g, wasm, NULL);
    assert_null(g.mem);
    assert_int_equal(call(&g, "write_stdout", 0, NULL), E_FAULT);
    assert_int_equal(call(&g, "random_empty", 0, NULL), E_SUCCESS);
    assert_int_equal(call(&g, "random_one", 0, NULL), E_FAULT);
    assert_int_equal(call(&g, "yield", 0, NULL), E_SUCCESS);
    assert_null(g.h.out.data);
    guest_close(&g);
}

/* ---- linking -------------------------------------------------------------------- */

/* Link `name`.wat with WASI and return the error of the link step. */
static rf_error link_error(const char *name, bool check_complete)
{
    char wasm[PATH_MAX];
    build_wat(name, wasm, sizeof wasm);
    rf_module *m = load(wasm);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_store *s = rf_store_new(NULL, &err);
    assert_non_null(s);
    rf_wasi *w = rf_wasi_new(NULL, &err);
    assert_non_null(w);
    rf_extern *imports = calloc(rf_module_import_count(m) + 1, sizeof *imports);
    assert_non_null(imports);
    bool ok = rf_wasi_link(w, s, m, imports, &err);
    if (ok && check_complete)
        ok = rf_link_check_complete(m, imports, &err);
    assert_false(ok);
    free(imports);
    rf_wasi_free(w);
    rf_store_free(s);
    rf_module_free(m);
    return err;
}

static void test_link_wrong_signature(void **state)
{
    (void)state;
    rf_error err = link_error("bad_signature", false);
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_non_null(strstr(err.message, "wasi_snapshot_preview1.fd_write"));
    assert_non_null(strstr(err.message, "(i32) -> (i32)"));
    assert_non_null(strstr(err.message, "(i32, i32, i32, i32) -> (i32)"));
}

static void test_link_unknown_wasi_function(void **state)
{
    (void)state;
    rf_error err = link_error("unknown_wasi_function", false);
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_non_null(strstr(err.message, "unknown import wasi_snapshot_preview1.fd_frobnicate"));
}

static void test_link_wasi_memory_import(void **state)
{
    (void)state;
    rf_error err = link_error("wasi_memory_import", false);
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_non_null(strstr(err.message, "wasi_snapshot_preview1.fd_write"));
    assert_non_null(strstr(err.message, "expects memory"));
    assert_non_null(strstr(err.message, "func (i32, i32, i32, i32) -> (i32)"));
}

static void test_link_other_module(void **state)
{
    (void)state;
    rf_error err = link_error("other_import", true);
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_non_null(strstr(err.message, "unknown import env.host_log"));
    assert_non_null(strstr(err.message, "func (i32, i32) -> ()"));
}

/* ---- C programs built with wasi-libc ---------------------------------------------- */

static void test_c_hello(void **state)
{
    (void)state;
    char wasm[PATH_MAX];
    build_c("hello_wasi", wasm, sizeof wasm);
    const char *args[] = { "hello_wasi.wasm", "one", "two words" };
    const char *env[] = { "OTHER=x", "GREETING=bonjour" };
    rf_wasi_config cfg = { .args = args, .nargs = 3, .env = env, .nenv = 2,
                           .random = counting_random };
    guest g;
    guest_open(&g, wasm, &cfg);
    rf_value r;
    rf_error err;
    rf_error_kind kind = call_export(&g, "_start", 0, NULL, &r, &err);
    assert_int_equal(kind, RF_ERR_EXIT);
    assert_int_equal(err.exit_code, 3);
    assert_string_equal(g.h.out.data, "hello from wasi\n"
                                      "arg 0: hello_wasi.wasm\n"
                                      "arg 1: one\n"
                                      "arg 2: two words\n"
                                      "GREETING=bonjour\n"
                                      "monotonic ok: yes\n"
                                      "realtime after 2020: yes\n"
                                      "random: a0a1a2a3\n");
    assert_string_equal(g.h.err.data, "to stderr\n");
    guest_close(&g);
}

/* wasi-libc declares all of preview 1 but proc_raise; the program imports
 * every one of them, so linking it checks all 46 signatures. */
static void test_c_all_imports(void **state)
{
    (void)state;
    char wasm[PATH_MAX];
    build_c("all_imports", wasm, sizeof wasm);
    rf_module *m = load(wasm);
    size_t n = rf_module_import_count(m);
    assert_int_equal(n, 46);
    for (size_t i = 0; i < n; i++) {
        rf_import_desc d;
        assert_true(rf_module_import(m, i, &d));
        assert_string_equal(d.module, "wasi_snapshot_preview1");
        for (size_t j = 0; j < i; j++) {
            rf_import_desc e;
            assert_true(rf_module_import(m, j, &e));
            assert_string_not_equal(d.name, e.name);
        }
    }
    rf_module_free(m);

    guest g;
    guest_open(&g, wasm, NULL);
    rf_value r;
    rf_error err;
    rf_error_kind kind = call_export(&g, "_start", 0, NULL, &r, &err);
    /* main returns 0: wasi-libc's _start then returns without proc_exit. */
    if (kind == RF_ERR_EXIT)
        assert_int_equal(err.exit_code, 0);
    else
        assert_int_equal(kind, RF_OK);
    assert_string_equal(g.h.out.data, "fd_advise 8 52\n"
                                      "fd_allocate 8 52\n"
                                      "fd_datasync 8 52\n"
                                      "fd_fdstat_set_flags 8 52\n"
                                      "fd_fdstat_set_rights 8 52\n"
                                      "fd_filestat_set_size 8 52\n"
                                      "fd_filestat_set_times 8 52\n"
                                      "fd_pread 8 52\n"
                                      "fd_pwrite 8 52\n"
                                      "fd_readdir 8 52\n"
                                      "fd_renumber 8 52\n"
                                      "fd_seek 8 70\n"
                                      "fd_sync 8 52\n"
                                      "fd_tell 8 70\n"
                                      "path_create_directory 8 52\n"
                                      "path_filestat_get 8 52\n"
                                      "path_filestat_set_times 8 52\n"
                                      "path_link 8 52\n"
                                      "path_open 8 52\n"
                                      "path_readlink 8 52\n"
                                      "path_remove_directory 8 52\n"
                                      "path_rename 8 52\n"
                                      "path_symlink 8 52\n"
                                      "path_unlink_file 8 52\n"
                                      "sock_accept 8 52\n"
                                      "sock_recv 8 52\n"
                                      "sock_send 8 52\n"
                                      "sock_shutdown 8 52\n"
                                      "path_link 1,99 8\n"
                                      "path_rename 1,99 8\n"
                                      "fd_renumber 1,99 8\n"
                                      "proc_raise 52\n"
                                      "sched_yield 0\n");
    guest_close(&g);
}

/* ---- setup -------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    source_dir = getenv("RF_SOURCE_DIR");
    if (!source_dir || !*source_dir) {
        fprintf(stderr, "test_wasi: set RF_SOURCE_DIR to the repository root\n");
        return -1;
    }
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = P_tmpdir;
    int n = snprintf(tmpdir, sizeof tmpdir, "%s/reflow-test-wasi-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof tmpdir || !mkdtemp(tmpdir)) {
        fprintf(stderr, "test_wasi: cannot create a temporary directory under %s\n", base);
        return -1;
    }
    /* cmocka's assertions need a running test; build the common guest here
     * by hand so a failure is reported clearly. */
    char src[PATH_MAX];
    snprintf(src, sizeof src, "%s/tests/plugin/data/wasi_calls.wat", source_dir);
    snprintf(calls_wasm, sizeof calls_wasm, "%s/wasi_calls.wasm", tmpdir);
    char *argv[] = { (char *)tool("WAT2WASM", "wat2wasm"), src, (char *)"-o", calls_wasm, NULL };
    if (run_tool(argv) != 1) {
        fprintf(stderr, "test_wasi: cannot assemble %s with wat2wasm\n", src);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const files[] = {
        "wasi_calls.wasm", "no_memory.wasm", "bad_signature.wasm",
        "unknown_wasi_function.wasm", "wasi_memory_import.wasm", "other_import.wasm",
        "hello_wasi.wasm", "all_imports.wasm",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_args_hostile_pointers),
        cmocka_unit_test(test_environ),
        cmocka_unit_test(test_no_args),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_fd_write),
        cmocka_unit_test(test_fd_write_hostile_iovecs),
        cmocka_unit_test(test_fd_write_sink_error_and_close),
        cmocka_unit_test(test_fd_read),
        cmocka_unit_test(test_fdstat_and_friends),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_poll_oneoff_sleeps),
        cmocka_unit_test(test_poll_oneoff_errors),
        cmocka_unit_test(test_poll_oneoff_interrupted),
        cmocka_unit_test(test_proc_exit),
        cmocka_unit_test(test_start_command),
        cmocka_unit_test(test_no_memory),
        cmocka_unit_test(test_link_wrong_signature),
        cmocka_unit_test(test_link_unknown_wasi_function),
        cmocka_unit_test(test_link_wasi_memory_import),
        cmocka_unit_test(test_link_other_module),
        cmocka_unit_test(test_c_hello),
        cmocka_unit_test(test_c_all_imports),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
