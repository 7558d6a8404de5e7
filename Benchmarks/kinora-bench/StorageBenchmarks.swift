import Foundation
import KinoraConfiguration
import KinoraHost
import Logging

func localStorage(_ root: String) throws -> (PluginRegistry, StorageClient) {
    let registry = PluginRegistry(
        environment: HostEnvironment(logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }, version: "bench"), workerThreads: 4)
    let module = (BenchDaemon.executable as NSString).deletingLastPathComponent + "/libkinora-storage-local.so"
    try registry.loadModule(at: module)
    registry.createInstances([InstanceConfig(name: "bench", pluginID: "org.kinora.storage-local", settings: ["root": .string(root)])])
    registry.startAll()
    guard let storage = registry.storage(named: "bench") else { throw BenchError("storage-local did not start") }
    return (registry, storage)
}

/// The cost of a storage `stat` through the C ABI, against the same work as a direct Swift call.
enum ABIOverhead {
    static func run(calls: Int) async throws {
        let root = benchDir + "/abi"
        let (registry, storage) = try localStorage(root)
        try await storage.put("videos/v1/seg-00001.m4s", bytes: [UInt8](repeating: 1, count: 4096))
        let path = root + "/videos/v1/seg-00001.m4s"

        // The same system calls the plugin makes, called directly from Swift (fgetxattr is not
        // in Swift's Glibc module: look it up as the plugin does).
        typealias FGetXattr = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutableRawPointer, Int) -> Int
        guard let symbol = dlsym(nil, "fgetxattr") else { throw BenchError("no fgetxattr") }
        let fgetxattr = unsafeBitCast(symbol, to: FGetXattr.self)
        func direct() -> Int64 {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            var st = stat()
            fstat(fd, &st)
            var type = [CChar](repeating: 0, count: 256)
            _ = fgetxattr(fd, "user.kinora.content_type", &type, 255)
            close(fd)
            return Int64(st.st_size)
        }
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls { try body() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls)
        }
        for _ in 0..<1000 {
            _ = direct()
            _ = try storage.statBlocking("videos/v1/seg-00001.m4s")
        }
        let directNs = time { _ = direct() }
        let abiNs = try time { _ = try storage.statBlocking("videos/v1/seg-00001.m4s") }
        let asyncCalls = min(calls, 50_000)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<asyncCalls { _ = try await storage.stat("videos/v1/seg-00001.m4s") }
        let asyncNs = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(asyncCalls)
        print(
            "abi-overhead: direct Swift \(formatted(directNs / 1000, 2)) µs, through the ABI \(formatted(abiNs / 1000, 2)) µs (overhead \(formatted((abiNs - directNs) / 1000, 2)) µs, ratio \(formatted(abiNs / directNs, 2))x; target < 2 µs), awaited on the call pool \(formatted(asyncNs / 1000, 2)) µs"
        )
        await registry.stopAll()
    }
}

/// storage-local put and get of a large file against the peer `cp` (+ `sync` for the put,
/// since the plugin fsyncs).
enum StorageIO {
    static func run(sizeMiB: Int) async throws {
        let source = benchDir + "/source.bin"
        try writeSource(source, mib: sizeMiB)
        let (registry, storage) = try localStorage(benchDir + "/objects")
        shell("sync")

        let cpSync = try timed {
            try S3IO.check(shell("cp", source, benchDir + "/cp-copy.bin"), "cp")
            shell("sync")
        }
        let put = try await timedAsync { try await storage.put("bench/put-file.bin", file: source) }
        let streamed = try await timedAsync { try await storage.put("bench/put-stream.bin", body: FileChunks(path: source)) }
        shell("sync")

        let cpRead = try timed { try S3IO.check(shell("cp", benchDir + "/objects/bench/put-file.bin", benchDir + "/cp-read.bin"), "cp") }
        let output = open(benchDir + "/get.bin", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let get = try await timedAsync {
            try await storage.get("bench/put-file.bin") { chunk in
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
        let mib = Double(sizeMiB)
        print(
            "storage-io (\(sizeMiB) MiB): cp+sync \(formatted(cpSync, 2)) s; put(file) \(formatted(put, 2)) s = \(formatted(put / cpSync, 2))x; put(stream) \(formatted(streamed, 2)) s = \(formatted(streamed / cpSync, 2))x (target within 1.2x)"
        )
        print(
            "storage-io (\(sizeMiB) MiB): cp \(formatted(cpRead, 2)) s; get \(formatted(get, 2)) s = \(formatted(get / cpRead, 2))x (\(formatted(mib / get, 0)) MiB/s)"
        )
        await registry.stopAll()
    }

    static func writeSource(_ path: String, mib: Int) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        var state: UInt64 = 0x1234_5678
        var chunk = [UInt64](repeating: 0, count: 1 << 17)
        for _ in 0..<mib {
            for i in chunk.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                chunk[i] = state
            }
            _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func timedAsync(_ body: () async throws -> Void) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

@discardableResult
func shell(_ arguments: String...) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    try? process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// A file read in 1 MiB chunks: what an upload arriving over the network looks like to storage.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let path: String
    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        mutating func next() async throws -> [UInt8]? {
            guard let data = try handle?.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            return [UInt8](data)
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: FileHandle(forReadingAtPath: path)) }
}
