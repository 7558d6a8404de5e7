/*
 * storage-s3: AWS Signature Version 4 (the "s3" service), for headers and presigned URLs.
 *
 * The URL a request is sent to is built from the SAME canonical path and query that are
 * signed, so what the peer recomputes is what was signed:
 *   - path: each key byte outside A-Z a-z 0-9 - _ . ~ '/' is %XX-encoded once (a space is
 *     %20, '+' is %2B, "é" is %C3%A9); path-style puts "/<bucket>" first, virtual-hosted
 *     puts the bucket in the host name;
 *   - query: names and values encoded the same way ('/' too), sorted by name then value,
 *     "name=" for valueless parameters ("?uploads");
 *   - headers: host, x-amz-content-sha256, x-amz-date, x-amz-security-token (with a session
 *     token) and the request's own, lower-case names, sorted, values trimmed.
 */
#define _GNU_SOURCE
#include "s3.h"

#include "s3_libs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void s3_uri_encode(knc_strbuf *b, const char *s, size_t n, bool keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            knc_sb_put(b, &s[i], 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            knc_sb_put(b, esc, 3);
        }
    }
}

void s3_sha256_hex(const void *data, size_t n, char out[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
    s3_hex(md, 32, out);
}

void s3_md5_base64(const void *data, size_t n, char out[25]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data, n, md, &len, EVP_md5(), NULL);
    s3_base64(md, 16, out);
}

static void hmac(const void *key, size_t keylen, const char *msg, unsigned char out[32]) {
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out, &len);
}

/* The host name (with port unless it is the scheme's default) and the canonical path. */
static void host_and_path(const s3_config *cfg, const char *key, knc_strbuf *host, knc_strbuf *path) {
    if (cfg->path_style) {
        knc_sb_puts(host, cfg->endpoint_host);
        knc_sb_puts(path, "/");
        s3_uri_encode(path, cfg->bucket, strlen(cfg->bucket), false);
        if (key) knc_sb_puts(path, "/");
    } else {
        knc_sb_puts(host, cfg->bucket);
        knc_sb_puts(host, ".");
        knc_sb_puts(host, cfg->endpoint_host);
        knc_sb_puts(path, "/");
    }
    if (key) s3_uri_encode(path, key, strlen(key), true);
}

typedef struct {
    char *name, *value; /* encoded */
} enc_kv;

