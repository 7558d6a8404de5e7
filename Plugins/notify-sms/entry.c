/*
 * notify-sms — a kinora.notify/1 channel that sends SMS through Twilio's Messages API (or
 * a service that speaks it: api_base points elsewhere, a loopback peer in the tests), and
 * reads Twilio's signed status callbacks. This file: descriptor, settings schema and their
 * loading, the instance's life, the factory and the module entry. See sms.h.
 */
#define _GNU_SOURCE
#include "sms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const kn_host_t *g_module_host;

static const char *sms_address_kind(const kn_plugin_t *plugin) {
    (void)plugin;
    return "phone";
}

static const kn_notify_v1_t sms_notify = {sms_address_kind, sms_send, sms_parse_callback, NULL}; /* no channel_info */
static const char *const sms_interfaces[] = {KN_NOTIFY_ID, NULL};

static const char sms_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"account_sid\",\"from\"],\"properties\":{"
    "\"api_base\":{\"type\":\"string\",\"pattern\":\"^https?://[^/?#@\\\\s]+/?$\",\"default\":\"https://api.twilio.com\","
    "\"description\":\"scheme://host[:port] of the Messages API.\"},"
    "\"account_sid\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9]{2,64}$\"},"
    "\"auth_token\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Secret: Basic auth and the key "
    "of callback signatures; never logged.\"},"
    "\"auth_token_secret\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$\","
    "\"description\":\"Instead of auth_token: the name of the host secret holding it.\"},"
    "\"from\":{\"type\":\"string\",\"pattern\":\"^(\\\\+[1-9][0-9]{1,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$\","
    "\"description\":\"E.164 sender number, a messaging service sid (MG...), or an alphanumeric sender id.\"},"
    "\"status_callback_url\":{\"type\":\"string\",\"pattern\":\"^https?://\\\\S+$\",\"description\":\"The public "
    "URL of POST /api/v1/notify/callbacks/{instance}, sent as StatusCallback; none: no status callbacks.\"},"
    "\"timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":120,\"default\":15},"
    "\"connect_timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":60,\"default\":5},"
    "\"ca_file\":{\"type\":\"string\",\"minLength\":1},"
    "\"max_connections\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"default\":8}}}";

static const kn_plugin_descriptor_t sms_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = SMS_ID,
    .name = "SMS (Twilio)",
    .vendor = "Kinora",
    .version = SMS_VERSION,
    .description = "Notifications by SMS through Twilio's Messages API, with signed delivery-status "
                   "callbacks.",
    .url = NULL,
    .interfaces = sms_interfaces,
    .config_schema_json = sms_schema,
    .flags = 0,
};

static const char *str(const jval *root, const char *key) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_STR && strlen(v->str) == v->len ? v->str : NULL;
}

static long num(const jval *root, const char *key, long fallback) {
    const jval *v = knc_json_get(root, key);
    return v && v->type == J_NUM ? (long)v->num : fallback;
}

static void config_free(sms_config *cfg) {
    if (cfg->auth_token) memset(cfg->auth_token, 0, strlen(cfg->auth_token));
    free(cfg->messages_url), free(cfg->api_base), free(cfg->account_sid), free(cfg->auth_token);
    free(cfg->from), free(cfg->status_callback_url), free(cfg->ca_file);
    memset(cfg, 0, sizeof *cfg);
}

static kn_status_t token_from_secret(sms_config *cfg, const kn_host_t *host, const char *name, kn_error_t *err) {
    char shown[160];
    const kn_host_secrets_v1_t *secrets = host ? host->get_service(host, KN_HOST_SECRETS_ID) : NULL;
    if (!secrets) return knc_fail(err, KN_E_CONFIG, "settings.auth_token_secret: this host offers no secrets service");
    uint8_t buf[256];
    size_t len = 0;
    kn_status_t rc = secrets->get(host, name, buf, sizeof buf - 1, &len);
    if (rc == KN_E_NOT_FOUND)
        return knc_fail(err, KN_E_CONFIG, "settings.auth_token_secret: no secret named \"%s\"", KNC_CLIP(name, shown));
    if (rc != KN_OK || len == 0 || memchr(buf, 0, len))
        return memset(buf, 0, sizeof buf),
               knc_fail(err, KN_E_CONFIG, "settings.auth_token_secret: the secret \"%s\" is not a token",
                        KNC_CLIP(name, shown));
    buf[len] = '\0';
    cfg->auth_token = strdup((char *)buf);
    memset(buf, 0, sizeof buf);
    return cfg->auth_token ? KN_OK : knc_fail(err, KN_E_NO_MEMORY, "out of memory");
}

/* ca_file is read by libcurl at each connection: a missing file would fail every send. */
static kn_status_t check_ca_file(const char *path, kn_error_t *err) {
    char shown[200];
    FILE *f = path ? fopen(path, "re") : NULL;
    if (path && !f)
        return knc_fail(err, KN_E_CONFIG, "settings.ca_file: cannot open %s: %s", KNC_CLIP(path, shown), strerror(errno));
    if (f) fclose(f);
    return KN_OK;
}

