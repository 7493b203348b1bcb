/*
 * manifest_bytes.c — the bytes of a manifest's modules: strict base64 for
 * "data" entries, capped reading of "path" files, and the SHA-256 that a
 * "hash" is checked against; plus the error plumbing both manifest files
 * share (rf_manifest_fail, escaping untrusted text for messages).
 *
 * Base64 is decoded by hand rather than with OpenSSL's EVP_DecodeBlock,
 * because that one skips whitespace, reports padding as extra zero bytes
 * and accepts non-canonical trailing bits; upstream Extism decodes with the
 * strict standard engine of the Rust base64 crate, and we accept the same
 * texts: the standard alphabet, '=' padding to a multiple of 4, nothing
 * else, and zero unused bits in the last group.
 *
 * Files are opened non-blocking (so a FIFO cannot hang us), must be regular
 * files (so /dev/zero cannot feed us forever), and are read with a cap even
 * if they grow after being sized. SHA-256 comes from libcrypto.
 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC, XSI strerror_r */

#include "manifest_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

bool rf_manifest_fail(rf_error *err, rf_error_kind kind, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rf_error_format(err, kind, "%s", msg);
}

/* ---- messages ---------------------------------------------------------------- */

void rf_manifest_printable(char *dst, size_t size, const char *text)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char piece[8];
        if (*p == '"' || *p == '\\')
            snprintf(piece, sizeof piece, "\\%c", (char)*p);
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(piece, sizeof piece, "\\x%02x", *p);
        else
            snprintf(piece, sizeof piece, "%c", (char)*p);
        size_t n = strlen(piece);
        if (o + n + 4 > size) {
            while (o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0x80)
                o--;           /* drop UTF-8 continuation bytes ... */
            if (o > 0 && (unsigned char)dst[o - 1] >= 0xc0)
                o--;           /* ... and the lead byte they belong to */
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, piece, n);
        o += n;
    }
    dst[o] = '\0';
}

/* ---- base64 ------------------------------------------------------------------- */

/* The 6-bit value of a base64 character, or -1 if it is not in the alphabet. */
static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

rf_base64_result rf_manifest_base64_decode(const char *text, size_t len, uint8_t **out,
                                           size_t *out_len, char *why, size_t why_size)
{
    *out = NULL;
    *out_len = 0;
    if (len % 4 != 0) {
        snprintf(why, why_size, "length %zu is not a multiple of 4", len);
        return RF_BASE64_INVALID;
    }
    size_t pad = 0;
    if (len > 0 && text[len - 1] == '=')
        pad = text[len - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < len - pad; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '=') {
            snprintf(why, why_size, "padding '=' before the end, at offset 0x%zx", i);
            return RF_BASE64_INVALID;
        }
        if (base64_value(c) < 0) {
            if (c >= 0x20 && c < 0x7f)
                snprintf(why, why_size, "invalid character '%c' at offset 0x%zx", (char)c, i);
            else
                snprintf(why, why_size, "invalid byte 0x%02x at offset 0x%zx", c, i);
            return RF_BASE64_INVALID;
        }
    }

    size_t n = len / 4 * 3 - pad;
    uint8_t *bytes = malloc(n > 0 ? n : 1);
    if (!bytes)
        return RF_BASE64_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        const unsigned char *g = (const unsigned char *)text + i;
        uint32_t v0 = (uint32_t)base64_value(g[0]);
        uint32_t v1 = (uint32_t)base64_value(g[1]);
        bool last = i + 4 == len;
        if (last && pad == 2) {
            if (v1 & 0x0f) {
                snprintf(why, why_size, "non-zero unused bits at offset 0x%zx", i + 1);
                free(bytes);
                return RF_BASE64_INVALID;
            }
            bytes[o++] = (uint8_t)(v0 << 2 | v1 >> 4);
            break;
        }
        uint32_t v2 = (uint32_t)base64_value(g[2]);
        if (last && pad == 1) {
            if (v2 & 0x03) {
                snprintf(why, why_size, "non-zero unused bits at offset 0x%zx", i + 2);
                free(bytes);
                return RF_BASE64_INVALID;
            }
            uint32_t w = v0 << 18 | v1 << 12 | v2 << 6;
            bytes[o++] = (uint8_t)(w >> 16);
            bytes[o++] = (uint8_t)(w >> 8);
            break;
        }
        uint32_t w = v0 << 18 | v1 << 12 | v2 << 6 | (uint32_t)base64_value(g[3]);
        bytes[o++] = (uint8_t)(w >> 16);
        bytes[o++] = (uint8_t)(w >> 8);
        bytes[o++] = (uint8_t)w;
    }
    *out = bytes;
    *out_len = o;
    return RF_BASE64_OK;
}

