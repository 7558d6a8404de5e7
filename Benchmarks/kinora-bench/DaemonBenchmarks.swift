import Foundation

/// Cold start of `kinora serve` on an existing data folder to a 200 on /readyz.
/// No peer media server installs here, so the figure is absolute (target: under 300 ms).
enum ColdStart {
    static func run(runs: Int) async throws {
        let dataDir = benchDir + "/cold-start"
        let first = try BenchDaemon(dataDir: dataDir)
        _ = try first.startAndWaitReady()  // creates the database, migrations, token
        first.stop()
        var times: [Double] = []
        for _ in 0..<runs {
            let daemon = try BenchDaemon(dataDir: dataDir)
            times.append(try daemon.startAndWaitReady())
            daemon.stop()
        }
        print(
            "cold-start: median \(formatted(median(times))) ms, min \(formatted(times.min() ?? 0)) ms, max \(formatted(times.max() ?? 0)) ms over \(runs) runs (target < 300 ms, absolute: no peer runs here)"
        )
    }
}

/// Resident memory of the idle daemon a few seconds after it became ready (target: < 50 MB).
enum IdleMemory {
    static func run() async throws {
        let daemon = try BenchDaemon(dataDir: benchDir + "/idle-memory")
        _ = try daemon.startAndWaitReady()
        try await Task.sleep(for: .seconds(3))
        let status = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/status", encoding: .utf8)
        let rss =
            status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) } ?? "?"
        let kb = Double(rss.split(separator: " ").first ?? "") ?? 0
        daemon.stop()
        print("idle-memory: \(formatted(kb / 1024)) MiB resident (target < 50 MB, absolute)")
    }
}
