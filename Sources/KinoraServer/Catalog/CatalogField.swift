import Hummingbird
import KinoraCore

// The video metadata rules live in KinoraCore (Videos/, Captions/). These names keep them
// reachable from every edge file and from the tests that import only KinoraServer.
typealias CatalogField = KinoraCore.CatalogField
typealias RFC3339 = KinoraCore.RFC3339
typealias VideoRemoval = KinoraCore.VideoRemoval
typealias UploadMetadata = KinoraCore.UploadMetadata
public typealias LanguageTag = KinoraCore.LanguageTag
public typealias WebVTTValidator = KinoraCore.WebVTTValidator

extension CatalogField.Invalid {
    /// The refusal answered with `status`: 400 as uploads answer it, 422 otherwise.
    func problem(_ status: HTTPResponse.Status) -> Problem {
        var invalid = self
        invalid.refusal = status == .badRequest ? .badRequest : .unprocessable
        return Problem(invalid)
    }
}
