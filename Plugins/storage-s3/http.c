/*
 * storage-s3: one signed S3 request over libcurl, with retries and error mapping.
 *
 * Handles are pooled per instance (curl_easy_reset keeps a handle's connections), so
 * sequential calls reuse keep-alive connections. Response bodies of successful GETs stream
 * to the caller's writer; everything else (error bodies, XML replies) lands in h->resp,
 * capped at S3_RESP_MAX. Transient failures (connection errors, timeouts without progress,
 * 5xx, SlowDown, 429) are retried up to max_retries times with full-jitter exponential
 * backoff, as long as nothing was written to the sink yet and the call is still wanted.
 */
#define _GNU_SOURCE
#include "s3.h"

#include "s3_libs.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#define S3_RESP_MAX (4u << 20)

bool s3_http_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }

static CURL *take_handle(s3_instance *inst) {
    CURL *c = NULL;
    pthread_mutex_lock(&inst->pool_mu);
    if (inst->nidle) c = inst->idle[--inst->nidle];
    pthread_mutex_unlock(&inst->pool_mu);
    if (c) curl_easy_reset(c);
    return c ? c : curl_easy_init();
}

static void give_handle(s3_instance *inst, CURL *c) {
    pthread_mutex_lock(&inst->pool_mu);
    if (inst->nidle < S3_POOL_MAX) inst->idle[inst->nidle++] = c, c = NULL;
    pthread_mutex_unlock(&inst->pool_mu);
    if (c) curl_easy_cleanup(c);
}

void s3_pool_drain(s3_instance *inst) {
    pthread_mutex_lock(&inst->pool_mu);
    while (inst->nidle) curl_easy_cleanup(inst->idle[--inst->nidle]);
    pthread_mutex_unlock(&inst->pool_mu);
}

typedef struct {
    s3_http *h;
    size_t pos; /* upload position in h->body */
} xfer;

static void copy_value(char *dst, size_t cap, const char *v, size_t n) {
    while (n && (*v == ' ' || *v == '\t')) v++, n--;
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(dst, v, n), dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud) {
    s3_http *h = ((xfer *)ud)->h;
    size_t n = size * nmemb;
    char v[256];
    const char *colon = memchr(p, ':', n);
    if (n > 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after 100 Continue, too) */
        const char *sp = memchr(p, ' ', n);
        h->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        h->etag[0] = h->content_type[0] = '\0';
        h->content_length = h->range_total = -1, h->mtime_ns = 0, h->resp.len = 0;
        return n;
    }
    if (!colon) return n;
    size_t nl = (size_t)(colon - p);
    copy_value(v, sizeof v, colon + 1, n - nl - 1);
#define IS(name) (nl == strlen(name) && strncasecmp(p, name, nl) == 0)
    if (IS("etag")) copy_value(h->etag, sizeof h->etag, v, strlen(v));
    else if (IS("content-type")) copy_value(h->content_type, sizeof h->content_type, v, strlen(v));
    else if (IS("content-length")) h->content_length = strtoll(v, NULL, 10);
    else if (IS("content-range")) { /* "bytes 0-9/10000" */
        const char *slash = strrchr(v, '/');
        if (slash && slash[1] != '*') h->range_total = strtoll(slash + 1, NULL, 10);
    } else if (IS("last-modified")) {
        time_t t = curl_getdate(v, NULL);
        if (t > 0) h->mtime_ns = (int64_t)t * 1000000000;
    }
#undef IS
    return n;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud) {
    s3_http *h = ((xfer *)ud)->h;
    size_t n = size * nmemb;
    if (h->sink && h->status >= 200 && h->status < 300) {
        kn_status_t rc = h->sink->write(h->sink->ctx, (const uint8_t *)p, n);
        if (rc != KN_OK) {
            h->sink_status = rc < 0 ? rc : KN_E_CANCELLED;
            return 0; /* curl stops with CURLE_WRITE_ERROR */
        }
        h->written += (int64_t)n;
        return n;
    }
    if (h->resp.len + n <= S3_RESP_MAX) knc_sb_put(&h->resp, p, n);
    return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud) {
    xfer *x = ud;
    size_t n = size * nitems, left = x->h->body_len - x->pos;
    if (n > left) n = left;
    if (n) memcpy(buf, x->h->body + x->pos, n), x->pos += n;
    return n;
}

