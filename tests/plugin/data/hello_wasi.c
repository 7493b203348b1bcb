/* hello_wasi.c — a wasi-libc command that test_wasi.c builds with clang for
 * wasm32-wasi and runs. It prints its arguments and one environment
 * variable, checks the clocks, prints random bytes (the test supplies a
 * predictable random source) and exits with its argument count, so every
 * line of its output and its exit code can be checked exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    printf("hello from wasi\n");
    for (int i = 0; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    int mono_ok = b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec);
    printf("monotonic ok: %s\n", mono_ok ? "yes" : "no");
    printf("realtime after 2020: %s\n", time(NULL) > 1577836800 ? "yes" : "no");

    unsigned char bytes[4];
    if (getentropy(bytes, sizeof bytes) != 0)
        return 100;
    printf("random: %02x%02x%02x%02x\n", bytes[0], bytes[1], bytes[2], bytes[3]);

    fprintf(stderr, "to stderr\n");
    return argc;
}
