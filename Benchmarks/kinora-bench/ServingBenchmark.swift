import Foundation

/// Requests per second for a 1 MB segment and for a playlist, `wrk -t2 -c50 -d10s` on
/// loopback, against nginx (2 workers, sendfile on, access log off) serving the same files
/// from the same folder in the same run. Every answer must be the file (status 200, its
/// size), or the run fails (see ``Wrk``). The daemon runs as an operator would run it for a
/// load test from one machine: rate limiting off, since 50 connections from one address are
/// one client to the limiter, and its per-client stream limit would answer most of them 429.
enum ServingBenchmark {
    static let daemonConfig = "[rate_limit]\nenabled = false\n"

    static func run(duration: Int, rounds: Int) async throws {
        for tool in ["/usr/sbin/nginx", "/usr/bin/wrk", "/usr/bin/curl", "/usr/bin/ffmpeg"] where !FileManager.default.isExecutableFile(atPath: tool)
        {
            throw BenchError("\(tool) is missing: apt-get install nginx wrk curl ffmpeg")
        }
        let dir = benchDir + "/serving"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let clip = dir + "/clip.mp4"
        guard
            shellArray([
                "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=2",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", clip,
            ]) == 0
        else { throw BenchError("ffmpeg failed") }
        let daemon = try BenchDaemon(dataDir: dir + "/data", quiet: true, config: daemonConfig)
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let token = try String(contentsOfFile: dir + "/data/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let created = dir + "/created.json"
        let uploaded = try capture(
            "/usr/bin/curl",
            [
                "-s", "-o", created, "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
                "-F", "file=@\(clip)", "http://127.0.0.1:\(daemon.port)/api/v1/videos",
            ])
        guard uploaded == "201" else { throw BenchError("the upload answered \(uploaded), not 201") }
        guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: created))) as? [String: Any],
            let id = json["id"] as? String
        else { throw BenchError("upload failed") }
        let folder = dir + "/data/media/videos/\(id)"
        // The whole ladder first: a transcode still running would take CPU from the timed runs.
        let deadline = Date().addingTimeInterval(120)
        while true {
            let video = try capture(
                "/usr/bin/curl", ["-s", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(daemon.port)/api/v1/videos/\(id)"])
            let status = (try? JSONSerialization.jsonObject(with: Data(video.utf8)) as? [String: Any])?["status"] as? String
            if status == "ready" { break }
            guard status != "failed", Date() < deadline else { throw BenchError("the video did not become ready: \(video)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        // A 1 MB segment beside the real ones (the clip's own segments are small).
        var segment = [UInt8](repeating: 0, count: 1 << 20)
        for i in segment.indices { segment[i] = UInt8(truncatingIfNeeded: i &* 2654435761) }
        try Data(segment).write(to: URL(fileURLWithPath: folder + "/240p/seg-99999.m4s"))

        let nginxPort = try BenchDaemon.freePort()
        let config = """
            \(getuid() == 0 ? "user root;" : "")
            worker_processes 2;
            pid \(dir)/nginx.pid;
            error_log \(dir)/nginx-error.log;
            daemon off;
            events { worker_connections 1024; }
            http {
              access_log off;
              sendfile on;
              tcp_nopush on;
              types { application/vnd.apple.mpegurl m3u8; video/iso.segment m4s; }
              server { listen 127.0.0.1:\(nginxPort); location /streams/\(id)/ { alias \(folder)/; } }
            }
            """
        try config.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-c", dir + "/nginx.conf", "-p", dir]
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(500))
        let playlistBytes = try FileManager.default.attributesOfItem(atPath: folder + "/240p/media.m3u8")[.size] as? Int ?? 0
        let targets = [("1 MB segment", "240p/seg-99999.m4s", 1 << 20, 0.9), ("playlist", "240p/media.m3u8", playlistBytes, 0.5)]
        let wrk = Wrk(threads: 2, connections: 50)
        let servers = [("kinora", "http://127.0.0.1:\(daemon.port)"), ("nginx", "http://127.0.0.1:\(nginxPort)")]
        // Both must really serve the files, or the comparison means nothing: every answer of a
        // short run checked one by one, then timed runs whose counts must show no other answer.
        for (label, path, bytes, _) in targets {
            for (name, base) in servers {
                do {
                    try wrk.verify("\(base)/streams/\(id)/\(path)", bodyBytes: bytes, seconds: 2)
                } catch {
                    throw BenchError(
                        "\(name), \(label): \(error); nginx error log: \((try? String(contentsOfFile: dir + "/nginx-error.log", encoding: .utf8)) ?? "")"
                    )
                }
            }
        }
        for (label, path, bytes, target) in targets {
            // Rounds alternate the servers, so a burst of other load on the machine hits both.
            var ours: [Double] = []
            var peer: [Double] = []
            for round in 0..<rounds {
                for (name, base) in round % 2 == 0 ? servers : Array(servers.reversed()) {
                    let rate = try wrk.timed("\(base)/streams/\(id)/\(path)", bodyBytes: bytes, seconds: duration)
                    if name == "kinora" { ours.append(rate) } else { peer.append(rate) }
                }
            }
            let ratios = zip(ours, peer).map { formatted($0 / max($1, 1), 2) }.joined(separator: ", ")
            print(
                "serving \(label) (\(bytes) bytes): kinora \(formatted(median(ours), 0)) req/s, nginx \(formatted(median(peer), 0)) req/s "
                    + "= \(formatted(median(ours) / max(median(peer), 1), 2))x (target ≥ \(target)x; medians of \(rounds) alternating rounds, "
                    + "per round \(ratios); wrk \(wrk.flags.joined(separator: " ")) -d\(duration)s; every answer 200 with the file's size; "
                    + "kinora with [rate_limit] enabled = false)")
        }
    }
}
