/*
 * notify-webpush: the instance and the functions its files share.
 *
 *   config.c    settings -> wp_config; the VAPID key file, read or made on first create
 *   ece.c       RFC 8291 message encryption, RFC 8188 aes128gcm content coding
 *   vapid.c     RFC 8292 VAPID: the ES256 JWT and the Authorization header
 *   send.c      the subscription, the payload, the POST over pooled handles, the outcome
 *   entry.c     descriptor, settings schema, factory, module entry, channel_info
 *
 * An instance is read-only after create() but for its handle pool (own lock): send() may
 * run on several host worker threads at once (EVP_PKEY objects are safe to share for
 * signing and deriving). Internal: every function is hidden.
 */
#ifndef KINORA_NOTIFY_WEBPUSH_H
#define KINORA_NOTIFY_WEBPUSH_H

#include <kinora/plugin.h>

#include "knc_curl.h"
#include "knc_json.h"
#include "knc_text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WP_ID "org.kinora.notify-webpush"
#define WP_VERSION "1.0.0"
#define WP_INTERNAL __attribute__((visibility("hidden")))

#define WP_POINT_LEN 65  /* an uncompressed P-256 point: 0x04 || X || Y        */
#define WP_AUTH_LEN 16   /* the subscription's auth secret (RFC 8291 §3.2)      */
#define WP_SALT_LEN 16
#define WP_RECORD_SIZE 4096
/* The RFC 8188 header: salt, record size, key id length, the sender's public key. */
#define WP_HEADER_LEN (WP_SALT_LEN + 4 + 1 + WP_POINT_LEN)
/* One record holds the whole message: plaintext + delimiter + tag <= record size, and the
 * body (header + record) <= 4096 bytes, which every push service must accept (RFC 8030 §7.2). */
#define WP_PLAINTEXT_MAX (4096 - WP_HEADER_LEN - 1 - 16)

typedef struct {
    char *subject;               /* "mailto:..." or "https://..."                           */
    char *key_file;
    EVP_PKEY *vapid_key;         /* the application server's P-256 key                      */
    char public_key_b64[96];     /* base64url of its uncompressed point                     */
    char *channel_info;          /* {"application_server_key": "..."}                       */
    long ttl_s, timeout_s, connect_timeout_s;
    int max_connections;
    bool allow_insecure;         /* http:// endpoints on 127.0.0.1 / localhost (tests)      */
    char *ca_file;
    /* Tests only (settings.test_vector): a fixed ephemeral key and salt, and the message's
     * text encrypted as it is, so RFC 8291 Appendix A can be reproduced byte for byte. */
    EVP_PKEY *test_ephemeral;
    unsigned char test_salt[WP_SALT_LEN];
} wp_config;

typedef struct wp_instance {
    kn_plugin_t plugin;
    const kn_host_t *host;
    wp_config cfg;
    knc_curl_pool pool;
    atomic_bool stopping;
} wp_instance;

/* -- config.c ------------------------------------------------------------------------- */
WP_INTERNAL kn_status_t wp_config_load(wp_config *cfg, const kn_host_t *host, const char *json, kn_error_t *err);
WP_INTERNAL void wp_config_free(wp_config *cfg);
/* The public key of a P-256 key as its uncompressed point; false if it is not one. */
WP_INTERNAL bool wp_public_point(EVP_PKEY *key, unsigned char out[WP_POINT_LEN]);
/* Why libcrypto failed last, for messages ("" when it said nothing). */
WP_INTERNAL const char *wp_crypto_error(char *buf, size_t len);

/* -- ece.c ---------------------------------------------------------------------------- */
/* Encrypts plaintext (at most WP_PLAINTEXT_MAX bytes) for the subscription's public key
 * ua_public and auth secret. ephemeral and salt: NULL for fresh ones (always, but in tests).
 * out needs WP_HEADER_LEN + n + 17 bytes; *outlen is set. INVALID_ARGUMENT when ua_public is
 * not a point of P-256. */
WP_INTERNAL kn_status_t wp_encrypt(const unsigned char ua_public[WP_POINT_LEN], const unsigned char auth[WP_AUTH_LEN],
                                   const unsigned char *plaintext, size_t n, EVP_PKEY *ephemeral,
                                   const unsigned char *salt, unsigned char *out, size_t *outlen, kn_error_t *err);

/* -- vapid.c -------------------------------------------------------------------------- */
/* "vapid t=<JWT>, k=<key>" for a request to origin ("https://push.example.net"), valid for
 * 12 hours from now_s; NULL on failure (err filled). The caller frees it. */
WP_INTERNAL char *wp_vapid_header(const wp_config *cfg, const char *origin, int64_t now_s, kn_error_t *err);

/* -- send.c --------------------------------------------------------------------------- */
WP_INTERNAL void wp_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json,
                         kn_completion_t done);

#endif
