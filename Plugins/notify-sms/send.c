/*
 * notify-sms: one message through Twilio's Messages API (or anything shaped like it):
 * POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json with the form fields To,
 * From (or MessagingServiceSid), Body and StatusCallback, HTTP Basic auth AccountSid:AuthToken.
 * The idempotency key goes out as Idempotency-Key and in the StatusCallback URL's query
 * (?key=...), so a callback can be tied to its message even before the sid is known.
 *
 * Outcomes: 2xx "delivered" with provider_id the message sid (the status callbacks then
 * report the handset's delivery); 429, 5xx, no answer "retryable" (Retry-After honoured);
 * 401/403 "retryable" too, with a hint: wrong credentials are the operator's to fix, and the
 * waiting messages should go once they are; other 4xx "permanent", with Twilio's error code
 * and message; 21211 (not a valid number) and 21614 (not a mobile number) add
 * "address_gone": the host forgets that number.
 */
#define _GNU_SOURCE
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ANSWER_MAX 8192

typedef struct {
    const kn_call_t *call;
    const atomic_bool *stopping;
    long retry_after;
    knc_strbuf answer;
} xfer;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb;
    if (n > 5 && strncmp(p, "HTTP/", 5) == 0) x->retry_after = 0, x->answer.len = 0;
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
            time_t when = knc_curl.getdate(v, NULL), now = time(NULL);
            if (when > now) x->retry_after = (long)(when - now);
        }
        if (x->retry_after > 86400) x->retry_after = 86400;
    }
    return n;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb;
    if (x->answer.len + n <= ANSWER_MAX) knc_sb_put(&x->answer, p, n);
    return n;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
    (void)a, (void)b, (void)c, (void)d;
    const xfer *x = ud;
    return atomic_load(x->stopping) || (x->call && x->call->is_cancelled(x->call)) ? 1 : 0;
}

