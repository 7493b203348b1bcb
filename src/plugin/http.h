/*
 * http.h — the HTTP client behind the Extism host functions http_request,
 * http_status_code and http_headers.
 *
 * This module works on plain bytes: the plugin layer resolves kernel handles,
 * passes the request JSON and the body here, and turns the response into new
 * handles. Everything a plugin sends is untrusted, so:
 *   - the URL host must match the policy's allowed_hosts globs (none = deny
 *     all), checked again for every redirect hop;
 *   - only http and https are spoken, environment proxies are ignored;
 *   - the response body is capped (read at most max+1 bytes), the response
 *     headers are capped at RF_HTTP_MAX_HEADER_BYTES, and the whole exchange
 *     obeys the policy's timeout and should_stop callback;
 *   - method and header names must be HTTP tokens and header values may not
 *     contain CR, LF or NUL, so a plugin cannot inject request lines.
 *
 * Redirects (301, 302, 303, 307, 308) are followed, at most
 * RF_HTTP_MAX_REDIRECTS times, and only when the target passes the same URL
 * and allowed_hosts checks as the original URL; a target that does not is
 * an error ("HTTP request to <target> is not allowed (redirected from
 * <url>)"). 303, and 301/302 after a POST, continue as GET without the
 * body; 307/308 repeat the method and body. When a hop changes origin
 * (scheme, host or port) the plugin's Authorization, Cookie,
 * Proxy-Authorization and Host headers are dropped.
 *
 * Thread safety: requests may run concurrently on any threads; each uses its
 * own curl easy handle. curl_global_init runs once, under pthread_once, on
 * the first request. curl_global_cleanup is never called: it is
 * process-wide, and another part of the process may still be using libcurl.
 * Valgrind therefore reports libcurl's and OpenSSL's global state as "still
 * reachable", never as definitely lost.
 */
#ifndef RF_PLUGIN_HTTP_H
#define RF_PLUGIN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_HTTP_DEFAULT_MAX_RESPONSE_BYTES (50u * 1024u * 1024u)
#define RF_HTTP_MAX_REDIRECTS 5
#define RF_HTTP_MAX_HEADER_BYTES (256u * 1024u) /* all header lines of one response */

typedef struct rf_http_policy {
    /* Globs over the URL host (no scheme, port or userinfo; an IPv6 literal
       keeps its brackets, e.g. "[::1]"). fnmatch(3) syntax: '*', '?',
       "[...]" with ranges, "[!...]"/"[^...]" and "[:class:]", and '\' to
       escape; an entry that is not a valid glob (an unclosed '[', a trailing
       '\', an unknown class) is compared exactly. Matching is
       ASCII-case-insensitive, as host names are. No entries = deny all;
       NULL entries are skipped. */
    const char *const *allowed_hosts;
    size_t nallowed_hosts;
    uint64_t max_response_bytes;   /* body cap; 0 = RF_HTTP_DEFAULT_MAX_RESPONSE_BYTES */
    uint64_t timeout_ms;           /* whole request, redirects included; 0 = none
                                      (the plugin passes the call's remaining time) */
    bool collect_headers;          /* fill rf_http_response.headers_json */
    /* Optional (may be NULL): polled while the request runs (during a
       stalled transfer about once a second); returning true aborts it with
       the error "timeout", as a cancelled plugin call reports. */
    bool (*should_stop)(void *arg);
    void *should_stop_arg;
} rf_http_policy;

typedef struct rf_http_response {
    long status;          /* status of the last response received; 0 if none */
    uint8_t *body;        /* malloc'd; NULL when the body is empty */
    size_t body_len;
    char *headers_json;   /* {"lowercase-name": "value", ...} of the final response
                             when collect_headers, else NULL. A repeated name
                             keeps its last value; values that are not valid
                             UTF-8 are left out. */
} rf_http_response;

/*
 * Performs one request. req_json is the plugin's request object:
 *   {"url": string, "headers": {string: string} | null, "method": string | null}
 * with extra fields ignored; the method defaults to GET and is uppercased.
 * body == NULL sends no body; a non-NULL body (even of length 0) is sent
 * with any method, except HEAD, which never carries one.
 *
 * A non-2xx status is not an error. On success returns true and fills *out
 * (free it with rf_http_response_free). On failure returns false, leaves
 * out->body and out->headers_json NULL (out->status still holds the last
 * status received, or 0), and writes a NUL-terminated message into errbuf
 * (if errlen > 0), using the upstream Extism wording where there is one:
 *   "invalid HTTP request JSON: ..." / "invalid HTTP request: ..."
 *   "Invalid URL: <reason>: <url>"   (also for schemes other than http/https)
 *   "HTTP request to <url> is not allowed"
 *   "HTTP response exceeds the configured maximum number of bytes: <max>"
 *   "timeout"                        (policy timeout or should_stop)
 *   "HTTP request to <url> failed: <curl's message>"  (transport errors,
 *                                     and "more than 5 redirects")
 *   "HTTP response from <url> has more than <n> bytes of headers"
 * URLs and names quoted in messages have control characters replaced by
 * '?' and are cut at 1 KiB. `out` must not be NULL; errbuf may be.
 */
bool rf_http_request(const rf_http_policy *policy, const char *req_json, size_t req_len,
                     const uint8_t *body, size_t body_len, rf_http_response *out,
                     char *errbuf, size_t errlen);

/* Frees the response's buffers and zeroes it; safe on a zeroed response. */
void rf_http_response_free(rf_http_response *r);

/* True when `host` matches one of policy->allowed_hosts (see above). */
bool rf_http_host_allowed(const rf_http_policy *policy, const char *host);

/* fnmatch(3)-style, ASCII-case-insensitive match of a whole host name
   against one glob; an invalid glob is compared exactly (http_glob.c). */
bool rf_http_glob_match(const char *pattern, const char *text);

#endif
