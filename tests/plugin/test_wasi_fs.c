/*
 * test_wasi_fs.c — WASI preopens and the file system below them
 * (src/plugin/wasi_path.c, wasi_open.c, wasi_dir.c, wasi_link.c,
 * wasi_fdtable.c, wasi_fdstat.c, wasi_fd.c) through the public API.
 *
 * Each test gets a fresh tree under a mkdtemp directory B (removed after):
 *     B/outside_secret, B/outside_dir/secret    what the guest must never reach
 *     B/sb/   preopened writable as "/sandbox" (fd 3), with files, a
 *             subdirectory and symlinks: some inside, some leading out
 *             (relative, absolute, to a directory, via "..", dangling)
 *     B/ro/   preopened read-only as "/ro" (fd 4)
 * Guests: data/wasi_fs_calls.wat (wat2wasm at test time, required) re-exports
 * every file function, so most tests make one WASI call with chosen
 * arguments and check its errno, the guest memory and the host tree;
 * data/fs_program.c (clang for wasm32-wasi; skipped when missing) does the
 * same through wasi-libc. Every sandbox test runs twice: with openat2(2)
 * where the kernel has it, and with the component-by-component walk.
 * Expected values come from the WASI specification and the fixture, never
 * from the code under test. Set RF_SOURCE_DIR to the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "reflow/engine.h"
#include "reflow/wasi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Preview 1 errno values, from the specification. */
enum {
    E_SUCCESS = 0, E_BADF = 8, E_BUSY = 10, E_EXIST = 20, E_FAULT = 21, E_ILSEQ = 25,
    E_INVAL = 28, E_ISDIR = 31, E_LOOP = 32, E_MFILE = 33, E_NAMETOOLONG = 37, E_NOENT = 44,
    E_NOSYS = 52, E_NOTDIR = 54, E_NOTEMPTY = 55, E_NOTSUP = 58, E_PERM = 63, E_ROFS = 69,
    E_SPIPE = 70,
    E_NOTCAPABLE = 76
};

/* Preview 1 flags and rights bits. */
enum { LOOKUP_FOLLOW = 1 };
enum { O_CREAT_W = 1, O_DIRECTORY_W = 2, O_EXCL_W = 4, O_TRUNC_W = 8 };
enum { FD_APPEND = 1 };
enum { FILETYPE_CHAR = 2, FILETYPE_DIR = 3, FILETYPE_REG = 4, FILETYPE_SYMLINK = 7 };
#define RIGHT(k) (UINT64_C(1) << (k))
/* fd_read, fd_seek, fd_tell, fd_readdir, fd_filestat_get */
#define R_READ (RIGHT(1) | RIGHT(2) | RIGHT(5) | RIGHT(14) | RIGHT(21))
/* fd_datasync, fd_write, fd_allocate, fd_filestat_set_size, fd_filestat_set_times */
#define R_WRITE (RIGHT(0) | RIGHT(6) | RIGHT(8) | RIGHT(22) | RIGHT(23))
#define R_PATH_OPEN RIGHT(13)
#define R_PATH_CREATE_FILE RIGHT(10)

/* Guest memory layout. */
enum {
    OUT = 0x100,        /* u32/u64 results */
    IOV = 0x200,        /* iovecs */
    STAT = 0x300,       /* fdstat / filestat / prestat */
    PATH_A = 0x1000,    /* first path */
    PATH_B = 0x3000,    /* second path */
    LONG_PATH = 0x4000, /* up to 0x2000 bytes */
    DATA = 0x8000,      /* 8 KiB of file data */
    DIRBUF = 0x10000,   /* 32 KiB of dirents */
    MEM_SIZE = 0x20000
};

/* ---- tools ------------------------------------------------------------------------ */

static char tmpdir[1024];
static const char *source_dir;
static char calls_wasm[PATH_MAX];

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

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- the host tree ---------------------------------------------------------------- */

typedef struct mode {
    bool no_openat2;
} mode;
static mode OPENAT2 = { false }, WALK = { true };

static struct {
    char base[PATH_MAX / 2];
    bool no_openat2;
    int serial;
    int open_fds;      /* the process's open fds when the test started */
} fx;

/* How many fds this process has open (-1 if /proc is not there). */
static int count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void host_path(char *out, size_t cap, const char *rel)
{
    int n = snprintf(out, cap, "%s/%s", fx.base, rel);
    assert_true(n > 0 && (size_t)n < cap);
}

