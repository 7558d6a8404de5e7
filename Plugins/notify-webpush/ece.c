/*
 * notify-webpush: RFC 8291 message encryption for Web Push, in the RFC 8188 "aes128gcm"
 * content coding, with one record (the whole message fits in 4096 bytes).
 *
 *   ecdh_secret = ECDH(as_private, ua_public)                    a fresh key per message
 *   PRK_key     = HMAC-SHA-256(auth_secret, ecdh_secret)          RFC 8291 §3.3
 *   IKM         = HMAC-SHA-256(PRK_key, "WebPush: info" 0x00 ua_public as_public 0x01)
 *   PRK         = HMAC-SHA-256(salt, IKM)                         RFC 8188 §2.2
 *   CEK         = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" 0x00 0x01)[0..16)
 *   NONCE       = HMAC-SHA-256(PRK, "Content-Encoding: nonce" 0x00 0x01)[0..12)
 *   body        = salt || rs (4096, big-endian) || 65 || as_public
 *                 || AES-128-GCM(CEK, NONCE, plaintext || 0x02) || tag
 * Every HKDF output here is at most one SHA-256 block, so HKDF-Expand is one HMAC with the
 * counter byte 0x01.
 */
#define _GNU_SOURCE
#include "webpush.h"

#include <stdlib.h>
#include <string.h>

static bool hmac256(const void *key, size_t klen, const void *data, size_t n, unsigned char out[32]) {
    unsigned int len = 32;
    return knc_curl.hmac(knc_curl.evp_sha256(), key, (int)klen, data, n, out, &len) != NULL && len == 32;
}

/* The subscription's key as an EVP_PKEY; NULL when the bytes are not a point of P-256. */
static EVP_PKEY *peer_key(const unsigned char point[WP_POINT_LEN]) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = knc_curl.evp_pkey_ctx_new_from_name(NULL, "EC", NULL);
    char group[] = "prime256v1";
    unsigned char pub[WP_POINT_LEN];
    memcpy(pub, point, sizeof pub);
    OSSL_PARAM params[] = {
        knc_curl.ossl_param_construct_utf8_string("group", group, 0),
        knc_curl.ossl_param_construct_octet_string("pub", pub, sizeof pub),
        knc_curl.ossl_param_construct_end(),
    };
    if (ctx && knc_curl.evp_pkey_fromdata_init(ctx) > 0) knc_curl.evp_pkey_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    knc_curl.evp_pkey_ctx_free(ctx);
    return key;
}

static EVP_PKEY *fresh_key(void) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = knc_curl.evp_pkey_ctx_new_from_name(NULL, "EC", NULL);
    if (ctx && knc_curl.evp_pkey_keygen_init(ctx) > 0 && knc_curl.evp_pkey_ctx_set_group_name(ctx, "prime256v1") > 0)
        knc_curl.evp_pkey_generate(ctx, &key);
    knc_curl.evp_pkey_ctx_free(ctx);
    return key;
}

static bool ecdh(EVP_PKEY *mine, EVP_PKEY *peer, unsigned char secret[32]) {
    size_t len = 32;
    EVP_PKEY_CTX *ctx = knc_curl.evp_pkey_ctx_new_from_pkey(NULL, mine, NULL);
    bool ok = ctx && knc_curl.evp_pkey_derive_init(ctx) > 0 && knc_curl.evp_pkey_derive_set_peer(ctx, peer) > 0 &&
              knc_curl.evp_pkey_derive(ctx, secret, &len) > 0 && len == 32;
    knc_curl.evp_pkey_ctx_free(ctx);
    return ok;
}

static bool seal(const unsigned char cek[16], const unsigned char nonce[12], const unsigned char *in, size_t n,
                 unsigned char *out) {
    EVP_CIPHER_CTX *ctx = knc_curl.evp_cipher_ctx_new();
    int len = 0, fin = 0;
    bool ok = ctx && knc_curl.evp_encrypt_init_ex(ctx, knc_curl.evp_aes_128_gcm(), NULL, cek, nonce) > 0 &&
              knc_curl.evp_encrypt_update(ctx, out, &len, in, (int)n) > 0 &&
              knc_curl.evp_encrypt_final_ex(ctx, out + len, &fin) > 0 &&
              knc_curl.evp_cipher_ctx_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + len + fin) > 0 &&
              (size_t)(len + fin) == n;
    knc_curl.evp_cipher_ctx_free(ctx);
    return ok;
}

