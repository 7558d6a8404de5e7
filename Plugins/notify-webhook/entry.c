/*
 * notify-webhook — a kinora.notify/1 channel that POSTs each notification as a JSON event,
 * signed the Standard Webhooks way, to one URL of its settings. This file: the descriptor
 * and settings schema, the instance's life, the factory and the module entry. See
 * webhook.h for the other files.
 */
#define _GNU_SOURCE
#include "webhook.h"

#include <stdlib.h>
#include <string.h>

static const kn_host_t *g_module_host;

static const char *wh_address_kind(const kn_plugin_t *plugin) {
    (void)plugin;
    return "none";
}

/* parse_callback is NULL: the receiver's HTTP answer is the whole delivery report. */
static const kn_notify_v1_t wh_notify = {wh_address_kind, wh_send, NULL, NULL}; /* no channel_info either */
static const char *const wh_interfaces[] = {KN_NOTIFY_ID, NULL};

static const char wh_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"url\"],\"properties\":{"
    "\"url\":{\"type\":\"string\",\"pattern\":\"^https?://[^/?#@\\\\s]+([/?#]\\\\S*)?$\",\"description\":"
    "\"Where every event is POSTed (http:// or https://).\"},"
    "\"secret\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Secret: the signing key, never "
    "logged. \\\"whsec_\\\" + base64 (Standard Webhooks) is decoded to its bytes; any other text is "
    "used as its UTF-8 bytes.\"},"
    "\"secret_name\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$\","
    "\"description\":\"Name of the host secret (kinora.host.secrets/1) holding the secret instead.\"},"
    "\"timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":120,\"default\":10},"
    "\"connect_timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":60,\"default\":5},"
    "\"ca_file\":{\"type\":\"string\",\"minLength\":1,\"description\":\"PEM file of the CA to trust "
    "for an https:// URL instead of the system's.\"},"
    "\"max_connections\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"default\":8,"
    "\"description\":\"Idle keep-alive connections kept for reuse.\"}}}";

static const kn_plugin_descriptor_t wh_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = WH_ID,
    .name = "Webhook",
    .vendor = "Kinora",
    .version = WH_VERSION,
    .description = "Notifications as signed JSON events POSTed to one URL (Standard Webhooks "
                   "headers, Idempotency-Key, Retry-After honoured).",
    .url = NULL,
    .interfaces = wh_interfaces,
    .config_schema_json = wh_schema,
    .flags = 0,
};

static kn_status_t wh_start(const kn_plugin_t *plugin, kn_error_t *err) {
    wh_instance *inst = plugin->plugin_data;
    (void)err;
    knc_log(inst->host, KN_LOG_INFO, "events to %s", inst->cfg.shown_url);
    return KN_OK;
}

/* Calls still in flight after the host's 10-second wait end now, cancelled, instead of at
 * their own timeouts. */
static void wh_stop(const kn_plugin_t *plugin) {
    wh_instance *inst = plugin->plugin_data;
    atomic_store(&inst->stopping, true);
}

static void wh_destroy(const kn_plugin_t *plugin) {
    wh_instance *inst = plugin ? plugin->plugin_data : NULL;
    if (!inst) return;
    knc_curl_pool_free(&inst->pool);
    wh_config_free(&inst->cfg);
    free(inst);
}

static const void *wh_get_interface(const kn_plugin_t *plugin, const char *id) {
    (void)plugin;
    return id && strcmp(id, KN_NOTIFY_ID) == 0 ? &wh_notify : NULL;
}

static uint32_t wh_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *wh_get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &wh_descriptor : NULL;
}

static kn_status_t wh_create(const kn_plugin_factory_t *factory, const kn_host_t *host, const char *plugin_id,
                             const char *config_json, const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    const char *missing = NULL;
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, WH_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"", KNC_CLIP(plugin_id, shown));
    /* libcurl and libcrypto are mapped by the first instance, not when the module loads. */
    if (!knc_curl_load(&missing))
        return knc_fail(err, KN_E_CONFIG, "%s is missing: install libcurl4 and libssl3", missing ? missing : "libcurl");
    wh_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    inst->host = host ? host : g_module_host;
    kn_status_t rc = wh_config_load(&inst->cfg, inst->host, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return free(inst), rc;
    if (!knc_curl_pool_init(&inst->pool, inst->cfg.max_connections)) {
        wh_config_free(&inst->cfg);
        free(inst);
        return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    inst->plugin = (kn_plugin_t){&wh_descriptor, inst, wh_start, wh_stop, wh_destroy, wh_get_interface};
    *out = &inst->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t wh_factory = {wh_count, wh_get_descriptor, wh_create};

static kn_status_t wh_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_DEBUG, "%s %s loaded from %s", WH_ID, WH_VERSION, KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void wh_deinit(void) { g_module_host = NULL; }

static const void *wh_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &wh_factory : NULL;
}

static const kn_module_entry_t wh_entry = {KN_ABI_VERSION_INIT, wh_init, wh_deinit, wh_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &wh_entry; }
