/*
 * kernel.c — the Extism kernel memory and its allocator, natively in C.
 *
 * Upstream Extism implements this as a small Rust module compiled to wasm;
 * plugins only see its exports, and handle values leak into their behaviour
 * (the first allocation is 77, PDKs compute `handle + i`). So the layout and
 * the allocator are reproduced exactly, in the kernel memory itself:
 *
 *   byte 0         never used (handle 0 is null)
 *   bytes 1..64    the root: initialized:u8, 7 pad bytes, then u64 (LE)
 *                  position +8, length +16, error +24, input_offset +32,
 *                  input_length +40, output_offset +48, output_length +56
 *   bytes 65..     the blocks, packed: a 12-byte header status:u8
 *                  (0 Unused, 1 Active, 2 Free), 3 pad bytes, size:u32,
 *                  used:u32, then `size` data bytes; a handle is the address
 *                  of the data (header + 12)
 *
 * `position` is the bump offset relative to byte 65; `length` is the
 * allocator's capacity, set to 65536 - 64 by the lazy initialisation (on the
 * first call of any function that upstream initialises in) and raised by
 * whole pages as the memory grows. alloc(n) bumps while n + 12 is below
 * length - position - 64; only when the bump space is exhausted (and
 * n + 12 <= position) are Unused/Free blocks before `position` reused (a
 * Free block with 128 or more bytes to spare is split and its tail
 * returned), and only when none is found does the memory grow. (Kernels
 * before upstream PR #765 scanned for free blocks first; some older
 * upstream test vectors assume that and do not apply here.)
 *
 * Invariants:
 *   - the memory has at least one page, so the root is always addressable;
 *     every other access goes through rf_kernel_ptr, which checks the whole
 *     range against the memory's current size;
 *   - block walks advance by at least 12 bytes in 64-bit arithmetic and stop
 *     at a bound no larger than the memory size, so they always terminate;
 *   - the guest can write any byte from 64 up (store_u8/u64 check only
 *     64 <= p <= size), so headers are untrusted input: nothing assumes they
 *     are consistent.
 *
 * Deliberate differences from the wasm kernel, none visible to a plugin that
 * keeps to its own blocks:
 *   - the memory starts with 16 pages like upstream's, or fewer (at least 1)
 *     when 16 do not fit the store's budget or memory limit; only the upper
 *     end of the `p <= size` check depends on that, never a handle value;
 *   - where upstream's wasm would trap (a load/store at p <= size whose bytes
 *     run past the end, an input slot pointing past the end, a walk through
 *     corrupted headers reaching the end) or loop forever (a corrupted size
 *     wrapping a 32-bit walk), this kernel reads 0, writes nothing, or ends
 *     the walk;
 *   - addresses are 64-bit: nothing wraps at 4 GiB as wasm32 pointers would,
 *     and alloc(n) with n > UINT32_MAX returns 0 (a block's size is a u32).
 */
#include "kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rf_kernel {
    rf_memory *mem;
};

enum {
    KERNEL_PAGE = 65536,
    INITIAL_PAGES = 16,      /* upstream: the Rust wasm default */
    MAX_PAGES = 65536,       /* wasm32: 4 GiB */
    ROOT_SIZE = 64,          /* also the lower end of the fast bounds check */
    BLOCKS = 65,             /* first block header: root at 1 + 64 bytes */
    HEADER = 12,
    SPLIT_MIN = 128          /* a reused Free block is split when this much is left */
};

/* Offsets of the root fields in the kernel memory. */
enum {
    R_INITIALIZED = 1,
    R_POSITION = 9,
    R_LENGTH = 17,
    R_ERROR = 25,
    R_INPUT_OFFSET = 33,
    R_INPUT_LENGTH = 41,
    R_OUTPUT_OFFSET = 49,
    R_OUTPUT_LENGTH = 57
};

/* Offsets inside a block header, and the status values. */
enum { H_STATUS = 0, H_SIZE = 4, H_USED = 8 };
enum { ST_UNUSED = 0, ST_ACTIVE = 1, ST_FREE = 2 };

/* ---- little-endian fields ---------------------------------------------------- */

static uint64_t get_u64(const uint8_t *p)
{
    uint8_t b[8];
    memcpy(b, p, sizeof b);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    memcpy(p, b, sizeof b);
}

