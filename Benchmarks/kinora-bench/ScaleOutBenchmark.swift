import Foundation
import KinoraTestSupport

/// Requests per second of one request mix (catalog listings, video pages, a master and a
/// media playlist, segments) on (a) one api node directly, (b) nginx in front of two api nodes
/// and (c) nginx in front of one, all on one PostgreSQL database (issue 17). The nodes run
/// `[node] roles = ["api"]` with rate limiting off, on the same data folder for media, as
/// nodes on a shared media folder would.
///
/// Everything (wrk, nginx, both nodes, PostgreSQL) shares the machine's cores, so on a small
/// machine a second node adds no CPU: the figure is the cost of the proxy hop and of spreading
/// requests, not a scaling figure. (c) separates nginx's own cost from the second node's.
enum ScaleOutBenchmark {
    static func run(duration: Int, rounds: Int, videos: Int) async throws {
        for tool in ["/usr/sbin/nginx", "/usr/bin/wrk", "/usr/bin/curl", "/usr/bin/ffmpeg"] where !FileManager.default.isExecutableFile(atPath: tool)
        {
            throw BenchError("\(tool) is missing: apt-get install nginx wrk curl ffmpeg")
        }
        let dir = benchDir + "/scale-out"
        let dataDir = dir + "/data"
        // The catalog on SQLite as `catalog` seeds it (smaller), one real video transcoded by a
        // single-node daemon, then all of it moved to PostgreSQL as an operator moves it.
        let first = try BenchDaemon(dataDir: dataDir, quiet: true)
        _ = try first.startAndWaitReady()
        first.stop()
        try CatalogBenchmark.seed(database: dataDir + "/kinora.sqlite", users: videos / 10, creators: videos / 50, videos: videos)
        let id = try await uploadClip(dir: dir, dataDir: dataDir)
        let url = try PostgresServer.shared().makeDatabase("scaleout")
        let copy = try CatalogBenchmark.copyToPostgres(dataDir: dataDir, url: url)
        print("scale-out: \(videos) seeded videos and one transcoded clip moved to PostgreSQL in \(formatted(copy.seconds)) s (\(copy.summary))")

        let nodeConfig = "[rate_limit]\nenabled = false\n[database]\nurl = \"\(url)\"\n[node]\nroles = [\"api\"]\n"
        let nodeA = try BenchDaemon(dataDir: dataDir, quiet: true, config: nodeConfig)
        _ = try nodeA.startAndWaitReady()
        defer { nodeA.stop() }
        let nodeB = try BenchDaemon(dataDir: dataDir, quiet: true, config: nodeConfig)
        _ = try nodeB.startAndWaitReady()
        defer { nodeB.stop() }
        let paths = try requestMix(port: nodeA.port, id: id, videos: videos)

        let (nginx, onePort, twoPort) = try startNginx(dir: dir, nodes: [nodeA.port, nodeB.port])
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        let setups = [
            ("one node, direct", "http://127.0.0.1:\(nodeA.port)"), ("nginx + one node", "http://127.0.0.1:\(onePort)"),
            ("nginx + two nodes", "http://127.0.0.1:\(twoPort)"),
        ]
        let wrk = Wrk(threads: 2, connections: 50)
        let script = try writeScripts(dir: dir, paths: paths)
        // Every answer of a short run checked one by one (200 only), through each setup.
        for (name, base) in setups {
            do {
                try check(wrk, base: base, script: script.check, seconds: 2)
            } catch {
                throw BenchError("\(name): \(error); nginx error log: \((try? String(contentsOfFile: dir + "/nginx-error.log", encoding: .utf8)) ?? "")")
            }
        }
        var rates: [String: [Double]] = [:]
        for round in 0..<rounds {
            // Each round starts with another setup, so a burst of other load hits all of them.
            let order = Array(setups[(round % setups.count)...] + setups[..<(round % setups.count)])
            for (name, base) in order {
                rates[name, default: []].append(try timed(wrk, base: base, script: script.timed, seconds: duration))
            }
        }
        let direct = median(rates["one node, direct"] ?? [])
        for (name, _) in setups {
            let figures = rates[name] ?? []
            print(
                "scale-out \(name): \(formatted(median(figures), 0)) req/s (\(formatted(median(figures) / max(direct, 1), 2))x of one node direct; "
                    + "median of \(rounds) rounds: \(figures.map { formatted($0, 0) }.joined(separator: ", ")); 0 errors)")
        }
        let mix = paths.count
        print(
            "scale-out: wrk \(wrk.flags.joined(separator: " ")) -d\(duration)s over a mix of \(mix) requests (30 % catalog listings, 30 % video pages, "
                + "10 % master playlist, 10 % media playlist, 20 % segments) on \(videos) videos in PostgreSQL; api nodes with [rate_limit] "
                + "enabled = false; nginx round robin, keepalive 64. This machine has \(ProcessInfo.processInfo.activeProcessorCount) cores shared "
                + "by wrk, nginx, the nodes and PostgreSQL: the figures show the proxy's and a second node's overhead, not scaling. "
                + "Target: zero errors (non-2xx/3xx answers, socket errors); no throughput target")
    }

