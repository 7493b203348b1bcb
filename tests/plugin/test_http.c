/*
 * test_http.c — the plugin HTTP client (src/plugin/http*.c).
 *
 * Host matching is tested directly (rf_http_glob_match, rf_http_host_allowed)
 * against fnmatch(3) semantics. Requests go to a tiny HTTP/1.1 server run by
 * this process on a thread: it listens on 127.0.0.1 at an ephemeral port,
 * serves one connection at a time, always closes the connection after its
 * answer, and picks the answer by path (see serve()). Every socket has a
 * receive/send timeout and the slow route gives up after SLOW_MS, so no test
 * can hang. Expected values come from the routes below and from the error
 * wording of the Extism ABI, never from the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ERRLEN 1024
#define SLOW_MS 3000           /* the slow route answers after this, if still wanted */
#define HEAD_MAX (64 * 1024)
#define BODY_MAX (4 * 1024 * 1024)

/* strstr ignoring ASCII case (strcasestr is a GNU extension). */
static char *ci_find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return (char *)hay;
    return NULL;
}

/* ---- the test server --------------------------------------------------- */

static struct {
    int listen_fd;
    int stop_pipe[2];
    unsigned port;
    pthread_t thread;
} server;

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the client gave up (e.g. a cap was hit); that is fine */
        p += n;
        len -= (size_t)n;
    }
}

static void respond(int fd, const char *status, const char *extra_headers, const void *body,
                    size_t body_len)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
                     body_len, extra_headers);
    send_all(fd, head, (size_t)n);
    send_all(fd, body, body_len);
}

static void redirect(int fd, const char *status, const char *location)
{
    char headers[512];
    snprintf(headers, sizeof headers, "Location: %s\r\n", location);
    respond(fd, status, headers, "moved", 5);
}

static char *make_pattern(size_t n)
{
    char *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)('a' + i % 26);
    b[n] = '\0';
    return b;
}

/* Reads one request (head + Content-Length body) and answers by path. */
static void serve(int fd)
{
    struct timeval tv = {5, 0};
    char *req = malloc(HEAD_MAX + BODY_MAX + 1);
    size_t len = 0, head_len = 0, body_len = 0;
    char method[32], path[256], local[256];
    const char *cl;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (head_len == 0) {
        ssize_t n;
        char *end;
        if (len >= HEAD_MAX)
            goto out;
        n = recv(fd, req + len, HEAD_MAX - len, 0);
        if (n <= 0)
            goto out;
        len += (size_t)n;
        req[len] = '\0';
        end = strstr(req, "\r\n\r\n");
        if (end != NULL)
            head_len = (size_t)(end - req) + 4;
    }
    if (sscanf(req, "%31s %255s", method, path) != 2)
        goto out;
    cl = ci_find(req, "\r\ncontent-length:");
    if (cl != NULL && cl < req + head_len)
        body_len = strtoul(cl + 17, NULL, 10);
    if (body_len > BODY_MAX)
        goto out;
    while (len < head_len + body_len) {
        ssize_t n = recv(fd, req + len, head_len + body_len - len, 0);
        if (n <= 0)
            goto out;
        len += (size_t)n;
    }

    if (strcmp(path, "/ok") == 0) {
        respond(fd, "200 OK", "X-Test: first\r\nX-Test: second\r\nX-Mixed-Case: Val\r\n",
                "hello world", 11);
    } else if (strcmp(path, "/notfound") == 0) {
        respond(fd, "404 Not Found", "", "missing", 7);
    } else if (strcmp(path, "/empty") == 0) {
        send_all(fd, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 45);
    } else if (strncmp(path, "/big/", 5) == 0) {
        size_t n = strtoul(path + 5, NULL, 10);
        char *b = make_pattern(n);
        respond(fd, "200 OK", "", b, n);
        free(b);
    } else if (strncmp(path, "/stream/", 8) == 0) { /* no Content-Length: ends at close */
        size_t n = strtoul(path + 8, NULL, 10);
        char *b = make_pattern(n);
        const char *head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
        send_all(fd, head, strlen(head));
        send_all(fd, b, n);
        free(b);
    } else if (strcmp(path, "/slow") == 0) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, SLOW_MS) == 0) /* readable = the client hung up */
            respond(fd, "200 OK", "", "late", 4);
    } else if (strcmp(path, "/echo") == 0) {
        respond(fd, "200 OK", "", req, len);
    } else if (strcmp(path, "/badutf8") == 0) {
        respond(fd, "200 OK", "X-Bad: \xff\xfe\r\nX-Good: ok\r\n", "", 0);
    } else if (strcmp(path, "/headers-big") == 0) {
        const char *head = "HTTP/1.1 200 OK\r\nConnection: close\r\n";
        char line[128];
        send_all(fd, head, strlen(head));
        for (int i = 0; i < 4000; i++) { /* ~400 KiB of headers */
            int n = snprintf(line, sizeof line, "X-Filler-%d: %090d\r\n", i, i);
            send_all(fd, line, (size_t)n);
        }
        send_all(fd, "Content-Length: 0\r\n\r\n", 21);
    } else if (strcmp(path, "/r302-ok") == 0) {
        redirect(fd, "302 Found", "/ok");
    } else if (strcmp(path, "/r303-echo") == 0) {
        redirect(fd, "303 See Other", "/echo");
    } else if (strcmp(path, "/r307-echo") == 0) {
        redirect(fd, "307 Temporary Redirect", "/echo");
    } else if (strcmp(path, "/rloop") == 0) {
        redirect(fd, "302 Found", "/rloop");
    } else if (strcmp(path, "/rdeny") == 0) {
        redirect(fd, "302 Found", "http://denied.invalid/x");
    } else if (strcmp(path, "/rfile") == 0) {
        redirect(fd, "302 Found", "file:///etc/passwd");
    } else if (strcmp(path, "/rlocal-echo") == 0) {
        snprintf(local, sizeof local, "http://localhost:%u/echo", server.port);
        redirect(fd, "302 Found", local);
    } else if (strcmp(path, "/rself-echo") == 0) {
        snprintf(local, sizeof local, "http://127.0.0.1:%u/echo", server.port);
        redirect(fd, "302 Found", local);
    } else {
        respond(fd, "500 Unknown Route", "", path, strlen(path));
    }
