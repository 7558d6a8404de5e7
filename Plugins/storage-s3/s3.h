/*
 * storage-s3: the instance, its settings, and the functions the files share.
 *
 *   config.c    settings (JSON from the host) -> s3_config
 *   sigv4.c     AWS Signature Version 4: canonical requests, Authorization, presigned URLs
 *   http.c      libcurl requests with retries, error mapping, a pool of handles
 *   xml.c       libxml2: error bodies, ListObjectsV2, multipart replies
 *   put.c       single PUT and multipart upload (parallel parts, abort on failure)
 *   ops.c       get, stat, remove, list, stale multipart cleanup
 *   cors.c      the bucket CORS rules for redirected playback
 *   entry.c     descriptor, schema, presign interface, factory and module entry
 *
 * Internal to the plugin: every function is hidden.
 */
#ifndef KINORA_S3_H
#define KINORA_S3_H

#include <kinora/plugin.h>

#include "knc_json.h"
#include "s3_util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define S3_ID "org.kinora.storage-s3"
#define S3_VERSION "1.0.0"

typedef struct {
    char *endpoint;      /* "http://127.0.0.1:7480" (no trailing slash, no path)            */
    bool https;
    char *endpoint_host; /* "127.0.0.1:7480": host[:port] of the endpoint                    */
    char *region, *bucket;
    char *prefix;        /* "" or "some/folder/" (always ends with '/')                      */
    bool path_style;
    char *access_key_id, *secret_access_key, *session_token; /* secret: never logged         */
    size_t part_size;
    int concurrency;
    long connect_timeout_ms, idle_timeout_s;
    int max_retries;
    int64_t stale_upload_age_s; /* 0: no cleanup at start                                     */
    int64_t presign_lifetime_s;
    bool create_bucket, tls_verify;
    char *ca_file;
} s3_config;

#define S3_POOL_MAX 64

typedef struct s3_instance {
    kn_plugin_t plugin;
    const kn_host_t *host;
    s3_config cfg;
    pthread_mutex_t pool_mu;
    void *idle[S3_POOL_MAX]; /* CURL* handles kept for their connections                   */
    int nidle;
} s3_instance;

/* -- config.c -------------------------------------------------------------------------- */
S3_INTERNAL kn_status_t s3_config_load(s3_config *cfg, const char *json, kn_error_t *err);
S3_INTERNAL void s3_config_free(s3_config *cfg);

/* -- sigv4.c --------------------------------------------------------------------------- */
typedef struct {
    const char *name, *value;
} s3_kv;

#define S3_MAX_PARAMS 10

/* One request to sign and send. `key` is the full object key (prefix included), or NULL for
 * a bucket-level request. Query values and header values are raw (unencoded); header names
 * are lower case. */
typedef struct {
    const char *method;
    const char *key;
    s3_kv query[S3_MAX_PARAMS];
    int nquery;
    s3_kv headers[S3_MAX_PARAMS];
    int nheaders;
    const char *payload_hash; /* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"               */
} s3_req;

#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ becomes %XX
 * (upper-case hex); '/' is kept when keep_slash. */
S3_INTERNAL void s3_uri_encode(knc_strbuf *b, const char *s, size_t n, bool keep_slash);

/* The request's URL, its Host header value, and the signed headers to send
 * ("authorization", "x-amz-date", "x-amz-content-sha256", the request's own, the session
 * token), for time `unix_s`. Returns false on allocation failure. */
typedef struct {
    knc_strbuf url, host, authorization;
    char amz_date[17];
} s3_signed;
S3_INTERNAL bool s3_sign(const s3_config *cfg, const s3_req *req, int64_t unix_s, s3_signed *out);
S3_INTERNAL void s3_signed_free(s3_signed *s);

/* A presigned URL (query signing, UNSIGNED-PAYLOAD) for method on key (full key). */
S3_INTERNAL bool s3_presign_url(const s3_config *cfg, const char *method, const char *key,
                                int64_t ttl_s, int64_t unix_s, knc_strbuf *url);

