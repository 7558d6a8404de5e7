import KinoraPluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small host for a plugin's OWN tests: it loads a module (by path with `dlopen`, or by its
/// entry function when the plugin is linked into the test), calls `init` with a test
/// `kn_host_t`, and creates, starts and tears down instances the way the daemon does.
///
/// The test host logs to a buffer (and to stderr when `echo` is set), answers secrets from a
/// dictionary, records events, and accepts metric registrations and values.
///
/// ```swift
/// import KinoraPluginConformance
/// import Testing
///
/// // One host per module per process, as in the daemon; each test makes its own instance.
/// let host = try! ConformanceHost(modulePath: ".build/debug/libMyStorage.so", secrets: ["token": "s3cr3t"])
///
/// @Test(arguments: StorageConformance.cases.filter { !$0.measuresMemory })
/// func storage(_ check: ConformanceCase) async throws {
///     let instance = try host.start(pluginID: "org.example.storage-memory", config: #"{"capacity":100}"#)
///     defer { instance.close() }  // stop() and destroy()
///     try await check.run(instance.plugin)
///     #expect(!host.logLines.contains { $0.contains("s3cr3t") })
/// }
/// ```
///
/// Every [main] call (create, start, stop, destroy, deinit) runs under one lock, so parallel
/// tests may share the host. ``close()`` stops and destroys every instance still open, then
/// calls the module's `deinit`; after it the host makes no more instances.
public final class ConformanceHost: @unchecked Sendable {
    // Mutable state sits in `state`; the C structures are written once in init.
    struct State {
        var logLines: [String] = []
        var metrics: [String] = []
        var values: [UInt64: Double] = [:]
        var events: [(topic: String, json: String)] = []
        var instances: [ConformanceInstance] = []
        var closed = false
    }

    let entry: UnsafePointer<kn_module_entry_t>
    let secrets: [String: [UInt8]]
    let echo: Bool
    let state = Mutex(State())
    /// Held around every [main] call (create, start, stop, destroy), which the daemon makes
    /// from one control thread: tests running in parallel must not call them concurrently.
    let control = Mutex(())
    let moduleHost: UnsafeMutablePointer<kn_host_t>

    /// Loads the module at `modulePath` (`dlopen` with RTLD_NOW | RTLD_LOCAL) and initialises it.
    ///
    /// - Parameters:
    ///   - secrets: What `kinora.host.secrets/1` answers, by name.
    ///   - echo: Also write every log line to stderr.
    /// - Throws: ``ConformanceFailure`` naming the file when it does not load or `init` fails.
    public convenience init(modulePath: String, secrets: [String: String] = [:], echo: Bool = false) throws {
        guard let handle = dlopen(modulePath, RTLD_NOW | RTLD_LOCAL) else {
            throw ConformanceFailure("\(modulePath): \(dlerror().map { String(cString: $0) } ?? "dlopen failed")")
        }
        guard let symbol = dlsym(handle, KN_ENTRY_SYMBOL) else {
            throw ConformanceFailure("\(modulePath): no \(KN_ENTRY_SYMBOL) symbol")
        }
        let function = unsafeBitCast(symbol, to: kn_module_entry_fn.self)
        try self.init(entry: function, path: modulePath, secrets: secrets, echo: echo)
    }

    /// Initialises a module whose entry function is linked into the test binary.
    ///
    /// ```swift
    /// let host = try ConformanceHost(entry: kinora_module_entry_v1)
    /// ```
    public init(
        entry function: kn_module_entry_fn, path: String = "(linked)", secrets: [String: String] = [:], echo: Bool = false
    )
        throws
    {
        guard let entry = function() else { throw ConformanceFailure("\(path): \(KN_ENTRY_SYMBOL) returned NULL") }
        guard entry.pointee.abi.major == UInt32(KN_ABI_MAJOR) else {
            throw ConformanceFailure("\(path): plugin ABI \(entry.pointee.abi.major), this host speaks \(KN_ABI_MAJOR)")
        }
        guard let initialise = entry.pointee.`init`, entry.pointee.deinit != nil, let getFactory = entry.pointee.get_factory else {
            throw ConformanceFailure("\(path): the module entry has a NULL function")
        }
        self.entry = entry
        self.secrets = secrets.mapValues { Array($0.utf8) }
        self.echo = echo
        moduleHost = .allocate(capacity: 1)
        moduleHost.initialize(to: HostTables.makeHost(owner: nil, instance: nil))
        moduleHost.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        var err = kn_error_t()
        let status = path.withCString { initialise(UnsafePointer(moduleHost), $0, &err) }
        guard status == KN_OK else {
            throw ConformanceFailure("\(path): init failed: \(PluginCallFailure(status: status, message: messageText(&err)))")
        }
        guard let table = KN_PLUGIN_FACTORY_ID.withCString({ getFactory($0) }) else {
            entry.pointee.deinit?()
            throw ConformanceFailure("\(path): the module has no \(KN_PLUGIN_FACTORY_ID)")
        }
        factoryStorage = table.assumingMemoryBound(to: kn_plugin_factory_t.self)
    }

