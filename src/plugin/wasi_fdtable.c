/*
 * wasi_fdtable.c — the guest's file descriptors: the table, the preopened
 * directories put in it at creation, and the calls that act on the table
 * itself (fd_close, fd_renumber, fd_prestat_get, fd_prestat_dir_name).
 *
 * Invariants:
 *   - fds 0..2 are stdio or free (closed by the guest) and are never handed
 *     out again: new fds take the lowest free number >= 3;
 *   - the preopens are fds 3, 4, ... in configuration order, until the guest
 *     closes or renumbers them; a DIR or FILE entry owns its host fd;
 *   - at most max_fds slots exist; the table grows by doubling, so a
 *   wasi_fd pointer is only valid until the next wasi_fd_add.
 * Rights: a preopen's base rights are the directory rights (without those
 * that change anything when it is read-only); its inheriting rights are
 * everything, even when read-only, because wasi-libc asks for the rights it
 * wants intersected with them: a program opening for writing must ask for
 * FD_WRITE and get EROFS, not silently get a read-only fd.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    PRESTAT_SIZE = 8,
    PRESTAT_TAG = 0,          /* 0 = directory, the only kind */
    PRESTAT_NAME_LEN = 4
};

/* ---- the table ---------------------------------------------------------------------- */

/* A configured path in a message: control characters and quotes escaped,
 * long paths shortened. */
static void describe_path(char *out, size_t cap, const char *s)
{
    size_t at = 0, len = strlen(s);
    const size_t shown = len > 200 ? 200 : len;
    for (size_t i = 0; i < shown && at + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '\\' || c == '"')
            at += (size_t)snprintf(out + at, cap - at, "\\x%02x", c);
        else
            out[at++] = (char)c;
    }
    if (shown < len && at + 4 < cap) {
        memcpy(out + at, "...", 3);
        at += 3;
    }
    out[at < cap ? at : cap - 1] = '\0';
}

static void entry_release(wasi_fd *e)
{
    if ((e->kind == WASI_FD_DIR || e->kind == WASI_FD_FILE) && e->host >= 0)
        close(e->host);
    free(e->preopen);
    memset(e, 0, sizeof *e);
    e->kind = WASI_FD_FREE;
    e->host = -1;
}

/* Make room for `want` slots (<= max_fds); false when out of memory. */
static bool table_grow(rf_wasi *w, uint32_t want)
{
    if (want <= w->nfds)
        return true;
    uint32_t cap = w->nfds ? w->nfds : (w->max_fds < 8 ? w->max_fds : 8);
    while (cap < want)
        cap = cap > w->max_fds / 2 ? w->max_fds : cap * 2;
    wasi_fd *fds = realloc(w->fds, (size_t)cap * sizeof *fds);
    if (!fds)
        return false;
    for (uint32_t i = w->nfds; i < cap; i++) {
        memset(&fds[i], 0, sizeof fds[i]);
        fds[i].kind = WASI_FD_FREE;
        fds[i].host = -1;
    }
    w->fds = fds;
    w->nfds = cap;
    return true;
}

