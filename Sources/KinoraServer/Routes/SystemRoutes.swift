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
            guard databaseReachable, unready.isEmpty, configErrors.isEmpty, playback == nil else {
                guard context.principal?.isAdmin == true else {
                    var counts: [String] = []
                    if !databaseReachable { counts.append("the database is not reachable") }
                    if !unready.isEmpty { counts.append("\(unready.count) plugin instance(s) not started") }
                    if !configErrors.isEmpty { counts.append("\(configErrors.count) plugin configuration error(s)") }
                    if let playback { counts.append(playback) }
                    throw Problem(
                        .notReady,
                        detail: counts.joined(separator: "; ") + " (details for admins)")
                }
                var problems: [String] = databaseReachable ? [] : ["database is not reachable"]
                for instance in unready {
                    problems.append("plugin instance \(instance.name) is \(instance.state.rawValue)" + (instance.lastError.map { ": \($0)" } ?? ""))
                }
                problems += configErrors.map(\.description)
                if let playback { problems.append(playback) }
                throw Problem(.notReady, detail: problems.joined(separator: "; "))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
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
}
