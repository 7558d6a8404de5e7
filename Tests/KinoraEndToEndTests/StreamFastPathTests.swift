import Foundation
import KinoraTestSupport
import Testing

/// Hot stream requests are answered on the event loop before the router (`StreamFastPath`):
/// the viewer must not be able to tell, whatever the request. `kinora_stream_early_answers_total`
/// tells the tests which path answered.
@Suite(.serialized) struct StreamFastPathTests {
    static let counter = "kinora_stream_early_answers_total"

    static func earlyAnswers(_ daemon: DaemonProcess) throws -> Int {
        let metrics = try daemon.get("/metrics")
        guard metrics.status == 200 else { throw TestFailure("/metrics: \(metrics.status)") }
        let line = metrics.body.split(separator: "\n").first { $0.hasPrefix(counter + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }

    /// The headers two answers must share: all but the date and the request id.
    static func comparable(_ headers: [String: String]) -> [String: String] {
        headers.filter { $0.key != "date" && $0.key != "x-request-id" }
    }

    /// One GET through the router, then the same GET, a HEAD and a revalidation answered
    /// early: the three early answers must equal the router's. The stream cache keeps who may
    /// see a video (and a manifest) for a second: after 1.2 s the first request goes to the
    /// router, which fills it, and the next three come early, unless the machine was so slow
    /// that a second passed in between; then again (up to 20 times: a CI machine running other
    /// suites beside this one can stretch four requests past the second several times).
    func routedThenEarly(_ daemon: DaemonProcess, _ path: String, routedWith: [String: String], headers: [String: String]) async throws
        -> (routed: HTTPResult, early: HTTPResult, head: HTTPResult, revalidated: HTTPResult)
    {
        var attempt = 0
        var routed: HTTPResult, early: HTTPResult, head: HTTPResult, revalidated: HTTPResult, counted: Int
        repeat {
            attempt += 1
            try await Task.sleep(for: .milliseconds(1200))
            let before = try Self.earlyAnswers(daemon)
            routed = try daemon.get(path, headers: routedWith.merging(headers) { $1 })
            early = try daemon.get(path, headers: headers)
            head = try daemon.request("HEAD", path, headers: headers)
            revalidated = try daemon.get(path, headers: headers.merging(["If-None-Match": routed.headers["etag"] ?? ""]) { $1 })
            counted = try Self.earlyAnswers(daemon) - before
        } while counted != 3 && attempt < 20
        #expect(counted == 3, "\(path) \(headers): \(counted) answered early")
        return (routed, early, head, revalidated)
    }

    @Test func hotRequestsAreAnsweredEarlyExactlyAsTheRouterAnswers() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("fast-path")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, folder) = try await StreamRouteTests().startWithReadyClip(dir)
        // A media segment large enough to go by sendfile, with known bytes.
        let segment = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(segment).write(to: URL(fileURLWithPath: folder + "/720p/seg-00001.m4s"))
        let asAdmin = ["Authorization": "Bearer \(daemon.adminToken)"]
        let cases: [(String, [String: String], [String: String])] = [
            // Manifests: the router's first answer fills the cache (gzip: the gzipped bytes).
            ("master.m3u8", [:], [:]), ("master.m3u8", [:], ["Accept-Encoding": "gzip"]),
            ("720p/media.m3u8", [:], [:]), ("720p/media.m3u8", [:], ["Accept-Encoding": "gzip"]),
            ("manifest.mpd", [:], [:]), ("manifest.mpd", [:], ["Accept-Encoding": "gzip"]),
            // Init segments are cached too; media segments are opened each time, so the router
            // is made to answer by credentials (a public video's answer is the same for all).
            ("720p/init.mp4", [:], [:]), ("720p/seg-00001.m4s", asAdmin, [:]),
        ]
        for (name, routedWith, headers) in cases {
            let (routed, early, head, revalidated) = try await routedThenEarly(daemon, "/streams/\(id)/\(name)", routedWith: routedWith, headers: headers)
            #expect(routed.status == 200 && early.status == 200, "\(name)")
            #expect(early.bytes == routed.bytes && !early.bytes.isEmpty, "\(name) \(headers)")
            #expect(Self.comparable(early.headers) == Self.comparable(routed.headers), "\(name) \(headers)")
            #expect(early.headers["date"] != nil && early.headers["x-request-id"] != nil && early.headers["server"] == "kinora")
            #expect(early.headers["x-request-id"] != routed.headers["x-request-id"])
            #expect(head.status == 200 && head.bytes.isEmpty && Self.comparable(head.headers) == Self.comparable(routed.headers), "\(name)")
            #expect(revalidated.status == 304 && revalidated.headers["etag"] == routed.headers["etag"] && revalidated.bytes.isEmpty)
        }
        #expect(try daemon.get("/streams/\(id)/720p/seg-00001.m4s").bytes == segment)
        // A client's own request id is kept, as the router keeps it.
        #expect(try daemon.get("/streams/\(id)/master.m3u8", headers: ["X-Request-Id": "player-42"]).headers["x-request-id"] == "player-42")
        // Each answer has its access line, as the router's do.
        let lines = daemon.log.split(separator: "\n").filter { $0.contains("GET /streams/\(id)/master.m3u8 200") }
        #expect(lines.count >= 4, "\(lines.count) access lines")
        #expect(try await daemon.stop() == 0)
    }

