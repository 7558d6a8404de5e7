/*
 * Kinora C plugin kit: the dlopen() table of knc_curl.h and the handle pool.
 */
#define _GNU_SOURCE
#include "knc_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

knc_curl_t knc_curl;

static const char *g_failure;
static bool g_loaded;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* RTLD_LOCAL: the libraries' names stay out of the daemon's global namespace. */
static void *open_library(const char *name) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!handle && !g_failure) g_failure = name;
    return handle;
}

#define RESOLVE(handle, field, symbol)                                  \
    do {                                                                \
        void *found = (handle) ? dlsym((handle), (symbol)) : NULL;     \
        if (!found && !g_failure) g_failure = (symbol);                 \
        *(void **)(&knc_curl.field) = found;                            \
    } while (0)

static void load(void) {
    void *curl = open_library("libcurl.so.4");
    void *crypto = open_library("libcrypto.so.3");
    RESOLVE(curl, global_init, "curl_global_init");
    RESOLVE(curl, easy_init, "curl_easy_init");
    RESOLVE(curl, easy_setopt, "curl_easy_setopt");
    RESOLVE(curl, easy_perform, "curl_easy_perform");
    RESOLVE(curl, easy_getinfo, "curl_easy_getinfo");
    RESOLVE(curl, easy_reset, "curl_easy_reset");
    RESOLVE(curl, easy_cleanup, "curl_easy_cleanup");
    RESOLVE(curl, easy_strerror, "curl_easy_strerror");
    RESOLVE(curl, slist_append, "curl_slist_append");
    RESOLVE(curl, slist_free_all, "curl_slist_free_all");
    RESOLVE(curl, getdate, "curl_getdate");
    RESOLVE(crypto, evp_digest, "EVP_Digest");
    RESOLVE(crypto, evp_sha256, "EVP_sha256");
    RESOLVE(crypto, evp_sha1, "EVP_sha1");
    RESOLVE(crypto, hmac, "HMAC");
    RESOLVE(crypto, bio_new_mem_buf, "BIO_new_mem_buf");
    RESOLVE(crypto, bio_free, "BIO_free");
    RESOLVE(crypto, pem_read_bio_privatekey, "PEM_read_bio_PrivateKey");
    RESOLVE(crypto, evp_pkey_free, "EVP_PKEY_free");
    RESOLVE(crypto, evp_pkey_get_base_id, "EVP_PKEY_get_base_id");
    RESOLVE(crypto, evp_pkey_get_bits, "EVP_PKEY_get_bits");
    RESOLVE(crypto, evp_md_ctx_new, "EVP_MD_CTX_new");
    RESOLVE(crypto, evp_md_ctx_free, "EVP_MD_CTX_free");
    RESOLVE(crypto, evp_digest_sign_init, "EVP_DigestSignInit");
    RESOLVE(crypto, evp_digest_sign, "EVP_DigestSign");
    RESOLVE(crypto, err_get_error, "ERR_get_error");
    RESOLVE(crypto, err_error_string_n, "ERR_error_string_n");
    RESOLVE(crypto, rand_bytes, "RAND_bytes");
    RESOLVE(crypto, pem_write_privatekey, "PEM_write_PrivateKey");
    RESOLVE(crypto, evp_pkey_ctx_new_from_name, "EVP_PKEY_CTX_new_from_name");
    RESOLVE(crypto, evp_pkey_ctx_new_from_pkey, "EVP_PKEY_CTX_new_from_pkey");
    RESOLVE(crypto, evp_pkey_ctx_free, "EVP_PKEY_CTX_free");
    RESOLVE(crypto, evp_pkey_keygen_init, "EVP_PKEY_keygen_init");
    RESOLVE(crypto, evp_pkey_ctx_set_group_name, "EVP_PKEY_CTX_set_group_name");
    RESOLVE(crypto, evp_pkey_generate, "EVP_PKEY_generate");
    RESOLVE(crypto, evp_pkey_get_group_name, "EVP_PKEY_get_group_name");
    RESOLVE(crypto, evp_pkey_get_octet_string_param, "EVP_PKEY_get_octet_string_param");
    RESOLVE(crypto, evp_pkey_fromdata_init, "EVP_PKEY_fromdata_init");
    RESOLVE(crypto, evp_pkey_fromdata, "EVP_PKEY_fromdata");
    RESOLVE(crypto, ossl_param_construct_utf8_string, "OSSL_PARAM_construct_utf8_string");
    RESOLVE(crypto, ossl_param_construct_octet_string, "OSSL_PARAM_construct_octet_string");
    RESOLVE(crypto, ossl_param_construct_end, "OSSL_PARAM_construct_end");
    RESOLVE(crypto, evp_pkey_derive_init, "EVP_PKEY_derive_init");
    RESOLVE(crypto, evp_pkey_derive_set_peer, "EVP_PKEY_derive_set_peer");
    RESOLVE(crypto, evp_pkey_derive, "EVP_PKEY_derive");
    RESOLVE(crypto, evp_cipher_ctx_new, "EVP_CIPHER_CTX_new");
    RESOLVE(crypto, evp_cipher_ctx_free, "EVP_CIPHER_CTX_free");
    RESOLVE(crypto, evp_aes_128_gcm, "EVP_aes_128_gcm");
    RESOLVE(crypto, evp_encrypt_init_ex, "EVP_EncryptInit_ex");
    RESOLVE(crypto, evp_encrypt_update, "EVP_EncryptUpdate");
    RESOLVE(crypto, evp_encrypt_final_ex, "EVP_EncryptFinal_ex");
    RESOLVE(crypto, evp_cipher_ctx_ctrl, "EVP_CIPHER_CTX_ctrl");
    if (!g_failure && knc_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) g_failure = "curl_global_init";
    g_loaded = g_failure == NULL;
}

bool knc_curl_load(const char **why) {
    pthread_once(&g_once, load);
    if (!g_loaded && why) *why = g_failure;
    return g_loaded;
}

bool knc_curl_pool_init(knc_curl_pool *pool, int keep) {
    pthread_mutex_t *mu = malloc(sizeof *mu);
    if (!mu) return false;
    pthread_mutex_init(mu, NULL);
    pool->mu = mu;
    pool->nidle = 0;
    pool->keep = keep < 1 ? 1 : keep > KNC_CURL_POOL_MAX ? KNC_CURL_POOL_MAX : keep;
    return true;
}

CURL *knc_curl_pool_take(knc_curl_pool *pool) {
    CURL *c = NULL;
    pthread_mutex_lock(pool->mu);
    if (pool->nidle) c = pool->idle[--pool->nidle];
    pthread_mutex_unlock(pool->mu);
    if (c) knc_curl.easy_reset(c); /* options back to defaults; the connection cache stays */
    return c ? c : knc_curl.easy_init();
}

void knc_curl_pool_give(knc_curl_pool *pool, CURL *c, bool broken) {
    if (!c) return;
    if (!broken) {
        pthread_mutex_lock(pool->mu);
        if (pool->nidle < pool->keep) pool->idle[pool->nidle++] = c, c = NULL;
        pthread_mutex_unlock(pool->mu);
    }
    if (c) knc_curl.easy_cleanup(c);
}

void knc_curl_pool_free(knc_curl_pool *pool) {
    if (!pool->mu) return;
    pthread_mutex_lock(pool->mu);
    while (pool->nidle) knc_curl.easy_cleanup(pool->idle[--pool->nidle]);
    pthread_mutex_unlock(pool->mu);
    pthread_mutex_destroy(pool->mu);
    free(pool->mu);
    pool->mu = NULL;
}
