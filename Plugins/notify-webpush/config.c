/*
 * notify-webpush: the instance's settings. The schema (entry.c) has checked their types;
 * this file checks the subject, and reads the VAPID key from key_file, making one when the
 * file does not exist yet ("generated on first start, kept in the data folder"): a fresh
 * P-256 key written as PKCS#8 PEM to a temporary file of mode 0600 in the same folder, then
 * linked to key_file, so a reader never sees half a key and two daemons starting at once
 * agree on one key (the second link fails with EEXIST and that daemon reads the winner's).
 */
#define _GNU_SOURCE
#include "webpush.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "knc_base64.h"

#define KEY_FILE_MAX (64 * 1024)

static const char *str(const jval *root, const char *key) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_STR && strlen(v->str) == v->len ? v->str : NULL;
}

static long num(const jval *root, const char *key, long fallback) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_NUM ? (long)v->num : fallback;
}

const char *wp_crypto_error(char *buf, size_t len) {
    unsigned long e = knc_curl.err_get_error(), next;
    while ((next = knc_curl.err_get_error()) != 0) e = next; /* the last is the most specific */
    buf[0] = '\0';
    if (e) knc_curl.err_error_string_n(e, buf, len);
    return buf[0] ? buf : "no reason given";
}

bool wp_public_point(EVP_PKEY *key, unsigned char out[WP_POINT_LEN]) {
    size_t len = 0;
    return knc_curl.evp_pkey_get_octet_string_param(key, "pub", out, WP_POINT_LEN, &len) > 0 && len == WP_POINT_LEN &&
           out[0] == 0x04;
}

static bool is_p256(EVP_PKEY *key) {
    char group[64];
    size_t len = 0;
    return knc_curl.evp_pkey_get_base_id(key) == EVP_PKEY_EC &&
           knc_curl.evp_pkey_get_group_name(key, group, sizeof group, &len) > 0 &&
           (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0);
}

/* Reads a PEM private key that must be P-256. *absent is set (and KN_OK returned) when the
 * file does not exist and absent is not NULL. */
static kn_status_t read_key(const char *setting, const char *path, EVP_PKEY **out, bool *absent, kn_error_t *err) {
    char shown[200], why[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && absent) return *absent = true, KN_OK;
    if (fd < 0)
        return knc_fail(err, KN_E_CONFIG, "settings.%s: cannot read %s: %s", setting, KNC_CLIP(path, shown), strerror(errno));
    char *buf = malloc(KEY_FILE_MAX);
    if (!buf) return close(fd), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    size_t n = 0;
    ssize_t got;
    while (n < KEY_FILE_MAX && ((got = read(fd, buf + n, KEY_FILE_MAX - n)) > 0 || (got < 0 && errno == EINTR)))
        if (got > 0) n += (size_t)got;
    int read_errno = got < 0 ? errno : 0;
    close(fd);
    if (read_errno) {
        free(buf);
        return knc_fail(err, KN_E_CONFIG, "settings.%s: cannot read %s: %s", setting, KNC_CLIP(path, shown),
                        strerror(read_errno));
    }
    BIO *bio = knc_curl.bio_new_mem_buf(buf, (int)n);
    EVP_PKEY *key = bio ? knc_curl.pem_read_bio_privatekey(bio, NULL, NULL, NULL) : NULL;
    if (bio) knc_curl.bio_free(bio);
    memset(buf, 0, n);
    free(buf);
    if (!key)
        return knc_fail(err, KN_E_CONFIG, "settings.%s: %s is not a PEM private key (%s)", setting, KNC_CLIP(path, shown),
                        wp_crypto_error(why, sizeof why));
    if (!is_p256(key)) {
        knc_curl.evp_pkey_free(key);
        return knc_fail(err, KN_E_CONFIG, "settings.%s: the key in %s is not an EC P-256 (prime256v1) key, which VAPID "
                        "requires", setting, KNC_CLIP(path, shown));
    }
    *out = key;
    return KN_OK;
}

