/*
 * spec_runner.c — command line of the spec test harness: finds the scripts,
 * runs each (spec_script.c) and prints the totals.
 *
 *   spec-runner [--dir DIR] [--exec|--no-exec] [--verbose] [--filter GLOB]...
 *               [--skip-unsupported] [--timeout MS] [FILE.json ...]
 *
 * With --dir DIR every DIR/<name>/<name>.json runs, in sorted order. Without
 * --dir or files, DIR is $SPEC_DIR/core (SPEC_DIR names the root of the
 * converted suite, as in the build), else ../shared/spec-tests/core relative
 * to the working directory (the repository root). Finding no script at all is an error (exit 2), never a
 * silent pass. The last line is always "spec: P passed, F failed, S skipped",
 * and the exit status is 0 exactly when F is 0.
 */
#include "spec_runner.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_SPEC_ROOT "../shared/spec-tests"
#define DEFAULT_GROUP "core"
#define DEFAULT_TIMEOUT_MS 20000u
#define MAX_SCRIPTS 100000u
#define MAX_FILTERS 64

typedef struct script_list {
    char **paths;            /* JSON paths */
    char **names;            /* script names, for --filter */
    size_t count;
    size_t cap;
} script_list;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: spec-runner [--dir DIR] [--exec|--no-exec] [--verbose] [--filter GLOB]...\n"
            "                   [--skip-unsupported] [--timeout MS] [FILE.json ...]\n"
            "  --dir DIR           run every DIR/<name>/<name>.json (default: $SPEC_DIR/core,\n"
            "                      else " DEFAULT_SPEC_ROOT "/" DEFAULT_GROUP ")\n"
            "  --no-exec           validation only: load modules, check assert_invalid and\n"
            "                      assert_malformed; count other commands as not yet run\n"
            "  --exec              run every command (the default)\n"
            "  --verbose           print every failure (default: the first %d per script)\n"
            "  --filter GLOB       run only scripts whose name matches GLOB (repeatable)\n"
            "  --skip-unsupported  count modules the engine reports as unsupported (SIMD) as\n"
            "                      skipped instead of failed\n"
            "  --timeout MS        limit on each call in --exec mode (default %u, 0 = none)\n",
            SPEC_QUIET_FAILURES, DEFAULT_TIMEOUT_MS);
}

static bool list_add(script_list *l, const char *path, const char *name)
{
    if (l->count >= MAX_SCRIPTS)
        return false;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p)
            return false;
        l->paths = p;
        char **n = realloc(l->names, cap * sizeof *n);
        if (!n)
            return false;
        l->names = n;
        l->cap = cap;
    }
    char *pc = strdup(path), *nc = strdup(name);
    if (!pc || !nc) {
        free(pc);
        free(nc);
        return false;
    }
    l->paths[l->count] = pc;
    l->names[l->count] = nc;
    l->count++;
    return true;
}

static void list_free(script_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->paths[i]);
        free(l->names[i]);
    }
    free(l->paths);
    free(l->names);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect DIR/<name>/<name>.json for every subdirectory name, sorted by name.
 * Returns false (with a message printed) on an unreadable directory. */