static kn_status_t config_load(sms_config *cfg, const kn_host_t *host, const char *json, kn_error_t *err) {
    jval root = {0};
    knc_json_error jerr = {0};
    kn_status_t rc = KN_OK;
    memset(cfg, 0, sizeof *cfg);
    if (!knc_json_parse(json, &root, &jerr) || root.type != J_OBJ) {
        knc_json_free(&root);
        return knc_fail(err, jerr.oom ? KN_E_NO_MEMORY : KN_E_CONFIG, "settings are not a JSON object");
    }
    const char *base = str(&root, "api_base"), *sid = str(&root, "account_sid"), *token = str(&root, "auth_token");
    const char *token_secret = str(&root, "auth_token_secret"), *from = str(&root, "from");
    const char *callback = str(&root, "status_callback_url");
    if (!base) base = "https://api.twilio.com";
    cfg->timeout_s = num(&root, "timeout_seconds", 15);
    cfg->connect_timeout_s = num(&root, "connect_timeout_seconds", 5);
    cfg->max_connections = (int)num(&root, "max_connections", 8);
    if (!sid) rc = knc_fail(err, KN_E_CONFIG, "settings.account_sid is required");
    else if (!from) rc = knc_fail(err, KN_E_CONFIG, "settings.from is required");
    else if (strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0)
        rc = knc_fail(err, KN_E_CONFIG, "settings.api_base must be an http:// or https:// URL");
    else if (!token == !token_secret)
        rc = knc_fail(err, KN_E_CONFIG, "settings: give exactly one of auth_token and auth_token_secret");
    if (rc == KN_OK) rc = check_ca_file(str(&root, "ca_file"), err);
    if (rc == KN_OK && token_secret) rc = token_from_secret(cfg, host, token_secret, err);
    if (rc == KN_OK) {
        size_t bl = strlen(base);
        while (bl && base[bl - 1] == '/') bl--;
        cfg->api_base = strndup(base, bl);
        size_t cap = bl + strlen(sid) + 64;
        cfg->messages_url = malloc(cap);
        if (cfg->messages_url) snprintf(cfg->messages_url, cap, "%.*s/2010-04-01/Accounts/%s/Messages.json", (int)bl, base, sid);
        cfg->account_sid = strdup(sid);
        if (token) cfg->auth_token = strdup(token);
        cfg->from = strdup(from);
        cfg->status_callback_url = callback ? strdup(callback) : NULL;
        cfg->ca_file = str(&root, "ca_file") ? strdup(str(&root, "ca_file")) : NULL;
        if (!cfg->api_base || !cfg->messages_url || !cfg->account_sid || !cfg->auth_token || !cfg->from ||
            (callback && !cfg->status_callback_url) || (str(&root, "ca_file") && !cfg->ca_file))
            rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    knc_json_free(&root);
    if (rc != KN_OK) config_free(cfg);
    return rc;
}

static kn_status_t sms_start(const kn_plugin_t *plugin, kn_error_t *err) {
    sms_instance *inst = plugin->plugin_data;
    (void)err;
    knc_log(inst->host, KN_LOG_INFO, "SMS through %s, account %.6s…, %s", inst->cfg.api_base, inst->cfg.account_sid,
            inst->cfg.status_callback_url ? "with status callbacks" : "no status callbacks");
    return KN_OK;
}

/* Calls still in flight after the host's 10-second wait end now, cancelled, instead of at
 * their own timeouts. */
static void sms_stop(const kn_plugin_t *plugin) {
    sms_instance *inst = plugin->plugin_data;
    atomic_store(&inst->stopping, true);
}

static void sms_destroy(const kn_plugin_t *plugin) {
    sms_instance *inst = plugin ? plugin->plugin_data : NULL;
    if (!inst) return;
    knc_curl_pool_free(&inst->pool);
    config_free(&inst->cfg);
    free(inst);
}

static const void *sms_get_interface(const kn_plugin_t *plugin, const char *id) {
    (void)plugin;
    return id && strcmp(id, KN_NOTIFY_ID) == 0 ? &sms_notify : NULL;
}

static uint32_t sms_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *sms_get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &sms_descriptor : NULL;
}

static kn_status_t sms_create(const kn_plugin_factory_t *factory, const kn_host_t *host, const char *plugin_id,
                              const char *config_json, const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    const char *missing = NULL;
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, SMS_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"", KNC_CLIP(plugin_id, shown));
    if (!knc_curl_load(&missing))
        return knc_fail(err, KN_E_CONFIG, "%s is missing: install libcurl4 and libssl3", missing ? missing : "libcurl");
    sms_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    inst->host = host ? host : g_module_host;
    kn_status_t rc = config_load(&inst->cfg, inst->host, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return free(inst), rc;
    if (!knc_curl_pool_init(&inst->pool, inst->cfg.max_connections)) {
        config_free(&inst->cfg);
        free(inst);
        return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    }
    inst->plugin = (kn_plugin_t){&sms_descriptor, inst, sms_start, sms_stop, sms_destroy, sms_get_interface};
    *out = &inst->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t sms_factory = {sms_count, sms_get_descriptor, sms_create};

static kn_status_t sms_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_DEBUG, "%s %s loaded from %s", SMS_ID, SMS_VERSION, KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void sms_deinit(void) { g_module_host = NULL; }

static const void *sms_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &sms_factory : NULL;
}

static const kn_module_entry_t sms_entry = {KN_ABI_VERSION_INIT, sms_init, sms_deinit, sms_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &sms_entry; }
