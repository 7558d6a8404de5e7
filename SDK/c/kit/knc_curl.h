/*
 * Kinora C plugin kit: libcurl and OpenSSL's libcrypto found with dlopen() when a plugin's
 * first instance is made (knc_curl_load), instead of linked. A daemon that has the module in
 * its plugin folder but configures no instance then maps neither library (curl's TLS,
 * Kerberos and IDN dependencies came to ~3 MiB resident), and the module still links with
 * -Wl,-z,defs without -lcurl -lcrypto. Call knc_curl_load() in create(); every function
 * below is then reached through the table `knc_curl` (knc_curl.easy_perform(c), ...).
 *
 * Internal to the plugin: every function is hidden.
 */
#ifndef KINORA_KNC_CURL_H
#define KINORA_KNC_CURL_H

#ifndef CURL_DISABLE_TYPECHECK
#define CURL_DISABLE_TYPECHECK 1 /* curl_easy_setopt stays a plain variadic call */
#endif
#include <curl/curl.h>
#include <openssl/core.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifndef KNC_INTERNAL
#define KNC_INTERNAL __attribute__((visibility("hidden")))
#endif

typedef struct {
    /* libcurl.so.4 */
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
    time_t (*getdate)(const char *text, const time_t *unused);
    /* libcrypto.so.3 */
    int (*evp_digest)(const void *data, size_t count, unsigned char *md, unsigned int *size,
                      const EVP_MD *type, ENGINE *impl);
    const EVP_MD *(*evp_sha256)(void);
    const EVP_MD *(*evp_sha1)(void);
    unsigned char *(*hmac)(const EVP_MD *md, const void *key, int key_len, const unsigned char *data,
                           size_t data_len, unsigned char *md_out, unsigned int *md_len);
    BIO *(*bio_new_mem_buf)(const void *buf, int len);
    int (*bio_free)(BIO *bio);
    EVP_PKEY *(*pem_read_bio_privatekey)(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u);
    void (*evp_pkey_free)(EVP_PKEY *key);
    int (*evp_pkey_get_base_id)(const EVP_PKEY *key);
    int (*evp_pkey_get_bits)(const EVP_PKEY *key);
    EVP_MD_CTX *(*evp_md_ctx_new)(void);
    void (*evp_md_ctx_free)(EVP_MD_CTX *ctx);
    int (*evp_digest_sign_init)(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e,
                                EVP_PKEY *pkey);
    int (*evp_digest_sign)(EVP_MD_CTX *ctx, unsigned char *sigret, size_t *siglen,
                           const unsigned char *tbs, size_t tbslen);
    unsigned long (*err_get_error)(void);
    void (*err_error_string_n)(unsigned long e, char *buf, size_t len);
    /* libcrypto.so.3, elliptic curves and AEAD (Web Push: ECDH, ES256, AES-128-GCM) */
    int (*rand_bytes)(unsigned char *buf, int num);
    int (*pem_write_privatekey)(FILE *fp, const EVP_PKEY *x, const EVP_CIPHER *enc, const unsigned char *kstr,
                                int klen, pem_password_cb *cb, void *u);
    EVP_PKEY_CTX *(*evp_pkey_ctx_new_from_name)(OSSL_LIB_CTX *libctx, const char *name, const char *propquery);
    EVP_PKEY_CTX *(*evp_pkey_ctx_new_from_pkey)(OSSL_LIB_CTX *libctx, EVP_PKEY *pkey, const char *propquery);
    void (*evp_pkey_ctx_free)(EVP_PKEY_CTX *ctx);
    int (*evp_pkey_keygen_init)(EVP_PKEY_CTX *ctx);
    int (*evp_pkey_ctx_set_group_name)(EVP_PKEY_CTX *ctx, const char *name);
    int (*evp_pkey_generate)(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey);
    int (*evp_pkey_get_group_name)(const EVP_PKEY *pkey, char *name, size_t name_sz, size_t *gname_len);
    int (*evp_pkey_get_octet_string_param)(const EVP_PKEY *pkey, const char *key_name, unsigned char *buf,
                                           size_t max_buf_sz, size_t *out_len);
    int (*evp_pkey_fromdata_init)(EVP_PKEY_CTX *ctx);
    int (*evp_pkey_fromdata)(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey, int selection, OSSL_PARAM params[]);
    OSSL_PARAM (*ossl_param_construct_utf8_string)(const char *key, char *buf, size_t bsize);
    OSSL_PARAM (*ossl_param_construct_octet_string)(const char *key, void *buf, size_t bsize);
    OSSL_PARAM (*ossl_param_construct_end)(void);
    int (*evp_pkey_derive_init)(EVP_PKEY_CTX *ctx);
    int (*evp_pkey_derive_set_peer)(EVP_PKEY_CTX *ctx, EVP_PKEY *peer);
    int (*evp_pkey_derive)(EVP_PKEY_CTX *ctx, unsigned char *key, size_t *keylen);
    EVP_CIPHER_CTX *(*evp_cipher_ctx_new)(void);
    void (*evp_cipher_ctx_free)(EVP_CIPHER_CTX *ctx);
    const EVP_CIPHER *(*evp_aes_128_gcm)(void);
    int (*evp_encrypt_init_ex)(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl, const unsigned char *key,
                               const unsigned char *iv);
    int (*evp_encrypt_update)(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
    int (*evp_encrypt_final_ex)(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl);
    int (*evp_cipher_ctx_ctrl)(EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr);
} knc_curl_t;

KNC_INTERNAL extern knc_curl_t knc_curl;

/* Loads both libraries (Debian's sonames libcurl.so.4 and libcrypto.so.3, RTLD_LOCAL) and
 * runs curl_global_init once per process; later calls return the first answer. On failure
 * returns false with *why naming the library or symbol that is missing. Thread-safe. */
KNC_INTERNAL bool knc_curl_load(const char **why);

/* A pool of idle curl easy handles, each keeping its connection alive, so consecutive
 * calls reuse connections. Thread-safe; start from {0} and knc_curl_pool_init(). */
#define KNC_CURL_POOL_MAX 64
typedef struct {
    void *mu; /* pthread_mutex_t*, kept opaque so this header needs no pthread.h */
    CURL *idle[KNC_CURL_POOL_MAX];
    int nidle, keep; /* idle handles kept at most (1..KNC_CURL_POOL_MAX)              */
} knc_curl_pool;

KNC_INTERNAL bool knc_curl_pool_init(knc_curl_pool *pool, int keep);
/* An idle handle (curl_easy_reset: options cleared, connection kept) or a new one; NULL
 * when curl_easy_init fails. */
KNC_INTERNAL CURL *knc_curl_pool_take(knc_curl_pool *pool);
/* Gives a handle back; beyond `keep` idle handles it is closed. `broken`: close it now. */
KNC_INTERNAL void knc_curl_pool_give(knc_curl_pool *pool, CURL *c, bool broken);
/* Closes every idle handle and frees the lock. */
KNC_INTERNAL void knc_curl_pool_free(knc_curl_pool *pool);

#endif
