/*
 * wasi_io.c — a WASI plugin (wasi-libc, reactor: the host runs _initialize,
 * which runs the constructors). Its stdout and stderr go to the host's log
 * sink, one line at a time; files are reachable only under allowed paths.
 *
 *   print        stdout "stdout line 1", "stdout line 2"; stderr
 *                "stderr line 1"; then "no newline at the end" on stdout
 *                without a newline (the host flushes it at the end of the
 *                call); output "printed"
 *   print_many   input = N: N lines "line 0" .. "line N-1" on stdout, then
 *                output "N"; no line may be lost
 *   read_file    input = a path: output = the file's bytes; failure ->
 *                "cannot open <path>: <strerror>", rc 1
 *   write_file   input = "PATH\nCONTENT": write CONTENT to PATH; output
 *                "wrote N"; failure -> "cannot write <path>: ...", rc 1
 *   init_count   how many times the constructor ran ("1")
 *   exit_with    input = N: output "before exit", then exit(N) (WASI
 *                proc_exit): N = 0 is a success, otherwise the call fails
 *                with rc N
 */
#include "rf_test_pdk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ctor_count;

__attribute__((constructor)) static void count_ctor(void)
{
    ctor_count = ctor_count + (getenv("NO_SUCH_VARIABLE") == NULL);
}

/* The input as a NUL-terminated malloc'd string (NULL if out of memory). */
static char *input_string(size_t *len)
{
    uint64_t n = ex_input_length();
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    pdk_input_read(0, (uint8_t *)s, n);
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

static int32_t fail(const char *what, const char *path, int err)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s %s: %s", what, path, strerror(err));
    pdk_error(msg);
    return 1;
}

RF_EXPORT(print)
{
    printf("stdout line 1\n");
    printf("stdout line 2\n");
    fprintf(stderr, "stderr line 1\n");
    printf("no newline at the end");
    fflush(stdout);
    pdk_output_str("printed");
    return 0;
}

RF_EXPORT(print_many)
{
    char *s = input_string(NULL);
    if (!s) {
        pdk_error("out of memory");
        return 1;
    }
    long n = atol(s);
    free(s);
    for (long i = 0; i < n; i++)
        printf("line %ld\n", i);
    fflush(stdout);
    char out[32];
    int len = snprintf(out, sizeof out, "%ld", n);
    pdk_output(out, (uint64_t)len);
    return 0;
}

RF_EXPORT(read_file)
{
    char *path = input_string(NULL);
    if (!path) {
        pdk_error("out of memory");
        return 1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        int32_t rc = fail("cannot open", path, errno);
        free(path);
        return rc;
    }
    static uint8_t data[65536];
    size_t n = fread(data, 1, sizeof data, f);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        int32_t rc = fail("cannot read", path, err);
        free(path);
        return rc;
    }
    free(path);
    pdk_output(data, n);
    return 0;
}

RF_EXPORT(write_file)
{
    size_t len;
    char *s = input_string(&len);
    if (!s) {
        pdk_error("out of memory");
        return 1;
    }
    char *nl = strchr(s, '\n');
    if (!nl) {
        free(s);
        pdk_error("write_file needs PATH\\nCONTENT");
        return 1;
    }
    *nl = '\0';
    const char *content = nl + 1;
    size_t clen = len - (size_t)(content - s);
    FILE *f = fopen(s, "wb");
    if (!f || fwrite(content, 1, clen, f) != clen || fclose(f) != 0) {
        int err = errno;
        int32_t rc = fail("cannot write", s, err);
        free(s);
        return rc;
    }
    free(s);
    char out[32];
    int n = snprintf(out, sizeof out, "wrote %zu", clen);
    pdk_output(out, (uint64_t)n);
    return 0;
}

RF_EXPORT(init_count)
{
    char out[16];
    int n = snprintf(out, sizeof out, "%d", ctor_count);
    pdk_output(out, (uint64_t)n);
    return 0;
}

RF_EXPORT(exit_with)
{
    char *s = input_string(NULL);
    int code = s ? atoi(s) : 99;
    free(s);
    pdk_output_str("before exit");
    exit(code);
}
