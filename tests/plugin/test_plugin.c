/*
 * test_plugin.c — the plugin lifecycle of reflow/plugin.h, through the public
 * API only: creation and its import checks, the per-call protocol and its
 * result rules, config, vars, logs, user host functions, timeouts,
 * cancellation, memory budgets, WASI output capture and linked modules.
 *
 * The plugins are small WAT modules kept in this file and assembled into a
 * temporary directory with wat2wasm at start-up (WAT2WASM overrides the
 * tool's name). Expected values come from the Extism ABI notes
 * (../shared/docs/extism-abi.md) and the WAT sources, never from the code
 * under test.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* mkdtemp, P_tmpdir */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "reflow/plugin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- the plugins ------------------------------------------------------------------ */

/* Imports and helpers shared by most plugins. $new_str copies guest bytes
 * into a new kernel block; $out_u64 outputs a u64 little-endian. */
#define ENV_IMPORTS                                                                         \
    "(import \"extism:host/env\" \"alloc\" (func $alloc (param i64) (result i64)))\n"      \
    "(import \"extism:host/env\" \"free\" (func $free (param i64)))\n"                      \
    "(import \"extism:host/env\" \"length\" (func $length (param i64) (result i64)))\n"    \
    "(import \"extism:host/env\" \"load_u8\" (func $load_u8 (param i64) (result i32)))\n"  \
    "(import \"extism:host/env\" \"store_u8\" (func $store_u8 (param i64 i32)))\n"          \
    "(import \"extism:host/env\" \"store_u64\" (func $store_u64 (param i64 i64)))\n"        \
    "(import \"extism:host/env\" \"input_length\" (func $input_length (result i64)))\n"     \
    "(import \"extism:host/env\" \"input_offset\" (func $input_offset (result i64)))\n"     \
    "(import \"extism:host/env\" \"input_load_u8\" (func $input_load_u8 (param i64) "      \
    "(result i32)))\n"                                                                      \
    "(import \"extism:host/env\" \"output_set\" (func $output_set (param i64 i64)))\n"      \
    "(import \"extism:host/env\" \"error_set\" (func $error_set (param i64)))\n"

#define HELPERS                                                                             \
    "(func $new_str (param $ptr i32) (param $len i32) (result i64)\n"                       \
    "  (local $h i64) (local $i i32)\n"                                                     \
    "  (local.set $h (call $alloc (i64.extend_i32_u (local.get $len))))\n"                  \
    "  (block $done (loop $l\n"                                                             \
    "    (br_if $done (i32.ge_u (local.get $i) (local.get $len)))\n"                        \
    "    (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))\n"      \
    "                    (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))\n"        \
    "    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"                           \
    "    (br $l)))\n"                                                                       \
    "  (local.get $h))\n"                                                                   \
    "(func $out_u64 (param $v i64)\n"                                                       \
    "  (local $h i64)\n"                                                                    \
    "  (local.set $h (call $alloc (i64.const 8)))\n"                                        \
    "  (call $store_u64 (local.get $h) (local.get $v))\n"                                   \
    "  (call $output_set (local.get $h) (i64.const 8)))\n"

/* Strings at guest address 0: boom(0,4) out(4,3) n(7) k(8) t(9) d(10) i(11) w(12) e(13). */
static const char main_wat[] =
    "(module\n" ENV_IMPORTS
    "(import \"extism:host/env\" \"config_get\" (func $config_get (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"var_get\" (func $var_get (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"var_set\" (func $var_set (param i64 i64)))\n"
    "(import \"extism:host/env\" \"log_trace\" (func $log_trace (param i64)))\n"
    "(import \"extism:host/env\" \"log_debug\" (func $log_debug (param i64)))\n"
    "(import \"extism:host/env\" \"log_info\" (func $log_info (param i64)))\n"
    "(import \"extism:host/env\" \"log_warn\" (func $log_warn (param i64)))\n"
    "(import \"extism:host/env\" \"log_error\" (func $log_error (param i64)))\n"
    "(import \"extism:host/env\" \"get_log_level\" (func $get_log_level (result i32)))\n"
    "(memory (export \"memory\") 1)\n"
    "(data (i32.const 0) \"boomoutnktdiwe\")\n"
    "(global $counter (mut i64) (i64.const 0))\n" HELPERS
    "(func (export \"echo\") (result i32)\n"
    "  (call $output_set (call $input_offset) (call $input_length)) (i32.const 0))\n"
    "(func (export \"upper\") (result i32)\n"
    "  (local $len i64) (local $h i64) (local $i i64) (local $c i32)\n"
    "  (local.set $len (call $input_length))\n"
    "  (local.set $h (call $alloc (local.get $len)))\n"
    "  (block $done (loop $l\n"
    "    (br_if $done (i64.ge_u (local.get $i) (local.get $len)))\n"
    "    (local.set $c (call $input_load_u8 (local.get $i)))\n"
    "    (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))\n"
    "      (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))\n"
    "    (call $store_u8 (i64.add (local.get $h) (local.get $i)) (local.get $c))\n"
    "    (local.set $i (i64.add (local.get $i) (i64.const 1)))\n"
    "    (br $l)))\n"
    "  (call $output_set (local.get $h) (local.get $len)) (i32.const 0))\n"
    "(func (export \"error_rc0\") (result i32)\n"
    "  (call $error_set (call $new_str (i32.const 0) (i32.const 4))) (i32.const 0))\n"
    "(func (export \"error_rc1\") (result i32)\n"
    "  (call $error_set (call $new_str (i32.const 0) (i32.const 4))) (i32.const 1))\n"
    "(func (export \"rc7\") (result i32)\n"
    "  (call $output_set (call $new_str (i32.const 4) (i32.const 3)) (i64.const 3)) (i32.const 7))\n"
    "(func (export \"trap\") (result i32) unreachable)\n"
    "(func (export \"error_trap\") (result i32)\n"
    "  (call $error_set (call $new_str (i32.const 0) (i32.const 4))) unreachable)\n"
    "(func (export \"empty_error\") (result i32)\n"
    "  (call $error_set (call $alloc (i64.const 0))) (i32.const 0))\n"
    "(func (export \"void_fn\"))\n"
    "(func (export \"wrong_type\") (param i32) (result i32) (local.get 0))\n"
    "(func (export \"i64_fn\") (result i64) (i64.const 0))\n"
    "(func (export \"config\") (result i32)\n"
    "  (local $v i64)\n"
    "  (local.set $v (call $config_get (call $input_offset)))\n"
    "  (call $output_set (local.get $v) (call $length (local.get $v))) (i32.const 0))\n"
    "(func (export \"config_key_freed\") (result i32)\n"
    "  (drop (call $config_get (call $input_offset)))\n"
    "  (i32.wrap_i64 (call $input_length)))\n"
    "(func (export \"count\") (result i32)\n"
    "  (local $v i64) (local $n i32) (local $b i64) (local $o i64)\n"
    "  (local.set $v (call $var_get (call $new_str (i32.const 7) (i32.const 1))))\n"
    "  (if (i64.ne (local.get $v) (i64.const 0))\n"
    "    (then (local.set $n (call $load_u8 (local.get $v)))))\n"
    "  (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
    "  (local.set $b (call $alloc (i64.const 1)))\n"
    "  (call $store_u8 (local.get $b) (local.get $n))\n"
    "  (call $var_set (call $new_str (i32.const 7) (i32.const 1)) (local.get $b))\n"
    "  (local.set $o (call $alloc (i64.const 1)))\n"
    "  (call $store_u8 (local.get $o) (local.get $n))\n"
    "  (call $output_set (local.get $o) (i64.const 1)) (i32.const 0))\n"
    "(func (export \"set_kv\") (result i32)\n"
    "  (call $var_set (call $new_str (i32.const 8) (i32.const 1)) (call $input_offset))\n"
    "  (i32.const 0))\n"
    "(func (export \"set_input_var\") (result i32)\n"
    "  (call $var_set (call $input_offset) (call $input_offset)) (i32.const 0))\n"
    "(func (export \"log_all\") (result i32)\n"
    "  (call $log_trace (call $new_str (i32.const 9) (i32.const 1)))\n"
    "  (call $log_debug (call $new_str (i32.const 10) (i32.const 1)))\n"
    "  (call $log_info (call $new_str (i32.const 11) (i32.const 1)))\n"
    "  (call $log_warn (call $new_str (i32.const 12) (i32.const 1)))\n"
    "  (call $log_error (call $new_str (i32.const 13) (i32.const 1)))\n"
    "  (i32.const 0))\n"
    "(func (export \"log_bad\") (result i32)\n"
    "  (call $log_info (i64.const 123456789)) (i32.const 0))\n"
    "(func (export \"get_level\") (result i32) (call $get_log_level))\n"
    "(func (export \"counter\") (result i32)\n"
    "  (global.set $counter (i64.add (global.get $counter) (i64.const 1)))\n"
    "  (call $out_u64 (global.get $counter)) (i32.const 0))\n"
    "(func (export \"loop_forever\") (result i32) (loop $l (br $l)) (i32.const 0))\n"
    "(func (export \"grow\") (result i32)\n"
    "  (local $n i64)\n"
    "  (block $done (loop $l\n"
    "    (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))\n"
    "    (local.set $n (i64.add (local.get $n) (i64.const 1)))\n"
    "    (br $l)))\n"
    "  (call $out_u64 (local.get $n)) (i32.const 0))\n"
    "(func (export \"alloc_huge\") (result i32)\n"
    "  (i64.ne (call $alloc (i64.const 104857600)) (i64.const 0)))\n"
    ")\n";

