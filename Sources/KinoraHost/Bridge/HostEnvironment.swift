import KinoraPluginABI
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What every host context shares: the logger, the daemon version, metrics, events, secrets.
/// One object, handed to the registry, so every module and instance sees the same services.
///
/// ```swift
/// let environment = HostEnvironment(logger: logger, version: kinoraVersion, secrets: SecretStore(folders: setup.secretFolders))
/// let registry = PluginRegistry(environment: environment, workerThreads: config.pluginWorkerThreads)
/// ```
public final class HostEnvironment: Sendable {
    public let logger: Logger
    public let version: String
    public let metrics: PluginMetrics
    public let events: EventBus
    public let secrets: SecretStore

    public init(logger: Logger, version: String, secrets: SecretStore = SecretStore(folders: []), events: EventBus = EventBus()) {
        self.logger = logger
        self.version = version
        self.metrics = PluginMetrics()
        self.events = events
        self.secrets = secrets
    }

    /// A new `kn_host_t` for a module (instance nil) or an instance. Contexts are kept for
    /// the life of the process: the ABI promises them valid until deinit, which only
    /// happens at exit.
    func context(instance: String?, module: String) -> HostContext {
        HostContext(environment: self, instance: instance, module: module)
    }
}

/// The Swift object behind one `kn_host_t`.
final class HostContext: @unchecked Sendable {
    // Immutable after init; `raw` and its strings are allocated once and intentionally never
    // freed (see HostEnvironment.context).
    let environment: HostEnvironment
    let instance: String?
    let logger: Logger
    let raw: UnsafeMutablePointer<kn_host_t>
    /// True while the host is inside this context's [main] callback (init, create, start): the
    /// only time the plugin may call [main] host functions such as register_metric.
    private let inMainCallback = Atomic<Bool>(false)
    private let outsideMainLogged = Atomic<Bool>(false)

    init(environment: HostEnvironment, instance: String?, module: String) {
        self.environment = environment
        self.instance = instance
        var logger = environment.logger
        logger[metadataKey: "plugin.module"] = .string(module)
        if let instance { logger[metadataKey: "plugin.instance"] = .string(instance) }
        self.logger = logger
        raw = .allocate(capacity: 1)
        raw.initialize(
            to: kn_host_t(
                abi: kn_version_t(major: UInt32(KN_ABI_MAJOR), minor: UInt32(KN_ABI_MINOR), patch: 0),
                host_data: nil,
                name: UnsafePointer(strdup("kinora")),
                version: UnsafePointer(strdup(environment.version)),
                instance: instance.map { UnsafePointer(strdup($0)) },
                log: { host, level, message in
                    guard let context = HostContext.of(host), let message else { return }
                    context.log(level: level, String(cString: message))
                },
                get_service: { host, id in
                    guard HostContext.of(host) != nil, let id else { return nil }
                    return HostServiceTables.table(for: String(cString: id))
                }
            ))
        raw.pointee.host_data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Runs `body` (a call of the plugin's init, create or start) as this context's [main] callback.
    func duringMainCallback<R>(_ body: () throws -> R) rethrows -> R {
        inMainCallback.store(true, ordering: .releasing)
        defer { inMainCallback.store(false, ordering: .releasing) }
        return try body()
    }

    /// Whether a [main] host function may run now; a call outside is refused, logged once.
    func allowsMainCall(_ function: String) -> Bool {
        if inMainCallback.load(ordering: .acquiring) { return true }
        if !outsideMainLogged.exchange(true, ordering: .relaxed) {
            logger.error("plugin bug: \(function) is [main] and may only be called from init, create or start; refused (logged once)")
        }
        return false
    }

    static func of(_ host: UnsafePointer<kn_host_t>?) -> HostContext? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<HostContext>.fromOpaque(data).takeUnretainedValue()
    }

    func log(level: Int32, _ message: String) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...KN_LOG_TRACE: .trace
            case KN_LOG_DEBUG: .debug
            case KN_LOG_INFO: .info
            case KN_LOG_WARN: .warning
            default: .error
            }
        logger.log(level: swiftLevel, "\(message)")
    }
}