    /// What needs more than the early path has goes to the router, which answers as before: ranges,
    /// queries, requests with credentials, and anything the router would refuse.
    @Test func onlyAnonymousWholeGetsOfVisibleVideosAreAnsweredEarly() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("fast-path-rules")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, _) = try await StreamRouteTests().startWithReadyClip(dir)
        let privateID = try StreamRouteTests().uploadClip(daemon, dir: dir, visibility: "private")
        let asAdmin = ["Authorization": "Bearer \(daemon.adminToken)"]
        // Private: only the admin sees it published.
        let published = await DaemonProcess.poll(timeout: .seconds(120)) {
            (try? daemon.get("/streams/\(privateID)/master.m3u8", headers: asAdmin).status) == 200 ? true : nil
        }
        try #require(published == true, "the private video was not published")

        // The admin's request puts the private video in the cache; a stranger right after
        // still gets the router's 404, not the cached manifest.
        let before = try Self.earlyAnswers(daemon)
        #expect(try daemon.get("/streams/\(privateID)/master.m3u8", headers: asAdmin).status == 200)
        let stranger = try daemon.get("/streams/\(privateID)/master.m3u8")
        #expect(stranger.status == 404 && stranger.headers["content-type"] == "application/problem+json")
        #expect(try daemon.get("/streams/\(privateID)/master.m3u8", headers: asAdmin).status == 200)
        // With credentials the router answers (it must know who asks); so it does for ranges and queries.
        #expect(try daemon.get("/streams/\(id)/master.m3u8", headers: asAdmin).status == 200)
        let ranged = try daemon.get("/streams/\(id)/master.m3u8", headers: ["Range": "bytes=0-9"])
        #expect(ranged.status == 206 && ranged.bytes.count == 10)
        #expect(try daemon.get("/streams/\(id)/master.m3u8?x=1").status == 200)
        // A session cookie the router does not know is cleared on the answer: only it can.
        let forged = try daemon.get("/streams/\(id)/master.m3u8", headers: ["Cookie": "kinora_session=forged"])
        #expect(forged.status == 200 && forged.headers["set-cookie"]?.hasPrefix("kinora_session=") == true)
        #expect(try daemon.get("/streams/\(id)/../\(id)/master.m3u8").status == 404)
        #expect(try Self.earlyAnswers(daemon) == before, "none of these may be answered early")
        #expect(try await daemon.stop() == 0)
    }

    /// HTTP/1.1 answers leave in request order: a request pipelined behind one the router is
    /// still answering waits for it, even when memory could answer it at once.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("fast-path-order")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, _) = try await StreamRouteTests().startWithReadyClip(dir)
        #expect(try daemon.get("/streams/\(id)/master.m3u8").status == 200)
        let connection = try RawConnection(port: daemon.port)
        let ranged = "GET /streams/\(id)/720p/seg-00001.m4s HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\n\r\n"
        let playlist = "GET /streams/\(id)/master.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(connection.send(ranged + playlist + ranged + playlist + playlist))
        var statuses: [Int] = []
        for _ in 0..<5 { statuses.append(try connection.readResponse(timeout: .seconds(10))) }
        #expect(statuses == [206, 200, 206, 200, 200])
        #expect(try await daemon.stop() == 0)
    }

    /// A client that pipelines many segment requests and reads nothing must not make the
    /// daemon hold an open file per request: early answers stop while the socket is full.
    @Test func aClientThatDoesNotReadHoldsNoFilePerRequest() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("fast-path-flood")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, folder) = try await StreamRouteTests().startWithReadyClip(dir)
        let segment = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 11) }
        try Data(segment).write(to: URL(fileURLWithPath: folder + "/720p/seg-00001.m4s"))
        #expect(try daemon.get("/streams/\(id)/master.m3u8").status == 200)
        let pid = daemon.process.processIdentifier
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let connection = try RawConnection(port: daemon.port)
        let request = "GET /streams/\(id)/720p/seg-00001.m4s HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(connection.send(String(repeating: request, count: 200)))
        try await Task.sleep(for: .milliseconds(500))
        let held = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count - before
        #expect(held < 30, "\(held) more descriptors open while the client reads nothing")
        var statuses: [Int] = []
        for _ in 0..<200 { statuses.append(try connection.readResponse(timeout: .seconds(20))) }
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(try Self.earlyAnswers(daemon) >= 1)
        #expect(try await daemon.stop() == 0)
    }

    /// The rate limiter counts early answers as the router's: a client over its stream rate
    /// gets 429 whichever path would have answered.
    @Test func earlyAnswersTakeTheirTokenFromTheSameLimiter() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("fast-path-limit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        [data]
        dir = "\(dir)/data"
        [rate_limit.stream]
        per_second = 0.1
        burst = 6
        """.write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        let id = try StreamRouteTests().uploadClip(daemon, dir: dir)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        var statuses: [Int] = []
        for _ in 0..<9 { statuses.append(try daemon.get("/streams/\(id)/master.m3u8").status) }
        #expect(statuses == [200, 200, 200, 200, 200, 200, 429, 429, 429], "\(statuses)")
        // The first answer filled the cache; the next ones came from it (unless a second
        // passed: the cache keeps a manifest for one), and took their tokens as the router's do.
        #expect(try Self.earlyAnswers(daemon) >= 1)
        #expect(try await daemon.stop() == 0)
    }
}