static const char host_wat[] =
    "(module\n" ENV_IMPORTS
    "(import \"extism:host/user\" \"hello\" (func $hello (param i64) (result i64)))\n"
    "(import \"extism:host/user\" \"fail_soft\" (func $fail_soft (param i64) (result i64)))\n"
    "(import \"extism:host/user\" \"fail_hard\" (func $fail_hard))\n"
    "(import \"extism:host/user\" \"set_then_fail\" (func $set_then_fail))\n"
    "(import \"extism:host/user\" \"reenter\" (func $reenter))\n"
    "(import \"myhost\" \"add\" (func $add (param i32 i32) (result i32)))\n"
    "(import \"extism:host/user\" \"ctx\" (func $ctx (result i32)))\n"
    "(memory (export \"memory\") 1)\n"
    "(func (export \"call_hello\") (result i32)\n"
    "  (local $r i64)\n"
    "  (local.set $r (call $hello (call $input_offset)))\n"
    "  (call $output_set (local.get $r) (call $length (local.get $r))) (i32.const 0))\n"
    "(func (export \"call_fail_soft\") (result i32)\n"
    "  (drop (call $fail_soft (call $input_offset))) (i32.const 0))\n"
    "(func (export \"call_fail_hard\") (result i32) (call $fail_hard) (i32.const 0))\n"
    "(func (export \"call_set_then_fail\") (result i32) (call $set_then_fail) (i32.const 0))\n"
    "(func (export \"call_reenter\") (result i32) (call $reenter) (i32.const 0))\n"
    "(func (export \"call_add\") (result i32)\n"
    "  (i32.sub (call $add (i32.const 40) (i32.const 2)) (i32.const 42)))\n"
    "(func (export \"call_ctx\") (result i32) (call $ctx))\n"
    ")\n";

/* Init detection: each init function appends its digit to $order. */
#define ORDER_PLUGIN(extra)                                                                 \
    "(module\n" ENV_IMPORTS "(memory (export \"memory\") 1)\n"                              \
    "(global $order (mut i64) (i64.const 0))\n"                                             \
    "(func $mark (param i64)\n"                                                             \
    "  (global.set $order (i64.add (i64.mul (global.get $order) (i64.const 10)) "          \
    "(local.get 0))))\n" HELPERS                                                            \
    "(func (export \"order\") (result i32) (call $out_u64 (global.get $order)) "           \
    "(i32.const 0))\n" extra ")\n"

static const char init_ctors_wat[] = ORDER_PLUGIN(
    "(func $s (call $mark (i64.const 5)))\n(start $s)\n"
    "(func (export \"__wasm_call_ctors\") (call $mark (i64.const 1)))\n"
    "(func (export \"_initialize\") (call $mark (i64.const 2)))\n"
    "(func (export \"_start\") (call $mark (i64.const 3)))\n");
static const char init_hs_wat[] = ORDER_PLUGIN(
    "(func (export \"hs_init\") (param i32 i32) (call $mark (i64.const 4)))\n"
    "(func (export \"__wasm_call_ctors\") (call $mark (i64.const 1)))\n"
    "(func (export \"_initialize\") (call $mark (i64.const 2)))\n");
static const char init_initialize_wat[] = ORDER_PLUGIN(
    "(func (export \"_initialize\") (call $mark (i64.const 2)))\n"
    "(func (export \"_start\") (call $mark (i64.const 3)))\n");
static const char init_start_only_wat[] = ORDER_PLUGIN(
    "(func (export \"_start\") (call $mark (i64.const 3)))\n"
    "(func (export \"__wasm_call_ctors\") (param i32))\n");

/* `_start` resets the store: globals and vars start over. */
static const char reset_wat[] =
    "(module\n" ENV_IMPORTS
    "(import \"extism:host/env\" \"var_get\" (func $var_get (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"var_set\" (func $var_set (param i64 i64)))\n"
    "(memory (export \"memory\") 1)\n"
    "(data (i32.const 0) \"sx\")\n"
    "(global $counter (mut i64) (i64.const 0))\n" HELPERS
    "(func $bump (global.set $counter (i64.add (global.get $counter) (i64.const 1))))\n"
    "(func $set_var\n"
    "  (call $var_set (call $new_str (i32.const 0) (i32.const 1))\n"
    "                 (call $new_str (i32.const 1) (i32.const 1))))\n"
    "(func (export \"bump\") (result i32) (call $bump) (call $out_u64 (global.get $counter))\n"
    "  (i32.const 0))\n"
    "(func (export \"_start\") (call $bump) (call $set_var))\n"
    "(func (export \"set_var\") (result i32) (call $set_var) (i32.const 0))\n"
    "(func (export \"has_var\") (result i32)\n"
    "  (call $out_u64 (i64.extend_i32_u (i64.ne (call $var_get (call $new_str (i32.const 0) "
    "(i32.const 1))) (i64.const 0))))\n"
    "  (i32.const 0))\n"
    ")\n";

/* WASI: output lines, exit codes, preopens, a 10 s sleep. iovecs at 0 and
 * 16, and at 32 one of 70000 bytes at 1024 (a line longer than the 64 KiB
 * cap); strings at 100..; a poll_oneoff subscription at 400 (tag 0 = clock at
 * +8, clock id at +16, timeout at +24). */
static const char wasi_wat[] =
    "(module\n"
    "(import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) "
    "(result i32)))\n"
    "(import \"wasi_snapshot_preview1\" \"proc_exit\" (func $proc_exit (param i32)))\n"
    "(import \"wasi_snapshot_preview1\" \"fd_prestat_get\" (func $fd_prestat_get "
    "(param i32 i32) (result i32)))\n"
    "(import \"wasi_snapshot_preview1\" \"poll_oneoff\" (func $poll_oneoff "
    "(param i32 i32 i32 i32) (result i32)))\n"
    "(memory (export \"memory\") 2)\n"
    "(data (i32.const 0) \"\\64\\00\\00\\00\\09\\00\\00\\00\\78\\00\\00\\00\\0a\\00\\00\\00\")\n"
    "(data (i32.const 16) \"\\8c\\00\\00\\00\\09\\00\\00\\00\")\n"
    "(data (i32.const 32) \"\\00\\04\\00\\00\\70\\11\\01\\00\")\n"
    "(data (i32.const 100) \"hello\\nwor\")\n"
    "(data (i32.const 120) \"ld\\npartial\")\n"
    "(data (i32.const 140) \"err line\\n\")\n"
    /* one clock subscription: monotonic (1), relative timeout 10 s */
    "(data (i32.const 416) \"\\01\\00\\00\\00\\00\\00\\00\\00\\00\\e4\\0b\\54\\02\\00\\00\\00\")\n"
    "(func (export \"write\") (result i32)\n"
    "  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 200)))\n"
    "  (drop (call $fd_write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 200)))\n"
    "  (i32.const 0))\n"
    "(func (export \"sleep\") (result i32) (call $poll_oneoff (i32.const 400) (i32.const 500) "
    "(i32.const 1) (i32.const 600)))\n"
    "(func (export \"long_line\") (result i32)\n"
    "  (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 200)))\n"
    "  (i32.const 0))\n"
    "(func (export \"prestat\") (result i32) (call $fd_prestat_get (i32.const 3) "
    "(i32.const 300)))\n"
    "(func (export \"exit0\") (result i32) (call $proc_exit (i32.const 0)) (i32.const 9))\n"
    "(func (export \"exit3\") (result i32) (call $proc_exit (i32.const 3)) (i32.const 9))\n"
    ")\n";