static bool scan_dir(const char *dir, script_list *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr,
                "spec-runner: spec tests not found at %s (%s); pass --dir or set SPEC_DIR\n", dir,
                strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n >= MAX_SCRIPTS) {
            fprintf(stderr, "spec-runner: more than %u entries in %s\n", MAX_SCRIPTS, dir);
            ok = false;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 128;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) {
                ok = false;
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            ok = false;
            break;
        }
        n++;
    }
    closedir(d);
    if (!ok && n < MAX_SCRIPTS)
        fprintf(stderr, "spec-runner: out of memory scanning %s\n", dir);
    if (ok && n)
        qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; ok && i < n; i++) {
        size_t plen = strlen(dir) + 2 * strlen(names[i]) + 8;
        char *path = malloc(plen);
        if (!path) {
            ok = false;
            break;
        }
        snprintf(path, plen, "%s/%s/%s.json", dir, names[i], names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && !list_add(out, path, names[i])) {
            fprintf(stderr, "spec-runner: out of memory\n");
            ok = false;
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ok;
}

/* "dir/i32.json" -> "i32" */
static void name_of_file(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    snprintf(buf, len, "%s", slash ? slash + 1 : path);
    size_t n = strlen(buf);
    if (n > 5 && strcmp(buf + n - 5, ".json") == 0)
        buf[n - 5] = '\0';
}

static bool matches_filters(const char *name, char *const *filters, size_t nfilters)
{
    if (nfilters == 0)
        return true;
    for (size_t i = 0; i < nfilters; i++)
        if (fnmatch(filters[i], name, 0) == 0)
            return true;
    return false;
}

/* Parse a decimal millisecond count. */
static bool parse_ms(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    spec_options opt = {.exec = true, .timeout_ms = DEFAULT_TIMEOUT_MS};
    const char *dir = NULL;
    char *filters[MAX_FILTERS];
    size_t nfilters = 0;
    script_list files = {0};
    int status = 2;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "--exec") == 0) {
            opt.exec = true;
        } else if (strcmp(a, "--no-exec") == 0) {
            opt.exec = false;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            opt.verbose = true;
        } else if (strcmp(a, "--skip-unsupported") == 0) {
            opt.skip_unsupported = true;
        } else if (strcmp(a, "--filter") == 0 && i + 1 < argc) {
            if (nfilters == MAX_FILTERS) {
                fprintf(stderr, "spec-runner: at most %d --filter options\n", MAX_FILTERS);
                goto out;
            }
            filters[nfilters++] = argv[++i];
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            if (!parse_ms(argv[++i], &opt.timeout_ms)) {
                fprintf(stderr, "spec-runner: bad --timeout value \"%s\"\n", argv[i]);
                goto out;
            }
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            status = 0;
            goto out;
        } else if (a[0] == '-') {
            fprintf(stderr, "spec-runner: unknown or incomplete option \"%s\"\n", a);
            usage(stderr);
            goto out;
        } else {
            char name[256];
            name_of_file(a, name, sizeof name);
            if (!list_add(&files, a, name)) {
                fprintf(stderr, "spec-runner: too many files\n");
                goto out;
            }
        }
    }

    char default_dir[4096];
    if (dir || files.count == 0) {
        if (!dir) {
            const char *root = getenv("SPEC_DIR");
            if (!root || !*root)
                root = DEFAULT_SPEC_ROOT;
            snprintf(default_dir, sizeof default_dir, "%s/%s", root, DEFAULT_GROUP);
            dir = default_dir;
        }
        size_t before = files.count;
        if (!scan_dir(dir, &files))
            goto out;
        if (files.count == before) {
            fprintf(stderr,
                    "spec-runner: spec tests not found at %s (no <name>/<name>.json scripts); "
                    "pass --dir or set SPEC_DIR\n",
                    dir);
            goto out;
        }
    }

    spec_counts total = {0};
    size_t ran = 0;
    for (size_t i = 0; i < files.count; i++) {
        if (!matches_filters(files.names[i], filters, nfilters))
            continue;
        spec_run_script(files.paths[i], &opt, &total);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "spec-runner: no script matches the --filter options\n");
        goto out;
    }
    printf("spec: %lu scripts, mode %s\n", (unsigned long)ran, opt.exec ? "exec" : "validate-only");
    if (total.unsupported)
        printf("spec: %lu unsupported (counted as passed or skipped)\n", total.unsupported);
    printf("spec: %lu not yet run\n", total.not_run);
    printf("spec: %lu passed, %lu failed, %lu skipped\n", total.passed, total.failed,
           total.skipped);
    status = total.failed == 0 ? 0 : 1;

out:
    list_free(&files);
    return status;
}
