import Foundation

/// A WebVTT caption track of a video: one per language; the file is in media storage.
public struct CaptionRecord: Codable, Sendable, Hashable {
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

/// Every query on the captions table. Runs on both backends.
public struct CaptionRepository: Sendable {
    let db: any SQLDatabase

    /// The video's tracks in language order, so manifests list them the same way every time.
    public func list(videoID: String) throws -> [CaptionRecord] {
        try db.read { try $0.fetchAll(CaptionRecord.self, "SELECT * FROM captions WHERE video_id = ? ORDER BY language", [videoID]) }
    }

    public func find(videoID: String, language: String) throws -> CaptionRecord? {
        try db.read { try $0.fetchOne(CaptionRecord.self, "SELECT * FROM captions WHERE video_id = ? AND language = ?", [videoID, language]) }
    }

    /// Inserts the track or replaces the one of the same language (keeping its creation
    /// date); returns true when it is new. A default track takes the flag from the others, as
    /// players honour only one. Throws ``VideoMissing`` when the video is gone.
    @discardableResult
    public func save(_ caption: CaptionRecord) throws -> Bool {
        do {
            return try db.write { db in
                let existing = try db.fetchOne(
                    CaptionRecord.self, "SELECT * FROM captions WHERE video_id = ? AND language = ?", [caption.videoID, caption.language])
                if caption.isDefault {
                    try db.execute("UPDATE captions SET is_default = ? WHERE video_id = ? AND language <> ?", [false, caption.videoID, caption.language])
                }
                guard existing != nil else {
                    try db.insert(caption, into: CaptionRecord.databaseTableName)
                    return true
                }
                try db.execute(
                    "UPDATE captions SET label = ?, is_default = ?, size = ?, updated_at = ? WHERE video_id = ? AND language = ?",
                    [caption.label, caption.isDefault, caption.size, caption.updatedAt, caption.videoID, caption.language])
                return false
            }
        } catch SQLError.constraint {
            // The video is gone (its foreign key).
            throw VideoMissing()
        }
    }

    /// Deletes one track; returns whether it existed.
    @discardableResult
    public func delete(videoID: String, language: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM captions WHERE video_id = ? AND language = ?", [videoID, language]) } > 0
    }

    public struct VideoMissing: Error {}
}

extension KinoraDatabase {
    public var captions: CaptionRepository { CaptionRepository(db: sql) }
}
