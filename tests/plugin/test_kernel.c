/*
 * test_kernel.c — the native Extism kernel (src/plugin/kernel.c).
 *
 * Expected values come from the upstream kernel's rules (extism-abi.md
 * sections 3, 4 and 14; the conformance vectors of upstream's
 * runtime/src/tests/kernel.rs) and are worked out by hand in the comments
 * next to them: handle = 65 + position + 12, position += n + 12, capacity
 * 65536 - 64 = 65472, growth by ceil((need - mem_left) / 65536) pages with
 * mem_left = capacity - position - 64. The property tests check invariants
 * (exact lengths, disjoint blocks, intact contents) over seeded random
 * sequences. Everything goes through the public engine API and kernel.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "reflow/engine.h"
#include "../../src/plugin/kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 65536u
#define MIB (1024u * 1024u)
#define GIB (UINT64_C(1) << 30)

/* ---- helpers ------------------------------------------------------------------ */

static rf_store *store_with(uint64_t limit, uint64_t budget)
{
    rf_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.memory_limit = limit;
    cfg.memory_ceiling = limit > RF_DEFAULT_MEMORY_CEILING ? limit : 0;
    cfg.memory_budget = budget;
    rf_error err;
    rf_store *s = rf_store_new(&cfg, &err);
    if (!s)
        fail_msg("rf_store_new: %s", err.message);
    return s;
}

static rf_kernel *kernel_in(rf_store *s)
{
    rf_error err;
    rf_kernel *k = rf_kernel_new(s, &err);
    if (!k)
        fail_msg("rf_kernel_new: %s", err.message);
    assert_int_equal(err.kind, RF_OK);
    return k;
}

typedef struct fixture {
    rf_store *s;
    rf_kernel *k;
} fixture;

/* A store with room for the 6553600-byte vector: a 64 MiB limit, no budget. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->s = store_with(64 * MIB, 0);
    f->k = kernel_in(f->s);
    *state = f;
    return 0;
}

/* The store first (it owns the memory and host functions), then the kernel. */
static int teardown(void **state)
{
    fixture *f = *state;
    rf_store_free(f->s);
    rf_kernel_free(f->k);
    free(f);
    return 0;
}

static rf_kernel *K(void **state)
{
    return ((fixture *)*state)->k;
}

static uint64_t mem_size(rf_kernel *k)
{
    return rf_memory_size(rf_kernel_memory(k));
}

/* Raw little-endian reads of the kernel memory, independent of the kernel's
 * own helpers. */
