import Foundation
import KinoraTestSupport
import Testing

/// The HTTP edge: token-bucket rate limits per client and route class, answered 429 with
/// Retry-After, and request bodies over `[server] max_body_bytes` refused before any handler.
@Suite struct EdgeLimitsTests {
    @Test func rateLimitsPerClassAndBodyLimit() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("edge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        [data]
        dir = "\(dir)/data"
        [server]
        max_body_bytes = 2048
        [rate_limit.read]
        per_second = 0.25
        burst = 3
        """.write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()

        for _ in 0..<3 { #expect(try daemon.get("/api/v1/videos").status == 200) }
        let limited = try daemon.get("/api/v1/videos")
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "4", "\(limited.headers)")
        #expect((limited.json as? [String: Any])?["type"] as? String == "https://kinora.invalid/problems/rate-limited")
        // Other classes have buckets of their own.
        #expect(try daemon.get("/streams/nosuchvideo/master.m3u8").status == 404)
        let login = try daemon.request(
            "POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"], body: Array(#"{"username":"a","password":"b"}"#.utf8))
        #expect(login.status == 401)

        // A body over the limit is refused by its declared length, before it is read.
        let big = Array(repeating: UInt8(ascii: " "), count: 4096)
        let tooLarge = try daemon.request("POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"], body: big)
        #expect(tooLarge.status == 413)
        #expect((tooLarge.json as? [String: Any])?["type"] as? String == "https://kinora.invalid/problems/payload-too-large")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aConfigWithAnUnknownRateClassIsRefused() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("edge-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[rate_limit.everything]\nper_second = 1\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let check = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["config", "check", "--config", dir + "/kinora.toml"])
        #expect(check.status != 0)
        #expect(check.output.contains("rate_limit") && check.output.contains("everything"), "\(check.output)")
    }
}
