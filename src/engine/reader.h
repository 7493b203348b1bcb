/*
 * reader.h — a bounds-checked cursor over WebAssembly binary bytes.
 *
 * Every byte the engine reads from untrusted input goes through this cursor.
 * Invariants:
 *   - base[pos..end) is the readable window; pos <= end always holds, and no
 *     function ever reads at or beyond `end`.
 *   - Positions are absolute offsets from the start of the module bytes, so an
 *     error can always name the byte offset where it happened (`pos` is left
 *     at the start of the item that failed).
 *   - On failure a function returns false and stores a static reason string in
 *     `err` ("unexpected end", "integer representation too long", ...); the
 *     wording follows the spec test suite.
 */
#ifndef RF_READER_H
#define RF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rf_reader {
    const uint8_t *base;   /* start of the whole module (offset 0) */
    size_t pos;            /* next byte to read */
    size_t end;            /* one past the last readable byte */
    size_t err_pos;        /* offset of the failing item after an error */
    const char *err;       /* reason of the last failure, static string */
} rf_reader;

/* A cursor over base[start..end). */
rf_reader rf_reader_make(const uint8_t *base, size_t start, size_t end);

static inline bool rf_reader_at_end(const rf_reader *r) { return r->pos >= r->end; }
static inline size_t rf_reader_left(const rf_reader *r) { return r->end - r->pos; }

bool rf_read_u8(rf_reader *r, uint8_t *out);
bool rf_read_bytes(rf_reader *r, size_t n, const uint8_t **out); /* pointer into base */
bool rf_read_u32(rf_reader *r, uint32_t *out);   /* unsigned LEB128, at most 5 bytes */
bool rf_read_u64(rf_reader *r, uint64_t *out);   /* unsigned LEB128, at most 10 bytes */
bool rf_read_s32(rf_reader *r, int32_t *out);    /* signed LEB128, at most 5 bytes */
bool rf_read_s33(rf_reader *r, int64_t *out);    /* signed 33-bit (block types) */
bool rf_read_s64(rf_reader *r, int64_t *out);    /* signed LEB128, at most 10 bytes */
bool rf_read_f32(rf_reader *r, uint32_t *bits);  /* 4 raw little-endian bytes */
bool rf_read_f64(rf_reader *r, uint64_t *bits);  /* 8 raw little-endian bytes */
/* A name: u32 length + UTF-8 bytes, checked to be valid UTF-8
 * ("malformed UTF-8 encoding"). *out points into base, not NUL-terminated. */
bool rf_read_name(rf_reader *r, const uint8_t **out, uint32_t *len);

/* Record a failure at `at` with a static reason; always returns false. */
bool rf_reader_fail(rf_reader *r, size_t at, const char *reason);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool rf_utf8_valid(const uint8_t *s, size_t n);

/* ---- instructions ----------------------------------------------------- */

/* Block type: either empty, one value type, or a type index. */
typedef struct rf_blocktype {
    int kind;          /* RF_BT_EMPTY, RF_BT_VALUE, RF_BT_INDEX */
    uint8_t valtype;   /* for RF_BT_VALUE: the value type byte */
    uint32_t typeidx;  /* for RF_BT_INDEX */
} rf_blocktype;
enum { RF_BT_EMPTY = 0, RF_BT_VALUE = 1, RF_BT_INDEX = 2 };

/* One decoded instruction. Only the fields its immediate kind names are set. */
typedef struct rf_instr {
    unsigned op;            /* rf_opcode: byte, or 0xFC00|n for the 0xFC group */
    size_t offset;          /* absolute offset of the first opcode byte */
    rf_blocktype bt;        /* block, loop, if */
    uint32_t a, b;          /* indices: label, func, local, global, table, type/table,
                               elem/table, dst/src table, data; memarg: a = align, b = offset */
    uint64_t value;         /* i32 (zero-extended bits), i64, f32 bits, f64 bits */
    uint8_t reftype;        /* ref.null; select t: the (single) type */
    uint32_t count;         /* br_table: number of labels (without the default);
                               select t: number of types */
    size_t targets_pos;     /* br_table: offset of the first label LEB */
    uint32_t default_label; /* br_table: the default label */
} rf_instr;

/*
 * Decode the instruction at r->pos with all its immediates and advance past
 * it. Fails with a decode error ("unexpected end", "illegal opcode",
 * "integer too large", "zero byte expected", "SIMD is not supported yet", ...).
 * It does not check indices or types: that is the validator's job.
 */
bool rf_read_instr(rf_reader *r, rf_instr *in);

/* A cursor over the `count` label LEBs of a br_table that rf_read_instr
 * already decoded: call rf_read_u32 on it `count` times (each read succeeds,
 * the labels were checked when the instruction was read). */
rf_reader rf_br_table_labels(const rf_reader *r, const rf_instr *in);

#endif /* RF_READER_H */