out:
    free(req);
}

static void *server_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd pf[2] = {{server.listen_fd, POLLIN, 0}, {server.stop_pipe[0], POLLIN, 0}};
        if (poll(pf, 2, 1000) < 0 || pf[1].revents != 0)
            break;
        if (pf[0].revents & POLLIN) {
            int fd = accept(server.listen_fd, NULL, NULL);
            if (fd >= 0) {
                serve(fd);
                shutdown(fd, SHUT_WR);
                close(fd);
            }
        }
    }
    return NULL;
}

static int server_start(void **state)
{
    struct sockaddr_in addr = {0};
    socklen_t alen = sizeof addr;
    int one = 1;
    (void)state;

    server.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (server.listen_fd < 0 || pipe(server.stop_pipe) != 0)
        return -1;
    setsockopt(server.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(server.listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(server.listen_fd, 64) != 0 ||
        getsockname(server.listen_fd, (struct sockaddr *)&addr, &alen) != 0)
        return -1;
    server.port = ntohs(addr.sin_port);
    return pthread_create(&server.thread, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int server_stop(void **state)
{
    (void)state;
    if (write(server.stop_pipe[1], "x", 1) != 1)
        return -1;
    pthread_join(server.thread, NULL);
    close(server.listen_fd);
    close(server.stop_pipe[0]);
    close(server.stop_pipe[1]);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static const char *const local_only[] = {"127.0.0.1"};

static rf_http_policy policy_for(const char *const *hosts, size_t n)
{
    rf_http_policy p;
    memset(&p, 0, sizeof p);
    p.allowed_hosts = hosts;
    p.nallowed_hosts = n;
    return p;
}

/* Request JSON for a path on the test server; `rest` is spliced after the
   url member (e.g. ",\"method\":\"PUT\""). */
static const char *req_for(char *buf, size_t len, const char *path, const char *rest)
{
    snprintf(buf, len, "{\"url\":\"http://127.0.0.1:%u%s\"%s}", server.port, path, rest);
    return buf;
}

static bool run(const rf_http_policy *p, const char *json, const char *body, size_t body_len,
                rf_http_response *out, char *err)
{
    return rf_http_request(p, json, strlen(json), (const uint8_t *)body, body_len, out, err,
                           ERRLEN);
}

/* The body as a NUL-terminated string (tests compare text). */
static char *body_text(const rf_http_response *r)
{
    char *s = malloc(r->body_len + 1);
    if (r->body_len > 0)
        memcpy(s, r->body, r->body_len);
    s[r->body_len] = '\0';
    return s;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- host globs ---------------------------------------------------------- */

static void test_glob_exact(void **state)
{
    (void)state;
    assert_true(rf_http_glob_match("example.com", "example.com"));
    assert_true(rf_http_glob_match("example.com", "EXAMPLE.Com")); /* hosts ignore case */
    assert_true(rf_http_glob_match("Example.COM", "example.com"));
    assert_false(rf_http_glob_match("example.com", "www.example.com"));
    assert_false(rf_http_glob_match("example.com", "example.co"));
    assert_false(rf_http_glob_match("example.com", "example.com.evil.org"));
    assert_false(rf_http_glob_match("example.com", ""));
    assert_true(rf_http_glob_match("", ""));
    assert_true(rf_http_glob_match("127.0.0.1", "127.0.0.1"));
    assert_false(rf_http_glob_match("127.0.0.1", "127.0.0.10"));
}

static void test_glob_wildcards(void **state)
{
    (void)state;
    assert_true(rf_http_glob_match("*.example.com", "api.example.com"));
    assert_true(rf_http_glob_match("*.example.com", "a.b.example.com"));
    assert_false(rf_http_glob_match("*.example.com", "example.com"));
    assert_false(rf_http_glob_match("*.example.com", "evilexample.com"));
    assert_false(rf_http_glob_match("*.example.com", "api.example.com.evil.org"));
    assert_true(rf_http_glob_match("*", "anything.at.all"));
    assert_true(rf_http_glob_match("*", ""));
    assert_true(rf_http_glob_match("**", "x"));
    assert_true(rf_http_glob_match("api?.example.com", "api1.example.com"));
    assert_false(rf_http_glob_match("api?.example.com", "api.example.com"));
    assert_false(rf_http_glob_match("api?.example.com", "api12.example.com"));
    assert_true(rf_http_glob_match("a*b*c", "aXXbYYbZc"));
    assert_false(rf_http_glob_match("a*b*c", "aXXbYYbZ"));
    assert_true(rf_http_glob_match("*.*.example.*", "x.y.example.org"));
    assert_true(rf_http_glob_match("192.168.*.*", "192.168.1.20"));
    assert_false(rf_http_glob_match("192.168.*.*", "10.168.1.20"));
}

static void test_glob_brackets(void **state)
{
    (void)state;
    assert_true(rf_http_glob_match("[ab]pi.example.com", "api.example.com"));
    assert_true(rf_http_glob_match("[ab]pi.example.com", "bpi.example.com"));
    assert_false(rf_http_glob_match("[ab]pi.example.com", "cpi.example.com"));
    assert_true(rf_http_glob_match("host[0-9].lan", "host7.lan"));
    assert_false(rf_http_glob_match("host[0-9].lan", "hostx.lan"));
    assert_true(rf_http_glob_match("host[!0-9].lan", "hostx.lan"));
    assert_false(rf_http_glob_match("host[!0-9].lan", "host7.lan"));
    assert_true(rf_http_glob_match("host[^0-9].lan", "hostx.lan"));
    assert_true(rf_http_glob_match("[[:digit:]]*", "9lives.org"));
    assert_false(rf_http_glob_match("[[:digit:]]*", "lives.org"));
    assert_true(rf_http_glob_match("[A-C]x", "bx")); /* case-insensitive ranges */
    assert_true(rf_http_glob_match("[]]", "]"));
    assert_true(rf_http_glob_match("[a-]", "-"));
    /* backslash escapes */
    assert_true(rf_http_glob_match("\\*.example.com", "*.example.com"));
    assert_false(rf_http_glob_match("\\*.example.com", "api.example.com"));
    assert_true(rf_http_glob_match("\\[::1\\]", "[::1]"));
    /* "[::1]" is a bracket expression: it matches one ':' or '1' */
    assert_false(rf_http_glob_match("[::1]", "[::1]"));
    assert_true(rf_http_glob_match("[::1]", "1"));
}

static void test_glob_invalid_is_exact(void **state)
{
    (void)state;
    assert_true(rf_http_glob_match("[abc", "[abc"));
    assert_false(rf_http_glob_match("[abc", "a"));
    assert_true(rf_http_glob_match("trailing\\", "trailing\\"));
    assert_false(rf_http_glob_match("trailing\\", "trailing"));
    assert_true(rf_http_glob_match("*[x", "*[x")); /* the '*' is literal too */
    assert_false(rf_http_glob_match("*[x", "a[x"));
    assert_true(rf_http_glob_match("[[:nope:]]", "[[:nope:]]"));
    assert_false(rf_http_glob_match("[[:nope:]]", "n"));
}

static void test_glob_is_not_exponential(void **state)
{
    char text[4097];
    uint64_t start = now_ms();
    (void)state;
    memset(text, 'a', 4096);
    text[4096] = '\0';
    assert_false(rf_http_glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
    assert_true(now_ms() - start < 2000);
}

static void test_host_allowed(void **state)
{
    static const char *const list[] = {"example.com", NULL, "*.example.org"};
    rf_http_policy p = policy_for(list, 3);
    rf_http_policy none = policy_for(NULL, 0);
    (void)state;
    assert_true(rf_http_host_allowed(&p, "example.com"));
    assert_true(rf_http_host_allowed(&p, "www.example.org"));
    assert_false(rf_http_host_allowed(&p, "www.example.com"));
    assert_false(rf_http_host_allowed(&p, "example.org"));
    assert_false(rf_http_host_allowed(&none, "example.com"));
    assert_false(rf_http_host_allowed(&none, ""));
    assert_false(rf_http_host_allowed(NULL, "example.com"));
    assert_false(rf_http_host_allowed(&p, NULL));
}

/* ---- requests -------------------------------------------------------------- */

static void test_get_ok(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    char *text;
    (void)state;
    assert_true(run(&p, req_for(json, sizeof json, "/ok", ""), NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    text = body_text(&r);
    assert_string_equal(text, "hello world");
    assert_null(r.headers_json); /* not asked for */
    free(text);
    rf_http_response_free(&r);
    assert_null(r.body);
    rf_http_response_free(&r); /* twice is fine */
}

static void test_non_2xx_is_not_an_error(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    char *text;
    (void)state;
    assert_true(run(&p, req_for(json, sizeof json, "/notfound", ""), NULL, 0, &r, err));
    assert_int_equal(r.status, 404);
    text = body_text(&r);
    assert_string_equal(text, "missing");
    free(text);
    rf_http_response_free(&r);

    assert_true(run(&p, req_for(json, sizeof json, "/no-such-route", ""), NULL, 0, &r, err));
    assert_int_equal(r.status, 500);
    rf_http_response_free(&r);
}

static void test_empty_body_is_null(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    (void)state;
    assert_true(run(&p, req_for(json, sizeof json, "/empty", ""), NULL, 0, &r, err));
    assert_int_equal(r.status, 204);
    assert_null(r.body);
    assert_int_equal(r.body_len, 0);
    rf_http_response_free(&r);
}

static void test_denied_hosts(void **state)
{
    static const char *const only_localhost[] = {"localhost"};
    static const char *const everything[] = {"*"};
    rf_http_policy deny = policy_for(only_localhost, 1);
    rf_http_policy none = policy_for(NULL, 0);
    rf_http_policy local = policy_for(local_only, 1);
    rf_http_policy all = policy_for(everything, 1);
    rf_http_response r;
    char json[256], err[ERRLEN], want[512];
    (void)state;

    snprintf(want, sizeof want, "HTTP request to http://127.0.0.1:%u/ok is not allowed",
             server.port);
    assert_false(run(&deny, req_for(json, sizeof json, "/ok", ""), NULL, 0, &r, err));
    assert_string_equal(err, want);
    assert_int_equal(r.status, 0);
    assert_null(r.body);
    assert_false(run(&none, json, NULL, 0, &r, err));
    assert_string_equal(err, want);
    assert_false(rf_http_request(NULL, json, strlen(json), NULL, 0, &r, err, ERRLEN));
    assert_string_equal(err, want);
    assert_true(run(&all, json, NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    rf_http_response_free(&r);

    /* userinfo is not the host */
    assert_false(run(&local, "{\"url\":\"http://127.0.0.1@evil.invalid/\"}", NULL, 0, &r, err));
    assert_string_equal(err, "HTTP request to http://127.0.0.1@evil.invalid/ is not allowed");
    /* neither is a fragment */
    assert_false(run(&local, "{\"url\":\"http://evil.invalid#@127.0.0.1/\"}", NULL, 0, &r, err));
    assert_string_equal(err, "HTTP request to http://evil.invalid#@127.0.0.1/ is not allowed");
}

static void test_host_forms(void **state)
{
    static const char *const only_localhost[] = {"localhost"};
    static const char *const ipv6[] = {"\\[::1\\]"};
    rf_http_policy local = policy_for(local_only, 1);
    rf_http_policy lh = policy_for(only_localhost, 1);
    rf_http_policy v6 = policy_for(ipv6, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    (void)state;

    /* the host is percent-decoded and normalised before matching, the same
       way curl does before connecting */
    snprintf(json, sizeof json, "{\"url\":\"http://%%31%%32%%37.0.0.1:%u/ok\"}", server.port);
    assert_true(run(&local, json, NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    rf_http_response_free(&r);
    snprintf(json, sizeof json, "{\"url\":\"http://127.1:%u/ok\"}", server.port);
    assert_true(run(&local, json, NULL, 0, &r, err));
    rf_http_response_free(&r);
    snprintf(json, sizeof json, "{\"url\":\"http://LocalHost:%u/ok\"}", server.port);
    assert_true(run(&lh, json, NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    rf_http_response_free(&r);

    /* an IPv6 literal keeps its brackets: allowed, so the failure is the
       connection (nothing listens on port 1), not the policy */
    assert_false(run(&v6, "{\"url\":\"http://[::1]:1/\"}", NULL, 0, &r, err));
    assert_non_null(strstr(err, "HTTP request to http://[::1]:1/ failed: "));
    assert_false(run(&local, "{\"url\":\"http://[::1]:1/\"}", NULL, 0, &r, err));
    assert_string_equal(err, "HTTP request to http://[::1]:1/ is not allowed");
}

static void test_headers_json(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    json_t *h;
    const char *key;
    json_t *value;
    (void)state;

    p.collect_headers = true;
    assert_true(run(&p, req_for(json, sizeof json, "/ok", ""), NULL, 0, &r, err));
    assert_non_null(r.headers_json);
    h = json_loads(r.headers_json, 0, NULL);
    assert_true(json_is_object(h));
    assert_string_equal(json_string_value(json_object_get(h, "x-test")), "second");
    assert_string_equal(json_string_value(json_object_get(h, "x-mixed-case")), "Val");
    assert_string_equal(json_string_value(json_object_get(h, "content-length")), "11");
    assert_string_equal(json_string_value(json_object_get(h, "connection")), "close");
    json_object_foreach(h, key, value) {
        for (const char *c = key; *c != '\0'; c++)
            assert_false(*c >= 'A' && *c <= 'Z');
        assert_true(json_is_string(value));
    }
    json_decref(h);
    rf_http_response_free(&r);

    /* a value that is not UTF-8 is left out, the others stay */
    assert_true(run(&p, req_for(json, sizeof json, "/badutf8", ""), NULL, 0, &r, err));
    h = json_loads(r.headers_json, 0, NULL);
    assert_non_null(h);
    assert_null(json_object_get(h, "x-bad"));
    assert_string_equal(json_string_value(json_object_get(h, "x-good")), "ok");
    json_decref(h);
    rf_http_response_free(&r);

    /* headers also come with an error status */
    assert_true(run(&p, req_for(json, sizeof json, "/notfound", ""), NULL, 0, &r, err));
    h = json_loads(r.headers_json, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(h, "content-length")), "7");
    json_decref(h);
    rf_http_response_free(&r);
}

static void test_body_cap(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    char *want = make_pattern(1000);
    (void)state;

    p.max_response_bytes = 1000;
    assert_true(run(&p, req_for(json, sizeof json, "/big/1000", ""), NULL, 0, &r, err));
    assert_int_equal(r.body_len, 1000);
    assert_memory_equal(r.body, want, 1000);
    rf_http_response_free(&r);
    assert_true(run(&p, req_for(json, sizeof json, "/stream/1000", ""), NULL, 0, &r, err));
    assert_int_equal(r.body_len, 1000);
    assert_memory_equal(r.body, want, 1000);
    rf_http_response_free(&r);

    assert_false(run(&p, req_for(json, sizeof json, "/big/1001", ""), NULL, 0, &r, err));
    assert_string_equal(err, "HTTP response exceeds the configured maximum number of bytes: 1000");
    assert_int_equal(r.status, 200); /* the status line did arrive */
    assert_null(r.body);
    assert_false(run(&p, req_for(json, sizeof json, "/stream/1001", ""), NULL, 0, &r, err));
    assert_string_equal(err, "HTTP response exceeds the configured maximum number of bytes: 1000");
    assert_false(run(&p, req_for(json, sizeof json, "/stream/500000", ""), NULL, 0, &r, err));
    assert_string_equal(err, "HTTP response exceeds the configured maximum number of bytes: 1000");

    /* 0 = the 50 MiB default */
    p.max_response_bytes = 0;
    assert_true(run(&p, req_for(json, sizeof json, "/big/2000000", ""), NULL, 0, &r, err));
    assert_int_equal(r.body_len, 2000000);
    assert_memory_equal(r.body + 26 * 1000, want, 1000);
    rf_http_response_free(&r);
    free(want);
}

static void test_echo_request(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[512], err[ERRLEN];
    char *text;
    (void)state;

    /* method uppercased, headers and body sent, no curl-added Content-Type */
    assert_true(run(&p,
                    req_for(json, sizeof json, "/echo",
                            ",\"method\":\"put\","
                            "\"headers\":{\"X-Custom\":\"v1\",\"X-Empty\":\"\"},"
                            "\"extra\":[1,2]"),
                    "payload", 7, &r, err));
    text = body_text(&r);
    assert_true(strncmp(text, "PUT /echo HTTP/1.1\r\n", 20) == 0);
    assert_non_null(strstr(text, "\r\nX-Custom: v1\r\n"));
    assert_non_null(strstr(text, "\r\nX-Empty:"));
    assert_non_null(ci_find(text, "\r\ncontent-length: 7\r\n"));
    assert_null(ci_find(text, "content-type"));
    assert_null(ci_find(text, "expect:"));
    assert_true(strlen(text) > 11 && strcmp(text + strlen(text) - 11, "\r\n\r\npayload") == 0);
    free(text);
    rf_http_response_free(&r);

    /* default GET without a body; null headers and method accepted */
    assert_true(run(&p, req_for(json, sizeof json, "/echo", ",\"headers\":null,\"method\":null"),
                    NULL, 0, &r, err));
    text = body_text(&r);
    assert_true(strncmp(text, "GET /echo HTTP/1.1\r\n", 20) == 0);
    assert_null(ci_find(text, "content-length"));
    free(text);
    rf_http_response_free(&r);

    /* a body goes with any method, GET included */
    assert_true(run(&p, req_for(json, sizeof json, "/echo", ""), "abc", 3, &r, err));
    text = body_text(&r);
    assert_true(strncmp(text, "GET /echo HTTP/1.1\r\n", 20) == 0);
    assert_non_null(ci_find(text, "\r\ncontent-length: 3\r\n"));
    assert_true(strcmp(text + strlen(text) - 7, "\r\n\r\nabc") == 0);
    free(text);
    rf_http_response_free(&r);

    /* the plugin's own Content-Type is kept, and appears once */
    assert_true(run(&p,
                    req_for(json, sizeof json, "/echo",
                            ",\"method\":\"POST\","
                            "\"headers\":{\"content-type\":\"application/json\"}"),
                    "{}", 2, &r, err));
    text = body_text(&r);
    assert_true(strncmp(text, "POST /echo HTTP/1.1\r\n", 21) == 0);
    assert_non_null(strstr(text, "\r\ncontent-type: application/json\r\n"));
    assert_ptr_equal(ci_find(text, "content-type"),
                     ci_find(text, "content-type: application/json"));
    assert_null(ci_find(ci_find(text, "content-type") + 1, "content-type"));
    free(text);
    rf_http_response_free(&r);

    /* a non-NULL empty body is an explicit Content-Length: 0 */
    assert_true(run(&p, req_for(json, sizeof json, "/echo", ",\"method\":\"POST\""), "", 0, &r,
                    err));
    text = body_text(&r);
    assert_non_null(ci_find(text, "\r\ncontent-length: 0\r\n"));
    free(text);
    rf_http_response_free(&r);
}

static void test_large_request_body(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    size_t n = 1536 * 1024; /* big enough for curl to want "Expect: 100-continue" */
    char *big = make_pattern(n);
    char *text;
    (void)state;

    assert_true(run(&p, req_for(json, sizeof json, "/echo", ",\"method\":\"POST\""), big, n, &r,
                    err));
    assert_int_equal(r.status, 200);
    text = body_text(&r);
    assert_null(ci_find(text, "expect:"));
    assert_true(r.body_len > n);
    assert_memory_equal(r.body + r.body_len - n, big, n);
    free(text);
    free(big);
    rf_http_response_free(&r);
}

static void test_head(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    uint64_t start = now_ms();
    (void)state;
    p.collect_headers = true;
    assert_true(run(&p, req_for(json, sizeof json, "/ok", ",\"method\":\"head\""), "ignored", 7,
                    &r, err));
    assert_true(now_ms() - start < 2000); /* did not wait for a body */
    assert_int_equal(r.status, 200);
    assert_null(r.body);
    assert_non_null(strstr(r.headers_json, "\"content-length\":\"11\""));
    rf_http_response_free(&r);
}

static void test_timeout(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    uint64_t start = now_ms(), took;
    (void)state;
    p.timeout_ms = 300;
    assert_false(run(&p, req_for(json, sizeof json, "/slow", ""), NULL, 0, &r, err));
    took = now_ms() - start;
    assert_string_equal(err, "timeout");
    assert_true(took >= 250 && took < SLOW_MS - 500);

    /* a timeout that does not fire changes nothing */
    p.timeout_ms = 10000;
    assert_true(run(&p, req_for(json, sizeof json, "/ok", ""), NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    rf_http_response_free(&r);
}

static bool stop_after_two(void *arg)
{
    int *calls = arg;
    return ++*calls > 2;
}

static void test_should_stop(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    int calls = 0;
    uint64_t start = now_ms();
    (void)state;
    p.should_stop = stop_after_two;
    p.should_stop_arg = &calls;
    assert_false(run(&p, req_for(json, sizeof json, "/slow", ""), NULL, 0, &r, err));
    assert_string_equal(err, "timeout");
    assert_true(calls > 2);
    assert_true(now_ms() - start < SLOW_MS - 500);
}

#define REQ_START "{\"url\":\"http://127.0.0.1/\"," /* a valid start, for the cases below */

static void test_bad_request_json(void **state)
{
    static const struct {
        const char *json;
        const char *want; /* a part of the message */
    } cases[] = {
        {"", "invalid HTTP request JSON: "},
        {"{", "invalid HTTP request JSON: "},
        {"{\"url\":\"http://127.0.0.1/\"} trailing", "invalid HTTP request JSON: "},
        {"[]", "invalid HTTP request: expected a JSON object, not an array"},
        {"{}", "\"url\" must be a string, not missing"},
        {"{\"url\":5}", "\"url\" must be a string, not an integer"},
        {"{\"url\":\"http://127.0.0.1/\\u0000x\"}", "\"url\" contains a NUL character at byte 17"},
        {REQ_START "\"method\":5}", "\"method\" must be a string or null"},
        {REQ_START "\"method\":\"GE T\"}", "method \"GE T\" is not an HTTP token"},
        {REQ_START "\"method\":\"\"}", "method \"\" is not an HTTP token"},
        {REQ_START "\"method\":\"GET\\r\\nX: y\"}", "method \"GET??X: y\""},
        {REQ_START "\"headers\":[]}", "\"headers\" must be an object or null"},
        {REQ_START "\"headers\":{\"a\":1}}", "header \"a\" must be a string, not an integer"},
        {REQ_START "\"headers\":{\"Bad Name\":\"v\"}}",
         "header name \"Bad Name\" is not an HTTP token"},
        {REQ_START "\"headers\":{\"X\":\"a\\r\\nInjected: 1\"}}",
         "value of header \"X\" contains a CR, LF or NUL character at byte 1"},
        {REQ_START "\"headers\":{\"X\":\"a\\u0000b\"}}", "CR, LF or NUL character at byte 1"},
        /* jansson refuses NUL in keys */
        {REQ_START "\"headers\":{\"X\\u0000Y\":\"v\"}}", "invalid HTTP request JSON: "},
        {REQ_START "\"method\":\"G\\u0000\"}", "method \"G?\" is not an HTTP token"},
    };
#undef REQ_START
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char err[ERRLEN];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (run(&p, cases[i].json, NULL, 0, &r, err) || strstr(err, cases[i].want) == NULL)
            fail_msg("case %zu (%s): got \"%s\", want \"%s\"", i, cases[i].json, err,
                     cases[i].want);
        assert_null(r.body);
        assert_int_equal(r.status, 0);
    }
    /* a parse error names its position */
    assert_false(run(&p, "{\"url\": @}", NULL, 0, &r, err));
    assert_non_null(strstr(err, "column 9"));
    /* the length given is honoured: the buffer need not be NUL-terminated */
    assert_false(rf_http_request(&p, "{}garbage", 2, NULL, 0, &r, err, ERRLEN));
    assert_non_null(strstr(err, "\"url\" must be a string"));
    assert_false(rf_http_request(&p, NULL, 0, NULL, 0, &r, err, ERRLEN));
    assert_non_null(strstr(err, "invalid HTTP request JSON"));
}

static void test_bad_url(void **state)
{
    static const char *const everything[] = {"*"};
    rf_http_policy all = policy_for(everything, 1);
    rf_http_response r;
    char err[ERRLEN];
    (void)state;
    assert_false(run(&all, "{\"url\":\"not a url\"}", NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: ", 13) == 0);
    assert_non_null(strstr(err, "not a url"));
    assert_false(run(&all, "{\"url\":\"\"}", NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: ", 13) == 0);
    assert_false(run(&all, "{\"url\":\"http://a b/\"}", NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: ", 13) == 0);
    assert_false(run(&all, "{\"url\":\"http://x\\ty/\"}", NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: ", 13) == 0);
    assert_non_null(strstr(err, "http://x?y/")); /* control characters are not echoed */
}

static void test_non_http_schemes(void **state)
{
    static const char *const everything[] = {"*"};
    rf_http_policy all = policy_for(everything, 1);
    rf_http_policy local = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN];
    (void)state;

    assert_false(run(&all, "{\"url\":\"file:///etc/passwd\"}", NULL, 0, &r, err));
    assert_string_equal(err,
                        "Invalid URL: unsupported scheme \"file\" (only http and https): "
                        "file:///etc/passwd");
    assert_null(r.body);
    /* without a matching host, the policy speaks first (as upstream) */
    assert_false(run(&local, "{\"url\":\"file:///etc/passwd\"}", NULL, 0, &r, err));
    assert_string_equal(err, "HTTP request to file:///etc/passwd is not allowed");
    snprintf(json, sizeof json, "{\"url\":\"ftp://127.0.0.1:%u/ok\"}", server.port);
    assert_false(run(&local, json, NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: unsupported scheme \"ftp\"", 37) == 0);
    assert_false(run(&all, "{\"url\":\"gopher://127.0.0.1/\"}", NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: unsupported scheme \"gopher\"", 40) == 0);
    /* the scheme is case-insensitive */
    snprintf(json, sizeof json, "{\"url\":\"HTTP://127.0.0.1:%u/ok\"}", server.port);
    assert_true(run(&local, json, NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    rf_http_response_free(&r);
}

static void test_transport_error(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN], want[256];
    struct sockaddr_in addr = {0};
    socklen_t alen = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned port;
    (void)state;

    /* a port that was free a moment ago: nothing listens there */
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &alen), 0);
    port = ntohs(addr.sin_port);
    close(fd);

    snprintf(json, sizeof json, "{\"url\":\"http://127.0.0.1:%u/\"}", port);
    snprintf(want, sizeof want, "HTTP request to http://127.0.0.1:%u/ failed: ", port);
    assert_false(run(&p, json, NULL, 0, &r, err));
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_true(strlen(err) > strlen(want)); /* curl's reason follows */
    assert_int_equal(r.status, 0);
}

static void test_redirects(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[512], err[ERRLEN], want[512];
    char *text;
    json_t *h;
    (void)state;

    /* followed to the final answer; headers are the final response's */
    p.collect_headers = true;
    assert_true(run(&p, req_for(json, sizeof json, "/r302-ok", ""), NULL, 0, &r, err));
    assert_int_equal(r.status, 200);
    text = body_text(&r);
    assert_string_equal(text, "hello world");
    h = json_loads(r.headers_json, 0, NULL);
    assert_null(json_object_get(h, "location"));
    assert_string_equal(json_string_value(json_object_get(h, "x-test")), "second");
    json_decref(h);
    free(text);
    rf_http_response_free(&r);
    p.collect_headers = false;

    /* 303 turns a POST into a GET without the body */
    assert_true(run(&p,
                    req_for(json, sizeof json, "/r303-echo",
                            ",\"method\":\"POST\",\"headers\":{\"Content-Type\":\"text/plain\"}"),
                    "payload", 7, &r, err));
    text = body_text(&r);
    assert_true(strncmp(text, "GET /echo HTTP/1.1\r\n", 20) == 0);
    assert_null(strstr(text, "payload"));
    assert_null(ci_find(text, "content-type"));
    assert_null(ci_find(text, "content-length"));
    free(text);
    rf_http_response_free(&r);

    /* 307 repeats method and body */
    assert_true(run(&p, req_for(json, sizeof json, "/r307-echo", ",\"method\":\"PATCH\""),
                    "payload", 7, &r, err));
    text = body_text(&r);
    assert_true(strncmp(text, "PATCH /echo HTTP/1.1\r\n", 22) == 0);
    assert_true(strcmp(text + strlen(text) - 11, "\r\n\r\npayload") == 0);
    free(text);
    rf_http_response_free(&r);

    /* redirect loops end */
    snprintf(want, sizeof want,
             "HTTP request to http://127.0.0.1:%u/rloop failed: more than %d redirects",
             server.port, RF_HTTP_MAX_REDIRECTS);
    assert_false(run(&p, req_for(json, sizeof json, "/rloop", ""), NULL, 0, &r, err));
    assert_string_equal(err, want);
    assert_int_equal(r.status, 302);

    /* a target outside allowed_hosts is refused, and so is another scheme */
    snprintf(want, sizeof want,
             "HTTP request to http://denied.invalid/x is not allowed (redirected from "
             "http://127.0.0.1:%u/rdeny)",
             server.port);
    assert_false(run(&p, req_for(json, sizeof json, "/rdeny", ""), NULL, 0, &r, err));
    assert_string_equal(err, want);
    snprintf(want, sizeof want,
             "HTTP request to file:///etc/passwd is not allowed (redirected from "
             "http://127.0.0.1:%u/rfile)",
             server.port);
    assert_false(run(&p, req_for(json, sizeof json, "/rfile", ""), NULL, 0, &r, err));
    assert_string_equal(err, want);
}

static void test_redirect_credentials(void **state)
{
    static const char *const two[] = {"127.0.0.1", "localhost"};
    static const char *const everything[] = {"*"};
    rf_http_policy both = policy_for(two, 2);
    rf_http_policy all = policy_for(everything, 1);
    rf_http_response r;
    char json[512], err[ERRLEN];
    char *text;
    const char *creds = ",\"headers\":{\"Authorization\":\"Bearer s3cret\",\"Cookie\":\"c=1\","
                        "\"X-Other\":\"kept\"}";
    (void)state;

    /* same origin: credentials stay */
    assert_true(run(&both, req_for(json, sizeof json, "/rself-echo", creds), NULL, 0, &r, err));
    text = body_text(&r);
    assert_non_null(strstr(text, "Authorization: Bearer s3cret"));
    assert_non_null(strstr(text, "Cookie: c=1"));
    free(text);
    rf_http_response_free(&r);

    /* another host: credentials dropped, other headers kept */
    assert_true(run(&both, req_for(json, sizeof json, "/rlocal-echo", creds), NULL, 0, &r, err));
    text = body_text(&r);
    assert_non_null(strstr(text, "\r\nHost: localhost:"));
    assert_null(ci_find(text, "authorization"));
    assert_null(ci_find(text, "cookie"));
    assert_non_null(strstr(text, "X-Other: kept"));
    free(text);
    rf_http_response_free(&r);

    /* a redirect to file:// is refused even when every host is allowed */
    assert_false(run(&all, req_for(json, sizeof json, "/rfile", ""), NULL, 0, &r, err));
    assert_true(strncmp(err, "Invalid URL: unsupported scheme \"file\"", 38) == 0);
}

static void test_header_cap(void **state)
{
    rf_http_policy p = policy_for(local_only, 1);
    rf_http_response r;
    char json[256], err[ERRLEN], want[256];
    (void)state;
    p.collect_headers = true;
    snprintf(want, sizeof want,
             "HTTP response from http://127.0.0.1:%u/headers-big has more than %u bytes of "
             "headers",
             server.port, RF_HTTP_MAX_HEADER_BYTES);
    assert_false(run(&p, req_for(json, sizeof json, "/headers-big", ""), NULL, 0, &r, err));
    assert_string_equal(err, want);
    assert_null(r.headers_json);
}

static void test_small_errbuf(void **state)
{
    rf_http_policy p = policy_for(NULL, 0);
    rf_http_response r;
    char err[8];
    (void)state;
    memset(err, 'x', sizeof err);
    assert_false(rf_http_request(&p, "{\"url\":\"http://a/\"}", 19, NULL, 0, &r, err, sizeof err));
    assert_string_equal(err, "HTTP re"); /* cut and terminated */
    assert_false(rf_http_request(&p, "{\"url\":\"http://a/\"}", 19, NULL, 0, &r, NULL, 0));
}

typedef struct worker {
    int ok;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    rf_http_policy p = policy_for(local_only, 1);
    char json[256], err[ERRLEN];
    for (int i = 0; i < 5; i++) {
        rf_http_response r;
        p.collect_headers = (i % 2) == 0;
        if (run(&p, req_for(json, sizeof json, "/ok", ""), NULL, 0, &r, err) && r.status == 200 &&
            r.body_len == 11 && memcmp(r.body, "hello world", 11) == 0)
            w->ok++;
        rf_http_response_free(&r);
    }
    return NULL;
}

static void test_concurrent_requests(void **state)
{
    pthread_t threads[4];
    worker workers[4] = {{0}};
    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].ok, 5);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob_exact),
        cmocka_unit_test(test_glob_wildcards),
        cmocka_unit_test(test_glob_brackets),
        cmocka_unit_test(test_glob_invalid_is_exact),
        cmocka_unit_test(test_glob_is_not_exponential),
        cmocka_unit_test(test_host_allowed),
        cmocka_unit_test(test_concurrent_requests), /* first: races curl's global init */
        cmocka_unit_test(test_get_ok),
        cmocka_unit_test(test_non_2xx_is_not_an_error),
        cmocka_unit_test(test_empty_body_is_null),
        cmocka_unit_test(test_denied_hosts),
        cmocka_unit_test(test_host_forms),
        cmocka_unit_test(test_headers_json),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_echo_request),
        cmocka_unit_test(test_large_request_body),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_should_stop),
        cmocka_unit_test(test_bad_request_json),
        cmocka_unit_test(test_bad_url),
        cmocka_unit_test(test_non_http_schemes),
        cmocka_unit_test(test_transport_error),
        cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_redirect_credentials),
        cmocka_unit_test(test_header_cap),
        cmocka_unit_test(test_small_errbuf),
    };
    return cmocka_run_group_tests(tests, server_start, server_stop);
}
