import Foundation

/// The watch page in a real browser (Debian's chromium, driven by Benchmarks/browser/
/// watch_page.py through the tests' virtual environment): first video frame after navigation
/// (target < 1 s) and bytes transferred without the video (target < 150 KB). A creator uploads
/// a generated 10 s 720p clip first, and it again as eight more videos so the page's up-next
/// list is full (eight cards with their pictures, as on a real catalog). No peer player runs
/// here, so the figures are absolute.
enum WatchPageBenchmark {
    static func run(runs: Int) async throws {
        let root = FileManager.default.currentDirectoryPath
        let dataDir = benchDir + "/watch/data"
        let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: "[rate_limit]\nenabled = false\n", shareDir: root + "/share")
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let base = "http://127.0.0.1:\(daemon.port)"

        let clip = benchDir + "/watch/clip.mp4"
        guard
            shellArray([
                "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=10",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-c:v", "libx264", "-preset", "veryfast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip,
            ]) == 0
        else { throw BenchError("ffmpeg could not make the clip") }
        let token = try daemon.account("bench", role: "creator", dataDir: dataDir)
        var ids: [String] = []
        for number in 0...8 {
            let upload = try capture(
                "/usr/bin/curl",
                [
                    "-sf", "-H", "Authorization: Bearer \(token)", "-F", "file=@\(clip);type=video/mp4",
                    "-F", "title=Watch page benchmark \(number)", base + "/api/v1/videos",
                ])
            guard let id = (try JSONSerialization.jsonObject(with: Data(upload.utf8)) as? [String: Any])?["id"] as? String else {
                throw BenchError("upload failed: \(upload)")
            }
            ids.append(id)
        }
        let deadline = Date().addingTimeInterval(600)
        var waiting = Set(ids)
        while !waiting.isEmpty, Date() < deadline {
            for candidate in waiting {
                let video = try capture("/usr/bin/curl", ["-sf", base + "/api/v1/videos/\(candidate)"])
                if (try JSONSerialization.jsonObject(with: Data(video.utf8)) as? [String: Any])?["status"] as? String == "ready" {
                    waiting.remove(candidate)
                }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        guard waiting.isEmpty else { throw BenchError("\(waiting.count) of the videos were not ready in 10 minutes") }
        let id = ids[0]

        let venv = try capture("/bin/bash", [root + "/Tests/Fixtures/python/ensure-venv.sh"])
        guard let python = venv.split(separator: "\n").last.map(String.init) else { throw BenchError("no test venv") }
        let output = try capture(python, [root + "/Benchmarks/browser/watch_page.py", base, id, String(runs)])
        guard let line = output.split(separator: "\n").last,
            let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let frame = result["median_first_frame_ms"] as? Double, let bytes = result["median_page_bytes"] as? Double
        else {
            throw BenchError("watch_page.py printed: \(output)")
        }
        print(
            "watch-page: first video frame \(formatted(frame)) ms after navigation (median of \(runs) fresh browsers; all: \(result["first_frame_ms"] ?? "")) (target < 1000 ms, absolute)"
        )
        print(
            "watch-page: \(formatted(bytes / 1024)) KiB transferred without the video (median; requests counted/segments left out: \(result["requests"] ?? "")) (target < 150 KB, absolute)"
        )
    }
}
