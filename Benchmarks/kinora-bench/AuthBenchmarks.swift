import Foundation
import HummingbirdBcrypt
import KinoraCore
import KinoraServer

/// Login cost: bcrypt at cost 12 against PyPI's `bcrypt` (OpenBSD's C code) hashing the same
/// password at the same cost in the same run (target: within 1.1x). Then HS256 access-token
/// verification, as every authenticated request does it (target: under 20 µs).
enum AuthBenchmark {
    static func run(rounds: Int) throws {
        let password = "correct horse battery staple"
        var ours: [Double] = []
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            let hash = Bcrypt.hash(password, cost: Accounts.bcryptCost)
            ours.append(milliseconds(ContinuousClock.now - start))
            precondition(hash.hasPrefix("$2b$12$") || hash.hasPrefix("$2a$12$") || hash.hasPrefix("$2y$12$"), "unexpected hash \(hash)")
        }
        let peer = try pythonBcrypt(password: password, rounds: rounds)
        print(
            "bcrypt cost 12: kinora \(formatted(median(ours))) ms, PyPI bcrypt \(formatted(peer)) ms (median of \(rounds)) = \(formatted(median(ours) / peer, 2))x (target <= 1.1x)"
        )

        let signer = JWTSigner(secret: (0..<32).map { UInt8($0) })
        let now = Int(Date().timeIntervalSince1970)
        let token = try signer.sign(.init(sub: "abcdefghijklmnop", role: "creator", iat: now, exp: now + 900, jti: "0123456789abcdef"))
        let calls = 200_000
        var sink = 0
        let start = ContinuousClock.now
        for _ in 0..<calls { sink &+= try signer.verify(token).exp }
        let perCall = milliseconds(ContinuousClock.now - start) * 1000 / Double(calls)
        precondition(sink != 0)
        print("access-token verification (HS256): \(formatted(perCall, 2)) µs per token over \(calls) (target < 20 µs, absolute)")
    }

    /// Median milliseconds of PyPI bcrypt's hashpw at cost 12, from the test virtual environment.
    static func pythonBcrypt(password: String, rounds: Int) throws -> Double {
        let script = """
            import bcrypt, statistics, sys, time
            times = []
            for _ in range(\(rounds)):
                t = time.perf_counter(); bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(12)); times.append((time.perf_counter() - t) * 1000)
            print(statistics.median(times))
            """
        let venv = try capture("/bin/bash", [FileManager.default.currentDirectoryPath + "/Tests/Fixtures/python/ensure-venv.sh"])
        guard let python = venv.split(separator: "\n").last.map(String.init) else { throw BenchError("no test venv") }
        let output = try capture(python, ["-c", script, password])
        guard let value = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw BenchError("PyPI bcrypt printed \(output)") }
        return value
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// Runs a program and returns its standard output; a non-zero exit is an error with its output.
func capture(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else { throw BenchError("\(executable) exited with \(process.terminationStatus): \(output)") }
    return output
}