/* Linked modules: main imports lib.add_g; lib's _initialize sets g = 100. */
static const char lib_wat[] =
    "(module\n"
    "(global $g (mut i32) (i32.const 0))\n"
    "(func (export \"_initialize\") (global.set $g (i32.const 100)))\n"
    "(func (export \"add_g\") (param i32) (result i32) (i32.add (local.get 0) (global.get $g)))\n"
    ")\n";
static const char linked_wat[] =
    "(module\n" ENV_IMPORTS
    "(import \"lib\" \"add_g\" (func $add_g (param i32) (result i32)))\n"
    "(memory (export \"memory\") 1)\n" HELPERS
    "(func (export \"run\") (result i32)\n"
    "  (call $out_u64 (i64.extend_i32_u (call $add_g (i32.const 1)))) (i32.const 0))\n"
    ")\n";

/* Every name of extism:host/env with its exact type links (the env table
 * and the kernel agree with section 4 of the ABI notes). */
static const char all_env_wat[] =
    "(module\n"
    "(import \"extism:host/env\" \"alloc\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"free\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"length\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"length_unsafe\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"load_u8\" (func (param i64) (result i32)))\n"
    "(import \"extism:host/env\" \"load_u64\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"store_u8\" (func (param i64 i32)))\n"
    "(import \"extism:host/env\" \"store_u64\" (func (param i64 i64)))\n"
    "(import \"extism:host/env\" \"input_load_u8\" (func (param i64) (result i32)))\n"
    "(import \"extism:host/env\" \"input_load_u64\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"input_length\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"input_offset\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"input_set\" (func (param i64 i64)))\n"
    "(import \"extism:host/env\" \"output_set\" (func (param i64 i64)))\n"
    "(import \"extism:host/env\" \"output_length\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"output_offset\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"error_set\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"error_get\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"reset\" (func))\n"
    "(import \"extism:host/env\" \"memory_bytes\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"config_get\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"var_get\" (func (param i64) (result i64)))\n"
    "(import \"extism:host/env\" \"var_set\" (func (param i64 i64)))\n"
    "(import \"extism:host/env\" \"http_request\" (func (param i64 i64) (result i64)))\n"
    "(import \"extism:host/env\" \"http_status_code\" (func (result i32)))\n"
    "(import \"extism:host/env\" \"http_headers\" (func (result i64)))\n"
    "(import \"extism:host/env\" \"log_trace\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"log_debug\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"log_info\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"log_warn\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"log_error\" (func (param i64)))\n"
    "(import \"extism:host/env\" \"get_log_level\" (func (result i32)))\n"
    "(func (export \"first_alloc\") (result i32)\n"
    "  (i32.wrap_i64 (call 0 (i64.const 5))))\n"
    ")\n";

/* HTTP: the request JSON is the input. */
static const char http_wat[] =
    "(module\n" ENV_IMPORTS
    "(import \"extism:host/env\" \"http_request\" (func $http_request (param i64 i64) "
    "(result i64)))\n"
    "(import \"extism:host/env\" \"http_status_code\" (func $http_status_code (result i32)))\n"
    "(import \"extism:host/env\" \"http_headers\" (func $http_headers (result i64)))\n"
    "(memory (export \"memory\") 1)\n"
    "(data (i32.const 0) \"payload\")\n" HELPERS
    "(func (export \"request\") (result i32)\n"
    "  (local $r i64)\n"
    "  (local.set $r (call $http_request (call $input_offset)\n"
    "                                    (call $new_str (i32.const 0) (i32.const 7))))\n"
    "  (call $output_set (local.get $r) (call $length (local.get $r))) (i32.const 0))\n"
    "(func (export \"status\") (result i32)\n"
    "  (call $out_u64 (i64.extend_i32_u (call $http_status_code))) (i32.const 0))\n"
    "(func (export \"headers\") (result i32)\n"
    "  (local $h i64)\n"
    "  (local.set $h (call $http_headers))\n"
    "  (call $output_set (local.get $h) (call $length (local.get $h))) (i32.const 0))\n"
    ")\n";

/* Two linked modules importing from each other. */
static const char cycle_a_wat[] =
    "(module (import \"b\" \"g\" (func)) (func (export \"f\")))";
static const char cycle_b_wat[] =
    "(module (import \"a\" \"f\" (func)) (func (export \"g\")))";

/* Import errors caught at creation. */
static const char bad_env_name_wat[] =
    "(module (import \"extism:host/env\" \"bogus\" (func)))";
static const char bad_env_type_wat[] =
    "(module (import \"extism:host/env\" \"alloc\" (func (param i32) (result i32))))";
static const char bad_env_memory_wat[] =
    "(module (import \"extism:host/env\" \"memory\" (memory 1)))";
static const char unknown_user_wat[] =
    "(module (import \"extism:host/user\" \"nothere\" (func)))";
static const char memory17_wat[] =
    "(module (memory 17) (func (export \"f\") (result i32) (i32.const 0)))";
static const char memory1_wat[] =
    "(module (memory 1) (func (export \"f\") (result i32) (i32.const 0)))";

static const struct {
    const char *name;
    const char *wat;
} plugins[] = {
    { "main", main_wat },
    { "host", host_wat },
    { "init_ctors", init_ctors_wat },
    { "init_hs", init_hs_wat },
    { "init_initialize", init_initialize_wat },
    { "init_start_only", init_start_only_wat },
    { "reset", reset_wat },
    { "wasi", wasi_wat },
    { "lib", lib_wat },
    { "linked", linked_wat },
    { "bad_env_name", bad_env_name_wat },
    { "bad_env_type", bad_env_type_wat },
    { "bad_env_memory", bad_env_memory_wat },
    { "unknown_user", unknown_user_wat },
    { "memory17", memory17_wat },
    { "memory1", memory1_wat },
    { "all_env", all_env_wat },
    { "http", http_wat },
    { "cycle_a", cycle_a_wat },
    { "cycle_b", cycle_b_wat },
};
#define NUM_PLUGINS (sizeof plugins / sizeof plugins[0])

/* ---- building the plugins ------------------------------------------------------------ */

static char tmpdir[1024];

static int run_tool(char *const argv[])
{
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t cap, const char *name, const char *ext)
{
    snprintf(out, cap, "%s/%s%s", tmpdir, name, ext);
}

