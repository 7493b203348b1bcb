/* fs_program.c — a wasi-libc program using files the ordinary way (fopen,
 * fprintf, stat, mkdir, rename, opendir/readdir, unlink, rmdir) inside the
 * preopens "/sandbox" (writable) and "/ro" (read-only) that test_wasi_fs.c
 * sets up, then trying to get out. It prints one line per step; errno
 * values are wasi-libc's, which are the WASI errno numbers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("open %s: errno %d\n", path, errno);
        return;
    }
    char buf[128];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    printf("read %s: %s", path, buf);
    fclose(f);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `path` but "." and "..", sorted, on one line. */
static void list(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s: errno %d\n", path, errno);
        return;
    }
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    printf("list %s:", path);
    for (size_t i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void result(const char *what, int rc)
{
    if (rc == 0)
        printf("%s: ok\n", what);
    else
        printf("%s: errno %d\n", what, errno);
}

int main(void)
{
    show_file("/sandbox/hello.txt");
    FILE *f = fopen("/sandbox/made.txt", "w");
    if (!f) {
        printf("create: errno %d\n", errno);
        return 1;
    }
    fprintf(f, "made by wasm\n");
    fclose(f);
    show_file("/sandbox/made.txt");
    result("mkdir", mkdir("/sandbox/dir", 0755));
    result("rename", rename("/sandbox/made.txt", "/sandbox/dir/moved.txt"));
    struct stat st;
    if (stat("/sandbox/dir/moved.txt", &st) == 0)
        printf("stat: %lld bytes, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    else
        printf("stat: errno %d\n", errno);
    list("/sandbox/dir");
    list("/sandbox/sub");
    result("unlink", unlink("/sandbox/dir/moved.txt"));
    result("rmdir", rmdir("/sandbox/dir"));
    list("/sandbox/sub");

    /* Escapes: each must fail. */
    show_file("/sandbox/../outside_secret");
    show_file("/sandbox/link_out/secret");
    show_file("/sandbox/abs_out");
    show_file("/sandbox/rel_out");
    f = fopen("/etc/passwd", "r");
    printf("open /etc/passwd: %s\n", f ? "OPENED" : "failed");

    /* Read-only: reading works, changing does not. */
    show_file("/ro/data.txt");
    f = fopen("/ro/new.txt", "w");
    printf("create in /ro: %s %d\n", f ? "OPENED" : "errno", f ? 0 : errno);
    result("unlink in /ro", unlink("/ro/data.txt"));
    result("mkdir in /ro", mkdir("/ro/x", 0755));
    show_file("/ro/data.txt");
    return 0;
}
