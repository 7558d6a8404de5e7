import Foundation

extension DaemonProcess {
    /// A JSON API call with a bearer token: the shape most end-to-end tests repeat.
    public func api(_ method: String, _ path: String, token: String? = nil, _ object: [String: Any]? = nil) throws -> HTTPResult {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        var body: [UInt8] = []
        if let object {
            headers["Content-Type"] = "application/json"
            body = Array(try JSONSerialization.data(withJSONObject: object))
        }
        return try request(method, path, headers: headers, body: body)
    }
}

extension HTTPResult {
    /// The body as a JSON object, failing with the status and body when it is not one.
    public func object() throws -> [String: Any] {
        guard let object = json as? [String: Any] else { throw TestFailure("not a JSON object: \(status) \(body)") }
        return object
    }
}
