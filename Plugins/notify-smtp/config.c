/*
 * notify-smtp: the instance's settings. The host has validated them against the schema in
 * entry.c and filled defaults; this file checks what a schema cannot say (From's shape, the
 * DKIM domain's alignment with From, the three DKIM settings together), fetches a password
 * kept as a host secret and reads the DKIM key. The password is never logged nor quoted.
 */
#define _GNU_SOURCE
#include "smtp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *str(const jval *root, const char *key) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_STR && strlen(v->str) == v->len ? v->str : NULL;
}

static long num(const jval *root, const char *key, long fallback) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_NUM ? (long)v->num : fallback;
}

static bool flag(const jval *root, const char *key, bool fallback) {
    const jval *v = knc_json_get(root, key);
    return v && (v->type == J_TRUE || v->type == J_FALSE) ? v->type == J_TRUE : fallback;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

bool smtp_address_valid(const char *s, size_t n) {
    if (!s || n < 3 || n > 254) return false;
    const char *at = memrchr(s, '@', n);
    if (!at || at == s || at == s + n - 1) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7F || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' ||
            c == ',' || c == ';' || c == '\\' || c == '[' || c == ']')
            return false;
    }
    return memchr(s, '@', (size_t)(at - s)) == NULL; /* exactly one '@' */
}

/* "Name <addr@example.org>" or "addr@example.org". */
static kn_status_t parse_from(smtp_config *cfg, const char *from, kn_error_t *err) {
    char shown[160];
    const char *lt = strrchr(from, '<'), *addr = from;
    size_t alen = strlen(from);
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0')
            return knc_fail(err, KN_E_CONFIG, "settings.from: \"%s\" must be \"Name <address>\" or an "
                           "address", KNC_CLIP(from, shown));
        addr = lt + 1, alen = (size_t)(gt - addr);
        const char *name = from;
        size_t nlen = (size_t)(lt - from);
        while (nlen && (*name == ' ' || *name == '\t')) name++, nlen--;
        while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t')) nlen--;
        if (nlen >= 2 && name[0] == '"' && name[nlen - 1] == '"') name++, nlen -= 2;
        for (size_t i = 0; i < nlen; i++)
            if ((unsigned char)name[i] < ' ' || name[i] == 0x7F)
                return knc_fail(err, KN_E_CONFIG, "settings.from: the name holds a control character");
        if (nlen && !(cfg->from_name = strndup(name, nlen))) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    if (!smtp_address_valid(addr, alen))
        return knc_fail(err, KN_E_CONFIG, "settings.from: \"%s\" is not a mail address (local@domain, "
                       "ASCII)", KNC_CLIP(from, shown));
    cfg->from_addr = strndup(addr, alen);
    cfg->from_domain = cfg->from_addr ? strdup(strrchr(cfg->from_addr, '@') + 1) : NULL;
    if (!cfg->from_addr || !cfg->from_domain) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    return KN_OK;
}

/* The password from the host's secret store (kinora.host.secrets/1). */
static kn_status_t read_password_secret(smtp_config *cfg, const kn_host_t *host, const char *name,
                                        kn_error_t *err) {
    char shown[160];
    const kn_host_secrets_v1_t *secrets = host ? host->get_service(host, KN_HOST_SECRETS_ID) : NULL;
    if (!secrets)
        return knc_fail(err, KN_E_CONFIG, "settings.password_secret: this host offers no secrets service");
    uint8_t buf[1024];
    size_t len = 0;
    kn_status_t rc = secrets->get(host, name, buf, sizeof buf - 1, &len);
    if (rc == KN_E_NOT_FOUND)
        return knc_fail(err, KN_E_CONFIG, "settings.password_secret: no secret named \"%s\"",
                       KNC_CLIP(name, shown));
    if (rc != KN_OK || len >= sizeof buf || memchr(buf, 0, len))
        return memset(buf, 0, sizeof buf),
               knc_fail(err, KN_E_CONFIG, "settings.password_secret: the secret \"%s\" is not a "
                        "password of at most 1023 bytes", KNC_CLIP(name, shown));
    buf[len] = '\0';
    cfg->password = strdup((char *)buf);
    memset(buf, 0, sizeof buf);
    return cfg->password ? KN_OK : knc_fail(err, KN_E_NO_MEMORY, "out of memory");
}

