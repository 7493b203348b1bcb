/*
 * wasi_open.c — path_open: opening (and creating) a file or directory below
 * a directory fd, inside the sandbox of wasi_path.c.
 *
 * The host access mode comes from the rights asked for, as wasi-libc and Go
 * compute them: FD_READ/FD_READDIR mean reading, FD_WRITE, FD_ALLOCATE and
 * FD_FILESTAT_SET_SIZE (or O_TRUNC) mean writing; neither means a read-only
 * open used for fstat and the like. Rights beyond the directory's
 * inheriting rights are dropped silently (the fd simply does not have
 * them). Below a read-only preopen, writing, creating and truncating are
 * EROFS without touching the file system.
 *
 * The last component is opened with O_NOFOLLOW (wasi_resolve has already
 * followed it when the guest asked), O_NOCTTY, and O_NONBLOCK — cleared
 * again afterwards unless the guest asked for it — so opening a fifo in the
 * sandbox cannot block the host thread.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define OFLAGS_KNOWN \
    (WASI_OFLAGS_CREAT | WASI_OFLAGS_DIRECTORY | WASI_OFLAGS_EXCL | WASI_OFLAGS_TRUNC)
#define FDFLAGS_KNOWN                                                                      \
    (WASI_FDFLAGS_APPEND | WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_NONBLOCK | WASI_FDFLAGS_RSYNC | \
     WASI_FDFLAGS_SYNC)
#define RIGHTS_WRITING \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE)
#define RIGHTS_READING (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)

/* Host open(2) flags for the guest's request. */
static int host_flags(uint32_t oflags, uint32_t fdflags, bool reading, bool writing)
{
    int f = O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
    f |= reading && writing ? O_RDWR : writing ? O_WRONLY : O_RDONLY;
    if (oflags & WASI_OFLAGS_CREAT)
        f |= O_CREAT;
    if (oflags & WASI_OFLAGS_EXCL)
        f |= O_EXCL;
    if (oflags & WASI_OFLAGS_TRUNC)
        f |= O_TRUNC;
    if (oflags & WASI_OFLAGS_DIRECTORY)
        f |= O_DIRECTORY;
    if (fdflags & WASI_FDFLAGS_APPEND)
        f |= O_APPEND;
    if (fdflags & WASI_FDFLAGS_DSYNC)
        f |= O_DSYNC;
    if (fdflags & WASI_FDFLAGS_SYNC)
        f |= O_SYNC;
    if (fdflags & WASI_FDFLAGS_RSYNC)
        f |= O_RSYNC;
    return f;
}

/* Open the resolved name; *out = the host fd; WASI errno. */
static int open_resolved(const wasi_resolved *r, int flags, uint32_t fdflags, int *out)
{
    if (r->slash) {
        if (flags & O_CREAT)
            return WASI_EISDIR;   /* "name/" can only be an existing directory */
        flags |= O_DIRECTORY;
    }
    int fd;
    do
        fd = openat(r->dir, r->name, flags, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return wasi_errno_from_host(errno);
    if (!(fdflags & WASI_FDFLAGS_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = wasi_errno_from_host(errno);
        close(fd);
        return e;
    }
    *out = fd;
    return RF_WASI_ESUCCESS;
}

rf_error_kind wasi_path_open(rf_caller *caller, void *user, const rf_value *args,
                             rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t dirfd = args[0].of.i32, lookup = args[1].of.i32;
    uint32_t path_ptr = args[2].of.i32, path_len = args[3].of.i32, oflags = args[4].of.i32;
    uint64_t want_base = args[5].of.i64, want_inheriting = args[6].of.i64;
    uint32_t fdflags = args[7].of.i32, fd_ptr = args[8].of.i32;

    wasi_fd *dir;
    int rc = wasi_fd_lookup(w, dirfd, WASI_NEED_DIR, &dir);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    if (!guest_range(&g, fd_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);
    if ((lookup & ~(uint32_t)WASI_LOOKUP_SYMLINK_FOLLOW) || (oflags & ~(uint32_t)OFLAGS_KNOWN) ||
        (fdflags & ~(uint32_t)FDFLAGS_KNOWN))
        return wasi_errno(results, RF_WASI_EINVAL);
    if (wasi_fd_table_full(w))   /* before anything is created */
        return wasi_errno(results, WASI_EMFILE);
    wasi_path *path = malloc(sizeof *path);
    if (!path)
        return wasi_errno(results, wasi_errno_from_host(ENOMEM));
    rc = wasi_path_from_guest(&g, path_ptr, path_len, path);

    bool reading = want_base & RIGHTS_READING;
    bool writing = (want_base & RIGHTS_WRITING) || (oflags & WASI_OFLAGS_TRUNC);
    if (rc == RF_WASI_ESUCCESS && dir->read_only && (writing || (oflags & WASI_OFLAGS_CREAT)))
        rc = WASI_EROFS;

    /* `dir` may move when the table grows: keep what is needed from it. */
    bool read_only = dir->read_only;
    uint64_t inheriting = dir->rights_inheriting;
    wasi_resolved r = { -1, "", false };
    int host = -1;
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_resolve(w, dir, path, lookup & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
    free(path);
    if (rc == RF_WASI_ESUCCESS)
        rc = open_resolved(&r, host_flags(oflags, fdflags, reading, writing), fdflags, &host);
    wasi_resolved_close(&r);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);

    struct stat st;
    if (fstat(host, &st) != 0) {
        rc = wasi_errno_from_host(errno);
        close(host);
        return wasi_errno(results, rc);
    }
    bool is_dir = S_ISDIR(st.st_mode);
    uint64_t allowed = (is_dir ? WASI_RIGHTS_DIR : WASI_RIGHTS_FILE) & inheriting;
    if (read_only)
        allowed &= ~(WASI_RIGHTS_DIR_CHANGE | WASI_RIGHTS_FILE_CHANGE);
    wasi_fd e;
    memset(&e, 0, sizeof e);
    e.kind = is_dir ? WASI_FD_DIR : WASI_FD_FILE;
    e.host = host;
    e.filetype = wasi_filetype_of((unsigned)st.st_mode);
    e.read_only = read_only;
    e.fdflags = (uint16_t)fdflags;
    e.rights_base = want_base & allowed;
    e.rights_inheriting = want_inheriting & inheriting;
    uint32_t fd = 0;
    rc = wasi_fd_add(w, &e, &fd);
    if (rc != RF_WASI_ESUCCESS) {
        close(host);
        return wasi_errno(results, rc);
    }
    guest_store_u32(&g, fd_ptr, fd);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}
