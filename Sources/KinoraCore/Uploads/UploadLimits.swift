import KinoraConfiguration
import KinoraHost

/// The one place that decides how large an upload may be (`[uploads] max_bytes`), whichever
/// way it arrives: a tus upload declares its length up front, a multipart request announces a
/// Content-Length around the file and then streams a file of unknown length.
public struct UploadLimits: Sendable, Equatable {
    /// The largest file accepted, in bytes.
    public let maxBytes: Int64

    /// What a multipart request may carry besides the file (boundaries, part headers, text
    /// fields) before its announced length alone refuses it.
    public static let multipartEnvelopeBytes: Int64 = 1 << 20

    public init(maxBytes: Int64) {
        self.maxBytes = maxBytes
    }

    public init(_ config: KinoraConfig) {
        self.init(maxBytes: config.uploadMaxBytes)
    }

    /// A file whose length is declared before any byte is sent (tus `Upload-Length`).
    public func checkDeclared(length: Int64) throws(UploadError) {
        guard length > 0 else { throw UploadError.empty(title: "Empty upload", detail: "Upload-Length must be at least 1") }
        guard length <= maxBytes else { throw UploadError.tooLarge(limit: maxBytes) }
    }

    /// A multipart request's announced length (nil when it announced none): refused before its
    /// body is read when no file within the limit could fill it.
    public func checkRequest(length: Int64?) throws(UploadError) {
        guard let length, length > maxBytes + Self.multipartEnvelopeBytes else { return }
        throw UploadError.tooLarge(limit: maxBytes)
    }

    /// The bytes of a file received so far, as they stream in.
    public func checkReceived(_ bytes: Int64) throws(UploadError) {
        guard bytes <= maxBytes else { throw UploadError.tooLarge(limit: maxBytes) }
    }
}
