/*
 * echo.c — the everyday plugin: echo and count_vowels (the classic Extism
 * example, JSON output with a running total kept in a var), used by the
 * end-to-end tests and the benchmark.
 *
 *   echo          output = input, copied through guest memory in 4 KiB
 *                 chunks the way a PDK does (input_load_u64 in, store_u64 out)
 *   echo_direct   output = the input block itself (output_set on the
 *                 input's handle; no copy)
 *   count_vowels  {"count":N,"total":T,"vowels":"aeiouAEIOU"}, T = the sum of
 *                 N over the calls on this instance (var "total", u64 LE)
 *   nothing       no output at all
 */
#include "rf_test_pdk.h"

static uint8_t chunk[4096];

RF_EXPORT(echo)
{
    uint64_t len = ex_input_length();
    uint64_t out = ex_alloc(len);
    if (len && !out) {
        pdk_error("echo: cannot allocate the output");
        return 1;
    }
    for (uint64_t off = 0; off < len; off += sizeof chunk) {
        uint64_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
        pdk_input_read(off, chunk, n);
        pdk_store(out + off, chunk, n);
    }
    ex_output_set(out, len);
    return 0;
}

RF_EXPORT(echo_direct)
{
    ex_output_set(ex_input_offset(), ex_input_length());
    return 0;
}

static int is_vowel(uint8_t c)
{
    static const char vowels[] = "aeiouAEIOU";
    for (size_t i = 0; i < sizeof vowels - 1; i++)
        if ((uint8_t)vowels[i] == c)
            return 1;
    return 0;
}

RF_EXPORT(count_vowels)
{
    uint64_t len = ex_input_length(), count = 0;
    for (uint64_t off = 0; off < len; off += sizeof chunk) {
        uint64_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
        pdk_input_read(off, chunk, n);
        for (uint64_t i = 0; i < n; i++)
            count += (uint64_t)is_vowel(chunk[i]);
    }

    uint64_t key = pdk_new_str("total");
    uint64_t old = ex_var_get(key);
    uint64_t total = count;
    if (old && ex_length(old) == 8) {
        uint8_t b[8];
        pdk_load(old, b, 8);
        total += pdk_get_u64(b);
    }
    uint8_t b[8];
    pdk_put_u64(b, total);
    ex_var_set(pdk_new_str("total"), pdk_new(b, 8));

    pdk_text t = { .len = 0 };
    pdk_text_str(&t, "{\"count\":");
    pdk_text_u64(&t, count);
    pdk_text_str(&t, ",\"total\":");
    pdk_text_u64(&t, total);
    pdk_text_str(&t, ",\"vowels\":\"aeiouAEIOU\"}");
    pdk_output(t.buf, t.len);
    return 0;
}

RF_EXPORT(nothing)
{
    return 0;
}
