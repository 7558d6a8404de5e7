/* A module whose init refuses to run, with its own message. */
#include <kinora/plugin.h>
#include <stdio.h>

static kn_status_t fail_init(const kn_host_t *host, const char *path, kn_error_t *err) {
    (void)host;
    (void)path;
    err->code = KN_E_CONFIG;
    snprintf(err->message, sizeof err->message, "licence file /opt/acme/licence.key is missing");
    return KN_E_CONFIG;
}

static void no_deinit(void) {}
static const void *no_factory(const char *id) { (void)id; return 0; }

static const kn_module_entry_t entry = { KN_ABI_VERSION_INIT, fail_init, no_deinit, no_factory };

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