static bool open_preopen(rf_wasi *w, size_t i, const rf_wasi_preopen *p, rf_error *err)
{
    char shown[256];
    if (!p->host_path || !*p->host_path)
        return wasi_fail(err, RF_ERR_ARG, "WASI preopen %zu: the host path is %s", i,
                         p->host_path ? "empty" : "NULL");
    describe_path(shown, sizeof shown, p->host_path);
    if (!p->guest_path)
        return wasi_fail(err, RF_ERR_ARG, "WASI preopen %zu (host directory \"%s\"): the guest "
                         "path is NULL", i, shown);
    size_t guest_len = strlen(p->guest_path);
    if (guest_len > WASI_PATH_MAX)
        return wasi_fail(err, RF_ERR_ARG, "WASI preopen %zu (host directory \"%s\"): the guest "
                         "path is %zu bytes, more than %u", i, shown, guest_len, WASI_PATH_MAX);
    char *name = malloc(guest_len + 1);
    if (!name)
        return wasi_fail(err, RF_ERR_NOMEM, "out of memory for WASI preopen %zu", i);
    memcpy(name, p->guest_path, guest_len + 1);
    int fd;
    do
        fd = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        char reason[128];
        if (strerror_r(e, reason, sizeof reason) != 0)
            snprintf(reason, sizeof reason, "errno %d", e);
        free(name);
        return wasi_fail(err, RF_ERR_ARG, "WASI preopen %zu: cannot open host directory \"%s\": "
                         "%s", i, shown, reason);
    }
    wasi_fd *e = &w->fds[3 + i];
    e->kind = WASI_FD_DIR;
    e->host = fd;
    e->filetype = WASI_FILETYPE_DIRECTORY;
    e->read_only = p->read_only;
    e->rights_base = p->read_only ? WASI_RIGHTS_DIR & ~WASI_RIGHTS_DIR_CHANGE : WASI_RIGHTS_DIR;
    e->rights_inheriting = WASI_RIGHTS_DIR | WASI_RIGHTS_FILE;
    e->fdflags = 0;
    e->preopen = name;
    e->preopen_len = (uint32_t)guest_len;
    return true;
}

bool wasi_fdtable_init(rf_wasi *w, const rf_wasi_config *cfg, rf_error *err)
{
    w->max_fds = cfg->max_fds ? cfg->max_fds : WASI_DEFAULT_MAX_FDS;
    if (w->max_fds < 3)
        return wasi_fail(err, RF_ERR_ARG, "WASI config: max_fds is %u, less than the 3 stdio fds",
                         w->max_fds);
    if (cfg->npreopens > 0 && !cfg->preopens)
        return wasi_fail(err, RF_ERR_ARG, "WASI config: %zu preopens given but the list is NULL",
                         cfg->npreopens);
    if (cfg->npreopens > w->max_fds - 3)
        return wasi_fail(err, RF_ERR_ARG, "WASI config: %zu preopens do not fit max_fds %u "
                         "(3 fds go to stdio)", cfg->npreopens, w->max_fds);
    if (!table_grow(w, 3 + (uint32_t)cfg->npreopens))
        return wasi_fail(err, RF_ERR_NOMEM, "out of memory for the WASI fd table");
    for (uint32_t fd = 0; fd < 3; fd++)
        w->fds[fd].kind = WASI_FD_STDIO;
    for (size_t i = 0; i < cfg->npreopens; i++)
        if (!open_preopen(w, i, &cfg->preopens[i], err))
            return false;   /* rf_wasi_free closes the ones already open */
    w->use_openat2 = !cfg->no_openat2 && cfg->npreopens > 0 && wasi_openat2_works(w->fds[3].host);
    return true;
}

void wasi_fdtable_free(rf_wasi *w)
{
    for (uint32_t i = 0; i < w->nfds; i++)
        entry_release(&w->fds[i]);
    free(w->fds);
    w->fds = NULL;
    w->nfds = 0;
}

wasi_fd *wasi_fd_get(rf_wasi *w, uint32_t fd)
{
    return fd < w->nfds && w->fds[fd].kind != WASI_FD_FREE ? &w->fds[fd] : NULL;
}

bool wasi_stdio_open(const rf_wasi *w, uint32_t fd)
{
    return fd < 3 && fd < w->nfds && w->fds[fd].kind == WASI_FD_STDIO;
}

int wasi_fd_lookup(rf_wasi *w, uint32_t fd, int need, wasi_fd **out)
{
    wasi_fd *e = wasi_fd_get(w, fd);
    *out = e;
    if (!e)
        return RF_WASI_EBADF;
    if (e->kind == WASI_FD_STDIO)
        return RF_WASI_ENOSYS;
    if (need == WASI_NEED_DIR && e->kind != WASI_FD_DIR)
        return WASI_ENOTDIR;
    return RF_WASI_ESUCCESS;
}

