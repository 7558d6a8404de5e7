// JSONValue lives in the plugin SDK (KinoraJSON), the one JSON reader of the kit, the
// conformance suites and this module. Re-exported, because every user of the configuration
// reads settings as JSONValue.
@_exported import KinoraJSON
