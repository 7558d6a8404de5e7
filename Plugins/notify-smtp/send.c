/*
 * notify-smtp: one SMTP transaction over a pooled libcurl handle, and the outcome.
 *
 * Handles come from the instance's pool (knc_curl_pool): a handle given back after a
 * success keeps its SMTP session open, so the next send on it skips the TCP, TLS and AUTH
 * round trips. A handle whose transaction failed is closed rather than reused, so a
 * half-finished transaction never leaks into the next message.
 *
 * Outcomes: a 2xx end of DATA is "delivered"; a 4xx reply, a refused or dropped connection, a
 * TLS failure, a timeout or a refused AUTH (an operator's mistake that a fix makes good) is
 * "retryable"; any other 5xx reply (MAIL, RCPT, DATA) is "permanent". The reason is the
 * server's reply with the addresses in it shortened, as everywhere in logs.
 */
#define _GNU_SOURCE
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const smtp_message *msg;
    size_t pos;
    const kn_call_t *call;
    const atomic_bool *stopping;
    char reply[400]; /* the last reply line the server sent                            */
    char refusal[400]; /* the first 4xx/5xx reply: after it libcurl still QUITs ("221 Bye") */
} xfer;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud) {
    xfer *x = ud;
    size_t n = size * nitems, left = x->msg->data.len - x->pos;
    if (n > left) n = left;
    memcpy(buf, x->msg->data.p + x->pos, n);
    x->pos += n;
    return n;
}

/* libcurl hands SMTP server replies to the header callback, one line at a time. */
static size_t on_header(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb, k = n;
    while (k && (p[k - 1] == '\r' || p[k - 1] == '\n')) k--;
    if (k >= sizeof x->reply) k = sizeof x->reply - 1;
    if (k < 3) return n;
    memcpy(x->reply, p, k), x->reply[k] = '\0';
    if (!x->refusal[0] && (p[0] == '4' || p[0] == '5')) memcpy(x->refusal, p, k), x->refusal[k] = '\0';
    return n;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
    (void)a, (void)b, (void)c, (void)d;
    const xfer *x = ud;
    return atomic_load(x->stopping) || (x->call && x->call->is_cancelled(x->call)) ? 1 : 0;
}

/* A reply for logs and reasons: "-" continuation marks turned into spaces, control
 * characters dropped, and any word with an '@' shortened to its first letter and domain. */
