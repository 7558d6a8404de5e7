/*
 * notify-webpush: one message to one subscription. The message's "to" is the browser's
 * subscription {"endpoint", "keys": {"p256dh", "auth"}}; the payload, a small JSON object the
 * service worker shows ({"title", "body", "url", "tag"}), is encrypted for the subscription
 * (ece.c) and POSTed to the endpoint with a VAPID token (vapid.c) over a pooled handle.
 *
 * Outcomes (RFC 8030 §5, §8.3): 200/201/202 "delivered" (provider_id: the Location of the
 * push message resource); 404/410 "permanent" with "address_gone" (the subscription has
 * expired or was withdrawn: the host forgets it); 408, 429, 5xx, no answer "retryable" with
 * Retry-After honoured; any other status "permanent" (413: the payload is too large; 400,
 * 401, 403: the push service refused the request or the VAPID token).
 */
#define _GNU_SOURCE
#include "webpush.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "knc_base64.h"
#include "knc_jsonw.h"

#define ANSWER_MAX 2048
#define ENDPOINT_MAX 4096
#define BODY_TEXT_MAX 1000
#define TITLE_MAX 200
#define LOCATION_MAX 512

typedef struct {
    const kn_call_t *call;
    const atomic_bool *stopping;
    long retry_after;
    char answer[ANSWER_MAX];
    size_t answer_len;
    char location[LOCATION_MAX];
} xfer;

typedef struct {
    const char *endpoint;
    char origin[512];
    unsigned char p256dh[WP_POINT_LEN], auth[WP_AUTH_LEN];
} subscription;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A header's value without the name, surrounding blanks and CRLF. */
static size_t header_value(const char *p, size_t n, size_t name_len, char *out, size_t cap) {
    const char *s = p + name_len;
    size_t k = n - name_len;
    while (k && (*s == ' ' || *s == '\t')) s++, k--;
    while (k && (s[k - 1] == '\r' || s[k - 1] == '\n' || s[k - 1] == ' ' || s[k - 1] == '\t')) k--;
    if (k >= cap) k = cap - 1;
    memcpy(out, s, k), out[k] = '\0';
    return k;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb;
    if (n > 5 && strncmp(p, "HTTP/", 5) == 0) x->retry_after = 0, x->answer_len = 0, x->location[0] = '\0';
    if (n > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
        char v[80], *end;
        header_value(p, n, 12, v, sizeof v);
        long secs = strtol(v, &end, 10);
        if (end != v && *end == '\0') x->retry_after = secs > 0 ? secs : 0;
        else {
            time_t when = knc_curl.getdate(v, NULL), now = time(NULL);
            if (when > now) x->retry_after = (long)(when - now);
        }
        if (x->retry_after > 86400) x->retry_after = 86400;
    }
    if (n > 9 && strncasecmp(p, "location:", 9) == 0) header_value(p, n, 9, x->location, sizeof x->location);
    return n;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb, room = ANSWER_MAX - 1 - x->answer_len, k = n < room ? n : room;
    memcpy(x->answer + x->answer_len, p, k);
    x->answer_len += k;
    x->answer[x->answer_len] = '\0';
    return n;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
    (void)a, (void)b, (void)c, (void)d;
    const xfer *x = ud;
    return atomic_load(x->stopping) || (x->call && x->call->is_cancelled(x->call)) ? 1 : 0;
}

static void finish(kn_completion_t done, const char *outcome, const char *reason, long retry_after, bool gone,
                   const char *provider_id) {
    knc_strbuf b = {0};
    char line[64];
    knc_sb_puts(&b, "{\"outcome\":");
    knc_sb_json_string(&b, outcome);
    if (provider_id && provider_id[0]) knc_sb_puts(&b, ",\"provider_id\":"), knc_sb_json_string(&b, provider_id);
    if (reason) knc_sb_puts(&b, ",\"reason\":"), knc_sb_json_string(&b, reason);
    if (retry_after > 0) snprintf(line, sizeof line, ",\"retry_after_seconds\":%ld", retry_after), knc_sb_puts(&b, line);
    if (gone) knc_sb_puts(&b, ",\"address_gone\":true");
    knc_sb_puts(&b, "}");
    if (b.oom) {
        kn_error_t e;
        knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        done.complete(done.ctx, KN_E_NO_MEMORY, &e, NULL);
    } else {
        done.complete(done.ctx, KN_OK, NULL, b.p);
    }
    free(b.p);
}

