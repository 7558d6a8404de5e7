/*
 * notify-smtp: DKIM signatures (RFC 6376) with rsa-sha256 and relaxed/relaxed
 * canonicalization, which survives the whitespace changes and header refolding relays make.
 * Every header the plugin wrote is signed (h= lists them, List-Unsubscribe and
 * List-Unsubscribe-Post among them as RFC 8058 §4 requires); t= is the Date's time.
 */
#define _GNU_SOURCE
#include "smtp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knc_base64.h"

static bool is_wsp(char c) { return c == ' ' || c == '\t'; }

/* RFC 6376 §3.4.2: name lower-cased, value unfolded, runs of whitespace made one space,
 * whitespace at either end of the value dropped; "name:value". */
static void canon_header(knc_strbuf *b, const char *name, const char *value, bool crlf) {
    for (const char *p = name; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        knc_sb_put(b, &c, 1);
    }
    knc_sb_puts(b, ":");
    const char *p = value;
    while (*p && (is_wsp(*p) || *p == '\r' || *p == '\n')) p++;
    bool pending_space = false;
    for (; *p; p++) {
        if (*p == '\r' || *p == '\n') continue;
        if (is_wsp(*p)) {
            pending_space = true;
            continue;
        }
        if (pending_space) knc_sb_puts(b, " "), pending_space = false;
        knc_sb_put(b, p, 1);
    }
    if (crlf) knc_sb_puts(b, "\r\n");
}

/* RFC 6376 §3.4.4: whitespace at line ends dropped, runs made one space, empty lines at the
 * end dropped; a non-empty body ends in CRLF. The body here always uses CRLF line ends. */
static void canon_body(knc_strbuf *b, const char *body, size_t n) {
    size_t pending_empty = 0;
    size_t i = 0;
    while (i < n) {
        const char *line = body + i;
        const char *end = memmem(line, n - i, "\r\n", 2);
        size_t len = end ? (size_t)(end - line) : n - i;
        i += len + (end ? 2 : 0);
        while (len && is_wsp(line[len - 1])) len--;
        if (len == 0) {
            pending_empty++;
            continue;
        }
        for (; pending_empty; pending_empty--) knc_sb_puts(b, "\r\n");
        bool space = false;
        for (size_t k = 0; k < len; k++) {
            if (is_wsp(line[k])) {
                space = true;
                continue;
            }
            if (space) knc_sb_puts(b, " "), space = false;
            knc_sb_put(b, line + k, 1);
        }
        knc_sb_puts(b, "\r\n");
    }
}

static void crypto_why(char *why, size_t cap, const char *what) {
    unsigned long e = knc_curl.err_get_error();
    char detail[160] = "";
    if (e) knc_curl.err_error_string_n(e, detail, sizeof detail);
    while (knc_curl.err_get_error()) {}
    snprintf(why, cap, "%s%s%s", what, detail[0] ? ": " : "", detail);
}

bool smtp_dkim_sign(const smtp_config *cfg, const smtp_header *headers, size_t nheaders, const char *body,
                    size_t body_len, int64_t now, knc_strbuf *out, char *why, size_t whycap) {
    knc_strbuf cbody = {0}, value = {0}, input = {0};
    unsigned char hash[32], *sig = NULL;
    unsigned int hlen = 0;
    bool ok = false;
    canon_body(&cbody, body, body_len);
    if (cbody.oom) goto oom;
    if (!knc_curl.evp_digest(cbody.p ? cbody.p : "", cbody.len, hash, &hlen, knc_curl.evp_sha256(), NULL)) {
        crypto_why(why, whycap, "SHA-256 of the body");
        goto done;
    }
    char bh[KNC_BASE64_LEN(32) + 1], line[256];
    knc_base64_encode(hash, 32, bh);
    snprintf(line, sizeof line, "v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=%s;\r\n\tt=%lld; h=",
             cfg->dkim_domain, cfg->dkim_selector, (long long)now);
    knc_sb_puts(&value, line);
    for (size_t i = 0; i < nheaders; i++) {
        if (i) knc_sb_puts(&value, i % 6 == 0 ? ":\r\n\t" : ":");
        for (const char *p = headers[i].name; *p; p++) {
            char c = (char)tolower((unsigned char)*p);
            knc_sb_put(&value, &c, 1);
        }
    }
    knc_sb_puts(&value, ";\r\n\tbh=");
    knc_sb_puts(&value, bh);
    knc_sb_puts(&value, ";\r\n\tb=");
    for (size_t i = 0; i < nheaders; i++) canon_header(&input, headers[i].name, headers[i].value, true);
    if (value.oom) goto oom;
    canon_header(&input, "DKIM-Signature", value.p, false); /* b= empty, no CRLF (§3.7) */
    if (input.oom) goto oom;

    EVP_MD_CTX *ctx = knc_curl.evp_md_ctx_new();
    size_t siglen = 0;
    if (!ctx) goto oom;
    if (knc_curl.evp_digest_sign_init(ctx, NULL, knc_curl.evp_sha256(), NULL, cfg->dkim_key) != 1 ||
        knc_curl.evp_digest_sign(ctx, NULL, &siglen, (const unsigned char *)input.p, input.len) != 1 ||
        !(sig = malloc(siglen)) ||
        knc_curl.evp_digest_sign(ctx, sig, &siglen, (const unsigned char *)input.p, input.len) != 1) {
        knc_curl.evp_md_ctx_free(ctx);
        if (!sig && siglen) goto oom;
        crypto_why(why, whycap, "RSA signature");
        goto done;
    }
    knc_curl.evp_md_ctx_free(ctx);
    char *b64 = malloc(KNC_BASE64_LEN(siglen) + 1);
    if (!b64) goto oom;
    knc_base64_encode(sig, siglen, b64);
    knc_sb_puts(out, "DKIM-Signature: ");
    knc_sb_put(out, value.p, value.len);
    knc_sb_puts(out, b64);
    knc_sb_puts(out, "\r\n");
    free(b64);
    ok = !out->oom;
    if (!ok) snprintf(why, whycap, "out of memory");
    goto done;
oom:
    out->oom = true;
    snprintf(why, whycap, "out of memory");
done:
    free(sig);
    free(cbody.p), free(value.p), free(input.p);
    return ok;
}
