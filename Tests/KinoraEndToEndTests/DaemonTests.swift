import Foundation
import KinoraTestSupport
import Testing

/// The real daemon binary, started the way an operator starts it.
@Suite(.serialized) struct DaemonTests {
    @Test func startsOnDefaultsAnswersHealthListsPluginsAndStopsCleanly() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()

        #expect(try daemon.get("/healthz").status == 200)
        let ready = try daemon.get("/readyz")
        #expect(ready.status == 200, "\(ready.body)\n\(daemon.log)")

        let anonymous = try daemon.get("/api/v1/plugins")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers["content-type"] == "application/problem+json")
        #expect((anonymous.json as? [String: Any])?["type"] as? String == "https://kinora.invalid/problems/unauthorized")
        #expect(try daemon.get("/api/v1/plugins", headers: ["Authorization": "Bearer wrong"]).status == 401)

        let tokenPath = dir + "/data/admin-token"
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let token = try String(contentsOfFile: tokenPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let plugins = try daemon.get("/api/v1/plugins", headers: ["Authorization": "Bearer \(token)"])
        #expect(plugins.status == 200)
        let report = try #require(plugins.json as? [String: Any])
        let instances = try #require(report["instances"] as? [[String: Any]])
        #expect(Set(instances.compactMap { $0["name"] as? String }) == ["media", "wordlist", "hls", "dash"])
        #expect(instances.allSatisfy { $0["state"] as? String == "started" })
        let modules = try #require(report["modules"] as? [[String: Any]])
        #expect(modules.allSatisfy { $0["abi"] as? String == "1.0.0" })

        let missing = try daemon.get("/no/such/route")
        #expect(missing.status == 404 && missing.headers["content-type"] == "application/problem+json")
        #expect(missing.headers["x-request-id"]?.isEmpty == false)

        let metrics = try daemon.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("kinora_http_requests_total"))

        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("plugin instance stopped"))
        #expect(!daemon.log.contains(token), "the admin token must never be logged")
    }

    @Test func restartKeepsTheTokenAndTheDatabase() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try DaemonProcess(dataDir: dir)
        try await first.start()
        let token = try String(contentsOfFile: dir + "/admin-token", encoding: .utf8)
        let clash = try TestEnvironment.run(
            TestEnvironment.kinoraExecutable, ["serve", "--data-dir", dir + "/other", "--listen", "127.0.0.1:\(first.port)"])
        #expect(clash.status != 0)
        #expect(clash.output.contains("127.0.0.1:\(first.port): address already in use"), "\(clash.output)")
        #expect(try await first.stop() == 0)
        let second = try DaemonProcess(dataDir: dir)
        try await second.start()
        #expect(try String(contentsOfFile: dir + "/admin-token", encoding: .utf8) == token)
        #expect(!second.log.contains("applied migrations"))
        #expect(try await second.stop() == 0)
    }

    @Test func brokenConfigIsRefusedWithFileAndKey() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        try "[server]\nlisten = \"nowhere\"\n".write(toFile: dir + "/etc/kinora.toml", atomically: true, encoding: .utf8)
        let serve = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["serve", "--config", dir + "/etc/kinora.toml"])
        #expect(serve.status != 0)
        #expect(serve.output.contains(dir + "/etc/kinora.toml: server.listen:"), "\(serve.output)")

        try "[media]\nstorage = \"media\"\n".write(toFile: dir + "/etc/kinora.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = 7\n".write(
            toFile: dir + "/etc/plugins.d/media.toml", atomically: true, encoding: .utf8)
        let check = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["config", "check", "--config", dir + "/etc/kinora.toml"])
        #expect(check.status != 0)
        #expect(check.output.contains(dir + "/etc/plugins.d/media.toml: settings.root: expected string"), "\(check.output)")

        try "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\n".write(
            toFile: dir + "/etc/plugins.d/media.toml", atomically: true, encoding: .utf8)
        // A regular expression the schema accepts but the plugin cannot compile: config check
        // creates the instance, so the plugin's own refusal is reported too.
        try "plugin = \"org.kinora.moderation-wordlist\"\n[settings]\npatterns = [\"(unclosed\"]\n".write(
            toFile: dir + "/etc/plugins.d/words.toml", atomically: true, encoding: .utf8)
        let pluginSide = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["config", "check", "--config", dir + "/etc/kinora.toml"])
        #expect(pluginSide.status != 0)
        #expect(
            pluginSide.output.contains(dir + "/etc/plugins.d/words.toml: plugin org.kinora.moderation-wordlist refused the settings"),
            "\(pluginSide.output)")
        try FileManager.default.removeItem(atPath: dir + "/etc/plugins.d/words.toml")
        // A packager too: without one, uploads could not be played (PackagerRequiredTests).
        try "plugin = \"org.kinora.packager-hls\"\n".write(toFile: dir + "/etc/plugins.d/hls.toml", atomically: true, encoding: .utf8)
        let good = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["config", "check", "--config", dir + "/etc/kinora.toml"])
        #expect(good.status == 0, "\(good.output)")
    }

    @Test func pluginCheckPrintsDescriptorsOrTheReason() throws {
        let ok = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "check", TestEnvironment.storageLocalModule])
        #expect(ok.status == 0)
        #expect(ok.output.contains("org.kinora.storage-local") && ok.output.contains("kinora.storage/1") && ok.output.contains("root: string"))
        let bad = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "check", "/etc/hostname"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("/etc/hostname: not an ELF shared object"))
        let version = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["version"])
        #expect(version.output.contains("plugin ABI 1.0"))
    }
}