static void make_dir(const char *rel)
{
    char p[PATH_MAX];
    host_path(p, sizeof p, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void make_file(const char *rel, const char *content)
{
    char p[PATH_MAX];
    host_path(p, sizeof p, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
    assert_int_equal(fclose(f), 0);
}

/* Symlink `rel` -> `target`; a target starting with '@' is made absolute
 * under B ("@outside_secret" -> "B/outside_secret"). */
static void make_link(const char *rel, const char *target)
{
    char p[PATH_MAX], t[PATH_MAX];
    host_path(p, sizeof p, rel);
    if (target[0] == '@')
        host_path(t, sizeof t, target + 1);
    else
        snprintf(t, sizeof t, "%s", target);
    assert_int_equal(symlink(t, p), 0);
}

static bool host_exists(const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    host_path(p, sizeof p, rel);
    return lstat(p, &st) == 0;
}

/* Contents of B/rel (NUL-terminated, caller frees), or NULL. */
static char *host_read(const char *rel)
{
    char p[PATH_MAX];
    size_t len;
    host_path(p, sizeof p, rel);
    return (char *)slurp(p, &len);
}

static void assert_host_file(const char *rel, const char *content)
{
    char *s = host_read(rel);
    if (!s)
        fail_msg("host file %s is missing", rel);
    assert_string_equal(s, content);
    free(s);
}

static struct stat host_stat(const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    host_path(p, sizeof p, rel);
    assert_int_equal(lstat(p, &st), 0);
    return st;
}

/* rm -r without following symlinks. */
static void remove_tree_at(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        unlinkat(parent, name, 0);
        return;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove_tree_at(dirfd(d), e->d_name);
    closedir(d);
    unlinkat(parent, name, AT_REMOVEDIR);
}

static const char SECRET[] = "TOP SECRET\n";
static const char DIR_SECRET[] = "DIR SECRET\n";
static const char HELLO[] = "hello, sandbox\n";
static const char INNER[] = "inner\n";
static const char RO_DATA[] = "read only data\n";

/* The names in B/sb, as the fixture makes them. */
static const char *const SB_NAMES[] = {
    ".", "..", "hello.txt", "sub", "link_out", "rel_out", "abs_out", "abs_dir", "abs_in", "up",
    "sneaky", "inside", "chain1", "chain2", "loop1", "loop2", "dangle_out", "sub_link",
};
#define SB_COUNT (sizeof SB_NAMES / sizeof SB_NAMES[0])

static int fixture_up(void **state)
{
    fx.no_openat2 = ((const mode *)*state)->no_openat2;
    fx.open_fds = count_open_fds();
    int n = snprintf(fx.base, sizeof fx.base, "%s/t%d", tmpdir, fx.serial++);
    if (n < 0 || (size_t)n >= sizeof fx.base || mkdir(fx.base, 0755) != 0)
        return -1;
    make_file("outside_secret", SECRET);
    make_dir("outside_dir");
    make_file("outside_dir/secret", DIR_SECRET);
    make_dir("ro");
    make_file("ro/data.txt", RO_DATA);
    make_dir("ro/sub");
    make_dir("sb");
    make_file("sb/hello.txt", HELLO);
    make_dir("sb/sub");
    make_file("sb/sub/inner.txt", INNER);
    make_dir("sb/sub/deeper");
    make_link("sb/sub/up_hello", "../hello.txt");
    make_link("sb/link_out", "../outside_dir");
    make_link("sb/rel_out", "../outside_secret");
    make_link("sb/abs_out", "@outside_secret");
    make_link("sb/abs_dir", "@outside_dir");
    make_link("sb/abs_in", "@sb/hello.txt");
    make_link("sb/up", "..");
    make_link("sb/sneaky", "sub/../../outside_secret");
    make_link("sb/inside", "sub/inner.txt");
    make_link("sb/chain1", "chain2");
    make_link("sb/chain2", "inside");
    make_link("sb/loop1", "loop2");
    make_link("sb/loop2", "loop1");
    make_link("sb/dangle_out", "../created_by_guest");
    make_link("sb/sub_link", "sub");
    return 0;
}

/* Every host fd the test's WASI contexts opened must be closed again. */
static int fixture_down(void **state)
{
    (void)state;
    remove_tree_at(AT_FDCWD, fx.base);
    int now = count_open_fds();
    if (now != fx.open_fds) {
        fprintf(stderr, "test_wasi_fs: %d fds open after the test, %d before\n", now,
                fx.open_fds);
        return -1;
    }
    return 0;
}

/* ---- one guest -------------------------------------------------------------------- */

typedef struct guest {
    rf_module *m;
    rf_store *s;
    rf_wasi *w;
    rf_instance *inst;
    rf_extern *imports;
    rf_memory *mem;
    char *out;
    size_t out_len;
} guest;

static int capture(void *user, int fd, const uint8_t *data, size_t len)
{
    guest *g = user;
    (void)fd;
    char *p = realloc(g->out, g->out_len + len + 1);
    assert_non_null(p);
    memcpy(p + g->out_len, data, len);
    g->out_len += len;
    p[g->out_len] = '\0';
    g->out = p;
    return 0;
}

static rf_module *load(const char *wasm)
{
    size_t len;
    uint8_t *bytes = slurp(wasm, &len);
    if (!bytes)
        fail_msg("cannot read %s", wasm);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_module *m = rf_module_load(bytes, len, NULL, &err);
    free(bytes);
    if (!m)
        fail_msg("loading %s: %s", wasm, err.message);
    return m;
}

/* Instantiate `wasm` with "/sandbox" (fd 3) and "/ro" (fd 4). */
static void guest_open_wasm(guest *g, const char *wasm, uint32_t max_fds)
{
    memset(g, 0, sizeof *g);
    char sb[PATH_MAX], ro[PATH_MAX];
    host_path(sb, sizeof sb, "sb");
    host_path(ro, sizeof ro, "ro");
    rf_wasi_preopen pre[2] = {
        { .host_path = sb, .guest_path = "/sandbox", .read_only = false },
        { .host_path = ro, .guest_path = "/ro", .read_only = true },
    };
    rf_wasi_config cfg = { .write = capture, .user = g, .preopens = pre, .npreopens = 2,
                           .max_fds = max_fds, .no_openat2 = fx.no_openat2 };
    rf_error err;
    memset(&err, 0, sizeof err);
    g->m = load(wasm);
    g->s = rf_store_new(NULL, &err);
    assert_non_null(g->s);
    g->w = rf_wasi_new(&cfg, &err);
    if (!g->w)
        fail_msg("rf_wasi_new: %s", err.message);
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

static void guest_open(guest *g, uint32_t max_fds)
{
    guest_open_wasm(g, calls_wasm, max_fds);
    assert_non_null(g->mem);
    assert_int_equal(rf_memory_size(g->mem), MEM_SIZE);
}

static void guest_close(guest *g)
{
    rf_store_free(g->s);
    rf_wasi_free(g->w);
    rf_module_free(g->m);
    free(g->imports);
    free(g->out);
}

/* Call wrapper `name` with integer arguments; returns its errno. */
static uint32_t call(guest *g, const char *name, size_t nargs, const uint64_t *args)
{
    char full[64];
    snprintf(full, sizeof full, "call_%s", name);
    rf_extern ex;
    if (!rf_instance_export(g->inst, full, strlen(full), &ex) || ex.kind != RF_EXTERN_FUNC)
        fail_msg("no exported function %s", full);
    rf_signature sig = rf_func_signature(ex.of.func);
    assert_int_equal(sig.nparams, nargs);
    rf_value vals[16], r;
    assert_true(nargs <= 16);
    for (size_t i = 0; i < nargs; i++)
        vals[i] = sig.params[i] == RF_I64 ? rf_val_i64(args[i]) : rf_val_i32((uint32_t)args[i]);
    rf_error err;
    memset(&err, 0, sizeof err);
    if (rf_call(ex.of.func, vals, nargs, &r, 1, &err) != RF_OK)
        fail_msg("%s failed: %s", full, err.message);
    return r.of.i32;
}

#define ARGS(...) \
    (sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)), (uint64_t[]){ __VA_ARGS__ }

static void mem_write(guest *g, uint64_t at, const void *data, size_t len)
{
    assert_true(rf_memory_write(g->mem, at, data, len));
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

static void mem_put_u32(guest *g, uint64_t at, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    mem_write(g, at, b, 4);
}

/* Put a path (without terminator) at `at`; its length. */
static uint32_t put_str(guest *g, uint64_t at, const char *s)
{
    size_t len = strlen(s);
    mem_write(g, at, s, len);
    return (uint32_t)len;
}

/* ---- WASI calls with the usual arguments ------------------------------------------ */

static uint32_t wopen(guest *g, uint32_t dirfd, const char *path, uint32_t lookup,
                      uint32_t oflags, uint64_t rights, uint32_t fdflags, uint32_t *fd)
{
    uint32_t len = put_str(g, PATH_A, path);
    mem_put_u32(g, OUT, 0xDEADBEEF);
    uint32_t e = call(g, "path_open", ARGS(dirfd, lookup, PATH_A, len, oflags, rights,
                                           R_READ | R_WRITE, fdflags, OUT));
    if (fd)
        *fd = mem_u32(g, OUT);
    if (e != E_SUCCESS)
        assert_int_equal(mem_u32(g, OUT), 0xDEADBEEF);   /* nothing written on failure */
    return e;
}

/* Open `path` in /sandbox for reading, following symlinks. */
static uint32_t open_read(guest *g, uint32_t dirfd, const char *path, uint32_t *fd)
{
    return wopen(g, dirfd, path, LOOKUP_FOLLOW, 0, R_READ, 0, fd);
}

/* Read fd to its end into out (NUL-terminated); WASI errno of the first failure. */
static uint32_t read_all(guest *g, uint32_t fd, char *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        mem_put_u32(g, IOV, DATA);
        mem_put_u32(g, IOV + 4, 4096);
        uint32_t e = call(g, "fd_read", ARGS(fd, IOV, 1, OUT));
        if (e != E_SUCCESS)
            return e;
        uint32_t got = mem_u32(g, OUT);
        if (got == 0)
            break;
        assert_true(n + got < cap);
        assert_true(rf_memory_read(g->mem, DATA, out + n, got));
        n += got;
    }
    out[n] = '\0';
    return E_SUCCESS;
}

/* The whole content of `path` read through the guest (follows symlinks). */
static uint32_t guest_read(guest *g, uint32_t dirfd, const char *path, char *out, size_t cap)
{
    uint32_t fd;
    uint32_t e = open_read(g, dirfd, path, &fd);
    if (e != E_SUCCESS)
        return e;
    e = read_all(g, fd, out, cap);
    assert_int_equal(call(g, "fd_close", ARGS(fd)), E_SUCCESS);
    return e;
}

static uint32_t write_str(guest *g, uint32_t fd, const char *s)
{
    uint32_t len = put_str(g, DATA, s);
    mem_put_u32(g, IOV, DATA);
    mem_put_u32(g, IOV + 4, len);
    uint32_t e = call(g, "fd_write", ARGS(fd, IOV, 1, OUT));
    if (e == E_SUCCESS)
        assert_int_equal(mem_u32(g, OUT), len);
    return e;
}

/* A path_* call taking (fd, path, len). */
static uint32_t path1(guest *g, const char *fn, uint32_t dirfd, const char *path)
{
    uint32_t len = put_str(g, PATH_A, path);
    return call(g, fn, ARGS(dirfd, PATH_A, len));
}

static uint32_t wrename(guest *g, uint32_t fd1, const char *from, uint32_t fd2, const char *to)
{
    uint32_t l1 = put_str(g, PATH_A, from), l2 = put_str(g, PATH_B, to);
    return call(g, "path_rename", ARGS(fd1, PATH_A, l1, fd2, PATH_B, l2));
}

static uint32_t wstat(guest *g, uint32_t dirfd, const char *path, uint32_t lookup)
{
    uint32_t len = put_str(g, PATH_A, path);
    return call(g, "path_filestat_get", ARGS(dirfd, lookup, PATH_A, len, STAT));
}

static uint32_t wsymlink(guest *g, const char *target, uint32_t dirfd, const char *path)
{
    uint32_t l1 = put_str(g, PATH_A, target), l2 = put_str(g, PATH_B, path);
    return call(g, "path_symlink", ARGS(PATH_A, l1, dirfd, PATH_B, l2));
}

static uint32_t wlink(guest *g, uint32_t fd1, uint32_t lookup, const char *from, uint32_t fd2,
                      const char *to)
{
    uint32_t l1 = put_str(g, PATH_A, from), l2 = put_str(g, PATH_B, to);
    return call(g, "path_link", ARGS(fd1, lookup, PATH_A, l1, fd2, PATH_B, l2));
}

/* ---- preopens --------------------------------------------------------------------- */

static void test_prestat(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(3, STAT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT) & 0xFF, 0);                 /* tag: dir */
    assert_int_equal(mem_u32(&g, STAT + 4), strlen("/sandbox"));
    assert_int_equal(call(&g, "fd_prestat_dir_name", ARGS(3, PATH_A, 8)), E_SUCCESS);
    char name[9] = { 0 };
    assert_true(rf_memory_read(g.mem, PATH_A, name, 8));
    assert_string_equal(name, "/sandbox");
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(4, STAT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT + 4), 3);
    assert_int_equal(call(&g, "fd_prestat_dir_name", ARGS(4, PATH_A, 3)), E_SUCCESS);
    assert_true(rf_memory_read(g.mem, PATH_A, name, 3));
    assert_memory_equal(name, "/ro", 3);
    /* The scan ends at the first fd that is not a preopen. */
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(5, STAT)), E_BADF);
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(1, STAT)), E_BADF);
    assert_int_equal(call(&g, "fd_prestat_dir_name", ARGS(3, PATH_A, 7)), E_NAMETOOLONG);
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(3, MEM_SIZE - 7)), E_FAULT);
    assert_int_equal(call(&g, "fd_prestat_dir_name", ARGS(3, MEM_SIZE - 4, 8)), E_FAULT);
    /* An opened directory is not a preopen. */
    uint32_t fd;
    assert_int_equal(wopen(&g, 3, "sub", 0, O_DIRECTORY_W, R_READ, 0, &fd), E_SUCCESS);
    assert_int_equal(fd, 5);
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(fd, STAT)), E_BADF);

    /* fdstat: directories; the read-only one lacks the rights to change
     * anything but still passes write rights on (wasi-libc asks with them). */
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(3, STAT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT) & 0xFF, FILETYPE_DIR);
    assert_true(mem_u64(&g, STAT + 8) & R_PATH_OPEN);
    assert_true(mem_u64(&g, STAT + 8) & R_PATH_CREATE_FILE);
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(4, STAT)), E_SUCCESS);
    assert_true(mem_u64(&g, STAT + 8) & R_PATH_OPEN);
    assert_false(mem_u64(&g, STAT + 8) & R_PATH_CREATE_FILE);
    assert_true(mem_u64(&g, STAT + 16) & RIGHT(6));
    /* filestat of a preopen is the host directory's. */
    assert_int_equal(call(&g, "fd_filestat_get", ARGS(3, STAT)), E_SUCCESS);
    struct stat st = host_stat("sb");
    assert_int_equal(mem_u64(&g, STAT + 8), (uint64_t)st.st_ino);
    assert_int_equal(mem_u32(&g, STAT + 16) & 0xFF, FILETYPE_DIR);
    guest_close(&g);
}

