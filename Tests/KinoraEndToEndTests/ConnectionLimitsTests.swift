import Foundation
import KinoraTestSupport
import Testing

/// The `[server]` connection limits against the real daemon over raw sockets: a client that
/// never finishes its request head, an idle kept-alive connection, one address holding many
/// connections, and more half-open connections than the daemon has file descriptors.
@Suite(.serialized) struct ConnectionLimitsTests {
    static func daemon(_ dir: String, _ server: String, fileLimit: Int? = nil) async throws -> DaemonProcess {
        try "[server]\n\(server)\n[rate_limit]\nenabled = false\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"], fileLimit: fileLimit)
        try await daemon.start()
        return daemon
    }

    static let halfHead = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"

    @Test func aHalfSentRequestHeadAndAnIdleConnectionAreClosedInTime() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("connections")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try await Self.daemon(dir, "header_timeout_seconds = 1\nidle_timeout_seconds = 2")

        // Half a head: closed after the header timeout, not at once and not never.
        let slow = try RawConnection(port: daemon.port)
        let started = ContinuousClock.now
        #expect(slow.send(Self.halfHead))
        #expect(slow.waitForClose(timeout: .seconds(8)), "a half-sent request head was still open after 8 s")
        let headWait = ContinuousClock.now - started
        #expect(headWait >= .milliseconds(800) && headWait < .seconds(6), "closed after \(headWait)")
        #expect(slow.received.isEmpty, "nothing is answered to an unfinished head")

        // A kept-alive connection gets its answer, then is closed once idle for 2 s.
        let idle = try RawConnection(port: daemon.port)
        #expect(idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        #expect(try idle.readResponse(timeout: .seconds(10)) == 200)
        let answered = ContinuousClock.now
        #expect(idle.read(timeout: .milliseconds(1200)) == .timedOut, "closed before the idle timeout")
        // Still usable within the idle timeout, which starts again after this answer.
        #expect(idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        #expect(try idle.readResponse(timeout: .seconds(10)) == 200)
        let second = ContinuousClock.now
        #expect(idle.waitForClose(timeout: .seconds(10)), "an idle connection was still open after 10 s")
        let idleWait = ContinuousClock.now - second
        #expect(
            idleWait >= .milliseconds(1500) && idleWait < .seconds(8),
            "idle connection closed after \(idleWait) (first answer \(ContinuousClock.now - answered) ago)")

        #expect(try daemon.get("/healthz").status == 200)
        #expect(try await daemon.stop() == 0)
    }

    @Test func oneAddressCannotTakeMoreThanItsConnections() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("connections")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try await Self.daemon(dir, "max_connections_per_address = 20\nheader_timeout_seconds = 60")

        var slow: [RawConnection] = []
        for _ in 0..<20 {
            let connection = try RawConnection(port: daemon.port)
            #expect(connection.send(Self.halfHead))
            slow.append(connection)
        }
        // The 21st from the same address is closed unanswered...
        let extra = try RawConnection(port: daemon.port)
        extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(extra.waitForClose(timeout: .seconds(10)), "connection 21 from 127.0.0.1 was not closed")
        #expect(extra.received.isEmpty, "connection 21 got an answer: \(String(decoding: extra.received, as: UTF8.self))")
        // ...while another address is served, and the slow ones are still held open.
        let other = try RawConnection(port: daemon.port, from: "127.0.0.2")
        #expect(other.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        #expect(try other.readResponse(timeout: .seconds(10)) == 200)
        #expect(slow.allSatisfy { $0.read(timeout: .zero) == .timedOut }, "the capped address's first 20 connections were closed")
        // The warning reaches the log through a pipe: give it a moment.
        let warned = await DaemonProcess.poll(timeout: .seconds(5)) {
            daemon.log.contains("refused connections over the per-address limit of 20 ([server] max_connections_per_address): 127.0.0.1 (1)")
                ? true : nil
        }
        #expect(warned == true, "\(daemon.log)")

        // Once the slow clients go, the address is served again.
        slow.removeAll()
        let served = try await TestEnvironment.pollOffPool(timeout: .seconds(10)) { () -> Bool? in
            let connection = try RawConnection(port: daemon.port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return (try? connection.readResponse(timeout: .seconds(2))) == 200 ? true : nil
        }
        #expect(served == true, "127.0.0.1 was not served again after its connections closed")
        #expect(try await daemon.stop() == 0)
    }

    /// More half-open connections than the daemon has file descriptors (ulimit -n 256): it
    /// keeps running, refuses what it cannot accept, and serves again once they go.
    @Test func theDaemonOutlivesMoreConnectionsThanItHasFileDescriptors() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("connections")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try await Self.daemon(dir, "header_timeout_seconds = 3", fileLimit: 256)
        let pid = daemon.process.processIdentifier

        var flood: [RawConnection] = []
        for _ in 0..<400 {
            // The kernel completes connections into the listen backlog even when the daemon
            // cannot accept them; past the backlog, connect itself may fail: that is fine.
            guard let connection = try? RawConnection(port: daemon.port) else { break }
            connection.send(Self.halfHead)
            flood.append(connection)
        }
        #expect(flood.count > 256, "only \(flood.count) connections could be opened")
        // While descriptors run out, requests that need files of their own are tried too.
        for path in ["/readyz", "/api/v1/videos", "/", "/metrics", "/healthz"] {
            _ = try? daemon.get(path)
        }
        #expect(daemon.process.isRunning, "the daemon died under the flood:\n\(daemon.log.suffix(3000))")
        flood.removeAll()

        let served = try await TestEnvironment.pollOffPool(timeout: .seconds(20)) { () -> Bool? in
            (try? daemon.get("/healthz"))?.status == 200 ? true : nil
        }
        #expect(served == true, "the daemon did not serve again after the flood:\n\(daemon.log.suffix(3000))")
        for path in ["/readyz", "/api/v1/videos", "/"] {
            let result = try daemon.get(path)
            #expect(result.status == 200, "\(path): \(result.status) \(result.body.prefix(300))")
        }
        #expect(daemon.process.isRunning && daemon.process.processIdentifier == pid)
        #expect(try await daemon.stop() == 0)
    }
}
