/*
 * decode_segments.c — element and data sections.
 *
 * Element segments come in eight encodings (flags 0..7). Bit 0: passive or
 * declarative (set) vs. active; bit 1: an explicit table index (active) or
 * declarative (passive); bit 2: the items are constant expressions instead of
 * function indices. Function-index items are turned into ref.func items here
 * (see module.h) so later stages see one representation.
 *
 * Data segments come in three encodings: 0 active in memory 0, 1 passive,
 * 2 active with an explicit memory index.
 */
#include "decode_internal.h"
#include "opcodes.h"

static bool dec_elemkind(rf_decoder *d, rf_reader *r)
{
    size_t at = r->pos;
    uint8_t kind;
    if (!rf_read_u8(r, &kind))
        return rf_dec_reader_fail(d, r);
    if (kind != 0x00)
        return rf_dec_fail(d, at, "malformed element kind 0x%02x", kind);
    return true;
}

/* vec(funcidx) as ref.func items with empty spans. */
static bool dec_func_index_items(rf_decoder *d, rf_reader *r, rf_elem_segment *seg)
{
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(seg->items = rf_dec_calloc(d, n, sizeof *seg->items)))
        return false;
    seg->count = n;
    for (uint32_t i = 0; i < n; i++) {
        rf_const_expr *e = &seg->items[i];
        uint32_t index;
        e->bytes.offset = (uint32_t)r->pos;
        e->bytes.length = 0;
        if (!rf_read_u32(r, &index))
            return rf_dec_reader_fail(d, r);
        e->op = RF_OP_REF_FUNC;
        e->type = RF_T_FUNCREF;
        e->value = index;
    }
    return true;
}

/* vec(expr): each item a constant expression left for the validator. */
static bool dec_expr_items(rf_decoder *d, rf_reader *r, rf_elem_segment *seg)
{
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(seg->items = rf_dec_calloc(d, n, sizeof *seg->items)))
        return false;
    seg->count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!rf_dec_const_expr(d, r, &seg->items[i]))
            return false;
    return true;
}

static bool dec_elem_segment(rf_decoder *d, rf_reader *r, rf_elem_segment *seg)
{
    size_t at = r->pos;
    uint32_t flags;
    if (!rf_read_u32(r, &flags))
        return rf_dec_reader_fail(d, r);
    if (flags > 7)
        return rf_dec_fail(d, at, "malformed elements segment kind %u", flags);
    bool passive_or_declarative = flags & 1;
    bool explicit_table_or_declarative = flags & 2;
    bool expr_items = flags & 4;

    seg->table = 0;
    seg->elemtype = RF_T_FUNCREF;
    if (passive_or_declarative) {
        seg->mode = explicit_table_or_declarative ? RF_SEG_DECLARATIVE : RF_SEG_PASSIVE;
    } else {
        seg->mode = RF_SEG_ACTIVE;
        if (explicit_table_or_declarative && !rf_read_u32(r, &seg->table))
            return rf_dec_reader_fail(d, r);
        if (!rf_dec_const_expr(d, r, &seg->offset))
            return false;
    }
    /* Flags 0 and 4 imply funcref; every other encoding names the kind. */
    if (passive_or_declarative || explicit_table_or_declarative) {
        bool ok = expr_items ? rf_dec_reftype(d, r, &seg->elemtype) : dec_elemkind(d, r);
        if (!ok)
            return false;
    }
    return expr_items ? dec_expr_items(d, r, seg) : dec_func_index_items(d, r, seg);
}

bool rf_dec_elem_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (!(m->elems = rf_dec_calloc(d, n, sizeof *m->elems)))
        return false;
    m->num_elems = n;
    for (uint32_t i = 0; i < n; i++)
        if (!dec_elem_segment(d, r, &m->elems[i]))
            return false;
    return true;
}

static bool dec_data_segment(rf_decoder *d, rf_reader *r, rf_data_segment *seg)
{
    size_t at = r->pos;
    uint32_t flags;
    if (!rf_read_u32(r, &flags))
        return rf_dec_reader_fail(d, r);
    if (flags > 2)
        return rf_dec_fail(d, at, "malformed data segment kind %u", flags);
    seg->memory = 0;
    if (flags == 1) {
        seg->mode = RF_SEG_PASSIVE;
    } else {
        seg->mode = RF_SEG_ACTIVE;
        if (flags == 2 && !rf_read_u32(r, &seg->memory))
            return rf_dec_reader_fail(d, r);
        if (!rf_dec_const_expr(d, r, &seg->offset))
            return false;
    }
    size_t len_at = r->pos;
    uint32_t len;
    if (!rf_read_u32(r, &len))
        return rf_dec_reader_fail(d, r);
    if (len > rf_reader_left(r))
        return rf_dec_fail(d, len_at,
                           "unexpected end of section or function (data of %u bytes, only %zu "
                           "left)", len, rf_reader_left(r));
    seg->bytes.offset = (uint32_t)r->pos;
    seg->bytes.length = len;
    r->pos += len;
    return true;
}

bool rf_dec_data_section(rf_decoder *d, rf_reader *r)
{
    rf_module *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    if (!rf_dec_count(d, r, &n, 1))
        return false;
    if (m->has_data_count && n != m->data_count)
        return rf_dec_fail(d, at, "data count and data section have inconsistent lengths "
                                  "(data count %u, %u segments)", m->data_count, n);
    if (!(m->datas = rf_dec_calloc(d, n, sizeof *m->datas)))
        return false;
    m->num_datas = n;
    for (uint32_t i = 0; i < n; i++)
        if (!dec_data_segment(d, r, &m->datas[i]))
            return false;
    return true;
}
