/*
 * hostile.c — a plugin that abuses the kernel and the host functions. Each
 * export must end in a clear result (a defined value or a clear error)
 * with the host alive; the tests check the results and then make a normal
 * call.
 *
 *   bad_handles     thousands of random u64s (raw, masked into the kernel
 *                   memory, near 2^64) given to length, length_unsafe,
 *                   load_u8/u64, input_load_u8/u64, free, output_set and
 *                   error_set; then clears the error and outputs "survived"
 *   scribble        random store_u8/store_u64 all over the kernel memory,
 *                   block headers included, then alloc/length/free on top;
 *                   the result is unspecified, the host must stay sound
 *   huge_alloc      "A B C": the handles of alloc(2^40), alloc(2^64-1) and
 *                   alloc(2^32) (all beyond the budget, so "0 0 0"); then
 *                   output_set(h, 2^63), which lies outside the kernel and
 *                   is ignored, so the output stays "0 0 0"
 *   output_wrap     sets the output "kept", then output_set(h, 2^64-1): the
 *                   range wraps around; the host must either ignore it
 *                   (output "kept") or fail the call with a clear error,
 *                   never return a silently empty output
 *   big_output      input = N in decimal: output N bytes, byte i = (7i+3)
 *                   mod 256; fails with "big_output: alloc(N) returned 0"
 *                   when the kernel cannot hold them
 *   memory_bomb     grows its own memory until memory.grow returns -1, then
 *                   fills the kernel (blocks of 64 KiB, then of halving
 *                   sizes down to 1 byte, each until alloc returns 0), then
 *                   asks for config key "k" (allocated before the bomb; the
 *                   value must be longer than the key, so the freed key block
 *                   cannot hold it): the host cannot allocate the value, so
 *                   the call fails ("out of memory")
 *   bomb_report     the same without config_get: outputs "PAGES BYTES",
 *                   the pages memory.grow gave and the kernel bytes alloc gave
 *   spin            loops forever (stopped by the timeout or a cancel)
 *   bad_host_handles var_set(0x5555, 0x6666): neither is a block -> fails
 */
#include "rf_test_pdk.h"

static uint64_t rng_state;

/* xorshift64: deterministic, so a failure can be replayed. */
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* A hostile handle: raw, inside the kernel memory, near the top of the
 * u64 range, or just around a block start. */
static uint64_t hostile_value(uint64_t kernel_bytes)
{
    uint64_t r = rng();
    switch (r & 7) {
    case 0: return r;
    case 1: return r % (kernel_bytes + 4096);
    case 2: return UINT64_MAX - (r & 0xff);
    case 3: return 77 + (r & 15) - 8;
    case 4: return (uint64_t)1 << (r & 63);
    case 5: return r & 0xffffffffu;
    default: return r % 256;
    }
}

RF_EXPORT(bad_handles)
{
    rng_state = 0x9e3779b97f4a7c15u;
    uint64_t kb = ex_memory_bytes() + 65536;
    volatile uint64_t sink = 0;
    for (int i = 0; i < 4000; i++) {
        uint64_t a = hostile_value(kb), b = hostile_value(kb);
        sink += ex_length(a);
        sink += ex_length_unsafe(a);
        sink += ex_load_u8(a);
        sink += ex_load_u64(b);
        sink += ex_input_load_u8(a);
        sink += ex_input_load_u64(b);
        ex_free(a);
        ex_output_set(a, b);
        ex_error_set(b);
    }
    (void)sink;
    ex_error_set(0);
    pdk_output_str("survived");
    return 0;
}

RF_EXPORT(scribble)
{
    rng_state = 0x243f6a8885a308d3u;
    uint64_t kb = ex_memory_bytes() + 65536;
    uint64_t blocks[16] = { 0 };
    for (int i = 0; i < 4000; i++) {
        uint64_t p = rng() % kb;
        if (i & 1)
            ex_store_u64(p, rng());
        else
            ex_store_u8(p, (uint32_t)rng());
        uint64_t *slot = &blocks[rng() & 15];
        if (*slot) {
            (void)ex_length(*slot);
            ex_free(*slot);
        }
        *slot = ex_alloc(rng() % 3000);
    }
    pdk_output_str("scribbled");
    return 0;
}

