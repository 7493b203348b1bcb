/*
 * wasi_clock.c — clocks and waiting: clock_time_get, clock_res_get,
 * poll_oneoff (clock subscriptions only) and sched_yield.
 *
 * WASI clock ids map to the host's: 0 realtime, 1 monotonic, 2 process CPU
 * time, 3 thread CPU time; times are u64 nanoseconds.
 *
 * poll_oneoff sleeps until the earliest clock subscription is due, in slices
 * of at most 10 ms when the embedder gave a should_stop callback, so a guest
 * asleep cannot outlast its deadline by more than one slice. Subscriptions
 * on fds are not supported (ENOSYS): stdio is served by callbacks, and
 * files and directories never block.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#define NS_PER_S UINT64_C(1000000000)
#define SLEEP_SLICE_NS (10 * UINT64_C(1000000))

/* Layout of preview 1 subscription (48 bytes) and event (32 bytes). */
enum {
    SUB_SIZE = 48,
    SUB_USERDATA = 0,
    SUB_TAG = 8,
    SUB_CLOCK_ID = 16,
    SUB_CLOCK_TIMEOUT = 24,
    SUB_CLOCK_FLAGS = 40,
    EVENT_SIZE = 32,
    EVENT_USERDATA = 0,
    EVENT_ERROR = 8,
    EVENT_TYPE = 10
};
#define SUBCLOCKFLAGS_ABSTIME 1u
#define EVENTTYPE_CLOCK 0u
#define NUM_CLOCKS 4u

static bool host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

/* A timespec as u64 nanoseconds; false if it does not fit (before 1970 or
 * after year 2554). */
