import Foundation

/// Time from "upload complete" (the 201 of POST /api/v1/videos) to `playable` for a 60 s
/// 1080p30 source through the real daemon (target < 15 s). No peer serves this workflow here,
/// so the figure is absolute.
enum FirstPlayableBenchmark {
    /// What the source carries besides its video: one stereo track, then the issue-16 set
    /// (English and French stereo and an English 5.1 track), each of which the first pass
    /// encodes (stereo, plus 5.1 beside it) before the video can play.
    enum Audio: String, CaseIterable {
        case stereo = "one stereo track"
        case multilingual = "English and French stereo and English 5.1"

        func ffmpegArguments(seconds: Int) -> [String] {
            switch self {
            case .stereo:
                return ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-map", "0:v", "-map", "1:a", "-c:a", "aac"]
            case .multilingual:
                let surround = (0..<6).map { "sin(\(330 + 110 * $0)*2*PI*t)" }.joined(separator: "|")
                return [
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)",
                    "-f", "lavfi", "-i", "sine=frequency=660:duration=\(seconds)",
                    "-f", "lavfi", "-i", "aevalsrc=\(surround):channel_layout=5.1:sample_rate=48000:duration=\(seconds)",
                    "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:a", "-c:a", "aac",
                    "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra", "-metadata:s:a:2", "language=eng",
                ]
            }
        }
    }

    static func run(seconds: Int) async throws {
        for audio in Audio.allCases { try await run(seconds: seconds, audio: audio) }
    }

    static func run(seconds: Int, audio: Audio) async throws {
        let dir = benchDir + "/first-playable-\(audio == .stereo ? "stereo" : "multilingual")"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = dir + "/source.mp4"
        guard
            shellArray(
                [
                    "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=\(seconds)",
                ] + audio.ffmpegArguments(seconds: seconds) + [
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-shortest", source,
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
                    "first-playable (\(seconds) s 1080p30 upload, \(audio.rawValue)): playable after \(formatted(playableAt ?? elapsed)) s (target < 15 s), "
                        + "whole ladder ready after \(formatted(elapsed)) s (absolute: no peer runs this workflow)")
                return
            }
            if video?["status"] as? String == "failed" { throw BenchError("transcode failed: \(video?["error"] ?? "?")") }
            guard elapsed < 600 else { throw BenchError("not ready after 600 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
