/// A configuration problem, always naming the file and, where there is one, the key.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var key: String?
    public var message: String

    public init(file: String, key: String? = nil, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key, !key.isEmpty { return "\(file): \(key): \(message)" }
        return "\(file): \(message)"
    }
}

/// Several configuration problems at once, so an operator fixes them in one pass.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
