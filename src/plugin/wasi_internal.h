/*
 * wasi_internal.h — shared by the files implementing WASI preview 1:
 * the context structure and its fd table, the table of preview 1 functions,
 * the host function of each, bounds-checked access to guest memory, and the
 * sandboxed path resolution every path_* function goes through.
 *
 * Invariants:
 *   - every host function's `user` is a wasi_binding inside its rf_wasi, so
 *     it reaches both the context and its own table entry;
 *   - guest memory is touched only after a guest_range check of
 *     [ptr, ptr+len) against the memory's current size; a guest with no
 *     memory has size 0, so every pointer is out of bounds (EFAULT);
 *   - a guest path reaches the host only through wasi_resolve (wasi_path.c),
 *     and host calls then name (resolved dir fd, last component) without
 *     following a symlink: nothing outside the directory fd is reachable;
 *   - a WASI errno is always a preview 1 number: host errnos go through
 *     wasi_errno_from_host;
 *   - host functions return RF_OK with a WASI errno as their i32 result for
 *     everything the guest may legitimately get wrong; only proc_exit
 *     (RF_ERR_EXIT) and an interrupted sleep (RF_ERR_INTERRUPTED) stop it.
 */
#ifndef RF_WASI_INTERNAL_H
#define RF_WASI_INTERNAL_H

#include "reflow/wasi.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* WASI errno values beyond the public ones (preview 1 numbering). */
enum {
    WASI_EACCES = 2,
    WASI_EBUSY = 10,
    WASI_EEXIST = 20,
    WASI_EILSEQ = 25,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_EMFILE = 33,
    WASI_ENAMETOOLONG = 37,
    WASI_ENOENT = 44,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_EPERM = 63,
    WASI_EROFS = 69,
    WASI_ENOTCAPABLE = 76
};

/* Preview 1 file types. */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7
};

/* Preview 1 flag sets. */
enum {
    WASI_LOOKUP_SYMLINK_FOLLOW = 1,
    WASI_OFLAGS_CREAT = 1,
    WASI_OFLAGS_DIRECTORY = 2,
    WASI_OFLAGS_EXCL = 4,
    WASI_OFLAGS_TRUNC = 8,
    WASI_FDFLAGS_APPEND = 1,
    WASI_FDFLAGS_DSYNC = 2,
    WASI_FDFLAGS_NONBLOCK = 4,
    WASI_FDFLAGS_RSYNC = 8,
    WASI_FDFLAGS_SYNC = 16,
    WASI_FSTFLAGS_ATIM = 1,
    WASI_FSTFLAGS_ATIM_NOW = 2,
    WASI_FSTFLAGS_MTIM = 4,
    WASI_FSTFLAGS_MTIM_NOW = 8
};

/* Rights, bit k of preview 1's `rights`. */
#define WASI_RIGHT(k) (UINT64_C(1) << (k))
#define WASI_RIGHT_FD_DATASYNC WASI_RIGHT(0)
#define WASI_RIGHT_FD_READ WASI_RIGHT(1)
#define WASI_RIGHT_FD_SEEK WASI_RIGHT(2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS WASI_RIGHT(3)
#define WASI_RIGHT_FD_SYNC WASI_RIGHT(4)
#define WASI_RIGHT_FD_TELL WASI_RIGHT(5)
#define WASI_RIGHT_FD_WRITE WASI_RIGHT(6)
#define WASI_RIGHT_FD_ADVISE WASI_RIGHT(7)
#define WASI_RIGHT_FD_ALLOCATE WASI_RIGHT(8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY WASI_RIGHT(9)
#define WASI_RIGHT_PATH_CREATE_FILE WASI_RIGHT(10)
#define WASI_RIGHT_PATH_LINK_SOURCE WASI_RIGHT(11)
#define WASI_RIGHT_PATH_LINK_TARGET WASI_RIGHT(12)
#define WASI_RIGHT_PATH_OPEN WASI_RIGHT(13)
#define WASI_RIGHT_FD_READDIR WASI_RIGHT(14)
#define WASI_RIGHT_PATH_READLINK WASI_RIGHT(15)
#define WASI_RIGHT_PATH_RENAME_SOURCE WASI_RIGHT(16)
#define WASI_RIGHT_PATH_RENAME_TARGET WASI_RIGHT(17)
#define WASI_RIGHT_PATH_FILESTAT_GET WASI_RIGHT(18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE WASI_RIGHT(19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES WASI_RIGHT(20)
#define WASI_RIGHT_FD_FILESTAT_GET WASI_RIGHT(21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE WASI_RIGHT(22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES WASI_RIGHT(23)
#define WASI_RIGHT_PATH_SYMLINK WASI_RIGHT(24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY WASI_RIGHT(25)
#define WASI_RIGHT_PATH_UNLINK_FILE WASI_RIGHT(26)
#define WASI_RIGHT_POLL_FD_READWRITE WASI_RIGHT(27)

