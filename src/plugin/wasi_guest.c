/*
 * wasi_guest.c — bounds-checked, little-endian access to the caller's linear
 * memory for the WASI host functions.
 *
 * WASI structures live in guest memory at guest-chosen addresses, so each
 * access is checked against the memory's size before any byte is touched,
 * and values are assembled byte by byte (guest addresses need not be
 * aligned, and the layout is little-endian whatever the host is).
 */
#include "wasi_internal.h"

guest_mem guest_of(rf_caller *caller)
{
    guest_mem g = { NULL, 0 };
    rf_memory *mem = caller ? rf_caller_memory(caller) : NULL;
    if (mem) {
        g.base = rf_memory_data(mem);
        g.size = g.base ? rf_memory_size(mem) : 0;
    }
    return g;
}

void wasi_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void wasi_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void wasi_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t wasi_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t wasi_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

uint64_t wasi_get_u64(const uint8_t *p)
{
    return (uint64_t)wasi_get_u32(p) | ((uint64_t)wasi_get_u32(p + 4) << 32);
}

bool guest_load_u32(const guest_mem *g, uint32_t ptr, uint32_t *out)
{
    if (!guest_range(g, ptr, 4))
        return false;
    *out = wasi_get_u32(g->base + ptr);
    return true;
}

bool guest_load_u64(const guest_mem *g, uint32_t ptr, uint64_t *out)
{
    if (!guest_range(g, ptr, 8))
        return false;
    *out = wasi_get_u64(g->base + ptr);
    return true;
}

bool guest_store_u32(const guest_mem *g, uint32_t ptr, uint32_t v)
{
    if (!guest_range(g, ptr, 4))
        return false;
    wasi_put_u32(g->base + ptr, v);
    return true;
}

bool guest_store_u64(const guest_mem *g, uint32_t ptr, uint64_t v)
{
    if (!guest_range(g, ptr, 8))
        return false;
    wasi_put_u64(g->base + ptr, v);
    return true;
}
