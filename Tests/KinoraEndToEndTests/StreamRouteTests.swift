import Foundation
import KinoraTestSupport
import Testing

/// `/streams/{video}/…` as a player and a CDN use it: ranges, validators, caching, CORS,
/// visibility and paths that must never be served.
@Suite(.serialized) struct StreamRouteTests {
    func uploadClip(_ daemon: DaemonProcess, dir: String, visibility: String = "public") throws -> String {
        let clip = try PlaybackTests.makeClip(dir + "/clip-\(visibility).mp4", size: "1280x720", seconds: 1)
        return try daemon.uploadVideo(clip, fields: ["visibility": visibility])
    }

    /// A daemon on `dir`/data with one public clip transcoded: the daemon, the video and its folder.
    func startWithReadyClip(_ dir: String) async throws -> (DaemonProcess, String, String) {
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try uploadClip(daemon, dir: dir)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        return (daemon, id, dir + "/data/media/videos/\(id)")
    }

    @Test func segmentsAndManifestsAreServedLikeACDNExpects() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("streams")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, folder) = try await startWithReadyClip(dir)
        // Replace one published segment by known bytes, to check exactly what is served.
        let segment = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try Data(segment).write(to: URL(fileURLWithPath: folder + "/720p/seg-00001.m4s"))
        let masterText = try String(contentsOfFile: folder + "/master.m3u8", encoding: .utf8)

        let whole = try daemon.get("/streams/\(id)/720p/seg-00001.m4s")
        #expect(whole.status == 200)
        #expect(whole.headers["content-type"] == "video/iso.segment")
        #expect(whole.headers["content-length"] == "100000")
        #expect(whole.headers["cache-control"]?.contains("immutable") == true)
        #expect(whole.headers["accept-ranges"] == "bytes")
        #expect(whole.headers["access-control-allow-origin"] == "*")
        #expect(whole.bytes == segment)
        let etag = try #require(whole.headers["etag"])

        let partial = try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["Range": "bytes=10-19"])
        #expect(partial.status == 206)
        #expect(partial.headers["content-range"] == "bytes 10-19/100000")
        #expect(partial.headers["content-length"] == "10")
        #expect(partial.bytes == Array(segment[10...19]))
        let suffix = try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["Range": "bytes=-5"])
        #expect(suffix.status == 206 && suffix.headers["content-range"] == "bytes 99995-99999/100000")
        let beyond = try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["Range": "bytes=100000-"])
        #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */100000")

        #expect(try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["If-None-Match": etag]).status == 304)
        let head = try daemon.request("HEAD", "/streams/\(id)/720p/seg-00001.m4s")
        #expect(head.status == 200 && head.headers["content-length"] == "100000" && head.body.isEmpty)

        let manifest = try daemon.get("/streams/\(id)/master.m3u8")
        #expect(manifest.status == 200 && manifest.body == masterText)
        #expect(manifest.headers["content-type"] == "application/vnd.apple.mpegurl")
        #expect(manifest.headers["cache-control"]?.contains("immutable") == false)
        let preflight = try daemon.request("OPTIONS", "/streams/\(id)/master.m3u8")
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-methods"]?.contains("GET") == true)

        // Never the original upload, never a traversal, never an unknown type.
        for path in ["original", "..%2F..%2Fadmin-token", "720p/../../../admin-token", "720p/.hidden.m4s", "notes.txt", "a/b/c/d.m4s"] {
            #expect(try daemon.get("/streams/\(id)/\(path)").status == 404, "\(path) must not be served")
        }
        #expect(try daemon.get("/streams/\(id)/720p/seg-99999.m4s").status == 404)
        #expect(try daemon.get("/streams/nosuchvideo/master.m3u8").status == 404)
        #expect(try await daemon.stop() == 0)
    }

    /// Apple's HLS authoring spec 10.1: playlists (and here MPDs) gzipped for clients that
    /// ask; a second representation with its own ETag; media segments never.
    @Test func manifestsAreGzippedWhenAcceptedAndSegmentsNever() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("streams-gzip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, _) = try await startWithReadyClip(dir)
        for name in ["master.m3u8", "720p/media.m3u8", "manifest.mpd"] {
            let plain = try daemon.get("/streams/\(id)/\(name)")
            #expect(plain.status == 200 && plain.headers["content-encoding"] == nil, "\(name)")
            #expect(plain.headers["vary"]?.lowercased().contains("accept-encoding") == true, "\(name)")
            let packed = try daemon.get("/streams/\(id)/\(name)", headers: ["Accept-Encoding": "br;q=1.0, gzip;q=0.8"])
            #expect(packed.status == 200 && packed.headers["content-encoding"] == "gzip", "\(name): \(packed.headers)")
            #expect(packed.headers["vary"]?.lowercased().contains("accept-encoding") == true)
            #expect(packed.headers["content-type"] == plain.headers["content-type"])
            #expect(packed.bytes.count < plain.bytes.count && packed.headers["content-length"] == String(packed.bytes.count), "\(name)")
            // gunzip gives back the identity bytes.
            let file = dir + "/packed.gz"
            try Data(packed.bytes).write(to: URL(fileURLWithPath: file))
            let unpacked = try TestEnvironment.run("/bin/gzip", ["-dc", file])
            #expect(unpacked.status == 0 && unpacked.output == plain.body, "\(name)")
            // Another representation: another ETag, each revalidating on its own.
            let etag = try #require(packed.headers["etag"]), plainTag = try #require(plain.headers["etag"])
            #expect(etag != plainTag)
            let revalidated = try daemon.get("/streams/\(id)/\(name)", headers: ["Accept-Encoding": "gzip", "If-None-Match": etag])
            #expect(revalidated.status == 304)
            #expect(try daemon.get("/streams/\(id)/\(name)", headers: ["If-None-Match": etag]).status == 200)
            // q=0 refuses gzip.
            #expect(try daemon.get("/streams/\(id)/\(name)", headers: ["Accept-Encoding": "gzip;q=0"]).headers["content-encoding"] == nil)
        }
        // Segments: as stored, whatever the client accepts; audio is audio/mp4 (RFC 4337).
        for name in ["720p/init.mp4", "720p/seg-00001.m4s", "audio/init.mp4", "audio/seg-00001.m4s"] {
            let plain = try daemon.get("/streams/\(id)/\(name)")
            let asked = try daemon.get("/streams/\(id)/\(name)", headers: ["Accept-Encoding": "gzip"])
            #expect(asked.status == 200 && asked.headers["content-encoding"] == nil && asked.bytes == plain.bytes, "\(name)")
        }
        #expect(try daemon.get("/streams/\(id)/audio/init.mp4").headers["content-type"] == "audio/mp4")
        #expect(try daemon.get("/streams/\(id)/audio/seg-00001.m4s").headers["content-type"] == "audio/mp4")
        #expect(try daemon.get("/streams/\(id)/720p/init.mp4").headers["content-type"] == "video/mp4")
        #expect(try await daemon.stop() == 0)
    }

    @Test func privateVideosAreNotServedToStrangers() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("streams")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try uploadClip(daemon, dir: dir, visibility: "private")
        // Published once the admin is served it (the file appears just before the database
        // says published, and the stream cache may hold the older answer for a second).
        let asAdmin = ["Authorization": "Bearer \(daemon.adminToken)"]
        let deadline = ContinuousClock.now + .seconds(120)
        var admin = try daemon.get("/streams/\(id)/master.m3u8", headers: asAdmin)
        while admin.status != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            admin = try daemon.get("/streams/\(id)/master.m3u8", headers: asAdmin)
        }
        #expect(admin.status == 200 && admin.headers["cache-control"]?.hasPrefix("private") == true, "\(admin.status)")
        #expect(try daemon.get("/streams/\(id)/master.m3u8").status == 404)
        #expect(try daemon.get("/streams/\(id)/240p/init.mp4").status == 404)
        #expect(try await daemon.stop() == 0)
    }

    /// Media segments go by sendfile, past Hummingbird's body writer: on one keep-alive
    /// connection, answers to pipelined requests must still come whole and in order (head,
    /// then exactly the file's bytes, then the next answer), and HEAD, which never sends the
    /// body, must not leave the file open (it did for files over 16 MiB: one descriptor each).
    @Test func largeSegmentsKeepTheirFramingAndHeadLeavesNoFileOpen() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("streams")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, id, folder) = try await startWithReadyClip(dir)
        let segment = (0..<(17 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try Data(segment).write(to: URL(fileURLWithPath: folder + "/720p/seg-00002.m4s"))
        let playlist = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/720p/media.m3u8")))

        let answers = try Self.pipelined(
            port: daemon.port,
            [
                ("/streams/\(id)/720p/seg-00002.m4s", [:]),
                ("/streams/\(id)/720p/seg-00002.m4s", ["Range": "bytes=1000000-1000099"]),
                ("/streams/\(id)/720p/media.m3u8", [:]),
                ("/streams/\(id)/720p/seg-00002.m4s", ["Range": "bytes=-3"]),
            ])
        #expect(answers.map(\.status) == [200, 206, 200, 206])
        #expect(answers[0].body == segment)
        #expect(answers[1].body == Array(segment[1_000_000...1_000_099]))
        #expect(answers[2].body == playlist)
        #expect(answers[3].body == Array(segment.suffix(3)))

        let pid = daemon.process.processIdentifier
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        for _ in 0..<40 {
            let head = try daemon.request("HEAD", "/streams/\(id)/720p/seg-00002.m4s")
            #expect(head.status == 200 && head.headers["content-length"] == String(17 << 20) && head.bytes.isEmpty)
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        #expect(after < before + 10, "\(after - before) more descriptors open after 40 HEAD requests")
        #expect(try await daemon.stop() == 0)
    }

    /// Sends every request at once on one keep-alive connection and reads the answers in
    /// order, each framed by its Content-Length.
    static func pipelined(port: Int, _ requests: [(String, [String: String])]) throws -> [(status: Int, body: [UInt8])] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect failed: errno \(errno)") }
        var text = ""
        for (path, headers) in requests {
            text += "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            text += "\r\n"
        }
        let bytes = Array(text.utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw TestFailure("send failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var answers: [(status: Int, body: [UInt8])] = []
        var start = 0
        while answers.count < requests.count {
            if let end = received[start...].firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[start..<end.lowerBound], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= end.upperBound + length {
                    guard let status = Int(head.dropFirst("HTTP/1.1 ".count).prefix(3)) else { throw TestFailure("bad head: \(head)") }
                    answers.append((status, Array(received[end.upperBound..<(end.upperBound + length)])))
                    start = end.upperBound + length
                    continue
                }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw TestFailure("connection ended after \(answers.count) answers") }
            received += buffer[0..<n]
        }
        #expect(received.count == start, "bytes beyond the last answer")
        return answers
    }
}
