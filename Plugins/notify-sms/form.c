/*
 * notify-sms: application/x-www-form-urlencoded, as Twilio's API takes and its callbacks
 * send: unreserved characters as they are, space as '+', every other byte as %XX.
 */
#define _GNU_SOURCE
#include "sms.h"

#include <stdlib.h>
#include <string.h>

static bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

static void put_encoded(knc_strbuf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c)) knc_sb_put(b, s + i, 1);
        else if (c == ' ') knc_sb_put(b, "+", 1);
        else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            knc_sb_put(b, enc, 3);
        }
    }
}

void sms_form_put(knc_strbuf *b, const char *name, const char *value, size_t value_len) {
    if (b->len) knc_sb_put(b, "&", 1);
    put_encoded(b, name, strlen(name));
    knc_sb_put(b, "=", 1);
    put_encoded(b, value, value_len);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes n bytes; NULL when a %XX is malformed or decodes to NUL. */
static char *decode(const char *s, size_t n) {
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') *o++ = ' ';
        else if (s[i] == '%') {
            if (i + 2 >= n) return free(out), NULL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return free(out), NULL;
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

bool sms_form_parse(const char *body, sms_param **params, size_t *count) {
    *params = NULL, *count = 0;
    size_t cap = 0;
    for (const char *p = body; *p;) {
        const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
        if (end > p) {
            const char *eq = memchr(p, '=', (size_t)(end - p));
            const char *vstart = eq ? eq + 1 : end;
            if (*count == cap) {
                cap = cap ? cap * 2 : 16;
                if (cap > 4096) return sms_form_free(*params, *count), *params = NULL, *count = 0, false;
                sms_param *grown = realloc(*params, cap * sizeof *grown);
                if (!grown) return sms_form_free(*params, *count), *params = NULL, *count = 0, false;
                *params = grown;
            }
            char *name = decode(p, (size_t)((eq ? eq : end) - p));
            char *value = decode(vstart, (size_t)(end - vstart));
            if (!name || !value) {
                free(name), free(value);
                sms_form_free(*params, *count);
                *params = NULL, *count = 0;
                return false;
            }
            (*params)[(*count)++] = (sms_param){name, value};
        }
        p = amp ? amp + 1 : end;
    }
    return true;
}

void sms_form_free(sms_param *params, size_t count) {
    for (size_t i = 0; i < count; i++) free(params[i].name), free(params[i].value);
    free(params);
}