/* The lowest free fd >= 3 (maybe beyond the slots allocated so far). */
static uint32_t lowest_free(const rf_wasi *w)
{
    uint32_t fd = 3;
    while (fd < w->nfds && w->fds[fd].kind != WASI_FD_FREE)
        fd++;
    return fd;
}

bool wasi_fd_table_full(const rf_wasi *w)
{
    return lowest_free(w) >= w->max_fds;
}

int wasi_fd_add(rf_wasi *w, const wasi_fd *e, uint32_t *fd_out)
{
    uint32_t fd = lowest_free(w);
    if (fd >= w->max_fds)
        return WASI_EMFILE;
    if (fd >= w->nfds && !table_grow(w, fd + 1))
        return wasi_errno_from_host(ENOMEM);
    w->fds[fd] = *e;
    *fd_out = fd;
    return RF_WASI_ESUCCESS;
}

/* ---- host functions ------------------------------------------------------------------ */

/* Closing stdio only marks it closed; closing a preopen is allowed too (the
 * guest loses that directory). A host close error is reported, but the fd
 * is gone either way, as with close(2). */
rf_error_kind wasi_fd_close(rf_caller *caller, void *user, const rf_value *args,
                            rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    rf_wasi *w = wasi_of(user);
    wasi_fd *e = wasi_fd_get(w, args[0].of.i32);
    if (!e)
        return wasi_errno(results, RF_WASI_EBADF);
    int rc = RF_WASI_ESUCCESS;
    if (e->kind != WASI_FD_STDIO && close(e->host) != 0 && errno != EINTR)
        rc = wasi_errno_from_host(errno);
    e->host = -1;
    entry_release(e);
    return wasi_errno(results, rc);
}

/* Both fds must be open (as in wasmtime); `to` is closed and `from` moves
 * there. Stdio cannot be renumbered (ENOSYS). */
rf_error_kind wasi_fd_renumber(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    rf_wasi *w = wasi_of(user);
    uint32_t from = args[0].of.i32, to = args[1].of.i32;
    wasi_fd *a = wasi_fd_get(w, from), *b = wasi_fd_get(w, to);
    if (!a || !b)
        return wasi_errno(results, RF_WASI_EBADF);
    if (a->kind == WASI_FD_STDIO || b->kind == WASI_FD_STDIO)
        return wasi_errno(results, RF_WASI_ENOSYS);
    if (from != to) {
        entry_release(b);
        *b = *a;
        memset(a, 0, sizeof *a);
        a->kind = WASI_FD_FREE;
        a->host = -1;
    }
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* wasi-libc probes fds from 3 upwards until EBADF, so every fd that is not
 * a preopen (stdio, files, directories opened later) answers EBADF. */
rf_error_kind wasi_fd_prestat_get(rf_caller *caller, void *user, const rf_value *args,
                                  rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    wasi_fd *e = wasi_fd_get(w, args[0].of.i32);
    uint32_t ptr = args[1].of.i32;
    if (!e || !e->preopen)
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, ptr, PRESTAT_SIZE))
        return wasi_errno(results, RF_WASI_EFAULT);
    uint8_t *p = g.base + ptr;
    memset(p, 0, PRESTAT_SIZE);
    p[PRESTAT_TAG] = 0;
    wasi_put_u32(p + PRESTAT_NAME_LEN, e->preopen_len);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* The name without a terminator; ENAMETOOLONG when the buffer is shorter. */
rf_error_kind wasi_fd_prestat_dir_name(rf_caller *caller, void *user, const rf_value *args,
                                       rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    wasi_fd *e = wasi_fd_get(w, args[0].of.i32);
    uint32_t ptr = args[1].of.i32, len = args[2].of.i32;
    if (!e || !e->preopen)
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, ptr, len))
        return wasi_errno(results, RF_WASI_EFAULT);
    if (len < e->preopen_len)
        return wasi_errno(results, WASI_ENAMETOOLONG);
    if (e->preopen_len)
        memcpy(g.base + ptr, e->preopen, e->preopen_len);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}
