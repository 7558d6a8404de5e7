/*
 * notify-smtp: the instance, its settings, and the functions the files share.
 *
 *   config.c    settings (JSON from the host) -> smtp_config; the DKIM key
 *   message.c   message_json -> an RFC 5322 message (headers, MIME, quoted-printable)
 *   dkim.c      RFC 6376 signatures (relaxed/relaxed, rsa-sha256)
 *   send.c      the SMTP transaction over pooled libcurl handles, outcome mapping
 *   entry.c     descriptor, settings schema, factory and module entry
 *
 * An instance is read-only after create() but for its handle pool, which has its own lock,
 * so the host may call send() from several worker threads at once.
 * Internal to the plugin: every function is hidden.
 */
#ifndef KINORA_NOTIFY_SMTP_H
#define KINORA_NOTIFY_SMTP_H

#include <kinora/plugin.h>

#include "knc_curl.h"
#include "knc_json.h"
#include "knc_text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_ID "org.kinora.notify-smtp"
#define SMTP_VERSION "1.0.0"
#define SMTP_INTERNAL __attribute__((visibility("hidden")))

typedef struct {
    char *url;               /* "smtp://host:587" or "smtps://host:465"                     */
    char *host;
    long port;
    bool starttls, implicit_tls;
    char *username, *password; /* password: secret, never logged                            */
    char *from_addr;         /* "news@example.org"                                          */
    char *from_name;         /* display name or NULL                                        */
    char *from_domain;       /* "example.org"                                               */
    char *ca_file;
    long timeout_s, connect_timeout_s;
    int max_connections;
    /* DKIM: all three set, or none */
    char *dkim_selector, *dkim_domain;
    EVP_PKEY *dkim_key;
} smtp_config;

typedef struct smtp_instance {
    kn_plugin_t plugin;
    const kn_host_t *host;
    smtp_config cfg;
    knc_curl_pool pool;
    atomic_bool stopping; /* set by stop(): transfers still running give up at once */
} smtp_instance;

/* -- config.c ------------------------------------------------------------------------- */
SMTP_INTERNAL kn_status_t smtp_config_load(smtp_config *cfg, const kn_host_t *host, const char *json,
                                           kn_error_t *err);
SMTP_INTERNAL void smtp_config_free(smtp_config *cfg);
/* Is s a mail address this plugin sends to or from: local@domain in printable ASCII, no
 * spaces, angle brackets, quotes or control characters, at most 254 bytes? */
SMTP_INTERNAL bool smtp_address_valid(const char *s, size_t n);

/* -- message.c ------------------------------------------------------------------------ */
/* The parts of a message the transfer needs besides its bytes. */
typedef struct {
    knc_strbuf data;   /* the whole message, CRLF line endings, DKIM-Signature first        */
    char *rcpt;        /* the envelope recipient                                            */
    char shown_rcpt[64]; /* the recipient for logs: "a…@example.org"                         */
} smtp_message;

/* Builds (and signs, with DKIM configured) the message; INVALID_ARGUMENT for a message that
 * cannot be sent as it is (header injection, a bad address, missing text), with `err`
 * naming the field. `now` is the Date and the DKIM t=. */
SMTP_INTERNAL kn_status_t smtp_message_build(const smtp_config *cfg, const char *message_json,
                                             int64_t now, smtp_message *out, kn_error_t *err);
SMTP_INTERNAL void smtp_message_free(smtp_message *m);

/* -- dkim.c --------------------------------------------------------------------------- */
/* A header the message carries, as written (name, and its value without the CRLF that ends
 * it; folded values keep their CRLF WSP). */
typedef struct {
    const char *name;
    const char *value;
} smtp_header;

/* The DKIM-Signature header line (with its CRLF) for these headers and body, signing
 * every header of `headers` (in order; h= lists them); false on a crypto failure, with
 * `why` set. */
SMTP_INTERNAL bool smtp_dkim_sign(const smtp_config *cfg, const smtp_header *headers, size_t nheaders,
                                  const char *body, size_t body_len, int64_t now, knc_strbuf *out,
                                  char *why, size_t whycap);

/* -- send.c --------------------------------------------------------------------------- */
SMTP_INTERNAL void smtp_send(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json,
                             kn_completion_t done);

#endif