static uint64_t raw_u64(rf_kernel *k, uint64_t p)
{
    uint8_t b[8];
    assert_true(rf_memory_read(rf_kernel_memory(k), p, b, 8));
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static uint32_t raw_u32(rf_kernel *k, uint64_t p)
{
    uint8_t b[4];
    assert_true(rf_memory_read(rf_kernel_memory(k), p, b, 4));
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint8_t raw_u8(rf_kernel *k, uint64_t p)
{
    uint8_t b = 0;
    assert_true(rf_memory_read(rf_kernel_memory(k), p, &b, 1));
    return b;
}

static void raw_write_u8(rf_kernel *k, uint64_t p, uint8_t v)
{
    assert_true(rf_memory_write(rf_kernel_memory(k), p, &v, 1));
}

/* Root fields (offsets from the layout: root at 1, u64 fields from +8). */
enum {
    POSITION = 9, LENGTH = 17, ERROR = 25, IN_OFF = 33, IN_LEN = 41, OUT_OFF = 49, OUT_LEN = 57
};

static uint64_t position_of(rf_kernel *k)
{
    return raw_u64(k, POSITION);
}

/* splitmix64: a seeded, reproducible generator for the property tests. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* ---- layout and lazy initialisation -------------------------------------------------- */

static void test_layout(void **state)
{
    rf_kernel *k = K(state);
    /* 16 pages, as upstream's kernel memory. */
    assert_int_equal(mem_size(k), 16 * PAGE);
    /* Lazy: nothing is written before the first call that initialises. */
    for (uint64_t p = 0; p < 77; p++)
        assert_int_equal(raw_u8(k, p), 0);
    assert_int_equal(rf_kernel_length_unsafe(k, 77), 0);   /* does not initialise */
    assert_int_equal(rf_kernel_load_u8(k, 100), 0);        /* nor do loads */
    assert_int_equal(raw_u8(k, 1), 0);

    assert_int_equal(rf_kernel_memory_bytes(k), 65536 - 64);
    assert_int_equal(raw_u8(k, 1), 1);                     /* initialized */
    assert_int_equal(raw_u64(k, POSITION), 0);
    assert_int_equal(raw_u64(k, LENGTH), 65472);

    uint64_t a = rf_kernel_alloc(k, 300);
    assert_int_equal(a, 77);
    /* Header at 65: status 1, 3 pad bytes, size 300, used 300 (LE u32). */
    assert_int_equal(raw_u8(k, 65), 1);
    assert_int_equal(raw_u8(k, 66) | raw_u8(k, 67) | raw_u8(k, 68), 0);
    assert_int_equal(raw_u32(k, 69), 300);
    assert_int_equal(raw_u32(k, 73), 300);
    assert_int_equal(raw_u64(k, POSITION), 312);
    /* Next block: 65 + 312 + 12. */
    assert_int_equal(rf_kernel_alloc(k, 5), 389);
    assert_int_equal(raw_u64(k, POSITION), 329);

    rf_kernel_free_block(k, a);
    assert_int_equal(raw_u8(k, 65), 2);                    /* Free */
    assert_int_equal(raw_u32(k, 73), 300);                 /* used untouched */

    /* Slots sit at their documented offsets. */
    rf_kernel_input_set(k, 389, 5);
    rf_kernel_output_set(k, 390, 3);
    rf_kernel_error_set(k, 389);
    assert_int_equal(raw_u64(k, IN_OFF), 389);
    assert_int_equal(raw_u64(k, IN_LEN), 5);
    assert_int_equal(raw_u64(k, OUT_OFF), 390);
    assert_int_equal(raw_u64(k, OUT_LEN), 3);
    assert_int_equal(raw_u64(k, ERROR), 389);
}

/* ---- section 14 vectors ----------------------------------------------------------------- */

/* upstream test_kernel_allocations */
static void test_upstream_allocations(void **state)
{
    rf_kernel *k = K(state);
    assert_int_equal(rf_kernel_alloc(k, 0), 0);

    uint64_t p = rf_kernel_alloc(k, 65535);
    uint64_t first = p;
    assert_int_equal(p, 77);
    assert_int_equal(rf_kernel_length(k, p), 65535);
    for (uint64_t i = 1; i <= 4; i++)
        assert_int_equal(rf_kernel_length(k, p + i), 0);
    rf_kernel_free_block(k, p);

    /* Reuse without a split. */
    uint64_t q = rf_kernel_alloc(k, 65535);
    assert_int_equal(q, p);
    assert_int_equal(rf_kernel_length(k, q), 65535);
    rf_kernel_free_block(k, q);

    uint64_t r = rf_kernel_alloc(k, 65535 - 24);   /* 24 bytes spare < 128: no split */
    assert_int_equal(r, q);
    assert_int_equal(rf_kernel_length(k, q), 65535 - 24);
    rf_kernel_free_block(k, r);

    p = rf_kernel_alloc(k, 1);
    assert_true(p > 0);
    assert_int_equal(rf_kernel_length(k, p), 1);
    assert_int_equal(rf_kernel_length_unsafe(k, p), 1);
    rf_kernel_free_block(k, p);

    uint64_t x = rf_kernel_alloc(k, 2);
    assert_true(x > 0);
    assert_true(x != p);
    assert_int_equal(rf_kernel_length(k, x), 2);
    assert_int_equal(rf_kernel_length_unsafe(k, x), 2);
    rf_kernel_free_block(k, x);

    for (uint64_t i = 0; i < 64; i++) {
        p = rf_kernel_alloc(k, 64 - i);
        assert_true(p > 0);
        assert_int_equal(rf_kernel_length(k, p), 64 - i);
        assert_int_equal(rf_kernel_length_unsafe(k, p), 64 - i);
        rf_kernel_free_block(k, p);
    }

    p = rf_kernel_alloc(k, 6553600);   /* 100 pages */
    assert_true(p > 0);
    assert_int_equal(rf_kernel_length(k, p), 6553600);
    rf_kernel_free_block(k, p);

    p = rf_kernel_alloc(k, 65536);
    assert_true(p > 0);
    assert_int_equal(rf_kernel_length(k, p), 65536);

    p = rf_kernel_alloc(k, 65536 + 1024);
    assert_true(p > 0);
    assert_int_equal(rf_kernel_length(k, p), 65536 + 1024);
    rf_kernel_free_block(k, p);

    rf_kernel_reset(k);
    q = rf_kernel_alloc(k, 65536 + 1024);
    assert_true(q < p);
    assert_int_equal(q, first);
    assert_int_equal(rf_kernel_length(k, q), 65536 + 1024);
    assert_int_equal(rf_kernel_length(k, p), 0);   /* stale after reset */
    rf_kernel_free_block(k, q);
}

static void test_upstream_error(void **state)
{
    rf_kernel *k = K(state);
    uint64_t p = rf_kernel_alloc(k, 512);
    rf_kernel_error_set(k, p);
    assert_int_equal(rf_kernel_error_get(k), p);
}

static void test_upstream_load_store(void **state)
{
    rf_kernel *k = K(state);
    uint64_t p = rf_kernel_alloc(k, 8);
    rf_kernel_store_u64(k, p, 999);
    assert_int_equal(rf_kernel_load_u64(k, p), 999);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | rf_kernel_load_u8(k, p + (uint64_t)i);
    assert_int_equal(v, 999);
    assert_int_equal(rf_kernel_load_u8(k, p), 999 & 0xFF);
    assert_int_equal(rf_kernel_load_u8(k, p + 1), 999 >> 8);

    for (uint32_t i = 0; i < 8; i++)
        rf_kernel_store_u8(k, p + i, i);
    assert_int_equal(rf_kernel_load_u64(k, p), UINT64_C(0x0706050403020100));

    assert_int_equal(rf_kernel_load_u64(k, UINT64_C(0xffffffffffff)), 0);
    uint64_t before = position_of(k);
    rf_kernel_store_u8(k, UINT64_C(0xffffffffffff), 0);
    assert_int_equal(position_of(k), before);
    assert_int_equal(rf_kernel_load_u64(k, p), UINT64_C(0x0706050403020100));
}

static void test_upstream_load_input(void **state)
{
    rf_kernel *k = K(state);
    uint64_t p = rf_kernel_alloc(k, 123456);
    assert_true(p > 0);
    for (uint64_t i = 0; i < 123456; i++)
        rf_kernel_store_u8(k, p + i, 'a');
    rf_kernel_input_set(k, p, 123456);
    assert_int_equal(rf_kernel_input_offset(k), p);
    assert_int_equal(rf_kernel_input_length(k), 123456);
    for (uint64_t i = 0; i < 123456; i++)
        assert_int_equal(rf_kernel_input_load_u8(k, i), 'a');
    assert_int_equal(rf_kernel_input_load_u64(k, 123457), 0);

    /* Tails: the last full u64 reads, a partial one gives 0. */
    assert_int_equal(rf_kernel_input_load_u64(k, 123456 - 8), UINT64_C(0x6161616161616161));
    assert_int_equal(rf_kernel_input_load_u64(k, 123456 - 7), 0);
    assert_int_equal(rf_kernel_input_load_u8(k, 123456), 0);
    /* input_length(h) is the block's length. */
    assert_int_equal(rf_kernel_length(k, rf_kernel_input_offset(k)), rf_kernel_input_length(k));
}

/* upstream test_failed_quickcheck1 */
static void test_quickcheck_regression_u16(void **state)
{
    static const uint64_t allocs[] = {
        20622, 23162, 58594, 32421, 25928, 44611, 26318, 24455, 5798, 60202, 42126,
        64928, 57832, 50888, 63256, 37562, 46334, 47985, 60836, 28132, 65535, 37800,
        33150, 48768, 38457, 57249, 5734, 58587, 26294, 26653, 24519, 1,
    };
    rf_kernel *k = K(state);
    rf_kernel_reset(k);
    uint64_t expect = 77;   /* nothing is freed, so every allocation bumps */
    for (size_t i = 0; i < sizeof allocs / sizeof allocs[0]; i++) {
        uint64_t n = rf_kernel_alloc(k, allocs[i]);
        assert_int_equal(n, expect);
        assert_int_equal(rf_kernel_length(k, n), allocs[i]);
        assert_int_equal(rf_kernel_length_unsafe(k, n), allocs[i]);
        expect += allocs[i] + 12;
    }
}

/* upstream test_failed_quickcheck2: 4.29 GB in four blocks, which needs a
 * kernel memory of exactly 4 GiB (65536 pages), so the store's limit is
 * raised to 4 GiB. Position after three blocks: 4279350653; the fourth
 * needs capacity 4279350653 + 64 + 14567940 = 4293918657, i.e. 65520 grown
 * pages on top of the 16 initial ones. */
static void test_quickcheck_regression_u32(void **state)
{
    (void)state;
    static const uint64_t allocs[] = { 352054710, 1248853976, 2678441931, 14567928 };
    rf_store *s = store_with(4 * GIB, 0);
    rf_kernel *k = kernel_in(s);
    rf_kernel_reset(k);
    uint64_t expect = 77;
    for (size_t i = 0; i < 4; i++) {
        uint64_t n = rf_kernel_alloc(k, allocs[i]);
        assert_int_equal(n, expect);
        assert_int_equal(rf_kernel_length(k, n), allocs[i]);
        assert_int_equal(rf_kernel_length_unsafe(k, n), allocs[i]);
        expect += allocs[i] + 12;
    }
    assert_int_equal(mem_size(k), 4 * GIB);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472 + UINT64_C(65520) * PAGE);
    /* Full: one more byte cannot grow the memory. */
    assert_int_equal(rf_kernel_alloc(k, 1u << 20), 0);
    assert_int_equal(rf_kernel_length(k, 4279350730u), 14567928);
    rf_store_free(s);
    rf_kernel_free(k);
}

/* The extra checks of section 14. */
static void test_extra_checks(void **state)
{
    rf_kernel *k = K(state);
    uint64_t p = rf_kernel_alloc(k, 10);
    rf_kernel_input_set(k, p, 10);
    assert_int_equal(rf_kernel_input_length(k), 10);
    rf_kernel_free_block(k, p);
    assert_int_equal(rf_kernel_input_length(k), 0);
    assert_int_equal(rf_kernel_input_offset(k), p);   /* only the length is cleared */

    rf_kernel_reset(k);
    rf_kernel_input_set(k, 0, 0);
    assert_int_equal(rf_kernel_input_offset(k), 0);
    assert_int_equal(rf_kernel_input_length(k), 0);

    uint64_t q = rf_kernel_alloc(k, 5);
    rf_kernel_output_set(k, q + 1, 2);
    assert_int_equal(rf_kernel_output_offset(k), q + 1);
    assert_int_equal(rf_kernel_output_length(k), 2);

    rf_kernel_error_set(k, q + 1);
    assert_int_equal(rf_kernel_error_get(k), q + 1);
    assert_int_equal(rf_kernel_length(k, q + 1), 0);
}

/* ---- allocator rules ------------------------------------------------------------------ */

/* Free blocks are reused only once the bump space is exhausted; a Free block
 * with >= 128 bytes to spare is split and its tail returned. */
static void test_bump_first_then_reuse(void **state)
{
    rf_kernel *k = K(state);
    uint64_t a = rf_kernel_alloc(k, 1000);
    assert_int_equal(a, 77);                         /* position 1012 */
    uint64_t b = rf_kernel_alloc(k, 1000);
    assert_int_equal(b, 65 + 1012 + 12);             /* 1089, position 2024 */
    rf_kernel_free_block(k, a);

    uint64_t c = rf_kernel_alloc(k, 10);             /* bumps although a is free */
    assert_int_equal(c, 65 + 2024 + 12);             /* 2101, position 2046 */

    /* mem_left = 65472 - 2046 - 64 = 63362; need 63361 still bumps. */
    uint64_t d = rf_kernel_alloc(k, 63349);
    assert_int_equal(d, 65 + 2046 + 12);             /* 2123, position 65407 */
    assert_int_equal(position_of(k), 65407);         /* mem_left is now 1 */
    assert_int_equal(rf_kernel_memory_bytes(k), 65472);

    /* Exhausted: a (Free, 1000 bytes) is split; 1000 - 500 >= 128. The head
     * keeps 1000 - 512 = 488 bytes, the tail header is at 65 + 12 + 488. */
    uint64_t e = rf_kernel_alloc(k, 500);
    assert_int_equal(e, 577);
    assert_int_equal(rf_kernel_length(k, e), 500);
    assert_int_equal(rf_kernel_length_unsafe(k, e), 500);
    assert_int_equal(raw_u32(k, 65 + 4), 488);       /* head size */
    assert_int_equal(raw_u32(k, 65 + 8), 0);         /* head used */
    assert_int_equal(raw_u8(k, 65), 2);              /* head still Free */
    assert_int_equal(rf_kernel_length(k, 77), 0);

    /* The head (488 bytes) takes 400 whole: 88 spare < 128. */
    uint64_t f = rf_kernel_alloc(k, 400);
    assert_int_equal(f, 77);
    assert_int_equal(rf_kernel_length(k, f), 400);
    assert_int_equal(rf_kernel_length_unsafe(k, f), 400);
    assert_int_equal(raw_u32(k, 65 + 4), 488);       /* size stays larger */

    /* Nothing reusable: grow ceil((13 - 1) / 65536) = 1 page and bump. */
    assert_int_equal(position_of(k), 65407);
    uint64_t g = rf_kernel_alloc(k, 1);
    assert_int_equal(g, 65 + 65407 + 12);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472 + 65536);
    assert_int_equal(mem_size(k), 17 * PAGE);

    /* Everything still has its exact length. */
    assert_int_equal(rf_kernel_length(k, b), 1000);
    assert_int_equal(rf_kernel_length(k, c), 10);
    assert_int_equal(rf_kernel_length(k, d), 63349);
    assert_int_equal(rf_kernel_length(k, e), 500);
    assert_int_equal(rf_kernel_length(k, f), 400);
    assert_int_equal(rf_kernel_length(k, g), 1);
}

