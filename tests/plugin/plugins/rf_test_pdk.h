/*
 * rf_test_pdk.h — the `extism:host/env` imports and a few helpers for
 * reflow's own test plugins (C compiled to wasm32 by clang, freestanding or
 * with wasi-libc). Written for these tests from the import table of the
 * Extism host ABI; it is not the upstream C PDK and does not try to be.
 *
 * Handles are u64 offsets into the host's kernel memory; 0 means "none".
 * The helpers move bytes the way real PDKs do: 8 bytes at a time with
 * load_u64/store_u64/input_load_u64, then the tail byte by byte.
 *
 * Needs only <stdint.h> and <stddef.h>, so freestanding plugins build with
 * `--target=wasm32-unknown-unknown -nostdlib -mbulk-memory` (bulk memory
 * turns the compiler's own memcpy/memset calls into instructions).
 */
#ifndef RF_TEST_PDK_H
#define RF_TEST_PDK_H

#include <stddef.h>
#include <stdint.h>

#define RF_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(#name)))
/* An Extism plugin function: exported under `name`, type () -> i32. */
#define RF_EXPORT(name) __attribute__((export_name(#name))) int32_t name(void)

/* ---- kernel ---------------------------------------------------------------- */
RF_IMPORT(alloc) uint64_t ex_alloc(uint64_t n);
RF_IMPORT(free) void ex_free(uint64_t h);
RF_IMPORT(length) uint64_t ex_length(uint64_t h);
RF_IMPORT(length_unsafe) uint64_t ex_length_unsafe(uint64_t h);
RF_IMPORT(load_u8) uint32_t ex_load_u8(uint64_t p);
RF_IMPORT(load_u64) uint64_t ex_load_u64(uint64_t p);
RF_IMPORT(store_u8) void ex_store_u8(uint64_t p, uint32_t v);
RF_IMPORT(store_u64) void ex_store_u64(uint64_t p, uint64_t v);
RF_IMPORT(input_load_u8) uint32_t ex_input_load_u8(uint64_t off);
RF_IMPORT(input_load_u64) uint64_t ex_input_load_u64(uint64_t off);
RF_IMPORT(input_length) uint64_t ex_input_length(void);
RF_IMPORT(input_offset) uint64_t ex_input_offset(void);
RF_IMPORT(input_set) void ex_input_set(uint64_t h, uint64_t len);
RF_IMPORT(output_set) void ex_output_set(uint64_t p, uint64_t len);
RF_IMPORT(output_length) uint64_t ex_output_length(void);
RF_IMPORT(output_offset) uint64_t ex_output_offset(void);
RF_IMPORT(error_set) void ex_error_set(uint64_t h);
RF_IMPORT(error_get) uint64_t ex_error_get(void);
RF_IMPORT(reset) void ex_reset(void);
RF_IMPORT(memory_bytes) uint64_t ex_memory_bytes(void);

/* ---- host functions --------------------------------------------------------- */
RF_IMPORT(config_get) uint64_t ex_config_get(uint64_t key);
RF_IMPORT(var_get) uint64_t ex_var_get(uint64_t key);
RF_IMPORT(var_set) void ex_var_set(uint64_t key, uint64_t value);
RF_IMPORT(http_request) uint64_t ex_http_request(uint64_t req, uint64_t body);
RF_IMPORT(http_status_code) int32_t ex_http_status_code(void);
RF_IMPORT(http_headers) uint64_t ex_http_headers(void);
RF_IMPORT(log_trace) void ex_log_trace(uint64_t h);
RF_IMPORT(log_debug) void ex_log_debug(uint64_t h);
RF_IMPORT(log_info) void ex_log_info(uint64_t h);
RF_IMPORT(log_warn) void ex_log_warn(uint64_t h);
RF_IMPORT(log_error) void ex_log_error(uint64_t h);
RF_IMPORT(get_log_level) int32_t ex_get_log_level(void);

/* ---- helpers (static inline: a plugin pays only for what it uses) ------------ */

static inline size_t pdk_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static inline int pdk_memeq(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

static inline uint64_t pdk_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline void pdk_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Copy input bytes [off, off+n) into buf. */
static inline void pdk_input_read(uint64_t off, uint8_t *buf, uint64_t n)
{
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8)
        pdk_put_u64(buf + i, ex_input_load_u64(off + i));
    for (; i < n; i++)
        buf[i] = (uint8_t)ex_input_load_u8(off + i);
}

/* The whole input if it fits `cap` (returns its length), else the first
 * `cap` bytes (returns the full length all the same). */
static inline uint64_t pdk_input(uint8_t *buf, uint64_t cap)
{
    uint64_t len = ex_input_length();
    pdk_input_read(0, buf, len < cap ? len : cap);
    return len;
}

static inline void pdk_store(uint64_t h, const uint8_t *src, uint64_t n)
{
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8)
        ex_store_u64(h + i, pdk_get_u64(src + i));
    for (; i < n; i++)
        ex_store_u8(h + i, src[i]);
}

static inline void pdk_load(uint64_t h, uint8_t *dst, uint64_t n)
{
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8)
        pdk_put_u64(dst + i, ex_load_u64(h + i));
    for (; i < n; i++)
        dst[i] = (uint8_t)ex_load_u8(h + i);
}

/* A new block holding the bytes; 0 when n == 0 or the kernel is full. */
static inline uint64_t pdk_new(const void *bytes, uint64_t n)
{
    uint64_t h = ex_alloc(n);
    if (h)
        pdk_store(h, bytes, n);
    return h;
}

static inline uint64_t pdk_new_str(const char *s)
{
    return pdk_new(s, pdk_strlen(s));
}

static inline void pdk_output(const void *bytes, uint64_t n)
{
    ex_output_set(pdk_new(bytes, n), n);
}

static inline void pdk_output_str(const char *s)
{
    pdk_output(s, pdk_strlen(s));
}

static inline void pdk_error(const char *msg)
{
    ex_error_set(pdk_new_str(msg));
}

/* Read a block (at most cap bytes); returns its length. */
static inline uint64_t pdk_read(uint64_t h, uint8_t *buf, uint64_t cap)
{
    uint64_t len = ex_length(h);
    pdk_load(h, buf, len < cap ? len : cap);
    return len;
}

/* Decimal digits of v at dst (room for 20); returns their count. */
static inline size_t pdk_utoa(char *dst, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

/* Decimal number at the start of s[0..n); stops at the first non-digit. */
static inline uint64_t pdk_atou(const uint8_t *s, uint64_t n)
{
    uint64_t v = 0;
    for (uint64_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

/* A small text builder for outputs and messages (truncates at its size). */
typedef struct pdk_text {
    char buf[1024];
    size_t len;
} pdk_text;

static inline void pdk_text_add(pdk_text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n && t->len < sizeof t->buf; i++)
        t->buf[t->len++] = s[i];
}

static inline void pdk_text_str(pdk_text *t, const char *s)
{
    pdk_text_add(t, s, pdk_strlen(s));
}

static inline void pdk_text_u64(pdk_text *t, uint64_t v)
{
    char d[20];
    pdk_text_add(t, d, pdk_utoa(d, v));
}

#endif /* RF_TEST_PDK_H */