static const char *jstr(const jval *obj, const char *key) {
    const jval *v = obj ? knc_json_get(obj, key) : NULL;
    return v && v->type == J_STR && strlen(v->str) == v->len ? v->str : NULL;
}

static bool decode_key(const char *text, unsigned char *out, size_t want) {
    unsigned char buf[WP_POINT_LEN + 8];
    size_t len = 0, n = text ? strlen(text) : 0;
    if (n == 0 || n > 100 || !knc_base64url_decode(text, n, buf, &len) || len != want) return false;
    memcpy(out, buf, want);
    return true;
}

/* The endpoint's origin ("https://push.example.net[:port]"), checked: https, or http to the
 * loopback host when settings.allow_insecure_endpoints is true (tests). */
static kn_status_t read_subscription(const wp_config *cfg, const jval *to, subscription *sub, kn_error_t *err) {
    if (!to || to->type != J_OBJ)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to is not a subscription object {\"endpoint\", \"keys\"}");
    const char *ep = jstr(to, "endpoint");
    const jval *keys = knc_json_get(to, "keys");
    if (!ep) return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint is missing");
    size_t n = strlen(ep);
    if (n > ENDPOINT_MAX) return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint is longer than %d bytes", ENDPOINT_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)ep[i] <= 0x20 || ep[i] == 0x7f)
            return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint holds a blank or control character");
    const char *rest = strncmp(ep, "https://", 8) == 0 ? ep + 8 : strncmp(ep, "http://", 7) == 0 ? ep + 7 : NULL;
    if (!rest) return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint is not an https:// URL");
    size_t alen = strcspn(rest, "/?#");
    if (alen == 0 || memchr(rest, '@', alen))
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint has no host, or credentials in it");
    if (rest == ep + 7) {
        bool loopback = (alen >= 9 && strncmp(rest, "127.0.0.1", 9) == 0 && (alen == 9 || rest[9] == ':')) ||
                        (alen >= 9 && strncasecmp(rest, "localhost", 9) == 0 && (alen == 9 || rest[9] == ':'));
        if (!cfg->allow_insecure || !loopback)
            return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint is not an https:// URL%s",
                            cfg->allow_insecure ? " (http:// is allowed to 127.0.0.1 and localhost only)" : "");
    }
    size_t olen = (size_t)(rest - ep) + alen;
    if (olen >= sizeof sub->origin) return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.endpoint's host is too long");
    memcpy(sub->origin, ep, olen), sub->origin[olen] = '\0';
    sub->endpoint = ep;
    if (!keys || keys->type != J_OBJ) return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.keys is missing");
    if (!decode_key(jstr(keys, "p256dh"), sub->p256dh, WP_POINT_LEN) || sub->p256dh[0] != 0x04)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.keys.p256dh is not base64url of a 65-byte uncompressed "
                        "P-256 point");
    if (!decode_key(jstr(keys, "auth"), sub->auth, WP_AUTH_LEN))
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.keys.auth is not base64url of 16 bytes");
    return KN_OK;
}

/* The longest prefix of s, at most max bytes, that ends on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max) {
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return k;
}

/* {"title", "body", "url", "tag"}: the body cut so that the whole fits one record. */
static kn_status_t build_payload(const jval *msg, knc_strbuf *out, kn_error_t *err) {
    const char *title = jstr(msg, "subject"), *text = jstr(msg, "text"), *key = jstr(msg, "idempotency_key");
    const jval *data = knc_json_get(msg, "data");
    const char *url = data && data->type == J_OBJ ? jstr(data, "url") : NULL;
    if (!url && data && data->type == J_OBJ) url = jstr(data, "video_url");
    const jval *tv = knc_json_get(msg, "text");
    size_t text_len = tv ? tv->len : 0;
    for (size_t limit = BODY_TEXT_MAX;; limit /= 2) {
        knc_strbuf b = {0};
        knc_sb_puts(&b, "{\"title\":");
        if (title) knc_sb_json_string_n(&b, title, utf8_cut(title, strlen(title), TITLE_MAX));
        else knc_sb_puts(&b, "\"\"");
        knc_sb_puts(&b, ",\"body\":");
        knc_sb_json_string_n(&b, text, utf8_cut(text, text_len, limit));
        if (url) knc_sb_puts(&b, ",\"url\":"), knc_sb_json_string(&b, url);
        knc_sb_puts(&b, ",\"tag\":");
        knc_sb_json_string(&b, key);
        knc_sb_puts(&b, "}");
        if (b.oom) return free(b.p), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        if (b.len <= WP_PLAINTEXT_MAX) return *out = b, KN_OK;
        free(b.p);
        if (limit == 0)
            return knc_fail(err, KN_E_INVALID_ARGUMENT, "the notification does not fit in %d bytes even without its text "
                            "(data.url is too long)", WP_PLAINTEXT_MAX);
    }
}