static int assemble_all(void)
{
    const char *tool = getenv("WAT2WASM");
    if (!tool || !*tool)
        tool = "wat2wasm";
    for (size_t i = 0; i < NUM_PLUGINS; i++) {
        char wat[PATH_MAX], wasm[PATH_MAX];
        tmp_path(wat, sizeof wat, plugins[i].name, ".wat");
        tmp_path(wasm, sizeof wasm, plugins[i].name, ".wasm");
        FILE *f = fopen(wat, "w");
        if (!f || fputs(plugins[i].wat, f) == EOF || fclose(f) != 0) {
            fprintf(stderr, "test_plugin: cannot write %s\n", wat);
            return -1;
        }
        char *argv[] = { (char *)tool, wat, (char *)"-o", wasm, NULL };
        if (run_tool(argv) != 0) {
            fprintf(stderr, "test_plugin: %s failed on %s\n", tool, wat);
            return -1;
        }
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = P_tmpdir;
    int n = snprintf(tmpdir, sizeof tmpdir, "%s/reflow-test-plugin-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof tmpdir || !mkdtemp(tmpdir)) {
        fprintf(stderr, "test_plugin: cannot create a temporary directory under %s\n", base);
        return -1;
    }
    return assemble_all();
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < NUM_PLUGINS; i++) {
        char path[PATH_MAX];
        tmp_path(path, sizeof path, plugins[i].name, ".wat");
        unlink(path);
        tmp_path(path, sizeof path, plugins[i].name, ".wasm");
        unlink(path);
    }
    rmdir(tmpdir);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* A manifest of one module (tmpdir/<name>.wasm) plus `extra` JSON members. */
static rf_plugin *make_plugin(const char *name, const char *extra, const rf_plugin_options *opts,
                              rf_error *err)
{
    char json[4096];
    snprintf(json, sizeof json, "{\"wasm\": [{\"path\": \"%s.wasm\"}]%s%s}", name,
             extra ? ", " : "", extra ? extra : "");
    memset(err, 0, sizeof *err);
    rf_manifest *m = rf_manifest_parse(json, strlen(json), tmpdir, err);
    if (!m)
        fail_msg("manifest %s: %s", json, err->message);
    return rf_plugin_new(m, opts, err);
}

static rf_plugin *must_make(const char *name, const char *extra, const rf_plugin_options *opts)
{
    rf_error err;
    rf_plugin *p = make_plugin(name, extra, opts, &err);
    if (!p)
        fail_msg("creating plugin %s: %s", name, err.message);
    return p;
}

static rf_call_result call(rf_plugin *p, const char *func, const char *input)
{
    rf_call_result r;
    rf_plugin_call(p, func, (const uint8_t *)input, input ? strlen(input) : 0, &r);
    return r;
}

static void assert_output(const rf_call_result *r, const char *want)
{
    assert_int_equal(r->output_len, strlen(want));
    if (r->output_len)
        assert_memory_equal(r->output, want, r->output_len);
}

static uint64_t output_u64(const rf_call_result *r)
{
    assert_int_equal(r->output_len, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | r->output[i];
    return v;
}

static void assert_ok(const rf_call_result *r)
{
    if (!r->ok)
        fail_msg("call failed (rc %d): %s", (int)r->rc, r->error ? r->error : "(no message)");
    assert_int_equal(r->rc, 0);
    assert_null(r->error);
}

static void assert_fails(const rf_call_result *r, int32_t rc, const char *msg)
{
    assert_false(r->ok);
    assert_int_equal(r->rc, rc);
    assert_non_null(r->error);
    assert_string_equal(r->error, msg);
}

/* A log sink that keeps every line as "stream|level|message". */
typedef struct captured {
    char lines[64][128];
    size_t lens[64];
    size_t n;
    char plugin[64];
} captured;

static void capture(void *user, const char *plugin_name, const char *stream, rf_log_level level,
                    const char *msg, size_t len)
{
    captured *c = user;
    assert_true(c->n < 64);
    c->lens[c->n] = len;
    snprintf(c->lines[c->n++], sizeof c->lines[0], "%s|%s|%.*s", stream,
             rf_log_level_name(level), (int)len, msg);
    snprintf(c->plugin, sizeof c->plugin, "%s", plugin_name);
}

/* ---- basic calls and the result rules --------------------------------------------------- */

static void test_echo(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    rf_call_result r = call(p, "echo", "hello, plugin");
    assert_ok(&r);
    assert_output(&r, "hello, plugin");

    r = call(p, "upper", "Hello, World!");
    assert_ok(&r);
    assert_output(&r, "HELLO, WORLD!");

    /* Empty input: input is (0, 0), the output is empty. */
    r = call(p, "echo", NULL);
    assert_ok(&r);
    assert_int_equal(r.output_len, 0);

    /* Binary input with NUL bytes goes through unchanged. */
    const uint8_t bin[] = { 0, 1, 2, 0xff, 0, 'x' };
    assert_true(rf_plugin_call(p, "echo", bin, sizeof bin, &r));
    assert_int_equal(r.output_len, sizeof bin);
    assert_memory_equal(r.output, bin, sizeof bin);
    rf_plugin_free(p);
}

static void test_from_bytes_and_file(void **state)
{
    (void)state;
    char path[PATH_MAX];
    tmp_path(path, sizeof path, "main", ".wasm");
    rf_error err;
    rf_plugin *p = rf_plugin_new_from_file(path, NULL, &err);
    if (!p)
        fail_msg("%s", err.message);
    rf_call_result r = call(p, "upper", "abc");
    assert_ok(&r);
    assert_output(&r, "ABC");
    rf_plugin_free(p);

    /* A JSON manifest file: its relative paths resolve against its directory. */
    char manifest[PATH_MAX];
    tmp_path(manifest, sizeof manifest, "plugin_manifest", ".json");
    FILE *f = fopen(manifest, "w");
    assert_non_null(f);
    fputs("{\"wasm\": [{\"path\": \"main.wasm\"}], \"config\": {\"greeting\": \"hi\"}}", f);
    fclose(f);
    p = rf_plugin_new_from_file(manifest, NULL, &err);
    unlink(manifest);
    if (!p)
        fail_msg("%s", err.message);
    r = call(p, "config", "greeting");
    assert_ok(&r);
    assert_output(&r, "hi");
    rf_plugin_free(p);

    /* Raw bytes are sniffed: JSON text is a manifest. */
    const char *json = "{\"wasm\": [{\"path\": \"/nonexistent/x.wasm\"}]}";
    p = rf_plugin_new_from_bytes((const uint8_t *)json, strlen(json), NULL, &err);
    assert_null(p);
    assert_non_null(strstr(err.message, "/nonexistent/x.wasm"));
}

static void test_error_set_fails_even_with_rc_0(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    rf_call_result r = call(p, "error_rc0", "x");
    assert_fails(&r, 0, "boom");
    r = call(p, "error_rc1", "x");
    assert_fails(&r, 1, "boom");
    /* An empty error (alloc(0) == 0) is no error. */
    r = call(p, "empty_error", "x");
    assert_ok(&r);
    /* The error does not stick: the next call starts clean. */
    r = call(p, "echo", "ok");
    assert_ok(&r);
    assert_output(&r, "ok");
    rf_plugin_free(p);
}

static void test_nonzero_rc(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    rf_call_result r = call(p, "rc7", NULL);
    assert_fails(&r, 7, "Returned non-zero exit code: 7");
    assert_output(&r, "out");   /* the output is still there */
    /* A () -> () export returns rc 0. */
    r = call(p, "void_fn", NULL);
    assert_ok(&r);
    rf_plugin_free(p);
}

static void test_trap(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    rf_call_result r = call(p, "trap", NULL);
    assert_false(r.ok);
    assert_int_equal(r.rc, 134);
    assert_non_null(r.error);
    assert_non_null(strstr(r.error, "unreachable"));
    /* A trap with an error set reports the error, rc -1. */
    r = call(p, "error_trap", NULL);
    assert_fails(&r, -1, "boom");
    /* Still usable. */
    r = call(p, "echo", "again");
    assert_ok(&r);
    assert_output(&r, "again");
    rf_plugin_free(p);
}

static void test_missing_and_wrong_exports(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    rf_call_result r = call(p, "nope", NULL);
    assert_fails(&r, -1, "Function not found: nope");
    r = call(p, "memory", NULL);
    assert_fails(&r, -1, "Function not found: memory");

    r = call(p, "wrong_type", NULL);
    assert_false(r.ok);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.error, "wrong_type"));
    assert_non_null(strstr(r.error, "(i32) -> i32"));
    r = call(p, "i64_fn", NULL);
    assert_false(r.ok);
    assert_non_null(strstr(r.error, "() -> i64"));

    assert_true(rf_plugin_function_exists(p, "echo"));
    assert_true(rf_plugin_function_exists(p, "void_fn"));
    assert_false(rf_plugin_function_exists(p, "wrong_type"));
    assert_false(rf_plugin_function_exists(p, "i64_fn"));
    assert_false(rf_plugin_function_exists(p, "nope"));
    assert_false(rf_plugin_function_exists(p, "memory"));
    rf_plugin_free(p);
}

/* ---- config and vars ------------------------------------------------------------------ */

static void test_config(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", "\"config\": {\"greeting\": \"hello\", \"empty\": \"\"}",
                             NULL);
    rf_call_result r = call(p, "config", "greeting");
    assert_ok(&r);
    assert_output(&r, "hello");
    r = call(p, "config", "missing");
    assert_ok(&r);
    assert_int_equal(r.output_len, 0);
    r = call(p, "config", "empty");       /* an empty value comes back as 0 */
    assert_ok(&r);
    assert_int_equal(r.output_len, 0);
    /* The host frees the key; the key is the input block, and freeing the
     * input block zeroes input_length. */
    r = call(p, "config_key_freed", "greeting");
    assert_ok(&r);
    rf_plugin_free(p);
}

