/*
 * test_manifest.c — Extism JSON manifests (src/plugin/manifest*.c) through
 * the public API of reflow/plugin.h.
 *
 * Expected values come from outside the code under test: SHA-256 digests
 * were computed with sha256sum, base64 vectors are RFC 4648's, and error
 * texts are the upstream Extism wordings quoted in the project's ABI notes.
 * Files for "path" entries are created at run time in a mkdtemp directory
 * that the group teardown removes. The last tests feed thousands of mutated
 * manifests to the parser: it must fail cleanly or succeed, never crash or
 * leak (run this program under ASan or valgrind to check the latter).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, mkfifo, ftruncate, P_tmpdir */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "reflow/plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* sha256sum of the bytes named. */
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_ABC_UPPER "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
/* The 8-byte empty module "\0asm\1\0\0\0", base64 "AGFzbQEAAAA=". */
#define SHA_EMPTY_MODULE "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476"
#define B64_EMPTY_MODULE "AGFzbQEAAAA="
static const uint8_t empty_module[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

static char tmpdir[256];

/* ---- helpers ------------------------------------------------------------------- */

static void write_file(const char *name, const void *bytes, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len > 0)
        assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A file of `size` bytes that occupies no disk space. */
static void sparse_file(const char *name, off_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    assert_int_equal(close(fd), 0);
}

static void remove_in_tmpdir(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    if (unlink(path) != 0 && errno != ENOENT)
        rmdir(path);
}

static rf_manifest *parse(const char *json, rf_error *err)
{
    memset(err, 0, sizeof *err);
    return rf_manifest_parse(json, strlen(json), tmpdir, err);
}

/* Parsing must fail with RF_ERR_ARG and a message containing `needle`. */
static void expect_error(const char *json, const char *needle)
{
    rf_error err;
    rf_manifest *m = parse(json, &err);
    if (m || err.kind != RF_ERR_ARG || !strstr(err.message, needle)) {
        print_error("manifest %s\n  expected error containing: %s\n  got (kind %d): %s\n", json,
                    needle, err.kind, m ? "(success)" : err.message);
        rf_manifest_free(m);
        fail();
    }
}

/* Parsing must fail with exactly `message`. */
static void expect_exact_error(const char *json, const char *message)
{
    rf_error err;
    rf_manifest *m = parse(json, &err);
    assert_null(m);
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_string_equal(err.message, message);
}

static rf_manifest *expect_ok(const char *json)
{
    rf_error err;
    rf_manifest *m = parse(json, &err);
    if (!m) {
        print_error("manifest %s\n  unexpected error: %s\n", json, err.message);
        fail();
    }
    return m;
}

/* Decode `b64` through a one-module manifest; NULL (and *len 0) if refused.
 * The caller frees the result with free(). */
static uint8_t *decode_via_manifest(const char *b64, size_t *len, rf_error *err)
{
    size_t n = strlen(b64) + 64;
    char *json = malloc(n);
    assert_non_null(json);
    snprintf(json, n, "{\"wasm\":[{\"data\":\"%s\"}]}", b64);
    rf_manifest *m = parse(json, err);
    free(json);
    *len = 0;
    if (!m)
        return NULL;
    assert_int_equal(m->nwasm, 1);
    *len = m->wasm[0].data_len;
    uint8_t *copy = malloc(*len + 1);
    assert_non_null(copy);
    memcpy(copy, m->wasm[0].data, *len);
    rf_manifest_free(m);
    return copy;
}

/* ---- group setup ------------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = P_tmpdir;
    int n = snprintf(tmpdir, sizeof tmpdir, "%s/reflow-test-manifest-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof tmpdir || !mkdtemp(tmpdir)) {
        fprintf(stderr, "test_manifest: cannot create a temporary directory under %s\n", base);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    static const char *const names[] = {"mod.wasm", "abc.bin", "empty.bin", "dir", "fifo",
                                        "huge.bin", "half1.bin", "half2.bin", "noread.bin",
                                        "sub/lib.wasm", "sub", NULL};
    for (size_t i = 0; names[i]; i++)
        remove_in_tmpdir(names[i]);
    return rmdir(tmpdir);
}

/* ---- the shape ------------------------------------------------------------------- */

static void test_minimal_data(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok("{\"wasm\": [{\"data\": \"" B64_EMPTY_MODULE "\"}]}");
    assert_int_equal(m->nwasm, 1);
    assert_string_equal(m->wasm[0].name, "main");
    assert_null(m->wasm[0].path);
    assert_null(m->wasm[0].hash);
    assert_int_equal(m->wasm[0].data_len, sizeof empty_module);
    assert_memory_equal(m->wasm[0].data, empty_module, sizeof empty_module);
    assert_false(m->has_max_pages);
    assert_false(m->has_max_http_response_bytes);
    assert_false(m->has_max_var_bytes);
    assert_false(m->has_timeout_ms);
    assert_int_equal(m->nconfig, 0);
    assert_int_equal(m->nallowed_hosts, 0);
    assert_int_equal(m->nallowed_paths, 0);
    assert_int_equal(rf_manifest_main_index(m), 0);
    rf_manifest_free(m);
}

static void test_every_field(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok(
        "{\"wasm\": [{\"data\": \"" B64_EMPTY_MODULE "\", \"name\": \"lib\", \"hash\": \"" SHA_EMPTY_MODULE "\"},"
        "            {\"data\": \"YWJj\", \"name\": \"main\"}],"
        " \"memory\": {\"max_pages\": 17, \"max_http_response_bytes\": 1024, \"max_var_bytes\": 0},"
        " \"config\": {\"a\": \"1\", \"thing\": \"\", \"uni\": \"caf\\u00e9\"},"
        " \"allowed_hosts\": [\"*.example.com\", \"api.test\"],"
        " \"allowed_paths\": {\"ro:/srv/in\": \"/in\"},"
        " \"timeout_ms\": 1500}");
    assert_int_equal(m->nwasm, 2);
    assert_string_equal(m->wasm[0].name, "lib");
    assert_string_equal(m->wasm[0].hash, SHA_EMPTY_MODULE);
    assert_string_equal(m->wasm[1].name, "main");
    assert_int_equal(m->wasm[1].data_len, 3);
    assert_memory_equal(m->wasm[1].data, "abc", 3);
    assert_int_equal(rf_manifest_main_index(m), 1);

    assert_true(m->has_max_pages);
    assert_int_equal(m->max_pages, 17);
    assert_true(m->has_max_http_response_bytes);
    assert_int_equal(m->max_http_response_bytes, 1024);
    assert_true(m->has_max_var_bytes);
    assert_int_equal(m->max_var_bytes, 0);
    assert_true(m->has_timeout_ms);
    assert_int_equal(m->timeout_ms, 1500);

    assert_int_equal(m->nconfig, 3);
    assert_string_equal(m->config[0].key, "a");
    assert_string_equal(m->config[0].value, "1");
    assert_string_equal(m->config[1].key, "thing");
    assert_string_equal(m->config[1].value, "");
    assert_string_equal(m->config[2].value, "caf\xc3\xa9");

    assert_int_equal(m->nallowed_hosts, 2);
    assert_string_equal(m->allowed_hosts[0], "*.example.com");
    assert_string_equal(m->allowed_hosts[1], "api.test");

    assert_int_equal(m->nallowed_paths, 1);
    assert_string_equal(m->allowed_paths[0].host_path, "/srv/in");
    assert_string_equal(m->allowed_paths[0].guest_path, "/in");
    assert_true(m->allowed_paths[0].read_only);
    rf_manifest_free(m);
}

static void test_allowed_paths(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok(
        "{\"wasm\": [{\"data\": \"\"}],"
        " \"allowed_paths\": {\"ro:/srv/in\": \"/in\", \"/srv/out\": \"/out\", \"data\": \"/d\","
        "                     \"ro:ro:x\": \"/y\"}}");
    assert_int_equal(m->nallowed_paths, 4);
    assert_string_equal(m->allowed_paths[0].host_path, "/srv/in");
    assert_string_equal(m->allowed_paths[0].guest_path, "/in");
    assert_true(m->allowed_paths[0].read_only);
    assert_string_equal(m->allowed_paths[1].host_path, "/srv/out");
    assert_string_equal(m->allowed_paths[1].guest_path, "/out");
    assert_false(m->allowed_paths[1].read_only);
    /* relative host paths are kept as written (not resolved against base_dir) */
    assert_string_equal(m->allowed_paths[2].host_path, "data");
    assert_false(m->allowed_paths[2].read_only);
    /* only one prefix is stripped */
    assert_string_equal(m->allowed_paths[3].host_path, "ro:x");
    assert_true(m->allowed_paths[3].read_only);
    rf_manifest_free(m);

    expect_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_paths\": {\"ro:\": \"/x\"}}",
                 "\"allowed_paths.ro:\": the host path is empty");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_paths\": {\"\": \"/x\"}}",
                 "the host path is empty");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_paths\": {\"/a\": \"\"}}",
                 "\"allowed_paths./a\" must be a non-empty string");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_paths\": {\"/a\": 1}}",
                 "\"allowed_paths./a\" must be a non-empty string");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_paths\": [\"/a\"]}",
                 "\"allowed_paths\" must be an object");
}