static bool key_alphabet(const char *k) {
    size_t n = strlen(k);
    if (n == 0 || n > 200) return false;
    for (; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '.' || *k == '_' ||
              *k == '-'))
            return false;
    return true;
}

void wp_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json, kn_completion_t done) {
    wp_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t e;
    jval msg = {0};
    knc_json_error jerr = {0};
    if (!inst) {
        knc_fail(&e, KN_E_INVALID_ARGUMENT, "no plugin instance");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    const wp_config *cfg = &inst->cfg;
    if (call && call->is_cancelled(call)) {
        knc_fail(&e, KN_E_CANCELLED, "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    int64_t start = now_ns();
    if (call && call->deadline_unix_ns > 0 && start >= call->deadline_unix_ns) {
        knc_fail(&e, KN_E_TIMEOUT, "the call's deadline had passed before sending");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    subscription sub;
    knc_strbuf payload = {0};
    unsigned char *body = NULL;
    size_t body_len = 0;
    char *auth = NULL;
    kn_status_t rc = KN_OK;
    const char *key = NULL;
    if (!message_json || !knc_json_parse(message_json, &msg, &jerr) || msg.type != J_OBJ)
        rc = knc_fail(&e, jerr.oom ? KN_E_NO_MEMORY : KN_E_INVALID_ARGUMENT, "the message is not a JSON object");
    else if (!jstr(&msg, "text"))
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "the message has no \"text\"");
    else if (!(key = jstr(&msg, "idempotency_key")) || !key_alphabet(key))
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "the message's \"idempotency_key\" is missing or not 1-200 of "
                      "[A-Za-z0-9._-]");
    if (rc == KN_OK) rc = read_subscription(cfg, knc_json_get(&msg, "to"), &sub, &e);
    if (rc == KN_OK) {
        if (cfg->test_ephemeral) {
            const jval *t = knc_json_get(&msg, "text");
            knc_sb_put(&payload, t->str, t->len); /* test_vector: the text as it is */
            if (payload.oom) rc = knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        } else {
            rc = build_payload(&msg, &payload, &e);
        }
    }
    if (rc == KN_OK) {
        body = malloc(WP_HEADER_LEN + payload.len + 17);
        if (!body) rc = knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        else rc = wp_encrypt(sub.p256dh, sub.auth, (const unsigned char *)(payload.p ? payload.p : ""), payload.len,
                             cfg->test_ephemeral, cfg->test_ephemeral ? cfg->test_salt : NULL, body, &body_len, &e);
    }
    if (payload.p) memset(payload.p, 0, payload.len), free(payload.p);
    if (rc == KN_OK && !(auth = wp_vapid_header(cfg, sub.origin, start / 1000000000, &e))) rc = e.code;
    if (rc != KN_OK) {
        if (rc == KN_E_INVALID_ARGUMENT) knc_log(inst->host, KN_LOG_INFO, "message refused: %s", e.message);
        free(body), knc_json_free(&msg);
        return done.complete(done.ctx, rc, &e, NULL);
    }

    /* Topic: a resend (same idempotency key) replaces a copy still queued at the push
     * service; RFC 8030 §5.4 allows 32 characters of base64url. */
    unsigned char digest[32];
    unsigned int dlen = sizeof digest;
    char topic[KNC_BASE64URL_LEN(32) + 1], shown_id[64];
    knc_curl.evp_digest(key, strlen(key), digest, &dlen, knc_curl.evp_sha256(), NULL);
    knc_base64url_encode(digest, 24, topic); /* 24 bytes: exactly 32 characters */
    KNC_CLIP(key, shown_id);

    CURL *c = knc_curl_pool_take(&inst->pool);
    if (!c) {
        free(body), free(auth), knc_json_free(&msg);
        knc_fail(&e, KN_E_NO_MEMORY, "curl_easy_init failed");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    xfer x = {.call = call, .stopping = &inst->stopping};
    char line[200], errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
#define ADD(...) (snprintf(line, sizeof line, __VA_ARGS__), hdrs = knc_curl.slist_append(hdrs, line))
    ADD("TTL: %ld", cfg->ttl_s);
    ADD("Content-Encoding: aes128gcm");
    ADD("Content-Type: application/octet-stream");
    ADD("Urgency: normal");
    ADD("Topic: %s", topic);
    ADD("User-Agent: kinora-notify-webpush/" WP_VERSION);
    ADD("Expect:");
#undef ADD
    knc_strbuf authz = {0};
    knc_sb_puts(&authz, "Authorization: ");
    knc_sb_puts(&authz, auth);
    if (!authz.oom) hdrs = knc_curl.slist_append(hdrs, authz.p);
    free(authz.p), free(auth);
    long timeout_ms = cfg->timeout_s * 1000;
    if (call && call->deadline_unix_ns > 0) {
        int64_t left = (call->deadline_unix_ns - start) / 1000000;
        if (left < timeout_ms) timeout_ms = left > 1 ? (long)left : 1;
    }
    knc_curl.easy_setopt(c, CURLOPT_URL, sub.endpoint);
    knc_curl.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    knc_curl.easy_setopt(c, CURLOPT_POST, 1L);
    knc_curl.easy_setopt(c, CURLOPT_POSTFIELDS, body);
    knc_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    knc_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    knc_curl.easy_setopt(c, CURLOPT_HEADERDATA, &x);
    knc_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    knc_curl.easy_setopt(c, CURLOPT_WRITEDATA, &x);
    knc_curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    knc_curl.easy_setopt(c, CURLOPT_XFERINFODATA, &x);
    knc_curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    knc_curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    knc_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    knc_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    knc_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, cfg->allow_insecure ? "http,https" : "https");
    knc_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
    knc_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    knc_curl.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    if (cfg->ca_file) knc_curl.easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
    CURLcode cc = hdrs && !authz.oom ? knc_curl.easy_perform(c) : CURLE_OUT_OF_MEMORY;
    long status = 0;
    knc_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    knc_curl.slist_free_all(hdrs);
    knc_curl_pool_give(&inst->pool, c, cc != CURLE_OK);
    free(body);
    double ms = (double)(now_ns() - start) / 1e6;
    char shown_origin[120];
    KNC_CLIP(sub.origin, shown_origin); /* the endpoint's path identifies the subscriber: logs show the origin */
    knc_json_free(&msg);

    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        knc_fail(&e, KN_E_CANCELLED, "%s", atomic_load(&inst->stopping) ? "the daemon is stopping" : "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (cc == CURLE_OPERATION_TIMEDOUT && call && call->deadline_unix_ns > 0 && now_ns() >= call->deadline_unix_ns) {
        knc_fail(&e, KN_E_TIMEOUT, "POST to %s: the call's deadline passed", shown_origin);
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    char reason[400], answer[200];
    if (cc != CURLE_OK) {
        snprintf(reason, sizeof reason, "POST to %s: %s", shown_origin, errbuf[0] ? errbuf : knc_curl.easy_strerror(cc));
        knc_log(inst->host, KN_LOG_WARN, "push %s retryable after %.1f ms: %s", shown_id, ms, reason);
        return finish(done, KN_NOTIFY_RETRYABLE, reason, 0, false, NULL);
    }
    if (status >= 200 && status < 300) { /* 201 Created is the rule; 200 and 202 are seen too */
        knc_log(inst->host, KN_LOG_DEBUG, "push %s delivered to %s in %.1f ms (HTTP %ld)", shown_id, shown_origin, ms, status);
        return finish(done, KN_NOTIFY_DELIVERED, NULL, 0, false, x.location);
    }
    knc_clip(x.answer, x.answer_len, answer, sizeof answer);
    bool gone = status == 404 || status == 410;
    bool retry = status == 408 || status == 429 || status >= 500 || status < 200;
    snprintf(reason, sizeof reason, "HTTP %ld from %s%s%s%s", status, shown_origin,
             gone ? " (the subscription has expired or was withdrawn)"
             : status == 413 ? " (the payload is too large)" : "",
             answer[0] ? ": " : "", answer);
    knc_log(inst->host, retry ? KN_LOG_WARN : KN_LOG_INFO, "push %s %s after %.1f ms: %s", shown_id,
            retry ? "retryable" : "permanent", ms, reason);
    finish(done, retry ? KN_NOTIFY_RETRYABLE : KN_NOTIFY_PERMANENT, reason, retry ? x.retry_after : 0, gone, NULL);
}
