/*
 * wasi_fd.c — the file descriptors a guest has: 0, 1 and 2, character
 * devices. fd_write sends fd 1/2 to the configured sink, fd_read reads stdin
 * when the configuration allows it; fdstat/filestat describe them, and
 * close/seek/tell/prestat give the errnos a real character device would.
 * No other fd ever exists (EBADF), and there are no preopened directories.
 *
 * fd_write and fd_read take an array of iovecs (u32 buf, u32 len) in guest
 * memory. The array and every buffer are checked before the first byte
 * moves, so a bad iovec yields EFAULT without partial output; the sum of
 * the lengths must fit the u32 result (else EINVAL).
 */
#include "wasi_internal.h"

#include <errno.h>
#include <unistd.h>

enum {
    IOVEC_SIZE = 8,
    FDSTAT_SIZE = 24,
    FDSTAT_FILETYPE = 0,
    FDSTAT_FLAGS = 2,
    FDSTAT_RIGHTS_BASE = 8,
    FDSTAT_RIGHTS_INHERITING = 16,
    FILESTAT_SIZE = 64,
    FILESTAT_FILETYPE = 16
};

/* Host errno of a failed read/write as a WASI errno. */
static int wasi_from_host_errno(int e)
{
    switch (e) {
    case EAGAIN: return RF_WASI_EAGAIN;
    case EBADF: return RF_WASI_EBADF;
    case EPIPE: return RF_WASI_EPIPE;
    default: return RF_WASI_EIO;
    }
}

/* The default sink: all of data to the process's own fd. */
static int host_write(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wasi_from_host_errno(errno);
        }
        data += n;
        len -= (size_t)n;
    }
    return RF_WASI_ESUCCESS;
}

static int host_read(uint8_t *buf, size_t cap, size_t *nread)
{
    for (;;) {
        ssize_t n = read(0, buf, cap);
        if (n >= 0) {
            *nread = (size_t)n;
            return RF_WASI_ESUCCESS;
        }
        if (errno != EINTR)
            return wasi_from_host_errno(errno);
    }
}

/* Check an iovec array and every buffer it names; WASI errno. */
static int check_iovecs(const guest_mem *g, uint32_t iovs, uint32_t n)
{
    if (!guest_range(g, iovs, (uint64_t)n * IOVEC_SIZE))
        return RF_WASI_EFAULT;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *iov = g->base + iovs + (uint64_t)i * IOVEC_SIZE;
        uint32_t buf = wasi_get_u32(iov), len = wasi_get_u32(iov + 4);
        if (!guest_range(g, buf, len))
            return RF_WASI_EFAULT;
        total += len;
        if (total > UINT32_MAX)
            return RF_WASI_EINVAL;
    }
    return RF_WASI_ESUCCESS;
}

rf_error_kind wasi_fd_write(rf_caller *caller, void *user, const rf_value *args,
                            rf_value *results, rf_error *err)
{
    (void)err;
    const rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, iovs = args[1].of.i32, n = args[2].of.i32;
    uint32_t nwritten_ptr = args[3].of.i32;
    if ((fd != 1 && fd != 2) || !wasi_stdio_open(w, fd))
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, nwritten_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);
    int e = check_iovecs(&g, iovs, n);
    if (e != RF_WASI_ESUCCESS)
        return wasi_errno(results, e);

    uint32_t written = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *iov = g.base + iovs + (uint64_t)i * IOVEC_SIZE;
        uint32_t buf = wasi_get_u32(iov), len = wasi_get_u32(iov + 4);
        if (len == 0)
            continue;
        e = w->cfg.write ? w->cfg.write(w->cfg.user, (int)fd, g.base + buf, len)
                         : host_write((int)fd, g.base + buf, len);
        if (e != RF_WASI_ESUCCESS) {
            /* Like write(2): report what went out; the next call sees the error. */
            if (written == 0)
                return wasi_errno(results, e);
            break;
        }
        written += len;
    }
    guest_store_u32(&g, nwritten_ptr, written);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