static int on_seek(void *ud, curl_off_t offset, int origin) {
    xfer *x = ud;
    if (origin != SEEK_SET || offset < 0 || (size_t)offset > x->h->body_len) return CURL_SEEKFUNC_FAIL;
    x->pos = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
    (void)a, (void)b, (void)c, (void)d;
    const kn_call_t *call = ((xfer *)ud)->h->call;
    return call && call->is_cancelled && call->is_cancelled(call) ? 1 : 0;
}

/* S3 error codes -> ABI statuses. `hint` gets advice for the operator, if any. */
static kn_status_t map_error(long status, const char *code, const char **hint) {
    *hint = "";
#define C(x) (strcmp(code, x) == 0)
    if (C("NoSuchKey") || C("NoSuchUpload") || (status == 404 && !*code)) return KN_E_NOT_FOUND;
    if (C("NoSuchBucket")) return *hint = " (check settings.bucket)", KN_E_CONFIG;
    if (C("SlowDown") || C("ServiceUnavailable") || C("InternalError") || C("RequestTimeout") ||
        status >= 500 || status == 429)
        return KN_E_UNAVAILABLE;
    if (C("SignatureDoesNotMatch"))
        return *hint = " (the peer computed another signature: check secret_access_key)",
               KN_E_PERMISSION;
    if (C("InvalidAccessKeyId")) return *hint = " (check access_key_id)", KN_E_PERMISSION;
    if (C("RequestTimeTooSkewed"))
        return *hint = " (this machine's clock differs too much from the peer's)", KN_E_PERMISSION;
    if (C("AccessDenied") || C("ExpiredToken") || C("InvalidToken") || status == 403 || status == 401)
        return KN_E_PERMISSION;
    if (C("QuotaExceeded")) return KN_E_NO_SPACE;
    if (C("InvalidRange") || status == 416) return KN_E_INVALID_ARGUMENT;
    if (C("BadDigest") || C("InvalidDigest") || C("IncompleteBody")) return KN_E_IO;
#undef C
    return KN_E_IO;
}