static void test_nulls_accepted(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok(
        "{\"wasm\": [{\"data\": \"YWJj\", \"name\": null, \"hash\": null}],"
        " \"memory\": null, \"config\": null, \"allowed_hosts\": null,"
        " \"allowed_paths\": null, \"timeout_ms\": null}");
    assert_string_equal(m->wasm[0].name, "main");
    assert_null(m->wasm[0].hash);
    assert_false(m->has_max_pages);
    assert_false(m->has_timeout_ms);
    assert_int_equal(m->nconfig, 0);
    assert_int_equal(m->nallowed_hosts, 0);
    assert_int_equal(m->nallowed_paths, 0);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"YWJj\"}], \"memory\": {\"max_pages\": null,"
                  " \"max_http_response_bytes\": null, \"max_var_bytes\": null},"
                  " \"config\": {}, \"allowed_hosts\": [], \"allowed_paths\": {}}");
    assert_false(m->has_max_pages);
    assert_false(m->has_max_http_response_bytes);
    assert_false(m->has_max_var_bytes);
    assert_int_equal(m->nallowed_hosts, 0);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"YWJj\"}], \"memory\": {}}");
    assert_false(m->has_max_pages);
    rf_manifest_free(m);
}

static void test_integer_ranges(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_pages\": 4294967295,"
                               " \"max_var_bytes\": 9223372036854775807},"
                               " \"timeout_ms\": 0}");
    assert_int_equal(m->max_pages, UINT32_MAX);
    assert_true(m->max_var_bytes == (uint64_t)INT64_MAX);
    assert_true(m->has_timeout_ms);
    assert_int_equal(m->timeout_ms, 0);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max\": 3}}");
    assert_true(m->has_max_pages);
    assert_int_equal(m->max_pages, 3);
    rf_manifest_free(m);

    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_pages\": 4294967296}}",
                       "manifest: \"memory.max_pages\" must be an integer from 0 to 4294967295 or null");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_pages\": -1}}",
                 "\"memory.max_pages\" must be an integer");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max\": \"7\"}}",
                 "\"memory.max\" must be an integer");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max\": 1, \"max_pages\": 1}}",
                 "\"memory.max\" and \"memory.max_pages\" are the same field");
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_http_response_bytes\": 1.5}}",
                       "manifest: \"memory.max_http_response_bytes\" must be a non-negative integer or null");
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_var_bytes\": true}}",
                       "manifest: \"memory.max_var_bytes\" must be a non-negative integer or null");
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"timeout_ms\": \"100\"}",
                       "manifest: \"timeout_ms\" must be a non-negative integer or null");
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"timeout_ms\": -5}",
                       "manifest: \"timeout_ms\" must be a non-negative integer or null");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"timeout_ms\": 1e3}",
                 "\"timeout_ms\" must be a non-negative integer");
    /* beyond int64: jansson refuses the number itself */
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"timeout_ms\": 18446744073709551615}",
                 "invalid JSON");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": 5}",
                 "\"memory\" must be an object or null");
}