/* need == mem_left grows by 0 pages; the scan needs need <= position. */
static void test_growth_edges(void **state)
{
    rf_kernel *k = K(state);
    /* need 65408 == mem_left 65408, position 0: no scan, grow 0 pages. */
    assert_int_equal(rf_kernel_alloc(k, 65396), 77);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472);
    assert_int_equal(mem_size(k), 16 * PAGE);
    assert_int_equal(position_of(k), 65408);         /* mem_left 0 */
    /* The one block is Active: grow ceil(13 / 65536) = 1 page. */
    assert_int_equal(rf_kernel_alloc(k, 1), 65 + 65408 + 12);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472 + 65536);
    assert_int_equal(mem_size(k), 17 * PAGE);

    rf_kernel_reset(k);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472 + 65536);   /* capacity kept */
    /* 200000 bytes: need 200012, mem_left 131008 - 64 = 130944,
     * grow ceil(69068 / 65536) = 2 pages. */
    assert_int_equal(rf_kernel_alloc(k, 200000), 77);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472 + 3 * 65536);
    assert_int_equal(mem_size(k), 19 * PAGE);

    /* A free block too small is skipped; the next one fitting is taken. */
    rf_kernel_reset(k);
    uint64_t cap = rf_kernel_memory_bytes(k);        /* 262080 */
    uint64_t a = rf_kernel_alloc(k, 100);            /* 77, position 112 */
    uint64_t b = rf_kernel_alloc(k, 300);            /* 189, position 424 */
    uint64_t filler = cap - 64 - 424 - 12 - 1;       /* leaves mem_left 1 */
    uint64_t c = rf_kernel_alloc(k, filler);
    assert_int_equal(a, 77);
    assert_int_equal(b, 189);
    assert_int_equal(c, 65 + 424 + 12);
    rf_kernel_free_block(k, a);
    rf_kernel_free_block(k, b);
    /* 200: a (100) too small; b (300) fits, 100 spare < 128: taken whole. */
    assert_int_equal(rf_kernel_alloc(k, 200), 189);
    assert_int_equal(rf_kernel_length(k, 189), 200);
    /* 50: a fits, 50 spare: taken whole. */
    assert_int_equal(rf_kernel_alloc(k, 50), 77);
    assert_int_equal(rf_kernel_memory_bytes(k), cap);   /* no growth */
}

/* The split rule at its edge, and reuse triggered by need == mem_left. */
static void test_split_threshold(void **state)
{
    rf_kernel *k = K(state);
    uint64_t a = rf_kernel_alloc(k, 428);            /* 77, position 440 */
    uint64_t b = rf_kernel_alloc(k, 428);            /* 517, position 880 */
    uint64_t mem_left = 65472 - 880 - 64;            /* 64528 */
    /* need == mem_left: the bump space counts as exhausted. */
    uint64_t c = rf_kernel_alloc(k, mem_left - 12 - 100);
    assert_int_equal(c, 65 + 880 + 12);              /* bumped: mem_left 100 */
    assert_int_equal(a, 77);
    assert_int_equal(b, 517);
    rf_kernel_free_block(k, a);
    rf_kernel_free_block(k, b);

    /* need 100 == mem_left 100: reuse, not bump. 428 - 88 = 340 >= 128:
     * split, head keeps 428 - 100 = 328, tail handle 65 + 12 + 328 + 12. */
    assert_int_equal(rf_kernel_alloc(k, 88), 417);
    assert_int_equal(rf_kernel_length(k, 417), 88);
    /* The head (328 Free) is now first: 328 - 200 = 128 spare: split. */
    assert_int_equal(rf_kernel_alloc(k, 200), 65 + 12 + 116 + 12);
    assert_int_equal(raw_u32(k, 65 + 4), 116);
    /* b (428 Free) with 301: 127 spare: taken whole. */
    assert_int_equal(rf_kernel_alloc(k, 301), 517);
    assert_int_equal(raw_u32(k, 505 + 4), 428);
    assert_int_equal(rf_kernel_length(k, 517), 301);
    /* Nothing was bumped meanwhile. */
    assert_int_equal(position_of(k), 65472 - 64 - 100);
}

/* input_load_u8 stops at input_length, input_load_u64 at input_length - 8,
 * even when the bytes after the input are readable. */
static void test_input_loads(void **state)
{
    rf_kernel *k = K(state);
    uint64_t a = rf_kernel_alloc(k, 4);
    rf_kernel_alloc(k, 4);                           /* its header follows a */
    for (uint32_t i = 0; i < 4; i++)
        rf_kernel_store_u8(k, a + i, 'a' + i);
    assert_int_equal(rf_kernel_load_u8(k, a + 4), 1);   /* next status: Active */
    rf_kernel_input_set(k, a, 4);
    assert_int_equal(rf_kernel_input_load_u8(k, 3), 'd');
    assert_int_equal(rf_kernel_input_load_u8(k, 4), 0);
    assert_int_equal(rf_kernel_input_load_u64(k, 0), 0);   /* partial: 0 */
    assert_int_equal(rf_kernel_load_u64(k, a), UINT64_C(0x0000000164636261));
    rf_kernel_input_set(k, a, 8);
    assert_int_equal(rf_kernel_input_load_u64(k, 0), UINT64_C(0x0000000164636261));
    assert_int_equal(rf_kernel_input_load_u64(k, 1), 0);
    /* No input: every load is 0. */
    rf_kernel_reset(k);
    assert_int_equal(rf_kernel_input_load_u8(k, 0), 0);
    assert_int_equal(rf_kernel_input_load_u64(k, 0), 0);
}

static void test_free_rules(void **state)
{
    rf_kernel *k = K(state);
    rf_kernel_free_block(k, 0);
    uint64_t a = rf_kernel_alloc(k, 40);
    uint64_t b = rf_kernel_alloc(k, 40);
    rf_kernel_free_block(k, a + 1);                  /* interior: no-op */
    rf_kernel_free_block(k, a - 12);                 /* header: no-op */
    rf_kernel_free_block(k, b + 40 + 12);            /* past the last block */
    assert_int_equal(rf_kernel_length(k, a), 40);
    assert_int_equal(rf_kernel_length(k, b), 40);
    rf_kernel_free_block(k, a);
    rf_kernel_free_block(k, a);                      /* double free: harmless */
    assert_int_equal(rf_kernel_length(k, a), 0);
    assert_int_equal(rf_kernel_length_unsafe(k, a), 0);
    assert_int_equal(rf_kernel_length(k, b), 40);

    /* Freeing a block other than the input keeps input_length. */
    uint64_t c = rf_kernel_alloc(k, 40);
    rf_kernel_input_set(k, b, 40);
    rf_kernel_free_block(k, c);
    assert_int_equal(rf_kernel_length(k, c), 0);
    assert_int_equal(rf_kernel_input_length(k), 40);

    /* Stale handles after a reset are unknown. */
    rf_kernel_reset(k);
    rf_kernel_free_block(k, b);
    assert_int_equal(rf_kernel_length(k, b), 0);
    assert_int_equal(rf_kernel_alloc(k, 8), 77);
}

static void test_length_rules(void **state)
{
    rf_kernel *k = K(state);
    uint64_t size = mem_size(k);
    assert_int_equal(rf_kernel_length(k, 0), 0);
    assert_int_equal(rf_kernel_length_unsafe(k, 0), 0);
    uint64_t a = rf_kernel_alloc(k, 24);
    assert_int_equal(rf_kernel_length(k, a + 24), 0);
    assert_int_equal(rf_kernel_length(k, 63), 0);
    assert_int_equal(rf_kernel_length(k, size + 1), 0);
    assert_int_equal(rf_kernel_length_unsafe(k, size + 1), 0);
    assert_int_equal(rf_kernel_length_unsafe(k, size), 0);
    assert_int_equal(rf_kernel_length(k, size), 0);

    /* length_unsafe only reads the header before h: a forged Active header
     * is believed, length walks the blocks and is not fooled. */
    uint64_t b = rf_kernel_alloc(k, 64);
    rf_kernel_store_u8(k, b + 20, 1);                /* status */
    rf_kernel_store_u64(k, b + 28, 7);               /* used (low u32) */
    assert_int_equal(rf_kernel_length_unsafe(k, b + 32), 7);
    assert_int_equal(rf_kernel_length(k, b + 32), 0);
    assert_int_equal(rf_kernel_length(k, b), 64);

    /* length_unsafe at 64..76 reads root bytes as a header: 0 when the
     * "status" byte (52..64) is not 1. */
    assert_int_equal(rf_kernel_length_unsafe(k, 64), 0);
    /* Below 64 the fast check answers 0 before any header is read: at 13
     * the "header" would be the root (initialized = 1, used = position). */
    assert_int_equal(raw_u8(k, 1), 1);
    assert_true(position_of(k) != 0);
    assert_int_equal(rf_kernel_length_unsafe(k, 13), 0);
    assert_int_equal(rf_kernel_length(k, 13), 0);
}

