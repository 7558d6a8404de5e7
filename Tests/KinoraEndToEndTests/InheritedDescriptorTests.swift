import Foundation
import KinoraTestSupport
import Testing

/// A daemon started under a low descriptor limit by a parent that leaked a descriptor numbered
/// above that limit: posix_spawn refuses (EBADF) to start a child while such a descriptor is
/// open, and before the daemon closed them it could not start its module-inspecting child, so
/// every plugin was refused and /readyz stayed 503.
@Suite struct InheritedDescriptorTests {
    @Test func aDescriptorInheritedAboveTheLimitDoesNotStopModuleInspection() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("inherited-fd")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/daemon.log"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Port 0: the daemon logs the port it got.
        process.arguments = [
            "-c", #"exec 300</dev/null; ulimit -n 256; exec "$0" serve --data-dir "$1" --listen 127.0.0.1:0 >"$2" 2>&1"#,
            TestEnvironment.kinoraExecutable, dir + "/data", log,
        ]
        try process.run()
        // SIGKILL: the daemon closes the descriptors it inherited, Foundation's exit-notification
        // socket among them, so Foundation's one process-watching thread then sits in a
        // blocking wait4 on this daemon until it exits, and every other Process of the test run
        // waits with it; a SIGTERM the daemon's spawning thread had blocked (the mask is
        // inherited) never ended it, and a CI run hung 15 minutes there.
        defer {
            if !process.hasExited { kill(process.processIdentifier, SIGKILL) }
            _ = process.waitForExit()
        }
        let port = try await TestEnvironment.pollOffPool(timeout: .seconds(60), interval: .milliseconds(50)) { () -> Int? in
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let range = text.range(of: "listening on http://127.0.0.1:") else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }
        let listening = try #require(port, "the daemon did not listen: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let ready = try await TestEnvironment.pollOffPool(timeout: .seconds(10)) { () -> Int? in
            (try? HTTPResult.fetch(port: listening, method: "GET", path: "/readyz"))?.status == 200 ? 200 : nil
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(ready == 200, "\(text)")
        #expect(!text.contains("cannot start the inspecting child"), "\(text)")
    }
}