RF_EXPORT(huge_alloc)
{
    uint64_t a = ex_alloc((uint64_t)1 << 40);
    uint64_t b = ex_alloc(UINT64_MAX);
    uint64_t c = ex_alloc((uint64_t)1 << 32);
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, a);
    pdk_text_str(&t, " ");
    pdk_text_u64(&t, b);
    pdk_text_str(&t, " ");
    pdk_text_u64(&t, c);
    uint64_t h = pdk_new(t.buf, t.len);
    ex_output_set(h, t.len);
    ex_output_set(h, (uint64_t)1 << 63);
    return 0;
}

RF_EXPORT(output_wrap)
{
    uint64_t h = pdk_new_str("kept");
    ex_output_set(h, 4);
    ex_output_set(h, UINT64_MAX);
    return 0;
}

static uint8_t digits[32];

RF_EXPORT(big_output)
{
    uint64_t len = pdk_input(digits, sizeof digits);
    uint64_t n = pdk_atou(digits, len < sizeof digits ? len : sizeof digits);
    uint64_t h = ex_alloc(n);
    if (!h) {
        pdk_text t = { .len = 0 };
        pdk_text_str(&t, "big_output: alloc(");
        pdk_text_u64(&t, n);
        pdk_text_str(&t, ") returned 0");
        ex_error_set(pdk_new(t.buf, t.len));
        return 1;
    }
    uint8_t chunk[512];
    for (uint64_t off = 0; off < n; off += sizeof chunk) {
        uint64_t m = n - off < sizeof chunk ? n - off : sizeof chunk;
        for (uint64_t i = 0; i < m; i++)
            chunk[i] = (uint8_t)(7 * (off + i) + 3);
        pdk_store(h + off, chunk, m);
    }
    ex_output_set(h, n);
    return 0;
}

/* Exhaust the budget: guest memory first, then every byte of the kernel
 * that alloc can still hand out. */
static void bomb(uint64_t *pages, uint64_t *bytes)
{
    *pages = 0;
    while (*pages < 65536 && __builtin_wasm_memory_grow(0, 1) != (size_t)-1)
        ++*pages;
    *bytes = 0;
    for (uint64_t size = 65536; size >= 1; size /= 2)
        for (int n = 0; n < 100000 && ex_alloc(size) != 0; n++)
            *bytes += size;
}

RF_EXPORT(memory_bomb)
{
    uint64_t key = pdk_new_str("k"), pages, bytes;
    bomb(&pages, &bytes);
    uint64_t v = ex_config_get(key);
    pdk_text t = { .len = 0 };
    pdk_text_str(&t, "config_get succeeded after the bomb: pages=");
    pdk_text_u64(&t, pages);
    pdk_text_str(&t, " bytes=");
    pdk_text_u64(&t, bytes);
    pdk_text_str(&t, " value=");
    pdk_text_u64(&t, v);
    ex_output_set(ex_input_offset(), 0);
    ex_error_set(pdk_new(t.buf, t.len));
    return 1;
}

RF_EXPORT(bomb_report)
{
    uint64_t pages, bytes;
    bomb(&pages, &bytes);
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, pages);
    pdk_text_str(&t, " ");
    pdk_text_u64(&t, bytes);
    /* The kernel is full: free one block so the output fits. */
    uint64_t h = ex_alloc(t.len);
    if (!h) {
        ex_free(77);
        h = ex_alloc(t.len);
    }
    pdk_store(h, (const uint8_t *)t.buf, t.len);
    ex_output_set(h, t.len);
    return 0;
}

RF_EXPORT(spin)
{
    volatile uint64_t n = 0;
    for (;;)
        n = n + 1;
}

RF_EXPORT(bad_host_handles)
{
    ex_var_set(0x5555, 0x6666);
    pdk_output_str("var_set(0x5555, 0x6666) returned");
    return 0;
}
