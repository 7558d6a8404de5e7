/*
 * Kinora C plugin kit: UTF-8, quoting values safely, error messages and log lines, for
 * plugins written in C. Link these files into the plugin (SwiftPM: depend on
 * KinoraPluginCKit; alone: add the kit's .c files to the cc line, see README.md).
 *
 * Every function is hidden, so a plugin still exports only kinora_module_entry_v1 even when
 * built without -fvisibility=hidden.
 */
#ifndef KINORA_KNC_TEXT_H
#define KINORA_KNC_TEXT_H

#include <kinora/plugin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef KNC_INTERNAL
#define KNC_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Length (1-4) of the well-formed UTF-8 sequence at s (n > 0 bytes available), or 0. */
KNC_INTERNAL size_t knc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes cp (at most U+10FFFF, not a surrogate) as UTF-8; returns the byte count (1-4). */
KNC_INTERNAL size_t knc_utf8_encode(uint32_t cp, unsigned char *out);

/* Copies n bytes of s into out (outsz bytes) so that they are safe to quote: bounded, cut on
 * a character boundary, control characters and invalid bytes shown as '?'. Returns out. */
KNC_INTERNAL const char *knc_clip(const char *s, size_t n, char *out, size_t outsz);
#define KNC_CLIP(s, buf) knc_clip((s), (s) ? strlen(s) : 0, (buf), sizeof(buf))

/* Fills *err (if not NULL) with code and the message (always valid UTF-8); returns code. */
KNC_INTERNAL __attribute__((format(printf, 3, 4)))
kn_status_t knc_fail(kn_error_t *err, kn_status_t code, const char *fmt, ...);

/* Logs one line through host->log, if there is one. Never pass secrets. */
KNC_INTERNAL __attribute__((format(printf, 3, 4)))
void knc_log(const kn_host_t *host, int32_t level, const char *fmt, ...);

#endif
