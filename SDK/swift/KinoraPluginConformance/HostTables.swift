import KinoraPluginABI
import KinoraJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C side of ConformanceHost: one kn_host_t per module and per instance, and the
/// service tables (metrics, events, secrets) they hand out. Every callback finds the Swift
/// host through `host_data`.
enum HostTables {
    nonisolated(unsafe) static let hostName = strdup("kinora-conformance")!
    nonisolated(unsafe) static let hostVersion = strdup("conformance")!

    static func makeHost(owner: ConformanceHost?, instance: UnsafeMutablePointer<CChar>?) -> kn_host_t {
        kn_host_t(
            abi: kn_version_t(major: UInt32(KN_ABI_MAJOR), minor: UInt32(KN_ABI_MINOR), patch: 0),
            host_data: owner.map { Unmanaged.passUnretained($0).toOpaque() },
            name: UnsafePointer(hostName), version: UnsafePointer(hostVersion), instance: UnsafePointer(instance),
            log: { host, level, message in
                guard let owner = HostTables.owner(host) else { return }
                owner.log(level, host?.pointee.instance.map { String(cString: $0) }, message.map { String(cString: $0) } ?? "")
            },
            get_service: { _, id in
                guard let id else { return nil }
                switch String(cString: id) {
                case KN_HOST_METRICS_ID: return UnsafeRawPointer(HostTables.metrics)
                case KN_HOST_EVENTS_ID: return UnsafeRawPointer(HostTables.events)
                case KN_HOST_SECRETS_ID: return UnsafeRawPointer(HostTables.secrets)
                default: return nil
                }
            })
    }

    static func owner(_ host: UnsafePointer<kn_host_t>?) -> ConformanceHost? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<ConformanceHost>.fromOpaque(data).takeUnretainedValue()
    }

    /// [a-z_][a-z0-9_]*, as the daemon requires.
    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (0x61...0x7A).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }

    nonisolated(unsafe) static let metrics: UnsafeMutablePointer<kn_host_metrics_v1_t> = {
        let table = UnsafeMutablePointer<kn_host_metrics_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_host_metrics_v1_t(
                register_metric: { host, kind, name, _, _ in
                    guard let owner = HostTables.owner(host), let name, (0...2).contains(kind) else { return 0 }
                    let text = String(cString: name)
                    guard HostTables.isMetricName(text) else { return 0 }
                    return owner.state.withLock { s in
                        if let index = s.metrics.firstIndex(of: text) { return UInt64(index + 1) }
                        s.metrics.append(text)
                        return UInt64(s.metrics.count)
                    }
                },
                record: { host, metric, _, value in
                    HostTables.owner(host)?.state.withLock { s in s.values[metric, default: 0] += value }
                }))
        return table
    }()

    nonisolated(unsafe) static let events: UnsafeMutablePointer<kn_host_events_v1_t> = {
        let table = UnsafeMutablePointer<kn_host_events_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_host_events_v1_t(emit: { host, topic, json in
                guard let owner = HostTables.owner(host), let topic, let json else { return KN_E_INVALID_ARGUMENT }
                guard (try? JSONValue(parsing: String(cString: json))) != nil else { return KN_E_INVALID_ARGUMENT }
                owner.state.withLock { $0.events.append((String(cString: topic), String(cString: json))) }
                return KN_OK
            }))
        return table
    }()

    nonisolated(unsafe) static let secrets: UnsafeMutablePointer<kn_host_secrets_v1_t> = {
        let table = UnsafeMutablePointer<kn_host_secrets_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_host_secrets_v1_t(get: { host, name, buf, cap, outLen in
                guard let owner = HostTables.owner(host), let name else { return KN_E_INVALID_ARGUMENT }
                guard let value = owner.secrets[String(cString: name)] else { return KN_E_NOT_FOUND }
                outLen?.pointee = value.count
                guard value.count <= cap else { return KN_E_INVALID_ARGUMENT }
                if let buf, !value.isEmpty { value.withUnsafeBufferPointer { buf.update(from: $0.baseAddress!, count: value.count) } }
                return KN_OK
            }))
        return table
    }()
}
