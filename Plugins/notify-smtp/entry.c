/*
 * notify-smtp — a kinora.notify/1 channel that delivers mail over SMTP (libcurl: STARTTLS
 * or implicit TLS, AUTH), signed with DKIM (libcrypto). This file: the descriptor and its
 * settings schema, the instance's life, the factory and the module entry. See smtp.h for
 * the other files.
 */
#define _GNU_SOURCE
#include "smtp.h"

#include <stdlib.h>
#include <string.h>

static const kn_host_t *g_module_host;

static const char *smtp_address_kind(const kn_plugin_t *plugin) {
    (void)plugin;
    return "email";
}

/* parse_callback is NULL: SMTP reports nothing back (bounces come as mail). */
static const kn_notify_v1_t smtp_notify = {smtp_address_kind, smtp_send, NULL, NULL}; /* no callbacks, no channel_info */
static const char *const smtp_interfaces[] = {KN_NOTIFY_ID, NULL};

#define DNS_NAME "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"

static const char smtp_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"host\",\"from\"],\"properties\":{"
    "\"host\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":253,\"description\":\"The SMTP server "
    "(name or IP address).\"},"
    "\"port\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65535,\"description\":\"Default 587, or 465 "
    "with implicit_tls.\"},"
    "\"starttls\":{\"type\":\"boolean\",\"default\":true,\"description\":\"Require STARTTLS before AUTH "
    "and the message (smtp://); false sends in the clear, for a relay on this machine.\"},"
    "\"implicit_tls\":{\"type\":\"boolean\",\"default\":false,\"description\":\"TLS from the first byte "
    "(smtps://, usually port 465) instead of STARTTLS.\"},"
    "\"ca_file\":{\"type\":\"string\",\"minLength\":1,\"description\":\"PEM file of the CA (or the "
    "self-signed certificate) to trust instead of the system's.\"},"
    "\"username\":{\"type\":\"string\",\"minLength\":1},"
    "\"password\":{\"type\":\"string\",\"description\":\"Secret: never logged. Or name a host secret "
    "with password_secret.\"},"
    "\"password_secret\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$\","
    "\"description\":\"Name of the host secret (kinora.host.secrets/1) holding the password.\"},"
    "\"from\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":320,\"description\":\"Sender: "
    "\\\"Name <address>\\\" or an address.\"},"
    "\"dkim_selector\":{\"type\":\"string\",\"pattern\":\"" DNS_NAME "\"},"
    "\"dkim_domain\":{\"type\":\"string\",\"pattern\":\"" DNS_NAME "\",\"description\":\"d= of the "
    "signatures: From's domain or a parent of it.\"},"
    "\"dkim_key_file\":{\"type\":\"string\",\"minLength\":1,\"description\":\"PKCS#8 PEM RSA private "
    "key; the three dkim_ settings go together.\"},"
    "\"timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":300,\"default\":30,"
    "\"description\":\"One message's whole transaction, within the call's deadline.\"},"
    "\"connect_timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":120,\"default\":10},"
    "\"max_connections\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"default\":8,"
    "\"description\":\"Idle SMTP sessions kept open for reuse.\"}}}";

static const kn_plugin_descriptor_t smtp_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = SMTP_ID,
    .name = "Mail (SMTP)",
    .vendor = "Kinora",
    .version = SMTP_VERSION,
    .description = "Notifications by mail through an SMTP server: STARTTLS or implicit TLS, AUTH, "
                   "DKIM signatures, one-click unsubscribe headers, reused connections.",
    .url = NULL,
    .interfaces = smtp_interfaces,
    .config_schema_json = smtp_schema,
    .flags = 0,
};

/* No network round trip: a mail server that is down at start makes sends retryable, it
 * does not take the channel away. */
static kn_status_t smtp_start(const kn_plugin_t *plugin, kn_error_t *err) {
    smtp_instance *inst = plugin->plugin_data;
    const smtp_config *cfg = &inst->cfg;
    (void)err;
    knc_log(inst->host, KN_LOG_INFO, "mail through %s (%s%s), from %s%s%s", cfg->url,
            cfg->implicit_tls ? "implicit TLS" : cfg->starttls ? "STARTTLS" : "no TLS",
            cfg->username ? ", AUTH" : "", cfg->from_domain, cfg->dkim_key ? ", DKIM d=" : "",
            cfg->dkim_key ? cfg->dkim_domain : "");
    return KN_OK;
}

/* Calls still in flight after the host's 10-second wait end now, cancelled, instead of at
 * their own timeouts. */
static void smtp_stop(const kn_plugin_t *plugin) {
    smtp_instance *inst = plugin->plugin_data;
    atomic_store(&inst->stopping, true);
}

static void smtp_destroy(const kn_plugin_t *plugin) {
    smtp_instance *inst = plugin ? plugin->plugin_data : NULL;
    if (!inst) return;
    knc_curl_pool_free(&inst->pool);
    smtp_config_free(&inst->cfg);
    free(inst);
}

static const void *smtp_get_interface(const kn_plugin_t *plugin, const char *id) {
    (void)plugin;
    return id && strcmp(id, KN_NOTIFY_ID) == 0 ? &smtp_notify : NULL;
}

static uint32_t smtp_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *smtp_get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &smtp_descriptor : NULL;
}

static kn_status_t smtp_create(const kn_plugin_factory_t *factory, const kn_host_t *host, const char *plugin_id,
                               const char *config_json, const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    const char *missing = NULL;
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, SMTP_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"", KNC_CLIP(plugin_id, shown));
    /* libcurl and libcrypto are mapped by the first instance, not when the module loads. */
    if (!knc_curl_load(&missing))
        return knc_fail(err, KN_E_CONFIG, "%s is missing: install libcurl4 and libssl3", missing ? missing : "libcurl");
    smtp_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    inst->host = host ? host : g_module_host;
    kn_status_t rc = smtp_config_load(&inst->cfg, inst->host, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return free(inst), rc;
    if (!knc_curl_pool_init(&inst->pool, inst->cfg.max_connections)) {
        smtp_config_free(&inst->cfg);
        free(inst);
        return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    if (inst->cfg.username && !inst->cfg.starttls && !inst->cfg.implicit_tls)
        knc_log(inst->host, KN_LOG_WARN, "settings: AUTH without TLS sends the password in the clear");
    inst->plugin = (kn_plugin_t){&smtp_descriptor, inst, smtp_start, smtp_stop, smtp_destroy, smtp_get_interface};
    *out = &inst->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t smtp_factory = {smtp_count, smtp_get_descriptor, smtp_create};

static kn_status_t smtp_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_DEBUG, "%s %s loaded from %s", SMTP_ID, SMTP_VERSION, KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void smtp_deinit(void) { g_module_host = NULL; }

static const void *smtp_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &smtp_factory : NULL;
}

static const kn_module_entry_t smtp_entry = {KN_ABI_VERSION_INIT, smtp_init, smtp_deinit, smtp_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &smtp_entry; }