static int cmp_kv(const void *a, const void *b) {
    const enc_kv *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static char *encode_dup(const char *s, bool keep_slash) {
    knc_strbuf b = {0};
    knc_sb_puts(&b, "");
    s3_uri_encode(&b, s, strlen(s), keep_slash);
    if (b.oom) return free(b.p), NULL;
    return b.p;
}

/* name=value&... sorted; the same string goes into the URL and the canonical request. */
static bool canonical_query(const s3_kv *q, int n, knc_strbuf *out) {
    enc_kv items[2 * S3_MAX_PARAMS];
    bool ok = true;
    int m = 0;
    for (int i = 0; i < n && i < 2 * S3_MAX_PARAMS; i++, m++) {
        items[i].name = encode_dup(q[i].name, false);
        items[i].value = encode_dup(q[i].value ? q[i].value : "", false);
        ok = ok && items[i].name && items[i].value;
    }
    if (ok) qsort(items, (size_t)m, sizeof *items, cmp_kv);
    knc_sb_puts(out, "");
    for (int i = 0; i < m; i++) {
        if (ok) {
            if (i) knc_sb_puts(out, "&");
            knc_sb_puts(out, items[i].name), knc_sb_puts(out, "="), knc_sb_puts(out, items[i].value);
        }
        free(items[i].name), free(items[i].value);
    }
    return ok && !out->oom;
}

static int cmp_header(const void *a, const void *b) {
    return strcmp(((const s3_kv *)a)->name, ((const s3_kv *)b)->name);
}

/* Signature over the canonical request; fills signed_headers and hex signature. */
static bool signature(const s3_config *cfg, const char *method, const char *path, const char *query,
                      s3_kv *headers, int nheaders, const char *payload_hash, const char *amz_date,
                      knc_strbuf *signed_headers, char sig[65]) {
    knc_strbuf canon = {0}, sts = {0};
    char date[9], hash[65], scope[256];
    unsigned char k1[32], k2[32], k3[32], k4[32], out[32];
    qsort(headers, (size_t)nheaders, sizeof *headers, cmp_header);
    knc_sb_puts(&canon, method), knc_sb_puts(&canon, "\n");
    knc_sb_puts(&canon, path), knc_sb_puts(&canon, "\n");
    knc_sb_puts(&canon, query), knc_sb_puts(&canon, "\n");
    knc_sb_puts(signed_headers, "");
    for (int i = 0; i < nheaders; i++) {
        const char *v = headers[i].value;
        size_t len = strlen(v);
        while (len && (*v == ' ' || *v == '\t')) v++, len--;
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\t')) len--;
        knc_sb_puts(&canon, headers[i].name), knc_sb_puts(&canon, ":");
        knc_sb_put(&canon, v, len), knc_sb_puts(&canon, "\n");
        if (i) knc_sb_puts(signed_headers, ";");
        knc_sb_puts(signed_headers, headers[i].name);
    }
    knc_sb_puts(&canon, "\n");
    knc_sb_puts(&canon, signed_headers->p ? signed_headers->p : "");
    knc_sb_puts(&canon, "\n");
    knc_sb_puts(&canon, payload_hash);
    memcpy(date, amz_date, 8), date[8] = '\0';
    snprintf(scope, sizeof scope, "%s/%s/s3/aws4_request", date, cfg->region);
    s3_sha256_hex(canon.p ? canon.p : "", canon.len, hash);
    knc_sb_puts(&sts, "AWS4-HMAC-SHA256\n"), knc_sb_puts(&sts, amz_date), knc_sb_puts(&sts, "\n");
    knc_sb_puts(&sts, scope), knc_sb_puts(&sts, "\n"), knc_sb_puts(&sts, hash);
    bool ok = !canon.oom && !sts.oom && !signed_headers->oom;
    if (ok) {
        size_t slen = strlen(cfg->secret_access_key);
        char *secret = malloc(slen + 5);
        if (!secret) ok = false;
        else {
            memcpy(secret, "AWS4", 4), memcpy(secret + 4, cfg->secret_access_key, slen + 1);
            hmac(secret, slen + 4, date, k1);
            memset(secret, 0, slen + 4), free(secret);
            hmac(k1, 32, cfg->region, k2);
            hmac(k2, 32, "s3", k3);
            hmac(k3, 32, "aws4_request", k4);
            hmac(k4, 32, sts.p, out);
            s3_hex(out, 32, sig);
        }
    }
    free(canon.p), free(sts.p);
    return ok;
}

static void format_date(int64_t unix_s, char out[17]) {
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

bool s3_sign(const s3_config *cfg, const s3_req *req, int64_t unix_s, s3_signed *out) {
    knc_strbuf path = {0}, query = {0}, signed_headers = {0};
    s3_kv headers[S3_MAX_PARAMS + 4];
    char sig[65], scope_date[9];
    int n = 0;
    memset(out, 0, sizeof *out);
    format_date(unix_s, out->amz_date);
    host_and_path(cfg, req->key, &out->host, &path);
    bool ok = canonical_query(req->query, req->nquery, &query);
    headers[n++] = (s3_kv){"host", out->host.p};
    headers[n++] = (s3_kv){"x-amz-content-sha256", req->payload_hash};
    headers[n++] = (s3_kv){"x-amz-date", out->amz_date};
    if (cfg->session_token && *cfg->session_token)
        headers[n++] = (s3_kv){"x-amz-security-token", cfg->session_token};
    for (int i = 0; i < req->nheaders && i < S3_MAX_PARAMS; i++) headers[n++] = req->headers[i];
    ok = ok && !path.oom && !out->host.oom &&
         signature(cfg, req->method, path.p, query.p, headers, n, req->payload_hash, out->amz_date,
                   &signed_headers, sig);
    if (ok) {
        memcpy(scope_date, out->amz_date, 8), scope_date[8] = '\0';
        knc_sb_puts(&out->url, cfg->https ? "https://" : "http://");
        knc_sb_puts(&out->url, out->host.p);
        knc_sb_puts(&out->url, path.p);
        if (query.len) knc_sb_puts(&out->url, "?"), knc_sb_puts(&out->url, query.p);
        knc_sb_puts(&out->authorization, "AWS4-HMAC-SHA256 Credential=");
        knc_sb_puts(&out->authorization, cfg->access_key_id);
        knc_sb_puts(&out->authorization, "/"), knc_sb_puts(&out->authorization, scope_date);
        knc_sb_puts(&out->authorization, "/"), knc_sb_puts(&out->authorization, cfg->region);
        knc_sb_puts(&out->authorization, "/s3/aws4_request, SignedHeaders=");
        knc_sb_puts(&out->authorization, signed_headers.p);
        knc_sb_puts(&out->authorization, ", Signature="), knc_sb_puts(&out->authorization, sig);
        ok = !out->url.oom && !out->authorization.oom;
    }
    free(path.p), free(query.p), free(signed_headers.p);
    if (!ok) s3_signed_free(out);
    return ok;
}

void s3_signed_free(s3_signed *s) {
    free(s->url.p), free(s->host.p), free(s->authorization.p);
    memset(s, 0, sizeof *s);
}

bool s3_presign_url(const s3_config *cfg, const char *method, const char *key, int64_t ttl_s,
                    int64_t unix_s, knc_strbuf *url) {
    knc_strbuf host = {0}, path = {0}, query = {0}, signed_headers = {0};
    char amz_date[17], credential[512], expires[24], sig[65];
    s3_kv q[6];
    int nq = 0;
    format_date(unix_s, amz_date);
    snprintf(credential, sizeof credential, "%s/%.8s/%s/s3/aws4_request", cfg->access_key_id,
             amz_date, cfg->region);
    snprintf(expires, sizeof expires, "%lld", (long long)ttl_s);
    q[nq++] = (s3_kv){"X-Amz-Algorithm", "AWS4-HMAC-SHA256"};
    q[nq++] = (s3_kv){"X-Amz-Credential", credential};
    q[nq++] = (s3_kv){"X-Amz-Date", amz_date};
    q[nq++] = (s3_kv){"X-Amz-Expires", expires};
    q[nq++] = (s3_kv){"X-Amz-SignedHeaders", "host"};
    if (cfg->session_token && *cfg->session_token)
        q[nq++] = (s3_kv){"X-Amz-Security-Token", cfg->session_token};
    host_and_path(cfg, key, &host, &path);
    s3_kv headers[1] = {{"host", host.p}};
    bool ok = !host.oom && !path.oom && canonical_query(q, nq, &query) &&
              signature(cfg, method, path.p, query.p, headers, 1, "UNSIGNED-PAYLOAD", amz_date,
                        &signed_headers, sig);
    if (ok) {
        knc_sb_puts(url, cfg->https ? "https://" : "http://");
        knc_sb_puts(url, host.p), knc_sb_puts(url, path.p);
        knc_sb_puts(url, "?"), knc_sb_puts(url, query.p);
        knc_sb_puts(url, "&X-Amz-Signature="), knc_sb_puts(url, sig);
        ok = !url->oom;
    }
    free(host.p), free(path.p), free(query.p), free(signed_headers.p);
    return ok;
}
