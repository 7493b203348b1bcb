/*
 * config.c — config_get and the var store (var_get / var_set).
 *
 *   config          output = the value of config key <input>, or "(none)"
 *                   when config_get returns 0 (missing or empty value)
 *   counter         var "count" (u64 LE) + 1, stored back; output in decimal
 *                   (1, 2, 3, ... over calls on one instance)
 *   var_put         input "KEY=VALUE": var_set(KEY, VALUE); an empty VALUE
 *                   removes KEY (var_set with handle 0)
 *   var_read        output = var <input>, or "(none)"
 *   bad_utf8_keys   var_set and var_get under the key bytes ff fe 'k', then
 *                   config_get under the same key; outputs
 *                   "var=<value or (none)> config=<value or (none)>"
 *   bad_key_handle  config_get(12345): not a block -> the call fails
 */
#include "rf_test_pdk.h"

static uint8_t buf[8192];

static void output_or_none(uint64_t h)
{
    if (!h) {
        pdk_output_str("(none)");
        return;
    }
    uint64_t n = pdk_read(h, buf, sizeof buf);
    pdk_output(buf, n < sizeof buf ? n : sizeof buf);
}

RF_EXPORT(config)
{
    uint64_t n = pdk_input(buf, sizeof buf);
    output_or_none(ex_config_get(pdk_new(buf, n)));
    return 0;
}

RF_EXPORT(counter)
{
    uint64_t old = ex_var_get(pdk_new_str("count"));
    uint64_t count = 1;
    if (old) {
        uint8_t b[8];
        if (ex_length(old) != 8) {
            pdk_error("var count is not 8 bytes long");
            return 1;
        }
        pdk_load(old, b, 8);
        count += pdk_get_u64(b);
    }
    uint8_t b[8];
    pdk_put_u64(b, count);
    ex_var_set(pdk_new_str("count"), pdk_new(b, 8));
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, count);
    pdk_output(t.buf, t.len);
    return 0;
}

RF_EXPORT(var_put)
{
    uint64_t n = pdk_input(buf, sizeof buf);
    uint64_t eq = 0;
    while (eq < n && buf[eq] != '=')
        eq++;
    if (eq == n) {
        pdk_error("var_put needs KEY=VALUE");
        return 1;
    }
    ex_var_set(pdk_new(buf, eq), pdk_new(buf + eq + 1, n - eq - 1));
    return 0;
}

RF_EXPORT(var_read)
{
    uint64_t n = pdk_input(buf, sizeof buf);
    output_or_none(ex_var_get(pdk_new(buf, n)));
    return 0;
}

static void add_value(pdk_text *t, uint64_t h)
{
    if (!h) {
        pdk_text_str(t, "(none)");
        return;
    }
    uint8_t v[64];
    uint64_t n = pdk_read(h, v, sizeof v);
    pdk_text_add(t, (const char *)v, n < sizeof v ? n : sizeof v);
}

RF_EXPORT(bad_utf8_keys)
{
    static const uint8_t key[] = { 0xff, 0xfe, 'k' };
    ex_var_set(pdk_new(key, sizeof key), pdk_new_str("stored"));
    uint64_t var = ex_var_get(pdk_new(key, sizeof key));
    uint64_t cfg = ex_config_get(pdk_new(key, sizeof key));
    pdk_text t = { .len = 0 };
    pdk_text_str(&t, "var=");
    add_value(&t, var);
    pdk_text_str(&t, " config=");
    add_value(&t, cfg);
    pdk_output(t.buf, t.len);
    return 0;
}

RF_EXPORT(bad_key_handle)
{
    ex_config_get(12345);
    pdk_output_str("config_get(12345) returned");
    return 0;
}
