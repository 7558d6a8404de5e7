/*
 * storage-s3: put. The body is read one part (part_size bytes) at a time:
 *   - it ends within the first part: one PUT of that buffer;
 *   - otherwise a multipart upload: each full buffer is uploaded by its own thread while the
 *     next is read, at most `concurrency` parts in flight, so memory stays at
 *     concurrency x part_size whatever the object's size. Any failure (a part, the reader,
 *     cancellation) stops reading, waits for the parts in flight and aborts the upload, so
 *     the peer keeps no orphan parts and the old object stays.
 * Every PUT carries Content-MD5 (the peer refuses a body that does not match) and the
 * SHA-256 of its payload in the signature.
 */
#define _GNU_SOURCE
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define S3_MAX_PARTS 10000

/* Fills buf with up to cap bytes; *eof when the body ended. */
static kn_status_t read_full(const kn_reader_t *r, const kn_call_t *call, uint8_t *buf, size_t cap,
                             size_t *len, bool *eof, kn_error_t *err) {
    *len = 0, *eof = false;
    while (*len < cap) {
        int64_t got;
        if (r->fd >= 0) {
            ssize_t k = read(r->fd, buf + *len, cap - *len);
            if (k < 0 && errno == EINTR) continue;
            got = k < 0 ? KN_E_IO : (int64_t)k;
        } else {
            got = r->read(r->ctx, buf + *len, cap - *len);
        }
        if (got == 0) return *eof = true, KN_OK;
        if (got < 0)
            return knc_fail(err, got >= KN_E_NO_SPACE ? (kn_status_t)got : KN_E_CANCELLED,
                           "reading the upload failed (%s); nothing was stored",
                           kn_status_string((kn_status_t)got));
        if ((uint64_t)got > cap - *len)
            return knc_fail(err, KN_E_INTERNAL, "the reader returned more bytes than asked for");
        *len += (size_t)got;
    }
    return s3_check_call(call, err);
}

/* One PUT of a buffer (a whole object, or part `part` of upload `upload_id`). */
static kn_status_t put_buffer(s3_instance *inst, const kn_call_t *call, const char *fkey,
                              const char *content_type, const uint8_t *buf, size_t len, int part,
                              const char *upload_id, char *etag, size_t etagcap, kn_error_t *err) {
    char md5[25], sha[65], partno[16];
    s3_md5_base64(buf, len, md5);
    s3_sha256_hex(buf, len, sha);
    s3_req req = {.method = "PUT", .key = fkey, .payload_hash = sha};
    req.headers[req.nheaders++] = (s3_kv){"content-md5", md5};
    if (content_type && *content_type) req.headers[req.nheaders++] = (s3_kv){"content-type", content_type};
    if (upload_id) {
        snprintf(partno, sizeof partno, "%d", part);
        req.query[req.nquery++] = (s3_kv){"partNumber", partno};
        req.query[req.nquery++] = (s3_kv){"uploadId", upload_id};
    }
    s3_http h = {.req = &req, .body = buf, .body_len = len, .call = call};
    kn_status_t rc = s3_perform(inst, &h, err);
    if (rc == KN_OK) snprintf(etag, etagcap, "%s", h.etag);
    s3_http_free(&h);
    return rc;
}

typedef struct upload upload;
typedef struct {
    upload *up;
    uint8_t *buf;
    size_t len;
    int number;
    bool running, done;
    pthread_t thread;
} slot;

struct upload {
    s3_instance *inst;
    const kn_call_t *call;
    const char *fkey;
    char upload_id[512];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char (*etags)[160]; /* by part number - 1 */
    size_t netags;
    bool failed;
    kn_error_t err;
};

static void *part_thread(void *arg) {
    slot *s = arg;
    upload *up = s->up;
    kn_error_t err;
    char etag[160] = "";
    kn_status_t rc = put_buffer(up->inst, up->call, up->fkey, NULL, s->buf, s->len, s->number,
                                up->upload_id, etag, sizeof etag, &err);
    pthread_mutex_lock(&up->mu);
    if (rc == KN_OK) snprintf(up->etags[s->number - 1], sizeof up->etags[0], "%s", etag);
    else if (!up->failed) up->failed = true, up->err = err;
    s->done = true;
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
    return NULL;
}

/* Joins finished part threads; with `all`, waits for every one. Call with up->mu held. */
static void reap(upload *up, slot *slots, int n, bool all) {
    for (;;) {
        int running = 0;
        bool joined = false;
        for (int i = 0; i < n; i++) {
            if (slots[i].running && slots[i].done) {
                pthread_mutex_unlock(&up->mu);
                pthread_join(slots[i].thread, NULL);
                pthread_mutex_lock(&up->mu);
                slots[i].running = false;
                joined = true;
            }
            running += slots[i].running;
        }
        if (running == 0 || (!all && running < n)) return;
        /* A part of a slot already passed that finished while the lock was released for a join
         * broadcast to nobody: look again before waiting, or wait for ever (a CI run hung so). */
        if (joined) continue;
        pthread_cond_wait(&up->cv, &up->mu);
    }
}