static void test_vars_persist(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    for (uint8_t i = 1; i <= 3; i++) {
        rf_call_result r = call(p, "count", NULL);
        assert_ok(&r);
        assert_int_equal(r.output_len, 1);
        assert_int_equal(r.output[0], i);
    }
    rf_plugin_free(p);
}

static void test_var_budget(void **state)
{
    (void)state;
    /* Upstream vector: max_var_bytes = 1, var_set(input, input). */
    rf_plugin *p = must_make("main", "\"memory\": {\"max_var_bytes\": 1}", NULL);
    char big[1025];
    memset(big, 'v', 1024);
    big[1024] = '\0';
    rf_call_result r = call(p, "set_input_var", big);
    assert_fails(&r, -1, "Variable store is full");
    r = call(p, "set_input_var", NULL);   /* both handles 0: removes key "" */
    assert_ok(&r);
    rf_plugin_free(p);

    /* size = 48 + key + value + every existing entry, the replaced one
     * included: key "k", value "abc" costs 52; a second set of the same key
     * needs 104. */
    p = must_make("main", "\"memory\": {\"max_var_bytes\": 103}", NULL);
    r = call(p, "set_kv", "abc");
    assert_ok(&r);
    r = call(p, "set_kv", "abc");
    assert_fails(&r, -1, "Variable store is full");
    rf_plugin_free(p);
    p = must_make("main", "\"memory\": {\"max_var_bytes\": 104}", NULL);
    r = call(p, "set_kv", "abc");
    assert_ok(&r);
    r = call(p, "set_kv", "abc");
    assert_ok(&r);
    rf_plugin_free(p);

    p = must_make("main", "\"memory\": {\"max_var_bytes\": 0}", NULL);
    r = call(p, "set_kv", "abc");
    assert_fails(&r, -1, "Vars are disabled by this host");
    r = call(p, "set_input_var", NULL);   /* checked first, even for removals */
    assert_fails(&r, -1, "Vars are disabled by this host");
    rf_plugin_free(p);
}

/* ---- logs ------------------------------------------------------------------------------ */

static void test_log_levels(void **state)
{
    (void)state;
    captured c;
    memset(&c, 0, sizeof c);
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.name = "logger";
    o.log = capture;
    o.log_user = &c;
    o.log_level_set = true;
    o.log_level = RF_LOG_INFO;
    rf_plugin *p = must_make("main", NULL, &o);
    rf_call_result r = call(p, "log_all", NULL);
    assert_ok(&r);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.lines[0], "log|info|i");
    assert_string_equal(c.lines[1], "log|warn|w");
    assert_string_equal(c.lines[2], "log|error|e");
    assert_string_equal(c.plugin, "logger");
    r = call(p, "get_level", NULL);
    assert_int_equal(r.rc, RF_LOG_INFO);
    /* A bad handle fails the call when the level is not filtered... */
    r = call(p, "log_bad", NULL);
    assert_fails(&r, -1, "invalid handle offset for log message: 123456789");
    rf_plugin_free(p);

    /* ... and is freed unread when it is. Default filter: error. */
    memset(&c, 0, sizeof c);
    o.log_level_set = false;
    p = must_make("main", NULL, &o);
    r = call(p, "log_bad", NULL);
    assert_ok(&r);
    r = call(p, "log_all", NULL);
    assert_ok(&r);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.lines[0], "log|error|e");
    r = call(p, "get_level", NULL);
    assert_int_equal(r.rc, RF_LOG_ERROR);
    rf_plugin_free(p);

    memset(&c, 0, sizeof c);
    o.log_level_set = true;
    o.log_level = RF_LOG_OFF;
    p = must_make("main", NULL, &o);
    r = call(p, "log_all", NULL);
    assert_ok(&r);
    assert_int_equal(c.n, 0);
    r = call(p, "get_level", NULL);
    assert_int_equal(r.rc, 2147483647);
    rf_plugin_free(p);

    memset(&c, 0, sizeof c);
    o.log_level = RF_LOG_TRACE;
    p = must_make("main", NULL, &o);
    r = call(p, "log_all", NULL);
    assert_ok(&r);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.lines[0], "log|trace|t");
    assert_string_equal(c.lines[1], "log|debug|d");
    rf_plugin_free(p);
}

static void test_log_level_names(void **state)
{
    (void)state;
    static const char *const names[] = { "trace", "debug", "info", "warn", "error", "off" };
    static const rf_log_level levels[] = { RF_LOG_TRACE, RF_LOG_DEBUG, RF_LOG_INFO,
                                           RF_LOG_WARN, RF_LOG_ERROR, RF_LOG_OFF };
    for (size_t i = 0; i < 6; i++) {
        rf_log_level l = RF_LOG_TRACE;
        assert_true(rf_log_level_parse(names[i], &l));
        assert_int_equal(l, levels[i]);
        assert_string_equal(rf_log_level_name(levels[i]), names[i]);
    }
    rf_log_level l = RF_LOG_WARN;
    assert_false(rf_log_level_parse("verbose", &l));
    assert_false(rf_log_level_parse("", &l));
    assert_false(rf_log_level_parse(NULL, &l));
    assert_int_equal(l, RF_LOG_WARN);

    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.log_level_set = true;
    o.log_level = (rf_log_level)7;
    rf_error err;
    assert_null(make_plugin("main", NULL, &o, &err));
    assert_non_null(strstr(err.message, "log level"));
}

/* The default sink: "[name] LEVEL message" on stderr. */
static void test_default_log_sink(void **state)
{
    (void)state;
    char path[PATH_MAX];
    tmp_path(path, sizeof path, "stderr", ".txt");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 2), 2);

    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.name = "deflog";
    rf_plugin *p = must_make("main", NULL, &o);
    rf_call_result r = call(p, "log_all", NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_ok(&r);
    rf_plugin_free(p);

    char buf[256];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "[deflog] ERROR e\n");
}

/* ---- instance life ------------------------------------------------------------------- */

static void test_globals_persist(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", NULL, NULL);
    for (uint64_t i = 1; i <= 4; i++) {
        rf_call_result r = call(p, "counter", NULL);
        assert_ok(&r);
        assert_int_equal(output_u64(&r), i);
    }
    /* A failing call in between does not reset the instance. */
    rf_call_result r = call(p, "trap", NULL);
    assert_int_equal(r.rc, 134);
    r = call(p, "counter", NULL);
    assert_int_equal(output_u64(&r), 5);
    rf_plugin_stats st = rf_plugin_get_stats(p);
    assert_int_equal(st.calls, 6);
    assert_int_equal(st.instantiations, 1);
    rf_plugin_free(p);
}

