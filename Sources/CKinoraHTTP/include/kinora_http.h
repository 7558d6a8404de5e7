#ifndef KINORA_HTTP_H
#define KINORA_HTTP_H

/* A blocking HTTP(S) client for the daemon's back channel (OpenID Connect discovery, JWKS,
 * token endpoint), on libcurl loaded with dlopen("libcurl.so.4") on first use: a daemon that
 * never makes such a call never maps libcurl or its TLS library.
 *
 * Threads: every function may be called from any thread, concurrently. A call blocks for up
 * to `timeout_ms`, so callers run it off event loops and off Swift's cooperative pool.
 * Redirects are not followed; only http and https are allowed; TLS certificates and host
 * names are verified (libcurl's defaults, never turned off). */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The answer to one request. `body` is allocated by kinora_http_request and freed by
 * kinora_http_response_free; it is NUL-terminated (not counted in body_len) for convenience. */
typedef struct kinora_http_response {
    long status;                 /* HTTP status, 0 when no response arrived */
    unsigned char *body;         /* NULL when empty */
    size_t body_len;
    char error[256];             /* why the transfer failed; "" on success */
} kinora_http_response;

/* Performs `method` ("GET" or "POST") on `url` with `header_count` "Name: value" lines and,
 * for POST, `body_len` bytes of `body` (borrowed for the call). Stops with an error after
 * `timeout_ms` or when the response body would exceed `max_bytes`.
 * Returns 0 when a response arrived (whatever its status), -1 otherwise with `out->error` set
 * (libcurl missing included). `out` is always initialised; free it with
 * kinora_http_response_free in both cases. */
int kinora_http_request(const char *method, const char *url,
                        const char *const *headers, size_t header_count,
                        const unsigned char *body, size_t body_len,
                        long timeout_ms, size_t max_bytes,
                        kinora_http_response *out);

void kinora_http_response_free(kinora_http_response *response);

#ifdef __cplusplus
}
#endif

#endif
