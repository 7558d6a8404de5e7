/*
 * Kinora C plugin kit: UTF-8, quoting values safely, error messages and log lines.
 */
#define _GNU_SOURCE
#include "knc_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Rejects overlong forms, surrogates, code points past U+10FFFF and truncated sequences. */
size_t knc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
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

size_t knc_utf8_encode(uint32_t cp, unsigned char *out) {
    size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = len - 1; i > 0; i--, cp >>= 6) out[i] = (unsigned char)(0x80 | (cp & 0x3F));
    out[0] = (unsigned char)(lead[len] | cp);
    return len;
}

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
const char *knc_clip(const char *s, size_t n, char *out, size_t outsz) {
    size_t i = 0, o = 0;
    if (!s) return snprintf(out, outsz, "(null)"), out;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = knc_utf8_decode((const unsigned char *)s + i, n - i, &cp), clen = k;
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

kn_status_t knc_fail(kn_error_t *err, kn_status_t code, const char *fmt, ...) {
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

void knc_log(const kn_host_t *host, int32_t level, const char *fmt, ...) {
    char line[512];
    va_list ap;
    if (!host || !host->log) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    trim_partial_utf8(line);
    host->log(host, level, line);
}

