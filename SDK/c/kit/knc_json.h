/*
 * Kinora C plugin kit: a growable string buffer, JSON string output, and the small JSON
 * parser that reads the config (json.c).
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_KNC_JSON_H
#define KINORA_KNC_JSON_H

#include <stdbool.h>
#include <stddef.h>

#ifndef KNC_INTERNAL
#define KNC_INTERNAL __attribute__((visibility("hidden")))
#endif

/* A growable string; start from {0}. On allocation failure it sets oom and ignores further
 * puts; the caller frees p either way. */
typedef struct {
    char *p; /* always NUL-terminated once anything was put */
    size_t len, cap;
    bool oom;
} knc_strbuf;

KNC_INTERNAL void knc_sb_put(knc_strbuf *b, const void *data, size_t n);
KNC_INTERNAL void knc_sb_puts(knc_strbuf *b, const char *s);

/* Appends s, valid UTF-8, as a quoted JSON string. */
KNC_INTERNAL void knc_sb_json_string(knc_strbuf *b, const char *s);

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jval {
    jtype type;
    double num;
    char *str; /* J_STR: NUL-terminated, `len` bytes; may itself hold a NUL (\u0000) */
    size_t len;
    struct jval *items; /* J_ARR and J_OBJ: `count` values */
    char **keys;        /* J_OBJ: their keys */
    size_t *keylens, count, cap;
} jval;

/* Why parsing failed: the first error, where it was found, and whether it was memory. */
typedef struct {
    const char *what;
    size_t pos;
    bool oom;
} knc_json_error;

/* Parses text (NUL-terminated) as one JSON value with nothing but whitespace after it. On
 * failure returns false and fills *err. Either way *out (start from {0}) may hold a tree:
 * release it with knc_json_free. */
KNC_INTERNAL bool knc_json_parse(const char *text, jval *out, knc_json_error *err);

/* Frees what v holds and zeroes it. */
KNC_INTERNAL void knc_json_free(jval *v);

/* The value of key in object obj, or NULL. The last of duplicate keys wins. */
KNC_INTERNAL const jval *knc_json_get(const jval *obj, const char *key);

#endif
