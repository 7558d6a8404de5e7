import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraPluginConformance
import KinoraTestSupport
import Testing

/// Starts the S3 peer (radosgw) once for the whole suite and stops it afterwards, also when
/// a test fails. Its ports are fixed: every S3 test lives in this one serialized suite.
struct S3PeerScope: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try S3Peer.start()
        defer { S3Peer.stop() }
        try await function()
    }
}

extension Trait where Self == S3PeerScope {
    static var s3Peer: Self { Self() }
}

/// storage-s3 against a real S3 implementation that checks every signature.
@Suite(.serialized, .s3Peer) struct S3StorageTests {
    static func prefix(_ label: String) -> String { "\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

    static func started(prefix: String, extra: [String: JSONValue] = [:]) throws -> (PluginRegistry, StorageClient) {
        let (registry, storage) = try S3Peer.storage(prefix: prefix, extra: extra)
        guard let storage else { throw TestFailure("storage-s3 did not start: \(registry.instances.map { $0.lastError ?? "" })") }
        return (registry, storage)
    }

    // MARK: the conformance suite, unchanged, each case in its own empty prefix

    @Test(arguments: StorageConformance.cases.filter { !$0.measuresMemory })
    func conformance(_ check: ConformanceCase) async throws {
        let (registry, storage) = try Self.started(prefix: Self.prefix("conf-\(check.name)"))
        // The suite drives the instance's raw C tables, as it would any plugin's.
        try await check.run(PluginUnderTest(storage.instance.rawPlugin))
        await registry.stopAll()
    }

    @Test func theWholeConformanceSuiteIncludingTheLargeObjectPassesThroughTheCLI() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("s3-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/plugins.d", withIntermediateDirectories: true)
        try "[media]\nstorage = \"s3\"\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        try S3Peer.instanceTOML(prefix: Self.prefix("cli"), extra: "concurrency = 4")
            .write(toFile: dir + "/plugins.d/s3.toml", atomically: true, encoding: .utf8)
        let result = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable, ["plugin", "conformance", "s3", "--config", dir + "/kinora.toml", "--data-dir", dir + "/data"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("✔ large-object"), "\(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("✔") }.count == StorageConformance.cases.count)
    }

    // MARK: signatures

    @Test func signaturesMatchTheAWSExamplesAndKeysAreEncodedOnce() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("sigv4")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let build = try TestEnvironment.run(
            "/usr/bin/cc",
            [
                "-std=c11", "-Wall", "-I", TestEnvironment.abiInclude,
                "-I", TestEnvironment.repositoryRoot + "/SDK/c/kit", "-I", "/usr/include/libxml2", "-o", dir + "/sigv4",
                S3Peer.fixtures + "/sigv4_vectors.c",
            ])
        try #require(build.status == 0, "\(build.output)")
        let run = try TestEnvironment.run(dir + "/sigv4", [])
        #expect(run.status == 0 && run.output.contains("0 failure(s)"), "\(run.output)")
    }

    @Test func aWrongSecretIsRefusedByThePeerAndReportedClearly() async throws {
        let (registry, storage) = try S3Peer.storage(prefix: Self.prefix("wrong"), extra: ["secret_access_key": .string("not-the-secret")])
        #expect(storage == nil)
        let message = registry.instance(named: "s3")?.lastError ?? ""
        #expect(message.contains("SignatureDoesNotMatch") && message.contains("check secret_access_key"), "\(message)")
        await registry.stopAll()
        let (other, _) = try S3Peer.storage(prefix: Self.prefix("wrong"), extra: ["access_key_id": .string("NOSUCHKEY")])
        #expect(other.instance(named: "s3")?.lastError?.contains("InvalidAccessKeyId") == true, "\(other.instance(named: "s3")?.lastError ?? "")")
        await other.stopAll()
    }

