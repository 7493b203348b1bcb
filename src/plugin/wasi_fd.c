/*
 * wasi_fd.c — moving bytes: fd_read, fd_write, fd_pread, fd_pwrite, and the
 * file position (fd_seek, fd_tell).
 *
 * Stdio (fds 0..2) are character devices: fd_write sends fd 1/2 to the
 * configured sink, fd_read reads stdin when the configuration allows it,
 * and they have no position (ESPIPE) and no pread/pwrite (ENOSYS). Files
 * and directories opened below a preopen go to their host fds: readv/writev
 * (preadv/pwritev) straight between the host file and guest memory. Reading
 * needs the FD_READ right and writing FD_WRITE (EBADF otherwise, as with
 * POSIX fds opened in the other mode); a directory has no position (ESPIPE)
 * and cannot be read or written (EISDIR).
 *
 * All four take an array of iovecs (u32 buf, u32 len) in guest memory. The
 * array and every buffer are checked before the first byte moves, so a bad
 * iovec yields EFAULT without partial transfer; the sum of the lengths must
 * fit the u32 result (else EINVAL). Like POSIX, a transfer that stops short
 * reports what it moved; an error comes back only when nothing moved.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
    IOVEC_SIZE = 8,
    IOV_CHUNK = 64            /* host iovecs per readv/writev call */
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

