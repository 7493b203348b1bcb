/*
 * plugin_fixture.c — helpers of the end-to-end plugin tests: building the
 * test plugins, scratch directories, files, and a loopback HTTP server.
 * See plugin_fixture.h. The server runs on its own thread and is the only
 * state here; everything it shares with the tests is under its mutex.
 */
#include "plugin_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- directories and files ------------------------------------------------------- */

bool fixture_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap;
}

bool fixture_make_dir(const char *tag, char *dir, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = P_tmpdir;
    int n = snprintf(dir, cap, "%s/reflow-%s-XXXXXX", base, tag);
    if (n < 0 || (size_t)n >= cap || !mkdtemp(dir)) {
        fprintf(stderr, "fixture: cannot make a scratch directory under %s: %s\n", base,
                strerror(errno));
        return false;
    }
    return true;
}

/* Depth first, without following symlinks (a plugin test may create any
 * kind of entry in its scratch directory). */
void fixture_remove_dir(const char *dir)
{
    if (!dir || !*dir)
        return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[4096];
            struct stat st;
            if (!fixture_path(path, sizeof path, dir, e->d_name) || lstat(path, &st) != 0)
                continue;
            if (S_ISDIR(st.st_mode))
                fixture_remove_dir(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

bool fixture_build_plugins(char *out_dir, size_t cap)
{
    const char *prebuilt = getenv("RF_PLUGIN_DIR");
    if (prebuilt && *prebuilt) {
        int n = snprintf(out_dir, cap, "%s", prebuilt);
        return n > 0 && (size_t)n < cap;
    }
    const char *root = getenv("RF_SOURCE_DIR");
    if (!root || !*root) {
        fprintf(stderr, "fixture: set RF_SOURCE_DIR to the repository root (or RF_PLUGIN_DIR "
                        "to a directory of built plugins)\n");
        return false;
    }
    char script[4096];
    if (!fixture_path(script, sizeof script, root, "tests/plugin/plugins/build.sh"))
        return false;
    char *argv[] = { (char *)"sh", script, out_dir, NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, "sh", NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "fixture: cannot run sh: %s\n", strerror(rc));
        return false;
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fixture: %s %s failed (status %d)\n", script, out_dir, status);
        return false;
    }
    return true;
}

bool fixture_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 4096, used = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (used + 1 >= cap) {
            uint8_t *nbuf = realloc(buf, cap * 2);
            if (!nbuf) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nbuf;
            cap *= 2;
        }
        size_t n = fread(buf + used, 1, cap - used - 1, f);
        used += n;
        if (n == 0)
            break;
    }
    bool ok = buf && !ferror(f);
    fclose(f);
    if (!ok) {
        free(buf);
        return false;
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return true;
}

bool fixture_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* ---- loopback HTTP server ----------------------------------------------------------- */

#define MAX_REQUEST 65536

struct fixture_http {
    int listen_fd;
    uint16_t port;
    pthread_t thread;
    pthread_mutex_t lock;
    bool stop;               /* under lock */
    unsigned requests;       /* under lock */
    bool saw_test_header;    /* under lock: of the last request */
};

/* Case-insensitive search for "\r\nName:" in the header block; returns the
 * value start (spaces skipped) or NULL. */
static const char *header_value(const char *head, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ')
                v++;
            return v;
        }
    }
    return NULL;
}

static void send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static void respond(int fd, int status, const char *extra_headers, const char *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                     "%sConnection: close\r\n\r\n",
                     status, status == 200 ? "OK" : "Not Found", len, extra_headers);
    send_all(fd, head, (size_t)n);
    send_all(fd, body, len);
}