    @Test func presignedURLsWorkAndExpiredOrTamperedOnesAreRefusedByThePeer() async throws {
        let (registry, storage) = try Self.started(prefix: Self.prefix("presign"))
        let key = "videos/a b/é+1/seg-00001.m4s"
        try await storage.put(key, bytes: Array("segment bytes".utf8))
        let url = try #require(try storage.presign(key, ttlSeconds: 60))
        let good = try S3Peer.curl(url)
        #expect(good.status == 200 && good.body == "segment bytes", "\(good)")

        let tampered = url.replacingOccurrences(of: "seg-00001", with: "seg-00002")
        let refused = try S3Peer.curl(tampered)
        #expect(refused.status == 403 && refused.body.contains("SignatureDoesNotMatch"), "\(refused)")
        var signature = url
        let last = signature.removeLast()
        let flipped = try S3Peer.curl(signature + (last == "0" ? "1" : "0"))
        #expect(flipped.status == 403, "\(flipped)")

        let shortLived = try #require(try storage.presign(key, ttlSeconds: 1))
        try await Task.sleep(for: .seconds(2.5))
        let expired = try S3Peer.curl(shortLived)
        #expect(expired.status == 403 && expired.body.contains("AccessDenied"), "\(expired)")

        #expect(throws: PluginCallError.self) { try storage.presign("../escape", ttlSeconds: 60) }
        #expect(throws: PluginCallError.self) { try storage.presign(key, method: "DELETE", ttlSeconds: 60) }
        await registry.stopAll()
    }

    // MARK: multipart

    @Test func aMultipartUploadThatFailsMidwayLeavesNoPartsAndKeepsTheOldObject() async throws {
        let prefix = Self.prefix("mpu-fail")
        let (registry, storage) = try Self.started(prefix: prefix, extra: ["concurrency": .integer(3)])
        try await storage.put("big.bin", bytes: Array(repeating: 9, count: 1000))
        // 40 MiB in 1 MiB chunks, failing after 17: three 5 MiB parts are in flight or done.
        let failing = ChunkSequence(chunks: 40, chunkSize: 1 << 20, failAfter: 17)
        await #expect(throws: (any Error).self) { try await storage.put("big.bin", body: failing) }
        #expect(try await storage.read("big.bin") == Array(repeating: 9, count: 1000))
        let uploads = try S3Peer.aws(["s3api", "list-multipart-uploads", "--bucket", S3Peer.bucket, "--prefix", prefix])
        #expect(uploads.status == 0 && !uploads.output.contains("UploadId"), "\(uploads.output)")

        // And a whole one: 23 MiB is five parts of 5 MiB, the last one short.
        let body = ChunkSequence(chunks: 23, chunkSize: 1 << 20, seed: 7)
        let info = try await storage.put("whole.bin", body: body)
        #expect(info.size == 23 << 20)
        let digest = Digest()
        try await storage.get("whole.bin") { digest.update($0) }
        #expect(digest.value == TestData.digest(chunks: 23, chunkSize: 1 << 20, seed: 7))
        let head = try S3Peer.aws(["s3api", "head-object", "--bucket", S3Peer.bucket, "--key", prefix + "/whole.bin"])
        #expect(head.output.contains("-5\\\""), "five parts: \(head.output)")
        await registry.stopAll()
    }

    @Test func uploadsLeftByACrashedDaemonAreAbortedAtStart() async throws {
        let prefix = Self.prefix("stale")
        let (first, _) = try Self.started(prefix: prefix)
        await first.stopAll()
        let created = try S3Peer.aws(["s3api", "create-multipart-upload", "--bucket", S3Peer.bucket, "--key", prefix + "/orphan.bin"])
        #expect(created.status == 0 && created.output.contains("UploadId"), "\(created.output)")
        try await Task.sleep(for: .seconds(2))
        // Uploads older than 1.8 s count as stale for this instance.
        let (registry, _) = try Self.started(prefix: prefix, extra: ["abort_stale_uploads_after_hours": .double(0.0005)])
        let uploads = try S3Peer.aws(["s3api", "list-multipart-uploads", "--bucket", S3Peer.bucket, "--prefix", prefix])
        #expect(uploads.status == 0 && !uploads.output.contains("UploadId"), "\(uploads.output)")
        await registry.stopAll()
    }

