/*
 * wasi_dir.c — directories and the names in them: fd_readdir,
 * path_create_directory, path_remove_directory, path_unlink_file,
 * path_rename, path_filestat_get, path_filestat_set_times.
 *
 * Every path goes through wasi_path_at (the sandbox of wasi_path.c) and the
 * host call then acts on (directory fd, last component) without following
 * a symlink there. A path naming a directory itself (".", "a/..") cannot be
 * created, removed or renamed: EEXIST, EINVAL, EISDIR or EBUSY as POSIX
 * would answer, without touching anything; so the root of a preopen can
 * never be removed or moved.
 *
 * fd_readdir: the cookie of an entry (its d_next) is the host's directory
 * offset after it (getdents64's d_off), cookie 0 the start, so a guest
 * resumes exactly where it left off without reflow keeping any per-fd
 * state; the entries include "." and "..". Entries are written back to
 * back as a 24-byte dirent header plus the name; the last one is cut off
 * when the buffer ends, and a full buffer tells the guest to call again
 * from the last complete entry's cookie (wasi-libc does).
 */
#include "wasi_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
    DIRENT_SIZE = 24,
    DIRENT_NEXT = 0,
    DIRENT_INO = 8,
    DIRENT_NAMLEN = 16,
    DIRENT_TYPE = 20,
    FILESTAT_SIZE = 64,
    /* struct linux_dirent64 as getdents64(2) fills it */
    HOST_DIRENT_INO = 0,
    HOST_DIRENT_OFF = 8,
    HOST_DIRENT_RECLEN = 16,
    HOST_DIRENT_TYPE = 18,
    HOST_DIRENT_NAME = 19
};

static bool is_self(const wasi_resolved *r)
{
    return strcmp(r->name, ".") == 0;
}

/* ---- fd_readdir ---------------------------------------------------------------------- */

static uint8_t dirent_type(int dir, unsigned char d_type, const char *name)
{
    switch (d_type) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_UNKNOWN: break;   /* some file systems do not say: ask */
    default: return WASI_FILETYPE_UNKNOWN;
    }
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return WASI_FILETYPE_UNKNOWN;
    return wasi_filetype_of((unsigned)st.st_mode);
}

/* Append what fits of data[0..len) at buf+*used; true once the buffer is full. */
static bool put_bytes(uint8_t *buf, uint32_t cap, uint32_t *used, const void *data, size_t len)
{
    size_t room = cap - *used;
    size_t n = len < room ? len : room;
    memcpy(buf + *used, data, n);
    *used += (uint32_t)n;
    return *used == cap;
}

