import Foundation
import OpenAPIRuntime
import OpenAPIURLSession

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Client {
    /// A client for the Kinora server at `serverURL` (`https://video.example.org`) over
    /// URLSession. Error answers are thrown as ``KinoraProblem`` (unwrap with
    /// ``KinoraProblem/from(_:)``); `token`, asked before each request, is sent as
    /// `Authorization: Bearer` (an access token from `login`, or an API key `knk_…`). A client
    /// made otherwise needs ``TusMetadataMiddleware`` for ``TusUpload``'s metadata to arrive.
    public static func kinora(
        serverURL: URL, session: URLSession = .shared, token: @escaping @Sendable () async throws -> String? = { nil }
    ) -> Client {
        Client(
            serverURL: serverURL, configuration: Configuration(dateTranscoder: RFC3339DateTranscoder()),
            transport: URLSessionTransport(configuration: .init(session: session)),
            middlewares: [ProblemMiddleware(), BearerTokenMiddleware(token: token), TusMetadataMiddleware()])
    }
}

/// RFC 3339 dates with or without fractional seconds: the server writes whole seconds for most
/// timestamps and milliseconds for some (the runtime's default transcoder takes one form only).
public struct RFC3339DateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String {
        ISO8601DateFormatter().string(from: date)
    }

    public func decode(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an RFC 3339 date: \(text)"))
    }
}

/// An answer the client did not expect from the operation (neither its success nor a
/// problem document: a proxy's HTML error page, say).
public struct UnexpectedAnswer: Error, CustomStringConvertible {
    public var operation: String
    public var answer: String

    public init(_ operation: String, _ output: Any) {
        self.operation = operation
        answer = String(describing: output)
    }

    public var description: String {
        // `undocumented(statusCode: 502, …)` reads better cut at the status.
        "unexpected answer to \(operation): \(answer.prefix(120))"
    }
}
