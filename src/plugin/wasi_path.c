/*
 * wasi_path.c — the sandbox: turning a guest path into a host directory fd
 * and a last component without ever leaving the directory the guest named.
 *
 * The rule (the same as RESOLVE_BENEATH): resolution starts at a directory
 * fd the guest holds (its root) and may not go above it, ever, even to come
 * back: an absolute path, a ".." above the root, or a symlink whose target
 * is absolute or climbs above the root fails with ENOTCAPABLE. Symlinks
 * that stay inside are followed, in the middle of a path and (when asked
 * for) at its end.
 *
 * How:
 *   - the directory part is opened with openat2(2) and RESOLVE_BENEATH |
 *     RESOLVE_NO_MAGICLINKS where the kernel has it (probed per context at
 *     creation; ENOSYS later also switches to the fallback). The kernel
 *     enforces the rule atomically.
 *   - elsewhere walk_beneath() resolves one component at a time with
 *     openat(O_PATH|O_DIRECTORY|O_NOFOLLOW): a component that is a symlink
 *     is read and its target spliced into the rest of the path (relative to
 *     the directory holding it; absolute targets refused), ".." is taken
 *     only below the root, and the directory ".." leads to must be the one
 *     the walk came from (dev/inode recorded on the way down), so a
 *     directory moved away concurrently cannot lead the walk outside.
 *   - the last component is never handed to the kernel to follow: when the
 *     caller follows symlinks, wasi_resolve reads it and, if it is a
 *     symlink, splices its target and resolves again (at most 40 times,
 *     then ELOOP). Callers then act on (dir, name) with AT_SYMLINK_NOFOLLOW
 *     or O_NOFOLLOW, so a symlink swapped in after the check is not
 *     followed.
 * Limits: guest paths 4096 bytes; with targets spliced in, 8192; components
 * 255 bytes; 4096 directories deep. Beyond: ENAMETOOLONG.
 */
#define _GNU_SOURCE /* O_PATH */
#include "wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* openat2(2), declared here: the C library may not wrap it. */
struct wasi_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};
#define WASI_RESOLVE_NO_MAGICLINKS 0x02u
#define WASI_RESOLVE_BENEATH 0x08u
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every Linux architecture */
#endif

#define MAX_SYMLINKS 40
#define WORK_MAX (2 * WASI_PATH_MAX)   /* a path with symlink targets spliced in */
#define MAX_DEPTH 4096
#define NAME_MAX_BYTES 255

#define DIR_PATH_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)

/* ---- reading a guest path ---------------------------------------------------------- */

/* Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i + k] & 0x3Fu);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

int wasi_path_from_guest(const guest_mem *g, uint32_t ptr, uint32_t len, wasi_path *out)
{
    out->len = 0;
    out->text[0] = '\0';
    if (!guest_range(g, ptr, len))
        return RF_WASI_EFAULT;
    if (len > WASI_PATH_MAX)
        return WASI_ENAMETOOLONG;
    if (len)
        memcpy(out->text, g->base + ptr, len);
    out->text[len] = '\0';
    out->len = len;
    if (memchr(out->text, '\0', len))
        return RF_WASI_EINVAL;
    if (!utf8_valid((const unsigned char *)out->text, len))
        return WASI_EILSEQ;
    if (len == 0)
        return WASI_ENOENT;
    if (out->text[0] == '/')
        return WASI_ENOTCAPABLE;
    return RF_WASI_ESUCCESS;
}

/* ---- opening a directory beneath the root ---------------------------------------- */

bool wasi_openat2_works(int dirfd)
{
    struct wasi_open_how how = { DIR_PATH_FLAGS, 0,
                                 WASI_RESOLVE_BENEATH | WASI_RESOLVE_NO_MAGICLINKS };
    long fd = syscall(SYS_openat2, dirfd, ".", &how, sizeof how);
    if (fd < 0)
        return false;
    close((int)fd);
    return true;
}

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

/* Scratch space for one resolution, on the heap: host functions may run on
 * small thread stacks. */
typedef struct scratch {
    char work[WORK_MAX + 1];           /* wasi_resolve's path being resolved */
    char walk[WORK_MAX + 1];           /* walk_beneath's */
    char target[WASI_PATH_MAX + 2];    /* one symlink target (+1 to detect overlong) */
    dir_id *ids;                       /* walk_beneath: ids[k] = the directory k levels down */
    size_t ids_cap;
} scratch;

static int id_of(int fd, dir_id *out)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return wasi_errno_from_host(errno);
    out->dev = st.st_dev;
    out->ino = st.st_ino;
    return RF_WASI_ESUCCESS;
}

/* Read symlink `name` in `dir` into s->target. 1 = it is a symlink (its
 * target checked: non-empty, relative, not too long; *n = length), 0 = it
 * is not one (or does not exist), or -1 with *e a WASI errno. */
