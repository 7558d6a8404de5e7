import KinoraCore

// The video, caption and upload rules live in KinoraCore. These names keep them reachable
// from the edge files that do not import it, and from the tests that import only KinoraServer.
typealias CatalogField = KinoraCore.CatalogField
typealias RFC3339 = KinoraCore.RFC3339
typealias VideoRemoval = KinoraCore.VideoRemoval
typealias UploadMetadata = KinoraCore.UploadMetadata
public typealias LanguageTag = KinoraCore.LanguageTag
public typealias WebVTTValidator = KinoraCore.WebVTTValidator