static void sleep_backoff(int attempt) {
    long max_ms = 100L << (attempt < 6 ? attempt : 6);
    if (max_ms > 5000) max_ms = 5000;
    long ms = max_ms / 2 + random() % (max_ms / 2 + 1); /* jittered: [max/2, max] */
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static kn_status_t attempt(s3_instance *inst, CURL *c, s3_http *h, kn_error_t *err) {
    const s3_config *cfg = &inst->cfg;
    const s3_req *req = h->req;
    s3_signed sg;
    char line[1400], shown[160];
    struct curl_slist *hdrs = NULL;
    xfer x = {h, 0};
    if (!s3_sign(cfg, req, s3_now_ns() / 1000000000, &sg)) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    h->status = 0, h->resp.len = 0, h->etag[0] = h->content_type[0] = '\0';
    h->content_length = h->range_total = -1, h->mtime_ns = 0, h->code[0] = '\0';
#define ADD(...) (snprintf(line, sizeof line, __VA_ARGS__), hdrs = curl_slist_append(hdrs, line))
    ADD("Host: %s", sg.host.p);
    ADD("Authorization: %s", sg.authorization.p);
    ADD("x-amz-date: %s", sg.amz_date);
    ADD("x-amz-content-sha256: %s", req->payload_hash);
    if (cfg->session_token && *cfg->session_token) ADD("x-amz-security-token: %s", cfg->session_token);
    bool has_type = false;
    for (int i = 0; i < req->nheaders; i++) {
        ADD("%s: %s", req->headers[i].name, req->headers[i].value);
        has_type = has_type || strcmp(req->headers[i].name, "content-type") == 0;
    }
    ADD("Expect:");
    if (!has_type) ADD("Content-Type:");
#undef ADD
    curl_easy_setopt(c, CURLOPT_URL, sg.url.p);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, cfg->idle_timeout_s);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 1024L * 1024);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
    if (cfg->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
    if (h->call && h->call->deadline_unix_ns > 0) {
        int64_t left = (h->call->deadline_unix_ns - s3_now_ns()) / 1000000;
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > 1 ? left : 1));
    }
    if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(req->method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &x);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, &x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)h->body_len);
    } else if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body ? (const char *)h->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->body_len);
    } else if (strcmp(req->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    }
    CURLcode cc = curl_easy_perform(c);
    curl_slist_free_all(hdrs);
    s3_signed_free(&sg);
    const char *what = req->key ? req->key + strlen(cfg->prefix) : "(bucket)";
    if (req->key && strncmp(req->key, cfg->prefix, strlen(cfg->prefix)) != 0) what = req->key;
    if (cc != CURLE_OK) {
        if (cc == CURLE_WRITE_ERROR && h->sink_status)
            return knc_fail(err, h->sink_status, "the reader of %s went away", KNC_CLIP(what, shown));
        if (cc == CURLE_ABORTED_BY_CALLBACK) return knc_fail(err, KN_E_CANCELLED, "the call was cancelled");
        if (cc == CURLE_OPERATION_TIMEDOUT && h->call && h->call->deadline_unix_ns > 0 &&
            s3_now_ns() >= h->call->deadline_unix_ns)
            return knc_fail(err, KN_E_TIMEOUT, "S3 %s %s: the call's deadline passed", req->method,
                           KNC_CLIP(what, shown));
        kn_status_t st = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
                                 cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR ||
                                 cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE ||
                                 cc == CURLE_OPERATION_TIMEDOUT
                             ? KN_E_UNAVAILABLE : KN_E_IO;
        knc_fail(err, st, "S3 %s %s at %s: %s", req->method, KNC_CLIP(what, shown), cfg->endpoint,
                curl_easy_strerror(cc));
        err->detail = (int32_t)cc;
        return st;
    }
    if (h->status >= 200 && h->status < 300) return KN_OK;
    char msg[300] = "";
    const char *hint;
    if (h->resp.len) s3_xml_error(h->resp.p, h->resp.len, h->code, sizeof h->code, msg, sizeof msg);
    kn_status_t st = map_error(h->status, h->code, &hint);
    knc_fail(err, st, "S3 %s %s in bucket %s: HTTP %ld%s%s%s%s%s", req->method, KNC_CLIP(what, shown),
            cfg->bucket, h->status, h->code[0] ? " " : "", h->code, msg[0] ? ": " : "", msg, hint);
    err->detail = (int32_t)h->status;
    return st;
}

kn_status_t s3_perform(s3_instance *inst, s3_http *h, kn_error_t *err) {
    CURL *c = take_handle(inst);
    if (!c) return knc_fail(err, KN_E_NO_MEMORY, "curl_easy_init failed");
    kn_status_t rc;
    for (int n = 0;; n++) {
        rc = attempt(inst, c, h, err);
        if (rc != KN_E_UNAVAILABLE || h->no_retry || h->written > 0 || n >= inst->cfg.max_retries ||
            s3_check_call(h->call, NULL) != KN_OK)
            break;
        knc_log(inst->host, KN_LOG_DEBUG, "retrying (%d of %d): %s", n + 1, inst->cfg.max_retries,
               err->message);
        sleep_backoff(n);
    }
    give_handle(inst, c);
    return rc;
}

void s3_http_free(s3_http *h) {
    free(h->resp.p);
    h->resp = (knc_strbuf){0};
}