static uint32_t get_u32(const uint8_t *p)
{
    uint8_t b[4];
    memcpy(b, p, sizeof b);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    memcpy(p, b, sizeof b);
}

/* ---- the root ------------------------------------------------------------------ */

uint8_t *rf_kernel_ptr(rf_kernel *k, uint64_t p, uint64_t len)
{
    if (!k)
        return NULL;
    uint64_t size = rf_memory_size(k->mem);
    if (p > size || len > size - p)
        return NULL;
    return rf_memory_data(k->mem) + p;
}

/* The root, initialised on first use as upstream does: capacity of one page
 * minus the root (even though the memory has more), everything else zero,
 * and the first block header cleared. */
static uint8_t *root(rf_kernel *k)
{
    uint8_t *m = rf_memory_data(k->mem);
    if (m[R_INITIALIZED] == 0) {
        m[R_INITIALIZED] = 1;
        put_u64(m + R_INPUT_OFFSET, 0);
        put_u64(m + R_INPUT_LENGTH, 0);
        put_u64(m + R_OUTPUT_OFFSET, 0);
        put_u64(m + R_OUTPUT_LENGTH, 0);
        put_u64(m + R_ERROR, 0);
        put_u64(m + R_LENGTH, KERNEL_PAGE - ROOT_SIZE);
        put_u64(m + R_POSITION, 0);
        memset(m + BLOCKS, 0, HEADER);
    }
    return m;
}

/* Upstream's "fast" check, done on handles and pointers: 64 <= p <= memory
 * size. Note the `<=`: p == size passes, although no byte is there. */
static bool fast_check(rf_kernel *k, uint64_t p)
{
    return p >= ROOT_SIZE && p <= rf_memory_size(k->mem);
}

/* Upstream's precise check, done by the slot setters: p inside the
 * allocator's capacity [65, 65 + length). */
static bool in_capacity(const uint8_t *m, uint64_t p)
{
    return p >= BLOCKS && p - BLOCKS < get_u64(m + R_LENGTH);
}

/* ---- blocks ------------------------------------------------------------------------ */

/* Mark a reused block Active for n bytes; its size may stay larger. */
static uint64_t take_block(uint8_t *header, uint64_t block, uint64_t n)
{
    put_u32(header + H_USED, (uint32_t)n);
    header[H_STATUS] = ST_ACTIVE;
    return block + HEADER;
}

/* Reuse a block before the bump position for n bytes: the first Unused block
 * as it is, or the first Free block of at least n bytes (its tail when 128 or
 * more bytes would be left over). 0 when there is none. */
static uint64_t reuse_block(rf_kernel *k, uint64_t n, uint64_t position)
{
    uint64_t end = BLOCKS + position;
    uint64_t block = BLOCKS;
    while (block < end) {
        uint8_t *h = rf_kernel_ptr(k, block, HEADER);
        if (!h)
            return 0;
        uint32_t size = get_u32(h + H_SIZE);
        if (h[H_STATUS] == ST_UNUSED)
            return take_block(h, block, n);
        if (h[H_STATUS] == ST_FREE && size >= n) {
            if (size - n < SPLIT_MIN)
                return take_block(h, block, n);
            /* The head keeps size - (n + 12) bytes and stays Free; the tail
             * becomes a block of exactly n bytes. */
            uint32_t head_size = (uint32_t)(size - (n + HEADER));
            uint64_t tail = block + HEADER + head_size;
            uint8_t *t = rf_kernel_ptr(k, tail, HEADER);
            if (!t)
                return 0;
            put_u32(h + H_SIZE, head_size);
            put_u32(h + H_USED, 0);
            put_u32(t + H_SIZE, (uint32_t)n);
            return take_block(t, tail, n);
        }
        block += HEADER + (uint64_t)size;
    }
    return 0;
}

/* The block whose data starts at h and is Active, found by walking from the
 * first block as upstream does (0 when there is none). Upstream walks while
 * block < 65 + h; blocks past h - 12 cannot match, so the walk stops there. */
