import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// Playlists, history, preferences, profiles and account deletion, on both engines. The races
/// run threads that each open the database anew (a PostgreSQL pool of one connection, or one
/// more SQLite pool on the file), as separate nodes or processes would.
@Suite struct SocialRepositoryTests {
    func addUser(_ database: KinoraDatabase, _ id: String, role: String = "viewer") throws {
        try database.users.create(UserRecord(id: id, username: "user-" + id, role: role, passwordHash: "$2b$12$notarealhash"))
    }

    func migrated(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("social")
        try database.migrate()
        return database
    }

    /// Runs `body` on `count` threads at once, each with a database of its own; the results in
    /// thread order.
    func race<T>(
        _ count: Int, _ backend: StoreBackend, _ database: KinoraDatabase, _ body: @escaping @Sendable (KinoraDatabase, Int) throws -> T
    )
        throws -> [Result<T, any Error>]
    {
        let nodes = try (0..<count).map { _ in
            switch backend {
            case .sqlite: try KinoraDatabase(path: database.path)
            case .postgres: KinoraDatabase(postgres: PostgresDatabase(url: database.path, size: 1), address: database.path)
            }
        }
        let results = Locked<[Int: Result<T, any Error>]>([:])
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for (index, node) in nodes.enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                start.wait()
                let result = Result { try body(node, index) }
                results.change { $0[index] = result }
            }
        }
        for _ in nodes { start.signal() }
        group.wait()
        return (0..<count).map { results.value[$0]! }
    }

    /// A playlist of `count` videos (`v0`…), written in two statements so that filling one to
    /// the cap stays quick on both engines.
    func fill(_ database: KinoraDatabase, playlist: String, count: Int) throws {
        let now = Date()
        try database.sql.write { db in
            try db.execute(
                """
                INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at, listed_at)
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                SELECT 'v' || i, 't', 'public', 'ready', 0, ?, ?, ? FROM n
                """, [count, now, now, now])
            try db.execute(
                """
                INSERT INTO playlist_items(playlist_id, video_id, position, added_at)
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                SELECT ?, 'v' || i, i, ? FROM n
                """, [count, playlist, now])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func playlistItemsKeepTheirOrderThroughAddsRemovesAndReorders(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        try TestVideos.insert(database, ids: ["a", "b", "c", "d"])
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
        #expect(throws: PlaylistChangeError.notFound, "an unknown video") { try playlists.add("p1", videoID: "x", position: nil) }
        #expect(throws: PlaylistChangeError.notFound, "an unknown playlist") { try playlists.add("p9", videoID: "a", position: nil) }

        #expect(try playlists.remove("p1", videoID: "a"))
        #expect(try !playlists.remove("p1", videoID: "a"))
        #expect(try playlists.items("p1").map(\.position) == [0, 1, 2], "positions stay dense")
        #expect(throws: PlaylistChangeError.notAPermutation) { try playlists.reorder("p1", videoIDs: ["b", "c"]) }
        #expect(throws: PlaylistChangeError.notAPermutation) { try playlists.reorder("p1", videoIDs: ["b", "c", "c"]) }
        try playlists.reorder("p1", videoIDs: ["b", "d", "c"])
        #expect(try playlists.items("p1").map(\.videoID) == ["b", "d", "c"])

        // A deleted video leaves its playlists; the order of the rest holds.
        try TestVideos.delete(database, "d")
        #expect(try playlists.items("p1").map(\.videoID) == ["b", "c"])
        #expect(try playlists.find("p1")?.itemCount == 2)
        // The gap it left closes with the next change.
        try playlists.add("p1", videoID: "a", position: nil)
        #expect(try playlists.items("p1").map(\.position) == [0, 1, 2])

        let edited = try #require(try playlists.update("p1", title: "Renamed", description: nil, visibility: "private"))
        #expect(edited.title == "Renamed" && edited.visibility == "private" && edited.itemCount == 3)
        #expect(try playlists.update("p9", title: "Nobody", description: nil, visibility: nil) == nil)
        #expect(try playlists.delete("p1") && !(try playlists.delete("p1")))
        #expect(try playlists.items("p1").isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aPlaylistHoldsAtMostFiveThousandVideos(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        try database.playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Big", description: "", visibility: "private"))
        try fill(database, playlist: "p1", count: PlaylistRepository.maxItems)
        try TestVideos.insert(database, ids: ["one-more"])
        #expect(try database.playlists.find("p1")?.itemCount == 5000)
        #expect(throws: PlaylistChangeError.full(limit: 5000)) { try database.playlists.add("p1", videoID: "one-more", position: nil) }
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentAddsNeverPassTheCap(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        try database.playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Big", description: "", visibility: "private"))
        try fill(database, playlist: "p1", count: PlaylistRepository.maxItems - 3)
        let extra = (0..<8).map { "extra\($0)" }
        try TestVideos.insert(database, ids: extra)
        let outcomes = try race(extra.count, backend, database) { node, index in
            try node.playlists.add("p1", videoID: extra[index], position: index % 2 == 0 ? 0 : nil)
        }
        let refused = outcomes.compactMap { outcome -> (any Error)? in
            if case .failure(let error) = outcome { return error }
            return nil
        }
        #expect(outcomes.count - refused.count == 3, "\(refused)")
        #expect(refused.allSatisfy { ($0 as? PlaylistChangeError) == .full(limit: 5000) }, "\(refused)")
        let items = try database.playlists.items("p1")
        #expect(items.count == 5000)
        #expect(items.map(\.position) == Array(0..<5000), "one position each, dense")
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentChangesToOnePlaylistKeepOnePositionPerItem(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        let videos = (0..<12).map { "v\($0)" }
        try TestVideos.insert(database, ids: videos + ["stays", "gone1", "gone2"])
        try database.playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Mix", description: "", visibility: "public"))
        for video in ["stays", "gone1", "gone2"] { try database.playlists.add("p1", videoID: video, position: nil) }
        // Twelve adds, at the start, the end and second (valid whatever ran first: one item
        // stays), racing two removals that renumber.
        let outcomes = try race(videos.count + 2, backend, database) { node, index in
            if index >= videos.count { return try node.playlists.remove("p1", videoID: index == videos.count ? "gone1" : "gone2") }
            try node.playlists.add("p1", videoID: videos[index], position: [0, nil, 1][index % 3])
            return true
        }
        for outcome in outcomes { #expect(try outcome.get()) }
        let items = try database.playlists.items("p1")
        #expect(Set(items.map(\.videoID)) == Set(videos + ["stays"]))
        #expect(items.map(\.position) == Array(0...videos.count), "one position each, dense: \(items.map(\.position))")
    }

    @Test(arguments: StoreBackend.allCases)
    func playlistsListNewestFirstPageByPageWithTiesInIdOrder(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        try addUser(database, "u2")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let made: [(String, String, Double)] = [
            ("pa", "public", 0), ("pb", "private", 1), ("pd", "public", 2), ("pc", "public", 2), ("pe", "unlisted", 3),
        ]
        for (id, visibility, offset) in made {
            try database.playlists.create(
                PlaylistRecord(id: id, ownerID: "u1", title: id, description: "", visibility: visibility, now: start.addingTimeInterval(offset)))
        }
        try database.playlists.create(PlaylistRecord(id: "other", ownerID: "u2", title: "x", description: "", visibility: "public", now: start))
        let playlists = database.playlists
        let first = try playlists.list(ownerID: "u1", publicOnly: false, limit: 2, cursor: nil)
        #expect(first.playlists.map(\.id) == ["pe", "pd"])
        // A newer playlist does not shift the pages already handed out.
        try playlists.create(
            PlaylistRecord(id: "late", ownerID: "u1", title: "late", description: "", visibility: "public", now: start.addingTimeInterval(60)))
        let second = try playlists.list(ownerID: "u1", publicOnly: false, limit: 2, cursor: try #require(first.nextCursor))
        #expect(second.playlists.map(\.id) == ["pc", "pb"])
        let last = try playlists.list(ownerID: "u1", publicOnly: false, limit: 2, cursor: try #require(second.nextCursor))
        #expect(last.playlists.map(\.id) == ["pa"] && last.nextCursor == nil)
        let stored = try #require(last.playlists.first)
        #expect(stored.createdAt == start && stored.ownerID == "u1" && stored.itemCount == 0)

        #expect(try playlists.list(ownerID: "u1", publicOnly: true, limit: 10, cursor: nil).playlists.map(\.id) == ["late", "pd", "pc", "pa"])
        #expect(throws: InvalidCursor.self) { try playlists.list(ownerID: "u1", publicOnly: false, limit: 2, cursor: "12") }
        #expect(throws: InvalidCursor.self) { try playlists.list(ownerID: "u1", publicOnly: false, limit: 2, cursor: "x-pa") }
    }

    @Test(arguments: StoreBackend.allCases)
    func historyKeepsTheLatestPositionPagesNewestFirstAndCountsAViewOnce(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        try TestVideos.insert(database, ids: ["a", "b", "c"])
        let history = database.history
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try history.record(userID: "u1", videoID: "a", position: 10, completed: false, now: start).countedView)
        // Within the interval a heartbeat is dropped, unless it completes the video.
        let dropped = try history.record(userID: "u1", videoID: "a", position: 12, completed: false, now: start.addingTimeInterval(2))
        #expect(dropped.entry.position == 10 && !dropped.countedView)
        #expect(try history.record(userID: "u1", videoID: "a", position: 20, completed: false, now: start.addingTimeInterval(6)).entry.position == 20)
        #expect(try history.record(userID: "u1", videoID: "a", position: 96, completed: true, now: start.addingTimeInterval(7)).entry.completed)
        let stored = try #require(try history.entry(userID: "u1", videoID: "a"))
        #expect(stored == HistoryEntry(videoID: "a", position: 96, completed: true, updatedAt: start.addingTimeInterval(7)))
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
        #expect(try !history.remove(userID: "u1", videoID: "b"))
        #expect(try history.clear(userID: "u1") == 2)
        // Cleared history does not make the same account count again.
        #expect(try !history.record(userID: "u1", videoID: "a", position: 1, completed: false, now: start.addingTimeInterval(30)).countedView)
        #expect(try views(database, "a") == 1)
    }

    func views(_ database: KinoraDatabase, _ id: String) throws -> Int? {
        try database.sql.read { try $0.scalar(Int.self, "SELECT views FROM videos WHERE id = ?", [id]) }
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentFirstHeartbeatsCountOneViewPerAccount(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        for user in ["u1", "u2"] { try addUser(database, user) }
        try TestVideos.insert(database, ids: ["a"])
        // Each account's player sends from two tabs at once, four times each.
        let outcomes = try race(8, backend, database) { node, index in
            try node.history.record(userID: index % 2 == 0 ? "u1" : "u2", videoID: "a", position: Double(index), completed: false).countedView
        }
        let counted = try outcomes.map { try $0.get() }
        #expect(counted.filter { $0 }.count == 2, "\(counted)")
        #expect(try views(database, "a") == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentPreferenceChangesKeepEveryKey(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "u1")
        #expect(try database.preferences.json(userID: "u1") == nil)
        // The account's first change races the others: there is no stored row to lock yet.
        let outcomes = try race(8, backend, database) { node, index in
            try node.preferences.update(userID: "u1") { current in
                var object: [String: Any] = [:]
                if let current, let stored = try JSONSerialization.jsonObject(with: Data(current.utf8)) as? [String: Any] { object = stored }
                object["key\(index)"] = index
                return String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
            }
        }
        for outcome in outcomes { _ = try outcome.get() }
        let stored = try #require(try database.preferences.json(userID: "u1"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set((0..<8).map { "key\($0)" }), "\(stored)")
    }

    @Test(arguments: StoreBackend.allCases)
    func profilesAreFoundByNameWhateverItsCaseAndChangeInPlace(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try database.users.create(UserRecord(id: "u1", username: "Alice", role: "creator", passwordHash: "$2b$12$notarealhash"))
        let profiles = database.profiles
        let found = try #require(try profiles.find(username: "aLICE"))
        #expect(found.id == "u1" && found.username == "Alice" && found.displayName == "Alice" && found.bio == "")
        #expect(found.avatarVersion == nil && found.role == "creator" && !found.disabled)
        #expect(try profiles.find(username: "alicia") == nil)

        let changed = try #require(try profiles.update(id: "u1", displayName: nil, bio: "Films, mostly."))
        #expect(changed.displayName == "Alice" && changed.bio == "Films, mostly.")
        #expect(try profiles.update(id: "u1", displayName: "Al", bio: nil)?.bio == "Films, mostly.", "what is not given stays")
        #expect(try profiles.update(id: "nobody", displayName: "x", bio: nil) == nil)
        try profiles.setAvatarVersion(id: "u1", "v1")
        #expect(try profiles.find(id: "u1")?.avatarVersion == "v1")
        try profiles.setAvatarVersion(id: "u1", nil)
        #expect(try profiles.find(id: "u1")?.avatarVersion == nil)
        #expect(try profiles.find(id: "u1")?.createdAt == found.createdAt)
    }

    @Test(arguments: StoreBackend.allCases)
    func accountDeletionKeepsTheLastAdminAndRemovesEveryRowOfTheAccount(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "admin1", role: "admin")
        try addUser(database, "u1")
        try TestVideos.insert(database, ids: ["a"])
        #expect(throws: LastAdmin.self) { try database.accountDeletions.begin(userID: "admin1") }
        #expect(try database.users.find(id: "admin1")?.disabled == false)
        #expect(try !database.accountDeletions.begin(userID: "nobody"))

        try database.users.addRefreshToken(
            RefreshTokenRecord(tokenHash: "h1", userID: "u1", familyID: "f1", expiresAt: Date().addingTimeInterval(60)))
        try database.history.record(userID: "u1", videoID: "a", position: 3, completed: false)
        _ = try database.preferences.update(userID: "u1") { _ in #"{"autoplay":false}"# }
        try database.playlists.create(PlaylistRecord(id: "p1", ownerID: "u1", title: "Mine", description: "", visibility: "public"))
        try database.playlists.add("p1", videoID: "a", position: nil)

        #expect(try database.accountDeletions.begin(userID: "u1"))
        #expect(try database.accountDeletions.begin(userID: "u1"), "begun twice: still one deletion")
        #expect(try database.users.find(id: "u1")?.disabled == true, "disabled before anything is removed")
        #expect(try database.users.refreshToken(hash: "h1") == nil)
        #expect(try database.accountDeletions.pending() == ["u1"])
        #expect(try database.accountDeletions.isPending(userID: "u1") && !(try database.accountDeletions.isPending(userID: "admin1")))
        try database.accountDeletions.finish(userID: "u1")
        #expect(try database.accountDeletions.pending().isEmpty)
        let owned = [
            ("users", "id", "u1"), ("user_preferences", "user_id", "u1"), ("watch_history", "user_id", "u1"),
            ("video_viewers", "user_id", "u1"), ("playlists", "owner_id", "u1"), ("playlist_items", "playlist_id", "p1"),
            ("refresh_tokens", "user_id", "u1"),
        ]
        let leftovers = try database.sql.read { db in
            try owned.map { table, column, value in
                try db.scalar(Int.self, "SELECT COUNT(*) FROM \(table) WHERE \(column) = ?", [value]) ?? -1
            }
        }
        #expect(leftovers.allSatisfy { $0 == 0 }, "\(leftovers)")
        #expect(
            try database.sql.read { try $0.scalar(String.self, "SELECT id FROM videos WHERE id = ?", ["a"]) } == "a", "other accounts' videos stay")
    }

    @Test(arguments: StoreBackend.allCases)
    func adminsDeletingThemselvesAtOnceLeaveOneAdmin(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try addUser(database, "viewer")
        // Rounds: each adds three admins, then every enabled admin begins its deletion at once.
        var pending = 0
        for round in 0..<3 {
            for n in 0..<3 { try addUser(database, "admin\(round)-\(n)", role: "admin") }
            let admins = try database.users.list(role: "admin", limit: 100).users.filter { !$0.disabled }.map(\.id)
            let outcomes = try race(admins.count, backend, database) { node, index in
                try node.accountDeletions.begin(userID: admins[index])
            }
            let refused = outcomes.compactMap { outcome -> (any Error)? in
                if case .failure(let error) = outcome { return error }
                return nil
            }
            #expect(refused.count == 1 && refused.allSatisfy { $0 is LastAdmin }, "round \(round): \(refused)")
            #expect(try database.users.hasEnabledAdmin(), "round \(round)")
            pending += admins.count - 1
            #expect(try database.accountDeletions.pending().count == pending, "round \(round)")
        }
    }
}
