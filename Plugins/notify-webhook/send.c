/*
 * notify-webhook: one signed POST over a pooled libcurl handle, and the outcome.
 *
 * Handles come from the instance's pool, so consecutive events reuse the keep-alive (and
 * TLS) connection to the receiver. Redirects are not followed: a signed event goes to the
 * configured URL only.
 *
 * Outcomes: 2xx "delivered"; 408, 429, 5xx, no answer (refused, reset, timeout, TLS)
 * "retryable", with Retry-After (seconds or an HTTP date) as retry_after_seconds; any other
 * status "permanent". The reason is the status and the start of the receiver's answer.
 */
#define _GNU_SOURCE
#include "webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ANSWER_MAX 2048

typedef struct {
    const kn_call_t *call;
    const atomic_bool *stopping;
    long retry_after;  /* seconds, 0 when not given                                      */
    char answer[ANSWER_MAX];
    size_t answer_len;
} xfer;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb;
    if (n > 5 && strncmp(p, "HTTP/", 5) == 0) x->retry_after = 0, x->answer_len = 0; /* a new response */
    if (n > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
        char v[80];
        size_t k = n - 12;
        const char *s = p + 12;
        while (k && (*s == ' ' || *s == '\t')) s++, k--;
        while (k && (s[k - 1] == '\r' || s[k - 1] == '\n' || s[k - 1] == ' ')) k--;
        if (k >= sizeof v) k = sizeof v - 1;
        memcpy(v, s, k), v[k] = '\0';
        char *end;
        long secs = strtol(v, &end, 10);
        if (end != v && *end == '\0') x->retry_after = secs > 0 ? secs : 0;
        else {
            time_t when = knc_curl.getdate(v, NULL);
            time_t now = time(NULL);
            if (when > now) x->retry_after = (long)(when - now);
        }
        if (x->retry_after > 86400) x->retry_after = 86400;
    }
    return n;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb, room = ANSWER_MAX - 1 - x->answer_len;
    size_t k = n < room ? n : room;
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

static void finish(kn_completion_t done, const char *outcome, const char *reason, long retry_after) {
    knc_strbuf b = {0};
    char line[64];
    knc_sb_puts(&b, "{\"outcome\":");
    knc_sb_json_string(&b, outcome);
    if (reason) knc_sb_puts(&b, ",\"reason\":"), knc_sb_json_string(&b, reason);
    if (retry_after > 0) snprintf(line, sizeof line, ",\"retry_after_seconds\":%ld", retry_after), knc_sb_puts(&b, line);
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

void wh_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json, kn_completion_t done) {
    wh_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t e;
    wh_payload pl;
    if (!inst) {
        knc_fail(&e, KN_E_INVALID_ARGUMENT, "no plugin instance");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (call && call->is_cancelled(call)) {
        knc_fail(&e, KN_E_CANCELLED, "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    int64_t start = now_ns();
    kn_status_t rc = wh_payload_build(&inst->cfg, message_json, start / 1000000000, &pl, &e);
    if (rc != KN_OK) {
        if (rc == KN_E_INVALID_ARGUMENT) knc_log(inst->host, KN_LOG_INFO, "message refused: %s", e.message);
        return done.complete(done.ctx, rc, &e, NULL);
    }
    const wh_config *cfg = &inst->cfg;
    CURL *c = knc_curl_pool_take(&inst->pool);
    if (!c) {
        wh_payload_free(&pl);
        knc_fail(&e, KN_E_NO_MEMORY, "curl_easy_init failed");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    xfer x = {.call = call, .stopping = &inst->stopping};
    char line[400], errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
#define ADD(...) (snprintf(line, sizeof line, __VA_ARGS__), hdrs = knc_curl.slist_append(hdrs, line))
    ADD("Content-Type: application/json");
    ADD("webhook-id: %s", pl.id);
    ADD("webhook-timestamp: %s", pl.timestamp);
    ADD("webhook-signature: %s", pl.signature);
    ADD("Idempotency-Key: %s", pl.id);
    ADD("User-Agent: kinora-notify-webhook/" WH_VERSION);
    ADD("Expect:");
#undef ADD
    long timeout_ms = cfg->timeout_s * 1000;
    if (call && call->deadline_unix_ns > 0) {
        int64_t left = (call->deadline_unix_ns - start) / 1000000;
        if (left < timeout_ms) timeout_ms = left > 1 ? (long)left : 1;
    }
    knc_curl.easy_setopt(c, CURLOPT_URL, cfg->url);
    knc_curl.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    knc_curl.easy_setopt(c, CURLOPT_POST, 1L);
    knc_curl.easy_setopt(c, CURLOPT_POSTFIELDS, pl.body.p);
    knc_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)pl.body.len);
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
    knc_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    knc_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
    knc_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    knc_curl.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    if (cfg->ca_file) knc_curl.easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
    CURLcode cc = hdrs ? knc_curl.easy_perform(c) : CURLE_OUT_OF_MEMORY;
    long status = 0;
    knc_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    knc_curl.slist_free_all(hdrs);
    knc_curl_pool_give(&inst->pool, c, cc != CURLE_OK);
    double ms = (double)(now_ns() - start) / 1e6;
    char shown_id[64];
    KNC_CLIP(pl.id, shown_id);
    wh_payload_free(&pl);

    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        knc_fail(&e, KN_E_CANCELLED, "%s", atomic_load(&inst->stopping) ? "the daemon is stopping" : "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (cc == CURLE_OPERATION_TIMEDOUT && call && call->deadline_unix_ns > 0 && now_ns() >= call->deadline_unix_ns) {
        knc_fail(&e, KN_E_TIMEOUT, "POST %s: the call's deadline passed", cfg->shown_url);
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    char reason[400], answer[200];
    if (cc != CURLE_OK) {
        snprintf(reason, sizeof reason, "POST %s: %s", cfg->shown_url, errbuf[0] ? errbuf : knc_curl.easy_strerror(cc));
        knc_log(inst->host, KN_LOG_WARN, "event %s retryable after %.1f ms: %s", shown_id, ms, reason);
        return finish(done, KN_NOTIFY_RETRYABLE, reason, 0);
    }
    if (status >= 200 && status < 300) {
        knc_log(inst->host, KN_LOG_DEBUG, "event %s delivered in %.1f ms (HTTP %ld)", shown_id, ms, status);
        return finish(done, KN_NOTIFY_DELIVERED, NULL, 0);
    }
    knc_clip(x.answer, x.answer_len, answer, sizeof answer);
    bool retry = status == 408 || status == 429 || status >= 500 || status < 200;
    snprintf(reason, sizeof reason, "HTTP %ld%s%s%s", status,
             status >= 300 && status < 400 ? " (redirects are not followed: set settings.url to the final URL)" : "",
             answer[0] ? ": " : "", answer);
    knc_log(inst->host, retry ? KN_LOG_WARN : KN_LOG_INFO, "event %s %s after %.1f ms: %s", shown_id,
            retry ? "retryable" : "permanent", ms, reason);
    finish(done, retry ? KN_NOTIFY_RETRYABLE : KN_NOTIFY_PERMANENT, reason, retry ? x.retry_after : 0);
}