/* fd_write to stdio (fd is 0, 1 or 2 and open). */
static rf_error_kind stdio_write(const rf_wasi *w, guest_mem g, const rf_value *args,
                                 rf_value *results)
{
    uint32_t fd = args[0].of.i32, iovs = args[1].of.i32, n = args[2].of.i32;
    uint32_t nwritten_ptr = args[3].of.i32;
    if (fd != 1 && fd != 2)
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

/* fd_read from stdio (fd is 0, 1 or 2 and open). */
static rf_error_kind stdio_read(const rf_wasi *w, guest_mem g, const rf_value *args,
                                rf_value *results)
{
    uint32_t fd = args[0].of.i32, iovs = args[1].of.i32, n = args[2].of.i32;
    uint32_t nread_ptr = args[3].of.i32;
    if (fd != 0 || !w->cfg.stdin_enabled)
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

/* ---- files ------------------------------------------------------------------------ */

/* readv/writev (or preadv/pwritev at `offset` when `positioned`) of the
 * guest's iovecs, already checked, IOV_CHUNK at a time. *done = bytes
 * moved; WASI errno, success whenever anything moved. */
static int host_transfer(int fd, bool writing, const guest_mem *g, uint32_t iovs, uint32_t n,
                         bool positioned, uint64_t offset, uint32_t *done)
{
    struct iovec v[IOV_CHUNK];
    uint32_t total = 0;
    for (uint32_t first = 0; first < n; first += IOV_CHUNK) {
        uint32_t count = n - first < IOV_CHUNK ? n - first : IOV_CHUNK;
        size_t want = 0;
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *iov = g->base + iovs + (uint64_t)(first + i) * IOVEC_SIZE;
            v[i].iov_base = g->base + wasi_get_u32(iov);
            v[i].iov_len = wasi_get_u32(iov + 4);
            want += v[i].iov_len;
        }
        if (want == 0)
            continue;
        ssize_t got;
        do {
            off_t at = (off_t)(offset + total);
            if (writing)
                got = positioned ? pwritev(fd, v, (int)count, at) : writev(fd, v, (int)count);
            else
                got = positioned ? preadv(fd, v, (int)count, at) : readv(fd, v, (int)count);
        } while (got < 0 && errno == EINTR);
        if (got < 0) {
            if (total == 0)
                return wasi_errno_from_host(errno);
            break;
        }
        total += (uint32_t)got;   /* check_iovecs: the sum of all lengths fits a u32 */
        if ((size_t)got < want)
            break;
    }
    *done = total;
    return RF_WASI_ESUCCESS;
}

/* The four transfers on a file or directory fd. */
static rf_error_kind file_transfer(rf_wasi *w, rf_caller *caller, const rf_value *args,
                                   rf_value *results, bool writing, bool positioned)
{
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, iovs = args[1].of.i32, n = args[2].of.i32;
    uint64_t offset = positioned ? args[3].of.i64 : 0;
    uint32_t done_ptr = positioned ? args[4].of.i32 : args[3].of.i32;
    wasi_fd *e;
    int rc = wasi_fd_lookup(w, fd, WASI_NEED_ANY, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (e->kind == WASI_FD_DIR)
        return wasi_errno(results, WASI_EISDIR);
    if (!(e->rights_base & (writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ)))
        return wasi_errno(results, RF_WASI_EBADF);
    if (!guest_range(&g, done_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);
    if ((rc = check_iovecs(&g, iovs, n)) != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (positioned && offset > (uint64_t)INT64_MAX - UINT32_MAX)
        return wasi_errno(results, RF_WASI_EINVAL);
    uint32_t done = 0;
    rc = host_transfer(e->host, writing, &g, iovs, n, positioned, offset, &done);
    if (rc == RF_WASI_ESUCCESS)
        guest_store_u32(&g, done_ptr, done);
    return wasi_errno(results, rc);
}

rf_error_kind wasi_fd_write(rf_caller *caller, void *user, const rf_value *args,
                            rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    uint32_t fd = args[0].of.i32;
    if (wasi_stdio_open(w, fd))
        return stdio_write(w, guest_of(caller), args, results);
    return file_transfer(w, caller, args, results, true, false);
}

rf_error_kind wasi_fd_read(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    uint32_t fd = args[0].of.i32;
    if (wasi_stdio_open(w, fd))
        return stdio_read(w, guest_of(caller), args, results);
    return file_transfer(w, caller, args, results, false, false);
}

rf_error_kind wasi_fd_pwrite(rf_caller *caller, void *user, const rf_value *args,
                             rf_value *results, rf_error *err)
{
    (void)err;
    return file_transfer(wasi_of(user), caller, args, results, true, true);
}

rf_error_kind wasi_fd_pread(rf_caller *caller, void *user, const rf_value *args,
                            rf_value *results, rf_error *err)
{
    (void)err;
    return file_transfer(wasi_of(user), caller, args, results, false, true);
}

/* Stdio and directories have no position (ESPIPE); for files the host's
 * lseek decides (ESPIPE for fifos and sockets, EINVAL before the start). */
static int seek_fd(rf_wasi *w, uint32_t fd, int64_t offset, int whence, uint64_t *pos)
{
    wasi_fd *e = wasi_fd_get(w, fd);
    if (!e)
        return RF_WASI_EBADF;
    if (e->kind != WASI_FD_FILE)
        return RF_WASI_ESPIPE;
    off_t r = lseek(e->host, (off_t)offset, whence);
    if (r < 0)
        return wasi_errno_from_host(errno);
    *pos = (uint64_t)r;
    return RF_WASI_ESUCCESS;
}

rf_error_kind wasi_fd_seek(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, whence = args[2].of.i32, ptr = args[3].of.i32;
    int64_t offset = (int64_t)args[1].of.i64;
    static const int host_whence[] = { SEEK_SET, SEEK_CUR, SEEK_END };
    wasi_fd *e = wasi_fd_get(w, fd);
    if (e && e->kind == WASI_FD_FILE) {
        if (whence > 2)
            return wasi_errno(results, RF_WASI_EINVAL);
        if (!guest_range(&g, ptr, 8))
            return wasi_errno(results, RF_WASI_EFAULT);
    }
    uint64_t pos = 0;
    int rc = seek_fd(w, fd, offset, whence <= 2 ? host_whence[whence] : SEEK_SET, &pos);
    if (rc == RF_WASI_ESUCCESS)
        guest_store_u64(&g, ptr, pos);
    return wasi_errno(results, rc);
}

rf_error_kind wasi_fd_tell(rf_caller *caller, void *user, const rf_value *args,
                           rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, ptr = args[1].of.i32;
    wasi_fd *e = wasi_fd_get(w, fd);
    if (e && e->kind == WASI_FD_FILE && !guest_range(&g, ptr, 8))
        return wasi_errno(results, RF_WASI_EFAULT);
    uint64_t pos = 0;
    int rc = seek_fd(w, fd, 0, SEEK_CUR, &pos);
    if (rc == RF_WASI_ESUCCESS)
        guest_store_u64(&g, ptr, pos);
    return wasi_errno(results, rc);
}
