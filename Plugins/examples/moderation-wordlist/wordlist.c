/*
 * moderation-wordlist — a kinora.moderation/1 plugin that flags text containing configured
 * words or matching configured POSIX regular expressions.
 *
 * Text and words are "folded" before they are compared (ASCII lowercased, accented Latin
 * letters reduced to base letters, invisible characters dropped, punctuation and symbols
 * turned into spaces), so "MERDÉ", "merde" and "m<soft hyphen>erde" look alike. Words match
 * whole tokens only; patterns run over the folded text.
 *
 * An instance is read-only after create(), so classify() needs no lock and may run on many
 * worker threads at once (glibc's regexec is MT-safe on a shared regex_t).
 */
#define _POSIX_C_SOURCE 200809L

#include <kinora/plugin.h>

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WL_ID "org.kinora.moderation-wordlist"
#define WL_VERSION "1.0.0"
#define WL_DEFAULT_LABEL "blocklist"
#define WL_DEFAULT_MAX_BYTES 1048576.0
#define WL_MAX_MAX_BYTES 67108864.0
#define WL_JSON_MAX_DEPTH 32
#define WL_SCORE "1.0" /* a listed term was found: a fact, not an estimate (README, Scoring) */
#define WL_POLL_BYTES ((size_t)1 << 20)

static const kn_host_t *g_module_host;

/* ======================================================================================
 * Messages, logs and a growable buffer
 * ==================================================================================== */

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* kn_error_t promises UTF-8: if vsnprintf cut a multi-byte character, drop its head. */
static void trim_partial_utf8(char *m) {
    size_t n = strlen(m), i = n;
    while (i > 0 && ((unsigned char)m[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)m[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) m[i - 1] = '\0';
}

/* Makes a config value or media type safe to quote in a message or log: bounded, cut on a
 * character boundary, control characters and invalid bytes shown as '?'. */
static const char *clip(const char *s, size_t n, char *out, size_t outsz) {
    size_t i = 0, o = 0;
    if (!s) return snprintf(out, outsz, "(null)"), out;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp), clen = k;
        const char *chunk = s + i;
        if (k == 0 || cp < 0x20 || cp == 0x7F) chunk = "?", clen = 1, k = k ? k : 1;
        if (o + clen + 4 > outsz) {
            memcpy(out + o, "...", 3), o += 3;
            break;
        }
        memcpy(out + o, chunk, clen), o += clen, i += k;
    }
    out[o] = '\0';
    return out;
}
#define CLIP(s, buf) clip((s), (s) ? strlen(s) : 0, (buf), sizeof(buf))

__attribute__((format(printf, 3, 4)))
static kn_status_t fail(kn_error_t *err, kn_status_t code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        memset(err, 0, sizeof *err);
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        trim_partial_utf8(err->message);
    }
    return code;
}

__attribute__((format(printf, 3, 4)))
static void wl_log(const kn_host_t *host, int32_t level, const char *fmt, ...) {
    char line[512];
    va_list ap;
    if (!host || !host->log) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    trim_partial_utf8(line);
    host->log(host, level, line);
}

typedef struct {
    char *p; /* always NUL-terminated once anything was put */
    size_t len, cap;
    bool oom;
} strbuf;

static void sb_put(strbuf *b, const void *data, size_t n) {
    if (b->oom) return;
    if (n > SIZE_MAX / 4 - b->len) {
        b->oom = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p, b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* Everything we print is valid UTF-8 already, so only quotes, backslashes and control
 * characters need escaping. */
static void sb_json_string(strbuf *b, const char *s) {
    sb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[7];
        if (c == '"' || c == '\\') sb_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\%c", c));
        else if (c < 0x20) sb_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
        else sb_put(b, s, 1);
    }
    sb_put(b, "\"", 1);
}

/* ======================================================================================
 * UTF-8, folding and tokens
 * ==================================================================================== */

/* Length (1-4) of the well-formed UTF-8 sequence at s, or 0: rejects overlong forms,
 * surrogates, code points past U+10FFFF and truncated sequences. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) return *cp = c, 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, v = c & 0x07, min = 0x10000;
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    return *cp = v, len;
}

static size_t utf8_encode(uint32_t cp, unsigned char *out) {
    size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = len - 1; i > 0; i--, cp >>= 6) out[i] = (unsigned char)(0x80 | (cp & 0x3F));
    out[0] = (unsigned char)(lead[len] | cp);
    return len;
}

/* Base letters for U+00C0..U+017F, one per code point. '*' marks the few that fold to two
 * letters (see fold_cp); ' ' marks × and ÷, which separate words. */
static const char latin_fold[] =
    "aaaaaa*ceeeeiiiidnooooo ouuuuy**" /* U+00C0..U+00DF */
    "aaaaaa*ceeeeiiiidnooooo ouuuuy*y" /* U+00E0..U+00FF */
    "aaaaaaccccccccddddeeeeeeeeee"     /* U+0100..U+011B */
    "gggggggghhhhiiiiiiiiii**jjkkk"    /* U+011C..U+0138 */
    "llllllllllnnnnnnnnnoooooo**"      /* U+0139..U+0153 (U+0149 ŉ -> n) */
    "rrrrrrsssssssstttttt"             /* U+0154..U+0167 */
    "uuuuuuuuuuuuwwyyyzzzzzzs";        /* U+0168..U+017F */
_Static_assert(sizeof latin_fold == 0x180 - 0xC0 + 1, "one entry per code point");

enum { FOLD_KEEP, FOLD_DROP, FOLD_SPACE };

/* Invisible characters are dropped so that "f<zero width space>uck" cannot dodge the list;
 * punctuation, symbols and emoji become spaces so that they separate words. */
static int fold_class(uint32_t cp) {
    static const struct { uint32_t lo, hi; int what; } ranges[] = {
        {0x0080, 0x00AC, FOLD_SPACE},   {0x00AD, 0x00AD, FOLD_DROP},
        {0x00AE, 0x00BF, FOLD_SPACE},   {0x0300, 0x036F, FOLD_DROP},
        {0x2000, 0x200A, FOLD_SPACE},   {0x200B, 0x200F, FOLD_DROP},
        {0x2010, 0x2029, FOLD_SPACE},   {0x202A, 0x202E, FOLD_DROP},
        {0x202F, 0x205F, FOLD_SPACE},   {0x2060, 0x206F, FOLD_DROP},
        {0x2070, 0x2BFF, FOLD_SPACE},   {0x3000, 0x303F, FOLD_SPACE},
        {0xFE00, 0xFE0F, FOLD_DROP},    {0xFEFF, 0xFEFF, FOLD_DROP},
        {0xFF5F, 0xFF65, FOLD_SPACE},   {0x1F000, 0x1FAFF, FOLD_SPACE},
        {0xE0000, 0xE007F, FOLD_DROP},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i].lo && cp <= ranges[i].hi) return ranges[i].what;
    return FOLD_KEEP;
}

