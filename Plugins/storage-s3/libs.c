/* Resolves s3_libs.h's table with dlopen/dlsym; see there for why. */
#include "s3_libs.h"

#include <dlfcn.h>
#include <pthread.h>

s3_libs_t s3_libs;

static const char *g_failure;
static bool g_loaded;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* RTLD_LOCAL: the names stay out of the daemon's global namespace. Debian's sonames. */
static void *open_library(const char *name) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!handle && !g_failure) g_failure = name;
    return handle;
}

#define RESOLVE(handle, field, symbol)                                        \
    do {                                                                      \
        void *found = (handle) ? dlsym((handle), (symbol)) : NULL;           \
        if (!found && !g_failure) g_failure = (symbol);                       \
        *(void **)(&s3_libs.field) = found;                                   \
    } while (0)

static void load(void) {
    void *curl = open_library("libcurl.so.4");
    void *xml = open_library("libxml2.so.2");
    void *crypto = open_library("libcrypto.so.3");
    RESOLVE(curl, global_init, "curl_global_init");
    RESOLVE(curl, easy_init, "curl_easy_init");
    RESOLVE(curl, easy_setopt, "curl_easy_setopt");
    RESOLVE(curl, easy_perform, "curl_easy_perform");
    RESOLVE(curl, easy_reset, "curl_easy_reset");
    RESOLVE(curl, easy_cleanup, "curl_easy_cleanup");
    RESOLVE(curl, easy_strerror, "curl_easy_strerror");
    RESOLVE(curl, slist_append, "curl_slist_append");
    RESOLVE(curl, slist_free_all, "curl_slist_free_all");
    RESOLVE(curl, getdate, "curl_getdate");
    RESOLVE(xml, xml_init_parser, "xmlInitParser");
    RESOLVE(xml, xml_read_memory, "xmlReadMemory");
    RESOLVE(xml, xml_doc_get_root_element, "xmlDocGetRootElement");
    RESOLVE(xml, xml_node_get_content, "xmlNodeGetContent");
    RESOLVE(xml, xml_free_doc, "xmlFreeDoc");
    RESOLVE(xml, xml_free, "xmlFree");
    RESOLVE(crypto, evp_digest, "EVP_Digest");
    RESOLVE(crypto, evp_sha256, "EVP_sha256");
    RESOLVE(crypto, evp_md5, "EVP_md5");
    RESOLVE(crypto, hmac, "HMAC");
    g_loaded = g_failure == NULL;
}

bool s3_libs_load(const char **why) {
    pthread_once(&g_once, load);
    if (!g_loaded && why) *why = g_failure;
    return g_loaded;
}
