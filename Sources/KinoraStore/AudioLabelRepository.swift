import Foundation
import GRDB

/// The label a video's owner gave one of its audio tracks: a language, a name, or both (nil
/// keeps the source's). `track` is the track's id in the API (its stereo rendition's id).
public struct AudioLabelRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audio_labels"

    public var videoID: String
    public var track: String
    public var language: String?
    public var name: String?
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case track, language, name
        case videoID = "video_id", updatedAt = "updated_at"
    }

    public init(videoID: String, track: String, language: String?, name: String?, now: Date = Date()) {
        self.videoID = videoID
        self.track = track
        self.language = language
        self.name = name
        updatedAt = now
    }
}

/// Every query on the audio_labels table.
public struct AudioLabelRepository: Sendable {
    let writer: DatabasePool

    /// The video's labels in track order, so a publish reads them the same way every time.
    public func list(videoID: String) throws -> [AudioLabelRecord] {
        try writer.read {
            try AudioLabelRecord.fetchAll($0, sql: "SELECT * FROM audio_labels WHERE video_id = ? ORDER BY track", arguments: [videoID])
        }
    }

    /// Replaces all of the video's labels by `labels` in one transaction (none: every track
    /// back to the source's). Throws ``VideoMissing`` when the video is gone.
    public func replace(videoID: String, with labels: [AudioLabelRecord]) throws {
        do {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM audio_labels WHERE video_id = ?", arguments: [videoID])
                for label in labels where label.videoID == videoID { try label.insert(db) }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw VideoMissing()
        }
    }

    public struct VideoMissing: Error {}
}

extension KinoraDatabase {
    public var audioLabels: AudioLabelRepository { AudioLabelRepository(writer: writer) }
}
