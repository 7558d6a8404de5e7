/*
 * notify-smtp: message_json -> one RFC 5322 message.
 *
 * Every line ends in CRLF and stays within 78 characters but for header values the caller
 * gave (List-Unsubscribe URLs), which are refused past 900 bytes so no line passes RFC 5322's
 * 998. Bodies are UTF-8 in quoted-printable: readable in the source, safe through any relay.
 * Non-ASCII display names and subjects become RFC 2047 encoded-words. The Message-ID comes
 * from the idempotency key so that a retried message is recognisably the same one.
 * A header value holding CR or LF (an injection attempt) refuses the message.
 */
#define _GNU_SOURCE
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "knc_base64.h"

#define MAX_HEADERS 40
#define HEADER_VALUE_MAX 900

typedef struct {
    char name[80];
    knc_strbuf value;
} header;

typedef struct {
    header h[MAX_HEADERS];
    size_t n;
} header_list;

static knc_strbuf *add_header(header_list *hl, const char *name) {
    if (hl->n == MAX_HEADERS) return NULL;
    header *h = &hl->h[hl->n++];
    snprintf(h->name, sizeof h->name, "%s", name);
    h->value = (knc_strbuf){0};
    return &h->value;
}

static bool is_ascii_printable(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) return false;
    return true;
}

/* RFC 2047 "B" encoded-words of UTF-8 text, each at most 75 characters, cut on character
 * boundaries, separated by folding whitespace. */
static void put_encoded_words(knc_strbuf *b, const char *s, size_t n) {
    size_t i = 0;
    bool first = true;
    while (i < n || first) {
        size_t take = 0;
        while (i + take < n) {
            uint32_t cp;
            size_t len = knc_utf8_decode((const unsigned char *)s + i + take, n - i - take, &cp);
            if (len == 0) len = 1; /* the JSON parser has checked UTF-8 already */
            if (take + len > 45) break;
            take += len;
        }
        char enc[KNC_BASE64_LEN(48) + 1];
        knc_base64_encode(s + i, take, enc);
        if (!first) knc_sb_puts(b, "\r\n ");
        knc_sb_puts(b, "=?UTF-8?B?");
        knc_sb_puts(b, enc);
        knc_sb_puts(b, "?=");
        i += take;
        first = false;
    }
}

/* A display name: a quoted-string when it is printable ASCII, else encoded-words. */
static void put_phrase(knc_strbuf *b, const char *s, size_t n) {
    if (is_ascii_printable(s, n) && n <= 200) {
        knc_sb_puts(b, "\"");
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"' || s[i] == '\\') knc_sb_puts(b, "\\");
            knc_sb_put(b, s + i, 1);
        }
        knc_sb_puts(b, "\"");
    } else {
        put_encoded_words(b, s, n);
    }
}

/* Unstructured text (Subject): as is when short printable ASCII without "=?", else
 * encoded-words. */
static void put_unstructured(knc_strbuf *b, const char *s, size_t n) {
    if (is_ascii_printable(s, n) && n <= 900 && !strstr(s, "=?")) knc_sb_put(b, s, n);
    else put_encoded_words(b, s, n);
}

/* Quoted-printable (RFC 2045 §6.7) with CRLF hard line breaks: LF and CRLF in the text are
 * line ends; lines are cut at 76 characters with soft breaks; '=', controls, bytes above
 * 0x7E and whitespace at the end of a line are encoded. */
static void put_quoted_printable(knc_strbuf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
            if (c == '\r') i++;
            knc_sb_puts(b, "\r\n");
            col = 0;
            continue;
        }
        bool line_end = i + 1 == n || s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n');
        bool plain = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
        size_t width = plain ? 1 : 3;
        if (col + width > 75) {
            knc_sb_puts(b, "=\r\n");
            col = 0;
        }
        if (plain) {
            knc_sb_put(b, s + i, 1);
        } else {
            char enc[3] = {'=', hex[c >> 4], hex[c & 15]};
            knc_sb_put(b, enc, 3);
        }
        col += width;
    }
    knc_sb_puts(b, "\r\n");
}

static void put_date(knc_strbuf *b, int64_t now) {
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)now;
    struct tm tm;
    char line[64];
    gmtime_r(&t, &tm);
    snprintf(line, sizeof line, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    knc_sb_puts(b, line);
}

/* The idempotency key as a Message-ID's left part: dot-atom characters kept, anything else
 * (and '=' itself) written as =XX, so that the same key always gives the same id. */
static void put_id_left(knc_strbuf *b, const char *key, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (c && strchr("!#$%&'*+-/?^_`{|}~", c)) || (c == '.' && i && i + 1 < n && key[i - 1] != '.');
        if (keep) knc_sb_put(b, key + i, 1);
        else {
            char enc[3] = {'=', hex[c >> 4], hex[c & 15]};
            knc_sb_put(b, enc, 3);
        }
    }
}