    /// The request mix, fetched from a running node: listings (with a later page from a real
    /// cursor), video pages across the table, the clip's master and first media playlist and
    /// its segments. 100 paths; each wrk thread walks them from its own offset.
    static func requestMix(port: Int, id: String, videos: Int) throws -> [String] {
        var listings = [
            "/api/v1/videos?limit=20", "/api/v1/videos?limit=20&sort=most_viewed", "/api/v1/videos?limit=20&tag=tag7",
            "/api/v1/videos?limit=20&channel=c000000000000042",
        ]
        if let cursor = try CatalogBenchmark.page(port: port, path: listings[0]).cursor {
            listings.append(listings[0] + "&cursor=" + cursor)
        }
        let master = "/streams/\(id)/master.m3u8"
        guard let variant = try playlistEntries(port: port, path: master).first else { throw BenchError("\(master) names no variant") }
        let media = "/streams/\(id)/" + variant
        let folder = "/streams/\(id)/" + (variant as NSString).deletingLastPathComponent + "/"
        let segments = try playlistEntries(port: port, path: media).map { folder + $0 }
        guard !segments.isEmpty else { throw BenchError("\(media) lists no segment") }
        return (0..<100).map { i in
            switch i % 10 {
            case 0, 3, 6: return listings[(i / 3) % listings.count]
            case 1, 4, 7: return "/api/v1/videos/" + CatalogBenchmark.publicVideoID(i, videos: videos)
            case 2: return master
            case 5: return media
            default: return segments[(i / 10) % segments.count]
            }
        }
    }