static void redact(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (const char *p = in; *p && o + 8 < cap;) {
        const char *end = p;
        while (*end && *end != ' ') end++;
        const char *at = memchr(p, '@', (size_t)(end - p));
        if (at) {
            const char *first = p;
            while (first < at && (*first == '<' || *first == '"')) out[o++] = *first++;
            if (first < at) out[o++] = *first;
            o += (size_t)snprintf(out + o, cap - o, "…");
            for (const char *q = at; q < end && o + 2 < cap; q++) out[o++] = *q;
        } else {
            for (const char *q = p; q < end && o + 2 < cap; q++) out[o++] = (*q >= 0x20 && *q != 0x7F) ? *q : '?';
        }
        p = end;
        while (*p == ' ' && o + 2 < cap) out[o++] = *p++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

static void finish(kn_completion_t done, const char *outcome, const char *reason, long retry_after,
                   const char *provider_id) {
    knc_strbuf b = {0};
    char line[64];
    knc_sb_puts(&b, "{\"outcome\":");
    knc_sb_json_string(&b, outcome);
    if (reason) knc_sb_puts(&b, ",\"reason\":"), knc_sb_json_string(&b, reason);
    if (retry_after > 0) snprintf(line, sizeof line, ",\"retry_after_seconds\":%ld", retry_after), knc_sb_puts(&b, line);
    if (provider_id && *provider_id) knc_sb_puts(&b, ",\"provider_id\":"), knc_sb_json_string(&b, provider_id);
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

/* "250 2.0.0 Ok: queued as 4Bf2x" -> "4Bf2x", when the server says so. */
static void queue_id(const char *reply, char *out, size_t cap) {
    const char *q = strstr(reply, "queued as ");
    out[0] = '\0';
    if (!q) return;
    q += 10;
    size_t n = 0;
    while (q[n] && q[n] != ' ' && n + 1 < cap) n++;
    memcpy(out, q, n), out[n] = '\0';
}

static void setup(CURL *c, const smtp_config *cfg, xfer *x, const char *from, struct curl_slist *rcpts, char *errbuf,
                  const kn_call_t *call, size_t size) {
    long timeout_ms = cfg->timeout_s * 1000;
    if (call && call->deadline_unix_ns > 0) {
        int64_t left = (call->deadline_unix_ns - now_ns()) / 1000000;
        if (left < timeout_ms) timeout_ms = left > 1 ? (long)left : 1;
    }
    knc_curl.easy_setopt(c, CURLOPT_URL, cfg->url);
    knc_curl.easy_setopt(c, CURLOPT_MAIL_FROM, from);
    knc_curl.easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    knc_curl.easy_setopt(c, CURLOPT_UPLOAD, 1L);
    knc_curl.easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    knc_curl.easy_setopt(c, CURLOPT_READDATA, x);
    knc_curl.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
    knc_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    knc_curl.easy_setopt(c, CURLOPT_HEADERDATA, x);
    knc_curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    knc_curl.easy_setopt(c, CURLOPT_XFERINFODATA, x);
    knc_curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    knc_curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    knc_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    knc_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
    knc_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    knc_curl.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    if (cfg->starttls || cfg->implicit_tls) knc_curl.easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cfg->ca_file) knc_curl.easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
    if (cfg->username) {
        knc_curl.easy_setopt(c, CURLOPT_USERNAME, cfg->username);
        knc_curl.easy_setopt(c, CURLOPT_PASSWORD, cfg->password);
    }
}

void smtp_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json,
               kn_completion_t done) {
    smtp_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t e;
    smtp_message msg;
    if (!inst) {
        knc_fail(&e, KN_E_INVALID_ARGUMENT, "no plugin instance");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (call && call->is_cancelled(call)) {
        knc_fail(&e, KN_E_CANCELLED, "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    int64_t start = now_ns();
    kn_status_t rc = smtp_message_build(&inst->cfg, message_json, start / 1000000000, &msg, &e);
    if (rc != KN_OK) {
        if (rc == KN_E_INVALID_ARGUMENT) knc_log(inst->host, KN_LOG_INFO, "message refused: %s", e.message);
        return done.complete(done.ctx, rc, &e, NULL);
    }
    const smtp_config *cfg = &inst->cfg;
    xfer x = {.msg = &msg, .call = call, .stopping = &inst->stopping};
    char from[300], rcpt[300], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(from, sizeof from, "<%s>", cfg->from_addr);
    snprintf(rcpt, sizeof rcpt, "<%s>", msg.rcpt);
    struct curl_slist *rcpts = knc_curl.slist_append(NULL, rcpt);
    CURLcode cc = CURLE_OUT_OF_MEMORY;
    long code = 0;
    /* A server may drop an idle session just as a pooled handle reuses it: then the first
     * command fails with no reply at all. That (and only that) is tried once more on a new
     * connection; a failure with a reply, or on a fresh connection, is the outcome. */
    for (int attempt = 0; rcpts && attempt < 2; attempt++) {
        CURL *c = knc_curl_pool_take(&inst->pool);
        if (!c) break;
        x.pos = 0, x.reply[0] = x.refusal[0] = errbuf[0] = '\0';
        setup(c, cfg, &x, from, rcpts, errbuf, call, msg.data.len);
        cc = knc_curl.easy_perform(c);
        long connects = 0;
        code = 0;
        knc_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        knc_curl.easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
        if (x.refusal[0]) code = strtol(x.refusal, NULL, 10);
        knc_curl_pool_give(&inst->pool, c, cc != CURLE_OK);
        bool stale = connects == 0 && !x.reply[0] &&
                     (cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR || cc == CURLE_GOT_NOTHING);
        if (!stale) break;
        knc_log(inst->host, KN_LOG_DEBUG, "a reused SMTP session was gone (%s); reconnecting", knc_curl.easy_strerror(cc));
    }
    knc_curl.slist_free_all(rcpts);
    if (cc == CURLE_OUT_OF_MEMORY) {
        smtp_message_free(&msg);
        knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        return done.complete(done.ctx, e.code, &e, NULL);
    }

    char reason[480], shown_reply[420];
    redact(cc == CURLE_OK || !x.refusal[0] ? x.reply : x.refusal, shown_reply, sizeof shown_reply);
    double ms = (double)(now_ns() - start) / 1e6;
    if (cc == CURLE_OK) {
        char qid[64];
        queue_id(x.reply, qid, sizeof qid);
        knc_log(inst->host, KN_LOG_DEBUG, "delivered to %s in %.1f ms: %s", msg.shown_rcpt, ms, shown_reply);
        smtp_message_free(&msg);
        return finish(done, KN_NOTIFY_DELIVERED, NULL, 0, qid);
    }
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        smtp_message_free(&msg);
        knc_fail(&e, KN_E_CANCELLED, "%s", atomic_load(&inst->stopping) ? "the daemon is stopping" : "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (cc == CURLE_OPERATION_TIMEDOUT && call && call->deadline_unix_ns > 0 && now_ns() >= call->deadline_unix_ns) {
        smtp_message_free(&msg);
        knc_fail(&e, KN_E_TIMEOUT, "SMTP %s: the call's deadline passed", cfg->host);
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    bool permanent = false;
    if (code >= 400 && code < 600 && shown_reply[0])
        snprintf(reason, sizeof reason, "%s", shown_reply);
    else
        snprintf(reason, sizeof reason, "%s: %s", cfg->host, errbuf[0] ? errbuf : knc_curl.easy_strerror(cc));
    if (cc == CURLE_LOGIN_DENIED) {
        size_t l = strlen(reason);
        snprintf(reason + l, sizeof reason - l, " (AUTH refused: check settings.username and password)");
    } else if (code >= 500 && code < 600) {
        permanent = true;
    }
    const char *outcome = permanent ? KN_NOTIFY_PERMANENT : KN_NOTIFY_RETRYABLE;
    knc_log(inst->host, permanent ? KN_LOG_INFO : KN_LOG_WARN, "%s to %s after %.1f ms: %s", outcome,
            msg.shown_rcpt, ms, reason);
    smtp_message_free(&msg);
    finish(done, outcome, reason, 0, NULL);
}