/* A key file with a passphrase is refused rather than prompted for on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) {
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

static kn_status_t load_dkim_key(smtp_config *cfg, const char *path, kn_error_t *err) {
    char shown[200];
    FILE *f = fopen(path, "re");
    if (!f)
        return knc_fail(err, KN_E_CONFIG, "settings.dkim_key_file: cannot open %s: %s", KNC_CLIP(path, shown),
                       strerror(errno));
    static const size_t cap = 64 * 1024;
    char *pem = malloc(cap);
    if (!pem) return fclose(f), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    size_t n = fread(pem, 1, cap, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    kn_status_t rc = KN_OK;
    if (failed || n == cap)
        rc = knc_fail(err, KN_E_CONFIG, "settings.dkim_key_file: %s %s", KNC_CLIP(path, shown),
                      failed ? "cannot be read" : "is larger than 64 KiB; it should hold one PEM key");
    BIO *bio = rc == KN_OK ? knc_curl.bio_new_mem_buf(pem, (int)n) : NULL;
    if (rc == KN_OK && bio) {
        cfg->dkim_key = knc_curl.pem_read_bio_privatekey(bio, NULL, no_passphrase, NULL);
        knc_curl.bio_free(bio);
        while (knc_curl.err_get_error()) {} /* leave no error on this thread's queue */
        if (!cfg->dkim_key)
            rc = knc_fail(err, KN_E_CONFIG, "settings.dkim_key_file: %s holds no unencrypted PEM private "
                          "key (PKCS#8 \"BEGIN PRIVATE KEY\" expected)", KNC_CLIP(path, shown));
        else if (knc_curl.evp_pkey_get_base_id(cfg->dkim_key) != EVP_PKEY_RSA)
            rc = knc_fail(err, KN_E_CONFIG, "settings.dkim_key_file: %s is not an RSA key (rsa-sha256 "
                          "signs with RSA)", KNC_CLIP(path, shown));
        else if (knc_curl.evp_pkey_get_bits(cfg->dkim_key) < 1024)
            rc = knc_fail(err, KN_E_CONFIG, "settings.dkim_key_file: %s holds a %d-bit key; DKIM "
                          "verifiers want at least 1024 bits (2048 recommended)", KNC_CLIP(path, shown),
                          knc_curl.evp_pkey_get_bits(cfg->dkim_key));
    } else if (rc == KN_OK) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    memset(pem, 0, cap);
    free(pem);
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

