/*
 * reflow/wasi.h — WASI preview 1 (`wasi_snapshot_preview1`) for command
 * programs and plugins, built on the public engine API only.
 *
 * What a guest gets:
 *   - args and environment strings from the configuration;
 *   - real clocks (realtime, monotonic, process and thread CPU time);
 *   - random bytes (getrandom(2), or a callback);
 *   - fd 0/1/2 as character devices: writes to 1 and 2 go to a sink (the
 *     process's own fds 1/2 by default, or a callback, e.g. to capture a
 *     plugin's output); reading fd 0 only when the configuration allows it;
 *   - preopened directories (fds 3, 4, ... in configuration order), and
 *     below them files and directories: open, read, write, seek, stat,
 *     readdir, mkdir, rmdir, unlink, rename, links and symlinks, times;
 *   - proc_exit, sched_yield, poll_oneoff with clock subscriptions (sleeps).
 * What it does not get: sockets, and nothing outside its preopens. Every
 * preview 1 function is importable with its exact signature, so any
 * wasi-libc program links; what is not provided fails with an errno.
 *
 * The sandbox: a path is always relative to a directory fd the guest holds,
 * and resolving it never leaves that directory: absolute paths, ".." above
 * it, and symlinks (anywhere in the path) whose target is absolute or climbs
 * out of it all fail with ENOTCAPABLE (76). openat2(2) with RESOLVE_BENEATH
 * does the resolution where the kernel has it; elsewhere reflow walks the
 * path one component at a time with the same rules. A read-only preopen
 * refuses every change below it (open for writing, create, truncate, write,
 * mkdir, rmdir, unlink, rename, link, symlink, set times/size) with EROFS
 * (69); reading and listing work.
 *
 * Rights are reported (fd_fdstat_get) as granted at open, but enforced
 * loosely: only reading (FD_READ) and writing (FD_WRITE) are checked (EBADF,
 * as for a POSIX fd opened in the other mode); the file system and the
 * read-only flag decide the rest. New fds take the lowest free number >= 3;
 * 0..2, once closed, stay closed. fd_readdir cookies are the host's
 * directory offsets, and listings include "." and "..".
 *
 * Every guest pointer is bounds-checked against the caller's memory; a bad
 * pointer makes the call return EFAULT (21), never touches host memory.
 * Guest paths are at most 4096 bytes (ENAMETOOLONG), valid UTF-8 (EILSEQ)
 * and contain no NUL byte (EINVAL). A context holds at most max_fds open
 * fds (EMFILE beyond).
 *
 * Use:
 *     rf_wasi *w = rf_wasi_new(&cfg, &err);
 *     rf_extern *imports = calloc(n, sizeof *imports);     // zeroed = unresolved
 *     rf_wasi_link(w, store, module, imports, &err);       // fills WASI imports
 *     ... resolve other imports ...
 *     rf_link_check_complete(module, imports, &err);       // names the first gap
 *     rf_instantiate(store, module, imports, n, &err);
 *     ... rf_call(_start) returns RF_ERR_EXIT with err.exit_code on proc_exit ...
 *     rf_wasi_free(w);                                     // after the store is done
 *
 * Threads: an rf_wasi holds state (its open fds, the exit code), so like a
 * store it is used by one thread at a time. It must outlive every store it
 * was linked into (or at least their last call).
 */
#ifndef REFLOW_WASI_H
#define REFLOW_WASI_H

#include "reflow/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* WASI errno values used by the callbacks below (the full list is in the
 * WASI preview 1 specification; these are the ones reflow produces). */
enum {
    RF_WASI_ESUCCESS = 0,
    RF_WASI_EAGAIN = 6,
    RF_WASI_EBADF = 8,
    RF_WASI_EFAULT = 21,
    RF_WASI_EINVAL = 28,
    RF_WASI_EIO = 29,
    RF_WASI_ENOSYS = 52,
    RF_WASI_ENOTSUP = 58,
    RF_WASI_EOVERFLOW = 61,
    RF_WASI_EPIPE = 64,
    RF_WASI_EROFS = 69,
    RF_WASI_ESPIPE = 70,
    RF_WASI_ENOTCAPABLE = 76
};

