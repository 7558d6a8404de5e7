/*
 * storage-s3 — a kinora.storage/1 and kinora.storage.presign/1 plugin that speaks the S3
 * REST protocol itself (SigV4, libcurl, libxml2, OpenSSL's libcrypto). This file: the
 * descriptor and its settings schema, start (bucket check, stale multipart cleanup), the
 * presign interface, the factory and the module entry. See s3.h for the other files.
 *
 * Operations are reentrant (an instance is read-only after create but for its handle pool,
 * which has its own lock), so the host may run calls on one instance in parallel.
 */
#define _GNU_SOURCE
#include "s3.h"

#include "s3_libs.h"

#include <stdio.h>
#include <stdlib.h>

static const kn_host_t *g_module_host;

static const kn_storage_v1_t s3_storage = {s3_put, s3_get, s3_stat, s3_remove, s3_list};

static kn_status_t s3_presign(const kn_plugin_t *plugin, const char *key, const char *method,
                              int64_t ttl_seconds, char *url_buf, size_t cap, kn_error_t *err) {
    s3_instance *inst = plugin ? plugin->plugin_data : NULL;
    char shown[128];
    knc_strbuf url = {0};
    if (!inst) return knc_fail(err, KN_E_INVALID_ARGUMENT, "no plugin instance");
    if (!s3_key_valid(key)) return knc_fail(err, KN_E_INVALID_ARGUMENT, "invalid key \"%s\"", KNC_CLIP(key, shown));
    if (!method || (strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0))
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "presign takes GET or PUT, not \"%s\"", KNC_CLIP(method, shown));
    if (ttl_seconds <= 0) ttl_seconds = inst->cfg.presign_lifetime_s;
    if (ttl_seconds > 604800)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "a presigned URL lives at most 7 days (604800 s)");
    char *fkey = s3_full_key(inst, key);
    bool ok = fkey && s3_presign_url(&inst->cfg, method, fkey, ttl_seconds, s3_now_ns() / 1000000000, &url);
    free(fkey);
    if (!ok) return free(url.p), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    if (url.len + 1 > cap) {
        knc_fail(err, KN_E_INVALID_ARGUMENT, "the URL needs %zu bytes", url.len + 1);
        err->detail = (int32_t)(url.len + 1);
        return free(url.p), KN_E_INVALID_ARGUMENT;
    }
    memcpy(url_buf, url.p, url.len + 1);
    free(url.p);
    return KN_OK;
}

static const kn_storage_presign_v1_t s3_presign_table = {s3_presign};
static const struct {
    kn_status_t (*apply)(const kn_plugin_t *plugin, const char *origins, kn_error_t *err);
} s3_cors_table = {s3_apply_cors};
static const char *const s3_interfaces[] = {KN_STORAGE_ID, KN_STORAGE_PRESIGN_ID, NULL};

static const char s3_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,"
    "\"required\":[\"endpoint\",\"bucket\",\"access_key_id\"],\"properties\":{"
    "\"endpoint\":{\"type\":\"string\",\"pattern\":\"^https?://[^/?#@]+/?$\","
    "\"description\":\"scheme://host[:port] of the S3 service, no path.\"},"
    "\"region\":{\"type\":\"string\",\"minLength\":1,\"default\":\"us-east-1\"},"
    "\"bucket\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":63},"
    "\"prefix\":{\"type\":\"string\",\"default\":\"\",\"description\":\"Folder in the bucket "
    "that holds every object of this instance.\"},"
    "\"path_style\":{\"type\":\"boolean\",\"default\":true,\"description\":\"endpoint/bucket/key "
    "(true) or bucket.endpoint/key (false, virtual-hosted).\"},"
    "\"access_key_id\":{\"type\":\"string\",\"minLength\":1},"
    "\"secret_access_key\":{\"type\":\"string\",\"minLength\":1},"
    "\"secret_access_key_file\":{\"type\":\"string\",\"minLength\":1},"
    "\"session_token\":{\"type\":\"string\",\"minLength\":1},"
    "\"part_size\":{\"type\":\"integer\",\"minimum\":5242880,\"maximum\":5368709120,"
    "\"default\":16777216,\"description\":\"Bytes per multipart part; smaller objects go in one "
    "PUT.\"},"
    "\"concurrency\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":32,\"default\":4,"
    "\"description\":\"Parts of one upload in flight at once.\"},"
    "\"connect_timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":300,\"default\":10},"
    "\"idle_timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3600,\"default\":60,"
    "\"description\":\"A transfer that moves no byte for this long fails (and is retried).\"},"
    "\"max_retries\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10,\"default\":4},"
    "\"abort_stale_uploads_after_hours\":{\"type\":\"number\",\"minimum\":0,\"default\":24,"
    "\"description\":\"At start, multipart uploads older than this are aborted; 0 = never.\"},"
    "\"playback\":{\"enum\":[\"proxy\",\"redirect\"],\"default\":\"proxy\",\"description\":"
    "\"Segments served through the daemon, or by a 302 to a presigned URL.\"},"
    "\"presign_lifetime_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":604800,"
    "\"default\":300},"
    "\"create_bucket\":{\"type\":\"boolean\",\"default\":false},"
    "\"tls_verify\":{\"type\":\"boolean\",\"default\":true},"
    "\"ca_file\":{\"type\":\"string\",\"minLength\":1}}}";