    /// The URIs of a playlist (lines that are not tags) and its `EXT-X-MAP` init segment.
    static func playlistEntries(port: Int, path: String) throws -> [String] {
        var connection = OpenLoopLoad.Connection(port: port)
        defer { connection.close() }
        guard let (status, body) = connection.getBody(path), status == 200 else { throw BenchError("GET \(path) failed") }
        var entries: [String] = []
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("#EXT-X-MAP:"), let start = line.range(of: "URI=\"") {
                entries.append(String(line[start.upperBound...].prefix { $0 != "\"" }))
            } else if !line.isEmpty, !line.hasPrefix("#") {
                entries.append(line)
            }
        }
        return entries
    }

    /// A 2 s clip uploaded to a single-node daemon on SQLite and transcoded to the end, so its
    /// renditions are in the data folder's media before the move.
    static func uploadClip(dir: String, dataDir: String) async throws -> String {
        let clip = dir + "/clip.mp4"
        guard
            shellArray([
                "/usr/bin/ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=2",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", clip,
            ]) == 0
        else { throw BenchError("ffmpeg failed") }
        let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: "[rate_limit]\nenabled = false\n")
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let token = try String(contentsOfFile: dataDir + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let created = dir + "/created.json"
        let uploaded = try capture(
            "/usr/bin/curl",
            [
                "-s", "-o", created, "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)", "-F", "file=@\(clip)",
                "http://127.0.0.1:\(daemon.port)/api/v1/videos",
            ])
        guard uploaded == "201" else { throw BenchError("the upload answered \(uploaded), not 201") }
        guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: created))) as? [String: Any],
            let id = json["id"] as? String
        else { throw BenchError("the upload's answer has no id") }
        let deadline = Date().addingTimeInterval(120)
        while true {
            let video = try capture(
                "/usr/bin/curl", ["-s", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(daemon.port)/api/v1/videos/\(id)"])
            let status = (try? JSONSerialization.jsonObject(with: Data(video.utf8)) as? [String: Any])?["status"] as? String
            if status == "ready" { return id }
            guard status != "failed", Date() < deadline else { throw BenchError("the clip did not become ready: \(video)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One nginx (2 workers, access log off, loopback) with two front ports: one proxying to
    /// the first node only, one spreading requests over all `nodes` (round robin: `ip_hash`
    /// would send wrk's single address to one node). Keep-alive to the nodes, as in the README's
    /// sample front.
    static func startNginx(dir: String, nodes: [Int]) throws -> (Process, one: Int, all: Int) {
        let one = try BenchDaemon.freePort()
        let all = try BenchDaemon.freePort()
        let location = """
            location / {
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_pass http://UPSTREAM;
                }
            """
        let config = """
            \(getuid() == 0 ? "user root;" : "")
            worker_processes 2;
            pid \(dir)/nginx.pid;
            error_log \(dir)/nginx-error.log;
            daemon off;
            events { worker_connections 1024; }
            http {
              access_log off;
              upstream one { server 127.0.0.1:\(nodes[0]); keepalive 64; }
              upstream all { \(nodes.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")) keepalive 64; }
              server { listen 127.0.0.1:\(one); \(location.replacingOccurrences(of: "UPSTREAM", with: "one")) }
              server { listen 127.0.0.1:\(all); \(location.replacingOccurrences(of: "UPSTREAM", with: "all")) }
            }
            """
        try config.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-c", dir + "/nginx.conf", "-p", dir]
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        let deadline = Date().addingTimeInterval(10)
        while BenchDaemon.status(port: all, path: "/readyz") != 200 || BenchDaemon.status(port: one, path: "/readyz") != 200 {
            guard nginx.isRunning, Date() < deadline else {
                nginx.terminate()
                throw BenchError("nginx did not proxy /readyz: \((try? String(contentsOfFile: dir + "/nginx-error.log", encoding: .utf8)) ?? "")")
            }
            usleep(10_000)
        }
        return (nginx, one, all)
    }

    /// wrk scripts: the mix as a Lua table each thread walks from its own offset; the timed
    /// one ends with ``Wrk``'s summary line, the check one counts every answer that is not 200.
    static func writeScripts(dir: String, paths: [String]) throws -> (timed: String, check: String) {
        let mix = """
            paths = { \(paths.map { "\"\($0)\"" }.joined(separator: ", ")) }
            local threads = {}
            setup = function(thread)
              thread:set("counter", #threads * 37)
              table.insert(threads, thread)
            end
            request = function()
              counter = counter + 1
              return wrk.format("GET", paths[(counter % #paths) + 1])
            end

            """
        let check = """
            init = function(args) checked = 0; bad = 0; first = "" end
            response = function(status, headers, body)
              checked = checked + 1
              if status ~= 200 then
                bad = bad + 1
                if first == "" then first = "status " .. status end
              end
            end
            done = function(summary, latency, requests)
              local checked, bad, first = 0, 0, ""
              for _, thread in ipairs(threads) do
                checked = checked + thread:get("checked")
                bad = bad + thread:get("bad")
                if first == "" then first = thread:get("first") end
              end
              local e = summary.errors
              bad = bad + e.connect + e.read + e.write + e.timeout
              if first == "" and bad > 0 then first = "socket errors" end
              io.write(string.format("kinora-bench-check %d %d %s\\n", checked, bad, first))
            end
            """
        let timedPath = dir + "/mix-timed.lua"
        let checkPath = dir + "/mix-check.lua"
        try (mix + Wrk.timedScript).write(toFile: timedPath, atomically: true, encoding: .utf8)
        try (mix + check).write(toFile: checkPath, atomically: true, encoding: .utf8)
        return (timedPath, checkPath)
    }

    /// Requests per second of a timed run; any wrk error (connect, read, write, timeout, a
    /// status ≥ 400) fails it.
    static func timed(_ wrk: Wrk, base: String, script: String, seconds: Int) throws -> Double {
        let output = try runWrk(wrk, ["-d\(seconds)s", "-s", script, base])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("kinora-bench-summary ") }) else {
            throw BenchError("wrk printed no summary for \(base): \(output)")
        }
        let numbers = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard numbers.count == 8 else { throw BenchError("unreadable wrk summary: \(line)") }
        let errors = zip(["connect", "read", "write", "status ≥ 400", "timeout"], numbers[3...]).filter { $0.1 > 0 }
        guard errors.isEmpty else {
            throw BenchError("\(base): \(errors.map { "\($0.1) \($0.0)" }.joined(separator: ", ")) errors among \(numbers[0]) requests")
        }
        guard numbers[0] > 0 else { throw BenchError("\(base): wrk completed no request") }
        return Double(numbers[0]) / (Double(numbers[2]) / 1e6)
    }

    static func check(_ wrk: Wrk, base: String, script: String, seconds: Int) throws {
        let output = try runWrk(wrk, ["-d\(seconds)s", "-s", script, base])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("kinora-bench-check ") }) else {
            throw BenchError("wrk printed no check for \(base): \(output)")
        }
        let fields = line.split(separator: " ", maxSplits: 3).dropFirst().map(String.init)
        guard fields.count >= 2, let checked = Int(fields[0]), let bad = Int(fields[1]) else { throw BenchError("unreadable wrk check: \(line)") }
        guard bad == 0, checked > 0 else {
            throw BenchError("\(base): \(bad) of \(checked) answers were not 200 (first: \(fields.count > 2 ? fields[2] : "?"))")
        }
    }

    static func runWrk(_ wrk: Wrk, _ arguments: [String]) throws -> String {
        let (status, output) = try PluginFootprintBenchmark.runProgram("/usr/bin/wrk", wrk.flags + arguments)
        guard status == 0 else { throw BenchError("wrk exited with \(status): \(output)") }
        return output
    }
}
