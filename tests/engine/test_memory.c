/*
 * test_memory.c — linear memories: limits (store default, explicit, ceiling),
 * growth and its statistics, bounds-checked access, the reserve-then-commit
 * mapping (stable base, inaccessible tail, low resident size).
 */
#define _DEFAULT_SOURCE /* fork, sysconf */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reflow/engine.h"
#include "runtime.h"

#define PAGE 65536u
#define MIB (1024u * 1024u)

static rf_limits_desc pages(uint64_t min, bool has_max, uint64_t max)
{
    rf_limits_desc l = { min, max, has_max };
    return l;
}

static rf_store *store_with_limit(uint64_t limit, uint64_t ceiling)
{
    rf_store_config cfg = { 0 };
    cfg.memory_limit = limit;
    cfg.memory_ceiling = ceiling;
    rf_error err;
    rf_store *s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    assert_int_equal(err.kind, RF_OK);
    return s;
}

/* Resident set size of this process in bytes. */
static uint64_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    unsigned long size = 0, resident = 0;
    assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* A memory without a declared maximum stops at the default 16 MiB limit. */
static void default_limit_stops_growth_at_256_pages(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    assert_non_null(s);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(0, false, 0), &err);
    assert_non_null(mem);
    assert_int_equal(rf_memory_size(mem), 0);

    for (int64_t i = 0; i < 256; i++) {
        assert_int_equal(rf_memory_grow(mem, 1), i);
        /* the new page is committed: its last byte can be written and read back */
        uint8_t v = (uint8_t)(i + 1), back = 0;
        assert_true(rf_memory_write(mem, (uint64_t)(i + 1) * PAGE - 1, &v, 1));
        assert_true(rf_memory_read(mem, (uint64_t)(i + 1) * PAGE - 1, &back, 1));
        assert_int_equal(back, v);
    }
    assert_int_equal(rf_memory_size(mem), 16 * MIB);
    assert_int_equal(rf_memory_grow(mem, 1), -1);
    assert_int_equal(rf_memory_size(mem), 16 * MIB);

    rf_memory_stats st = rf_memory_get_stats(mem);
    assert_int_equal(st.current_bytes, 16 * MIB);
    assert_int_equal(st.peak_bytes, 16 * MIB);
    assert_int_equal(st.limit_bytes, 16 * MIB);
    assert_int_equal(st.grow_count, 256);
    assert_int_equal(st.refused_grows, 1);
    rf_store_free(s);
}

static void explicit_limit_caps_declared_maximum(void **state)
{
    (void)state;
    rf_store *s = store_with_limit(1 * MIB, 0); /* 16 pages */
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(2, true, 100), &err);
    assert_non_null(mem);
    assert_int_equal(rf_memory_get_stats(mem).limit_bytes, 1 * MIB);
    assert_int_equal(rf_memory_grow(mem, 15), -1);  /* 17 pages > 16 */
    assert_int_equal(rf_memory_grow(mem, 14), 2);
    assert_int_equal(rf_memory_size(mem), 16 * PAGE);
    assert_int_equal(rf_memory_grow(mem, 1), -1);

    /* a minimum above the limit is refused with both figures in the message */
    assert_null(rf_memory_new(s, pages(17, false, 0), &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_string_equal(err.message,
                        "memory minimum 17 pages (1.06 MiB) exceeds the memory limit of 1 MiB");
    rf_store_free(s);
}

/* A limit that is not a whole number of pages rounds down. */
static void limit_rounds_down_to_pages(void **state)
{
    (void)state;
    rf_store *s = store_with_limit(3 * PAGE + 100, 0);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(0, false, 0), &err);
    assert_non_null(mem);
    assert_int_equal(rf_memory_get_stats(mem).limit_bytes, 3 * PAGE);
    assert_int_equal(rf_memory_grow(mem, 4), -1);
    assert_int_equal(rf_memory_grow(mem, 3), 0);
    rf_store_free(s);
}

static void declared_maximum_below_limit_wins(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(1, true, 3), &err);
    assert_non_null(mem);
    assert_int_equal(rf_memory_get_stats(mem).limit_bytes, 3 * PAGE);
    assert_int_equal(rf_memory_grow(mem, 3), -1);
    assert_int_equal(rf_memory_grow(mem, 2), 1);
    assert_int_equal(rf_memory_grow(mem, 1), -1);
    rf_store_free(s);
}