static const kn_plugin_descriptor_t s3_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = S3_ID,
    .name = "S3 object storage",
    .vendor = "Kinora",
    .version = S3_VERSION,
    .description = "Objects in an S3-compatible bucket (AWS, Ceph radosgw, MinIO, ...), with "
                   "multipart uploads and presigned URLs.",
    .url = NULL,
    .interfaces = s3_interfaces,
    .config_schema_json = s3_schema,
    .flags = 0,
};

static kn_status_t s3_start(const kn_plugin_t *plugin, kn_error_t *err) {
    s3_instance *inst = plugin->plugin_data;
    /* A one-key listing rather than HEAD: a refusal then carries its S3 error code
     * (SignatureDoesNotMatch, InvalidAccessKeyId, NoSuchBucket), which HEAD cannot. */
    s3_req req = {.method = "GET", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
    req.query[req.nquery++] = (s3_kv){"list-type", "2"};
    req.query[req.nquery++] = (s3_kv){"max-keys", "1"};
    req.query[req.nquery++] = (s3_kv){"prefix", inst->cfg.prefix};
    s3_http h = {.req = &req};
    kn_status_t rc = s3_perform(inst, &h, err);
    s3_http_free(&h);
    if (rc != KN_OK && h.status == 404 && inst->cfg.create_bucket) {
        s3_req mk = {.method = "PUT", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
        s3_http m = {.req = &mk};
        rc = s3_perform(inst, &m, err);
        s3_http_free(&m);
        if (rc == KN_OK) knc_log(inst->host, KN_LOG_INFO, "created bucket %s", inst->cfg.bucket);
    } else if (rc != KN_OK && h.status == 404) {
        return knc_fail(err, KN_E_CONFIG, "bucket %s does not exist at %s (create it, or set "
                       "create_bucket = true)", inst->cfg.bucket, inst->cfg.endpoint);
    }
    if (rc != KN_OK) return rc;
    if (inst->cfg.stale_upload_age_s > 0) {
        int aborted = 0;
        kn_error_t e;
        if (s3_abort_stale_uploads(inst, inst->cfg.stale_upload_age_s, &aborted, &e) != KN_OK)
            knc_log(inst->host, KN_LOG_WARN, "listing stale multipart uploads failed: %s", e.message);
        else if (aborted)
            knc_log(inst->host, KN_LOG_INFO, "aborted %d stale multipart upload(s)", aborted);
    }
    knc_log(inst->host, KN_LOG_INFO, "bucket %s at %s (%s), prefix \"%s\"", inst->cfg.bucket,
           inst->cfg.endpoint, inst->cfg.path_style ? "path-style" : "virtual-hosted", inst->cfg.prefix);
    return KN_OK;
}

static void s3_stop(const kn_plugin_t *plugin) { (void)plugin; }

static void s3_destroy(const kn_plugin_t *plugin) {
    s3_instance *inst = plugin ? plugin->plugin_data : NULL;
    if (!inst) return;
    s3_pool_drain(inst);
    pthread_mutex_destroy(&inst->pool_mu);
    s3_config_free(&inst->cfg);
    free(inst);
}

static const void *s3_get_interface(const kn_plugin_t *plugin, const char *id) {
    (void)plugin;
    if (!id) return NULL;
    if (strcmp(id, KN_STORAGE_ID) == 0) return &s3_storage;
    if (strcmp(id, KN_STORAGE_PRESIGN_ID) == 0) return &s3_presign_table;
    if (strcmp(id, S3_CORS_ID) == 0) return &s3_cors_table;
    return NULL;
}

static uint32_t s3_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *s3_get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &s3_descriptor : NULL;
}

/* libxml2, libcurl and libcrypto are loaded (s3_libs.h) and set up when the first instance
 * is made, not when the module loads: a daemon that lists this plugin but configures no
 * bucket does not map them. */
static pthread_once_t g_libraries_once = PTHREAD_ONCE_INIT;
static bool g_libraries_ready;
static const char *g_libraries_missing;

static void init_libraries(void) {
    if (!s3_libs_load(&g_libraries_missing)) return;
    xmlInitParser();
    g_libraries_ready = s3_http_global_init();
}

static kn_status_t s3_create(const kn_plugin_factory_t *factory, const kn_host_t *host,
                             const char *plugin_id, const char *config_json,
                             const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, S3_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"", KNC_CLIP(plugin_id, shown));
    pthread_once(&g_libraries_once, init_libraries);
    if (g_libraries_missing)
        return knc_fail(err, KN_E_INTERNAL, "%s is missing: install libcurl4, libxml2 and libssl3", g_libraries_missing);
    if (!g_libraries_ready) return knc_fail(err, KN_E_INTERNAL, "curl_global_init failed");
    s3_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    kn_status_t rc = s3_config_load(&inst->cfg, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return free(inst), rc;
    inst->host = host ? host : g_module_host;
    pthread_mutex_init(&inst->pool_mu, NULL);
    inst->plugin = (kn_plugin_t){&s3_descriptor, inst, s3_start, s3_stop, s3_destroy, s3_get_interface};
    *out = &inst->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t s3_factory = {s3_count, s3_get_descriptor, s3_create};

static kn_status_t s3_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_DEBUG, "%s %s loaded from %s", S3_ID, S3_VERSION, KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void s3_deinit(void) { g_module_host = NULL; }

static const void *s3_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &s3_factory : NULL;
}

static const kn_module_entry_t s3_entry = {KN_ABI_VERSION_INIT, s3_init, s3_deinit, s3_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &s3_entry; }
