import Foundation

/// The decode-once ladder (kinora-media) against one ffmpeg process doing the same ladder with
/// `split` and the same settings, and against four separate ffmpeg runs, on a generated
/// 60 s 1080p30 source. Also the first pass's extra CPU and peak memory of each.
enum LadderBenchmark {
    static func run(seconds: Int) async throws {
        let dir = benchDir + "/ladder"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/source.mp4"
        _ = try check(
            measure([
                "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=\(seconds)",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:v", "libx264", "-preset", "veryfast",
                "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source,
            ]), "making the source")
        let worker = (BenchDaemon.executable as NSString).deletingLastPathComponent + "/kinora-media"
        let ours = try check(
            measure([worker, "transcode", source, dir + "/ours", "--rungs", "240,480,720,1080", "--preset", "veryfast"]), "kinora-media")
        // What the daemon runs: the first pass (lowest rung, audio, thumbnails), then the rest
        // of the ladder. Its extra CPU is what the two cost beyond the one-pass ladder.
        let firstPass = try check(
            measure([
                worker, "transcode", source, dir + "/first", "--first-pass-only", "--thumbnails",
                "--preset", "veryfast",
            ]), "first pass")
        let rest = try check(
            measure([
                worker, "transcode", source, dir + "/rest", "--rungs", "480,720,1080", "--no-audio",
                "--preset", "veryfast",
            ]), "rest of the ladder")

        // The same ladder in one ffmpeg: decode once, split, scale, x264 veryfast, 4 s closed GOPs.
        let rungs = [(1080, 1920, "5000k"), (720, 1280, "2800k"), (480, 854, "1400k"), (240, 426, "400k")]
        var filter = "[0:v]split=4" + (0..<4).map { "[s\($0)]" }.joined() + ";"
        filter += rungs.enumerated().map { "[s\($0.offset)]scale=\($0.element.1):\($0.element.0)[v\($0.offset)]" }.joined(separator: ";")
        var split = ["/usr/bin/ffmpeg", "-v", "error", "-y", "-i", source, "-filter_complex", filter]
        for (index, rung) in rungs.enumerated() {
            split += [
                "-map", "[v\(index)]", "-c:v", "libx264", "-preset", "veryfast", "-b:v", rung.2, "-g", "120", "-keyint_min", "120",
                "-sc_threshold", "0", "-an", "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov", dir + "/split-\(rung.0).mp4",
            ]
        }
        split += ["-map", "0:a", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000", "-vn", "-f", "mp4", dir + "/split-audio.mp4"]
        let peer = try check(measure(split), "ffmpeg split")
        var separate = Measurement(wall: 0, cpu: 0, peakKiB: 0, status: 0)
        for rung in rungs {
            let one = try check(
                measure([
                    "/usr/bin/ffmpeg", "-v", "error", "-y", "-i", source, "-vf", "scale=\(rung.1):\(rung.0)", "-c:v", "libx264",
                    "-preset", "veryfast", "-b:v", rung.2, "-g", "120", "-keyint_min", "120", "-sc_threshold", "0", "-an",
                    dir + "/sep-\(rung.0).mp4",
                ]), "ffmpeg \(rung.0)p")
            separate.wall += one.wall
            separate.cpu += one.cpu
        }
        print(
            "ladder (\(seconds) s 1080p30 → 1080/720/480/240 + AAC, veryfast): kinora-media \(formatted(ours.wall)) s wall, "
                + "ffmpeg split \(formatted(peer.wall)) s = \(formatted(ours.wall / peer.wall, 2))x (target ≤ 1.05x), "
                + "4 separate ffmpeg \(formatted(separate.wall)) s (ours \(formatted(ours.wall / separate.wall, 2))x)")
        let extra = firstPass.cpu + rest.cpu - ours.cpu
        print(
            "ladder: CPU kinora-media \(formatted(ours.cpu)) s, ffmpeg split \(formatted(peer.cpu)) s; first pass \(formatted(firstPass.wall)) s wall, "
                + "\(formatted(firstPass.cpu)) s CPU, then the rest \(formatted(rest.cpu)) s CPU: the two-pass pipeline costs "
                + "\(formatted(extra)) s = \(formatted(100 * extra / ours.cpu))% more CPU than the one-pass ladder (target < 15%); "
                + "peak memory kinora-media \(ours.peakKiB / 1024) MiB, ffmpeg \(peer.peakKiB / 1024) MiB (target < 600 MB)")
    }

    struct Measurement {
        var wall: Double
        var cpu: Double
        var peakKiB: Int
        var status: Int32
    }

    /// Runs a command under GNU time for wall, user+system CPU and peak RSS.
    static func measure(_ command: [String]) throws -> Measurement {
        let report = benchDir + "/time.txt"
        let start = DispatchTime.now().uptimeNanoseconds
        let status = shellArray(["/usr/bin/time", "-o", report, "-f", "%U %S %M"] + command)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let fields = ((try? String(contentsOfFile: report, encoding: .utf8)) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" })
        let numbers = fields.suffix(3).compactMap { Double($0) }
        guard numbers.count == 3 else { return Measurement(wall: wall, cpu: 0, peakKiB: 0, status: status) }
        return Measurement(wall: wall, cpu: numbers[0] + numbers[1], peakKiB: Int(numbers[2]), status: status)
    }

    static func check(_ measurement: Measurement, _ what: String) throws -> Measurement {
        guard measurement.status == 0 else { throw BenchError("\(what) failed with status \(measurement.status)") }
        return measurement
    }
}

func shellArray(_ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