static void test_reset(void **state)
{
    rf_kernel *k = K(state);
    uint64_t a = rf_kernel_alloc(k, 100);
    uint64_t b = rf_kernel_alloc(k, 100);
    rf_kernel_store_u64(k, a, UINT64_MAX);
    rf_kernel_store_u64(k, b + 92, UINT64_MAX);
    uint64_t end = 65 + position_of(k);              /* 289 */
    assert_int_equal(end, 289);
    rf_kernel_store_u8(k, end, 0x5A);                /* just past the blocks */
    rf_kernel_store_u8(k, 64, 0x11);                 /* just before them */
    rf_kernel_input_set(k, a, 100);
    rf_kernel_output_set(k, b, 100);
    rf_kernel_error_set(k, b);

    rf_kernel_reset(k);
    for (uint64_t p = 65; p < end; p++)
        assert_int_equal(raw_u8(k, p), 0);
    assert_int_equal(raw_u8(k, end), 0x5A);          /* [65, 65 + position) only */
    assert_int_equal(raw_u8(k, 64), 0);              /* output_length's top byte, cleared */
    assert_int_equal(position_of(k), 0);
    assert_int_equal(rf_kernel_input_offset(k), 0);
    assert_int_equal(rf_kernel_input_length(k), 0);
    assert_int_equal(rf_kernel_output_offset(k), 0);
    assert_int_equal(rf_kernel_output_length(k), 0);
    assert_int_equal(rf_kernel_error_get(k), 0);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472);
    assert_int_equal(rf_kernel_length(k, a), 0);
    assert_int_equal(rf_kernel_alloc(k, 100), 77);
}

/* ---- bounds rules ------------------------------------------------------------------------ */

static void test_load_store_bounds(void **state)
{
    rf_kernel *k = K(state);
    uint64_t size = mem_size(k);
    rf_kernel_memory_bytes(k);                       /* initialise */

    /* The fast check is 64 <= p <= size. Byte 63 (output_length) is out. */
    raw_write_u8(k, 63, 0x77);
    assert_int_equal(rf_kernel_load_u8(k, 63), 0);
    rf_kernel_store_u8(k, 63, 0);
    assert_int_equal(raw_u8(k, 63), 0x77);
    raw_write_u8(k, 63, 0);

    uint64_t p = rf_kernel_alloc(k, 32);             /* 77 */
    rf_kernel_output_set(k, p, 0x0102);
    /* load_u64 checks only p + 7: at 57 it reads output_length. */
    assert_int_equal(rf_kernel_load_u64(k, 57), 0x0102);
    assert_int_equal(rf_kernel_load_u64(k, 56), 0);  /* 63 < 64 */
    assert_int_equal(rf_kernel_load_u64(k, 49), 0);  /* output_offset: out */
    rf_kernel_store_u64(k, 56, UINT64_MAX);
    assert_int_equal(rf_kernel_output_length(k), 0x0102);

    /* The last byte of the memory. */
    rf_kernel_store_u8(k, size - 1, 0xC3);
    assert_int_equal(rf_kernel_load_u8(k, size - 1), 0xC3);
    assert_int_equal(raw_u8(k, size - 1), 0xC3);
    rf_kernel_store_u64(k, size - 8, UINT64_C(0x1122334455667788));
    assert_int_equal(rf_kernel_load_u64(k, size - 8), UINT64_C(0x1122334455667788));
    assert_int_equal(raw_u8(k, size - 1), 0x11);
    /* p == size (or p + 7 == size) passes the fast check but has no bytes:
     * reads 0, writes nothing (upstream's wasm would trap). */
    assert_int_equal(rf_kernel_load_u8(k, size), 0);
    rf_kernel_store_u8(k, size, 1);
    assert_int_equal(rf_kernel_load_u64(k, size - 7), 0);
    rf_kernel_store_u64(k, size - 7, 0);
    assert_int_equal(rf_kernel_load_u64(k, size - 8), UINT64_C(0x1122334455667788));
    assert_int_equal(rf_kernel_load_u8(k, size + 1), 0);
    assert_int_equal(rf_kernel_load_u64(k, size - 6), 0);
    /* length_unsafe(size) passes the check and reads the header at size - 12. */
    rf_kernel_store_u8(k, size - 12, 1);
    rf_kernel_store_u64(k, size - 8, UINT64_C(7) << 32);   /* used at size - 4 */
    assert_int_equal(rf_kernel_length_unsafe(k, size), 7);
    assert_int_equal(rf_kernel_length_unsafe(k, size + 1), 0);

    /* store_u8 keeps the low byte of its i32. */
    rf_kernel_store_u8(k, p, 0x1234);
    assert_int_equal(rf_kernel_load_u8(k, p), 0x34);
    /* Unaligned u64 and reads past a block end are fine. */
    rf_kernel_store_u64(k, p + 29, UINT64_C(0xA1A2A3A4A5A6A7A8));
    assert_int_equal(rf_kernel_load_u64(k, p + 29), UINT64_C(0xA1A2A3A4A5A6A7A8));
}

static void test_slot_bounds(void **state)
{
    rf_kernel *k = K(state);
    uint64_t cap = rf_kernel_memory_bytes(k);        /* [65, 65 + 65472) */
    uint64_t p = rf_kernel_alloc(k, 16);

    rf_kernel_input_set(k, 65, 0);                   /* end 64: out */
    assert_int_equal(rf_kernel_input_offset(k), 0);
    rf_kernel_input_set(k, 66, 0);                   /* end 65: in */
    assert_int_equal(rf_kernel_input_offset(k), 66);
    assert_int_equal(rf_kernel_input_length(k), 0);
    rf_kernel_input_set(k, 65 + cap - 1, 1);
    assert_int_equal(rf_kernel_input_offset(k), 65 + cap - 1);
    rf_kernel_input_set(k, 65 + cap - 1, 2);         /* end past capacity */
    assert_int_equal(rf_kernel_input_length(k), 1);
    rf_kernel_input_set(k, 64, 1);
    assert_int_equal(rf_kernel_input_offset(k), 65 + cap - 1);
    /* The end is computed modulo 2^64, as upstream: 100 + (2^64-1) - 1 = 98. */
    rf_kernel_input_set(k, 100, UINT64_MAX);
    assert_int_equal(rf_kernel_input_offset(k), 100);
    assert_int_equal(rf_kernel_input_length(k), UINT64_MAX);
    /* Such an input reads what lies at 100 + off when that is in memory. */
    rf_kernel_store_u8(k, 101, 0x42);
    assert_int_equal(rf_kernel_input_load_u8(k, 1), 0x42);
    assert_int_equal(rf_kernel_input_load_u8(k, UINT64_MAX - 1), rf_kernel_load_u8(k, 98));
    assert_int_equal(rf_kernel_input_load_u8(k, mem_size(k)), 0);   /* past the memory */
    assert_int_equal(rf_kernel_input_load_u64(k, UINT64_C(1) << 40), 0);

    rf_kernel_output_set(k, 0, 0);
    assert_int_equal(rf_kernel_output_offset(k), 0);
    rf_kernel_output_set(k, p, 0);                   /* p > 65: accepted, empty */
    assert_int_equal(rf_kernel_output_offset(k), p);
    assert_int_equal(rf_kernel_output_length(k), 0);
    rf_kernel_output_set(k, 65 + cap, 1);
    assert_int_equal(rf_kernel_output_offset(k), p);
    rf_kernel_output_set(k, p, UINT64_MAX - p + 2);  /* end wraps to 0: out */
    assert_int_equal(rf_kernel_output_length(k), 0);

    rf_kernel_error_set(k, p);
    assert_int_equal(rf_kernel_error_get(k), p);
    rf_kernel_error_set(k, 64);                      /* ignored */
    rf_kernel_error_set(k, 65 + cap);                /* ignored */
    rf_kernel_error_set(k, UINT64_MAX);              /* ignored */
    assert_int_equal(rf_kernel_error_get(k), p);
    rf_kernel_error_set(k, 65 + cap - 1);            /* accepted, though no block */
    assert_int_equal(rf_kernel_error_get(k), 65 + cap - 1);
    rf_kernel_error_set(k, 0);                       /* clears */
    assert_int_equal(rf_kernel_error_get(k), 0);
}

/* A guest may overwrite headers (everything from byte 64 up is writable):
 * the kernel follows upstream's rules on what it finds and never leaves the
 * memory or loops forever. */
static void test_corrupted_headers(void **state)
{
    rf_kernel *k = K(state);
    uint64_t a = rf_kernel_alloc(k, 100);            /* 77 */
    uint64_t b = rf_kernel_alloc(k, 100);            /* 189 */
    uint64_t fill = rf_kernel_alloc(k, 65472 - 64 - 224 - 12 - 1);   /* mem_left 1 */
    assert_int_equal(b, 189);
    assert_true(fill > 0);

    /* Status 0 (Unused) is taken as it is once the bump space is gone. */
    rf_kernel_store_u8(k, a - 12, 0);
    assert_int_equal(rf_kernel_alloc(k, 5000), 77);  /* bigger than the block! */
    assert_int_equal(rf_kernel_length(k, 77), 5000);
    assert_int_equal(raw_u32(k, 65 + 4), 100);       /* size untouched */

    /* A size that would wrap a 32-bit walk: the walk just ends. */
    rf_kernel_store_u64(k, b - 12 + 4, 0xFFFFFFF4u);   /* size; used := 0 */
    assert_int_equal(rf_kernel_length(k, fill), 0);   /* unreachable now */
    assert_int_equal(rf_kernel_length(k, mem_size(k)), 0);
    rf_kernel_free_block(k, fill);
    uint64_t before = rf_kernel_memory_bytes(k);
    uint64_t c = rf_kernel_alloc(k, 10);             /* no reuse: grow and bump */
    assert_true(c > fill);
    assert_int_equal(rf_kernel_memory_bytes(k), before + PAGE);
    assert_int_equal(rf_kernel_length(k, c), 0);      /* behind the broken walk */
    assert_int_equal(rf_kernel_length_unsafe(k, c), 10);

    /* A Free block claiming more than the memory: its tail header would lie
     * outside, so it is not used. */
    rf_kernel_reset(k);
    uint64_t cap = rf_kernel_memory_bytes(k);
    a = rf_kernel_alloc(k, 100);
    fill = rf_kernel_alloc(k, cap - 64 - 112 - 12 - 1);   /* mem_left 1 */
    rf_kernel_free_block(k, a);
    rf_kernel_store_u64(k, a - 12 + 4, 0xFFFFFF00u);  /* size */
    c = rf_kernel_alloc(k, 1000);
    assert_int_equal(c, 65 + (cap - 65) + 12);       /* grown and bumped */
    assert_int_equal(rf_kernel_memory_bytes(k), cap + PAGE);
    assert_int_equal(rf_kernel_length_unsafe(k, c), 1000);
}

