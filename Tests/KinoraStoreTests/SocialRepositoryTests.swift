import Foundation
import GRDB
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct SocialRepositoryTests {
    func addUser(_ database: KinoraDatabase, _ id: String, role: String = "viewer") throws {
        try database.users.create(UserRecord(id: id, username: "user-" + id, role: role, passwordHash: "$2b$12$notarealhash"))
    }

    func addVideo(_ database: KinoraDatabase, _ id: String, duration: Double = 100) throws {
        try database.videos.create(
            VideoRecord(
                id: id, title: "Video " + id, visibility: "public", originalKey: nil, originalName: nil,
                originalSize: 1, duration: duration, width: 320, height: 180, mediaInfo: nil))
    }

    @Test func playlistItemsKeepTheirOrderThroughAddsRemovesAndReorders() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("social")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try addUser(database, "u1")
        for id in ["a", "b", "c", "d"] { try addVideo(database, id) }
        let playlists = database.playlists
        try playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Mix", description: "", visibility: "public"))
        try playlists.add("p1", videoID: "a", position: nil)
        try playlists.add("p1", videoID: "b", position: nil)
        try playlists.add("p1", videoID: "c", position: 0)
        try playlists.add("p1", videoID: "d", position: 2)
        #expect(try playlists.items("p1").map(\.videoID) == ["c", "a", "d", "b"])
        #expect(try playlists.items("p1").map(\.position) == [0, 1, 2, 3])
        #expect(throws: PlaylistChangeError.alreadyInPlaylist) { try playlists.add("p1", videoID: "a", position: nil) }
        #expect(throws: PlaylistChangeError.positionOutOfRange(count: 4)) { try playlists.add("p1", videoID: "x", position: 9) }

        #expect(try playlists.remove("p1", videoID: "a"))
        #expect(try !playlists.remove("p1", videoID: "a"))
        #expect(try playlists.items("p1").map(\.position) == [0, 1, 2], "positions stay dense")
        #expect(throws: PlaylistChangeError.notAPermutation) { try playlists.reorder("p1", videoIDs: ["b", "c"]) }
        #expect(throws: PlaylistChangeError.notAPermutation) { try playlists.reorder("p1", videoIDs: ["b", "c", "c"]) }
        try playlists.reorder("p1", videoIDs: ["b", "d", "c"])
        #expect(try playlists.items("p1").map(\.videoID) == ["b", "d", "c"])

        // A deleted video leaves its playlists; the order of the rest holds.
        try database.videos.delete("d")
        #expect(try playlists.items("p1").map(\.videoID) == ["b", "c"])
        #expect(try playlists.find("p1")?.itemCount == 2)
    }

    @Test func aPlaylistHoldsAtMostFiveThousandVideos() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("social")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try addUser(database, "u1")
        try database.playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Big", description: "", visibility: "private"))
        try database.writer.write { db in
            for index in 0..<PlaylistRepository.maxItems {
                try db.execute(
                    sql:
                        "INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at) VALUES (?, 't', 'public', 'ready', 0, ?, ?)",
                    arguments: ["v\(index)", Date(), Date()])
                try db.execute(
                    sql: "INSERT INTO playlist_items(playlist_id, video_id, position, added_at) VALUES ('p1', ?, ?, ?)",
                    arguments: ["v\(index)", index, Date()])
            }
        }
        try addVideo(database, "one-more")
        #expect(throws: PlaylistChangeError.full(limit: 5000)) { try database.playlists.add("p1", videoID: "one-more", position: nil) }
    }

    @Test func historyKeepsTheLatestPositionPagesNewestFirstAndCountsAViewOnce() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("social")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try addUser(database, "u1")
        for id in ["a", "b", "c"] { try addVideo(database, id) }
        let history = database.history
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try history.record(userID: "u1", videoID: "a", position: 10, completed: false, now: start).countedView)
        // Within the interval a heartbeat is dropped, unless it completes the video.
        let dropped = try history.record(userID: "u1", videoID: "a", position: 12, completed: false, now: start.addingTimeInterval(2))
        #expect(dropped.entry.position == 10 && !dropped.countedView)
        #expect(try history.record(userID: "u1", videoID: "a", position: 20, completed: false, now: start.addingTimeInterval(6)).entry.position == 20)
        #expect(try history.record(userID: "u1", videoID: "a", position: 96, completed: true, now: start.addingTimeInterval(7)).entry.completed)
        try history.record(userID: "u1", videoID: "b", position: 5, completed: false, now: start.addingTimeInterval(8))
        try history.record(userID: "u1", videoID: "c", position: 7, completed: false, now: start.addingTimeInterval(9))

        let first = try history.page(userID: "u1", limit: 2, cursor: nil)
        #expect(first.entries.map(\.videoID) == ["c", "b"])
        let cursor = try #require(first.nextCursor)
        // A heartbeat between pages does not shift the next page.
        try history.record(userID: "u1", videoID: "c", position: 30, completed: false, now: start.addingTimeInterval(20))
        let second = try history.page(userID: "u1", limit: 2, cursor: cursor)
        #expect(second.entries.map(\.videoID) == ["a"] && second.nextCursor == nil)
        #expect(throws: InvalidCursor.self) { try history.page(userID: "u1", limit: 2, cursor: "nonsense") }

        #expect(try history.remove(userID: "u1", videoID: "b"))
        #expect(try history.clear(userID: "u1") == 2)
        // Cleared history does not make the same account count again.
        #expect(try !history.record(userID: "u1", videoID: "a", position: 1, completed: false, now: start.addingTimeInterval(30)).countedView)
    }

    @Test func accountDeletionKeepsTheLastAdminAndRemovesEveryRowOfTheAccount() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("social")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try addUser(database, "admin1", role: "admin")
        try addUser(database, "u1")
        try addVideo(database, "a")
        #expect(throws: LastAdmin.self) { try database.accountDeletions.begin(userID: "admin1") }
        #expect(try database.users.find(id: "admin1")?.disabled == false)

        try database.users.addRefreshToken(
            RefreshTokenRecord(tokenHash: "h1", userID: "u1", familyID: "f1", expiresAt: Date().addingTimeInterval(60)))
        try database.history.record(userID: "u1", videoID: "a", position: 3, completed: false)
        _ = try database.preferences.update(userID: "u1") { _ in #"{"autoplay":false}"# }
        try database.playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Mine", description: "", visibility: "public"))
        try database.playlists.add("p1", videoID: "a", position: nil)

        #expect(try database.accountDeletions.begin(userID: "u1"))
        #expect(try database.users.find(id: "u1")?.disabled == true, "disabled before anything is removed")
        #expect(try database.users.refreshToken(hash: "h1") == nil)
        #expect(try database.accountDeletions.pending() == ["u1"])
        try database.accountDeletions.finish(userID: "u1")
        #expect(try database.accountDeletions.pending().isEmpty)
        let owned = [
            ("users", "id", "u1"), ("user_preferences", "user_id", "u1"), ("watch_history", "user_id", "u1"),
            ("video_viewers", "user_id", "u1"), ("playlists", "owner_id", "u1"), ("playlist_items", "playlist_id", "p1"),
            ("refresh_tokens", "user_id", "u1"),
        ]
        let leftovers = try database.writer.read { db in
            try owned.map { table, column, value in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(column) = ?", arguments: [value]) ?? -1
            }
        }
        #expect(leftovers.allSatisfy { $0 == 0 }, "\(leftovers)")
        #expect(try database.videos.find("a") != nil, "other accounts' videos stay")
    }
}
