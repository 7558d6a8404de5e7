import Foundation
import KinoraStore
import KinoraTestSupport

/// A migrated database on `backend` (cleaned up with the test environment), with helpers to
/// add accounts and videos.
struct CatalogFixture {
    let database: KinoraDatabase
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    init(_ backend: StoreBackend) throws {
        database = try backend.makeDatabase("catalog")
        try database.migrate()
    }

    @discardableResult
    func user(_ name: String, role: String = "creator") throws -> UserRecord {
        let user = UserRecord(id: RandomID.make(), username: name, role: role, passwordHash: "x")
        try database.users.create(user)
        return user
    }

    /// A video listed `minute` minutes after the fixture's start.
    @discardableResult
    func video(
        _ id: String, minute: Double = 0, title: String? = nil, visibility: String = "public", owner: String? = nil,
        channel: String? = nil, description: String = "", tags: [String] = [], duration: Double = 60,
        publishAt: Date? = nil
    ) throws -> VideoRecord {
        var record = VideoRecord(
            id: id, title: title ?? "Video \(id)", visibility: visibility, originalKey: nil, originalName: nil,
            originalSize: 1, duration: duration, width: 320, height: 180, mediaInfo: nil, ownerID: owner,
            channelID: channel, description: description, now: start.addingTimeInterval(minute * 60))
        record.setPublishAt(publishAt)
        try database.videos.create(record, tags: tags)
        return record
    }

    /// How many rows `table` holds.
    func count(_ table: String) throws -> Int {
        try database.sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM \(table)") } ?? -1
    }
}
