/*
 * wasi_link.c — links: path_link (hard links), path_symlink, path_readlink.
 *
 * Safety:
 *   - path_link resolves the source itself (following a final symlink only
 *     when asked, inside the sandbox) and links that name with linkat(...,
 *     0), which never follows anything; both ends must be writable, since a
 *     second name in a writable tree would make a read-only file writable.
 *   - path_symlink stores the target as given; symlinks are only ever
 *     followed by wasi_path.c, which refuses any that leads outside. It
 *     still refuses to create an absolute target or one whose ".."s climb
 *     above the directory fd (counted lexically from where the link is
 *     made), so the host is not left with links pointing out of the tree.
 *   - path_readlink returns the target text, truncated to the buffer as
 *     readlink(2) does.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_self(const wasi_resolved *r)
{
    return strcmp(r->name, ".") == 0;
}

rf_error_kind wasi_path_link(rf_caller *caller, void *user, const rf_value *args,
                             rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t old_fd = args[0].of.i32, flags = args[1].of.i32, new_fd = args[4].of.i32;
    if (!wasi_fd_get(w, old_fd) || !wasi_fd_get(w, new_fd))
        return wasi_errno(results, RF_WASI_EBADF);
    if (flags & ~(uint32_t)WASI_LOOKUP_SYMLINK_FOLLOW)
        return wasi_errno(results, RF_WASI_EINVAL);
    wasi_resolved from, to;
    to.dir = -1;
    int rc = wasi_path_at(w, &g, old_fd, args[2].of.i32, args[3].of.i32, true,
                          flags & WASI_LOOKUP_SYMLINK_FOLLOW, &from);
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_path_at(w, &g, new_fd, args[5].of.i32, args[6].of.i32, true, false, &to);
    if (rc == RF_WASI_ESUCCESS) {
        if (is_self(&from))
            rc = WASI_EPERM;   /* a directory cannot be hard-linked */
        else if (is_self(&to))
            rc = WASI_EEXIST;
        else if (from.slash || to.slash)
            rc = WASI_ENOTDIR;
        else if (linkat(from.dir, from.name, to.dir, to.name, 0) != 0)
            rc = wasi_errno_from_host(errno);
    }
    wasi_resolved_close(&from);
    wasi_resolved_close(&to);
    return wasi_errno(results, rc);
}

/* Depth below the start directory of the directory that will hold the
 * last component of `path` (lexically: "." ignored, ".." one up). */
static long parent_depth(const char *path)
{
    long depth = 0, last = 0;   /* `last` = what the final component added */
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        last = 0;
        if (len == 2 && p[0] == '.' && p[1] == '.')
            last = -1;
        else if (len > 0 && !(len == 1 && p[0] == '.'))
            last = 1;
        depth += last;
        p += len + (end ? 1 : 0);
    }
    return depth - (last > 0 ? 1 : 0);
}

/* True when target, read from a directory `depth` levels below the start,
 * climbs above the start at some point. */
static bool target_escapes(const char *target, long depth)
{
    for (const char *p = target; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return true;
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            depth++;
        }
        p += len + (end ? 1 : 0);
    }
    return false;
}

rf_error_kind wasi_path_symlink(rf_caller *caller, void *user, const rf_value *args,
                                rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[2].of.i32, new_ptr = args[3].of.i32, new_len = args[4].of.i32;
    wasi_fd *dir;
    int rc = wasi_fd_lookup(w, fd, WASI_NEED_DIR, &dir);
    if (rc != RF_WASI_ESUCCESS)
        return wasi_errno(results, rc);
    wasi_path *target = malloc(sizeof *target), *where = malloc(sizeof *where);
    wasi_resolved r;
    r.dir = -1;
    if (!target || !where)
        rc = wasi_errno_from_host(ENOMEM);
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_path_from_guest(&g, args[0].of.i32, args[1].of.i32, target);
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_path_from_guest(&g, new_ptr, new_len, where);
    if (rc == RF_WASI_ESUCCESS && target_escapes(target->text, parent_depth(where->text)))
        rc = WASI_ENOTCAPABLE;
    if (rc == RF_WASI_ESUCCESS)
        rc = wasi_path_at(w, &g, fd, new_ptr, new_len, true, false, &r);
    if (rc == RF_WASI_ESUCCESS) {
        if (is_self(&r))
            rc = WASI_EEXIST;
        else if (r.slash)
            rc = WASI_ENOTDIR;
        else if (symlinkat(target->text, r.dir, r.name) != 0)
            rc = wasi_errno_from_host(errno);
    }
    wasi_resolved_close(&r);
    free(target);
    free(where);
    return wasi_errno(results, rc);
}

rf_error_kind wasi_path_readlink(rf_caller *caller, void *user, const rf_value *args,
                                 rf_value *results, rf_error *err)
{
    (void)err;
    rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t fd = args[0].of.i32, buf = args[3].of.i32, buf_len = args[4].of.i32;
    uint32_t used_ptr = args[5].of.i32;
    wasi_resolved r;
    int rc = wasi_path_at(w, &g, fd, args[1].of.i32, args[2].of.i32, false, false, &r);
    if (rc == RF_WASI_ESUCCESS && (!guest_range(&g, buf, buf_len) || !guest_range(&g, used_ptr, 4)))
        rc = RF_WASI_EFAULT;
    char *text = NULL;
    ssize_t n = 0;
    if (rc == RF_WASI_ESUCCESS && !(text = malloc(WASI_PATH_MAX + 1)))
        rc = wasi_errno_from_host(ENOMEM);
    if (rc == RF_WASI_ESUCCESS && (n = readlinkat(r.dir, r.name, text, WASI_PATH_MAX + 1)) < 0)
        rc = wasi_errno_from_host(errno);
    if (rc == RF_WASI_ESUCCESS) {
        uint32_t copied = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
        if (copied)
            memcpy(g.base + buf, text, copied);
        guest_store_u32(&g, used_ptr, copied);
    }
    free(text);
    wasi_resolved_close(&r);
    return wasi_errno(results, rc);
}
