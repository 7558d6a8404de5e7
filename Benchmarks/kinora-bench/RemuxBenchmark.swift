import Foundation

/// Remux-only packaging (`kinora-media transcode --remux-only`: the source's H.264 copied into
/// CMAF segments, AAC copied) against `ffmpeg -c copy -f hls` writing fMP4 segments of the same
/// length, on a generated 60 s 1080p30 H.264 + AAC source whose key frames fall every 2 s.
enum RemuxBenchmark {
    static func run(seconds: Int, runs: Int) throws {
        let dir = benchDir + "/remux"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/source.mp4"
        // 4.5 Mb/s stays within 1.5x of the 1080p rung's 5 Mb/s; key frames only every 60 frames.
        let made = shellArray([
            "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=\(seconds)",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:v", "libx264", "-preset", "veryfast",
            "-b:v", "4500k", "-maxrate", "6000k", "-bufsize", "9000k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source,
        ])
        guard made == 0 else { throw BenchError("making the source failed with status \(made)") }
        let worker = (BenchDaemon.executable as NSString).deletingLastPathComponent + "/kinora-media"
        let ours = [worker, "transcode", source, dir + "/ours", "--remux-only"]
        let peer = [
            "/usr/bin/ffmpeg", "-v", "error", "-y", "-i", source, "-c", "copy", "-f", "hls", "-hls_time", "4",
            "-hls_segment_type", "fmp4", "-hls_playlist_type", "vod", dir + "/peer/x.m3u8",
        ]

        // A first run of each, untimed: it warms the page cache and proves both really remux.
        try FileManager.default.createDirectory(atPath: dir + "/peer", withIntermediateDirectories: true)
        let answer = output(ours)
        guard answer.contains(#""ok":true"#), answer.contains(#""passthrough":true"#) else {
            throw BenchError("kinora-media did not remux the source: \(answer.suffix(400))")
        }
        guard shellArray(peer) == 0 else { throw BenchError("ffmpeg -c copy -f hls failed") }

        var oursTimes: [Double] = []
        var peerTimes: [Double] = []
        for _ in 0..<runs {
            // Alternated, so drift in the machine's load falls on both alike.
            try? FileManager.default.removeItem(atPath: dir + "/ours")
            oursTimes.append(try timed(ours))
            try? FileManager.default.removeItem(atPath: dir + "/peer")
            try FileManager.default.createDirectory(atPath: dir + "/peer", withIntermediateDirectories: true)
            peerTimes.append(try timed(peer))
        }
        let (a, b) = (median(oursTimes), median(peerTimes))
        print(
            "remux (\(seconds) s 1080p30 H.264 + AAC, key frames every 2 s, median of \(runs)): kinora-media --remux-only "
                + "\(formatted(a * 1000)) ms, ffmpeg -c copy -f hls (fmp4, 4 s) \(formatted(b * 1000)) ms = \(formatted(a / b, 2))x (target ≤ 1.2x)")
    }

    static func timed(_ command: [String]) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        let status = shellArray(command)
        guard status == 0 else { throw BenchError("\(command[0]) failed with status \(status)") }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The command's standard output.
    static func output(_ command: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
