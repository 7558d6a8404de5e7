import Foundation
import KinoraConfiguration
import KinoraHost
import Logging

/// storage-s3 against `aws s3 cp`, both to the same radosgw (Tests/Fixtures/s3/ceph-s3-up.sh,
/// started and stopped here): put of a file (fd path) and of the same bytes streamed in 1 MiB
/// chunks, and get streamed into a file; resident memory of this process (the host side of
/// the plugin) sampled every 20 ms during the transfers.
enum S3IO {
    static let peerDir = NSTemporaryDirectory() + "kinora-s3-bench-peer"
    static let fixtures = FileManager.default.currentDirectoryPath + "/Tests/Fixtures/s3"

    static func run(sizeMiB: Int) async throws {
        // system(3), not Process: the Ceph daemons the script leaves running keep no pipe of ours.
        guard system("/bin/sh '\(fixtures)/ceph-s3-up.sh' '\(peerDir)' >/dev/null 2>&1 </dev/null") == 0 else {
            throw BenchError("the S3 peer did not start (radosgw, ceph-mon, ceph-osd installed?)")
        }
        defer { _ = system("/bin/sh '\(fixtures)/ceph-s3-down.sh' '\(peerDir)' >/dev/null 2>&1; rm -rf '\(peerDir)'") }
        let source = benchDir + "/source.bin"
        try StorageIO.writeSource(source, mib: sizeMiB)

        let registry = PluginRegistry(
            environment: HostEnvironment(logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }, version: "bench"), workerThreads: 4)
        try registry.loadModule(at: (BenchDaemon.executable as NSString).deletingLastPathComponent + "/libkinora-storage-s3.so")
        registry.createInstances([
            InstanceConfig(
                name: "s3", pluginID: "org.kinora.storage-s3",
                settings: .object([
                    "endpoint": .string("http://127.0.0.1:7480"), "bucket": .string("bench"), "access_key_id": .string("TESTAK0000000000"),
                    "secret_access_key": .string("testsecret0000000000"), "create_bucket": .bool(true),
                    "part_size": .integer(Int64(option("--part-mib", 16)) << 20), "concurrency": .integer(Int64(option("--concurrency", 4))),
                ]))
        ])
        registry.startAll()
        guard let storage = registry.storage(named: "s3") else {
            throw BenchError("storage-s3 did not start: \(registry.instances.map { $0.lastError ?? "" })")
        }

        let aws = [
            "/usr/bin/env", "AWS_ACCESS_KEY_ID=TESTAK0000000000", "AWS_SECRET_ACCESS_KEY=testsecret0000000000", "AWS_DEFAULT_REGION=us-east-1",
            ProcessInfo.processInfo.environment["KINORA_AWS_CLI"] ?? "aws", "--endpoint-url", "http://127.0.0.1:7480", "s3", "cp", "--quiet",
        ]
        let awsPut = try StorageIO.timed { try check(shellArray(aws + [source, "s3://bench/aws.bin"]), "aws s3 cp (put)") }
        let awsGet = try StorageIO.timed { try check(shellArray(aws + ["s3://bench/aws.bin", benchDir + "/aws-get.bin"]), "aws s3 cp (get)") }
        try? FileManager.default.removeItem(atPath: benchDir + "/aws-get.bin")

        let baseline = ResidentMemory.bytes()
        let peak = PeakMemory(baseline)
        let sampler = Task {
            while !Task.isCancelled {
                peak.sample()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let put = try await StorageIO.timedAsync { try await storage.put("plugin.bin", file: source) }
        let streamed = try await StorageIO.timedAsync { try await storage.put("plugin-stream.bin", body: FileChunks(path: source)) }
        let output = open(benchDir + "/get.bin", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let get = try await StorageIO.timedAsync {
            try await storage.get("plugin.bin") { chunk in
                guard let base = chunk.baseAddress else { return }
                var offset = 0
                while offset < chunk.count {
                    let n = write(output, base + offset, chunk.count - offset)
                    guard n > 0 else { throw BenchError("write failed: errno \(errno)") }
                    offset += n
                }
            }
        }
        close(output)
        sampler.cancel()
        let growth = peak.value - baseline
        let same = shell("cmp", "-s", source, benchDir + "/get.bin") == 0
        let mib = Double(sizeMiB)
        print(
            "s3-io (\(sizeMiB) MiB, radosgw memstore): aws s3 cp put \(formatted(awsPut, 2)) s; plugin put(file) \(formatted(put, 2)) s = \(formatted(put / awsPut, 2))x; put(stream) \(formatted(streamed, 2)) s = \(formatted(streamed / awsPut, 2))x (target within 1.2x)"
        )
        print(
            "s3-io (\(sizeMiB) MiB): aws s3 cp get \(formatted(awsGet, 2)) s; plugin get \(formatted(get, 2)) s = \(formatted(get / awsGet, 2))x (\(formatted(mib / get, 0)) MiB/s), bytes \(same ? "identical" : "DIFFER")"
        )
        guard same else { throw BenchError("s3-io: the object read back differs from the file put") }
        print("s3-io: resident memory grew by \(growth >> 20) MiB during the plugin's transfers (baseline \(baseline >> 20) MiB)")
        await registry.stopAll()
    }

    static func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else { throw BenchError("\(what) failed with status \(status)") }
    }
}

/// The highest resident memory seen.
final class PeakMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var peak: Int
    init(_ start: Int) { peak = start }
    func sample() {
        let now = ResidentMemory.bytes()
        lock.withLock { peak = max(peak, now) }
    }
    var value: Int { lock.withLock { peak } }
}