static void finish(kn_completion_t done, const char *outcome, const char *reason, long retry_after,
                   const char *provider_id, bool address_gone) {
    knc_strbuf b = {0};
    char line[64];
    knc_sb_puts(&b, "{\"outcome\":");
    knc_sb_json_string(&b, outcome);
    if (provider_id && *provider_id) knc_sb_puts(&b, ",\"provider_id\":"), knc_sb_json_string(&b, provider_id);
    if (reason) knc_sb_puts(&b, ",\"reason\":"), knc_sb_json_string(&b, reason);
    if (retry_after > 0) snprintf(line, sizeof line, ",\"retry_after_seconds\":%ld", retry_after), knc_sb_puts(&b, line);
    if (address_gone) knc_sb_puts(&b, ",\"address_gone\":true");
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

/* E.164: '+', a non-zero digit, at most 15 digits in all. */
static bool e164(const char *s, size_t n) {
    if (n < 3 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9') return false;
    for (size_t i = 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static size_t code_points(const char *s, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* A number for logs: "+33…89". */
static void shown_number(const char *s, size_t n, char *out, size_t cap) {
    snprintf(out, cap, "%.3s…%.2s", s, n >= 2 ? s + n - 2 : "");
}

/* Provider messages quote the number ("The 'To' number +15005550001 is not valid"): runs
 * of five digits or more are shortened as in logs. */
static void redact_numbers(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 8 < cap;) {
        size_t run = 0;
        while (in[i + run] >= '0' && in[i + run] <= '9') run++;
        if (run >= 5) {
            o += (size_t)snprintf(out + o, cap - o, "%.2s…%.2s", in + i, in + i + run - 2);
            i += run;
        } else if (run) {
            memcpy(out + o, in + i, run), o += run, i += run;
        } else {
            out[o++] = in[i++];
        }
    }
    out[o] = '\0';
}

void sms_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json, kn_completion_t done) {
    sms_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t e;
    jval root = {0};
    knc_json_error jerr = {0};
    if (!inst) {
        knc_fail(&e, KN_E_INVALID_ARGUMENT, "no plugin instance");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (call && call->is_cancelled(call)) {
        knc_fail(&e, KN_E_CANCELLED, "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    bool parsed = message_json && knc_json_parse(message_json, &root, &jerr);
    const jval *to = knc_json_get(&root, "to"), *text = knc_json_get(&root, "text");
    const jval *key = knc_json_get(&root, "idempotency_key");
    kn_status_t rc = KN_OK;
    if (jerr.oom) rc = knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
    else if (!parsed || root.type != J_OBJ) rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "the message is not a JSON object");
    else if (!to || to->type != J_STR || !e164(to->str, to->len))
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "message.to: an E.164 number (+ and up to 15 digits) is required");
    else if (!text || text->type != J_STR || text->len == 0 || strlen(text->str) != text->len)
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "message.text is required (the SMS body)");
    else if (code_points(text->str, text->len) > SMS_BODY_MAX)
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "message.text: %zu characters, an SMS body takes at most %d",
                      code_points(text->str, text->len), SMS_BODY_MAX);
    else if (!key || key->type != J_STR || key->len == 0 || key->len > 200 || strpbrk(key->str, " \t\r\n") ||
             strlen(key->str) != key->len)
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "message.idempotency_key: 1 to 200 characters without spaces required");
    if (rc != KN_OK) {
        knc_json_free(&root);
        if (rc == KN_E_INVALID_ARGUMENT) knc_log(inst->host, KN_LOG_INFO, "message refused: %s", e.message);
        return done.complete(done.ctx, rc, &e, NULL);
    }
    const sms_config *cfg = &inst->cfg;
    char shown_to[32];
    shown_number(to->str, to->len, shown_to, sizeof shown_to);
    knc_strbuf form = {0}, callback = {0};
    sms_form_put(&form, "To", to->str, to->len);
    sms_form_put(&form, strncmp(cfg->from, "MG", 2) == 0 ? "MessagingServiceSid" : "From", cfg->from, strlen(cfg->from));
    sms_form_put(&form, "Body", text->str, text->len);
    if (cfg->status_callback_url) {
        knc_sb_puts(&callback, cfg->status_callback_url);
        knc_sb_puts(&callback, strchr(cfg->status_callback_url, '?') ? "&" : "?");
        knc_strbuf q = {0};
        sms_form_put(&q, "key", key->str, key->len);
        knc_sb_put(&callback, q.p ? q.p : "", q.len);
        free(q.p);
        sms_form_put(&form, "StatusCallback", callback.p ? callback.p : "", callback.len);
    }
    char idem[260];
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key->str);
    knc_json_free(&root);
    if (form.oom || callback.oom) {
        free(form.p), free(callback.p);
        knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    CURL *c = knc_curl_pool_take(&inst->pool);
    struct curl_slist *hdrs = knc_curl.slist_append(NULL, idem);
    hdrs = hdrs ? knc_curl.slist_append(hdrs, "Expect:") : NULL;
    if (!c || !hdrs) {
        knc_curl.slist_free_all(hdrs);
        knc_curl_pool_give(&inst->pool, c, true);
        free(form.p), free(callback.p);
        knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    xfer x = {.call = call, .stopping = &inst->stopping};
    char errbuf[CURL_ERROR_SIZE] = "";
    int64_t start = now_ns();
    long timeout_ms = cfg->timeout_s * 1000;
    if (call && call->deadline_unix_ns > 0) {
        int64_t left = (call->deadline_unix_ns - start) / 1000000;
        if (left < timeout_ms) timeout_ms = left > 1 ? (long)left : 1;
    }
    knc_curl.easy_setopt(c, CURLOPT_URL, cfg->messages_url);
    knc_curl.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    knc_curl.easy_setopt(c, CURLOPT_POST, 1L);
    knc_curl.easy_setopt(c, CURLOPT_POSTFIELDS, form.p);
    knc_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)form.len);
    knc_curl.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    knc_curl.easy_setopt(c, CURLOPT_USERNAME, cfg->account_sid);
    knc_curl.easy_setopt(c, CURLOPT_PASSWORD, cfg->auth_token);
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
    CURLcode cc = knc_curl.easy_perform(c);
    long status = 0;
    knc_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    knc_curl.slist_free_all(hdrs);
    knc_curl_pool_give(&inst->pool, c, cc != CURLE_OK);
    free(form.p), free(callback.p);
    double ms = (double)(now_ns() - start) / 1e6;

    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        free(x.answer.p);
        knc_fail(&e, KN_E_CANCELLED, "%s", atomic_load(&inst->stopping) ? "the daemon is stopping" : "the call was cancelled");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    if (cc == CURLE_OPERATION_TIMEDOUT && call && call->deadline_unix_ns > 0 && now_ns() >= call->deadline_unix_ns) {
        free(x.answer.p);
        knc_fail(&e, KN_E_TIMEOUT, "POST %s: the call's deadline passed", cfg->api_base);
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    char reason[400], shown[200];
    if (cc != CURLE_OK) {
        free(x.answer.p);
        snprintf(reason, sizeof reason, "POST %s: %s", cfg->api_base, errbuf[0] ? errbuf : knc_curl.easy_strerror(cc));
        knc_log(inst->host, KN_LOG_WARN, "SMS to %s retryable after %.1f ms: %s", shown_to, ms, reason);
        return finish(done, KN_NOTIFY_RETRYABLE, reason, 0, NULL, false);
    }
    /* Twilio answers JSON: {"sid": "SM…", "status": "queued"} or {"code": 21211, "message": "…"}. */
    jval answer = {0};
    knc_json_error aerr = {0};
    const char *sid = NULL, *message = NULL;
    long code = 0;
    if (x.answer.p && knc_json_parse(x.answer.p, &answer, &aerr) && answer.type == J_OBJ) {
        const jval *v = knc_json_get(&answer, "sid");
        if (v && v->type == J_STR) sid = v->str;
        v = knc_json_get(&answer, "message");
        if (v && v->type == J_STR) message = v->str;
        v = knc_json_get(&answer, "code");
        if (v && v->type == J_NUM) code = (long)v->num;
    }
    if (status >= 200 && status < 300) {
        knc_log(inst->host, KN_LOG_DEBUG, "SMS to %s accepted in %.1f ms", shown_to, ms);
        finish(done, KN_NOTIFY_DELIVERED, NULL, 0, sid, false);
    } else {
        bool credentials = status == 401 || status == 403;
        bool retry = status == 408 || status == 429 || status >= 500 || credentials || status < 200;
        char codepart[40] = "", msgpart[240] = "";
        if (code) snprintf(codepart, sizeof codepart, " error %ld", code);
        if (message) {
            redact_numbers(KNC_CLIP(message, shown), msgpart + 2, sizeof msgpart - 2);
            msgpart[0] = ':', msgpart[1] = ' ';
        }
        snprintf(reason, sizeof reason, "HTTP %ld%s%s%s", status, codepart, msgpart,
                 credentials ? " (check settings.account_sid and auth_token)" : "");
        knc_log(inst->host, retry ? KN_LOG_WARN : KN_LOG_INFO, "SMS to %s %s after %.1f ms: %s", shown_to,
                retry ? "retryable" : "permanent", ms, reason);
        finish(done, retry ? KN_NOTIFY_RETRYABLE : KN_NOTIFY_PERMANENT, reason, retry ? x.retry_after : 0, NULL,
               !retry && (code == 21211 || code == 21614));
    }
    knc_json_free(&answer);
    free(x.answer.p);
}