static void test_wasm_list_errors(void **state)
{
    (void)state;
    expect_exact_error("{}", "No wasm files specified in Extism manifest");
    expect_exact_error("{\"wasm\": []}", "No wasm files specified in Extism manifest");
    expect_exact_error("{\"wasm\": null}", "No wasm files specified in Extism manifest");
    expect_error("{\"wasm\": {\"data\": \"\"}}", "\"wasm\" must be an array");
    expect_error("{\"wasm\": [\"mod.wasm\"]}", "\"wasm[0]\" must be an object");
    expect_error("{\"wasm\": [{\"data\": \"\", \"name\": \"a\"}, 7]}", "\"wasm[1]\" must be an object");
    expect_exact_error("{\"wasm\": [{\"url\": \"https://example.com/a.wasm\"}]}",
                       "manifest: wasm[0]: url wasm sources are not supported (network access is off)");
    expect_error("{\"wasm\": [{\"url\": \"https://x/a.wasm\", \"headers\": {}, \"method\": \"GET\","
                 " \"name\": \"n\"}]}",
                 "url wasm sources are not supported");
    expect_error("{\"wasm\": [{\"data\": {\"ptr\": 4096, \"len\": 8}}]}",
                 "\"wasm[0].data\" as {\"ptr\", \"len\"} (a host memory address) is not supported");
    expect_error("{\"wasm\": [{\"data\": {\"len\": 8}}]}", "host memory address");
    expect_error("{\"wasm\": [{\"data\": 12}]}", "\"wasm[0].data\" must be a base64 string");
    expect_error("{\"wasm\": [{\"data\": null}]}", "\"wasm[0].data\" must be a base64 string");
    expect_error("{\"wasm\": [{\"data\": \"\", \"path\": \"mod.wasm\"}]}",
                 "wasm[0] has both \"path\" and \"data\"");
    expect_error("{\"wasm\": [{\"name\": \"x\"}]}", "wasm[0] needs \"path\" or \"data\"");
    expect_error("{\"wasm\": [{\"path\": \"\"}]}", "\"wasm[0].path\" must be a non-empty string");
    expect_error("{\"wasm\": [{\"path\": [\"a\"]}]}", "\"wasm[0].path\" must be a non-empty string");
    expect_error("{\"wasm\": [{\"data\": \"\", \"name\": \"\"}]}",
                 "\"wasm[0].name\" must be a non-empty string or null");
    expect_error("{\"wasm\": [{\"data\": \"\", \"name\": 3}]}", "\"wasm[0].name\" must be");
    expect_error("{\"wasm\": [{\"data\": \"\", \"hash\": \"abc\"}]}",
                 "\"wasm[0].hash\" must be 64 hex digits (a SHA-256) or null");
    expect_error("{\"wasm\": [{\"data\": \"\", \"hash\": \"" SHA_EMPTY "0\"}]}",
                 "\"wasm[0].hash\" must be 64 hex digits");
    expect_error("{\"wasm\": [{\"data\": \"\", \"hash\": "
                 "\"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}]}",
                 "\"wasm[0].hash\" must be 64 hex digits");
    expect_error("{\"wasm\": [{\"data\": \"\", \"hash\": 5}]}", "\"wasm[0].hash\" must be");
}