static void limit_above_ceiling_is_refused(void **state)
{
    (void)state;
    rf_store_config cfg = { 0 };
    cfg.memory_limit = 200 * (uint64_t)MIB;
    rf_error err;
    assert_null(rf_store_new(&cfg, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_string_equal(err.message, "memory limit 200 MiB exceeds the ceiling of 100 MiB; "
                                     "raise memory_ceiling explicitly to allow it");
}

static void raised_ceiling_allows_larger_memories(void **state)
{
    (void)state;
    rf_store *s = store_with_limit(200 * (uint64_t)MIB, 1024 * (uint64_t)MIB);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(0, false, 0), &err);
    assert_non_null(mem);
    assert_int_equal(rf_memory_get_stats(mem).limit_bytes, 200 * (uint64_t)MIB);
    assert_int_equal(rf_memory_grow(mem, 3200), 0); /* 200 MiB */
    assert_int_equal(rf_memory_grow(mem, 1), -1);
    uint8_t v = 7;
    assert_true(rf_memory_write(mem, 200 * (uint64_t)MIB - 1, &v, 1));
    rf_store_free(s);

    /* the ceiling goes up to 4 GiB, no further */
    s = store_with_limit(4096 * (uint64_t)MIB, 4096 * (uint64_t)MIB);
    mem = rf_memory_new(s, pages(1, false, 0), &err);
    assert_non_null(mem);
    assert_int_equal(rf_memory_get_stats(mem).limit_bytes, 4096 * (uint64_t)MIB);
    rf_store_free(s);

    rf_store_config cfg = { 0 };
    cfg.memory_ceiling = 4096 * (uint64_t)MIB + PAGE;
    assert_null(rf_store_new(&cfg, &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "exceeds 4 GiB"));
}

static void stats_count_grows_and_refusals(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(2, true, 5), &err);
    assert_non_null(mem);
    rf_memory_stats st = rf_memory_get_stats(mem);
    assert_int_equal(st.current_bytes, 2 * PAGE);
    assert_int_equal(st.peak_bytes, 2 * PAGE);
    assert_int_equal(st.limit_bytes, 5 * PAGE);
    assert_int_equal(st.grow_count, 0);
    assert_int_equal(st.refused_grows, 0);

    assert_int_equal(rf_memory_grow(mem, 0), 2);          /* a grow by 0 succeeds */
    assert_int_equal(rf_memory_grow(mem, 1), 2);
    assert_int_equal(rf_memory_grow(mem, 3), -1);
    assert_int_equal(rf_memory_grow(mem, UINT64_MAX), -1);
    assert_int_equal(rf_memory_grow(mem, 2), 3);
    st = rf_memory_get_stats(mem);
    assert_int_equal(st.current_bytes, 5 * PAGE);
    assert_int_equal(st.peak_bytes, 5 * PAGE);
    assert_int_equal(st.grow_count, 3);
    assert_int_equal(st.refused_grows, 2);
    rf_store_free(s);
}

/* A store-wide budget covers all memories and host reservations together. */
static void store_budget_covers_all_memories_and_reservations(void **state)
{
    (void)state;
    rf_store_config cfg = { 0 };
    cfg.memory_budget = 10 * PAGE;
    rf_error err;
    rf_store *s = rf_store_new(&cfg, &err);
    assert_non_null(s);
    rf_memory *a = rf_memory_new(s, pages(4, false, 0), &err);
    assert_non_null(a);
    rf_memory *b = rf_memory_new(s, pages(3, false, 0), &err);
    assert_non_null(b);
    assert_int_equal(rf_store_memory_in_use(s), 7 * PAGE);

    /* a third memory whose minimum does not fit is refused with a limit error */
    assert_null(rf_memory_new(s, pages(4, false, 0), &err));
    assert_int_equal(err.kind, RF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "budget"));
    assert_int_equal(rf_store_memory_in_use(s), 7 * PAGE);

    /* host reservations and grows draw from the same budget */
    assert_true(rf_store_reserve(s, 2 * PAGE));
    assert_false(rf_store_reserve(s, 2 * PAGE));          /* 11 > 10: nothing charged */
    assert_int_equal(rf_store_memory_in_use(s), 9 * PAGE);
    assert_int_equal(rf_memory_grow(a, 2), -1);            /* would reach 11 pages */
    assert_int_equal(rf_memory_grow(b, 1), 3);             /* exactly 10 pages */
    assert_int_equal(rf_memory_grow(b, 0), 4);
    assert_int_equal(rf_memory_get_stats(a).refused_grows, 1);

    rf_store_release(s, 2 * PAGE);
    assert_int_equal(rf_memory_grow(a, 2), 4);
    assert_int_equal(rf_store_memory_in_use(s), 10 * PAGE);
    rf_store_free(s);
}

static void read_write_are_bounds_checked(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(1, false, 0), &err);
    assert_non_null(mem);
    const uint8_t in[4] = { 1, 2, 3, 4 };
    uint8_t out[4] = { 0 };

    assert_true(rf_memory_write(mem, PAGE - 4, in, 4));
    assert_true(rf_memory_read(mem, PAGE - 4, out, 4));
    assert_memory_equal(in, out, 4);
    assert_int_equal(rf_memory_data(mem)[PAGE - 1], 4);

    assert_false(rf_memory_write(mem, PAGE - 3, in, 4));  /* one byte past the end */
    assert_int_equal(rf_memory_data(mem)[PAGE - 3], 2);   /* nothing written */
    assert_false(rf_memory_read(mem, PAGE - 3, out, 4));
    assert_false(rf_memory_write(mem, UINT64_MAX, in, 1)); /* offset + len overflows */
    assert_false(rf_memory_read(mem, UINT64_MAX - 1, out, 4));
    assert_false(rf_memory_read(mem, 0, out, SIZE_MAX));
    assert_true(rf_memory_read(mem, PAGE, out, 0));       /* empty range at the end */
    assert_false(rf_memory_read(mem, PAGE + 1, out, 0));

    /* after a grow the new range is accessible */
    assert_int_equal(rf_memory_grow(mem, 1), 1);
    assert_true(rf_memory_write(mem, PAGE - 3, in, 4));
    assert_true(rf_memory_read(mem, 2 * PAGE - 4, out, 4));
    assert_memory_equal(out, "\0\0\0\0", 4);              /* fresh pages are zero */
    rf_store_free(s);
}

