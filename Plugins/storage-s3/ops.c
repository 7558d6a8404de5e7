/*
 * storage-s3: get (ranged GET streamed to the writer), stat (HEAD), remove (DELETE), list
 * (ListObjectsV2, its continuation token is the cursor) and the cleanup of stale multipart
 * uploads at start.
 */
#define _GNU_SOURCE
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>

char *s3_full_key(const s3_instance *inst, const char *key) {
    size_t p = strlen(inst->cfg.prefix), k = strlen(key);
    char *full = malloc(p + k + 1);
    if (full) memcpy(full, inst->cfg.prefix, p), memcpy(full + p, key, k + 1);
    return full;
}

static void finish(s3_instance *inst, const char *op, const char *key, kn_completion_t done,
                   kn_status_t rc, kn_error_t *err, const void *result) {
    char shown[128];
    if (inst && rc != KN_OK && rc != KN_E_NOT_FOUND)
        knc_log(inst->host, KN_LOG_WARN, "%s %s: %s", op, KNC_CLIP(key, shown), err->message);
    if (done.complete) done.complete(done.ctx, rc, rc == KN_OK ? NULL : err, rc == KN_OK ? result : NULL);
}

/* Checks the instance and key, and makes the full key. */
static kn_status_t begin(const kn_plugin_t *plugin, const char *key, s3_instance **inst,
                         char **fkey, kn_error_t *err) {
    char shown[128];
    *inst = plugin ? plugin->plugin_data : NULL;
    *fkey = NULL;
    if (!*inst) return knc_fail(err, KN_E_INVALID_ARGUMENT, "no plugin instance");
    if (!s3_key_valid(key)) return knc_fail(err, KN_E_INVALID_ARGUMENT, "invalid key \"%s\"", KNC_CLIP(key, shown));
    if (!(*fkey = s3_full_key(*inst, key))) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    return KN_OK;
}

static kn_status_t head(s3_instance *inst, const kn_call_t *call, const char *fkey, s3_http *h, kn_error_t *err) {
    s3_req req = {.method = "HEAD", .key = fkey, .payload_hash = S3_EMPTY_SHA256};
    *h = (s3_http){.req = &req, .call = call};
    kn_status_t rc = s3_perform(inst, h, err);
    h->req = NULL;
    return rc;
}

void s3_stat(const kn_plugin_t *plugin, const kn_call_t *call, const char *key, kn_completion_t done) {
    s3_instance *inst;
    char *fkey;
    kn_error_t err;
    s3_http h = {0};
    kn_status_t rc = begin(plugin, key, &inst, &fkey, &err);
    if (rc == KN_OK) rc = head(inst, call, fkey, &h, &err);
    kn_object_info_t info = {key, h.content_length, h.mtime_ns, h.etag[0] ? h.etag : NULL,
                             h.content_type[0] ? h.content_type : NULL};
    finish(inst, "stat", key, done, rc, &err, &info);
    s3_http_free(&h), free(fkey);
}

void s3_get(const kn_plugin_t *plugin, const kn_call_t *call, const char *key, int64_t offset,
            int64_t length, kn_writer_t sink, kn_completion_t done) {
    s3_instance *inst;
    char *fkey, range[64];
    kn_error_t err;
    s3_http h = {0};
    kn_status_t rc = begin(plugin, key, &inst, &fkey, &err);
    if (rc == KN_OK && (offset < 0 || length < -1 || !sink.write))
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "invalid range %lld+%lld", (long long)offset, (long long)length);
    kn_object_info_t info = {key, 0, 0, NULL, NULL};
    if (rc == KN_OK && length == 0) { /* nothing to read: the object's info only */
        rc = head(inst, call, fkey, &h, &err);
        if (rc == KN_OK && offset > h.content_length)
            rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "offset %lld is past the end (%lld bytes)",
                         (long long)offset, (long long)h.content_length);
        info.size = h.content_length;
    } else if (rc == KN_OK) {
        s3_req req = {.method = "GET", .key = fkey, .payload_hash = S3_EMPTY_SHA256};
        if (offset > 0 || length > 0) {
            if (length > 0) snprintf(range, sizeof range, "bytes=%lld-%lld", (long long)offset, (long long)(offset + length - 1));
            else snprintf(range, sizeof range, "bytes=%lld-", (long long)offset);
            req.headers[req.nheaders++] = (s3_kv){"range", range};
        }
        h = (s3_http){.req = &req, .sink = &sink, .call = call};
        rc = s3_perform(inst, &h, &err);
        h.req = NULL;
        info.size = h.range_total >= 0 ? h.range_total : h.content_length;
        if (rc == KN_E_INVALID_ARGUMENT && h.status == 416) {
            /* Past the end: at the very end (or an empty object) is an empty read, beyond
             * it is an error; HEAD tells which, and whether the object exists at all. */
            s3_http_free(&h);
            rc = head(inst, call, fkey, &h, &err);
            info.size = h.content_length;
            if (rc == KN_OK && offset > h.content_length)
                rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "offset %lld is past the end (%lld bytes)",
                             (long long)offset, (long long)h.content_length);
        }
    }
    info.mtime_unix_ns = h.mtime_ns;
    info.etag = h.etag[0] ? h.etag : NULL;
    info.content_type = h.content_type[0] ? h.content_type : NULL;
    finish(inst, "get", key, done, rc, &err, &info);
    s3_http_free(&h), free(fkey);
}

