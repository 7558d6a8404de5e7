import KinoraHost

/// The storage instance that holds every video's files (`[storage] media` in kinora.toml),
/// looked up when needed: a plugin instance can stop and start while the daemon runs.
///
/// ```swift
/// let storage = try MediaStorage(registry: registry, name: config.mediaStorage).require()
/// ```
public struct MediaStorage: Sendable {
    public let registry: PluginRegistry
    public let name: String

    public init(registry: PluginRegistry, name: String) {
        self.registry = registry
        self.name = name
    }

    /// The instance if it is started; nil lets a caller do what it can without it.
    public var client: StorageClient? { registry.storage(named: name) }

    /// The instance, or ``StorageUnavailable`` (503 at the edge) when it is not started.
    /// - Parameter consequence: what the caller's user should know happens meanwhile.
    public func require(_ consequence: String? = nil) throws(StorageUnavailable) -> StorageClient {
        guard let client else { throw StorageUnavailable(name: name, consequence: consequence) }
        return client
    }
}

/// The media storage instance is not started (failed to start, or stopped by an operator).
public struct StorageUnavailable: DomainError, CustomStringConvertible {
    public var name: String
    public var consequence: String?

    public var problemType: ProblemType { .storageUnavailable }
    public var detail: String? {
        "the storage instance \"\(name)\" is not started; see /readyz" + (consequence.map { "; \($0)" } ?? "")
    }
    public var description: String { detail ?? "" }
}
