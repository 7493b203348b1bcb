/*
 * spec_script.c — runs one wast2json script: its commands, in order, against
 * one store.
 *
 * State of a script (struct script):
 *   - one rf_store holding a fresh `spectest` module and every instance the
 *     script creates (exec mode only); freed at the end of the script;
 *   - every module loaded, freed after the store (instances point into them);
 *   - one "slot" per `module` command recording what became of it (an
 *     instance, skipped, or failed) and its optional "$name"; the most recent
 *     slot is the default target of actions;
 *   - the `register`ed names, newest last (a later registration of the same
 *     name wins, as in the reference interpreter's registry).
 *
 * Verdicts: each command ends in exactly one of passed, failed, skipped or
 * not-yet-run (commands that the validation-only mode does not execute).
 * Anything the harness cannot make sense of (bad JSON, missing files, unknown
 * commands) is a failure with a message, so a broken run can never pass.
 */
#include "spec_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bounds on what a script may ask of the harness. */
#define MAX_FILENAME 255
#define MAX_SIGNATURE_VALUES 100000u
#define MSG_LEN 2048

typedef enum slot_state { SLOT_FAILED = 0, SLOT_READY, SLOT_SKIPPED } slot_state;

/* What became of one `module` command. */
typedef struct slot {
    char *name;              /* "$M", or NULL */
    rf_instance *inst;       /* SLOT_READY only */
    slot_state state;
    unsigned line;
} slot;

typedef struct registration {
    char *as;
    size_t as_len;
    rf_instance *inst;
} registration;

typedef struct script {
    const spec_options *opt;
    char label[256];         /* "i32.json", used in failure lines */
    char name[256];          /* "i32", used in the summary line */
    char *dir;               /* directory holding the JSON and its modules */

    rf_store *store;         /* exec mode; NULL when it could not be made */
    char store_problem[700]; /* why there is no store */
    spec_host host;
    spec_refs refs;

    rf_module **modules;
    size_t nmodules, modules_cap;
    slot *slots;
    size_t nslots, slots_cap;
    long current;            /* index of the most recent slot, -1 before any */
    registration *regs;
    size_t nregs, regs_cap;

    spec_counts counts;
    unsigned long printed;   /* failure lines printed so far */
} script;

/* ---- small helpers -------------------------------------------------------------- */

/* Room for one more element in a dynamic array: returns the (possibly moved)
 * array, or NULL when out of memory (the old array is then untouched). */
static void *grow_array(void *items, size_t *cap, size_t count, size_t elem_size)
{
    if (count < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap > SIZE_MAX / elem_size)
        return NULL;
    void *p = realloc(items, ncap * elem_size);
    if (p)
        *cap = ncap;
    return p;
}

static char *copy_bytes(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Printable form of a name that may hold any bytes (import names, export
 * fields): non-printable bytes become \xx. */
static void escape_name(const char *s, size_t len, char *buf, size_t buf_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < buf_len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"') {
            buf[o++] = (char)ch;
        } else {
            snprintf(buf + o, buf_len - o, "\\%02x", ch);
            o += 3;
        }
    }
    if (buf_len)
        buf[o < buf_len ? o : buf_len - 1] = '\0';
}

bool spec_read_file(const char *path, size_t max, uint8_t **data, size_t *len, char *why,
                    size_t why_len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, why_len, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "%s is not a regular file", path);
        close(fd);
        return false;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        snprintf(why, why_len, "%s is larger than %zu bytes", path, max);
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        snprintf(why, why_len, "out of memory reading %s", path);
        close(fd);
        return false;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(why, why_len, "cannot read %s: %s", path,
                     n < 0 ? strerror(errno) : "file shrank");
            free(buf);
            close(fd);
            return false;
        }
        got += (size_t)n;
    }
    close(fd);
    *data = buf;
    *len = size;
    return true;
}

/* "kind: message" for failure lines; just the message when it already
 * starts with the kind's name (the engine's messages usually do). Returned by
 * value so it can be used inline in a printf argument list. */
typedef struct error_text {
    char s[640];
} error_text;

static error_text describe(const rf_error *err)
{
    error_text t;
    const char *kind = rf_error_kind_name(err->kind);
    size_t klen = strlen(kind);
    if (strncmp(err->message, kind, klen) == 0 && err->message[klen] == ':')
        snprintf(t.s, sizeof t.s, "%.600s", err->message);
    else
        snprintf(t.s, sizeof t.s, "%s: %.600s", kind, err->message);
    return t;
}

/* ---- verdicts ------------------------------------------------------------------- */

