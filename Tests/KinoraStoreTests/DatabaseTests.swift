import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct DatabaseTests {
    @Test func migrationsApplyOnceAndDataSurvivesReopening() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kinora.sqlite"
        do {
            let database = try KinoraDatabase(path: path)
            #expect(
                try database.pendingMigrations() == [
                    "0001-settings", "0002-videos-and-jobs", "0003-presentation", "0004-uploads", "0005-job-owner", "0006-job-started",
                    "0007-captions", "0008-thumbnails", "0009-accounts", "0010-catalog", "0011-sessions-totp", "0012-account-admin", "0013-oidc",
                    "0014-social", "0015-session-agent", "0016-job-cancel", "0017-upload-ingest-and-job-interruptions",
                    "0018-audio-labels", "0019-comments-ratings", "0020-claimable-jobs", "0021-moderation", "0022-video-moderation-hold", "0023-notifications",
                    "0024-notification-fanouts",
                ])
            #expect(
                try database.migrate() == [
                    "0001-settings", "0002-videos-and-jobs", "0003-presentation", "0004-uploads", "0005-job-owner", "0006-job-started",
                    "0007-captions", "0008-thumbnails", "0009-accounts", "0010-catalog", "0011-sessions-totp", "0012-account-admin", "0013-oidc",
                    "0014-social", "0015-session-agent", "0016-job-cancel", "0017-upload-ingest-and-job-interruptions",
                    "0018-audio-labels", "0019-comments-ratings", "0020-claimable-jobs", "0021-moderation", "0022-video-moderation-hold", "0023-notifications",
                    "0024-notification-fanouts",
                ])
            #expect(try database.migrate().isEmpty)
            try database.settings.set("first", for: "install.id")
            #expect(try database.settings.setIfAbsent("second", for: "install.id") == "first")
            #expect(await database.isReachable())
        }
        let reopened = try KinoraDatabase(path: path)
        #expect(try reopened.pendingMigrations().isEmpty)
        #expect(try reopened.settings.value(for: "install.id") == "first")
        #expect(try reopened.settings.value(for: "absent") == nil)
        // WAL mode leaves its -wal file beside the database while open.
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kinora.sqlite"
        try String(repeating: "not sqlite ", count: 200).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try KinoraDatabase(path: path).migrate() }
    }
}
