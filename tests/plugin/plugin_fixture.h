/*
 * plugin_fixture.h — what the end-to-end plugin tests (test_plugins through
 * the C API, test_call through the `reflow` binary) and the plugin benchmark
 * need around them: the test plugins built into a private directory, small
 * file helpers, and a loopback HTTP server for http_request.
 *
 * Nothing here uses cmocka: functions report failure by return value and a
 * message on stderr, and the tests assert.
 */
#ifndef RF_PLUGIN_FIXTURE_H
#define RF_PLUGIN_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- test plugins ---------------------------------------------------------------- */

/* Make a fresh private directory (under $TMPDIR) named after `tag`; its path
 * goes to dir[cap]. */
bool fixture_make_dir(const char *tag, char *dir, size_t cap);
/* Remove a directory made by fixture_make_dir, with everything in it. */
void fixture_remove_dir(const char *dir);

/* Build every plugin of tests/plugin/plugins into `out_dir` by running its
 * build.sh (the repository root comes from $RF_SOURCE_DIR; CLANG and
 * WAT2WASM pass through). When $RF_PLUGIN_DIR is set, the plugins are taken
 * from there instead and its path is copied to out_dir. */
bool fixture_build_plugins(char *out_dir, size_t cap);

/* dir/name into out[cap]; false if it does not fit. */
bool fixture_path(char *out, size_t cap, const char *dir, const char *name);

/* ---- files -------------------------------------------------------------------------- */

/* A whole file into a malloc'd buffer (NUL-terminated, not counted in *len). */
bool fixture_read_file(const char *path, uint8_t **data, size_t *len);
bool fixture_write_file(const char *path, const void *data, size_t len);

/* ---- loopback HTTP server ----------------------------------------------------------- */

/* A one-thread HTTP/1.1 server on 127.0.0.1 (a free port), one request per
 * connection. Paths:
 *   /hello     200, "hello from loopback", header "X-Reply: yes"
 *   /echo      200, "<METHOD> <request body>"
 *   /missing   404, "not found"
 *   /big/N     200, N bytes of 'x'
 *   others     404, "no such path" */
typedef struct fixture_http fixture_http;

fixture_http *fixture_http_start(void);
uint16_t fixture_http_port(const fixture_http *h);
/* Requests served so far. */
unsigned fixture_http_requests(fixture_http *h);
/* Whether the last request carried the header "X-Test: yes". */
bool fixture_http_saw_test_header(fixture_http *h);
void fixture_http_stop(fixture_http *h);

#endif /* RF_PLUGIN_FIXTURE_H */