/* Folds one code point into out and returns the byte count: never more than the code
 * point's own UTF-8 length, which is what lets fold_utf8 work in place. */
static size_t fold_cp(uint32_t cp, bool lower_ascii, unsigned char *out) {
    if (cp < 0x80) {
        if (cp == 0) cp = ' '; /* a NUL would hide the rest of the text from regexec */
        else if (lower_ascii && cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        return out[0] = (unsigned char)cp, 1;
    }
    int what = fold_class(cp);
    if (what == FOLD_DROP) return 0;
    if (what == FOLD_SPACE) return out[0] = ' ', 1;
    if (cp >= 0xC0 && cp < 0x180) {
        const char *two = cp == 0xC6 || cp == 0xE6 ? "ae" : cp == 0xDF ? "ss"
                        : cp == 0xDE || cp == 0xFE ? "th" : cp == 0x132 || cp == 0x133 ? "ij"
                        : cp == 0x152 || cp == 0x153 ? "oe" : NULL;
        if (two) return memcpy(out, two, 2), 2;
        return out[0] = (unsigned char)latin_fold[cp - 0xC0], 1;
    }
    /* Fullwidth forms are a classic way around ASCII lists. Their punctuation becomes a
     * space, not ASCII punctuation, so folding a pattern never creates an operator. */
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        unsigned char a = (unsigned char)(cp - 0xFF01 + 0x21);
        if (a >= 'A' && a <= 'Z') a = lower_ascii ? (unsigned char)(a + 'a' - 'A') : a;
        else if (!((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9'))) a = ' ';
        return out[0] = a, 1;
    }
    /* The regular upper/lower pairs of Greek and Cyrillic are one addition away. */
    if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)) cp += 0x20;
    else if (cp >= 0x400 && cp <= 0x40F) cp += 0x50;
    return utf8_encode(cp, out);
}

/* Folds n bytes of UTF-8 from in to out; out == in is allowed. On invalid UTF-8 returns
 * false and the offset of the bad sequence. */
static bool fold_utf8(const unsigned char *in, size_t n, unsigned char *out, size_t *out_len,
                      size_t *bad_at, bool lower_ascii) {
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned char tmp[4];
        uint32_t cp;
        size_t k = utf8_decode(in + i, n - i, &cp);
        if (k == 0) return *bad_at = i, false;
        size_t m = fold_cp(cp, lower_ascii, tmp);
        memcpy(out + o, tmp, m);
        o += m, i += k;
    }
    return *out_len = o, true;
}

/* Tokens are runs of ASCII letters and digits and of the non-ASCII characters left after
 * folding (letters of other scripts); everything else separates words. */
static bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static bool next_token(const unsigned char *s, size_t n, size_t *pos, size_t *start, size_t *len) {
    size_t i = *pos, j;
    while (i < n && !is_word_byte(s[i])) i++;
    if (i >= n) return *pos = n, false;
    for (j = i; j < n && is_word_byte(s[j]); j++) {}
    *start = i, *len = j - i, *pos = j;
    return true;
}

static uint32_t fnv1a(const unsigned char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
    return h;
}

/* ======================================================================================
 * A small JSON parser for the config: a tree, bounded depth, strict UTF-8
 * ==================================================================================== */

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jval {
    jtype type;
    double num;
    char *str; /* J_STR: NUL-terminated, `len` bytes; may itself hold a NUL (\u0000) */
    size_t len;
    struct jval *items; /* J_ARR and J_OBJ: `count` values */
    char **keys;        /* J_OBJ: their keys */
    size_t *keylens, count, cap;
} jval;

typedef struct {
    const unsigned char *s;
    size_t n, pos;
    const char *what; /* the first error, NULL while fine */
    bool oom;
} jparser;

static bool jfail(jparser *p, const char *what) {
    if (!p->what) p->what = what;
    return false;
}