static uint64_t find_block(rf_kernel *k, uint64_t h)
{
    if (!fast_check(k, h))
        return 0;
    uint64_t block = BLOCKS;
    while (block + HEADER <= h) {
        const uint8_t *hd = rf_kernel_ptr(k, block, HEADER);
        if (!hd)
            return 0;
        if (hd[H_STATUS] == ST_ACTIVE && block + HEADER == h)
            return block;
        block += HEADER + (uint64_t)get_u32(hd + H_SIZE);
    }
    return 0;
}

uint64_t rf_kernel_alloc(rf_kernel *k, uint64_t n)
{
    if (!k || n == 0)
        return 0;
    uint8_t *m = root(k);
    if (n > UINT32_MAX)
        return 0;
    uint64_t position = get_u64(m + R_POSITION);
    uint64_t length = get_u64(m + R_LENGTH);
    uint64_t mem_left = length - position - ROOT_SIZE;   /* modulo 2^64, as upstream */
    uint64_t need = n + HEADER;

    if (need >= mem_left) {
        if (need <= position) {
            uint64_t h = reuse_block(k, n, position);
            if (h)
                return h;
        }
        uint64_t pages = (need - mem_left + (KERNEL_PAGE - 1)) / KERNEL_PAGE;
        if (rf_memory_grow(k->mem, pages) < 0)
            return 0;
        length += pages * KERNEL_PAGE;
        put_u64(m + R_LENGTH, length);
    }

    uint64_t block = BLOCKS + position;
    uint8_t *h = rf_kernel_ptr(k, block, need);
    if (!h)
        return 0;   /* only when the root was overwritten by the host */
    put_u64(m + R_POSITION, position + need);
    h[H_STATUS] = ST_ACTIVE;
    put_u32(h + H_SIZE, (uint32_t)n);
    put_u32(h + H_USED, (uint32_t)n);
    return block + HEADER;
}

void rf_kernel_free_block(rf_kernel *k, uint64_t h)
{
    if (!k || h == 0)
        return;
    uint8_t *m = root(k);
    uint64_t block = find_block(k, h);
    if (!block)
        return;   /* unknown, interior, already freed or stale: harmless */
    m[block + H_STATUS] = ST_FREE;
    if (h == get_u64(m + R_INPUT_OFFSET))
        put_u64(m + R_INPUT_LENGTH, 0);
}

uint64_t rf_kernel_length(rf_kernel *k, uint64_t h)
{
    if (!k || h == 0)
        return 0;
    uint8_t *m = root(k);
    uint64_t block = find_block(k, h);
    return block ? get_u32(m + block + H_USED) : 0;
}

/* O(1): trusts that h is a handle and reads the header before it. */
uint64_t rf_kernel_length_unsafe(rf_kernel *k, uint64_t h)
{
    if (!k || h == 0 || !fast_check(k, h))
        return 0;
    const uint8_t *hd = rf_kernel_ptr(k, h - HEADER, HEADER);
    if (!hd || hd[H_STATUS] != ST_ACTIVE)
        return 0;
    return get_u32(hd + H_USED);
}

/* ---- loads and stores ------------------------------------------------------------------ */

/* Loads and stores check only that the last byte passes the fast check; a
 * range that passes it but runs past the end (p + width - 1 == size) reads 0
 * and writes nothing. p + 7 is computed modulo 2^64 as upstream does, so a
 * wrapping p lands below 64 and fails. */
uint32_t rf_kernel_load_u8(rf_kernel *k, uint64_t p)
{
    if (!k || !fast_check(k, p))
        return 0;
    const uint8_t *b = rf_kernel_ptr(k, p, 1);
    return b ? *b : 0;
}

uint64_t rf_kernel_load_u64(rf_kernel *k, uint64_t p)
{
    if (!k || !fast_check(k, p + 7))
        return 0;
    const uint8_t *b = rf_kernel_ptr(k, p, 8);
    return b ? get_u64(b) : 0;
}

void rf_kernel_store_u8(rf_kernel *k, uint64_t p, uint32_t v)
{
    if (!k || !fast_check(k, p))
        return;
    uint8_t *b = rf_kernel_ptr(k, p, 1);
    if (b)
        *b = (uint8_t)v;
}

void rf_kernel_store_u64(rf_kernel *k, uint64_t p, uint64_t v)
{
    if (!k || !fast_check(k, p + 7))
        return;
    uint8_t *b = rf_kernel_ptr(k, p, 8);
    if (b)
        put_u64(b, v);
}

