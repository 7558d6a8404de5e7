/*
 * storage-s3: the instance's settings. The host has validated them against the schema in
 * entry.c and filled defaults; this file checks what a schema cannot say (one of the two
 * secret keys, the endpoint's shape) and reads the secret file. Secrets are never logged and
 * never quoted in messages.
 */
#define _GNU_SOURCE
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const jval *root, const char *key) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_STR ? v->str : NULL;
}

static double num(const jval *root, const char *key, double fallback) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_NUM ? v->num : fallback;
}

static bool flag(const jval *root, const char *key, bool fallback) {
    const jval *v = knc_json_get(root, key);
    return v && (v->type == J_TRUE || v->type == J_FALSE) ? v->type == J_TRUE : fallback;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The secret from a file: whole content, one trailing newline (and CR) removed. */
static kn_status_t read_secret_file(const char *path, char **out, kn_error_t *err) {
    char shown[256];
    FILE *f = fopen(path, "re");
    if (!f)
        return knc_fail(err, KN_E_CONFIG, "settings.secret_access_key_file: cannot open %s: %s",
                       KNC_CLIP(path, shown), strerror(errno));
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    if (more)
        return knc_fail(err, KN_E_CONFIG, "settings.secret_access_key_file: %s is larger than "
                       "1 KiB; it should hold the secret only", KNC_CLIP(path, shown));
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
    if (n == 0 || strlen(buf) != n)
        return knc_fail(err, KN_E_CONFIG, "settings.secret_access_key_file: %s is empty",
                       KNC_CLIP(path, shown));
    *out = strdup(buf);
    memset(buf, 0, sizeof buf);
    return *out ? KN_OK : knc_fail(err, KN_E_NO_MEMORY, "out of memory");
}

/* "http://host:port" -> https flag and "host:port" (default port dropped, as SDKs sign it). */
static kn_status_t parse_endpoint(s3_config *cfg, const char *endpoint, kn_error_t *err) {
    char shown[256];
    const char *rest;
    if (strncmp(endpoint, "http://", 7) == 0) cfg->https = false, rest = endpoint + 7;
    else if (strncmp(endpoint, "https://", 8) == 0) cfg->https = true, rest = endpoint + 8;
    else
        return knc_fail(err, KN_E_CONFIG, "settings.endpoint: \"%s\" must start with http:// or "
                       "https://", KNC_CLIP(endpoint, shown));
    size_t n = strlen(rest);
    while (n && rest[n - 1] == '/') n--;
    if (n == 0 || memchr(rest, '/', n) || memchr(rest, '?', n) || memchr(rest, '@', n))
        return knc_fail(err, KN_E_CONFIG, "settings.endpoint: \"%s\" must be scheme://host[:port] "
                       "with no path (the bucket goes in settings.bucket)",
                       KNC_CLIP(endpoint, shown));
    const char *dflt = cfg->https ? ":443" : ":80";
    size_t dl = strlen(dflt);
    if (n > dl && memcmp(rest + n - dl, dflt, dl) == 0) n -= dl;
    cfg->endpoint_host = strndup(rest, n);
    cfg->endpoint = malloc(n + 9);
    if (!cfg->endpoint_host || !cfg->endpoint) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    snprintf(cfg->endpoint, n + 9, "%s%.*s", cfg->https ? "https://" : "http://", (int)n, rest);
    return KN_OK;
}

kn_status_t s3_config_load(s3_config *cfg, const char *json, kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    kn_status_t rc = KN_OK;
    memset(cfg, 0, sizeof *cfg);
    if (!knc_json_parse(json, &root, &jerr) || root.type != J_OBJ) {
        knc_json_free(&root);
        return knc_fail(err, KN_E_CONFIG, "settings are not a JSON object (%s at byte %zu)",
                       jerr.what ? jerr.what : "not an object", jerr.pos);
    }
    const char *endpoint = str(&root, "endpoint"), *bucket = str(&root, "bucket");
    const char *akid = str(&root, "access_key_id"), *secret = str(&root, "secret_access_key");
    const char *secret_file = str(&root, "secret_access_key_file");
    const char *prefix = str(&root, "prefix");
    if (!endpoint || !bucket || !akid)
        rc = knc_fail(err, KN_E_CONFIG, "settings.%s is required",
                     !endpoint ? "endpoint" : !bucket ? "bucket" : "access_key_id");
    else if ((secret != NULL) == (secret_file != NULL))
        rc = knc_fail(err, KN_E_CONFIG, "settings: give exactly one of secret_access_key and "
                     "secret_access_key_file");
    if (rc == KN_OK) rc = parse_endpoint(cfg, endpoint, err);
    if (rc == KN_OK && secret_file) rc = read_secret_file(secret_file, &cfg->secret_access_key, err);
    if (rc == KN_OK) {
        char shown[160];
        cfg->region = strdup(str(&root, "region") ? str(&root, "region") : "us-east-1");
        cfg->bucket = strdup(bucket);
        cfg->access_key_id = strdup(akid);
        if (secret) cfg->secret_access_key = strdup(secret);
        cfg->session_token = dup_or_null(str(&root, "session_token"));
        cfg->ca_file = dup_or_null(str(&root, "ca_file"));
        /* The prefix is a folder: "media" and "media/" both mean keys under "media/". */
        size_t pl = prefix ? strlen(prefix) : 0;
        while (pl && prefix[pl - 1] == '/') pl--;
        cfg->prefix = malloc(pl + 2);
        if (cfg->prefix) {
            memcpy(cfg->prefix, prefix ? prefix : "", pl);
            if (pl) cfg->prefix[pl++] = '/';
            cfg->prefix[pl] = '\0';
        }
        if (pl && !s3_prefix_valid(cfg->prefix))
            rc = knc_fail(err, KN_E_CONFIG, "settings.prefix: \"%s\" is not a valid key prefix",
                         KNC_CLIP(prefix, shown));
        cfg->path_style = flag(&root, "path_style", true);
        cfg->part_size = (size_t)num(&root, "part_size", 16 << 20);
        cfg->concurrency = (int)num(&root, "concurrency", 4);
        cfg->connect_timeout_ms = (long)(num(&root, "connect_timeout_seconds", 10) * 1000);
        cfg->idle_timeout_s = (long)num(&root, "idle_timeout_seconds", 60);
        cfg->max_retries = (int)num(&root, "max_retries", 4);
        cfg->stale_upload_age_s = (int64_t)(num(&root, "abort_stale_uploads_after_hours", 24) * 3600);
        cfg->presign_lifetime_s = (int64_t)num(&root, "presign_lifetime_seconds", 300);
        cfg->create_bucket = flag(&root, "create_bucket", false);
        cfg->tls_verify = flag(&root, "tls_verify", true);
        if (!cfg->region || !cfg->bucket || !cfg->access_key_id || !cfg->secret_access_key ||
            !cfg->prefix)
            rc = rc ? rc : knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        if (rc == KN_OK && cfg->part_size < (5u << 20))
            rc = knc_fail(err, KN_E_CONFIG, "settings.part_size: S3 parts are at least 5 MiB "
                         "(5242880 bytes)");
        if (rc == KN_OK && !cfg->path_style && strchr(cfg->bucket, '.') && cfg->https)
            knc_log(NULL, KN_LOG_WARN, "bucket names with dots break TLS with virtual-hosted style");
    }
    knc_json_free(&root);
    if (rc != KN_OK) s3_config_free(cfg);
    return rc;
}

void s3_config_free(s3_config *cfg) {
    if (cfg->secret_access_key) memset(cfg->secret_access_key, 0, strlen(cfg->secret_access_key));
    if (cfg->session_token) memset(cfg->session_token, 0, strlen(cfg->session_token));
    free(cfg->endpoint), free(cfg->endpoint_host), free(cfg->region), free(cfg->bucket);
    free(cfg->prefix), free(cfg->access_key_id), free(cfg->secret_access_key);
    free(cfg->session_token), free(cfg->ca_file);
    memset(cfg, 0, sizeof *cfg);
}
