/*
 * http.c — http_request, http_status_code and http_headers.
 *
 *   http_get      input = a URL; GET it with header "X-Test: yes" and
 *                 output "<status> <body>"
 *   http_post     input = "URL BODY" (split at the first space); POST BODY,
 *                 output "<status> <body>"
 *   http_headers  input = a URL; GET it, output the http_headers() JSON text,
 *                 or "(none)" when it returns 0 (headers not enabled)
 *   http_status   output http_status_code() before any request ("0")
 */
#include "rf_test_pdk.h"

static uint8_t in[4096];
static uint8_t body[65536];

/* {"url":"<url>","method":"<method>","headers":{"X-Test":"yes"}}; the test
 * URLs need no JSON escaping. */
static uint64_t request(const uint8_t *url, uint64_t url_len, const char *method)
{
    pdk_text t = { .len = 0 };
    pdk_text_str(&t, "{\"url\":\"");
    pdk_text_add(&t, (const char *)url, url_len);
    pdk_text_str(&t, "\",\"method\":\"");
    pdk_text_str(&t, method);
    pdk_text_str(&t, "\",\"headers\":{\"X-Test\":\"yes\"}}");
    return pdk_new(t.buf, t.len);
}

static int32_t respond(uint64_t resp)
{
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, (uint64_t)(uint32_t)ex_http_status_code());
    pdk_text_str(&t, " ");
    uint64_t n = resp ? pdk_read(resp, body, sizeof body) : 0;
    if (n > sizeof body)
        n = sizeof body;
    uint64_t out = ex_alloc(t.len + n);
    if (!out && t.len + n) {
        pdk_error("http: cannot allocate the output");
        return 1;
    }
    pdk_store(out, (const uint8_t *)t.buf, t.len);
    pdk_store(out + t.len, body, n);
    ex_output_set(out, t.len + n);
    return 0;
}

RF_EXPORT(http_get)
{
    uint64_t n = pdk_input(in, sizeof in);
    return respond(ex_http_request(request(in, n, "GET"), 0));
}

RF_EXPORT(http_post)
{
    uint64_t n = pdk_input(in, sizeof in), sp = 0;
    while (sp < n && in[sp] != ' ')
        sp++;
    uint64_t b = sp < n ? pdk_new(in + sp + 1, n - sp - 1) : 0;
    return respond(ex_http_request(request(in, sp, "POST"), b));
}

RF_EXPORT(http_headers)
{
    uint64_t n = pdk_input(in, sizeof in);
    ex_http_request(request(in, n, "GET"), 0);
    uint64_t h = ex_http_headers();
    if (!h) {
        pdk_output_str("(none)");
        return 0;
    }
    uint64_t len = pdk_read(h, body, sizeof body);
    pdk_output(body, len < sizeof body ? len : sizeof body);
    return 0;
}

RF_EXPORT(http_status)
{
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, (uint64_t)(uint32_t)ex_http_status_code());
    pdk_output(t.buf, t.len);
    return 0;
}