/* What a regular file (or device) fd can be granted. */
#define WASI_RIGHTS_FILE                                                                    \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |                    \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |            \
     WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |                 \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                        \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
/* What a directory fd can be granted. */
#define WASI_RIGHTS_DIR                                                                     \
    (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC |        \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | \
     WASI_RIGHT_PATH_OPEN | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_FILESTAT_GET |       \
     WASI_RIGHTS_DIR_CHANGE)
/* The directory rights that change something below it: never granted below
 * a read-only preopen. */
#define WASI_RIGHTS_DIR_CHANGE                                                              \
    (WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                      \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |                           \
     WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |                       \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |              \
     WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY |                          \
     WASI_RIGHT_PATH_UNLINK_FILE)
/* The file rights that change the file. */
#define WASI_RIGHTS_FILE_CHANGE                                                             \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE |      \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES)

/* Limits on what a guest may ask for. */
#define WASI_PATH_MAX 4096u          /* bytes in a guest path (ENAMETOOLONG beyond) */
#define WASI_DEFAULT_MAX_FDS 1024u   /* open fds per context (EMFILE beyond) */

/* One preview 1 function: its name, wasm signature and implementation.
 * Signatures are strings, one character per value: 'i' = i32, 'I' = i64. */
typedef struct wasi_func {
    const char *name;
    const char *params;
    const char *results;
    rf_host_fn fn;
    uint16_t fd_params;      /* unimplemented functions: bit k = param k is an fd */
} wasi_func;

#define WASI_MAX_PARAMS 9    /* path_open */

#define WASI_NUM_FUNCS 46    /* the whole of preview 1 */
extern const wasi_func wasi_funcs[];   /* WASI_NUM_FUNCS entries (static-asserted) */

typedef struct wasi_binding {
    rf_wasi *wasi;
    const wasi_func *func;
} wasi_binding;

/* A list of strings laid out as the guest receives them: NUL-terminated,
 * back to back in `buf`, string i starting at offsets[i]. */
typedef struct wasi_strings {
    char *buf;
    uint32_t buf_len;
    uint32_t count;
    uint32_t *offsets;
} wasi_strings;

/* ---- the fd table -------------------------------------------------------------- */

typedef enum wasi_fd_kind {
    WASI_FD_FREE = 0,        /* not open (the guest gets EBADF) */
    WASI_FD_STDIO,           /* 0, 1, 2: the character devices of wasi_fd.c */
    WASI_FD_DIR,             /* a host directory (a preopen or opened below one) */
    WASI_FD_FILE             /* any other host file: regular, device, fifo, socket */
} wasi_fd_kind;

/* One guest fd. DIR and FILE own `host`, a host fd with O_CLOEXEC; a DIR's
 * host fd is O_RDONLY|O_DIRECTORY (never O_PATH), so it can be listed. */
typedef struct wasi_fd {
    wasi_fd_kind kind;
    int host;
    uint8_t filetype;        /* WASI filetype, fixed when opened */
    bool read_only;          /* below a read-only preopen: every change is EROFS */
    uint16_t fdflags;        /* WASI fdflags as opened or last set */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    char *preopen;           /* a preopen's guest path (owned, NUL-terminated); else NULL */
    uint32_t preopen_len;
} wasi_fd;

struct rf_wasi {
    wasi_strings args;
    wasi_strings env;
    rf_wasi_config cfg;      /* callbacks and flags; the string and preopen pointers are not kept */
    wasi_fd *fds;            /* nfds slots; guest fd i is fds[i] when i < nfds, else free */
    uint32_t nfds;
    uint32_t max_fds;        /* nfds never exceeds it */
    bool use_openat2;        /* openat2(2) with RESOLVE_BENEATH works here */
    bool exited;
    uint32_t exit_code;
    wasi_binding bindings[WASI_NUM_FUNCS];
};

/* ---- guest memory ------------------------------------------------------------ */

/* The caller's memory as a base and a size fixed for the whole host call
 * (the guest cannot run, so cannot grow it, while a host function runs). */
typedef struct guest_mem {
    uint8_t *base;
    uint64_t size;
} guest_mem;

guest_mem guest_of(rf_caller *caller);

