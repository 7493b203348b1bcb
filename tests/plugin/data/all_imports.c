/* all_imports.c — imports every WASI preview 1 function through wasi-libc's
 * own declarations (wasi/api.h), an independent statement of their wasm
 * signatures, so merely linking it checks reflow's table. It then calls each
 * file, directory and socket function once with fd 99 (never open: EBADF)
 * and once with fd 1 (stdout: ENOSYS, or ESPIPE for seek/tell), and prints
 * "name errno errno" per function; functions taking two fds are also called
 * with only the second one bad. */
#include <stdio.h>
#include <wasi/api.h>

/* Not declared by this wasi-libc, but part of preview 1. */
int32_t raw_proc_raise(int32_t sig)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("proc_raise")));

static __wasi_iovec_t iov;
static __wasi_ciovec_t ciov;
static __wasi_size_t size_out;
static __wasi_filesize_t filesize_out;
static __wasi_fd_t fd_out;
static __wasi_roflags_t roflags_out;
static __wasi_filestat_t filestat_out;
static uint8_t buf[16];

#define SHOW(name, expr_with_fd)                                                      \
    do {                                                                              \
        __wasi_fd_t fd = 99;                                                          \
        int bad = (expr_with_fd);                                                     \
        fd = 1;                                                                       \
        int out = (expr_with_fd);                                                     \
        printf("%s %d %d\n", name, bad, out);                                         \
    } while (0)

/* Imports the functions the calls in main do not, without running them. */
static int import_the_rest(void)
{
    static uint8_t *ptrs[4];
    static __wasi_fdstat_t fdstat;
    static __wasi_prestat_t prestat;
    static __wasi_subscription_t sub;
    static __wasi_event_t event;
    __wasi_timestamp_t t;
    __wasi_size_t n;
    int r = 0;
    r |= __wasi_args_get(ptrs, buf);
    r |= __wasi_args_sizes_get(&n, &n);
    r |= __wasi_environ_get(ptrs, buf);
    r |= __wasi_environ_sizes_get(&n, &n);
    r |= __wasi_clock_res_get(0, &t);
    r |= __wasi_clock_time_get(0, 0, &t);
    r |= __wasi_fd_close(99);
    r |= __wasi_fd_fdstat_get(0, &fdstat);
    r |= __wasi_fd_filestat_get(0, &filestat_out);
    r |= __wasi_fd_prestat_get(3, &prestat);
    r |= __wasi_fd_prestat_dir_name(3, buf, sizeof buf);
    r |= __wasi_fd_read(0, &iov, 1, &n);
    r |= __wasi_fd_write(1, &ciov, 1, &n);
    r |= __wasi_poll_oneoff(&sub, &event, 1, &n);
    r |= __wasi_random_get(buf, sizeof buf);
    if (r == 12345)
        __wasi_proc_exit(0);
    return r;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1000)
        return import_the_rest();
    SHOW("fd_advise", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL));
    SHOW("fd_allocate", __wasi_fd_allocate(fd, 0, 1));
    SHOW("fd_datasync", __wasi_fd_datasync(fd));
    SHOW("fd_fdstat_set_flags", __wasi_fd_fdstat_set_flags(fd, 0));
    SHOW("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(fd, 0, 0));
    SHOW("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 0));
    SHOW("fd_filestat_set_times", __wasi_fd_filestat_set_times(fd, 0, 0, 0));
    SHOW("fd_pread", __wasi_fd_pread(fd, &iov, 1, 0, &size_out));
    SHOW("fd_pwrite", __wasi_fd_pwrite(fd, &ciov, 1, 0, &size_out));
    SHOW("fd_readdir", __wasi_fd_readdir(fd, buf, sizeof buf, 0, &size_out));
    SHOW("fd_renumber", __wasi_fd_renumber(fd, 2));
    SHOW("fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &filesize_out));
    SHOW("fd_sync", __wasi_fd_sync(fd));
    SHOW("fd_tell", __wasi_fd_tell(fd, &filesize_out));
    SHOW("path_create_directory", __wasi_path_create_directory(fd, "d"));
    SHOW("path_filestat_get", __wasi_path_filestat_get(fd, 0, "f", &filestat_out));
    SHOW("path_filestat_set_times", __wasi_path_filestat_set_times(fd, 0, "f", 0, 0, 0));
    SHOW("path_link", __wasi_path_link(fd, 0, "a", fd, "b"));
    SHOW("path_open", __wasi_path_open(fd, 0, "f", 0, 0, 0, 0, &fd_out));
    SHOW("path_readlink", __wasi_path_readlink(fd, "l", buf, sizeof buf, &size_out));
    SHOW("path_remove_directory", __wasi_path_remove_directory(fd, "d"));
    SHOW("path_rename", __wasi_path_rename(fd, "a", fd, "b"));
    SHOW("path_symlink", __wasi_path_symlink("a", fd, "b"));
    SHOW("path_unlink_file", __wasi_path_unlink_file(fd, "f"));
    SHOW("sock_accept", __wasi_sock_accept(fd, 0, &fd_out));
    SHOW("sock_recv", __wasi_sock_recv(fd, &iov, 1, 0, &size_out, &roflags_out));
    SHOW("sock_send", __wasi_sock_send(fd, &ciov, 1, 0, &size_out));
    SHOW("sock_shutdown", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD));
    /* The second fd is checked too. */
    printf("path_link 1,99 %d\n", (int)__wasi_path_link(1, 0, "a", 99, "b"));
    printf("path_rename 1,99 %d\n", (int)__wasi_path_rename(1, "a", 99, "b"));
    printf("fd_renumber 1,99 %d\n", (int)__wasi_fd_renumber(1, 99));
    printf("proc_raise %d\n", (int)raw_proc_raise(1));
    printf("sched_yield %d\n", (int)__wasi_sched_yield());
    return 0;
}
