/*
 * moderation-wordlist: error messages and log lines (msg.c). Both are bounded and always
 * valid UTF-8; quoted values go through wl_clip first.
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_WL_MSG_H
#define KINORA_WL_MSG_H

#include <kinora/plugin.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WL_INTERNAL
#define WL_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Copies n bytes of s into out (outsz bytes) so that they are safe to quote: bounded, cut on
 * a character boundary, control characters and invalid bytes shown as '?'. Returns out. */
WL_INTERNAL const char *wl_clip(const char *s, size_t n, char *out, size_t outsz);
#define WL_CLIP(s, buf) wl_clip((s), (s) ? strlen(s) : 0, (buf), sizeof(buf))

/* Fills *err (if not NULL) with code and the message; returns code. */
WL_INTERNAL __attribute__((format(printf, 3, 4)))
kn_status_t wl_fail(kn_error_t *err, kn_status_t code, const char *fmt, ...);

/* Logs one line through host->log, if there is one. */
WL_INTERNAL __attribute__((format(printf, 3, 4)))
void wl_log(const kn_host_t *host, int32_t level, const char *fmt, ...);

#endif
