import Hummingbird
import KinoraCore

extension CatalogField.Invalid {
    /// The refusal answered with `status`: 400 as uploads answer it, 422 otherwise.
    func problem(_ status: HTTPResponse.Status) -> Problem {
        var invalid = self
        invalid.refusal = status == .badRequest ? .badRequest : .unprocessable
        return Problem(invalid)
    }
}
