/*
 * reader.c — bounds-checked reading of LEB128 integers, floats, names and
 * whole instructions from WebAssembly binaries.
 *
 * The LEB128 rules follow the binary format exactly: an N-bit integer takes at
 * most ceil(N/7) bytes ("integer representation too long" otherwise), and the
 * unused high bits of the last byte must be zero for unsigned values or copies
 * of the sign bit for signed ones ("integer too large" otherwise).
 */
#include "reader.h"
#include "opcodes.h"

#include <string.h>

rf_reader rf_reader_make(const uint8_t *base, size_t start, size_t end)
{
    rf_reader r;
    r.base = base;
    r.pos = start;
    r.end = end;
    r.err_pos = start;
    r.err = NULL;
    return r;
}

bool rf_reader_fail(rf_reader *r, size_t at, const char *reason)
{
    r->err_pos = at;
    r->err = reason;
    return false;
}

bool rf_read_u8(rf_reader *r, uint8_t *out)
{
    if (r->pos >= r->end)
        return rf_reader_fail(r, r->pos, "unexpected end");
    *out = r->base[r->pos++];
    return true;
}

bool rf_read_bytes(rf_reader *r, size_t n, const uint8_t **out)
{
    if (n > r->end - r->pos)
        return rf_reader_fail(r, r->pos, "unexpected end");
    *out = r->base + r->pos;
    r->pos += n;
    return true;
}

/* Unsigned LEB128 of at most `bits` bits. */
static bool read_uleb(rf_reader *r, unsigned bits, uint64_t *out)
{
    size_t start = r->pos;
    unsigned max_bytes = (bits + 6) / 7;
    uint64_t result = 0;
    for (unsigned i = 0; i < max_bytes; i++) {
        if (r->pos >= r->end)
            return rf_reader_fail(r, start, "unexpected end");
        uint8_t byte = r->base[r->pos++];
        if (i == max_bytes - 1) {
            if (byte & 0x80)
                return rf_reader_fail(r, start, "integer representation too long");
            unsigned used = bits - 7 * i;            /* value bits left for this byte */
            if (used < 7 && (byte >> used) != 0)
                return rf_reader_fail(r, start, "integer too large");
        }
        result |= (uint64_t)(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80)) {
            *out = result;
            return true;
        }
    }
    return rf_reader_fail(r, start, "integer representation too long");
}

/* Signed LEB128 of at most `bits` bits, sign-extended to 64 bits. */
static bool read_sleb(rf_reader *r, unsigned bits, int64_t *out)
{
    size_t start = r->pos;
    unsigned max_bytes = (bits + 6) / 7;
    uint64_t result = 0;
    unsigned shift = 0;
    for (unsigned i = 0; i < max_bytes; i++) {
        if (r->pos >= r->end)
            return rf_reader_fail(r, start, "unexpected end");
        uint8_t byte = r->base[r->pos++];
        if (i == max_bytes - 1) {
            if (byte & 0x80)
                return rf_reader_fail(r, start, "integer representation too long");
            unsigned used = bits - 7 * i;            /* value bits incl. sign in this byte */
            if (used < 7) {
                /* bits [used-1 .. 6] must all equal the sign bit */
                uint8_t high = (uint8_t)(byte >> (used - 1)) & (uint8_t)(0x7F >> (used - 1));
                uint8_t all = (uint8_t)(0x7F >> (used - 1));
                if (high != 0 && high != all)
                    return rf_reader_fail(r, start, "integer too large");
            }
        }
        result |= (uint64_t)(byte & 0x7F) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            if (shift < 64 && (byte & 0x40))
                result |= ~(uint64_t)0 << shift;
            memcpy(out, &result, sizeof result);
            return true;
        }
    }
    return rf_reader_fail(r, start, "integer representation too long");
}

