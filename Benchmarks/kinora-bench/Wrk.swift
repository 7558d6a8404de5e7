import Foundation

/// wrk against one URL whose every answer must be `200` with a body of exactly `bodyBytes`
/// bytes: a throughput made of refusals (429s, 404s, resets) is no throughput, so any other
/// answer fails the benchmark instead of being counted.
///
/// Two wrk scripts. The timed run defines only `done`, so wrk still discards bodies as it
/// parses them; it fails on wrk's error counts (connect, read, write, timeout, and status ≥ 400)
/// and on bytes read that cannot be `requests` answers of the expected size (a 3xx or a
/// short body). A `response` callback would see each answer but makes wrk copy every body
/// into a Lua string: for a 1 MB segment that costs the client as much CPU as the server's
/// send, which on a small machine would slow both servers alike and pull their ratio towards
/// 1. So a separate, shorter run with the same connections checks each answer's status and
/// length one by one.
struct Wrk {
    let threads: Int
    let connections: Int

    var flags: [String] { ["-t\(threads)", "-c\(connections)"] }

    struct Summary {
        var requests: Int
        var bytes: Int
        var seconds: Double
        var errors: [String: Int]
        var requestsPerSecond: Double { Double(requests) / max(seconds, 1e-9) }
    }

    /// Requests per second over `seconds`; throws when any answer was not the expected one.
    func timed(_ url: String, bodyBytes: Int, seconds: Int) throws -> Double {
        let output = try run(["-d\(seconds)s", "-s", try script("timed.lua", Self.timedScript), url])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("kinora-bench-summary ") }) else {
            throw BenchError("wrk printed no summary for \(url): \(output)")
        }
        let numbers = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard numbers.count == 8 else { throw BenchError("unreadable wrk summary: \(line)") }
        let summary = Summary(
            requests: numbers[0], bytes: numbers[1], seconds: Double(numbers[2]) / 1e6,
            errors: ["connect": numbers[3], "read": numbers[4], "write": numbers[5], "status ≥ 400": numbers[6], "timeout": numbers[7]])
        let failures = summary.errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        guard failures.isEmpty else {
            throw BenchError(
                "\(url): \(failures.joined(separator: ", ")) errors among \(summary.requests) requests (wrk \(flags.joined(separator: " ")))")
        }
        guard summary.requests > 0 else { throw BenchError("\(url): wrk completed no request") }
        // Each answer carries the body and a few hundred bytes of head; answers still in flight
        // when wrk stops add at most one more per connection.
        let head = 2048
        guard summary.bytes >= summary.requests * bodyBytes,
            summary.bytes <= (summary.requests + connections) * (bodyBytes + head)
        else {
            throw BenchError(
                "\(url): \(summary.bytes) bytes for \(summary.requests) answers of \(bodyBytes) bytes each: some answers were not the file")
        }
        return summary.requestsPerSecond
    }

    /// Checks every answer of a `seconds`-long run one by one: status 200, `bodyBytes` of body.
    func verify(_ url: String, bodyBytes: Int, seconds: Int) throws {
        let output = try run(["-d\(seconds)s", "-s", try script("check.lua", Self.checkScript), url, "--", String(bodyBytes)])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("kinora-bench-check ") }) else {
            throw BenchError("wrk printed no check for \(url): \(output)")
        }
        let fields = line.split(separator: " ", maxSplits: 3).dropFirst().map(String.init)
        guard fields.count >= 2, let checked = Int(fields[0]), let bad = Int(fields[1]) else { throw BenchError("unreadable wrk check: \(line)") }
        guard bad == 0 else {
            throw BenchError(
                "\(url): \(bad) of \(checked) answers were not 200 with \(bodyBytes) bytes (first: \(fields.count > 2 ? fields[2] : "?"))")
        }
        guard checked > 0 else { throw BenchError("\(url): wrk checked no answer") }
    }

    private func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = flags + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("wrk exited with \(process.terminationStatus): \(output)") }
        return output
    }

    private func script(_ name: String, _ text: String) throws -> String {
        let path = benchDir + "/" + name
        if !FileManager.default.fileExists(atPath: path) { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    static let timedScript = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("kinora-bench-summary %d %d %d %d %d %d %d %d\\n", summary.requests, summary.bytes,
            summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
        end
        """

    static let checkScript = """
        local threads = {}
        setup = function(thread) table.insert(threads, thread) end
        init = function(args) expected = tonumber(args[1]); checked = 0; bad = 0; first = "" end
        response = function(status, headers, body)
          checked = checked + 1
          if status ~= 200 or #body ~= expected then
            bad = bad + 1
            if first == "" then first = "status " .. status .. " with " .. #body .. " bytes" end
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
}