    @Test func aMissingBucketIsAConfigurationErrorNamingIt() async throws {
        let (registry, storage) = try S3Peer.storage(prefix: "x", bucket: "no-such-bucket", extra: ["create_bucket": .bool(false)])
        #expect(storage == nil)
        #expect(registry.instance(named: "s3")?.lastError?.contains("bucket no-such-bucket does not exist") == true)
        await registry.stopAll()
    }
}

// MARK: the daemon and the CLI on S3

extension S3StorageTests {
    /// A config folder: kinora.toml with `[media] storage = "s3"`, and plugins.d with the S3
    /// instance and both packagers.
    static func configFolder(_ dir: String, prefix: String, s3Extra: String = "", extraInstances: [String: String] = [:]) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        // Debug logging: the most the daemon ever says, which must still not include the secret.
        try "[media]\nstorage = \"s3\"\n[log]\nlevel = \"debug\"\n".write(toFile: dir + "/etc/kinora.toml", atomically: true, encoding: .utf8)
        try S3Peer.instanceTOML(prefix: prefix, extra: s3Extra).write(toFile: dir + "/etc/plugins.d/s3.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.packager-hls\"\n".write(toFile: dir + "/etc/plugins.d/hls.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.packager-dash\"\n".write(toFile: dir + "/etc/plugins.d/dash.toml", atomically: true, encoding: .utf8)
        for (name, text) in extraInstances {
            try text.write(toFile: dir + "/etc/plugins.d/\(name).toml", atomically: true, encoding: .utf8)
        }
        return dir + "/etc/kinora.toml"
    }

    @Test func anUploadIsTranscodedIntoTheBucketAndPlaysProxiedAndByRedirect() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("s3-e2e")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = Self.prefix("e2e")
        let clip = try PlaybackTests.makeClip(dir + "/clip.mp4", size: "640x360", seconds: 4)

        // Redirect mode: manifests from the daemon, segments by 302 to presigned URLs.
        let redirecting = try Self.configFolder(dir + "/redirect", prefix: prefix, s3Extra: "playback = \"redirect\"\npresign_lifetime_seconds = 120")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", redirecting])
        try await daemon.start()
        let id = try daemon.uploadVideo(clip)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)

        // The segments are objects in the bucket, under the instance's prefix.
        let listed = try S3Peer.aws(["s3api", "list-objects-v2", "--bucket", S3Peer.bucket, "--prefix", "\(prefix)/videos/\(id)/"])
        #expect(listed.output.contains("\(prefix)/videos/\(id)/240p/seg-00001.m4s"), "\(listed.output)")
        #expect(listed.output.contains("\(prefix)/videos/\(id)/master.m3u8") && listed.output.contains("/240p/init.mp4"))

