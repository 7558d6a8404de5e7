/*
 * storage-s3: small helpers shared by every file (util.c): UTF-8, error messages, logs,
 * hex, time, key checks.
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_S3_UTIL_H
#define KINORA_S3_UTIL_H

#include <kinora/plugin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef S3_INTERNAL
#define S3_INTERNAL __attribute__((visibility("hidden")))
#endif

S3_INTERNAL size_t s3_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
S3_INTERNAL size_t s3_utf8_encode(uint32_t cp, unsigned char *out);

/* Copies n bytes of s into out so that they are safe to quote: bounded, cut on a character
 * boundary, control characters and invalid bytes shown as '?'. Returns out. */
S3_INTERNAL const char *s3_clip(const char *s, size_t n, char *out, size_t outsz);
#define S3_CLIP(s, buf) s3_clip((s), (s) ? strlen(s) : 0, (buf), sizeof(buf))

/* Fills *err (if not NULL) with code and the message; returns code. */
S3_INTERNAL __attribute__((format(printf, 3, 4)))
kn_status_t s3_fail(kn_error_t *err, kn_status_t code, const char *fmt, ...);

/* Logs one line through host->log, if there is one. Never pass secrets. */
S3_INTERNAL __attribute__((format(printf, 3, 4)))
void s3_log(const kn_host_t *host, int32_t level, const char *fmt, ...);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
S3_INTERNAL void s3_hex(const unsigned char *in, size_t n, char *out);

/* Base64 of n bytes into out (4 * ((n + 2) / 3) + 1 bytes). */
S3_INTERNAL void s3_base64(const unsigned char *in, size_t n, char *out);

/* CLOCK_REALTIME in ns. */
S3_INTERNAL int64_t s3_now_ns(void);

/* "2024-05-01T12:00:00.000Z" (ISO 8601, UTC) to ns since the epoch; 0 when it does not parse. */
S3_INTERNAL int64_t s3_parse_iso8601(const char *s);

/* Does the key follow plugin.h's rules (1..1024 bytes, '/'-separated non-empty segments,
 * none "." or "..", no leading '/', no NUL or '\\')? */
S3_INTERNAL bool s3_key_valid(const char *key);

/* A list prefix is "" or a string that a valid key could start with. */
S3_INTERNAL bool s3_prefix_valid(const char *prefix);

/* KN_E_CANCELLED / KN_E_TIMEOUT when the call was cancelled or its deadline passed. */
S3_INTERNAL kn_status_t s3_check_call(const kn_call_t *call, kn_error_t *err);

#endif