static void jfree(jval *v) {
    for (size_t i = 0; i < v->count; i++) {
        jfree(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->str), free(v->items), free(v->keys), free(v->keylens);
    memset(v, 0, sizeof *v);
}

static unsigned char jpeek(jparser *p) {
    while (p->pos < p->n && p->s[p->pos] && strchr(" \t\n\r", p->s[p->pos])) p->pos++;
    return p->pos < p->n ? p->s[p->pos] : 0;
}

static bool jhex4(jparser *p, uint32_t *out) {
    *out = 0;
    if (p->n - p->pos < 4) return jfail(p, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        unsigned char c = p->s[p->pos++];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return jfail(p, "bad hex digit in \\u escape");
        *out = *out << 4 | (uint32_t)d;
    }
    return true;
}

static bool jparse_string(jparser *p, char **out, size_t *out_len) {
    static const char escapes[] = "\"\\/bfnrt", actual[] = "\"\\/\b\f\n\r\t";
    strbuf b = {0};
    const char *why = NULL;
    sb_put(&b, "", 0);
    for (p->pos++; !why;) {
        unsigned char c = p->pos < p->n ? p->s[p->pos] : 0;
        uint32_t cp, lo;
        size_t k;
        if (p->pos >= p->n) why = "unterminated string";
        else if (c == '"') break;
        else if (c < 0x20) why = "control character in string";
        else if (c >= 0x80) {
            if (!(k = utf8_decode(p->s + p->pos, p->n - p->pos, &cp)))
                why = "invalid UTF-8 in string";
            else
                sb_put(&b, p->s + p->pos, k), p->pos += k;
        } else if (c != '\\') sb_put(&b, &c, 1), p->pos++;
        else if (p->pos + 1 >= p->n) why = "unterminated string";
        else if ((c = p->s[p->pos + 1]) != 'u') {
            const char *e = c ? strchr(escapes, c) : NULL;
            if (!e) why = "invalid escape in string";
            else sb_put(&b, &actual[e - escapes], 1), p->pos += 2;
        } else {
            p->pos += 2;
            if (!jhex4(p, &cp)) why = "invalid \\u escape";
            else if (cp >= 0xD800 && cp <= 0xDBFF) { /* must be followed by its low half */
                if (p->n - p->pos < 2 || memcmp(p->s + p->pos, "\\u", 2) != 0)
                    why = "unpaired surrogate";
                else if ((p->pos += 2, !jhex4(p, &lo)) || lo < 0xDC00 || lo > 0xDFFF)
                    why = "unpaired surrogate";
                else
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) why = "unpaired surrogate";
            if (!why) {
                unsigned char enc[4];
                sb_put(&b, enc, utf8_encode(cp, enc));
            }
        }
    }
    if (!why && b.oom) why = "out of memory", p->oom = true;
    if (why) return free(b.p), jfail(p, why);
    p->pos++; /* closing quote */
    *out = b.p, *out_len = b.len;
    return true;
}

/* By hand rather than strtod, so that the daemon's LC_NUMERIC cannot matter; settings need
 * no more precision than this. */
static bool jparse_number(jparser *p, double *out) {
    const unsigned char *s = p->s;
    double v = 0, scale = 1;
    long exp = 0;
    bool neg = s[p->pos] == '-', eneg = false;
#define JDIGIT() (p->pos < p->n && s[p->pos] >= '0' && s[p->pos] <= '9')
    p->pos += neg;
    if (!JDIGIT()) return jfail(p, "invalid number");
    if (s[p->pos] == '0') p->pos++;
    else while (JDIGIT()) v = v * 10 + (s[p->pos++] - '0');
    if (p->pos < p->n && s[p->pos] == '.') {
        p->pos++;
        if (!JDIGIT()) return jfail(p, "invalid number");
        while (JDIGIT()) scale /= 10, v += (s[p->pos++] - '0') * scale;
    }
    if (p->pos < p->n && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->n && (s[p->pos] == '+' || s[p->pos] == '-')) eneg = s[p->pos++] == '-';
        if (!JDIGIT()) return jfail(p, "invalid number");
        for (; JDIGIT(); p->pos++)
            if (exp < 400) exp = exp * 10 + (s[p->pos] - '0'); /* past 400: 0 or inf anyway */
        for (long i = 0; i < exp && i < 400; i++) v = eneg ? v / 10 : v * 10;
    }
#undef JDIGIT
    *out = neg ? -v : v;
    return true;
}

static bool jparse_value(jparser *p, jval *out, int depth);

/* Makes room for one more entry; new slots are zeroed, so jfree can clean a half entry. */
static bool jgrow(jparser *p, jval *v) {
    if (v->count < v->cap) return true;
    size_t cap = v->cap ? v->cap * 2 : 4;
    jval *items = cap < SIZE_MAX / sizeof *items ? realloc(v->items, cap * sizeof *items) : NULL;
    if (items) v->items = items;
    if (items && v->type == J_OBJ) {
        char **keys = realloc(v->keys, cap * sizeof *keys);
        if (keys) v->keys = keys;
        size_t *lens = keys ? realloc(v->keylens, cap * sizeof *lens) : NULL;
        if (lens) v->keylens = lens;
        if (!lens) items = NULL;
        else memset(keys + v->count, 0, (cap - v->count) * sizeof *keys);
    }
    if (!items) return p->oom = true, jfail(p, "out of memory");
    memset(items + v->count, 0, (cap - v->count) * sizeof *items);
    v->cap = cap;
    return true;
}

static bool jparse_container(jparser *p, jval *out, int depth) {
    bool obj = p->s[p->pos++] == '{';
    unsigned char close = obj ? '}' : ']';
    out->type = obj ? J_OBJ : J_ARR;
    if (depth >= WL_JSON_MAX_DEPTH) return jfail(p, "nesting too deep");
    if (jpeek(p) == close) return p->pos++, true;
    for (;;) {
        if (!jgrow(p, out)) return false;
        size_t i = out->count++;
        if (obj) {
            if (jpeek(p) != '"') return jfail(p, "expected a string key");
            if (!jparse_string(p, &out->keys[i], &out->keylens[i])) return false;
            if (jpeek(p) != ':') return jfail(p, "expected ':'");
            p->pos++;
        }
        if (!jparse_value(p, &out->items[i], depth + 1)) return false;
        unsigned char c = jpeek(p);
        if (c == close) return p->pos++, true;
        if (c != ',') return jfail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        p->pos++;
    }
}