kn_status_t wp_encrypt(const unsigned char ua_public[WP_POINT_LEN], const unsigned char auth[WP_AUTH_LEN],
                       const unsigned char *plaintext, size_t n, EVP_PKEY *ephemeral, const unsigned char *salt_in,
                       unsigned char *out, size_t *outlen, kn_error_t *err) {
    char why[160];
    if (n > WP_PLAINTEXT_MAX)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "the payload is %zu bytes, more than the %d one record holds", n,
                        WP_PLAINTEXT_MAX);
    if (ua_public[0] != 0x04)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.keys.p256dh is not an uncompressed P-256 point");
    EVP_PKEY *peer = peer_key(ua_public);
    if (!peer)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "message.to.keys.p256dh is not a point of P-256");
    EVP_PKEY *mine = ephemeral ? ephemeral : fresh_key();
    kn_status_t rc = KN_OK;
    unsigned char as_public[WP_POINT_LEN], secret[32], prk_key[32], ikm[32], prk[32], cek[32], nonce[32];
    unsigned char salt[WP_SALT_LEN], info[14 + 2 * WP_POINT_LEN + 1];
    unsigned char *record = NULL;
    if (!mine || !wp_public_point(mine, as_public)) {
        rc = knc_fail(err, KN_E_INTERNAL, "making an ephemeral P-256 key failed: %s", wp_crypto_error(why, sizeof why));
        goto done;
    }
    if (salt_in) memcpy(salt, salt_in, sizeof salt);
    else if (knc_curl.rand_bytes(salt, sizeof salt) != 1) {
        rc = knc_fail(err, KN_E_INTERNAL, "RAND_bytes failed: %s", wp_crypto_error(why, sizeof why));
        goto done;
    }
    if (!ecdh(mine, peer, secret)) {
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "ECDH with message.to.keys.p256dh failed: %s",
                      wp_crypto_error(why, sizeof why));
        goto done;
    }
    /* "WebPush: info" 0x00 ua_public as_public, then HKDF-Expand's counter 0x01. */
    memcpy(info, "WebPush: info", 14); /* the 14th byte is the NUL: the 0x00 separator */
    memcpy(info + 14, ua_public, WP_POINT_LEN);
    memcpy(info + 14 + WP_POINT_LEN, as_public, WP_POINT_LEN);
    info[sizeof info - 1] = 0x01;
    static const unsigned char cek_info[] = "Content-Encoding: aes128gcm\0\1";
    static const unsigned char nonce_info[] = "Content-Encoding: nonce\0\1";
    record = malloc(n + 1);
    if (!record) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto done;
    }
    memcpy(record, plaintext, n);
    record[n] = 0x02; /* the last (and only) record's delimiter, no padding */
    unsigned char *h = out;
    memcpy(h, salt, WP_SALT_LEN);
    h[16] = (WP_RECORD_SIZE >> 24) & 0xff, h[17] = (WP_RECORD_SIZE >> 16) & 0xff;
    h[18] = (WP_RECORD_SIZE >> 8) & 0xff, h[19] = WP_RECORD_SIZE & 0xff;
    h[20] = WP_POINT_LEN;
    memcpy(h + 21, as_public, WP_POINT_LEN);
    if (!hmac256(auth, WP_AUTH_LEN, secret, 32, prk_key) || !hmac256(prk_key, 32, info, sizeof info, ikm) ||
        !hmac256(salt, WP_SALT_LEN, ikm, 32, prk) || !hmac256(prk, 32, cek_info, sizeof cek_info - 1, cek) ||
        !hmac256(prk, 32, nonce_info, sizeof nonce_info - 1, nonce) ||
        !seal(cek, nonce, record, n + 1, out + WP_HEADER_LEN)) {
        rc = knc_fail(err, KN_E_INTERNAL, "encrypting the payload failed: %s", wp_crypto_error(why, sizeof why));
        goto done;
    }
    *outlen = WP_HEADER_LEN + n + 1 + 16;
done:
    memset(secret, 0, sizeof secret), memset(prk_key, 0, sizeof prk_key), memset(ikm, 0, sizeof ikm);
    memset(prk, 0, sizeof prk), memset(cek, 0, sizeof cek), memset(nonce, 0, sizeof nonce);
    if (record) memset(record, 0, n + 1), free(record);
    if (mine && mine != ephemeral) knc_curl.evp_pkey_free(mine);
    knc_curl.evp_pkey_free(peer);
    return rc;
}
