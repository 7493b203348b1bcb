/*
 * replay_main.c — runs LLVMFuzzerTestOneInput (fuzz_load.c) once over every
 * .wasm file found under the directories or files named on the command line,
 * without libFuzzer. Ordinary and sanitizer builds register it as the ctest
 * test `fuzz-replay`, so the target's invariants are checked on the whole
 * spec corpus in every test run, and a crash file saved by `make fuzz` can
 * be replayed under gcc or valgrind.
 *
 * Exits 1 when an argument cannot be read; a violated invariant aborts.
 */
#include "reflow/engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_BYTES (64u * 1024u * 1024u)
#define REPLAY_MAX_DEPTH 16

typedef struct replay_stats {
    unsigned long files;
    unsigned long failures;
} replay_stats;

static bool has_wasm_suffix(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcmp(name + n - 5, ".wasm") == 0;
}

/* Reads exactly the size stat() reported; a file that is larger by then
 * (or over the limit) is reported rather than truncated. */
static void replay_file(const char *path, off_t size, replay_stats *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz-replay: cannot open '%s': %s\n", path, strerror(errno));
        st->failures++;
        return;
    }
    bool bad = size < 0 || (uint64_t)size > REPLAY_MAX_BYTES;
    size_t want = bad ? 0 : (size_t)size;
    uint8_t *buf = bad ? NULL : malloc(want + 1);
    size_t len = buf ? fread(buf, 1, want + 1, f) : 0;
    bad = bad || !buf || ferror(f) || len != want;
    fclose(f);
    if (bad) {
        fprintf(stderr, "fuzz-replay: cannot read '%s' (unreadable or over %u bytes)\n", path,
                REPLAY_MAX_BYTES);
        st->failures++;
    } else {
        LLVMFuzzerTestOneInput(buf, len);
        st->files++;
    }
    free(buf);
}

/* Explicitly named files are replayed whatever their name; inside
 * directories only *.wasm files are. */
static void replay_path(const char *path, bool named, int depth, replay_stats *st)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "fuzz-replay: cannot access '%s': %s\n", path, strerror(errno));
        st->failures++;
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (named || has_wasm_suffix(path))
            replay_file(path, sb.st_size, st);
        return;
    }
    if (depth > REPLAY_MAX_DEPTH)
        return;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "fuzz-replay: cannot open directory '%s': %s\n", path, strerror(errno));
        st->failures++;
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(n);
        if (!child) {
            st->failures++;
            break;
        }
        snprintf(child, n, "%s/%s", path, e->d_name);
        replay_path(child, false, depth + 1, st);
        free(child);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fuzz-replay FILE|DIR...\n");
        return 2;
    }
    replay_stats st = { 0, 0 };
    for (int i = 1; i < argc; i++)
        replay_path(argv[i], true, 0, &st);
    printf("fuzz-replay: %lu inputs replayed, %lu unreadable\n", st.files, st.failures);
    return st.failures ? 1 : 0;
}
