import Foundation
import GRDB

/// A WebVTT caption track of a video: one per language; the file is in media storage.
public struct CaptionRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "captions"

    public var videoID: String
    /// The canonical language tag; also the file's name in storage, so it is checked first.
    public var language: String
    public var label: String
    public var isDefault: Bool
    public var size: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case language, label, size
        case videoID = "video_id", isDefault = "is_default", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(videoID: String, language: String, label: String, isDefault: Bool, size: Int64, now: Date = Date()) {
        self.videoID = videoID
        self.language = language
        self.label = label
        self.isDefault = isDefault
        self.size = size
        createdAt = now
        updatedAt = now
    }
}

/// Every query on the captions table.
public struct CaptionRepository: Sendable {
    let writer: DatabasePool

    /// The video's tracks in language order, so manifests list them the same way every time.
    public func list(videoID: String) throws -> [CaptionRecord] {
        try writer.read {
            try CaptionRecord.fetchAll($0, sql: "SELECT * FROM captions WHERE video_id = ? ORDER BY language", arguments: [videoID])
        }
    }

    public func find(videoID: String, language: String) throws -> CaptionRecord? {
        try writer.read {
            try CaptionRecord.fetchOne($0, sql: "SELECT * FROM captions WHERE video_id = ? AND language = ?", arguments: [videoID, language])
        }
    }

    /// Inserts the track or replaces the one of the same language (keeping its creation
    /// date); returns true when it is new. A default track takes the flag from the others, as
    /// players honour only one. Throws ``VideoMissing`` when the video is gone.
    @discardableResult
    public func save(_ caption: CaptionRecord) throws -> Bool {
        do {
            return try writer.write { db in
                let existing = try CaptionRecord.fetchOne(
                    db, sql: "SELECT * FROM captions WHERE video_id = ? AND language = ?",
                    arguments: [caption.videoID, caption.language])
                if caption.isDefault {
                    try db.execute(
                        sql: "UPDATE captions SET is_default = 0 WHERE video_id = ? AND language <> ?",
                        arguments: [caption.videoID, caption.language])
                }
                var record = caption
                if let existing { record.createdAt = existing.createdAt }
                try record.save(db)
                return existing == nil
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw VideoMissing()
        }
    }

    /// Deletes one track; returns whether it existed.
    @discardableResult
    public func delete(videoID: String, language: String) throws -> Bool {
        try writer.write {
            try $0.execute(sql: "DELETE FROM captions WHERE video_id = ? AND language = ?", arguments: [videoID, language])
            return $0.changesCount > 0
        }
    }

    public struct VideoMissing: Error {}
}

extension KinoraDatabase {
    public var captions: CaptionRepository { CaptionRepository(writer: writer) }
}