static const char *const reserved[] = {"from", "to", "cc", "bcc", "subject", "date", "message-id",
                                       "mime-version", "content-type", "content-transfer-encoding",
                                       "dkim-signature", "return-path", "sender", "received", NULL};

/* A string member, or NULL; *bad is set when the member exists but is not a string
 * without NUL. */
static const jval *string_member(const jval *root, const char *key, bool *bad) {
    const jval *v = knc_json_get(root, key);
    if (!v || v->type == J_NULL) return NULL;
    if (v->type != J_STR || strlen(v->str) != v->len) return *bad = true, NULL;
    return v;
}

static bool has_crlf(const jval *v) { return v && (memchr(v->str, '\r', v->len) || memchr(v->str, '\n', v->len)); }

kn_status_t smtp_message_build(const smtp_config *cfg, const char *message_json, int64_t now,
                               smtp_message *out, kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    header_list hl = {0};
    knc_strbuf body = {0};
    kn_status_t rc = KN_OK;
    char shown[96];
    bool bad = false;
    memset(out, 0, sizeof *out);
    bool parsed = message_json && knc_json_parse(message_json, &root, &jerr);
    if (!parsed || root.type != J_OBJ) {
        knc_json_free(&root);
        if (jerr.oom) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        if (parsed) return knc_fail(err, KN_E_INVALID_ARGUMENT, "the message is not a JSON object");
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "the message is not JSON (%s at byte %zu)",
                        jerr.what ? jerr.what : "no text", jerr.pos);
    }
    const jval *to = string_member(&root, "to", &bad), *to_name = NULL, *subject = NULL, *text = NULL;
    const jval *html = NULL, *key = NULL;
    const char *field = "to";
#define MEMBER(var, name) if (!bad) field = name, var = string_member(&root, name, &bad)
    MEMBER(to_name, "to_name");
    MEMBER(subject, "subject");
    MEMBER(text, "text");
    MEMBER(html, "html");
    MEMBER(key, "idempotency_key");