static inline bool guest_range(const guest_mem *g, uint32_t ptr, uint64_t len)
{
    return (uint64_t)ptr <= g->size && len <= g->size - ptr;
}

bool guest_load_u32(const guest_mem *g, uint32_t ptr, uint32_t *out);
bool guest_load_u64(const guest_mem *g, uint32_t ptr, uint64_t *out);
bool guest_store_u32(const guest_mem *g, uint32_t ptr, uint32_t v);
bool guest_store_u64(const guest_mem *g, uint32_t ptr, uint64_t v);
/* Little-endian stores into host bytes already checked with guest_range. */
void wasi_put_u16(uint8_t *p, uint16_t v);
void wasi_put_u32(uint8_t *p, uint32_t v);
void wasi_put_u64(uint8_t *p, uint64_t v);
uint16_t wasi_get_u16(const uint8_t *p);
uint32_t wasi_get_u32(const uint8_t *p);
uint64_t wasi_get_u64(const uint8_t *p);

/* Set the i32 errno result; always RF_OK so handlers can `return wasi_errno(...)`. */
static inline rf_error_kind wasi_errno(rf_value *results, int e)
{
    results[0] = rf_val_i32((uint32_t)e);
    return RF_OK;
}

static inline rf_wasi *wasi_of(void *user)
{
    return ((wasi_binding *)user)->wasi;
}

