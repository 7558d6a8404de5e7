import KinoraPluginABI
import Metrics
import NIOConcurrencyHelpers

/// Metrics registered by plugins, forwarded to swift-metrics (and so to `/metrics`) with the
/// plugin instance as a dimension. It exists so plugins never touch swift-metrics and one
/// plugin cannot register a name with two kinds, which Prometheus would refuse.
///
/// Plugins reach it through the host's metrics service table; the daemon only creates it,
/// with the environment:
///
/// ```swift
/// let environment = HostEnvironment(logger: logger, version: kinoraVersion)
/// let metrics: PluginMetrics = environment.metrics  // what PluginHost.metric(…) registers into
/// ```
public final class PluginMetrics: Sendable {
    struct Registration: Sendable {
        var kind: Int32
        var name: String
        var labels: [String]
        var instance: String
    }

    private let registrations = NIOLockedValueBox<[Registration]>([])

    func register(kind: Int32, name: String, help: String, labels: [String], instance: String) -> UInt64 {
        guard (KN_METRIC_COUNTER...KN_METRIC_HISTOGRAM).contains(kind), Self.isValidName(name),
            labels.allSatisfy(Self.isValidName)
        else { return 0 }
        let fullName = "kinora_plugin_" + name
        return registrations.withLockedValue { list in
            // The same name twice must keep its kind: Prometheus refuses a family with two types.
            if list.contains(where: { $0.name == fullName && $0.kind != kind }) { return 0 }
            list.append(Registration(kind: kind, name: fullName, labels: labels, instance: instance))
            return UInt64(list.count)
        }
    }

    func record(_ handle: UInt64, labelValues: (Int) -> [String], value: Double) {
        guard handle > 0,
            let registration = registrations.withLockedValue({ list in
                Int(handle) <= list.count ? list[Int(handle) - 1] : nil
            })
        else { return }
        let values = labelValues(registration.labels.count)
        let dimensions = [("instance", registration.instance)] + Array(zip(registration.labels, values))
        switch registration.kind {
        case KN_METRIC_COUNTER:
            Counter(label: registration.name, dimensions: dimensions).increment(by: Int64(value))
        case KN_METRIC_GAUGE:
            Gauge(label: registration.name, dimensions: dimensions).record(value)
        default:
            Timer(label: registration.name, dimensions: dimensions).recordSeconds(value)
        }
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy {
            $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
    }
}