static bool jparse_value(jparser *p, jval *out, int depth) {
    static const struct { const char *lit; jtype type; } lits[] = {
        {"true", J_TRUE}, {"false", J_FALSE}, {"null", J_NULL}};
    unsigned char c = jpeek(p);
    if (c == '{' || c == '[') return jparse_container(p, out, depth);
    if (c == '"') return out->type = J_STR, jparse_string(p, &out->str, &out->len);
    if (c == '-' || (c >= '0' && c <= '9')) return out->type = J_NUM, jparse_number(p, &out->num);
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lits[i].lit);
        if (p->n - p->pos >= n && memcmp(p->s + p->pos, lits[i].lit, n) == 0)
            return p->pos += n, out->type = lits[i].type, true;
    }
    return jfail(p, p->pos >= p->n ? "unexpected end of input" : "unexpected character");
}

/* The last of duplicate keys wins, as in most JSON readers. */
static const jval *jget(const jval *obj, const char *key) {
    const jval *found = NULL;
    for (size_t i = 0; obj->type == J_OBJ && i < obj->count; i++)
        if (obj->keylens[i] == strlen(key) && memcmp(obj->keys[i], key, obj->keylens[i]) == 0)
            found = &obj->items[i];
    return found;
}

/* ======================================================================================
 * The instance and its configuration
 * ==================================================================================== */

typedef struct {
    char *shown;  /* as configured: what "matches" reports */
    char *folded; /* folded tokens joined by single spaces */
    size_t folded_len, first_len;
    uint32_t hash, group; /* hash of the first token */
    int32_t next;         /* hash chain; -1 ends it */
} wl_word;

typedef struct {
    char *shown;
    regex_t re; /* allocated one by one: POSIX does not promise a regex_t may be moved */
    uint32_t group;
} wl_pattern;

typedef struct {
    kn_plugin_t plugin; /* handed out; plugin_data points back at this struct */
    const kn_host_t *host;
    size_t max_bytes;
    char **groups; /* label names, in report order */
    size_t ngroups, cap_groups;
    wl_word *words;
    size_t nwords, cap_words;
    wl_pattern **patterns;
    size_t npatterns, cap_patterns;
    int32_t *buckets; /* first-token hash -> first word of its chain */
    size_t nbuckets;  /* a power of two */
} wl_state;

static void wl_free_state(wl_state *st) {
    if (!st) return;
    for (size_t i = 0; i < st->ngroups; i++) free(st->groups[i]);
    for (size_t i = 0; i < st->nwords; i++) free(st->words[i].shown), free(st->words[i].folded);
    for (size_t i = 0; i < st->npatterns; i++) {
        regfree(&st->patterns[i]->re);
        free(st->patterns[i]->shown), free(st->patterns[i]);
    }
    free(st->groups), free(st->words), free(st->patterns), free(st->buckets), free(st);
}

/* Returns items with room for one more entry (perhaps moved), or NULL leaving them as they
 * were. */
static void *grow(void *items, size_t *cap, size_t count, size_t size) {
    if (count < *cap) return items;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *n = ncap < SIZE_MAX / size ? realloc(items, ncap * size) : NULL;
    if (n) *cap = ncap;
    return n;
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n), d[n] = '\0';
    return d;
}

/* Where a config string sits, for messages: "words[2]", "labels.spam.patterns[0]". */
typedef struct {
    const char *prefix, *list; /* "" or "labels.<name>.", and "words" or "patterns" */
    size_t idx;
} wl_where;
#define WHERE "setting \"%s%s[%zu]\""
#define WHERE_ARGS(w) (w).prefix, (w).list, (w).idx

static kn_status_t add_word(wl_state *st, uint32_t group, const jval *v, wl_where at,
                            kn_error_t *err) {
    char shown[96];
    size_t flen, bad, pos = 0, start, tlen, jlen = 0, first = 0;
    unsigned char *tmp = malloc(v->len + 1);
    char *joined = malloc(v->len + 1), *copy = dup_n(v->str, v->len);
    wl_word *words = grow(st->words, &st->cap_words, st->nwords, sizeof *words);
    kn_status_t rc = KN_OK;
    if (words) st->words = words;
    if (!tmp || !joined || !copy || !words)
        rc = fail(err, KN_E_NO_MEMORY, "out of memory");
    else if (!fold_utf8((const unsigned char *)v->str, v->len, tmp, &flen, &bad, true))
        rc = fail(err, KN_E_CONFIG, WHERE " is not valid UTF-8", WHERE_ARGS(at));
    if (rc != KN_OK) goto out;
    /* Separators inside an entry are not significant: "son-of-a" is the tokens son, of, a. */
    while (next_token(tmp, flen, &pos, &start, &tlen)) {
        if (jlen) joined[jlen++] = ' ';
        else first = tlen;
        memcpy(joined + jlen, tmp + start, tlen);
        jlen += tlen;
    }
    joined[jlen] = '\0';
    if (jlen == 0) {
        rc = fail(err, KN_E_CONFIG, WHERE " (\"%s\") has no letters or digits", WHERE_ARGS(at),
                  clip(v->str, v->len, shown, sizeof shown));
        goto out;
    }
    st->words[st->nwords++] = (wl_word){copy, joined, jlen, first,
                                        fnv1a((unsigned char *)joined, first), group, -1};
    copy = joined = NULL;
out:
    free(tmp), free(joined), free(copy);
    return rc;
}