static void test_unknown_fields(void **state)
{
    (void)state;
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"memry\": {}}",
                       "manifest: unknown field \"memry\"");
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_pagez\": 1}}",
                       "manifest: unknown field \"memory.max_pagez\"");
    expect_exact_error("{\"wasm\": [{\"data\": \"\", \"name\": \"a\"}, {\"path\": \"x\", \"nmae\": \"b\"}]}",
                       "manifest: unknown field \"wasm[1].nmae\"");
    /* a hostile key is escaped and does not garble the message */
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"a\\\"b\\u0001\\\\\": 1}",
                       "manifest: unknown field \"a\\\"b\\x01\\\\\"");
    /* a very long key is cut */
    char json[2048];
    char key[1200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(json, sizeof json, "{\"wasm\": [{\"data\": \"\"}], \"%s\": 1}", key);
    rf_error err;
    assert_null(parse(json, &err));
    assert_non_null(strstr(err.message, "unknown field \"kkkk"));
    assert_non_null(strstr(err.message, "...\""));
    assert_true(strlen(err.message) < 200);
}

static void test_other_type_errors(void **state)
{
    (void)state;
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"config\": {\"k\": 1}}",
                       "manifest: \"config.k\" must be a string");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"config\": {\"k\": null}}", "\"config.k\" must be a string");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"config\": [\"k\"]}",
                 "\"config\" must be an object of strings or null");
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_hosts\": [\"a\", null]}",
                       "manifest: \"allowed_hosts[1]\" must be a string");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"allowed_hosts\": \"*\"}",
                 "\"allowed_hosts\" must be an array of strings or null");
}

static void test_invalid_json(void **state)
{
    (void)state;
    expect_error("{\n  \"wasm\": [,]\n}", "manifest: invalid JSON at line 2, column");
    expect_error("", "invalid JSON at line");
    expect_error("{\"wasm\": [{\"data\": \"\"}]} trailing", "invalid JSON");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"config\": {\"a\": \"1\", \"a\": \"2\"}}",
                 "invalid JSON");
    expect_error("{\"wasm\": [{\"data\": \"\"}], \"wasm\": []}", "invalid JSON");
    expect_error("[{\"data\": \"\"}]", "manifest: the top level must be a JSON object");
    expect_error("\"wasm\"", "the top level must be a JSON object");
    expect_error("{\"wasm\": [{\"data\": \"\", \"name\": \"a\\u0000b\"}]}", "invalid JSON");
    expect_error("{\"wasm\": [{\"data\": \"\", \"name\": \"\xff\"}]}", "invalid JSON");

    rf_error err;
    memset(&err, 0, sizeof err);
    assert_null(rf_manifest_parse(NULL, 10, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_null(rf_manifest_parse("{", 1, NULL, NULL)); /* err may be NULL */

    /* the length is honoured: trailing bytes beyond it are not read */
    const char text[] = "{\"wasm\": [{\"data\": \"YWJj\"}]}GARBAGE";
    rf_manifest *m = rf_manifest_parse(text, strlen(text) - 7, NULL, &err);
    assert_non_null(m);
    rf_manifest_free(m);
    /* and an embedded NUL inside the length is invalid */
    const char nul[] = "{\"wasm\": [{\"data\": \"YWJj\"}]}\0";
    assert_null(rf_manifest_parse(nul, sizeof nul - 1, NULL, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
}

/* ---- names and the main module --------------------------------------------------- */

static void test_duplicate_names(void **state)
{
    (void)state;
    expect_exact_error("{\"wasm\": [{\"data\": \"\"}, {\"data\": \"\"}]}",
                       "Duplicate module name found in Extism manifest: main");
    expect_exact_error("{\"wasm\": [{\"data\": \"\", \"name\": \"a\"}, {\"data\": \"\", \"name\": \"b\"},"
                       " {\"data\": \"\", \"name\": \"a\"}]}",
                       "Duplicate module name found in Extism manifest: a");
    /* the first repeat in manifest order is reported: y repeats at index 2,
     * before x repeats at index 3 (although "x" sorts first) */
    expect_exact_error("{\"wasm\": [{\"data\": \"\", \"name\": \"x\"}, {\"data\": \"\", \"name\": \"y\"},"
                       " {\"data\": \"\", \"name\": \"y\"}, {\"data\": \"\", \"name\": \"x\"}]}",
                       "Duplicate module name found in Extism manifest: y");
    expect_exact_error("{\"wasm\": [{\"data\": \"\", \"name\": \"y\"}, {\"data\": \"\", \"name\": \"x\"},"
                       " {\"data\": \"\", \"name\": \"x\"}, {\"data\": \"\", \"name\": \"y\"}]}",
                       "Duplicate module name found in Extism manifest: x");
    /* a named "main" clashes with an unnamed one */
    expect_exact_error("{\"wasm\": [{\"data\": \"\", \"name\": \"main\"}, {\"data\": \"\", \"name\": \"z\"},"
                       " {\"data\": \"\"}]}",
                       "Duplicate module name found in Extism manifest: main");
    /* a hostile name is escaped */
    expect_exact_error("{\"wasm\": [{\"data\": \"\", \"name\": \"\\u001b[2J\"}, {\"data\": \"\", \"name\": \"\\u001b[2J\"}]}",
                       "Duplicate module name found in Extism manifest: \\x1b[2J");
    /* structure errors come before any file is touched */
    expect_exact_error("{\"wasm\": [{\"path\": \"does-not-exist.wasm\"}, {\"path\": \"nor-this.wasm\"}]}",
                       "Duplicate module name found in Extism manifest: main");
}

static void test_main_index(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok("{\"wasm\": [{\"data\": \"\", \"name\": \"only\"}]}");
    assert_int_equal(rf_manifest_main_index(m), 0);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"\", \"name\": \"a\"}, {\"data\": \"\"},"
                  " {\"data\": \"\", \"name\": \"b\"}]}");
    assert_int_equal(rf_manifest_main_index(m), 1);
    assert_string_equal(m->wasm[1].name, "main");
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"\", \"name\": \"a\"}, {\"data\": \"\", \"name\": \"b\"},"
                  " {\"data\": \"\", \"name\": \"c\"}]}");
    assert_int_equal(rf_manifest_main_index(m), 2);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"\", \"name\": \"main\"}, {\"data\": \"\", \"name\": \"b\"}]}");
    assert_int_equal(rf_manifest_main_index(m), 0);
    rf_manifest_free(m);

    assert_int_equal(rf_manifest_main_index(NULL), 0);
}

