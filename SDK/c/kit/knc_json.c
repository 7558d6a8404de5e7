/*
 * Kinora C plugin kit: a growable string buffer, JSON string output, and a small JSON parser
 * for the config: a tree, bounded depth, strict UTF-8.
 */
#include "knc_json.h"
#include "knc_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KNC_JSON_MAX_DEPTH 32

/* ======================================================================================
 * A growable buffer and JSON output
 * ==================================================================================== */

void knc_sb_put(knc_strbuf *b, const void *data, size_t n) {
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

void knc_sb_puts(knc_strbuf *b, const char *s) { knc_sb_put(b, s, strlen(s)); }

/* Everything we print is valid UTF-8 already, so only quotes, backslashes and control
 * characters need escaping. */
void knc_sb_json_string(knc_strbuf *b, const char *s) {
    knc_sb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[7];
        if (c == '"' || c == '\\') knc_sb_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\%c", c));
        else if (c < 0x20) knc_sb_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
        else knc_sb_put(b, s, 1);
    }
    knc_sb_put(b, "\"", 1);
}

/* ======================================================================================
 * The parser
 * ==================================================================================== */

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

void knc_json_free(jval *v) {
    for (size_t i = 0; i < v->count; i++) {
        knc_json_free(&v->items[i]);
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
    knc_strbuf b = {0};
    const char *why = NULL;
    knc_sb_put(&b, "", 0);
    for (p->pos++; !why;) {
        unsigned char c = p->pos < p->n ? p->s[p->pos] : 0;
        uint32_t cp, lo;
        size_t k;
        if (p->pos >= p->n) why = "unterminated string";
        else if (c == '"') break;
        else if (c < 0x20) why = "control character in string";
        else if (c >= 0x80) {
            if (!(k = knc_utf8_decode(p->s + p->pos, p->n - p->pos, &cp)))
                why = "invalid UTF-8 in string";
            else
                knc_sb_put(&b, p->s + p->pos, k), p->pos += k;
        } else if (c != '\\') knc_sb_put(&b, &c, 1), p->pos++;
        else if (p->pos + 1 >= p->n) why = "unterminated string";
        else if ((c = p->s[p->pos + 1]) != 'u') {
            const char *e = c ? strchr(escapes, c) : NULL;
            if (!e) why = "invalid escape in string";
            else knc_sb_put(&b, &actual[e - escapes], 1), p->pos += 2;
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
                knc_sb_put(&b, enc, knc_utf8_encode(cp, enc));
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

/* Makes room for one more entry; new slots are zeroed, so knc_json_free can clean a half
 * entry. */
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
    if (depth >= KNC_JSON_MAX_DEPTH) return jfail(p, "nesting too deep");
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

bool knc_json_parse(const char *text, jval *out, knc_json_error *err) {
    jparser p = {(const unsigned char *)text, strlen(text), 0, NULL, false};
    if (jparse_value(&p, out, 0) && jpeek(&p) != 0)
        jfail(&p, "trailing characters after the value");
    *err = (knc_json_error){p.what, p.pos, p.oom};
    return !p.what;
}

/* The last of duplicate keys wins, as in most JSON readers. */
const jval *knc_json_get(const jval *obj, const char *key) {
    const jval *found = NULL;
    for (size_t i = 0; obj->type == J_OBJ && i < obj->count; i++)
        if (obj->keylens[i] == strlen(key) && memcmp(obj->keys[i], key, obj->keylens[i]) == 0)
            found = &obj->items[i];
    return found;
}