/* Receives everything the guest writes to fd 1 or 2 (`fd` says which), in
 * order. Must consume all `len` bytes; returns 0 or a WASI errno, which the
 * guest's fd_write then returns. */
typedef int (*rf_wasi_write_fn)(void *user, int fd, const uint8_t *data, size_t len);
/* Reads at most `cap` bytes of stdin into `buf`; *nread = 0 means end of
 * input. Returns 0 or a WASI errno. */
typedef int (*rf_wasi_read_fn)(void *user, uint8_t *buf, size_t cap, size_t *nread);
/* Fills `buf` with `len` random bytes; returns 0 or a WASI errno. */
typedef int (*rf_wasi_random_fn)(void *user, uint8_t *buf, size_t len);
/* Polled while the guest sleeps in poll_oneoff; returning true cuts the sleep
 * short and stops the guest with RF_ERR_INTERRUPTED. */
typedef bool (*rf_wasi_stop_fn)(void *user);

/* A host directory the guest sees as `guest_path` (the name wasi-libc
 * matches absolute paths against, e.g. "/data"). */
typedef struct rf_wasi_preopen {
    const char *host_path;     /* opened by rf_wasi_new; must be a directory */
    const char *guest_path;
    bool read_only;            /* refuse every change below it with EROFS */
} rf_wasi_preopen;

typedef struct rf_wasi_config {
    const char *const *args;   /* nargs strings; args[0] is the program name by convention */
    size_t nargs;
    const char *const *env;    /* nenv strings of the form "NAME=value" */
    size_t nenv;
    rf_wasi_write_fn write;    /* NULL: write(2) to the process's fd 1 / fd 2 */
    bool stdin_enabled;        /* false: fd_read(0) fails with EBADF */
    rf_wasi_read_fn read;      /* NULL: read(2) from the process's fd 0 */
    rf_wasi_random_fn random;  /* NULL: getrandom(2) */
    rf_wasi_stop_fn should_stop; /* NULL: sleeps are never cut short */
    void *user;                /* passed to every callback */
    const rf_wasi_preopen *preopens; /* npreopens directories: fds 3, 4, ... in order */
    size_t npreopens;
    uint32_t max_fds;          /* open fds at most, stdio and preopens included; 0: 1024 */
    bool no_openat2;           /* resolve paths component by component even where
                                  openat2(2) exists (tests; seccomp filters that break it) */
} rf_wasi_config;

typedef struct rf_wasi rf_wasi;

/* A WASI context. The strings are copied and the preopened directories
 * opened (O_DIRECTORY, close-on-exec) now. NULL config = no args, no env,
 * no preopens, default sinks. Fails (RF_ERR_ARG) when a string is NULL, the
 * strings do not fit a 32-bit guest, a preopen's host directory cannot be
 * opened (the message names it and says why), a guest path is longer than
 * 4096 bytes, or the preopens do not fit max_fds; or RF_ERR_NOMEM. */
rf_wasi *rf_wasi_new(const rf_wasi_config *cfg, rf_error *err);
void rf_wasi_free(rf_wasi *w);

/* For each import of `m` from module "wasi_snapshot_preview1", create a host
 * function in `s` and store it in imports_out[i] (an array of
 * rf_module_import_count(m) entries); other entries are left untouched.
 * Fails with RF_ERR_LINK naming the import when it is not a preview 1
 * function, not a function, or has a different signature (both types are
 * given), or RF_ERR_NOMEM. */
bool rf_wasi_link(rf_wasi *w, rf_store *s, const rf_module *m, rf_extern *imports_out,
                  rf_error *err);

/* Checks that every entry of `imports` (one per import of `m`, zero-filled
 * before linking) was resolved; an entry is unresolved when the member of
 * its kind is NULL. Fails with RF_ERR_LINK "unknown import module.name
 * (its type)" for the first unresolved one. */
bool rf_link_check_complete(const rf_module *m, const rf_extern *imports, rf_error *err);

/* True once the guest called proc_exit; *code receives its argument. */
bool rf_wasi_exited(const rf_wasi *w, uint32_t *code);

#ifdef __cplusplus
}
#endif
#endif /* REFLOW_WASI_H */