        let master = try daemon.get("/streams/\(id)/master.m3u8")
        #expect(master.status == 200 && master.body.contains("#EXT-X-STREAM-INF"), "playlists are served by the daemon")
        let segment = try daemon.get("/streams/\(id)/240p/seg-00001.m4s")
        #expect(segment.status == 302, "\(segment.status) \(segment.body)")
        let location = try #require(segment.headers["location"])
        #expect(
            location.hasPrefix(S3Peer.endpoint + "/" + S3Peer.bucket + "/" + prefix + "/videos/\(id)/240p/seg-00001.m4s?")
                && location.contains("X-Amz-Signature="), "\(location)")
        let fetched = try S3Peer.curl(location)
        #expect(fetched.status == 200 && fetched.headers["content-length"].flatMap(Int.init).map { $0 > 1000 } == true, "\(fetched.status)")
        let base = "http://127.0.0.1:\(daemon.port)/streams/\(id)"
        for manifest in ["master.m3u8", "manifest.mpd"] {  // ffmpeg follows the redirects, as a player does
            let decode = try TestEnvironment.run("/usr/bin/ffmpeg", ["-v", "error", "-i", "\(base)/\(manifest)", "-map", "0", "-f", "null", "-"])
            #expect(decode.status == 0, "redirect, \(manifest): \(decode.output)")
        }
        // The secret never leaves the config: not in the plugin report, nor in any log line.
        let plugins = try daemon.get("/api/v1/plugins", headers: ["Authorization": "Bearer \(daemon.adminToken)"])
        #expect(plugins.status == 200 && !plugins.body.contains(S3Peer.secretAccessKey))
        let checked = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable, ["config", "check", "--config", redirecting, "--data-dir", dir + "/data"])
        #expect(!checked.output.contains(S3Peer.secretAccessKey), "\(checked.output)")
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.isEmpty && !daemon.log.contains(S3Peer.secretAccessKey), "the secret reached the log")

        // Proxy mode on the same bucket and database: every byte through the daemon.
        let proxying = try Self.configFolder(dir + "/proxy", prefix: prefix, s3Extra: "playback = \"proxy\"")
        let proxy = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", proxying])
        try await proxy.start()
        let proxied = try proxy.get("/streams/\(id)/240p/seg-00001.m4s")
        #expect(proxied.status == 200 && proxied.bytes.count == fetched.headers["content-length"].flatMap(Int.init), "\(proxied.status)")
        let ranged = try proxy.get("/streams/\(id)/240p/seg-00001.m4s", headers: ["Range": "bytes=0-99"])
        #expect(ranged.status == 206 && ranged.bytes.count == 100)
        let proxyBase = "http://127.0.0.1:\(proxy.port)/streams/\(id)"
        for manifest in ["master.m3u8", "manifest.mpd"] {
            let decode = try TestEnvironment.run(
                "/usr/bin/ffmpeg", ["-v", "error", "-i", "\(proxyBase)/\(manifest)", "-map", "0", "-f", "null", "-"])
            #expect(decode.status == 0, "proxy, \(manifest): \(decode.output)")
        }
        #expect(try await proxy.stop() == 0)
        #expect(!proxy.log.contains(S3Peer.secretAccessKey), "the secret reached the log")
    }

    @Test func corsRulesAppliedByTheCLILetABrowserFetchRedirectedSegments() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("s3-cors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = Self.prefix("cors")
        let config = try Self.configFolder(dir, prefix: prefix)
        let (registry, storage) = try Self.started(prefix: prefix)
        try await storage.put("videos/v/240p/seg-00001.m4s", bytes: [1, 2, 3])
        let url = try #require(try storage.presign("videos/v/240p/seg-00001.m4s", ttlSeconds: 60))
        await registry.stopAll()

        let applied = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable,
            ["storage", "s3", "cors", "s3", "--origin", "https://player.example", "--config", config, "--data-dir", dir + "/data"])
        #expect(applied.status == 0 && applied.output.contains("CORS rules applied"), "\(applied.output)")
        let preflight = try S3Peer.curl(
            url, method: "OPTIONS",
            headers: ["Origin": "https://player.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "range"])
        #expect(preflight.status == 200 && preflight.headers["access-control-allow-origin"] == "https://player.example", "\(preflight)")
        let get = try S3Peer.curl(url, headers: ["Origin": "https://player.example"])
        #expect(get.status == 200 && get.headers["access-control-allow-origin"] == "https://player.example", "\(get)")
        let stranger = try S3Peer.curl(url, method: "OPTIONS", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "GET"])
        #expect(stranger.headers["access-control-allow-origin"] == nil, "\(stranger)")

        let local = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable, ["storage", "s3", "cors", "hls", "--config", config, "--data-dir", dir + "/data"])
        #expect(local.status != 0)
    }

    @Test func migrateCopiesEveryObjectFromLocalDiskToTheBucketAndVerifiesIt() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("s3-migrate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = Self.prefix("migrate")
        let config = try Self.configFolder(
            dir, prefix: prefix,
            extraInstances: [
                "disk": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/disk\"\n"
            ])
        let (localRegistry, local) = try TestEnvironment.localStorage(root: dir + "/disk", name: "disk")
        let big = (0..<(12 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let objects: [String: [UInt8]] = [
            "videos/a/original": big, "videos/a/240p/seg-00001.m4s": [1, 2, 3], "videos/a/master.m3u8": Array("#EXTM3U\n".utf8),
            "videos/b é/empty": [], "videos/b é/x+y z": Array("plus and space".utf8),
        ]
        for (key, bytes) in objects { try await local.put(key, bytes: bytes) }
        await localRegistry.stopAll()

        let result = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable, ["storage", "migrate", "--from", "disk", "--to", "s3", "--config", config, "--data-dir", dir + "/data"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("[5/5] 100%") && result.output.contains("migrated 5 object(s)"), "\(result.output)")
        let (registry, s3) = try Self.started(prefix: prefix)
        #expect(try await s3.list().objects.map(\.key).sorted() == objects.keys.sorted())
        for (key, bytes) in objects { #expect(try await s3.read(key, limit: 16 << 20) == bytes, "\(key)") }
        await registry.stopAll()

        let again = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable,
            ["storage", "migrate", "--from", "disk", "--to", "s3", "--skip-existing", "--config", config, "--data-dir", dir + "/data"])
        #expect(again.status == 0 && again.output.contains("migrated 0 object(s)"), "\(again.output)")
    }
}

// MARK: retries

extension S3StorageTests {
    /// Tests/Fixtures/s3/fault_proxy.py in front of radosgw: `fails` SlowDown answers first.
    final class FaultProxy: @unchecked Sendable {
        let process = Process()
        let port: Int
        /// Kept for the proxy's life: it prints a line per fault it serves.
        let output: PrivatePipe

        init(fails: Int) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [S3Peer.fixtures + "/fault_proxy.py", String(fails)]
            let pipe = try PrivatePipe()
            output = pipe
            process.standardOutput = pipe.fileHandleForWriting
            process.standardError = FileHandle.nullDevice
            try process.run(closingChildEndsOf: pipe)
            var line = Data()
            while !line.contains(0x0A) {
                let chunk = pipe.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                line += chunk
            }
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw TestFailure("the fault proxy did not start (python3 needed)")
            }
            self.port = port
        }

        var endpoint: String { "http://127.0.0.1:\(port)" }
        var faults: Int { Int(((try? S3Peer.curl(endpoint + "/__faults"))?.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }

        /// SIGKILL: a child of the test process may inherit SIGTERM ignored.
        func stop() {
            kill(process.processIdentifier, SIGKILL)
            _ = process.waitForExit()
        }
    }

    @Test func slowDownIsRetriedWithBackoffAndReportedWhenItPersists() async throws {
        // Three SlowDown answers, then the real peer: every call still succeeds.
        let flaky = try FaultProxy(fails: 3)
        defer { flaky.stop() }
        let (registry, storage) = try Self.started(prefix: Self.prefix("retry"), extra: ["endpoint": .string(flaky.endpoint)])
        try await storage.put("retried.txt", bytes: Array("survived".utf8))
        #expect(try await storage.read("retried.txt") == Array("survived".utf8))
        #expect(flaky.faults == 3, "the faults were not all served: \(flaky.faults)")
        await registry.stopAll()

        // A peer that never recovers: the instance reports it as unavailable, naming SlowDown.
        let down = try FaultProxy(fails: -1)
        defer { down.stop() }
        let (failing, client) = try S3Peer.storage(
            prefix: Self.prefix("retry"), extra: ["endpoint": .string(down.endpoint), "max_retries": .integer(2)])
        #expect(client == nil)
        let message = failing.instance(named: "s3")?.lastError ?? ""
        #expect(message.contains("SlowDown"), "\(message)")
        #expect(down.faults == 3, "one try and two retries: \(down.faults)")
        await failing.stopAll()
    }
}