/* Input loads take offsets relative to the input and check them against
 * input_length only (off + 8 modulo 2^64, as upstream); the address
 * input_offset + off (also modulo 2^64) must then lie inside the memory. */
uint32_t rf_kernel_input_load_u8(rf_kernel *k, uint64_t off)
{
    if (!k)
        return 0;
    const uint8_t *m = root(k);
    if (off >= get_u64(m + R_INPUT_LENGTH))
        return 0;
    const uint8_t *b = rf_kernel_ptr(k, get_u64(m + R_INPUT_OFFSET) + off, 1);
    return b ? *b : 0;
}

uint64_t rf_kernel_input_load_u64(rf_kernel *k, uint64_t off)
{
    if (!k)
        return 0;
    const uint8_t *m = root(k);
    if (off + 8 > get_u64(m + R_INPUT_LENGTH))
        return 0;
    const uint8_t *b = rf_kernel_ptr(k, get_u64(m + R_INPUT_OFFSET) + off, 8);
    return b ? get_u64(b) : 0;
}

/* ---- input, output and error slots ------------------------------------------------------ */

/* Both ends, h and h + len - 1 (modulo 2^64), must lie in [65, 65 + length):
 * so (0, 0) and (65, 0) are ignored while (p, 0) with p > 65 is accepted. */
void rf_kernel_input_set(rf_kernel *k, uint64_t h, uint64_t len)
{
    if (!k)
        return;
    uint8_t *m = root(k);
    if (!in_capacity(m, h) || !in_capacity(m, h + len - 1))
        return;
    put_u64(m + R_INPUT_OFFSET, h);
    put_u64(m + R_INPUT_LENGTH, len);
}

void rf_kernel_output_set(rf_kernel *k, uint64_t p, uint64_t len)
{
    if (!k)
        return;
    uint8_t *m = root(k);
    if (!in_capacity(m, p) || !in_capacity(m, p + len - 1))
        return;
    put_u64(m + R_OUTPUT_OFFSET, p);
    put_u64(m + R_OUTPUT_LENGTH, len);
}

uint64_t rf_kernel_input_length(rf_kernel *k)
{
    return k ? get_u64(root(k) + R_INPUT_LENGTH) : 0;
}

uint64_t rf_kernel_input_offset(rf_kernel *k)
{
    return k ? get_u64(root(k) + R_INPUT_OFFSET) : 0;
}

uint64_t rf_kernel_output_length(rf_kernel *k)
{
    return k ? get_u64(root(k) + R_OUTPUT_LENGTH) : 0;
}

uint64_t rf_kernel_output_offset(rf_kernel *k)
{
    return k ? get_u64(root(k) + R_OUTPUT_OFFSET) : 0;
}

/* 0 clears the error; any other h must lie in [65, 65 + length). */
void rf_kernel_error_set(rf_kernel *k, uint64_t h)
{
    if (!k)
        return;
    uint8_t *m = root(k);
    if (h != 0 && !in_capacity(m, h))
        return;
    put_u64(m + R_ERROR, h);
}

uint64_t rf_kernel_error_get(rf_kernel *k)
{
    return k ? get_u64(root(k) + R_ERROR) : 0;
}

/* Zero every block [65, 65 + position) and the slots; keep the capacity, so
 * the memory is reused and the next allocation returns 77 again. */
void rf_kernel_reset(rf_kernel *k)
{
    if (!k)
        return;
    uint8_t *m = root(k);
    uint64_t position = get_u64(m + R_POSITION);
    uint64_t size = rf_memory_size(k->mem);
    uint64_t end = position <= size - BLOCKS ? BLOCKS + position : size;
    memset(m + BLOCKS, 0, (size_t)(end - BLOCKS));
    put_u64(m + R_POSITION, 0);
    put_u64(m + R_ERROR, 0);
    put_u64(m + R_INPUT_OFFSET, 0);
    put_u64(m + R_INPUT_LENGTH, 0);
    put_u64(m + R_OUTPUT_OFFSET, 0);
    put_u64(m + R_OUTPUT_LENGTH, 0);
}

/* The allocator's capacity, not the bytes in use. */
uint64_t rf_kernel_memory_bytes(rf_kernel *k)
{
    return k ? get_u64(root(k) + R_LENGTH) : 0;
}

