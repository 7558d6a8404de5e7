/* See include/kinora_http.h. libcurl's header gives the types and option numbers at build
 * time; the library itself is found at run time with dlopen, so the daemon does not map
 * libcurl and its TLS stack (several MiB of resident memory) until SSO is first used. */
#define _GNU_SOURCE
#include "kinora_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    __typeof__(&curl_global_init) global_init;
    __typeof__(&curl_easy_init) easy_init;
    __typeof__(&curl_easy_setopt) easy_setopt;
    __typeof__(&curl_easy_perform) easy_perform;
    __typeof__(&curl_easy_getinfo) easy_getinfo;
    __typeof__(&curl_easy_cleanup) easy_cleanup;
    __typeof__(&curl_easy_strerror) easy_strerror;
    __typeof__(&curl_slist_append) slist_append;
    __typeof__(&curl_slist_free_all) slist_free_all;
} api;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[200];

static void load_curl(void) {
    void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(load_error, sizeof load_error, "libcurl.so.4 could not be loaded (install libcurl4): %s", dlerror());
        return;
    }
#define LOAD(field, name)                                                                     \
    do {                                                                                      \
        *(void **)(&api.field) = dlsym(handle, name);                                         \
        if (!api.field) {                                                                     \
            snprintf(load_error, sizeof load_error, "libcurl.so.4 lacks %s", name);            \
            return;                                                                           \
        }                                                                                     \
    } while (0)
    LOAD(global_init, "curl_global_init");
    LOAD(easy_init, "curl_easy_init");
    LOAD(easy_setopt, "curl_easy_setopt");
    LOAD(easy_perform, "curl_easy_perform");
    LOAD(easy_getinfo, "curl_easy_getinfo");
    LOAD(easy_cleanup, "curl_easy_cleanup");
    LOAD(easy_strerror, "curl_easy_strerror");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free_all, "curl_slist_free_all");
#undef LOAD
    /* Not thread-safe in older libcurls: done once, here, under pthread_once. */
    CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed: %d", (int)code);
        api.easy_init = NULL;
    }
}

struct sink {
    unsigned char *data;
    size_t len, cap, max;
    int too_large;
};

static size_t write_body(char *chunk, size_t size, size_t count, void *context) {
    struct sink *sink = context;
    size_t n = size * count;
    if (n > sink->max - sink->len) {
        sink->too_large = 1;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (sink->len + n + 1 > sink->cap) {
        size_t cap = sink->cap ? sink->cap : 4096;
        while (cap < sink->len + n + 1) cap *= 2;
        unsigned char *grown = realloc(sink->data, cap);
        if (!grown) return 0;
        sink->data = grown;
        sink->cap = cap;
    }
    memcpy(sink->data + sink->len, chunk, n);
    sink->len += n;
    sink->data[sink->len] = 0;
    return n;
}

static int fail(kinora_http_response *out, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(out->error, sizeof out->error, format, args);
    va_end(args);
    return -1;
}

int kinora_http_request(const char *method, const char *url,
                        const char *const *headers, size_t header_count,
                        const unsigned char *body, size_t body_len,
                        long timeout_ms, size_t max_bytes,
                        kinora_http_response *out) {
    memset(out, 0, sizeof *out);
    pthread_once(&load_once, load_curl);
    if (!api.easy_init) return fail(out, "%s", load_error[0] ? load_error : "libcurl is unavailable");
    int post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0) return fail(out, "unsupported method %s", method);

    CURL *curl = api.easy_init();
    if (!curl) return fail(out, "curl_easy_init failed");
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) {
        struct curl_slist *next = api.slist_append(list, headers[i]);
        if (!next) {
            api.slist_free_all(list);
            api.easy_cleanup(curl);
            return fail(out, "out of memory");
        }
        list = next;
    }
    struct sink sink = {.max = max_bytes};
    char curl_error[CURL_ERROR_SIZE] = "";

    api.easy_setopt(curl, CURLOPT_URL, url);
    /* http and https only, for the request and (never followed) redirects alike. */
    if (api.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
        api.easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    api.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* signals would hit other threads */
    api.easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    api.easy_setopt(curl, CURLOPT_USERAGENT, "kinora");
    api.easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    api.easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    api.easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    if (post) {
        api.easy_setopt(curl, CURLOPT_POST, 1L);
        api.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        api.easy_setopt(curl, CURLOPT_POSTFIELDS, body_len ? (const char *)body : "");
    } else {
        api.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }

    CURLcode code = api.easy_perform(curl);
    int result = 0;
    if (code == CURLE_OK) {
        api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
        out->body = sink.data;
        out->body_len = sink.len;
        sink.data = NULL;
    } else if (sink.too_large) {
        result = fail(out, "the response is larger than %zu bytes", max_bytes);
    } else {
        result = fail(out, "%s", curl_error[0] ? curl_error : api.easy_strerror(code));
    }
    free(sink.data);
    api.slist_free_all(list);
    api.easy_cleanup(curl);
    return result;
}

void kinora_http_response_free(kinora_http_response *response) {
    if (!response) return;
    free(response->body);
    response->body = NULL;
    response->body_len = 0;
}
