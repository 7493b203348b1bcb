/*
 * http.c — one plugin HTTP request over libcurl (see http.h for the
 * contract: policy checks, caps, redirects and error wording).
 *
 * Flow: parse and validate the request JSON (http_req), parse the URL with
 * curl's URL API and check scheme and host (http_target), then run one curl
 * transfer per hop on a single easy handle (so hops to the same server can
 * reuse the connection), re-checking each redirect target before following
 * it. curl never follows redirects itself, never uses a proxy, and speaks
 * only http and https. The CURLU that passed the host check is the one
 * handed to curl (CURLOPT_CURLU), so the host checked is the host contacted.
 *
 * Bounds: the body is read into a buffer that never exceeds the cap (the
 * write callback aborts the transfer on the first byte past it), header
 * bytes per response are capped, and the whole request shares one deadline.
 * The only static state is the result of curl_global_init, written once
 * under pthread_once.
 */
#include "http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HTTP_SHOW_MAX 1024 /* longest URL or name quoted in an error message */

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_init_result = CURLE_FAILED_INIT;

static void http_global_init(void)
{
    http_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static bool http_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
    if (errbuf != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Copies untrusted text (len bytes) for an error message: control
   characters become '?', and the copy is cut at HTTP_SHOW_MAX with "...". */
static const char *http_show(char dst[HTTP_SHOW_MAX], const char *s, size_t len)
{
    size_t n = 0, limit = HTTP_SHOW_MAX - 4;
    for (size_t i = 0; i < len && n < limit; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (len > limit) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
    return dst;
}

static uint64_t http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool http_ascii_iequal(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* RFC 9110 token: what a method or a header name may consist of. */
static bool http_is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && (c == '\0' || strchr("!#$%&'*+-.^_`|~", c) == NULL))
            return false;
    }
    return true;
}

static const char *http_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    default: return "null";
    }
}

/* ---- the request object ------------------------------------------------ */

typedef struct http_req {
    json_t *root;
    const char *url;      /* inside root */
    char *method;         /* uppercased copy */
    json_t *headers;      /* inside root; NULL when absent or null */
} http_req;

static void http_req_free(http_req *r)
{
    free(r->method);
    json_decref(r->root);
}

/* Header values go into the request verbatim, so CR, LF and NUL (which
   would end the line early) are refused. */
static bool http_check_headers(json_t *headers, char *errbuf, size_t errlen)
{
    char shown[HTTP_SHOW_MAX];
    for (void *it = json_object_iter(headers); it != NULL;
         it = json_object_iter_next(headers, it)) {
        const char *name = json_object_iter_key(it);
        size_t name_len = json_object_iter_key_len(it);
        json_t *value = json_object_iter_value(it);
        const char *v;
        size_t vlen;

        if (!http_is_token(name, name_len))
            return http_fail(errbuf, errlen,
                             "invalid HTTP request: header name \"%s\" is not an HTTP token",
                             http_show(shown, name, name_len));
        if (!json_is_string(value))
            return http_fail(errbuf, errlen,
                             "invalid HTTP request: header \"%s\" must be a string, not %s",
                             http_show(shown, name, name_len), http_json_type(value));
        v = json_string_value(value);
        vlen = json_string_length(value);
        for (size_t i = 0; i < vlen; i++)
            if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0')
                return http_fail(errbuf, errlen,
                                 "invalid HTTP request: value of header \"%s\" contains a "
                                 "CR, LF or NUL character at byte %zu",
                                 http_show(shown, name, name_len), i);
    }
    return true;
}