/* ---- hashes ---------------------------------------------------------------------- */

static void test_hashes(void **state)
{
    (void)state;
    rf_manifest *m = expect_ok("{\"wasm\": [{\"data\": \"YWJj\", \"hash\": \"" SHA_ABC "\"}]}");
    assert_string_equal(m->wasm[0].hash, SHA_ABC);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"YWJj\", \"hash\": \"" SHA_ABC_UPPER "\"}]}");
    assert_string_equal(m->wasm[0].hash, SHA_ABC); /* stored lowercase */
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"\", \"hash\": \"" SHA_EMPTY "\"}]}");
    assert_int_equal(m->wasm[0].data_len, 0);
    assert_non_null(m->wasm[0].data);
    rf_manifest_free(m);

    m = expect_ok("{\"wasm\": [{\"data\": \"" B64_EMPTY_MODULE "\", \"hash\": \"" SHA_EMPTY_MODULE "\"}]}");
    rf_manifest_free(m);

    expect_exact_error("{\"wasm\": [{\"data\": \"YWJj\", \"name\": \"calc\", \"hash\": \"" SHA_EMPTY "\"}]}",
                       "Hash mismatch, found " SHA_ABC " but expected " SHA_EMPTY
                       " (wasm[0], module \"calc\")");
    expect_error("{\"wasm\": [{\"data\": \"\", \"name\": \"a\"}, {\"data\": \"YWJk\", \"hash\": \"" SHA_ABC "\"}]}",
                 "but expected " SHA_ABC " (wasm[1], module \"main\")");
}

/* ---- base64 ---------------------------------------------------------------------- */

static void expect_b64(const char *b64, const char *bytes, size_t len)
{
    rf_error err;
    size_t got_len;
    uint8_t *got = decode_via_manifest(b64, &got_len, &err);
    if (!got) {
        print_error("base64 \"%s\" refused: %s\n", b64, err.message);
        fail();
    }
    assert_int_equal(got_len, len);
    assert_memory_equal(got, bytes, len);
    free(got);
}

static void expect_b64_refused(const char *b64, const char *why)
{
    rf_error err;
    size_t len;
    uint8_t *got = decode_via_manifest(b64, &len, &err);
    if (got || err.kind != RF_ERR_ARG || !strstr(err.message, "\"wasm[0].data\" is not valid base64") ||
        !strstr(err.message, why)) {
        print_error("base64 \"%s\": expected refusal with \"%s\", got: %s\n", b64, why,
                    got ? "(accepted)" : err.message);
        free(got);
        fail();
    }
}

static void test_base64_vectors(void **state)
{
    (void)state;
    /* RFC 4648 section 10 */
    expect_b64("", "", 0);
    expect_b64("Zg==", "f", 1);
    expect_b64("Zm8=", "fo", 2);
    expect_b64("Zm9v", "foo", 3);
    expect_b64("Zm9vYg==", "foob", 4);
    expect_b64("Zm9vYmE=", "fooba", 5);
    expect_b64("Zm9vYmFy", "foobar", 6);
    /* both ends of the alphabet */
    expect_b64("AAAA", "\0\0\0", 3);
    expect_b64("////", "\xff\xff\xff", 3);
    expect_b64("++++", "\xfb\xef\xbe", 3);
    expect_b64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8w",
               "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
               "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20"
               "\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30",
               48);
    /* JSON escapes are undone before decoding */
    expect_b64("Zm9v\\u0059mFy", "foobar", 6);
    expect_b64("\\/\\/\\/\\/", "\xff\xff\xff", 3);
}

static void test_base64_refused(void **state)
{
    (void)state;
    expect_b64_refused("Zg", "length 2 is not a multiple of 4");
    expect_b64_refused("Zg=", "length 3 is not a multiple of 4");
    expect_b64_refused("Zm9vY", "length 5 is not a multiple of 4");
    expect_b64_refused("Zg===", "not a multiple of 4");
    expect_b64_refused("Z===", "padding '=' before the end, at offset 0x1");
    expect_b64_refused("====", "padding '=' before the end, at offset 0x0");
    expect_b64_refused("Zm=v", "padding '=' before the end, at offset 0x2");
    expect_b64_refused("Zg==Zm9v", "padding '=' before the end, at offset 0x2");
    expect_b64_refused("Zh==", "non-zero unused bits at offset 0x1");   /* 'h' = 33: low bits 0001 */
    expect_b64_refused("Zm9=", "non-zero unused bits at offset 0x2");   /* '9' = 61: low bits 01 */
    expect_b64_refused("Zm9v Zg==", "not a multiple of 4");
    expect_b64_refused("Zm9 Zg==", "invalid character ' ' at offset 0x3");
    expect_b64_refused("Zm9vYmFy\\n", "not a multiple of 4");
    expect_b64_refused("Zm9\\nZg==", "invalid byte 0x0a at offset 0x3");
    expect_b64_refused("Zm-_", "invalid character '-' at offset 0x2");   /* url-safe alphabet */
    expect_b64_refused("Zm9\\u00e9Zg=", "invalid byte 0xc3 at offset 0x3");
    expect_b64_refused("Zm9v.g==", "invalid character '.' at offset 0x4");
}

