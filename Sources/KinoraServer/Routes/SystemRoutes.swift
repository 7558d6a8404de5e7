import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore
import Prometheus

/// /healthz, /readyz and /metrics.
struct SystemRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let prometheus: PrometheusCollectorRegistry
    let metricsAccess: KinoraConfig.MetricsAccess
    let channelHealth: ChannelHealth

    func register(on router: Router<KinoraRequestContext>) {
        // Liveness: the process answers. Anyone may ask.
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        // Readiness: database open and every configured plugin instance started. Anyone may
        // ask, but only admins read why not: plugin errors name buckets, hosts and instances.
        router.get("readyz") { _, context in
            let databaseReachable = await database.isReachable()
            let unready = registry.instances.filter { $0.state != .started }
            let configErrors = registry.instanceErrors
            // No packager: uploads would never play. Plain words, fit for anonymous callers.
            let playback = registry.playbackProblem
            // PostgreSQL: a node that misses other nodes' events serves stale caches.
            let events = database.events.problem
            guard databaseReachable, events == nil, unready.isEmpty, configErrors.isEmpty, playback == nil else {
                guard context.principal?.isAdmin == true else {
                    throw Problem(
                        .notReady,
                        detail: Self.anonymousSummary(
                            databaseReachable: databaseReachable, eventsLag: events != nil, unready: unready, configErrors: configErrors.count,
                            playback: playback))
                }
                var problems: [String] = databaseReachable ? [] : ["database is not reachable"]
                if let events { problems.append(events) }
                for instance in unready {
                    problems.append("plugin instance \(instance.name) is \(instance.state.rawValue)" + (instance.lastError.map { ": \($0)" } ?? ""))
                }
                problems += configErrors.map(\.description)
                if let playback { problems.append(playback) }
                throw Problem(.notReady, detail: problems.joined(separator: "; "))
            }
            // A failing notification channel does not make the node unready (it serves videos
            // as well as before), but admins read it here; messages wait in the outbox.
            let warnings = context.principal?.isAdmin == true ? channelHealth.problems.map { "warning: \($0)\n" }.joined() : ""
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n" + warnings)))
        }
        // Prometheus text format; public by default, admins only with [metrics] access = "admin".
        router.get("metrics") { _, context in
            if metricsAccess == .admin { try Access.admin.check(context) }
            var buffer: [UInt8] = []
            prometheus.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// What anonymous callers read on a 503: what kind of thing is wrong and how much of it,
    /// never a path, a plugin id or a plugin's message (those name files, buckets and hosts).
    /// Instances are described by the kind of interface they serve: "1 plugin instance failed
    /// to start (storage)".
    static func anonymousSummary(
        databaseReachable: Bool, eventsLag: Bool = false, unready: [PluginInstance], configErrors: Int, playback: String?
    ) -> String {
        func count(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? "1 \(one)" : "\(n) \(many)" }
        func kinds(_ instances: [PluginInstance]) -> String {
            // "kinora.storage/1", "kinora.storage.localfile/1" → "storage": the interface kind, which
            // the header defines, not anything the plugin or the operator named.
            let names = Set(
                instances.flatMap { $0.descriptor.interfaces }.compactMap { id -> String? in
                    guard id.hasPrefix("kinora.") else { return nil }
                    return id.dropFirst(7).split(whereSeparator: { $0 == "." || $0 == "/" }).first.map(String.init)
                })
            return names.isEmpty ? "" : " (\(names.sorted().joined(separator: ", ")))"
        }
        var parts: [String] = databaseReachable ? [] : ["the database is not reachable"]
        if eventsLag { parts.append("events from other nodes are not arriving") }
        let failed = unready.filter { $0.state == .failed }
        let other = unready.filter { $0.state != .failed }
        if !failed.isEmpty {
            parts.append(count(failed.count, "plugin instance failed to start", "plugin instances failed to start") + kinds(failed))
        }
        if !other.isEmpty { parts.append(count(other.count, "plugin instance is not running", "plugin instances are not running") + kinds(other)) }
        if configErrors > 0 {
            parts.append(count(configErrors, "plugin configuration error", "plugin configuration errors"))
        }
        // Already plain words ("no packager instance is configured: …"), fit for anyone.
        if let playback { parts.append(playback) }
        return parts.joined(separator: "; ") + " (details for admins)"
    }
}
