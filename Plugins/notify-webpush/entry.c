/*
 * notify-webpush — a kinora.notify/1 channel that delivers notifications as Web Push
 * messages (RFC 8030) to browsers' push subscriptions: payloads encrypted per RFC 8291,
 * requests authenticated with VAPID (RFC 8292). This file: the descriptor and settings
 * schema, the instance's life, channel_info, the factory and the module entry. See
 * webpush.h for the other files.
 */
#define _GNU_SOURCE
#include "webpush.h"

#include <stdlib.h>
#include <string.h>

static const kn_host_t *g_module_host;

static const char *wp_address_kind(const kn_plugin_t *plugin) {
    (void)plugin;
    return "webpush";
}

/* The application server key browsers need for PushManager.subscribe(): made at create(),
 * kept until destroy(). */
static const char *wp_channel_info(const kn_plugin_t *plugin) {
    const wp_instance *inst = plugin ? plugin->plugin_data : NULL;
    return inst ? inst->cfg.channel_info : "{}";
}

/* parse_callback is NULL: the push service's answer is the whole delivery report. */
static const kn_notify_v1_t wp_notify = {wp_address_kind, wp_send, NULL, wp_channel_info};
static const char *const wp_interfaces[] = {KN_NOTIFY_ID, NULL};

static const char wp_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"subject\",\"key_file\"],\"properties\":{"
    "\"subject\":{\"type\":\"string\",\"pattern\":\"^(mailto:[^\\\\s@]+@[^\\\\s@]+|https://[^/\\\\s]+\\\\S*)$\","
    "\"description\":\"How push services reach the operator (RFC 8292 'sub'): a mailto: address or an https: "
    "URL.\"},"
    "\"key_file\":{\"type\":\"string\",\"minLength\":1,\"description\":\"PEM file (PKCS#8, EC P-256) of the "
    "VAPID key. Made with mode 0600 on first start when it does not exist; keep it: browsers' subscriptions "
    "are bound to its public key.\"},"
    "\"ttl_seconds\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":2419200,\"default\":86400,\"description\":"
    "\"How long the push service keeps a message for an offline browser.\"},"
    "\"timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":120,\"default\":10},"
    "\"connect_timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":60,\"default\":5},"
    "\"ca_file\":{\"type\":\"string\",\"minLength\":1,\"description\":\"PEM file of the CA to trust instead "
    "of the system's.\"},"
    "\"max_connections\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"default\":8,"
    "\"description\":\"Idle keep-alive connections kept for reuse.\"},"
    "\"allow_insecure_endpoints\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Tests only: "
    "accept http:// endpoints on 127.0.0.1 and localhost.\"},"
    "\"test_vector\":{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"ephemeral_key_file\","
    "\"salt\"],\"properties\":{\"ephemeral_key_file\":{\"type\":\"string\"},\"salt\":{\"type\":\"string\"}},"
    "\"description\":\"Tests only, never in production: encrypt every message with this fixed ephemeral "
    "key (PEM) and salt (base64url, 16 bytes), and the message's text as it is instead of the JSON payload, "
    "to reproduce RFC 8291 Appendix A.\"}}}";

static const kn_plugin_descriptor_t wp_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = WP_ID,
    .name = "Web Push",
    .vendor = "Kinora",
    .version = WP_VERSION,
    .description = "Notifications as Web Push messages to browsers (RFC 8030; payloads encrypted per "
                   "RFC 8291, VAPID per RFC 8292; expired subscriptions reported as gone).",
    .url = NULL,
    .interfaces = wp_interfaces,
    .config_schema_json = wp_schema,
    .flags = 0,
};

static kn_status_t wp_start(const kn_plugin_t *plugin, kn_error_t *err) {
    wp_instance *inst = plugin->plugin_data;
    (void)err;
    if (inst->cfg.test_ephemeral)
        knc_log(inst->host, KN_LOG_WARN, "settings.test_vector is set: every message is encrypted with one fixed key "
                "and salt; never use this outside tests");
    knc_log(inst->host, KN_LOG_INFO, "web push with the VAPID key of %s (public key %.12s...)", inst->cfg.key_file,
            inst->cfg.public_key_b64);
    return KN_OK;
}

static void wp_stop(const kn_plugin_t *plugin) {
    wp_instance *inst = plugin->plugin_data;
    atomic_store(&inst->stopping, true);
}

static void wp_destroy(const kn_plugin_t *plugin) {
    wp_instance *inst = plugin ? plugin->plugin_data : NULL;
    if (!inst) return;
    knc_curl_pool_free(&inst->pool);
    wp_config_free(&inst->cfg);
    free(inst);
}

static const void *wp_get_interface(const kn_plugin_t *plugin, const char *id) {
    (void)plugin;
    return id && strcmp(id, KN_NOTIFY_ID) == 0 ? &wp_notify : NULL;
}

static uint32_t wp_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *wp_get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &wp_descriptor : NULL;
}

static kn_status_t wp_create(const kn_plugin_factory_t *factory, const kn_host_t *host, const char *plugin_id,
                             const char *config_json, const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    const char *missing = NULL;
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, WP_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"", KNC_CLIP(plugin_id, shown));
    if (!knc_curl_load(&missing))
        return knc_fail(err, KN_E_CONFIG, "%s is missing: install libcurl4 and libssl3", missing ? missing : "libcurl");
    wp_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    inst->host = host ? host : g_module_host;
    kn_status_t rc = wp_config_load(&inst->cfg, inst->host, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return free(inst), rc;
    if (!knc_curl_pool_init(&inst->pool, inst->cfg.max_connections)) {
        wp_config_free(&inst->cfg);
        free(inst);
        return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    inst->plugin = (kn_plugin_t){&wp_descriptor, inst, wp_start, wp_stop, wp_destroy, wp_get_interface};
    *out = &inst->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t wp_factory = {wp_count, wp_get_descriptor, wp_create};

static kn_status_t wp_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_DEBUG, "%s %s loaded from %s", WP_ID, WP_VERSION, KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void wp_deinit(void) { g_module_host = NULL; }

static const void *wp_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &wp_factory : NULL;
}

static const kn_module_entry_t wp_entry = {KN_ABI_VERSION_INIT, wp_init, wp_deinit, wp_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &wp_entry; }
