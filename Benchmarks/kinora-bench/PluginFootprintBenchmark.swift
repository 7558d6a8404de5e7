import Foundation

/// Issue 15, item 5: what installed-but-unused plugin modules cost the daemon. Cold start (to a
/// 200 on /readyz) and idle resident memory, (a) with the bundled modules and the default
/// instances, (b) with 20 extra modules installed that link what real plugins link (libcurl,
/// libxml2, FFmpeg's libavformat, OpenSSL's libcrypto) and that no instance uses.
/// Targets: < 300 ms and < 50 MB in both.
enum PluginFootprintBenchmark {
    static let extraCount = 20
    static let libraries = ["curl", "xml2", "avformat", "crypto"]

    static func run(runs: Int) async throws {
        let root = benchDir + "/plugin-footprint"
        let extra = root + "/extra-plugins"
        try FileManager.default.createDirectory(atPath: extra, withIntermediateDirectories: true)
        try buildExtraModules(into: extra, scratch: root)

        let bundled = try await measure(label: "bundled modules, default instances", dataDir: root + "/a/data", config: "", runs: runs)
        let withExtra = try await measure(
            label: "+\(extraCount) unused modules linking libcurl, libxml2, libavformat, libcrypto", dataDir: root + "/b/data",
            config: "[plugins]\nfolders = [\"\(extra)\"]\n", runs: runs, expectExtra: true)
        for figure in [bundled, withExtra] {
            print(
                "plugin-footprint: \(figure.label): cold start median \(formatted(figure.median)) ms (first start, inspecting every module: \(formatted(figure.first)) ms) (target < 300 ms); idle \(formatted(figure.rssMiB)) MiB resident (target < 50 MB)"
            )
        }
    }

    struct Figure {
        var label: String
        var first: Double
        var median: Double
        var rssMiB: Double
    }

    static func measure(label: String, dataDir: String, config: String, runs: Int, expectExtra: Bool = false) async throws -> Figure {
        // The first start creates the database and inspects every module (the cache is empty);
        // the timed runs start on that data folder, as a restarted daemon does.
        let first = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
        let firstTime = try first.startAndWaitReady()
        first.stop()
        var times: [Double] = []
        for _ in 0..<runs {
            let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
            times.append(try daemon.startAndWaitReady())
            daemon.stop()
        }
        let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
        _ = try daemon.startAndWaitReady()
        try await Task.sleep(for: .seconds(3))
        let pid = daemon.process.processIdentifier
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let maps = readWhole("/proc/\(pid)/maps")
        daemon.stop()
        let rssKB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { line in
            Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        guard let rssKB else { throw BenchError("no VmRSS for the daemon") }
        if expectExtra {
            // A figure is only one if the modules were there to be skipped: the daemon must list
            // all of them and map none.
            let configFile = (dataDir as NSString).deletingLastPathComponent + "/quiet.toml"
            let list = try runProgram(BenchDaemon.executable, ["plugin", "list", "--config", configFile, "--data-dir", dataDir])
            let listed = list.output.components(separatedBy: "org.bench.extra-").count - 1
            guard list.status == 0, listed == extraCount else {
                throw BenchError("kinora plugin list shows \(listed) of \(extraCount) extra modules (exit \(list.status)):\n\(list.output)")
            }
            guard !maps.contains("/extra-plugins/") else { throw BenchError("the daemon mapped an unused extra module") }
        }
        return Figure(label: label, first: firstTime, median: median(times), rssMiB: rssKB / 1024)
    }

    /// Builds the extra modules with `cc`, each a valid module with one moderation plugin
    /// descriptor; `--no-as-needed` keeps the four libraries NEEDED although the code calls none.
    static func buildExtraModules(into folder: String, scratch: String) throws {
        for index in 1...extraCount {
            let source = scratch + "/extra-\(index).c"
            try moduleSource(index: index).write(toFile: source, atomically: true, encoding: .utf8)
            let output = folder + "/libbench-extra-\(index).so"
            let result = try runProgram(
                "/usr/bin/cc",
                [
                    "-std=c11", "-shared", "-fPIC", "-fvisibility=hidden", "-I", repositoryRoot + "/SDK/c/abi/include", "-o", output, source,
                    "-Wl,--no-as-needed",
                ] + libraries.map { "-l" + $0 })
            guard result.status == 0 else { throw BenchError("cc failed for \(source):\n\(result.output)") }
        }
        let needed = try runProgram("/usr/bin/readelf", ["-d", folder + "/libbench-extra-1.so"]).output
        for library in libraries where !needed.contains("lib\(library).so") {
            throw BenchError("the extra modules do not link lib\(library) (readelf -d):\n\(needed)")
        }
    }

    static func moduleSource(index: Int) -> String {
        """
        #include <kinora/plugin.h>
        #include <string.h>
        static const char *const interfaces[] = {KN_MODERATION_ID, NULL};
        static const kn_plugin_descriptor_t descriptor = {
            .abi = KN_ABI_VERSION_INIT, .id = "org.bench.extra-\(index)", .name = "Benchmark extra \(index)",
            .version = "1.0.0", .interfaces = interfaces,
        };
        static uint32_t count(const kn_plugin_factory_t *f) { (void)f; return 1; }
        static const kn_plugin_descriptor_t *get_descriptor(const kn_plugin_factory_t *f, uint32_t i) {
            (void)f; return i == 0 ? &descriptor : NULL;
        }
        static kn_status_t create(const kn_plugin_factory_t *f, const kn_host_t *h, const char *id, const char *json,
                                  const kn_plugin_t **out, kn_error_t *err) {
            (void)f; (void)h; (void)id; (void)json; (void)out; (void)err; return KN_E_UNSUPPORTED;
        }
        static const kn_plugin_factory_t factory = {.count = count, .get_descriptor = get_descriptor, .create = create};
        static kn_status_t init(const kn_host_t *h, const char *p, kn_error_t *err) { (void)h; (void)p; (void)err; return KN_OK; }
        static void deinit(void) {}
        static const void *get_factory(const char *id) { return strcmp(id, KN_PLUGIN_FACTORY_ID) == 0 ? &factory : NULL; }
        static const kn_module_entry_t entry = {.abi = KN_ABI_VERSION_INIT, .init = init, .deinit = deinit, .get_factory = get_factory};
        KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }

        """
    }

    static var repositoryRoot: String {
        // Benchmarks/kinora-bench/PluginFootprintBenchmark.swift → the repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// A /proc file read to its end (its stat size is 0, which Foundation's readers trust).
    static func readWhole(_ path: String) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let n = read(fd, &chunk, chunk.count), n > 0 { bytes += chunk[0..<n] }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func runProgram(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
