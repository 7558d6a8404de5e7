/*
 * notify-webhook: the instance's settings. The schema (entry.c) has checked their types;
 * this file checks the URL, decodes the signing secret and fetches one kept as a host
 * secret. The secret is never logged nor quoted, and its buffers are cleared.
 */
#define _GNU_SOURCE
#include "webhook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knc_base64.h"

static const char *str(const jval *root, const char *key) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_STR && strlen(v->str) == v->len ? v->str : NULL;
}

static long num(const jval *root, const char *key, long fallback) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_NUM ? (long)v->num : fallback;
}

/* Standard Webhooks: "whsec_" + base64 of the key bytes. Anything else: the text's bytes. */
static kn_status_t set_key(wh_config *cfg, const char *secret, size_t n, const char *setting, kn_error_t *err) {
    if (n == 0) return knc_fail(err, KN_E_CONFIG, "settings.%s is empty", setting);
    cfg->key = malloc(n + 3);
    if (!cfg->key) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    if (n > 6 && memcmp(secret, "whsec_", 6) == 0) {
        if (!knc_base64_decode(secret + 6, n - 6, cfg->key, &cfg->key_len) || cfg->key_len < 16)
            return knc_fail(err, KN_E_CONFIG, "settings.%s: a \"whsec_\" secret must be base64 of at least 16 "
                            "bytes (Standard Webhooks)", setting);
    } else {
        memcpy(cfg->key, secret, n);
        cfg->key_len = n;
    }
    return KN_OK;
}

static kn_status_t read_secret(wh_config *cfg, const kn_host_t *host, const char *name, kn_error_t *err) {
    char shown[160];
    const kn_host_secrets_v1_t *secrets = host ? host->get_service(host, KN_HOST_SECRETS_ID) : NULL;
    if (!secrets) return knc_fail(err, KN_E_CONFIG, "settings.secret_name: this host offers no secrets service");
    uint8_t buf[1024];
    size_t len = 0;
    kn_status_t rc = secrets->get(host, name, buf, sizeof buf, &len);
    if (rc == KN_E_NOT_FOUND)
        return knc_fail(err, KN_E_CONFIG, "settings.secret_name: no secret named \"%s\"", KNC_CLIP(name, shown));
    if (rc != KN_OK)
        return knc_fail(err, KN_E_CONFIG, "settings.secret_name: the secret \"%s\" is larger than 1 KiB",
                        KNC_CLIP(name, shown));
    rc = set_key(cfg, (const char *)buf, len, "secret_name", err);
    memset(buf, 0, sizeof buf);
    return rc;
}

/* ca_file is read by libcurl at each connection: a missing file would fail every send. */
static kn_status_t check_ca_file(const char *path, kn_error_t *err) {
    char shown[200];
    FILE *f = path ? fopen(path, "re") : NULL;
    if (path && !f)
        return knc_fail(err, KN_E_CONFIG, "settings.ca_file: cannot open %s: %s", KNC_CLIP(path, shown), strerror(errno));
    if (f) fclose(f);
    return KN_OK;
}

kn_status_t wh_config_load(wh_config *cfg, const kn_host_t *host, const char *json, kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    kn_status_t rc = KN_OK;
    char shown[200];
    memset(cfg, 0, sizeof *cfg);
    if (!knc_json_parse(json, &root, &jerr) || root.type != J_OBJ) {
        knc_json_free(&root);
        return knc_fail(err, jerr.oom ? KN_E_NO_MEMORY : KN_E_CONFIG, "settings are not a JSON object (%s at "
                        "byte %zu)", jerr.what ? jerr.what : "not an object", jerr.pos);
    }
    const char *url = str(&root, "url"), *secret = str(&root, "secret"), *secret_name = str(&root, "secret_name");
    cfg->timeout_s = num(&root, "timeout_seconds", 10);
    cfg->connect_timeout_s = num(&root, "connect_timeout_seconds", 5);
    cfg->max_connections = (int)num(&root, "max_connections", 8);
    const char *rest = NULL;
    if (url && strncmp(url, "https://", 8) == 0) rest = url + 8;
    else if (url && strncmp(url, "http://", 7) == 0) rest = url + 7;
    size_t hostlen = rest ? strcspn(rest, "/?#") : 0;
    if (!url) rc = knc_fail(err, KN_E_CONFIG, "settings.url is required");
    else if (!rest || hostlen == 0)
        rc = knc_fail(err, KN_E_CONFIG, "settings.url: \"%s\" is not an http:// or https:// URL", KNC_CLIP(url, shown));
    else if (memchr(rest, '@', hostlen))
        rc = knc_fail(err, KN_E_CONFIG, "settings.url: credentials in the URL are not supported; the "
                      "signature authenticates the sender");
    else if (strpbrk(url, " \t\r\n"))
        rc = knc_fail(err, KN_E_CONFIG, "settings.url: \"%s\" holds whitespace", KNC_CLIP(url, shown));
    else if (secret && secret_name)
        rc = knc_fail(err, KN_E_CONFIG, "settings: give secret or secret_name, not both");
    else if (!secret && !secret_name)
        rc = knc_fail(err, KN_E_CONFIG, "settings.secret (or secret_name) is required: receivers verify "
                      "the signature");
    if (rc == KN_OK) rc = check_ca_file(str(&root, "ca_file"), err);
    if (rc == KN_OK) rc = secret ? set_key(cfg, secret, strlen(secret), "secret", err) : read_secret(cfg, host, secret_name, err);
    if (rc == KN_OK) {
        cfg->url = strdup(url);
        size_t shown_len = (size_t)(rest - url) + strcspn(rest, "?#");
        cfg->shown_url = strndup(url, shown_len);
        const char *ca = str(&root, "ca_file");
        cfg->ca_file = ca ? strdup(ca) : NULL;
        if (!cfg->url || !cfg->shown_url || (ca && !cfg->ca_file)) rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    knc_json_free(&root);
    if (rc != KN_OK) wh_config_free(cfg);
    return rc;
}

void wh_config_free(wh_config *cfg) {
    if (cfg->key) memset(cfg->key, 0, cfg->key_len);
    free(cfg->key), free(cfg->url), free(cfg->shown_url), free(cfg->ca_file);
    memset(cfg, 0, sizeof *cfg);
}