/* SHA-256 (hex) and MD5 (base64) of a buffer. */
S3_INTERNAL void s3_sha256_hex(const void *data, size_t n, char out[65]);
S3_INTERNAL void s3_md5_base64(const void *data, size_t n, char out[25]);

/* -- http.c ---------------------------------------------------------------------------- */
typedef struct {
    /* in */
    const s3_req *req;
    const uint8_t *body; /* request body (PUT/POST), `body_len` bytes; NULL for none       */
    size_t body_len;
    const kn_writer_t *sink; /* 2xx response bodies go here when set, else into `resp`     */
    const kn_call_t *call;
    bool no_retry;
    /* out */
    long status;
    knc_strbuf resp;      /* response body (error bodies always; capped)                      */
    char etag[160], content_type[160];
    int64_t content_length, range_total, mtime_ns;
    int64_t written;     /* bytes given to sink                                              */
    kn_status_t sink_status;
    char code[64];       /* S3 error code of a failed request ("NoSuchKey")                  */
} s3_http;

S3_INTERNAL bool s3_http_global_init(void);
/* Sends the request, retrying transient failures (connection errors, 5xx, SlowDown) with
 * jittered exponential backoff while the body can be replayed. Returns KN_OK for 2xx; else
 * the mapped status with `err` filled ("PUT videos/x: 403 SignatureDoesNotMatch: ..."). */
S3_INTERNAL kn_status_t s3_perform(s3_instance *inst, s3_http *h, kn_error_t *err);
S3_INTERNAL void s3_http_free(s3_http *h);
S3_INTERNAL void s3_pool_drain(s3_instance *inst);

/* -- xml.c ----------------------------------------------------------------------------- */
S3_INTERNAL void s3_xml_error(const char *body, size_t n, char *code, size_t codecap, char *msg,
                              size_t msgcap);
/* Text of the first element named `name` (any depth), or false. */
S3_INTERNAL bool s3_xml_text(const char *body, size_t n, const char *name, char *out, size_t cap);

typedef struct {
    char *key;
    int64_t size, mtime_ns;
    char *etag;
} s3_list_item;

typedef struct {
    s3_list_item *items;
    size_t count;
    bool truncated;
    char *next_token;
} s3_list_page;
S3_INTERNAL bool s3_xml_list(const char *body, size_t n, s3_list_page *page);
S3_INTERNAL void s3_list_page_free(s3_list_page *page);

typedef struct {
    char *key, *upload_id;
    int64_t initiated_ns;
} s3_upload_item;

typedef struct {
    s3_upload_item *items;
    size_t count;
    bool truncated;
    char *next_key_marker, *next_upload_id_marker;
} s3_upload_page;
S3_INTERNAL bool s3_xml_uploads(const char *body, size_t n, s3_upload_page *page);
S3_INTERNAL void s3_upload_page_free(s3_upload_page *page);

/* -- put.c / ops.c --------------------------------------------------------------------- */
S3_INTERNAL void s3_put(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                        const char *content_type, kn_reader_t body, kn_completion_t done);
S3_INTERNAL void s3_get(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                        int64_t offset, int64_t length, kn_writer_t sink, kn_completion_t done);
S3_INTERNAL void s3_stat(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                         kn_completion_t done);
S3_INTERNAL void s3_remove(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                           kn_completion_t done);
S3_INTERNAL void s3_list(const kn_plugin_t *plugin, const kn_call_t *call, const char *prefix,
                         const char *cursor, uint32_t limit, kn_completion_t done);
/* Aborts multipart uploads under the prefix begun more than `age_s` ago; returns how many. */
S3_INTERNAL kn_status_t s3_abort_stale_uploads(s3_instance *inst, int64_t age_s, int *aborted,
                                               kn_error_t *err);
/* -- cors.c: the "org.kinora.storage-s3.cors/1" interface ------------------------------- */
#define S3_CORS_ID "org.kinora.storage-s3.cors/1"
S3_INTERNAL kn_status_t s3_apply_cors(const kn_plugin_t *plugin, const char *origins, kn_error_t *err);

/* prefix + key, malloc'd; NULL on allocation failure. */
S3_INTERNAL char *s3_full_key(const s3_instance *inst, const char *key);

#endif