static kn_status_t complete_upload(upload *up, size_t nparts, char *etag, size_t cap, kn_error_t *err) {
    knc_strbuf x = {0};
    char num[16], sha[65], code[64] = "", msg[256] = "";
    knc_sb_puts(&x, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for (size_t i = 0; i < nparts; i++) {
        snprintf(num, sizeof num, "%zu", i + 1);
        knc_sb_puts(&x, "<Part><PartNumber>"), knc_sb_puts(&x, num), knc_sb_puts(&x, "</PartNumber><ETag>");
        for (const char *p = up->etags[i]; *p; p++) /* an ETag is quoted hex: escape anyway */
            knc_sb_puts(&x, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '"' ? "&quot;" : (char[2]){*p, 0});
        knc_sb_puts(&x, "</ETag></Part>");
    }
    knc_sb_puts(&x, "</CompleteMultipartUpload>");
    if (x.oom) return free(x.p), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    s3_sha256_hex(x.p, x.len, sha);
    s3_req req = {.method = "POST", .key = up->fkey, .payload_hash = sha};
    req.query[req.nquery++] = (s3_kv){"uploadId", up->upload_id};
    req.headers[req.nheaders++] = (s3_kv){"content-type", "application/xml"};
    s3_http h = {.req = &req, .body = (const uint8_t *)x.p, .body_len = x.len, .call = up->call};
    kn_status_t rc = s3_perform(up->inst, &h, err);
    if (rc == KN_OK && h.resp.len) { /* S3 may answer 200 with an <Error> body */
        s3_xml_error(h.resp.p, h.resp.len, code, sizeof code, msg, sizeof msg);
        if (code[0])
            rc = knc_fail(err, KN_E_UNAVAILABLE, "S3 completing the multipart upload failed: %s: %s", code, msg);
        else if (!s3_xml_text(h.resp.p, h.resp.len, "ETag", etag, cap))
            etag[0] = '\0';
    }
    s3_http_free(&h), free(x.p);
    if (rc == KN_OK && !etag[0]) { /* radosgw 16 answers <ETag></ETag>: ask the object */
        s3_req hr = {.method = "HEAD", .key = up->fkey, .payload_hash = S3_EMPTY_SHA256};
        s3_http hh = {.req = &hr, .call = up->call};
        if (s3_perform(up->inst, &hh, err) == KN_OK) snprintf(etag, cap, "%s", hh.etag);
        s3_http_free(&hh);
    }
    return rc;
}

static void abort_upload(upload *up) {
    kn_error_t err;
    s3_req req = {.method = "DELETE", .key = up->fkey, .payload_hash = S3_EMPTY_SHA256};
    req.query[req.nquery++] = (s3_kv){"uploadId", up->upload_id};
    s3_http h = {.req = &req}; /* not bound to the call: a cancelled call still cleans up */
    if (s3_perform(up->inst, &h, &err) != KN_OK && h.status != 404)
        knc_log(up->inst->host, KN_LOG_WARN, "aborting a multipart upload failed (the next start "
               "removes it once it is stale): %s", err.message);
    s3_http_free(&h);
}

static kn_status_t initiate(s3_instance *inst, const kn_call_t *call, const char *fkey,
                            const char *content_type, char *upload_id, size_t cap, kn_error_t *err) {
    s3_req req = {.method = "POST", .key = fkey, .payload_hash = S3_EMPTY_SHA256};
    req.query[req.nquery++] = (s3_kv){"uploads", ""};
    if (content_type && *content_type) req.headers[req.nheaders++] = (s3_kv){"content-type", content_type};
    s3_http h = {.req = &req, .call = call};
    kn_status_t rc = s3_perform(inst, &h, err);
    if (rc == KN_OK && !s3_xml_text(h.resp.p, h.resp.len, "UploadId", upload_id, cap))
        rc = knc_fail(err, KN_E_IO, "S3 started a multipart upload without an UploadId");
    s3_http_free(&h);
    return rc;
}

/* The multipart path, given the first part already read into first (part_size bytes). */
static kn_status_t multipart(s3_instance *inst, const kn_call_t *call, const char *fkey,
                             const char *content_type, const kn_reader_t *body, uint8_t *first,
                             size_t part_size, int64_t *total, char *etag, size_t etagcap,
                             kn_error_t *err) {
    int n = inst->cfg.concurrency;
    upload up = {.inst = inst, .call = call, .fkey = fkey};
    slot *slots = calloc((size_t)n, sizeof *slots);
    up.etags = calloc(S3_MAX_PARTS, sizeof *up.etags);
    if (!slots || !up.etags) return free(slots), free(up.etags), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    kn_status_t rc = initiate(inst, call, fkey, content_type, up.upload_id, sizeof up.upload_id, err);
    if (rc != KN_OK) return free(slots), free(up.etags), rc;
    pthread_mutex_init(&up.mu, NULL);
    pthread_cond_init(&up.cv, NULL);
    slots[0].buf = first, slots[0].len = part_size;
    *total = (int64_t)part_size;
    int number = 1;
    bool eof = false;
    slot *s = &slots[0];
    pthread_mutex_lock(&up.mu);
    for (;;) { /* s holds part `number`, read in full (or the short last one) */
        s->up = &up, s->number = number, s->done = false, s->running = true;
        if (pthread_create(&s->thread, NULL, part_thread, s) != 0) {
            s->running = false;
            rc = knc_fail(err, KN_E_NO_MEMORY, "cannot start an upload thread");
            break;
        }
        if (eof) break;
        reap(&up, slots, n, false);
        if (up.failed) break;
        s = NULL;
        for (int i = 0; i < n && !s; i++) if (!slots[i].running) s = &slots[i];
        pthread_mutex_unlock(&up.mu);
        if (!s->buf && !(s->buf = malloc(part_size))) rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        if (rc == KN_OK) rc = read_full(body, call, s->buf, part_size, &s->len, &eof, err);
        pthread_mutex_lock(&up.mu);
        if (rc != KN_OK) break;
        if (s->len == 0) break; /* the body ended on a part boundary */
        if (++number > S3_MAX_PARTS) {
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "the object needs more than %d parts of %zu "
                         "bytes: raise settings.part_size", S3_MAX_PARTS, part_size);
            break;
        }
        *total += (int64_t)s->len;
    }
    reap(&up, slots, n, true);
    pthread_mutex_unlock(&up.mu);
    if (rc == KN_OK && up.failed) rc = up.err.code, *err = up.err;
    if (rc == KN_OK) rc = complete_upload(&up, (size_t)number, etag, etagcap, err);
    if (rc != KN_OK) abort_upload(&up);
    for (int i = 1; i < n; i++) free(slots[i].buf);
    pthread_mutex_destroy(&up.mu), pthread_cond_destroy(&up.cv);
    free(slots), free(up.etags);
    return rc;
}