/* Read one request (headers, then Content-Length body bytes) and answer it. */
static void serve(fixture_http *h, int fd)
{
    struct timeval tv = { .tv_sec = 5, .tv_usec = 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char *req = malloc(MAX_REQUEST + 1);
    if (!req)
        return;
    size_t used = 0;
    char *end = NULL;
    while (!end && used < MAX_REQUEST) {
        ssize_t n = recv(fd, req + used, MAX_REQUEST - used, 0);
        if (n <= 0)
            break;
        used += (size_t)n;
        req[used] = '\0';
        end = strstr(req, "\r\n\r\n");
    }
    if (!end) {
        free(req);
        return;
    }
    *end = '\0';
    const char *cl = header_value(req, "Content-Length");
    size_t body_len = cl ? (size_t)strtoul(cl, NULL, 10) : 0;
    size_t have = used - (size_t)(end + 4 - req);
    while (have < body_len && used < MAX_REQUEST) {
        ssize_t n = recv(fd, req + used, MAX_REQUEST - used, 0);
        if (n <= 0)
            break;
        used += (size_t)n;
        have += (size_t)n;
    }
    if (have > body_len)
        have = body_len;
    const char *body = end + 4;
    const char *test = header_value(req, "X-Test");

    pthread_mutex_lock(&h->lock);
    h->requests++;
    h->saw_test_header = test && strncmp(test, "yes", 3) == 0 &&
                         (test[3] == '\r' || test[3] == '\0');
    pthread_mutex_unlock(&h->lock);

    char method[16] = "", path[256] = "";
    sscanf(req, "%15s %255s", method, path);
    if (strcmp(path, "/hello") == 0) {
        const char *msg = "hello from loopback";
        respond(fd, 200, "X-Reply: yes\r\n", msg, strlen(msg));
    } else if (strcmp(path, "/echo") == 0) {
        char *out = malloc(strlen(method) + 1 + have + 1);
        if (out) {
            int n = sprintf(out, "%s ", method);
            memcpy(out + n, body, have);
            respond(fd, 200, "", out, (size_t)n + have);
            free(out);
        }
    } else if (strncmp(path, "/big/", 5) == 0) {
        size_t n = (size_t)strtoul(path + 5, NULL, 10);
        char *out = n <= (64u << 20) ? malloc(n + 1) : NULL;
        if (out) {
            memset(out, 'x', n);
            respond(fd, 200, "", out, n);
            free(out);
        }
    } else if (strcmp(path, "/missing") == 0) {
        respond(fd, 404, "", "not found", 9);
    } else {
        respond(fd, 404, "", "no such path", 12);
    }
    free(req);
}

static void *server_main(void *arg)
{
    fixture_http *h = arg;
    for (;;) {
        pthread_mutex_lock(&h->lock);
        bool stop = h->stop;
        pthread_mutex_unlock(&h->lock);
        if (stop)
            break;
        struct pollfd pfd = { .fd = h->listen_fd, .events = POLLIN, .revents = 0 };
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int fd = accept(h->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        serve(h, fd);
        close(fd);
    }
    return NULL;
}

fixture_http *fixture_http_start(void)
{
    fixture_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t alen = sizeof addr;
    if (h->listen_fd < 0 || bind(h->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(h->listen_fd, 16) != 0 ||
        getsockname(h->listen_fd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "fixture: cannot listen on 127.0.0.1: %s\n", strerror(errno));
        if (h->listen_fd >= 0)
            close(h->listen_fd);
        free(h);
        return NULL;
    }
    h->port = ntohs(addr.sin_port);
    pthread_mutex_init(&h->lock, NULL);
    if (pthread_create(&h->thread, NULL, server_main, h) != 0) {
        pthread_mutex_destroy(&h->lock);
        close(h->listen_fd);
        free(h);
        return NULL;
    }
    return h;
}

uint16_t fixture_http_port(const fixture_http *h)
{
    return h->port;
}

unsigned fixture_http_requests(fixture_http *h)
{
    pthread_mutex_lock(&h->lock);
    unsigned n = h->requests;
    pthread_mutex_unlock(&h->lock);
    return n;
}

bool fixture_http_saw_test_header(fixture_http *h)
{
    pthread_mutex_lock(&h->lock);
    bool saw = h->saw_test_header;
    pthread_mutex_unlock(&h->lock);
    return saw;
}

void fixture_http_stop(fixture_http *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    close(h->listen_fd);
    free(h);
}