static kn_status_t add_pattern(wl_state *st, uint32_t group, const jval *v, wl_where at,
                               const char *label, kn_error_t *err) {
    char shown[96], why[160], whyshown[160];
    size_t flen, bad;
    wl_pattern *pt = calloc(1, sizeof *pt);
    char *folded = malloc(v->len + 1);
    wl_pattern **pts = grow(st->patterns, &st->cap_patterns, st->npatterns, sizeof *pts);
    kn_status_t rc = KN_OK;
    if (pts) st->patterns = pts;
    if (!pt || !folded || !pts || !(pt->shown = dup_n(v->str, v->len))) {
        rc = fail(err, KN_E_NO_MEMORY, "out of memory");
        goto out;
    }
    /* Non-ASCII is folded so "merdé" can match folded text, but ASCII case is kept: lowering
     * "\W" to "\w" would change its meaning, and REG_ICASE handles ASCII case anyway. */
    if (!fold_utf8((const unsigned char *)v->str, v->len, (unsigned char *)folded, &flen, &bad,
                   false)) {
        rc = fail(err, KN_E_CONFIG, WHERE " is not valid UTF-8", WHERE_ARGS(at));
        goto out;
    }
    folded[flen] = '\0';
    int rerr = regcomp(&pt->re, folded, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rerr != 0) {
        regerror(rerr, &pt->re, why, sizeof why);
        rc = fail(err, KN_E_CONFIG, WHERE " (\"%s\") is not a valid regular expression: %s",
                  WHERE_ARGS(at), clip(v->str, v->len, shown, sizeof shown),
                  clip(why, strlen(why), whyshown, sizeof whyshown));
        goto out;
    }
    pt->group = group;
    st->patterns[st->npatterns++] = pt;
    if (regexec(&pt->re, "", 0, NULL, 0) == 0)
        wl_log(st->host, KN_LOG_WARN, "pattern \"%s\" matches empty text: every input will be "
               "labelled \"%s\"", clip(v->str, v->len, shown, sizeof shown), label);
    pt = NULL;
out:
    if (pt) free(pt->shown), free(pt);
    free(folded);
    return rc;
}

/* Sections naming the same label share one entry in the result. */
static kn_status_t group_for(wl_state *st, const char *name, uint32_t *out, kn_error_t *err) {
    for (size_t i = 0; i < st->ngroups; i++)
        if (strcmp(st->groups[i], name) == 0) return *out = (uint32_t)i, KN_OK;
    char *copy = dup_n(name, strlen(name));
    char **groups = grow(st->groups, &st->cap_groups, st->ngroups, sizeof *groups);
    if (groups) st->groups = groups;
    if (!copy || !groups) return free(copy), fail(err, KN_E_NO_MEMORY, "out of memory");
    st->groups[st->ngroups] = copy;
    *out = (uint32_t)st->ngroups++;
    return KN_OK;
}

/* Loads the "words" and "patterns" of `table` (the root, or one entry of "labels"). */
static kn_status_t load_section(wl_state *st, const char *label, const jval *table,
                                const char *prefix, kn_error_t *err) {
    uint32_t group = 0;
    kn_status_t rc = group_for(st, label, &group, err);
    for (int list = 0; list < 2 && rc == KN_OK; list++) {
        wl_where at = {prefix, list ? "patterns" : "words", 0};
        const jval *arr = jget(table, at.list);
        if (arr && arr->type != J_ARR)
            return fail(err, KN_E_CONFIG, "setting \"%s%s\" must be an array of strings", prefix,
                        at.list);
        for (; rc == KN_OK && arr && at.idx < arr->count; at.idx++) {
            const jval *v = &arr->items[at.idx];
            if (v->type != J_STR || v->len == 0 || strlen(v->str) != v->len)
                return fail(err, KN_E_CONFIG, WHERE " must be a non-empty string without NUL",
                            WHERE_ARGS(at));
            rc = list ? add_pattern(st, group, v, at, label, err) : add_word(st, group, v, at, err);
        }
    }
    return rc;
}

/* Chains words by the hash of their first token. A word that folds like an earlier one of
 * the same label stays out of the chains, so it is neither matched nor reported twice. */
static kn_status_t build_index(wl_state *st, kn_error_t *err) {
    size_t nb = 16;
    if (st->nwords > INT32_MAX / 4) return fail(err, KN_E_CONFIG, "too many words");
    while (nb < st->nwords * 2) nb *= 2;
    if (!(st->buckets = malloc(nb * sizeof *st->buckets)))
        return fail(err, KN_E_NO_MEMORY, "out of memory");
    st->nbuckets = nb;
    for (size_t i = 0; i < nb; i++) st->buckets[i] = -1;
    for (size_t i = 0; i < st->nwords; i++) {
        wl_word *w = &st->words[i];
        int32_t *head = &st->buckets[w->hash & (nb - 1)], j = *head;
        while (j >= 0 && (st->words[j].group != w->group || strcmp(st->words[j].folded, w->folded)))
            j = st->words[j].next;
        if (j < 0) w->next = *head, *head = (int32_t)i;
    }
    return KN_OK;
}

