import Foundation

/// An open-loop HTTP/1.1 load generator: request `i` is due at `start + i / rate` whatever
/// happened to earlier ones, and its latency counts from that due time, so a stall shows in
/// the percentiles instead of silently lowering the offered rate (coordinated omission).
/// Requests are spread over keep-alive connections, one thread each.
struct OpenLoopLoad {
    let port: Int
    let rate: Double
    let seconds: Double
    let connections: Int
    /// The target of request `i` (path and query), and its headers.
    let target: @Sendable (Int) -> (path: String, headers: [String: String])

    struct Result {
        var latenciesMs: [Double]
        var errors: Int
        var statuses: [Int: Int]
        /// When each answered request was due (uptime ns), beside its latency: for the
        /// latencies of a window within the run.
        var dueNs: [UInt64] = []

        /// The requests due between `from` and `to` (uptime ns).
        func window(from: UInt64, to: UInt64) -> Result {
            let picked = zip(dueNs, latenciesMs).filter { $0.0 >= from && $0.0 <= to }.map(\.1)
            return Result(latenciesMs: picked, errors: 0, statuses: [:])
        }

        /// Throws unless every request got an answer with `status`.
        func requireOnly(_ status: Int, what: String) throws {
            let others = statuses.filter { $0.key != status }.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }
            guard errors == 0, others.isEmpty else {
                throw BenchError(
                    "\(what): expected only \(status), got \((others + (errors > 0 ? ["\(errors) without an answer"] : [])).joined(separator: ", ")) among \(latenciesMs.count + errors) requests"
                )
            }
            guard !latenciesMs.isEmpty else { throw BenchError("\(what): no request was answered") }
        }

        func percentile(_ p: Double) -> Double {
            let sorted = latenciesMs.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
        }
    }

    func run() throws -> Result {
        let total = Int(rate * seconds)
        let start = DispatchTime.now().uptimeNanoseconds + 50_000_000
        // Each lane keeps its own figures; they are merged under the lock when it ends.
        final class Collected: @unchecked Sendable {
            let lock = NSLock()
            var result = Result(latenciesMs: [], errors: 0, statuses: [:])
        }
        let collected = Collected()
        var threads: [Thread] = []
        let done = DispatchGroup()
        for lane in 0..<connections {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                var local = Result(latenciesMs: [], errors: 0, statuses: [:])
                var connection = Connection(port: port)
                var index = lane
                while index < total {
                    let due = start + UInt64(Double(index) / rate * 1e9)
                    let now = DispatchTime.now().uptimeNanoseconds
                    if due > now { usleep(UInt32((due - now) / 1000)) }
                    let request = target(index)
                    if let status = connection.get(request.path, headers: request.headers) {
                        local.statuses[status, default: 0] += 1
                        local.latenciesMs.append(Double(DispatchTime.now().uptimeNanoseconds - due) / 1e6)
                        local.dueNs.append(due)
                    } else {
                        local.errors += 1
                        connection = Connection(port: port)
                    }
                    index += connections
                }
                connection.close()
                collected.lock.withLock {
                    collected.result.latenciesMs += local.latenciesMs
                    collected.result.dueNs += local.dueNs
                    collected.result.errors += local.errors
                    collected.result.statuses.merge(local.statuses, uniquingKeysWith: +)
                }
            }
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
        done.wait()
        return collected.result
    }

    /// One keep-alive connection; reads responses framed by Content-Length.
    struct Connection {
        var fd: Int32 = -1
        let port: Int
        var buffer = [UInt8](repeating: 0, count: 1 << 16)

        init(port: Int) {
            self.port = port
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if !connected {
                Glibc.close(fd)
                fd = -1
            }
        }

        mutating func get(_ path: String, headers: [String: String]) -> Int? {
            getBody(path, headers: headers)?.status
        }

        mutating func getBody(_ path: String, headers: [String: String] = [:]) -> (status: Int, body: [UInt8])? {
            request("GET", path, headers: headers)
        }

        /// One request with an optional body (its Content-Length set here); the answer.
        mutating func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) -> (status: Int, body: [UInt8])? {
            guard fd >= 0 else { return nil }
            var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            if !body.isEmpty || method != "GET" { text += "Content-Length: \(body.count)\r\n" }
            let request = Array((text + "\r\n").utf8) + body
            guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
            var received: [UInt8] = []
            var headerEnd: Int?
            var contentLength = 0
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { return nil }
                received += buffer[0..<n]
                if headerEnd == nil, let end = Self.find(received, Array("\r\n\r\n".utf8)) {
                    headerEnd = end + 4
                    let head = String(decoding: received[0..<end], as: UTF8.self).lowercased()
                    for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                        contentLength = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
                if let headerEnd, received.count >= headerEnd + contentLength {
                    guard let status = Int(String(decoding: received[9..<12], as: UTF8.self)) else { return nil }
                    return (status, Array(received[headerEnd..<(headerEnd + contentLength)]))
                }
            }
        }

        static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
                return i
            }
            return nil
        }

        func close() { if fd >= 0 { Glibc.close(fd) } }
    }
}