/* Fill err (may be NULL) and return false (wasi.c). */
bool wasi_fail(rf_error *err, rf_error_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* fd 0..2 not closed by the guest. */
bool wasi_stdio_open(const rf_wasi *w, uint32_t fd);

/* ---- the fd table (wasi_fdtable.c) ------------------------------------------------ */

/* Set up fds 0..2 and open the preopens (fds 3...). False with err set. */
bool wasi_fdtable_init(rf_wasi *w, const rf_wasi_config *cfg, rf_error *err);
/* Close every host fd and free the table. */
void wasi_fdtable_free(rf_wasi *w);
/* The open fd `fd`, or NULL. The pointer is valid until the next table change. */
wasi_fd *wasi_fd_get(rf_wasi *w, uint32_t fd);
/* Store `e` (which owns its host fd) at the lowest free fd >= 3; WASI errno
 * (EMFILE when the table is full: then the caller still owns e's host fd). */
int wasi_fd_add(rf_wasi *w, const wasi_fd *e, uint32_t *fd_out);
/* No fd number is left for wasi_fd_add. */
bool wasi_fd_table_full(const rf_wasi *w);

/* Look `fd` up for an operation: WASI errno EBADF when it is not open,
 * ENOSYS when it is stdio (files, directories and sockets operations are
 * not provided on the character devices), ENOTDIR when a directory is
 * needed and it is not one; else *out. */
enum { WASI_NEED_ANY = 0, WASI_NEED_DIR = 1 };
int wasi_fd_lookup(rf_wasi *w, uint32_t fd, int need, wasi_fd **out);

/* ---- translating host facts (wasi_host.c) ------------------------------------------ */

struct stat;
/* A host errno as a WASI errno (EIO for the unmappable). */
int wasi_errno_from_host(int e);
uint8_t wasi_filetype_of(unsigned mode);
/* The 64-byte filestat record for `st` at p (already bounds-checked). */
void wasi_put_filestat(uint8_t *p, const struct stat *st);
/* Guest timestamps and fstflags as times[0..1] for utimensat/futimens;
 * WASI errno (EINVAL for contradictory or unknown flags). */
struct timespec;
int wasi_times_from_guest(uint64_t atim, uint64_t mtim, uint32_t fstflags,
                          struct timespec *times);

/* ---- sandboxed paths (wasi_path.c) ------------------------------------------------- */

/* A guest path copied out of guest memory and checked: EFAULT out of
 * bounds, ENAMETOOLONG over WASI_PATH_MAX, EINVAL with a NUL byte, EILSEQ
 * not UTF-8, ENOENT empty, ENOTCAPABLE absolute. text is NUL-terminated. */
typedef struct wasi_path {
    char text[WASI_PATH_MAX + 1];
    uint32_t len;
} wasi_path;
int wasi_path_from_guest(const guest_mem *g, uint32_t ptr, uint32_t len, wasi_path *out);

/* Where a guest path leads: the host directory that holds its last
 * component, and that component. Resolution stayed beneath the directory
 * fd it started from: every ".." and every symlink on the way (the last
 * component's too, when following) was resolved inside it.
 *   - `name` never contains '/', is never empty or "..", and is "." only
 *     when the path names a directory itself (".", "a/..", ...): then
 *     `dir` is that directory;
 *   - when following, `name` was not a symlink when looked at; callers act
 *     on it with AT_SYMLINK_NOFOLLOW / O_NOFOLLOW, so a symlink swapped in
 *     afterwards is never followed;
 *   - `slash`: the path ended in '/', so the object must be a directory. */
typedef struct wasi_resolved {
    int dir;                 /* host fd (O_PATH), owned: release with wasi_resolved_close */
    char name[256];
    bool slash;
} wasi_resolved;
int wasi_resolve(rf_wasi *w, const wasi_fd *start, const wasi_path *path, bool follow,
                 wasi_resolved *out);
void wasi_resolved_close(wasi_resolved *r);
/* The common start of a path_* call: `fd` must be an open directory
 * (EBADF, ENOSYS for stdio, ENOTDIR), the guest path valid
 * (wasi_path_from_guest), and when `change` the directory not read-only
 * (EROFS); then wasi_resolve. WASI errno; on success r->dir is open. */
int wasi_path_at(rf_wasi *w, const guest_mem *g, uint32_t fd, uint32_t ptr, uint32_t len,
                 bool change, bool follow, wasi_resolved *r);
/* Whether openat2(2) with RESOLVE_BENEATH works for `dirfd` (probed once
 * per context; ENOSYS or a seccomp refusal means no). */
bool wasi_openat2_works(int dirfd);

/* ---- host functions, by file ---------------------------------------------------- */

/* Every host function has this signature. */
#define WASI_HOST_FN(name)                                                                \
    rf_error_kind name(rf_caller *, void *, const rf_value *, rf_value *, rf_error *)

/* wasi_args.c */
WASI_HOST_FN(wasi_args_get);
WASI_HOST_FN(wasi_args_sizes_get);
WASI_HOST_FN(wasi_environ_get);
WASI_HOST_FN(wasi_environ_sizes_get);

/* wasi_clock.c */
WASI_HOST_FN(wasi_clock_res_get);
WASI_HOST_FN(wasi_clock_time_get);
WASI_HOST_FN(wasi_poll_oneoff);
WASI_HOST_FN(wasi_sched_yield);

/* wasi_fd.c: reading, writing and positioning, stdio and files alike */
WASI_HOST_FN(wasi_fd_write);
WASI_HOST_FN(wasi_fd_read);
WASI_HOST_FN(wasi_fd_pread);
WASI_HOST_FN(wasi_fd_pwrite);
WASI_HOST_FN(wasi_fd_seek);
WASI_HOST_FN(wasi_fd_tell);

/* wasi_fdstat.c: what an fd is, and the file operations on it */
WASI_HOST_FN(wasi_fd_fdstat_get);
WASI_HOST_FN(wasi_fd_fdstat_set_flags);
WASI_HOST_FN(wasi_fd_fdstat_set_rights);
WASI_HOST_FN(wasi_fd_filestat_get);
WASI_HOST_FN(wasi_fd_filestat_set_size);
WASI_HOST_FN(wasi_fd_filestat_set_times);
WASI_HOST_FN(wasi_fd_advise);
WASI_HOST_FN(wasi_fd_allocate);
WASI_HOST_FN(wasi_fd_sync);
WASI_HOST_FN(wasi_fd_datasync);

/* wasi_fdtable.c: the table itself */
WASI_HOST_FN(wasi_fd_close);
WASI_HOST_FN(wasi_fd_renumber);
WASI_HOST_FN(wasi_fd_prestat_get);
WASI_HOST_FN(wasi_fd_prestat_dir_name);

/* wasi_open.c */
WASI_HOST_FN(wasi_path_open);

/* wasi_dir.c: directories and the names in them */
WASI_HOST_FN(wasi_fd_readdir);
WASI_HOST_FN(wasi_path_create_directory);
WASI_HOST_FN(wasi_path_remove_directory);
WASI_HOST_FN(wasi_path_unlink_file);
WASI_HOST_FN(wasi_path_rename);
WASI_HOST_FN(wasi_path_filestat_get);
WASI_HOST_FN(wasi_path_filestat_set_times);

/* wasi_link.c: hard and symbolic links */
WASI_HOST_FN(wasi_path_link);
WASI_HOST_FN(wasi_path_symlink);
WASI_HOST_FN(wasi_path_readlink);

/* wasi_proc.c */
WASI_HOST_FN(wasi_proc_exit);
WASI_HOST_FN(wasi_random_get);

/* wasi_table.c: every function without a real implementation */
WASI_HOST_FN(wasi_unsupported);

#endif /* RF_WASI_INTERNAL_H */