static kn_status_t load_config(wl_state *st, const char *json, kn_error_t *err) {
    jparser p = {(const unsigned char *)json, strlen(json), 0, NULL, false};
    jval root = {0};
    kn_status_t rc = KN_OK;
    char name[64], prefix[96];

    if (jparse_value(&p, &root, 0) && jpeek(&p) != 0)
        jfail(&p, "trailing characters after the value");
    if (p.what) {
        rc = fail(err, p.oom ? KN_E_NO_MEMORY : KN_E_CONFIG,
                  "config is not valid JSON: %s at byte %zu", p.what, p.pos);
        goto out;
    }
    if (root.type != J_OBJ) {
        rc = fail(err, KN_E_CONFIG, "config must be a JSON object");
        goto out;
    }
    /* Unknown top-level keys are ignored: the host's schema (additionalProperties) rules. */
    const jval *label = jget(&root, "label"), *maxb = jget(&root, "max_bytes"),
               *labels = jget(&root, "labels");
    double mb = maxb && maxb->type == J_NUM ? maxb->num : WL_DEFAULT_MAX_BYTES;
    if (label && (label->type != J_STR || label->len == 0 || strlen(label->str) != label->len))
        rc = fail(err, KN_E_CONFIG, "setting \"label\" must be a non-empty string");
    else if ((maxb && maxb->type != J_NUM) || !(mb >= 1 && mb <= WL_MAX_MAX_BYTES) ||
             mb != (double)(int64_t)mb) /* the range test comes first: the cast needs it */
        rc = fail(err, KN_E_CONFIG, "setting \"max_bytes\" must be an integer from 1 to %.0f",
                  WL_MAX_MAX_BYTES);
    else if (labels && labels->type != J_OBJ)
        rc = fail(err, KN_E_CONFIG, "setting \"labels\" must be a table of label tables "
                  "like {\"words\": [...], \"patterns\": [...]}");
    if (rc != KN_OK) goto out;
    st->max_bytes = (size_t)mb;

    rc = load_section(st, label ? label->str : WL_DEFAULT_LABEL, &root, "", err);
    for (size_t i = 0; labels && rc == KN_OK && i < labels->count; i++) {
        const jval *t = &labels->items[i];
        clip(labels->keys[i], labels->keylens[i], name, sizeof name);
        snprintf(prefix, sizeof prefix, "labels.%s.", name);
        if (labels->keylens[i] == 0 || strlen(labels->keys[i]) != labels->keylens[i])
            rc = fail(err, KN_E_CONFIG, "setting \"labels\": names must be non-empty, without NUL");
        else if (t->type != J_OBJ)
            rc = fail(err, KN_E_CONFIG, "setting \"labels.%s\" must be a table", name);
        /* The host's schema catches typos here too, but a standalone host may not have one. */
        for (size_t k = 0; rc == KN_OK && t->type == J_OBJ && k < t->count; k++)
            if (strcmp(t->keys[k], "words") != 0 && strcmp(t->keys[k], "patterns") != 0)
                rc = fail(err, KN_E_CONFIG, "setting \"%s%s\" is unknown (expected \"words\" "
                          "or \"patterns\")", prefix,
                          clip(t->keys[k], t->keylens[k], name, sizeof name));
        if (rc == KN_OK) rc = load_section(st, labels->keys[i], t, prefix, err);
    }
    if (rc == KN_OK) rc = build_index(st, err);
    if (rc == KN_OK)
        wl_log(st->host, KN_LOG_INFO, "word list ready: %zu words, %zu patterns, %zu labels, "
               "max_bytes %zu", st->nwords, st->npatterns, st->ngroups, st->max_bytes);
out:
    jfree(&root);
    return rc;
}

/* ======================================================================================
 * classify
 * ==================================================================================== */

static bool ascii_caseeq(const char *a, size_t n, const char *lower) {
    if (strlen(lower) != n) return false;
    for (size_t i = 0; i < n; i++)
        if ((a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 'a' - 'A' : a[i]) != lower[i]) return false;
    return true;
}

