/*
 * plugin_bench.c — plugin-layer figures through the C API (reflow/plugin.h),
 * driven by bench/plugin_bench.sh.
 *
 *   plugin_bench speed PLUGIN.wasm FUNC [CALLS] [CREATES]
 *       CREATES times: create the plugin from bytes already in memory and
 *       make its first call (instantiation happens there); then CALLS calls
 *       of FUNC on one plugin. Prints key=value lines:
 *       create_first_call_us_median, create_first_call_us_mean,
 *       call_us_mean, calls_per_s.
 *   plugin_bench soak PLUGIN.wasm FUNC [CALLS] [CYCLES]
 *       CALLS calls on one plugin, then CYCLES create/call/free cycles,
 *       every output checked. Prints the resident set size at the start,
 *       middle and end of each phase ("rss_kib <phase> <point> N") and
 *       exits 1 when the RSS grew by more than 4 MiB between the middle and
 *       the end of either phase (a leak that valgrind cannot see, such as
 *       memory kept reachable).
 *
 * The input of every call is "hello, plugin benchmark" and FUNC must echo
 * it (echo / echo_direct of tests/plugin/plugins/echo.c).
 */
#include "reflow/plugin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char input[] = "hello, plugin benchmark";
#define INPUT_LEN (sizeof input - 1)
#define RSS_SLACK_KIB 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size in KiB from /proc/self/statm (0 where there is none). */
static uint64_t rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long size = 0, resident = 0;
    int n = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? resident * (uint64_t)page / 1024 : 0;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, used = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + used, 1, cap - used, f);
        used += n;
        if (n == 0)
            break;
        if (used == cap) {
            uint8_t *nbuf = cap < (256u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nbuf) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nbuf;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        fprintf(stderr, "plugin_bench: cannot read %s\n", path);
    *len = used;
    return buf;
}

static rf_plugin *create(const uint8_t *wasm, size_t len)
{
    rf_plugin_options o;
    memset(&o, 0, sizeof o);
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_plugin *p = rf_plugin_new_from_bytes(wasm, len, &o, &err);
    if (!p)
        fprintf(stderr, "plugin_bench: cannot create the plugin: %s\n", err.message);
    return p;
}

/* One call; false (with a message) unless it echoed the input. */
static bool call_once(rf_plugin *p, const char *func)
{
    rf_call_result r;
    if (!rf_plugin_call(p, func, (const uint8_t *)input, INPUT_LEN, &r)) {
        fprintf(stderr, "plugin_bench: %s failed: rc %" PRId32 ": %s\n", func, r.rc,
                r.error ? r.error : "(no message)");
        return false;
    }
    if (r.output_len != INPUT_LEN || memcmp(r.output, input, INPUT_LEN) != 0) {
        fprintf(stderr, "plugin_bench: %s did not echo its input\n", func);
        return false;
    }
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int speed(const uint8_t *wasm, size_t len, const char *func, uint64_t calls,
                 uint64_t creates)
{
    double *t = calloc(creates, sizeof *t);
    if (!t)
        return 1;
    double sum = 0;
    for (uint64_t i = 0; i < creates; i++) {
        double t0 = now_s();
        rf_plugin *p = create(wasm, len);
        bool ok = p && call_once(p, func);
        t[i] = now_s() - t0;
        rf_plugin_free(p);
        if (!ok) {
            free(t);
            return 1;
        }
        sum += t[i];
    }
    qsort(t, creates, sizeof *t, cmp_double);
    printf("create_first_call_us_median=%.1f\n", t[creates / 2] * 1e6);
    printf("create_first_call_us_mean=%.1f\n", sum / (double)creates * 1e6);
    free(t);

    rf_plugin *p = create(wasm, len);
    if (!p || !call_once(p, func)) {   /* instantiate outside the timing */
        rf_plugin_free(p);
        return 1;
    }
    double t0 = now_s();
    for (uint64_t i = 0; i < calls; i++) {
        if (!call_once(p, func)) {
            rf_plugin_free(p);
            return 1;
        }
    }
    double dt = now_s() - t0;
    rf_plugin_free(p);
    printf("call_us_mean=%.3f\n", dt / (double)calls * 1e6);
    printf("calls_per_s=%.0f\n", (double)calls / dt);
    return 0;
}

static bool grew(const char *phase, uint64_t middle, uint64_t end)
{
    if (end > middle + RSS_SLACK_KIB) {
        fprintf(stderr, "plugin_bench: %s: RSS grew from %" PRIu64 " KiB to %" PRIu64
                        " KiB in its second half\n", phase, middle, end);
        return true;
    }
    return false;
}

static int soak(const uint8_t *wasm, size_t len, const char *func, uint64_t calls,
                uint64_t cycles)
{
    rf_plugin *p = create(wasm, len);
    if (!p || !call_once(p, func)) {
        rf_plugin_free(p);
        return 1;
    }
    uint64_t start = rss_kib(), middle = start;
    printf("rss_kib calls start %" PRIu64 "\n", start);
    for (uint64_t i = 0; i < calls; i++) {
        if (!call_once(p, func)) {
            rf_plugin_free(p);
            return 1;
        }
        if (i == calls / 2) {
            middle = rss_kib();
            printf("rss_kib calls middle %" PRIu64 "\n", middle);
        }
    }
    uint64_t end = rss_kib();
    printf("rss_kib calls end %" PRIu64 "\n", end);
    rf_plugin_stats st = rf_plugin_get_stats(p);
    printf("calls_made %" PRIu64 " instantiations %" PRIu64 "\n", st.calls, st.instantiations);
    rf_plugin_free(p);
    bool bad = grew("calls", middle, end);

    start = rss_kib();
    middle = start;
    printf("rss_kib cycles start %" PRIu64 "\n", start);
    for (uint64_t i = 0; i < cycles; i++) {
        p = create(wasm, len);
        bool ok = p && call_once(p, func);
        rf_plugin_free(p);
        if (!ok)
            return 1;
        if (i == cycles / 2) {
            middle = rss_kib();
            printf("rss_kib cycles middle %" PRIu64 "\n", middle);
        }
    }
    end = rss_kib();
    printf("rss_kib cycles end %" PRIu64 "\n", end);
    bad |= grew("cycles", middle, end);
    return bad ? 1 : 0;
}

static bool count_arg(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6 || (strcmp(argv[1], "speed") != 0 && strcmp(argv[1], "soak") != 0)) {
        fputs("usage: plugin_bench speed|soak PLUGIN.wasm FUNC [CALLS] [CREATES|CYCLES]\n",
              stderr);
        return 2;
    }
    bool is_speed = strcmp(argv[1], "speed") == 0;
    uint64_t calls = is_speed ? 200000 : 10000, n = is_speed ? 200 : 1000;
    if ((argc > 4 && !count_arg(argv[4], &calls)) || (argc > 5 && !count_arg(argv[5], &n))) {
        fprintf(stderr, "plugin_bench: counts must be positive whole numbers\n");
        return 2;
    }
    size_t len;
    uint8_t *wasm = read_all(argv[2], &len);
    if (!wasm)
        return 1;
    int rc = is_speed ? speed(wasm, len, argv[3], calls, n) : soak(wasm, len, argv[3], calls, n);
    free(wasm);
    return rc;
}