#undef MEMBER
    const jval *extra = knc_json_get(&root, "headers");
    if (bad) rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.%s must be a string without NUL", field);
    else if (!to || !smtp_address_valid(to->str, to->len))
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to: %s", to ? "not a mail address (local@domain, "
                      "ASCII, no spaces or brackets)" : "missing");
    else if (!text) rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.text is required");
    else if (!key || key->len == 0 || key->len > 200)
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.idempotency_key: 1 to 200 bytes required");
    else if (has_crlf(to_name) || has_crlf(subject))
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.%s holds CR or LF, which would start a new "
                      "header", has_crlf(to_name) ? "to_name" : "subject");
    else if (extra && extra->type != J_OBJ && extra->type != J_NULL)
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers must be an object of strings");
    if (rc != KN_OK) goto done;

    knc_strbuf *v;
    if ((v = add_header(&hl, "From"))) {
        if (cfg->from_name) put_phrase(v, cfg->from_name, strlen(cfg->from_name)), knc_sb_puts(v, " ");
        knc_sb_puts(v, "<"), knc_sb_puts(v, cfg->from_addr), knc_sb_puts(v, ">");
    }
    if ((v = add_header(&hl, "To"))) {
        if (to_name && to_name->len) put_phrase(v, to_name->str, to_name->len), knc_sb_puts(v, " ");
        knc_sb_puts(v, "<"), knc_sb_put(v, to->str, to->len), knc_sb_puts(v, ">");
    }
    if ((v = add_header(&hl, "Subject"))) {
        if (subject) put_unstructured(v, subject->str, subject->len);
        else knc_sb_puts(v, "");
    }
    if ((v = add_header(&hl, "Date"))) put_date(v, now);
    if ((v = add_header(&hl, "Message-ID"))) {
        knc_sb_puts(v, "<");
        put_id_left(v, key->str, key->len);
        knc_sb_puts(v, "@");
        knc_sb_puts(v, cfg->dkim_domain ? cfg->dkim_domain : cfg->from_domain);
        knc_sb_puts(v, ">");
    }
    if ((v = add_header(&hl, "MIME-Version"))) knc_sb_puts(v, "1.0");
    for (size_t i = 0; extra && extra->type == J_OBJ && i < extra->count && rc == KN_OK; i++) {
        const char *name = extra->keys[i];
        size_t nl = extra->keylens[i];
        const jval *val = &extra->items[i];
        bool name_ok = nl >= 1 && nl < 77;
        for (size_t k = 0; name_ok && k < nl; k++) name_ok = name[k] > ' ' && name[k] < 0x7F && name[k] != ':';
        if (!name_ok) {
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers: \"%s\" is not a header name",
                          knc_clip(name, nl, shown, sizeof shown));
            break;
        }
        for (size_t r = 0; reserved[r] && rc == KN_OK; r++)
            if (strcasecmp(name, reserved[r]) == 0)
                rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers: %s is written by the plugin "
                              "itself", KNC_CLIP(name, shown));
        for (size_t k = 0; k < hl.n && rc == KN_OK; k++)
            if (strcasecmp(hl.h[k].name, name) == 0)
                rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers: %s appears twice", KNC_CLIP(name, shown));
        if (rc != KN_OK) break;
        if (val->type != J_STR || strlen(val->str) != val->len)
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers.%s must be a string", KNC_CLIP(name, shown));
        else if (has_crlf(val))
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers.%s holds CR or LF, which would start "
                          "a new header", KNC_CLIP(name, shown));
        else if (!is_ascii_printable(val->str, val->len) || val->len > HEADER_VALUE_MAX)
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers.%s must be printable ASCII of at "
                          "most %d bytes", KNC_CLIP(name, shown), HEADER_VALUE_MAX);
        else if (!(v = add_header(&hl, name)))
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.headers: more than %d headers", MAX_HEADERS - 9);
        else
            knc_sb_put(v, val->str, val->len);
    }
    if (rc != KN_OK) goto done;

    if (html) {
        /* QP output never holds "=_", so a boundary starting with it cannot occur in a part. */
        knc_strbuf boundary = {0};
        knc_sb_puts(&boundary, "=_kinora_");
        put_id_left(&boundary, key->str, key->len < 40 ? key->len : 40);
        if ((v = add_header(&hl, "Content-Type"))) {
            knc_sb_puts(v, "multipart/alternative;\r\n boundary=\"");
            knc_sb_puts(v, boundary.p ? boundary.p : "");
            knc_sb_puts(v, "\"");
        }
        knc_sb_puts(&body, "This is a MIME message: its text and HTML versions follow.\r\n\r\n--");
        knc_sb_puts(&body, boundary.p ? boundary.p : "");
        knc_sb_puts(&body, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
                           "quoted-printable\r\n\r\n");
        put_quoted_printable(&body, text->str, text->len);
        knc_sb_puts(&body, "\r\n--");
        knc_sb_puts(&body, boundary.p ? boundary.p : "");
        knc_sb_puts(&body, "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
                           "quoted-printable\r\n\r\n");
        put_quoted_printable(&body, html->str, html->len);
        knc_sb_puts(&body, "\r\n--");
        knc_sb_puts(&body, boundary.p ? boundary.p : "");
        knc_sb_puts(&body, "--\r\n");
        if (boundary.oom) body.oom = true;
        free(boundary.p);
    } else {
        if ((v = add_header(&hl, "Content-Type"))) knc_sb_puts(v, "text/plain; charset=utf-8");
        put_quoted_printable(&body, text->str, text->len);
    }
    if ((v = add_header(&hl, "Content-Transfer-Encoding"))) knc_sb_puts(v, html ? "7bit" : "quoted-printable");

    bool oom = body.oom || !v;
    for (size_t i = 0; i < hl.n; i++) oom = oom || hl.h[i].value.oom || !hl.h[i].value.p;
    if (oom) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto done;
    }
    if (cfg->dkim_key) {
        smtp_header signed_headers[MAX_HEADERS];
        for (size_t i = 0; i < hl.n; i++) signed_headers[i] = (smtp_header){hl.h[i].name, hl.h[i].value.p};
        char why[200] = "";
        if (!smtp_dkim_sign(cfg, signed_headers, hl.n, body.p ? body.p : "", body.len, now, &out->data, why,
                            sizeof why)) {
            /* A key that loaded but cannot sign is the host's problem, not the message's. */
            rc = knc_fail(err, out->data.oom ? KN_E_NO_MEMORY : KN_E_INTERNAL, "DKIM signing failed: %s", why);
            goto done;
        }
    }
    for (size_t i = 0; i < hl.n; i++) {
        knc_sb_puts(&out->data, hl.h[i].name);
        knc_sb_puts(&out->data, ": ");
        knc_sb_put(&out->data, hl.h[i].value.p, hl.h[i].value.len);
        knc_sb_puts(&out->data, "\r\n");
    }
    knc_sb_puts(&out->data, "\r\n");
    knc_sb_put(&out->data, body.p ? body.p : "", body.len);
    out->rcpt = strndup(to->str, to->len);
    /* Logs show the first letter of the local part and the domain only. */
    const char *at = strrchr(out->rcpt ? out->rcpt : "", '@');
    snprintf(out->shown_rcpt, sizeof out->shown_rcpt, "%c…%.48s", to->str[0], at ? at : "");
    if (out->data.oom || !out->rcpt) rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");

done:
    for (size_t i = 0; i < hl.n; i++) free(hl.h[i].value.p);
    free(body.p);
    knc_json_free(&root);
    if (rc != KN_OK) smtp_message_free(out);
    return rc;
}

void smtp_message_free(smtp_message *m) {
    free(m->data.p);
    free(m->rcpt);
    memset(m, 0, sizeof *m);
}
