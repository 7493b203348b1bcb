/*
 * decode_internal.h — what the decoder's files (decode.c, decode_sections.c,
 * decode_segments.c, decode_code.c, decode_names.c) share: the decoding
 * context and helpers that turn failures into rf_error messages naming the
 * section, function and offset.
 *
 * Invariants while decoding:
 *   - Every reader used on a section is bounded by that section's end, so no
 *     entry can spill into the next section.
 *   - Every vector count is checked against the bytes left before anything is
 *     allocated for it (rf_dec_count), so allocations stay proportional to
 *     the input size.
 *   - Everything allocated is attached to the module at once (with its count),
 *     so rf_module_destroy can free a half-built module on any error path.
 */
#ifndef RF_DECODE_INTERNAL_H
#define RF_DECODE_INTERNAL_H

#include "decode.h"
#include "error.h"
#include "reader.h"

typedef struct rf_decoder {
    rf_module *m;
    rf_error *err;
    const char *where;       /* "type section", ...: where errors happen */
    bool in_section;         /* reading inside a section (vs. the module header) */
    uint32_t func;           /* function whose body is being read, or RF_NO_FUNC */
    uint8_t *frames;         /* scratch stack of open blocks (decode_code.c) */
    size_t frames_cap;
    bool name_section_seen;  /* only the first "name" section is parsed */

    /* Errors found in one section but reported once the whole module has
     * been read, so that layout errors of later sections come first (as in
     * the reference interpreter) -- see dec_finish in decode.c. */
    bool code_count_mismatch;      /* code section count != function count */
    uint32_t code_count;
    size_t code_count_offset;
    bool data_use_without_count;   /* memory.init / data.drop, no data count */
    const char *data_use_op;
    uint32_t data_use_func;
    size_t data_use_offset;
} rf_decoder;

/* Report a malformed module at `offset`; always returns false. */
bool rf_dec_fail(rf_decoder *d, size_t offset, const char *fmt, ...) RF_PRINTF(3, 4);

/* Report the failure a reader function recorded in r (SIMD becomes
 * RF_ERR_UNSUPPORTED, everything else RF_ERR_MALFORMED); returns false. */
bool rf_dec_reader_fail(rf_decoder *d, const rf_reader *r);

/* Zeroed array of n elements (at least one, so NULL always means failure,
 * which is reported as RF_ERR_NOMEM). */
void *rf_dec_calloc(rf_decoder *d, size_t n, size_t size);

/* A NUL-terminated copy of s[0..len), or NULL (RF_ERR_NOMEM reported). */
char *rf_dec_strdup(rf_decoder *d, const uint8_t *s, uint32_t len);

/* A u32 LEB128, reporting a failure. */
bool rf_dec_u32(rf_decoder *d, rf_reader *r, uint32_t *out);

/* Read a vector length and check that `n` entries of at least `min_size`
 * bytes each fit in what is left of the section. */
bool rf_dec_count(rf_decoder *d, rf_reader *r, uint32_t *n, size_t min_size);

/* A name (u32 length + UTF-8 bytes); *out points into the module bytes. */
bool rf_dec_name(rf_decoder *d, rf_reader *r, const uint8_t **out, uint32_t *len);

/* Value type byte (i32 ... externref); v128 is reported as unsupported. */
bool rf_dec_valtype(rf_decoder *d, rf_reader *r, uint8_t *out);
/* Reference type byte (funcref or externref). */
bool rf_dec_reftype(rf_decoder *d, rf_reader *r, uint8_t *out);

/*
 * Read one instruction sequence up to and including the `end` that closes it,
 * checking its structure (nesting of block/loop/if/else/end) and the
 * binary-only rules of each instruction. Counts instructions and the deepest
 * nesting (the sequence itself counts as one level); either pointer may be
 * NULL.
 */
bool rf_dec_expr(rf_decoder *d, rf_reader *r, uint32_t *num_instrs, uint32_t *max_depth);

/* A constant expression: its bytes up to and including the final end. */
bool rf_dec_const_expr(rf_decoder *d, rf_reader *r, rf_const_expr *e);

/* Section bodies; r spans exactly the section's contents. */
bool rf_dec_type_section(rf_decoder *d, rf_reader *r);
bool rf_dec_import_section(rf_decoder *d, rf_reader *r);
bool rf_dec_function_section(rf_decoder *d, rf_reader *r);
bool rf_dec_table_section(rf_decoder *d, rf_reader *r);
bool rf_dec_memory_section(rf_decoder *d, rf_reader *r);
bool rf_dec_global_section(rf_decoder *d, rf_reader *r);
bool rf_dec_export_section(rf_decoder *d, rf_reader *r);
bool rf_dec_elem_section(rf_decoder *d, rf_reader *r);
bool rf_dec_data_section(rf_decoder *d, rf_reader *r);
bool rf_dec_code_section(rf_decoder *d, rf_reader *r);
/* A custom section starting with its name; section_offset is the id byte. */
bool rf_dec_custom_section(rf_decoder *d, rf_reader *r, size_t section_offset);

/* Once all sections are read: build the index spaces of the kinds that are
 * imported but have no defining section (decode_sections.c). */
bool rf_dec_finish_index_spaces(rf_decoder *d);

#endif /* RF_DECODE_INTERNAL_H */
