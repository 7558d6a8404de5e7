/*
 * Kinora C plugin kit: writing parsed JSON back out (knc_json.h's jval), for plugins that
 * pass part of a message on to a provider unchanged.
 *
 * Internal to the plugin: every function is hidden.
 */
#ifndef KINORA_KNC_JSONW_H
#define KINORA_KNC_JSONW_H

#include "knc_json.h"

#include <stddef.h>

#ifndef KNC_INTERNAL
#define KNC_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Appends n bytes of UTF-8 as a quoted JSON string; unlike knc_sb_json_string it takes a
 * length, so a NUL inside (from "\u0000") is written as \u0000 rather than ending it. */
KNC_INTERNAL void knc_sb_json_string_n(knc_strbuf *b, const char *s, size_t n);

/* Appends v as compact JSON: members in their order, whole numbers below 2^53 without a
 * fraction, other numbers with 17 significant digits (never locale-dependent). */
KNC_INTERNAL void knc_sb_json_value(knc_strbuf *b, const jval *v);

#endif