static bool timespec_ns(const struct timespec *ts, uint64_t *ns)
{
    if (ts->tv_sec < 0 || (uint64_t)ts->tv_sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / NS_PER_S)
        return false;
    *ns = (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
    return true;
}

/* WASI errno of reading clock `id` into *ns. */
static int clock_now(uint32_t id, uint64_t *ns)
{
    clockid_t c;
    struct timespec ts;
    if (!host_clock(id, &c))
        return RF_WASI_EINVAL;
    if (clock_gettime(c, &ts) != 0)
        return RF_WASI_EINVAL;
    return timespec_ns(&ts, ns) ? RF_WASI_ESUCCESS : RF_WASI_EOVERFLOW;
}

static uint64_t monotonic_ns(void)
{
    uint64_t ns = 0;
    clock_now(1, &ns);
    return ns;
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

rf_error_kind wasi_clock_time_get(rf_caller *caller, void *user, const rf_value *args,
                                  rf_value *results, rf_error *err)
{
    (void)user;
    (void)err;
    guest_mem g = guest_of(caller);
    uint32_t id = args[0].of.i32, ptr = args[2].of.i32;   /* args[1]: precision, a hint */
    if (!guest_range(&g, ptr, 8))
        return wasi_errno(results, RF_WASI_EFAULT);
    uint64_t ns;
    int e = clock_now(id, &ns);
    if (e == RF_WASI_ESUCCESS)
        guest_store_u64(&g, ptr, ns);
    return wasi_errno(results, e);
}

rf_error_kind wasi_clock_res_get(rf_caller *caller, void *user, const rf_value *args,
                                 rf_value *results, rf_error *err)
{
    (void)user;
    (void)err;
    guest_mem g = guest_of(caller);
    uint32_t id = args[0].of.i32, ptr = args[1].of.i32;
    if (!guest_range(&g, ptr, 8))
        return wasi_errno(results, RF_WASI_EFAULT);
    clockid_t c;
    struct timespec ts;
    uint64_t ns;
    if (!host_clock(id, &c) || clock_getres(c, &ts) != 0)
        return wasi_errno(results, RF_WASI_EINVAL);
    if (!timespec_ns(&ts, &ns))
        return wasi_errno(results, RF_WASI_EOVERFLOW);
    guest_store_u64(&g, ptr, ns);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

rf_error_kind wasi_sched_yield(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    (void)caller;
    (void)user;
    (void)args;
    (void)err;
    sched_yield();
    return wasi_errno(results, RF_WASI_ESUCCESS);
}

/* When a clock subscription is due, on the monotonic clock. `start` is the
 * monotonic time at the call and now[id] each clock's time then, so a
 * subscription's deadline is the same every time it is computed. */
static uint64_t sub_deadline(const uint8_t *sub, uint64_t start, const uint64_t *now)
{
    uint32_t id = wasi_get_u32(sub + SUB_CLOCK_ID);
    uint64_t timeout = wasi_get_u64(sub + SUB_CLOCK_TIMEOUT);
    uint16_t flags = wasi_get_u16(sub + SUB_CLOCK_FLAGS);
    if (flags & SUBCLOCKFLAGS_ABSTIME)
        timeout = timeout > now[id] ? timeout - now[id] : 0;
    return add_saturating(start, timeout);
}

/* Sleep until the monotonic clock reaches `deadline`; false if should_stop
 * asked to stop first. */
static bool sleep_until(const rf_wasi *w, uint64_t deadline)
{
    for (;;) {
        uint64_t now = monotonic_ns();
        if (now >= deadline)
            return true;
        if (w->cfg.should_stop && w->cfg.should_stop(w->cfg.user))
            return false;
        uint64_t until = deadline;
        if (w->cfg.should_stop && deadline - now > SLEEP_SLICE_NS)
            until = now + SLEEP_SLICE_NS;
        struct timespec ts;
        uint64_t max_s = (uint64_t)(((time_t)1 << (sizeof(time_t) * 8 - 2)) - 1);
        ts.tv_sec = until / NS_PER_S > max_s ? (time_t)max_s : (time_t)(until / NS_PER_S);
        ts.tv_nsec = (long)(until % NS_PER_S);
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        if (rc != 0 && rc != EINTR)
            return true;   /* cannot sleep; report the subscription as due */
    }
}

rf_error_kind wasi_poll_oneoff(rf_caller *caller, void *user, const rf_value *args,
                               rf_value *results, rf_error *err)
{
    const rf_wasi *w = wasi_of(user);
    guest_mem g = guest_of(caller);
    uint32_t in = args[0].of.i32, out = args[1].of.i32, nsubs = args[2].of.i32;
    uint32_t nevents_ptr = args[3].of.i32;
    if (nsubs == 0)
        return wasi_errno(results, RF_WASI_EINVAL);
    if (!guest_range(&g, in, (uint64_t)nsubs * SUB_SIZE) ||
        !guest_range(&g, out, (uint64_t)nsubs * EVENT_SIZE) || !guest_range(&g, nevents_ptr, 4))
        return wasi_errno(results, RF_WASI_EFAULT);

    uint64_t start = monotonic_ns(), now[NUM_CLOCKS];
    for (uint32_t id = 0; id < NUM_CLOCKS; id++)
        if (clock_now(id, &now[id]) != RF_WASI_ESUCCESS)
            now[id] = 0;

    uint64_t earliest = UINT64_MAX;
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *sub = g.base + in + (uint64_t)i * SUB_SIZE;
        if (sub[SUB_TAG] != EVENTTYPE_CLOCK)
            return wasi_errno(results, RF_WASI_ENOSYS);
        if (wasi_get_u32(sub + SUB_CLOCK_ID) >= NUM_CLOCKS)
            return wasi_errno(results, RF_WASI_EINVAL);
        uint64_t d = sub_deadline(sub, start, now);
        if (d < earliest)
            earliest = d;
    }

    if (!sleep_until(w, earliest)) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->kind = RF_ERR_INTERRUPTED;
            err->trap = RF_TRAP_INTERRUPTED;
            err->offset = RF_NO_OFFSET;
            err->func_index = RF_NO_FUNC;
            snprintf(err->message, sizeof err->message,
                     "interrupted while sleeping in poll_oneoff");
        }
        return RF_ERR_INTERRUPTED;
    }

    uint64_t reached = monotonic_ns();
    uint32_t nevents = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *sub = g.base + in + (uint64_t)i * SUB_SIZE;
        uint64_t d = sub_deadline(sub, start, now);
        if (d > reached && d != earliest)
            continue;
        uint64_t userdata = wasi_get_u64(sub + SUB_USERDATA);
        uint8_t *ev = g.base + out + (uint64_t)nevents * EVENT_SIZE;
        memset(ev, 0, EVENT_SIZE);
        wasi_put_u64(ev + EVENT_USERDATA, userdata);
        wasi_put_u16(ev + EVENT_ERROR, RF_WASI_ESUCCESS);
        ev[EVENT_TYPE] = EVENTTYPE_CLOCK;
        nevents++;
    }
    guest_store_u32(&g, nevents_ptr, nevents);
    return wasi_errno(results, RF_WASI_ESUCCESS);
}
