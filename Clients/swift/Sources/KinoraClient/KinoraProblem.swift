import Foundation
import HTTPTypes
import OpenAPIRuntime

/// An RFC 9457 problem document the server answered with: what every Kinora error is. `type` is
/// the short name after `https://kinora.invalid/problems/` (`invalid-credentials`, `not-media`),
/// stable for code to switch on; `detail` is the sentence meant for a person.
public struct KinoraProblem: Error, Sendable, CustomStringConvertible {
    public static let typePrefix = "https://kinora.invalid/problems/"

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// The request field or query parameter at fault, where the server names one.
    public var field: String?
    /// Seconds to wait before trying again (`429`, and tus `423`), from `Retry-After`.
    public var retryAfter: Int?

    public init(type: String, title: String, status: Int, detail: String? = nil, field: String? = nil, retryAfter: Int? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.field = field
        self.retryAfter = retryAfter
    }

    /// Reads a problem+json body; nil when it is not one.
    public init?(json: Data, retryAfter: Int? = nil) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let type = object["type"] as? String, let status = object["status"] as? Int
        else { return nil }
        self.init(
            type: type.hasPrefix(Self.typePrefix) ? String(type.dropFirst(Self.typePrefix.count)) : type,
            title: object["title"] as? String ?? "HTTP \(status)", status: status, detail: object["detail"] as? String,
            field: (object["field"] ?? object["parameter"]) as? String, retryAfter: retryAfter)
    }

    /// The detail when there is one (it says what was wrong), else the title, then the type.
    public var description: String {
        var text = detail ?? title
        if let field { text += " (field \(field))" }
        return text + " [\(status) \(type)]"
    }

    /// The problem behind an error thrown by a generated client call, if the server sent one:
    /// the client wraps what ``ProblemMiddleware`` throws in its own `ClientError`.
    public static func from(_ error: any Error) -> KinoraProblem? {
        if let problem = error as? KinoraProblem { return problem }
        if let clientError = error as? ClientError { return from(clientError.underlyingError) }
        return nil
    }
}

/// Turns every `application/problem+json` answer into a thrown ``KinoraProblem``, so callers
/// handle errors in one place instead of in each operation's dozen documented error cases.
public struct ProblemMiddleware: ClientMiddleware {
    /// Problem documents are small; a larger body is not one worth reading.
    static let maxBytes = 64 * 1024

    public init() {}

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.code >= 400, let responseBody,
            response.headerFields[.contentType]?.lowercased().hasPrefix("application/problem+json") == true
        else { return (response, responseBody) }
        let data = try await Data(collecting: responseBody, upTo: Self.maxBytes)
        let retryAfter = response.headerFields[.retryAfter].flatMap { Int($0) }
        if let problem = KinoraProblem(json: data, retryAfter: retryAfter) { throw problem }
        return (response, HTTPBody(data))
    }
}

/// Adds `Authorization: Bearer …` from `token`, asked before each request (an app may refresh
/// its access token in between). Requests that already carry credentials are left alone.
public struct BearerTokenMiddleware: ClientMiddleware {
    let token: @Sendable () async throws -> String?

    public init(token: @escaping @Sendable () async throws -> String?) { self.token = token }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if request.headerFields[.authorization] == nil, let token = try await token() {
            request.headerFields[.authorization] = "Bearer \(token)"
        }
        return try await next(request, body, baseURL)
    }
}

/// Sends tus's `Upload-Metadata` as tus defines it. The generated client writes header
/// parameters as OpenAPI's `simple` style does, percent-encoding the space and comma that
/// separate tus's `key base64` pairs, which a tus server then reads as one unknown key (the
/// title and visibility would be lost). Keys and base64 never contain `%` themselves, so
/// decoding gives back exactly what ``TusUpload/encodeMetadata(_:)`` made.
public struct TusMetadataMiddleware: ClientMiddleware {
    static let name = HTTPField.Name("Upload-Metadata")!

    public init() {}

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let value = request.headerFields[Self.name], let decoded = value.removingPercentEncoding {
            request.headerFields[Self.name] = decoded
        }
        return try await next(request, body, baseURL)
    }
}
