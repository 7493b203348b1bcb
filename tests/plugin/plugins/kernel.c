/*
 * kernel.c — every kernel import of extism:host/env, checked from inside a
 * plugin against the facts of the Extism host ABI (the allocator layout:
 * root at 1, blocks from 65 with 12-byte headers, so the first block's data
 * is at 77; bump allocation while space is left; loads/stores bounds-checked
 * against the whole kernel memory; length 0 for anything that is not the
 * start of an active block).
 *
 *   kernel_check     call with input "0123456789": runs the checks, outputs
 *                    "ok", or fails (rc 1) with "check N: WHAT (got X)"
 *   input_info       "OFFSET LENGTH LENGTH_OF_OFFSET" of the input
 *   interior_output  output = input[6..11) through an interior pointer
 *                    (input "hello world" -> "world")
 *   output_twice     sets the output twice; the second ("second") wins
 *   reset_alloc      reset(), then alloc(1): outputs the handle ("77") and
 *                    the input length seen after the reset ("77 0")
 */
#include "rf_test_pdk.h"

static pdk_text failure;
static int calls;   /* kernel_check calls on this instance */

/* Record the first failed check; returns whether `ok`. */
static int check(int ok, int n, const char *what, uint64_t got)
{
    if (!ok && failure.len == 0) {
        pdk_text_str(&failure, "check ");
        pdk_text_u64(&failure, (uint64_t)n);
        pdk_text_str(&failure, ": ");
        pdk_text_str(&failure, what);
        pdk_text_str(&failure, " (got ");
        pdk_text_u64(&failure, got);
        pdk_text_str(&failure, ")");
    }
    return ok;
}

#define EXPECT(n, got, want, what) check((got) == (want), n, what, (uint64_t)(got))

