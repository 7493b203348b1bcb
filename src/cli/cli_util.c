/*
 * cli_util.c — helpers shared by the `reflow` commands: bounded file reading,
 * module loading with uniform error reporting, and printing of names and
 * types. Nothing here keeps state between calls.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("reflow: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    fputs(cmd->help, stderr);
    return CLI_EXIT_USAGE;
}

/* Reads in growing chunks rather than trusting a size from stat(), so pipes
 * and special files work and a file that changes size cannot overrun. */
bool cli_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "reflow: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    size_t cap = 64 * 1024, used = 0;
    uint8_t *buf = malloc(cap);
    bool ok = buf != NULL;
    if (!ok)
        fprintf(stderr, "reflow: cannot read '%s': out of memory\n", path);
    while (ok) {
        if (used == cap) {
            if (cap >= CLI_MAX_FILE_BYTES) {
                fprintf(stderr, "reflow: cannot read '%s': file is larger than %u bytes\n",
                        path, CLI_MAX_FILE_BYTES);
                ok = false;
                break;
            }
            size_t ncap = cap * 2 > CLI_MAX_FILE_BYTES ? CLI_MAX_FILE_BYTES : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                fprintf(stderr, "reflow: cannot read '%s': out of memory\n", path);
                ok = false;
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t n = fread(buf + used, 1, cap - used, f);
        used += n;
        if (n == 0) {
            if (ferror(f)) {
                fprintf(stderr, "reflow: cannot read '%s': %s\n", path, strerror(errno));
                ok = false;
            }
            break;
        }
    }
    fclose(f);
    if (!ok) {
        free(buf);
        return false;
    }
    *data = buf;
    *len = used;
    return true;
}

rf_module *cli_load_module(const char *path, bool validate_only)
{
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(path, &bytes, &len))
        return NULL;
    rf_load_options opts = { .validate_only = validate_only };
    rf_error err;
    memset(&err, 0, sizeof err);
    rf_module *m = rf_module_load(bytes, len, &opts, &err);
    free(bytes);
    if (!m) {
        const char *kind = rf_error_kind_name(err.kind);
        const char *msg = err.message[0] ? err.message : "no details given";
        /* Name the kind unless the engine's message already starts with it. */
        if (strncmp(msg, kind, strlen(kind)) == 0)
            fprintf(stderr, "reflow: %s: %s\n", path, msg);
        else
            fprintf(stderr, "reflow: %s: %s: %s\n", path, kind, msg);
    }
    return m;
}

void cli_print_name(FILE *f, const char *s, size_t len)
{
    if (len == 0) {
        fputs("\"\"", f);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '\\' || c == '"')
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

static void print_types(FILE *f, uint32_t n, const rf_valtype *types)
{
    fputc('(', f);
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", rf_valtype_name(types[i]));
    fputc(')', f);
}

void cli_print_signature(FILE *f, const rf_signature *sig)
{
    print_types(f, sig->nparams, sig->params);
    fputs(" -> ", f);
    print_types(f, sig->nresults, sig->results);
}

uint64_t cli_pages_to_bytes(uint64_t pages)
{
    const uint64_t page = 65536;
    return pages > UINT64_MAX / page ? UINT64_MAX : pages * page;
}

int cli_parse_file_args(const cli_command *cmd, int argc, char **argv, const cli_flag *flags,
                        size_t nflags, const char **file)
{
    const char *found = NULL;
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!flags_done && a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0) {
                flags_done = true;
                continue;
            }
            if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                fputs(cmd->help, stdout);
                return CLI_EXIT_OK;
            }
            size_t k = 0;
            while (k < nflags && strcmp(a, flags[k].name) != 0)
                k++;
            if (k == nflags)
                return cli_usage_error(cmd, "%s: unknown option '%s'", cmd->name, a);
            *flags[k].set = true;
            continue;
        }
        if (found)
            return cli_usage_error(cmd, "%s: expected one file, got '%s' and '%s'", cmd->name,
                                   found, a);
        found = a;
    }
    if (!found)
        return cli_usage_error(cmd, "%s: missing FILE", cmd->name);
    *file = found;
    return CLI_CONTINUE;
}

const char *cli_extern_kind_name(rf_extern_kind k)
{
    switch (k) {
    case RF_EXTERN_FUNC: return "func";
    case RF_EXTERN_TABLE: return "table";
    case RF_EXTERN_MEMORY: return "memory";
    case RF_EXTERN_GLOBAL: return "global";
    }
    return "unknown";
}

int cli_number_option(const cli_command *cmd, const char *opt, const char *v, uint64_t min,
                      uint64_t max, uint64_t *out)
{
    uint64_t n = 0;
    bool ok = *v != '\0';
    for (const char *c = v; ok && *c; c++) {
        uint64_t d = (uint64_t)(*c - '0');
        if (*c < '0' || *c > '9' || d > max || n > (max - d) / 10)
            ok = false; /* not a digit, or n * 10 + d would exceed max */
        else
            n = n * 10 + d;
    }
    if (!ok || n < min)
        return cli_usage_error(cmd, "%s: %s needs a whole number from %" PRIu64 " to %" PRIu64
                                    ", got '%s'", cmd->name, opt, min, max, v);
    *out = n;
    return CLI_CONTINUE;
}
