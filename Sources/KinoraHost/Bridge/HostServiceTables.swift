import KinoraConfiguration
import KinoraPluginABI

/// The function tables of the host services (`kinora.host.*/1`). One table per service for
/// the whole process: every function finds its context through the `kn_host_t`.
enum HostServiceTables {
    static func table(for id: String) -> UnsafeRawPointer? {
        switch id {
        case KN_HOST_METRICS_ID: UnsafeRawPointer(metrics)
        case KN_HOST_EVENTS_ID: UnsafeRawPointer(events)
        case KN_HOST_SECRETS_ID: UnsafeRawPointer(secrets)
        default: nil
        }
    }

    nonisolated(unsafe) static let metrics: UnsafeMutablePointer<kn_host_metrics_v1_t> = {
        let table = UnsafeMutablePointer<kn_host_metrics_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_host_metrics_v1_t(
                register_metric: { host, kind, name, help, labels in
                    guard let context = HostContext.of(host), let name, context.allowsMainCall("register_metric") else { return 0 }
                    var labelNames: [String] = []
                    if var cursor = labels {
                        while let label = cursor.pointee, labelNames.count < 16 {
                            labelNames.append(String(cString: label))
                            cursor += 1
                        }
                    }
                    return context.environment.metrics.register(
                        kind: kind, name: String(cString: name), help: help.map { String(cString: $0) } ?? "",
                        labels: labelNames, instance: context.instance ?? "")
                },
                record: { host, handle, values, value in
                    guard let context = HostContext.of(host) else { return }
                    context.environment.metrics.record(
                        handle,
                        labelValues: { count in
                            (0..<count).map { i in values?[i].map { String(cString: $0) } ?? "" }
                        }, value: value)
                }
            ))
        return table
    }()

    nonisolated(unsafe) static let events: UnsafeMutablePointer<kn_host_events_v1_t> = {
        let table = UnsafeMutablePointer<kn_host_events_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_host_events_v1_t(emit: { host, topic, json in
                guard let context = HostContext.of(host), let topic, let json,
                    let payload = try? JSONValue(parsing: String(cString: json)), payload.objectValue != nil
                else {
                    return KN_E_INVALID_ARGUMENT
                }
                context.environment.events.publish(HostEvent(topic: String(cString: topic), source: context.instance, payload: payload))
                return KN_OK
            }))
        return table
    }()

    nonisolated(unsafe) static let secrets: UnsafeMutablePointer<kn_host_secrets_v1_t> = {
        let table = UnsafeMutablePointer<kn_host_secrets_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_host_secrets_v1_t(get: { host, name, buffer, capacity, outLength in
                guard let context = HostContext.of(host), let name else { return KN_E_INVALID_ARGUMENT }
                guard let secret = context.environment.secrets.value(named: String(cString: name)) else { return KN_E_NOT_FOUND }
                outLength?.pointee = secret.count
                guard secret.count <= capacity, let buffer else { return KN_E_INVALID_ARGUMENT }
                for (i, byte) in secret.enumerated() { buffer[i] = byte }
                return KN_OK
            }))
        return table
    }()
}
