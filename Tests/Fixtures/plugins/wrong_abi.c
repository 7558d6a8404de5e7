/* A module that claims plugin ABI major 2: the host must refuse it and say so. */
#include <kinora/plugin.h>

static const kn_module_entry_t entry = {
    .abi = { 2, 0, 0 },
    .init = 0,
    .deinit = 0,
    .get_factory = 0,
};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
