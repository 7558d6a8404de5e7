/*
 * storage-s3: small helpers shared by every file (util.c): hex, base64, time, key checks;
 * UTF-8, messages and logs come from the C plugin kit (knc_text.h).
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_S3_UTIL_H
#define KINORA_S3_UTIL_H

#include <kinora/plugin.h>

#include "knc_text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef S3_INTERNAL
#define S3_INTERNAL __attribute__((visibility("hidden")))
#endif

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
