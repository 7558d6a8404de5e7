/*
 * notify-webpush: RFC 8292 VAPID. Each request carries
 *   Authorization: vapid t=<JWT>, k=<the application server's public key, base64url>
 * where the JWT is ES256-signed with that key over {"aud": the endpoint's origin, "exp": now +
 * 12 h (the RFC allows 24 h at most), "sub": settings.subject}. libcrypto signs in DER
 * (SEQUENCE of two INTEGERs); JWS wants the two 32-byte big-endian integers r || s.
 */
#define _GNU_SOURCE
#include "webpush.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knc_base64.h"

#define VAPID_LIFETIME_S (12 * 3600)

/* One DER INTEGER at *p (end excluded) into 32 big-endian bytes; advances *p. */
static bool der_integer(const unsigned char **p, const unsigned char *end, unsigned char out[32]) {
    const unsigned char *q = *p;
    if (end - q < 2 || q[0] != 0x02) return false;
    size_t len = q[1];
    q += 2;
    if (len == 0 || (size_t)(end - q) < len) return false;
    const unsigned char *v = q;
    while (len > 32 && *v == 0) v++, len--; /* a leading 0x00 keeps a high bit positive */
    if (len > 32) return false;
    memset(out, 0, 32);
    memcpy(out + 32 - len, v, len);
    *p = q + (v - q) + len;
    return true;
}

/* DER ECDSA-Sig-Value { r INTEGER, s INTEGER } to r || s (64 bytes). */
static bool der_to_raw(const unsigned char *der, size_t n, unsigned char raw[64]) {
    const unsigned char *p = der, *end = der + n;
    if (n < 8 || p[0] != 0x30) return false;
    size_t len = p[1];
    p += 2;
    if (len & 0x80) return false; /* P-256 signatures are < 128 bytes: short form only */
    if ((size_t)(end - p) != len) return false;
    return der_integer(&p, end, raw) && der_integer(&p, end, raw + 32) && p == end;
}

static bool sign_es256(EVP_PKEY *key, const char *input, size_t n, unsigned char raw[64]) {
    unsigned char der[80];
    size_t dlen = sizeof der;
    EVP_MD_CTX *md = knc_curl.evp_md_ctx_new();
    bool ok = md && knc_curl.evp_digest_sign_init(md, NULL, knc_curl.evp_sha256(), NULL, key) > 0 &&
              knc_curl.evp_digest_sign(md, der, &dlen, (const unsigned char *)input, n) > 0 && der_to_raw(der, dlen, raw);
    knc_curl.evp_md_ctx_free(md);
    return ok;
}

char *wp_vapid_header(const wp_config *cfg, const char *origin, int64_t now_s, kn_error_t *err) {
    knc_strbuf claims = {0}, jwt = {0};
    char num[32], why[160];
    knc_sb_puts(&claims, "{\"aud\":");
    knc_sb_json_string(&claims, origin);
    snprintf(num, sizeof num, ",\"exp\":%lld", (long long)(now_s + VAPID_LIFETIME_S));
    knc_sb_puts(&claims, num);
    knc_sb_puts(&claims, ",\"sub\":");
    knc_sb_json_string(&claims, cfg->subject);
    knc_sb_puts(&claims, "}");
    static const char header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
    char *enc = malloc(KNC_BASE64URL_LEN(claims.len + sizeof header) + 1);
    if (claims.oom || !enc) {
        free(claims.p), free(enc);
        knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        return NULL;
    }
    knc_base64url_encode(header, sizeof header - 1, enc);
    knc_sb_puts(&jwt, "vapid t=");
    size_t signed_from = jwt.len;
    knc_sb_puts(&jwt, enc);
    knc_sb_puts(&jwt, ".");
    knc_base64url_encode(claims.p, claims.len, enc);
    knc_sb_puts(&jwt, enc);
    free(claims.p), free(enc);
    unsigned char raw[64];
    char sig[KNC_BASE64URL_LEN(64) + 1];
    if (jwt.oom) {
        free(jwt.p);
        knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        return NULL;
    }
    if (!sign_es256(cfg->vapid_key, jwt.p + signed_from, jwt.len - signed_from, raw)) {
        free(jwt.p);
        knc_fail(err, KN_E_INTERNAL, "signing the VAPID token failed: %s", wp_crypto_error(why, sizeof why));
        return NULL;
    }
    knc_base64url_encode(raw, sizeof raw, sig);
    knc_sb_puts(&jwt, ".");
    knc_sb_puts(&jwt, sig);
    knc_sb_puts(&jwt, ", k=");
    knc_sb_puts(&jwt, cfg->public_key_b64);
    if (jwt.oom) {
        free(jwt.p);
        knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        return NULL;
    }
    return jwt.p;
}
