import Metrics
import NIOConcurrencyHelpers

/// Request counters and latencies, exported on /metrics. The metric handles are made once per
/// method and status and kept: asking the factory for them on every request costs more than
/// serving a cached playlist.
enum HTTPMetrics {
    private struct Handles {
        let requests: Counter
        let duration: Timer
    }

    private static let handles = NIOLockedValueBox<[Int: Handles]>([:])
    private static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    static func record(method: String, status: Int, elapsed: Duration) {
        // Unusual methods share one label, so a client cannot grow the metric set at will.
        let methodIndex = methods.firstIndex(of: method) ?? methods.count
        let key = methodIndex * 1000 + min(max(status, 0), 999)
        let found = handles.withLockedValue { cache -> Handles in
            if let handles = cache[key] { return handles }
            let label = methodIndex < methods.count ? methods[methodIndex] : "other"
            let made = Handles(
                requests: Counter(label: "kinora_http_requests_total", dimensions: [("method", label), ("status", String(status))]),
                duration: Timer(label: "kinora_http_request_duration_seconds", dimensions: [("method", label)]))
            cache[key] = made
            return made
        }
        found.requests.increment()
        found.duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