static void test_config_errors(void **state)
{
    (void)state;
    rf_error err;
    char missing[PATH_MAX], file[PATH_MAX];
    host_path(missing, sizeof missing, "no_such_dir");
    host_path(file, sizeof file, "outside_secret");
    rf_wasi_preopen pre = { .host_path = missing, .guest_path = "/x" };
    rf_wasi_config cfg = { .preopens = &pre, .npreopens = 1 };
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, missing));
    assert_non_null(strstr(err.message, strerror(ENOENT)));

    pre.host_path = file;
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg, &err));
    assert_non_null(strstr(err.message, file));
    assert_non_null(strstr(err.message, strerror(ENOTDIR)));

    pre.host_path = NULL;
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg, &err));
    assert_non_null(strstr(err.message, "preopen 0"));

    /* A long guest path, a list that is NULL, too many preopens for max_fds. */
    char sb[PATH_MAX];
    host_path(sb, sizeof sb, "sb");
    char *long_name = malloc(5000);
    assert_non_null(long_name);
    memset(long_name, 'a', 4999);
    long_name[4999] = '\0';
    rf_wasi_preopen two[2] = { { .host_path = sb, .guest_path = "/a" },
                               { .host_path = sb, .guest_path = long_name } };
    cfg.preopens = two;
    cfg.npreopens = 2;
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg, &err));
    assert_non_null(strstr(err.message, "preopen 1"));
    free(long_name);
    cfg.preopens = NULL;
    assert_null(rf_wasi_new(&cfg, &err));
    two[1].guest_path = "/b";
    cfg.preopens = two;
    cfg.max_fds = 4;
    memset(&err, 0, sizeof err);
    assert_null(rf_wasi_new(&cfg, &err));
    assert_non_null(strstr(err.message, "max_fds"));
    cfg.max_fds = 5;
    rf_wasi *w = rf_wasi_new(&cfg, &err);
    assert_non_null(w);
    rf_wasi_free(w);
}

/* ---- files ------------------------------------------------------------------------ */

