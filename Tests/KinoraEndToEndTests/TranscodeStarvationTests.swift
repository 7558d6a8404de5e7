import Foundation
import KinoraTestSupport
import Testing

/// Running transcodes must not slow playback or sign-in: waiting on a media worker held a
/// thread of NIO's blocking pool, the pool that also read stream files and ran bcrypt, so two
/// jobs on a two-core host (or one with NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT=1) left
/// players and logins waiting, for ever once the workers hung. The workers are stopped with
/// SIGSTOP here, which makes "a worker that holds on" deterministic.
@Suite(.serialized) struct TranscodeStarvationTests {
    /// The daemon's `kinora-media` children.
    static func workers(of daemon: DaemonProcess) throws -> [Int32] {
        let found = try TestEnvironment.run("/usr/bin/pgrep", ["-P", String(daemon.process.processIdentifier), "-x", "kinora-media"])
        return found.output.split(separator: "\n").compactMap { Int32($0) }
    }

    static func timed<T>(_ work: () throws -> T) rethrows -> (T, Duration) {
        let start = ContinuousClock.now
        let value = try work()
        return (value, ContinuousClock.now - start)
    }

    /// The first URI in a playlist, resolved against the playlist's path.
    static func firstURI(in playlist: String, near path: String) -> String? {
        guard let line = playlist.split(separator: "\n").first(where: { !$0.hasPrefix("#") && !$0.isEmpty }) else { return nil }
        return (path as NSString).deletingLastPathComponent + "/" + line
    }

    /// Two jobs at once on NIO's default pool (a thread per core: two here), and one job with
    /// that pool cut to one thread, as on a one-vCPU host.
    @Test(arguments: [(nil, 2), (1, 1)] as [(Int?, Int)])
    func playlistsSegmentsAndLoginsAnswerWhileWorkersHang(singletonThreads: Int?, jobs: Int) async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("starvation")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let short = try PlaybackTests.makeClip(dir + "/short.mp4", size: "320x240", seconds: 2)
        let long = try PlaybackTests.makeClip(dir + "/long.mp4", size: "640x360", seconds: 60, videoOptions: ["-preset", "ultrafast"])
        try "[transcode]\nconcurrent_jobs = \(jobs)\n[rate_limit]\nenabled = false\n".write(
            toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let environment = singletonThreads.map { ["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT": String($0)] } ?? [:]
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"], environment: environment)
        try await daemon.start()

        // A playable video, and a viewer who can sign in.
        let ready = try daemon.uploadVideo(short)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: ready)
        let masterPath = "/streams/\(ready)/master.m3u8"
        let master = try daemon.get(masterPath)
        let variantPath = try #require(Self.firstURI(in: master.body, near: masterPath), "\(master.body)")
        let variant = try daemon.get(variantPath)
        let segmentPath = try #require(Self.firstURI(in: variant.body, near: variantPath), "\(variant.body)")
        #expect(try daemon.get(segmentPath).status == 200)
        let added = try AuthTests.addUser(daemon, "viewer1", role: "viewer", password: "viewer password")
        #expect(added.status == 0, "\(added.output)")
        let (baseline, baselineTime) = try Self.timed { try AuthTests.login(daemon, "viewer1", "viewer password") }
        #expect(baseline.status == 200)

        // Long transcodes, as many as run at once; once every worker runs, stop them all.
        for _ in 0..<jobs { _ = try daemon.uploadVideo(long) }
        let running = try await TestEnvironment.pollOffPool(timeout: .seconds(60), interval: .milliseconds(20)) { () -> [Int32]? in
            let pids = try Self.workers(of: daemon)
            guard pids.count == jobs else { return nil }
            // Stopped here, not after this task resumes: a busy pool can resume it seconds later.
            for pid in pids { kill(pid, SIGSTOP) }
            return pids
        }
        let workers = try #require(running, "\(jobs) media workers never ran at once:\n\(daemon.log.suffix(2000))")
        defer { for pid in workers { kill(pid, SIGCONT) } }
        // Stream files stay in the daemon's cache for a second: wait it out so reads reach the disk.
        try await Task.sleep(for: .milliseconds(1200))

        // A request that gets no answer within the client's 10 s is nil.
        for path in [masterPath, variantPath, segmentPath] {
            let (result, time) = Self.timed { try? daemon.get(path) }
            #expect(result?.status == 200 && time < .seconds(1), "\(path): \(result?.status ?? 0) after \(time) with the workers stopped")
        }
        // Starved, a login got no answer at all; a busy CI machine alone once made one 2 s.
        let (login, loginTime) = Self.timed { try? AuthTests.login(daemon, "viewer1", "viewer password") }
        #expect(
            login?.status == 200 && loginTime < max(.seconds(5), baselineTime * 5),
            "login: \(login?.status ?? 0) after \(loginTime) with the workers stopped (\(baselineTime) before)")
        // A new upload is still probed, by a worker of its own.
        let (probed, probeTime) = Self.timed { try? daemon.uploadVideo(short) }
        #expect(probed != nil && probeTime < .seconds(10), "an upload took \(probeTime) with the workers stopped")

        for pid in workers { kill(pid, SIGCONT) }
        #expect(try await daemon.stop() == 0)
    }
}
