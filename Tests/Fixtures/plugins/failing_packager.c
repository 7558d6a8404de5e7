/* A packager that refuses every presentation, as one with a bug or an unsupported input would:
 * the daemon must not mark a video playable when no manifest was written. */
#include <kinora/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void package(const kn_plugin_t *p, const kn_call_t *call, const char *json, kn_completion_t done) {
    (void)p; (void)call; (void)json;
    kn_error_t err = { KN_E_INVALID_ARGUMENT, 0, "" };
    snprintf(err.message, sizeof err.message, "renditions[0]: this packager understands none");
    done.complete(done.ctx, KN_E_INVALID_ARGUMENT, &err, NULL);
}

static const kn_packager_v1_t packager = { package };
static const char *const interfaces[] = { KN_PACKAGER_ID, NULL };
static const kn_plugin_descriptor_t descriptor = {
    KN_ABI_VERSION_INIT, "org.kinora.test.failing-packager", "Failing packager", "Kinora tests", "1.0.0",
    NULL, NULL, interfaces, NULL, 0,
};

static kn_status_t start(const kn_plugin_t *p, kn_error_t *err) { (void)p; (void)err; return KN_OK; }
static void stop(const kn_plugin_t *p) { (void)p; }
static void destroy(const kn_plugin_t *p) { free((void *)p); }
static const void *get_interface(const kn_plugin_t *p, const char *id) {
    (void)p;
    return strcmp(id, KN_PACKAGER_ID) == 0 ? &packager : NULL;
}

static uint32_t count(const kn_plugin_factory_t *f) { (void)f; return 1; }
static const kn_plugin_descriptor_t *get_descriptor(const kn_plugin_factory_t *f, uint32_t i) {
    (void)f;
    return i == 0 ? &descriptor : NULL;
}
static kn_status_t create(const kn_plugin_factory_t *f, const kn_host_t *host, const char *id, const char *config,
                          const kn_plugin_t **out, kn_error_t *err) {
    (void)f; (void)host; (void)id; (void)config; (void)err;
    kn_plugin_t *plugin = calloc(1, sizeof *plugin);
    if (!plugin) return KN_E_NO_MEMORY;
    plugin->desc = &descriptor;
    plugin->start = start;
    plugin->stop = stop;
    plugin->destroy = destroy;
    plugin->get_interface = get_interface;
    *out = plugin;
    return KN_OK;
}

static const kn_plugin_factory_t factory = { count, get_descriptor, create };
static kn_status_t init(const kn_host_t *h, const char *path, kn_error_t *err) { (void)h; (void)path; (void)err; return KN_OK; }
static void deinit(void) {}
static const void *get_factory(const char *id) { return strcmp(id, KN_PLUGIN_FACTORY_ID) == 0 ? &factory : NULL; }
static const kn_module_entry_t entry = { KN_ABI_VERSION_INIT, init, deinit, get_factory };

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