    private var factoryStorage: UnsafePointer<kn_plugin_factory_t>?
    var pluginFactory: UnsafePointer<kn_plugin_factory_t> { factoryStorage! }

    /// Every line the plugin logged, as "LEVEL instance: message".
    public var logLines: [String] { state.withLock { $0.logLines } }
    /// The names of the metrics the plugin registered (without the `kinora_plugin_` prefix).
    public var registeredMetrics: [String] { state.withLock { $0.metrics } }
    /// The events the plugin emitted.
    public var events: [(topic: String, json: String)] { state.withLock { $0.events } }

    /// The last value recorded for the metric `name` (the sum, for a counter).
    public func metricValue(_ name: String) -> Double? {
        state.withLock { s in s.metrics.firstIndex(of: name).flatMap { s.values[UInt64($0 + 1)] } }
    }

    /// Creates an instance of `pluginID` with `config` (a JSON object, as the daemon passes it
    /// after filling schema defaults) and starts it.
    ///
    /// - Throws: ``ConformanceFailure`` with the plugin's message when create() or start()
    ///   fails; an instance whose start() failed is destroyed before this throws.
    public func start(pluginID: String, config: String = "{}", name: String = "test") throws -> ConformanceInstance {
        guard !state.withLock({ $0.closed }) else { throw ConformanceFailure("the host is closed: its module's deinit() ran") }
        let host = UnsafeMutablePointer<kn_host_t>.allocate(capacity: 1)
        host.initialize(to: HostTables.makeHost(owner: self, instance: strdup(name)))
        guard let create = pluginFactory.pointee.create else { throw ConformanceFailure("the factory's create is NULL") }
        var out: UnsafePointer<kn_plugin_t>?
        var err = kn_error_t()
        let status = control.withLock { _ in create(pluginFactory, UnsafePointer(host), pluginID, config, &out, &err) }
        guard status == KN_OK, let raw = out else {
            throw ConformanceFailure(
                "create \(pluginID): \(PluginCallFailure(status: status == KN_OK ? KN_E_INTERNAL : status, message: messageText(&err)))")
        }
        let instance = ConformanceInstance(raw: raw, host: host, owner: self)
        var startErr = kn_error_t()
        let started = control.withLock { _ in raw.pointee.start?(raw, &startErr) ?? KN_E_INTERNAL }
        guard started == KN_OK else {
            control.withLock { _ in raw.pointee.destroy?(raw) }  // the contract: destroy() for every created instance
            throw ConformanceFailure("start \(pluginID): \(PluginCallFailure(status: started, message: messageText(&startErr)))")
        }
        instance.started = true
        state.withLock { $0.instances.append(instance) }
        return instance
    }

    /// Stops and destroys every open instance, then calls the module's deinit(). Idempotent.
    public func close() {
        let instances = state.withLock { s -> [ConformanceInstance]? in
            guard !s.closed else { return nil }
            s.closed = true
            return s.instances
        }
        guard let instances else { return }
        instances.forEach { $0.close() }
        control.withLock { _ in entry.pointee.deinit?() }
    }

    func log(_ level: Int32, _ instance: String?, _ message: String) {
        let names = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]
        let line = "\(names.indices.contains(Int(level)) ? names[Int(level)] : "LEVEL\(level)") \(instance ?? "module"): \(message)"
        state.withLock { $0.logLines.append(line) }
        if echo {
            _ = line.withCString { write(2, $0, strlen($0)) }
            _ = write(2, "\n", 1)
        }
    }
}

/// An instance made by ``ConformanceHost/start(pluginID:config:name:)``.
///
/// ```swift
/// let instance = try host.start(pluginID: "org.example.storage-memory")
/// try StorageDriver(instance.plugin).put("a", bytes: [1])
/// instance.close()
/// ```
public final class ConformanceInstance: @unchecked Sendable {
    // `started`/`closed` change only in start() and close(), which a test calls from one task.
    public let plugin: PluginUnderTest
    let host: UnsafeMutablePointer<kn_host_t>
    let owner: ConformanceHost
    var started = false
    private let closed = Mutex(false)

    init(raw: UnsafePointer<kn_plugin_t>, host: UnsafeMutablePointer<kn_host_t>, owner: ConformanceHost) {
        plugin = PluginUnderTest(raw)
        self.host = host
        self.owner = owner
    }

    /// stop() (the instance started) then destroy(); later calls do nothing.
    public func close() {
        guard
            closed.withLock({ c in
                defer { c = true }
                return !c
            })
        else { return }
        owner.control.withLock { _ in
            if started { plugin.raw.pointee.stop?(plugin.raw) }
            plugin.raw.pointee.destroy?(plugin.raw)
        }
        // The kn_host_t stays allocated: the header keeps it valid until the module's deinit.
    }
}
