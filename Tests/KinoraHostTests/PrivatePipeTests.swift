import Foundation
import KinoraHost
import KinoraTestSupport
import Testing

/// A child's output ends when that child exits, whatever other children start meanwhile:
/// with Foundation's `Pipe`, about one run in two hundred waited for a `sleep` that another
/// thread started at the same moment (it inherited the write end), and a CI run hung for good
/// when the inheritor was the shared PostgreSQL server.
@Suite struct PrivatePipeTests {
    @Test func aChildsOutputEndsWithItsExitWhileOthersStartAround() throws {
        let until = Date().addingTimeInterval(3)
        let sleepers = Locked<[Process]>([])
        defer { for sleeper in sleepers.value { kill(sleeper.processIdentifier, SIGKILL); _ = sleeper.waitForExit() } }
        let starter = Thread {
            while Date() < until {
                let sleeper = Process()
                sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
                sleeper.arguments = ["4"]
                if (try? sleeper.run()) != nil { sleepers.change { $0.append(sleeper) } }
                usleep(1000)
            }
        }
        starter.start()
        var runs = 0
        var slowest = 0.0
        while Date() < until {
            let started = Date()
            let result = try TestEnvironment.run("/bin/echo", ["done"])
            #expect(result.status == 0 && result.output == "done\n")
            slowest = max(slowest, Date().timeIntervalSince(started))
            runs += 1
        }
        while !starter.isFinished { usleep(1000) }
        #expect(runs > 100, "only \(runs) runs in 3 s")
        #expect(slowest < 2, "a run waited \(slowest) s for a sleeper that inherited its output")
    }
}