static void test_read_file(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    char buf[256];
    assert_int_equal(guest_read(&g, 3, "hello.txt", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, HELLO);
    assert_int_equal(guest_read(&g, 3, "./sub//inner.txt", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, INNER);
    assert_int_equal(guest_read(&g, 3, "sub/deeper/../inner.txt", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, INNER);

    uint32_t fd;
    assert_int_equal(open_read(&g, 3, "hello.txt", &fd), E_SUCCESS);
    assert_int_equal(fd, 5);
    /* seek to 7, read "sandbox\n"; tell; pread at 0 leaves the position. */
    assert_int_equal(call(&g, "fd_seek", ARGS(fd, 7, 0, OUT)), E_SUCCESS);
    assert_int_equal(mem_u64(&g, OUT), 7);
    assert_int_equal(read_all(&g, fd, buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, "sandbox\n");
    assert_int_equal(call(&g, "fd_tell", ARGS(fd, OUT)), E_SUCCESS);
    assert_int_equal(mem_u64(&g, OUT), strlen(HELLO));
    assert_int_equal(call(&g, "fd_seek", ARGS(fd, (uint64_t)-3, 2, OUT)), E_SUCCESS);
    assert_int_equal(mem_u64(&g, OUT), strlen(HELLO) - 3);
    assert_int_equal(call(&g, "fd_seek", ARGS(fd, (uint64_t)-100, 1, OUT)), E_INVAL);
    assert_int_equal(call(&g, "fd_seek", ARGS(fd, 0, 3, OUT)), E_INVAL);
    assert_int_equal(call(&g, "fd_seek", ARGS(fd, 0, 0, MEM_SIZE - 4)), E_FAULT);
    mem_put_u32(&g, IOV, DATA);
    mem_put_u32(&g, IOV + 4, 5);
    assert_int_equal(call(&g, "fd_pread", ARGS(fd, IOV, 1, 0, OUT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, OUT), 5);
    assert_true(rf_memory_read(g.mem, DATA, buf, 5));
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(call(&g, "fd_tell", ARGS(fd, OUT)), E_SUCCESS);
    assert_int_equal(mem_u64(&g, OUT), strlen(HELLO) - 3);
    /* Two iovecs in one read. */
    mem_put_u32(&g, IOV, DATA);
    mem_put_u32(&g, IOV + 4, 2);
    mem_put_u32(&g, IOV + 8, DATA + 100);
    mem_put_u32(&g, IOV + 12, 3);
    assert_int_equal(call(&g, "fd_pread", ARGS(fd, IOV, 2, 7, OUT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, OUT), 5);
    assert_true(rf_memory_read(g.mem, DATA, buf, 2));
    assert_true(rf_memory_read(g.mem, DATA + 100, buf + 2, 3));
    assert_memory_equal(buf, "sandb", 5);

    /* Metadata matches the host's. */
    struct stat st = host_stat("sb/hello.txt");
    assert_int_equal(call(&g, "fd_filestat_get", ARGS(fd, STAT)), E_SUCCESS);
    assert_int_equal(mem_u64(&g, STAT + 8), (uint64_t)st.st_ino);
    assert_int_equal(mem_u32(&g, STAT + 16) & 0xFF, FILETYPE_REG);
    assert_int_equal(mem_u64(&g, STAT + 24), 1);                         /* nlink */
    assert_int_equal(mem_u64(&g, STAT + 32), strlen(HELLO));
    assert_int_equal(mem_u64(&g, STAT + 48),
                     (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec);
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(fd, STAT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT) & 0xFF, FILETYPE_REG);
    assert_int_equal(mem_u64(&g, STAT + 8), R_READ & ~RIGHT(14));        /* no readdir on a file */
    /* Opened for reading only: writing is EBADF, and nothing changes. */
    assert_int_equal(write_str(&g, fd, "x"), E_BADF);
    assert_int_equal(call(&g, "fd_pwrite", ARGS(fd, IOV, 1, 0, OUT)), E_BADF);
    assert_int_equal(call(&g, "fd_advise", ARGS(fd, 0, 0, 2)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_advise", ARGS(fd, 0, 0, 6)), E_INVAL);
    assert_int_equal(call(&g, "fd_close", ARGS(fd)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_close", ARGS(fd)), E_BADF);
    assert_int_equal(call(&g, "fd_read", ARGS(fd, IOV, 1, OUT)), E_BADF);
    assert_host_file("sb/hello.txt", HELLO);

    /* Directories: no position, no reading, not a directory for path calls on files. */
    assert_int_equal(call(&g, "fd_seek", ARGS(3, 0, 0, OUT)), E_SPIPE);
    assert_int_equal(wopen(&g, 3, "sub", 0, O_DIRECTORY_W, R_READ, 0, &fd), E_SUCCESS);
    assert_int_equal(call(&g, "fd_read", ARGS(fd, IOV, 1, OUT)), E_ISDIR);
    assert_int_equal(open_read(&g, fd, "inner.txt", NULL), E_SUCCESS);   /* fd 6 */
    assert_int_equal(open_read(&g, 6, "x", NULL), E_NOTDIR);              /* a file as dirfd */
    assert_int_equal(open_read(&g, 1, "x", NULL), E_NOSYS);               /* stdio */
    assert_int_equal(open_read(&g, 99, "x", NULL), E_BADF);
    assert_int_equal(open_read(&g, 3, "missing", NULL), E_NOENT);
    assert_int_equal(wopen(&g, 3, "hello.txt", 0, O_DIRECTORY_W, R_READ, 0, NULL), E_NOTDIR);
    assert_int_equal(open_read(&g, 3, "hello.txt/", NULL), E_NOTDIR);
    assert_int_equal(open_read(&g, 3, "sub/", NULL), E_SUCCESS);
    guest_close(&g);
}

static void test_write_file(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    uint32_t fd;
    assert_int_equal(wopen(&g, 3, "new.txt", 0, O_CREAT_W | O_EXCL_W, R_READ | R_WRITE, 0, &fd),
                     E_SUCCESS);
    assert_int_equal(write_str(&g, fd, "abcdef"), E_SUCCESS);
    put_str(&g, DATA, "XY");
    mem_put_u32(&g, IOV, DATA);
    mem_put_u32(&g, IOV + 4, 2);
    assert_int_equal(call(&g, "fd_pwrite", ARGS(fd, IOV, 1, 1, OUT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, OUT), 2);
    assert_host_file("sb/new.txt", "aXYdef");
    assert_int_equal(call(&g, "fd_filestat_set_size", ARGS(fd, 3)), E_SUCCESS);
    assert_host_file("sb/new.txt", "aXY");
    assert_int_equal(call(&g, "fd_allocate", ARGS(fd, 0, 2)), E_SUCCESS);   /* already that big */
    assert_int_equal(host_stat("sb/new.txt").st_size, 3);
    assert_int_equal(call(&g, "fd_allocate", ARGS(fd, 10, 6)), E_SUCCESS);
    assert_int_equal(host_stat("sb/new.txt").st_size, 16);
    assert_int_equal(call(&g, "fd_allocate", ARGS(fd, (uint64_t)-1, 2)), E_INVAL);
    assert_int_equal(call(&g, "fd_filestat_set_size", ARGS(fd, (uint64_t)-1)), E_INVAL);
    assert_int_equal(call(&g, "fd_sync", ARGS(fd)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_datasync", ARGS(fd)), E_SUCCESS);
    /* Times: mtime set exactly, atime left alone; contradictory flags refused. */
    struct stat before = host_stat("sb/new.txt");
    uint64_t t = UINT64_C(1234567890) * 1000000000u + 5;
    assert_int_equal(call(&g, "fd_filestat_set_times", ARGS(fd, 0, t, 4)), E_SUCCESS);
    struct stat after = host_stat("sb/new.txt");
    assert_int_equal(after.st_mtim.tv_sec, 1234567890);
    assert_int_equal(after.st_mtim.tv_nsec, 5);
    assert_int_equal(after.st_atim.tv_sec, before.st_atim.tv_sec);
    assert_int_equal(call(&g, "fd_filestat_set_times", ARGS(fd, 0, t, 4 | 8)), E_INVAL);
    assert_int_equal(call(&g, "fd_filestat_set_times", ARGS(fd, 0, t, 16)), E_INVAL);
    assert_int_equal(call(&g, "fd_close", ARGS(fd)), E_SUCCESS);

    /* O_EXCL on an existing file; O_TRUNC; append mode. */
    assert_int_equal(wopen(&g, 3, "new.txt", 0, O_CREAT_W | O_EXCL_W, R_WRITE, 0, NULL),
                     E_EXIST);
    assert_int_equal(wopen(&g, 3, "new.txt", 0, O_TRUNC_W, R_WRITE, 0, &fd), E_SUCCESS);
    assert_int_equal(write_str(&g, fd, "one\n"), E_SUCCESS);
    assert_int_equal(call(&g, "fd_close", ARGS(fd)), E_SUCCESS);
    assert_int_equal(wopen(&g, 3, "new.txt", 0, 0, R_WRITE, FD_APPEND, &fd), E_SUCCESS);
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(fd, STAT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT) >> 16, FD_APPEND);
    assert_int_equal(write_str(&g, fd, "two\n"), E_SUCCESS);
    assert_int_equal(call(&g, "fd_fdstat_set_flags", ARGS(fd, 0)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_seek", ARGS(fd, 0, 0, OUT)), E_SUCCESS);
    assert_int_equal(write_str(&g, fd, "ONE\n"), E_SUCCESS);
    assert_int_equal(call(&g, "fd_fdstat_set_flags", ARGS(fd, 2)), E_NOTSUP); /* dsync */
    assert_int_equal(call(&g, "fd_fdstat_set_flags", ARGS(fd, 64)), E_INVAL);
    /* Rights can be dropped, not regained: without FD_WRITE, no writing. */
    assert_int_equal(call(&g, "fd_fdstat_set_rights", ARGS(fd, RIGHT(2), 0)), E_NOTCAPABLE);
    assert_int_equal(call(&g, "fd_fdstat_set_rights", ARGS(fd, RIGHT(0), 0)), E_SUCCESS);
    assert_int_equal(write_str(&g, fd, "three\n"), E_BADF);
    assert_int_equal(call(&g, "fd_fdstat_set_rights", ARGS(fd, RIGHT(6), 0)), E_NOTCAPABLE);
    assert_int_equal(call(&g, "fd_close", ARGS(fd)), E_SUCCESS);
    assert_host_file("sb/new.txt", "ONE\ntwo\n");

    /* Writing a created file in a subdirectory, through a directory fd. */
    uint32_t dir;
    assert_int_equal(wopen(&g, 3, "sub/deeper", 0, O_DIRECTORY_W, R_READ, 0, &dir), E_SUCCESS);
    assert_int_equal(wopen(&g, dir, "made", 0, O_CREAT_W, R_WRITE, 0, &fd), E_SUCCESS);
    assert_int_equal(write_str(&g, fd, "deep\n"), E_SUCCESS);
    assert_host_file("sb/sub/deeper/made", "deep\n");
    /* Creating "name/" is not a file. */
    assert_int_equal(wopen(&g, 3, "newdir/", 0, O_CREAT_W, R_WRITE, 0, NULL), E_ISDIR);
    assert_false(host_exists("sb/newdir"));
    guest_close(&g);
}

/* ---- directories ------------------------------------------------------------------ */

typedef struct listing {
    char names[64][64];
    uint64_t inos[64];
    uint8_t types[64];
    size_t n;
} listing;

/* List directory fd like wasi-libc: buffers of `size` bytes, resuming from
 * the last complete entry's cookie, growing the buffer when not even one
 * entry fits. */
static void list_dir(guest *g, uint32_t fd, uint32_t size, listing *out)
{
    memset(out, 0, sizeof *out);
    uint64_t cookie = 0;
    for (int rounds = 0; rounds < 1000; rounds++) {
        assert_int_equal(call(g, "fd_readdir", ARGS(fd, DIRBUF, size, cookie, OUT)), E_SUCCESS);
        uint32_t used = mem_u32(g, OUT);
        assert_true(used <= size);
        uint32_t at = 0;
        size_t complete = 0;
        while (at + 24 <= used) {
            uint32_t namlen = mem_u32(g, DIRBUF + at + 16);
            if (at + 24 + namlen > used)
                break;
            assert_true(namlen < 64 && out->n < 64);
            assert_true(rf_memory_read(g->mem, DIRBUF + at + 24, out->names[out->n], namlen));
            out->inos[out->n] = mem_u64(g, DIRBUF + at + 8);
            out->types[out->n] = (uint8_t)(mem_u32(g, DIRBUF + at + 20) & 0xFF);
            out->n++;
            cookie = mem_u64(g, DIRBUF + at);
            at += 24 + namlen;
            complete++;
        }
        if (used < size)
            return;   /* the end */
        if (complete == 0)
            size *= 2;
    }
    fail_msg("fd_readdir did not reach the end");
}

static int find_name(const listing *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return (int)i;
    return -1;
}

static void check_sb_listing(const listing *l)
{
    assert_int_equal(l->n, SB_COUNT);
    for (size_t i = 0; i < SB_COUNT; i++)
        if (find_name(l, SB_NAMES[i]) < 0)
            fail_msg("%s missing from the listing", SB_NAMES[i]);
    int i = find_name(l, "hello.txt");
    assert_int_equal(l->types[i], FILETYPE_REG);
    assert_int_equal(l->inos[i], (uint64_t)host_stat("sb/hello.txt").st_ino);
    assert_int_equal(l->types[find_name(l, "sub")], FILETYPE_DIR);
    assert_int_equal(l->types[find_name(l, "link_out")], FILETYPE_SYMLINK);
    assert_int_equal(l->types[find_name(l, "abs_out")], FILETYPE_SYMLINK);
}

static void test_readdir(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    listing *l = malloc(sizeof *l);
    assert_non_null(l);
    list_dir(&g, 3, 32768, l);
    check_sb_listing(l);
    /* Tiny buffers: entries cut off, resumed by cookie. */
    list_dir(&g, 3, 30, l);
    check_sb_listing(l);
    list_dir(&g, 3, 8, l);
    check_sb_listing(l);
    /* A subdirectory opened by path, and the read-only preopen. */
    uint32_t fd;
    assert_int_equal(wopen(&g, 3, "sub", 0, O_DIRECTORY_W, R_READ, 0, &fd), E_SUCCESS);
    list_dir(&g, fd, 4096, l);
    assert_int_equal(l->n, 5);
    assert_true(find_name(l, "inner.txt") >= 0 && find_name(l, "deeper") >= 0 &&
                find_name(l, "up_hello") >= 0);
    list_dir(&g, 4, 4096, l);
    assert_int_equal(l->n, 4);
    assert_true(find_name(l, "data.txt") >= 0);
    /* A zero-length buffer is full at once. */
    assert_int_equal(call(&g, "fd_readdir", ARGS(3, DIRBUF, 0, 0, OUT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, OUT), 0);
    /* Errors: a file, stdio, bad buffers, a cookie past any offset. */
    uint32_t file;
    assert_int_equal(open_read(&g, 3, "hello.txt", &file), E_SUCCESS);
    assert_int_equal(call(&g, "fd_readdir", ARGS(file, DIRBUF, 100, 0, OUT)), E_NOTDIR);
    assert_int_equal(call(&g, "fd_readdir", ARGS(1, DIRBUF, 100, 0, OUT)), E_NOSYS);
    assert_int_equal(call(&g, "fd_readdir", ARGS(3, MEM_SIZE - 50, 100, 0, OUT)), E_FAULT);
    assert_int_equal(call(&g, "fd_readdir", ARGS(3, DIRBUF, 100, 0, MEM_SIZE)), E_FAULT);
    assert_int_equal(call(&g, "fd_readdir", ARGS(3, DIRBUF, 100, UINT64_MAX, OUT)), E_INVAL);
    free(l);
    guest_close(&g);
}

static void test_create_remove_rename(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    assert_int_equal(path1(&g, "path_create_directory", 3, "newdir"), E_SUCCESS);
    assert_true(S_ISDIR(host_stat("sb/newdir").st_mode));
    assert_int_equal(path1(&g, "path_create_directory", 3, "newdir"), E_EXIST);
    assert_int_equal(path1(&g, "path_create_directory", 3, "sub/deeper/.."), E_EXIST);
    assert_int_equal(path1(&g, "path_create_directory", 3, "newdir/a/b"), E_NOENT);
    uint32_t fd;
    assert_int_equal(wopen(&g, 3, "newdir/f", 0, O_CREAT_W, R_WRITE, 0, &fd), E_SUCCESS);
    assert_int_equal(write_str(&g, fd, "payload"), E_SUCCESS);
    assert_int_equal(call(&g, "fd_close", ARGS(fd)), E_SUCCESS);

    assert_int_equal(wrename(&g, 3, "newdir/f", 3, "moved.txt"), E_SUCCESS);
    assert_false(host_exists("sb/newdir/f"));
    assert_host_file("sb/moved.txt", "payload");
    assert_int_equal(wrename(&g, 3, "moved.txt", 3, "sub/"), E_NOTDIR);
    assert_int_equal(wrename(&g, 3, "missing", 3, "x"), E_NOENT);
    assert_int_equal(wrename(&g, 3, ".", 3, "x"), E_BUSY);
    assert_int_equal(wrename(&g, 3, "sub/..", 3, "x"), E_BUSY);
    assert_int_equal(wrename(&g, 3, "newdir/", 3, "newdir2"), E_SUCCESS);
    assert_true(S_ISDIR(host_stat("sb/newdir2").st_mode));
    /* Renaming between two directory fds. */
    uint32_t sub;
    assert_int_equal(wopen(&g, 3, "sub", 0, O_DIRECTORY_W, R_READ, 0, &sub), E_SUCCESS);
    assert_int_equal(wrename(&g, 3, "moved.txt", sub, "here.txt"), E_SUCCESS);
    assert_host_file("sb/sub/here.txt", "payload");
    assert_int_equal(wrename(&g, 3, "x", 99, "y"), E_BADF);
    assert_int_equal(wrename(&g, 1, "x", 99, "y"), E_BADF);

    /* Unlinking: files and symlinks (not their targets), not directories. */
    assert_int_equal(path1(&g, "path_unlink_file", sub, "here.txt"), E_SUCCESS);
    assert_false(host_exists("sb/sub/here.txt"));
    assert_int_equal(path1(&g, "path_unlink_file", 3, "newdir2"), E_ISDIR);
    assert_int_equal(path1(&g, "path_unlink_file", 3, "hello.txt/"), E_NOTDIR);
    assert_int_equal(path1(&g, "path_unlink_file", 3, "."), E_ISDIR);
    assert_int_equal(path1(&g, "path_unlink_file", 3, "missing"), E_NOENT);
    assert_int_equal(path1(&g, "path_unlink_file", 3, "abs_out"), E_SUCCESS);
    assert_false(host_exists("sb/abs_out"));
    assert_host_file("outside_secret", SECRET);

    /* Removing directories: only empty ones, never the preopen itself. */
    assert_int_equal(path1(&g, "path_remove_directory", 3, "newdir2"), E_SUCCESS);
    assert_false(host_exists("sb/newdir2"));
    assert_int_equal(path1(&g, "path_remove_directory", 3, "sub"), E_NOTEMPTY);
    assert_int_equal(path1(&g, "path_remove_directory", 3, "hello.txt"), E_NOTDIR);
    assert_int_equal(path1(&g, "path_remove_directory", 3, "."), E_INVAL);
    assert_int_equal(path1(&g, "path_remove_directory", 3, "sub/.."), E_INVAL);
    assert_int_equal(path1(&g, "path_remove_directory", 3, "sub_link"), E_NOTDIR);
    assert_true(host_exists("sb/sub/inner.txt"));

    /* Metadata by path, with and without following the last symlink. */
    assert_int_equal(wstat(&g, 3, "inside", 0), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT + 16) & 0xFF, FILETYPE_SYMLINK);
    assert_int_equal(mem_u64(&g, STAT + 8), (uint64_t)host_stat("sb/inside").st_ino);
    assert_int_equal(wstat(&g, 3, "inside", LOOKUP_FOLLOW), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT + 16) & 0xFF, FILETYPE_REG);
    assert_int_equal(mem_u64(&g, STAT + 32), strlen(INNER));
    assert_int_equal(mem_u64(&g, STAT + 8), (uint64_t)host_stat("sb/sub/inner.txt").st_ino);
    assert_int_equal(wstat(&g, 3, "sub_link/", 0), E_SUCCESS);     /* a slash follows */
    assert_int_equal(mem_u32(&g, STAT + 16) & 0xFF, FILETYPE_DIR);
    assert_int_equal(wstat(&g, 3, "hello.txt/", 0), E_NOTDIR);
    assert_int_equal(wstat(&g, 3, ".", 0), E_SUCCESS);
    assert_int_equal(mem_u64(&g, STAT + 8), (uint64_t)host_stat("sb").st_ino);
    assert_int_equal(wstat(&g, 3, "sub/deeper/..", 0), E_SUCCESS);
    assert_int_equal(mem_u64(&g, STAT + 8), (uint64_t)host_stat("sb/sub").st_ino);
    assert_int_equal(wstat(&g, 3, "missing", 0), E_NOENT);
    uint32_t len = put_str(&g, PATH_A, "hello.txt");
    assert_int_equal(call(&g, "path_filestat_get", ARGS(3, 0, PATH_A, len, MEM_SIZE - 63)),
                     E_FAULT);
    assert_int_equal(call(&g, "path_filestat_get", ARGS(3, 2, PATH_A, len, STAT)), E_INVAL);
    /* Times by path: the symlink itself, or its target. */
    uint64_t t = UINT64_C(1000000000) * 1000000000u;
    assert_int_equal(call(&g, "path_filestat_set_times",
                          ARGS(3, LOOKUP_FOLLOW, PATH_A, len, t, t, 1 | 4)),
                     E_SUCCESS);
    assert_int_equal(host_stat("sb/hello.txt").st_mtim.tv_sec, 1000000000);
    assert_int_equal(host_stat("sb/hello.txt").st_atim.tv_sec, 1000000000);
    len = put_str(&g, PATH_A, "inside");
    assert_int_equal(call(&g, "path_filestat_set_times", ARGS(3, 0, PATH_A, len, 0, 7 * t, 4)),
                     E_SUCCESS);
    assert_int_equal(host_stat("sb/inside").st_mtim.tv_sec, 7000000000);
    assert_true(host_stat("sb/sub/inner.txt").st_mtim.tv_sec != 7000000000);
    guest_close(&g);
}

static void test_links(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    char buf[256];
    /* Symlinks inside the sandbox work, also through ".." that stays inside. */
    assert_int_equal(guest_read(&g, 3, "inside", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, INNER);
    assert_int_equal(guest_read(&g, 3, "sub/up_hello", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, HELLO);
    assert_int_equal(guest_read(&g, 3, "chain1", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, INNER);
    assert_int_equal(guest_read(&g, 3, "sub_link/inner.txt", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, INNER);
    assert_int_equal(guest_read(&g, 3, "sub_link/../hello.txt", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, HELLO);
    /* Not following the last component: a symlink is ELOOP to open. */
    assert_int_equal(wopen(&g, 3, "inside", 0, 0, R_READ, 0, NULL), E_LOOP);
    assert_int_equal(open_read(&g, 3, "loop1", NULL), E_LOOP);
    assert_int_equal(open_read(&g, 3, "loop1/x", NULL), E_LOOP);

    /* readlink gives the stored text, cut to the buffer. */
    uint32_t len = put_str(&g, PATH_A, "sub/up_hello");
    assert_int_equal(call(&g, "path_readlink", ARGS(3, PATH_A, len, DATA, 100, OUT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, OUT), strlen("../hello.txt"));
    assert_true(rf_memory_read(g.mem, DATA, buf, strlen("../hello.txt")));
    assert_memory_equal(buf, "../hello.txt", strlen("../hello.txt"));
    assert_int_equal(call(&g, "path_readlink", ARGS(3, PATH_A, len, DATA, 4, OUT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, OUT), 4);
    assert_int_equal(call(&g, "path_readlink", ARGS(3, PATH_A, len, MEM_SIZE - 2, 4, OUT)),
                     E_FAULT);
    len = put_str(&g, PATH_A, "hello.txt");
    assert_int_equal(call(&g, "path_readlink", ARGS(3, PATH_A, len, DATA, 100, OUT)), E_INVAL);

    /* Creating symlinks: relative ones that stay inside. */
    assert_int_equal(wsymlink(&g, "hello.txt", 3, "my_link"), E_SUCCESS);
    assert_int_equal(guest_read(&g, 3, "my_link", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, HELLO);
    assert_int_equal(wsymlink(&g, "../hello.txt", 3, "sub/deeper/../my_up"), E_SUCCESS);
    assert_int_equal(guest_read(&g, 3, "sub/my_up", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, HELLO);
    assert_int_equal(wsymlink(&g, "hello.txt", 3, "my_link"), E_EXIST);
    assert_int_equal(wsymlink(&g, "x", 3, "."), E_EXIST);
    assert_int_equal(wsymlink(&g, "x", 99, "y"), E_BADF);

    /* Hard links: a second name for the same file; following a symlink or not. */
    assert_int_equal(wlink(&g, 3, 0, "hello.txt", 3, "sub/hard"), E_SUCCESS);
    assert_int_equal(host_stat("sb/sub/hard").st_ino, host_stat("sb/hello.txt").st_ino);
    assert_int_equal(wlink(&g, 3, LOOKUP_FOLLOW, "inside", 3, "hard2"), E_SUCCESS);
    assert_int_equal(host_stat("sb/hard2").st_ino, host_stat("sb/sub/inner.txt").st_ino);
    assert_int_equal(wlink(&g, 3, 0, "inside", 3, "hard3"), E_SUCCESS);
    assert_true(S_ISLNK(host_stat("sb/hard3").st_mode));
    assert_int_equal(wlink(&g, 3, 0, "hello.txt", 3, "sub/hard"), E_EXIST);
    assert_int_equal(wlink(&g, 3, 0, ".", 3, "dirlink"), E_PERM);
    assert_int_equal(wlink(&g, 3, 0, "hello.txt", 99, "x"), E_BADF);
    assert_int_equal(wlink(&g, 3, 2, "hello.txt", 3, "x"), E_INVAL);
    guest_close(&g);
}

/* ---- the sandbox ------------------------------------------------------------------ */

/* Paths that lead outside "/sandbox" (or are absolute). */
static const char *const ESCAPES[] = {
    "../outside_secret",
    "/etc/passwd",
    "/",
    "..",
    "../",
    "../sb/hello.txt",          /* out and back in: still out on the way */
    "sub/../../outside_secret",
    "sub/deeper/../../..",
    "./sub/./../..//outside_secret",
    "link_out/secret",          /* relative directory symlink in the middle */
    "link_out",
    "rel_out",                  /* relative file symlink at the end */
    "abs_out",                  /* absolute symlink */
    "abs_dir/secret",           /* absolute directory symlink in the middle */
    "abs_in",                   /* absolute, even though it points inside */
    "up/outside_secret",        /* a symlink to ".." */
    "up",
    "sneaky",                   /* ".." inside the target */
    "sub_link/../../outside_secret",
    "sub/../sub/../../outside_secret",
};
#define NESCAPES (sizeof ESCAPES / sizeof ESCAPES[0])

static void test_escapes_fail(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    char buf[256];
    for (size_t i = 0; i < NESCAPES; i++) {
        uint32_t e = guest_read(&g, 3, ESCAPES[i], buf, sizeof buf);
        if (e != E_NOTCAPABLE)
            fail_msg("reading \"%s\": errno %u, expected ENOTCAPABLE", ESCAPES[i], e);
        e = wstat(&g, 3, ESCAPES[i], LOOKUP_FOLLOW);
        if (e != E_NOTCAPABLE)
            fail_msg("stat of \"%s\": errno %u, expected ENOTCAPABLE", ESCAPES[i], e);
        e = wopen(&g, 3, ESCAPES[i], LOOKUP_FOLLOW, O_CREAT_W, R_WRITE, 0, NULL);
        if (e != E_NOTCAPABLE)
            fail_msg("creating \"%s\": errno %u, expected ENOTCAPABLE", ESCAPES[i], e);
    }
    /* Not following the last component, a symlink is just a name inside:
     * lstat works; what it points to stays out of reach. */
    assert_int_equal(wstat(&g, 3, "abs_out", 0), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT + 16) & 0xFF, FILETYPE_SYMLINK);
    assert_int_equal(wstat(&g, 3, "link_out/secret", 0), E_NOTCAPABLE);

    /* Creating, removing and renaming across the boundary. */
    assert_int_equal(path1(&g, "path_create_directory", 3, "../evil"), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_create_directory", 3, "link_out/evil"), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_create_directory", 3, "abs_dir/evil"), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_create_directory", 3, ".."), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_unlink_file", 3, "link_out/secret"), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_unlink_file", 3, "../outside_secret"), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_remove_directory", 3, "../outside_dir"), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_remove_directory", 3, ".."), E_NOTCAPABLE);
    assert_int_equal(wrename(&g, 3, "hello.txt", 3, "../stolen"), E_NOTCAPABLE);
    assert_int_equal(wrename(&g, 3, "hello.txt", 3, "link_out/stolen"), E_NOTCAPABLE);
    assert_int_equal(wrename(&g, 3, "../outside_secret", 3, "got"), E_NOTCAPABLE);
    assert_int_equal(wrename(&g, 3, "abs_dir/secret", 3, "got"), E_NOTCAPABLE);
    /* Creating through a dangling symlink that points out. */
    assert_int_equal(wopen(&g, 3, "dangle_out", LOOKUP_FOLLOW, O_CREAT_W, R_WRITE, 0, NULL),
                     E_NOTCAPABLE);
    /* Links: no absolute or escaping targets; no hard link to a file outside. */
    assert_int_equal(wsymlink(&g, "/etc/passwd", 3, "evil_link"), E_NOTCAPABLE);
    assert_int_equal(wsymlink(&g, "../outside_secret", 3, "evil_link"), E_NOTCAPABLE);
    assert_int_equal(wsymlink(&g, "sub/../../x", 3, "evil_link"), E_NOTCAPABLE);
    assert_int_equal(wsymlink(&g, "../../x", 3, "sub/evil_link"), E_NOTCAPABLE);
    assert_int_equal(wsymlink(&g, "x", 3, "../evil_link"), E_NOTCAPABLE);
    assert_int_equal(wlink(&g, 3, LOOKUP_FOLLOW, "abs_out", 3, "hard"), E_NOTCAPABLE);
    assert_int_equal(wlink(&g, 3, 0, "../outside_secret", 3, "hard"), E_NOTCAPABLE);
    assert_int_equal(wlink(&g, 3, 0, "hello.txt", 3, "../hard"), E_NOTCAPABLE);
    uint32_t len = put_str(&g, PATH_A, "../outside_secret");
    assert_int_equal(call(&g, "path_readlink", ARGS(3, PATH_A, len, DATA, 100, OUT)), E_NOTCAPABLE);
    assert_int_equal(call(&g, "path_filestat_set_times",
                          ARGS(3, LOOKUP_FOLLOW, PATH_A, len, 0, 0, 2)),
                     E_NOTCAPABLE);

    /* A directory fd is a capability for its own subtree only. */
    uint32_t sub;
    assert_int_equal(wopen(&g, 3, "sub", 0, O_DIRECTORY_W, R_READ, 0, &sub), E_SUCCESS);
    assert_int_equal(open_read(&g, sub, "../hello.txt", NULL), E_NOTCAPABLE);
    assert_int_equal(open_read(&g, sub, "up_hello", NULL), E_NOTCAPABLE);
    assert_int_equal(open_read(&g, sub, "deeper/../inner.txt", NULL), E_SUCCESS);

    /* Nothing outside changed. */
    assert_host_file("outside_secret", SECRET);
    assert_host_file("outside_dir/secret", DIR_SECRET);
    assert_false(host_exists("evil"));
    assert_false(host_exists("outside_dir/evil"));
    assert_false(host_exists("stolen"));
    assert_false(host_exists("outside_dir/stolen"));
    assert_false(host_exists("created_by_guest"));
    assert_false(host_exists("evil_link"));
    assert_false(host_exists("hard"));
    assert_false(host_exists("sb/evil_link"));
    assert_false(host_exists("sb/sub/evil_link"));
    assert_false(host_exists("sb/got"));
    assert_host_file("sb/hello.txt", HELLO);
    assert_int_equal(host_stat("outside_secret").st_nlink, 1);
    guest_close(&g);
}

/* A directory moved out of the sandbox while the guest holds an fd to it:
 * the fd stays a capability for that directory's subtree only, so ".."
 * does not lead to its new surroundings. */
static void test_moved_directory(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    uint32_t deeper;
    assert_int_equal(wopen(&g, 3, "sub/deeper", 0, O_DIRECTORY_W, R_READ, 0, &deeper),
                     E_SUCCESS);
    char from[PATH_MAX], to[PATH_MAX];
    host_path(from, sizeof from, "sb/sub/deeper");
    host_path(to, sizeof to, "outside_dir/deeper");
    assert_int_equal(rename(from, to), 0);
    /* Its own subtree is still its capability; its parent never was. */
    assert_int_equal(open_read(&g, deeper, "../secret", NULL), E_NOTCAPABLE);
    assert_int_equal(path1(&g, "path_create_directory", deeper, "../x"), E_NOTCAPABLE);
    assert_false(host_exists("outside_dir/x"));
    guest_close(&g);
}

/* The host moves a directory out of the sandbox and back, again and again,
 * while the guest resolves a path down into it and up again with "..":
 * whenever ".." is taken from inside the moved directory it must not lead
 * to the directory's new parent (which holds a "secret"). The walk checks
 * that ".." is the directory it came from; openat2 does the same in the
 * kernel. A race cannot be forced, so this runs for a while: it can only
 * fail when the sandbox is broken. */
typedef struct mover {
    char in[PATH_MAX], out[PATH_MAX];
    atomic_bool stop;
    atomic_long moves;
} mover;

static void *move_back_and_forth(void *arg)
{
    mover *m = arg;
    while (!atomic_load(&m->stop)) {
        if (rename(m->in, m->out) == 0 && rename(m->out, m->in) == 0)
            atomic_fetch_add(&m->moves, 1);
    }
    return NULL;
}

static void test_rename_race(void **state)
{
    (void)state;
    enum { DEPTH = 24 };
    char rel[PATH_MAX] = "sb/sub/deeper";
    char guest_path[PATH_MAX] = "sub/deeper";
    for (int i = 0; i < DEPTH; i++) {
        strcat(rel, "/d");
        make_dir(rel);
        strcat(guest_path, "/d");
    }
    for (int i = 0; i < DEPTH + 1; i++)
        strcat(guest_path, "/..");
    strcat(guest_path, "/secret");   /* sub/secret does not exist; outside_dir/secret does */
    mover *m = calloc(1, sizeof *m);
    assert_non_null(m);
    host_path(m->in, sizeof m->in, "sb/sub/deeper");
    host_path(m->out, sizeof m->out, "outside_dir/deeper");
    guest g;
    guest_open(&g, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, move_back_and_forth, m), 0);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    unsigned tries = 0, denied = 0;
    char buf[64];
    do {
        uint32_t e = guest_read(&g, 3, guest_path, buf, sizeof buf);
        if (e == E_SUCCESS)
            fail_msg("read \"%s\" through a moved directory", buf);
        denied += e == E_NOTCAPABLE;
        tries++;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < 700);
    atomic_store(&m->stop, true);
    pthread_join(t, NULL);
    print_message("note: %u tries, %ld moves, %u caught moving\n", tries,
                  atomic_load(&m->moves), denied);
    assert_true(tries > 0 && atomic_load(&m->moves) > 0);
    free(m);
    guest_close(&g);
}

static void test_read_only(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    struct stat before = host_stat("ro/data.txt");
    char buf[256];
    assert_int_equal(guest_read(&g, 4, "data.txt", buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, RO_DATA);
    assert_int_equal(wstat(&g, 4, "data.txt", 0), E_SUCCESS);
    assert_int_equal(mem_u64(&g, STAT + 32), strlen(RO_DATA));
    listing *l = malloc(sizeof *l);
    assert_non_null(l);
    list_dir(&g, 4, 4096, l);
    assert_int_equal(l->n, 4);
    free(l);

    /* Every change is EROFS. */
    assert_int_equal(wopen(&g, 4, "data.txt", 0, 0, R_WRITE, 0, NULL), E_ROFS);
    assert_int_equal(wopen(&g, 4, "data.txt", 0, 0, R_READ | R_WRITE, 0, NULL), E_ROFS);
    assert_int_equal(wopen(&g, 4, "data.txt", 0, O_TRUNC_W, R_READ, 0, NULL), E_ROFS);
    assert_int_equal(wopen(&g, 4, "new.txt", 0, O_CREAT_W, R_READ, 0, NULL), E_ROFS);
    assert_int_equal(path1(&g, "path_create_directory", 4, "newdir"), E_ROFS);
    assert_int_equal(path1(&g, "path_remove_directory", 4, "sub"), E_ROFS);
    assert_int_equal(path1(&g, "path_unlink_file", 4, "data.txt"), E_ROFS);
    assert_int_equal(wrename(&g, 4, "data.txt", 4, "renamed.txt"), E_ROFS);
    assert_int_equal(wrename(&g, 4, "data.txt", 3, "taken.txt"), E_ROFS);
    assert_int_equal(wrename(&g, 3, "hello.txt", 4, "given.txt"), E_ROFS);
    assert_int_equal(wsymlink(&g, "data.txt", 4, "link"), E_ROFS);
    /* A hard link from the read-only tree into the writable one would make
     * the file writable: refused too. */
    assert_int_equal(wlink(&g, 4, 0, "data.txt", 3, "writable_copy"), E_ROFS);
    assert_int_equal(wlink(&g, 3, 0, "hello.txt", 4, "x"), E_ROFS);
    uint32_t len = put_str(&g, PATH_A, "data.txt");
    assert_int_equal(call(&g, "path_filestat_set_times", ARGS(4, 0, PATH_A, len, 0, 0, 2)), E_ROFS);
    uint32_t fd;
    assert_int_equal(open_read(&g, 4, "data.txt", &fd), E_SUCCESS);
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(fd, STAT)), E_SUCCESS);
    assert_false(mem_u64(&g, STAT + 8) & RIGHT(6));
    assert_int_equal(write_str(&g, fd, "x"), E_BADF);
    assert_int_equal(call(&g, "fd_filestat_set_size", ARGS(fd, 0)), E_ROFS);
    assert_int_equal(call(&g, "fd_filestat_set_times", ARGS(fd, 0, 0, 2)), E_ROFS);
    assert_int_equal(call(&g, "fd_allocate", ARGS(fd, 0, 100)), E_ROFS);
    /* Directories opened below it are read-only too. */
    uint32_t sub;
    assert_int_equal(wopen(&g, 4, "sub", 0, O_DIRECTORY_W, R_READ, 0, &sub), E_SUCCESS);
    assert_int_equal(wopen(&g, sub, "f", 0, O_CREAT_W, R_WRITE, 0, NULL), E_ROFS);
    assert_int_equal(path1(&g, "path_create_directory", sub, "d"), E_ROFS);
    assert_int_equal(call(&g, "fd_filestat_set_times", ARGS(sub, 0, 0, 2)), E_ROFS);
    /* Nothing changed. */
    struct stat after = host_stat("ro/data.txt");
    assert_host_file("ro/data.txt", RO_DATA);
    assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    assert_false(host_exists("ro/new.txt") || host_exists("ro/newdir") ||
                 host_exists("ro/renamed.txt") || host_exists("ro/link") ||
                 host_exists("ro/sub/f") || host_exists("ro/sub/d") ||
                 host_exists("sb/writable_copy") || host_exists("sb/taken.txt"));
    assert_true(host_exists("ro/sub"));
    guest_close(&g);
}

/* ---- the fd table ----------------------------------------------------------------- */

static void test_fd_limit(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 8);   /* 3 stdio + 2 preopens: 3 more */
    uint32_t fd;
    for (uint32_t want = 5; want < 8; want++) {
        assert_int_equal(open_read(&g, 3, "hello.txt", &fd), E_SUCCESS);
        assert_int_equal(fd, want);
    }
    assert_int_equal(open_read(&g, 3, "hello.txt", NULL), E_MFILE);
    assert_int_equal(wopen(&g, 3, "created_when_full", 0, O_CREAT_W, R_WRITE, 0, NULL), E_MFILE);
    assert_false(host_exists("sb/created_when_full"));
    /* Closing one frees the lowest number again. */
    assert_int_equal(call(&g, "fd_close", ARGS(6)), E_SUCCESS);
    assert_int_equal(open_read(&g, 3, "sub/inner.txt", &fd), E_SUCCESS);
    assert_int_equal(fd, 6);
    char buf[64];
    assert_int_equal(read_all(&g, 6, buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, INNER);
    guest_close(&g);

    /* The default limit, 1024 fds in all, with the host's limit raised so
     * that reflow's is the one reached (when the hard limit allows). */
    struct rlimit rl, saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rl = saved;
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= 4096)
        rl.rlim_cur = 4096;
    bool raised = setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 4096;
    guest_open(&g, 0);
    uint32_t opened = 0, e;
    while ((e = open_read(&g, 3, "hello.txt", NULL)) == E_SUCCESS)
        opened++;
    assert_int_equal(e, E_MFILE);
    if (raised)
        assert_int_equal(opened, 1024 - 5);
    else
        print_message("note: RLIMIT_NOFILE could not be raised; %u fds opened\n", opened);
    assert_int_equal(call(&g, "fd_close", ARGS(700)), E_SUCCESS);
    assert_int_equal(open_read(&g, 3, "hello.txt", &fd), E_SUCCESS);
    assert_int_equal(fd, 700);
    guest_close(&g);
    setrlimit(RLIMIT_NOFILE, &saved);
}

static void test_close_renumber(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    /* Closing a preopen: the guest loses that directory. */
    assert_int_equal(call(&g, "fd_close", ARGS(4)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(4, STAT)), E_BADF);
    assert_int_equal(open_read(&g, 4, "data.txt", NULL), E_BADF);
    uint32_t fd;
    assert_int_equal(open_read(&g, 3, "hello.txt", &fd), E_SUCCESS);
    assert_int_equal(fd, 4);   /* the lowest free number */
    /* Renumbering a file over the writable preopen. */
    assert_int_equal(call(&g, "fd_renumber", ARGS(4, 3)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_prestat_get", ARGS(3, STAT)), E_BADF);
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(4, STAT)), E_BADF);
    char buf[64];
    assert_int_equal(read_all(&g, 3, buf, sizeof buf), E_SUCCESS);
    assert_string_equal(buf, HELLO);
    assert_int_equal(call(&g, "fd_renumber", ARGS(3, 3)), E_SUCCESS);
    assert_int_equal(call(&g, "fd_renumber", ARGS(3, 9)), E_BADF);
    assert_int_equal(call(&g, "fd_renumber", ARGS(3, 1)), E_NOSYS);
    assert_int_equal(call(&g, "fd_close", ARGS(3)), E_SUCCESS);
    /* Stdio is untouched by all this. */
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(1, STAT)), E_SUCCESS);
    assert_int_equal(mem_u32(&g, STAT) & 0xFF, FILETYPE_CHAR);
    guest_close(&g);
}

/* ---- hostile arguments ------------------------------------------------------------ */

static void test_hostile_paths(void **state)
{
    (void)state;
    guest g;
    guest_open(&g, 0);
    /* Out of bounds, wrapping, too long, NUL inside, not UTF-8, empty. */
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, MEM_SIZE - 3, 4, 0, R_READ, 0, 0, OUT)),
                     E_FAULT);
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, 0xFFFFFFF0, 0x20, 0, R_READ, 0, 0, OUT)),
                     E_FAULT);
    char *long_path = malloc(0x2000);
    assert_non_null(long_path);
    memset(long_path, 'a', 0x2000);
    for (int i = 100; i < 0x2000; i += 101)
        long_path[i] = '/';
    mem_write(&g, LONG_PATH, long_path, 0x2000);
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, LONG_PATH, 4097, 0, R_READ, 0, 0, OUT)),
                     E_NAMETOOLONG);
    assert_int_equal(call(&g, "path_create_directory", ARGS(3, LONG_PATH, 4097)), E_NAMETOOLONG);
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, LONG_PATH, 4096, 0, R_READ, 0, 0, OUT)),
                     E_NOENT);
    memset(long_path, 'b', 300);
    mem_write(&g, LONG_PATH, long_path, 300);   /* a 300-byte component */
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, LONG_PATH, 300, 0, R_READ, 0, 0, OUT)),
                     E_NAMETOOLONG);
    free(long_path);
    mem_write(&g, PATH_A, "hello.txt\0x", 11);
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, 11, 0, R_READ, 0, 0, OUT)), E_INVAL);
    mem_write(&g, PATH_A, "hello\xff", 6);
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, 6, 0, R_READ, 0, 0, OUT)), E_ILSEQ);
    mem_write(&g, PATH_A, "\xed\xa0\x80", 3);   /* a UTF-16 surrogate */
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, 3, 0, R_READ, 0, 0, OUT)), E_ILSEQ);
    mem_write(&g, PATH_A, "\xc0\xaf", 2);       /* overlong "/" */
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, 2, 0, R_READ, 0, 0, OUT)), E_ILSEQ);
    assert_int_equal(open_read(&g, 3, "", NULL), E_NOENT);
    /* Valid UTF-8 names work. */
    uint32_t fd;
    assert_int_equal(wopen(&g, 3, "h\xc3\xa9llo \xe2\x82\xac", 0, O_CREAT_W, R_WRITE, 0, &fd),
                     E_SUCCESS);
    assert_true(host_exists("sb/h\xc3\xa9llo \xe2\x82\xac"));

    /* The fd result out of bounds: EFAULT, and nothing is created. */
    uint32_t len = put_str(&g, PATH_A, "not_created");
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, len, O_CREAT_W, R_WRITE, 0, 0,
                                                MEM_SIZE - 3)), E_FAULT);
    assert_false(host_exists("sb/not_created"));
    /* Unknown flag bits. */
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, len, 16, R_READ, 0, 0, OUT)),
                     E_INVAL);
    assert_int_equal(call(&g, "path_open", ARGS(3, 2, PATH_A, len, 0, R_READ, 0, 0, OUT)), E_INVAL);
    assert_int_equal(call(&g, "path_open", ARGS(3, 0, PATH_A, len, 0, R_READ, 0, 32, OUT)),
                     E_INVAL);
    assert_false(host_exists("sb/not_created"));

    /* Bad iovecs on a file: EFAULT before anything moves. */
    assert_int_equal(open_read(&g, 3, "hello.txt", &fd), E_SUCCESS);
    mem_put_u32(&g, IOV, MEM_SIZE - 2);
    mem_put_u32(&g, IOV + 4, 3);
    assert_int_equal(call(&g, "fd_read", ARGS(fd, IOV, 1, OUT)), E_FAULT);
    assert_int_equal(call(&g, "fd_read", ARGS(fd, MEM_SIZE - 4, 1, OUT)), E_FAULT);
    assert_int_equal(call(&g, "fd_read", ARGS(fd, IOV, 1, MEM_SIZE - 1)), E_FAULT);
    assert_int_equal(call(&g, "fd_pread", ARGS(fd, IOV, 1, 0, OUT)), E_FAULT);
    assert_int_equal(call(&g, "fd_tell", ARGS(fd, OUT)), E_SUCCESS);
    assert_int_equal(mem_u64(&g, OUT), 0);   /* nothing was read */
    assert_int_equal(call(&g, "fd_filestat_get", ARGS(fd, MEM_SIZE - 8)), E_FAULT);
    assert_int_equal(call(&g, "fd_fdstat_get", ARGS(fd, MEM_SIZE - 8)), E_FAULT);
    /* A huge symlink target. */
    len = put_str(&g, PATH_B, "x");
    assert_int_equal(call(&g, "path_symlink", ARGS(LONG_PATH, 5000, 3, PATH_B, len)),
                     E_NAMETOOLONG);
    assert_int_equal(call(&g, "path_symlink", ARGS(0xFFFFFFFF, 2, 3, PATH_B, len)), E_FAULT);
    guest_close(&g);
}

