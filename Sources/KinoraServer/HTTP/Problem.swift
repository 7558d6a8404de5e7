import Foundation
import Hummingbird

/// An RFC 9457 problem+json error. `type` is a stable identifier clients can switch on.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String?
    public var extra: [String: String]
    /// Extra response headers (`Retry-After` on 429).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, type: String, title: String, detail: String? = nil, extra: [String: String] = [:]) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.extra = extra
    }

    static let typeBase = "https://kinora.invalid/problems/"

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, type: "unauthorized", title: "Authentication required", detail: detail)
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, type: "forbidden", title: "Not allowed", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, type: "not-found", title: "Not found", detail: detail)
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