/* The reuse scan runs only when need <= position: with need > position the
 * memory grows even though an Unused block exists. */
static void test_scan_needs_position(void **state)
{
    rf_kernel *k = K(state);
    uint64_t a = rf_kernel_alloc(k, 100);            /* position 112 */
    rf_kernel_store_u8(k, a - 12, 0);
    /* need 65312 >= mem_left 65472 - 112 - 64 = 65296, but > 112. */
    assert_int_equal(rf_kernel_alloc(k, 65300), 65 + 112 + 12);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472 + PAGE);
    assert_int_equal(raw_u8(k, 65), 0);              /* still Unused */
}

/* Every function with hostile arguments leaves the memory exactly as it was. */
static void test_hostile_arguments(void **state)
{
    rf_kernel *k = K(state);
    uint64_t p = rf_kernel_alloc(k, 64);
    rf_kernel_input_set(k, p, 64);
    rf_kernel_output_set(k, p, 8);
    rf_kernel_error_set(k, p);
    uint64_t size = mem_size(k);
    uint8_t *snap = malloc((size_t)size);
    assert_non_null(snap);
    assert_true(rf_memory_read(rf_kernel_memory(k), 0, snap, (size_t)size));

    static const uint64_t bad[] = {
        UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 6, UINT64_MAX - 7, UINT64_MAX - 8,
        UINT64_C(1) << 63, UINT64_C(1) << 32, (UINT64_C(1) << 32) - 1, UINT64_C(0xffffffffffff),
        16 * PAGE + 1, 16 * PAGE, 16 * PAGE - 7, 63, 57 - 1, 1, 0,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = bad[i];
        if (v >= 64 && v <= size)
            continue;   /* in range: not hostile for loads/stores */
        assert_int_equal(rf_kernel_load_u8(k, v), 0);
        assert_int_equal(rf_kernel_length(k, v), 0);
        assert_int_equal(rf_kernel_length_unsafe(k, v), 0);
        rf_kernel_store_u8(k, v, 0xEE);
        rf_kernel_free_block(k, v);
        if (v + 7 < 64 || v + 7 > size) {
            assert_int_equal(rf_kernel_load_u64(k, v), 0);
            rf_kernel_store_u64(k, v, UINT64_MAX);
        }
        if (v != 0 && (v < 65 || v >= 65 + rf_kernel_memory_bytes(k)))
            rf_kernel_error_set(k, v);
        rf_kernel_output_set(k, v, v);
        rf_kernel_output_set(k, UINT64_MAX, v);
    }
    /* u64 tails that wrap: p + 7 < 64, ignored. */
    assert_int_equal(rf_kernel_load_u64(k, UINT64_MAX - 6), 0);
    rf_kernel_store_u64(k, UINT64_MAX - 3, UINT64_MAX);
    /* Input offsets beyond the input. */
    assert_int_equal(rf_kernel_input_load_u8(k, UINT64_MAX), 0);
    assert_int_equal(rf_kernel_input_load_u8(k, 64), 0);
    assert_int_equal(rf_kernel_input_load_u64(k, 57), 0);
    assert_int_equal(rf_kernel_input_load_u64(k, UINT64_MAX - 7 + 9), 0);
    rf_kernel_input_set(k, UINT64_MAX, UINT64_MAX);
    rf_kernel_input_set(k, UINT64_MAX, 2);
    /* Sizes that cannot be allocated. */
    assert_int_equal(rf_kernel_alloc(k, UINT64_MAX), 0);
    assert_int_equal(rf_kernel_alloc(k, UINT64_MAX - 11), 0);
    assert_int_equal(rf_kernel_alloc(k, UINT64_C(1) << 32), 0);
    assert_int_equal(rf_kernel_alloc(k, UINT32_MAX), 0);   /* beyond the 64 MiB limit */

    assert_int_equal(mem_size(k), size);
    uint8_t *now = malloc((size_t)size);
    assert_non_null(now);
    assert_true(rf_memory_read(rf_kernel_memory(k), 0, now, (size_t)size));
    assert_memory_equal(snap, now, (size_t)size);
    free(snap);
    free(now);

    /* input_load_u64 computes off + 8 modulo 2^64, as upstream: UINT64_MAX - 7
     * passes the check (0 > 64 is false) and reads input_offset - 8, the
     * input's own header. */
    assert_int_equal(rf_kernel_input_load_u64(k, UINT64_MAX - 7), rf_kernel_load_u64(k, p - 8));
    assert_int_equal(rf_kernel_length(k, p), 64);
    assert_int_equal(rf_kernel_input_length(k), 64);
    assert_int_equal(rf_kernel_error_get(k), p);
}

static void test_null_kernel(void **state)
{
    (void)state;
    assert_int_equal(rf_kernel_alloc(NULL, 5), 0);
    rf_kernel_free_block(NULL, 77);
    assert_int_equal(rf_kernel_length(NULL, 77), 0);
    assert_int_equal(rf_kernel_length_unsafe(NULL, 77), 0);
    assert_int_equal(rf_kernel_load_u8(NULL, 77), 0);
    assert_int_equal(rf_kernel_load_u64(NULL, 77), 0);
    rf_kernel_store_u8(NULL, 77, 1);
    rf_kernel_store_u64(NULL, 77, 1);
    assert_int_equal(rf_kernel_input_load_u8(NULL, 0), 0);
    assert_int_equal(rf_kernel_input_load_u64(NULL, 0), 0);
    rf_kernel_input_set(NULL, 77, 1);
    rf_kernel_output_set(NULL, 77, 1);
    assert_int_equal(rf_kernel_input_length(NULL), 0);
    assert_int_equal(rf_kernel_input_offset(NULL), 0);
    assert_int_equal(rf_kernel_output_length(NULL), 0);
    assert_int_equal(rf_kernel_output_offset(NULL), 0);
    rf_kernel_error_set(NULL, 77);
    assert_int_equal(rf_kernel_error_get(NULL), 0);
    rf_kernel_reset(NULL);
    assert_int_equal(rf_kernel_memory_bytes(NULL), 0);
    assert_null(rf_kernel_ptr(NULL, 0, 0));
    assert_null(rf_kernel_memory(NULL));
    rf_kernel_free(NULL);

    rf_error err;
    assert_null(rf_kernel_new(NULL, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_null(rf_kernel_new(NULL, NULL));
}

static void test_kernel_ptr(void **state)
{
    rf_kernel *k = K(state);
    uint64_t size = mem_size(k);
    uint8_t *base = rf_memory_data(rf_kernel_memory(k));
    assert_ptr_equal(rf_kernel_ptr(k, 0, size), base);
    assert_ptr_equal(rf_kernel_ptr(k, size, 0), base + size);
    assert_null(rf_kernel_ptr(k, size, 1));
    assert_null(rf_kernel_ptr(k, 1, size));
    assert_null(rf_kernel_ptr(k, size + 1, 0));
    assert_null(rf_kernel_ptr(k, 8, UINT64_MAX));
    assert_null(rf_kernel_ptr(k, UINT64_MAX, 2));

    uint64_t h = rf_kernel_alloc(k, 3);
    uint8_t *d = rf_kernel_ptr(k, h, 3);
    assert_non_null(d);
    memcpy(d, "xyz", 3);
    assert_int_equal(rf_kernel_load_u8(k, h + 2), 'z');
}

/* ---- property tests ------------------------------------------------------------------ */

#define MAX_OPS 96

typedef struct live_block {
    uint64_t h, n;
} live_block;

typedef struct model {
    live_block live[MAX_OPS];
    size_t count;
} model;

static uint8_t tag_of(uint64_t h, uint64_t i)
{
    return (uint8_t)((h * 31u + i * 7u) ^ (h >> 9) ^ 0x5Au);
}

/* The bytes tagged in each block: its first and last (up to) 8. */
static void tag_block(rf_kernel *k, uint64_t h, uint64_t n, bool check)
{
    uint64_t span = n < 8 ? n : 8;
    for (uint64_t j = 0; j < 2 * span; j++) {
        uint64_t i = j < span ? j : n - span + (j - span);
        if (check) {
            if (rf_kernel_load_u8(k, h + i) != tag_of(h, i))
                fail_msg("block %llu (%llu bytes): byte %llu changed", (unsigned long long)h,
                         (unsigned long long)n, (unsigned long long)i);
        } else {
            rf_kernel_store_u8(k, h + i, tag_of(h, i));
        }
    }
}

/* Every live block has its exact length through both functions, keeps its
 * contents, and lies inside the memory. */
static void check_model(rf_kernel *k, const model *m)
{
    for (size_t i = 0; i < m->count; i++) {
        const live_block *b = &m->live[i];
        if (rf_kernel_length(k, b->h) != b->n || rf_kernel_length_unsafe(k, b->h) != b->n)
            fail_msg("block %llu: length %llu, length_unsafe %llu, allocated %llu",
                     (unsigned long long)b->h, (unsigned long long)rf_kernel_length(k, b->h),
                     (unsigned long long)rf_kernel_length_unsafe(k, b->h),
                     (unsigned long long)b->n);
        assert_true(b->h + b->n <= mem_size(k));
        tag_block(k, b->h, b->n, true);
    }
}

static void model_add(rf_kernel *k, model *m, uint64_t h, uint64_t n)
{
    assert_true(h >= 77);
    assert_true(h + n <= mem_size(k));
    for (size_t i = 0; i < m->count; i++) {
        const live_block *o = &m->live[i];
        /* [h - 12, h + n) must not meet [o->h - 12, o->h + o->n). */
        if (h - 12 < o->h + o->n && o->h - 12 < h + n)
            fail_msg("block %llu+%llu overlaps live block %llu+%llu", (unsigned long long)h,
                     (unsigned long long)n, (unsigned long long)o->h,
                     (unsigned long long)o->n);
    }
    assert_true(m->count < MAX_OPS);
    m->live[m->count].h = h;
    m->live[m->count].n = n;
    m->count++;
    tag_block(k, h, n, false);
}

static void model_remove(model *m, uint64_t h)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->live[i].h == h) {
            m->live[i] = m->live[--m->count];
            return;
        }
}

