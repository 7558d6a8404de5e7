/*
 * Kinora C plugin kit: jval -> compact JSON.
 */
#include "knc_jsonw.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void knc_sb_json_string_n(knc_strbuf *b, const char *s, size_t n) {
    knc_sb_put(b, "\"", 1);
    size_t run = 0; /* bytes copied as they are, flushed in one put */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '"' && c != '\\' && c >= 0x20) {
            run++;
            continue;
        }
        knc_sb_put(b, s + i - run, run);
        run = 0;
        char esc[8];
        if (c == '"' || c == '\\') knc_sb_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\%c", c));
        else if (c == '\n') knc_sb_put(b, "\\n", 2);
        else if (c == '\r') knc_sb_put(b, "\\r", 2);
        else if (c == '\t') knc_sb_put(b, "\\t", 2);
        else knc_sb_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
    }
    knc_sb_put(b, s + n - run, run);
    knc_sb_put(b, "\"", 1);
}

static void put_number(knc_strbuf *b, double d) {
    char text[40];
    if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(int64_t)d) {
        snprintf(text, sizeof text, "%lld", (long long)d);
    } else {
        snprintf(text, sizeof text, "%.17g", d);
        for (char *p = text; *p; p++)
            if (*p == ',') *p = '.'; /* a process whose LC_NUMERIC writes commas */
    }
    knc_sb_puts(b, text);
}

void knc_sb_json_value(knc_strbuf *b, const jval *v) {
    switch (v->type) {
    case J_NULL: knc_sb_puts(b, "null"); break;
    case J_FALSE: knc_sb_puts(b, "false"); break;
    case J_TRUE: knc_sb_puts(b, "true"); break;
    case J_NUM: put_number(b, v->num); break;
    case J_STR: knc_sb_json_string_n(b, v->str, v->len); break;
    case J_ARR:
        knc_sb_puts(b, "[");
        for (size_t i = 0; i < v->count; i++) {
            if (i) knc_sb_puts(b, ",");
            knc_sb_json_value(b, &v->items[i]);
        }
        knc_sb_puts(b, "]");
        break;
    case J_OBJ:
        knc_sb_puts(b, "{");
        for (size_t i = 0; i < v->count; i++) {
            if (i) knc_sb_puts(b, ",");
            knc_sb_json_string_n(b, v->keys[i], v->keylens[i]);
            knc_sb_puts(b, ":");
            knc_sb_json_value(b, &v->items[i]);
        }
        knc_sb_puts(b, "}");
        break;
    }
}
