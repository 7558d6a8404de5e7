import Foundation
import KinoraHost
import KinoraStore
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs queued transcode jobs, `concurrency` at a time, until graceful shutdown. Each job
/// holds a lease it renews with every progress report; a daemon killed mid-job leaves a lease
/// that expires, and the next start claims the job again.
public struct TranscodeService: Service {
    public let database: KinoraDatabase
    public let pipeline: VideoPipeline
    public let logger: Logger
    public var concurrency = 1
    public var lease: TimeInterval = 60
    public var maxAttempts = 3

    public init(
        database: KinoraDatabase, pipeline: VideoPipeline, logger: Logger, concurrency: Int = 1,
        lease: TimeInterval = 60, maxAttempts: Int = 3
    ) {
        self.database = database
        self.pipeline = pipeline
        self.logger = logger
        self.concurrency = concurrency
        self.lease = lease
        self.maxAttempts = maxAttempts
    }

    /// "<host>/<pid>/<start time>": unique per daemon process.
    public static let owner: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host)/\(getpid())/\(Int(Date().timeIntervalSince1970))"
    }()

    /// Whether the daemon that claimed as `owner` (on this host) still runs: two worker nodes
    /// on one machine must not take each other's jobs at start. The pid must be a process
    /// (not another process's thread: thread ids share the pid numbers and are reused within
    /// seconds on a busy machine), run kinora, and have started no later than the owner's
    /// stamp: a pid reused after the owner died started after it.
    static func isRunning(_ owner: String) -> Bool {
        let parts = owner.split(separator: "/")
        guard parts.count >= 2, let pid = Int32(parts[1]), pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            status.split(separator: "\n").contains(where: { $0 == "Tgid:\t\(pid)" })
        else { return false }
        guard let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), command.contains("kinora") else { return false }
        if parts.count >= 3, let stamp = Int(parts[2]), let started = startTime(of: pid) { return started <= stamp + 1 }
        return true
    }

    /// When process `pid` started, in seconds since 1970 (from /proc: its start in clock ticks
    /// after boot, and the boot time).
    static func startTime(of pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            let system = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let bootLine = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Int(bootLine.dropFirst(6).trimmingCharacters(in: .whitespaces))
        else { return nil }
        // Fields after the command's ")" start at field 3 (state); starttime is field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Int(fields[19]) else { return nil }
        let perSecond = max(1, sysconf(Int32(_SC_CLK_TCK)))
        return boot + ticks / perSecond
    }

    public func run() async throws {
        // Jobs of an earlier process on this host died with it (kill -9, power loss).
        let host = String(Self.owner.split(separator: "/").first ?? "")
        do {
            let recovered = try database.jobs.recoverAbandoned(host: host, currentOwner: Self.owner, isAlive: Self.isRunning)
            if recovered > 0 { logger.info("resuming \(recovered) transcode job(s) interrupted by the previous stop") }
        } catch {
            // Not fatal: their leases run out and they are claimed then, only later.
            logger.error("could not take back the jobs of the previous stop: \(error)")
        }
        try? FileManager.default.removeItem(atPath: pipeline.workFolder)
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, concurrency) {
                    group.addTask { try await workLoop() }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
        }
    }

    func workLoop() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let job: ClaimedJob?
            do {
                job = try database.jobs.claim(lease: lease, owner: Self.owner)
            } catch {
                // A busy or failing database must not take the daemon down: try again shortly.
                logger.error("cannot claim a transcode job: \(error)")
                try? await Task.sleep(for: .seconds(5))
                continue
            }
            guard let job else {
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            await process(job)
        }
    }

    func process(_ job: ClaimedJob) async {
        var logger = self.logger
        logger[metadataKey: "video"] = .string(job.videoID)
        logger.info("transcode started", metadata: ["attempt": .stringConvertible(job.attempts)])
        let started = ContinuousClock.now
        let database = self.database
        let lease = self.lease
        let lastBeat = NIOLockedValueBox(ContinuousClock.now - .seconds(10))
        let cancelled = NIOLockedValueBox(false)
        do {
            try await cancelWhenShuttingDown(orCancelled: job, noting: cancelled) {
                try await pipeline.run(job) { fraction, step in
                    // Throttled: a heartbeat a second at most is plenty for a 60 s lease.
                    let now = ContinuousClock.now
                    let due = lastBeat.withLockedValue { last in
                        guard now - last >= .seconds(1) else { return false }
                        last = now
                        return true
                    }
                    if due { try? database.jobs.heartbeat(job, lease: lease, progress: fraction, step: step) }
                }
            }
            try? database.jobs.complete(job)
            logger.info("transcode finished", metadata: ["seconds": .stringConvertible((ContinuousClock.now - started).components.seconds)])
        } catch  where cancelled.withLockedValue({ $0 }) {
            // The job row already says cancelled and the video failed; the work folder and the
            // worker's partial output went with the cancelled task.
            logger.info("transcode cancelled by an administrator")
        } catch  where Task.isCancelled || Task.isShuttingDownGracefully {
            // Not the file's fault: hand the job back so the next start picks it up at once.
            try? database.jobs.release(job)
            logger.info("transcode interrupted by shutdown; it resumes at the next start")
        } catch {
            // Stored on the job and the video, and shown in the admin console: a sentence, not a dump.
            let reason = IngestFailure.reason(error)
            let retry = (try? database.jobs.fail(job, reason: reason, maxAttempts: maxAttempts, backoff: 30 * Double(job.attempts))) ?? false
            logger.error("transcode failed\(retry ? ", will retry" : ""): \(reason)")
        }
    }

    /// Runs `body`, cancelling it when the daemon starts shutting down, or when an
    /// administrator cancels `job` (its row leaves `running`; checked twice a second, since a
    /// progress report may be minutes away while a large file is stored).
    func cancelWhenShuttingDown(
        orCancelled job: ClaimedJob, noting cancelled: NIOLockedValueBox<Bool>,
        _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        let task = Task { try await body() }
        let database = self.database
        let watcher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                if (try? database.jobs.state(id: job.id)) == "cancelled" {
                    cancelled.withLockedValue { $0 = true }
                    task.cancel()
                    return
                }
            }
        }
        defer { watcher.cancel() }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await task.value
        } onCancelOrGracefulShutdown: {
            task.cancel()
        }
    }
}