static uint64_t random_u16(uint64_t *seed)
{
    static const uint64_t special[] = { 0, 1, 2, 11, 12, 13, 116, 127, 128, 129, 140, 65535 };
    uint64_t r = next_random(seed);
    switch (r % 10) {
    case 0:
        return special[(r >> 8) % (sizeof special / sizeof special[0])];
    case 1:
    case 2:
        return (r >> 8) % 300;
    default:
        return (r >> 8) & 0xFFFF;
    }
}

static uint64_t random_u32(uint64_t *seed)
{
    static const uint64_t special[] = { 0, 1, 65535, 65536, 65524, 1u << 31, UINT32_MAX,
                                        UINT32_MAX - 12, 200000 };
    uint64_t r = next_random(seed);
    switch (r % 10) {
    case 0:
        return special[(r >> 8) % (sizeof special / sizeof special[0])];
    case 1:
    case 2:
        return (r >> 8) % 300;
    case 3:
    case 4:
    case 5:
        return (r >> 8) % (1u << 20);
    default:
        return (r >> 8) & 0xFFFFFFFFu;
    }
}

/* One quickcheck-style run: allocate `ops` sizes; with `frees`, free as
 * upstream's check_alloc_with_frees does (even size: this block; multiple of
 * 3: the previous one). Checks the whole model after every step. */
static void run_sequence(rf_kernel *k, uint64_t seed, size_t ops, bool large, bool frees)
{
    model m;
    memset(&m, 0, sizeof m);
    uint64_t prev = 0;
    for (size_t step = 0; step < ops; step++) {
        uint64_t a = large ? random_u32(&seed) : random_u16(&seed);
        uint64_t h = rf_kernel_alloc(k, a);
        if (a == 0)
            assert_int_equal(h, 0);
        if (h == 0) {
            check_model(k, &m);
            continue;
        }
        if (rf_kernel_length(k, h) != a)
            fail_msg("alloc(%llu) = %llu has length %llu", (unsigned long long)a,
                     (unsigned long long)h, (unsigned long long)rf_kernel_length(k, h));
        model_add(k, &m, h, a);
        if (frees) {
            if (a % 2 == 0) {
                rf_kernel_free_block(k, h);
                model_remove(&m, h);
            } else if (a % 3 == 0) {
                rf_kernel_free_block(k, prev);
                model_remove(&m, prev);
            }
        }
        prev = h;
        check_model(k, &m);
    }
}

static void test_property_u16(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 24; seed++) {
        rf_store *s = store_with(64 * MIB, 0);
        rf_kernel *k = kernel_in(s);
        run_sequence(k, seed, MAX_OPS, false, seed % 2 == 0);
        rf_store_free(s);
        rf_kernel_free(k);
    }
}

/* u32 sizes need upstream's 4 GiB address space: most runs fill it, so
 * failed allocations (0) are exercised too. */
static void test_property_u32(void **state)
{
    (void)state;
    for (uint64_t seed = 101; seed <= 108; seed++) {
        rf_store *s = store_with(4 * GIB, 0);
        rf_kernel *k = kernel_in(s);
        run_sequence(k, seed, MAX_OPS, true, seed % 2 == 0);
        rf_store_free(s);
        rf_kernel_free(k);
    }
}

/* upstream check_alloc_with_load_and_store, plus u64 round trips. */
static void test_property_load_store(void **state)
{
    (void)state;
    for (uint64_t seed = 201; seed <= 210; seed++) {
        rf_store *s = store_with(64 * MIB, 0);
        rf_kernel *k = kernel_in(s);
        uint64_t rs = seed;
        for (size_t step = 0; step < 48; step++) {
            uint64_t a = random_u16(&rs);
            uint64_t h = rf_kernel_alloc(k, a);
            if (h == 0)
                continue;
            assert_int_equal(rf_kernel_length(k, h), a);
            for (int t = 0; t < 16; t++) {
                uint64_t i = h + next_random(&rs) % a;
                rf_kernel_store_u8(k, i, (uint32_t)i);
                assert_int_equal(rf_kernel_load_u8(k, i), (uint8_t)i);
                if (a >= 8) {
                    uint64_t j = h + next_random(&rs) % (a - 7);
                    uint64_t v = next_random(&rs);
                    rf_kernel_store_u64(k, j, v);
                    assert_int_equal(rf_kernel_load_u64(k, j), v);
                    assert_int_equal(rf_kernel_load_u8(k, j + 3), (uint8_t)(v >> 24));
                }
            }
        }
        rf_store_free(s);
        rf_kernel_free(k);
    }
}

/* ---- memory budget ------------------------------------------------------------------------ */

static void test_budget_exhaustion(void **state)
{
    (void)state;
    rf_store *s = store_with(0, 2 * MIB);
    rf_kernel *k = kernel_in(s);
    assert_int_equal(mem_size(k), 16 * PAGE);
    assert_int_equal(rf_store_memory_in_use(s), 16 * PAGE);

    /* need 600012, mem_left 65408: 9 pages -> 25 pages (1.56 MiB). */
    uint64_t a = rf_kernel_alloc(k, 600000);
    assert_int_equal(a, 77);
    assert_int_equal(mem_size(k), 25 * PAGE);
    for (uint64_t i = 0; i < 600000; i += 4099)
        rf_kernel_store_u8(k, a + i, (uint32_t)(i / 4099));

    /* Another 600000 would need 9 more pages: 34 > 32 (2 MiB). */
    uint64_t pos = position_of(k);
    uint64_t cap = rf_kernel_memory_bytes(k);
    assert_int_equal(rf_kernel_alloc(k, 600000), 0);
    assert_int_equal(position_of(k), pos);
    assert_int_equal(rf_kernel_memory_bytes(k), cap);
    assert_int_equal(mem_size(k), 25 * PAGE);
    assert_true(rf_store_memory_in_use(s) <= 2 * MIB);
    assert_int_equal(rf_memory_get_stats(rf_kernel_memory(k)).refused_grows, 1);
    assert_int_equal(rf_kernel_length(k, a), 600000);
    for (uint64_t i = 0; i < 600000; i += 4099)
        assert_int_equal(rf_kernel_load_u8(k, a + i), (uint8_t)(i / 4099));

    /* Small allocations still bump: 65 + 600012 + 12. */
    uint64_t c = rf_kernel_alloc(k, 100);
    assert_int_equal(c, 600089);
    assert_int_equal(rf_kernel_length(k, c), 100);

    /* Reuse needs no growth: a is split, tail 500000 at 65 + 12 + 99988. */
    rf_kernel_free_block(k, a);
    assert_int_equal(rf_kernel_alloc(k, 500000), 100077);
    assert_int_equal(rf_kernel_length(k, 100077), 500000);
    assert_int_equal(mem_size(k), 25 * PAGE);
    rf_store_free(s);
    rf_kernel_free(k);
}

