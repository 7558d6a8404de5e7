import Foundation
import HTTPTypes
import Hummingbird
import KinoraCore

/// The tus 1.0 vocabulary: header names, versions, extensions, and parsers for the headers
/// whose syntax tus defines (`Upload-Metadata`, `Upload-Checksum`).
enum Tus {
    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,termination,expiration,checksum"
    static let contentType = "application/offset+octet-stream"
    /// Metadata keys Kinora reads; others are kept but ignored.
    static let metadataKeys: Set<String> = Set(["filename"] + UploadMetadata.fieldNames)
    static let maxMetadataHeader = 8 * 1024

    /// `Upload-Metadata: filename ZmlsZS5tcDQ=,title VGl0bGU=,private` → decoded pairs (a key
    /// without a value maps to ""). Throws 400 on a malformed header: duplicate keys, keys with
    /// spaces or commas, values that are not base64 or not UTF-8.
    static func parseMetadata(_ header: String) throws -> [String: String] {
        guard header.utf8.count <= maxMetadataHeader else {
            throw badRequest(.badMetadata, "Upload-Metadata is limited to \(maxMetadataHeader) bytes")
        }
        var result: [String: String] = [:]
        for pair in header.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard let key = parts.first.map(String.init), !key.isEmpty, parts.count <= 2,
                key.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "," })
            else {
                throw badRequest(.badMetadata, "Upload-Metadata must be comma-separated \"key base64value\" pairs")
            }
            guard result[key] == nil else { throw badRequest(.badMetadata, "Upload-Metadata repeats the key \"\(key)\"") }
            if parts.count == 2 {
                guard let data = Data(base64Encoded: String(parts[1])), let value = String(data: data, encoding: .utf8) else {
                    throw badRequest(.badMetadata, "the Upload-Metadata value of \"\(key)\" is not base64-encoded UTF-8")
                }
                result[key] = value
            } else {
                result[key] = ""
            }
        }
        return result
    }

    /// `Upload-Checksum: sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=` → algorithm and digest bytes.
    static func parseChecksum(_ header: String) throws -> (TusChecksum.Algorithm, [UInt8]) {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw badRequest(.badChecksum, "Upload-Checksum must be \"<algorithm> <base64 digest>\"")
        }
        guard let algorithm = TusChecksum.Algorithm(rawValue: parts[0].lowercased()) else {
            throw badRequest(
                .unsupportedChecksum, "Upload-Checksum algorithm \"\(parts[0])\" is not supported; use one of \(TusChecksum.Algorithm.list)")
        }
        guard let digest = Data(base64Encoded: String(parts[1])), digest.count == algorithm.digestBytes else {
            throw badRequest(.badChecksum, "the Upload-Checksum digest is not a base64 \(algorithm.rawValue) digest")
        }
        return (algorithm, Array(digest))
    }

    /// A non-negative integer header (`Upload-Length`, `Upload-Offset`), or 400.
    static func integerHeader(_ request: Request, _ name: HTTPField.Name) throws -> Int64? {
        guard let text = request.headers[name] else { return nil }
        guard !text.isEmpty, text.count <= 19, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int64(text) else {
            throw badRequest(.badHeader, "\(name) must be a non-negative integer")
        }
        return value
    }

    /// A request tus itself refuses (all these types are titled "Invalid tus request").
    static func badRequest(_ type: ProblemType, _ detail: String) -> Problem {
        Problem(type, detail: detail)
    }

    /// An RFC 9110 HTTP-date (`Upload-Expires`).
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

extension HTTPField.Name {
    // Valid header names, so the initialiser cannot fail.
    static let tusResumable = HTTPField.Name("Tus-Resumable")!
    static let tusVersion = HTTPField.Name("Tus-Version")!
    static let tusExtension = HTTPField.Name("Tus-Extension")!
    static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
    static let tusChecksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadDeferLength = HTTPField.Name("Upload-Defer-Length")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let kinoraVideoID = HTTPField.Name("Kinora-Video-Id")!
    static let kinoraUploadState = HTTPField.Name("Kinora-Upload-State")!
    static let kinoraUploadError = HTTPField.Name("Kinora-Upload-Error")!
}

/// Every request under `/api/v1/uploads` but OPTIONS must say `Tus-Resumable: 1.0.0` (412
/// otherwise, with the versions the server speaks); every response, errors included, carries
/// `Tus-Resumable`.
struct TusMiddleware: RouterMiddleware {
    typealias Context = KinoraRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if request.method != .options && request.headers[.tusResumable] != Tus.version {
            let problem = Problem(.tusVersion, detail: "send Tus-Resumable: \(Tus.version)")
            response = try problem.response(from: request, context: context)
            response.headers[.tusVersion] = Tus.version
        } else {
            do {
                response = try await next(request, context)
            } catch let problem as Problem {
                response = try problem.response(from: request, context: context)
                if let extra = problem.extra["location"] { response.headers[.location] = extra }
            } catch let refusal as any DomainError {
                // Answered here rather than by the edge middleware, so it carries Tus-Resumable.
                response = try Problem(refusal).response(from: request, context: context)
            }
        }
        response.headers[.tusResumable] = Tus.version
        return response
    }
}
