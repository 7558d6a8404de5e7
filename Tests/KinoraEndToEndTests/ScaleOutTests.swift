import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Several nodes over one PostgreSQL database and one radosgw bucket. In the S3 suite: its
// peer has fixed ports, so every test that needs it runs there, one at a time.
extension S3StorageTests {
    /// kinora.toml and plugins.d for one node of the cluster.
    static func nodeConfig(_ dir: String, prefix: String, databaseURL: String, roles: [String], tusDir: String) throws -> String {
        let config = try configFolder(dir, prefix: prefix)
        try """
            [media]
            storage = "s3"
            [log]
            level = "info"
            [database]
            url = "\(databaseURL)"
            pool_size = 4
            [node]
            roles = [\(roles.map { "\"\($0)\"" }.joined(separator: ", "))]
            [uploads]
            tus_dir = "\(tusDir)"
            [rate_limit]
            enabled = false
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test func twoAPINodesAndWorkersShareOneDatabaseAndBucket() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("nodes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = Self.prefix("nodes")
        let databaseURL = try PostgresServer.shared().makeDatabase("nodes")
        let tusDir = dir + "/tus-shared"
        let api = try Self.nodeConfig(dir + "/api", prefix: prefix, databaseURL: databaseURL, roles: ["api"], tusDir: tusDir)
        let worker = try Self.nodeConfig(dir + "/worker", prefix: prefix, databaseURL: databaseURL, roles: ["worker"], tusDir: tusDir)

        let nodeA = try DaemonProcess(dataDir: dir + "/a", arguments: ["--config", api])
        try await nodeA.start()
        let nodeB = try DaemonProcess(dataDir: dir + "/b", arguments: ["--config", api])
        try await nodeB.start()
        // One bootstrap token for the cluster, written to each node's data folder.
        let token = nodeA.adminToken
        #expect(!token.isEmpty && nodeB.adminToken == token)

        // An account made from the shell against PostgreSQL; a token issued by A works on B,
        // with no shared file between them.
        let added = try AuthTests.addUser(nodeA, "mara", role: "creator", password: "correct horse battery", extra: ["--config", api])
        #expect(added.status == 0, "\(added.output)")
        let access = try AuthTests.tokens(try AuthTests.login(nodeA, "mara", "correct horse battery")).access
        let me = try nodeB.get("/api/v1/me", headers: ["Authorization": "Bearer \(access)"])
        #expect(me.status == 200 && me.body.contains("mara"), "\(me.status) \(me.body)")

        // Uploads on A while no worker runs: one multipart, one tus interrupted on A and
        // finished on B (both api nodes mount the tus folder).
        let long = try PlaybackTests.makeClip(dir + "/long.mp4", size: "640x360", seconds: 24)
        let short = try PlaybackTests.makeClip(dir + "/short.mp4", size: "320x180", seconds: 4)
        let multipartID = try nodeA.uploadVideo(long)
        let tus = ["Tus-Resumable": "1.0.0", "Authorization": "Bearer \(token)"]
        let creation = try nodeA.request("POST", "/api/v1/uploads", headers: tus.merging(["Upload-Length": String(short.count)]) { $1 })
        let location = try #require(creation.headers["location"], "\(creation.status) \(creation.body)")
        let half = short.count / 2
        let first = try nodeA.request(
            "PATCH", location, headers: tus.merging(["Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"]) { $1 },
            body: Array(short[..<half]))
        #expect(first.status == 204 && first.headers["upload-offset"] == String(half), "\(first.status) \(first.body)")
        #expect(try nodeB.request("HEAD", location, headers: tus).headers["upload-offset"] == String(half), "B reads the offset A stored")
        let rest = try nodeB.request(
            "PATCH", location, headers: tus.merging(["Upload-Offset": String(half), "Content-Type": "application/offset+octet-stream"]) { $1 },
            body: Array(short[half...]))
        #expect(rest.status == 204, "\(rest.status) \(rest.body)\n\(nodeB.log)")
        let tusVideo = try #require(try nodeB.request("HEAD", location, headers: tus).headers["kinora-video-id"], "\(nodeB.log)")

        // The first worker dies (kill -9) in the middle of the long transcode; a second one
        // takes the job over, and every job completes once.
        let worker1 = try DaemonProcess(dataDir: dir + "/w1", arguments: ["--config", worker])
        try await worker1.start()
        #expect(try worker1.get("/healthz").status == 200)
        #expect(try worker1.get("/metrics").status == 200)
        #expect(try worker1.get("/api/v1/videos").status == 404, "a worker node serves no API")
        let running = await DaemonProcess.poll(timeout: .seconds(60)) { () -> Bool? in
            let video = (try? nodeB.get("/api/v1/videos/\(multipartID)", headers: ["Authorization": "Bearer \(token)"]).json) as? [String: Any]
            let progress = video?["progress"] as? [String: Any]
            return (progress?["percent"] as? Int ?? 0) >= 5 ? true : nil
        }
        #expect(running == true, "the long transcode never made progress:\n\(worker1.log)")
        worker1.killHard()
        let worker2 = try DaemonProcess(dataDir: dir + "/w2", arguments: ["--config", worker])
        try await worker2.start()
        for id in [multipartID, tusVideo] {
            _ = try await PlaybackTests.waitUntilReady(nodeB, id: id)
        }
        let database = PostgresDatabase(url: databaseURL, size: 1)
        // A video shows ready when its worker publishes it; the job is marked done in the
        // worker's next transaction, which a loaded machine can delay past the read above.
        var completions: [SQLRow] = []
        for _ in 0..<150 {
            completions = try database.read { db in
                try db.fetchAll("SELECT video_id, COUNT(*) AS n FROM jobs WHERE state = 'done' GROUP BY video_id")
            }
            if completions.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(completions.count == 2 && completions.allSatisfy { ($0["n"] as Int?) == 1 }, "\(completions)")
        #expect(try database.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM jobs WHERE state != 'done'") } == 0)

        // Played from B, uploaded on A.
        let base = "http://127.0.0.1:\(nodeB.port)/streams/\(multipartID)"
        let decode = try TestEnvironment.run("/usr/bin/ffmpeg", ["-v", "error", "-i", "\(base)/master.m3u8", "-map", "0", "-f", "null", "-"])
        #expect(decode.status == 0, "\(decode.output)")

        // A visibility change on A holds on B within a second, though B had the video cached.
        #expect(try nodeB.get("/streams/\(multipartID)/master.m3u8").status == 200)
        let patch = try nodeA.request(
            "PATCH", "/api/v1/videos/\(multipartID)", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array(#"{"visibility":"private"}"#.utf8))
        let changed = ContinuousClock.now
        #expect(patch.status == 200, "\(patch.status) \(patch.body)")
        let hidden = await DaemonProcess.poll(timeout: .seconds(1)) { () -> Bool? in
            ((try? nodeB.get("/streams/\(multipartID)/master.m3u8").status) ?? 200) != 200 ? true : nil
        }
        #expect(hidden == true, "B still served a private video \(ContinuousClock.now - changed) after A changed it")
        // Each node is ready, the worker too: its event connection is up.
        for node in [nodeA, nodeB, worker2] { #expect(try node.get("/readyz").status == 200, "\(node.log)") }

        for node in [nodeA, nodeB, worker2] { #expect(try await node.stop() == 0) }
        _ = try? await worker1.stop()
    }
}
