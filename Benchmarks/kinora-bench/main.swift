import Foundation
import KinoraHost
import Logging

// Benchmarks for the foundation issue. Run from a release build:
//   swift build -c release && .build/release/kinora-bench all
// Each prints the figure, the target, and a ratio where a peer (cp, sync) runs the same work.

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "all"
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}

let benchDir = FileManager.default.currentDirectoryPath + "/.build/bench-tmp"
try? FileManager.default.removeItem(atPath: benchDir)
try FileManager.default.createDirectory(atPath: benchDir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: benchDir) }

do {
    switch command {
    case "cold-start": try await ColdStart.run(runs: option("--runs", 15))
    case "idle-memory": try await IdleMemory.run()
    case "plugin-footprint": try await PluginFootprintBenchmark.run(runs: option("--runs", 15))
    case "abi-overhead": try await ABIOverhead.run(calls: option("--calls", 200_000))
    case "storage-io": try await StorageIO.run(sizeMiB: option("--size-mib", 1024))
    case "ladder": try await LadderBenchmark.run(seconds: option("--seconds", 60))
    case "first-playable": try await FirstPlayableBenchmark.run(seconds: option("--seconds", 60))
    case "remux": try RemuxBenchmark.run(seconds: option("--seconds", 60), runs: option("--runs", 5))
    case "serving": try await ServingBenchmark.run(duration: option("--seconds", 10), rounds: option("--rounds", 3))
    case "upload": try await UploadBenchmark.run(sizeMiB: option("--size-mib", 4096))
    case "s3-io": try await S3IO.run(sizeMiB: option("--size-mib", 1024))
    case "auth": try AuthBenchmark.run(rounds: option("--runs", 9))
    case "watch-page": try await WatchPageBenchmark.run(runs: option("--runs", 5))
    case "catalog": try await CatalogBenchmark.run(seconds: option("--seconds", 20), rate: Double(option("--rate", 200)))
    case "job-claims": try JobClaimBenchmark.run(jobs: option("--jobs", 20_000), loops: option("--loops", 8))
    case "scale-out": try await ScaleOutBenchmark.run(duration: option("--seconds", 10), rounds: option("--rounds", 3), videos: option("--videos", 10_000))
    case "social": try await SocialBenchmark.run(seconds: option("--seconds", 20), rate: Double(option("--rate", 200)), posts: option("--posts", 2000))
    case "notify":
        try await NotifyBenchmark.run(mails: option("--mails", 3000), subscribers: option("--subscribers", 100_000), rate: Double(option("--rate", 200)))
    case "all":
        try await ColdStart.run(runs: option("--runs", 15))
        try await IdleMemory.run()
        try await PluginFootprintBenchmark.run(runs: option("--runs", 15))
        try await ABIOverhead.run(calls: option("--calls", 200_000))
        try await StorageIO.run(sizeMiB: option("--size-mib", 1024))
        try await LadderBenchmark.run(seconds: option("--seconds", 60))
        try await FirstPlayableBenchmark.run(seconds: option("--seconds", 60))
        try RemuxBenchmark.run(seconds: option("--seconds", 60), runs: 5)
        try await ServingBenchmark.run(duration: 10, rounds: 3)
        try await UploadBenchmark.run(sizeMiB: 4096)
        try AuthBenchmark.run(rounds: 9)
        try await CatalogBenchmark.run(seconds: 20, rate: 200)
        try await ScaleOutBenchmark.run(duration: 10, rounds: 3, videos: 10_000)
        try await SocialBenchmark.run(seconds: 20, rate: 200, posts: 2000)
    default:
        FileHandle.standardError.write(
            Data(
                "usage: kinora-bench [all|cold-start|idle-memory|plugin-footprint|abi-overhead|storage-io|ladder|first-playable|remux|serving|upload|s3-io|auth|catalog|watch-page|job-claims|scale-out|social|notify] [--rate N] [--mails N] [--subscribers N] [--posts N] [--rounds N] [--runs N] [--calls N] [--size-mib N] [--seconds N] [--videos N]\n"
                    .utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("kinora-bench \(command): \(error)\n".utf8))
    exit(1)
}
