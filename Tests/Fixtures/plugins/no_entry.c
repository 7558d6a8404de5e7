/* A perfectly good shared library that is not a Kinora plugin. */
#include <kinora/plugin.h>

KN_EXPORT int kinora_unrelated_function(int x) { return x + 1; }
