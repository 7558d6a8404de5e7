/*
 * notify-webhook: the instance and the functions its files share.
 *
 *   config.c    settings (JSON from the host) -> wh_config, the signing key
 *   payload.c   message_json -> the event body; the Standard Webhooks signature
 *   send.c      the POST over pooled libcurl handles, outcome mapping
 *   entry.c     descriptor, settings schema, factory and module entry
 *
 * An instance is read-only after create() but for its handle pool (own lock): send() may
 * run on several host worker threads at once. Internal: every function is hidden.
 */
#ifndef KINORA_NOTIFY_WEBHOOK_H
#define KINORA_NOTIFY_WEBHOOK_H

#include <kinora/plugin.h>

#include "knc_curl.h"
#include "knc_json.h"
#include "knc_text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WH_ID "org.kinora.notify-webhook"
#define WH_VERSION "1.0.0"
#define WH_INTERNAL __attribute__((visibility("hidden")))

typedef struct {
    char *url;
    char *shown_url;        /* scheme://host[:port]/path without query or userinfo, for logs */
    unsigned char *key;     /* HMAC key: whsec_ secrets decoded, others their bytes; secret  */
    size_t key_len;
    char *ca_file;
    long timeout_s, connect_timeout_s;
    int max_connections;
} wh_config;

typedef struct wh_instance {
    kn_plugin_t plugin;
    const kn_host_t *host;
    wh_config cfg;
    knc_curl_pool pool;
    atomic_bool stopping; /* set by stop(): transfers still running give up at once */
} wh_instance;

/* -- config.c ------------------------------------------------------------------------- */
WH_INTERNAL kn_status_t wh_config_load(wh_config *cfg, const kn_host_t *host, const char *json, kn_error_t *err);
WH_INTERNAL void wh_config_free(wh_config *cfg);

/* -- payload.c ------------------------------------------------------------------------ */
typedef struct {
    knc_strbuf body;     /* the JSON event                                                */
    char *id;            /* the idempotency key: webhook-id and Idempotency-Key           */
    char timestamp[24];  /* unix seconds, as sent in webhook-timestamp                    */
    char signature[64];  /* "v1,<base64>"                                                 */
} wh_payload;

WH_INTERNAL kn_status_t wh_payload_build(const wh_config *cfg, const char *message_json, int64_t now,
                                         wh_payload *out, kn_error_t *err);
WH_INTERNAL void wh_payload_free(wh_payload *p);

/* -- send.c --------------------------------------------------------------------------- */
WH_INTERNAL void wh_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json,
                         kn_completion_t done);

#endif