static void trim(const char **s, size_t *n) {
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* Any text/<subtype>. A charset parameter, if given, must be UTF-8 (or its subset
 * US-ASCII): anything else would only fail later as "not valid UTF-8". */
static kn_status_t check_media_type(const char *mt, kn_error_t *err) {
    char shown[128];
    if (!mt) return fail(err, KN_E_UNSUPPORTED, "no media type given; this plugin handles text/*");
    const char *end = mt + strlen(mt), *semi = strchr(mt, ';'), *base = mt;
    size_t blen = (size_t)((semi ? semi : end) - mt);
    trim(&base, &blen);
    bool ok = blen > 5 && ascii_caseeq(base, 5, "text/");
    for (size_t i = 5; ok && i < blen; i++) ok = base[i] > ' ' && base[i] < 0x7F && base[i] != '/';
    if (!ok)
        return fail(err, KN_E_UNSUPPORTED, "media type \"%s\" is not supported; this plugin "
                    "handles text/*", CLIP(mt, shown));
    for (const char *param = semi; param; param = strchr(param + 1, ';')) {
        const char *next = strchr(param + 1, ';'), *stop = next ? next : end;
        const char *name = param + 1, *eq = memchr(name, '=', (size_t)(stop - name));
        if (!eq) continue;
        const char *val = eq + 1;
        size_t nlen = (size_t)(eq - name), vlen = (size_t)(stop - val);
        trim(&name, &nlen), trim(&val, &vlen);
        if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') val++, vlen -= 2;
        if (ascii_caseeq(name, nlen, "charset") && !ascii_caseeq(val, vlen, "utf-8") &&
            !ascii_caseeq(val, vlen, "utf8") && !ascii_caseeq(val, vlen, "us-ascii"))
            return fail(err, KN_E_UNSUPPORTED, "media type \"%s\": only UTF-8 text is supported",
                        CLIP(mt, shown));
    }
    return KN_OK;
}

static kn_status_t check_call(const kn_call_t *call, kn_error_t *err) {
    struct timespec ts;
    if (!call) return KN_OK;
    if (call->is_cancelled && call->is_cancelled(call))
        return fail(err, KN_E_CANCELLED, "the call was cancelled");
    if (call->deadline_unix_ns > 0 && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
        (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec >= call->deadline_unix_ns)
        return fail(err, KN_E_TIMEOUT, "the call's deadline passed");
    return KN_OK;
}

/* Reads the whole input into a buffer of at most max_bytes + 1 bytes (+ 1 for the NUL
 * regexec needs): the one byte too many proves the input too large without reading it all. */
static kn_status_t read_all(const wl_state *st, const kn_call_t *call, const kn_reader_t *r,
                            unsigned char **out, size_t *out_len, kn_error_t *err) {
    size_t max = st->max_bytes, limit = max + 1, cap = 64 * 1024, len = 0;
    unsigned char *buf;
    kn_status_t rc = KN_OK;
    if (!r->read && r->fd < 0)
        return fail(err, KN_E_INVALID_ARGUMENT, "the reader has neither read() nor an fd");
    if (r->size_hint >= 0 && (uint64_t)r->size_hint > max)
        return fail(err, KN_E_INVALID_ARGUMENT, "input of %lld bytes is larger than max_bytes "
                    "(%zu)", (long long)r->size_hint, max);
    if (r->size_hint >= 0) cap = (size_t)r->size_hint + 1; /* + 1: see the end without growing */
    if (cap > limit) cap = limit;
    if (!(buf = malloc(cap + 1))) return fail(err, KN_E_NO_MEMORY, "out of memory");
    while (rc == KN_OK && (rc = check_call(call, err)) == KN_OK) {
        int64_t got;
        if (len == cap) { /* then cap < limit, or len > max would have stopped us */
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            unsigned char *nbuf = realloc(buf, ncap + 1);
            if (!nbuf) {
                rc = fail(err, KN_E_NO_MEMORY, "out of memory");
                break;
            }
            buf = nbuf, cap = ncap;
        }
        if (r->read) {
            got = r->read(r->ctx, buf + len, cap - len);
        } else {
            ssize_t k = read(r->fd, buf + len, cap - len);
            if (k < 0 && errno == EINTR) continue;
            got = k < 0 ? KN_E_IO : (int64_t)k;
        }
        if (got == 0) {
            *out = buf, *out_len = len;
            return KN_OK;
        }
        if (got < 0)
            rc = fail(err, got >= KN_E_NO_SPACE ? (kn_status_t)got : KN_E_CANCELLED,
                      "reading the input failed (status %lld)", (long long)got);
        else if ((uint64_t)got > cap - len)
            rc = fail(err, KN_E_INTERNAL, "the reader returned more bytes than asked for");
        else if ((len += (size_t)got) > max)
            rc = fail(err, KN_E_INVALID_ARGUMENT, "input is larger than max_bytes (%zu)", max);
    }
    free(buf);
    return rc;
}

/* Do the other tokens of word w follow its first one, which ended at pos in the text? */
static bool rest_matches(const wl_word *w, const unsigned char *t, size_t n, size_t pos) {
    const unsigned char *f = (const unsigned char *)w->folded;
    size_t fpos = w->first_len, fs, fl, ts, tl;
    while (next_token(f, w->folded_len, &fpos, &fs, &fl))
        if (!next_token(t, n, &pos, &ts, &tl) || tl != fl || memcmp(t + ts, f + fs, fl) != 0)
            return false;
    return true;
}

static kn_status_t match_all(const wl_state *st, const kn_call_t *call, const unsigned char *t,
                             size_t n, bool *word_hit, bool *pat_hit, kn_error_t *err) {
    size_t pos = 0, start, len, poll_at = WL_POLL_BYTES;
    kn_status_t rc;
    while (st->nwords && next_token(t, n, &pos, &start, &len)) {
        if (pos >= poll_at) {
            if ((rc = check_call(call, err)) != KN_OK) return rc;
            poll_at = pos + WL_POLL_BYTES;
        }
        uint32_t h = fnv1a(t + start, len);
        for (int32_t i = st->buckets[h & (st->nbuckets - 1)]; i >= 0; i = st->words[i].next) {
            const wl_word *w = &st->words[i];
            if (!word_hit[i] && w->hash == h && w->first_len == len &&
                memcmp(w->folded, t + start, len) == 0 && rest_matches(w, t, n, pos))
                word_hit[i] = true;
        }
    }
    for (size_t i = 0; i < st->npatterns; i++) {
        if ((rc = check_call(call, err)) != KN_OK) return rc;
        pat_hit[i] = regexec(&st->patterns[i]->re, (const char *)t, 0, NULL, 0) == 0;
    }
    return KN_OK;
}

/* {"labels":[{"name":"<label>","score":1.0,"matches":["<word or pattern>",...]},...]}: one
 * entry per label with a hit, in config order; its words first, then its patterns. */
static char *render(const wl_state *st, const bool *word_hit, const bool *pat_hit,
                    size_t *nlabels) {
    strbuf b = {0};
    *nlabels = 0;
    sb_puts(&b, "{\"labels\":[");
    for (uint32_t g = 0; g < st->ngroups; g++) {
        bool first = true;
        for (size_t i = 0; i < st->nwords + st->npatterns; i++) {
            bool isw = i < st->nwords;
            size_t k = isw ? i : i - st->nwords;
            bool hit = isw ? word_hit[k] && st->words[k].group == g
                           : pat_hit[k] && st->patterns[k]->group == g;
            if (!hit) continue;
            if (first) {
                sb_puts(&b, (*nlabels)++ ? ",{\"name\":" : "{\"name\":");
                sb_json_string(&b, st->groups[g]);
                sb_puts(&b, ",\"score\":" WL_SCORE ",\"matches\":[");
            } else {
                sb_puts(&b, ",");
            }
            first = false;
            sb_json_string(&b, isw ? st->words[k].shown : st->patterns[k]->shown);
        }
        if (!first) sb_puts(&b, "]}");
    }
    sb_puts(&b, "]}");
    if (b.oom) return free(b.p), NULL;
    return b.p;
}

static void wl_classify(const kn_plugin_t *plugin, const kn_call_t *call, const char *media_type,
                        kn_reader_t media, kn_completion_t done) {
    const wl_state *st = plugin ? plugin->plugin_data : NULL;
    kn_error_t err;
    unsigned char *text = NULL;
    bool *hits = NULL;
    char *result = NULL, rid[64];
    size_t len = 0, flen = 0, bad = 0, nlabels = 0;
    kn_status_t rc = st ? KN_OK : fail(&err, KN_E_INVALID_ARGUMENT, "no plugin instance");

    if (rc == KN_OK) rc = check_media_type(media_type, &err);
    if (rc == KN_OK) rc = read_all(st, call, &media, &text, &len, &err);
    if (rc == KN_OK && !fold_utf8(text, len, text, &flen, &bad, true))
        rc = fail(&err, KN_E_INVALID_ARGUMENT, "input is not valid UTF-8 at byte %zu", bad);
    if (rc == KN_OK && !(hits = calloc(st->nwords + st->npatterns + 1, sizeof *hits)))
        rc = fail(&err, KN_E_NO_MEMORY, "out of memory");
    if (rc == KN_OK) {
        text[flen] = '\0';
        rc = match_all(st, call, text, flen, hits, hits + st->nwords, &err);
    }
    if (rc == KN_OK && !(result = render(st, hits, hits + st->nwords, &nlabels)))
        rc = fail(&err, KN_E_NO_MEMORY, "out of memory");

    if (st) /* never the text itself */
        wl_log(st->host, KN_LOG_DEBUG, "classify%s%s: %zu bytes, status %d, %zu labels",
               call && call->request_id ? " request " : "",
               call && call->request_id ? CLIP(call->request_id, rid) : "", len, (int)rc, nlabels);
    if (done.complete)
        done.complete(done.ctx, rc, rc == KN_OK ? NULL : &err, rc == KN_OK ? result : NULL);
    free(result), free(hits), free(text);
}

/* ======================================================================================
 * Plugin, factory and module entry
 * ==================================================================================== */

static const kn_moderation_v1_t wl_moderation = {wl_classify};
static const char *const wl_interfaces[] = {KN_MODERATION_ID, NULL};

static const char wl_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"words\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"default\":[],\"description\":\"Words or phrases to flag, matched as whole words, "
    "ignoring case and accents.\"},"
    "\"patterns\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"default\":[],"
    "\"description\":\"POSIX extended regular expressions, matched case-insensitively against the "
    "folded text.\"},"
    "\"label\":{\"type\":\"string\",\"minLength\":1,\"default\":\"blocklist\","
    "\"description\":\"Label reported when words or patterns match.\"},"
    "\"labels\":{\"type\":\"object\",\"description\":\"More labels, keyed by name, each "
    "with its own words and patterns.\",\"additionalProperties\":{\"type\":\"object\","
    "\"additionalProperties\":false,\"properties\":{"
    "\"words\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},\"default\":[]},"
    "\"patterns\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"default\":[]}}}},"
    "\"max_bytes\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":67108864,\"default\":1048576,"
    "\"description\":\"Largest input accepted, in bytes.\"}}}";

static const kn_plugin_descriptor_t wl_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = WL_ID,
    .name = "Word list moderation",
    .vendor = "Kinora",
    .version = WL_VERSION,
    .description = "Flags text that contains listed words or matches listed regular expressions, "
                   "ignoring case and accents.",
    .url = NULL,
    .interfaces = wl_interfaces,
    .config_schema_json = wl_schema,
    .flags = 0, /* classify is reentrant: no need to serialize calls */
};

static kn_status_t wl_start(const kn_plugin_t *plugin, kn_error_t *err) {
    (void)plugin, (void)err;
    return KN_OK;
}

static void wl_stop(const kn_plugin_t *plugin) { (void)plugin; }

static void wl_destroy(const kn_plugin_t *plugin) {
    if (plugin) wl_free_state(plugin->plugin_data);
}

static const void *wl_get_interface(const kn_plugin_t *plugin, const char *interface_id) {
    (void)plugin;
    return interface_id && strcmp(interface_id, KN_MODERATION_ID) == 0 ? &wl_moderation : NULL;
}

static uint32_t wl_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *wl_get_descriptor(const kn_plugin_factory_t *factory,
                                                       uint32_t index) {
    (void)factory;
    return index == 0 ? &wl_descriptor : NULL;
}

static kn_status_t wl_create(const kn_plugin_factory_t *factory, const kn_host_t *host,
                             const char *plugin_id, const char *config_json,
                             const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    (void)factory;
    if (!out) return fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, WL_ID) != 0)
        return fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"",
                    CLIP(plugin_id, shown));
    wl_state *st = calloc(1, sizeof *st);
    if (!st) return fail(err, KN_E_NO_MEMORY, "out of memory");
    st->host = host ? host : g_module_host;
    kn_status_t rc = load_config(st, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return wl_free_state(st), rc;
    st->plugin = (kn_plugin_t){&wl_descriptor, st, wl_start, wl_stop, wl_destroy, wl_get_interface};
    *out = &st->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t wl_factory = {wl_count, wl_get_descriptor, wl_create};

static kn_status_t wl_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    wl_log(host, KN_LOG_INFO, "%s %s loaded from %s", WL_ID, WL_VERSION, CLIP(module_path, shown));
    return KN_OK;
}

static void wl_deinit(void) { g_module_host = NULL; }

static const void *wl_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &wl_factory : NULL;
}

static const kn_module_entry_t wl_entry = {KN_ABI_VERSION_INIT, wl_init, wl_deinit, wl_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &wl_entry; }
