// Plugins read JSON beyond their settings (requests, presentations) with the same JSONValue
// the kit decodes settings from, so importing the kit is enough.
@_exported import KinoraJSON