/* ---- through wasi-libc ---------------------------------------------------------------------- */

static void test_c_program(void **state)
{
    (void)state;
    char src[PATH_MAX], wasm[PATH_MAX];
    snprintf(src, sizeof src, "%s/tests/plugin/data/fs_program.c", source_dir);
    snprintf(wasm, sizeof wasm, "%s/fs_program.wasm", tmpdir);
    const char *cc = tool("WASI_CC", "clang-19");
    char *argv[] = { (char *)cc, (char *)"--target=wasm32-wasi", (char *)"-O2", (char *)"-Wall",
                     (char *)"-Werror", src, (char *)"-o", wasm, NULL };
    int rc = run_tool(argv);
    if (rc == 0) {
        print_message("SKIPPED: %s not found; set WASI_CC to a clang that targets wasm32-wasi "
                      "(with wasi-libc)\n", cc);
        skip();
    }
    assert_int_equal(rc, 1);
    guest g;
    guest_open_wasm(&g, wasm, 0);
    rf_extern ex;
    assert_true(rf_instance_export(g.inst, "_start", 6, &ex));
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_error_kind kind = rf_call(ex.of.func, NULL, 0, NULL, 0, &err);
    if (kind == RF_ERR_EXIT)
        assert_int_equal(err.exit_code, 0);
    else if (kind != RF_OK)
        fail_msg("_start: %s", err.message);
    /* 76 = ENOTCAPABLE, 69 = EROFS. */
    assert_string_equal(g.out, "read /sandbox/hello.txt: hello, sandbox\n"
                               "read /sandbox/made.txt: made by wasm\n"
                               "mkdir: ok\n"
                               "rename: ok\n"
                               "stat: 13 bytes, regular 1\n"
                               "list /sandbox/dir: moved.txt\n"
                               "list /sandbox/sub: deeper inner.txt up_hello\n"
                               "unlink: ok\n"
                               "rmdir: ok\n"
                               "list /sandbox/sub: deeper inner.txt up_hello\n"
                               "open /sandbox/../outside_secret: errno 76\n"
                               "open /sandbox/link_out/secret: errno 76\n"
                               "open /sandbox/abs_out: errno 76\n"
                               "open /sandbox/rel_out: errno 76\n"
                               "open /etc/passwd: failed\n"
                               "read /ro/data.txt: read only data\n"
                               "create in /ro: errno 69\n"
                               "unlink in /ro: errno 69\n"
                               "mkdir in /ro: errno 69\n"
                               "read /ro/data.txt: read only data\n");
    assert_false(host_exists("sb/dir"));
    assert_false(host_exists("sb/made.txt"));
    assert_host_file("ro/data.txt", RO_DATA);
    guest_close(&g);
    unlink(wasm);
}