static int read_symlink(scratch *s, int dir, const char *name, size_t *n, int *e)
{
    ssize_t r = readlinkat(dir, name, s->target, WASI_PATH_MAX + 1);
    if (r < 0) {
        if (errno == EINVAL || errno == ENOENT)
            return 0;
        *e = wasi_errno_from_host(errno);
        return -1;
    }
    if (r > (ssize_t)WASI_PATH_MAX) {
        *e = WASI_ENAMETOOLONG;
        return -1;
    }
    if (r == 0) {
        *e = WASI_ENOENT;
        return -1;
    }
    if (s->target[0] == '/') {
        *e = WASI_ENOTCAPABLE;   /* an absolute target always leaves the root */
        return -1;
    }
    s->target[r] = '\0';
    *n = (size_t)r;
    return 1;
}

/* The fallback: resolve every component of s->walk as a directory beneath
 * `root`, by hand (see the file comment). *out = an O_PATH fd; WASI errno. */
static int walk_beneath(scratch *s, int root, int *out)
{
    char *work = s->walk;
    size_t len = strlen(work), at = 0, depth = 0;
    unsigned links = 0;
    int e = RF_WASI_ESUCCESS;
    int cur = openat(root, ".", DIR_PATH_FLAGS);
    if (cur < 0)
        return wasi_errno_from_host(errno);
    if ((e = id_of(cur, &s->ids[0])) != RF_WASI_ESUCCESS)
        goto fail;
    while (at < len) {
        size_t end = at;
        while (end < len && work[end] != '/')
            end++;
        size_t clen = end - at, next = end < len ? end + 1 : end;
        char comp[NAME_MAX_BYTES + 1];
        if (clen == 0 || (clen == 1 && work[at] == '.')) {
            at = next;
            continue;
        }
        if (clen > NAME_MAX_BYTES) {
            e = WASI_ENAMETOOLONG;
            goto fail;
        }
        memcpy(comp, work + at, clen);
        comp[clen] = '\0';

        if (strcmp(comp, "..") == 0) {
            if (depth == 0) {
                e = WASI_ENOTCAPABLE;
                goto fail;
            }
            int up = openat(cur, "..", DIR_PATH_FLAGS);
            dir_id id = { 0 };
            if (up < 0) {
                e = wasi_errno_from_host(errno);
                goto fail;
            }
            if ((e = id_of(up, &id)) != RF_WASI_ESUCCESS ||
                id.dev != s->ids[depth - 1].dev || id.ino != s->ids[depth - 1].ino) {
                /* cur was moved since the walk entered it: ".." is not
                 * where the walk came from, maybe not below the root. */
                close(up);
                e = e ? e : WASI_ENOTCAPABLE;
                goto fail;
            }
            close(cur);
            cur = up;
            depth--;
            at = next;
            continue;
        }

        int fd = openat(cur, comp, DIR_PATH_FLAGS | O_NOFOLLOW);
        if (fd >= 0) {
            if (depth + 1 >= MAX_DEPTH) {
                close(fd);
                e = WASI_ENAMETOOLONG;
                goto fail;
            }
            if (depth + 1 >= s->ids_cap) {
                size_t cap = s->ids_cap * 2;
                dir_id *ids = realloc(s->ids, cap * sizeof *ids);
                if (!ids) {
                    close(fd);
                    e = wasi_errno_from_host(ENOMEM);
                    goto fail;
                }
                s->ids = ids;
                s->ids_cap = cap;
            }
            if ((e = id_of(fd, &s->ids[depth + 1])) != RF_WASI_ESUCCESS) {
                close(fd);
                goto fail;
            }
            close(cur);
            cur = fd;
            depth++;
            at = next;
            continue;
        }
        e = wasi_errno_from_host(errno);
        if (errno != ENOTDIR && errno != ELOOP)
            goto fail;
        /* Not a directory: a symlink (to be spliced in) or really not one. */
        size_t n = 0;
        int r = read_symlink(s, cur, comp, &n, &e);
        if (r <= 0) {
            if (r == 0)
                e = WASI_ENOTDIR;
            goto fail;
        }
        if (++links > MAX_SYMLINKS) {
            e = WASI_ELOOP;
            goto fail;
        }
        size_t rest = len - next;
        if (n + 1 + rest > WORK_MAX) {
            e = WASI_ENAMETOOLONG;
            goto fail;
        }
        memmove(work + n + 1, work + next, rest + 1);
        memcpy(work, s->target, n);
        work[n] = '/';
        len = n + 1 + rest;
        at = 0;
    }
    *out = cur;
    return RF_WASI_ESUCCESS;
fail:
    close(cur);
    return e;
}

/* Open `path` ("" = the root itself) as a directory beneath `root`;
 * *out = an O_PATH fd; WASI errno. */
