/*
 * plugin_log.c — where a plugin's words go: log level names, the default
 * sink, and the line buffering of the guest's WASI stdout and stderr.
 *
 * WASI output reaches the sink one complete line at a time (without the
 * newline), so the output of plugins running side by side never interleaves
 * mid-line. A partial line waits for its newline until the end of the call
 * (plugin_lines_flush). A line longer than PLUGIN_MAX_LINE bytes is delivered
 * in pieces of that size, so a guest that never writes a newline cannot make
 * the host buffer grow without bound.
 *
 * The default sink writes everything to the process's stderr, so the host's
 * own stdout is never mixed with plugin output: log messages as
 * "[name] LEVEL message", WASI output lines as "[name] stdout: line" or
 * "[name] stderr: line". Each line is one locked stdio write.
 */
#define _POSIX_C_SOURCE 200809L /* flockfile; strcasecmp */

#include "plugin_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    const char *upper;
    rf_log_level level;
} log_levels[] = {
    { "trace", "TRACE", RF_LOG_TRACE },
    { "debug", "DEBUG", RF_LOG_DEBUG },
    { "info", "INFO", RF_LOG_INFO },
    { "warn", "WARN", RF_LOG_WARN },
    { "error", "ERROR", RF_LOG_ERROR },
    { "off", "OFF", RF_LOG_OFF },
};
#define NUM_LEVELS (sizeof log_levels / sizeof log_levels[0])

bool rf_log_level_parse(const char *s, rf_log_level *out)
{
    if (!s)
        return false;
    for (size_t i = 0; i < NUM_LEVELS; i++) {
        if (strcasecmp(s, log_levels[i].name) == 0) {
            if (out)
                *out = log_levels[i].level;
            return true;
        }
    }
    return false;
}

const char *rf_log_level_name(rf_log_level level)
{
    for (size_t i = 0; i < NUM_LEVELS; i++)
        if (log_levels[i].level == level)
            return log_levels[i].name;
    return "unknown";
}

static const char *level_upper(rf_log_level level)
{
    for (size_t i = 0; i < NUM_LEVELS; i++)
        if (log_levels[i].level == level)
            return log_levels[i].upper;
    return "UNKNOWN";
}

static void default_sink(const char *plugin_name, const char *stream, rf_log_level level,
                         const char *msg, size_t len)
{
    FILE *f = stderr;
    flockfile(f);
    if (strcmp(stream, "log") == 0)
        fprintf(f, "[%s] %s ", plugin_name, level_upper(level));
    else
        fprintf(f, "[%s] %s: ", plugin_name, stream);
    fwrite(msg, 1, len, f);
    fputc('\n', f);
    funlockfile(f);
}

void plugin_log_emit(rf_plugin *p, const char *stream, rf_log_level level, const char *msg,
                     size_t len)
{
    if (p->log)
        p->log(p->log_user, p->name, stream, level, msg, len);
    else
        default_sink(p->name, stream, level, msg, len);
}

/* ---- WASI output lines -------------------------------------------------------------- */

static void line_emit(rf_plugin *p, int fd, const char *msg, size_t len)
{
    plugin_log_emit(p, fd == 1 ? "stdout" : "stderr", fd == 1 ? RF_LOG_INFO : RF_LOG_ERROR, msg,
                    len);
}

/* Deliver the buffered bytes of fd as one line and empty the buffer. */
static void line_deliver(rf_plugin *p, int fd)
{
    plugin_line *b = &p->lines[fd - 1];
    if (b->data)
        b->data[b->len] = '\0';
    line_emit(p, fd, b->data ? b->data : "", b->len);
    b->len = 0;
}

/* Append n bytes (n <= PLUGIN_MAX_LINE - b->len); false if memory ran out. */
static bool line_append(plugin_line *b, const uint8_t *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > PLUGIN_MAX_LINE + 1)
            cap = PLUGIN_MAX_LINE + 1;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return true;
}

int plugin_wasi_write(void *user, int fd, const uint8_t *data, size_t len)
{
    rf_plugin *p = user;
    if (fd != 1 && fd != 2)
        return RF_WASI_EBADF;
    plugin_line *b = &p->lines[fd - 1];
    while (len > 0) {
        const uint8_t *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        size_t room = PLUGIN_MAX_LINE - b->len;
        if (take > room)
            take = room;
        bool direct = false;
        if (!line_append(b, data, take)) {
            /* No memory to buffer: deliver what there is, unjoined. */
            if (b->len)
                line_deliver(p, fd);
            line_emit(p, fd, (const char *)data, take);
            direct = true;
        }
        data += take;
        len -= take;
        if (len > 0 && *data == '\n') {
            if (!direct)
                line_deliver(p, fd);
            data++;
            len--;
        } else if (b->len == PLUGIN_MAX_LINE) {
            line_deliver(p, fd);
        }
    }
    return RF_WASI_ESUCCESS;
}

void plugin_lines_flush(rf_plugin *p)
{
    for (int fd = 1; fd <= 2; fd++)
        if (p->lines[fd - 1].len)
            line_deliver(p, fd);
}

void plugin_lines_free(rf_plugin *p)
{
    for (int i = 0; i < 2; i++) {
        free(p->lines[i].data);
        p->lines[i].data = NULL;
        p->lines[i].len = p->lines[i].cap = 0;
    }
}
