/*
 * moderation-wordlist: UTF-8 decoding, folding and tokens (fold.c).
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_WL_FOLD_H
#define KINORA_WL_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knc_text.h"

#ifndef WL_INTERNAL
#define WL_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Folds n bytes of UTF-8 from in to out (out == in is allowed; the result is never longer).
 * lower_ascii: also lowercase ASCII letters. On invalid UTF-8 returns false and sets
 * *bad_at to the offset of the bad sequence. */
WL_INTERNAL bool wl_fold_utf8(const unsigned char *in, size_t n, unsigned char *out,
                              size_t *out_len, size_t *bad_at, bool lower_ascii);

/* Finds the next token of folded text s at or after *pos: true with its *start and *len,
 * and *pos moved past it; false at the end. */
WL_INTERNAL bool wl_next_token(const unsigned char *s, size_t n, size_t *pos, size_t *start,
                               size_t *len);

/* FNV-1a hash of n bytes: the word index hashes the first token of each word. */
WL_INTERNAL uint32_t wl_fnv1a(const unsigned char *s, size_t n);

#endif
