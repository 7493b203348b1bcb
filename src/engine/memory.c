/*
 * memory.c — linear memories.
 *
 * A memory reserves address space for its effective maximum once
 * (mmap PROT_NONE, MAP_NORESERVE: no RAM, no swap accounting) and commits
 * pages with mprotect as it grows. So the base never moves (the interpreter
 * may cache it across calls and grows), and an idle instance costs only the
 * pages it has touched.
 *
 * Invariants:
 *   - size <= max_bytes <= reserved, all multiples of RF_PAGE_SIZE;
 *     base[0..size) is readable and writable, base[size..reserved) is not.
 *   - max_bytes = min(declared max, store memory_limit rounded down to pages);
 *     it never changes, and a grow past it returns -1 without trapping.
 *   - The store's memory_in_use includes every memory's size; with a store
 *     budget (rf_store_config.memory_budget), creation and grows that would
 *     exceed it fail (a grow returns -1), like a grow past max_bytes.
 *   - A memory whose effective maximum is 0 has no mapping: base points to a
 *     static read-only dummy and size stays 0, so any access fails its bounds
 *     check and a stray write faults instead of corrupting the heap.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE under -std=c11 */

#include "error.h"
#include "runtime_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const uint8_t empty_memory[8];

void rf_format_bytes(char *buf, size_t size, uint64_t bytes)
{
    const uint64_t kib = 1024, mib = RF_MIB, gib = (uint64_t)RF_MIB * 1024;
    if (bytes >= gib && bytes % gib == 0)
        snprintf(buf, size, "%" PRIu64 " GiB", bytes / gib);
    else if (bytes >= mib && bytes % mib == 0)
        snprintf(buf, size, "%" PRIu64 " MiB", bytes / mib);
    else if (bytes >= mib) {
        /* Hundredths computed in integers: no floats, no locale. */
        uint64_t hundredths = (bytes % mib) * 100 / mib;
        if (hundredths % 10 == 0)
            snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " MiB", bytes / mib, hundredths / 10);
        else
            snprintf(buf, size, "%" PRIu64 ".%02" PRIu64 " MiB", bytes / mib, hundredths);
    } else if (bytes >= kib && bytes % kib == 0)
        snprintf(buf, size, "%" PRIu64 " KiB", bytes / kib);
    else
        snprintf(buf, size, "%" PRIu64 " bytes", bytes);
}

rf_memory *rf_memory_new(rf_store *s, rf_limits_desc pages, rf_error *err)
{
    rf_error_clear(err);
    if (!s) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC, "rf_memory_new: store is NULL");
        return NULL;
    }
    if (pages.min > RF_MAX_PAGES || (pages.has_max && pages.max > RF_MAX_PAGES)) {
        if (pages.has_max)
            rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                         "memory size must be at most %u pages (4 GiB): minimum %" PRIu64
                         " pages, maximum %" PRIu64 " pages",
                         RF_MAX_PAGES, pages.min, pages.max);
        else
            rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                         "memory size must be at most %u pages (4 GiB): minimum %" PRIu64
                         " pages",
                         RF_MAX_PAGES, pages.min);
        return NULL;
    }
    if (pages.has_max && pages.min > pages.max) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "memory minimum %" PRIu64 " pages exceeds its maximum %" PRIu64 " pages",
                     pages.min, pages.max);
        return NULL;
    }

    uint64_t limit_pages = s->config.memory_limit / RF_PAGE_SIZE;
    if (limit_pages > RF_MAX_PAGES)
        limit_pages = RF_MAX_PAGES;
    uint64_t max_pages = limit_pages;
    if (pages.has_max && pages.max < max_pages)
        max_pages = pages.max;
    if (s->config.memory_budget &&
        (pages.min * RF_PAGE_SIZE > s->config.memory_budget ||
         s->memory_in_use > s->config.memory_budget - pages.min * RF_PAGE_SIZE)) {
        char want[48], budget[48];
        rf_format_bytes(want, sizeof want, pages.min * RF_PAGE_SIZE);
        rf_format_bytes(budget, sizeof budget, s->config.memory_budget);
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "memory minimum %" PRIu64 " pages (%s) does not fit the memory budget of "
                     "%s (%" PRIu64 " bytes already in use)",
                     pages.min, want, budget, s->memory_in_use);
        return NULL;
    }
    if (pages.min > limit_pages) {
        char want[48], limit[48];
        rf_format_bytes(want, sizeof want, pages.min * RF_PAGE_SIZE);
        rf_format_bytes(limit, sizeof limit, s->config.memory_limit);
        rf_error_set(err, RF_ERR_LIMIT, RF_NO_OFFSET, RF_NO_FUNC,
                     "memory minimum %" PRIu64 " pages (%s) exceeds the memory limit of %s",
                     pages.min, want, limit);
        return NULL;
    }

    rf_memory *mem = calloc(1, sizeof *mem);
    if (!mem) {
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "out of memory allocating a memory");
        return NULL;
    }
    mem->store = s;
    mem->declared.min = pages.min;
    mem->declared.max = pages.max;
    mem->declared.has_max = pages.has_max;
    mem->max_bytes = max_pages * RF_PAGE_SIZE;
    mem->base = (uint8_t *)(uintptr_t)empty_memory;

    if (mem->max_bytes > SIZE_MAX) { /* 32-bit hosts */
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "a memory of %" PRIu64 " pages does not fit this host's address space",
                     max_pages);
        free(mem);
        return NULL;
    }
    if (mem->max_bytes > 0) {
        void *p = mmap(NULL, (size_t)mem->max_bytes, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            char want[48];
            rf_format_bytes(want, sizeof want, mem->max_bytes);
            rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                         "could not reserve %s of address space for a memory", want);
            free(mem);
            return NULL;
        }
        mem->base = p;
        mem->reserved = mem->max_bytes;
        uint64_t initial = pages.min * RF_PAGE_SIZE;
        if (initial > 0 && mprotect(p, (size_t)initial, PROT_READ | PROT_WRITE) != 0) {
            char want[48];
            rf_format_bytes(want, sizeof want, initial);
            rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                         "could not commit the initial %s of a memory", want);
            rf_memory_release(mem);
            return NULL;
        }
        mem->size = initial;
    }
    mem->peak = mem->size;
    s->memory_in_use += mem->size; /* fits: checked against the budget above */

    if (!rf_store_track(s, RF_OBJ_MEMORY, mem)) {
        rf_memory_release(mem);
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "out of memory allocating a memory");
        return NULL;
    }
    return mem;
}

