/*
 * http_glob.c — matching URL hosts against the manifest's allowed_hosts.
 *
 * The syntax is fnmatch(3)'s, without flags: '*' (any run, also empty),
 * '?' (one byte), bracket expressions "[...]" with ranges, negation by a
 * leading '!' or '^', a leading ']' taken literally and POSIX classes
 * "[:alpha:]" etc., and '\' escaping the next character. Unlike fnmatch it
 * is ASCII-case-insensitive (host names are), ignores the locale (a byte is
 * a character), and runs in O(pattern * text) time whatever the pattern:
 * '*' backtracks only to the most recent star, which is enough because every
 * other item consumes exactly one byte. An invalid pattern (unclosed bracket,
 * trailing backslash, unknown class) is compared exactly, like upstream
 * Extism does for entries its glob parser rejects.
 */
#include "http.h"

#include <string.h>

static unsigned char glob_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static unsigned char glob_upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/* ASCII-only POSIX character classes. Returns -1 for an unknown name. */
static int glob_class_has(const char *name, size_t len, unsigned char c)
{
    bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
    bool digit = c >= '0' && c <= '9';
    bool alpha = lower || upper;
    bool graph = c > 0x20 && c < 0x7f;
    bool space = c == ' ' || (c >= '\t' && c <= '\r');
    static const char *const names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
                                        "lower", "print", "punct", "space", "upper", "xdigit"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            break;
    switch (i) {
    case 0: return alpha || digit;
    case 1: return alpha;
    case 2: return c == ' ' || c == '\t';
    case 3: return c < 0x20 || c == 0x7f;
    case 4: return digit;
    case 5: return graph;
    case 6: return lower;
    case 7: return graph || c == ' ';
    case 8: return graph && !alpha && !digit;
    case 9: return space;
    case 10: return upper;
    case 11: return digit || ((glob_lower(c) >= 'a') && (glob_lower(c) <= 'f'));
    default: return -1;
    }
}

/* Reads one bracket-expression character at p (a '\' escapes the next one);
   returns its length, 0 at the end of the pattern. */
static size_t glob_bracket_char(const char *p, unsigned char *c)
{
    if (p[0] == '\\') {
        if (p[1] == '\0')
            return 0;
        *c = (unsigned char)p[1];
        return 2;
    }
    if (p[0] == '\0')
        return 0;
    *c = (unsigned char)p[0];
    return 1;
}

/* Matches byte c (either case) against the bracket expression starting at
   p[0] == '['. Returns 1 or 0 and sets *len to the expression's length, or
   -1 when the expression is invalid. */
static int glob_bracket(const char *p, unsigned char c, size_t *len)
{
    unsigned char cl = glob_lower(c), cu = glob_upper(c);
    size_t i = 1;
    bool negate = false, matched = false, first = true;

    if (p[i] == '!' || p[i] == '^') {
        negate = true;
        i++;
    }
    for (;;) {
        unsigned char lo, hi;
        size_t n;

        if (p[i] == ']' && !first) {
            i++;
            break;
        }
        first = false;
        if (p[i] == '[' && p[i + 1] == ':') {
            const char *end = strstr(p + i + 2, ":]");
            if (end != NULL && memchr(p + i + 2, ']', (size_t)(end - (p + i + 2))) == NULL) {
                size_t nlen = (size_t)(end - (p + i + 2));
                int a = glob_class_has(p + i + 2, nlen, cl);
                int b = glob_class_has(p + i + 2, nlen, cu);
                if (a < 0)
                    return -1;
                matched = matched || a || b;
                i += nlen + 4;
                continue;
            }
            /* no ":]" in this expression: the '[' is an ordinary member */
        }
        n = glob_bracket_char(p + i, &lo);
        if (n == 0)
            return -1; /* unclosed */
        i += n;
        hi = lo;
        if (p[i] == '-' && p[i + 1] != ']' && p[i + 1] != '\0') {
            n = glob_bracket_char(p + i + 1, &hi);
            if (n == 0)
                return -1;
            i += 1 + n;
        }
        if ((cl >= lo && cl <= hi) || (cu >= lo && cu <= hi))
            matched = true;
    }
    *len = i;
    return matched != negate;
}

/* A pattern is valid when every bracket expression is closed and known and
   no '\' ends it. */
static bool glob_valid(const char *p)
{
    size_t len;
    while (*p != '\0') {
        if (*p == '\\') {
            if (p[1] == '\0')
                return false;
            p += 2;
        } else if (*p == '[') {
            if (glob_bracket(p, 'a', &len) < 0)
                return false;
            p += len;
        } else {
            p++;
        }
    }
    return true;
}

/* Does the single-byte item at p (not '*', not the end) match c? Sets *len
   to the item's length. The pattern is known to be valid. */
static bool glob_item(const char *p, unsigned char c, size_t *len)
{
    if (*p == '?') {
        *len = 1;
        return true;
    }
    if (*p == '[')
        return glob_bracket(p, c, len) == 1;
    *len = 1;
    if (*p == '\\') {
        p++;
        *len = 2;
    }
    return glob_lower((unsigned char)*p) == glob_lower(c);
}

static bool glob_equal_nocase(const char *a, const char *b)
{
    while (*a != '\0' && glob_lower((unsigned char)*a) == glob_lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

bool rf_http_glob_match(const char *pattern, const char *text)
{
    const char *p = pattern, *t = text;
    const char *star_p = NULL, *star_t = NULL;

    if (!glob_valid(pattern))
        return glob_equal_nocase(pattern, text);
    while (*t != '\0') {
        size_t len;
        if (*p == '*') {
            while (*p == '*')
                p++;
            if (*p == '\0')
                return true;
            star_p = p;
            star_t = t;
            continue;
        }
        if (*p != '\0' && glob_item(p, (unsigned char)*t, &len)) {
            p += len;
            t++;
            continue;
        }
        if (star_p == NULL)
            return false;
        /* let the last star swallow one more byte and retry after it */
        p = star_p;
        t = ++star_t;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

bool rf_http_host_allowed(const rf_http_policy *policy, const char *host)
{
    if (policy == NULL || host == NULL)
        return false;
    for (size_t i = 0; i < policy->nallowed_hosts; i++) {
        const char *glob = policy->allowed_hosts[i];
        if (glob != NULL && rf_http_glob_match(glob, host))
            return true;
    }
    return false;
}
