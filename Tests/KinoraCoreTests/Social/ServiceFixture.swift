import Foundation
import KinoraStore
import KinoraTestSupport

/// A migrated database in a temporary folder, with helpers to add accounts and videos.
struct ServiceFixture {
    let database: KinoraDatabase
    let dir: String

    init() throws {
        dir = try TestEnvironment.makeTemporaryDirectory("core-services")
        database = try KinoraDatabase(path: dir + "/kinora.sqlite")
        try database.migrate()
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    @discardableResult
    func user(_ name: String, role: String = "creator", disabled: Bool = false) throws -> UserRecord {
        let user = UserRecord(id: RandomID.make(), username: name, role: role, passwordHash: "x", disabled: disabled)
        try database.users.create(user)
        return user
    }

    @discardableResult
    func video(_ id: String, visibility: String = "public", owner: String?, duration: Double = 100) throws -> VideoRecord {
        let record = VideoRecord(
            id: id, title: "Video \(id)", visibility: visibility, originalKey: nil, originalName: nil, originalSize: 1,
            duration: duration, width: 320, height: 180, mediaInfo: nil, ownerID: owner)
        try database.videos.create(record)
        return record
    }
}