void s3_put(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
            const char *content_type, kn_reader_t body, kn_completion_t done) {
    s3_instance *inst = plugin ? plugin->plugin_data : NULL;
    kn_error_t err;
    char shown[128], etag[160] = "";
    uint8_t *buf = NULL;
    char *fkey = NULL;
    size_t len = 0;
    int64_t total = 0;
    bool eof = false;
    kn_status_t rc = KN_OK;
    if (!inst) rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "no plugin instance");
    else if (!s3_key_valid(key))
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "invalid key \"%s\"", KNC_CLIP(key, shown));
    else if (!body.read && body.fd < 0)
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "the reader has neither read() nor an fd");
    size_t part = inst ? inst->cfg.part_size : 0;
    if (rc == KN_OK && body.size_hint > (int64_t)part * S3_MAX_PARTS) /* keep within 10000 parts */
        part = (size_t)((body.size_hint / S3_MAX_PARTS + (1 << 20)) >> 20 << 20);
    if (rc == KN_OK && !(fkey = s3_full_key(inst, key))) rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
    /* A known small size needs a buffer of that size only. */
    size_t first_cap = body.size_hint >= 0 && (uint64_t)body.size_hint < part ? (size_t)body.size_hint + 1 : part;
    if (rc == KN_OK && !(buf = malloc(first_cap ? first_cap : 1))) rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
    if (rc == KN_OK) rc = read_full(&body, call, buf, first_cap, &len, &eof, &err);
    if (rc == KN_OK && !eof && first_cap < part) { /* the size hint was wrong: grow to a part */
        uint8_t *bigger = realloc(buf, part);
        size_t more = 0;
        if (!bigger) rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
        else buf = bigger, rc = read_full(&body, call, buf + len, part - len, &more, &eof, &err), len += more;
    }
    if (rc == KN_OK && eof) { /* the whole object is in buf */
        rc = put_buffer(inst, call, fkey, content_type, buf, len, 0, NULL, etag, sizeof etag, &err);
        total = (int64_t)len;
    } else if (rc == KN_OK) {
        rc = multipart(inst, call, fkey, content_type, &body, buf, part, &total, etag, sizeof etag, &err);
    }
    free(buf);
    kn_object_info_t info = {key, total, s3_now_ns(), etag[0] ? etag : NULL, content_type};
    if (inst)
        knc_log(inst->host, rc == KN_OK ? KN_LOG_DEBUG : KN_LOG_WARN, "put %s: %lld bytes, %s%s%s",
               KNC_CLIP(key, shown), (long long)total, kn_status_string(rc), rc ? ": " : "",
               rc ? err.message : "");
    free(fkey);
    if (done.complete) done.complete(done.ctx, rc, rc == KN_OK ? NULL : &err, rc == KN_OK ? &info : NULL);
}
