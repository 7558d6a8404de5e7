import Foundation
import Hummingbird
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
        // Readiness: database open and every configured plugin instance started. Anyone may ask.
        router.get("readyz") { request, context in
            var problems: [String] = []
            if await !database.isReachable() { problems.append("database is not reachable") }
            for instance in registry.instances where instance.state != .started {
                problems.append("plugin instance \(instance.name) is \(instance.state.rawValue)" + (instance.lastError.map { ": \($0)" } ?? ""))
            }
            for error in registry.instanceErrors { problems.append(error.description) }
            guard problems.isEmpty else {
                throw Problem(.serviceUnavailable, type: "not-ready", title: "Not ready", detail: problems.joined(separator: "; "))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
        // Prometheus text format; public by default, admins only with [metrics] access = "admin".
        router.get("metrics") { _, context in
            if metricsAccess == .admin { try Access.admin.check(context) }
            var buffer: [UInt8] = []
            prometheus.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
