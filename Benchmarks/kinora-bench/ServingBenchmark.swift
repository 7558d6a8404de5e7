import Foundation

/// Requests per second for a 1 MB segment and for a playlist, `wrk -t2 -c50 -d10s` on
/// loopback, against nginx (2 workers, sendfile on, access log off) serving the same files
/// from the same folder in the same run.
enum ServingBenchmark {
    static func run(duration: Int) async throws {
        for tool in ["/usr/sbin/nginx", "/usr/bin/wrk", "/usr/bin/curl", "/usr/bin/ffmpeg"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchError("\(tool) is missing: apt-get install nginx wrk curl ffmpeg")
        }
        let dir = benchDir + "/serving"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let clip = dir + "/clip.mp4"
        guard shellArray(["/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=2",
                          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", clip]) == 0 else { throw BenchError("ffmpeg failed") }
        let daemon = try BenchDaemon(dataDir: dir + "/data", quiet: true)
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let token = try String(contentsOfFile: dir + "/data/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let created = dir + "/created.json"
        _ = shellArray(["/usr/bin/curl", "-s", "-o", created, "-H", "Authorization: Bearer \(token)", "-F", "file=@\(clip)",
                        "http://127.0.0.1:\(daemon.port)/api/v1/videos"])
        guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: created))) as? [String: Any],
              let id = json["id"] as? String else { throw BenchError("upload failed") }
        let folder = dir + "/data/media/videos/\(id)"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: folder + "/master.m3u8") {
            guard Date() < deadline else { throw BenchError("video not published") }
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
        // Both must really serve the file, or the comparison means nothing.
        for base in ["http://127.0.0.1:\(daemon.port)", "http://127.0.0.1:\(nginxPort)"] {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            probe.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "\(base)/streams/\(id)/240p/seg-99999.m4s"]
            let pipe = Pipe()
            probe.standardOutput = pipe
            try probe.run()
            let answer = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            probe.waitUntilExit()
            guard answer == "200 \(1 << 20)" else {
                throw BenchError("\(base) answered \(answer) for the segment; nginx error log: \((try? String(contentsOfFile: dir + "/nginx-error.log", encoding: .utf8)) ?? "")")
            }
        }

        for (label, path) in [("1 MB segment", "240p/seg-99999.m4s"), ("playlist", "240p/media.m3u8")] {
            let ours = wrk("http://127.0.0.1:\(daemon.port)/streams/\(id)/\(path)", duration: duration)
            let peer = wrk("http://127.0.0.1:\(nginxPort)/streams/\(id)/\(path)", duration: duration)
            let target = label == "playlist" ? "≥ 0.5x" : "≥ 0.9x"
            print("serving \(label): kinora \(formatted(ours, 0)) req/s, nginx \(formatted(peer, 0)) req/s = \(formatted(ours / max(peer, 1), 2))x (target \(target); wrk -t2 -c50 -d\(duration)s)")
        }
    }

    /// Requests per second reported by wrk.
    static func wrk(_ url: String, duration: Int) -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c50", "-d\(duration)s", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return 0 }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
        return Double(line?.split(separator: " ").last ?? "") ?? 0
    }
}
