/*
 * storage-s3: the bucket CORS rules a browser player needs when segments are redirected to
 * presigned URLs (`kinora storage s3 cors`): GET and HEAD from the given origins, the Range
 * and If-None-Match request headers, and the response headers a player reads.
 * Offered as the module's own interface "org.kinora.storage-s3.cors/1":
 *   kn_status_t apply(const kn_plugin_t *plugin, const char *origins, kn_error_t *err);
 * `origins` is a newline-separated list ("*" for any). [main]; does network I/O.
 */
#define _GNU_SOURCE
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>

static void xml_text(knc_strbuf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '&') knc_sb_puts(b, "&amp;");
        else if (c == '<') knc_sb_puts(b, "&lt;");
        else if (c == '>') knc_sb_puts(b, "&gt;");
        else knc_sb_put(b, &c, 1);
    }
}

kn_status_t s3_apply_cors(const kn_plugin_t *plugin, const char *origins, kn_error_t *err) {
    s3_instance *inst = plugin ? plugin->plugin_data : NULL;
    if (!inst || !origins || !*origins)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "give at least one origin (\"*\" for any)");
    knc_strbuf x = {0};
    knc_sb_puts(&x, "<CORSConfiguration><CORSRule>");
    for (const char *o = origins; *o;) {
        const char *nl = strchr(o, '\n');
        size_t n = nl ? (size_t)(nl - o) : strlen(o);
        if (n) knc_sb_puts(&x, "<AllowedOrigin>"), xml_text(&x, o, n), knc_sb_puts(&x, "</AllowedOrigin>");
        o += n + (nl ? 1 : 0);
    }
    knc_sb_puts(&x, "<AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>"
                   "<AllowedHeader>Range</AllowedHeader><AllowedHeader>If-None-Match</AllowedHeader>"
                   "<ExposeHeader>Content-Length</ExposeHeader><ExposeHeader>Content-Range</ExposeHeader>"
                   "<ExposeHeader>ETag</ExposeHeader><ExposeHeader>Accept-Ranges</ExposeHeader>"
                   "<MaxAgeSeconds>86400</MaxAgeSeconds></CORSRule></CORSConfiguration>");
    if (x.oom) return free(x.p), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    char md5[25], sha[65];
    s3_md5_base64(x.p, x.len, md5);
    s3_sha256_hex(x.p, x.len, sha);
    s3_req req = {.method = "PUT", .key = NULL, .payload_hash = sha};
    req.query[req.nquery++] = (s3_kv){"cors", ""};
    req.headers[req.nheaders++] = (s3_kv){"content-md5", md5};
    req.headers[req.nheaders++] = (s3_kv){"content-type", "application/xml"};
    s3_http h = {.req = &req, .body = (const uint8_t *)x.p, .body_len = x.len};
    kn_status_t rc = s3_perform(inst, &h, err);
    s3_http_free(&h), free(x.p);
    if (rc == KN_OK) knc_log(inst->host, KN_LOG_INFO, "bucket %s: CORS rules applied", inst->cfg.bucket);
    return rc;
}
