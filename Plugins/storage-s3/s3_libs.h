/* libcurl, libxml2 and libcrypto, found with dlopen when the first S3 instance is made
 * (s3_libs_load) instead of linked: a daemon that has this module in its plugin folder but
 * configures no bucket does not map them (curl's TLS, Kerberos and ICU dependencies came to
 * ~3 MiB resident). Include this after the libraries' own headers; each call below goes
 * through the table. */
#ifndef KINORA_S3_LIBS_H
#define KINORA_S3_LIBS_H

#define CURL_DISABLE_TYPECHECK 1 /* curl_easy_setopt stays a plain call, so the macro below applies */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
    time_t (*getdate)(const char *text, const time_t *unused);

    void (*xml_init_parser)(void);
    xmlDocPtr (*xml_read_memory)(const char *buffer, int size, const char *url, const char *encoding, int options);
    xmlNodePtr (*xml_doc_get_root_element)(const xmlDoc *doc);
    xmlChar *(*xml_node_get_content)(const xmlNode *node);
    void (*xml_free_doc)(xmlDocPtr doc);
    xmlFreeFunc *xml_free; /* libxml2's xmlFree is a variable holding the deallocator */

    int (*evp_digest)(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, ENGINE *impl);
    const EVP_MD *(*evp_sha256)(void);
    const EVP_MD *(*evp_md5)(void);
    unsigned char *(*hmac)(const EVP_MD *md, const void *key, int key_len, const unsigned char *data, size_t data_len,
                           unsigned char *md_out, unsigned int *md_len);
} s3_libs_t;

extern s3_libs_t s3_libs;

/* Loads the three libraries once; false with `why` (a library or symbol that is missing). */
bool s3_libs_load(const char **why);

#define curl_global_init s3_libs.global_init
#define curl_easy_init s3_libs.easy_init
#undef curl_easy_setopt /* curl.h defines it as itself, to count the arguments */
#define curl_easy_setopt s3_libs.easy_setopt
#define curl_easy_perform s3_libs.easy_perform
#define curl_easy_reset s3_libs.easy_reset
#define curl_easy_cleanup s3_libs.easy_cleanup
#define curl_easy_strerror s3_libs.easy_strerror
#define curl_slist_append s3_libs.slist_append
#define curl_slist_free_all s3_libs.slist_free_all
#define curl_getdate s3_libs.getdate
#define xmlInitParser s3_libs.xml_init_parser
#define xmlReadMemory s3_libs.xml_read_memory
#define xmlDocGetRootElement s3_libs.xml_doc_get_root_element
#define xmlNodeGetContent s3_libs.xml_node_get_content
#define xmlFreeDoc s3_libs.xml_free_doc
#undef xmlFree
#define xmlFree (*s3_libs.xml_free)
#define EVP_Digest s3_libs.evp_digest
#define EVP_sha256 s3_libs.evp_sha256
#define EVP_md5 s3_libs.evp_md5
#define HMAC s3_libs.hmac

#endif