static void run_checks(void)
{
    const uint64_t digits_lo = 0x3736353433323130u;   /* "01234567" little-endian */
    const uint64_t digits_hi = 0x3938373635343332u;   /* "23456789" */

    /* The input block: the host's first allocation after its reset. */
    EXPECT(1, ex_input_length(), 10, "input_length");
    uint64_t in = ex_input_offset();
    EXPECT(2, in, 77, "input_offset is the first block");
    EXPECT(3, ex_length(in), 10, "length(input)");
    EXPECT(4, ex_length_unsafe(in), 10, "length_unsafe(input)");
    EXPECT(5, ex_input_load_u8(0), '0', "input_load_u8(0)");
    EXPECT(6, ex_input_load_u8(9), '9', "input_load_u8(9)");
    EXPECT(7, ex_input_load_u8(10), 0, "input_load_u8 past the end");
    EXPECT(8, ex_input_load_u64(0), digits_lo, "input_load_u64(0)");
    EXPECT(9, ex_input_load_u64(2), digits_hi, "input_load_u64(2)");
    EXPECT(10, ex_input_load_u64(3), 0, "input_load_u64 reading past the end");
    EXPECT(11, ex_load_u64(in), digits_lo, "load_u64(input)");

    /* Bump allocation: the next block's data follows the input's 10 bytes
     * and a 12-byte header. */
    uint64_t h = ex_alloc(100);
    EXPECT(12, h, 77 + 10 + 12, "alloc(100) right after the input");
    EXPECT(13, ex_length(h), 100, "length(h)");
    EXPECT(14, ex_length_unsafe(h), 100, "length_unsafe(h)");
    EXPECT(15, ex_length(h + 1), 0, "length of an interior pointer");
    EXPECT(16, ex_length(0), 0, "length(0)");
    EXPECT(17, ex_length_unsafe(0), 0, "length_unsafe(0)");
    EXPECT(18, ex_alloc(0), 0, "alloc(0)");

    /* Loads and stores, little-endian, unaligned, low byte only for u8. */
    ex_store_u64(h, 0x0706050403020100u);
    for (uint64_t i = 0; i < 8; i++)
        EXPECT(19, ex_load_u8(h + i), i, "load_u8 of a stored u64");
    EXPECT(20, ex_load_u64(h), 0x0706050403020100u, "load_u64");
    ex_store_u8(h + 8, 0x1ff);
    EXPECT(21, ex_load_u8(h + 8), 0xff, "store_u8 keeps the low byte");
    EXPECT(22, ex_load_u64(h + 1), 0xff07060504030201u, "unaligned load_u64");
    EXPECT(23, ex_load_u64(0xffffffffffffu), 0, "load_u64 out of bounds");
    EXPECT(24, ex_load_u8(0xffffffffffffu), 0, "load_u8 out of bounds");
    ex_store_u8(0xffffffffffffu, 1);            /* ignored, no trap */
    ex_store_u64(0xfffffffffffffff9u, 1);       /* p + 7 wraps: ignored */

    /* free: once, twice (harmless), then the next alloc still bumps. */
    ex_free(h);
    EXPECT(25, ex_length(h), 0, "length after free");
    ex_free(h);
    ex_free(h + 3);
    uint64_t h2 = ex_alloc(50);
    EXPECT(26, h2, h + 100 + 12, "alloc bumps while space is left");
    EXPECT(27, ex_length(h2), 50, "length(h2)");

    /* Error slot: error_get reads back what error_set stored; 0 clears. */
    ex_error_set(h2);
    EXPECT(28, ex_error_get(), h2, "error_get after error_set");
    ex_error_set(0);
    EXPECT(29, ex_error_get(), 0, "error_set(0) clears");

    /* Output slot: raw (pointer, length), interior pointers allowed. */
    ex_output_set(h2 + 1, 5);
    EXPECT(30, ex_output_offset(), h2 + 1, "output_offset");
    EXPECT(31, ex_output_length(), 5, "output_length");

    /* Capacity of the allocator: one page minus the 64-byte root at first;
     * whole pages are added as it grows, and the capacity is kept across
     * the host's resets (check 37 grows it on the first call). */
    if (calls == 1)
        EXPECT(32, ex_memory_bytes(), 65536 - 64, "memory_bytes on the first call");
    else
        check(ex_memory_bytes() >= 200000 && (ex_memory_bytes() + 64) % 65536 == 0, 32,
              "memory_bytes on later calls", ex_memory_bytes());

    /* input_set: a real block is accepted, (0, 0) is ignored; freeing the
     * input block zeroes the input length. */
    ex_input_set(h2, 50);
    EXPECT(33, ex_input_offset(), h2, "input_offset after input_set");
    EXPECT(34, ex_input_length(), 50, "input_length after input_set");
    ex_input_set(0, 0);
    EXPECT(35, ex_input_offset(), h2, "input_set(0, 0) is ignored");
    ex_free(h2);
    EXPECT(36, ex_input_length(), 0, "freeing the input zeroes its length");

    /* A large block (more than the first page): length is exact. */
    uint64_t big = ex_alloc(200000);
    check(big != 0, 37, "alloc(200000) failed", big);
    EXPECT(38, ex_length(big), 200000, "length of a block past the first page");
    ex_store_u64(big + 199992, 0x1122334455667788u);
    EXPECT(39, ex_load_u64(big + 199992), 0x1122334455667788u, "store/load at a block end");
    check(ex_memory_bytes() >= 200000, 40, "memory_bytes after growing", ex_memory_bytes());
}

RF_EXPORT(kernel_check)
{
    failure.len = 0;
    calls++;
    run_checks();
    if (failure.len) {
        ex_error_set(pdk_new(failure.buf, failure.len));
        return 1;
    }
    pdk_output_str("ok");
    return 0;
}

RF_EXPORT(input_info)
{
    uint64_t off = ex_input_offset();
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, off);
    pdk_text_str(&t, " ");
    pdk_text_u64(&t, ex_input_length());
    pdk_text_str(&t, " ");
    pdk_text_u64(&t, ex_length(off));
    pdk_output(t.buf, t.len);
    return 0;
}

RF_EXPORT(interior_output)
{
    if (ex_input_length() < 11) {
        pdk_error("interior_output needs an input of at least 11 bytes");
        return 1;
    }
    ex_output_set(ex_input_offset() + 6, 5);
    return 0;
}

RF_EXPORT(output_twice)
{
    pdk_output_str("first");
    pdk_output_str("second");
    return 0;
}

RF_EXPORT(reset_alloc)
{
    ex_reset();
    uint64_t len_after = ex_input_length();
    uint64_t h = ex_alloc(1);
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, h);
    pdk_text_str(&t, " ");
    pdk_text_u64(&t, len_after);
    pdk_output(t.buf, t.len);
    return 0;
}