/* A fresh key written to path as described at the top; *out is the key now in the file. */
static kn_status_t make_key(const kn_host_t *host, const char *path, EVP_PKEY **out, kn_error_t *err) {
    char shown[200], why[160];
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = knc_curl.evp_pkey_ctx_new_from_name(NULL, "EC", NULL);
    if (ctx && knc_curl.evp_pkey_keygen_init(ctx) > 0 && knc_curl.evp_pkey_ctx_set_group_name(ctx, "prime256v1") > 0)
        knc_curl.evp_pkey_generate(ctx, &key);
    knc_curl.evp_pkey_ctx_free(ctx);
    if (!key) return knc_fail(err, KN_E_INTERNAL, "generating a P-256 key failed: %s", wp_crypto_error(why, sizeof why));
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 48);
    if (!tmp) return knc_curl.evp_pkey_free(key), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(tmp, plen + 48, "%s.tmp-%ld-%ld", path, (long)getpid(), (long)ts.tv_nsec);
    kn_status_t rc = KN_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        rc = knc_fail(err, KN_E_CONFIG, "settings.key_file: cannot create %s (to make a new key): %s", KNC_CLIP(path, shown),
                      strerror(errno));
        if (fd >= 0) close(fd), unlink(tmp);
        goto done;
    }
    bool written = knc_curl.pem_write_privatekey(f, key, NULL, NULL, 0, NULL, NULL) > 0 && fflush(f) == 0 && fsync(fd) == 0;
    int write_errno = errno;
    if (fclose(f) != 0) written = false;
    if (!written) {
        unlink(tmp);
        rc = knc_fail(err, KN_E_CONFIG, "settings.key_file: writing a new key to %s failed: %s", KNC_CLIP(path, shown),
                      write_errno ? strerror(write_errno) : wp_crypto_error(why, sizeof why));
        goto done;
    }
    if (link(tmp, path) == 0) {
        unlink(tmp);
    } else if (errno == EEXIST) {
        /* Another process made the key first: use that one. */
        unlink(tmp);
        knc_curl.evp_pkey_free(key), key = NULL;
        rc = read_key("key_file", path, &key, NULL, err);
        goto done;
    } else if (rename(tmp, path) != 0) { /* a file system without hard links */
        rc = knc_fail(err, KN_E_CONFIG, "settings.key_file: cannot create %s: %s", KNC_CLIP(path, shown), strerror(errno));
        unlink(tmp);
        goto done;
    }
    /* The new name is durable once its folder is. */
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) {
        *(slash == dir ? slash + 1 : slash) = '\0';
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) fsync(dfd), close(dfd);
    }
    free(dir);
    knc_log(host, KN_LOG_INFO, "made a new VAPID key in %s", KNC_CLIP(path, shown));
done:
    free(tmp);
    if (rc != KN_OK && key) knc_curl.evp_pkey_free(key), key = NULL;
    *out = key;
    return rc;
}

static kn_status_t load_test_vector(wp_config *cfg, const jval *tv, kn_error_t *err) {
    const char *file = str(tv, "ephemeral_key_file"), *salt = str(tv, "salt");
    unsigned char buf[WP_SALT_LEN + 3];
    size_t len = 0;
    if (!file || !salt) return knc_fail(err, KN_E_CONFIG, "settings.test_vector needs ephemeral_key_file and salt");
    if (strlen(salt) > 24 || !knc_base64url_decode(salt, strlen(salt), buf, &len) || len != WP_SALT_LEN)
        return knc_fail(err, KN_E_CONFIG, "settings.test_vector.salt is not base64url of 16 bytes");
    memcpy(cfg->test_salt, buf, WP_SALT_LEN);
    return read_key("test_vector.ephemeral_key_file", file, &cfg->test_ephemeral, NULL, err);
}

