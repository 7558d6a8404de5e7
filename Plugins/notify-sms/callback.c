/*
 * notify-sms: Twilio's status callbacks, which the host hands over from
 * POST /api/v1/notify/callbacks/{instance}.
 *
 * X-Twilio-Signature is base64(HMAC-SHA1(AuthToken, URL + every POST parameter's name and
 * value, sorted by name)), URL being exactly the StatusCallback Twilio was given. That is
 * the request's public URL as the host saw it, or, behind a proxy that rewrote it, the
 * configured status_callback_url with the request's query: either verifying is enough.
 * A callback that verifies with neither is refused (KN_E_PERMISSION, the host answers 403).
 * MessageStatus maps to delivered (delivered, read), failed (failed, undelivered, canceled)
 * or pending (queued, accepted, scheduled, sending, sent, ...).
 */
#define _GNU_SOURCE
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knc_base64.h"

static int by_name_then_value(const void *a, const void *b) {
    const sms_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static bool signature_matches(const sms_config *cfg, const char *url, size_t url_len, const sms_param *params,
                              size_t count, const char *given) {
    knc_strbuf data = {0};
    knc_sb_put(&data, url, url_len);
    for (size_t i = 0; i < count; i++) {
        if (i && strcmp(params[i].name, params[i - 1].name) == 0 && strcmp(params[i].value, params[i - 1].value) == 0)
            continue; /* Twilio's validators sign each distinct value once */
        knc_sb_puts(&data, params[i].name);
        knc_sb_puts(&data, params[i].value);
    }
    unsigned char mac[20];
    unsigned int maclen = 0;
    bool ok = !data.oom && knc_curl.hmac(knc_curl.evp_sha1(), cfg->auth_token, (int)strlen(cfg->auth_token),
                                         (const unsigned char *)data.p, data.len, mac, &maclen) && maclen == 20;
    free(data.p);
    if (!ok) return false;
    char expected[KNC_BASE64_LEN(20) + 1];
    knc_base64_encode(mac, 20, expected);
    size_t n = strlen(expected);
    if (strlen(given) != n) return false;
    unsigned char diff = 0; /* constant time: no early exit on the first differing byte */
    for (size_t i = 0; i < n; i++) diff |= (unsigned char)(expected[i] ^ given[i]);
    return diff == 0;
}

static const char *param(const sms_param *params, size_t count, const char *name) {
    for (size_t i = 0; i < count; i++)
        if (strcmp(params[i].name, name) == 0) return params[i].value;
    return NULL;
}

/* Sids are letters and digits, statuses lower-case words, error codes digits: anything
 * else is not a Twilio callback (and could not be quoted safely). */
static bool word(const char *s) {
    if (!s || !*s || strlen(s) > 64) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static const char *str_member(const jval *obj, const char *key) {
    const jval *v = knc_json_get(obj, key);
    return v && v->type == J_STR && strlen(v->str) == v->len ? v->str : NULL;
}

void sms_parse_callback(const kn_plugin_t *plugin, const kn_call_t *call, const char *request_json,
                        kn_completion_t done) {
    sms_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t e;
    jval req = {0};
    knc_json_error jerr = {0};
    sms_param *params = NULL;
    size_t count = 0;
    kn_status_t rc = KN_OK;
    (void)call;
    if (!inst) {
        knc_fail(&e, KN_E_INVALID_ARGUMENT, "no plugin instance");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    bool parsed = request_json && knc_json_parse(request_json, &req, &jerr);
    const char *url = str_member(&req, "url"), *method = str_member(&req, "method"), *body = str_member(&req, "body");
    const jval *headers = knc_json_get(&req, "headers");
    const char *signature = headers && headers->type == J_OBJ ? str_member(headers, "x-twilio-signature") : NULL;
    if (jerr.oom) rc = knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
    else if (!parsed || req.type != J_OBJ || !url || !body)
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "the callback request is not an object with url and body");
    else if (method && strcmp(method, "POST") != 0)
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "status callbacks are POSTs, not %s", method);
    else if (!signature)
        rc = knc_fail(&e, KN_E_PERMISSION, "the callback has no X-Twilio-Signature");
    else if (!sms_form_parse(body, &params, &count))
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "the callback body is not a form (application/x-www-form-urlencoded)");
    if (rc == KN_OK) {
        qsort(params, count, sizeof *params, by_name_then_value);
        bool ok = signature_matches(&inst->cfg, url, strlen(url), params, count, signature);
        const char *q = strchr(url, '?'), *cb = inst->cfg.status_callback_url;
        if (!ok && cb) {
            knc_strbuf alt = {0};
            knc_sb_puts(&alt, cb);
            if (q && !strchr(cb, '?')) knc_sb_puts(&alt, q);
            ok = !alt.oom && signature_matches(&inst->cfg, alt.p, alt.len, params, count, signature);
            free(alt.p);
        }
        if (!ok) {
            rc = knc_fail(&e, KN_E_PERMISSION, "X-Twilio-Signature does not verify (another auth_token, or "
                          "status_callback_url differs from the URL Twilio called)");
            knc_log(inst->host, KN_LOG_WARN, "%s", e.message);
        }
    }
    const char *sid = rc == KN_OK ? param(params, count, "MessageSid") : NULL;
    const char *status = rc == KN_OK ? param(params, count, "MessageStatus") : NULL;
    if (rc == KN_OK && !status) status = param(params, count, "SmsStatus");
    const char *error_code = rc == KN_OK ? param(params, count, "ErrorCode") : NULL;
    if (rc == KN_OK && (!word(sid) || !word(status) || (error_code && *error_code && !word(error_code))))
        rc = knc_fail(&e, KN_E_INVALID_ARGUMENT, "the callback lacks a MessageSid or MessageStatus, or holds "
                      "something else in them or in ErrorCode");
    if (rc != KN_OK) {
        sms_form_free(params, count);
        knc_json_free(&req);
        return done.complete(done.ctx, rc, &e, NULL);
    }
    const char *mapped = "pending";
    if (strcmp(status, "delivered") == 0 || strcmp(status, "read") == 0) mapped = "delivered";
    else if (strcmp(status, "failed") == 0 || strcmp(status, "undelivered") == 0 || strcmp(status, "canceled") == 0)
        mapped = "failed";
    knc_strbuf out = {0};
    knc_sb_puts(&out, "{\"provider_id\":");
    knc_sb_json_string(&out, sid);
    knc_sb_puts(&out, ",\"status\":");
    knc_sb_json_string(&out, mapped);
    char reason[160];
    if (error_code && *error_code) {
        snprintf(reason, sizeof reason, "%.40s (Twilio error %.20s)", status, error_code);
        knc_sb_puts(&out, ",\"reason\":");
        knc_sb_json_string(&out, reason);
    } else if (strcmp(mapped, "pending") == 0 || strcmp(mapped, "failed") == 0) {
        snprintf(reason, sizeof reason, "%.40s", status);
        knc_sb_puts(&out, ",\"reason\":");
        knc_sb_json_string(&out, reason);
    }
    knc_sb_puts(&out, "}");
    sms_form_free(params, count);
    knc_json_free(&req);
    if (out.oom) {
        free(out.p);
        knc_fail(&e, KN_E_NO_MEMORY, "out of memory");
        return done.complete(done.ctx, e.code, &e, NULL);
    }
    done.complete(done.ctx, KN_OK, NULL, out.p);
    free(out.p);
}