/* When 16 pages do not fit, the kernel starts with the most that do. */
static void test_small_budget_start(void **state)
{
    (void)state;
    rf_store *s = store_with(0, 200 * 1024);         /* 3 pages fit, 4 do not */
    rf_kernel *k = kernel_in(s);
    assert_int_equal(mem_size(k), 3 * PAGE);
    assert_int_equal(rf_kernel_memory_bytes(k), 65472);
    assert_int_equal(rf_kernel_alloc(k, 10), 77);
    rf_store_free(s);
    rf_kernel_free(k);

    s = store_with(2 * PAGE, 0);                     /* the memory limit, too */
    k = kernel_in(s);
    assert_int_equal(mem_size(k), 2 * PAGE);
    rf_store_free(s);
    rf_kernel_free(k);

    /* One page: the allocator still works inside it. */
    s = store_with(0, PAGE);
    k = kernel_in(s);
    assert_int_equal(mem_size(k), PAGE);
    assert_int_equal(rf_kernel_alloc(k, 65395), 77);   /* need 65407 < 65408 */
    assert_int_equal(rf_kernel_alloc(k, 1), 0);        /* must grow: refused */
    assert_int_equal(rf_kernel_length(k, 77), 65395);
    rf_kernel_store_u8(k, 77 + 65394, 9);
    assert_int_equal(rf_kernel_load_u8(k, 77 + 65394), 9);
    rf_kernel_free_block(k, 77);
    /* Split: head 65395 - 13 = 65382, tail handle 65 + 12 + 65382 + 12. */
    assert_int_equal(rf_kernel_alloc(k, 1), 65471);
    assert_int_equal(rf_kernel_length(k, 65471), 1);
    /* The capacity reaches one byte past this memory: that byte reads 0. */
    rf_kernel_input_set(k, 65536, 1);
    assert_int_equal(rf_kernel_input_offset(k), 65536);
    assert_int_equal(rf_kernel_input_load_u8(k, 0), 0);
    assert_int_equal(rf_kernel_input_load_u64(k, 0), 0);
    rf_kernel_reset(k);
    assert_int_equal(rf_kernel_alloc(k, 3), 77);
    rf_store_free(s);
    rf_kernel_free(k);

    /* Less than a page: no kernel, and the error says why. */
    s = store_with(0, PAGE - 1);
    rf_error err;
    assert_null(rf_kernel_new(s, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "kernel memory"));
    assert_non_null(strstr(err.message, "budget"));
    rf_store_free(s);
}

/* ---- host functions ------------------------------------------------------------------------ */

typedef struct expected_type {
    const char *name;
    const char *params;      /* 'I' = i64, 'i' = i32 */
    const char *results;
} expected_type;

/* Section 4 of extism-abi.md. */
static const expected_type kernel_types[] = {
    { "alloc", "I", "I" },          { "free", "I", "" },
    { "length", "I", "I" },         { "length_unsafe", "I", "I" },
    { "load_u8", "I", "i" },        { "load_u64", "I", "I" },
    { "store_u8", "Ii", "" },       { "store_u64", "II", "" },
    { "input_load_u8", "I", "i" },  { "input_load_u64", "I", "I" },
    { "input_length", "", "I" },    { "input_offset", "", "I" },
    { "input_set", "II", "" },      { "output_set", "II", "" },
    { "output_length", "", "I" },   { "output_offset", "", "I" },
    { "error_set", "I", "" },       { "error_get", "", "I" },
    { "reset", "", "" },            { "memory_bytes", "", "I" },
};

static void check_types(const char *want, uint32_t n, const rf_valtype *got, const char *name)
{
    if (strlen(want) != n)
        fail_msg("%s: %u values, expected %zu", name, n, strlen(want));
    for (uint32_t i = 0; i < n; i++)
        if (got[i] != (want[i] == 'I' ? RF_I64 : RF_I32))
            fail_msg("%s: value %u is %s", name, i, rf_valtype_name(got[i]));
}

static void test_import_types(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof kernel_types / sizeof kernel_types[0]; i++) {
        const expected_type *t = &kernel_types[i];
        assert_true(rf_kernel_is_export(t->name));
        rf_func *fn = rf_kernel_import(f->k, f->s, t->name);
        if (!fn)
            fail_msg("no host function for %s", t->name);
        rf_signature sig = rf_func_signature(fn);
        check_types(t->params, sig.nparams, sig.params, t->name);
        check_types(t->results, sig.nresults, sig.results, t->name);
    }
    static const char *not_kernel[] = { "memory", "extism_context", "config_get", "var_get",
                                        "log_info", "http_request", "", "alloc ", "Alloc" };
    for (size_t i = 0; i < sizeof not_kernel / sizeof not_kernel[0]; i++) {
        assert_false(rf_kernel_is_export(not_kernel[i]));
        assert_null(rf_kernel_import(f->k, f->s, not_kernel[i]));
    }
    assert_false(rf_kernel_is_export(NULL));
    assert_null(rf_kernel_import(f->k, f->s, NULL));
    assert_null(rf_kernel_import(NULL, f->s, "alloc"));
    assert_null(rf_kernel_import(f->k, NULL, "alloc"));
}

static uint64_t call1(fixture *f, const char *name, const rf_value *args, size_t nargs,
                      rf_valtype result_type)
{
    rf_func *fn = rf_kernel_import(f->k, f->s, name);
    assert_non_null(fn);
    rf_value res[1];
    memset(res, 0, sizeof res);
    rf_error err;
    rf_error_kind kind = rf_call(fn, args, nargs, res, 1, &err);
    if (kind != RF_OK)
        fail_msg("%s: %s", name, err.message);
    assert_int_equal(res[0].type, result_type);
    return result_type == RF_I32 ? res[0].of.i32 : res[0].of.i64;
}

static void call0(fixture *f, const char *name, const rf_value *args, size_t nargs)
{
    rf_func *fn = rf_kernel_import(f->k, f->s, name);
    assert_non_null(fn);
    rf_error err;
    if (rf_call(fn, args, nargs, NULL, 0, &err) != RF_OK)
        fail_msg("%s: %s", name, err.message);
}

static void test_host_calls(void **state)
{
    fixture *f = *state;
    rf_value a[2];
    a[0] = rf_val_i64(10);
    uint64_t h = call1(f, "alloc", a, 1, RF_I64);
    assert_int_equal(h, 77);
    a[0] = rf_val_i64(h);
    assert_int_equal(call1(f, "length", a, 1, RF_I64), 10);
    assert_int_equal(call1(f, "length_unsafe", a, 1, RF_I64), 10);

    a[0] = rf_val_i64(h);
    a[1] = rf_val_i32(0x1AB);
    call0(f, "store_u8", a, 2);
    a[0] = rf_val_i64(h);
    assert_int_equal(call1(f, "load_u8", a, 1, RF_I32), 0xAB);
    a[0] = rf_val_i64(h + 1);
    a[1] = rf_val_i64(UINT64_C(0x0102030405060708));
    call0(f, "store_u64", a, 2);
    a[0] = rf_val_i64(h + 1);
    assert_int_equal(call1(f, "load_u64", a, 1, RF_I64), UINT64_C(0x0102030405060708));
    a[0] = rf_val_i64(UINT64_MAX);
    assert_int_equal(call1(f, "load_u64", a, 1, RF_I64), 0);

    a[0] = rf_val_i64(h);
    a[1] = rf_val_i64(10);
    call0(f, "input_set", a, 2);
    assert_int_equal(call1(f, "input_offset", NULL, 0, RF_I64), h);
    assert_int_equal(call1(f, "input_length", NULL, 0, RF_I64), 10);
    a[0] = rf_val_i64(0);
    assert_int_equal(call1(f, "input_load_u8", a, 1, RF_I32), 0xAB);
    a[0] = rf_val_i64(1);
    assert_int_equal(call1(f, "input_load_u64", a, 1, RF_I64), UINT64_C(0x0102030405060708));
    a[0] = rf_val_i64(3);
    assert_int_equal(call1(f, "input_load_u64", a, 1, RF_I64), 0);   /* 3 + 8 > 10 */

    a[0] = rf_val_i64(h + 2);
    a[1] = rf_val_i64(4);
    call0(f, "output_set", a, 2);
    assert_int_equal(call1(f, "output_offset", NULL, 0, RF_I64), h + 2);
    assert_int_equal(call1(f, "output_length", NULL, 0, RF_I64), 4);

    a[0] = rf_val_i64(h);
    call0(f, "error_set", a, 1);
    assert_int_equal(call1(f, "error_get", NULL, 0, RF_I64), h);
    assert_int_equal(call1(f, "memory_bytes", NULL, 0, RF_I64), 65472);

    a[0] = rf_val_i64(h);
    call0(f, "free", a, 1);
    assert_int_equal(rf_kernel_length(f->k, h), 0);
    assert_int_equal(rf_kernel_input_length(f->k), 0);   /* freed the input */

    call0(f, "reset", NULL, 0);
    assert_int_equal(rf_kernel_error_get(f->k), 0);
    a[0] = rf_val_i64(3);
    assert_int_equal(call1(f, "alloc", a, 1, RF_I64), 77);

    /* The engine checks arity and types before the kernel sees anything. */
    rf_func *alloc = rf_kernel_import(f->k, f->s, "alloc");
    rf_value res[1];
    rf_error err;
    a[0] = rf_val_i32(3);
    assert_int_not_equal(rf_call(alloc, a, 1, res, 1, &err), RF_OK);
    assert_int_not_equal(rf_call(alloc, a, 0, res, 1, &err), RF_OK);
}