static int open_dir_beneath(rf_wasi *w, scratch *s, int root, const char *path, int *out)
{
    if (w->use_openat2) {
        struct wasi_open_how how = { DIR_PATH_FLAGS, 0,
                                     WASI_RESOLVE_BENEATH | WASI_RESOLVE_NO_MAGICLINKS };
        for (int tries = 0;; tries++) {
            long fd = syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof how);
            if (fd >= 0) {
                *out = (int)fd;
                return RF_WASI_ESUCCESS;
            }
            /* EAGAIN: a concurrent rename or mount made the kernel give up
             * on this try; it asks to be retried. */
            if (errno == EINTR || (errno == EAGAIN && tries < 16))
                continue;
            if (errno == EXDEV)
                return WASI_ENOTCAPABLE;   /* it would have left the root */
            if (errno != ENOSYS)
                return wasi_errno_from_host(errno);
            w->use_openat2 = false;        /* filtered after all: walk from now on */
            break;
        }
    }
    size_t len = strlen(path);
    memcpy(s->walk, path, len + 1);   /* len <= WORK_MAX: both buffers have the same size */
    return walk_beneath(s, root, out);
}

/* ---- resolving a whole path -------------------------------------------------------- */

static bool is_dot_or_dotdot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static int resolve_in(rf_wasi *w, scratch *s, int root, bool follow, wasi_resolved *out)
{
    char *work = s->work;
    size_t len = strlen(work);
    unsigned links = 0;
    for (;;) {
        bool slash = false;
        while (len > 0 && work[len - 1] == '/') {
            work[--len] = '\0';
            slash = true;
        }
        size_t name_at = len;
        while (name_at > 0 && work[name_at - 1] != '/')
            name_at--;
        const char *name = work + name_at;
        size_t name_len = len - name_at;

        if (len == 0 || is_dot_or_dotdot(name, name_len)) {
            /* The path names a directory itself: resolve all of it. */
            out->slash = slash;
            strcpy(out->name, ".");
            return open_dir_beneath(w, s, root, work, &out->dir);
        }
        if (name_len > NAME_MAX_BYTES)
            return WASI_ENAMETOOLONG;
        memcpy(out->name, name, name_len + 1);
        work[name_at] = '\0';   /* work is now the directory part, "" or ending in '/' */
        int dir = -1, e = open_dir_beneath(w, s, root, work, &dir);
        if (e != RF_WASI_ESUCCESS)
            return e;
        if (!follow && !slash) {   /* a trailing slash follows, as in POSIX */
            out->dir = dir;
            out->slash = slash;
            return RF_WASI_ESUCCESS;
        }
        size_t n = 0;
        int r = read_symlink(s, dir, out->name, &n, &e);
        if (r <= 0) {
            if (r < 0) {
                close(dir);
                return e;
            }
            out->dir = dir;
            out->slash = slash;
            return RF_WASI_ESUCCESS;
        }
        close(dir);
        if (++links > MAX_SYMLINKS)
            return WASI_ELOOP;
        /* The target replaces the last component, relative to its directory. */
        if (name_at + n + 1 > WORK_MAX)
            return WASI_ENAMETOOLONG;
        memcpy(work + name_at, s->target, n);
        len = name_at + n;
        if (slash)
            work[len++] = '/';
        work[len] = '\0';
    }
}

int wasi_resolve(rf_wasi *w, const wasi_fd *start, const wasi_path *path, bool follow,
                 wasi_resolved *out)
{
    out->dir = -1;
    out->name[0] = '\0';
    out->slash = false;
    scratch *s = malloc(sizeof *s);
    if (!s)
        return wasi_errno_from_host(ENOMEM);
    s->ids_cap = 64;
    s->ids = malloc(s->ids_cap * sizeof *s->ids);
    if (!s->ids) {
        free(s);
        return wasi_errno_from_host(ENOMEM);
    }
    memcpy(s->work, path->text, path->len + 1);
    int e = resolve_in(w, s, start->host, follow, out);
    if (e != RF_WASI_ESUCCESS)
        out->dir = -1;
    free(s->ids);
    free(s);
    return e;
}

void wasi_resolved_close(wasi_resolved *r)
{
    if (r->dir >= 0)
        close(r->dir);
    r->dir = -1;
}

int wasi_path_at(rf_wasi *w, const guest_mem *g, uint32_t fd, uint32_t ptr, uint32_t len,
                 bool change, bool follow, wasi_resolved *r)
{
    r->dir = -1;
    r->name[0] = '\0';
    r->slash = false;
    wasi_fd *dir;
    int rc = wasi_fd_lookup(w, fd, WASI_NEED_DIR, &dir);
    if (rc != RF_WASI_ESUCCESS)
        return rc;
    wasi_path *path = malloc(sizeof *path);
    if (!path)
        return wasi_errno_from_host(ENOMEM);
    rc = wasi_path_from_guest(g, ptr, len, path);
    if (rc == RF_WASI_ESUCCESS && change && dir->read_only)
        rc = WASI_EROFS;
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_resolve(w, dir, path, follow, r);
    free(path);
    return rc;
}
