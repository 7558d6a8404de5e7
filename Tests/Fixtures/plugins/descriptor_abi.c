/* A module whose entry speaks ABI 1 but whose one plugin descriptor claims major 2: the host
 * must refuse the module and name the plugin, not only the file. */
#include <kinora/plugin.h>
#include <string.h>

static const char *const interfaces[] = {KN_MODERATION_ID, NULL};

static const kn_plugin_descriptor_t descriptor = {
    .abi = {2, 0, 0},
    .id = "org.example.from-the-future",
    .name = "From the future",
    .interfaces = interfaces,
};

static uint32_t count(const kn_plugin_factory_t *factory) { (void)factory; return 1; }

static const kn_plugin_descriptor_t *get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &descriptor : NULL;
}

static kn_status_t create(const kn_plugin_factory_t *factory, const kn_host_t *host, const char *plugin_id,
                          const char *config_json, const kn_plugin_t **out, kn_error_t *err) {
    (void)factory; (void)host; (void)plugin_id; (void)config_json; (void)out; (void)err;
    return KN_E_UNSUPPORTED;
}

static const kn_plugin_factory_t factory = {.count = count, .get_descriptor = get_descriptor, .create = create};

static kn_status_t init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    (void)host; (void)module_path; (void)err;
    return KN_OK;
}

static void deinit(void) {}

static const void *get_factory(const char *factory_id) {
    return strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &factory : NULL;
}

static const kn_module_entry_t entry = {
    .abi = KN_ABI_VERSION_INIT,
    .init = init,
    .deinit = deinit,
    .get_factory = get_factory,
};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