/* A test-local encoder, independent of the decoder under test. */
static char *encode_base64(const uint8_t *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = malloc((n + 2) / 3 * 4 + 1);
    assert_non_null(s);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        s[o++] = abc[v >> 18 & 63];
        s[o++] = abc[v >> 12 & 63];
        s[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        s[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    s[o] = '\0';
    return s;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_base64_round_trip(void **state)
{
    (void)state;
    uint8_t bytes[300];
    for (size_t round = 0; round < 200; round++) {
        size_t n = (size_t)(next_random() % sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = (uint8_t)next_random();
        char *b64 = encode_base64(bytes, n);
        expect_b64(b64, (const char *)bytes, n);
        free(b64);
    }
}

/* ---- files ----------------------------------------------------------------------- */

static void test_path_base_dir(void **state)
{
    (void)state;
    write_file("mod.wasm", empty_module, sizeof empty_module);
    char expected[600];
    snprintf(expected, sizeof expected, "%s/mod.wasm", tmpdir);

    rf_manifest *m = expect_ok("{\"wasm\": [{\"path\": \"mod.wasm\", \"hash\": \"" SHA_EMPTY_MODULE "\"}]}");
    assert_string_equal(m->wasm[0].path, expected);
    assert_string_equal(m->wasm[0].name, "main");
    assert_int_equal(m->wasm[0].data_len, sizeof empty_module);
    assert_memory_equal(m->wasm[0].data, empty_module, sizeof empty_module);
    rf_manifest_free(m);

    /* base_dir with a trailing slash */
    char base[300];
    snprintf(base, sizeof base, "%s/", tmpdir);
    const char *json = "{\"wasm\": [{\"path\": \"mod.wasm\"}]}";
    rf_error err;
    m = rf_manifest_parse(json, strlen(json), base, &err);
    assert_non_null(m);
    assert_string_equal(m->wasm[0].path, expected);
    rf_manifest_free(m);

    /* an absolute path ignores base_dir */
    char abs_json[800];
    snprintf(abs_json, sizeof abs_json, "{\"wasm\": [{\"path\": \"%s\"}]}", expected);
    m = rf_manifest_parse(abs_json, strlen(abs_json), "/nonexistent-base", &err);
    assert_non_null(m);
    assert_string_equal(m->wasm[0].path, expected);
    rf_manifest_free(m);

    /* a sub-directory, linked with a data module */
    char sub[300];
    snprintf(sub, sizeof sub, "%s/sub", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file("sub/lib.wasm", "abc", 3);
    m = expect_ok("{\"wasm\": [{\"path\": \"sub/lib.wasm\", \"name\": \"lib\", \"hash\": \"" SHA_ABC "\"},"
                  " {\"data\": \"" B64_EMPTY_MODULE "\"}]}");
    assert_int_equal(m->wasm[0].data_len, 3);
    assert_memory_equal(m->wasm[0].data, "abc", 3);
    assert_int_equal(rf_manifest_main_index(m), 1);
    rf_manifest_free(m);
}

static void test_path_cwd(void **state)
{
    (void)state;
    write_file("abc.bin", "abc", 3);
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    const char *json = "{\"wasm\": [{\"path\": \"abc.bin\"}]}";
    rf_error err;
    rf_manifest *m = rf_manifest_parse(json, strlen(json), NULL, &err);
    rf_manifest *m2 = rf_manifest_parse(json, strlen(json), "", &err);
    assert_int_equal(chdir(cwd), 0);
    assert_non_null(m);
    assert_string_equal(m->wasm[0].path, "abc.bin");
    assert_int_equal(m->wasm[0].data_len, 3);
    assert_memory_equal(m->wasm[0].data, "abc", 3);
    assert_non_null(m2);
    assert_string_equal(m2->wasm[0].path, "abc.bin");
    rf_manifest_free(m);
    rf_manifest_free(m2);
}

static void test_path_errors(void **state)
{
    (void)state;
    char msg[800];
    snprintf(msg, sizeof msg, "Unable to load Wasm file \"%s/nope.wasm\": No such file or directory",
             tmpdir);
    expect_exact_error("{\"wasm\": [{\"path\": \"nope.wasm\"}]}", msg);

    char dir[300];
    snprintf(dir, sizeof dir, "%s/dir", tmpdir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(msg, sizeof msg, "Unable to load Wasm file \"%s\": not a regular file", dir);
    expect_exact_error("{\"wasm\": [{\"path\": \"dir\"}]}", msg);

    /* a FIFO is refused without blocking on it */
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(msg, sizeof msg, "Unable to load Wasm file \"%s\": not a regular file", fifo);
    expect_exact_error("{\"wasm\": [{\"path\": \"fifo\"}]}", msg);

    /* a path from the manifest is escaped in the message */
    snprintf(msg, sizeof msg,
             "Unable to load Wasm file \"%s/a\\x0ab\\\"c\": No such file or directory", tmpdir);
    expect_exact_error("{\"wasm\": [{\"path\": \"a\\nb\\\"c\"}]}", msg);

    /* a device is not a regular file either */
    expect_error("{\"wasm\": [{\"path\": \"/dev/zero\"}]}",
                 "Unable to load Wasm file \"/dev/zero\": not a regular file");

    write_file("empty.bin", "", 0);
    rf_manifest *m = expect_ok("{\"wasm\": [{\"path\": \"empty.bin\", \"hash\": \"" SHA_EMPTY "\"}]}");
    assert_int_equal(m->wasm[0].data_len, 0);
    assert_non_null(m->wasm[0].data);
    rf_manifest_free(m);

    write_file("abc.bin", "abc", 3);
    expect_exact_error("{\"wasm\": [{\"path\": \"abc.bin\", \"hash\": \"" SHA_EMPTY "\"}]}",
                       "Hash mismatch, found " SHA_ABC " but expected " SHA_EMPTY
                       " (wasm[0], module \"main\")");

    if (geteuid() != 0) { /* root reads anything */
        char noread[300];
        snprintf(noread, sizeof noread, "%s/noread.bin", tmpdir);
        write_file("noread.bin", "abc", 3);
        assert_int_equal(chmod(noread, 0), 0);
        snprintf(msg, sizeof msg, "Unable to load Wasm file \"%s\": Permission denied", noread);
        expect_exact_error("{\"wasm\": [{\"path\": \"noread.bin\"}]}", msg);
    }
}

static void test_size_limits(void **state)
{
    (void)state;
    /* one file over the limit: refused from its size, nothing is read */
    sparse_file("huge.bin", (off_t)RF_MANIFEST_MAX_WASM_BYTES + 1);
    char msg[800];
    snprintf(msg, sizeof msg, "Unable to load Wasm file \"%s/huge.bin\": file is larger than %u bytes",
             tmpdir, RF_MANIFEST_MAX_WASM_BYTES);
    expect_exact_error("{\"wasm\": [{\"path\": \"huge.bin\"}]}", msg);

    /* two files each under it but over it together: refused before reading */
    sparse_file("half1.bin", (off_t)RF_MANIFEST_MAX_WASM_BYTES / 2 + 1);
    sparse_file("half2.bin", (off_t)RF_MANIFEST_MAX_WASM_BYTES / 2);
    char expected[200];
    snprintf(expected, sizeof expected,
             "manifest: the wasm modules up to wasm[1] hold more than %u bytes together",
             RF_MANIFEST_MAX_WASM_BYTES);
    expect_exact_error("{\"wasm\": [{\"path\": \"half1.bin\", \"name\": \"a\"}, {\"path\": \"half2.bin\"}]}",
                       expected);
    /* the same file listed many times under different names */
    expect_error("{\"wasm\": [{\"path\": \"half2.bin\", \"name\": \"a\"}, {\"path\": \"half2.bin\", \"name\": \"b\"},"
                 " {\"path\": \"half2.bin\"}]}",
                 "up to wasm[2] hold more than");
}

/* ---- raw bytes ------------------------------------------------------------------- */

static void test_from_wasm(void **state)
{
    (void)state;
    uint8_t bytes[8];
    memcpy(bytes, empty_module, sizeof bytes);
    rf_error err;
    rf_manifest *m = rf_manifest_from_wasm(bytes, sizeof bytes, &err);
    assert_non_null(m);
    bytes[0] = 0xff; /* the manifest holds a copy */
    assert_int_equal(m->nwasm, 1);
    assert_string_equal(m->wasm[0].name, "main");
    assert_null(m->wasm[0].path);
    assert_null(m->wasm[0].hash);
    assert_int_equal(m->wasm[0].data_len, sizeof empty_module);
    assert_memory_equal(m->wasm[0].data, empty_module, sizeof empty_module);
    assert_false(m->has_timeout_ms);
    assert_int_equal(rf_manifest_main_index(m), 0);
    rf_manifest_free(m);

    m = rf_manifest_from_wasm(NULL, 0, &err);
    assert_non_null(m);
    assert_int_equal(m->wasm[0].data_len, 0);
    rf_manifest_free(m);

    memset(&err, 0, sizeof err);
    assert_null(rf_manifest_from_wasm(NULL, 5, &err));
    assert_int_equal(err.kind, RF_ERR_ARG);
    assert_non_null(strstr(err.message, "NULL"));

    rf_manifest_free(NULL);
}

/* ---- robustness ------------------------------------------------------------------ */

static const char fuzz_seed[] =
    "{\"wasm\": [{\"data\": \"" B64_EMPTY_MODULE "\", \"name\": \"lib\", \"hash\": \"" SHA_EMPTY_MODULE "\"},"
    " {\"path\": \"abc.bin\", \"hash\": \"" SHA_ABC "\"}],"
    " \"memory\": {\"max_pages\": 17, \"max_http_response_bytes\": 1024, \"max_var_bytes\": null},"
    " \"config\": {\"a\": \"1\", \"b\": \"\"}, \"allowed_hosts\": [\"*.x\", \"y\"],"
    " \"allowed_paths\": {\"ro:/a\": \"/b\"}, \"timeout_ms\": 100}";

/* Parse one candidate: success or a clean RF_ERR_ARG failure, nothing else. */
static void parse_candidate(const char *text, size_t len)
{
    rf_error err;
    memset(&err, 0x5a, sizeof err);
    rf_manifest *m = rf_manifest_parse(text, len, tmpdir, &err);
    if (!m) {
        assert_int_equal(err.kind, RF_ERR_ARG);
        assert_true(err.message[0] != '\0');
        assert_non_null(memchr(err.message, '\0', sizeof err.message));
        return;
    }
    assert_true(m->nwasm >= 1);
    for (size_t i = 0; i < m->nwasm; i++) {
        assert_non_null(m->wasm[i].name);
        assert_non_null(m->wasm[i].data);
    }
    assert_true(rf_manifest_main_index(m) < m->nwasm);
    rf_manifest_free(m);
}

static void test_fuzz_mutations(void **state)
{
    (void)state;
    write_file("abc.bin", "abc", 3);
    size_t n = sizeof fuzz_seed - 1;
    parse_candidate(fuzz_seed, n); /* the seed itself is valid */
    {
        rf_error err;
        rf_manifest *m = rf_manifest_parse(fuzz_seed, n, tmpdir, &err);
        assert_non_null(m);
        rf_manifest_free(m);
    }
    static const char alphabet[] = "{}[]\":,\\ 0123456789-.eEnulltruefalse=+/aZ\x01\xc3\xa9";
    char *buf = malloc(n + 64);
    assert_non_null(buf);
    for (int round = 0; round < 6000; round++) {
        memcpy(buf, fuzz_seed, n);
        size_t len = n;
        int edits = 1 + (int)(next_random() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)(next_random() % len);
            switch (next_random() % 4) {
            case 0: /* replace */
                buf[at] = alphabet[next_random() % (sizeof alphabet - 1)];
                break;
            case 1: /* delete */
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            case 2: /* insert */
                if (len < n + 60) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = alphabet[next_random() % (sizeof alphabet - 1)];
                    len++;
                }
                break;
            default: /* truncate */
                len = at;
                break;
            }
            if (len == 0)
                break;
        }
        parse_candidate(buf, len);
    }
    free(buf);
}

/* Every field slot filled with every kind of JSON value. */
static void test_fuzz_values(void **state)
{
    (void)state;
    static const char *const values[] = {
        "null", "true", "0", "-1", "1.5", "4294967296", "\"\"", "\"x\"", "\"YWJj\"", "[]",
        "[1]", "[\"a\"]", "[null]", "{}", "{\"a\":1}", "{\"a\":\"b\"}", "{\"ptr\":1,\"len\":2}",
        "{\"path\":\"abc.bin\"}", "{\"data\":\"\"}", NULL};
    static const char *const templates[] = {
        "{\"wasm\": %s}",
        "{\"wasm\": [%s]}",
        "{\"wasm\": [{\"data\": %s}]}",
        "{\"wasm\": [{\"path\": %s}]}",
        "{\"wasm\": [{\"data\": \"\", \"name\": %s}]}",
        "{\"wasm\": [{\"data\": \"\", \"hash\": %s}]}",
        "{\"wasm\": [{\"data\": \"\"}], \"memory\": %s}",
        "{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_pages\": %s}}",
        "{\"wasm\": [{\"data\": \"\"}], \"memory\": {\"max_var_bytes\": %s}}",
        "{\"wasm\": [{\"data\": \"\"}], \"config\": %s}",
        "{\"wasm\": [{\"data\": \"\"}], \"config\": {\"k\": %s}}",
        "{\"wasm\": [{\"data\": \"\"}], \"allowed_hosts\": %s}",
        "{\"wasm\": [{\"data\": \"\"}], \"allowed_paths\": %s}",
        "{\"wasm\": [{\"data\": \"\"}], \"timeout_ms\": %s}",
        "%s",
        NULL};
    char json[512];
    size_t accepted = 0, total = 0;
    for (size_t t = 0; templates[t]; t++)
        for (size_t v = 0; values[v]; v++) {
            snprintf(json, sizeof json, templates[t], values[v]);
            rf_error err;
            rf_manifest *m = rf_manifest_parse(json, strlen(json), tmpdir, &err);
            total++;
            if (m) {
                accepted++;
                rf_manifest_free(m);
            } else {
                assert_int_equal(err.kind, RF_ERR_ARG);
            }
        }
    /* some, not all, combinations are valid */
    assert_true(accepted > 10);
    assert_true(accepted < total / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_data),
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_allowed_paths),
        cmocka_unit_test(test_nulls_accepted),
        cmocka_unit_test(test_integer_ranges),
        cmocka_unit_test(test_wasm_list_errors),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_other_type_errors),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_main_index),
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_refused),
        cmocka_unit_test(test_base64_round_trip),
        cmocka_unit_test(test_path_base_dir),
        cmocka_unit_test(test_path_cwd),
        cmocka_unit_test(test_path_errors),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_from_wasm),
        cmocka_unit_test(test_fuzz_mutations),
        cmocka_unit_test(test_fuzz_values),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
