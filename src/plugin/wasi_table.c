/*
 * wasi_table.c — the complete list of WASI preview 1 functions with their
 * wasm signatures, and the one implementation shared by the functions
 * reflow does not provide (sockets, proc_raise).
 *
 * The signatures are the lowered wasm types of wasi_snapshot_preview1 (the
 * same as wasi-libc's declarations, which tests/plugin checks by linking a
 * program importing all of them): handles, sizes, pointers, flags and enums
 * are i32; file sizes, offsets, timestamps, rights and cookies are i64. Every
 * function returns an errno (i32) except proc_exit, which returns nothing.
 *
 * Sorted by name; rf_wasi_link searches it linearly (46 entries).
 */
#include "wasi_internal.h"

#define FD(k) ((uint16_t)(1u << (k)))

const wasi_func wasi_funcs[] = {
    { "args_get", "ii", "i", wasi_args_get, 0 },
    { "args_sizes_get", "ii", "i", wasi_args_sizes_get, 0 },
    { "clock_res_get", "ii", "i", wasi_clock_res_get, 0 },
    { "clock_time_get", "iIi", "i", wasi_clock_time_get, 0 },
    { "environ_get", "ii", "i", wasi_environ_get, 0 },
    { "environ_sizes_get", "ii", "i", wasi_environ_sizes_get, 0 },
    { "fd_advise", "iIIi", "i", wasi_fd_advise, 0 },
    { "fd_allocate", "iII", "i", wasi_fd_allocate, 0 },
    { "fd_close", "i", "i", wasi_fd_close, 0 },
    { "fd_datasync", "i", "i", wasi_fd_datasync, 0 },
    { "fd_fdstat_get", "ii", "i", wasi_fd_fdstat_get, 0 },
    { "fd_fdstat_set_flags", "ii", "i", wasi_fd_fdstat_set_flags, 0 },
    { "fd_fdstat_set_rights", "iII", "i", wasi_fd_fdstat_set_rights, 0 },
    { "fd_filestat_get", "ii", "i", wasi_fd_filestat_get, 0 },
    { "fd_filestat_set_size", "iI", "i", wasi_fd_filestat_set_size, 0 },
    { "fd_filestat_set_times", "iIIi", "i", wasi_fd_filestat_set_times, 0 },
    { "fd_pread", "iiiIi", "i", wasi_fd_pread, 0 },
    { "fd_prestat_dir_name", "iii", "i", wasi_fd_prestat_dir_name, 0 },
    { "fd_prestat_get", "ii", "i", wasi_fd_prestat_get, 0 },
    { "fd_pwrite", "iiiIi", "i", wasi_fd_pwrite, 0 },
    { "fd_read", "iiii", "i", wasi_fd_read, 0 },
    { "fd_readdir", "iiiIi", "i", wasi_fd_readdir, 0 },
    { "fd_renumber", "ii", "i", wasi_fd_renumber, 0 },
    { "fd_seek", "iIii", "i", wasi_fd_seek, 0 },
    { "fd_sync", "i", "i", wasi_fd_sync, 0 },
    { "fd_tell", "ii", "i", wasi_fd_tell, 0 },
    { "fd_write", "iiii", "i", wasi_fd_write, 0 },
    { "path_create_directory", "iii", "i", wasi_path_create_directory, 0 },
    { "path_filestat_get", "iiiii", "i", wasi_path_filestat_get, 0 },
    { "path_filestat_set_times", "iiiiIIi", "i", wasi_path_filestat_set_times, 0 },
    { "path_link", "iiiiiii", "i", wasi_path_link, 0 },
    { "path_open", "iiiiiIIii", "i", wasi_path_open, 0 },
    { "path_readlink", "iiiiii", "i", wasi_path_readlink, 0 },
    { "path_remove_directory", "iii", "i", wasi_path_remove_directory, 0 },
    { "path_rename", "iiiiii", "i", wasi_path_rename, 0 },
    { "path_symlink", "iiiii", "i", wasi_path_symlink, 0 },
    { "path_unlink_file", "iii", "i", wasi_path_unlink_file, 0 },
    { "poll_oneoff", "iiii", "i", wasi_poll_oneoff, 0 },
    { "proc_exit", "i", "", wasi_proc_exit, 0 },
    { "proc_raise", "i", "i", wasi_unsupported, 0 },
    { "random_get", "ii", "i", wasi_random_get, 0 },
    { "sched_yield", "", "i", wasi_sched_yield, 0 },
    { "sock_accept", "iii", "i", wasi_unsupported, FD(0) },
    { "sock_recv", "iiiiii", "i", wasi_unsupported, FD(0) },
    { "sock_send", "iiiii", "i", wasi_unsupported, FD(0) },
    { "sock_shutdown", "ii", "i", wasi_unsupported, FD(0) },
};

_Static_assert(sizeof wasi_funcs / sizeof wasi_funcs[0] == WASI_NUM_FUNCS, "WASI table size");

/* EBADF when any fd argument is not open (no socket is ever open, so that
 * is what a guest probing for sockets sees); ENOSYS otherwise. */
rf_error_kind wasi_unsupported(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)caller;
    (void)err;
    const wasi_binding *b = user;
    for (unsigned k = 0; k < WASI_MAX_PARAMS; k++)
        if ((b->func->fd_params & FD(k)) && !wasi_fd_get(b->wasi, args[k].of.i32))
            return wasi_errno(results, RF_WASI_EBADF);
    return wasi_errno(results, RF_WASI_ENOSYS);
}
