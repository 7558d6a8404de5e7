import Foundation

/// A multi-gigabyte upload, once as `multipart/form-data` and once as one tus PATCH, with the
/// daemon's resident memory sampled every 50 ms: it must stay flat whatever the size. The
/// file is sparse (zeros read at memory speed), so the client is never the bottleneck; the
/// daemon refuses it after receiving it (not media), which is when the memory peak is read.
enum UploadBenchmark {
    static func run(sizeMiB: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            throw BenchError("/usr/bin/curl is missing: apt-get install curl")
        }
        let dir = benchDir + "/upload"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/zeros.bin"
        let bytes = Int64(sizeMiB) << 20
        FileManager.default.createFile(atPath: source, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: source))
        try handle.truncate(atOffset: UInt64(bytes))
        try handle.close()

        let daemon = try BenchDaemon(dataDir: dir + "/data", quiet: true)
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let token = try String(contentsOfFile: dir + "/data/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let base = "http://127.0.0.1:\(daemon.port)"
        let pid = daemon.process.processIdentifier

        let multipart = try measure(pid: pid) {
            curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)", "-F", "file=@\(source)", base + "/api/v1/videos"])
        }
        let created = curl([
            "-D", "-", "-o", "/dev/null", "-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Tus-Resumable: 1.0.0",
            "-H", "Upload-Length: \(bytes)", base + "/api/v1/uploads",
        ])
        guard created.hasPrefix("HTTP/1.1 201") else { throw BenchError("tus creation answered \(created.prefix(40)), not 201") }
        guard
            let location = created.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("location:") })?
                .dropFirst("location:".count).trimmingCharacters(in: .whitespaces)
        else { throw BenchError("tus creation failed: \(created)") }
        let tus = try measure(pid: pid) {
            curl([
                "-o", "/dev/null", "-w", "%{http_code}", "-X", "PATCH", "-T", source, "-H", "Authorization: Bearer \(token)",
                "-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                base + location,
            ])
        }
        // The zeros are refused as not media once received (422): any other answer means the
        // upload was not received whole (a 413, a 429, a reset), and the memory figure is void.
        for (label, result) in [("multipart", multipart), ("tus PATCH", tus)] where result.answer != "422" {
            throw BenchError(
                "upload \(label) answered \(result.answer.isEmpty ? "nothing" : result.answer), not 422 (refused as not media after receiving it)")
        }
        for (label, result) in [("multipart", multipart), ("tus PATCH", tus)] {
            print(
                "upload \(label) of \(sizeMiB) MiB: \(formatted(Double(sizeMiB) / result.seconds)) MiB/s, answered \(result.answer), "
                    + "daemon resident memory \(result.baselineMiB) MiB before, peak \(result.peakMiB) MiB = +\(result.peakMiB - result.baselineMiB) MiB "
                    + "(target: flat, < +64 MiB; absolute, no peer)")
        }
    }

    struct Result {
        var seconds: Double
        var answer: String
        var baselineMiB: Int
        var peakMiB: Int
    }

    /// Runs `work` while a thread samples VmRSS of `pid` every 50 ms.
    static func measure(pid: Int32, _ work: () -> String) throws -> Result {
        let baseline = rssKiB(pid)
        let peak = LockedMax(baseline)
        let done = LockedFlag()
        let sampler = Thread {
            while !done.isSet {
                peak.offer(rssKiB(pid))
                usleep(50_000)
            }
        }
        sampler.start()
        let started = Date()
        let answer = work()
        let seconds = Date().timeIntervalSince(started)
        done.set()
        peak.offer(rssKiB(pid))
        return Result(seconds: seconds, answer: answer, baselineMiB: baseline / 1024, peakMiB: peak.value / 1024)
    }

    static func rssKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
    }

    /// curl's standard output (`-s` added), as text.
    static func curl(_ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

final class LockedMax: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int
    init(_ value: Int) { current = value }
    func offer(_ value: Int) { lock.withLock { current = max(current, value) } }
    var value: Int { lock.withLock { current } }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var isSet: Bool { lock.withLock { flag } }
}