/* ---- setup ------------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    source_dir = getenv("RF_SOURCE_DIR");
    if (!source_dir || !*source_dir) {
        fprintf(stderr, "test_wasi_fs: set RF_SOURCE_DIR to the repository root\n");
        return -1;
    }
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = P_tmpdir;
    int n = snprintf(tmpdir, sizeof tmpdir, "%s/reflow-test-wasi-fs-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof tmpdir || !mkdtemp(tmpdir)) {
        fprintf(stderr, "test_wasi_fs: cannot create a temporary directory under %s\n", base);
        return -1;
    }
    char src[PATH_MAX];
    snprintf(src, sizeof src, "%s/tests/plugin/data/wasi_fs_calls.wat", source_dir);
    snprintf(calls_wasm, sizeof calls_wasm, "%s/wasi_fs_calls.wasm", tmpdir);
    char *argv[] = { (char *)tool("WAT2WASM", "wat2wasm"), src, (char *)"-o", calls_wasm, NULL };
    if (run_tool(argv) != 1) {
        fprintf(stderr, "test_wasi_fs: cannot assemble %s with wat2wasm\n", src);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree_at(AT_FDCWD, tmpdir);
    return 0;
}

/* Each sandbox test twice: openat2 (where the kernel has it) and the walk. */
#define BOTH(t)                                                                  \
    { #t "/openat2", t, fixture_up, fixture_down, &OPENAT2 },                   \
    { #t "/walk", t, fixture_up, fixture_down, &WALK }

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_prestat),
        BOTH(test_config_errors),
        BOTH(test_read_file),
        BOTH(test_write_file),
        BOTH(test_readdir),
        BOTH(test_create_remove_rename),
        BOTH(test_links),
        BOTH(test_escapes_fail),
        BOTH(test_moved_directory),
        BOTH(test_rename_race),
        BOTH(test_read_only),
        BOTH(test_fd_limit),
        BOTH(test_close_renumber),
        BOTH(test_hostile_paths),
        BOTH(test_c_program),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
