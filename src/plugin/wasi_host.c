/*
 * wasi_host.c — host facts in WASI terms: errno values, file types, the
 * filestat record, and guest timestamps for utimensat/futimens.
 *
 * WASI preview 1 numbers its errnos alphabetically, unrelated to any host,
 * so every host errno a file operation can produce is translated here.
 * Timestamps are u64 nanoseconds since the epoch; a host time before 1970
 * is reported as 0 rather than wrapping around.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <sys/stat.h>
#include <time.h>

/* Host errno -> WASI errno, in preview 1 order. */
static const struct {
    int host;
    uint16_t wasi;
} errno_map[] = {
    { E2BIG, 1 },         { EACCES, 2 },        { EADDRINUSE, 3 },   { EADDRNOTAVAIL, 4 },
    { EAFNOSUPPORT, 5 },  { EAGAIN, 6 },        { EALREADY, 7 },     { EBADF, 8 },
    { EBADMSG, 9 },       { EBUSY, 10 },        { ECANCELED, 11 },   { ECHILD, 12 },
    { ECONNABORTED, 13 }, { ECONNREFUSED, 14 }, { ECONNRESET, 15 },  { EDEADLK, 16 },
    { EDESTADDRREQ, 17 }, { EDOM, 18 },         { EDQUOT, 19 },      { EEXIST, 20 },
    { EFAULT, 21 },       { EFBIG, 22 },        { EHOSTUNREACH, 23 }, { EIDRM, 24 },
    { EILSEQ, 25 },       { EINPROGRESS, 26 },  { EINTR, 27 },       { EINVAL, 28 },
    { EIO, 29 },          { EISCONN, 30 },      { EISDIR, 31 },      { ELOOP, 32 },
    { EMFILE, 33 },       { EMLINK, 34 },       { EMSGSIZE, 35 },    { EMULTIHOP, 36 },
    { ENAMETOOLONG, 37 }, { ENETDOWN, 38 },     { ENETRESET, 39 },   { ENETUNREACH, 40 },
    { ENFILE, 41 },       { ENOBUFS, 42 },      { ENODEV, 43 },      { ENOENT, 44 },
    { ENOEXEC, 45 },      { ENOLCK, 46 },       { ENOLINK, 47 },     { ENOMEM, 48 },
    { ENOMSG, 49 },       { ENOPROTOOPT, 50 },  { ENOSPC, 51 },      { ENOSYS, 52 },
    { ENOTCONN, 53 },     { ENOTDIR, 54 },      { ENOTEMPTY, 55 },   { ENOTRECOVERABLE, 56 },
    { ENOTSOCK, 57 },     { ENOTSUP, 58 },      { ENOTTY, 59 },      { ENXIO, 60 },
    { EOVERFLOW, 61 },    { EOWNERDEAD, 62 },   { EPERM, 63 },       { EPIPE, 64 },
    { EPROTO, 65 },       { EPROTONOSUPPORT, 66 }, { EPROTOTYPE, 67 }, { ERANGE, 68 },
    { EROFS, 69 },        { ESPIPE, 70 },       { ESRCH, 71 },       { ESTALE, 72 },
    { ETIMEDOUT, 73 },    { ETXTBSY, 74 },      { EXDEV, 75 },
};

int wasi_errno_from_host(int e)
{
    /* Aliases on Linux: EWOULDBLOCK == EAGAIN, EOPNOTSUPP == ENOTSUP,
     * EDEADLOCK == EDEADLK; the table holds one of each. */
    if (e == EOPNOTSUPP)
        e = ENOTSUP;
    for (size_t i = 0; i < sizeof errno_map / sizeof errno_map[0]; i++)
        if (errno_map[i].host == e)
            return errno_map[i].wasi;
    return RF_WASI_EIO;
}

uint8_t wasi_filetype_of(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN;   /* fifos have no preview 1 type */
    }
}

static uint64_t timespec_to_ns(const struct timespec *ts)
{
    if (ts->tv_sec < 0)
        return 0;
    uint64_t s = (uint64_t)ts->tv_sec;
    if (s > (UINT64_MAX - 999999999u) / 1000000000u)
        return UINT64_MAX;
    return s * 1000000000u + (uint64_t)ts->tv_nsec;
}

enum {
    FILESTAT_SIZE = 64,
    FILESTAT_DEV = 0,
    FILESTAT_INO = 8,
    FILESTAT_FILETYPE = 16,
    FILESTAT_NLINK = 24,
    FILESTAT_FILESIZE = 32,
    FILESTAT_ATIM = 40,
    FILESTAT_MTIM = 48,
    FILESTAT_CTIM = 56
};

void wasi_put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, FILESTAT_SIZE);
    wasi_put_u64(p + FILESTAT_DEV, (uint64_t)st->st_dev);
    wasi_put_u64(p + FILESTAT_INO, (uint64_t)st->st_ino);
    p[FILESTAT_FILETYPE] = wasi_filetype_of((unsigned)st->st_mode);
    wasi_put_u64(p + FILESTAT_NLINK, (uint64_t)st->st_nlink);
    wasi_put_u64(p + FILESTAT_FILESIZE, st->st_size < 0 ? 0 : (uint64_t)st->st_size);
    wasi_put_u64(p + FILESTAT_ATIM, timespec_to_ns(&st->st_atim));
    wasi_put_u64(p + FILESTAT_MTIM, timespec_to_ns(&st->st_mtim));
    wasi_put_u64(p + FILESTAT_CTIM, timespec_to_ns(&st->st_ctim));
}

/* One of the two times: set to `ns`, to now, or left alone. */
static void time_from_guest(uint64_t ns, bool set, bool now, struct timespec *ts)
{
    if (now) {
        ts->tv_sec = 0;
        ts->tv_nsec = UTIME_NOW;
    } else if (set) {
        ts->tv_sec = (time_t)(ns / 1000000000u);   /* < 2^35: fits any 64-bit time_t */
        ts->tv_nsec = (long)(ns % 1000000000u);
    } else {
        ts->tv_sec = 0;
        ts->tv_nsec = UTIME_OMIT;
    }
}

int wasi_times_from_guest(uint64_t atim, uint64_t mtim, uint32_t fstflags,
                          struct timespec *times)
{
    const uint32_t known = WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW | WASI_FSTFLAGS_MTIM |
                           WASI_FSTFLAGS_MTIM_NOW;
    if ((fstflags & ~known) ||
        ((fstflags & WASI_FSTFLAGS_ATIM) && (fstflags & WASI_FSTFLAGS_ATIM_NOW)) ||
        ((fstflags & WASI_FSTFLAGS_MTIM) && (fstflags & WASI_FSTFLAGS_MTIM_NOW)))
        return RF_WASI_EINVAL;
    time_from_guest(atim, fstflags & WASI_FSTFLAGS_ATIM, fstflags & WASI_FSTFLAGS_ATIM_NOW,
                    &times[0]);
    time_from_guest(mtim, fstflags & WASI_FSTFLAGS_MTIM, fstflags & WASI_FSTFLAGS_MTIM_NOW,
                    &times[1]);
    return RF_WASI_ESUCCESS;
}
