/* A module whose init crashes (-DCRASH) or never returns (-DHANG): inspecting it must cost the
 * daemon one refused module, not its own life or its start. */
#include <kinora/plugin.h>
#include <stdlib.h>
#include <unistd.h>

static kn_status_t init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    (void)host; (void)module_path; (void)err;
#ifdef CRASH
    abort();
#endif
#ifdef HANG
    for (;;) pause();
#endif
    return KN_E_INTERNAL;
}

static void deinit(void) {}

static const void *get_factory(const char *factory_id) {
    (void)factory_id;
    return NULL;
}

static const kn_module_entry_t entry = {
    .abi = KN_ABI_VERSION_INIT,
    .init = init,
    .deinit = deinit,
    .get_factory = get_factory,
};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