static void zero_sized_memory_has_no_mapping(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(0, true, 0), &err);
    assert_non_null(mem);
    assert_non_null(rf_memory_data(mem));
    assert_int_equal(rf_memory_size(mem), 0);
    assert_int_equal(mem->reserved, 0);
    assert_int_equal(rf_memory_get_stats(mem).limit_bytes, 0);
    uint8_t b = 1;
    assert_true(rf_memory_write(mem, 0, &b, 0));
    assert_false(rf_memory_write(mem, 0, &b, 1));
    assert_int_equal(rf_memory_grow(mem, 0), 0);
    assert_int_equal(rf_memory_grow(mem, 1), -1);
    rf_store_free(s);
}

static void bad_limits_are_rejected(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    assert_null(rf_memory_new(s, pages(65537, false, 0), &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "at most 65536 pages"));
    assert_null(rf_memory_new(s, pages(0, true, 65537), &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_null(rf_memory_new(s, pages(3, true, 2), &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_null(rf_memory_new(NULL, pages(1, false, 0), &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    rf_store_free(s);
}

/* The base is reserved at the effective maximum and never moves. */
static void base_is_stable_across_grows(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(1, false, 0), &err);
    assert_non_null(mem);
    uint8_t *base = rf_memory_data(mem);
    assert_int_equal(mem->reserved, 16 * MIB);
    for (int i = 0; i < 20; i++)
        assert_int_not_equal(rf_memory_grow(mem, 3), -1);
    assert_ptr_equal(rf_memory_data(mem), base);
    rf_store_free(s);
}

/* Bytes past the current size are reserved but not accessible: a write there
 * faults (checked in a child process). */
static void bytes_past_the_size_fault(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    rf_memory *mem = rf_memory_new(s, pages(1, false, 0), &err);
    assert_non_null(mem);
    volatile uint8_t *base = rf_memory_data(mem);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        signal(SIGSEGV, SIG_DFL); /* cmocka's handler would report and carry on */
        signal(SIGBUS, SIG_DFL);
        base[PAGE - 1] = 1;  /* fine */
        base[PAGE] = 1;      /* must fault */
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_true(WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);

    /* after a grow, the same byte is writable */
    assert_int_equal(rf_memory_grow(mem, 1), 1);
    base[PAGE] = 1;
    assert_int_equal(rf_memory_data(mem)[PAGE], 1);
    rf_store_free(s);
}

/* Reserving address space costs no resident memory: 200 memories, each
 * reserving 16 MiB and committing one page of which one byte is touched. */
static void idle_memories_cost_little_rss(void **state)
{
    (void)state;
    rf_store *s = rf_store_new(NULL, NULL);
    rf_error err;
    uint64_t before = rss_bytes();
    for (int i = 0; i < 200; i++) {
        rf_memory *mem = rf_memory_new(s, pages(1, false, 0), &err);
        assert_non_null(mem);
        uint8_t b = 1;
        assert_true(rf_memory_write(mem, 0, &b, 1));
    }
    uint64_t after = rss_bytes();
    uint64_t delta = after > before ? after - before : 0;
    printf("# 200 memories (3.1 GiB reserved): RSS %llu KiB -> %llu KiB (+%llu KiB)\n",
           (unsigned long long)(before / 1024), (unsigned long long)(after / 1024),
           (unsigned long long)(delta / 1024));
    assert_true(delta < 8 * (uint64_t)MIB);
    rf_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_limit_stops_growth_at_256_pages),
        cmocka_unit_test(explicit_limit_caps_declared_maximum),
        cmocka_unit_test(limit_rounds_down_to_pages),
        cmocka_unit_test(declared_maximum_below_limit_wins),
        cmocka_unit_test(limit_above_ceiling_is_refused),
        cmocka_unit_test(raised_ceiling_allows_larger_memories),
        cmocka_unit_test(stats_count_grows_and_refusals),
        cmocka_unit_test(store_budget_covers_all_memories_and_reservations),
        cmocka_unit_test(read_write_are_bounds_checked),
        cmocka_unit_test(zero_sized_memory_has_no_mapping),
        cmocka_unit_test(bad_limits_are_rejected),
        cmocka_unit_test(base_is_stable_across_grows),
        cmocka_unit_test(bytes_past_the_size_fault),
        cmocka_unit_test(idle_memories_cost_little_rss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
