import Foundation

/// A bare TCP connection to the daemon, for what the HTTP helper cannot do: send half a
/// request, keep a connection open and idle, connect from another loopback address, or see
/// when the server closes it.
public final class RawConnection: @unchecked Sendable {
    public let fd: Int32

    /// Connects to 127.0.0.1:`port`, from `sourceAddress` when given (any 127.x.y.z is this host).
    public init(port: Int, from sourceAddress: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        if let sourceAddress {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw TestFailure("bind to \(sourceAddress): errno \(errno)")
            }
        }
        // A connect the server's full backlog leaves unanswered fails after this, not minutes.
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard Self.connectLoopback(fd, port: port) == 0 else {
            close(fd)
            throw TestFailure("connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    /// `connect(2)` of `fd` to 127.0.0.1:`port`: 0, or -1 with `errno` set.
    static func connectLoopback(_ fd: Int32, port: Int) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    deinit { close(fd) }

    /// Sends `text`; false when the server has already closed the connection.
    @discardableResult
    public func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    public enum ReadResult: Equatable, Sendable {
        case data([UInt8])
        /// The server closed the connection (end of stream or reset).
        case closed
        /// Nothing arrived in time; the connection is still open.
        case timedOut
    }

    /// Waits up to `timeout` for bytes or the connection's end.
    public func read(timeout: Duration) -> ReadResult {
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, milliseconds)
        if ready == 0 { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? .data(Array(buffer[0..<n])) : .closed
    }

    /// Reads until the server closes the connection or `timeout` passes; true when it closed.
    /// Bytes that arrive meanwhile are collected in `received`.
    public func waitForClose(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch read(timeout: deadline - ContinuousClock.now) {
            case .closed: return true
            case .timedOut: return false
            case .data(let bytes): received += bytes
            }
        }
        return false
    }

    /// Reads one response with a Content-Length body (the connection stays open); returns its status.
    public func readResponse(timeout: Duration) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let headEnd = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= headEnd.upperBound + length {
                    received.removeSubrange(..<(headEnd.upperBound + length))
                    let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                    guard let status else { throw TestFailure("bad status line: \(head.prefix(80))") }
                    return status
                }
            }
            switch read(timeout: deadline - ContinuousClock.now) {
            case .data(let bytes): received += bytes
            case .closed: throw TestFailure("the server closed the connection before answering")
            case .timedOut: break
            }
        }
        throw TestFailure("no response within \(timeout)")
    }

    /// Bytes read but not yet consumed.
    public var received: [UInt8] = []
}