/* ---- creation ----------------------------------------------------------------------------- */

static void kernel_error(rf_error *err, rf_error_kind kind, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rf_error_format(err, kind, "%s", msg);
}

/* Upstream's kernel memory has 16 pages; when the store's budget or memory
 * limit refuses them, take the largest count that fits, down to one page. */
rf_kernel *rf_kernel_new(rf_store *s, rf_error *err)
{
    if (err)
        kernel_error(err, RF_OK, "%s", "");
    if (!s) {
        kernel_error(err, RF_ERR_ARG, "rf_kernel_new: store is NULL");
        return NULL;
    }
    rf_kernel *k = calloc(1, sizeof *k);
    if (!k) {
        kernel_error(err, RF_ERR_NOMEM, "out of memory allocating the kernel");
        return NULL;
    }
    rf_error mem_err;
    for (uint64_t pages = INITIAL_PAGES; pages >= 1; pages--) {
        rf_limits_desc limits = { pages, MAX_PAGES, true };
        k->mem = rf_memory_new(s, limits, &mem_err);
        if (k->mem || mem_err.kind != RF_ERR_LIMIT)
            break;
    }
    if (!k->mem) {
        kernel_error(err, mem_err.kind, "kernel memory: %.480s", mem_err.message);
        free(k);
        return NULL;
    }
    return k;
}

void rf_kernel_free(rf_kernel *k)
{
    free(k);
}

rf_memory *rf_kernel_memory(rf_kernel *k)
{
    return k ? k->mem : NULL;
}

/* ---- host functions ------------------------------------------------------------------------- */

/* One host function per kernel export; `user` is the kernel. None traps. */

