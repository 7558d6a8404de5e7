/*
 * moderation-wordlist: error messages and log lines.
 */
#include "wl_msg.h"
#include "wl_fold.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
const char *wl_clip(const char *s, size_t n, char *out, size_t outsz) {
    size_t i = 0, o = 0;
    if (!s) return snprintf(out, outsz, "(null)"), out;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = wl_utf8_decode((const unsigned char *)s + i, n - i, &cp), clen = k;
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

kn_status_t wl_fail(kn_error_t *err, kn_status_t code, const char *fmt, ...) {
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

void wl_log(const kn_host_t *host, int32_t level, const char *fmt, ...) {
    char line[512];
    va_list ap;
    if (!host || !host->log) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    trim_partial_utf8(line);
    host->log(host, level, line);
}