void rf_memory_release(rf_memory *mem)
{
    if (!mem)
        return;
    rf_store_release(mem->store, mem->size); /* what rf_memory_new and grows charged */
    if (mem->reserved > 0)
        munmap(mem->base, (size_t)mem->reserved);
    free(mem);
}

uint64_t rf_memory_size(const rf_memory *mem)
{
    return mem ? mem->size : 0;
}

uint8_t *rf_memory_data(rf_memory *mem)
{
    return mem ? mem->base : NULL;
}

bool rf_memory_read(const rf_memory *mem, uint64_t offset, void *dst, size_t len)
{
    if (!mem || offset > mem->size || len > mem->size - offset)
        return false;
    if (len > 0)
        memcpy(dst, mem->base + offset, len);
    return true;
}

bool rf_memory_write(rf_memory *mem, uint64_t offset, const void *src, size_t len)
{
    if (!mem || offset > mem->size || len > mem->size - offset)
        return false;
    if (len > 0)
        memcpy(mem->base + offset, src, len);
    return true;
}

int64_t rf_memory_grow(rf_memory *mem, uint64_t pages)
{
    if (!mem)
        return -1;
    uint64_t old_pages = mem->size / RF_PAGE_SIZE;
    uint64_t room = (mem->max_bytes - mem->size) / RF_PAGE_SIZE;
    if (pages > room) {
        mem->refused_grows++;
        return -1;
    }
    if (pages > 0) {
        uint64_t bytes = pages * RF_PAGE_SIZE;
        if (!rf_store_reserve(mem->store, bytes)) {
            mem->refused_grows++;
            return -1;
        }
        if (mprotect(mem->base + mem->size, (size_t)bytes, PROT_READ | PROT_WRITE) != 0) {
            rf_store_release(mem->store, bytes);
            mem->refused_grows++;
            return -1;
        }
        mem->size += bytes;
        if (mem->size > mem->peak)
            mem->peak = mem->size;
    }
    mem->grow_count++;
    return (int64_t)old_pages;
}

rf_memory_stats rf_memory_get_stats(const rf_memory *mem)
{
    rf_memory_stats st = { 0 };
    if (mem) {
        st.current_bytes = mem->size;
        st.peak_bytes = mem->peak;
        st.limit_bytes = mem->max_bytes;
        st.grow_count = mem->grow_count;
        st.refused_grows = mem->refused_grows;
    }
    return st;
}