static void test_init_order(void **state)
{
    (void)state;
    static const struct {
        const char *plugin;
        uint64_t order;
    } cases[] = {
        /* start section (5), then __wasm_call_ctors (1) only */
        { "init_ctors", 51 },
        /* hs_init: _initialize (2) first, then hs_init (4) */
        { "init_hs", 24 },
        { "init_initialize", 2 },
        /* _start is never called implicitly; a ctors export of another type is skipped */
        { "init_start_only", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_plugin *p = must_make(cases[i].plugin, NULL, NULL);
        for (int rep = 0; rep < 2; rep++) {   /* init runs once */
            rf_call_result r = call(p, "order", NULL);
            assert_ok(&r);
            if (output_u64(&r) != cases[i].order)
                fail_msg("%s: order %llu, expected %llu", cases[i].plugin,
                         (unsigned long long)output_u64(&r),
                         (unsigned long long)cases[i].order);
        }
        rf_plugin_free(p);
    }
}

static void test_start_resets(void **state)
{
    (void)state;
    rf_plugin *p = must_make("reset", NULL, NULL);
    rf_call_result r = call(p, "bump", NULL);
    assert_int_equal(output_u64(&r), 1);
    r = call(p, "bump", NULL);
    assert_int_equal(output_u64(&r), 2);
    r = call(p, "set_var", NULL);
    assert_ok(&r);
    r = call(p, "has_var", NULL);
    assert_int_equal(output_u64(&r), 1);
    r = call(p, "_start", NULL);
    assert_ok(&r);
    /* A fresh store: the global and the vars start over. */
    r = call(p, "has_var", NULL);
    assert_int_equal(output_u64(&r), 0);
    r = call(p, "bump", NULL);
    assert_int_equal(output_u64(&r), 1);
    rf_plugin_stats st = rf_plugin_get_stats(p);
    assert_int_equal(st.instantiations, 2);
    rf_plugin_free(p);
}

/* ---- user host functions ------------------------------------------------------------- */

typedef struct host_state {
    rf_plugin *plugin;
    char reentry_error[128];
    bool reentry_ok;
    void *expected_ctx;
    int hello_calls;
} host_state;

static rf_error_kind host_hello(rf_plugin_current *cur, void *user, const rf_value *args,
                                rf_value *results, rf_error *err)
{
    (void)err;
    host_state *hs = user;
    hs->hello_calls++;
    assert_ptr_equal(rf_plugin_current_plugin(cur), hs->plugin);
    uint64_t len = 0;
    const uint8_t *in = rf_plugin_current_data(cur, args[0].of.i64, &len);
    assert_int_equal(rf_plugin_current_length(cur, args[0].of.i64), len);
    char msg[256];
    int n = snprintf(msg, sizeof msg, "Hello, %.*s!", (int)len, in ? (const char *)in : "");
    results[0] = rf_val_i64(rf_plugin_current_new(cur, msg, (uint64_t)n));
    rf_plugin_current_free(cur, args[0].of.i64);
    return RF_OK;
}

static rf_error_kind host_fail_soft(rf_plugin_current *cur, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err)
{
    (void)user;
    (void)args;
    (void)err;
    rf_plugin_current_set_error(cur, "TEST");
    results[0] = rf_val_i64(0);
    return RF_OK;
}

static rf_error_kind host_fail_hard(rf_plugin_current *cur, void *user, const rf_value *args,
                                    rf_value *results, rf_error *err)
{
    (void)cur;
    (void)user;
    (void)args;
    (void)results;
    snprintf(err->message, sizeof err->message, "host says no");
    return RF_ERR_HOST;
}

static rf_error_kind host_set_then_fail(rf_plugin_current *cur, void *user, const rf_value *args,
                                        rf_value *results, rf_error *err)
{
    (void)user;
    (void)args;
    (void)results;
    rf_plugin_current_set_error(cur, "TEST2");
    snprintf(err->message, sizeof err->message, "outer failure");
    return RF_ERR_HOST;
}

static rf_error_kind host_reenter(rf_plugin_current *cur, void *user, const rf_value *args,
                                  rf_value *results, rf_error *err)
{
    (void)args;
    (void)results;
    (void)err;
    host_state *hs = user;
    rf_call_result r;
    hs->reentry_ok = rf_plugin_call(rf_plugin_current_plugin(cur), "call_add", NULL, 0, &r);
    snprintf(hs->reentry_error, sizeof hs->reentry_error, "%s", r.error ? r.error : "");
    return RF_OK;
}

static rf_error_kind host_add(rf_plugin_current *cur, void *user, const rf_value *args,
                              rf_value *results, rf_error *err)
{
    (void)cur;
    (void)user;
    (void)err;
    results[0] = rf_val_i32(args[0].of.i32 + args[1].of.i32);
    return RF_OK;
}

static rf_error_kind host_ctx(rf_plugin_current *cur, void *user, const rf_value *args,
                              rf_value *results, rf_error *err)
{
    (void)args;
    (void)err;
    host_state *hs = user;
    results[0] = rf_val_i32(rf_plugin_current_host_context(cur) == hs->expected_ctx ? 0 : 1);
    return RF_OK;
}

static const rf_valtype t_i64[] = { RF_I64 };
static const rf_valtype t_i32x2[] = { RF_I32, RF_I32 };
static const rf_valtype t_i32[] = { RF_I32 };

static void host_functions(rf_host_function f[7], host_state *hs)
{
    memset(f, 0, 7 * sizeof *f);
    f[0] = (rf_host_function){ NULL, "hello", { 1, t_i64, 1, t_i64 }, host_hello, hs };
    f[1] = (rf_host_function){ "extism:host/user", "fail_soft", { 1, t_i64, 1, t_i64 },
                               host_fail_soft, hs };
    f[2] = (rf_host_function){ NULL, "fail_hard", { 0, NULL, 0, NULL }, host_fail_hard, hs };
    f[3] = (rf_host_function){ NULL, "set_then_fail", { 0, NULL, 0, NULL }, host_set_then_fail,
                               hs };
    f[4] = (rf_host_function){ NULL, "reenter", { 0, NULL, 0, NULL }, host_reenter, hs };
    f[5] = (rf_host_function){ "myhost", "add", { 2, t_i32x2, 1, t_i32 }, host_add, hs };
    f[6] = (rf_host_function){ NULL, "ctx", { 0, NULL, 1, t_i32 }, host_ctx, hs };
}

static void test_host_functions(void **state)
{
    (void)state;
    host_state hs;
    memset(&hs, 0, sizeof hs);
    rf_host_function f[7];
    host_functions(f, &hs);
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.functions = f;
    o.nfunctions = 7;
    rf_plugin *p = must_make("host", NULL, &o);
    hs.plugin = p;

    rf_call_result r = call(p, "call_hello", "world");
    assert_ok(&r);
    assert_output(&r, "Hello, world!");
    assert_int_equal(hs.hello_calls, 1);
    r = call(p, "call_hello", NULL);      /* handle 0 is an empty value */
    assert_ok(&r);
    assert_output(&r, "Hello, !");

    r = call(p, "call_fail_soft", "x");   /* set_error, then the plugin returns 0 */
    assert_fails(&r, 0, "TEST");
    r = call(p, "call_fail_hard", NULL);
    assert_fails(&r, -1, "host says no");
    r = call(p, "call_set_then_fail", NULL);
    assert_fails(&r, -1, "TEST2");
    r = call(p, "call_add", NULL);
    assert_ok(&r);

    int ctx_value;
    hs.expected_ctx = &ctx_value;
    assert_true(rf_plugin_call_with_context(p, "call_ctx", NULL, 0, &ctx_value, &r));
    hs.expected_ctx = NULL;               /* no context outside call_with_context */
    r = call(p, "call_ctx", NULL);
    assert_ok(&r);

    /* Re-entry from a host function is refused; the outer call goes on. */
    r = call(p, "call_reenter", NULL);
    assert_ok(&r);
    assert_false(hs.reentry_ok);
    assert_string_equal(hs.reentry_error, "cannot make reentrant calls into plugin");
    r = call(p, "call_hello", "again");
    assert_ok(&r);
    assert_output(&r, "Hello, again!");
    rf_plugin_free(p);
}

static void test_host_signature_mismatch(void **state)
{
    (void)state;
    host_state hs;
    memset(&hs, 0, sizeof hs);
    rf_host_function f[7];
    host_functions(f, &hs);
    f[0].sig.nresults = 0;               /* hello: (i64) -> () instead of (i64) -> i64 */
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.functions = f;
    o.nfunctions = 7;
    rf_error err;
    assert_null(make_plugin("host", NULL, &o, &err));
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_string_equal(err.message,
                        "module main imports host function extism:host/user::hello with type "
                        "(i64) -> i64, but the host function has type (i64) -> ()");

    /* A missing host function is an unknown import. */
    host_functions(f, &hs);
    o.nfunctions = 6;                    /* without ctx */
    assert_null(make_plugin("host", NULL, &o, &err));
    assert_string_equal(err.message,
                        "unknown import: extism:host/user::ctx has not been defined");

    /* extism:host/env is not open to user functions; duplicates are refused. */
    host_functions(f, &hs);
    f[6].ns = "extism:host/env";
    o.nfunctions = 7;
    assert_null(make_plugin("host", NULL, &o, &err));
    assert_non_null(strstr(err.message, "reserved"));
    host_functions(f, &hs);
    f[6].name = "hello";
    assert_null(make_plugin("host", NULL, &o, &err));
    assert_non_null(strstr(err.message, "defined twice"));
}

static void test_import_errors(void **state)
{
    (void)state;
    rf_error err;
    assert_null(make_plugin("bad_env_name", NULL, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_non_null(strstr(err.message,
                           "Invalid function import from extism:host/env: bogus () -> ()"));
    assert_null(make_plugin("bad_env_type", NULL, NULL, &err));
    assert_non_null(strstr(err.message,
                           "Invalid function import from extism:host/env: alloc (i32) -> i32"));
    assert_null(make_plugin("bad_env_memory", NULL, NULL, &err));
    assert_string_equal(err.message,
                        "linked modules cannot access non-function exports of extism kernel");
    assert_null(make_plugin("unknown_user", NULL, NULL, &err));
    assert_string_equal(err.message,
                        "unknown import: extism:host/user::nothere has not been defined");
    /* WASI imports without WASI. */
    assert_null(make_plugin("wasi", NULL, NULL, &err));
    assert_string_equal(err.message,
                        "unknown import: wasi_snapshot_preview1::fd_write has not been defined");
}

/* ---- timeouts and cancellation ---------------------------------------------------------- */

static double elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static void test_timeout(void **state)
{
    (void)state;
    rf_plugin *p = must_make("main", "\"timeout_ms\": 100", NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rf_call_result r = call(p, "loop_forever", NULL);
    double ms = elapsed_ms(&t0);
    assert_fails(&r, -1, "timeout");
    assert_true(ms >= 90.0);
    assert_true(ms < 10000.0);
    /* Usable afterwards, with the instance kept. */
    r = call(p, "counter", NULL);
    assert_ok(&r);
    assert_int_equal(output_u64(&r), 1);
    r = call(p, "echo", "still here");
    assert_ok(&r);
    assert_output(&r, "still here");
    assert_int_equal(rf_plugin_get_stats(p).instantiations, 1);
    rf_plugin_free(p);
}

typedef struct canceller {
    rf_plugin *p;
    atomic_bool done;
} canceller;

static void *cancel_thread(void *arg)
{
    canceller *c = arg;
    struct timespec nap = { 0, 20 * 1000 * 1000 };
    while (!atomic_load(&c->done)) {
        nanosleep(&nap, NULL);
        rf_plugin_cancel(c->p);
    }
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    canceller c;
    c.p = must_make("main", NULL, NULL);
    rf_plugin_cancel(c.p);                /* no call running: nothing happens */
    rf_call_result r = call(c.p, "echo", "x");
    assert_ok(&r);
    atomic_init(&c.done, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_thread, &c), 0);
    r = call(c.p, "loop_forever", NULL);
    atomic_store(&c.done, true);
    pthread_join(t, NULL);
    assert_fails(&r, -1, "timeout");
    r = call(c.p, "echo", "after");
    assert_ok(&r);
    assert_output(&r, "after");
    rf_plugin_free(c.p);
}

/* ---- memory ------------------------------------------------------------------------------ */

static void test_memory_budget(void **state)
{
    (void)state;
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.name = "budget";
    o.memory_limit = 2u * 1024 * 1024;
    rf_plugin *p = must_make("main", NULL, &o);

    /* The guest grows until memory.grow returns -1: main + kernel stay
     * within the budget, and one more page would not have fitted. */
    rf_call_result r = call(p, "grow", NULL);
    assert_ok(&r);
    uint64_t grown = output_u64(&r);
    rf_plugin_stats st = rf_plugin_get_stats(p);
    assert_int_equal(st.budget_bytes, 2u * 1024 * 1024);
    assert_int_equal(st.main_memory.current_bytes, (1 + grown) * 65536);
    assert_true(grown >= 1);
    assert_true(st.main_memory.refused_grows >= 1);
    assert_true(st.main_memory.current_bytes + st.kernel_memory.current_bytes <= st.budget_bytes);
    assert_true(st.main_memory.current_bytes + st.kernel_memory.current_bytes + 65536 >
                st.budget_bytes);
    assert_int_equal(st.in_use_bytes,
                     st.main_memory.current_bytes + st.kernel_memory.current_bytes);

    /* The kernel cannot take a 3 MiB input: the host operation fails. */
    size_t big_len = 3u * 1024 * 1024;
    uint8_t *big = malloc(big_len);
    assert_non_null(big);
    memset(big, 'b', big_len);
    assert_false(rf_plugin_call(p, "echo", big, big_len, &r));
    assert_fails(&r, -1, "budget: out of memory");
    free(big);
    /* A guest allocation past the budget returns handle 0. */
    r = call(p, "alloc_huge", NULL);
    assert_ok(&r);
    r = call(p, "echo", "small");
    assert_ok(&r);
    assert_output(&r, "small");
    rf_plugin_free(p);
}

static void test_memory_limits_at_creation(void **state)
{
    (void)state;
    rf_error err;
    /* Upstream vector: 17 initial pages with max_pages 16. */
    assert_null(make_plugin("memory17", "\"memory\": {\"max_pages\": 16}", NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_string_equal(err.message,
                        "oom: memory minimum 17 pages (1.06 MiB) exceeds memory.max_pages (16)");
    rf_plugin *p = must_make("memory17", "\"memory\": {\"max_pages\": 17}", NULL);
    rf_call_result r = call(p, "f", NULL);
    assert_ok(&r);
    rf_plugin_free(p);

    /* A budget above the ceiling is refused unless the ceiling is raised. */
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.memory_limit = 200u * 1024 * 1024;
    assert_null(make_plugin("memory1", NULL, &o, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "exceeds the ceiling of 100 MiB"));
    o.memory_ceiling = 256u * 1024 * 1024;
    p = must_make("memory1", NULL, &o);
    assert_int_equal(rf_plugin_get_stats(p).budget_bytes, 200u * 1024 * 1024);
    rf_plugin_free(p);

    /* A budget of one page: the kernel takes it, main's memory does not fit
     * at the first call. */
    memset(&o, 0, sizeof o);
    o.memory_limit = 65536;
    p = must_make("memory1", NULL, &o);
    r = call(p, "f", NULL);
    assert_false(r.ok);
    assert_int_equal(r.rc, -1);
    assert_true(strncmp(r.error, "oom: ", 5) == 0);
    rf_plugin_free(p);
}

/* ---- WASI and linking ----------------------------------------------------------------- */

static void test_wasi_output_lines(void **state)
{
    (void)state;
    captured c;
    memset(&c, 0, sizeof c);
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.wasi = true;
    o.log = capture;
    o.log_user = &c;
    rf_plugin *p = must_make("wasi", NULL, &o);
    rf_call_result r = call(p, "write", NULL);
    assert_ok(&r);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.lines[0], "stdout|info|hello");
    assert_string_equal(c.lines[1], "stdout|info|world");
    assert_string_equal(c.lines[2], "stderr|error|err line");
    assert_string_equal(c.lines[3], "stdout|info|partial");   /* flushed at the end */

    /* A line past the cap arrives in pieces of 64 KiB; the rest at the end. */
    memset(&c, 0, sizeof c);
    r = call(p, "long_line", NULL);
    assert_ok(&r);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.lens[0], 65536);
    assert_int_equal(c.lens[1], 70000 - 65536);

    r = call(p, "exit0", NULL);
    assert_ok(&r);
    r = call(p, "exit3", NULL);
    assert_fails(&r, 3, "Exited with i32 exit status 3");
    /* No allowed_paths: fd 3 is not open (EBADF, 8). */
    r = call(p, "prestat", NULL);
    assert_fails(&r, 8, "Returned non-zero exit code: 8");
    rf_plugin_free(p);

    /* allowed_paths become preopens: fd 3 is the first. */
    char extra[PATH_MAX + 64];
    snprintf(extra, sizeof extra, "\"allowed_paths\": {\"ro:%s\": \"/data\"}", tmpdir);
    p = must_make("wasi", extra, &o);
    r = call(p, "prestat", NULL);
    assert_ok(&r);
    rf_plugin_free(p);
}

static void test_timeout_cuts_wasi_sleep(void **state)
{
    (void)state;
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.wasi = true;
    rf_plugin *p = must_make("wasi", "\"timeout_ms\": 100", &o);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rf_call_result r = call(p, "sleep", NULL);
    double ms = elapsed_ms(&t0);
    assert_fails(&r, -1, "timeout");
    assert_true(ms >= 90.0);
    assert_true(ms < 5000.0);
    rf_plugin_free(p);
}

static void test_linked_modules(void **state)
{
    (void)state;
    char json[1024];
    snprintf(json, sizeof json,
             "{\"wasm\": [{\"path\": \"lib.wasm\", \"name\": \"lib\"}, "
             "{\"path\": \"linked.wasm\", \"name\": \"main\"}]}");
    rf_error err;
    rf_manifest *m = rf_manifest_parse(json, strlen(json), tmpdir, &err);
    assert_non_null(m);
    rf_plugin *p = rf_plugin_new(m, NULL, &err);
    if (!p)
        fail_msg("%s", err.message);
    for (int i = 0; i < 2; i++) {
        rf_call_result r = call(p, "run", NULL);
        assert_ok(&r);
        assert_int_equal(output_u64(&r), 101);   /* lib's _initialize ran once */
    }
    rf_plugin_free(p);

    /* Without the lib module, the import is unknown. */
    snprintf(json, sizeof json, "{\"wasm\": [{\"path\": \"linked.wasm\"}]}");
    m = rf_manifest_parse(json, strlen(json), tmpdir, &err);
    assert_non_null(m);
    assert_null(rf_plugin_new(m, NULL, &err));
    assert_string_equal(err.message, "unknown import: lib::add_g has not been defined");

    /* With several modules, errors name the module. */
    snprintf(json, sizeof json,
             "{\"wasm\": [{\"path\": \"lib.wasm\", \"name\": \"lib\"}, "
             "{\"path\": \"unknown_user.wasm\", \"name\": \"main\"}]}");
    m = rf_manifest_parse(json, strlen(json), tmpdir, &err);
    assert_non_null(m);
    assert_null(rf_plugin_new(m, NULL, &err));
    assert_string_equal(err.message,
                        "unknown import: extism:host/user::nothere has not been defined "
                        "(module main)");

    /* Linked modules may not import from each other in a cycle. */
    snprintf(json, sizeof json,
             "{\"wasm\": [{\"path\": \"cycle_a.wasm\", \"name\": \"a\"}, "
             "{\"path\": \"cycle_b.wasm\", \"name\": \"b\"}, "
             "{\"path\": \"memory1.wasm\", \"name\": \"main\"}]}");
    m = rf_manifest_parse(json, strlen(json), tmpdir, &err);
    assert_non_null(m);
    assert_null(rf_plugin_new(m, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_LINK);
    assert_non_null(strstr(err.message, "cycle"));
}

static void test_all_env_imports(void **state)
{
    (void)state;
    rf_plugin *p = must_make("all_env", NULL, NULL);
    /* The first allocation of a call with empty input is handle 77. */
    rf_call_result r = call(p, "first_alloc", NULL);
    assert_fails(&r, 77, "Returned non-zero exit code: 77");
    rf_plugin_free(p);
}

/* A one-shot HTTP server on 127.0.0.1: reads one request, records its
 * request line and body, answers 201 with body "hello". */
typedef struct http_server {
    int listen_fd;
    int port;
    char request_line[256];
    char body[64];
} http_server;

static void *serve_once(void *arg)
{
    http_server *hs = arg;
    int fd = accept(hs->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    char buf[8192];
    buf[0] = '\0';
    size_t got = 0;
    char *end = NULL;
    while (got < sizeof buf - 1 && !(end = strstr(buf, "\r\n\r\n"))) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
    }
    if (end) {
        size_t want = 0;
        const char *cl = strstr(buf, "Content-Length: ");
        if (!cl)
            cl = strstr(buf, "content-length: ");
        if (cl)
            want = (size_t)strtoul(cl + 16, NULL, 10);
        size_t head = (size_t)(end - buf) + 4;
        while (got - head < want && got < sizeof buf - 1) {
            ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
            if (n <= 0)
                break;
            got += (size_t)n;
            buf[got] = '\0';
        }
        snprintf(hs->request_line, sizeof hs->request_line, "%.*s",
                 (int)strcspn(buf, "\r\n"), buf);
        snprintf(hs->body, sizeof hs->body, "%.*s", (int)(got - head), buf + head);
    }
    const char reply[] = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Test: yes\r\n"
                         "Connection: close\r\n\r\nhello";
    ssize_t w = write(fd, reply, sizeof reply - 1);
    (void)w;
    close(fd);
    return NULL;
}

static void http_server_open(http_server *hs)
{
    memset(hs, 0, sizeof hs[0]);
    hs->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(hs->listen_fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(hs->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(hs->listen_fd, 1), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(hs->listen_fd, (struct sockaddr *)&a, &len), 0);
    hs->port = ntohs(a.sin_port);
}

static void test_http(void **state)
{
    (void)state;
    http_server hs;
    http_server_open(&hs);
    char req[256];
    snprintf(req, sizeof req,
             "{\"url\": \"http://127.0.0.1:%d/path\", \"method\": \"post\", "
             "\"headers\": {\"X-Req\": \"1\"}}", hs.port);

    /* No allowed_hosts: every request is denied; headers are off. */
    rf_plugin *p = must_make("http", NULL, NULL);
    rf_call_result r = call(p, "request", req);
    char want[256];
    snprintf(want, sizeof want, "HTTP request to http://127.0.0.1:%d/path is not allowed",
             hs.port);
    assert_fails(&r, -1, want);
    r = call(p, "status", NULL);
    assert_int_equal(output_u64(&r), 0);
    r = call(p, "headers", NULL);
    assert_ok(&r);
    assert_int_equal(r.output_len, 0);
    rf_plugin_free(p);

    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    o.http_response_headers = true;
    p = must_make("http", "\"allowed_hosts\": [\"127.0.0.*\"]", &o);
    r = call(p, "headers", NULL);         /* "{}" before any request */
    assert_ok(&r);
    assert_output(&r, "{}");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, serve_once, &hs), 0);
    r = call(p, "request", req);
    pthread_join(t, NULL);
    close(hs.listen_fd);
    assert_ok(&r);
    assert_output(&r, "hello");
    assert_string_equal(hs.request_line, "POST /path HTTP/1.1");
    assert_string_equal(hs.body, "payload");
    r = call(p, "status", NULL);
    assert_int_equal(output_u64(&r), 201);
    r = call(p, "headers", NULL);
    assert_ok(&r);
    char headers[512];
    snprintf(headers, sizeof headers, "%.*s", (int)r.output_len, (const char *)r.output);
    assert_non_null(strstr(headers, "\"x-test\""));
    assert_non_null(strstr(headers, "\"yes\""));
    rf_plugin_free(p);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    rf_error err;
    assert_null(rf_plugin_new(NULL, NULL, &err));
    rf_call_result r;
    assert_false(rf_plugin_call(NULL, "f", NULL, 0, &r));
    assert_non_null(r.error);
    rf_plugin *p = must_make("main", NULL, NULL);
    assert_false(rf_plugin_call(p, NULL, NULL, 0, &r));
    assert_int_equal(r.rc, -1);
    assert_false(rf_plugin_call(p, "echo", NULL, 5, &r));
    assert_int_equal(r.rc, -1);
    assert_true(rf_plugin_call(p, "echo", (const uint8_t *)"ok", 2, NULL));
    rf_plugin_stats st = rf_plugin_get_stats(NULL);
    assert_int_equal(st.calls, 0);
    rf_plugin_free(p);
    rf_plugin_free(NULL);
    rf_plugin_cancel(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_from_bytes_and_file),
        cmocka_unit_test(test_error_set_fails_even_with_rc_0),
        cmocka_unit_test(test_nonzero_rc),
        cmocka_unit_test(test_trap),
        cmocka_unit_test(test_missing_and_wrong_exports),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_vars_persist),
        cmocka_unit_test(test_var_budget),
        cmocka_unit_test(test_log_levels),
        cmocka_unit_test(test_log_level_names),
        cmocka_unit_test(test_default_log_sink),
        cmocka_unit_test(test_globals_persist),
        cmocka_unit_test(test_init_order),
        cmocka_unit_test(test_start_resets),
        cmocka_unit_test(test_host_functions),
        cmocka_unit_test(test_host_signature_mismatch),
        cmocka_unit_test(test_import_errors),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_memory_budget),
        cmocka_unit_test(test_memory_limits_at_creation),
        cmocka_unit_test(test_wasi_output_lines),
        cmocka_unit_test(test_timeout_cuts_wasi_sleep),
        cmocka_unit_test(test_linked_modules),
        cmocka_unit_test(test_all_env_imports),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