static bool http_req_parse(const char *json, size_t len, http_req *r, char *errbuf,
                           size_t errlen)
{
    char shown[HTTP_SHOW_MAX];
    json_error_t jerr;
    json_t *url, *method, *headers;

    /* NUL inside strings is accepted here and refused below with a precise
       message (the url, method and header checks all look for it). */
    r->root = json_loadb(json != NULL ? json : "", json != NULL ? len : 0, JSON_ALLOW_NUL, &jerr);
    if (r->root == NULL)
        return http_fail(errbuf, errlen,
                         "invalid HTTP request JSON: %s (line %d, column %d, byte 0x%zx)",
                         http_show(shown, jerr.text, strlen(jerr.text)), jerr.line, jerr.column,
                         (size_t)jerr.position);
    if (!json_is_object(r->root))
        return http_fail(errbuf, errlen, "invalid HTTP request: expected a JSON object, not %s",
                         http_json_type(r->root));

    url = json_object_get(r->root, "url");
    if (!json_is_string(url))
        return http_fail(errbuf, errlen, "invalid HTTP request: \"url\" must be a string, not %s",
                         url == NULL ? "missing" : http_json_type(url));
    r->url = json_string_value(url);
    if (strlen(r->url) != json_string_length(url))
        return http_fail(errbuf, errlen,
                         "invalid HTTP request: \"url\" contains a NUL character at byte %zu",
                         strlen(r->url));

    method = json_object_get(r->root, "method");
    if (method == NULL || json_is_null(method)) {
        r->method = strdup("GET");
    } else {
        const char *m;
        size_t mlen;
        if (!json_is_string(method))
            return http_fail(errbuf, errlen,
                             "invalid HTTP request: \"method\" must be a string or null, not %s",
                             http_json_type(method));
        m = json_string_value(method);
        mlen = json_string_length(method);
        if (!http_is_token(m, mlen))
            return http_fail(errbuf, errlen,
                             "invalid HTTP request: method \"%s\" is not an HTTP token",
                             http_show(shown, m, mlen));
        r->method = malloc(mlen + 1);
        if (r->method != NULL) {
            for (size_t i = 0; i <= mlen; i++)
                r->method[i] = (m[i] >= 'a' && m[i] <= 'z') ? (char)(m[i] - 'a' + 'A') : m[i];
        }
    }
    if (r->method == NULL)
        return http_fail(errbuf, errlen, "out of memory parsing the HTTP request");

    headers = json_object_get(r->root, "headers");
    if (headers != NULL && !json_is_null(headers)) {
        if (!json_is_object(headers))
            return http_fail(errbuf, errlen,
                             "invalid HTTP request: \"headers\" must be an object or null, not %s",
                             http_json_type(headers));
        if (!http_check_headers(headers, errbuf, errlen))
            return false;
        r->headers = headers;
    }
    return true;
}

/* Header groups left out of a hop (see http.h, redirects). */
enum { HTTP_DROP_CREDENTIALS = 1u, HTTP_DROP_BODY_HEADERS = 2u };

static const char *const http_credential_headers[] = {"authorization", "cookie",
                                                      "proxy-authorization", "host", NULL};
static const char *const http_body_headers[] = {"content-type", "content-length",
                                                "content-encoding", "content-language",
                                                "content-location", "transfer-encoding", NULL};

static bool http_name_in(const char *name, size_t len, const char *const *list)
{
    for (; *list != NULL; list++)
        if (http_ascii_iequal(name, len, *list))
            return true;
    return false;
}

static bool http_append(struct curl_slist **list, const char *line)
{
    struct curl_slist *grown = curl_slist_append(*list, line);
    if (grown == NULL)
        return false;
    *list = grown;
    return true;
}

/* The curl header list for one hop: the plugin's headers minus the dropped
   groups, plus removals of curl's own Content-Type and Expect defaults for
   a body (upstream sends neither unless the plugin does). Lines with an
   empty value use curl's "Name;" form, as "Name:" would remove the header. */
static bool http_header_list(const json_t *headers, unsigned drop, bool has_body,
                             struct curl_slist **out)
{
    struct curl_slist *list = NULL;
    bool has_type = false, has_expect = false;
    char *line = NULL;
    size_t line_cap = 0;

    for (void *it = json_object_iter((json_t *)headers); headers != NULL && it != NULL;
         it = json_object_iter_next((json_t *)headers, it)) {
        const char *name = json_object_iter_key(it);
        size_t name_len = json_object_iter_key_len(it);
        json_t *value = json_object_iter_value(it);
        size_t vlen = json_string_length(value);
        size_t need = name_len + vlen + 3;

        if ((drop & HTTP_DROP_CREDENTIALS) && http_name_in(name, name_len, http_credential_headers))
            continue;
        if ((drop & HTTP_DROP_BODY_HEADERS) && http_name_in(name, name_len, http_body_headers))
            continue;
        has_type = has_type || http_ascii_iequal(name, name_len, "content-type");
        has_expect = has_expect || http_ascii_iequal(name, name_len, "expect");
        if (need > line_cap) {
            char *grown = realloc(line, need);
            if (grown == NULL)
                goto oom;
            line = grown;
            line_cap = need;
        }
        memcpy(line, name, name_len);
        if (vlen == 0) {
            memcpy(line + name_len, ";", 2);
        } else {
            memcpy(line + name_len, ": ", 2);
            memcpy(line + name_len + 2, json_string_value(value), vlen);
            line[name_len + 2 + vlen] = '\0';
        }
        if (!http_append(&list, line))
            goto oom;
    }
    if (has_body && !has_type && !http_append(&list, "Content-Type:"))
        goto oom;
    if (has_body && !has_expect && !http_append(&list, "Expect:"))
        goto oom;
    free(line);
    *out = list;
    return true;
oom:
    free(line);
    curl_slist_free_all(list);
    return false;
}

