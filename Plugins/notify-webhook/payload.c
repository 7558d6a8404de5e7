/*
 * notify-webhook: the event body and its signature.
 *
 *   {"id": KEY, "type": EVENT, "timestamp": UNIX_S,
 *    "data": {"subject", "text", "language", ...the message's "data" members..., "to_name"}}
 *
 * Signed as Standard Webhooks (https://www.standardwebhooks.com) sign: HMAC-SHA256 over
 * "id.timestamp.body" with the secret's key, sent as "webhook-signature: v1,<base64>". The id
 * is the idempotency key, the same on every retry, so receivers drop duplicates by it; the
 * timestamp is the attempt's, so a receiver's replay window judges each attempt afresh.
 */
#define _GNU_SOURCE
#include "webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knc_base64.h"
#include "knc_jsonw.h"

static const jval *member(const jval *root, const char *key, jtype type) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == type ? v : NULL;
}

static bool header_safe(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] >= 0x7F) return false;
    return n > 0;
}

static bool key_is(const jval *obj, size_t i, const char *name) {
    return obj->keylens[i] == strlen(name) && memcmp(obj->keys[i], name, obj->keylens[i]) == 0;
}

kn_status_t wh_payload_build(const wh_config *cfg, const char *message_json, int64_t now, wh_payload *out,
                             kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    kn_status_t rc = KN_OK;
    memset(out, 0, sizeof *out);
    bool parsed = message_json && knc_json_parse(message_json, &root, &jerr);
    if (!parsed || root.type != J_OBJ) {
        knc_json_free(&root);
        if (jerr.oom) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        if (parsed) return knc_fail(err, KN_E_INVALID_ARGUMENT, "the message is not a JSON object");
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "the message is not JSON (%s at byte %zu)",
                        jerr.what ? jerr.what : "no text", jerr.pos);
    }
    const jval *key = member(&root, "idempotency_key", J_STR), *event = member(&root, "event", J_STR);
    const jval *data = knc_json_get(&root, "data");
    if (!key || key->len > 200 || !header_safe(key->str, key->len))
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.idempotency_key: 1 to 200 printable ASCII "
                      "characters without spaces required (it is the webhook-id header)");
    else if (!event || event->len == 0)
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.event is required (the payload's type)");
    else if (data && data->type != J_OBJ && data->type != J_NULL)
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "message.data must be an object");
    if (rc != KN_OK) goto done;

    snprintf(out->timestamp, sizeof out->timestamp, "%lld", (long long)now);
    knc_strbuf *b = &out->body;
    knc_sb_puts(b, "{\"id\":");
    knc_sb_json_string_n(b, key->str, key->len);
    knc_sb_puts(b, ",\"type\":");
    knc_sb_json_string_n(b, event->str, event->len);
    knc_sb_puts(b, ",\"timestamp\":");
    knc_sb_puts(b, out->timestamp);
    knc_sb_puts(b, ",\"data\":{");
    bool first = true;
    static const char *const texts[] = {"subject", "text", "language"};
    for (size_t i = 0; i < 3; i++) {
        const jval *v = member(&root, texts[i], J_STR);
        if (!v) continue;
        if (!first) knc_sb_puts(b, ",");
        first = false;
        knc_sb_json_string_n(b, texts[i], strlen(texts[i]));
        knc_sb_puts(b, ":");
        knc_sb_json_string_n(b, v->str, v->len);
    }
    /* The event's own ids and links; a member named like one of ours is the message's. */
    for (size_t i = 0; data && data->type == J_OBJ && i < data->count; i++) {
        if (key_is(data, i, "subject") || key_is(data, i, "text") || key_is(data, i, "language") ||
            key_is(data, i, "to_name"))
            continue;
        if (!first) knc_sb_puts(b, ",");
        first = false;
        knc_sb_json_string_n(b, data->keys[i], data->keylens[i]);
        knc_sb_puts(b, ":");
        knc_sb_json_value(b, &data->items[i]);
    }
    const jval *to_name = member(&root, "to_name", J_STR);
    if (to_name) {
        if (!first) knc_sb_puts(b, ",");
        knc_sb_puts(b, "\"to_name\":");
        knc_sb_json_string_n(b, to_name->str, to_name->len);
    }
    knc_sb_puts(b, "}}");
    out->id = strndup(key->str, key->len);
    if (b->oom || !out->id) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto done;
    }

    knc_strbuf signed_content = {0};
    knc_sb_puts(&signed_content, out->id);
    knc_sb_puts(&signed_content, ".");
    knc_sb_puts(&signed_content, out->timestamp);
    knc_sb_puts(&signed_content, ".");
    knc_sb_put(&signed_content, b->p, b->len);
    unsigned char mac[32];
    unsigned int maclen = 0;
    if (signed_content.oom) rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    else if (!knc_curl.hmac(knc_curl.evp_sha256(), cfg->key, (int)cfg->key_len,
                            (const unsigned char *)signed_content.p, signed_content.len, mac, &maclen) ||
             maclen != 32)
        rc = knc_fail(err, KN_E_INTERNAL, "HMAC-SHA256 failed");
    else {
        memcpy(out->signature, "v1,", 3);
        knc_base64_encode(mac, 32, out->signature + 3);
    }
    free(signed_content.p);
done:
    knc_json_free(&root);
    if (rc != KN_OK) wh_payload_free(out);
    return rc;
}

void wh_payload_free(wh_payload *p) {
    free(p->body.p);
    free(p->id);
    memset(p, 0, sizeof *p);
}
