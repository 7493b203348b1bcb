/*
 * kernel.h — the Extism kernel memory, implemented natively.
 *
 * An Extism plugin exchanges data with its host only through a second memory,
 * the kernel memory, which it reaches through the kernel imports of
 * `extism:host/env` (alloc, free, length, load/store, input/output/error
 * slots, reset). A handle is a u64 byte offset into that memory; 0 is null.
 *
 * This module reproduces the upstream kernel's allocator byte for byte (see
 * the comment opening kernel.c), so handle values match upstream's: the first
 * allocation after a reset is 77.
 *
 * The bytes live in an rf_memory created in the plugin's store, so their
 * growth is charged to the store's memory budget and their base never moves.
 *
 * Lifetimes: rf_kernel_new creates the memory in `s`; the memory (and every
 * host function made by rf_kernel_import) is freed with the store. The
 * rf_kernel struct itself is freed with rf_kernel_free and must outlive the
 * store's use of those host functions (free the kernel after the store).
 *
 * Every function accepts any argument values (0, huge, wrapping) and a NULL
 * kernel: nothing outside the kernel memory is ever read or written.
 */
#ifndef RF_PLUGIN_KERNEL_H
#define RF_PLUGIN_KERNEL_H

#include "reflow/engine.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rf_kernel rf_kernel;

/* A kernel whose memory lives in `s` (16 pages, or fewer, down to 1, when 16
 * do not fit the store's budget or memory limit). NULL and `err` filled on
 * failure (RF_ERR_LIMIT when not even one page fits). */
rf_kernel *rf_kernel_new(rf_store *s, rf_error *err);
/* Frees the struct only; the memory belongs to the store. */
void rf_kernel_free(rf_kernel *k);
rf_memory *rf_kernel_memory(rf_kernel *k);

/* The kernel exports, with upstream's semantics (extism-abi.md section 3). */
uint64_t rf_kernel_alloc(rf_kernel *k, uint64_t n);
void rf_kernel_free_block(rf_kernel *k, uint64_t h);
uint64_t rf_kernel_length(rf_kernel *k, uint64_t h);
uint64_t rf_kernel_length_unsafe(rf_kernel *k, uint64_t h);
uint32_t rf_kernel_load_u8(rf_kernel *k, uint64_t p);
uint64_t rf_kernel_load_u64(rf_kernel *k, uint64_t p);
void rf_kernel_store_u8(rf_kernel *k, uint64_t p, uint32_t v);
void rf_kernel_store_u64(rf_kernel *k, uint64_t p, uint64_t v);
uint32_t rf_kernel_input_load_u8(rf_kernel *k, uint64_t off);
uint64_t rf_kernel_input_load_u64(rf_kernel *k, uint64_t off);
void rf_kernel_input_set(rf_kernel *k, uint64_t h, uint64_t len);
uint64_t rf_kernel_input_length(rf_kernel *k);
uint64_t rf_kernel_input_offset(rf_kernel *k);
void rf_kernel_output_set(rf_kernel *k, uint64_t p, uint64_t len);
uint64_t rf_kernel_output_length(rf_kernel *k);
uint64_t rf_kernel_output_offset(rf_kernel *k);
void rf_kernel_error_set(rf_kernel *k, uint64_t h);
uint64_t rf_kernel_error_get(rf_kernel *k);
void rf_kernel_reset(rf_kernel *k);
uint64_t rf_kernel_memory_bytes(rf_kernel *k);

/* Host access: a pointer to [p, p+len) when that range lies inside the
 * kernel memory, else NULL. The memory's base never moves, so the pointer
 * stays valid while the store lives. */
uint8_t *rf_kernel_ptr(rf_kernel *k, uint64_t p, uint64_t len);

/* Host function for the kernel export `name` of extism:host/env with its
 * exact wasm type (created in store s with rf_func_new_host); NULL if `name`
 * is not a kernel export or the function cannot be created. */
rf_func *rf_kernel_import(rf_kernel *k, rf_store *s, const char *name);
bool rf_kernel_is_export(const char *name);

#endif /* RF_PLUGIN_KERNEL_H */