/* ---- URL checks -------------------------------------------------------- */

typedef struct http_target {
    CURLU *cu;
    char *url;      /* malloc'd copy of the URL as given */
    char *scheme;   /* curl_free */
    char *host;     /* malloc'd, lowercased; "" when the URL has none */
    char *port;     /* curl_free; the scheme's default when not given */
} http_target;

static void http_target_free(http_target *t)
{
    curl_url_cleanup(t->cu);
    free(t->url);
    curl_free(t->scheme);
    free(t->host);
    curl_free(t->port);
    memset(t, 0, sizeof *t);
}

static bool http_same_origin(const http_target *a, const http_target *b)
{
    return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->host, b->host) == 0 &&
           strcmp(a->port, b->port) == 0;
}

/* Parses `url`, then checks, in upstream's order, the host against the
   policy and the scheme. `from` names the URL that redirected here, if any. */
static bool http_target_open(const rf_http_policy *policy, const char *url, const char *from,
                             http_target *t, char *errbuf, size_t errlen)
{
    char shown[HTTP_SHOW_MAX], shown_from[HTTP_SHOW_MAX];
    char *host = NULL;
    CURLUcode rc;

    memset(t, 0, sizeof *t);
    http_show(shown, url, strlen(url));
    t->cu = curl_url();
    t->url = strdup(url);
    if (t->cu == NULL || t->url == NULL)
        return http_fail(errbuf, errlen, "out of memory parsing the URL %s", shown);
    rc = curl_url_set(t->cu, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK)
        return http_fail(errbuf, errlen, "Invalid URL: %s: %s", curl_url_strerror(rc), shown);

    rc = curl_url_get(t->cu, CURLUPART_HOST, &host, 0);
    if (rc == CURLUE_OK) {
        t->host = strdup(host);
        curl_free(host);
    } else if (rc == CURLUE_NO_HOST) {
        t->host = strdup("");
    } else {
        return http_fail(errbuf, errlen, "Invalid URL: %s: %s", curl_url_strerror(rc), shown);
    }
    if (t->host == NULL)
        return http_fail(errbuf, errlen, "out of memory parsing the URL %s", shown);
    for (char *c = t->host; *c != '\0'; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');

    if (!rf_http_host_allowed(policy, t->host)) {
        if (from != NULL)
            return http_fail(errbuf, errlen,
                             "HTTP request to %s is not allowed (redirected from %s)", shown,
                             http_show(shown_from, from, strlen(from)));
        return http_fail(errbuf, errlen, "HTTP request to %s is not allowed", shown);
    }

    rc = curl_url_get(t->cu, CURLUPART_SCHEME, &t->scheme, 0);
    if (rc != CURLUE_OK)
        return http_fail(errbuf, errlen, "Invalid URL: %s: %s", curl_url_strerror(rc), shown);
    if (strcmp(t->scheme, "http") != 0 && strcmp(t->scheme, "https") != 0)
        return http_fail(errbuf, errlen,
                         "Invalid URL: unsupported scheme \"%s\" (only http and https): %s",
                         t->scheme, shown);
    rc = curl_url_get(t->cu, CURLUPART_PORT, &t->port, CURLU_DEFAULT_PORT);
    if (rc != CURLUE_OK)
        return http_fail(errbuf, errlen, "Invalid URL: %s: %s", curl_url_strerror(rc), shown);
    return true;
}

/* ---- one transfer ------------------------------------------------------ */

typedef struct http_sink {
    const rf_http_policy *policy;
    uint8_t *buf;
    size_t len, cap;
    size_t max;              /* body cap, < SIZE_MAX */
    size_t header_bytes;
    bool too_big, headers_too_big, oom, stopped;
} http_sink;

static size_t http_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    http_sink *s = arg;
    size_t n = size * nmemb;

    if (n > s->max - s->len) {
        s->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (n > s->cap - s->len) {
        size_t cap = s->cap != 0 ? s->cap : 16384;
        uint8_t *grown;
        while (cap < s->len + n)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        if (cap > s->max)
            cap = s->max;
        grown = realloc(s->buf, cap);
        if (grown == NULL) {
            s->oom = true;
            return 0;
        }
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return n;
}

static size_t http_on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    http_sink *s = arg;
    size_t n = size * nmemb;
    (void)data;
    if (n > RF_HTTP_MAX_HEADER_BYTES - s->header_bytes) {
        s->headers_too_big = true;
        return 0;
    }
    s->header_bytes += n;
    return n;
}

static int http_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                            curl_off_t ulnow)
{
    http_sink *s = arg;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    if (s->policy->should_stop(s->policy->should_stop_arg)) {
        s->stopped = true;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    return 0;
}

typedef struct http_hop {
    const http_target *target;
    const char *method;
    const uint8_t *body;     /* NULL = no body */
    size_t body_len;
    struct curl_slist *headers;
    long timeout_ms;         /* 0 = none */
} http_hop;

static CURLcode http_setup(CURL *e, const http_hop *hop, http_sink *sink, char *curl_err)
{
    CURLcode rc = curl_easy_setopt(e, CURLOPT_CURLU, hop->target->cu);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_PROXY, ""); /* ignore http_proxy & co. */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM: we run on many threads */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_err);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_body);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)sink);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_on_header);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *)sink);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* decoded bytes count to the cap */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_HTTPHEADER, hop->headers);
    if (rc == CURLE_OK && hop->timeout_ms > 0)
        rc = curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, hop->timeout_ms);
    if (rc == CURLE_OK && sink->policy->should_stop != NULL) {
        rc = curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, http_on_progress);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(e, CURLOPT_XFERINFODATA, (void *)sink);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    }
    if (rc != CURLE_OK)
        return rc;
    if (strcmp(hop->method, "HEAD") == 0)
        return curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (hop->body != NULL) {
        rc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)hop->body_len);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(e, CURLOPT_POSTFIELDS, (const void *)hop->body);
    }
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, hop->method);
    return rc;
}

