import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's services, as a Swift plugin sees them: logging, metrics, events and secrets.
///
/// ```swift
/// host.log(.info, "connected to \(endpoint)")
/// let key = try host.secret("s3-secret-key")
/// ```
public struct PluginHost: @unchecked Sendable {
    // The kn_host_t stays valid until the module's deinit, and every service it offers is
    // [any]-threaded, so sharing the pointer across threads is safe.
    let raw: UnsafePointer<kn_host_t>

    init(_ raw: UnsafePointer<kn_host_t>) { self.raw = raw }

    /// The severity of a line written with ``log(_:_:)``; the daemon filters on it.
    ///
    /// ```swift
    /// host.log(.warning, "bucket \(bucket) is nearly full")
    /// ```
    public enum LogLevel: Int32, Sendable {
        case trace = 0, debug = 1, info = 2, warning = 3, error = 4
    }

    /// The instance name (`media` for `plugins.d/media.toml`); nil for the module-level host.
    public var instanceName: String? { raw.pointee.instance.map { String(cString: $0) } }

    /// The daemon's version string.
    public var hostVersion: String { raw.pointee.version.map { String(cString: $0) } ?? "" }

    /// Writes a line to the daemon's log, tagged with this instance. Never log secrets.
    public func log(_ level: LogLevel, _ message: String) {
        guard let log = raw.pointee.log else { return }
        message.withCString { log(raw, level.rawValue, $0) }
    }

    /// A secret value the operator configured outside the config files, or nil if unknown.
    ///
    /// - Parameter name: The secret's name as the operator configured it.
    /// - Returns: The secret's bytes, or nil when no secret has that name.
    /// - Throws: ``PluginError`` when the host could not read the secret.
    public func secret(_ name: String) throws -> [UInt8]? {
        guard let service = service(KN_HOST_SECRETS_ID, as: kn_host_secrets_v1_t.self),
            let get = service.pointee.get
        else { return nil }
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            var length = 0
            let status = name.withCString { cname in
                buffer.withUnsafeMutableBufferPointer { get(raw, cname, $0.baseAddress, capacity, &length) }
            }
            switch status {
            case KN_OK: return Array(buffer.prefix(length))
            case KN_E_NOT_FOUND: return nil
            case KN_E_INVALID_ARGUMENT where length > capacity: capacity = length
            default: throw PluginError(PluginStatus(rawValue: status), "secret \(name) could not be read")
            }
        }
    }

    /// Publishes an event (a JSON object) on the daemon's event bus.
    public func emit(topic: String, json: String) {
        guard let service = service(KN_HOST_EVENTS_ID, as: kn_host_events_v1_t.self),
            let emit = service.pointee.emit
        else { return }
        _ = topic.withCString { t in json.withCString { emit(raw, t, $0) } }
    }

    /// Registers a metric exported on `/metrics` as `kinora_plugin_<name>`.
    ///
    /// - Parameters:
    ///   - kind: Counter, gauge or histogram.
    ///   - name: The metric's name, without the `kinora_plugin_` prefix.
    ///   - help: The HELP line shown on `/metrics`.
    ///   - labels: Label names; ``Metric/record(_:labels:)`` passes their values in this order.
    /// - Returns: The metric, or nil when the host offers no metrics or refused the registration.
    public func metric(_ kind: Metric.Kind, name: String, help: String, labels: [String] = []) -> Metric? {
        guard let service = service(KN_HOST_METRICS_ID, as: kn_host_metrics_v1_t.self),
            let register = service.pointee.register_metric
        else { return nil }
        let cLabels = labels.map { strdup($0) }
        defer { cLabels.forEach { free($0) } }
        let handle: UInt64 = name.withCString { cname in
            help.withCString { chelp in
                var pointers: [UnsafePointer<CChar>?] = cLabels.map { UnsafePointer($0) } + [nil]
                return pointers.withUnsafeMutableBufferPointer { register(raw, kind.rawValue, cname, chelp, $0.baseAddress) }
            }
        }
        return handle == 0 ? nil : Metric(host: self, service: service, handle: handle)
    }

    func service<T>(_ id: String, as: T.Type) -> UnsafePointer<T>? {
        guard let get = raw.pointee.get_service, let table = id.withCString({ get(raw, $0) }) else { return nil }
        return table.assumingMemoryBound(to: T.self)
    }
}

/// A metric registered through ``PluginHost/metric(_:name:help:labels:)``. It keeps the
/// host's handle so recording a value costs one C call, with no lookup by name.
///
/// ```swift
/// let bytes = host.metric(.counter, name: "bytes_written_total", help: "Bytes stored.", labels: ["bucket"])
/// bytes?.record(Double(info.size), labels: [bucket])
/// ```
public struct Metric: @unchecked Sendable {
    // Same reasoning as PluginHost: the tables live until deinit and are [any]-threaded.
    /// How the daemon treats recorded values: summed, replaced, or bucketed.
    ///
    /// ```swift
    /// let queue = host.metric(.gauge, name: "queue_depth", help: "Uploads waiting.")
    /// ```
    public enum Kind: Int32, Sendable { case counter = 0, gauge = 1, histogram = 2 }
    let host: PluginHost
    let service: UnsafePointer<kn_host_metrics_v1_t>
    let handle: UInt64

    /// Counter: adds `value`; gauge: sets it; histogram: records it (seconds).
    ///
    /// - Parameters:
    ///   - value: The amount, level or observation.
    ///   - labels: Label values, in the order the names were registered.
    public func record(_ value: Double, labels: [String] = []) {
        guard let record = service.pointee.record else { return }
        let cValues = labels.map { strdup($0) }
        defer { cValues.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cValues.map { UnsafePointer($0) }
        if pointers.isEmpty {
            record(host.raw, handle, nil, value)
        } else {
            pointers.withUnsafeMutableBufferPointer { record(host.raw, handle, $0.baseAddress, value) }
        }
    }
}