kn_status_t wp_config_load(wp_config *cfg, const kn_host_t *host, const char *json, kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    kn_status_t rc = KN_OK;
    char shown[200];
    memset(cfg, 0, sizeof *cfg);
    if (!knc_json_parse(json, &root, &jerr) || root.type != J_OBJ) {
        knc_json_free(&root);
        return knc_fail(err, jerr.oom ? KN_E_NO_MEMORY : KN_E_CONFIG, "settings are not a JSON object (%s at byte %zu)",
                        jerr.what ? jerr.what : "not an object", jerr.pos);
    }
    const char *subject = str(&root, "subject"), *key_file = str(&root, "key_file"), *ca = str(&root, "ca_file");
    const jval *insecure = knc_json_get(&root, "allow_insecure_endpoints"), *tv = knc_json_get(&root, "test_vector");
    cfg->ttl_s = num(&root, "ttl_seconds", 86400);
    cfg->timeout_s = num(&root, "timeout_seconds", 10);
    cfg->connect_timeout_s = num(&root, "connect_timeout_seconds", 5);
    cfg->max_connections = (int)num(&root, "max_connections", 8);
    cfg->allow_insecure = insecure && insecure->type == J_TRUE;
    if (!subject)
        rc = knc_fail(err, KN_E_CONFIG, "settings.subject is required: a mailto: or https: URL push services can "
                      "reach the operator at (RFC 8292)");
    else if (!((strncmp(subject, "mailto:", 7) == 0 && strchr(subject + 7, '@')) ||
               (strncmp(subject, "https://", 8) == 0 && subject[8] && subject[8] != '/')) ||
             strpbrk(subject, " \t\r\n"))
        rc = knc_fail(err, KN_E_CONFIG, "settings.subject: \"%s\" is not a mailto: address or an https: URL",
                      KNC_CLIP(subject, shown));
    else if (!key_file || !key_file[0])
        rc = knc_fail(err, KN_E_CONFIG, "settings.key_file is required: where the VAPID key is kept (made on first start)");
    else if (cfg->ttl_s < 0 || cfg->ttl_s > 2419200)
        rc = knc_fail(err, KN_E_CONFIG, "settings.ttl_seconds: %ld is not between 0 and 2419200 (28 days)", cfg->ttl_s);
    if (rc == KN_OK && ca) {
        FILE *f = fopen(ca, "re");
        if (!f) rc = knc_fail(err, KN_E_CONFIG, "settings.ca_file: cannot open %s: %s", KNC_CLIP(ca, shown), strerror(errno));
        else fclose(f);
    }
    if (rc == KN_OK && tv && tv->type == J_OBJ) rc = load_test_vector(cfg, tv, err);
    if (rc == KN_OK) {
        bool absent = false;
        rc = read_key("key_file", key_file, &cfg->vapid_key, &absent, err);
        if (rc == KN_OK && absent) rc = make_key(host, key_file, &cfg->vapid_key, err);
    }
    if (rc == KN_OK) {
        struct stat st;
        if (stat(key_file, &st) == 0 && (st.st_mode & 077))
            knc_log(host, KN_LOG_WARN, "settings.key_file: %s is readable by other users (mode %03o); chmod 600 it",
                    KNC_CLIP(key_file, shown), (unsigned)(st.st_mode & 0777));
        unsigned char point[WP_POINT_LEN];
        if (!wp_public_point(cfg->vapid_key, point))
            rc = knc_fail(err, KN_E_CONFIG, "settings.key_file: cannot read the public key of %s", KNC_CLIP(key_file, shown));
        else knc_base64url_encode(point, sizeof point, cfg->public_key_b64);
    }
    if (rc == KN_OK) {
        knc_strbuf info = {0};
        knc_sb_puts(&info, "{\"application_server_key\":");
        knc_sb_json_string(&info, cfg->public_key_b64);
        knc_sb_puts(&info, "}");
        cfg->channel_info = info.p;
        cfg->subject = strdup(subject);
        cfg->key_file = strdup(key_file);
        cfg->ca_file = ca ? strdup(ca) : NULL;
        if (info.oom || !cfg->subject || !cfg->key_file || (ca && !cfg->ca_file))
            rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    knc_json_free(&root);
    if (rc != KN_OK) wp_config_free(cfg);
    return rc;
}

void wp_config_free(wp_config *cfg) {
    if (cfg->vapid_key) knc_curl.evp_pkey_free(cfg->vapid_key);
    if (cfg->test_ephemeral) knc_curl.evp_pkey_free(cfg->test_ephemeral);
    free(cfg->subject), free(cfg->key_file), free(cfg->channel_info), free(cfg->ca_file);
    memset(cfg, 0, sizeof *cfg);
}