/*
 * A module importing all twenty kernel functions with their exact types
 * (so linking checks every signature), built with wat2wasm from:
 *
 *   (module
 *     (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
 *     (import "extism:host/env" "free" (func $free (param i64)))
 *     (import "extism:host/env" "length" (func $length (param i64) (result i64)))
 *     (import "extism:host/env" "length_unsafe" (func $length_unsafe (param i64) (result i64)))
 *     (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
 *     (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
 *     (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
 *     (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
 *     (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
 *     (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
 *     (import "extism:host/env" "input_length" (func $input_length (result i64)))
 *     (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
 *     (import "extism:host/env" "input_set" (func $input_set (param i64 i64)))
 *     (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
 *     (import "extism:host/env" "output_length" (func $output_length (result i64)))
 *     (import "extism:host/env" "output_offset" (func $output_offset (result i64)))
 *     (import "extism:host/env" "error_set" (func $error_set (param i64)))
 *     (import "extism:host/env" "error_get" (func $error_get (result i64)))
 *     (import "extism:host/env" "reset" (func $reset))
 *     (import "extism:host/env" "memory_bytes" (func $memory_bytes (result i64)))
 *     ;; Echo the input uppercased (ASCII a-z) into a new block and make it
 *     ;; the output; returns the output handle.
 *     (func (export "upper") (result i64)
 *       (local $n i64) (local $out i64) (local $i i64) (local $c i32)
 *       (local.set $n (call $input_length))
 *       (local.set $out (call $alloc (local.get $n)))
 *       (block $done
 *         (loop $next
 *           (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
 *           (local.set $c (call $input_load_u8 (local.get $i)))
 *           (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
 *                        (i32.le_u (local.get $c) (i32.const 122)))
 *             (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
 *           (call $store_u8 (i64.add (local.get $out) (local.get $i)) (local.get $c))
 *           (local.set $i (i64.add (local.get $i) (i64.const 1)))
 *           (br $next)))
 *       (call $output_set (local.get $out) (local.get $n))
 *       (local.get $out)))
 */
static const uint8_t link_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x20, 0x07, 0x60, 0x01, 0x7e, 0x01, 0x7e,
    0x60, 0x01, 0x7e, 0x00, 0x60, 0x01, 0x7e, 0x01, 0x7f, 0x60, 0x02, 0x7e, 0x7f, 0x00, 0x60, 0x02,
    0x7e, 0x7e, 0x00, 0x60, 0x00, 0x01, 0x7e, 0x60, 0x00, 0x00, 0x02, 0xbc, 0x04, 0x14, 0x0f, 0x65,
    0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x05, 0x61,
    0x6c, 0x6c, 0x6f, 0x63, 0x00, 0x00, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f,
    0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x04, 0x66, 0x72, 0x65, 0x65, 0x00, 0x01, 0x0f, 0x65, 0x78,
    0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x06, 0x6c, 0x65,
    0x6e, 0x67, 0x74, 0x68, 0x00, 0x00, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f,
    0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x0d, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0x5f, 0x75, 0x6e,
    0x73, 0x61, 0x66, 0x65, 0x00, 0x00, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f,
    0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x07, 0x6c, 0x6f, 0x61, 0x64, 0x5f, 0x75, 0x38, 0x00, 0x02,
    0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76,
    0x08, 0x6c, 0x6f, 0x61, 0x64, 0x5f, 0x75, 0x36, 0x34, 0x00, 0x00, 0x0f, 0x65, 0x78, 0x74, 0x69,
    0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x08, 0x73, 0x74, 0x6f, 0x72,
    0x65, 0x5f, 0x75, 0x38, 0x00, 0x03, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f,
    0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x09, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x5f, 0x75, 0x36, 0x34,
    0x00, 0x04, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65,
    0x6e, 0x76, 0x0d, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x6c, 0x6f, 0x61, 0x64, 0x5f, 0x75, 0x38,
    0x00, 0x02, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65,
    0x6e, 0x76, 0x0e, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x6c, 0x6f, 0x61, 0x64, 0x5f, 0x75, 0x36,
    0x34, 0x00, 0x00, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f,
    0x65, 0x6e, 0x76, 0x0c, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68,
    0x00, 0x05, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65,
    0x6e, 0x76, 0x0c, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x6f, 0x66, 0x66, 0x73, 0x65, 0x74, 0x00,
    0x05, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e,
    0x76, 0x09, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x00, 0x04, 0x0f, 0x65, 0x78,
    0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x0a, 0x6f, 0x75,
    0x74, 0x70, 0x75, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x00, 0x04, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73,
    0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x0d, 0x6f, 0x75, 0x74, 0x70, 0x75,
    0x74, 0x5f, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0x00, 0x05, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73,
    0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x0d, 0x6f, 0x75, 0x74, 0x70, 0x75,
    0x74, 0x5f, 0x6f, 0x66, 0x66, 0x73, 0x65, 0x74, 0x00, 0x05, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73,
    0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x09, 0x65, 0x72, 0x72, 0x6f, 0x72,
    0x5f, 0x73, 0x65, 0x74, 0x00, 0x01, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f,
    0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x09, 0x65, 0x72, 0x72, 0x6f, 0x72, 0x5f, 0x67, 0x65, 0x74,
    0x00, 0x05, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73, 0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65,
    0x6e, 0x76, 0x05, 0x72, 0x65, 0x73, 0x65, 0x74, 0x00, 0x06, 0x0f, 0x65, 0x78, 0x74, 0x69, 0x73,
    0x6d, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x65, 0x6e, 0x76, 0x0c, 0x6d, 0x65, 0x6d, 0x6f, 0x72,
    0x79, 0x5f, 0x62, 0x79, 0x74, 0x65, 0x73, 0x00, 0x05, 0x03, 0x02, 0x01, 0x05, 0x07, 0x09, 0x01,
    0x05, 0x75, 0x70, 0x70, 0x65, 0x72, 0x00, 0x14, 0x0a, 0x56, 0x01, 0x54, 0x02, 0x03, 0x7e, 0x01,
    0x7f, 0x10, 0x0a, 0x21, 0x00, 0x20, 0x00, 0x10, 0x00, 0x21, 0x01, 0x02, 0x40, 0x03, 0x40, 0x20,
    0x02, 0x20, 0x00, 0x5a, 0x0d, 0x01, 0x20, 0x02, 0x10, 0x08, 0x21, 0x03, 0x20, 0x03, 0x41, 0xe1,
    0x00, 0x4f, 0x20, 0x03, 0x41, 0xfa, 0x00, 0x4d, 0x71, 0x04, 0x40, 0x20, 0x03, 0x41, 0x20, 0x6b,
    0x21, 0x03, 0x0b, 0x20, 0x01, 0x20, 0x02, 0x7c, 0x20, 0x03, 0x10, 0x06, 0x20, 0x02, 0x42, 0x01,
    0x7c, 0x21, 0x02, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x20, 0x00, 0x10, 0x0d, 0x20, 0x01, 0x0b
};

static void test_guest_module(void **state)
{
    (void)state;
    fixture fx = { store_with(0, 0), NULL };
    fixture *f = &fx;
    f->k = kernel_in(f->s);
    rf_error err;
    rf_module *m = rf_module_load(link_wasm, sizeof link_wasm, NULL, &err);
    if (!m)
        fail_msg("load: %s", err.message);
    size_t n = rf_module_import_count(m);
    assert_int_equal(n, 20);
    rf_extern imports[20];
    for (size_t i = 0; i < n; i++) {
        rf_import_desc d;
        assert_true(rf_module_import(m, i, &d));
        assert_string_equal(d.module, "extism:host/env");
        imports[i].kind = RF_EXTERN_FUNC;
        imports[i].of.func = rf_kernel_import(f->k, f->s, d.name);
        assert_non_null(imports[i].of.func);
    }
    rf_instance *inst = rf_instantiate(f->s, m, imports, n, &err);
    if (!inst)
        fail_msg("instantiate: %s", err.message);
    rf_extern ex;
    assert_true(rf_instance_export(inst, "upper", 5, &ex));

    /* The host puts the input in as a plugin host would. */
    static const char input[] = "Hello, kernel!";
    uint64_t len = sizeof input - 1;
    uint64_t in = rf_kernel_alloc(f->k, len);
    memcpy(rf_kernel_ptr(f->k, in, len), input, len);
    rf_kernel_input_set(f->k, in, len);

    rf_value res[1];
    if (rf_call(ex.of.func, NULL, 0, res, 1, &err) != RF_OK)
        fail_msg("upper: %s", err.message);
    uint64_t out = res[0].of.i64;
    assert_int_equal(out, 77 + len + 12);
    assert_int_equal(rf_kernel_output_offset(f->k), out);
    assert_int_equal(rf_kernel_output_length(f->k), len);
    const uint8_t *bytes = rf_kernel_ptr(f->k, out, len);
    assert_non_null(bytes);
    assert_memory_equal(bytes, "HELLO, KERNEL!", len);
    /* The store (instance, memory, host functions) goes first, then the
     * module it was instantiated from and the kernel. */
    rf_store_free(f->s);
    rf_module_free(m);
    rf_kernel_free(f->k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upstream_allocations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upstream_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upstream_load_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upstream_load_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quickcheck_regression_u16, setup, teardown),
        cmocka_unit_test(test_quickcheck_regression_u32),
        cmocka_unit_test_setup_teardown(test_extra_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bump_first_then_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_growth_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_store_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slot_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupted_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_needs_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_arguments, setup, teardown),
        cmocka_unit_test(test_null_kernel),
        cmocka_unit_test_setup_teardown(test_kernel_ptr, setup, teardown),
        cmocka_unit_test(test_property_u16),
        cmocka_unit_test(test_property_u32),
        cmocka_unit_test(test_property_load_store),
        cmocka_unit_test(test_budget_exhaustion),
        cmocka_unit_test(test_small_budget_start),
        cmocka_unit_test_setup_teardown(test_import_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_calls, setup, teardown),
        cmocka_unit_test(test_guest_module),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