kn_status_t smtp_config_load(smtp_config *cfg, const kn_host_t *host, const char *json, kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    kn_status_t rc = KN_OK;
    char shown[160];
    memset(cfg, 0, sizeof *cfg);
    if (!knc_json_parse(json, &root, &jerr) || root.type != J_OBJ) {
        knc_json_free(&root);
        return knc_fail(err, jerr.oom ? KN_E_NO_MEMORY : KN_E_CONFIG, "settings are not a JSON object "
                        "(%s at byte %zu)", jerr.what ? jerr.what : "not an object", jerr.pos);
    }
    const char *host_name = str(&root, "host"), *from = str(&root, "from");
    const char *username = str(&root, "username"), *password = str(&root, "password");
    const char *password_secret = str(&root, "password_secret");
    const char *sel = str(&root, "dkim_selector"), *dom = str(&root, "dkim_domain");
    const char *key = str(&root, "dkim_key_file");
    cfg->starttls = flag(&root, "starttls", true);
    cfg->implicit_tls = flag(&root, "implicit_tls", false);
    cfg->port = num(&root, "port", cfg->implicit_tls ? 465 : 587);
    cfg->timeout_s = num(&root, "timeout_seconds", 30);
    cfg->connect_timeout_s = num(&root, "connect_timeout_seconds", 10);
    cfg->max_connections = (int)num(&root, "max_connections", 8);
    if (!host_name || !*host_name) rc = knc_fail(err, KN_E_CONFIG, "settings.host is required");
    else if (!from) rc = knc_fail(err, KN_E_CONFIG, "settings.from is required");
    else if (cfg->port < 1 || cfg->port > 65535)
        rc = knc_fail(err, KN_E_CONFIG, "settings.port: %ld is not a TCP port", cfg->port);
    else if (password && password_secret)
        rc = knc_fail(err, KN_E_CONFIG, "settings: give password or password_secret, not both");
    else if ((password || password_secret) && !username)
        rc = knc_fail(err, KN_E_CONFIG, "settings.username is required with a password");
    else if (username && !password && !password_secret)
        rc = knc_fail(err, KN_E_CONFIG, "settings.password (or password_secret) is required with a username");
    else if ((sel != NULL) + (dom != NULL) + (key != NULL) != 0 && (sel != NULL) + (dom != NULL) + (key != NULL) != 3)
        rc = knc_fail(err, KN_E_CONFIG, "settings.%s: DKIM signing needs dkim_selector, dkim_domain and "
                      "dkim_key_file together", !sel ? "dkim_selector" : !dom ? "dkim_domain" : "dkim_key_file");
    for (const char *p = host_name; rc == KN_OK && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == ':' || *p == '[' || *p == ']'))
            rc = knc_fail(err, KN_E_CONFIG, "settings.host: \"%s\" is not a host name or IP address",
                          KNC_CLIP(host_name, shown));
    if (rc == KN_OK) rc = parse_from(cfg, from, err);
    if (rc == KN_OK && dom) {
        size_t fl = strlen(cfg->from_domain), dl = strlen(dom);
        bool aligned = strcasecmp(cfg->from_domain, dom) == 0 ||
                       (fl > dl && cfg->from_domain[fl - dl - 1] == '.' &&
                        strcasecmp(cfg->from_domain + fl - dl, dom) == 0);
        if (!aligned)
            rc = knc_fail(err, KN_E_CONFIG, "settings.dkim_domain: \"%s\" does not align with the From "
                          "domain \"%s\" (DMARC wants d= to be From's domain or a parent of it)",
                          KNC_CLIP(dom, shown), cfg->from_domain);
        for (const char *p = sel; rc == KN_OK && *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  *p == '.' || *p == '-'))
                rc = knc_fail(err, KN_E_CONFIG, "settings.dkim_selector: \"%s\" is not a DNS label",
                              KNC_CLIP(sel, shown));
    }
    if (rc == KN_OK) rc = check_ca_file(str(&root, "ca_file"), err);
    if (rc == KN_OK && key) rc = load_dkim_key(cfg, key, err);
    if (rc == KN_OK && password_secret) rc = read_password_secret(cfg, host, password_secret, err);
    if (rc == KN_OK) {
        bool v6 = strchr(host_name, ':') && host_name[0] != '[';
        size_t cap = strlen(host_name) + 32;
        cfg->host = strdup(host_name);
        cfg->url = malloc(cap);
        if (cfg->url)
            snprintf(cfg->url, cap, "%s://%s%s%s:%ld", cfg->implicit_tls ? "smtps" : "smtp", v6 ? "[" : "",
                     host_name, v6 ? "]" : "", cfg->port);
        cfg->username = dup_or_null(username);
        if (password) cfg->password = strdup(password);
        cfg->ca_file = dup_or_null(str(&root, "ca_file"));
        cfg->dkim_selector = dup_or_null(sel);
        cfg->dkim_domain = dup_or_null(dom);
        if (!cfg->host || !cfg->url || (username && !cfg->username) || (username && !cfg->password) ||
            (sel && (!cfg->dkim_selector || !cfg->dkim_domain)) || (str(&root, "ca_file") && !cfg->ca_file))
            rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    knc_json_free(&root);
    if (rc != KN_OK) smtp_config_free(cfg);
    return rc;
}

void smtp_config_free(smtp_config *cfg) {
    if (cfg->password) memset(cfg->password, 0, strlen(cfg->password));
    if (cfg->dkim_key) knc_curl.evp_pkey_free(cfg->dkim_key);
    free(cfg->url), free(cfg->host), free(cfg->username), free(cfg->password);
    free(cfg->from_addr), free(cfg->from_name), free(cfg->from_domain), free(cfg->ca_file);
    free(cfg->dkim_selector), free(cfg->dkim_domain);
    memset(cfg, 0, sizeof *cfg);
}
