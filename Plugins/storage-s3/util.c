/*
 * storage-s3: UTF-8, error messages, logs, hex, base64, time and key checks.
 * (UTF-8 and message helpers come from the moderation-wordlist example.)
 */
#define _GNU_SOURCE
#include "s3_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void s3_hex(const unsigned char *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[2 * i] = digits[in[i] >> 4], out[2 * i + 1] = digits[in[i] & 15];
    out[2 * n] = '\0';
}

void s3_base64(const unsigned char *in, size_t n, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63], out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = '\0';
}

int64_t s3_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t s3_parse_iso8601(const char *s) {
    struct tm tm = {0};
    int ms = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    const char *dot = strchr(s, '.');
    if (dot) {
        int digits = 0;
        for (const char *p = dot + 1; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
            ms = ms * 10 + (*p - '0');
        while (digits++ < 3) ms *= 10;
    }
    tm.tm_year -= 1900, tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000000000 + (int64_t)ms * 1000000;
}

bool s3_key_valid(const char *key) {
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > KN_STORAGE_KEY_MAX || key[0] == '/' || strchr(key, '\\')) return false;
    const char *seg = key;
    for (;;) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        if (!slash) break;
        seg = slash + 1;
    }
    for (size_t i = 0; i < n;) { /* valid UTF-8 only: S3 keys are UTF-8 */
        uint32_t cp;
        size_t k = knc_utf8_decode((const unsigned char *)key + i, n - i, &cp);
        if (!k) return false;
        i += k;
    }
    return true;
}

bool s3_prefix_valid(const char *prefix) {
    if (!prefix || !*prefix) return true;
    size_t n = strlen(prefix);
    if (n >= KN_STORAGE_KEY_MAX) return false;
    char *probe = malloc(n + 2);
    if (!probe) return false;
    memcpy(probe, prefix, n), probe[n] = 'x', probe[n + 1] = '\0';
    /* "a/." + "x" is a valid key, but "a/.." as a prefix is only ever a prefix of "a/..x". */
    bool ok = s3_key_valid(probe);
    free(probe);
    return ok;
}

kn_status_t s3_check_call(const kn_call_t *call, kn_error_t *err) {
    if (!call) return KN_OK;
    if (call->is_cancelled && call->is_cancelled(call))
        return knc_fail(err, KN_E_CANCELLED, "the call was cancelled");
    if (call->deadline_unix_ns > 0 && s3_now_ns() >= call->deadline_unix_ns)
        return knc_fail(err, KN_E_TIMEOUT, "the call's deadline passed");
    return KN_OK;
}