static rf_error_kind host_alloc(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i64(rf_kernel_alloc(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_free(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                               rf_error *err)
{
    (void)c, (void)res, (void)err;
    rf_kernel_free_block(user, args[0].of.i64);
    return RF_OK;
}

static rf_error_kind host_length(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                 rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i64(rf_kernel_length(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_length_unsafe(rf_caller *c, void *user, const rf_value *args,
                                        rf_value *res, rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i64(rf_kernel_length_unsafe(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_load_u8(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                  rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i32(rf_kernel_load_u8(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_load_u64(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                   rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i64(rf_kernel_load_u64(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_store_u8(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                   rf_error *err)
{
    (void)c, (void)res, (void)err;
    rf_kernel_store_u8(user, args[0].of.i64, args[1].of.i32);
    return RF_OK;
}

static rf_error_kind host_store_u64(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                    rf_error *err)
{
    (void)c, (void)res, (void)err;
    rf_kernel_store_u64(user, args[0].of.i64, args[1].of.i64);
    return RF_OK;
}

static rf_error_kind host_input_load_u8(rf_caller *c, void *user, const rf_value *args,
                                        rf_value *res, rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i32(rf_kernel_input_load_u8(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_input_load_u64(rf_caller *c, void *user, const rf_value *args,
                                         rf_value *res, rf_error *err)
{
    (void)c, (void)err;
    res[0] = rf_val_i64(rf_kernel_input_load_u64(user, args[0].of.i64));
    return RF_OK;
}

static rf_error_kind host_input_length(rf_caller *c, void *user, const rf_value *args,
                                       rf_value *res, rf_error *err)
{
    (void)c, (void)args, (void)err;
    res[0] = rf_val_i64(rf_kernel_input_length(user));
    return RF_OK;
}

static rf_error_kind host_input_offset(rf_caller *c, void *user, const rf_value *args,
                                       rf_value *res, rf_error *err)
{
    (void)c, (void)args, (void)err;
    res[0] = rf_val_i64(rf_kernel_input_offset(user));
    return RF_OK;
}

static rf_error_kind host_input_set(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                    rf_error *err)
{
    (void)c, (void)res, (void)err;
    rf_kernel_input_set(user, args[0].of.i64, args[1].of.i64);
    return RF_OK;
}

static rf_error_kind host_output_set(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                     rf_error *err)
{
    (void)c, (void)res, (void)err;
    rf_kernel_output_set(user, args[0].of.i64, args[1].of.i64);
    return RF_OK;
}

static rf_error_kind host_output_length(rf_caller *c, void *user, const rf_value *args,
                                        rf_value *res, rf_error *err)
{
    (void)c, (void)args, (void)err;
    res[0] = rf_val_i64(rf_kernel_output_length(user));
    return RF_OK;
}

static rf_error_kind host_output_offset(rf_caller *c, void *user, const rf_value *args,
                                        rf_value *res, rf_error *err)
{
    (void)c, (void)args, (void)err;
    res[0] = rf_val_i64(rf_kernel_output_offset(user));
    return RF_OK;
}

static rf_error_kind host_error_set(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                    rf_error *err)
{
    (void)c, (void)res, (void)err;
    rf_kernel_error_set(user, args[0].of.i64);
    return RF_OK;
}

static rf_error_kind host_error_get(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                    rf_error *err)
{
    (void)c, (void)args, (void)err;
    res[0] = rf_val_i64(rf_kernel_error_get(user));
    return RF_OK;
}

static rf_error_kind host_reset(rf_caller *c, void *user, const rf_value *args, rf_value *res,
                                rf_error *err)
{
    (void)c, (void)args, (void)res, (void)err;
    rf_kernel_reset(user);
    return RF_OK;
}

static rf_error_kind host_memory_bytes(rf_caller *c, void *user, const rf_value *args,
                                       rf_value *res, rf_error *err)
{
    (void)c, (void)args, (void)err;
    res[0] = rf_val_i64(rf_kernel_memory_bytes(user));
    return RF_OK;
}

static const rf_valtype T_I64[] = { RF_I64 };
static const rf_valtype T_I32[] = { RF_I32 };
static const rf_valtype T_I64_I64[] = { RF_I64, RF_I64 };
static const rf_valtype T_I64_I32[] = { RF_I64, RF_I32 };

typedef struct kernel_export {
    const char *name;
    rf_signature sig;        /* nparams, params, nresults, results */
    rf_host_fn fn;
} kernel_export;

/* The kernel rows of extism:host/env with their exact wasm types. */
static const kernel_export kernel_exports[] = {
    { "alloc", { 1, T_I64, 1, T_I64 }, host_alloc },
    { "free", { 1, T_I64, 0, NULL }, host_free },
    { "length", { 1, T_I64, 1, T_I64 }, host_length },
    { "length_unsafe", { 1, T_I64, 1, T_I64 }, host_length_unsafe },
    { "load_u8", { 1, T_I64, 1, T_I32 }, host_load_u8 },
    { "load_u64", { 1, T_I64, 1, T_I64 }, host_load_u64 },
    { "store_u8", { 2, T_I64_I32, 0, NULL }, host_store_u8 },
    { "store_u64", { 2, T_I64_I64, 0, NULL }, host_store_u64 },
    { "input_load_u8", { 1, T_I64, 1, T_I32 }, host_input_load_u8 },
    { "input_load_u64", { 1, T_I64, 1, T_I64 }, host_input_load_u64 },
    { "input_length", { 0, NULL, 1, T_I64 }, host_input_length },
    { "input_offset", { 0, NULL, 1, T_I64 }, host_input_offset },
    { "input_set", { 2, T_I64_I64, 0, NULL }, host_input_set },
    { "output_set", { 2, T_I64_I64, 0, NULL }, host_output_set },
    { "output_length", { 0, NULL, 1, T_I64 }, host_output_length },
    { "output_offset", { 0, NULL, 1, T_I64 }, host_output_offset },
    { "error_set", { 1, T_I64, 0, NULL }, host_error_set },
    { "error_get", { 0, NULL, 1, T_I64 }, host_error_get },
    { "reset", { 0, NULL, 0, NULL }, host_reset },
    { "memory_bytes", { 0, NULL, 1, T_I64 }, host_memory_bytes },
};

static const kernel_export *find_export(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof kernel_exports / sizeof kernel_exports[0]; i++)
        if (strcmp(kernel_exports[i].name, name) == 0)
            return &kernel_exports[i];
    return NULL;
}

bool rf_kernel_is_export(const char *name)
{
    return find_export(name) != NULL;
}

rf_func *rf_kernel_import(rf_kernel *k, rf_store *s, const char *name)
{
    const kernel_export *e = find_export(name);
    if (!k || !s || !e)
        return NULL;
    return rf_func_new_host(s, &e->sig, e->fn, k);
}
