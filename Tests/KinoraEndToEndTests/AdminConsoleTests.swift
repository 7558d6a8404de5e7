import Foundation
import KinoraTestSupport
import Testing

/// The admin console: its job API (list, retry, cancel, a running transcode stopped for real),
/// the dashboard's overview, who gets which page, and the console in Debian's chromium
/// (Tests/Fixtures/python/admin_flows.py).
@Suite(.serialized) struct AdminConsoleTests {
    /// One try per job, so a failure is final at once instead of after two backed-off retries.
    static func start(_ dir: String) async throws -> DaemonProcess {
        try "[transcode]\nmax_attempts = 1\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml", "--share-dir", WebUITests.share])
        try await daemon.start()
        return daemon
    }

    /// Text as mustache's `{{ }}` prints it.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func admin(_ daemon: DaemonProcess) -> [String: String] { AuthTests.bearer(daemon.adminToken) }

    static func jobs(_ daemon: DaemonProcess, _ query: String = "") throws -> [[String: Any]] {
        let page = try daemon.get("/api/v1/admin/jobs\(query)", headers: admin(daemon))
        return (page.json as? [String: Any])?["items"] as? [[String: Any]] ?? []
    }

    static func job(_ daemon: DaemonProcess, video: String) throws -> [String: Any]? {
        try jobs(daemon, "?limit=100").first { $0["video_id"] as? String == video }
    }

    /// Polls off the cooperative pool: a state such as `running` may last only a few seconds.
    static func waitForJob(
        _ daemon: DaemonProcess, video: String, timeout: Duration = .seconds(60),
        until done: @escaping @Sendable ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let found = try await TestEnvironment.pollOffPool(timeout: timeout) { () -> JobRow? in
            try job(daemon, video: video).flatMap { done($0) ? JobRow(fields: $0) : nil }
        }
        if let found { return found.fields }
        throw TestFailure("the job of \(video) never got there: \(try job(daemon, video: video) ?? [:])\n\(daemon.log)")
    }

    /// A job as the API lists it, carried out of the polling thread.
    struct JobRow: @unchecked Sendable { let fields: [String: Any] }

    static func post(_ daemon: DaemonProcess, _ path: String) throws -> HTTPResult {
        try daemon.request("POST", path, headers: admin(daemon))
    }

    /// Removes the stored original, so the next transcode of the video fails for real.
    static func removeOriginal(_ daemon: DaemonProcess, video: String) throws {
        let root = daemon.dataDir
        let found =
            FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix("videos/\(video)/original") } ?? []
        guard let path = found.first else { throw TestFailure("no stored original of \(video) under \(root)") }
        try FileManager.default.removeItem(atPath: root + "/" + path)
    }

    /// Long enough that its transcode is still queued or running when the test cancels it.
    static func longClip(_ dir: String, seconds: Int = 20) throws -> [UInt8] {
        try PlaybackTests.makeClip(dir + "/long.mp4", size: "854x480", seconds: seconds)
    }

    /// A video whose transcode failed with a real reason: its job is cancelled while queued or
    /// running, its original is removed from storage, and the retried job fails.
    static func failedJob(_ daemon: DaemonProcess, clip: [UInt8], title: String) async throws -> (video: String, job: Int, reason: String) {
        let video = try daemon.uploadVideo(clip, fields: ["title": title])
        let job = try #require(try job(daemon, video: video)?["id"] as? Int)
        let cancelled = try post(daemon, "/api/v1/admin/jobs/\(job)/cancel")
        #expect(cancelled.status == 200 && (cancelled.json as? [String: Any])?["state"] as? String == "cancelled", "\(cancelled.body)")
        try await Task.sleep(for: .seconds(1))  // a running worker has stopped by now
        try removeOriginal(daemon, video: video)
        #expect(try post(daemon, "/api/v1/admin/jobs/\(job)/retry").status == 200)
        let failed = try await waitForJob(daemon, video: video) { $0["state"] as? String == "failed" }
        return (video, job, try #require(failed["error"] as? String))
    }

    @Test func aRunningTranscodeIsCancelledAndAFailedJobIsRetried() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("adminjobs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try await Self.start(dir)
        // Long enough to be still running when cancelled, even in a release build; it is cancelled early.
        let clip = try Self.longClip(dir, seconds: 90)

        // Cancelled while it runs: the worker stops, removes its work folder, and nothing it
        // reports afterwards undoes the cancel.
        let video = try daemon.uploadVideo(clip, fields: ["title": "Cancel <me>"])
        // Once the worker claimed it, and a moment later (its media process working), cancel it:
        // all from a thread of its own, since a poll or a sleep on the shared pool can wait there
        // longer than the transcode runs.
        let (id, cancelled) = try #require(
            try await TestEnvironment.pollOffPool(timeout: .seconds(60)) { () -> (Int, HTTPResult)? in
                guard let job = try Self.job(daemon, video: video), job["state"] as? String == "running", let id = job["id"] as? Int else {
                    return nil
                }
                Thread.sleep(forTimeInterval: 1.5)
                return (id, try Self.post(daemon, "/api/v1/admin/jobs/\(id)/cancel"))
            }, "the job of \(video) was never seen running")
        #expect(cancelled.status == 200, "\(cancelled.body)")
        #expect((cancelled.json as? [String: Any])?["error"] as? String == "cancelled by an administrator")
        let stopped = await DaemonProcess.poll(timeout: .seconds(10)) { daemon.log.contains("transcode cancelled by an administrator") ? true : nil }
        #expect(stopped == true, "the worker did not stop\n\(daemon.log)")
        let work = (try? FileManager.default.contentsOfDirectory(atPath: daemon.dataDir + "/work")) ?? []
        #expect(work.isEmpty, "left in the work folder: \(work)")
        let failedVideo = try #require(try daemon.get("/api/v1/videos/\(video)", headers: Self.admin(daemon)).json as? [String: Any])
        #expect(failedVideo["status"] as? String == "failed" && failedVideo["error"] as? String == "cancelled by an administrator", "\(failedVideo)")
        try await Task.sleep(for: .seconds(1))
        #expect(try Self.job(daemon, video: video)?["state"] as? String == "cancelled")
        let again = try Self.post(daemon, "/api/v1/admin/jobs/\(id)/cancel")
        #expect(
            again.status == 409 && again.body.contains("job-state") && again.headers["content-type"] == "application/problem+json", "\(again.body)")

        // Retried without its original, it fails for real; the reason is kept and listed.
        try Self.removeOriginal(daemon, video: video)
        let retried = try Self.post(daemon, "/api/v1/admin/jobs/\(id)/retry")
        let queued = try #require(retried.json as? [String: Any])
        #expect(
            retried.status == 200 && ["queued", "running"].contains(queued["state"] as? String) && queued["attempts"] as? Int == 0, "\(retried.body)")
        let failed = try await Self.waitForJob(daemon, video: video) { $0["state"] as? String == "failed" }
        let reason = try #require(failed["error"] as? String)
        #expect(!reason.isEmpty && reason != "cancelled by an administrator" && failed["attempts"] as? Int == 1, "\(failed)")
        #expect(
            try daemon.get("/api/v1/videos/\(video)", headers: Self.admin(daemon)).json.flatMap { ($0 as? [String: Any])?["error"] as? String }
                == reason)
        #expect(try Self.jobs(daemon, "?state=failed").map { $0["id"] as? Int } == [id])
        #expect(try Self.jobs(daemon, "?state=running").isEmpty)
        #expect(try Self.post(daemon, "/api/v1/admin/jobs/\(id)/cancel").status == 409)

        // Bad input is a clear problem.
        for query in ["?state=sleeping", "?cursor=abc", "?limit=0"] {
            #expect(try daemon.get("/api/v1/admin/jobs\(query)", headers: Self.admin(daemon)).status == 400, "\(query)")
        }
        #expect(try Self.post(daemon, "/api/v1/admin/jobs/999999/retry").status == 404)
        #expect(try Self.post(daemon, "/api/v1/admin/jobs/abc/cancel").status == 404)
        try await daemon.stop()
    }

    @Test func theOverviewSumsHealthJobsStorageAndRecentErrors() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("adminoverview")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try await Self.start(dir)
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 2)
        let ready = try daemon.uploadVideo(clip, fields: ["title": "Ready"])
        _ = try await PlaybackTests.waitUntilReady(daemon, id: ready)
        let long = try Self.longClip(dir)
        let (_, _, reason) = try await Self.failedJob(daemon, clip: long, title: "Broken")

        let viewer = try StudioTests.token(daemon, "vic", role: "viewer")
        #expect(try daemon.get("/api/v1/admin/overview", headers: AuthTests.bearer(viewer)).status == 403)
        #expect(try daemon.get("/api/v1/admin/overview").status == 401)
        let overview = try #require(try daemon.get("/api/v1/admin/overview", headers: Self.admin(daemon)).json as? [String: Any])
        let health = try #require(overview["health"] as? [String: Any])
        #expect(health["database"] as? Bool == true && health["ready"] as? Bool == true, "\(health)")
        let plugins = health["plugins"] as? [[String: Any]] ?? []
        #expect(plugins.contains { $0["name"] as? String == "media" && $0["state"] as? String == "started" }, "\(plugins)")
        let jobs = try #require(overview["jobs"] as? [String: Int])
        #expect(jobs == ["queued": 0, "running": 0, "done": 1, "failed": 1, "cancelled": 0], "\(jobs)")
        #expect(overview["counts"] as? [String: Int] == ["users": 1, "videos": 2])
        let storage = try #require(overview["storage"] as? [String: Any])
        #expect(storage["originals_bytes"] as? Int == clip.count + long.count, "\(storage)")
        #expect((storage["published_bytes"] as? Int ?? 0) > 0 && (storage["free_bytes"] as? Int ?? 0) > 0 && storage["complete"] as? Bool == true)
        let largest = storage["largest_videos"] as? [[String: Any]] ?? []
        #expect(largest.contains { $0["id"] as? String == ready && ($0["published_bytes"] as? Int ?? 0) > 0 }, "\(largest)")
        let errors = overview["recent_errors"] as? [[String: Any]] ?? []
        #expect(errors.contains { $0["source"] as? String == "job" && $0["message"] as? String == reason }, "\(errors)")
        #expect(errors.contains { $0["source"] as? String == "log" && ($0["message"] as? String ?? "").contains("transcode failed") }, "\(errors)")
        let days = overview["uploads_per_day"] as? [[String: Any]] ?? []
        #expect(days.count == 14 && days.last?["count"] as? Int == 2, "\(days)")
        try await daemon.stop()
    }

    @Test func consolePagesSendAnonymousToSignInRefuseOthersAndEscapeWhatUsersWrote() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("adminpages")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try await Self.start(dir)
        let (_, job, reason) = try await Self.failedJob(daemon, clip: try Self.longClip(dir), title: "Broken <b>clip</b>")
        let creator = try StudioTests.token(daemon, "carol", role: "creator")

        for path in ["/admin", "/admin/plugins", "/admin/jobs", "/admin/users", "/admin/categories"] {
            let anonymous = try daemon.get(path, headers: StudioTests.html)
            #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login?next=\(path)", "\(path)")
            let refused = try daemon.get(path, headers: AuthTests.bearer(creator))
            #expect(refused.status == 403 && refused.body.contains("administrators' console"), "\(path)")
            let page = try daemon.get(path, headers: Self.admin(daemon))
            #expect(page.status == 200 && page.headers["content-security-policy"]?.contains("script-src 'self'") == true, "\(path)")
            #expect(page.body.contains("/static/css/admin.css") && page.body.contains("aria-current=\"page\""), "\(path)")
            #expect(!page.body.contains("<script>") && !page.body.contains("style=\""), "\(path) has inline script or style")
        }
        #expect(try daemon.get("/", headers: AuthTests.bearer(creator)).body.contains("href=\"/admin\"") == false)

        let dashboard = try daemon.get("/admin", headers: Self.admin(daemon)).body
        #expect(dashboard.contains("<svg class=\"chart\"") && dashboard.contains("<rect "), "no chart")
        #expect(
            dashboard.contains("<div class=\"count-failed some\"><dt><a href=\"/admin/jobs?state=failed\">failed</a></dt><dd>1</dd>"), "\(dashboard)")
        #expect(dashboard.contains("Free in the data folder"))

        let jobs = try daemon.get("/admin/jobs?state=failed", headers: Self.admin(daemon)).body
        #expect(jobs.contains("data-job-id=\"\(job)\"") && jobs.contains("Broken &lt;b&gt;clip&lt;/b&gt;") && !jobs.contains("<b>clip"), "\(jobs)")
        #expect(
            jobs.contains("<td class=\"reason\" data-label=\"Reason\">\(Self.escaped(reason))</td>"),
            "the failure's reason is not shown: \(reason)\n\(jobs)")
        #expect(jobs.contains("<option value=\"failed\" selected>Failed</option>"))
        #expect(!(try daemon.get("/admin/jobs?state=done", headers: Self.admin(daemon)).body.contains("data-job-id=\"\(job)\"")))
        #expect(try daemon.get("/admin/jobs?state=nonsense", headers: Self.admin(daemon)).status == 200)

        let plugins = try daemon.get("/admin/plugins", headers: Self.admin(daemon)).body
        #expect(plugins.contains("data-instance=\"media\"") && plugins.contains(">started<") && plugins.contains("ABI "), "\(plugins)")
        #expect(plugins.contains("id=\"config-ok\""))
        // Every installed module is listed; only those an instance uses are mapped.
        #expect(plugins.contains("data-module=\"libkinora-storage-local.so\" data-loaded=\"true\""), "\(plugins)")
        #expect(plugins.contains("data-module=\"libkinora-storage-s3.so\" data-loaded=\"false\"") && plugins.contains("not loaded: no instance uses it"))
        let users = try daemon.get("/admin/users", headers: Self.admin(daemon)).body
        #expect(users.contains("data-username=\"carol\"") && users.contains("<option value=\"creator\" selected>creator</option>"), "\(users)")
        try await daemon.stop()
    }

    @Test func anAdminSeesPluginsRetriesAFailedJobChangesARoleAndAddsACategoryInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("adminflow")
        let daemon = try await Self.start(dir)
        // The bootstrap token makes the failed job; it retires once an admin account exists.
        let (_, job, reason) = try await Self.failedJob(daemon, clip: try Self.longClip(dir), title: "Broken clip")
        let root = try StudioTests.token(daemon, "root", role: "admin")
        _ = try StudioTests.token(daemon, "vic", role: "viewer")
        // vic also signs in from a browser, whose session the admin ends in the flow.
        let vicSession = try daemon.request(
            "POST", "/api/v1/auth/session",
            headers: [
                "Content-Type": "application/json", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            ], body: Array(#"{"username": "vic", "password": "vic's long password"}"#.utf8))
        #expect(vicSession.status == 200, "\(vicSession.status) \(vicSession.body)")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("admin_flows.py"), "http://127.0.0.1:\(daemon.port)", "root", "root's long password",
                String(job), reason, shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the admin flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        // What the browser changed, as the API sees it.
        let users = try daemon.get("/api/v1/users?role=creator", headers: AuthTests.bearer(root)).json as? [String: Any]
        #expect((users?["items"] as? [[String: Any]])?.contains { $0["username"] as? String == "vic" } == true, "\(users ?? [:])")
        #expect(try daemon.get("/api/v1/categories").body.contains("\"admin-flow\""))
        let vicID = try #require((users?["items"] as? [[String: Any]])?.first { $0["username"] as? String == "vic" }?["id"] as? String)
        let left = try daemon.get("/api/v1/users/\(vicID)/sessions", headers: AuthTests.bearer(root)).json as? [String: Any]
        #expect((left?["items"] as? [Any])?.isEmpty == true, "the admin ended vic's sessions: \(left ?? [:])")
        // The reset link the admin passed on set vic's new password.
        #expect(try AuthTests.login(daemon, "vic", "vic's new password").status == 200)
        #expect(try AuthTests.login(daemon, "vic", "vic's long password").status == 401)
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
