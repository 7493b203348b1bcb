/*
 * wasi_fdstat.c — what an fd is and the operations on the file behind it:
 * fd_fdstat_get/set_flags/set_rights, fd_filestat_get/set_size/set_times,
 * fd_advise, fd_allocate, fd_sync, fd_datasync.
 *
 * Stdio (0..2) are character devices with fixed rights and no size or
 * times; every operation that would change them is ENOSYS. Files and
 * directories answer from their host fd. Below a read-only preopen every
 * change (size, times, allocation) is EROFS before the host is asked.
 * Rights are reported as granted at open; only FD_READ and FD_WRITE are
 * enforced (in wasi_fd.c), fd_fdstat_set_rights may only drop rights.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    FDSTAT_SIZE = 24,
    FDSTAT_FILETYPE = 0,
    FDSTAT_FLAGS = 2,
    FDSTAT_RIGHTS_BASE = 8,
    FDSTAT_RIGHTS_INHERITING = 16,
    FILESTAT_SIZE = 64,
    FILESTAT_FILETYPE = 16
};

#define FDFLAGS_KNOWN                                                                      \
    (WASI_FDFLAGS_APPEND | WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_NONBLOCK | WASI_FDFLAGS_RSYNC | \
     WASI_FDFLAGS_SYNC)
#define FDFLAGS_SYNCS (WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_RSYNC | WASI_FDFLAGS_SYNC)

/* Rights of stdio: no seek/tell rights, which is how wasi-libc's isatty()
 * recognises a terminal-like stream. */
static uint64_t stdio_rights(const rf_wasi *w, uint32_t fd)
{
    uint64_t r = WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_FD_FILESTAT_GET;
    if (fd == 0)
        return w->cfg.stdin_enabled ? r | WASI_RIGHT_FD_READ : r;
    return r | WASI_RIGHT_FD_WRITE;
}

rf_error_kind wasi_fd_fdstat_get(rf_caller *caller, void *user, const rf_value *args,
                                 rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, ptr = args[1].of.i32;
    const wasi_fd *e = wasi_fd_get(w, fd);
    if (!e)
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, ptr, FDSTAT_SIZE))
        return wasi_errno(results, RF_WASI_EFAULT);
    uint8_t *p = g.base + ptr;
    memset(p, 0, FDSTAT_SIZE);
    if (e->kind == WASI_FD_STDIO) {
        p[FDSTAT_FILETYPE] = WASI_FILETYPE_CHARACTER_DEVICE;
        wasi_put_u64(p + FDSTAT_RIGHTS_BASE, stdio_rights(w, fd));
        return wasi_errno(results, RF_WASI_ESUCCESS);
    }
    p[FDSTAT_FILETYPE] = e->filetype;
    wasi_put_u16(p + FDSTAT_FLAGS, e->fdflags);
    wasi_put_u64(p + FDSTAT_RIGHTS_BASE, e->rights_base);
    wasi_put_u64(p + FDSTAT_RIGHTS_INHERITING, e->rights_inheriting);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* Linux can change O_APPEND and O_NONBLOCK on an open fd but not the sync
 * modes: asking for a different sync mode is ENOTSUP. */
rf_error_kind wasi_fd_fdstat_set_flags(rf_caller *caller, void *user, const rf_value *args,
                                       rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    wasi_fd *e;
    uint32_t flags = args[1].of.i32;
    int rc = wasi_fd_lookup(wasi_of(user), args[0].of.i32, WASI_NEED_ANY, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (flags & ~(uint32_t)FDFLAGS_KNOWN)
        return wasi_errno(results, RF_WASI_EINVAL);
    if ((flags ^ e->fdflags) & FDFLAGS_SYNCS)
        return wasi_errno(results, RF_WASI_ENOTSUP);
    int host = fcntl(e->host, F_GETFL);
    if (host < 0)
        return wasi_errno(results, wasi_errno_from_host(errno));
    host &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAGS_APPEND)
        host |= O_APPEND;
    if (flags & WASI_FDFLAGS_NONBLOCK)
        host |= O_NONBLOCK;
    if (fcntl(e->host, F_SETFL, host) != 0)
        return wasi_errno(results, wasi_errno_from_host(errno));
    e->fdflags = (uint16_t)flags;
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* Rights can be dropped, never gained (ENOTCAPABLE). */
rf_error_kind wasi_fd_fdstat_set_rights(rf_caller *caller, void *user, const rf_value *args,
                                        rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    wasi_fd *e;
    uint64_t base = args[1].of.i64, inheriting = args[2].of.i64;
    int rc = wasi_fd_lookup(wasi_of(user), args[0].of.i32, WASI_NEED_ANY, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting))
        return wasi_errno(results, WASI_ENOTCAPABLE);
    e->rights_base = base;
    e->rights_inheriting = inheriting;
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

rf_error_kind wasi_fd_filestat_get(rf_caller *caller, void *user, const rf_value *args,
                                   rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, ptr = args[1].of.i32;
    const wasi_fd *e = wasi_fd_get(w, fd);
    if (!e)
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, ptr, FILESTAT_SIZE))
        return wasi_errno(results, RF_WASI_EFAULT);
    if (e->kind == WASI_FD_STDIO) {
        /* A character device with no size, times, or identity worth reporting. */
        memset(g.base + ptr, 0, FILESTAT_SIZE);
        g.base[ptr + FILESTAT_FILETYPE] = WASI_FILETYPE_CHARACTER_DEVICE;
        return wasi_errno(results, RF_WASI_ESUCCESS);
    }
    struct stat st;
    if (fstat(e->host, &st) != 0)
        return wasi_errno(results, wasi_errno_from_host(errno));
    wasi_put_filestat(g.base + ptr, &st);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* The file (not directory) behind `fd` for a change: EISDIR for a
 * directory, EROFS below a read-only preopen. */