rf_error_kind wasi_fd_readdir(rf_caller *caller, void *user, const rf_value *args,
                              rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, buf = args[1].of.i32, buf_len = args[2].of.i32;
    uint64_t cookie = args[3].of.i64;
    uint32_t used_ptr = args[4].of.i32;
    wasi_fd *e;
    int rc = wasi_fd_lookup(w, fd, WASI_NEED_DIR, &e);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (!guest_range(&g, buf, buf_len) || !guest_range(&g, used_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);
    if (cookie > (uint64_t)INT64_MAX)
        return wasi_errno(results, RF_WASI_EINVAL);
    if (lseek(e->host, (off_t)cookie, SEEK_SET) < 0)
        return wasi_errno(results, wasi_errno_from_host(errno));

    uint64_t chunk[512];   /* 4 KiB, aligned as the kernel's records are */
    uint8_t *out = buf_len ? g.base + buf : NULL;   /* no arithmetic on a NULL base */
    uint32_t used = 0;
    bool full = buf_len == 0;
    while (!full) {
        long n = syscall(SYS_getdents64, e->host, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (used == 0)
                return wasi_errno(results, wasi_errno_from_host(errno));
            break;
        }
        if (n == 0)
            break;
        const uint8_t *p = (const uint8_t *)chunk;
        for (long off = 0; off < n && !full;) {
            const uint8_t *rec = p + off;
            uint64_t ino, next;
            uint16_t reclen;
            memcpy(&ino, rec + HOST_DIRENT_INO, 8);
            memcpy(&next, rec + HOST_DIRENT_OFF, 8);
            memcpy(&reclen, rec + HOST_DIRENT_RECLEN, 2);
            if (reclen <= HOST_DIRENT_NAME || reclen > n - off)
                break;   /* never from a sane kernel; do not read past the record */
            const char *name = (const char *)rec + HOST_DIRENT_NAME;
            size_t name_len = strnlen(name, reclen - HOST_DIRENT_NAME);
            uint8_t d[DIRENT_SIZE];
            memset(d, 0, sizeof d);
            wasi_put_u64(d + DIRENT_NEXT, next);
            wasi_put_u64(d + DIRENT_INO, ino);
            wasi_put_u32(d + DIRENT_NAMLEN, (uint32_t)name_len);
            d[DIRENT_TYPE] = dirent_type(e->host, rec[HOST_DIRENT_TYPE], name);
            full = put_bytes(out, buf_len, &used, d, sizeof d) ||
                   put_bytes(out, buf_len, &used, name, name_len);
            off += reclen;
        }
    }
    guest_store_u32(&g, used_ptr, used);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* ---- creating and removing ------------------------------------------------------------ */

rf_error_kind wasi_path_create_directory(rf_caller *caller, void *user, const rf_value *args,
                                         rf_value *results, rf_error *err)
{
    (void)err;
    guest_mem g = guest_of(caller);
    wasi_resolved r;
    int rc = wasi_path_at(wasi_of(user), &g, args[0].of.i32, args[1].of.i32, args[2].of.i32,
                          true, false, &r);
    if (rc == RF_WASI_ESUCCESS) {
        if (is_self(&r))
            rc = WASI_EEXIST;
        else if (mkdirat(r.dir, r.name, 0777) != 0)
            rc = wasi_errno_from_host(errno);
    }
    wasi_resolved_close(&r);
    return wasi_errno(results, rc);
}

rf_error_kind wasi_path_remove_directory(rf_caller *caller, void *user, const rf_value *args,
                                         rf_value *results, rf_error *err)
{
    (void)err;
    guest_mem g = guest_of(caller);
    wasi_resolved r;
    int rc = wasi_path_at(wasi_of(user), &g, args[0].of.i32, args[1].of.i32, args[2].of.i32,
                          true, false, &r);
    if (rc == RF_WASI_ESUCCESS) {
        if (is_self(&r))
            rc = RF_WASI_EINVAL;
        else if (unlinkat(r.dir, r.name, AT_REMOVEDIR) != 0)
            rc = wasi_errno_from_host(errno);
    }
    wasi_resolved_close(&r);
    return wasi_errno(results, rc);
}

/* "name/" must be a directory: ENOTDIR when it is not (or the host error). */
static int check_directory(const wasi_resolved *r)
{
    struct stat st;
    if (fstatat(r->dir, r->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return wasi_errno_from_host(errno);
    return S_ISDIR(st.st_mode) ? RF_WASI_ESUCCESS : WASI_ENOTDIR;
}

rf_error_kind wasi_path_unlink_file(rf_caller *caller, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err)
{
    (void)err;
    guest_mem g = guest_of(caller);
    wasi_resolved r;
    int rc = wasi_path_at(wasi_of(user), &g, args[0].of.i32, args[1].of.i32, args[2].of.i32,
                          true, false, &r);
    if (rc == RF_WASI_ESUCCESS) {
        if (is_self(&r))
            rc = WASI_EISDIR;
        else if (r.slash)   /* a file named "x/": not a file; a directory: not unlinkable */
            rc = check_directory(&r) == RF_WASI_ESUCCESS ? WASI_EISDIR : WASI_ENOTDIR;
        else if (unlinkat(r.dir, r.name, 0) != 0)
            rc = wasi_errno_from_host(errno);
    }
    wasi_resolved_close(&r);
    return wasi_errno(results, rc);
}

/* Both directories must be open (EBADF before anything else, also when
 * only the second is bad) and writable. */
rf_error_kind wasi_path_rename(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t old_fd = args[0].of.i32, new_fd = args[3].of.i32;
    if (!wasi_fd_get(w, old_fd) || !wasi_fd_get(w, new_fd))
        return wasi_errno(results, RF_WASI_EBADF);
    wasi_resolved from, to;
    to.dir = -1;
    int rc = wasi_path_at(w, &g, old_fd, args[1].of.i32, args[2].of.i32, true, false, &from);
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_path_at(w, &g, new_fd, args[4].of.i32, args[5].of.i32, true, false, &to);
    if (rc == RF_WASI_ESUCCESS) {
        if (is_self(&from) || is_self(&to))
            rc = WASI_EBUSY;
        else if (from.slash || to.slash)
            rc = check_directory(&from);
        if (rc == RF_WASI_ESUCCESS && renameat(from.dir, from.name, to.dir, to.name) != 0)
            rc = wasi_errno_from_host(errno);
    }
    wasi_resolved_close(&from);
    wasi_resolved_close(&to);
    return wasi_errno(results, rc);
}

/* ---- metadata by path ----------------------------------------------------------------- */

rf_error_kind wasi_path_filestat_get(rf_caller *caller, void *user, const rf_value *args,
                                     rf_value *results, rf_error *err)
{
    (void)err;
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, flags = args[1].of.i32, out = args[4].of.i32;
    if (!wasi_fd_get(wasi_of(user), fd))
        return wasi_errno(results, RF_WASI_EBADF);
    if (flags & ~(uint32_t)WASI_LOOKUP_SYMLINK_FOLLOW)
        return wasi_errno(results, RF_WASI_EINVAL);
    wasi_resolved r;
    int rc = wasi_path_at(wasi_of(user), &g, fd, args[2].of.i32, args[3].of.i32, false,
                          flags & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
    if (rc == RF_WASI_ESUCCESS && !guest_range(&g, out, FILESTAT_SIZE))
        rc = RF_WASI_EFAULT;
    struct stat st;
    if (rc == RF_WASI_ESUCCESS && fstatat(r.dir, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        rc = wasi_errno_from_host(errno);
    if (rc == RF_WASI_ESUCCESS && r.slash && !S_ISDIR(st.st_mode))
        rc = WASI_ENOTDIR;
    if (rc == RF_WASI_ESUCCESS)
        wasi_put_filestat(g.base + out, &st);
    wasi_resolved_close(&r);
    return wasi_errno(results, rc);
}

rf_error_kind wasi_path_filestat_set_times(rf_caller *caller, void *user, const rf_value *args,
                                           rf_value *results, rf_error *err)
{
    (void)err;
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, flags = args[1].of.i32;
    if (!wasi_fd_get(wasi_of(user), fd))
        return wasi_errno(results, RF_WASI_EBADF);
    if (flags & ~(uint32_t)WASI_LOOKUP_SYMLINK_FOLLOW)
        return wasi_errno(results, RF_WASI_EINVAL);
    struct timespec times[2];
    wasi_resolved r;
    r.dir = -1;
    int rc = wasi_times_from_guest(args[4].of.i64, args[5].of.i64, args[6].of.i32, times);
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_path_at(wasi_of(user), &g, fd, args[2].of.i32, args[3].of.i32, true,
                          flags & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
    if (rc == RF_WASI_ESUCCESS && r.slash)
        rc = check_directory(&r);
    if (rc == RF_WASI_ESUCCESS && utimensat(r.dir, r.name, times, AT_SYMLINK_NOFOLLOW) != 0)
        rc = wasi_errno_from_host(errno);
    wasi_resolved_close(&r);
    return wasi_errno(results, rc);
}