rf_error_kind wasi_fd_read(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)err;
    const rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, iovs = args[1].of.i32, n = args[2].of.i32;
    uint32_t nread_ptr = args[3].of.i32;
    if (fd != 0 || !wasi_stdio_open(w, fd) || !w->cfg.stdin_enabled)
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, nread_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);
    int e = check_iovecs(&g, iovs, n);
    if (e != RF_WASI_ESUCCESS)
        return wasi_errno(results, e);

    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *iov = g.base + iovs + (uint64_t)i * IOVEC_SIZE;
        uint32_t buf = wasi_get_u32(iov), len = wasi_get_u32(iov + 4);
        if (len == 0)
            continue;
        size_t got = 0;
        e = w->cfg.read ? w->cfg.read(w->cfg.user, g.base + buf, len, &got)
                        : host_read(g.base + buf, len, &got);
        if (e != RF_WASI_ESUCCESS) {
            if (total == 0)
                return wasi_errno(results, e);
            break;
        }
        if (got > len)   /* a misbehaving callback must not inflate the count */
            got = len;
        total += (uint32_t)got;
        if (got < len)   /* short read: return what is there rather than block again */
            break;
    }
    guest_store_u32(&g, nread_ptr, total);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

rf_error_kind wasi_fd_close(rf_caller *caller, void *user, const rf_value *args,
                            rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    rf_wasi *w = wasi_of(user);
    uint32_t fd = args[0].of.i32;
    if (!wasi_stdio_open(w, fd))
        return wasi_errno(results, RF_WASI_EBADF);
    w->closed[fd] = true;
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* Character devices have no file position. */
rf_error_kind wasi_fd_seek(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    bool open = wasi_stdio_open(wasi_of(user), args[0].of.i32);
    return wasi_errno(results, open ? RF_WASI_ESPIPE : RF_WASI_EBADF);
}

rf_error_kind wasi_fd_tell(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    bool open = wasi_stdio_open(wasi_of(user), args[0].of.i32);
    return wasi_errno(results, open ? RF_WASI_ESPIPE : RF_WASI_EBADF);
}

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
    const rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, ptr = args[1].of.i32;
    if (!wasi_stdio_open(w, fd))
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, ptr, FDSTAT_SIZE))
        return wasi_errno(results, RF_WASI_EFAULT);
    uint8_t *p = g.base + ptr;
    memset(p, 0, FDSTAT_SIZE);
    p[FDSTAT_FILETYPE] = WASI_FILETYPE_CHARACTER_DEVICE;
    wasi_put_u16(p + FDSTAT_FLAGS, 0);
    wasi_put_u64(p + FDSTAT_RIGHTS_BASE, stdio_rights(w, fd));
    wasi_put_u64(p + FDSTAT_RIGHTS_INHERITING, 0);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* A character device with no size, times, or identity worth reporting. */
rf_error_kind wasi_fd_filestat_get(rf_caller *caller, void *user, const rf_value *args,
                                   rf_value *results, rf_error *err)
{
    (void)err;
    const rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, ptr = args[1].of.i32;
    if (!wasi_stdio_open(w, fd))
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, ptr, FILESTAT_SIZE))
        return wasi_errno(results, RF_WASI_EFAULT);
    uint8_t *p = g.base + ptr;
    memset(p, 0, FILESTAT_SIZE);
    p[FILESTAT_FILETYPE] = WASI_FILETYPE_CHARACTER_DEVICE;
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* No preopened directories: wasi-libc probes fds from 3 upwards until it
 * gets EBADF, so EBADF for every fd means "none". */
rf_error_kind wasi_fd_prestat_get(rf_caller *caller, void *user, const rf_value *args,
                                  rf_value *results, rf_error *err)
{
    (void)caller;
    (void)user;
    (void)args;
    (void)err;
    return wasi_errno(results, RF_WASI_EBADF);
}

rf_error_kind wasi_fd_prestat_dir_name(rf_caller *caller, void *user, const rf_value *args,
                                       rf_value *results, rf_error *err)
{
    (void)caller;
    (void)user;
    (void)args;
    (void)err;
    return wasi_errno(results, RF_WASI_EBADF);
}