/* {"lowercase-name": "value"} of the last response; NULL when out of memory. */
static char *http_headers_json(CURL *e)
{
    json_t *obj = json_object();
    struct curl_header *h = NULL;
    char *text;

    if (obj == NULL)
        return NULL;
    while ((h = curl_easy_nextheader(e, CURLH_HEADER, -1, h)) != NULL) {
        char *name = strdup(h->name);
        json_t *value = json_string(h->value); /* NULL unless valid UTF-8 */
        if (name != NULL && value != NULL) {
            for (char *c = name; *c != '\0'; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
            json_object_set_new(obj, name, value); /* takes value, even on failure */
        } else {
            json_decref(value);
        }
        free(name);
    }
    text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return text;
}

static bool http_is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool rf_http_request(const rf_http_policy *policy, const char *req_json, size_t req_len,
                     const uint8_t *body, size_t body_len, rf_http_response *out,
                     char *errbuf, size_t errlen)
{
    static const rf_http_policy deny_all = {0};
    char shown[HTTP_SHOW_MAX];
    char curl_err[CURL_ERROR_SIZE];
    http_req req = {0};
    http_target target = {0};
    http_sink sink = {0};
    http_hop hop = {0};
    CURL *easy = NULL;
    bool ok = false;
    unsigned drop = 0;
    uint64_t max, deadline = 0;

    memset(out, 0, sizeof *out);
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    if (policy == NULL)
        policy = &deny_all;
    max = policy->max_response_bytes != 0 ? policy->max_response_bytes
                                          : RF_HTTP_DEFAULT_MAX_RESPONSE_BYTES;
    sink.policy = policy;
    sink.max = max < SIZE_MAX ? (size_t)max : SIZE_MAX - 1;
    if (policy->timeout_ms != 0) {
        uint64_t now = http_now_ms();
        deadline = policy->timeout_ms > UINT64_MAX - now ? UINT64_MAX : now + policy->timeout_ms;
    }

    pthread_once(&http_once, http_global_init);
    if (http_init_result != CURLE_OK)
        return http_fail(errbuf, errlen, "HTTP client initialisation failed: %s",
                         curl_easy_strerror(http_init_result));
    if (!http_req_parse(req_json, req_len, &req, errbuf, errlen) ||
        !http_target_open(policy, req.url, NULL, &target, errbuf, errlen))
        goto done;
    easy = curl_easy_init();
    if (easy == NULL) {
        http_fail(errbuf, errlen, "out of memory starting an HTTP request");
        goto done;
    }
    hop.method = req.method;
    hop.body = body;
    hop.body_len = body_len;

    for (int hops = 0;; hops++) {
        const char *redirect = NULL;
        CURLcode rc;

        hop.target = &target;
        hop.timeout_ms = 0;
        if (deadline != 0) {
            uint64_t now = http_now_ms();
            if (now >= deadline) {
                http_fail(errbuf, errlen, "timeout");
                goto done;
            }
            hop.timeout_ms = deadline - now > LONG_MAX ? LONG_MAX : (long)(deadline - now);
        }
        if (policy->should_stop != NULL && policy->should_stop(policy->should_stop_arg)) {
            http_fail(errbuf, errlen, "timeout");
            goto done;
        }
        if (strcmp(hop.method, "HEAD") == 0)
            hop.body = NULL;
        if (!http_header_list(req.headers, drop, hop.body != NULL, &hop.headers)) {
            http_fail(errbuf, errlen, "out of memory building the HTTP request headers");
            goto done;
        }
        curl_easy_reset(easy);
        curl_err[0] = '\0';
        sink.len = 0;
        sink.header_bytes = 0;
        rc = http_setup(easy, &hop, &sink, curl_err);
        if (rc == CURLE_OK)
            rc = curl_easy_perform(easy);
        curl_slist_free_all(hop.headers);
        hop.headers = NULL;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out->status);

        http_show(shown, target.url, strlen(target.url));
        if (sink.too_big) {
            http_fail(errbuf, errlen,
                      "HTTP response exceeds the configured maximum number of bytes: %" PRIu64,
                      max);
            goto done;
        }
        if (sink.headers_too_big) {
            http_fail(errbuf, errlen, "HTTP response from %s has more than %u bytes of headers",
                      shown, RF_HTTP_MAX_HEADER_BYTES);
            goto done;
        }
        if (sink.oom) {
            http_fail(errbuf, errlen, "out of memory reading the HTTP response from %s", shown);
            goto done;
        }
        if (sink.stopped || rc == CURLE_OPERATION_TIMEDOUT) {
            http_fail(errbuf, errlen, "timeout");
            goto done;
        }
        if (rc != CURLE_OK) {
            const char *why = curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc);
            char shown_why[HTTP_SHOW_MAX];
            http_fail(errbuf, errlen, "HTTP request to %s failed: %s", shown,
                      http_show(shown_why, why, strlen(why))); /* may quote the server */
            goto done;
        }

        if (!http_is_redirect(out->status) ||
            curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &redirect) != CURLE_OK ||
            redirect == NULL)
            break;
        if (hops == RF_HTTP_MAX_REDIRECTS) {
            http_fail(errbuf, errlen, "HTTP request to %s failed: more than %d redirects",
                      shown, RF_HTTP_MAX_REDIRECTS);
            goto done;
        }
        {
            http_target next;
            if (!http_target_open(policy, redirect, target.url, &next, errbuf, errlen)) {
                http_target_free(&next);
                goto done;
            }
            if (!http_same_origin(&target, &next))
                drop |= HTTP_DROP_CREDENTIALS;
            http_target_free(&target);
            target = next;
        }
        if (out->status == 303 ||
            ((out->status == 301 || out->status == 302) && strcmp(hop.method, "POST") == 0)) {
            if (strcmp(hop.method, "HEAD") != 0)
                hop.method = "GET";
            hop.body = NULL;
            drop |= HTTP_DROP_BODY_HEADERS;
        }
    }

    if (policy->collect_headers) {
        out->headers_json = http_headers_json(easy);
        if (out->headers_json == NULL) {
            http_fail(errbuf, errlen, "out of memory collecting the HTTP response headers");
            goto done;
        }
    }
    if (sink.len > 0) {
        out->body = sink.buf;
        out->body_len = sink.len;
        sink.buf = NULL;
    }
    ok = true;
done:
    free(sink.buf);
    curl_easy_cleanup(easy);
    http_target_free(&target);
    http_req_free(&req);
    if (!ok) {
        long status = out->status;
        rf_http_response_free(out);
        out->status = status;
    }
    return ok;
}

void rf_http_response_free(rf_http_response *r)
{
    if (r == NULL)
        return;
    free(r->body);
    free(r->headers_json);
    memset(r, 0, sizeof *r);
}