void s3_remove(const kn_plugin_t *plugin, const kn_call_t *call, const char *key, kn_completion_t done) {
    s3_instance *inst;
    char *fkey;
    kn_error_t err;
    kn_status_t rc = begin(plugin, key, &inst, &fkey, &err);
    if (rc == KN_OK) {
        s3_req req = {.method = "DELETE", .key = fkey, .payload_hash = S3_EMPTY_SHA256};
        s3_http h = {.req = &req, .call = call};
        rc = s3_perform(inst, &h, &err);
        if (rc == KN_E_NOT_FOUND) rc = KN_OK; /* removing a missing key is fine */
        s3_http_free(&h);
    }
    finish(inst, "remove", key, done, rc, &err, NULL);
    free(fkey);
}

void s3_list(const kn_plugin_t *plugin, const kn_call_t *call, const char *prefix,
             const char *cursor, uint32_t limit, kn_completion_t done) {
    s3_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t err;
    char shown[128], max[16];
    char *fprefix = NULL;
    s3_list_page page = {0};
    kn_object_info_t *items = NULL;
    kn_status_t rc = KN_OK;
    if (!prefix) prefix = "";
    if (!inst) rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "no plugin instance");
    else if (!s3_prefix_valid(prefix))
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "invalid prefix \"%s\"", KNC_CLIP(prefix, shown));
    else if (limit < 1 || limit > 1000)
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "limit %u is not within 1...1000", limit);
    else if (cursor && (!*cursor || strlen(cursor) > 4096))
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "invalid cursor");
    else if (!(fprefix = s3_full_key(inst, prefix)))
        rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
    if (rc == KN_OK) {
        snprintf(max, sizeof max, "%u", limit);
        s3_req req = {.method = "GET", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
        req.query[req.nquery++] = (s3_kv){"list-type", "2"};
        req.query[req.nquery++] = (s3_kv){"prefix", fprefix};
        req.query[req.nquery++] = (s3_kv){"max-keys", max};
        req.query[req.nquery++] = (s3_kv){"encoding-type", "url"};
        if (cursor) req.query[req.nquery++] = (s3_kv){"continuation-token", cursor};
        s3_http h = {.req = &req, .call = call};
        rc = s3_perform(inst, &h, &err);
        if (rc == KN_OK && !s3_xml_list(h.resp.p, h.resp.len, &page))
            rc = knc_fail(&err, KN_E_IO, "S3 answered the listing with XML that does not parse");
        if (rc != KN_OK && cursor && h.status == 400)
            rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "invalid cursor: %s", err.message);
        s3_http_free(&h);
    }
    if (rc == KN_OK && page.count && !(items = calloc(page.count, sizeof *items)))
        rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
    size_t n = 0, plen = inst ? strlen(inst->cfg.prefix) : 0;
    for (size_t i = 0; rc == KN_OK && i < page.count; i++) {
        if (strncmp(page.items[i].key, inst->cfg.prefix, plen) != 0) continue;
        items[n++] = (kn_object_info_t){page.items[i].key + plen, page.items[i].size,
                                        page.items[i].mtime_ns, page.items[i].etag, NULL};
    }
    kn_object_list_t list = {items, n, page.truncated ? page.next_token : NULL};
    finish(inst, "list", prefix, done, rc, &err, &list);
    free(items), free(fprefix);
    s3_list_page_free(&page);
}

kn_status_t s3_abort_stale_uploads(s3_instance *inst, int64_t age_s, int *aborted, kn_error_t *err) {
    char *key_marker = NULL, *id_marker = NULL;
    kn_status_t rc = KN_OK;
    int64_t cutoff = s3_now_ns() - age_s * 1000000000;
    *aborted = 0;
    for (int pages = 0; rc == KN_OK && pages < 1000; pages++) {
        s3_upload_page page;
        s3_req req = {.method = "GET", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
        req.query[req.nquery++] = (s3_kv){"uploads", ""};
        req.query[req.nquery++] = (s3_kv){"prefix", inst->cfg.prefix};
        if (key_marker && *key_marker) req.query[req.nquery++] = (s3_kv){"key-marker", key_marker};
        if (id_marker && *id_marker) req.query[req.nquery++] = (s3_kv){"upload-id-marker", id_marker};
        s3_http h = {.req = &req};
        rc = s3_perform(inst, &h, err);
        if (rc == KN_OK && !s3_xml_uploads(h.resp.p, h.resp.len, &page))
            rc = knc_fail(err, KN_E_IO, "S3 answered the multipart listing with XML that does not parse");
        s3_http_free(&h);
        if (rc != KN_OK) break;
        for (size_t i = 0; i < page.count; i++) {
            if (page.items[i].initiated_ns == 0 || page.items[i].initiated_ns > cutoff) continue;
            kn_error_t e;
            s3_req del = {.method = "DELETE", .key = page.items[i].key, .payload_hash = S3_EMPTY_SHA256};
            del.query[del.nquery++] = (s3_kv){"uploadId", page.items[i].upload_id};
            s3_http d = {.req = &del};
            if (s3_perform(inst, &d, &e) == KN_OK || d.status == 404) (*aborted)++;
            else knc_log(inst->host, KN_LOG_WARN, "aborting a stale multipart upload failed: %s", e.message);
            s3_http_free(&d);
        }
        free(key_marker), free(id_marker);
        key_marker = page.next_key_marker, id_marker = page.next_upload_id_marker;
        page.next_key_marker = page.next_upload_id_marker = NULL;
        bool more = page.truncated;
        s3_upload_page_free(&page);
        if (!more) break;
    }
    free(key_marker), free(id_marker);
    return rc;
}