/* Count a failure; print it unless the quiet limit was reached. */
static void fail(script *sc, unsigned line, const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void fail(script *sc, unsigned line, const char *what, const char *fmt, ...)
{
    sc->counts.failed++;
    if (!sc->opt->verbose && sc->printed >= SPEC_QUIET_FAILURES)
        return;
    sc->printed++;
    char msg[MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("  %s:%u %s: %s\n", sc->label, line, what, msg);
}

static void pass(script *sc) { sc->counts.passed++; }
static void skip(script *sc) { sc->counts.skipped++; }

/* RF_ERR_UNSUPPORTED where a working module was expected: a skip with
 * --skip-unsupported, else a failure. */
static void unsupported(script *sc, unsigned line, const char *what, const rf_error *err)
{
    if (sc->opt->skip_unsupported) {
        sc->counts.skipped++;
        sc->counts.unsupported++;
        return;
    }
    fail(sc, line, what, "%s", describe(err).s);
}

/* The spec interpreter's message is compared loosely: a mismatch is only
 * reported with --verbose and never fails the command. */
static void check_message(script *sc, unsigned line, const char *what, const json_t *c,
                          const rf_error *err)
{
    const char *text = json_string_value(json_object_get(c, "text"));
    if (!sc->opt->verbose || !text || strstr(err->message, text))
        return;
    printf("  %s:%u %s: note: expected message \"%s\", got \"%s\"\n", sc->label, line, what, text,
           err->message);
}

/* ---- modules and instances ---------------------------------------------------------- */

typedef enum load_status {
    LOAD_OK,                 /* *out is the module (owned by the script) */
    LOAD_TEXT,               /* a text module: skipped by this binary-only harness */
    LOAD_BROKEN,             /* harness-side problem; `why` says what */
    LOAD_REJECTED            /* the engine refused it; `err` says why */
} load_status;

/* Load the module named by command `c` ("filename", "module_type"). */
static load_status load_module(script *sc, const json_t *c, rf_module **out, rf_error *err,
                               char *why, size_t why_len)
{
    *out = NULL;
    memset(err, 0, sizeof *err);
    const json_t *jtype = json_object_get(c, "module_type");
    const char *mtype = json_string_value(jtype);
    if (jtype && !mtype) {
        snprintf(why, why_len, "\"module_type\" is not a string");
        return LOAD_BROKEN;
    }
    const char *file = json_string_value(json_object_get(c, "filename"));
    if (!file) {
        snprintf(why, why_len, "command has no \"filename\" string");
        return LOAD_BROKEN;
    }
    size_t flen = strlen(file);
    if (mtype && strcmp(mtype, "text") == 0)
        return LOAD_TEXT;
    if (flen >= 4 && strcmp(file + flen - 4, ".wat") == 0)
        return LOAD_TEXT;
    if (mtype && strcmp(mtype, "binary") != 0) {
        snprintf(why, why_len, "unknown module_type \"%.40s\"", mtype);
        return LOAD_BROKEN;
    }
    /* Module files live next to the JSON: refuse anything that could point
     * elsewhere. */
    if (flen == 0 || flen > MAX_FILENAME || strchr(file, '/') || strchr(file, '\\') ||
        strcmp(file, ".") == 0 || strcmp(file, "..") == 0) {
        snprintf(why, why_len, "refusing module file name \"%.80s\"", file);
        return LOAD_BROKEN;
    }
    size_t plen = strlen(sc->dir) + 1 + flen + 1;
    char *path = malloc(plen);
    if (!path) {
        snprintf(why, why_len, "out of memory");
        return LOAD_BROKEN;
    }
    snprintf(path, plen, "%s/%s", sc->dir, file);
    uint8_t *bytes;
    size_t len;
    bool ok = spec_read_file(path, SPEC_MAX_FILE_BYTES, &bytes, &len, why, why_len);
    free(path);
    if (!ok)
        return LOAD_BROKEN;

    rf_module **grown = grow_array(sc->modules, &sc->modules_cap, sc->nmodules, sizeof *grown);
    if (!grown) {
        free(bytes);
        snprintf(why, why_len, "out of memory");
        return LOAD_BROKEN;
    }
    sc->modules = grown;
    rf_load_options opts = {.validate_only = !sc->opt->exec};
    rf_module *m = rf_module_load(bytes, len, &opts, err);
    free(bytes);
    if (!m) {
        if (err->kind == RF_OK) {
            snprintf(why, why_len, "rf_module_load returned NULL without an error kind (%s)",
                     file);
            return LOAD_BROKEN;
        }
        return LOAD_REJECTED;
    }
    sc->modules[sc->nmodules++] = m;
    *out = m;
    return LOAD_OK;
}

/* Find what an import refers to: a registered instance's export (newest
 * registration first), else the spectest module. */
static bool resolve_import(script *sc, const rf_import_desc *d, rf_extern *out)
{
    for (size_t i = sc->nregs; i-- > 0;) {
        const registration *r = &sc->regs[i];
        if (r->as_len == d->module_len && memcmp(r->as, d->module, d->module_len) == 0)
            return rf_instance_export(r->inst, d->name, d->name_len, out);
    }
    if (d->module_len == 8 && memcmp(d->module, "spectest", 8) == 0)
        return spec_host_lookup(&sc->host, d->name, d->name_len, out);
    return false;
}

static void set_error(rf_error *err, rf_error_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_error(rf_error *err, rf_error_kind kind, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->offset = RF_NO_OFFSET;
    err->func_index = RF_NO_FUNC;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* Resolve the imports of `m` and instantiate it in the script's store. An
 * import that names nothing is a link error ("unknown import"), found here
 * as the embedder's part of linking. */
static rf_instance *instantiate(script *sc, const rf_module *m, rf_error *err)
{
    memset(err, 0, sizeof *err);
    if (!sc->store) {
        set_error(err, RF_ERR_HOST, "no store: %s", sc->store_problem);
        return NULL;
    }
    size_t n = rf_module_import_count(m);
    rf_extern *imports = NULL;
    if (n) {
        imports = calloc(n, sizeof *imports);
        if (!imports) {
            set_error(err, RF_ERR_NOMEM, "out of memory for %zu imports", n);
            return NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        rf_import_desc d;
        if (!rf_module_import(m, i, &d)) {
            set_error(err, RF_ERR_HOST, "rf_module_import(%zu) failed", i);
            free(imports);
            return NULL;
        }
        if (!resolve_import(sc, &d, &imports[i])) {
            char mod[128], name[128];
            escape_name(d.module, d.module_len, mod, sizeof mod);
            escape_name(d.name, d.name_len, name, sizeof name);
            set_error(err, RF_ERR_LINK, "unknown import \"%s\".\"%s\"", mod, name);
            free(imports);
            return NULL;
        }
    }
    rf_instance *inst = rf_instantiate(sc->store, m, imports, n, err);
    free(imports);
    if (!inst && err->kind == RF_OK)
        set_error(err, RF_ERR_HOST, "rf_instantiate returned NULL without an error kind");
    return inst;
}

static slot *add_slot(script *sc, const char *name, unsigned line)
{
    slot *grown = grow_array(sc->slots, &sc->slots_cap, sc->nslots, sizeof *grown);
    if (!grown)
        return NULL;
    sc->slots = grown;
    slot *s = &sc->slots[sc->nslots];
    memset(s, 0, sizeof *s);
    s->line = line;
    s->state = SLOT_FAILED;
    if (name && !(s->name = copy_bytes(name, strlen(name))))
        return NULL;
    sc->current = (long)sc->nslots++;
    return s;
}

/* The slot a command targets: the named module, or the most recent one. */
static slot *find_target(script *sc, const json_t *jname, char *why, size_t why_len)
{
    if (jname) {
        const char *name = json_string_value(jname);
        if (!name) {
            snprintf(why, why_len, "module name is not a string");
            return NULL;
        }
        for (size_t i = sc->nslots; i-- > 0;)
            if (sc->slots[i].name && strcmp(sc->slots[i].name, name) == 0)
                return &sc->slots[i];
        snprintf(why, why_len, "no module named %.80s", name);
        return NULL;
    }
    if (sc->current < 0) {
        snprintf(why, why_len, "no module defined yet");
        return NULL;
    }
    return &sc->slots[sc->current];
}

/* ---- commands that load modules ----------------------------------------------------- */

static void cmd_module(script *sc, const json_t *c, unsigned line)
{
    const json_t *jname = json_object_get(c, "name");
    if (jname && !json_is_string(jname)) {
        sc->current = -1;
        fail(sc, line, "module", "\"name\" is not a string");
        return;
    }
    slot *s = add_slot(sc, json_string_value(jname), line);
    if (!s) {
        sc->current = -1;
        fail(sc, line, "module", "out of memory");
        return;
    }
    rf_module *m;
    rf_error err;
    char why[MSG_LEN];
    switch (load_module(sc, c, &m, &err, why, sizeof why)) {
    case LOAD_TEXT:
        s->state = SLOT_SKIPPED;
        skip(sc);
        return;
    case LOAD_BROKEN:
        fail(sc, line, "module", "%s", why);
        return;
    case LOAD_REJECTED:
        if (err.kind == RF_ERR_UNSUPPORTED) {
            if (sc->opt->skip_unsupported)
                s->state = SLOT_SKIPPED;
            unsupported(sc, line, "module", &err);
            return;
        }
        fail(sc, line, "module", "load failed: %s", describe(&err).s);
        return;
    case LOAD_OK:
        break;
    }
    if (!sc->opt->exec) {
        pass(sc);
        return;
    }
    s->inst = instantiate(sc, m, &err);
    if (!s->inst) {
        if (err.kind == RF_ERR_UNSUPPORTED && sc->opt->skip_unsupported) {
            s->state = SLOT_SKIPPED;
            unsupported(sc, line, "module", &err);
            return;
        }
        fail(sc, line, "module", "instantiation failed: %s", describe(&err).s);
        return;
    }
    s->state = SLOT_READY;
    pass(sc);
}

/* assert_malformed / assert_invalid: loading must fail with `want`. */
static void cmd_expect_rejected(script *sc, const json_t *c, unsigned line, const char *what,
                                rf_error_kind want)
{
    rf_module *m;
    rf_error err;
    char why[MSG_LEN];
    const char *text = json_string_value(json_object_get(c, "text"));
    if (!text)
        text = "";
    switch (load_module(sc, c, &m, &err, why, sizeof why)) {
    case LOAD_TEXT:
        skip(sc);
        return;
    case LOAD_BROKEN:
        fail(sc, line, what, "%s", why);
        return;
    case LOAD_OK:
        fail(sc, line, what, "expected %s (\"%s\"), but the module loaded",
             rf_error_kind_name(want), text);
        return;
    case LOAD_REJECTED:
        break;
    }
    if (err.kind == want) {
        pass(sc);
        return;
    }
    if (err.kind == RF_ERR_UNSUPPORTED) {
        /* An engine without SIMD cannot tell a malformed SIMD module from a
         * well-formed one: refusing it is acceptable. */
        if (want == RF_ERR_MALFORMED) {
            sc->counts.passed++;
            sc->counts.unsupported++;
            return;
        }
        if (sc->opt->skip_unsupported) {
            unsupported(sc, line, what, &err);
            return;
        }
    }
    fail(sc, line, what, "expected %s (\"%s\"), got %s", rf_error_kind_name(want), text,
         describe(&err).s);
}

/* assert_unlinkable / assert_uninstantiable / module-form assert_trap: the
 * module must load, and instantiating it must fail with `want`. */
static void cmd_expect_instantiate_error(script *sc, const json_t *c, unsigned line,
                                         const char *what, rf_error_kind want)
{
    rf_module *m;
    rf_error err;
    char why[MSG_LEN];
    switch (load_module(sc, c, &m, &err, why, sizeof why)) {
    case LOAD_TEXT:
        skip(sc);
        return;
    case LOAD_BROKEN:
        fail(sc, line, what, "%s", why);
        return;
    case LOAD_REJECTED:
        if (err.kind == RF_ERR_UNSUPPORTED) {
            unsupported(sc, line, what, &err);
            return;
        }
        fail(sc, line, what, "load failed: %s", describe(&err).s);
        return;
    case LOAD_OK:
        break;
    }
    const char *text = json_string_value(json_object_get(c, "text"));
    if (!text)
        text = "";
    rf_instance *inst = instantiate(sc, m, &err);
    if (inst) {
        fail(sc, line, what, "expected %s (\"%s\"), but the module instantiated",
             rf_error_kind_name(want), text);
        return;
    }
    if (err.kind != want) {
        fail(sc, line, what, "expected %s (\"%s\"), got %s", rf_error_kind_name(want), text,
             describe(&err).s);
        return;
    }
    check_message(sc, line, what, c, &err);
    pass(sc);
}

static void cmd_register(script *sc, const json_t *c, unsigned line)
{
    const json_t *jas = json_object_get(c, "as");
    if (!json_is_string(jas)) {
        fail(sc, line, "register", "no \"as\" string");
        return;
    }
    char why[MSG_LEN];
    slot *s = find_target(sc, json_object_get(c, "name"), why, sizeof why);
    if (!s) {
        fail(sc, line, "register", "%s", why);
        return;
    }
    if (s->state == SLOT_SKIPPED) {
        skip(sc);
        return;
    }
    if (s->state != SLOT_READY) {
        fail(sc, line, "register", "the module of line %u did not instantiate", s->line);
        return;
    }
    registration *grown = grow_array(sc->regs, &sc->regs_cap, sc->nregs, sizeof *grown);
    if (!grown) {
        fail(sc, line, "register", "out of memory");
        return;
    }
    sc->regs = grown;
    registration *r = &sc->regs[sc->nregs];
    r->as_len = json_string_length(jas);
    r->as = copy_bytes(json_string_value(jas), r->as_len);
    if (!r->as) {
        fail(sc, line, "register", "out of memory");
        return;
    }
    r->inst = s->inst;
    sc->nregs++;
    pass(sc);
}

/* ---- actions ---------------------------------------------------------------------------- */

typedef enum act_status {
    ACT_DONE,                /* the engine ran it; res->err.kind is its verdict */
    ACT_SKIP,                /* cannot be run here (v128, skipped module); `why` says why */
    ACT_BROKEN               /* harness-side problem; `why` says what */
} act_status;

typedef struct action_result {
    rf_error err;
    rf_value *results;
    size_t nresults;
} action_result;

static bool signature_has_v128(const rf_signature *sig)
{
    for (uint32_t i = 0; i < sig->nparams; i++)
        if (sig->params[i] == RF_V128)
            return true;
    for (uint32_t i = 0; i < sig->nresults; i++)
        if (sig->results[i] == RF_V128)
            return true;
    return false;
}

/* Run an action ({"type": "invoke"|"get", "module"?, "field", "args"?}). */
static act_status run_action(script *sc, const json_t *action, action_result *res, char *why,
                             size_t why_len)
{
    memset(res, 0, sizeof *res);
    if (!json_is_object(action)) {
        snprintf(why, why_len, "\"action\" is not an object");
        return ACT_BROKEN;
    }
    const char *type = json_string_value(json_object_get(action, "type"));
    const json_t *jfield = json_object_get(action, "field");
    if (!type || !json_is_string(jfield)) {
        snprintf(why, why_len, "action without \"type\" or \"field\" string");
        return ACT_BROKEN;
    }
    bool invoke = strcmp(type, "invoke") == 0;
    if (!invoke && strcmp(type, "get") != 0) {
        snprintf(why, why_len, "unknown action type \"%.40s\"", type);
        return ACT_BROKEN;
    }
    slot *s = find_target(sc, json_object_get(action, "module"), why, why_len);
    if (!s)
        return ACT_BROKEN;
    if (s->state == SLOT_SKIPPED) {
        snprintf(why, why_len, "the module of line %u was skipped", s->line);
        return ACT_SKIP;
    }
    if (s->state != SLOT_READY) {
        snprintf(why, why_len, "the module of line %u did not instantiate", s->line);
        return ACT_BROKEN;
    }

    const char *field = json_string_value(jfield);
    size_t field_len = json_string_length(jfield);
    char shown[160];
    escape_name(field, field_len, shown, sizeof shown);
    rf_extern ext;
    if (!rf_instance_export(s->inst, field, field_len, &ext)) {
        snprintf(why, why_len, "no export \"%s\"", shown);
        return ACT_BROKEN;
    }

    if (!invoke) {
        if (ext.kind != RF_EXTERN_GLOBAL || !ext.of.global) {
            snprintf(why, why_len, "export \"%s\" is not a global", shown);
            return ACT_BROKEN;
        }
        rf_value v = rf_global_get(ext.of.global);
        if (v.type == RF_V128) {
            snprintf(why, why_len, "v128 global");
            return ACT_SKIP;
        }
        res->results = malloc(sizeof *res->results);
        if (!res->results) {
            snprintf(why, why_len, "out of memory");
            return ACT_BROKEN;
        }
        res->results[0] = v;
        res->nresults = 1;
        return ACT_DONE;
    }

    if (ext.kind != RF_EXTERN_FUNC || !ext.of.func) {
        snprintf(why, why_len, "export \"%s\" is not a function", shown);
        return ACT_BROKEN;
    }
    rf_signature sig = rf_func_signature(ext.of.func);
    if (sig.nparams > MAX_SIGNATURE_VALUES || sig.nresults > MAX_SIGNATURE_VALUES ||
        (sig.nparams && !sig.params) || (sig.nresults && !sig.results)) {
        snprintf(why, why_len, "export \"%s\" has an implausible signature (%u params, %u results)",
                 shown, sig.nparams, sig.nresults);
        return ACT_BROKEN;
    }
    const json_t *jargs = json_object_get(action, "args");
    if (jargs && !json_is_array(jargs)) {
        snprintf(why, why_len, "\"args\" is not an array");
        return ACT_BROKEN;
    }
    size_t nargs = jargs ? json_array_size(jargs) : 0;
    for (size_t i = 0; i < nargs; i++) {
        const char *t = json_string_value(json_object_get(json_array_get(jargs, i), "type"));
        if (t && strcmp(t, "v128") == 0) {
            snprintf(why, why_len, "v128 argument");
            return ACT_SKIP;
        }
    }
    if (signature_has_v128(&sig)) {
        snprintf(why, why_len, "v128 in the signature of \"%s\"", shown);
        return ACT_SKIP;
    }
    if (nargs != sig.nparams) {
        snprintf(why, why_len, "\"%s\" takes %u arguments, the script passes %zu", shown,
                 sig.nparams, nargs);
        return ACT_BROKEN;
    }
    rf_value *args = calloc(nargs ? nargs : 1, sizeof *args);
    res->results = calloc(sig.nresults ? sig.nresults : 1, sizeof *res->results);
    if (!args || !res->results) {
        free(args);
        snprintf(why, why_len, "out of memory");
        return ACT_BROKEN;
    }
    for (size_t i = 0; i < nargs; i++) {
        char vwhy[200];
        spec_val_status st = spec_parse_arg(json_array_get(jargs, i), &sc->refs, &args[i], vwhy,
                                            sizeof vwhy);
        if (st != SPEC_VAL_OK) {
            free(args);
            snprintf(why, why_len, "argument %zu: %s", i, st == SPEC_VAL_V128 ? "v128" : vwhy);
            return st == SPEC_VAL_V128 ? ACT_SKIP : ACT_BROKEN;
        }
        if (args[i].type != sig.params[i]) {
            snprintf(why, why_len, "argument %zu is %s, \"%s\" expects %s", i,
                     rf_valtype_name(args[i].type), shown, rf_valtype_name(sig.params[i]));
            free(args);
            return ACT_BROKEN;
        }
    }
    rf_error_kind k = rf_call(ext.of.func, args, nargs, res->results, sig.nresults, &res->err);
    free(args);
    if (res->err.kind != k) {
        /* The return value is the verdict; keep the message if it has one. */
        res->err.kind = k;
        if (k != RF_OK && res->err.message[0] == '\0')
            snprintf(res->err.message, sizeof res->err.message, "(no message)");
    }
    if (k == RF_OK)
        res->nresults = sig.nresults;
    return ACT_DONE;
}

/* "(i32:1, f32:2 (0x40000000))" or a single value without parentheses. */
static void format_results(const script *sc, const rf_value *v, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    if (n != 1)
        o += (size_t)snprintf(buf, len, "(");
    for (size_t i = 0; i < n && o < len; i++) {
        char one[128];
        spec_format_value(&v[i], &sc->refs, one, sizeof one);
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", one);
    }
    if (n != 1 && o < len)
        snprintf(buf + o, len - o, ")");
}

static void format_expected_list(const spec_expected *e, size_t n, const char *sep, char *buf,
                                 size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    bool parens = n != 1 && strcmp(sep, ", ") == 0;
    if (parens)
        o += (size_t)snprintf(buf, len, "(");
    for (size_t i = 0; i < n && o < len; i++) {
        char one[128];
        spec_format_expected(&e[i], one, sizeof one);
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? sep : "", one);
    }
    if (parens && o < len)
        snprintf(buf + o, len - o, ")");
}

/* Count the action's verdict when it did not run to an engine result. */
static bool action_not_done(script *sc, unsigned line, const char *what, act_status st,
                            const char *why)
{
    if (st == ACT_SKIP) {
        skip(sc);
        return true;
    }
    if (st == ACT_BROKEN) {
        fail(sc, line, what, "%s", why);
        return true;
    }
    return false;
}

static void cmd_action(script *sc, const json_t *c, unsigned line)
{
    action_result res;
    char why[MSG_LEN];
    act_status st = run_action(sc, json_object_get(c, "action"), &res, why, sizeof why);
    if (!action_not_done(sc, line, "action", st, why)) {
        if (res.err.kind == RF_OK)
            pass(sc);
        else
            fail(sc, line, "action", "%s", describe(&res.err).s);
    }
    free(res.results);
}

static void cmd_assert_return(script *sc, const json_t *c, unsigned line)
{
    const char *what = "assert_return";
    const json_t *jexp = json_object_get(c, "expected");
    const json_t *jeither = json_object_get(c, "either");
    bool either = jexp == NULL && jeither != NULL;
    const json_t *list = either ? jeither : jexp;
    if (!json_is_array(list)) {
        fail(sc, line, what, "no \"expected\" or \"either\" array");
        return;
    }
    size_t nexp = json_array_size(list);
    if (nexp > MAX_SIGNATURE_VALUES) {
        fail(sc, line, what, "%zu expected values", nexp);
        return;
    }
    spec_expected *exp = calloc(nexp ? nexp : 1, sizeof *exp);
    if (!exp) {
        fail(sc, line, what, "out of memory");
        return;
    }
    for (size_t i = 0; i < nexp; i++) {
        char vwhy[200];
        spec_val_status st = spec_parse_expected(json_array_get(list, i), &sc->refs, &exp[i], vwhy,
                                                 sizeof vwhy);
        if (st == SPEC_VAL_V128) {
            skip(sc);
            free(exp);
            return;
        }
        if (st != SPEC_VAL_OK) {
            fail(sc, line, what, "expected value %zu: %s", i, vwhy);
            free(exp);
            return;
        }
    }

    action_result res;
    char why[MSG_LEN];
    act_status st = run_action(sc, json_object_get(c, "action"), &res, why, sizeof why);
    if (action_not_done(sc, line, what, st, why))
        goto out;

    char want[MSG_LEN], got[MSG_LEN];
    format_expected_list(exp, nexp, either ? " or " : ", ", want, sizeof want);
    if (res.err.kind != RF_OK) {
        fail(sc, line, what, "expected %s, got %s", want, describe(&res.err).s);
        goto out;
    }
    bool ok;
    if (either) {
        ok = false;
        for (size_t i = 0; i < nexp && res.nresults == 1 && !ok; i++)
            ok = spec_value_matches(&exp[i], &res.results[0]);
    } else {
        ok = res.nresults == nexp;
        for (size_t i = 0; i < nexp && ok; i++)
            ok = spec_value_matches(&exp[i], &res.results[i]);
    }
    if (ok) {
        pass(sc);
    } else {
        format_results(sc, res.results, res.nresults, got, sizeof got);
        fail(sc, line, what, "expected %s, got %s", want, got);
    }
out:
    free(res.results);
    free(exp);
}

/* Action-form assert_trap and assert_exhaustion: the call must fail with `want`. */
static void cmd_expect_action_error(script *sc, const json_t *c, unsigned line, const char *what,
                                    rf_error_kind want)
{
    /* "expected" holds only result types; a v128 one means we cannot call it. */
    const json_t *jexp = json_object_get(c, "expected");
    for (size_t i = 0; json_is_array(jexp) && i < json_array_size(jexp); i++) {
        const char *t = json_string_value(json_object_get(json_array_get(jexp, i), "type"));
        if (t && strcmp(t, "v128") == 0) {
            skip(sc);
            return;
        }
    }
    const char *text = json_string_value(json_object_get(c, "text"));
    if (!text)
        text = "";
    action_result res;
    char why[MSG_LEN];
    act_status st = run_action(sc, json_object_get(c, "action"), &res, why, sizeof why);
    if (!action_not_done(sc, line, what, st, why)) {
        if (res.err.kind == want) {
            check_message(sc, line, what, c, &res.err);
            pass(sc);
        } else if (res.err.kind == RF_OK) {
            char got[MSG_LEN];
            format_results(sc, res.results, res.nresults, got, sizeof got);
            fail(sc, line, what, "expected %s (\"%s\"), got result %s", rf_error_kind_name(want),
                 text, got);
        } else {
            fail(sc, line, what, "expected %s (\"%s\"), got %s", rf_error_kind_name(want), text,
                 describe(&res.err).s);
        }
    }
    free(res.results);
}

/* ---- the command loop -------------------------------------------------------------------- */

static const char *const exec_only_commands[] = {
    "register",       "action",           "assert_return",         "assert_trap",
    "assert_exhaustion", "assert_unlinkable", "assert_uninstantiable",
};

static void run_command(script *sc, const json_t *c)
{
    unsigned line = 0;
    json_int_t jl = json_integer_value(json_object_get(c, "line"));
    if (jl > 0 && jl <= (json_int_t)UINT32_MAX)
        line = (unsigned)jl;
    const char *type = json_string_value(json_object_get(c, "type"));
    if (!json_is_object(c) || !type) {
        fail(sc, line, "command", "not an object with a \"type\" string");
        return;
    }
    if (strcmp(type, "module") == 0) {
        cmd_module(sc, c, line);
        return;
    }
    if (strcmp(type, "assert_malformed") == 0) {
        cmd_expect_rejected(sc, c, line, type, RF_ERR_MALFORMED);
        return;
    }
    if (strcmp(type, "assert_invalid") == 0) {
        cmd_expect_rejected(sc, c, line, type, RF_ERR_INVALID);
        return;
    }
    bool known = false;
    for (size_t i = 0; i < sizeof exec_only_commands / sizeof exec_only_commands[0]; i++)
        known = known || strcmp(type, exec_only_commands[i]) == 0;
    if (!known) {
        fail(sc, line, "command", "unknown command type \"%.40s\"", type);
        return;
    }
    if (!sc->opt->exec) {
        sc->counts.not_run++;
        return;
    }
    if (strcmp(type, "register") == 0)
        cmd_register(sc, c, line);
    else if (strcmp(type, "action") == 0)
        cmd_action(sc, c, line);
    else if (strcmp(type, "assert_return") == 0)
        cmd_assert_return(sc, c, line);
    else if (strcmp(type, "assert_exhaustion") == 0)
        cmd_expect_action_error(sc, c, line, type, RF_ERR_EXHAUSTED);
    else if (strcmp(type, "assert_unlinkable") == 0)
        cmd_expect_instantiate_error(sc, c, line, type, RF_ERR_LINK);
    else if (strcmp(type, "assert_uninstantiable") == 0)
        cmd_expect_instantiate_error(sc, c, line, type, RF_ERR_TRAP);
    else if (json_object_get(c, "action"))  /* assert_trap on a call */
        cmd_expect_action_error(sc, c, line, type, RF_ERR_TRAP);
    else                                    /* assert_trap on instantiation */
        cmd_expect_instantiate_error(sc, c, line, type, RF_ERR_TRAP);
}

/* Split "dir/name.json" into the directory, the label "name.json" and the
 * name "name". */
static bool script_names(script *sc, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    snprintf(sc->label, sizeof sc->label, "%s", base);
    snprintf(sc->name, sizeof sc->name, "%s", base);
    size_t nlen = strlen(sc->name);
    if (nlen > 5 && strcmp(sc->name + nlen - 5, ".json") == 0)
        sc->name[nlen - 5] = '\0';
    sc->dir = slash ? copy_bytes(path, (size_t)(slash - path)) : copy_bytes(".", 1);
    if (sc->dir && sc->dir[0] == '\0') {   /* "/x.json" */
        free(sc->dir);
        sc->dir = copy_bytes("/", 1);
    }
    return sc->dir != NULL;
}

/* Make the store and its spectest module; on failure record why, so every
 * instantiation of the script fails with that reason. */
static void script_open_store(script *sc)
{
    rf_error err;
    memset(&err, 0, sizeof err);
    /* The suite grows memories past the 16 MiB default (memory_grow.wast asks
     * for 804 pages, about 53 MiB), so allow the most the engine accepts. */
    rf_store_config cfg = {.memory_limit = RF_DEFAULT_MEMORY_CEILING};
    sc->store = rf_store_new(&cfg, &err);
    if (!sc->store) {
        snprintf(sc->store_problem, sizeof sc->store_problem, "rf_store_new: %s",
                 describe(&err).s);
        return;
    }
    if (sc->opt->timeout_ms)
        rf_store_set_timeout_ms(sc->store, sc->opt->timeout_ms);
    if (!spec_host_create(&sc->host, sc->store, sc->opt->verbose, &err)) {
        snprintf(sc->store_problem, sizeof sc->store_problem, "spectest: %s", err.message);
        rf_store_free(sc->store);
        sc->store = NULL;
    }
}

static void script_close(script *sc)
{
    if (sc->store)
        rf_store_free(sc->store);
    for (size_t i = 0; i < sc->nmodules; i++)
        rf_module_free(sc->modules[i]);
    free(sc->modules);
    for (size_t i = 0; i < sc->nslots; i++)
        free(sc->slots[i].name);
    free(sc->slots);
    for (size_t i = 0; i < sc->nregs; i++)
        free(sc->regs[i].as);
    free(sc->regs);
    spec_refs_free(&sc->refs);
    free(sc->dir);
}

void spec_run_script(const char *json_path, const spec_options *opt, spec_counts *counts)
{
    script sc;
    memset(&sc, 0, sizeof sc);
    sc.opt = opt;
    sc.current = -1;
    spec_refs_init(&sc.refs);

    char why[MSG_LEN];
    uint8_t *text = NULL;
    size_t len = 0;
    json_t *root = NULL;
    if (!script_names(&sc, json_path)) {
        fail(&sc, 0, "script", "out of memory");
        goto done;
    }
    if (!spec_read_file(json_path, SPEC_MAX_FILE_BYTES, &text, &len, why, sizeof why)) {
        fail(&sc, 0, "script", "%s", why);
        goto done;
    }
    json_error_t jerr;
    root = json_loadb((const char *)text, len, JSON_ALLOW_NUL, &jerr);
    free(text);
    if (!root) {
        fail(&sc, (unsigned)(jerr.line > 0 ? jerr.line : 0), "script", "bad JSON: %s", jerr.text);
        goto done;
    }
    const json_t *cmds = json_object_get(root, "commands");
    if (!json_is_array(cmds)) {
        fail(&sc, 0, "script", "no \"commands\" array");
        goto done;
    }
    if (opt->exec)
        script_open_store(&sc);
    for (size_t i = 0; i < json_array_size(cmds); i++)
        run_command(&sc, json_array_get(cmds, i));

done:
    json_decref(root);
    script_close(&sc);
    if (sc.counts.failed > sc.printed)
        printf("  ... %lu more failures in %s (use --verbose)\n", sc.counts.failed - sc.printed,
               sc.label);
    printf("%s: %lu passed, %lu failed, %lu skipped, %lu not yet run", sc.name, sc.counts.passed,
           sc.counts.failed, sc.counts.skipped, sc.counts.not_run);
    if (sc.counts.unsupported)
        printf(" (%lu unsupported)", sc.counts.unsupported);
    printf("\n");
    fflush(stdout);
    counts->passed += sc.counts.passed;
    counts->failed += sc.counts.failed;
    counts->skipped += sc.counts.skipped;
    counts->not_run += sc.counts.not_run;
    counts->unsupported += sc.counts.unsupported;
}
