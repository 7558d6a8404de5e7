import Metrics

/// Request counters and latencies, exported on /metrics.
enum HTTPMetrics {
    static func record(method: String, status: Int, elapsed: Duration) {
        let dimensions = [("method", method), ("status", String(status))]
        Counter(label: "kinora_http_requests_total", dimensions: dimensions).increment()
        Timer(label: "kinora_http_request_duration_seconds", dimensions: [("method", method)]).recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
