/* The ABI target is header-only; this file checks at build time that the frozen layouts
 * have the sizes the documentation promises on 64-bit Linux. */
#include "kinora/plugin.h"

_Static_assert(sizeof(kn_version_t) == 12, "kn_version_t is frozen");
_Static_assert(sizeof(kn_error_t) == 8 + KN_ERROR_MESSAGE_MAX, "kn_error_t is frozen");
_Static_assert(offsetof(kn_module_entry_t, abi) == 0, "abi stays the first field");
_Static_assert(sizeof(kn_moderation_feedback_v1_t) == sizeof(void (*)(void)), "kn_moderation_feedback_v1_t is frozen");