static int file_to_change(rf_wasi *w, uint32_t fd, wasi_fd **out)
{
    int rc = wasi_fd_lookup(w, fd, WASI_NEED_ANY, out);
    if (rc != RF_WASI_ESUCCESS)
        return rc;
    if ((*out)->read_only)
        return WASI_EROFS;
    if ((*out)->kind == WASI_FD_DIR)
        return WASI_EISDIR;
    return RF_WASI_ESUCCESS;
}

rf_error_kind wasi_fd_filestat_set_size(rf_caller *caller, void *user, const rf_value *args,
                                        rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    wasi_fd *e;
    uint64_t size = args[1].of.i64;
    int rc = file_to_change(wasi_of(user), args[0].of.i32, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (size > (uint64_t)INT64_MAX)
        return wasi_errno(results, RF_WASI_EINVAL);
    int r;
    do
        r = ftruncate(e->host, (off_t)size);
    while (r != 0 && errno == EINTR);
    return wasi_errno(results, r == 0 ? RF_WASI_ESUCCESS : wasi_errno_from_host(errno));
}

rf_error_kind wasi_fd_filestat_set_times(rf_caller *caller, void *user, const rf_value *args,
                                         rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    wasi_fd *e;
    int rc = wasi_fd_lookup(wasi_of(user), args[0].of.i32, WASI_NEED_ANY, &e);
    if (rc == RF_WASI_ESUCCESS && e->read_only)
        rc = WASI_EROFS;
    struct timespec times[2];
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_times_from_guest(args[1].of.i64, args[2].of.i64, args[3].of.i32, times);
    if (rc == RF_WASI_ESUCCESS && futimens(e->host, times) != 0)
        rc = wasi_errno_from_host(errno);
    return wasi_errno(results, rc);
}

rf_error_kind wasi_fd_advise(rf_caller *caller, void *user, const rf_value *args,
                             rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    static const int host_advice[] = {
        POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
        POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE,
    };
    wasi_fd *e;
    uint64_t offset = args[1].of.i64, len = args[2].of.i64;
    uint32_t advice = args[3].of.i32;
    int rc = wasi_fd_lookup(wasi_of(user), args[0].of.i32, WASI_NEED_ANY, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (e->kind == WASI_FD_DIR)
        return wasi_errno(results, WASI_EISDIR);
    if (advice >= sizeof host_advice / sizeof host_advice[0] || offset > (uint64_t)INT64_MAX ||
        len > (uint64_t)INT64_MAX)
        return wasi_errno(results, RF_WASI_EINVAL);
    /* Advice is a hint: a file system that takes none is not an error. */
    int r = posix_fadvise(e->host, (off_t)offset, (off_t)len, host_advice[advice]);
    return wasi_errno(results, r == 0 || r == ENOSYS ? RF_WASI_ESUCCESS
                                                     : wasi_errno_from_host(r));
}

/* Makes the file at least offset+len bytes long, by extending it (sparse
 * where the file system allows) rather than reserving blocks: the effect
 * wasi-libc's posix_fallocate promises without writing gigabytes of zeros
 * on file systems that cannot reserve. */
rf_error_kind wasi_fd_allocate(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    wasi_fd *e;
    uint64_t offset = args[1].of.i64, len = args[2].of.i64;
    int rc = file_to_change(wasi_of(user), args[0].of.i32, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (offset > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - offset)
        return wasi_errno(results, RF_WASI_EINVAL);
    struct stat st;
    if (fstat(e->host, &st) != 0)
        return wasi_errno(results, wasi_errno_from_host(errno));
    if (!S_ISREG(st.st_mode))
        return wasi_errno(results, RF_WASI_ENOTSUP);
    if ((uint64_t)st.st_size >= offset + len)
        return wasi_errno(results, RF_WASI_ESUCCESS);
    if (!(e->rights_base & WASI_RIGHT_FD_WRITE))
        return wasi_errno(results, RF_WASI_EBADF);
    int r;
    do
        r = ftruncate(e->host, (off_t)(offset + len));
    while (r != 0 && errno == EINTR);
    return wasi_errno(results, r == 0 ? RF_WASI_ESUCCESS : wasi_errno_from_host(errno));
}

static rf_error_kind sync_fd(void *user, const rf_value *args, rf_value *results, bool data)
{
    wasi_fd *e;
    int rc = wasi_fd_lookup(wasi_of(user), args[0].of.i32, WASI_NEED_ANY, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if ((data ? fdatasync(e->host) : fsync(e->host)) != 0)
        return wasi_errno(results, wasi_errno_from_host(errno));
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

rf_error_kind wasi_fd_sync(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    return sync_fd(user, args, results, false);
}

rf_error_kind wasi_fd_datasync(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    return sync_fd(user, args, results, true);
}
