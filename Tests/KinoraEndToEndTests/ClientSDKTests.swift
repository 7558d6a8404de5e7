import Foundation
import KinoraHost
import KinoraTestSupport
import Testing

/// The native client (Clients/swift, a package of its own) against the live daemon: its example
/// CLI, `kinora-client`, logs in, uploads with progress, lists, and prints a play URL the daemon
/// serves. `.ci/run` builds the client once and passes its path in `KINORA_CLIENT_BIN`; a
/// missing binary fails the test (build it with `swift build --package-path Clients/swift`).
@Suite(.serialized) struct ClientSDKTests {
    static var clientExecutable: String {
        get throws {
            let path =
                ProcessInfo.processInfo.environment["KINORA_CLIENT_BIN"]
                ?? TestEnvironment.repositoryRoot + "/Clients/swift/.build/debug/kinora-client"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestFailure("no kinora-client at \(path): run swift build --package-path Clients/swift (or set KINORA_CLIENT_BIN)")
            }
            return path
        }
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `kinora-client ARGS` with its own HOME (so its credentials file lands in `home`), standard
    /// output and error apart, `input` on standard input; on a thread of its own, since
    /// `play-url --wait` blocks while the video is transcoded.
    static func client(_ arguments: [String], home: String, environment extra: [String: String] = [:], input: String = "") async throws -> Run {
        let executable = try clientExecutable
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(executable, arguments, home: home, environment: extra, input: input) })
            }
        }
    }

    static func run(_ executable: String, _ arguments: [String], home: String, environment extra: [String: String], input: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        for name in ["XDG_CONFIG_HOME", "KINORA_SERVER", "KINORA_PASSWORD"] { environment[name] = nil }
        environment.merge(extra) { $1 }
        process.environment = environment
        let stdin = try PrivatePipe(), stdout = try PrivatePipe(), stderr = try PrivatePipe()
        process.standardInput = stdin.fileHandleForReading
        process.standardOutput = stdout.fileHandleForWriting
        process.standardError = stderr.fileHandleForWriting
        try process.run(closingChildEndsOf: stdin, stdout, stderr)
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Standard error is read on its own thread: neither pipe may fill while the other is read.
        let errors = LockedData()
        let errorHandle = stderr.fileHandleForReading
        Thread.detachNewThread { errors.set(errorHandle.readDataToEndOfFile()) }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let status = process.waitForExit()
        while !errors.isSet { usleep(10_000) }
        return Run(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: errors.data, as: UTF8.self))
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Data?
        func set(_ data: Data) { lock.withLock { value = data } }
        var isSet: Bool { lock.withLock { value != nil } }
        var data: Data { lock.withLock { value ?? Data() } }
    }

    @Test func theCLILogsInUploadsWithProgressListsAndPrintsAPlayableHLSURL() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("client-sdk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let home = dir + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let server = "http://127.0.0.1:\(daemon.port)"
        let password = "client password 1"
        let added = try AuthTests.addUser(daemon, "clara", role: "creator", password: password)
        #expect(added.status == 0, "\(added.output)")

        // A wrong password: the server's problem detail, a non-zero exit, nothing saved.
        let refused = try await Self.client(["login", "--server", server, "--username", "clara"], home: home, input: "wrong password\n")
        let expected = try #require((try AuthTests.login(daemon, "clara", "wrong password 2").json as? [String: Any])?["detail"] as? String)
        #expect(refused.status == 1 && refused.stderr.contains(expected) && refused.stderr.contains("invalid-credentials"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: home + "/.config/kinora-client/credentials.json"))

        // The password from standard input; the tokens in a file only the user can read.
        let login = try await Self.client(["login", "--server", server, "--username", "clara"], home: home, input: password + "\n")
        #expect(login.status == 0, "\(login)")
        let credentials = home + "/.config/kinora-client/credentials.json"
        let fileMode = try #require(try FileManager.default.attributesOfItem(atPath: credentials)[.posixPermissions] as? Int)
        let folderMode = try #require(
            try FileManager.default.attributesOfItem(atPath: home + "/.config/kinora-client")[.posixPermissions] as? Int)
        #expect(fileMode == 0o600 && folderMode == 0o700, "modes \(String(fileMode, radix: 8)) \(String(folderMode, radix: 8))")
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: credentials))) as? [String: Any])
        #expect(saved["server"] as? String == server && (saved["refresh_token"] as? String)?.isEmpty == false)

        // Upload in 16 KiB tus chunks: the percentages grow to 100 on standard error, the id on stdout.
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        #expect(clip.count > 3 * 16384, "the clip must take several chunks: \(clip.count) bytes")
        let upload = try await Self.client(
            ["upload", dir + "/clip.mp4", "--title", "Sent from the Swift client", "--visibility", "unlisted", "--chunk-size", "16384"],
            home: home)
        #expect(upload.status == 0, "\(upload)")
        let id = upload.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 16, "\(upload)")
        let percents = upload.stderr.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("clip.mp4: "), line.hasSuffix("%") else { return nil }
            return Int(line.dropFirst("clip.mp4: ".count).dropLast())
        }
        #expect(percents.first == 0 && percents.last == 100 && percents.count >= 4 && percents == percents.sorted(), "\(upload.stderr)")
        let video = try #require(try daemon.get("/api/v1/videos/\(id)", headers: ["Authorization": "Bearer \(daemon.adminToken)"]).json as? [String: Any])
        #expect(video["title"] as? String == "Sent from the Swift client" && video["visibility"] as? String == "unlisted")
        #expect((video["owner"] as? String)?.isEmpty == false, "uploaded as clara, not anonymously: \(video)")

        // list: the caller's videos, unlisted ones included.
        let list = try await Self.client(["list"], home: home)
        #expect(list.status == 0 && list.stdout.contains("\(id)\t") && list.stdout.contains("\tunlisted\tSent from the Swift client"), "\(list)")

        // play-url waits until the video is playable; the daemon serves an HLS master there.
        let play = try await Self.client(["play-url", id, "--wait", "180"], home: home)
        #expect(play.status == 0, "\(play)\n\(daemon.log.suffix(3000))")
        let url = play.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url == "\(server)/streams/\(id)/master.m3u8", "\(play)")
        let master = try daemon.get(String(url.dropFirst(server.count)))
        #expect(master.status == 200 && master.body.hasPrefix("#EXTM3U") && master.body.contains("#EXT-X-STREAM-INF"), "\(master.status) \(master.body)")

        // Bad input: a clear message and a non-zero status each time.
        let missing = try await Self.client(["upload", dir + "/nothing-here.mp4"], home: home)
        #expect(missing.status == 64 && missing.stderr.contains("nothing-here.mp4: no such file"), "\(missing)")
        try "not a video at all\n".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let notVideo = try await Self.client(["upload", dir + "/notes.txt"], home: home)
        #expect(notVideo.status == 1 && notVideo.stderr.contains("not-media") && notVideo.stdout.isEmpty, "\(notVideo)")
        let unknown = try await Self.client(["play-url", "nosuchvideo00000"], home: home)
        #expect(unknown.status == 1 && unknown.stderr.contains("[404 not-found]"), "\(unknown)")
        let typo = try await Self.client(["list", "--limt", "3"], home: home)
        #expect(typo.status == 64 && typo.stderr.contains("unknown option --limt"), "\(typo)")
        let unreachable = try await Self.client(["list", "--catalog", "--server", "http://127.0.0.1:1"], home: home)
        #expect(unreachable.status == 1 && unreachable.stderr.contains("cannot reach http://127.0.0.1:1"), "\(unreachable)")

        // logout revokes the refresh token on the server and removes the file.
        let refreshToken = try #require(saved["refresh_token"] as? String)
        let logout = try await Self.client(["logout"], home: home)
        #expect(logout.status == 0 && !FileManager.default.fileExists(atPath: credentials), "\(logout)")
        let reuse = try AuthTests.post(daemon, "/api/v1/auth/refresh", ["refresh_token": refreshToken])
        #expect(reuse.status == 401, "\(reuse.body)")
        #expect(try await daemon.stop() == 0)
    }
}
