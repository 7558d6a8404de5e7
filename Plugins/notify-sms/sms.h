/*
 * notify-sms: the instance and the functions its files share.
 *
 *   entry.c     descriptor, settings schema and their loading, factory, module entry
 *   send.c      POST .../Messages.json (Twilio's Messages API) over pooled libcurl handles
 *   callback.c  status callbacks: X-Twilio-Signature, MessageSid and MessageStatus
 *   form.c      application/x-www-form-urlencoded, both ways
 *
 * An instance is read-only after create() but for its handle pool (own lock): send() and
 * parse_callback() may run on several host worker threads at once. Every function is hidden.
 */
#ifndef KINORA_NOTIFY_SMS_H
#define KINORA_NOTIFY_SMS_H

#include <kinora/plugin.h>

#include "knc_curl.h"
#include "knc_json.h"
#include "knc_text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMS_ID "org.kinora.notify-sms"
#define SMS_VERSION "1.0.0"
#define SMS_INTERNAL __attribute__((visibility("hidden")))
#define SMS_BODY_MAX 1600 /* characters Twilio takes in one Body */

typedef struct {
    char *messages_url;        /* {api_base}/2010-04-01/Accounts/{sid}/Messages.json           */
    char *api_base;
    char *account_sid;
    char *auth_token;          /* secret: Basic auth and the callback signature key         */
    char *from;                /* E.164 number or a messaging service sid (MG…)             */
    char *status_callback_url; /* NULL: no StatusCallback                                   */
    char *ca_file;
    long timeout_s, connect_timeout_s;
    int max_connections;
} sms_config;

typedef struct sms_instance {
    kn_plugin_t plugin;
    const kn_host_t *host;
    sms_config cfg;
    knc_curl_pool pool;
    atomic_bool stopping; /* set by stop(): transfers still running give up at once */
} sms_instance;

/* -- form.c --------------------------------------------------------------------------- */
SMS_INTERNAL void sms_form_put(knc_strbuf *b, const char *name, const char *value, size_t value_len);

typedef struct {
    char *name, *value;
} sms_param;

/* Decodes a form body into params (malloc'd, *count of them); false when malformed or out
 * of memory. Free with sms_form_free. */
SMS_INTERNAL bool sms_form_parse(const char *body, sms_param **params, size_t *count);
SMS_INTERNAL void sms_form_free(sms_param *params, size_t count);

/* -- send.c / callback.c -------------------------------------------------------------- */
SMS_INTERNAL void sms_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json,
                           kn_completion_t done);
SMS_INTERNAL void sms_parse_callback(const kn_plugin_t *plugin, const kn_call_t *call, const char *request_json,
                                     kn_completion_t done);

#endif
