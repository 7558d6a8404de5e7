import Foundation

/// Time from "upload complete" (the 201 of POST /api/v1/videos) to `playable` for a 60 s
/// 1080p30 source through the real daemon (target < 15 s). No peer serves this workflow here,
/// so the figure is absolute.
enum FirstPlayableBenchmark {
    static func run(seconds: Int) async throws {
        let dir = benchDir + "/first-playable"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/source.mp4"
        guard
            shellArray([
                "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=\(seconds)",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:v", "libx264", "-preset", "veryfast",
                "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source,
            ]) == 0
        else {
            throw BenchError("ffmpeg could not make the source")
        }
        let daemon = try BenchDaemon(dataDir: dir + "/data")
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let token = try String(contentsOfFile: dir + "/data/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let response = dir + "/created.json"
        let answer = try capture(
            "/usr/bin/curl",
            [
                "-s", "-o", response, "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
                "-F", "file=@\(source)", "http://127.0.0.1:\(daemon.port)/api/v1/videos",
            ])
        guard answer == "201" else { throw BenchError("the upload answered \(answer), not 201") }
        guard let created = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: response))) as? [String: Any],
            let id = created["id"] as? String
        else {
            throw BenchError("upload failed")
        }
        let uploaded = DispatchTime.now().uptimeNanoseconds
        var playableAt: Double?
        while true {
            let status = dir + "/status.json"
            _ = shellArray(["/usr/bin/curl", "-s", "-o", status, "http://127.0.0.1:\(daemon.port)/api/v1/videos/\(id)"])
            let video = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: status)))) as? [String: Any]
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - uploaded) / 1e9
            if playableAt == nil, video?["playable"] as? Bool == true { playableAt = elapsed }
            if video?["status"] as? String == "ready" {
                print(
                    "first-playable (\(seconds) s 1080p30 upload): playable after \(formatted(playableAt ?? elapsed)) s (target < 15 s), "
                        + "whole ladder ready after \(formatted(elapsed)) s (absolute: no peer runs this workflow)")
                return
            }
            if video?["status"] as? String == "failed" { throw BenchError("transcode failed: \(video?["error"] ?? "?")") }
            guard elapsed < 600 else { throw BenchError("not ready after 600 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
