import Foundation

/// The label a video's owner gave one of its audio tracks: a language, a name, or both (nil
/// keeps the source's). `track` is the track's id in the API (its stereo rendition's id).
public struct AudioLabelRecord: Codable, Sendable, Hashable {
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

/// Every query on the audio_labels table. Runs on both backends.
public struct AudioLabelRepository: Sendable {
    let db: any SQLDatabase

    /// The video's labels in track order, so a publish reads them the same way every time.
    public func list(videoID: String) throws -> [AudioLabelRecord] {
        try db.read { try $0.fetchAll(AudioLabelRecord.self, "SELECT * FROM audio_labels WHERE video_id = ? ORDER BY track", [videoID]) }
    }

    /// Replaces all of the video's labels by `labels` in one transaction (none: every track
    /// back to the source's). Throws ``VideoMissing`` when the video is gone.
    public func replace(videoID: String, with labels: [AudioLabelRecord]) throws {
        do {
            try db.write { db in
                try db.execute("DELETE FROM audio_labels WHERE video_id = ?", [videoID])
                for label in labels where label.videoID == videoID { try db.insert(label, into: AudioLabelRecord.databaseTableName) }
            }
        } catch SQLError.constraint {
            // The video is gone (its foreign key).
            throw VideoMissing()
        }
    }

    public struct VideoMissing: Error {}
}

extension KinoraDatabase {
    public var audioLabels: AudioLabelRepository { AudioLabelRepository(db: sql) }
}