bool rf_read_u32(rf_reader *r, uint32_t *out)
{
    uint64_t v;
    if (!read_uleb(r, 32, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool rf_read_u64(rf_reader *r, uint64_t *out) { return read_uleb(r, 64, out); }

bool rf_read_s32(rf_reader *r, int32_t *out)
{
    int64_t v;
    if (!read_sleb(r, 32, &v))
        return false;
    *out = (int32_t)v;
    return true;
}

bool rf_read_s33(rf_reader *r, int64_t *out) { return read_sleb(r, 33, out); }
bool rf_read_s64(rf_reader *r, int64_t *out) { return read_sleb(r, 64, out); }

bool rf_read_f32(rf_reader *r, uint32_t *bits)
{
    const uint8_t *p;
    if (!rf_read_bytes(r, 4, &p))
        return false;
    *bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return true;
}

bool rf_read_f64(rf_reader *r, uint64_t *bits)
{
    const uint8_t *p;
    if (!rf_read_bytes(r, 8, &p))
        return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    *bits = v;
    return true;
}

bool rf_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (len > n - i)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

bool rf_read_name(rf_reader *r, const uint8_t **out, uint32_t *len)
{
    size_t start = r->pos;
    uint32_t n;
    if (!rf_read_u32(r, &n))
        return false;
    const uint8_t *p;
    if (!rf_read_bytes(r, n, &p))
        return rf_reader_fail(r, start, "unexpected end");
    if (!rf_utf8_valid(p, n))
        return rf_reader_fail(r, start, "malformed UTF-8 encoding");
    *out = p;
    *len = n;
    return true;
}

/* ---- instructions ----------------------------------------------------- */

static bool read_zero_byte(rf_reader *r)
{
    size_t at = r->pos;
    uint8_t b;
    if (!rf_read_u8(r, &b))
        return false;
    if (b != 0)
        return rf_reader_fail(r, at, "zero byte expected");
    return true;
}

static bool read_blocktype(rf_reader *r, rf_blocktype *bt)
{
    size_t at = r->pos;
    if (r->pos >= r->end)
        return rf_reader_fail(r, at, "unexpected end");
    uint8_t b = r->base[r->pos];
    if (b == 0x40) {
        r->pos++;
        bt->kind = RF_BT_EMPTY;
        return true;
    }
    if (b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x70 || b == 0x6F) {
        r->pos++;
        bt->kind = RF_BT_VALUE;
        bt->valtype = b;
        return true;
    }
    if (b == 0x7B) {
        r->pos++;
        return rf_reader_fail(r, at, "SIMD is not supported yet");
    }
    int64_t idx;
    if (!rf_read_s33(r, &idx))
        return false;
    if (idx < 0)
        return rf_reader_fail(r, at, "malformed block type");
    bt->kind = RF_BT_INDEX;
    bt->typeidx = (uint32_t)idx;
    return true;
}

bool rf_read_instr(rf_reader *r, rf_instr *in)
{
    size_t at = r->pos;
    uint8_t b;
    if (!rf_read_u8(r, &b))
        return false;
    unsigned op = b;
    if (b == RF_OP_PREFIX_MISC) {
        uint32_t sub;
        if (!rf_read_u32(r, &sub))
            return false;
        if (sub > 0xFF)
            return rf_reader_fail(r, at, "illegal opcode");
        op = 0xFC00u | sub;
    } else if (b == RF_OP_PREFIX_SIMD) {
        return rf_reader_fail(r, at, "SIMD is not supported yet");
    }
    const rf_opinfo *info = rf_opcode_info(op);
    if (!info)
        return rf_reader_fail(r, at, "illegal opcode");
    in->op = op;
    in->offset = at;
    in->count = 0;

    int32_t s32;
    int64_t s64;
    uint32_t bits32;
    switch (info->imm) {
    case RF_IMM_NONE:
        return true;
    case RF_IMM_BLOCKTYPE:
        return read_blocktype(r, &in->bt);
    case RF_IMM_LABEL:
    case RF_IMM_FUNC:
    case RF_IMM_LOCAL:
    case RF_IMM_GLOBAL:
    case RF_IMM_TABLE:
    case RF_IMM_DATA:
    case RF_IMM_ELEM:
        return rf_read_u32(r, &in->a);
    case RF_IMM_CALL_INDIRECT:
    case RF_IMM_ELEM_TABLE:
    case RF_IMM_TABLE_TABLE:
        return rf_read_u32(r, &in->a) && rf_read_u32(r, &in->b);
    case RF_IMM_BR_TABLE: {
        if (!rf_read_u32(r, &in->count))
            return false;
        in->targets_pos = r->pos;
        /* Each label takes at least one byte: a count larger than what is
         * left cannot be satisfied, so fail before looping on it. */
        if (in->count > rf_reader_left(r))
            return rf_reader_fail(r, r->pos, "unexpected end");
        uint32_t label;
        for (uint32_t i = 0; i < in->count; i++)
            if (!rf_read_u32(r, &label))
                return false;
        return rf_read_u32(r, &in->default_label);
    }
    case RF_IMM_MEMARG:
        return rf_read_u32(r, &in->a) && rf_read_u32(r, &in->b);
    case RF_IMM_MEMORY:
        in->a = 0;
        return read_zero_byte(r);
    case RF_IMM_MEMORY_MEMORY:
        in->a = in->b = 0;
        return read_zero_byte(r) && read_zero_byte(r);
    case RF_IMM_DATA_MEMORY:
        return rf_read_u32(r, &in->a) && read_zero_byte(r);
    case RF_IMM_I32:
        if (!rf_read_s32(r, &s32))
            return false;
        in->value = (uint32_t)s32;
        return true;
    case RF_IMM_I64:
        if (!rf_read_s64(r, &s64))
            return false;
        in->value = (uint64_t)s64;
        return true;
    case RF_IMM_F32:
        if (!rf_read_f32(r, &bits32))
            return false;
        in->value = bits32;
        return true;
    case RF_IMM_F64:
        return rf_read_f64(r, &in->value);
    case RF_IMM_SELECT_T: {
        if (!rf_read_u32(r, &in->count))
            return false;
        if (in->count > rf_reader_left(r))
            return rf_reader_fail(r, r->pos, "unexpected end");
        in->reftype = 0;
        for (uint32_t i = 0; i < in->count; i++) {
            uint8_t t;
            size_t tat = r->pos;
            if (!rf_read_u8(r, &t))
                return false;
            if (t == 0x7B)
                return rf_reader_fail(r, tat, "SIMD is not supported yet");
            if (t != 0x7F && t != 0x7E && t != 0x7D && t != 0x7C && t != 0x70 && t != 0x6F)
                return rf_reader_fail(r, tat, "malformed value type");
            if (i == 0)
                in->reftype = t;
        }
        return true;
    }
    case RF_IMM_REFTYPE: {
        size_t tat = r->pos;
        if (!rf_read_u8(r, &in->reftype))
            return false;
        if (in->reftype != 0x70 && in->reftype != 0x6F)
            return rf_reader_fail(r, tat, "malformed reference type");
        return true;
    }
    }
    return rf_reader_fail(r, at, "illegal opcode");
}

rf_reader rf_br_table_labels(const rf_reader *r, const rf_instr *in)
{
    return rf_reader_make(r->base, in->targets_pos, r->end);
}