/* ---- SHA-256 ------------------------------------------------------------------ */

bool rf_manifest_sha256_hex(const uint8_t *data, size_t len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    static const uint8_t empty[1] = {0};
    if (!EVP_Digest(len > 0 ? data : empty, len, md, &md_len, EVP_sha256(), NULL) ||
        md_len != 32) {
        hex[0] = '\0';
        return false;
    }
    for (unsigned int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0x0f];
    }
    hex[64] = '\0';
    return true;
}

/* ---- files -------------------------------------------------------------------- */

/* Open for reading without blocking on FIFOs or taking a controlling tty. */
static int open_for_read(const char *path)
{
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    return fd;
}

bool rf_manifest_file_size(const char *path, uint64_t *size)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return false;
    }
    *size = (uint64_t)st.st_size;
    return true;
}

/* Fail with the upstream wording for an unreadable module file; the path
 * comes from the manifest, so it is escaped like a key. */
static bool load_failure(rf_error *err, const char *path, const char *reason)
{
    char shown[320];
    rf_manifest_printable(shown, sizeof shown, path);
    return rf_manifest_fail(err, RF_ERR_ARG, "Unable to load Wasm file \"%s\": %s", shown, reason);
}

static bool load_error(rf_error *err, const char *path, int errnum)
{
    char reason[128];
    if (strerror_r(errnum, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", errnum);
    return load_failure(err, path, reason);
}

static bool too_large(rf_error *err, const char *path, uint64_t limit)
{
    char reason[64];
    snprintf(reason, sizeof reason, "file is larger than %llu bytes", (unsigned long long)limit);
    return load_failure(err, path, reason);
}

bool rf_manifest_read_file(const char *path, uint64_t limit, uint8_t **out, size_t *out_len,
                           rf_error *err)
{
    *out = NULL;
    *out_len = 0;
    int fd = open_for_read(path);
    if (fd < 0)
        return load_error(err, path, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return load_error(err, path, e);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return load_failure(err, path, "not a regular file");
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > limit) {
        close(fd);
        return too_large(err, path, limit);
    }

    /* Room for the stated size plus one byte, so growth since fstat shows;
     * the buffer doubles as needed but never past limit + 1. */
    size_t cap = (size_t)st.st_size + 1;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return rf_manifest_fail(err, RF_ERR_NOMEM, "manifest: out of memory reading \"%s\"", path);
    }
    size_t used = 0;
    for (;;) {
        if (used == cap) {
            if ((uint64_t)cap > limit) {
                free(buf);
                close(fd);
                return too_large(err, path, limit);
            }
            size_t next = cap * 2;
            if ((uint64_t)next > limit + 1)
                next = (size_t)(limit + 1);
            uint8_t *grown = realloc(buf, next);
            if (!grown) {
                free(buf);
                close(fd);
                return rf_manifest_fail(err, RF_ERR_NOMEM, "manifest: out of memory reading \"%s\"",
                                        path);
            }
            buf = grown;
            cap = next;
        }
        ssize_t got = read(fd, buf + used, cap - used);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return load_error(err, path, e);
        }
        if (got == 0)
            break;
        used += (size_t)got;
    }
    close(fd);
    if ((uint64_t)used > limit) {
        free(buf);
        return too_large(err, path, limit);
    }
    *out = buf;
    *out_len = used;
    return true;
}
