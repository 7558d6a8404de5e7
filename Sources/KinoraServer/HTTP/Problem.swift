import Foundation
import Hummingbird
import KinoraCore

/// An RFC 9457 problem+json error. `type` is a stable identifier clients can switch on.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String?
    public var extra: [String: String]
    /// Extra response headers (`Retry-After` on 429).
    public var headers: HTTPFields = [:]

    /// Only ``ProblemType``s are answered: the other initialisers take one from the list.
    fileprivate init(_ status: HTTPResponse.Status, type: String, title: String, detail: String? = nil, extra: [String: String] = [:]) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.extra = extra
    }

    static let typeBase = "https://kinora.invalid/problems/"

    /// Hummingbird's own refusals (no route, wrong method, a malformed request) as the type
    /// of the list that says the same; a status the list has no type for keeps its code under
    /// the generic type of its class.
    init(framework status: HTTPResponse.Status, detail: String?) {
        let type: ProblemType =
            switch status.code {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 405: .methodNotAllowed
            case 413: .payloadTooLarge
            case 400..<500: .badRequest
            default: .internalError
            }
        self.init(status, type: type.rawValue, title: status.reasonPhrase.isEmpty ? type.title : status.reasonPhrase, detail: detail)
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(ProblemType.unauthorized, detail: detail)
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(ProblemType.forbidden, detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(ProblemType.notFound, detail: detail)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: String] = extra
        body["type"] = Self.typeBase + type
        body["title"] = title
        body["status"] = String(status.code)
        if let detail { body["detail"] = detail }
        body["instance"] = request.uri.path
        // status is a number in RFC 9457; encode by hand to keep it one.
        var object: [String: Any] = body
        object["status"] = Int(status.code)
        let data = (try? JSONWriter.data(object)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"kinora\"" }
        headers.append(contentsOf: self.headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    /// A problem of the list, answered with its usual status unless `refusal` says otherwise.
    init(_ type: ProblemType, detail: String? = nil, extra: [String: String] = [:], refusal: Refusal? = nil, title: String? = nil) {
        self.init((refusal ?? type.refusal).status, type: type.rawValue, title: title ?? type.title, detail: detail, extra: extra)
    }

    /// How every service error reaches the client.
    init(_ error: some DomainError) {
        self.init(error.refusal.status, type: error.problemType.rawValue, title: error.title, detail: error.detail, extra: error.extra)
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
    }
}