extension DaemonTests {
    @Test func configCanRestrictMetricsAndSwitchToJSONLogs() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[metrics]\naccess = \"admin\"\n[log]\nformat = \"json\"\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        #expect(try daemon.get("/metrics").status == 401)
        let token = try String(contentsOfFile: dir + "/data/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try daemon.get("/metrics", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        #expect(try daemon.get("/readyz", headers: ["X-Request-Id": "trace-me-42"]).headers["x-request-id"] == "trace-me-42")
        #expect(try await daemon.stop() == 0)
        let lines = daemon.log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["message"] != nil, "not a JSON log line: \(line)")
        }
        #expect(lines.contains { $0.contains("trace-me-42") })
    }

    @Test func listAndCheckThePluginsOfARunningSetup() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let list = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "list", "--data-dir", dir])
        #expect(list.status == 0, "\(list.output)")
        #expect(list.output.contains("org.kinora.storage-local") && list.output.contains("org.kinora.moderation-wordlist"))
        #expect(list.output.contains("media  org.kinora.storage-local  started"))
        let migrate = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["migrate", "--data-dir", dir])
        #expect(
            migrate.status == 0
                && migrate.output.contains(
                    "applied: 0001-settings, 0002-videos-and-jobs, 0003-presentation, 0004-uploads, 0005-job-owner, 0006-job-started")
        )
        let again = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["migrate", "--data-dir", dir])
        #expect(again.output.contains("database is up to date"))
    }
}

extension DaemonTests {
    @Test func aBrokenInstanceFileKeepsTheDaemonUpButNotReady() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/plugins.d", withIntermediateDirectories: true)
        try "[data]\ndir = \"\(dir)/data\"\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\n".write(
            toFile: dir + "/plugins.d/media.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.moderation-wordlist\"\n[settings]\npatterns = [\"([unclosed\"]\n".write(
            toFile: dir + "/plugins.d/words.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        #expect(try daemon.get("/healthz").status == 200)
        // Anonymous callers learn that it is not ready and roughly why, not the plugins' error
        // text (which names files, buckets and hosts).
        let ready = try daemon.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.headers["content-type"] == "application/problem+json")
        let anonymous = (ready.json as? [String: Any])?["detail"] as? String ?? ""
        #expect(anonymous.contains("plugin") && anonymous.contains("details for admins"), "\(anonymous)")
        #expect(!ready.body.contains("words.toml") && !ready.body.contains("unclosed") && !ready.body.contains(dir), "\(ready.body)")
        // Admins read the details.
        let detailed = try daemon.get("/readyz", headers: ["Authorization": "Bearer \(daemon.adminToken)"])
        #expect(detailed.status == 503)
        let detail = (detailed.json as? [String: Any])?["detail"] as? String ?? ""
        #expect(detail.contains(dir + "/plugins.d/words.toml") && detail.contains("([unclosed"), "\(detail)")
        #expect(try await daemon.stop() == 0)
    }
}

extension DaemonTests {
    @Test func doctorReportsFFmpegUsableEncodersAndPlugins() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("doctor")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let doctor = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["doctor", "--data-dir", dir])
        #expect(doctor.status == 0, "\(doctor.output)")
        #expect(doctor.output.contains("libx264 yes") && doctor.output.contains("ffmpeg:    5."), "\(doctor.output)")
        // No machine here has NVENC: present in the library, but it must not count as usable.
        #expect(doctor.output.contains("h264_nvenc no"), "\(doctor.output)")
        #expect(doctor.output.contains("media: org.kinora.storage-local started"))
    }
}
