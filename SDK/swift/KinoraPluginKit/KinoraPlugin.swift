/// What a plugin tells the host about itself before any instance exists.
///
/// ```swift
/// static let descriptor = PluginDescriptor(
///     id: "org.example.storage-memory", name: "In-memory storage", version: "1.0.0",
///     configSchema: #"{"type":"object","properties":{"capacity":{"type":"integer","default":100}}}"#)
/// ```
public struct PluginDescriptor: Sendable {
    /// Reverse-DNS id, unique among loaded plugins: lowercase letters, digits, `.` and `-`.
    public var id: String
    public var name: String
    public var vendor: String?
    public var version: String?
    public var description: String?
    public var url: String?
    /// JSON Schema of the instance settings (see the supported subset in the plugin guide).
    public var configSchema: String?
    /// Ask the host to run one operation at a time on each instance.
    public var serializeCalls: Bool

    public init(
        id: String, name: String, vendor: String? = nil, version: String? = nil,
        description: String? = nil, url: String? = nil, configSchema: String? = nil,
        serializeCalls: Bool = false
    ) {
        self.id = id
        self.name = name
        self.vendor = vendor
        self.version = version
        self.description = description
        self.url = url
        self.configSchema = configSchema
        self.serializeCalls = serializeCalls
    }
}

/// Every plugin type conforms to this protocol and to one or more kind protocols
/// (``StoragePlugin``, ``ModerationPlugin``, …). The kit works out the ABI interfaces from
/// those conformances.
///
/// Settings arrive as the `Settings` type decoded from the JSON the host validated against
/// ``PluginDescriptor/configSchema`` (defaults already filled in). Operations are called on
/// host worker threads and may block; several may run at once unless the descriptor sets
/// `serializeCalls`, so instances must be thread-safe (hence `Sendable`).
///
/// ```swift
/// public final class HLSPackager: PackagerPlugin {
///     public typealias Settings = NoSettings
///     public static let descriptor = PluginDescriptor(id: "org.kinora.packager-hls", name: "HLS packager")
///     public init(settings: NoSettings, host: PluginHost) throws {}
///     public func package(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String) {
///         // …
///     }
/// }
/// ```
public protocol KinoraPlugin: AnyObject, Sendable {
    associatedtype Settings: Decodable

    static var descriptor: PluginDescriptor { get }

    /// Creates an instance. Validate settings here; do slow I/O in ``start()``.
    init(settings: Settings, host: PluginHost) throws

    /// Acquires resources and checks the backend (may do I/O). Throwing refuses the instance.
    func start() throws

    /// Stops accepting work; called after the host's own calls have finished.
    func stop()
}

extension KinoraPlugin {
    public func start() throws {}
    public func stop() {}
}

/// Settings for plugins that take none, so they need not declare an empty type of their own.
/// Pair it with a schema that allows no properties.
///
/// ```swift
/// public typealias Settings = NoSettings
/// public init(settings: NoSettings, host: PluginHost) throws {}
/// ```
public struct NoSettings: Decodable, Sendable {}
